"""`planner explain KIND|COMPONENT`: one kind's lifecycle or one component's duties, read from the step tables the
planner itself uses (each kind's `KindSpec.steps`, `change_classes` and `rank`; knowledge.components), never from
a second copy of the facts. Renderers (render/explain.py) only lay the result out.
"""

from __future__ import annotations

import re
from typing import Any

from planner import kinds
from planner.errors import PlannerError
from planner.kinds.base import KindSpec, StepTemplate
from planner.knowledge.components import ACTOR_OF, DUTIES

_FIELD = re.compile(r"\{(\w+)\}")


def _template(template: StepTemplate) -> dict[str, Any]:
    """A step as its table writes it, the values a plan fills in shown as <name>."""
    return {"actor": template.actor, "component": template.component,
            "does": _FIELD.sub(r"<\1>", template.text), "when": template.when, "source": template.source}


def _kind_names(spec: KindSpec) -> list[str]:
    return [kind for _api, kind in spec.kinds] or [spec.family]


def _by_name() -> dict[str, KindSpec]:
    found: dict[str, KindSpec] = {}
    for spec in kinds.specs():
        for name in (*_kind_names(spec), spec.family):
            found.setdefault(name.lower(), spec)
    return found


def valid_names() -> tuple[list[str], list[str]]:
    return (sorted({name for spec in kinds.specs() for name in _kind_names(spec)}), sorted(ACTOR_OF))


def explain(name: str) -> dict[str, Any]:
    """The lifecycle of the kind (or family) `name`, or the duties of the component `name`; any other name is an error
    that lists the valid ones."""
    key = name.strip().lower()
    spec = _by_name().get(key)
    if spec is not None:
        return kind_lifecycle(spec)
    component = key.split("/", 1)[-1]
    if component in ACTOR_OF:
        return component_duties(component)
    valid_kinds, valid_components = valid_names()
    raise PlannerError.single(f'unknown kind or component "{name}": kinds are {", ".join(valid_kinds)}; components '
                              f'are {", ".join(valid_components)}')


def kind_lifecycle(spec: KindSpec) -> dict[str, Any]:
    classes: dict[str, list[str]] = {}
    for prefix, change_class in spec.change_classes:
        classes.setdefault(change_class, []).append(prefix or "any other field")
    phases = [{"phase": "create", "fields": [], "steps": [_template(t) for t in spec.steps["create"]]}]
    phases += [{"phase": f"update: {change_class}", "fields": fields,
                "steps": [_template(t) for t in spec.steps[change_class]]} for change_class, fields in classes.items()]
    phases.append({"phase": "delete", "fields": [], "steps": [_template(t) for t in spec.steps["delete"]]})
    return {"explains": "kind", "name": _kind_names(spec)[0], "family": spec.family,
            "kinds": [{"api_version": api, "kind": kind} for api, kind in spec.kinds],
            "rank": {"rank": spec.rank.rank, "why": spec.rank.why},
            "replaced_when": [{"path": path, "why": why} for path, why in kinds.replace_rules(spec.family)],
            "phases": phases}


def component_duties(component: str) -> dict[str, Any]:
    actor = ACTOR_OF[component]
    why, source = DUTIES[component]
    groups = []
    for spec in kinds.specs():
        steps = [{"phase": key, **_template(t)} for key, templates in spec.steps.items() for t in templates
                 if t.component == component and t.actor == actor]
        if steps:
            groups.append({"kind": _kind_names(spec)[0], "family": spec.family, "steps": steps})
    return {"explains": "component", "name": component, "actor": actor, "why": why, "source": source,
            "by_kind": groups}
