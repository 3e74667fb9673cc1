"""Nodes' external IPs and private clusters, end to end through the CLI: a public cluster's nodes get distinct
ephemeral external IPs (kept across state reloads, released with their VMs), a private cluster's nodes none; the
control plane's /28 is validated where it is written and gives the private endpoint."""

from __future__ import annotations

import ipaddress
import json
import shutil

import pytest
from conftest import EXAMPLES, edit, write

from planner.kinds import service
from planner.simulate import objects
from planner.simulate.engine import Engine
from planner.state.file import FileBackend

DOC_RANGE = ipaddress.ip_network("203.0.113.0/24")


def _nodes(cli) -> list[dict]:
    return json.loads(cli("get", "nodes", "-o", "json").out)["items"]


def _state(tmp_path):
    return FileBackend(str(tmp_path / "planner.state.json")).read().state


@pytest.fixture
def private(tmp_path):
    """A private copy of examples/private-cluster that a test may edit."""
    target = tmp_path / "private-cluster"
    shutil.copytree(EXAMPLES / "private-cluster", target)
    return target


def test_public_nodes_get_distinct_external_ips_that_survive_a_reload(cli, hello, tmp_path):
    plan = cli("plan", str(hello))
    assert "and an ephemeral external IP each" in plan.out
    assert cli("apply", str(hello), "--auto-approve").code == 0
    nodes = _nodes(cli)
    ips = [n["externalIP"] for n in nodes]
    assert len(set(ips)) == len(nodes) == 3
    assert all(ipaddress.ip_address(ip) in DOC_RANGE for ip in ips)
    web = _state(tmp_path).resources["Service/default/hello-web"].status
    assert service.external_ip(web) not in ips  # one pool of ephemeral addresses: no collision with the LB
    # Another run reads them back from the state: the same addresses, and nothing to do.
    assert "No changes." in cli("plan", str(hello)).out
    assert [n["externalIP"] for n in _nodes(cli)] == ips
    instances = json.loads(cli("get", "instances", "-o", "json").out)["items"]
    assert sorted(i["externalIP"] for i in instances) == sorted(ips)


def test_get_nodes_wide_and_get_instances_show_external_ips_like_kubectl_and_gcloud(cli, hello):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    wide = cli("get", "nodes", "-o", "wide").out.splitlines()
    assert wide[0].split()[:8] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP",
                                   "POD-CIDR"]
    assert all(row.split()[6].startswith("203.0.113.") for row in wide[1:])
    assert "EXTERNAL-IP" not in cli("get", "nodes").out  # kubectl shows addresses only with -o wide
    listed = cli("get", "instances").out.splitlines()
    assert listed[0].split() == ["NAME", "ZONE", "MACHINE_TYPE", "PREEMPTIBLE", "INTERNAL_IP", "EXTERNAL_IP",
                                 "STATUS"]
    assert all(row.split()[4].startswith("203.0.113.") for row in listed[1:])  # PREEMPTIBLE is empty


def test_private_nodes_have_no_external_ip_and_the_endpoint_is_the_private_one(cli, private):
    plan = cli("plan", str(private))
    assert plan.code == 0, plan.err
    assert "reserves the control plane's range 172.16.0.0/28" in plan.out
    assert "VPC Network Peering" in plan.out and "private endpoint is 172.16.0.2" in plan.out
    assert "disables access through the control plane's public endpoint" in plan.out
    assert "and no external IP (private nodes" in plan.out
    assert "ephemeral external IP" not in plan.out
    applied = cli("apply", str(private), "--auto-approve")
    assert applied.code == 0, applied.err
    assert "control plane endpoint 172.16.0.2" in applied.out
    nodes = _nodes(cli)
    assert nodes and all(n["externalIP"] == "<none>" for n in nodes)
    wide = cli("get", "nodes", "-o", "wide").out.splitlines()
    assert all(row.split()[6] == "<none>" for row in wide[1:])
    instances = json.loads(cli("get", "instances", "-o", "json").out)["items"]
    assert instances and all(i["externalIP"] == "" for i in instances)
    shown = cli("show").out
    assert "endpoint 172.16.0.2 " in shown and "(access disabled)" in shown
    assert "No changes." in cli("plan", str(private)).out


def test_a_private_endpoint_that_stays_optional_keeps_the_public_endpoint(cli, private, tmp_path):
    edit(private / "cluster.yaml", "    enablePrivateEndpoint: true\n", "")
    assert cli("apply", str(private), "--auto-approve").code == 0
    observed = _state(tmp_path).resources["ContainerCluster/vault"].status["status"]
    assert observed["privateEndpoint"] == "172.16.0.2"
    assert observed["endpoint"] == observed["publicEndpoint"] and observed["endpoint"].startswith("198.51.100.")


@pytest.mark.parametrize(("block", "message"), [
    ("172.16.0.0/24", "172.16.0.0/24 is a /24: the control plane's range must be a /28"),
    ("172.16.0.1/28", 'invalid CIDR block "172.16.0.1/28"'),
    ("172.17.0.0/28", "overlaps 172.17.0.0/16"),
    ("10.30.0.16/28", "overlaps subnetwork vault-nodes's primary range 10.30.0.0/20"),
    ("10.44.0.0/28", "overlaps subnetwork vault-nodes's secondary range services 10.44.0.0/20"),
])
def test_a_bad_control_plane_range_is_refused_where_it_is_written(cli, private, block, message):
    edit(private / "cluster.yaml", "masterIpv4CidrBlock: 172.16.0.0/28", f"masterIpv4CidrBlock: {block}")
    line = next(i for i, text in enumerate((private / "cluster.yaml").read_text().splitlines(), 1)
                if "masterIpv4CidrBlock" in text)
    result = cli("plan", str(private))
    assert result.code == 1
    assert f"cluster.yaml:{line}:26: spec.privateClusterConfig.masterIpv4CidrBlock: " in result.err, result.err
    assert message in result.err, result.err


def test_the_control_plane_range_must_not_overlap_the_clusters_own_ranges(cli, hello):
    cluster = (hello / "cluster.yaml").read_text()
    write(hello / "cluster.yaml", cluster + "  ipAllocationPolicy:\n    clusterIpv4CidrBlock: 10.8.0.0/14\n"
                                            "  privateClusterConfig:\n    enablePrivateNodes: true\n"
                                            "    masterIpv4CidrBlock: 10.8.0.16/28\n")
    result = cli("validate", str(hello))
    assert result.code == 1
    assert "spec.privateClusterConfig.masterIpv4CidrBlock: 10.8.0.16/28 overlaps the cluster's Pod range " \
           "10.8.0.0/14" in result.err
    write(hello / "cluster.yaml", cluster + "  privateClusterConfig:\n    enablePrivateNodes: true\n"
                                            "    masterIpv4CidrBlock: 10.128.0.32/28\n")
    result = cli("validate", str(hello))
    assert result.code == 1 and "overlaps the cluster's node subnet (us-central1's default subnet)" in result.err
    # A free range is fine, and GKE's own choice of a Pod range keeps clear of it.
    write(hello / "cluster.yaml", cluster + "  privateClusterConfig:\n    enablePrivateNodes: true\n"
                                            "    masterIpv4CidrBlock: 10.4.0.0/28\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert not any(n["podCIDR"].startswith("10.4.") for n in _nodes(cli))


def test_settings_that_do_nothing_are_warned_about(cli, hello):
    cluster = (hello / "cluster.yaml").read_text()
    write(hello / "cluster.yaml", cluster + "  privateClusterConfig:\n    masterIpv4CidrBlock: 172.16.0.0/28\n"
                                            "    enablePrivateEndpoint: true\n")
    result = cli("validate", str(hello))
    assert result.code == 0
    assert "masterIpv4CidrBlock: warning" in result.err or "warning: spec.privateClusterConfig.masterIpv4CidrBlock" \
        in result.err, result.err
    assert "only applies to private clusters" in result.err and "has no private endpoint to use" in result.err


def test_images_outside_google_warn_on_a_private_cluster(cli, private):
    edit(private / "ledger.yaml", "image: us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0",
         "image: nginx:1.27")
    result = cli("plan", str(private))
    assert result.code == 0
    assert 'image "nginx:1.27" is on docker.io, outside Google' in result.out and "Cloud NAT" in result.out
    line = next(i for i, text in enumerate((private / "ledger.yaml").read_text().splitlines(), 1) if "image:" in text)
    diagnostics = cli("plan", str(private), "-o", "json").json()["diagnostics"]
    warning = next(d for d in diagnostics if "docker.io" in d["message"])
    assert (warning["file"].endswith("ledger.yaml"), warning["line"], warning["path"]) == \
        (True, line, "spec.template.spec.containers[0].image")
    edit(private / "ledger.yaml", "image: nginx:1.27", "image: europe-west1-docker.pkg.dev/shop/apps/ledger:2")
    assert "outside Google:" not in cli("plan", str(private)).out


def test_resize_down_releases_external_ips_and_growing_again_reuses_none_in_use(cli, hello, tmp_path):
    write(hello / "pool.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerNodePool\n"
                               "metadata:\n  name: extra\nspec:\n  clusterRef:\n    name: hello-cluster\n"
                               "  location: us-central1-b\n  nodeCount: 4\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    before = {n["name"]: n["externalIP"] for n in _nodes(cli)}
    assert len(set(before.values())) == 7
    edit(hello / "pool.yaml", "nodeCount: 4", "nodeCount: 1")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    state = _state(tmp_path)
    engine = Engine(state)
    lb = service.external_ip(state.resources["Service/default/hello-web"].status)
    held = {n["externalIP"] for n in _nodes(cli)} | {lb}
    assert engine.world.external_ips.first.used == {int(ipaddress.ip_address(ip)) for ip in held}
    edit(hello / "pool.yaml", "nodeCount: 1", "nodeCount: 4")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    after = [n["externalIP"] for n in _nodes(cli)]
    assert len(after) == 7 and len(set(after) | {lb}) == 8


def test_deleting_nodes_releases_their_external_ips_at_once(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    engine = Engine(_state(tmp_path))
    pool = engine.state.resources["ContainerCluster/hello-cluster"].status["pool"]["nodes"]
    ips = {int(ipaddress.ip_address(objects.node_external_ip(n))) for n in pool}
    assert ips <= engine.world.external_ips.first.used
    engine.world.delete_nodes([objects.node_name(n) for n in pool])
    assert not ips & engine.world.external_ips.first.used


def test_a_state_written_before_nodes_had_external_ips_still_loads(cli, hello, tmp_path):
    """Node objects kept their shape (status.addresses gained an entry type): an older state's nodes, recorded
    without an ExternalIP, load, re-plan with no changes, and new nodes get addresses clear of the LB's."""
    assert cli("apply", str(hello), "--auto-approve").code == 0
    path = tmp_path / "planner.state.json"
    data = json.loads(path.read_text())
    for node in data["resources"]["ContainerCluster/hello-cluster"]["status"]["pool"]["nodes"]:
        node["status"]["addresses"] = [a for a in node["status"]["addresses"] if a["type"] == "InternalIP"]
    path.write_text(json.dumps(data))
    assert "No changes." in cli("plan", str(hello)).out
    assert all(n["externalIP"] == "<none>" for n in _nodes(cli))
    write(hello / "pool.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerNodePool\n"
                               "metadata:\n  name: extra\nspec:\n  clusterRef:\n    name: hello-cluster\n"
                               "  location: us-central1-b\n  nodeCount: 2\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    fresh = [n["externalIP"] for n in _nodes(cli) if "-extra-" in n["name"]]
    lb = service.external_ip(_state(tmp_path).resources["Service/default/hello-web"].status)
    assert len(set(fresh)) == 2 and lb not in fresh


def test_enable_private_endpoint_updates_the_cluster_in_place(cli, private, tmp_path):
    assert cli("apply", str(private), "--auto-approve").code == 0
    edit(private / "cluster.yaml", "enablePrivateEndpoint: true", "enablePrivateEndpoint: false")
    plan = cli("plan", str(private), "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "ContainerCluster/vault")
    assert change["action"] == "update"
    steps = [s for s in plan["steps"] if s["address"] == "ContainerCluster/vault"]
    assert [(s["actor"], s["component"]) for s in steps] == [("gke", "container-api")]
    assert "access through the public endpoint is enabled" in steps[0]["description"]
    assert cli("apply", str(private), "--auto-approve").code == 0
    observed = _state(tmp_path).resources["ContainerCluster/vault"].status["status"]
    assert observed["endpoint"] == observed["publicEndpoint"] != observed["privateEndpoint"]
    edit(private / "cluster.yaml", "enablePrivateEndpoint: false", "enablePrivateEndpoint: true")
    plan = cli("plan", str(private))
    assert "the cluster's endpoint becomes the private one, 172.16.0.2" in plan.out
    assert cli("apply", str(private), "--auto-approve").code == 0
    assert _state(tmp_path).resources["ContainerCluster/vault"].status["status"]["endpoint"] == "172.16.0.2"
    assert "No changes." in cli("plan", str(private)).out


def test_private_nodes_need_a_vpc_native_cluster_and_without_a_range_are_warned_about(cli, hello):
    cluster = (hello / "cluster.yaml").read_text()
    write(hello / "cluster.yaml", cluster + "  networkingMode: ROUTES\n  privateClusterConfig:\n"
                                            "    enablePrivateNodes: true\n    masterIpv4CidrBlock: 172.16.0.0/28\n")
    result = cli("validate", str(hello))
    assert result.code == 1 and "private clusters must be VPC-native" in result.err
    write(hello / "cluster.yaml", cluster + "  privateClusterConfig:\n    enablePrivateNodes: true\n")
    result = cli("plan", str(hello))
    assert result.code == 0 and "Private Service Connect" in result.err + result.out
    assert "and no external IP (private nodes" in result.out
