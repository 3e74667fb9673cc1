"""Property tests: whatever text or (slightly broken) documents come in, only PlannerError ever escapes."""

from __future__ import annotations

import copy
import io

import yaml
from conftest import json_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import api
from planner.errors import PlannerError
from planner.state import State

BASE = list(yaml.safe_load_all("""\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata: {name: c}
spec: {location: us-central1-b, initialNodeCount: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
          resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
"""))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["", "100m", "-1", "TCP", "None", "0", "ClusterIP"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _plan(text: bytes) -> None:
    try:
        desired = api.load_desired(["-"], io.BytesIO(text))
        api.make_plan(desired, State())
    except PlannerError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_either_planned_or_refused(text):
    _plan(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2), st.data())
def test_slightly_broken_documents_are_either_planned_or_refused(which, data):
    documents = copy.deepcopy(BASE)
    target = documents[which]
    paths = [p for p in json_paths(target) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
        try:
            parent = target
            for token in path[:-1]:
                parent = parent[token]
            if action == "replace":
                parent[path[-1]] = data.draw(values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[path[-1] + data.draw(st.text(min_size=1, max_size=2))] = parent.pop(path[-1])
        except (KeyError, IndexError, TypeError):
            continue  # the path no longer exists after an earlier mutation
    _plan(yaml.safe_dump_all(documents).encode())
