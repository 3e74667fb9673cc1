"""kube-apiserver's rules for the Pod template every workload carries (Deployment today; StatefulSet, DaemonSet,
Job and CronJob call the same function): `validate_pod_template(template, at)`.

Each rule is a row of `apirules.RULES` with its source in pkg/apis/core/validation/validation.go; messages keep
kube-apiserver's wording. The checks read the manifest defensively: a field of the wrong type is the schema's to
report, and is skipped here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from planner.kinds import apirules
from planner.kinds.apirules import MAPPING as _MAP
from planner.kinds.base import Manifest, Path, Problem
from planner.knowledge.capacity import quantity_exact

CONTAINER_LISTS = ("initContainers", "containers")
"""Both share one namespace of names (validateInitContainers checks against the regular containers' names)."""
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
"""ProbeHandler's members, in the order validateHandler visits them."""
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")
_REFERENCE = "$({name})"


def validate_pod_template(template: Manifest, at: Path, claims: Iterable[str] = ()) -> list[Problem]:
    """Every rule on a PodTemplateSpec at `at` (e.g. `("spec", "template")`): its metadata's annotations and its
    spec. Problems carry full paths, so they are located at file:line:column. `claims`: names a workload adds as
    volumes of its own (a StatefulSet's volumeClaimTemplates, which its controller mounts into every Pod)."""
    if not isinstance(template, _MAP):
        return []
    problems = apirules.object_meta(template.get("metadata"), (*at, "metadata"))
    spec = template.get("spec")
    if isinstance(spec, _MAP):
        problems += validate_pod_spec(spec, (*at, "spec"), claims)
    return problems


def containers(spec: Mapping[str, Any], at: Path) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """(path, container) of every init container, then every container."""
    for key in CONTAINER_LISTS:
        items = spec.get(key)
        for i, container in enumerate(items if isinstance(items, list) else []):
            if isinstance(container, _MAP):
                yield (*at, key, i), container


def duplicate_container_names(spec: Mapping[str, Any], at: Path) -> list[Problem]:
    """validateContainers/validateInitContainers: one namespace for containers and initContainers."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for path, container in containers(spec, at):
        name = container.get("name")
        if isinstance(name, str) and name in seen:
            problems.append(Problem((*path, "name"), f'duplicate container name "{name}"'))
        if isinstance(name, str):
            seen.add(name)
    return problems


def validate_pod_spec(spec: Mapping[str, Any], at: Path, claims: Iterable[str] = ()) -> list[Problem]:
    problems = duplicate_container_names(spec, at)
    volumes = spec.get("volumes")
    volume_names = {v.get("name") for v in volumes if isinstance(v, _MAP)} if isinstance(volumes, list) else set()
    volume_names |= set(claims)
    for path, container in containers(spec, at):
        problems += _resources(container, path)
        problems += _env(container, path)
        problems += _mounts(container, path, volume_names, (*at, "volumes"))
        problems += _ports(container, path)
        problems += _probes(container, path)
    return problems


def _resources(container: Mapping[str, Any], at: Path) -> list[Problem]:
    """ValidateContainerResourceRequirements: request <= limit for every resource with both."""
    resources = container.get("resources")
    if not isinstance(resources, _MAP):
        return []
    requests, limits = resources.get("requests"), resources.get("limits")
    if not isinstance(requests, _MAP) or not isinstance(limits, _MAP):
        return []
    problems: list[Problem] = []
    for name, request in requests.items():
        limit = limits.get(name)
        if limit is None:
            continue
        if _above(request, limit):
            problems.append(Problem((*at, "resources", "requests", name),
                                    f"invalid value {json.dumps(request)}: must be less than or equal to {name} "
                                    f"limit of {limit}"))
    return problems


_QUANTITY_TYPES = (str, int, float)


def _above(request: Any, limit: Any) -> bool:
    """request > limit as quantities; False when either is not one (the schema says so)."""
    if not isinstance(request, _QUANTITY_TYPES) or not isinstance(limit, _QUANTITY_TYPES):
        return False
    return _above_quantity(request, limit)


@lru_cache(maxsize=4096, typed=True)
def _above_quantity(request: str | int | float, limit: str | int | float) -> bool:
    """Memoized (typed, so True never stands for 1): thousands of containers repeat a few request/limit pairs, and
    exact quantity arithmetic costs ~3 us per comparison."""
    try:
        return quantity_exact(request) > quantity_exact(limit)
    except (TypeError, ValueError):
        return False


def _env(container: Mapping[str, Any], at: Path) -> list[Problem]:
    """validateEnvVarValueFrom (value and valueFrom) and warningsForPodSpecAndMeta (a repeated name hides the
    earlier one, unless the new value builds on it with `$(NAME)`)."""
    env = container.get("env")
    if not isinstance(env, list):
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    for j, item in enumerate(env):
        if not isinstance(item, _MAP):
            continue
        name, value, value_from = item.get("name"), item.get("value"), item.get("valueFrom")
        if value_from is not None and isinstance(value, str) and value:
            problems.append(Problem((*at, "env", j, "valueFrom"), "may not be specified when `value` is not empty"))
        if not isinstance(name, str):
            continue
        if name in seen:
            reference = _REFERENCE.format(name=name)
            text = value if isinstance(value, str) else ""
            if value_from is not None or text == reference or reference not in text:
                problems.append(Problem((*at, "env", j), f'hides previous definition of "{name}", which may be '
                                                         "dropped when using apply", severity="warning"))
        seen.add(name)
    return problems


def _mounts(container: Mapping[str, Any], at: Path, volumes: set[Any], volumes_at: Path) -> list[Problem]:
    """ValidateVolumeMounts: each mount names a volume of the Pod (field.NotFound)."""
    mounts = container.get("volumeMounts")
    if not isinstance(mounts, list):
        return []
    where = ".".join(str(t) for t in volumes_at)
    return [Problem((*at, "volumeMounts", j, "name"), f'not found: no volume named "{mount["name"]}" in {where}')
            for j, mount in enumerate(mounts)
            if isinstance(mount, _MAP) and isinstance(mount.get("name"), str) and mount["name"] not in volumes]


def port_name_problems(name: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME), every reason at once, in upstream's words."""
    out = []
    if len(name) > 15:
        out.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.fullmatch(name):
        out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", name):
        out.append("must contain at least one letter (a-z)")
    if "--" in name:
        out.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        out.append("must not begin or end with a hyphen")
    return out


@lru_cache(maxsize=4096)
def _port_name_reasons(name: str) -> tuple[str, ...]:
    """port_name_problems, memoized: thousands of containers repeat a few port names (`http`, `metrics`)."""
    return tuple(port_name_problems(name))


def _ports(container: Mapping[str, Any], at: Path) -> list[Problem]:
    """validateContainerPorts: names are IANA_SVC_NAMEs, unique within the container."""
    ports = container.get("ports")
    if not isinstance(ports, list):
        return []
    problems: list[Problem] = []
    names: set[str] = set()
    for k, port in enumerate(ports):
        name = port.get("name") if isinstance(port, _MAP) else None
        if not isinstance(name, str) or not name:
            continue
        path = (*at, "ports", k, "name")
        reasons = _port_name_reasons(name)
        if reasons:
            problems.append(Problem(path, f"invalid value {json.dumps(name)}: {'; '.join(reasons)}"))
        elif name in names:
            problems.append(Problem(path, f'duplicate value "{name}": port names must be unique within a container'))
        names.add(name)
    return problems


def _probes(container: Mapping[str, Any], at: Path) -> list[Problem]:
    """validateProbe -> validateHandler: exactly one handler; the second one named is the one refused."""
    problems: list[Problem] = []
    for probe_name in PROBES:
        probe = container.get(probe_name)
        if not isinstance(probe, _MAP):
            continue
        handlers = [h for h in PROBE_HANDLERS if probe.get(h) is not None]
        if not handlers:
            problems.append(Problem((*at, probe_name), "must specify a handler type (one of "
                                                       f"{', '.join(PROBE_HANDLERS)})", at_key=True))
        for extra in handlers[1:]:
            problems.append(Problem((*at, probe_name, extra), "may not specify more than 1 handler type "
                                                             f"({handlers[0]} is already set)", at_key=True))
    return problems
