"""The shape of one kind's home: a `KindSpec` holds everything planner knows about a family of kinds.

Stages never branch on a family's name: they look its spec up in the registry (`planner.kinds`) and call it, as
kube-apiserver's generic store calls a resource's strategy (k8s.io/apiserver pkg/registry/generic/registry/store.go).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.errors import Diagnostic

if TYPE_CHECKING:  # handlers and rows take these; importing them here would make a cycle with the stages
    from planner.command_line import RunCommand
    from planner.plan import Operation, ResourceChange
    from planner.relations import SelectorIndex
    from planner.simulate.engine import Engine
    from planner.state import State, StoredResource

Manifest = dict[str, Any]


class Meta(TypedDict, total=False):
    """The object metadata the simulation writes (`metadata.creationTimestamp` is what kubectl's AGE reads)."""

    creationTimestamp: str
    uid: str
    annotations: dict[str, str]


class BasicLive(TypedDict, total=False):
    """The live object of a kind kube-apiserver only stores."""

    metadata: Meta
Context = dict[str, Any]
PathToken = str | int
Path = tuple[PathToken, ...]


class StepTemplate(NamedTuple):
    """One step of a change: who performs it, what it does (a template filled from the change's context) and,
    optionally, `when`: the name of a context flag that must be true."""

    actor: str
    component: str
    text: str
    when: str | None = None
    source: str = ""
    """Where the fact comes from: a documentation URL or an upstream source file (`planner explain` shows it)."""


S = StepTemplate


class Ref(NamedTuple):
    """Another resource this one needs first, by address, and why (a plan's `depends_on` edge, when both change)."""

    address: str
    reason: str


THE_CLUSTER = "<the cluster>"
"""A `Ref` address standing for the plan's one ContainerCluster, whatever its name (the order stage resolves it)."""


class Rank(NamedTuple):
    """Order rules, kapp-style: creates and updates run by ascending rank, deletions by descending rank."""

    rank: int
    why: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A validation error before it has a file position: positions are computed afterwards, only if needed."""

    path: Path
    message: str
    at_key: bool = False
    severity: str = "error"
    """`warning`: reported at its file position, and the document is still valid (a setting GKE accepts but
    advises against)."""


class Facts:
    """What a change's steps need to know beyond the resource itself: the cluster's ranges, which Services select
    which Pods, and what the state recorded. Built once per plan by attribute."""

    def __init__(self, cluster: Manifest | None, cluster_status: Mapping[str, Any],
                 statuses: Mapping[str, Mapping[str, Any]], services_selecting: Callable[[str, Mapping[str, str]],
                                                                                         list[str]],
                 load_balancer_flavours: frozenset[str] = frozenset(), kubernetes_version: str = "") -> None:
        self.cluster = cluster
        self.cluster_status = cluster_status
        self.statuses = statuses
        self.services_selecting = services_selecting
        self.load_balancer_flavours = load_balancer_flavours
        """The flavours (`target-pool`, `backend-service`) of the load balancers that already exist and stay:
        which controllers sync changed nodes into load-balancer backends (a new one takes every node)."""
        self.kubernetes_version = kubernetes_version
        """The cluster's Kubernetes minor version (`--kubernetes-version`): some of GKE's behaviour follows it."""
        self.manifests: Mapping[str, Manifest] = {}
        """Every resource's manifest by address (desired, or as last applied for deletions): a cluster's subnetwork."""
        self.live: dict[str, Mapping[str, Any]] = {}
        """During apply: the live objects operations have just made (their names and addresses), so the steps
        apply prints name what was really allocated, where the plan could only say `<lb>` or `<4 chars>`."""

    def current(self, address: str, phase: str) -> Mapping[str, Any]:
        """The live object as the step sees it: just made (during apply), else as the state recorded it; a create
        sees only what it made itself (a replacement's new object shares nothing with the old one)."""
        if phase == "create":
            return self.live.get(address) or {}
        return self.live.get(address) or self.statuses.get(address) or {}

Event = dict[str, Any]
"""`{"event": code, ...data}`: what happened, for the apply renderer to word."""


@dataclass
class OpResult:
    address: str
    phase: str
    summary: Event
    details: list[Event] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    """Every resource whose stored record this operation changed (Pods rescheduled elsewhere count)."""
    removed: set[str] = field(default_factory=set)


Handler = Callable[["Engine", "Operation", dict[str, Any]], OpResult]
ContextFn = Callable[["Operation", Facts], Context]
Rows = Callable[["State"], list[dict[str, Any]]]


@dataclass(frozen=True)
class GetView:
    """One `planner get` resource type: its rows (computed from the state) and its kubectl-style columns."""

    name: str
    rows: Rows
    columns: tuple[tuple[str, str], ...]
    wide: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    resource: str = ""
    """kubectl's `<resource>[.<group>]` that `-o name` prints before each name (`deployment.apps/web`); none for
    gcloud's views, which print bare names."""


@dataclass(frozen=True)
class Schema:
    """Where a kind's JSON Schemas come from: our own schema file (Config Connector kinds), or the upstream
    Kubernetes schema plus a definition of `schemas/kubernetes-constraints.schema.json`."""

    own: tuple[str, ...] = ()
    """Our own schema files, all of which must pass (for Config Connector kinds: the one generated from the CRD by
    planner.crd, and our constraints layer)."""
    constraints: str = "Generic"
    inline: Mapping[str, Any] | None = None
    """A schema given in the kind's module itself (a kind planner defines, with no upstream schema)."""


CNRM_ANNOTATIONS = "cnrm-annotations.constraints.schema.json"
"""The constraints schema of Config Connector's generic annotations: the kinds whose schema lists it honour them
(deletion-policy, project-id, state-into-spec)."""


class Fields:
    """Read a manifest's field, falling back to the kind's own defaults table: the one place a default is written,
    so code never restates one (`field(manifest, "spec.replicas")`). A path with no default and no value is a bug,
    and raises KeyError."""

    def __init__(self, defaults: tuple[tuple[str, Any], ...], **more: Any) -> None:
        self.defaults = {path: value for path, value in defaults if not callable(value)} | more
        self._parts = {path: tuple(path.split(".")) for path in self.defaults}

    def __call__(self, manifest: Mapping[str, Any] | None, path: str) -> Any:
        node: Any = manifest or {}
        for part in self._parts[path]:  # split once: this runs for every field of every plan
            if type(node) is not dict and not isinstance(node, Mapping):
                return self.defaults[path]
            node = node.get(part)
            if node is None:
                return self.defaults[path]
        return node


def no_context(op: Operation, facts: Facts) -> Context:
    return {}


def nothing(manifest: Manifest) -> list[str]:
    return []


def created_only(status: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2 for a live object that only recorded when it was created."""
    created = status.get("created")
    return {"metadata": {"creationTimestamp": created}} if created else {}


@dataclass(frozen=True)
class KindSpec:
    """Everything planner knows about one family. Only `family`, `rank`, `steps` and `handlers` are required; every
    other hook has a neutral default, so a small kind is a short module."""

    family: str
    rank: Rank
    steps: Mapping[str, tuple[StepTemplate, ...]]
    """Keyed by `create`, `delete` and each update change class."""
    handlers: Mapping[str, Handler]
    """Apply: one per phase (`create`, `update`, `delete`)."""
    kinds: tuple[tuple[str, str], ...] = ()
    """(apiVersion, kind) pairs this family models. The family with none is the fallback for every other kind."""
    schema: Schema = Schema()
    check: Callable[[Manifest], list[Problem]] | None = None
    """Cross-field rules kube-apiserver (or the GKE API) enforces that a JSON Schema cannot express."""
    cross_check: Callable[[list[tuple[str, str, str, Manifest]], SelectorIndex,
                           Mapping[str, tuple[str, Manifest]]], list[Diagnostic]] | None = None
    """Checks across resources, given this family's (address, namespace, name, manifest), the selector index and
    every resource's (family, manifest) by address. Run only when the input is the complete picture."""
    defaults: tuple[tuple[str, Any], ...] = ()
    """(field pattern, default) as kube-apiserver or GKE fills them; `[*]` means every list item."""
    replace_paths: tuple[tuple[str, str], ...] = ()
    """(field path prefix, why a change there forces replacement): the kind's own rules, beside the fields its CRD
    marks Immutable (see `updated_in_place`)."""
    updated_in_place: tuple[tuple[str, str], ...] = ()
    """For kinds with a CRD: (field path prefix, source) of fields the CRD marks Immutable that the real API
    nevertheless changes in place (GKE's UpdateNodePoolRequest.machineType). Every other marked field forces
    replacement; changing these is planned as the API does it, with a warning that Config Connector refuses it."""
    change_classes: tuple[tuple[str, str], ...] = (("", "store"),)
    """(changed path prefix, change class): which update story a changed field tells; first match wins."""
    subsumes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """A story that already covers others (a rollout to a new count is one rollout, not rollout + scale)."""
    ranks_by_kind: Mapping[str, Rank] = field(default_factory=dict)
    references: Callable[[Manifest, str | None], list[Ref]] | None = None
    """(manifest, namespace) -> what this resource needs first, with why: its clusterRef, networkRef, target. The
    namespace, the cluster and what a Pod template mounts are added for every kind (`kinds.references`)."""
    selection_reason: str = ""
    """For families that select Pods (Services): why the workloads they select come after them."""
    context: ContextFn = no_context
    """Fills the step templates of one operation."""
    known_after_apply: Callable[[Manifest], list[str]] = nothing
    """Paths only apply can know, shown as `(known after apply)` on create."""
    before_view: Callable[[Manifest, Mapping[str, Any], Manifest], Manifest] | None = None
    """(stored manifest, live object, desired manifest) -> the stored manifest as the diff compares it: values the
    cluster filled in (a nodePort kube-apiserver allocated) that the desired manifest now sets itself, so changing
    one shows `~ old -> new` rather than `+ new`. None: the stored manifest as it is."""
    views: tuple[GetView, ...] = ()
    status_lines: Callable[[Mapping[str, Any]], list[str]] = lambda status: []
    """`planner show`: a few lines about what the simulated cluster holds for one resource."""
    status_warnings: Callable[[StoredResource, bool], list[Diagnostic]] | None = None
    """Warnings a plan repeats while they hold (Pending Pods, stalled rollouts); `future` words them as a forecast."""
    restore: Callable[[Engine, StoredResource], None] | None = None
    """Rebuild this resource's share of the simulated world (nodes, Pods, allocations) from the state."""
    resume: Callable[[Engine, StoredResource], str | None] | None = None
    """Retry a stalled change when room appears; returns a note when it went on."""
    pod_spec: Callable[[Manifest], Mapping[str, Any] | None] | None = None
    """Workloads: the Pod spec their Pods run (Pods count toward scheduling, Services select them)."""
    pod_labels: Callable[[Manifest], Mapping[str, str]] | None = None
    owns: Callable[[Manifest, str | None], list[Owned]] | None = None
    """Fields of other resources this one owns once applied (an HPA owns its target's spec.replicas), given its
    manifest and namespace: the plan keeps their live value rather than the input's (planner.ownership)."""
    follow_nodes: Callable[[Engine, StoredResource, list[dict[str, Any]], set[str]], None] | None = None
    """Workloads whose Pods follow the nodes (a DaemonSet's one per node): called with the Node objects just created
    and the names just deleted whenever nodes come or go anywhere (a resize, a surge upgrade, cluster-autoscaler, a
    pool created or deleted, Autopilot's provisioner). Their Pods on deleted nodes are not rescheduled elsewhere."""
    node_pool: Callable[[Manifest], NodePoolShape | None] | None = None
    """Families that own nodes: the pool's shape (zones, count per zone, machine type, max Pods, autoscaling)."""
    selector: Callable[[Manifest], Mapping[str, str] | None] | None = None
    """Families that select Pods by labels (Services)."""
    names_allocations: Callable[[Operation], bool] | None = None
    """Whether an operation's steps name what apply allocates (VMs, ranges, load balancers): apply prints those
    again with the real names (`Facts.current`); the others keep the plan's text."""
    is_cluster: bool = False
    in_cluster: bool = True
    """Goes when its cluster goes: replacing the cluster replaces it."""
    namespaced: bool | None = None
    """None: decided per kind (built-in cluster-scoped kinds are not namespaced)."""
    sensitive_fields: tuple[str, ...] = ()
    """Top-level fields whose values never appear in any output."""
    builtin_names: tuple[str, ...] = ()
    """Objects of this family every cluster already has: declaring one is ignored with a warning."""
    outputs: Callable[[State], list[dict[str, Any]]] | None = None
    """What apply reports at the end (terraform's Outputs): events, worded by `messages`."""
    messages: Mapping[str, str] = field(default_factory=dict)
    """Apply's English, one template per event code, filled by render.events."""
    live: Any = BasicLive
    """The TypedDict its live object (the state's `status`) follows: documents it and generates the state schema."""
    imperative: Callable[[ResourceChange, Mapping[str, Manifest]], tuple[str, ...]] | None = None
    """The `kubectl`/`gcloud` commands a person would have typed for one change, given every resource's desired
    manifest by address (planner.kinds.imperative); None: `kubectl apply -f -`, `kubectl patch`, `kubectl delete`."""
    upgrades: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = field(
        default_factory=lambda: {1: created_only})
    """State format N -> N+1 of this family's live object, keyed by N (the state package runs the chain)."""
    run_commands: tuple[RunCommand, ...] = ()
    """The kubectl/gcloud commands `planner run` accepts for this family (planner.command_line)."""


class Owned(NamedTuple):
    """A field another resource owns: the target's address, the field's path, and who decides it and how."""

    address: str
    path: str
    why: str


class NodePoolShape(NamedTuple):
    zones: list[str]
    per_zone: int
    machine_type: str
    max_pods: int
    min_nodes: int | None = None
    max_nodes: int | None = None
    cluster: str = ""
    pool: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    """`nodeConfig.labels`: GKE gives every node of the pool these Kubernetes labels."""
