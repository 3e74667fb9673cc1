"""Validation gaps closed in the schema layer (and one in the loader): each case was accepted, or crashed, before."""

from __future__ import annotations

import shutil

import pytest
from conftest import EXAMPLES, edit


def refused(result) -> list[str]:
    assert result.code == 1, result.out + result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return result.err.splitlines()


@pytest.fixture
def app(tmp_path):
    target = tmp_path / "app"
    shutil.copytree(EXAMPLES / "hello-app", target)
    return target


# ---------------------------------------------------------------- whole floats: 1.0 is read as 1, as kubectl sends it


@pytest.mark.parametrize(("file", "old", "new"), [
    ("hello-web.yaml", "replicas: 3", "replicas: 1.0"),
    ("cluster.yaml", "initialNodeCount: 3", "initialNodeCount: 3.0"),
    ("hello-web.yaml", "replicas: 3", "replicas: 3.0e+0"),
])
def test_a_whole_float_is_an_integer_as_kubectl_sends_it(cli, app, file, old, new):
    """kubectl turns YAML into JSON with sigs.k8s.io/yaml and Go's encoding/json, which writes float64 1.0 as `1`:
    kube-apiserver reads an integer. This used to crash the simulator ("'float' object cannot be interpreted as an
    integer")."""
    edit(app / file, old, new)
    result = cli("plan", "app")
    assert result.code == 0, result.err
    assert "internal error" not in result.err


def test_a_whole_float_plans_the_same_as_the_integer(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 2.0")
    as_float = cli("plan", "app", "-o", "json").json()
    edit(app / "hello-web.yaml", "replicas: 2.0", "replicas: 2")
    assert cli("plan", "app", "-o", "json").json() == as_float


def test_a_fractional_float_is_still_refused(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 1.5")
    assert refused(cli("validate", "app"))[0].endswith("spec.replicas: expected an integer, got number 1.5")
