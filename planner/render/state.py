"""`planner show` without a plan file: what the state holds, one block per resource, in address order."""

from __future__ import annotations

from typing import Any


def render_state(state: dict[str, Any]) -> str:
    resources = state.get("resources") or {}
    if not resources:
        return "The state is empty: nothing has been applied yet.\n"
    lines = [f"# state serial {state.get('serial')}, lineage {state.get('lineage')}, "
             f"{len(resources)} resource(s), input: {' '.join(state.get('roots') or []) or '-'}", ""]
    for address in sorted(resources):
        resource = resources[address]
        status = resource.get("status") or {}
        lines.append(f"{address}")
        for line in _status_lines(resource["family"], status):
            lines.append(f"    {line}")
    return "\n".join(lines) + "\n"


def _status_lines(family: str, status: dict[str, Any]) -> list[str]:
    if family == "cluster":
        out = [f"endpoint {status.get('endpoint')}  Pod range {status.get('podRange')}  Service range "
               f"{status.get('serviceRange')}  zones {', '.join(status.get('zones') or [])}"]
        return out + _pool_lines(status.get("pool"))
    if family == "nodepool":
        return _pool_lines(status.get("pool"))
    if family == "deployment":
        pods = status.get("pods") or []
        running = sum(1 for p in pods if p.get("node"))
        out = [f"revision {status.get('revision')}  ReplicaSet {status.get('currentReplicaSet')}  "
               f"{running}/{len(pods)} Pod(s) running"]
        out += [f"pod {p['name']}  {p.get('phase')}  {p.get('ip') or '-'}  {p.get('node') or p.get('reason', '')}"
                for p in pods]
        return out
    if family == "service":
        ports = ",".join(f"{p['port']}:{p['nodePort']}/{p['protocol']}" if p.get("nodePort") else
                         f"{p['port']}/{p['protocol']}" for p in status.get("ports") or [])
        external = (status.get("loadBalancer") or {}).get("ip", "<none>")
        return [f"CLUSTER-IP {status.get('clusterIP', '-')}  EXTERNAL-IP {external}  PORT(S) {ports or '-'}"]
    return []


def _pool_lines(pool: dict[str, Any] | None) -> list[str]:
    if not pool:
        return []
    return [f"node {n['name']}  {n['zone']}  {n['internalIP']}  podCIDR {n['podCIDR']}  {n['machineType']}"
            for n in pool.get("nodes") or []]
