"""A Pod's effective requests as kube-scheduler counts them, and the quantity parsing underneath."""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import pytest

from planner.knowledge.capacity import QUANTITY_MAX, cpu_milli, memory_mib, pod_requests, quantity, quantity_exact


def container(cpu: str | None = None, memory: str | None = None, *, limits: dict[str, str] | None = None,
              sidecar: bool = False) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    out: dict[str, Any] = {"name": "c", "image": "x", "resources": {}}
    if requests:
        out["resources"]["requests"] = requests
    if limits:
        out["resources"]["limits"] = limits
    if sidecar:
        out["restartPolicy"] = "Always"
    return out


# ---------------------------------------------------------------- pod_requests


def test_regular_containers_add_up():
    spec = {"containers": [container("100m", "64Mi"), container("250m", "128Mi")]}
    assert pod_requests(spec) == (350, 192)


def test_no_requests_count_as_zero_not_the_scoring_defaults():
    assert pod_requests({"containers": [{"name": "c", "image": "x"}]}) == (0, 0)
    assert pod_requests({}) == (0, 0)
    assert pod_requests({"containers": [container("100m")]}) == (100, 0)


def test_a_classic_init_container_larger_than_the_containers_sets_the_request():
    spec = {"initContainers": [container("2", "1Gi")], "containers": [container("500m", "256Mi")]}
    assert pod_requests(spec) == (2000, 1024)


def test_cpu_and_memory_take_their_maximum_separately():
    spec = {"initContainers": [container("2", "64Mi")], "containers": [container("500m", "256Mi")]}
    assert pod_requests(spec) == (2000, 256)


def test_init_containers_run_one_at_a_time_so_the_largest_counts_not_their_sum():
    spec = {"initContainers": [container("1"), container("700m"), container("1500m")],
            "containers": [container("100m")]}
    assert pod_requests(spec) == (1500, 0)


def test_sidecars_add_to_the_containers():
    spec = {"initContainers": [container("200m", "100Mi", sidecar=True)], "containers": [container("300m", "50Mi")]}
    assert pod_requests(spec) == (500, 150)


def test_a_sidecar_declared_before_a_classic_init_container_runs_beside_it():
    # init i needs 1000m + the 400m sidecar already running: 1400m > 400m + 100m.
    spec = {"initContainers": [container("400m", sidecar=True), container("1")],
            "containers": [container("100m")]}
    assert pod_requests(spec) == (1400, 0)


def test_a_sidecar_declared_after_a_classic_init_container_does_not_run_beside_it():
    # The classic init container finishes before the sidecar starts: max(1000m, 400m + 100m).
    spec = {"initContainers": [container("1"), container("400m", sidecar=True)],
            "containers": [container("100m")]}
    assert pod_requests(spec) == (1000, 0)


def test_sidecars_on_both_sides_of_a_classic_init_container():
    spec = {"initContainers": [container("100m", "10Mi", sidecar=True), container("1", "500Mi"),
                               container("200m", "20Mi", sidecar=True)],
            "containers": [container("300m", "30Mi")]}
    # init: 1000 + 100 = 1100m, 500 + 10 = 510Mi; running: 300 + 100 + 200 = 600m, 60Mi.
    assert pod_requests(spec) == (1100, 510)


def test_restart_policy_other_than_always_is_a_classic_init_container():
    spec = {"initContainers": [{**container("400m"), "restartPolicy": "OnFailure"}], "containers": [container("1")]}
    assert pod_requests(spec) == (1000, 0)


def test_overhead_is_added_on_top():
    spec = {"overhead": {"cpu": "250m", "memory": "120Mi"},
            "initContainers": [container("2", "1Gi")], "containers": [container("500m", "256Mi")]}
    assert pod_requests(spec) == (2250, 1144)


def test_limits_without_requests_request_the_limits():
    spec = {"containers": [container(limits={"cpu": "500m", "memory": "128Mi"})]}
    assert pod_requests(spec) == (500, 128)


def test_an_explicit_request_wins_over_the_limit_per_resource():
    spec = {"containers": [container(cpu="100m", limits={"cpu": "1", "memory": "1Gi"})]}
    assert pod_requests(spec) == (100, 1024)


def test_limits_only_defaulting_applies_to_init_containers_and_sidecars_too():
    spec = {"initContainers": [container(limits={"cpu": "300m"}, sidecar=True), container(limits={"cpu": "2"})],
            "containers": [container("100m")]}
    assert pod_requests(spec) == (2300, 0)


def test_pod_level_requests_replace_the_container_sum_and_overhead_still_adds():
    spec = {"resources": {"requests": {"cpu": "1"}}, "overhead": {"cpu": "100m"},
            "containers": [container("200m", "64Mi"), container("200m", "64Mi")]}
    assert pod_requests(spec) == (1100, 128)


def test_pod_level_limits_default_the_request_only_where_no_container_sets_one():
    spec = {"resources": {"limits": {"cpu": "2", "memory": "1Gi"}}, "containers": [container("500m")]}
    assert pod_requests(spec) == (500, 1024)


def test_sums_are_exact_and_rounded_once():
    # 3 x 0.1 cores is exactly 300m (floats would make it 300.00000000000006 and round up to 301m),
    # and 10 x 0.15Mi is 1.5Mi, rounded up once to 2Mi (not 10 x 1Mi).
    assert pod_requests({"containers": [container("0.1")] * 3}) == (300, 0)
    assert pod_requests({"containers": [container(memory="0.15Mi")] * 10}) == (0, 2)


# ---------------------------------------------------------------- quantities


@pytest.mark.parametrize(("text", "cores"), [
    ("1", 1), ("0.5", Fraction(1, 2)), (".5", Fraction(1, 2)), ("1.", 1), ("+2", 2), ("100m", Fraction(1, 10)),
    ("1n", Fraction(1, 10**9)), ("1u", Fraction(1, 10**6)), ("1k", 1000), ("1M", 10**6), ("1G", 10**9),
    ("1T", 10**12), ("1P", 10**15), ("1E", 10**18), ("1Ki", 2**10), ("1Mi", 2**20), ("1Gi", 2**30), ("1Ti", 2**40),
    ("1Pi", 2**50), ("1Ei", 2**60), (".5Ei", 2**59), ("1.5Gi", 3 * 2**29), ("1.G", 10**9),
    ("1e3", 1000), ("1E3", 1000), ("1e+3", 1000), ("1E-3", Fraction(1, 1000)), ("2.5e-1", Fraction(1, 4)),
    ("0", 0), ("000", 0), ("0.0Gi", 0),
])
def test_every_quantity_form(text, cores):
    assert quantity_exact(text) == cores


def test_E_alone_is_exa_and_E_with_digits_is_an_exponent():
    assert memory_mib("1E") == -(-10**18 // 2**20)
    assert memory_mib("1Ei") == 2**40
    assert memory_mib(".5Ei") == 2**39
    assert cpu_milli("1E3") == 1_000_000


@pytest.mark.parametrize("text", ["", ".", "e3", "1e", "1E+", "1K", "1Ki3", "1.2.3", "lots", "1 Gi", "-1", "-100m",
                                  "1Mib", "0x10", "1e3.5"])
def test_malformed_or_negative_quantities_are_refused(text):
    with pytest.raises(ValueError):
        quantity_exact(text)


def test_cpu_rounds_up_to_whole_millicores_exactly():
    assert cpu_milli("0.1m") == 1
    assert cpu_milli("1n") == 1
    assert cpu_milli("1001u") == 2
    assert all(cpu_milli(f"{i}m") == i for i in range(1, 5000))
    assert all(cpu_milli(str(i / 1000)) == i for i in range(1, 5000))  # e.g. 2.007 and 9m were off by one


def test_memory_rounds_up_to_whole_mib():
    assert memory_mib("1Mi") == 1
    assert memory_mib("1048577") == 2
    assert memory_mib("0.1Gi") == 103  # 102.4Mi
    assert memory_mib("128M") == 123  # 122.07Mi
    assert memory_mib("1") == 1


def test_yaml_numbers_are_quantities_too():
    assert cpu_milli(2) == 2000
    assert cpu_milli(0.3) == 300
    assert memory_mib(1048576) == 1
    with pytest.raises(ValueError):
        quantity_exact(float("inf"))
    with pytest.raises(ValueError):
        quantity_exact(True)


def test_huge_and_tiny_values_are_bounded_at_once():
    start = time.monotonic()
    assert quantity_exact("1e99999999") == QUANTITY_MAX
    assert quantity_exact("1E999999999999999999999") == QUANTITY_MAX
    assert quantity_exact("8Ei") == QUANTITY_MAX  # 2^63 is one more than Kubernetes can hold
    assert quantity_exact("1e-99999999") == Fraction(1, 10**9)  # non-zero rounds up to 1n, as ParseQuantity does
    assert quantity_exact("0." + "0" * 900 + "1") == Fraction(1, 10**9)
    assert cpu_milli("1e99999999") == QUANTITY_MAX * 1000
    assert time.monotonic() - start < 1
    with pytest.raises(ValueError):
        quantity_exact("1" * 5000)


def test_the_float_helper_still_works():
    assert quantity("1.5Gi") == 1.5 * 2**30
    assert quantity("250m") == 0.25
