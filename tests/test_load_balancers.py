"""LoadBalancer Services as GKE builds them: who builds which flavour, externalTrafficPolicy, port changes, pinned
nodePorts and a replaced Service's new identity. Checked against cloud-provider-gcp gce_loadbalancer_external.go,
kubernetes/ingress-gce pkg/l4lb/l4netlbcontroller.go and pkg/loadbalancers/l4netlb.go, and GKE's "LoadBalancer Service
parameters"."""

from __future__ import annotations

import json
import re

from conftest import edit

from planner.kinds import service
from planner.knowledge import naming

WEB = "hello-web.yaml"


def _steps(cli, *args: str, address: str = "Service/default/hello-web") -> list[tuple[str, str]]:
    plan = cli("plan", *args, "-o", "json").json()
    return [(s["component"], s["description"]) for s in plan["steps"] if s["address"] == address]


def _text(steps: list[tuple[str, str]]) -> str:
    return "\n".join(f"{c}: {d}" for c, d in steps)


def _live(hello) -> dict:
    state = json.loads((hello.parent / "planner.state.json").read_text())
    return state["resources"]["Service/default/hello-web"]["status"]


def _apply(cli) -> None:
    result = cli("apply", "hello-app/", "--auto-approve")
    assert result.code == 0, result.err


def test_a_local_service_gets_a_health_check_node_port_and_its_own_health_check(cli, hello):
    edit(hello / WEB, "  type: LoadBalancer\n", "  type: LoadBalancer\n  externalTrafficPolicy: Local\n")
    plan = cli("plan", "hello-app/", "-o", "json").json()
    created = next(c for c in plan["resource_changes"] if c["address"] == "Service/default/hello-web")
    assert "spec.healthCheckNodePort" in {c["path"] for c in created["changes"]}
    text = _text(_steps(cli, "hello-app/"))
    assert "allocates spec.healthCheckNodePort in 30000-32767" in text
    assert "creates health check <lb> (HTTP healthCheckNodePort /healthz)" in text
    assert "10256" not in text, "a Local Service is not checked on kube-proxy's shared port"
    _apply(cli)
    live = _live(hello)
    check = service.live.health_check_node_port(live)
    assert check and 30000 <= check <= 32767 and check != service.live_ports(live)[0]["nodePort"]


def test_switching_external_traffic_policy_is_its_own_story_not_a_port_change(cli, hello):
    _apply(cli)
    slices = [s for s in _live(hello)["spec"]["ports"]]
    edit(hello / WEB, "  type: LoadBalancer\n", "  type: LoadBalancer\n  externalTrafficPolicy: Local\n")
    text = _text(_steps(cli, "hello-app/"))
    assert "stores externalTrafficPolicy Cluster -> Local" in text
    assert "allocates spec.healthCheckNodePort" in text
    assert "stores the new ports" not in text and "rewrites the EndpointSlices" not in text
    assert "EndpointSlices do not change" in text
    lb = re.search(r"deletes forwarding rule (a[0-9a-f]{31}) and target pool \1", text)  # the existing LB, by name
    assert lb and f"creates target pool {lb.group(1)} again" in text
    _apply(cli)
    assert service.live.health_check_node_port(_live(hello)) and _live(hello)["spec"]["ports"] == slices
    edit(hello / WEB, "  externalTrafficPolicy: Local\n", "")
    text = _text(_steps(cli, "hello-app/"))
    assert "frees healthCheckNodePort" in text and "shared node health check k8s-<cluster-id>-node" in text
    _apply(cli)
    assert service.live.health_check_node_port(_live(hello)) is None


def test_the_target_pool_flavour_names_its_shared_health_check_address_finalizer_and_kube_proxy(cli, hello):
    steps = _steps(cli, "hello-app/")
    text = _text(steps)
    assert "k8s-<cluster-id>-node (HTTP 10256 /healthz" in text
    assert "firewall rule k8s-<cluster-id>-node-http-hc from Google's health-check ranges 130.211.0.0/22, " \
           "35.191.0.0/16" in text
    assert "reserves a static regional address" in text and "releases the static reservation" in text
    assert ("service-controller", "adds finalizer gke.networking.io/l4-netlb-v1") in steps
    last = steps[-1]
    assert last[0] == "kube-proxy" and "load balancer's IP" in last[1], "kube-proxy acts once the status is written"
    assert "empty until such Pods exist" in text and "ready: false" in text


def test_the_backend_service_flavour_is_built_by_the_l4_netlb_controller(cli, hello):
    edit(hello / WEB, "  labels:\n    app: hello-web\nspec:\n  type",
         "  labels:\n    app: hello-web\n  annotations:\n    cloud.google.com/l4-rbs: enabled\nspec:\n  type")
    steps = _steps(cli, "hello-app/")
    by = {c for c, d in steps if "backend service" in d or "status.loadBalancer" in d or "finalizer gke" in d}
    assert by == {"compute-engine", "l4-netlb-controller"}, steps
    mine = [d for c, d in steps if c == "service-controller"]
    assert len(mine) == 2 and "EnsuringLoadBalancer" in mine[0] and "ImplementedElsewhere" in mine[1]
    assert not any("EnsuredLoadBalancer" in d for _, d in steps)
    text = _text(steps)
    assert "l4-netlb-controller: adds finalizer gke.networking.io/l4-netlb-v3" in text  # NEG-backed variant
    assert "GCE_VM_IP network endpoint groups" in text and "instance groups" not in text
    assert "SyncLoadBalancerSuccessful" in text and "forwarding rule of that name" in text
    _apply(cli)
    assert service.load_balancer(_live(hello))["flavour"] == "backend-service"
    text = (hello / WEB).read_text()
    (hello / WEB).write_text(text[:text.index("---\napiVersion: v1\nkind: Service")])
    teardown = _steps(cli, "hello-app/")
    assert [c for c, _ in teardown[1:3]] == ["l4-netlb-controller", "service-controller"], teardown
    assert "removes finalizer gke.networking.io/l4-netlb-v3" in teardown[1][1]


def test_a_load_balancer_class_is_not_service_controllers_at_all(cli, hello):
    edit(hello / WEB, "  type: LoadBalancer\n",
         "  type: LoadBalancer\n  loadBalancerClass: networking.gke.io/l4-regional-external\n")
    steps = _steps(cli, "hello-app/")
    assert not [d for c, d in steps if c == "service-controller"], steps
    assert any(c == "l4-netlb-controller" for c, _ in steps)


def test_a_target_port_change_touches_no_compute_engine_resource(cli, hello):
    _apply(cli)
    edit(hello / WEB, "targetPort: 8080", "targetPort: 9090")
    steps = _steps(cli, "hello-app/")
    assert {c for c, _ in steps} == {"kube-apiserver", "endpointslice-controller", "kube-proxy"}, steps


def test_a_port_change_recreates_the_forwarding_rule_and_patches_the_firewall(cli, hello):
    _apply(cli)
    edit(hello / WEB, "    - port: 80\n", "    - port: 8000\n")
    text = _text(_steps(cli, "hello-app/"))
    assert re.search(r"updates firewall rule k8s-fw-a[0-9a-f]{31} in place to allow 8000/TCP", text)
    assert re.search(r"deletes forwarding rule a[0-9a-f]{31} and creates it again for 8000-8000", text)
    assert "brief outage" in text
    assert "EndpointSlices" not in text, "the targetPort did not change"


def test_pinning_an_allocated_node_port_plans_a_move(cli, hello):
    _apply(cli)
    allocated = service.live_ports(_live(hello))[0]["nodePort"]
    pinned = 30080 if allocated != 30080 else 30081
    edit(hello / WEB, "targetPort: 8080", f"targetPort: 8080\n      nodePort: {pinned}")
    plan = cli("plan", "hello-app/", "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "Service/default/hello-web")
    assert change["action"] == "update"
    assert {"path": "spec.ports[port=80].nodePort", "before": allocated, "after": pinned} in change["changes"]
    shown = " ".join(cli("plan", "hello-app/").out.split())
    assert f"~ spec.ports[port=80].nodePort = {allocated} -> {pinned}" in shown
    text = _text(_steps(cli, "hello-app/"))
    assert f"releases nodePort {allocated} and allocates {pinned}" in text
    _apply(cli)
    assert service.live_ports(_live(hello))[0]["nodePort"] == pinned


def test_pinning_the_cluster_ip_a_service_already_has_changes_nothing(cli, hello):
    _apply(cli)
    ip = service.cluster_ip(_live(hello))
    edit(hello / WEB, "  type: LoadBalancer\n", f"  type: LoadBalancer\n  clusterIP: {ip}\n")
    plan = cli("plan", "hello-app/", "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "Service/default/hello-web")
    assert change["action"] == "no-op" and not change["replace_paths"]  # the object as kube-apiserver has it
    assert cli("plan", "hello-app/", "--detailed-exitcode").code == 0


def _identity(live: dict) -> tuple:
    return (live["metadata"]["uid"], service.load_balancer(live)["name"], service.cluster_ip(live),
            service.live_ports(live)[0]["nodePort"], service.external_ip(live))


def test_a_service_recreated_with_its_cluster_is_a_new_object(cli, hello, monkeypatch):
    # A fixed lineage: with a random one, the recreated load balancer's address could be drawn again by chance
    # (1 in 254 from the /24), and this test failed about that often.
    monkeypatch.setenv("PLANNER_LINEAGE", "00000000-0000-4000-8000-000000000002")
    _apply(cli)
    before = _identity(_live(hello))
    edit(hello / "cluster.yaml", "location: us-central1-b", "location: us-central1-c")
    _apply(cli)
    after = _identity(_live(hello))
    assert all(a != b for a, b in zip(before, after, strict=True)), (before, after)


def test_a_replaced_service_gets_a_new_uid_load_balancer_and_node_port(cli, hello):
    _apply(cli)
    before = _identity(_live(hello))
    edit(hello / WEB, "  type: LoadBalancer\n", "  type: LoadBalancer\n  clusterIP: 34.118.224.77\n")
    plan = cli("plan", "hello-app/", "-o", "json").json()
    assert next(c for c in plan["resource_changes"] if c["address"] == "Service/default/hello-web")["action"] \
        == "replace"
    _apply(cli)
    after = _identity(_live(hello))
    assert after[2] == "34.118.224.77"
    assert after[0] != before[0] and after[1] != before[1] and after[3] != before[3], (before, after)


def test_the_default_flavour_follows_the_gke_version():
    plain = {"spec": {"type": "LoadBalancer"}}
    assert naming.load_balancer_flavour(plain, "1.36") == naming.TARGET_POOL
    assert naming.load_balancer_flavour(plain, "1.37") == naming.BACKEND_SERVICE
    assert naming.rbs_uses_negs("1.32.2-gke.1652000") and not naming.rbs_uses_negs("1.32.2-gke.1651999")
    assert not naming.rbs_uses_negs("1.31")


def test_the_kubernetes_version_picks_the_default_load_balancer_flavour_through_the_cli(cli, hello):
    """GKE builds backend-service load balancers by default for new LoadBalancer Services from 1.37."""
    components = {}
    for version in ("1.34", "1.37"):
        plan = cli("plan", str(hello), "--kubernetes-version", version, "-o", "json").json()
        components[version] = {s["component"] for s in plan["steps"] if s["address"] == "Service/default/hello-web"}
    assert "l4-netlb-controller" not in components["1.34"] and "l4-netlb-controller" in components["1.37"]
    applied = cli("apply", str(hello), "--auto-approve", "--kubernetes-version", "1.37")
    assert applied.code == 0 and "(backend-service load balancer)" in applied.out


def test_apply_prints_the_names_and_addresses_it_really_allocated(cli, hello, tmp_path):
    plan = cli("plan", str(hello)).out
    assert "<lb>" in plan and "<4 chars>" in plan and "known after apply" in plan  # only apply can know them
    applied = cli("apply", str(hello), "--auto-approve").out
    applied = applied[applied.index(": Creating..."):]  # the operations as they ran, after the plan shown first
    steps = [line for line in applied.splitlines() if re.match(r"\s+\d+\. \S+/\S+ ", line)]
    assert steps and not any(p in line for line in steps for p in ("<lb>", "<8hex>", "<4 chars>", "known after apply"))
    state = json.loads((tmp_path / "planner.state.json").read_text())["resources"]
    cluster = state["ContainerCluster/hello-cluster"]["status"]
    lb = state["Service/default/hello-web"]["status"]["gce"]["loadBalancer"]["name"]
    node = cluster["pool"]["nodes"][0]["metadata"]["name"]
    text = "\n".join(steps)
    assert cluster["status"]["clusterIpv4Cidr"] in text and node in text and f"forwarding rule {lb}" in text
