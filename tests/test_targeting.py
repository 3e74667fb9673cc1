"""--target and --exclude: a consistent part of the plan (targets bring what they need, exclusions take what needs
them), terraform's warning, unknown addresses refused with close matches, and saved targeted plans."""

from __future__ import annotations

import shutil

from conftest import EXAMPLES, write
from test_depends_on import POOL_APP, _app

FRONTEND = "Deployment/bank/frontend"
NEEDED = {"ContainerCluster/bank-cluster", "Namespace/bank", "ConfigMap/bank/environment-config",
          "ConfigMap/bank/service-api-config", "Service/bank/frontend", FRONTEND}


def _bank(tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")


def changed(plan: dict) -> set[str]:
    return {c["address"] for c in plan["resource_changes"] if c["action"] != "no-op"}


def test_a_target_is_planned_with_everything_it_depends_on_and_nothing_else(cli, tmp_path):
    _bank(tmp_path)
    plan = cli("plan", "bank", "--target", FRONTEND, "-o", "json").json()
    assert changed(plan) == NEEDED
    assert plan["targets"] == [FRONTEND] and plan["excluded"] == []
    assert {s["address"] for s in plan["steps"]} == NEEDED
    assert plan["summary"]["create"] == len(NEEDED)
    text = cli("plan", "bank", "--target", FRONTEND)
    assert text.code == 0
    assert "Resource targeting is in effect" in text.out + text.err
    assert "not for routine use" in text.out + text.err
    assert "# Deployment/bank/userservice" not in text.out


def test_an_exclusion_drops_what_depends_on_it(cli, tmp_path):
    _bank(tmp_path)
    plan = cli("plan", "bank", "--exclude", "ConfigMap/bank/service-api-config", "-o", "json").json()
    left = changed(plan)
    assert "ConfigMap/bank/service-api-config" not in left
    assert not any(a.startswith("Deployment/") for a in left)  # every Deployment reads it
    assert {"ContainerCluster/bank-cluster", "StatefulSet/bank/ledger-db", "Service/bank/frontend"} <= left
    assert plan["excluded"] == ["ConfigMap/bank/service-api-config"]


def test_an_unknown_address_is_refused_with_the_closest_ones(cli, tmp_path):
    _bank(tmp_path)
    result = cli("plan", "bank", "--target", "Deployment/bank/frontent")
    assert result.code == 1
    assert "--target Deployment/bank/frontent: no resource of the input or the state has this address; did you " \
           "mean Deployment/bank/frontend" in result.err
    result = cli("plan", "bank", "--exclude", "frontend")
    assert result.code == 1 and "Kind/namespace/name" in result.err


def test_a_saved_targeted_plan_applies_only_its_part_and_the_next_plan_shows_the_rest(cli, tmp_path):
    # A shop with a node pool: the pool is no dependency of a Deployment, so a targeted apply leaves it for later.
    write(tmp_path / "shop" / "all.yaml", POOL_APP.format(nodes=1) + "---\napiVersion: v1\nkind: Namespace\n"
          "metadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-0, namespace: shop}"
          "\ndata: {k: v}\n" + _app(0, [0], False, True, False, 1) + _app(1, [], False, False, False, 1))
    assert cli("plan", "shop", "--target", "Deployment/shop/app0", "--out", "t.plan").code == 0
    applied = cli("apply", "t.plan")
    assert applied.code == 0, applied.err
    # cluster, Namespace, ConfigMap, Service, Deployment: a Deployment does not reference a node pool, so its Pods
    # wait (Pending) for the pool the next plan creates
    assert "Resources: 5 added" in applied.out and "1 Pod(s) are Pending" in applied.out
    rest = cli("plan", "shop", "-o", "json").json()
    assert rest["targets"] == [] and changed(rest) == {"ContainerNodePool/pool", "Deployment/shop/app1"}
    refused = cli("apply", "t.plan", "--target", FRONTEND)
    assert refused.code == 1 and "--target and --exclude go to plan" in refused.err


def test_apply_and_destroy_take_targets(cli, tmp_path):
    _bank(tmp_path)
    assert cli("apply", "bank", "--target", FRONTEND, "--auto-approve").code == 0
    destroyed = cli("destroy", "--target", "Service/bank/frontend", "--auto-approve")
    assert destroyed.code == 0, destroyed.err
    assert "2 destroyed" in destroyed.out  # the Deployment it selects goes first
    left = cli("plan", "bank", "-o", "json").json()
    assert {FRONTEND, "Service/bank/frontend"} <= changed(left)
    assert "ConfigMap/bank/environment-config" not in changed(left)
