"""Pure geometry for the pages' drawings: boxes with sizes and places, lines between them, labels. No SVG here.

The project's own small layout rather than a graph-layout library (graphviz, ELK, dagre): the pictures are fixed
shapes (a row of Services over a cluster of pools of nodes holding Pods; a sequence diagram of lanes), which a
hundred lines place exactly and deterministically, with no binary, no JavaScript and no network, and the tests can
reason about the same numbers. Text is set in a monospace font, so a string's width is its length times CHAR_W and
nothing overflows its box (what does not fit is shortened, the whole in the element's title).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH, MAX_HEIGHT = 1400, 1000
"""The drawing of a cluster fits a 1400x1000 screen (the issue's "readable at 1400x1000")."""
PAD, GAP, LINE, CHAR_W = 12, 12, 14, 6.7
"""Margins, space between boxes, one line of 11px text, and the width of one character of it (monospace)."""
NODE_W, SERVICE_W, POD_H = 258, 260, 34
CAPS = ((10, 5, 5), (10, 3, 5), (5, 3, 5), (5, 2, 4), (5, 1, 4), (3, 1, 3))
"""(nodes, Pods per node, Services) drawn one by one, most first: the first that fits MAX_HEIGHT is used. The rest
are counted in a "more" box (and listed, capped, under the drawing)."""


@dataclass(frozen=True)
class Box:
    id: str
    kind: str
    """The CSS class: balancer, svc-box, gke-cluster, pool, node-box, pod, pending, more, lane."""
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    title: str
    level: int
    """Nesting depth: boxes of one level never overlap; a deeper box lies inside one of the level above."""
    name: str = ""


@dataclass(frozen=True)
class Link:
    kind: str
    x1: float
    y1: float
    x2: float
    y2: float
    title: str
    source: str = ""
    target: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    kind: str
    title: str = ""


@dataclass
class Drawing:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def fit(text: str, width: float) -> str:
    """`text` shortened in the middle to fit `width` pixels (names differ at their ends: node and Pod suffixes)."""
    room = max(int((width - 10) // CHAR_W), 3)
    if len(text) <= room:
        return text
    keep = room - 1
    return text[: keep // 3] + "…" + text[len(text) - (keep - keep // 3):]


def _box(id_: str, kind: str, x: float, y: float, w: float, lines: list[str], title: str, level: int,
         name: str = "", h: float | None = None) -> Box:
    height = h if h is not None else len(lines) * LINE + 10
    return Box(id_, kind, x, y, w, height, tuple(fit(line, w) for line in lines), title, level, name)


def _more_pods(pods: list[dict[str, Any]]) -> str:
    """The Pods not drawn, counted by owner: "+4 Pods: ReplicaSet/web-5d8 ×3, StatefulSet/db ×1" (or, of more than
    two owners, "+40 Pods of 12 owners")."""
    counts: dict[str, int] = {}
    for pod in pods:
        counts[pod["owner"] or "no owner"] = counts.get(pod["owner"] or "no owner", 0) + 1
    if len(counts) > 2:
        return f"+{len(pods)} Pods of {len(counts)} owners"
    return f"+{len(pods)} Pods: " + ", ".join(f"{owner} ×{n}" for owner, n in sorted(counts.items()))


def _pod_box(prefix: str, pod: dict[str, Any], x: float, y: float, w: float, level: int) -> Box:
    title = (f"Pod {pod['namespace']}/{pod['name']}\nIP {pod['ip']} · {pod['status']}\nowner {pod['owner']} "
             f"({pod['workload']})" + (f"\n{pod['reason']}" if pod.get("reason") else ""))
    return _box(f"{prefix}pod-{pod['namespace']}-{pod['name']}", "pod " + str(pod["status"]).lower(), x, y, w,
                [pod["name"], f"{pod['ip']} · {pod['status']}"], title, level, f"{pod['namespace']}/{pod['name']}",
                h=POD_H)


def _pods(d: Drawing, prefix: str, pods: list[dict[str, Any]], x: float, y: float, w: float, cap: int,
          level: int, where: dict[str, Box]) -> float:
    """Pod boxes stacked from y (the last slot says how many more, by owner); returns the y below them."""
    shown = pods if len(pods) <= cap else pods[: max(cap - 1, 0)]
    for pod in shown:
        box = _pod_box(prefix, pod, x, y, w, level)
        d.boxes.append(box)
        if pod["ip"] and pod["ip"] != "<none>":
            where[str(pod["ip"])] = box
        y += POD_H + 6
    if len(shown) < len(pods):
        text = _more_pods(pods[len(shown):])
        d.boxes.append(_box(f"{prefix}more-pods-{x:.0f}-{y:.0f}", "more", x, y, w, [text], text, level, h=POD_H))
        y += POD_H + 6
    return y


def cluster_drawing(picture: dict[str, Any], prefix: str = "") -> Drawing:
    """The cluster: Services (and their load balancers) above, pools of nodes holding Pods below, lines from each
    Service to its endpoints' Pods. The first of CAPS whose drawing fits MAX_HEIGHT."""
    drawing = _cluster_drawing(picture, prefix, *CAPS[0])
    for caps in CAPS[1:]:
        if drawing.height <= MAX_HEIGHT:
            break
        drawing = _cluster_drawing(picture, prefix, *caps)
    return drawing


def _services(d: Drawing, picture: dict[str, Any], prefix: str, cap: int) -> tuple[float, dict[str, Box]]:
    """The Services row, each LoadBalancer's forwarding rule above its Service; returns the y below and the boxes."""
    services = picture["services"]
    shown = services if len(services) <= cap else services[: cap - 1]
    balanced = any(s["balancer"] for s in shown)
    y = PAD + (5 * LINE + 10 + 26 if balanced else 0)  # a forwarding rule's box has five lines
    boxes: dict[str, Box] = {}
    x = PAD
    for s in shown:
        lines = [f"Service {s['namespace']}/{s['name']}", f"{s['type']} {s['clusterIP']}",
                 f"ports {s['ports']}", f"external {s['externalIP']} · {len(s['endpointIPs'])} endpoint(s)"]
        box = _box(f"{prefix}svc-{s['namespace']}-{s['name']}", "svc-box", x, y, SERVICE_W, lines,
                   "\n".join([*lines, f"selector {s['selector']}"]), 0, f"{s['namespace']}/{s['name']}")
        d.boxes.append(box)
        boxes[f"{s['namespace']}/{s['name']}"] = box
        lb = s["balancer"]
        if lb:
            lines = [f"load balancer ({lb['flavour']})", "forwarding rule", lb["name"], f"external IP {lb['ip']}",
                     *lb["forwards"][:1]]
            up = _box(f"{prefix}lb-{s['namespace']}-{s['name']}", "balancer", x, PAD, SERVICE_W, lines,
                      "\n".join(lines + lb["forwards"][1:]), 0, lb["name"])
            d.boxes.append(up)
            d.links.append(Link("forward", x + SERVICE_W / 2, up.y + up.h, x + SERVICE_W / 2, y,
                                f"{lb['ip']} -> nodes' node port -> Service {s['name']}", up.id, box.id))
        x += SERVICE_W + GAP
    if len(shown) < len(services):
        text = f"+{len(services) - len(shown)} more Services"
        d.boxes.append(_box(f"{prefix}more-services", "more", x, y, SERVICE_W, [text], text, 0))
    return y + 4 * LINE + 10, boxes


def _cluster_drawing(picture: dict[str, Any], prefix: str, max_nodes: int, max_pods: int,
                     max_services: int) -> Drawing:
    d = Drawing(WIDTH, 0)
    top, services = _services(d, picture, prefix, max_services)
    cluster = picture["head"]
    y0 = top + 40
    inner_x, inner_w = PAD + GAP, WIDTH - 2 * (PAD + GAP)
    y = y0 + 2 * LINE + 16
    pods_at: dict[str, Box] = {}
    per_row = int((inner_w - 2 * GAP + GAP) // (NODE_W + GAP))
    left = max_nodes
    for pool in picture["pools"]:
        nodes = pool["nodes"]
        shown = nodes if len(nodes) <= left else nodes[: max(left - 1, 0)]
        left -= len(shown)
        pool_y, y = y, y + LINE + 16
        row_bottom = y
        for i, node in enumerate(shown + ([None] if len(shown) < len(nodes) else [])):
            if i and i % per_row == 0:
                y = row_bottom + GAP
            x = inner_x + GAP + (i % per_row) * (NODE_W + GAP)
            if node is None:
                text = f"+{len(nodes) - len(shown)} more nodes"
                box = _box(f"{prefix}more-nodes-{pool['name']}", "more", x, y, NODE_W, [text], text, 2)
                d.boxes.append(box)
                row_bottom = max(row_bottom, box.y + box.h)
                continue
            head = [node["name"], f"VM {node['internalIP']} · ext {node['externalIP']}",
                    f"Pod range {node['podCIDR']}", f"{node['zone']} · {node['machineType']}"]
            end = _pods(d, prefix, node["pods"], x + 8, y + 4 * LINE + 14, NODE_W - 16, max_pods, 3, pods_at)
            box = _box(f"{prefix}node-{node['name']}", "node-box", x, y, NODE_W, head, "\n".join(
                ["Node " + head[0], *head[1:], f"{len(node['pods'])} Pod(s)"]), 2, node["name"],
                h=max(end, y + 4 * LINE + 14) - y + 2)
            d.boxes.append(box)
            row_bottom = max(row_bottom, box.y + box.h)
        y = row_bottom + GAP
        text = f"node pool {pool['name']} · {len(nodes)} node(s)"
        d.boxes.append(_box(f"{prefix}pool-{pool['name']}", "pool", inner_x, pool_y, inner_w, [text], text, 1,
                            pool["name"], h=y - pool_y))
        y += GAP
    if picture["pending"]:
        pending = picture["pending"]
        text = f"Pending: {len(pending)} Pod(s) no node has room for"
        start, y = y, y + LINE + 16
        per = max_pods * 2
        drawn = pending if len(pending) <= per else pending[: per - 1]
        for i, pod in enumerate(drawn):
            d.boxes.append(_pod_box(prefix, pod, inner_x + GAP + (i % 5) * (NODE_W + GAP), y + (i // 5) * (POD_H + 6),
                                    NODE_W, 2))
        if len(drawn) < len(pending):
            i = len(drawn)
            more = _more_pods(pending[i:])
            d.boxes.append(_box(f"{prefix}more-pending", "more", inner_x + GAP + (i % 5) * (NODE_W + GAP),
                                y + (i // 5) * (POD_H + 6), NODE_W, [more], more, 2, h=POD_H))
        y += ((len(drawn) + (len(drawn) < len(pending)) + 4) // 5) * (POD_H + 6) + GAP
        d.boxes.append(_box(f"{prefix}pending", "pending", inner_x, start, inner_w, [text], text, 1, h=y - start))
        y += GAP
    head = ([f"cluster {cluster['name']} · {cluster['location']}", cluster["summary"]] if cluster else
            ["no cluster in this state"])
    d.boxes.append(_box(prefix + "gke-cluster", "gke-cluster", PAD, y0, WIDTH - 2 * PAD, head, "\n".join(head), 0,
                        cluster["name"] if cluster else "", h=max(y, y0 + 2 * LINE + 16) - y0))
    for s in picture["services"]:
        source = services.get(f"{s['namespace']}/{s['name']}")
        for ip in s["endpointIPs"] if source is not None else []:
            pod = pods_at.get(ip)
            if pod is not None and source is not None:
                d.links.append(Link("endpoint", source.x + source.w / 2, source.y + source.h, pod.x + pod.w / 2,
                                    pod.y, f"endpoint {ip} of Service {s['name']}", source.id, pod.id))
    d.height = max(y, y0 + 2 * LINE + 16) + PAD
    d.boxes.sort(key=lambda b: b.level)  # outer boxes first: inner ones are drawn over them
    return d
