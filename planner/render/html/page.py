"""The page around the drawings: one self-contained HTML file (inline CSS, SVG and a few lines of JavaScript for
expand/collapse), no network, printable. Lists under the drawings are grouped (pool, namespace, owner) in
<details> elements with counts, and capped, so a 10,000-resource state still gives a page of bounded size."""

from __future__ import annotations

from typing import Any

from planner.render.html.svg import text

LIST_CAP = 50
"""Rows listed per group (nodes of a pool, Pods of an owner, owners of a namespace...); the rest are counted."""

CSS = """
:root{--create:#1a7f37;--update:#9a6700;--replace:#8250df;--delete:#cf222e;--forget:#57606a;--ink:#1f2328}
body{font:14px/1.4 system-ui,sans-serif;color:var(--ink);margin:16px;max-width:1400px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}
.drawing{max-width:100%;height:auto;display:block;border:1px solid #d0d7de;background:#fff}
svg text{font:11px ui-monospace,'DejaVu Sans Mono',monospace;fill:var(--ink)}svg text.head{font-weight:bold}
.box rect{fill:#fff;stroke:#8c959f}.gke-cluster rect{fill:#f6f8fa}.pool rect{fill:#eef4ff;stroke:#54aeff}
.node-box rect{fill:#fff;stroke:#0969da}.pod rect{fill:#dafbe1;stroke:#1a7f37}.pod.pending rect{fill:#fff1e5;
stroke:#bc4c00}.pod.completed rect{fill:#eaeef2}.svc-box rect{fill:#fbefff;stroke:#8250df}
.balancer rect{fill:#fff8c5;stroke:#9a6700}.more rect{fill:#f6f8fa;stroke-dasharray:4 3}.pending rect{fill:#fff8f2}
.lane rect{fill:#f6f8fa}
.link{fill:none;stroke-width:1.4}.endpoint{stroke:#8250df;opacity:.7}.forward{stroke:#9a6700}
.lifeline{stroke:#d0d7de;stroke-dasharray:3 3}
.step.create{stroke:var(--create)}.step.update{stroke:var(--update)}.step.replace{stroke:var(--replace)}
.step.delete{stroke:var(--delete)}.arrow.create{fill:var(--create)}.arrow.update{fill:var(--update)}
.arrow.replace{fill:var(--replace)}.arrow.delete{fill:var(--delete)}.arrow.forward{fill:#9a6700}
.arrow.endpoint{fill:#8250df}
text.op{font-weight:bold}text.op.create{fill:var(--create)}text.op.update{fill:var(--update)}
text.op.replace{fill:var(--replace)}text.op.delete{fill:var(--delete)}
.create{color:var(--create)}.update{color:var(--update)}.replace{color:var(--replace)}.delete{color:var(--delete)}
.forget{color:var(--forget)}
table{border-collapse:collapse;font:12px ui-monospace,monospace}td,th{padding:1px 8px;text-align:left;
vertical-align:top;border-bottom:1px solid #eaeef2}
.resource{display:grid;grid-template-columns:1fr 1fr;gap:12px;border-top:1px solid #d0d7de;padding:6px 0}
.resource h3{grid-column:1/3;font-size:14px;margin:0}.muted{color:#57606a}
details{margin:2px 0 2px 12px}summary{cursor:pointer}button{margin-right:6px}
@media print{button{display:none}body{margin:0}.drawing{border:none;break-inside:avoid}
.resource{break-inside:avoid}}
"""

JS = """
function setAll(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
window.addEventListener('beforeprint',function(){setAll(true);});
"""


def page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{text(title)}</title><style>{CSS}</style><script>{JS}</script></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def buttons() -> str:
    return ('<p><button onclick="setAll(true)">expand all</button>'
            '<button onclick="setAll(false)">collapse all</button></p>')


def capped(rows: list[str], total: int, what: str) -> str:
    more = f'<tr><td colspan="9" class="muted">… {total - len(rows)} more {what}</td></tr>' if total > len(rows) else ""
    return "<table>" + "".join(rows) + more + "</table>"


def inventory(picture: dict[str, Any]) -> list[str]:
    """Every pool, namespace and owner with its counts; the first LIST_CAP of each group's members listed."""
    out = ["<h2>Nodes, Pods and Services</h2>", buttons()]
    for pool in picture["pools"]:
        nodes = pool["nodes"]
        rows = [f"<tr><td>{text(n['name'])}</td><td>{text(n['internalIP'])}</td><td>{text(n['externalIP'])}</td>"
                f"<td>{text(n['podCIDR'])}</td><td>{text(n['zone'])}</td><td>{len(n['pods'])} Pod(s)</td></tr>"
                for n in nodes[:LIST_CAP]]
        out.append(f"<details><summary>node pool {text(pool['name'])}: {len(nodes)} node(s)</summary>"
                   f"{capped(rows, len(nodes), 'nodes')}</details>")
    by_namespace: dict[str, dict[str, list[dict[str, Any]]]] = {}
    pods = [p for pool in picture["pools"] for n in pool["nodes"] for p in
            ({**q, "node": n["name"]} for q in n["pods"])] + [{**p, "node": "(Pending)"} for p in picture["pending"]]
    for pod in pods:
        by_namespace.setdefault(pod["namespace"], {}).setdefault(pod["workload"] or pod["owner"], []).append(pod)
    for namespace, owners in sorted(by_namespace.items()):
        count = sum(len(p) for p in owners.values())
        groups = []
        for owner, members in sorted(owners.items())[:LIST_CAP]:
            rows = [f"<tr><td>{text(p['name'])}</td><td>{text(p['ip'])}</td><td>{text(p['status'])}</td>"
                    f"<td>{text(p['node'])}</td><td>{text(p['owner'])}</td></tr>"
                    for p in sorted(members, key=lambda p: p["name"])[:LIST_CAP]]
            groups.append(f"<details><summary>{text(owner)}: {len(members)} Pod(s)</summary>"
                          f"{capped(rows, len(members), 'Pods')}</details>")
        if len(owners) > LIST_CAP:
            groups.append(f'<p class="muted">… {len(owners) - LIST_CAP} more owners</p>')
        out.append(f"<details><summary>namespace {text(namespace)}: {count} Pod(s) of {len(owners)} owner(s)"
                   f"</summary>{''.join(groups)}</details>")
    services = picture["services"]
    rows = [f"<tr><td>{text(s['namespace'])}/{text(s['name'])}</td><td>{text(s['type'])}</td>"
            f"<td>{text(s['clusterIP'])}</td><td>{text(s['ports'])}</td><td>{text(s['externalIP'])}</td>"
            f"<td>{len(s['endpointIPs'])} endpoint(s)</td></tr>" for s in services[:LIST_CAP * 4]]
    out.append(f"<details><summary>{len(services)} Service(s)</summary>"
               f"{capped(rows, len(services), 'Services')}</details>")
    return out
