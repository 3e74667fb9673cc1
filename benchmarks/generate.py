"""Generate a realistic, deterministic desired state of N resources for benchmarking planner.

    python benchmarks/generate.py N OUTDIR [--seed S] [--force]
    python benchmarks/generate.py --mutate 0.01 OUTDIR [--seed S]

N counts the workload resources: N/2 Deployments and N/2 Services (mostly ClusterIP, ~5% NodePort, ~1%
LoadBalancer, at most 200 LoadBalancers), each Service selecting its Deployment. Around them: one regional
ContainerCluster (default pool removed), one ContainerNodePool of e2-standard-8 sized so that every Pod fits, and
the namespaces the workloads use. Documents are spread over files of ~500 documents in one folder per namespace.

`--mutate F` edits, in place, round(F x resources) Deployments of an existing OUTDIR (so F = 0.01 changes 1% of the
resources): half of them change `replicas` (1 -> 2 -> 3 -> 1), the other half bump the main container's image
patch version. The choice is seeded and depends only on the files, so it is reproducible.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

DOCS_PER_FILE = 500
CLUSTER = "bench-cluster"
POOL = "workloads"
LOCATION = "us-central1"
ZONES = 3
"""A regional pool runs in three zones; nodeCount is per zone."""
MACHINE_TYPE = "e2-standard-8"
FREE_CPU_MILLI = 7710
FREE_MEMORY_MIB = 28723
PODS_PER_NODE = 104
"""What planner's scheduler gives workloads on one e2-standard-8 node (110 Pods minus 6 modelled kube-system Pods);
see planner/knowledge/capacity.py."""
HEADROOM = 1.25
"""Spare node capacity, so that the least-allocated spreading and the 1% mutation (more replicas) still fit."""
MAX_LOAD_BALANCERS = 200
"""The simulated external IP range (203.0.113.0/24) holds 254 addresses."""
MAX_NODE_PORTS = 2000
"""NodePort and LoadBalancer Services each take a port in 30000-32767 (2,768 ports)."""

NAMESPACES = ("storefront", "checkout", "payments", "catalog", "search", "identity", "notifications", "analytics",
              "media", "platform")
NOUNS = ("cart", "order", "invoice", "user", "profile", "sku", "price", "review", "ledger", "refund", "session",
         "token", "coupon", "stock", "shipment", "address", "email", "sms", "report", "thumbnail", "video", "feed",
         "ranking", "query", "audit", "billing", "quota", "webhook", "export", "tenant")
COMPONENTS = ("api", "web", "worker", "gateway", "consumer", "indexer", "scheduler", "grpc", "cache", "sync")
CPU_REQUESTS = ("25m", "50m", "50m", "100m", "100m", "150m", "250m")
MEMORY_REQUESTS = ("64Mi", "64Mi", "96Mi", "128Mi", "128Mi", "192Mi", "256Mi")
PORTS = (8080, 8080, 8080, 8000, 9000, 3000, 5000, 8443)
LOG_LEVELS = ("info", "info", "warn", "debug")
SIDECAR = {"name": "metrics", "image": "quay.io/prometheus/statsd-exporter:v0.26.1",
           "ports": [{"name": "metrics", "containerPort": 9102}],
           "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}}


@dataclass
class Sizing:
    """What the generated workloads need from the node pool."""

    pods: int = 0
    cpu_milli: int = 0
    memory_mib: int = 0

    def add(self, replicas: int, cpu_milli: int, memory_mib: int) -> None:
        self.pods += replicas
        self.cpu_milli += replicas * cpu_milli
        self.memory_mib += replicas * memory_mib

    def nodes_per_zone(self) -> int:
        """Nodes per zone so that Pods, CPU and memory fit with HEADROOM to spare."""
        nodes = max(self.pods / PODS_PER_NODE, self.cpu_milli / FREE_CPU_MILLI, self.memory_mib / FREE_MEMORY_MIB)
        return max(1, math.ceil(nodes * HEADROOM / ZONES))


def _milli(cpu: str) -> int:
    """`50m` -> 50."""
    return int(cpu.removesuffix("m"))


def _mib(memory: str) -> int:
    """`64Mi` -> 64."""
    return int(memory.removesuffix("Mi"))


def dump(doc: dict[str, Any]) -> str:
    """One YAML document in the usual Kubernetes layout (keys in the order written)."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=200)


def infrastructure(nodes_per_zone: int) -> list[dict[str, Any]]:
    """The cluster and its node pool."""
    cluster = {
        "apiVersion": "container.cnrm.cloud.google.com/v1beta1",
        "kind": "ContainerCluster",
        "metadata": {"name": CLUSTER, "annotations": {"cnrm.cloud.google.com/remove-default-node-pool": "true"}},
        "spec": {
            "location": LOCATION,
            "initialNodeCount": 1,
            "releaseChannel": {"channel": "REGULAR"},
            # /10 Pod range: 16,384 node /24s; /12 Service range: ~1M ClusterIPs.
            "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.0.0.0/10", "servicesIpv4CidrBlock": "10.64.0.0/12"},
        },
    }
    pool = {
        "apiVersion": "container.cnrm.cloud.google.com/v1beta1",
        "kind": "ContainerNodePool",
        "metadata": {"name": POOL},
        "spec": {
            "clusterRef": {"name": CLUSTER},
            "location": LOCATION,
            "nodeCount": nodes_per_zone,
            "nodeConfig": {"machineType": MACHINE_TYPE, "diskSizeGb": 100, "labels": {"workload": "general"}},
            "management": {"autoRepair": True, "autoUpgrade": True},
        },
    }
    return [cluster, pool]


def namespace(name: str) -> dict[str, Any]:
    """A declared Namespace for one team."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"team": name, "environment": "production"}}}


def deployment(rng: random.Random, ns: str, name: str, component: str, port: int,
               sizing: Sizing) -> dict[str, Any]:
    """A typical stateless Deployment: 1-3 replicas, small requests, probes, env, sometimes a metrics sidecar."""
    replicas = rng.choice((1, 1, 2, 2, 2, 3))
    cpu, memory = rng.choice(CPU_REQUESTS), rng.choice(MEMORY_REQUESTS)
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ns, "app.kubernetes.io/component": component}
    env: list[dict[str, Any]] = [{"name": "PORT", "value": str(port)},
                                 {"name": "LOG_LEVEL", "value": rng.choice(LOG_LEVELS)}]
    if rng.random() < 0.5:
        env.append({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
    if rng.random() < 0.4:
        env.append({"name": "UPSTREAM_URL", "value": f"http://{rng.choice(NOUNS)}-api.{rng.choice(NAMESPACES)}:80"})
    container: dict[str, Any] = {
        "name": component,
        "image": f"us-docker.pkg.dev/acme-prod/{ns}/{name.rsplit('-', 1)[0]}:{version}",
        "ports": [{"name": "http", "containerPort": port}],
        "env": env,
        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": f"{2 * _mib(memory)}Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": "http"}, "periodSeconds": 10},
        "livenessProbe": {"httpGet": {"path": "/healthz/live", "port": "http"}, "initialDelaySeconds": 15,
                          "periodSeconds": 20},
    }
    containers = [container]
    cpu_milli, memory_mib = _milli(cpu), _mib(memory)
    if rng.random() < 0.1:
        containers.append(SIDECAR)
        cpu_milli, memory_mib = cpu_milli + 10, memory_mib + 32
    sizing.add(replicas, cpu_milli, memory_mib)
    pod_spec: dict[str, Any] = {"containers": containers}
    if rng.random() < 0.3:
        pod_spec["terminationGracePeriodSeconds"] = 45
    template_meta: dict[str, Any] = {"labels": {**labels, "version": f"v{version}"}}
    if len(containers) > 1:
        template_meta["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": "9102"}
    spec: dict[str, Any] = {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                            "template": {"metadata": template_meta, "spec": pod_spec}}
    if rng.random() < 0.2:
        spec["revisionHistoryLimit"] = 5
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec}


def service(ns: str, name: str, component: str, service_type: str, lb_flavour: bool) -> dict[str, Any]:
    """The Service in front of Deployment `name`."""
    metadata: dict[str, Any] = {"name": name, "namespace": ns,
                                "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ns,
                                           "app.kubernetes.io/component": component}}
    if service_type == "LoadBalancer" and lb_flavour:
        metadata["annotations"] = {"cloud.google.com/l4-rbs": "enabled"}
    spec: dict[str, Any] = {}
    if service_type != "ClusterIP" or lb_flavour:  # half of the ClusterIP Services spell out the default type
        spec["type"] = service_type
    spec["selector"] = {"app.kubernetes.io/name": name}
    spec["ports"] = [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def generate(n: int, outdir: Path, seed: int = 1) -> dict[str, int]:
    """Write the desired state for N resources under `outdir`; return counts by kind."""
    rng = random.Random(seed)
    pairs = n // 2
    by_ns: dict[str, list[str]] = {ns: [] for ns in NAMESPACES}
    sizing = Sizing()
    counts = {"Deployment": 0, "Service": 0, "ClusterIP": 0, "NodePort": 0, "LoadBalancer": 0}
    node_ports = 0
    for i in range(pairs):
        ns = NAMESPACES[i % len(NAMESPACES)] if i < len(NAMESPACES) else rng.choice(NAMESPACES)
        component = rng.choice(COMPONENTS)
        name = f"{rng.choice(NOUNS)}-{component}-{i:05d}"
        port = rng.choice(PORTS)
        roll = rng.random()
        service_type = "ClusterIP"
        if roll < 0.01 and counts["LoadBalancer"] < MAX_LOAD_BALANCERS and node_ports < MAX_NODE_PORTS:
            service_type = "LoadBalancer"
        elif roll < 0.06 and node_ports < MAX_NODE_PORTS:
            service_type = "NodePort"
        node_ports += service_type != "ClusterIP"
        counts[service_type] += 1
        svc = service(ns, name, component, service_type, rng.random() < 0.5)
        dep = deployment(rng, ns, name, component, port, sizing)
        by_ns[ns] += [dump(svc), dump(dep)]
        counts["Deployment"] += 1
        counts["Service"] += 1
    cluster_dir = outdir / "cluster"
    cluster_dir.mkdir(parents=True, exist_ok=True)
    header = f"# Generated by benchmarks/generate.py (N={n}, seed={seed}). Do not edit by hand.\n"
    _write(cluster_dir / "cluster.yaml", header, [dump(d) for d in infrastructure(sizing.nodes_per_zone())])
    used = [ns for ns in NAMESPACES if by_ns[ns]]
    _write(cluster_dir / "namespaces.yaml", header, [dump(namespace(ns)) for ns in used])
    for ns in used:
        docs = by_ns[ns]
        for part, start in enumerate(range(0, len(docs), DOCS_PER_FILE), 1):
            folder = outdir / "apps" / ns
            folder.mkdir(parents=True, exist_ok=True)
            _write(folder / f"{ns}-{part:03d}.yaml", header, docs[start:start + DOCS_PER_FILE])
    counts["nodes"] = sizing.nodes_per_zone() * ZONES
    counts["namespaces"] = len(used)
    return counts


def _write(path: Path, header: str, docs: list[str]) -> None:
    """One file: the header comment, then each document after a `---` line."""
    path.write_text(header + "".join(f"---\n{d}" for d in docs), encoding="utf-8")


_DOC_SPLIT = re.compile(r"^---\n", re.MULTILINE)
_REPLICAS = re.compile(r"^  replicas: (\d+)$", re.MULTILINE)
_IMAGE = re.compile(r"^(\s+image: \S+:\d+\.\d+\.)(\d+)$", re.MULTILINE)


def yaml_files(outdir: Path) -> list[Path]:
    """The input files, in the order planner reads them."""
    return sorted(p for p in outdir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def mutate(outdir: Path, fraction: float, seed: int = 1) -> int:
    """Change round(fraction x resources) Deployments in place; return how many were changed."""
    files = yaml_files(outdir)
    texts = {p: _DOC_SPLIT.split(p.read_text(encoding="utf-8")) for p in files}
    deployments: list[tuple[Path, int]] = []
    resources = 0
    for path, parts in texts.items():
        for i, part in enumerate(parts):
            if "\nkind: Deployment\n" in part or part.startswith("kind: Deployment\n"):
                deployments.append((path, i))
                resources += 1
            elif "\nkind: Service\n" in part or part.startswith("kind: Service\n"):
                resources += 1
    count = min(len(deployments), max(1, round(fraction * resources)))
    chosen = random.Random(f"mutate-{seed}").sample(deployments, count)
    for k, (path, i) in enumerate(chosen):
        doc = texts[path][i]
        if k % 2 == 0:
            doc, hits = _REPLICAS.subn(lambda m: f"  replicas: {int(m.group(1)) % 3 + 1}", doc, count=1)
        else:
            doc, hits = _IMAGE.subn(lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", doc, count=1)
        if hits != 1:
            raise SystemExit(f"{path}: document {i} does not look generated; cannot mutate it")
        texts[path][i] = doc
    for path in {p for p, _ in chosen}:
        path.write_text("---\n".join(texts[path]), encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, help="number of resources (N/2 Deployments + N/2 Services)")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mutate", type=float, metavar="F", help="change F x resources Deployments in OUTDIR")
    parser.add_argument("--force", action="store_true", help="delete the *.yaml files already in OUTDIR first")
    args = parser.parse_args(argv)
    if args.mutate is not None:
        if args.n is not None:
            parser.error("--mutate takes OUTDIR only")
        changed = mutate(args.outdir, args.mutate, args.seed)
        print(f"changed {changed} Deployment(s) in {args.outdir}")
        return 0
    if args.n is None or args.n < 2:
        parser.error("N (>= 2) is required")
    existing = yaml_files(args.outdir) if args.outdir.exists() else []
    if existing and not args.force:
        parser.error(f"{args.outdir} already holds {len(existing)} YAML file(s); use --force to replace them")
    for path in existing:
        path.unlink()
    counts = generate(args.n, args.outdir, args.seed)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"-> {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
