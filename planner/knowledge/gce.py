"""Static Compute Engine facts the simulated GKE planner relies on.

Data only: two lookup tables, checked by hand against public Google Cloud documentation
(and copies of it) on 2026-11-25. Nothing here is fetched at run time.

- ``REGIONS``: each region of the auto mode VPC IPv4 range table, with the primary IPv4 range
  of its auto-mode (``default``) subnet and the suffixes of the zones in that region.
- ``MACHINE_TYPES``: predefined machine types that GKE nodes can use, with vCPU count, memory in MiB, whether the
  type is shared-core and, for the accelerator-optimized A2, A3 and G2 series, the GPUs attached to it. Series:
  general-purpose E2, N1, N2, N2D, N4, N4D, N4A, C3, C3D, C4, C4A, C4D, Tau T2A and Tau T2D; compute-optimized
  C2 and C2D; HPC H3; memory-optimized M1, M2, M3 and M4; accelerator-optimized A2, A3 and G2; storage-optimized
  Z3. Each series' block below names its sources and what was left out.
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
    shared_core: bool = False
    """True for shared-core (fractional-vCPU, bursting) types."""
    gpus: tuple[str, int] | None = None
    """GPUs attached by the machine type itself (accelerator-optimized A2, A3 and G2): GKE's accelerator type name
    (the ``cloud.google.com/gke-accelerator`` node label value, e.g. ``nvidia-tesla-a100``) and how many. None for
    types without built-in GPUs (N1 takes GPUs as separate attachments, which a machine type does not say)."""


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
#
# Entries are MachineType(vcpus, memory_mib[, shared_core][, gpus=(GKE accelerator type, count)]). The series after
# t2d-standard-8 were looked up on 2026-11-25 too; each block says where its rows come from, how they were checked
# and what was left out. memory_mib is the page's GB x 1024 (Compute Engine's GB of memory is GiB), or the API's
# memoryMb where the GB is not whole (m1-megamem-96). A type is listed only where two of these sources agree:
# [GP]  "General-purpose machine family", https://cloud.google.com/compute/docs/general-purpose-machines, read
#       through a stored copy of docs.cloud.google.com/compute/docs/general-purpose-machines (all its tables).
# [SAP] "Certifications for SAP applications", https://cloud.google.com/sap/docs/certifications-sap-apps: vCPUs
#       and GB (GiB) of the C2, C2D, C3, C3D, C4, C4D, N1, N2, N2D, T2D, M1-M4 types SAP certifies.
# [ACC] "Accelerator-optimized machine family", https://cloud.google.com/compute/docs/accelerator-optimized-machines,
#       and "GPU machine types", https://cloud.google.com/compute/docs/gpus: stored excerpts of their A2, A3, G2
#       tables (vCPUs, GB, GPU count).
# [GKE] GKE's own machine-type table: GoogleCloudPlatform/cluster-autoscaler,
#       pkg/cloudprovider/gke/machinetypes/deprecated_machine_types_config.go (Google LLC, 2026), used by node
#       auto-provisioning: vCPUs, GB and built-in GPU type and count per type. Being GKE's, it is also the evidence
#       that GKE nodes can use a series. Its GPU names are GKE accelerator types (pkg/cloudprovider/gke/labels).
# [API] A Compute Engine machineTypes.list answer (guestCpus, memoryMb) copied into GoogleCloudPlatform/deploystack
#       tui/mock.go (Google LLC, 2023): A2, C2, C2D, E2, M1-M3, N1, N2, N2D, T2A, T2D.
# Left out as whole series, though in [GKE]: bare metal (-metal types, X4), series not asked for here or in Preview
# (A4, A4X, C4N, E4, E4A, EK, G4, H4D, Z4D), and TPU hosts (ct*, tpu7*), which GKE plans as TPU node pools.
MACHINE_TYPES: dict[str, MachineType] = {
    "c3-standard-176": MachineType(176, 720896), "c3-standard-22": MachineType(22, 90112),
    "c3-standard-4": MachineType(4, 16384), "c3-standard-44": MachineType(44, 180224),
    "c3-standard-8": MachineType(8, 32768), "c3-standard-88": MachineType(88, 360448),
    "e2-highcpu-16": MachineType(16, 16384), "e2-highcpu-2": MachineType(2, 2048),
    "e2-highcpu-32": MachineType(32, 32768), "e2-highcpu-4": MachineType(4, 4096), "e2-highcpu-8": MachineType(8, 8192),
    "e2-highmem-16": MachineType(16, 131072), "e2-highmem-2": MachineType(2, 16384),
    "e2-highmem-4": MachineType(4, 32768), "e2-highmem-8": MachineType(8, 65536),
    "e2-medium": MachineType(2, 4096, True), "e2-micro": MachineType(2, 1024, True),
    "e2-small": MachineType(2, 2048, True), "e2-standard-16": MachineType(16, 65536),
    "e2-standard-2": MachineType(2, 8192), "e2-standard-32": MachineType(32, 131072),
    "e2-standard-4": MachineType(4, 16384), "e2-standard-8": MachineType(8, 32768),
    "f1-micro": MachineType(1, 614, True), "g1-small": MachineType(1, 1740, True),
    "n1-highcpu-16": MachineType(16, 14746), "n1-highcpu-2": MachineType(2, 1843),
    "n1-highcpu-32": MachineType(32, 29491), "n1-highcpu-4": MachineType(4, 3686),
    "n1-highcpu-64": MachineType(64, 58982), "n1-highcpu-8": MachineType(8, 7373),
    "n1-highcpu-96": MachineType(96, 88474), "n1-highmem-16": MachineType(16, 106496),
    "n1-highmem-2": MachineType(2, 13312), "n1-highmem-32": MachineType(32, 212992),
    "n1-highmem-4": MachineType(4, 26624), "n1-highmem-64": MachineType(64, 425984),
    "n1-highmem-8": MachineType(8, 53248), "n1-highmem-96": MachineType(96, 638976),
    "n1-standard-1": MachineType(1, 3840), "n1-standard-16": MachineType(16, 61440),
    "n1-standard-2": MachineType(2, 7680), "n1-standard-32": MachineType(32, 122880),
    "n1-standard-4": MachineType(4, 15360), "n1-standard-64": MachineType(64, 245760),
    "n1-standard-8": MachineType(8, 30720), "n1-standard-96": MachineType(96, 368640),
    "n2-highcpu-16": MachineType(16, 16384), "n2-highcpu-2": MachineType(2, 2048),
    "n2-highcpu-32": MachineType(32, 32768), "n2-highcpu-4": MachineType(4, 4096),
    "n2-highcpu-48": MachineType(48, 49152), "n2-highcpu-64": MachineType(64, 65536),
    "n2-highcpu-8": MachineType(8, 8192), "n2-highcpu-80": MachineType(80, 81920),
    "n2-highcpu-96": MachineType(96, 98304), "n2-highmem-128": MachineType(128, 884736),
    "n2-highmem-16": MachineType(16, 131072), "n2-highmem-2": MachineType(2, 16384),
    "n2-highmem-32": MachineType(32, 262144), "n2-highmem-4": MachineType(4, 32768),
    "n2-highmem-48": MachineType(48, 393216), "n2-highmem-64": MachineType(64, 524288),
    "n2-highmem-8": MachineType(8, 65536), "n2-highmem-80": MachineType(80, 655360),
    "n2-highmem-96": MachineType(96, 786432), "n2-standard-128": MachineType(128, 524288),
    "n2-standard-16": MachineType(16, 65536), "n2-standard-2": MachineType(2, 8192),
    "n2-standard-32": MachineType(32, 131072), "n2-standard-4": MachineType(4, 16384),
    "n2-standard-48": MachineType(48, 196608), "n2-standard-64": MachineType(64, 262144),
    "n2-standard-8": MachineType(8, 32768), "n2-standard-80": MachineType(80, 327680),
    "n2-standard-96": MachineType(96, 393216), "n2d-standard-128": MachineType(128, 524288),
    "n2d-standard-16": MachineType(16, 65536), "n2d-standard-2": MachineType(2, 8192),
    "n2d-standard-224": MachineType(224, 917504), "n2d-standard-32": MachineType(32, 131072),
    "n2d-standard-4": MachineType(4, 16384), "n2d-standard-48": MachineType(48, 196608),
    "n2d-standard-64": MachineType(64, 262144), "n2d-standard-8": MachineType(8, 32768),
    "n2d-standard-80": MachineType(80, 327680), "n2d-standard-96": MachineType(96, 393216),
    "t2d-standard-1": MachineType(1, 4096), "t2d-standard-16": MachineType(16, 65536),
    "t2d-standard-2": MachineType(2, 8192), "t2d-standard-32": MachineType(32, 131072),
    "t2d-standard-4": MachineType(4, 16384), "t2d-standard-48": MachineType(48, 196608),
    "t2d-standard-60": MachineType(60, 245760), "t2d-standard-8": MachineType(8, 32768),
    # N2D highmem and highcpu (n2d-standard-* is above). [GP] N2D tables; [API] and [GKE] agree, except that [GKE] gives
    #   n2d-highmem-96 786 GB where [GP] and [API] give 768.
    "n2d-highcpu-128": MachineType(128, 131072), "n2d-highcpu-16": MachineType(16, 16384),
    "n2d-highcpu-2": MachineType(2, 2048), "n2d-highcpu-224": MachineType(224, 229376),
    "n2d-highcpu-32": MachineType(32, 32768), "n2d-highcpu-4": MachineType(4, 4096),
    "n2d-highcpu-48": MachineType(48, 49152), "n2d-highcpu-64": MachineType(64, 65536),
    "n2d-highcpu-8": MachineType(8, 8192), "n2d-highcpu-80": MachineType(80, 81920),
    "n2d-highcpu-96": MachineType(96, 98304), "n2d-highmem-16": MachineType(16, 131072),
    "n2d-highmem-2": MachineType(2, 16384), "n2d-highmem-32": MachineType(32, 262144),
    "n2d-highmem-4": MachineType(4, 32768), "n2d-highmem-48": MachineType(48, 393216),
    "n2d-highmem-64": MachineType(64, 524288), "n2d-highmem-8": MachineType(8, 65536),
    "n2d-highmem-80": MachineType(80, 655360), "n2d-highmem-96": MachineType(96, 786432),
    # N4 (Intel Emerald Rapids). [GP] N4 tables; [GKE] identical.
    "n4-highcpu-16": MachineType(16, 32768), "n4-highcpu-2": MachineType(2, 4096),
    "n4-highcpu-32": MachineType(32, 65536), "n4-highcpu-4": MachineType(4, 8192),
    "n4-highcpu-48": MachineType(48, 98304), "n4-highcpu-64": MachineType(64, 131072),
    "n4-highcpu-8": MachineType(8, 16384), "n4-highcpu-80": MachineType(80, 163840),
    "n4-highmem-16": MachineType(16, 131072), "n4-highmem-2": MachineType(2, 16384),
    "n4-highmem-32": MachineType(32, 262144), "n4-highmem-4": MachineType(4, 32768),
    "n4-highmem-48": MachineType(48, 393216), "n4-highmem-64": MachineType(64, 524288),
    "n4-highmem-8": MachineType(8, 65536), "n4-highmem-80": MachineType(80, 655360),
    "n4-standard-16": MachineType(16, 65536), "n4-standard-2": MachineType(2, 8192),
    "n4-standard-32": MachineType(32, 131072), "n4-standard-4": MachineType(4, 16384),
    "n4-standard-48": MachineType(48, 196608), "n4-standard-64": MachineType(64, 262144),
    "n4-standard-8": MachineType(8, 32768), "n4-standard-80": MachineType(80, 327680),
    # N4D (AMD Turin). [GP] N4D tables; [GKE] identical. Left out: n4d-highcpu-48, 90 GB in [GP]'s table but 96 GB in
    #   [GKE] (and by [GP]'s own 2 GB per vCPU): not confirmed.
    "n4d-highcpu-16": MachineType(16, 32768), "n4d-highcpu-2": MachineType(2, 4096),
    "n4d-highcpu-32": MachineType(32, 65536), "n4d-highcpu-4": MachineType(4, 8192),
    "n4d-highcpu-64": MachineType(64, 131072), "n4d-highcpu-8": MachineType(8, 16384),
    "n4d-highcpu-80": MachineType(80, 163840), "n4d-highcpu-96": MachineType(96, 196608),
    "n4d-highmem-16": MachineType(16, 131072), "n4d-highmem-2": MachineType(2, 16384),
    "n4d-highmem-32": MachineType(32, 262144), "n4d-highmem-4": MachineType(4, 32768),
    "n4d-highmem-48": MachineType(48, 393216), "n4d-highmem-64": MachineType(64, 524288),
    "n4d-highmem-8": MachineType(8, 65536), "n4d-highmem-80": MachineType(80, 655360),
    "n4d-highmem-96": MachineType(96, 786432), "n4d-standard-16": MachineType(16, 65536),
    "n4d-standard-2": MachineType(2, 8192), "n4d-standard-32": MachineType(32, 131072),
    "n4d-standard-4": MachineType(4, 16384), "n4d-standard-48": MachineType(48, 196608),
    "n4d-standard-64": MachineType(64, 262144), "n4d-standard-8": MachineType(8, 32768),
    "n4d-standard-80": MachineType(80, 327680), "n4d-standard-96": MachineType(96, 393216),
    # N4A (Google Axion, Arm). [GP] N4A tables; [GKE] identical.
    "n4a-highcpu-1": MachineType(1, 2048), "n4a-highcpu-16": MachineType(16, 32768),
    "n4a-highcpu-2": MachineType(2, 4096), "n4a-highcpu-32": MachineType(32, 65536),
    "n4a-highcpu-4": MachineType(4, 8192), "n4a-highcpu-48": MachineType(48, 98304),
    "n4a-highcpu-64": MachineType(64, 131072), "n4a-highcpu-8": MachineType(8, 16384),
    "n4a-highmem-1": MachineType(1, 8192), "n4a-highmem-16": MachineType(16, 131072),
    "n4a-highmem-2": MachineType(2, 16384), "n4a-highmem-32": MachineType(32, 262144),
    "n4a-highmem-4": MachineType(4, 32768), "n4a-highmem-48": MachineType(48, 393216),
    "n4a-highmem-64": MachineType(64, 524288), "n4a-highmem-8": MachineType(8, 65536),
    "n4a-standard-1": MachineType(1, 4096), "n4a-standard-16": MachineType(16, 65536),
    "n4a-standard-2": MachineType(2, 8192), "n4a-standard-32": MachineType(32, 131072),
    "n4a-standard-4": MachineType(4, 16384), "n4a-standard-48": MachineType(48, 196608),
    "n4a-standard-64": MachineType(64, 262144), "n4a-standard-8": MachineType(8, 32768),
    # C3 highcpu, highmem and -lssd (c3-standard-* is above). [GP] C3 tables; [GKE] identical. Left out: c3-*-192-metal
    #   ([GP]: C3 bare metal instances don't support GKE).
    "c3-highcpu-176": MachineType(176, 360448), "c3-highcpu-22": MachineType(22, 45056),
    "c3-highcpu-4": MachineType(4, 8192), "c3-highcpu-44": MachineType(44, 90112),
    "c3-highcpu-8": MachineType(8, 16384), "c3-highcpu-88": MachineType(88, 180224),
    "c3-highmem-176": MachineType(176, 1441792), "c3-highmem-22": MachineType(22, 180224),
    "c3-highmem-4": MachineType(4, 32768), "c3-highmem-44": MachineType(44, 360448),
    "c3-highmem-8": MachineType(8, 65536), "c3-highmem-88": MachineType(88, 720896),
    "c3-standard-176-lssd": MachineType(176, 720896), "c3-standard-22-lssd": MachineType(22, 90112),
    "c3-standard-4-lssd": MachineType(4, 16384), "c3-standard-44-lssd": MachineType(44, 180224),
    "c3-standard-8-lssd": MachineType(8, 32768), "c3-standard-88-lssd": MachineType(88, 360448),
    # C3D (AMD Genoa). [GP] C3D tables (c3d-highcpu-30 really is 59 GB); [GKE] identical; [SAP] standard and highmem
    #   identical.
    "c3d-highcpu-16": MachineType(16, 32768), "c3d-highcpu-180": MachineType(180, 362496),
    "c3d-highcpu-30": MachineType(30, 60416), "c3d-highcpu-360": MachineType(360, 724992),
    "c3d-highcpu-4": MachineType(4, 8192), "c3d-highcpu-60": MachineType(60, 120832),
    "c3d-highcpu-8": MachineType(8, 16384), "c3d-highcpu-90": MachineType(90, 181248),
    "c3d-highmem-16": MachineType(16, 131072), "c3d-highmem-16-lssd": MachineType(16, 131072),
    "c3d-highmem-180": MachineType(180, 1474560), "c3d-highmem-180-lssd": MachineType(180, 1474560),
    "c3d-highmem-30": MachineType(30, 245760), "c3d-highmem-30-lssd": MachineType(30, 245760),
    "c3d-highmem-360": MachineType(360, 2949120), "c3d-highmem-360-lssd": MachineType(360, 2949120),
    "c3d-highmem-4": MachineType(4, 32768), "c3d-highmem-60": MachineType(60, 491520),
    "c3d-highmem-60-lssd": MachineType(60, 491520), "c3d-highmem-8": MachineType(8, 65536),
    "c3d-highmem-8-lssd": MachineType(8, 65536), "c3d-highmem-90": MachineType(90, 737280),
    "c3d-highmem-90-lssd": MachineType(90, 737280), "c3d-standard-16": MachineType(16, 65536),
    "c3d-standard-16-lssd": MachineType(16, 65536), "c3d-standard-180": MachineType(180, 737280),
    "c3d-standard-180-lssd": MachineType(180, 737280), "c3d-standard-30": MachineType(30, 122880),
    "c3d-standard-30-lssd": MachineType(30, 122880), "c3d-standard-360": MachineType(360, 1474560),
    "c3d-standard-360-lssd": MachineType(360, 1474560), "c3d-standard-4": MachineType(4, 16384),
    "c3d-standard-60": MachineType(60, 245760), "c3d-standard-60-lssd": MachineType(60, 245760),
    "c3d-standard-8": MachineType(8, 32768), "c3d-standard-8-lssd": MachineType(8, 32768),
    "c3d-standard-90": MachineType(90, 368640), "c3d-standard-90-lssd": MachineType(90, 368640),
    # C4 (Intel Emerald/Granite Rapids; [GP] rounds 3.75 and 7.75 GB per vCPU down: c4-standard-2 has 7 GB). [GP] C4
    #   tables; [GKE] identical; [SAP] standard and highmem identical. Left out: c4-*-64 and c4-*-lssd-v1 ([GKE] only,
    #   not in [GP]) and the -metal types.
    "c4-highcpu-144": MachineType(144, 294912), "c4-highcpu-16": MachineType(16, 32768),
    "c4-highcpu-192": MachineType(192, 393216), "c4-highcpu-2": MachineType(2, 4096),
    "c4-highcpu-24": MachineType(24, 49152), "c4-highcpu-288": MachineType(288, 589824),
    "c4-highcpu-32": MachineType(32, 65536), "c4-highcpu-4": MachineType(4, 8192),
    "c4-highcpu-48": MachineType(48, 98304), "c4-highcpu-8": MachineType(8, 16384),
    "c4-highcpu-96": MachineType(96, 196608), "c4-highmem-144": MachineType(144, 1142784),
    "c4-highmem-144-lssd": MachineType(144, 1142784), "c4-highmem-16": MachineType(16, 126976),
    "c4-highmem-16-lssd": MachineType(16, 126976), "c4-highmem-192": MachineType(192, 1523712),
    "c4-highmem-192-lssd": MachineType(192, 1523712), "c4-highmem-2": MachineType(2, 15360),
    "c4-highmem-24": MachineType(24, 190464), "c4-highmem-24-lssd": MachineType(24, 190464),
    "c4-highmem-288": MachineType(288, 2285568), "c4-highmem-288-lssd": MachineType(288, 2285568),
    "c4-highmem-32": MachineType(32, 253952), "c4-highmem-32-lssd": MachineType(32, 253952),
    "c4-highmem-4": MachineType(4, 31744), "c4-highmem-4-lssd": MachineType(4, 31744),
    "c4-highmem-48": MachineType(48, 380928), "c4-highmem-48-lssd": MachineType(48, 380928),
    "c4-highmem-8": MachineType(8, 63488), "c4-highmem-8-lssd": MachineType(8, 63488),
    "c4-highmem-96": MachineType(96, 761856), "c4-highmem-96-lssd": MachineType(96, 761856),
    "c4-standard-144": MachineType(144, 552960), "c4-standard-144-lssd": MachineType(144, 552960),
    "c4-standard-16": MachineType(16, 61440), "c4-standard-16-lssd": MachineType(16, 61440),
    "c4-standard-192": MachineType(192, 737280), "c4-standard-192-lssd": MachineType(192, 737280),
    "c4-standard-2": MachineType(2, 7168), "c4-standard-24": MachineType(24, 92160),
    "c4-standard-24-lssd": MachineType(24, 92160), "c4-standard-288": MachineType(288, 1105920),
    "c4-standard-288-lssd": MachineType(288, 1105920), "c4-standard-32": MachineType(32, 122880),
    "c4-standard-32-lssd": MachineType(32, 122880), "c4-standard-4": MachineType(4, 15360),
    "c4-standard-4-lssd": MachineType(4, 15360), "c4-standard-48": MachineType(48, 184320),
    "c4-standard-48-lssd": MachineType(48, 184320), "c4-standard-8": MachineType(8, 30720),
    "c4-standard-8-lssd": MachineType(8, 30720), "c4-standard-96": MachineType(96, 368640),
    "c4-standard-96-lssd": MachineType(96, 368640),
    # C4A (Google Axion, Arm). [GP] C4A tables; [GKE] identical. Left out: c4a-*-36 and c4a-highcpu-*-lssd ([GKE] only)
    #   and c4a-highmem-96-metal (bare metal, Preview).
    "c4a-highcpu-1": MachineType(1, 2048), "c4a-highcpu-16": MachineType(16, 32768),
    "c4a-highcpu-2": MachineType(2, 4096), "c4a-highcpu-32": MachineType(32, 65536),
    "c4a-highcpu-4": MachineType(4, 8192), "c4a-highcpu-48": MachineType(48, 98304),
    "c4a-highcpu-64": MachineType(64, 131072), "c4a-highcpu-72": MachineType(72, 147456),
    "c4a-highcpu-8": MachineType(8, 16384), "c4a-highmem-1": MachineType(1, 8192),
    "c4a-highmem-16": MachineType(16, 131072), "c4a-highmem-16-lssd": MachineType(16, 131072),
    "c4a-highmem-2": MachineType(2, 16384), "c4a-highmem-32": MachineType(32, 262144),
    "c4a-highmem-32-lssd": MachineType(32, 262144), "c4a-highmem-4": MachineType(4, 32768),
    "c4a-highmem-4-lssd": MachineType(4, 32768), "c4a-highmem-48": MachineType(48, 393216),
    "c4a-highmem-48-lssd": MachineType(48, 393216), "c4a-highmem-64": MachineType(64, 524288),
    "c4a-highmem-64-lssd": MachineType(64, 524288), "c4a-highmem-72": MachineType(72, 589824),
    "c4a-highmem-72-lssd": MachineType(72, 589824), "c4a-highmem-8": MachineType(8, 65536),
    "c4a-highmem-8-lssd": MachineType(8, 65536), "c4a-standard-1": MachineType(1, 4096),
    "c4a-standard-16": MachineType(16, 65536), "c4a-standard-16-lssd": MachineType(16, 65536),
    "c4a-standard-2": MachineType(2, 8192), "c4a-standard-32": MachineType(32, 131072),
    "c4a-standard-32-lssd": MachineType(32, 131072), "c4a-standard-4": MachineType(4, 16384),
    "c4a-standard-4-lssd": MachineType(4, 16384), "c4a-standard-48": MachineType(48, 196608),
    "c4a-standard-48-lssd": MachineType(48, 196608), "c4a-standard-64": MachineType(64, 262144),
    "c4a-standard-64-lssd": MachineType(64, 262144), "c4a-standard-72": MachineType(72, 294912),
    "c4a-standard-72-lssd": MachineType(72, 294912), "c4a-standard-8": MachineType(8, 32768),
    "c4a-standard-8-lssd": MachineType(8, 32768),
    # C4D (AMD Turin). [GP] C4D tables; [GKE] identical; [SAP] standard and highmem identical. Left out: -metal.
    "c4d-highcpu-16": MachineType(16, 30720), "c4d-highcpu-192": MachineType(192, 368640),
    "c4d-highcpu-2": MachineType(2, 3072), "c4d-highcpu-32": MachineType(32, 61440),
    "c4d-highcpu-384": MachineType(384, 737280), "c4d-highcpu-4": MachineType(4, 7168),
    "c4d-highcpu-48": MachineType(48, 92160), "c4d-highcpu-64": MachineType(64, 122880),
    "c4d-highcpu-8": MachineType(8, 15360), "c4d-highcpu-96": MachineType(96, 184320),
    "c4d-highmem-16": MachineType(16, 129024), "c4d-highmem-16-lssd": MachineType(16, 129024),
    "c4d-highmem-192": MachineType(192, 1548288), "c4d-highmem-192-lssd": MachineType(192, 1548288),
    "c4d-highmem-2": MachineType(2, 15360), "c4d-highmem-32": MachineType(32, 258048),
    "c4d-highmem-32-lssd": MachineType(32, 258048), "c4d-highmem-384": MachineType(384, 3096576),
    "c4d-highmem-384-lssd": MachineType(384, 3096576), "c4d-highmem-4": MachineType(4, 31744),
    "c4d-highmem-48": MachineType(48, 387072), "c4d-highmem-48-lssd": MachineType(48, 387072),
    "c4d-highmem-64": MachineType(64, 516096), "c4d-highmem-64-lssd": MachineType(64, 516096),
    "c4d-highmem-8": MachineType(8, 64512), "c4d-highmem-8-lssd": MachineType(8, 64512),
    "c4d-highmem-96": MachineType(96, 774144), "c4d-highmem-96-lssd": MachineType(96, 774144),
    "c4d-standard-16": MachineType(16, 63488), "c4d-standard-16-lssd": MachineType(16, 63488),
    "c4d-standard-192": MachineType(192, 761856), "c4d-standard-192-lssd": MachineType(192, 761856),
    "c4d-standard-2": MachineType(2, 7168), "c4d-standard-32": MachineType(32, 126976),
    "c4d-standard-32-lssd": MachineType(32, 126976), "c4d-standard-384": MachineType(384, 1523712),
    "c4d-standard-384-lssd": MachineType(384, 1523712), "c4d-standard-4": MachineType(4, 15360),
    "c4d-standard-48": MachineType(48, 190464), "c4d-standard-48-lssd": MachineType(48, 190464),
    "c4d-standard-64": MachineType(64, 253952), "c4d-standard-64-lssd": MachineType(64, 253952),
    "c4d-standard-8": MachineType(8, 31744), "c4d-standard-8-lssd": MachineType(8, 31744),
    "c4d-standard-96": MachineType(96, 380928), "c4d-standard-96-lssd": MachineType(96, 380928),
    # Tau T2A (Ampere Altra, Arm). [GP] Tau T2A table; [API] and [GKE] identical.
    "t2a-standard-1": MachineType(1, 4096), "t2a-standard-16": MachineType(16, 65536),
    "t2a-standard-2": MachineType(2, 8192), "t2a-standard-32": MachineType(32, 131072),
    "t2a-standard-4": MachineType(4, 16384), "t2a-standard-48": MachineType(48, 196608),
    "t2a-standard-8": MachineType(8, 32768),
    # C2 (compute-optimized, Intel Cascade Lake). "Compute-optimized machine family",
    #   https://cloud.google.com/compute/docs/compute-optimized-machines: its stored copies stop before the tables, so
    #   the rows are [SAP]'s C2 table, and [API] and [GKE] agree with it.
    "c2-standard-16": MachineType(16, 65536), "c2-standard-30": MachineType(30, 122880),
    "c2-standard-4": MachineType(4, 16384), "c2-standard-60": MachineType(60, 245760),
    "c2-standard-8": MachineType(8, 32768),
    # C2D (compute-optimized, AMD Milan). As C2: [SAP] standard and highmem; all 21 rows, highcpu included, in [API] and
    #   [GKE], which agree.
    "c2d-highcpu-112": MachineType(112, 229376), "c2d-highcpu-16": MachineType(16, 32768),
    "c2d-highcpu-2": MachineType(2, 4096), "c2d-highcpu-32": MachineType(32, 65536),
    "c2d-highcpu-4": MachineType(4, 8192), "c2d-highcpu-56": MachineType(56, 114688),
    "c2d-highcpu-8": MachineType(8, 16384), "c2d-highmem-112": MachineType(112, 917504),
    "c2d-highmem-16": MachineType(16, 131072), "c2d-highmem-2": MachineType(2, 16384),
    "c2d-highmem-32": MachineType(32, 262144), "c2d-highmem-4": MachineType(4, 32768),
    "c2d-highmem-56": MachineType(56, 458752), "c2d-highmem-8": MachineType(8, 65536),
    "c2d-standard-112": MachineType(112, 458752), "c2d-standard-16": MachineType(16, 65536),
    "c2d-standard-2": MachineType(2, 8192), "c2d-standard-32": MachineType(32, 131072),
    "c2d-standard-4": MachineType(4, 16384), "c2d-standard-56": MachineType(56, 229376),
    "c2d-standard-8": MachineType(8, 32768),
    # H3 (HPC, Intel Sapphire Rapids). "HPC-optimized machine family",
    #   https://cloud.google.com/compute/docs/hpc-optimized-machines: "H3 instances have 88 vCPUs and 352 GB" (stored
    #   translations of the page); [GKE] identical. Left out: H4D (Preview on that page).
    "h3-standard-88": MachineType(88, 360448),
    # M1 (memory-optimized). "Memory-optimized machine family",
    #   https://cloud.google.com/compute/docs/memory-optimized-machines, through [SAP]'s M1 table (GiB); memory_mib is
    #   [API]'s memoryMb; [GKE] agrees. m1-megamem-96 is 1433.6 GB (x 1024 = 1468006.4; [API]: 1468006).
    "m1-megamem-96": MachineType(96, 1468006), "m1-ultramem-160": MachineType(160, 3936256),
    "m1-ultramem-40": MachineType(40, 984064), "m1-ultramem-80": MachineType(80, 1968128),
    # M2 (memory-optimized, Intel Cascade Lake). As M1: [SAP], [API] and [GKE] agree.
    "m2-hypermem-416": MachineType(416, 9043968), "m2-megamem-416": MachineType(416, 6029312),
    "m2-ultramem-208": MachineType(208, 6029312), "m2-ultramem-416": MachineType(416, 12058624),
    # M3 (memory-optimized, Intel Ice Lake). As M1: [SAP], [API] and [GKE] agree.
    "m3-megamem-128": MachineType(128, 1998848), "m3-megamem-64": MachineType(64, 999424),
    "m3-ultramem-128": MachineType(128, 3997696), "m3-ultramem-32": MachineType(32, 999424),
    "m3-ultramem-64": MachineType(64, 1998848),
    # M4 (memory-optimized, Intel Emerald Rapids). [SAP] M4 table (GiB); [GKE] identical. Left out: m4-hypermem-* ([SAP]
    #   only, not in [GKE]) and X4 (bare metal only).
    "m4-megamem-112": MachineType(112, 1523712), "m4-megamem-224": MachineType(224, 3047424),
    "m4-megamem-28": MachineType(28, 380928), "m4-megamem-56": MachineType(56, 761856),
    "m4-ultramem-112": MachineType(112, 3047424), "m4-ultramem-224": MachineType(224, 6094848),
    "m4-ultramem-56": MachineType(56, 1523712),
    # A2, NVIDIA A100: highgpu and megagpu carry nvidia-tesla-a100 (40 GB), ultragpu nvidia-a100-80gb. [ACC] A2 Standard
    #   and A2 Ultra tables (vCPUs, GB, GPU count); [GKE] identical, GPU type names included; [API] identical for
    #   highgpu and megagpu. Left out: a2-ultragpu-*-nolssd ([GKE] only).
    "a2-highgpu-1g": MachineType(12, 87040, gpus=("nvidia-tesla-a100", 1)),
    "a2-highgpu-2g": MachineType(24, 174080, gpus=("nvidia-tesla-a100", 2)),
    "a2-highgpu-4g": MachineType(48, 348160, gpus=("nvidia-tesla-a100", 4)),
    "a2-highgpu-8g": MachineType(96, 696320, gpus=("nvidia-tesla-a100", 8)),
    "a2-megagpu-16g": MachineType(96, 1392640, gpus=("nvidia-tesla-a100", 16)),
    "a2-ultragpu-1g": MachineType(12, 174080, gpus=("nvidia-a100-80gb", 1)),
    "a2-ultragpu-2g": MachineType(24, 348160, gpus=("nvidia-a100-80gb", 2)),
    "a2-ultragpu-4g": MachineType(48, 696320, gpus=("nvidia-a100-80gb", 4)),
    "a2-ultragpu-8g": MachineType(96, 1392640, gpus=("nvidia-a100-80gb", 8)),
    # A3, NVIDIA H100: highgpu and edgegpu carry nvidia-h100-80gb, megagpu nvidia-h100-mega-80gb. [ACC] A3 High and A3
    #   Mega tables; [GKE] identical. a3-edgegpu-8g is only a heading in [ACC]'s copies: its 208 vCPUs, 1872 GB and 8
    #   GPUs are [GKE]'s, and SkyPilot's API-built catalog (skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv)
    #   agrees on 208 and 1872. Left out: a3-ultragpu-8g (H200, [GKE] only) and the -nolssd types ([GKE] only).
    "a3-edgegpu-8g": MachineType(208, 1916928, gpus=("nvidia-h100-80gb", 8)),
    "a3-highgpu-1g": MachineType(26, 239616, gpus=("nvidia-h100-80gb", 1)),
    "a3-highgpu-2g": MachineType(52, 479232, gpus=("nvidia-h100-80gb", 2)),
    "a3-highgpu-4g": MachineType(104, 958464, gpus=("nvidia-h100-80gb", 4)),
    "a3-highgpu-8g": MachineType(208, 1916928, gpus=("nvidia-h100-80gb", 8)),
    "a3-megagpu-8g": MachineType(208, 1916928, gpus=("nvidia-h100-mega-80gb", 8)),
    # G2, NVIDIA L4 (nvidia-l4). [ACC] G2 table (default memory); [GKE] identical except that it gives g2-standard-24 23
    #   vCPUs, where [ACC] (and the name) say 24.
    "g2-standard-12": MachineType(12, 49152, gpus=("nvidia-l4", 1)),
    "g2-standard-16": MachineType(16, 65536, gpus=("nvidia-l4", 1)),
    "g2-standard-24": MachineType(24, 98304, gpus=("nvidia-l4", 2)),
    "g2-standard-32": MachineType(32, 131072, gpus=("nvidia-l4", 1)),
    "g2-standard-4": MachineType(4, 16384, gpus=("nvidia-l4", 1)),
    "g2-standard-48": MachineType(48, 196608, gpus=("nvidia-l4", 4)),
    "g2-standard-8": MachineType(8, 32768, gpus=("nvidia-l4", 1)),
    "g2-standard-96": MachineType(96, 393216, gpus=("nvidia-l4", 8)),
    # Z3 (storage-optimized, 8 GB per vCPU). "Storage-optimized machine family",
    #   https://cloud.google.com/compute/docs/storage-optimized-machines: its stored copies give the shapes in prose
    #   only (an 88-vCPU single-socket type and a 176-vCPU whole-host type), so the memory is [GKE]'s, which a
    #   third-party table citing the page matches (z3-highmem-88-highlssd: 88, 704). Left out: the 176-vCPU types ([GKE]
    #   1408 GB, that table 1406) and the smaller shapes ([GKE] only).
    "z3-highmem-88": MachineType(88, 720896), "z3-highmem-88-highlssd": MachineType(88, 720896),
    "z3-highmem-88-standardlssd": MachineType(88, 720896),
}
