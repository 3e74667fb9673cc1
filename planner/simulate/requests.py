"""What one Pod of a workload requests (CPU m, memory Mi), memoized: scheduling asks for every Pod it places, and
thousands of workloads share a few request shapes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from planner import kinds
from planner.knowledge import capacity

_REQUESTS: dict[int, tuple[int, int, Mapping[str, Any]]] = {}


def workload_requests(resource_manifest: Mapping[str, Any], family: str) -> tuple[int, int]:
    """(CPU m, memory Mi) one Pod of a workload requests, memoized per manifest object (kept alive in the memo, so
    its id cannot be reused): a large apply asks once per Pod."""
    found = _REQUESTS.get(id(resource_manifest))
    if found is not None and found[2] is resource_manifest:
        return found[0], found[1]
    hook = kinds.spec_of(family).pod_spec
    pod_spec = hook(dict(resource_manifest)) if hook is not None else None
    cpu, memory = _requests_of(_request_key(pod_spec or {}), pod_spec or {})
    if len(_REQUESTS) < 200_000:
        _REQUESTS[id(resource_manifest)] = (cpu, memory, resource_manifest)
    return cpu, memory


_BY_CONTENT: dict[str, tuple[int, int]] = {}


def _request_key(pod_spec: Mapping[str, Any]) -> str:
    """What decides a Pod's requests (each container's resources and restartPolicy, the Pod's overhead and
    resources), as text: thousands of workloads share a few request shapes."""
    parts = [(c.get("resources"), c.get("restartPolicy")) for key in ("initContainers", "containers")
             for c in pod_spec.get(key) or () if isinstance(c, Mapping)]
    return json.dumps([parts, pod_spec.get("overhead"), pod_spec.get("resources")], sort_keys=True, default=str)


def _requests_of(key: str, pod_spec: Mapping[str, Any]) -> tuple[int, int]:
    found = _BY_CONTENT.get(key)
    if found is None:
        found = capacity.pod_requests(pod_spec)  # exact quantity arithmetic: worth doing once per shape
        if len(_BY_CONTENT) < 100_000:
            _BY_CONTENT[key] = found
    return found
