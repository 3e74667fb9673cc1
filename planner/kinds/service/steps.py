"""A Service's plan steps and the context that fills them: kube-apiserver's allocations, EndpointSlices, kube-proxy,
and the two flavours of GKE's external load balancer.

Sources: Services and kube-proxy (kubernetes.io); cloud-provider-gcp providers/gce/gce_loadbalancer_external.go
(the target-pool flavour: a static address while building, firewall k8s-fw-<lb>, the shared node health check
k8s-<cluster-id>-node or a per-Service one on healthCheckNodePort, target pool, forwarding rule; neither target pools
nor forwarding rules are updated in place; finalizer gke.networking.io/l4-netlb-v1; ImplementedElsewhere for
backend-service Services); gce_loadbalancer_naming.go (names); kubernetes/ingress-gce pkg/l4lb/l4netlbcontroller.go
and pkg/loadbalancers/l4netlb.go (the backend-service flavour); k8s.io/cloud-provider controllers/service (a
Service with a loadBalancerClass is not service-controller's); GKE "LoadBalancer Service parameters" (NEG backends
from 1.32.2-gke.1652000).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, Manifest, S, StepTemplate
from planner.kinds.cluster import service_range
from planner.kinds.service.live import (
    NODE_PORT_TYPES,
    PORT_PROTOCOL,
    field,
    health_check_node_port,
    live_ports,
    load_balancer,
    manifest_spec,
)
from planner.knowledge import naming

if TYPE_CHECKING:
    from planner.plan import Operation

NODE_PORT_RANGE = f"{naming.NODE_PORT_RANGE[0]}-{naming.NODE_PORT_RANGE[1]}"
HC_RANGES = ", ".join(naming.HEALTH_CHECK_RANGES)

LB_FLAGS = ("lb", "target_pool", "backend_service", "local", "tp_local", "tp_shared", "bs_local", "bs_shared",
            "service_controller", "bs_by_annotation")
"""The flags the load-balancer steps depend on; a type change gains (`gains_<flag>`) or loses (`loses_<flag>`) them."""


def _flags(manifest: Manifest, live: Mapping[str, Any], version: str) -> dict[str, bool]:
    """What a manifest asks for. An existing load balancer keeps the flavour it was built with (GKE does not migrate
    one: ingress-gce preventExistingTargetPoolToRBSMigration; loadBalancerClass is immutable)."""
    spec = manifest_spec(manifest)
    service_type = field(manifest, "spec.type") if manifest else None
    lb = service_type == "LoadBalancer"
    recorded = (load_balancer(live) or {}).get("flavour")
    flavour = (recorded or naming.load_balancer_flavour(manifest, version)) if lb else ""
    target_pool, backend_service = flavour == naming.TARGET_POOL, flavour == naming.BACKEND_SERVICE
    local = lb and spec.get("externalTrafficPolicy") == "Local"
    by_class = bool(spec.get("loadBalancerClass"))
    return {"node_port": service_type in NODE_PORT_TYPES, "lb": lb, "target_pool": target_pool,
            "backend_service": backend_service, "local": local,
            "tp_local": target_pool and local, "tp_shared": target_pool and not local,
            "bs_local": backend_service and local, "bs_shared": backend_service and not local,
            "service_controller": lb and not by_class, "bs_by_annotation": backend_service and not by_class}


def _pairs(manifest: Manifest) -> set[tuple[Any, str]]:
    return {(p.get("port"), p.get("protocol") or PORT_PROTOCOL) for p in manifest_spec(manifest).get("ports") or []}


def _slice_ports(manifest: Manifest) -> list[tuple[str, str, str]]:
    """What an EndpointSlice lists per Service port: its name, targetPort and protocol (not the Service port)."""
    return sorted((str(p.get("name") or ""), str(p.get("targetPort", p.get("port"))),
                   p.get("protocol") or PORT_PROTOCOL) for p in manifest_spec(manifest).get("ports") or [])


def _listed(pairs: set[tuple[Any, str]]) -> str:
    return ", ".join(f"{port}/{protocol}" for port, protocol in sorted(pairs, key=str))


def _port_context(op: Operation, before: Manifest, now: Manifest, node_port: bool) -> Context:
    """Which part of the ports changed: only targetPorts (EndpointSlices and kube-proxy), Service ports (the load
    balancer's firewall rule in place; its forwarding rule again when the port range or protocol moves), nodePorts
    (kube-apiserver)."""
    old_pairs, new_pairs = _pairs(before), _pairs(now)
    old_ports, new_ports = manifest_spec(before).get("ports") or [], manifest_spec(now).get("ports") or []
    old_protocol = (old_ports[0].get("protocol") or PORT_PROTOCOL) if old_ports else ""
    new_protocol = (new_ports[0].get("protocol") or PORT_PROTOCOL) if new_ports else ""
    moved = [(c.before, c.after) for c in op.change.changes
             if c.path.endswith(".nodePort") and c.before is not None and c.after is not None]
    return {
        "ports_moved": old_pairs != new_pairs,
        "range_moved": (naming.port_range(old_ports), old_protocol) != (naming.port_range(new_ports), new_protocol),
        "slices_change": _slice_ports(before) != _slice_ports(now),
        "port_range": naming.port_range(new_ports),
        "added_ports": _listed(new_pairs - old_pairs), "removed_ports": _listed(old_pairs - new_pairs),
        "gains_ports": node_port and bool(new_pairs - old_pairs),
        "loses_ports": node_port and bool(old_pairs - new_pairs),
        "node_port_moves": "; ".join(f"releases nodePort {a} and allocates {b}" for a, b in moved),
        "moves_node_port": bool(moved),
    }


def context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    live = facts.statuses.get(op.change.address) or {}
    spec = manifest_spec(now)
    ports = spec.get("ports") or []
    version = facts.kubernetes_version or naming.MODELLED_GKE_VERSION
    flags, old = _flags(now, live, version), _flags(before, live, version)
    selector = spec.get("selector") or {}
    external_name = spec.get("type") == "ExternalName"
    headless = spec.get("clusterIP") == "None"
    negs = naming.rbs_uses_negs(version)
    built = load_balancer(facts.current(op.change.address, op.phase)) or {}
    out: Context = {
        "lb_name": built.get("name") or "<lb>",
        "has_cluster_ip": not (external_name or headless), "no_cluster_ip": external_name or headless,
        "kind_of_service": f"ExternalName, a DNS CNAME to {spec.get('externalName')}" if external_name else
                           "headless: DNS returns the Pod IPs",
        "type": field(now, "spec.type"), "before_type": field(before, "spec.type"),
        "port_list": ", ".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in ports) or "no ports",
        "target_ports": ", ".join(str(p.get("targetPort", p.get("port"))) for p in ports) or "-",
        "selector": ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "(none)",
        "has_selector": bool(selector), "service_range": service_range(facts),
        "rules": "ClusterIP and NodePort" if flags["node_port"] else "ClusterIP",
        "has_node_port": flags["node_port"], "node_port_range": NODE_PORT_RANGE, "hc_ranges": HC_RANGES,
        "hc_port": naming.NODE_HEALTH_CHECK_PORT, "node_port_text": " and nodePort(s)" if flags["node_port"] else "",
        "gains_node_port": flags["node_port"] and not old["node_port"],
        "loses_node_port": old["node_port"] and not flags["node_port"],
        "rbs_backends": "GCE_VM_IP network endpoint groups (one per zone)" if negs else "the cluster's instance groups",
        "rbs_finalizer": naming.NETLB_FINALIZER_NEGS if negs else naming.NETLB_FINALIZER_INSTANCE_GROUPS,
        "lb_cleanup": naming.LB_CLEANUP_FINALIZER, "tp_finalizer": naming.NETLB_FINALIZER_TARGET_POOL,
        "policy": spec.get("externalTrafficPolicy") or "-",
        "before_policy": manifest_spec(before).get("externalTrafficPolicy") or "-",
        "old_hc_port": health_check_node_port(live) or "-",
        "old_node_ports": ", ".join(str(p["nodePort"]) for p in live_ports(live) if p.get("nodePort")) or "-",
        **_port_context(op, before, now, flags["node_port"] and old["node_port"]),
    }
    out.update(flags)
    for flag in LB_FLAGS:
        out[f"gains_{flag}"] = flags[flag] and not old["lb"]
        out[f"loses_{flag}"] = old[flag] and not flags["lb"]
    lb_stays = flags["lb"] and old["lb"]
    out["to_local"] = lb_stays and flags["local"] and not old["local"]
    out["to_cluster"] = lb_stays and old["local"] and not flags["local"]
    out["policy_local"], out["policy_cluster"] = spec.get("externalTrafficPolicy") == "Local", not flags["local"]
    for flag in ("target_pool", "backend_service"):
        out[f"{flag}_ports"] = lb_stays and flags[flag] and out["ports_moved"]
        out[f"{flag}_range"] = lb_stays and flags[flag] and out["range_moved"]
        out[f"{flag}_to_local"] = flags[flag] and out["to_local"]
        out[f"{flag}_to_cluster"] = flags[flag] and out["to_cluster"]
    return out


HEALTH_CHECK_NODE_PORT = (
    S("cluster-master", "kube-apiserver", "allocates spec.healthCheckNodePort in {node_port_range} "
                                          "(externalTrafficPolicy Local)", "local", source=src.K8S_SOURCE_IP),
    S("node", "kube-proxy", "serves /healthz on the healthCheckNodePort on every node: 200 where the node runs a "
                            "ready endpoint, 503 elsewhere", "local", source=src.K8S_SOURCE_IP),
)

LB_CREATE: tuple[StepTemplate, ...] = (
    S("controller", "service-controller", "event EnsuringLoadBalancer; adds finalizer {lb_cleanup}",
      "service_controller", source=src.K8S_SERVICE_CONTROLLER),
    # target-pool flavour: cloud-provider-gcp ensureExternalLoadBalancer
    S("controller", "service-controller", "adds finalizer {tp_finalizer}", "target_pool", source=src.GCE_LB_EXTERNAL),
    S("gke", "compute-engine", "reserves a static regional address a<Service UID without dashes, 32 chars> (the "
                               "load balancer's name, {lb_name}): it holds the IP while the load balancer is "
                               "built",
      "target_pool", source=src.GCE_LB_EXTERNAL),
    S("gke", "compute-engine", "creates firewall rule k8s-fw-{lb_name} allowing {port_list} to the nodes",
      "target_pool", source=src.GCE_LB_EXTERNAL),
    S("gke", "compute-engine", "ensures the cluster's shared node health check k8s-<cluster-id>-node (HTTP "
                               "{hc_port} /healthz, kube-proxy's) and firewall rule k8s-<cluster-id>-node-http-hc "
                               "from Google's health-check ranges {hc_ranges}", "tp_shared", source=src.GCE_LB_NAMING),
    S("gke", "compute-engine", "creates health check {lb_name} (HTTP healthCheckNodePort /healthz) and firewall rule "
                               "k8s-{lb_name}-http-hc from Google's health-check ranges {hc_ranges}", "tp_local",
      source=src.GCE_LB_NAMING),
    S("gke", "compute-engine", "creates target pool {lb_name} holding every node, checked by that health check",
      "target_pool", source=src.GCE_LB_EXTERNAL),
    S("gke", "compute-engine", "creates forwarding rule {lb_name}: external IP:{port_range} -> target pool (billable), "
                               "then releases the static reservation (the IP stays on the rule)", "target_pool",
      source=src.GCE_LB_EXTERNAL),
    S("controller", "service-controller", "event EnsuredLoadBalancer; writes status.loadBalancer.ingress[0].ip "
                                          "(EXTERNAL-IP shows <pending> until now)", "target_pool",
      source=src.K8S_SERVICE_CONTROLLER),
    # backend-service flavour: cloud-provider-gcp steps aside, ingress-gce's L4 NetLB controller builds it
    S("controller", "service-controller", "cloud-provider-gcp returns ImplementedElsewhere: no load balancer from "
                                          "service-controller", "bs_by_annotation", source=src.GCE_LB_EXTERNAL),
    S("controller", "l4-netlb-controller", "adds finalizer {rbs_finalizer}", "backend_service",
      source=src.INGRESS_GCE_L4NETLB),
    S("gke", "compute-engine", "creates the shared health check k8s2-<cluster-id>-l4-shared-hc (HTTP {hc_port} "
                               "/healthz) and its firewall rule from {hc_ranges}", "bs_shared",
      source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    S("gke", "compute-engine", "creates health check k8s2-<hash> (HTTP healthCheckNodePort /healthz) and its firewall "
                               "rule from {hc_ranges}", "bs_local", source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    S("gke", "compute-engine", "creates regional backend service k8s2-<hash> with {rbs_backends} as backends",
      "backend_service", source=src.GKE_LB_PARAMETERS),
    S("gke", "compute-engine", "reserves address a<Service UID without dashes, 32 chars> and creates forwarding rule "
                               "of that name: external IP:{port_range} -> backend service (billable)",
      "backend_service", source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    S("gke", "compute-engine", "creates firewall rule k8s2-<hash> allowing {port_list} to the nodes",
      "backend_service", source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    S("controller", "l4-netlb-controller", "writes status.loadBalancer.ingress[0].ip (EXTERNAL-IP shows <pending> "
                                           "until now); event SyncLoadBalancerSuccessful", "backend_service",
      source=src.INGRESS_GCE_L4NETLB),
    S("node", "kube-proxy", "programs the load balancer's IP on every node: packets to EXTERNAL-IP:port reach a "
                            "Pod like the nodePort's", "lb", source=src.K8S_KUBE_PROXY),
)

LB_TEARDOWN: tuple[StepTemplate, ...] = (
    S("controller", "service-controller", "deletes forwarding rule {lb_name}, then target pool {lb_name} and its "
                                          "health check (the shared node check only when no other target pool uses "
                                          "it) with its firewall rule, firewall rule k8s-fw-{lb_name} and any address "
                                          "{lb_name}; removes finalizer {tp_finalizer}", "target_pool",
      source=src.GCE_LB_EXTERNAL),
    S("controller", "l4-netlb-controller", "deletes forwarding rule and address a<UID>, firewall rule k8s2-<hash>, "
                                           "backend service k8s2-<hash>, health check(s) and their firewall rules; "
                                           "event DeletedLoadBalancer; removes finalizer {rbs_finalizer}",
      "backend_service", source=src.INGRESS_GCE_L4NETLB),
    S("controller", "service-controller", "removes finalizer {lb_cleanup}", "service_controller",
      source=src.K8S_SERVICE_CONTROLLER),
)

STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({type}); allocates a ClusterIP "
                                              "from the Service range {service_range}", "has_cluster_ip",
                                                source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({kind_of_service}): no "
                                              "ClusterIP is allocated", "no_cluster_ip", source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in {node_port_range} for {port_list}",
          "has_node_port", source=src.K8S_SERVICE),
        HEALTH_CHECK_NODE_PORT[0],
        S("controller", "endpointslice-controller", "creates EndpointSlice {name}-<5 chars> for the Pods selected by "
                                                    "{selector}, targetPort {target_ports}: empty until such Pods "
                                                    "exist; Pods not yet ready are listed with ready: false",
          "has_selector", source=src.K8S_ENDPOINTSLICES),
        S("node", "kube-proxy", "programs {rules} rules on every node", "has_cluster_ip", source=src.K8S_KUBE_PROXY),
        HEALTH_CHECK_NODE_PORT[1],
        *LB_CREATE,
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "sets deletionTimestamp on Service {name}: the load-balancer "
                                              "finalizers hold it", "lb", source=src.K8S_SERVICE),
        *LB_TEARDOWN,
        S("cluster-master", "kube-apiserver", "frees ClusterIP{node_port_text} and removes Service {name}",
          "has_cluster_ip", source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "removes Service {name}", "no_cluster_ip", source=src.K8S_SERVICE),
        S("controller", "garbage-collector", "deletes its EndpointSlices", source=src.K8S_GARBAGE_COLLECTION),
        S("node", "kube-proxy", "removes its rules from every node", source=src.K8S_KUBE_PROXY),
    ),
    "type": (
        S("cluster-master", "kube-apiserver", "stores type {before_type} -> {type}", source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in {node_port_range} for {port_list}",
          "gains_node_port", source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "frees the nodePort(s)", "loses_node_port", source=src.K8S_SERVICE),
        *(s._replace(when=f"gains_{s.when}") for s in HEALTH_CHECK_NODE_PORT[:1]),
        S("cluster-master", "kube-apiserver", "frees healthCheckNodePort {old_hc_port}", "loses_local",
          source=src.K8S_SOURCE_IP),
        S("node", "kube-proxy", "reprograms {rules} rules on every node", source=src.K8S_KUBE_PROXY),
        *(s._replace(when=f"gains_{s.when}") for s in HEALTH_CHECK_NODE_PORT[1:]),
        *(s._replace(when=f"gains_{s.when}") for s in LB_CREATE),
        *(s._replace(when=f"loses_{s.when}") for s in LB_TEARDOWN),
    ),
    "ports": (
        S("cluster-master", "kube-apiserver", "stores the new ports ({changed})", source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "{node_port_moves} (refused if another Service holds it)",
          "moves_node_port", source=src.K8S_SERVICE_ALLOCATION),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in {node_port_range} for {added_ports}",
          "gains_ports", source=src.K8S_SERVICE_ALLOCATION),
        S("cluster-master", "kube-apiserver", "frees the nodePort(s) of {removed_ports}", "loses_ports",
          source=src.K8S_SERVICE_ALLOCATION),
        S("controller", "endpointslice-controller", "rewrites the EndpointSlices' ports: targetPort {target_ports}",
          "slices_change", source=src.K8S_ENDPOINTSLICES),
        S("node", "kube-proxy", "reprograms the Service rules on every node", source=src.K8S_KUBE_PROXY),
        S("controller", "service-controller", "updates firewall rule k8s-fw-{lb_name} in place to allow {port_list}",
          "target_pool_ports", source=src.GCE_LB_EXTERNAL),
        S("controller", "service-controller", "keeps the IP as static address {lb_name}, deletes forwarding rule "
                                              "{lb_name} and creates it again for {port_range} (forwarding rules "
                                              "cannot be updated: a brief outage), then releases the reservation",
          "target_pool_range", source=src.GCE_LB_EXTERNAL),
        S("controller", "l4-netlb-controller", "updates firewall rule k8s2-<hash> in place to allow {port_list}",
          "backend_service_ports", source=src.INGRESS_GCE_L4NETLB_RESOURCES),
        S("controller", "l4-netlb-controller", "deletes forwarding rule a<UID> and creates it again for {port_range} "
                                               "on the same address (a brief outage)", "backend_service_range",
          source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    ),
    "traffic_policy": (
        S("cluster-master", "kube-apiserver", "stores externalTrafficPolicy {before_policy} -> {policy}",
          source=src.K8S_SERVICE),
        S("cluster-master", "kube-apiserver", "allocates spec.healthCheckNodePort in {node_port_range}", "to_local",
          source=src.K8S_SOURCE_IP),
        S("cluster-master", "kube-apiserver", "frees healthCheckNodePort {old_hc_port}", "to_cluster",
          source=src.K8S_SOURCE_IP),
        S("node", "kube-proxy", "reprograms external traffic on every node: only to Pods on the receiving node, "
                                "client source IP kept (the EndpointSlices do not change)", "policy_local",
          source=src.K8S_SOURCE_IP),
        S("node", "kube-proxy", "reprograms external traffic on every node: to any ready Pod, source NATed to the "
                                "node (the EndpointSlices do not change)", "policy_cluster", source=src.K8S_SOURCE_IP),
        HEALTH_CHECK_NODE_PORT[1]._replace(when="to_local"),
        S("node", "kube-proxy", "stops serving healthCheckNodePort {old_hc_port}", "to_cluster",
          source=src.K8S_SOURCE_IP),
        S("controller", "service-controller", "keeps the IP as static address {lb_name} and deletes forwarding rule "
                                              "{lb_name} and target pool {lb_name} (neither can be updated in place): "
                                              "traffic stops", "target_pool_to_local", source=src.GCE_LB_EXTERNAL),
        S("controller", "service-controller", "keeps the IP as static address {lb_name} and deletes forwarding rule "
                                              "{lb_name}, target pool {lb_name}, health check {lb_name} and firewall "
                                              "rule k8s-{lb_name}-http-hc: traffic stops", "target_pool_to_cluster",
          source=src.GCE_LB_EXTERNAL),
        S("gke", "compute-engine", "creates health check {lb_name} (HTTP healthCheckNodePort /healthz) and firewall "
                                   "rule k8s-{lb_name}-http-hc from {hc_ranges}; deletes the shared node check unless "
                                   "another target pool uses it", "target_pool_to_local", source=src.GCE_LB_NAMING),
        S("gke", "compute-engine", "ensures the shared node health check k8s-<cluster-id>-node (HTTP {hc_port} "
                                   "/healthz) and firewall rule k8s-<cluster-id>-node-http-hc",
          "target_pool_to_cluster", source=src.GCE_LB_NAMING),
        S("gke", "compute-engine", "creates target pool {lb_name} again with that health check, then forwarding rule "
                                   "{lb_name}, and releases the reservation: traffic flows again (a brief outage)",
          "target_pool_to_local", source=src.GCE_LB_EXTERNAL),
        S("gke", "compute-engine", "creates target pool {lb_name} again with that health check, then forwarding rule "
                                   "{lb_name}, and releases the reservation: traffic flows again (a brief outage)",
          "target_pool_to_cluster", source=src.GCE_LB_EXTERNAL),
        S("controller", "l4-netlb-controller", "creates health check k8s2-<hash> (HTTP healthCheckNodePort /healthz) "
                                               "and its firewall rule, and points backend service k8s2-<hash> at it "
                                               "(updated in place: no outage)", "backend_service_to_local",
          source=src.INGRESS_GCE_L4NETLB_RESOURCES),
        S("controller", "l4-netlb-controller", "points backend service k8s2-<hash> at the shared health check "
                                               "k8s2-<cluster-id>-l4-shared-hc (updated in place: no outage); the "
                                               "Service's own check stays until the Service is deleted",
          "backend_service_to_cluster", source=src.INGRESS_GCE_L4NETLB_RESOURCES),
    ),
    "selector": (
        S("cluster-master", "kube-apiserver", "stores the new selector {selector}", source=src.K8S_SERVICE),
        S("controller", "endpointslice-controller", "recomputes the EndpointSlices from the Pods now selected",
          source=src.K8S_ENDPOINTSLICES),
        S("node", "kube-proxy", "reprograms the Service's endpoints on every node", source=src.K8S_KUBE_PROXY),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed})", source=src.K8S_SERVICE),
    ),
}
