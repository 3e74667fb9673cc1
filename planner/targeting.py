"""`--target` and `--exclude`: narrow an ordered plan to some resources, keeping it consistent through its
`depends_on` edges (a stage between order and attribute; the CLI only passes the addresses).

- `--target A` keeps A and, transitively, everything A depends on in this plan (terraform's rule): targeting a
  Deployment whose Service or ConfigMap is new plans them too, rather than refusing; deleting a targeted cluster
  deletes its node pools first.
- `--exclude A` drops A and, transitively, everything that depends on A: what remains never waits for something
  left out.
- A resource that goes with its cluster (replaced or deleted because the cluster is) is kept or dropped with it.

The result is a sub-sequence of the full order, so every edge it keeps still points backwards.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from planner import kinds
from planner.errors import Diagnostic, PlannerError
from planner.plan import Action, Operation, Reason, ResourceChange

WARNING = ("Resource targeting is in effect: this plan covers only part of the input (--target keeps the named "
           "resources and what they depend on; --exclude leaves out the named ones and what depends on them), so it "
           "may not show every change the input asks for. Targeting is for exceptional cases, such as recovering "
           "from a failed apply or a mistake, not for routine use: plan again without it afterwards to see the rest.")
"""Our words for terraform's "Resource targeting is in effect" warning (hashicorp/terraform#22783)."""

WITH_CLUSTER = (Reason.CLUSTER_REPLACED.value, Reason.CLUSTER_DELETED.value)


def check_addresses(addresses: Iterable[str], known: Iterable[str], option: str) -> None:
    """Every address names a resource of the input or the state; otherwise an error naming the closest ones."""
    addresses = list(addresses)
    if not addresses:  # the common case (no --target, no --exclude): no set or sort of 20,000 addresses
        return
    names = set(known)
    unknown = [address for address in addresses if address not in names]
    candidates = sorted(names)
    errors = []
    for address in unknown:
        close = difflib.get_close_matches(address, candidates, n=3, cutoff=0.6)
        hint = (f"did you mean {' or '.join(close)}?" if close else
                "addresses are written as planner plan prints them: Kind/name, or Kind/namespace/name for "
                "namespaced kinds (Deployment/default/hello-web)")
        errors.append(Diagnostic("error", f"{option} {address}: no resource of the input or the state has this "
                                          f"address; {hint}"))
    if errors:
        raise PlannerError(errors)


def narrow(operations: list[Operation], ordered: list[ResourceChange], targets: tuple[str, ...],
           excluded: tuple[str, ...]) -> tuple[list[Operation], list[ResourceChange], list[Diagnostic]]:
    """The operations and changes that remain (no-ops stay listed), and the targeting warning."""
    if not targets and not excluded:
        return operations, ordered, []
    changed = [c for c in ordered if c.action is not Action.NOOP]
    needs = {c.address: [d.address for d in c.depends_on] for c in changed}
    needed_by: dict[str, list[str]] = {}
    for owner, wanted in needs.items():
        for address in wanted:
            needed_by.setdefault(address, []).append(owner)
    cluster = next((c.address for c in changed if kinds.spec_of(c.family).is_cluster), None)
    if cluster is not None:  # what goes with the cluster goes both ways
        riders = [c.address for c in changed if set(c.reasons) & set(WITH_CLUSTER)]
        needs[cluster] = needs.get(cluster, []) + riders
        for rider in riders:
            needed_by.setdefault(cluster, []).append(rider)
            needed_by.setdefault(rider, []).append(cluster)
            needs[rider] = [*needs.get(rider, []), cluster]
    keep = _closure(targets, needs) if targets else set(needs)
    keep -= _closure(excluded, needed_by)
    return ([op for op in operations if op.change.address in keep],
            [c for c in ordered if c.action is Action.NOOP or c.address in keep],
            [Diagnostic("warning", WARNING)])


def _closure(start: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(start)
    stack = list(seen)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
