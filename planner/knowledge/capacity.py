"""What a node can run: GKE's allocatable formulas, and the modelled share kube-system Pods take.

Allocatable = capacity - GKE's reservation (gke-lifecycle.md, "Defaults, formats and ranges"). What is left for your
Pods is allocatable minus what kube-system Pods request on each node; GKE publishes no single figure for that, so it
is a modelled constant here, stated as such in every place it shows.
"""

from __future__ import annotations

import re
from typing import NamedTuple

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


def parse_custom_machine(name: str) -> MachineType | None:
    """`e2-custom-4-8192`, `n2-custom-2-4096`, `custom-2-7680` (N1): vCPUs and memory in MiB."""
    m = re.fullmatch(r"(?:(e2|n2|n2d|n4)-)?custom-(\d+)-(\d+)(-ext)?", name)
    if not m:
        return None
    return MachineType(vcpus=int(m.group(2)), memory_mib=int(m.group(3)), shared_core=False)


def machine(name: str) -> MachineType:
    found = MACHINE_TYPES.get(name) or parse_custom_machine(name)
    if found is None:
        raise KeyError(name)
    return found


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


_CPU = re.compile(r"^([0-9.]+)(m?)$")
_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
           "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_QUANTITY = re.compile(r"^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$")


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity in base units (cores, bytes). Validation has already checked the syntax."""
    if isinstance(value, (int, float)):
        return float(value)
    m = _QUANTITY.match(value.strip())
    if not m:
        raise ValueError(value)
    number, suffix = float(m.group(1)), m.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return number * 10 ** int(suffix[1:])
    return number * _SUFFIX[suffix]


def cpu_milli(value: str | int | float) -> int:
    return int(-(-quantity(value) * 1000 // 1))


def memory_mib(value: str | int | float) -> int:
    return int(-(-quantity(value) // 2**20))
