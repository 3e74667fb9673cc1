"""Stage 6: expand each operation into ordered steps, each naming the actor and component that performs it.

The steps themselves are each kind's table (`KindSpec.steps`); this module asks the kind for the context that fills
their templates (counts, names, ranges) and evaluates their `when` flags. Steps for many identical objects are one step
("replicaset-controller creates 3 Pod(s)"), so plans stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner import kinds
from planner.errors import Diagnostic
from planner.kinds.base import Facts
from planner.knowledge import naming
from planner.plan import Operation, ResourceChange, Step
from planner.relations import SelectorIndex, index_of


def facts_for(changes: list[ResourceChange], statuses: Mapping[str, Mapping[str, Any]],
              kubernetes_version: str = naming.MODELLED_GKE_VERSION) -> Facts:
    """What steps need to know beyond one resource: the cluster (desired and running), which Services select which
    Pods, and what the state recorded (current ReplicaSets and revisions)."""
    cluster: dict[str, Any] | None = None
    cluster_status: Mapping[str, Any] = {}
    objects = []
    # The load balancers that exist and stay (a new one takes every node when it is built):
    flavours = {naming.load_balancer_flavour(change.after, kubernetes_version) for change in changes
                if change.after is not None and change.before is not None
                and kinds.spec_of(change.family).selector is not None
                and all((m.get("spec") or {}).get("type") == "LoadBalancer" for m in (change.before, change.after))}
    for change in changes:
        manifest = change.after if change.after is not None else change.before
        if manifest is None:
            continue
        if kinds.spec_of(change.family).is_cluster:
            if change.after is not None or cluster is None:
                cluster = manifest
            cluster_status = statuses.get(change.address) or cluster_status
        objects.append((change.family, change.address, change.namespace or "", change.name, manifest))
    built: list[SelectorIndex] = []

    def selecting(namespace: str, labels: Mapping[str, str]) -> list[str]:
        if not built:  # built on first use: apply re-renders a few steps that never ask
            built.append(index_of(objects))
        return built[0].selecting(namespace, labels)

    facts = Facts(cluster, cluster_status, statuses, selecting, frozenset(flavours), kubernetes_version)
    facts.manifests = {address: manifest for _family, address, _ns, _name, manifest in objects}
    return facts


ORDER_NOTE = ("{services} {verb} created before {deployments}, which {verb2}: Pods started after their "
              "Service get its environment variables (Kubernetes configuration best practices; Helm installs in "
              "this order too). The GKE tutorial runs `kubectl expose` last only because expose reads the "
              "Deployment.")


def attribute(operations: list[Operation], changes: list[ResourceChange],
              statuses: dict[str, dict[str, Any]] | None = None,
              kubernetes_version: str = naming.MODELLED_GKE_VERSION) -> tuple[list[Operation], list[Diagnostic]]:
    """Operations with their steps (indexes are 1-based execution order across the whole plan), and notes that
    explain the order where it surprises people who know the imperative tutorial. `statuses`: address -> the
    state's simulated status, read only."""
    facts = facts_for(changes, statuses or {}, kubernetes_version)
    index = 0
    out: list[Operation] = []
    created = {op.change.address for op in operations if op.phase == "create"}
    explained: tuple[list[str], list[str]] = ([], [])
    seen_services: set[str] = set()
    for op in operations:
        if op.phase == "forget":  # the resource only leaves the state: nothing in GKE acts, so no step
            out.append(op)
            continue
        spec = kinds.spec_of(op.change.family)
        context = _context(op, facts)
        steps = _render(op, context, index)
        index += len(steps)
        out.append(Operation(op.phase, op.change, tuple(steps)))
        if op.phase == "create" and spec.pod_spec is not None:
            selecting = [s for s in context.get("selectors", ()) if s in created]
            if selecting:
                for service in selecting:
                    if service not in seen_services:
                        seen_services.add(service)
                        explained[0].append(service)
                explained[1].append(op.change.address)
    notes = []
    if explained[1]:
        many = len(explained[0]) > 1
        notes.append(Diagnostic("info", ORDER_NOTE.format(
            services=_some(explained[0]), deployments=_some(explained[1]), verb="are" if many else "is",
            verb2="they select" if many else "it selects")))
    return out, notes


def _some(addresses: list[str], shown: int = 3) -> str:
    """The first few addresses, and how many more: a plan of 1,000 Services names three."""
    more = len(addresses) - shown
    return ", ".join(addresses[:shown]) + (f" and {more} more" if more > 0 else "")


def _context(op: Operation, facts: Facts) -> dict[str, Any]:
    spec = kinds.spec_of(op.change.family)
    return {"kind": op.change.kind, "name": op.change.name, "changed": _changed(op), **spec.context(op, facts)}


def _render(op: Operation, context: dict[str, Any], index: int) -> list[Step]:
    """The operation's steps from its kind's templates, numbered from index + 1."""
    spec = kinds.spec_of(op.change.family)
    keys = [op.phase] if op.phase != "update" else list(op.change.change_classes)
    steps: list[Step] = []
    for key in keys:
        for template in spec.steps[key]:
            if template.when is not None and not context.get(template.when):
                continue
            index += 1
            steps.append(Step(index, op.change.address, op.phase, template.actor, template.component,
                              template.text.format_map(context), template.source))
    return steps


def applied_steps(op: Operation, facts: Facts) -> tuple[Step, ...]:
    """An operation's steps again, once apply has run it (`facts.live` holds what it made): the same steps, naming
    the VMs, ranges and load balancers really allocated. Kinds whose steps name nothing allocated keep the plan's."""
    names = kinds.spec_of(op.change.family).names_allocations
    if not op.steps or names is None or not names(op):
        return op.steps
    steps = _render(op, _context(op, facts), op.steps[0].index - 1)
    return tuple(steps) if len(steps) == len(op.steps) else op.steps


def _changed(op: Operation) -> str:
    paths = [c.path for c in op.change.changes]
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
