"""ComputeNetwork and ComputeSubnetwork: created by Compute Engine before the cluster, deleted after it; malformed
and overlapping ranges refused at file:line:column."""

from __future__ import annotations

import pytest
from conftest import edit, write

VPC = """apiVersion: compute.cnrm.cloud.google.com/v1beta1
kind: ComputeNetwork
metadata:
  name: shop-vpc
spec:
  autoCreateSubnetworks: false
---
apiVersion: compute.cnrm.cloud.google.com/v1beta1
kind: ComputeSubnetwork
metadata:
  name: shop-nodes
spec:
  region: us-central1
  ipCidrRange: 10.10.0.0/20
  networkRef:
    name: shop-vpc
  secondaryIpRange:
    - rangeName: pods
      ipCidrRange: 10.20.0.0/14
    - rangeName: services
      ipCidrRange: 10.24.0.0/20
"""


def _addresses(plan: dict, phase: str) -> list[str]:
    seen: list[str] = []
    for step in plan["steps"]:
        if step["phase"] == phase and step["address"] not in seen:
            seen.append(step["address"])
    return seen


def test_the_network_comes_first_and_goes_last(cli, hello):
    write(hello / "vpc.yaml", VPC)
    plan = cli("plan", str(hello), "-o", "json").json()
    created = _addresses(plan, "create")
    assert created[:3] == ["ComputeNetwork/shop-vpc", "ComputeSubnetwork/shop-nodes", "ContainerCluster/hello-cluster"]
    steps = {s["address"]: (s["actor"], s["component"]) for s in plan["steps"]}
    assert steps["ComputeSubnetwork/shop-nodes"] == ("gke", "compute-engine")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    out = cli("destroy", "--auto-approve").out
    order = [line.split(":")[0] for line in out.splitlines() if "Destruction complete" in line]
    assert order[-3:] == ["ContainerCluster/hello-cluster", "ComputeSubnetwork/shop-nodes", "ComputeNetwork/shop-vpc"]


def test_malformed_and_overlapping_ranges_are_refused_where_they_are_written(cli, tmp_path):
    bad = VPC.replace("10.10.0.0/20", "10.10.0.1/20").replace("10.24.0.0/20", "10.20.16.0/20")
    write(tmp_path / "vpc.yaml", bad)
    result = cli("validate", "vpc.yaml")
    assert result.code == 1
    assert 'vpc.yaml:14:16: spec.ipCidrRange: invalid CIDR block "10.10.0.1/20"' in result.err
    assert "vpc.yaml:21:20: spec.secondaryIpRange[1].ipCidrRange: 10.20.16.0/20 overlaps 10.20.0.0/14" in result.err


def test_a_subnetwork_must_name_a_declared_network(cli, hello):
    write(hello / "vpc.yaml", VPC.replace("name: shop-vpc\n\n", "").split("---\n", 1)[1])
    result = cli("plan", str(hello))
    assert result.code == 1 and 'networkRef "shop-vpc" names no ComputeNetwork' in result.err


def test_cluster_ranges_in_every_form_the_api_takes_and_malformed_ones_refused(cli, hello):
    cluster = (hello / "cluster.yaml").read_text()
    for pods, services in (("/16", "/20"), ("10.8.0.0/14", "/22"), ("/9", "10.200.0.0/20")):
        (hello / "cluster.yaml").write_text(cluster + f"  ipAllocationPolicy:\n    clusterIpv4CidrBlock: \"{pods}\"\n"
                                                      f"    servicesIpv4CidrBlock: \"{services}\"\n")
        assert cli("apply", str(hello), "--auto-approve").code == 0
        assert cli("destroy", "--auto-approve").code == 0
    for pods, message in (("999.1.1.1/14", 'invalid CIDR block "999.1.1.1/14"'),
                          ("10.4.0.1/14", 'invalid CIDR block "10.4.0.1/14"'),
                          ("/33", "is outside the sizes this range can have: /8 to /24"),
                          ("34.118.224.0/20", "34.118.224.0/20 overlaps")):
        services = "34.118.224.0/20"
        (hello / "cluster.yaml").write_text(cluster + f"  ipAllocationPolicy:\n    clusterIpv4CidrBlock: \"{pods}\"\n"
                                                      f"    servicesIpv4CidrBlock: \"{services}\"\n")
        result = cli("plan", str(hello))
        assert result.code == 1 and "cluster.yaml:1" in result.err and message in result.err, result.err
        assert "internal error" not in result.err


NAMED_RANGES = """  networkRef:
    name: shop-vpc
  subnetworkRef:
    name: shop-nodes
  ipAllocationPolicy:
    clusterSecondaryRangeName: pods
    servicesSecondaryRangeName: services
"""


def test_a_cluster_takes_its_ranges_from_the_subnetwork_it_names(cli, hello, tmp_path):
    import json

    write(hello / "vpc.yaml", VPC)
    write(hello / "cluster.yaml", (hello / "cluster.yaml").read_text() + NAMED_RANGES)
    plan = cli("plan", str(hello))
    assert plan.code == 0, plan.err
    assert "reserves Pod range 10.20.0.0/14 and Service range 10.24.0.0/20" in plan.out
    assert "internal IPs from subnetwork shop-nodes's primary range 10.10.0.0/20" in plan.out
    assert "allocates a ClusterIP from the Service range 10.24.0.0/20" in plan.out
    assert cli("apply", str(hello), "--auto-approve").code == 0
    nodes = json.loads(cli("get", "nodes", "-o", "json").out)["items"]
    assert all(n["internalIP"].startswith("10.10.0.") and n["podCIDR"].startswith("10.2") for n in nodes)
    services = json.loads(cli("get", "services", "-o", "json").out)["items"]
    assert all(s["clusterIP"].startswith("10.24.") for s in services)
    assert "No changes." in cli("plan", str(hello)).out


def test_a_subnetwork_or_range_name_that_does_not_exist_is_refused(cli, hello):
    write(hello / "vpc.yaml", VPC)
    write(hello / "cluster.yaml", (hello / "cluster.yaml").read_text()
          + NAMED_RANGES.replace("clusterSecondaryRangeName: pods", "clusterSecondaryRangeName: pod"))
    result = cli("plan", str(hello))
    assert result.code == 1 and 'clusterSecondaryRangeName "pod" is not a secondary range of subnetwork shop-nodes' \
        in result.err
    write(hello / "cluster.yaml", (hello / "cluster.yaml").read_text().replace("name: shop-nodes", "name: nope"))
    result = cli("plan", str(hello))
    assert result.code == 1 and 'subnetworkRef "nope" names no ComputeSubnetwork' in result.err


def test_the_vpc_native_example_plans_and_applies(cli, tmp_path):
    import shutil

    from conftest import EXAMPLES

    shutil.copytree(EXAMPLES / "vpc-native", tmp_path / "vpc-native")
    assert cli("apply", "vpc-native", "--auto-approve").code == 0
    assert "No changes." in cli("plan", "vpc-native").out


def _line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_pod_range_too_small_for_the_nodes_fails_where_the_range_is_chosen(cli, tmp_path):
    """Each node takes a /24 of the Pod range for maxPodsPerNode 110 (flexible-pod-cidr): a /23 holds two."""
    import shutil

    from conftest import EXAMPLES

    app = tmp_path / "vpc-native"
    shutil.copytree(EXAMPLES / "vpc-native", app)
    (app / "network.yaml").write_text((app / "network.yaml").read_text().replace("10.20.0.0/14", "10.20.0.0/23"))
    assert cli("plan", "vpc-native").code == 0  # two nodes, two /24s: room enough
    (app / "cluster.yaml").write_text((app / "cluster.yaml").read_text().replace("initialNodeCount: 2",
                                                                                 "initialNodeCount: 3"))
    result = cli("plan", "vpc-native")
    line = _line_of(app / "cluster.yaml", "clusterSecondaryRangeName")
    assert result.code == 1 and f"cluster.yaml:{line}:" in result.err
    assert "Pod range 10.20.0.0/23 is too small: the node pools ask for 3 node(s), each taking a /24" in result.err


def test_an_autoscaler_bound_beyond_the_pod_range_is_a_warning_and_lower_max_pods_fit(cli, hello):
    cluster = hello / "cluster.yaml"
    text = cluster.read_text()
    write(cluster, text.replace("spec:\n", "spec:\n  ipAllocationPolicy:\n    clusterIpv4CidrBlock: /21\n", 1)
          if "ipAllocationPolicy" not in text else text)
    write(hello / "pool.yaml", """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: burst
spec:
  clusterRef:
    name: hello-cluster
  location: us-central1-b
  nodeCount: 1
  autoscaling:
    minNodeCount: 1
    maxNodeCount: 8
""")
    result = cli("plan", str(hello))
    assert result.code == 0, result.err
    assert "cluster-autoscaler may grow the node pools to 11 node(s)" in result.out + result.err
    # 32 Pods per node take a /26 each: with the default pool's three /24s, 1280 of a /21's 2048 addresses.
    edit(hello / "pool.yaml", "  nodeCount: 1\n", "  nodeCount: 1\n  maxPodsPerNode: 32\n")
    result = cli("plan", str(hello))
    assert "may grow" not in result.out + result.err


def test_network_references_that_cannot_hold_together_fail_at_their_line(cli, tmp_path):
    import shutil

    from conftest import EXAMPLES

    app = tmp_path / "vpc-native"
    shutil.copytree(EXAMPLES / "vpc-native", app)
    cluster = app / "cluster.yaml"
    original = cluster.read_text()
    cases = [
        ("  networkRef:\n    name: shop-vpc", "  networkRef:\n    name: other-vpc", "networkRef:",
         'networkRef "other-vpc" names no ComputeNetwork in the input'),
        ("location: us-central1-b", "location: europe-west1-b", "  subnetworkRef:",
         "subnetwork shop-nodes is in us-central1, but the cluster's nodes run in europe-west1"),
        ("  subnetworkRef:\n    name: shop-nodes", "  subnetworkRef:\n    external: shop-nodes", "external:",
         'subnetworkRef.external "shop-nodes" is not in the format projects/{projectID}/regions/{region}/'
         "subnetworks/{subnetworkID}"),
        ("  subnetworkRef:\n    name: shop-nodes",
         "  subnetworkRef:\n    external: projects/p/regions/us-east1/subnetworks/shop-nodes", "external:",
         "subnetworkRef.external is in region us-east1, but the cluster's nodes run in us-central1"),
    ]
    for old, new, at, message in cases:
        cluster.write_text(original.replace(old, new))
        result = cli("plan", "vpc-native")
        line = _line_of(cluster, at) + (1 if at.endswith(":") and at.strip() in ("networkRef:", "subnetworkRef:")
                                        else 0)
        assert result.code == 1 and message in result.err, (new, result.err)
        assert f"cluster.yaml:{line}:" in result.err, (new, line, result.err)


def test_an_external_subnetwork_is_accepted_and_said_to_be_modelled(cli, hello):
    edit(hello / "cluster.yaml", "  initialNodeCount: 3\n", "  initialNodeCount: 3\n  subnetworkRef:\n    external: "
                                                           "projects/shop/regions/us-central1/subnetworks/nodes\n")
    result = cli("plan", str(hello))
    assert result.code == 0, result.err
    assert "subnetwork nodes (external: planner does not know its ranges" in result.out


@pytest.mark.parametrize("text", ["10.0.0.1", "0.0.0.0", "255.255.255.255", "10.4.0.200", "256.1.1.1", "01.2.3.4",
                                  "1.2.3", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4\n", "1.2.3.4/32", "\u0661.2.3.4", "",
                                  "::1", "2001:db8::7", "1.2.3.-4", "+1.2.3.4"])
def test_the_worlds_address_parser_is_ipaddress_exactly(text):
    """simulate.world.ip_int parses the state's addresses with a fast path for dotted quads: the same number, or
    the same refusal, as ipaddress (a state with a damaged address must still be reported as damaged)."""
    import ipaddress

    from planner.simulate.world import ip_int

    try:
        expected: object = int(ipaddress.ip_address(text))
    except ValueError as exc:
        expected = str(exc)
    try:
        got: object = ip_int(text)
    except ValueError as exc:
        got = str(exc)
    assert got == expected
