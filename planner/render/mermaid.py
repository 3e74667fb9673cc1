"""The plan as a Mermaid sequence diagram (`-o mermaid`, and inside `-o markdown`): the picture readers of the GKE
tutorial draw by hand, with one participant per component that acts and the plan's steps as numbered messages.

Each message goes to the component that performs the step, from the one that performed the step before it in the
same resource (from You, the person applying, for a resource's first step): the hand-offs read from left to right,
GKE's API before Compute Engine, kube-apiserver before its controllers and the nodes. Participants are ordered by
lane (gke, cluster-master, controller, node) and within a lane as knowledge/components.py lists them. Each resource
is a `rect` headed by a Note. A large plan is cut after MAX_MESSAGES messages, at a resource's boundary where it can
be, and a last Note says how many steps were left out: GitHub renders diagrams of a few hundred messages slowly.

Read from the plan's wire form, like every renderer; every text goes through markup.mermaid_text.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from planner.knowledge.components import ACTOR_OF, COMPONENTS, YOU, callers
from planner.render.markup import mermaid_text
from planner.render.text import HEADLINE, NO_CHANGES

MAX_MESSAGES = 100

ALIASES = {
    "container-api": "GKE API (container-api)",
    "compute-engine": "Compute Engine",
    "cluster-autoscaler": "cluster-autoscaler",
    "kube-apiserver": "kube-apiserver",
    "kube-scheduler": "kube-scheduler",
    "kubelet": "kubelet",
    "kube-proxy": "kube-proxy",
    "cni": "CNI plugin",
    "csi-node": "PD CSI node plugin",
    "csi-provisioner": "PD CSI provisioner",
    "csi-attacher": "PD CSI attacher",
}
"""Readable names for the participants; a controller is called what it is (deployment-controller)."""

_LANES = {actor: rank for rank, actor in enumerate(COMPONENTS)}
_ORDER = {(actor, component): rank for rank, (actor, component) in
          enumerate((a, c) for a, components in COMPONENTS.items() for c in components)}
_NOT_ID = re.compile(r"[^A-Za-z0-9]+")
_RECT = "rect rgba(128, 128, 128, 0.08)"
AGAIN = "created again (second half of the replacement)"


def _participant_id(actor: str, component: str) -> str:
    return f"{_NOT_ID.sub('_', actor)}__{_NOT_ID.sub('_', component)}"


def _sort_key(who: tuple[str, str]) -> tuple[int, int, str, str]:
    return (_LANES.get(who[0], len(_LANES)), _ORDER.get(who, len(_ORDER)), who[0], who[1])


def render_mermaid(wire: dict[str, Any], max_messages: int = MAX_MESSAGES) -> str:
    """The diagram's source, ending in a newline."""
    return "\n".join(diagram_lines(wire, max_messages)) + "\n"


def diagram_lines(wire: dict[str, Any], max_messages: int = MAX_MESSAGES) -> list[str]:
    """The diagram as lines (no fence): `-o mermaid` prints them, the markdown comment fences them."""
    steps: list[dict[str, Any]] = wire["steps"]
    shown = _shown(steps, max_messages)
    messages = _messages(shown)
    ids = {who: _participant_id(*who) for who in sorted({who for _, pair in messages for who in pair
                                                         if who[1] != YOU}, key=_sort_key)}
    ids[("", YOU)] = YOU
    lines = ["sequenceDiagram", "    autonumber", f"    actor {YOU} as You"]
    lines += [f"    participant {pid} as {mermaid_text(ALIASES.get(who[1], who[1]))}" for who, pid in ids.items()
              if pid != YOU]
    last = next((pid for pid in reversed(ids.values()) if pid != YOU), YOU)
    if not steps:
        words = "nothing in GKE acts" if any(wire["summary"].values()) else NO_CHANGES
        lines.append(f"    Note over {YOU}: {mermaid_text(words)}")
        return lines
    actions = {c["address"]: c["action"] for c in wire["resource_changes"]}
    seen: set[str] = set()
    for (address, _phase), group in groupby(messages, key=lambda m: (m[0]["address"], m[0]["phase"])):
        what = AGAIN if address in seen else HEADLINE.get(actions.get(address, ""), "")
        seen.add(address)
        lines += [f"    {_RECT}", f"        Note over {YOU},{last}: {mermaid_text(f'{address} {what}'.strip())}"]
        for step, (sender, receiver) in group:
            lines.append(f"        {ids[sender]}->>{ids[receiver]}: {mermaid_text(step['description'])}")
        lines.append("    end")
    if len(shown) < len(steps):
        left = steps[len(shown):]
        resources = len({s["address"] for s in left})
        lines.append(f"    Note over {YOU},{last}: {len(left)} more step(s) of {resources} resource(s) left out "
                     f"(the diagram stops at {max_messages} messages): the text plan lists every step")
    return lines


def _messages(steps: list[dict[str, Any]]) -> list[tuple[dict[str, Any], tuple[tuple[str, str], tuple[str, str]]]]:
    """Each step with (sender, receiver) as (actor, component): the receiver acts, the sender is its caller
    (knowledge.components.caller: who really sets it off, never just whoever acted before)."""
    senders = callers(((s["address"], s["phase"]), s["component"]) for s in steps)
    return [(step, ((ACTOR_OF.get(sender, ""), sender), (step["actor"], step["component"])))
            for step, sender in zip(steps, senders, strict=True)]


def _shown(steps: list[dict[str, Any]], max_messages: int) -> list[dict[str, Any]]:
    """The steps drawn: all of them if they fit, else whole resources up to the cap (at least the first part of
    the first resource, so a single huge resource still shows how it starts)."""
    if len(steps) <= max_messages:
        return steps
    cut = 0
    for index in range(1, max_messages + 1):  # the last boundary between resources within the cap
        if steps[index]["address"] != steps[index - 1]["address"] or steps[index]["phase"] != steps[index - 1]["phase"]:
            cut = index
    return steps[:cut or max_messages]
