"""Service and node-pool edge cases a reviewer found: nodePorts kept and moved, Services without a ClusterIP,
built-in namespaces, autoscaled pools without nodeCount."""

from __future__ import annotations

import json

from conftest import write

from planner.kinds import service

CLUSTER = ("apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\nmetadata:\n  name: c\n"
           "spec:\n  location: us-central1-a\n  initialNodeCount: 1\n")


def _service(ports: str, extra: str = "", selector: str = "app: x") -> str:
    return (f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: np\nspec:\n  type: NodePort\n{extra}"
            f"  selector: {{{selector}}}\n  ports:\n{ports}")


def _node_ports(tmp_path) -> list[tuple[int, str, int]]:
    state = json.loads((tmp_path / "planner.state.json").read_text())
    ports = service.live_ports(state["resources"]["Service/default/np"]["status"])
    return [(p["port"], p["protocol"], p["nodePort"]) for p in ports]


def test_a_service_may_keep_or_swap_its_own_node_ports(cli, tmp_path):
    two = "    - {{name: a, port: {a}, nodePort: {na}}}\n    - {{name: b, port: 443, nodePort: {nb}}}\n"
    write(tmp_path / "in.yaml", CLUSTER + _service(two.format(a=80, na=30001, nb=30002)))
    assert cli("apply", "in.yaml", "--auto-approve").code == 0
    write(tmp_path / "in.yaml", CLUSTER + _service(two.format(a=8080, na=30001, nb=30002)))
    assert cli("apply", "in.yaml", "--auto-approve").code == 0, "port changed, same nodePort"
    write(tmp_path / "in.yaml", CLUSTER + _service(two.format(a=8080, na=30002, nb=30001)))
    assert cli("apply", "in.yaml", "--auto-approve").code == 0, "nodePorts swapped"
    assert _node_ports(tmp_path) == [(8080, "TCP", 30002), (443, "TCP", 30001)]


def test_node_ports_stay_put_when_something_else_changes(cli, tmp_path):
    dns = "    - {name: dns-udp, port: 53, protocol: UDP}\n    - {name: dns-tcp, port: 53, protocol: TCP}\n"
    write(tmp_path / "in.yaml", CLUSTER + _service(dns))
    cli("apply", "in.yaml", "--auto-approve")
    before = _node_ports(tmp_path)
    write(tmp_path / "in.yaml", CLUSTER + _service(dns, selector="app: y"))
    cli("apply", "in.yaml", "--auto-approve")
    assert _node_ports(tmp_path) == before and before[0][2] != before[1][2]


def test_external_name_and_headless_services_get_no_cluster_ip(cli, tmp_path):
    write(tmp_path / "in.yaml", CLUSTER + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n"
          "  type: ExternalName\n  externalName: db.example.com\n---\napiVersion: v1\nkind: Service\nmetadata:\n"
          "  name: peers\nspec:\n  clusterIP: None\n  selector: {app: peers}\n  ports:\n    - port: 7000\n")
    plan = cli("plan", "in.yaml", "-o", "json").json()
    steps = [s["description"] for s in plan["steps"] if s["address"].startswith("Service/")]
    assert not any("allocates a ClusterIP" in s for s in steps)
    assert any("ExternalName, a DNS CNAME to db.example.com" in s for s in steps)
    assert any("headless" in s for s in steps)
    cli("apply", "in.yaml", "--auto-approve")
    assert " db " in cli("get", "-A", "services").out and "db.example.com" in cli("get", "-A", "services").out


def test_a_built_in_namespace_in_the_input_is_ignored_with_a_warning(cli, tmp_path):
    write(tmp_path / "in.yaml", CLUSTER + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n")
    result = cli("plan", "in.yaml", "-o", "json")
    plan = result.json()
    assert [c["address"] for c in plan["resource_changes"]] == ["ContainerCluster/c"]
    assert any("Namespace default is built in" in d["message"] for d in plan["diagnostics"])


def test_an_autoscaled_pool_without_node_count_starts_within_its_bounds(cli, tmp_path):
    write(tmp_path / "in.yaml", CLUSTER + "---\napiVersion: container.cnrm.cloud.google.com/v1beta1\n"
          "kind: ContainerNodePool\nmetadata:\n  name: small\nspec:\n  clusterRef: {name: c}\n"
          "  location: us-central1-a\n  autoscaling: {minNodeCount: 0, maxNodeCount: 1}\n")
    assert cli("apply", "in.yaml", "--auto-approve").code == 0
    nodes = json.loads(cli("get", "-A", "nodes", "-o", "json").out)["items"]
    assert sum(1 for n in nodes if n["pool"] == "small") == 1
