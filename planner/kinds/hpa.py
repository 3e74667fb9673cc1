"""HorizontalPodAutoscaler (autoscaling/v2): the horizontal-pod-autoscaler controller owns its target's
`spec.replicas` and keeps it between minReplicas and maxReplicas.

MODELLED: the simulation has no metrics, so the controller's only effect is to bring a target outside the bounds
within them (replicas clamped to [minReplicas, maxReplicas]); the real controller computes the count from the
metrics every 15 s. While an HPA targets a workload, a change of the workload's replicas in the input is not planned
as a scale (planner.ownership), as the controller would undo it.

Sources: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ (the control loop's 15 s
period; targets need a scale subresource: "does not apply to objects that can't be scaled (for example: a
DaemonSet)"; "remove spec.replicas from the manifest" when migrating to an HPA); kubernetes
pkg/apis/autoscaling/validation/validation.go (validateHorizontalPodAutoscalerSpec: minReplicas "must be greater than
or equal to 1", maxReplicas "must be greater than 0" and "must be greater than or equal to `minReplicas`",
scaleTargetRef kind and name required, valid path segment names); pkg/apis/autoscaling/v2/defaults.go (minReplicas 1,
a CPU utilization target of 80% when metrics is empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner import kinds
from planner.command_line import Command, RunCommand, Target, World, object_ref
from planner.errors import Diagnostic
from planner.kinds import imperative as imp
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, Meta, OpResult, Owned, Problem, Rank, Ref, S
from planner.kinds.deployment.live import KUBECTL_NAMES
from planner.model import digest_of
from planner.ownership import value_at, with_value
from planner.plan import Action, Operation, ResourceChange
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import ResourceChange
    from planner.relations import SelectorIndex
    from planner.simulate.engine import Engine
    from planner.state import State

FAMILY = "hpa"
DOC = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"
VALIDATION = "kubernetes pkg/apis/autoscaling/validation/validation.go"
REPLICAS = "spec.replicas"
SCALABLE = frozenset({("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "ReplicaSet"),
                      ("v1", "ReplicationController")})
"""The built-in kinds with a scale subresource (spec.replicas), the only ones an HPA can drive."""


class Bounds(TypedDict):
    target: str
    minReplicas: int
    maxReplicas: int


class HPAStatus(TypedDict, total=False):
    currentReplicas: int
    desiredReplicas: int


class HPALive(TypedDict, total=False):
    """The bounds the HPA holds its target to, and `kubectl get hpa -o yaml`'s replica counts."""

    metadata: Meta
    bounds: Bounds
    status: HPAStatus


def _spec(manifest: Manifest) -> dict[str, Any]:
    found: dict[str, Any] = manifest.get("spec") or {}
    return found


def bounds(manifest: Manifest) -> tuple[int, int]:
    spec = _spec(manifest)
    return int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1))


def target_address(manifest: Manifest, namespace: str | None) -> str:
    ref = _spec(manifest).get("scaleTargetRef") or {}
    return f"{ref.get('kind')}/{namespace or 'default'}/{ref.get('name')}"


def _scalable(manifest: Manifest) -> bool:
    ref = _spec(manifest).get("scaleTargetRef") or {}
    return (ref.get("apiVersion"), ref.get("kind")) in SCALABLE


def _owns(manifest: Manifest, namespace: str | None) -> list[Owned]:
    if not _scalable(manifest):
        return []
    low, high = bounds(manifest)
    return [Owned(target_address(manifest, namespace), REPLICAS,
                  f"horizontal-pod-autoscaler keeps replicas within [{low}, {high}]")]


# ---------------------------------------------------------------- validation


def _check(data: Manifest) -> list[Problem]:
    spec = _spec(data)
    problems: list[Problem] = []
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if isinstance(low, int) and low < 1:
        problems.append(Problem(("spec", "minReplicas"), f"Invalid value: {low}: must be greater than or equal to 1"))
    if isinstance(high, int) and high < 1:
        problems.append(Problem(("spec", "maxReplicas"), f"Invalid value: {high}: must be greater than 0"))
    if isinstance(high, int) and isinstance(low, int) and high < low:
        problems.append(Problem(("spec", "maxReplicas"), f"Invalid value: {high}: must be greater than or equal to "
                                                         "`minReplicas`"))
    ref = spec.get("scaleTargetRef") or {}
    for key in ("kind", "name"):
        value = ref.get(key)
        if isinstance(value, str) and (value in (".", "..") or "/" in value or "%" in value):
            problems.append(Problem(("spec", "scaleTargetRef", key), f"Invalid value: {value!r}: may not be '.' or "
                                                                     "'..' and may not contain '/' or '%'"))
    return problems


def _cross_check(mine: list[tuple[str, str, str, Manifest]], index: SelectorIndex,
                 lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """Targets the HPA cannot scale, or that the input does not declare (the controller reports FailedGetScale)."""
    out = []
    for address, namespace, _name, manifest in mine:
        target = target_address(manifest, namespace)
        if not _scalable(manifest):
            ref = _spec(manifest).get("scaleTargetRef") or {}
            out.append(Diagnostic("warning", f"scaleTargetRef {ref.get('kind')} ({ref.get('apiVersion')}) has no "
                                             "scale subresource: the HPA cannot scale it (FailedGetScale); target a "
                                             f"Deployment, StatefulSet or ReplicaSet ({DOC})", address=address,
                                  path="spec.scaleTargetRef.kind"))
        elif target not in lookup:
            out.append(Diagnostic("warning", f"scaleTargetRef names {target}, which the input does not declare: the "
                                             "HPA scales nothing (FailedGetScale) until it exists", address=address,
                                  path="spec.scaleTargetRef.name"))
    return out


# ---------------------------------------------------------------- plan


def _context(op: Operation, facts: Facts) -> Context:
    now = ((op.change.before if op.phase == "delete" else op.change.after) or {})
    low, high = bounds(now)
    target = target_address(now, op.change.namespace)
    current = value_at(facts.manifests.get(target), REPLICAS)
    current = current if isinstance(current, int) else None
    clamped = min(max(current, low), high) if current is not None else None
    metrics = _spec(now).get("metrics") or []
    names = [str((m.get("resource") or m.get("containerResource") or {}).get("name") or m.get("type"))
             for m in metrics if isinstance(m, dict)]
    return {"target": target.split("/", 1)[0] + " " + target.rsplit("/", 1)[-1], "min": low, "max": high,
            "metrics": ", ".join(names) if names else "CPU utilization 80% (the default)",
            "current": current, "clamped": clamped, "clamps": clamped is not None and clamped != current,
            "found": current is not None, "missing": current is None}


STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates and stores HorizontalPodAutoscaler {name} (target {target}, "
                                              "replicas {min}-{max}, metrics {metrics})", source=DOC),
        S("controller", "horizontal-pod-autoscaler", "owns {target}'s spec.replicas from now on: every 15 s it reads "
                                                     "{metrics} from the metrics API and sets replicas between {min} "
                                                     "and {max}", "found", source=DOC),
        S("controller", "horizontal-pod-autoscaler", "scales {target} from {current} to {clamped} replicas through "
                                                     "its scale subresource, to bring it within [{min}, {max}] "
                                                     "(MODELLED: clamped to the bounds; the real count follows the "
                                                     "metrics); its controller then adds or removes Pods as for any "
                                                     "scale", "clamps", source=DOC),
        S("controller", "horizontal-pod-autoscaler", "finds no {target} to scale (FailedGetScale) and retries every "
                                                     "15 s", "missing", source=DOC),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes HorizontalPodAutoscaler {name}; {target} keeps the replicas "
                                              "it has (the next apply sets the input's spec.replicas again)",
          source=DOC),
    ),
    "bounds": (
        S("cluster-master", "kube-apiserver", "stores the new bounds ({changed})", source=DOC),
        S("controller", "horizontal-pod-autoscaler", "scales {target} from {current} to {clamped} replicas to bring "
                                                     "it within [{min}, {max}] (MODELLED: clamped to the bounds)",
          "clamps", source=DOC),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); the controller uses it from its next "
                                              "15 s sync", source=DOC),
    ),
}


# ---------------------------------------------------------------- apply


def _scale_class(family: str) -> str:
    """The target family's update story for a changed spec.replicas (its own change_classes table)."""
    return next(cls for prefix, cls in kinds.spec_of(family).change_classes
                if prefix == "" or prefix == REPLICAS or REPLICAS.startswith(prefix + "."))


def _hold(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    """The controller brings its target within the bounds: through the target family's own update handler, as a
    scale of the target, whose stored manifest then records the count the HPA set."""
    manifest = op.change.after or {}
    low, high = bounds(manifest)
    address = target_address(manifest, op.change.namespace)
    status["bounds"] = {"target": address, "minReplicas": low, "maxReplicas": high}
    record = engine.state.resources.get(address) if _scalable(manifest) else None
    current = value_at(record.manifest, REPLICAS) if record is not None else None
    if record is None or not isinstance(current, int):
        status["status"] = {}
        return OpResult(op.change.address, op.phase, {"event": "hpa-no-target", "target": address})
    clamped = min(max(current, low), high)
    status["status"] = {"currentReplicas": clamped, "desiredReplicas": clamped}
    summary = {"event": "hpa-holds", "target": address, "replicas": current, "min": low, "max": high}
    if clamped == current:
        return OpResult(op.change.address, op.phase, summary)
    owned = engine.own(address)
    after = with_value(owned.manifest, REPLICAS, clamped)
    change = ResourceChange(address, owned.family, owned.api_version, owned.kind, owned.name, owned.namespace,
                            Action.UPDATE, change_classes=(_scale_class(owned.family),), before=owned.manifest,
                            after=after, after_digest=digest_of(after))
    result = kinds.spec_of(owned.family).handlers["update"](engine, Operation("update", change), owned.status)
    owned.manifest, owned.digest = after, change.after_digest
    engine.touched.add(address)
    return OpResult(op.change.address, op.phase, {"event": "hpa-scaled", "target": address, "before": current,
                                                  "replicas": clamped, "min": low, "max": high}, result.details)


def _delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    return OpResult(op.change.address, "delete", {"event": "hpa-deleted", "name": op.change.name})


# ---------------------------------------------------------------- get


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get hpa`: REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE (no metrics are modelled: <unknown>)."""
    out = []
    for resource in state.of_family(FAMILY):
        low, high = bounds(resource.manifest)
        ref = _spec(resource.manifest).get("scaleTargetRef") or {}
        out.append({"namespace": resource.namespace, "name": resource.name,
                    "reference": f"{ref.get('kind')}/{ref.get('name')}", "targets": "<unknown> (not modelled)",
                    "min": low, "max": high,
                    "replicas": (resource.status.get("status") or {}).get("currentReplicas", "<none>"),
                    "created": objects.created(resource.status)})
    return out


def _references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    """Until its target exists the autoscaler reports FailedGetScale
    (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/)."""
    ref = _spec(manifest).get("scaleTargetRef") or {}
    if not isinstance(ref.get("kind"), str) or not isinstance(ref.get("name"), str):
        return []
    return [Ref(target_address(manifest, namespace), "an autoscaler reads and scales its target: its scaleTargetRef")]


# ---------------------------------------------------------------- imperative equivalents
# `kubectl autoscale KIND NAME --min --max --cpu=N%` (kubectl v1.34 reference,
# https://kubernetes.io/docs/reference/kubectl/generated/kubectl_autoscale/; `--cpu-percent` is the older spelling).


def _autoscale_equivalent(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    spec = manifest.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics = spec.get("metrics") or []
    resource = (metrics[0].get("resource") or {}) if len(metrics) == 1 and metrics[0].get("type") == "Resource" \
        else {}
    target = resource.get("target") or {}
    cpu = target.get("averageUtilization") if resource.get("name") == "cpu" and target.get("type") == "Utilization" \
        else None
    metadata = manifest.get("metadata") or {}
    if (metrics and cpu is None) or set(spec) - {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics"} or \
            ref.get("kind") not in ("Deployment", "StatefulSet", "ReplicaSet") or set(metadata) - {
            "name", "namespace"} or "maxReplicas" not in spec:
        return imp.apply_manifest(manifest)
    return [imp.cmd("kubectl", "autoscale", str(ref["kind"]).lower(), str(ref.get("name")), *imp.ns(change),
                    *([f"--name={change.name}"] if change.name != ref.get("name") else []),
                    *([f"--min={spec['minReplicas']}"] if "minReplicas" in spec else []),
                    f"--max={spec['maxReplicas']}", *([f"--cpu={cpu}%"] if cpu is not None else []))]


imperative = imp.kubernetes(_autoscale_equivalent)


def _cpu_target(command: Command) -> int | None:
    """`--cpu=N%` (kubectl 1.34) or the older `--cpu-percent=N`, which 1.34 still takes (deprecated)."""
    cpu = command.flag("cpu")
    if cpu is None:
        return command.number("cpu-percent", minimum=1)
    if not cpu.endswith("%") or not cpu[:-1].isdigit() or int(cpu[:-1]) < 1:
        raise command.error(f"--cpu takes a utilization percentage such as 80%, not {cpu!r}")
    return int(cpu[:-1])


def _autoscale(command: Command, world: World) -> Target:
    """`kubectl autoscale deployment NAME --min=N --max=M --cpu=P%`: an HPA named after its target (unless
    --name), minReplicas unless defaulted, and a CPU utilization metric when --cpu (or the older --cpu-percent) is given
    (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_autoscale/; kubectl 1.34 writes autoscaling/v2)."""
    kind, target, used = object_ref(command, dict.fromkeys(KUBECTL_NAMES, "Deployment"))
    command.no_more_args(used)
    namespace = command.flag("namespace", "default") or "default"
    world.existing(command, kind, target, namespace)
    name = command.flag("name") or target
    if world.find("HorizontalPodAutoscaler", name, namespace) is not None:
        raise command.error(f'horizontalpodautoscalers.autoscaling "{name}" already exists')
    maximum = command.number("max", minimum=1)
    if maximum is None:
        raise command.error("--max is required")
    spec: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target},
                            "maxReplicas": maximum}
    minimum = command.number("min", minimum=1)
    if minimum is not None:
        spec["minReplicas"] = minimum
    cpu = _cpu_target(command)
    if cpu is not None:
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": cpu}}}]
    manifest = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    return Target("autoscaling/v2", "HorizontalPodAutoscaler", name, namespace, manifest)


SPEC = KindSpec(
    imperative=imperative,
    family=FAMILY,
    run_commands=(RunCommand("kubectl", ("autoscale",), "kubectl autoscale deployment NAME --max=N [--min=N] "
                             "[--cpu=P%] [--name=NAME] [-n NAMESPACE]", _autoscale,
                             flags=("min", "max", "cpu", "cpu-percent", "name", "namespace")),),
    references=_references,
    kinds=(("autoscaling/v2", "HorizontalPodAutoscaler"),),
    rank=Rank(7, "an autoscaler acts on its target, so it comes after it"),
    steps=STEPS,
    handlers={"create": _hold, "update": _hold, "delete": _delete},
    check=_check,
    cross_check=_cross_check,
    defaults=(("spec.minReplicas", 1),),
    change_classes=(("spec.minReplicas", "bounds"), ("spec.maxReplicas", "bounds"), ("", "store")),
    subsumes={"bounds": ("store",)},
    context=_context,
    owns=_owns,
    views=(GetView("hpa", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("REFERENCE", "reference"),
                                  ("TARGETS", "targets"), ("MINPODS", "min"), ("MAXPODS", "max"),
                                  ("REPLICAS", "replicas"), ("AGE", "age")),
                   aliases=("hpas", "horizontalpodautoscaler", "horizontalpodautoscalers"),
                   resource="horizontalpodautoscaler.autoscaling"),),
    live=HPALive,
    status_lines=lambda status: [f"holds {(status.get('bounds') or {}).get('target')} within "
                                 f"[{(status.get('bounds') or {}).get('minReplicas')}, "
                                 f"{(status.get('bounds') or {}).get('maxReplicas')}]: "
                                 f"{(status.get('status') or {}).get('currentReplicas', '?')} replicas"],
    messages={
        "hpa-holds": "holds {target} within [{min}, {max}]: it has {replicas} replicas, nothing to do",
        "hpa-scaled": "scaled {target} from {before} to {replicas} replicas to bring it within [{min}, {max}] "
                      "(modelled: clamped to the bounds)",
        "hpa-no-target": "no {target} to scale yet (FailedGetScale)",
        "hpa-deleted": "HorizontalPodAutoscaler {name} deleted",
    },
)
