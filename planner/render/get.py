"""`planner get` tables in kubectl's (and gcloud's) layout: upper-case headers, columns padded by three spaces."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def age(created: str | None, now: datetime | None = None) -> str:
    """kubectl's AGE: 45s, 12m, 3h, 2d."""
    if not created:
        return "<unknown>"
    seconds = int(((now or datetime.now(timezone.utc)) - datetime.fromisoformat(created)).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit != "m" else 1):
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def _endpoints(addresses: list[str]) -> str:
    if not addresses:
        return "<none>"
    shown = ",".join(addresses[:3])
    return shown + (f" + {len(addresses) - 3} more..." if len(addresses) > 3 else "")


COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "nodes": [("NAME", "name"), ("STATUS", "status"), ("ROLES", "roles"), ("AGE", "age"), ("VERSION", "version")],
    "instances": [("NAME", "name"), ("ZONE", "zone"), ("MACHINE_TYPE", "machineType"), ("PREEMPTIBLE", "preemptible"),
                  ("INTERNAL_IP", "internalIP"), ("EXTERNAL_IP", "externalIP"), ("STATUS", "status")],
    "pods": [("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"), ("STATUS", "status"),
             ("RESTARTS", "restarts"), ("AGE", "age")],
    "deployments": [("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"), ("UP-TO-DATE", "upToDate"),
                    ("AVAILABLE", "available"), ("AGE", "age")],
    "replicasets": [("NAMESPACE", "namespace"), ("NAME", "name"), ("DESIRED", "desired"), ("CURRENT", "current"),
                    ("READY", "ready"), ("AGE", "age")],
    "services": [("NAMESPACE", "namespace"), ("NAME", "name"), ("TYPE", "type"), ("CLUSTER-IP", "clusterIP"),
                 ("EXTERNAL-IP", "externalIP"), ("PORT(S)", "ports"), ("AGE", "age")],
    "endpoints": [("NAMESPACE", "namespace"), ("NAME", "name"), ("ENDPOINTS", "endpoints"), ("AGE", "age")],
}
WIDE: dict[str, list[tuple[str, str]]] = {
    "nodes": [("INTERNAL-IP", "internalIP"), ("POD-CIDR", "podCIDR"), ("ZONE", "zone"),
              ("MACHINE-TYPE", "machineType"), ("POOL", "pool")],
    "pods": [("IP", "ip"), ("NODE", "node"), ("REASON", "reason")],
    "deployments": [("REVISION", "revision"), ("STALLED", "stalled")],
    "replicasets": [("REVISION", "revision")],
    "services": [("SELECTOR", "selector"), ("LOAD-BALANCER", "loadBalancer")],
}


def render_get(kind: str, rows: list[dict[str, Any]], output: str) -> str:
    if output == "json":
        return json.dumps({"kind": kind, "items": rows}, separators=(",", ":")) + "\n"
    columns = COLUMNS[kind] + (WIDE.get(kind, []) if output == "wide" else [])
    if not rows:
        return "No resources found.\n"
    table = [[title for title, _ in columns]]
    for row in rows:
        cells = []
        for _, key in columns:
            value = age(row.get("created")) if key == "age" else row.get(key, "")
            cells.append(_endpoints(value) if key == "endpoints" else str(value))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    return "\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table) + "\n"
