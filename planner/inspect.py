"""What the simulated world looks like after apply, as rows for `planner get` (kubectl get / gcloud list views).

Each kind registers its views (`KindSpec.views`: rows computed from the state, and kubectl's columns);
render/get.py only lays them out.
"""

from __future__ import annotations

from typing import Any

from planner import kinds
from planner.errors import PlannerError
from planner.kinds.base import GetView
from planner.state import State


def view(what: str) -> GetView:
    found = kinds.REGISTRY.view(what)
    if found is None:
        names = ", ".join(sorted(v.name for v in kinds.REGISTRY.views()))
        raise PlannerError.single(f'unknown resource type "{what}": use one of {names}')
    return found


def rows(state: State, what: str) -> list[dict[str, Any]]:
    return view_rows(view(what), state)


def view_rows(found: GetView, state: State) -> list[dict[str, Any]]:
    """A view's rows; a stored value no view can read is a damaged state, said so, not an internal error."""
    from planner.simulate.engine import DAMAGE

    try:
        return found.rows(state)
    except DAMAGE as exc:
        raise PlannerError.single(f"the state is damaged ({type(exc).__name__}: {exc}): restore its .backup") from None
