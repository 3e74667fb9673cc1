"""What a node can run: GKE's allocatable formulas, and the modelled share kube-system Pods take.

Allocatable = capacity - GKE's reservation
(https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes#cpu_reservations). What is left for your
Pods is allocatable minus what kube-system Pods request on each node; GKE publishes no single figure for that, so it
is a modelled constant here, stated as such in every place it shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

from planner.knowledge.gce import MACHINE_TYPES, MachineType

# (cores in this band, fraction of each core reserved), applied from the first core upwards.
CPU_RESERVATION_BANDS = ((1, 0.06), (1, 0.01), (2, 0.005), (None, 0.0025))
SHARED_CORE_CPU_RESERVED_MILLI = 1060
"""Shared-core E2 types (e2-micro, e2-small, e2-medium) reserve a flat 1060m instead of the bands."""

# (GiB in this band, fraction reserved), applied from the first GiB upwards.
MEMORY_RESERVATION_BANDS = ((4, 0.25), (4, 0.20), (8, 0.10), (112, 0.06), (None, 0.02))
EVICTION_THRESHOLD_MIB = 100

KUBE_SYSTEM_CPU_MILLI = 200
KUBE_SYSTEM_MEMORY_MIB = 300
KUBE_SYSTEM_PODS = 6
"""MODELLED, not published by GKE: per-node requests of kube-system Pods (kube-proxy, fluentbit, gke-metrics-agent,
pdcsi-node and a share of kube-dns / konnectivity). Real figures vary with GKE version and add-ons."""

MAX_PODS_PER_NODE = 110
"""GKE's default for Standard clusters; each node gets a /24 of the Pod range to hold it."""


class Allocatable(NamedTuple):
    cpu_milli: int
    memory_mib: int
    pods: int


_CUSTOM_MACHINE = re.compile(r"(?:(e2|n2|n2d|n4|n4a|n4d)-)?custom-([1-9][0-9]*)-([1-9][0-9]*)(-ext)?")
"""`[SERIES-]custom-VCPUS-MEMORY_MIB[-ext]`, the name Compute Engine gives a custom machine type. No series prefix
means N1. The series are those whose documentation offers custom machine types: N1, N2, N2D, E2 and N4, N4A, N4D
("General-purpose machine family", https://cloud.google.com/compute/docs/general-purpose-machines); C3, C3D, C4,
C4A, C4D and T2A say they don't. vCPUs and memory are whole numbers from 1, written without leading zeros, so each
shape has one name. The series' own limits on a shape (even vCPU counts, memory per vCPU, 256 MiB steps) are not
modelled here."""


def parse_custom_machine(name: str) -> MachineType | None:
    """`e2-custom-4-8192`, `n2-custom-2-4096`, `n4-custom-8-32768-ext`, `custom-2-7680` (N1): vCPUs and memory in
    MiB. None for anything else, including predefined names (`n2-standard-4`) and zero sizes (`custom-0-1024`)."""
    m = _CUSTOM_MACHINE.fullmatch(name)
    if not m:
        return None
    return MachineType(vcpus=int(m.group(2)), memory_mib=int(m.group(3)), shared_core=False)


def machine(name: str) -> MachineType:
    found = MACHINE_TYPES.get(name) or parse_custom_machine(name)
    if found is None:
        raise KeyError(name)
    return found


def gpus(machine_type: str) -> tuple[str, int] | None:
    """GPUs built into a machine type, as (GKE accelerator type, count): `a3-highgpu-8g` has ("nvidia-h100-80gb", 8).
    None for types without built-in GPUs and for custom types. Raises KeyError for an unknown type."""
    return machine(machine_type).gpus


def _banded(amount: float, bands: tuple[tuple[int | None, float], ...]) -> float:
    """Sum of each band's share of `amount`, bands applied from the first unit upwards."""
    reserved, left = 0.0, amount
    for size, fraction in bands:
        take = left if size is None else min(left, size)
        reserved += take * fraction
        left -= take
        if left <= 0:
            break
    return reserved


def allocatable(machine_type: str, max_pods: int = MAX_PODS_PER_NODE) -> Allocatable:
    """Node allocatable as GKE computes it, before kube-system Pods."""
    spec = machine(machine_type)
    if spec.shared_core:
        cpu_reserved = float(SHARED_CORE_CPU_RESERVED_MILLI)
    else:
        cpu_reserved = _banded(spec.vcpus, CPU_RESERVATION_BANDS) * 1000
    memory_reserved = _banded(spec.memory_mib / 1024, MEMORY_RESERVATION_BANDS) * 1024
    return Allocatable(
        cpu_milli=max(0, round(spec.vcpus * 1000 - cpu_reserved)),
        memory_mib=max(0, round(spec.memory_mib - memory_reserved - EVICTION_THRESHOLD_MIB)),
        pods=max_pods,
    )


def free_for_workloads(machine_type: str, max_pods: int = MAX_PODS_PER_NODE) -> Allocatable:
    """Allocatable minus the modelled kube-system requests: what the scheduler can give your Pods."""
    a = allocatable(machine_type, max_pods)
    return Allocatable(max(0, a.cpu_milli - KUBE_SYSTEM_CPU_MILLI), max(0, a.memory_mib - KUBE_SYSTEM_MEMORY_MIB),
                       max(0, a.pods - KUBE_SYSTEM_PODS))


# ---------------------------------------------------------------- quantities

_DECIMAL_EXPONENTS = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_MULTIPLIERS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY = re.compile(r"\+?([0-9]*)(?:\.([0-9]*))?([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?")
"""The grammar of k8s.io/apimachinery/pkg/api/resource/quantity.go (signs other than `+` are refused: requests
cannot be negative). `E` alone is the exa suffix; `e`/`E` followed by digits is a decimal exponent, so `1E` is
10^18, `1E3` is 1000 and `1Ei` is 2^60, as in Kubernetes' suffix table."""

QUANTITY_MAX = Fraction(2**63 - 1)
"""quantity.go: "no quantity may represent a number greater than 2^63-1 in magnitude ... Numbers larger or more
precise will be capped or rounded up." Larger values are capped here, in base units (cores, bytes)."""
QUANTITY_MIN = Fraction(1, 10**9)
"""quantity.go rounds a non-zero value up to the smallest it can represent, 1n."""
_MAX_DIGITS = 1000
"""Longer digit strings are refused: no real quantity has them, and exact arithmetic on them is wasted work."""


def quantity_exact(value: str | int | float) -> Fraction:
    """A Kubernetes quantity in base units (cores, bytes), exactly: no float rounding (`0.3` is 3/10, not
    0.299999...). Values round as ParseQuantity does: a non-zero value below 1n becomes 1n, a value above 2^63-1
    becomes 2^63-1 (so `1e99999999` is capped at once instead of computing a 10^99999999). Raises ValueError for
    text that is not a quantity, and for negative numbers."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        exact = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        exact = Fraction(repr(value))  # the number as written in the YAML, not its binary approximation
    else:
        exact = _parse_text(value)
    if exact < 0:
        raise ValueError(f"negative quantity {value!r}")
    return _bounded(exact)


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> Fraction:
    """Memoized: a large input repeats a few request strings (`250m`, `128Mi`) tens of thousands of times."""
    return _parse(value.strip())


def _parse(text: str) -> Fraction:
    m = _QUANTITY.fullmatch(text)
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(text)
    whole, fraction, suffix = m.group(1), m.group(2) or "", m.group(3) or ""
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return Fraction(0)
    if len(digits) > _MAX_DIGITS:
        raise ValueError(f"quantity with more than {_MAX_DIGITS} digits")
    multiplier, exponent = 1, 0
    if suffix in _BINARY_MULTIPLIERS:  # `Ei` before the exponent test: it starts with E too
        multiplier = _BINARY_MULTIPLIERS[suffix]
    elif suffix in _DECIMAL_EXPONENTS:
        exponent = _DECIMAL_EXPONENTS[suffix]
    else:  # `e3`, `E-3`, `e+3`: the regex admits nothing else here
        exponent = int(suffix[1:])
    exponent -= len(fraction)
    # digits * 10^exponent * multiplier lies in [10^(magnitude-1), 10^(magnitude+19)): decide the extremes
    # before building a power of ten that could have millions of digits.
    magnitude = len(digits) + exponent
    if magnitude > 20:
        return QUANTITY_MAX + 1
    if magnitude < -30:
        return QUANTITY_MIN
    scale = Fraction(10) ** exponent
    return int(digits) * scale * multiplier


def _bounded(exact: Fraction) -> Fraction:
    if exact == 0:
        return exact
    return min(max(exact, QUANTITY_MIN), QUANTITY_MAX)


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity in base units (cores, bytes), as a float: for display and estimates only; fitting
    uses `cpu_milli`/`memory_mib`, which round exactly."""
    return float(quantity_exact(value))


def cpu_milli(value: str | int | float) -> int:
    """CPU in millicores, rounded up as Quantity.MilliValue() does (`0.1m` and `1n` are 1m)."""
    return math.ceil(quantity_exact(value) * 1000)


def memory_mib(value: str | int | float) -> int:
    """Memory in MiB, rounded up (Kubernetes rounds bytes up; we round up again to whole MiB)."""
    return math.ceil(quantity_exact(value) / 2**20)


# ---------------------------------------------------------------- a Pod's effective requests

_RESOURCES = ("cpu", "memory")


def _container_requests(container: Mapping[str, Any]) -> dict[str, Fraction]:
    """One container's requests, exactly. A resource with a limit but no request requests its limit: the API server
    copies limits into missing requests when it defaults a Pod (SetDefaults_Pod in pkg/apis/core/v1/defaults.go;
    "Resource Management for Pods and Containers": "If you specify a limit for a resource, but do not specify any
    request, and no admission-time mechanism has applied a default request for that resource, then Kubernetes copies
    the limit you specified and uses it as the requested value for the resource.")."""
    resources = container.get("resources") or {}
    requests = resources.get("requests") or {}
    limits = resources.get("limits") or {}
    out: dict[str, Fraction] = {}
    for name in _RESOURCES:
        if name in requests:
            out[name] = quantity_exact(requests[name])
        elif name in limits:
            out[name] = quantity_exact(limits[name])
    return out


def _is_sidecar(container: Mapping[str, Any]) -> bool:
    return container.get("restartPolicy") == "Always"


def pod_requests(pod_spec: Mapping[str, Any]) -> tuple[int, int]:
    """(CPU millicores, memory MiB) that kube-scheduler reserves for one Pod: what must fit in a node's free
    allocatable. `pod_spec` is a Pod's `spec` (a workload's `spec.template.spec`).

    The rule of PodRequests in k8s.io/component-helpers/resource/helpers.go (aggregateContainerResourcesByFn),
    per resource:

    - Sidecars are init containers with `restartPolicy: Always` (SidecarContainers, on by default since 1.29). They
      keep running, so they count with the regular containers: `sum(containers) + sum(sidecars)`.
    - A classic init container i runs alone, beside the sidecars declared before it:
      `request(i) + sum(sidecars before i)`. The largest of these is the effective init request.
    - The Pod needs the larger of the two, plus `spec.overhead` (Pod overhead, set from the RuntimeClass at
      admission) on top.
    - Pod-level `spec.resources` (PodLevelResources, beta since 1.34): a pod-level request replaces the container
      sum for that resource; pod-level limits alone default it when no container sets that resource (defaults.go,
      defaultPodRequests).
    - Missing requests count as 0: the scheduler's non-zero defaults (100m, 200Mi) are only for scoring, not for
      fitting. Containers with limits but no requests request their limits (see `_container_requests`).

    Sums are exact and rounded up once at the end (CPU to whole millicores as Quantity.MilliValue() does, memory to
    whole MiB), so ten containers of `0.15Mi` need 2Mi, not 10Mi.

    Sources:
    https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#resource-sharing-within-containers
    https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers
    https://kubernetes.io/docs/concepts/scheduling-eviction/pod-overhead/
    https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/resource/helpers.go
    """
    total = dict.fromkeys(_RESOURCES, Fraction(0))
    set_by_containers: set[str] = set()
    for container in pod_spec.get("containers") or []:
        for name, amount in _container_requests(container).items():
            total[name] += amount
            set_by_containers.add(name)
    sidecars = dict.fromkeys(_RESOURCES, Fraction(0))
    init = dict.fromkeys(_RESOURCES, Fraction(0))
    for container in pod_spec.get("initContainers") or []:
        requests = _container_requests(container)
        set_by_containers.update(requests)
        sidecar = _is_sidecar(container)
        for name in _RESOURCES:
            amount = requests.get(name, Fraction(0))
            if sidecar:
                total[name] += amount
                sidecars[name] += amount
                running = sidecars[name]
            else:
                running = amount + sidecars[name]
            init[name] = max(init[name], running)
    effective = {name: max(total[name], init[name]) for name in _RESOURCES}

    pod_level = pod_spec.get("resources") or {}
    pod_level_requests = pod_level.get("requests") or {}
    pod_level_limits = pod_level.get("limits") or {}
    for name in _RESOURCES:
        if name in pod_level_requests:
            effective[name] = quantity_exact(pod_level_requests[name])
        elif name in pod_level_limits and name not in set_by_containers:
            effective[name] = quantity_exact(pod_level_limits[name])

    overhead = pod_spec.get("overhead") or {}
    for name in _RESOURCES:
        if name in overhead:
            effective[name] += quantity_exact(overhead[name])
    return math.ceil(effective["cpu"] * 1000), math.ceil(effective["memory"] / 2**20)
