"""Static Compute Engine facts the simulated GKE planner relies on.

Data only: two lookup tables, checked by hand against public Google Cloud documentation
(and copies of it) on 2026-11-25. Nothing here is fetched at run time.

- ``REGIONS``: each region of the auto mode VPC IPv4 range table, with the primary IPv4 range
  of its auto-mode (``default``) subnet and the suffixes of the zones in that region.
- ``MACHINE_TYPES``: predefined machine types of the E2, N1, N2, N2D, C3 and Tau T2D series,
  with vCPU count, memory in MiB and whether the type is shared-core.
"""

from typing import NamedTuple


class Region(NamedTuple):
    """A Compute Engine region as the planner needs it."""

    subnet: str
    """Primary IPv4 range of the region's subnet in an auto mode VPC network (e.g. the ``default`` network)."""
    zones: tuple[str, ...]
    """Zone suffixes in the region, e.g. ``("a", "b", "c", "f")`` for us-central1."""


class MachineType(NamedTuple):
    """A predefined Compute Engine machine type."""

    vcpus: int
    """vCPUs the guest sees (``guestCpus``); shared-core E2 types report 2."""
    memory_mib: int
    """Memory in MiB. Compute Engine's "GB" of memory is GiB, so 3.75 GB is 3840 MiB."""
    shared_core: bool
    """True for shared-core (fractional-vCPU, bursting) types."""


# REGIONS
# Subnet ranges: "Subnets | VPC | Google Cloud", section "Auto mode IPv4 ranges",
#   https://cloud.google.com/vpc/docs/subnets (also docs.cloud.google.com/vpc/docs/subnets), looked up 2026-11-25.
#   The stored copies of that page available to me were cut off before the table, so every range below was
#   checked against copies of its content instead: a `gcloud compute networks subnets list` of two auto mode
#   networks (41 regions), a Google LLC Terraform map of auto-mode ranges (the same 41), `gcloud` listings
#   showing me-central2, and the VPC release-notes entries (https://cloud.google.com/vpc/docs/release-notes, read
#   through a copy of Google Cloud's release-notes data) that announce the newer ranges (europe-southwest1,
#   me-west1, me-central2, africa-south1, northamerica-south1, europe-north2, asia-southeast3). They all agree
#   except where noted below.
# Zones: "Regions and zones | Compute Engine", https://cloud.google.com/compute/docs/regions-zones, looked up
#   2026-11-25. The stored copy of that page carries the table for the older regions only (it confirms
#   us-central1 a/b/c/f, europe-west1 b/c/d and a/b/c for the other early regions); zones of the other regions
#   come from two independent lists that agree with each other: one cites that page, the other was generated
#   with `gcloud` (every region other than us-central1, us-east1 and europe-west1 has zones a, b, c).
#   asia-southeast3 is newer than both; its a/b/c comes from later zone lists and summaries of Google Cloud
#   launch notes for the Bangkok region, not from the page itself.
REGIONS: dict[str, Region] = {
    "africa-south1": Region(subnet="10.218.0.0/20", zones=("a", "b", "c")),
    "asia-east1": Region(subnet="10.140.0.0/20", zones=("a", "b", "c")),
    "asia-east2": Region(subnet="10.170.0.0/20", zones=("a", "b", "c")),
    "asia-northeast1": Region(subnet="10.146.0.0/20", zones=("a", "b", "c")),
    "asia-northeast2": Region(subnet="10.174.0.0/20", zones=("a", "b", "c")),
    "asia-northeast3": Region(subnet="10.178.0.0/20", zones=("a", "b", "c")),
    "asia-south1": Region(subnet="10.160.0.0/20", zones=("a", "b", "c")),
    "asia-south2": Region(subnet="10.190.0.0/20", zones=("a", "b", "c")),
    "asia-southeast1": Region(subnet="10.148.0.0/20", zones=("a", "b", "c")),
    "asia-southeast2": Region(subnet="10.184.0.0/20", zones=("a", "b", "c")),
    # asia-southeast3 (Bangkok): range added to auto mode on 2026-01-20 per the VPC release notes
    # ("adds the 10.232.0.0/20 subnet range ... in the Bangkok (asia-southeast3) region"). One
    # third-party table says 10.230.0.0/20; the release note and another listing agree on .232.
    "asia-southeast3": Region(subnet="10.232.0.0/20", zones=("a", "b", "c")),
    "australia-southeast1": Region(subnet="10.152.0.0/20", zones=("a", "b", "c")),
    "australia-southeast2": Region(subnet="10.192.0.0/20", zones=("a", "b", "c")),
    "europe-central2": Region(subnet="10.186.0.0/20", zones=("a", "b", "c")),
    "europe-north1": Region(subnet="10.166.0.0/20", zones=("a", "b", "c")),
    "europe-north2": Region(subnet="10.226.0.0/20", zones=("a", "b", "c")),
    "europe-southwest1": Region(subnet="10.204.0.0/20", zones=("a", "b", "c")),
    "europe-west1": Region(subnet="10.132.0.0/20", zones=("b", "c", "d")),
    "europe-west10": Region(subnet="10.214.0.0/20", zones=("a", "b", "c")),
    "europe-west12": Region(subnet="10.210.0.0/20", zones=("a", "b", "c")),
    "europe-west2": Region(subnet="10.154.0.0/20", zones=("a", "b", "c")),
    "europe-west3": Region(subnet="10.156.0.0/20", zones=("a", "b", "c")),
    "europe-west4": Region(subnet="10.164.0.0/20", zones=("a", "b", "c")),
    "europe-west6": Region(subnet="10.172.0.0/20", zones=("a", "b", "c")),
    "europe-west8": Region(subnet="10.198.0.0/20", zones=("a", "b", "c")),
    "europe-west9": Region(subnet="10.200.0.0/20", zones=("a", "b", "c")),
    "me-central1": Region(subnet="10.212.0.0/20", zones=("a", "b", "c")),
    # me-central2 (Dammam): range per the VPC release notes of 2023-09-19.
    "me-central2": Region(subnet="10.216.0.0/20", zones=("a", "b", "c")),
    "me-west1": Region(subnet="10.208.0.0/20", zones=("a", "b", "c")),
    "northamerica-northeast1": Region(subnet="10.162.0.0/20", zones=("a", "b", "c")),
    "northamerica-northeast2": Region(subnet="10.188.0.0/20", zones=("a", "b", "c")),
    "northamerica-south1": Region(subnet="10.224.0.0/20", zones=("a", "b", "c")),
    "southamerica-east1": Region(subnet="10.158.0.0/20", zones=("a", "b", "c")),
    "southamerica-west1": Region(subnet="10.194.0.0/20", zones=("a", "b", "c")),
    "us-central1": Region(subnet="10.128.0.0/20", zones=("a", "b", "c", "f")),
    "us-east1": Region(subnet="10.142.0.0/20", zones=("b", "c", "d")),
    "us-east4": Region(subnet="10.150.0.0/20", zones=("a", "b", "c")),
    "us-east5": Region(subnet="10.202.0.0/20", zones=("a", "b", "c")),
    "us-south1": Region(subnet="10.206.0.0/20", zones=("a", "b", "c")),
    "us-west1": Region(subnet="10.138.0.0/20", zones=("a", "b", "c")),
    "us-west2": Region(subnet="10.168.0.0/20", zones=("a", "b", "c")),
    "us-west3": Region(subnet="10.180.0.0/20", zones=("a", "b", "c")),
    "us-west4": Region(subnet="10.182.0.0/20", zones=("a", "b", "c")),
}


# MACHINE_TYPES
# Source: "General-purpose machine family for Compute Engine",
#   https://cloud.google.com/compute/docs/general-purpose-machines (E2, E2 shared-core, N1, N1 shared-core, N2,
#   N2D, C3, Tau T2D tables) and the machine-resource page, https://cloud.google.com/compute/docs/machine-resource,
#   looked up 2026-11-25. The stored copies of those pages were cut off before their tables, so the shapes were
#   checked against two copies of the Compute Engine API's machineTypes list (fields guestCpus, memoryMb,
#   isSharedCpu; one covers E2/N1/N2/N2D/T2D, the other E2, N1 and part of N2) and against a third-party
#   table that says it was transcribed from machine-resource (all series here); C3 also against the Cloud
#   Workstations "Available machine types" page (https://cloud.google.com/workstations/docs/available-machine-types),
#   which lists c3-standard-4..176 at 4 GB per vCPU.
# memory_mib is the API's memoryMb. Where the documented GB times 1024 is a whole number the two are identical;
# for n1-highcpu-* (0.9 GB per vCPU), f1-micro (0.6 GB) and g1-small (1.7 GB) the API rounds to a whole MiB
# (e.g. n1-highcpu-2: 1.8 GB -> 1843).
# Shared-core: e2-micro (1/8 core), e2-small (1/4), e2-medium (1/2), f1-micro and g1-small; the E2 ones report 2
# vCPUs (guestCpus), the N1 ones 1.
MACHINE_TYPES: dict[str, MachineType] = {
    "c3-standard-176": MachineType(vcpus=176, memory_mib=720896, shared_core=False),
    "c3-standard-22": MachineType(vcpus=22, memory_mib=90112, shared_core=False),
    "c3-standard-4": MachineType(vcpus=4, memory_mib=16384, shared_core=False),
    "c3-standard-44": MachineType(vcpus=44, memory_mib=180224, shared_core=False),
    "c3-standard-8": MachineType(vcpus=8, memory_mib=32768, shared_core=False),
    "c3-standard-88": MachineType(vcpus=88, memory_mib=360448, shared_core=False),
    "e2-highcpu-16": MachineType(vcpus=16, memory_mib=16384, shared_core=False),
    "e2-highcpu-2": MachineType(vcpus=2, memory_mib=2048, shared_core=False),
    "e2-highcpu-32": MachineType(vcpus=32, memory_mib=32768, shared_core=False),
    "e2-highcpu-4": MachineType(vcpus=4, memory_mib=4096, shared_core=False),
    "e2-highcpu-8": MachineType(vcpus=8, memory_mib=8192, shared_core=False),
    "e2-highmem-16": MachineType(vcpus=16, memory_mib=131072, shared_core=False),
    "e2-highmem-2": MachineType(vcpus=2, memory_mib=16384, shared_core=False),
    "e2-highmem-4": MachineType(vcpus=4, memory_mib=32768, shared_core=False),
    "e2-highmem-8": MachineType(vcpus=8, memory_mib=65536, shared_core=False),
    "e2-medium": MachineType(vcpus=2, memory_mib=4096, shared_core=True),
    "e2-micro": MachineType(vcpus=2, memory_mib=1024, shared_core=True),
    "e2-small": MachineType(vcpus=2, memory_mib=2048, shared_core=True),
    "e2-standard-16": MachineType(vcpus=16, memory_mib=65536, shared_core=False),
    "e2-standard-2": MachineType(vcpus=2, memory_mib=8192, shared_core=False),
    "e2-standard-32": MachineType(vcpus=32, memory_mib=131072, shared_core=False),
    "e2-standard-4": MachineType(vcpus=4, memory_mib=16384, shared_core=False),
    "e2-standard-8": MachineType(vcpus=8, memory_mib=32768, shared_core=False),
    "f1-micro": MachineType(vcpus=1, memory_mib=614, shared_core=True),
    "g1-small": MachineType(vcpus=1, memory_mib=1740, shared_core=True),
    "n1-highcpu-16": MachineType(vcpus=16, memory_mib=14746, shared_core=False),
    "n1-highcpu-2": MachineType(vcpus=2, memory_mib=1843, shared_core=False),
    "n1-highcpu-32": MachineType(vcpus=32, memory_mib=29491, shared_core=False),
    "n1-highcpu-4": MachineType(vcpus=4, memory_mib=3686, shared_core=False),
    "n1-highcpu-64": MachineType(vcpus=64, memory_mib=58982, shared_core=False),
    "n1-highcpu-8": MachineType(vcpus=8, memory_mib=7373, shared_core=False),
    "n1-highcpu-96": MachineType(vcpus=96, memory_mib=88474, shared_core=False),
    "n1-highmem-16": MachineType(vcpus=16, memory_mib=106496, shared_core=False),
    "n1-highmem-2": MachineType(vcpus=2, memory_mib=13312, shared_core=False),
    "n1-highmem-32": MachineType(vcpus=32, memory_mib=212992, shared_core=False),
    "n1-highmem-4": MachineType(vcpus=4, memory_mib=26624, shared_core=False),
    "n1-highmem-64": MachineType(vcpus=64, memory_mib=425984, shared_core=False),
    "n1-highmem-8": MachineType(vcpus=8, memory_mib=53248, shared_core=False),
    "n1-highmem-96": MachineType(vcpus=96, memory_mib=638976, shared_core=False),
    "n1-standard-1": MachineType(vcpus=1, memory_mib=3840, shared_core=False),
    "n1-standard-16": MachineType(vcpus=16, memory_mib=61440, shared_core=False),
    "n1-standard-2": MachineType(vcpus=2, memory_mib=7680, shared_core=False),
    "n1-standard-32": MachineType(vcpus=32, memory_mib=122880, shared_core=False),
    "n1-standard-4": MachineType(vcpus=4, memory_mib=15360, shared_core=False),
    "n1-standard-64": MachineType(vcpus=64, memory_mib=245760, shared_core=False),
    "n1-standard-8": MachineType(vcpus=8, memory_mib=30720, shared_core=False),
    "n1-standard-96": MachineType(vcpus=96, memory_mib=368640, shared_core=False),
    "n2-highcpu-16": MachineType(vcpus=16, memory_mib=16384, shared_core=False),
    "n2-highcpu-2": MachineType(vcpus=2, memory_mib=2048, shared_core=False),
    "n2-highcpu-32": MachineType(vcpus=32, memory_mib=32768, shared_core=False),
    "n2-highcpu-4": MachineType(vcpus=4, memory_mib=4096, shared_core=False),
    "n2-highcpu-48": MachineType(vcpus=48, memory_mib=49152, shared_core=False),
    "n2-highcpu-64": MachineType(vcpus=64, memory_mib=65536, shared_core=False),
    "n2-highcpu-8": MachineType(vcpus=8, memory_mib=8192, shared_core=False),
    "n2-highcpu-80": MachineType(vcpus=80, memory_mib=81920, shared_core=False),
    "n2-highcpu-96": MachineType(vcpus=96, memory_mib=98304, shared_core=False),
    "n2-highmem-128": MachineType(vcpus=128, memory_mib=884736, shared_core=False),
    "n2-highmem-16": MachineType(vcpus=16, memory_mib=131072, shared_core=False),
    "n2-highmem-2": MachineType(vcpus=2, memory_mib=16384, shared_core=False),
    "n2-highmem-32": MachineType(vcpus=32, memory_mib=262144, shared_core=False),
    "n2-highmem-4": MachineType(vcpus=4, memory_mib=32768, shared_core=False),
    "n2-highmem-48": MachineType(vcpus=48, memory_mib=393216, shared_core=False),
    "n2-highmem-64": MachineType(vcpus=64, memory_mib=524288, shared_core=False),
    "n2-highmem-8": MachineType(vcpus=8, memory_mib=65536, shared_core=False),
    "n2-highmem-80": MachineType(vcpus=80, memory_mib=655360, shared_core=False),
    "n2-highmem-96": MachineType(vcpus=96, memory_mib=786432, shared_core=False),
    "n2-standard-128": MachineType(vcpus=128, memory_mib=524288, shared_core=False),
    "n2-standard-16": MachineType(vcpus=16, memory_mib=65536, shared_core=False),
    "n2-standard-2": MachineType(vcpus=2, memory_mib=8192, shared_core=False),
    "n2-standard-32": MachineType(vcpus=32, memory_mib=131072, shared_core=False),
    "n2-standard-4": MachineType(vcpus=4, memory_mib=16384, shared_core=False),
    "n2-standard-48": MachineType(vcpus=48, memory_mib=196608, shared_core=False),
    "n2-standard-64": MachineType(vcpus=64, memory_mib=262144, shared_core=False),
    "n2-standard-8": MachineType(vcpus=8, memory_mib=32768, shared_core=False),
    "n2-standard-80": MachineType(vcpus=80, memory_mib=327680, shared_core=False),
    "n2-standard-96": MachineType(vcpus=96, memory_mib=393216, shared_core=False),
    "n2d-standard-128": MachineType(vcpus=128, memory_mib=524288, shared_core=False),
    "n2d-standard-16": MachineType(vcpus=16, memory_mib=65536, shared_core=False),
    "n2d-standard-2": MachineType(vcpus=2, memory_mib=8192, shared_core=False),
    "n2d-standard-224": MachineType(vcpus=224, memory_mib=917504, shared_core=False),
    "n2d-standard-32": MachineType(vcpus=32, memory_mib=131072, shared_core=False),
    "n2d-standard-4": MachineType(vcpus=4, memory_mib=16384, shared_core=False),
    "n2d-standard-48": MachineType(vcpus=48, memory_mib=196608, shared_core=False),
    "n2d-standard-64": MachineType(vcpus=64, memory_mib=262144, shared_core=False),
    "n2d-standard-8": MachineType(vcpus=8, memory_mib=32768, shared_core=False),
    "n2d-standard-80": MachineType(vcpus=80, memory_mib=327680, shared_core=False),
    "n2d-standard-96": MachineType(vcpus=96, memory_mib=393216, shared_core=False),
    "t2d-standard-1": MachineType(vcpus=1, memory_mib=4096, shared_core=False),
    "t2d-standard-16": MachineType(vcpus=16, memory_mib=65536, shared_core=False),
    "t2d-standard-2": MachineType(vcpus=2, memory_mib=8192, shared_core=False),
    "t2d-standard-32": MachineType(vcpus=32, memory_mib=131072, shared_core=False),
    "t2d-standard-4": MachineType(vcpus=4, memory_mib=16384, shared_core=False),
    "t2d-standard-48": MachineType(vcpus=48, memory_mib=196608, shared_core=False),
    "t2d-standard-60": MachineType(vcpus=60, memory_mib=245760, shared_core=False),
    "t2d-standard-8": MachineType(vcpus=8, memory_mib=32768, shared_core=False),
}
