"""Pure geometry of the plan's sequence diagram: one lane per component, the steps as numbered arrows in execution
order, each coloured by its resource's action. The arrow of a step starts at its caller's lane: the component
that really sets it off (knowledge.components.CALLED_BY), `planner apply` for what you ask for.
"""

from __future__ import annotations

from typing import Any

from planner.knowledge.components import ACTOR_OF, COMPONENTS, YOU, callers
from planner.render.html.layout import CHAR_W, GAP, LINE, PAD, WIDTH, Box, Drawing, Label, Link, fit

ACTORS = tuple(COMPONENTS)
"""Lane order, left to right: Google Cloud, the control plane, the controllers, the nodes (the step actors, in
knowledge.components' order, as the mermaid diagram has them)."""
MAX_STEPS = 150
"""Steps drawn; the rest are listed under their resources (a 10,000-resource plan has ~50,000 steps)."""
LANE_MIN, ROW, OP_ROW = 104, 22, 20
ORIGIN = "you/planner apply"


def _wrap(text: str, width: int) -> list[str]:
    """A component name over lines of at most `width` characters, broken after hyphens."""
    lines, line = [], ""
    for part in text.replace("-", "-\0").replace(" ", " \0").split("\0"):
        if line and len(line) + len(part) > width:
            lines.append(line.rstrip())
            line = ""
        line += part
    return [*lines, line][:3]


def _callers(steps: list[dict[str, Any]]) -> list[str]:
    """Each step's arrow starts at its caller's lane (knowledge.components.caller: who really sets it off);
    a step you ask for starts at `planner apply`."""
    return [ORIGIN if sender == YOU else f"{ACTOR_OF.get(sender, '')}/{sender}"
            for sender in callers(((s["address"], s["phase"]), s["component"]) for s in steps)]


def sequence_drawing(wire: dict[str, Any]) -> Drawing:
    steps = wire["steps"]
    drawn = steps[:MAX_STEPS]
    actions = {c["address"]: c["action"] for c in wire["resource_changes"]}
    senders = _callers(drawn)
    seen: dict[str, int] = {}
    for step, sender in zip(drawn, senders, strict=True):
        if sender != ORIGIN:
            seen.setdefault(sender, len(seen))
        seen.setdefault(f"{step['actor']}/{step['component']}", len(seen))

    def order(lane: str) -> tuple[int, int]:
        actor = lane.split("/")[0]
        return (ACTORS.index(actor) if actor in ACTORS else len(ACTORS), seen[lane])

    lanes = [ORIGIN, *sorted(seen, key=order)]
    lane_w = max(LANE_MIN, (WIDTH - 2 * PAD) / len(lanes))
    width = 2 * PAD + lane_w * len(lanes)
    d = Drawing(width, 0)
    centre = {lane: PAD + lane_w * (i + 0.5) for i, lane in enumerate(lanes)}
    chars = int((lane_w - 14) // CHAR_W)
    head_h = 4 * LINE + 10
    for i, lane in enumerate(lanes):
        actor, component = lane.split("/", 1)
        lines = [actor, *_wrap(component, chars)]
        d.boxes.append(Box(f"lane-{i}", "lane", PAD + lane_w * i + 3, PAD, lane_w - 6, head_h,
                           tuple(fit(line, lane_w - 6) for line in lines), lane, 0, lane))
    y = PAD + head_h + GAP
    group = None
    for step, previous in zip(drawn, senders, strict=True):
        key = (step["address"], step["phase"])
        action = str(actions.get(step["address"], step["phase"]))  # a replacement's two halves both replace
        if key != group:
            group = key
            text = f"{step['address']} · {step['phase']}"
            d.labels.append(Label(PAD + 4, y + 14, text, f"op {action}", text))
            y += OP_ROW
        lane = f"{step['actor']}/{step['component']}"
        x1, x2 = centre[previous], centre[lane]
        title = f"{step['index']}. {lane}: {step['description']}"
        d.links.append(Link(f"step {action}", x1, y + 16, x2 if x2 != x1 else x1 + 24, y + 16, title,
                            f"step-{step['index']}", lane))
        start = min(x1, x2) + 4 if x1 != x2 else x1 + 30
        d.labels.append(Label(start, y + 11, fit(f"{step['index']}. {step['description']}", width - start - PAD),
                              "step-label", title))
        y += ROW
    if len(steps) > len(drawn):
        text = f"… {len(steps) - len(drawn)} more steps, listed under their resources below"
        d.labels.append(Label(PAD + 4, y + 14, text, "more-steps", text))
        y += ROW
    for lane, x in centre.items():
        d.links.append(Link("lifeline", x, PAD + head_h, x, y + 4, lane))
    d.height = y + PAD
    return d

