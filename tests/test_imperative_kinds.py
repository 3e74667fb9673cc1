"""Every action of every kind has its imperative equivalent: create, each update change class, replace, delete,
forget. Each kind's hook (`KindSpec.imperative`) is called on changes made from a manifest of that kind, and the
commands are checked for the verb a person would type."""

from __future__ import annotations

import copy

import pytest
import yaml

from planner import kinds
from planner.kinds.defaulting import apply_defaults
from planner.model import SECRET_DIGEST
from planner.plan import Action, FieldChange, ResourceChange

MANIFESTS = {
    "network": "{apiVersion: compute.cnrm.cloud.google.com/v1beta1, kind: ComputeNetwork, metadata: {name: vpc}, "
               "spec: {autoCreateSubnetworks: false}}",
    "subnetwork": "{apiVersion: compute.cnrm.cloud.google.com/v1beta1, kind: ComputeSubnetwork, metadata: {name: sub},"
                  " spec: {region: us-central1, ipCidrRange: 10.0.0.0/20, networkRef: {name: vpc}}}",
    "cluster": "{apiVersion: container.cnrm.cloud.google.com/v1beta1, kind: ContainerCluster, metadata: {name: c}, "
               "spec: {location: us-central1-b, initialNodeCount: 3}}",
    "nodepool": "{apiVersion: container.cnrm.cloud.google.com/v1beta1, kind: ContainerNodePool, metadata: {name: p}, "
                "spec: {clusterRef: {name: c}, location: us-central1-b, nodeCount: 2, "
                "nodeConfig: {machineType: e2-standard-2}}}",
    "namespace": "{apiVersion: v1, kind: Namespace, metadata: {name: shop}}",
    "deployment": "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, spec: {replicas: 2,"
                  " selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers:"
                  " [{name: web, image: 'nginx:1.27', resources: {requests: {cpu: 100m}}}]}}}}",
    "service": "{apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {selector: {app: web}, "
               "ports: [{port: 80, targetPort: 8080}]}}",
    "secret": "{apiVersion: v1, kind: Secret, metadata: {name: creds, namespace: shop}, data: {password: '"
              + SECRET_DIGEST + "abc'}}",
    "statefulset": "{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: db}, spec: {serviceName: db, replicas: 1,"
                   " selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers:"
                   " [{name: pg, image: 'postgres:16'}]}}}}",
    "persistentvolumeclaim": "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}, spec: {accessModes:"
                             " [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}}",
    "daemonset": "{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: agent}, spec: {selector: {matchLabels: "
                 "{app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: agent, "
                 "image: 'example/agent:1'}]}}}}",
    "job": "{apiVersion: batch/v1, kind: Job, metadata: {name: migrate}, spec: {parallelism: 1, template: {spec: "
           "{restartPolicy: Never, containers: [{name: m, image: 'example/m:1'}]}}}}",
    "cronjob": "{apiVersion: batch/v1, kind: CronJob, metadata: {name: report}, spec: {schedule: '0 3 * * *', "
               "jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: report, "
               "image: 'example/report:1'}]}}}}}}",
    "hpa": "{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: web}, spec: {scaleTargetRef: "
           "{apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5, metrics: [{type: "
           "Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]}}",
    "generic": "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}",
}

CREATE = {
    "network": "gcloud compute networks create vpc --subnet-mode=custom",
    "subnetwork": "gcloud compute networks subnets create sub --region=us-central1 --range=10.0.0.0/20 --network=vpc",
    "cluster": "gcloud container clusters create c --zone=us-central1-b --num-nodes=3",
    "nodepool": "gcloud container node-pools create p --zone=us-central1-b --num-nodes=2 --machine-type=e2-standard-2 "
                "--cluster=c",
    "namespace": "kubectl create namespace shop",
    "deployment": "kubectl apply -f - <<'EOF'",  # namespace shop and a container name kubectl would not choose
    "service": "kubectl create service clusterip web -n shop --tcp=80:8080",  # no: port names differ, see below
    "secret": "kubectl create secret generic creds -n shop --from-file=password=./password",
    "statefulset": "kubectl apply -f - <<'EOF'",
    "persistentvolumeclaim": "kubectl apply -f - <<'EOF'",
    "daemonset": "kubectl apply -f - <<'EOF'",
    "job": "kubectl apply -f - <<'EOF'",
    "cronjob": "kubectl apply -f - <<'EOF'",
    "hpa": "kubectl autoscale deployment web --min=2 --max=5 --cpu=60%",
    "generic": "kubectl apply -f - <<'EOF'",
}
CREATE["service"] = "kubectl apply -f - <<'EOF'"  # `create service` names its port 80-8080; this one has no name

DELETE = {
    "network": "gcloud compute networks delete vpc --quiet",
    "subnetwork": "gcloud compute networks subnets delete sub --region=us-central1 --quiet",
    "cluster": "gcloud container clusters delete c --zone=us-central1-b --quiet",
    "nodepool": "gcloud container node-pools delete p --cluster=c --zone=us-central1-b --quiet",
    "namespace": "kubectl delete namespace shop",
    "deployment": "kubectl delete deployment web -n shop",
    "service": "kubectl delete service web -n shop",
    "secret": "kubectl delete secret creds -n shop",
    "statefulset": "kubectl delete statefulset db",
    "persistentvolumeclaim": "kubectl delete persistentvolumeclaim data",
    "daemonset": "kubectl delete daemonset agent",
    "job": "kubectl delete job migrate",
    "cronjob": "kubectl delete cronjob report",
    "hpa": "kubectl delete horizontalpodautoscaler web",
    "generic": "kubectl delete configmap cfg",
}

C = "spec.template.spec.containers[name={}]"
UPDATES = [  # (family, change class, path, new value, a command the equivalent must contain)
    ("network", "store", "spec.routingMode", "GLOBAL", "kubectl apply -f - <<'EOF'"),
    ("subnetwork", "store", "spec.ipCidrRange", "10.0.0.0/19", "kubectl apply -f - <<'EOF'"),
    ("cluster", "release-channel", "spec.releaseChannel.channel", "RAPID",
     "gcloud container clusters update c --zone=us-central1-b --release-channel=rapid"),
    ("cluster", "private-endpoint", "spec.privateClusterConfig.enablePrivateEndpoint", True,
     "gcloud container clusters update c --zone=us-central1-b --enable-private-endpoint"),
    ("cluster", "gke-update", "spec.loggingService", "none", "kubectl apply -f - <<'EOF'"),
    ("nodepool", "resize", "spec.nodeCount", 5,
     "gcloud container clusters resize c --node-pool=p --num-nodes=5 --zone=us-central1-b --quiet"),
    ("nodepool", "autoscaling", "spec.autoscaling", {"minNodeCount": 1, "maxNodeCount": 4},
     "gcloud container node-pools update p --cluster=c --zone=us-central1-b --enable-autoscaling --min-nodes=1 "
     "--max-nodes=4"),
    ("nodepool", "management", "spec.management.autoRepair", False,
     "gcloud container node-pools update p --cluster=c --zone=us-central1-b --no-enable-autorepair "
     "--enable-autoupgrade"),
    ("nodepool", "node-labels", "spec.nodeConfig.labels", {"team": "a"},
     "gcloud container node-pools update p --cluster=c --zone=us-central1-b --node-labels=team=a"),
    ("nodepool", "node-config", "spec.nodeConfig.tags", ["web"], "kubectl apply -f - <<'EOF'"),
    ("nodepool", "node-upgrade", "spec.nodeConfig.machineType", "e2-standard-4",
     "gcloud container node-pools update p --cluster=c --zone=us-central1-b --machine-type=e2-standard-4 "
     "--disk-size=100 --disk-type=pd-balanced"),
    ("nodepool", "gke-update", "spec.version", "1.33", "kubectl apply -f - <<'EOF'"),
    ("namespace", "store", 'metadata.labels["team"]', "a", "kubectl label namespace shop team=a --overwrite"),
    ("deployment", "scale", "spec.replicas", 5, "kubectl scale deployment/web -n shop --replicas=5"),
    ("deployment", "rollout", C.format("web") + ".image", "nginx:1.28",
     "kubectl set image deployment/web -n shop web=nginx:1.28"),
    ("deployment", "rollout", C.format("web") + ".resources.requests.memory", "64Mi",
     "kubectl set resources deployment/web -n shop -c web --requests=cpu=100m,memory=64Mi"),
    ("deployment", "store", "spec.minReadySeconds", 5,
     """kubectl patch deployment/web -n shop --type merge -p '{"spec":{"minReadySeconds":5}}'"""),
    ("service", "type", "spec.type", "NodePort",
     """kubectl patch service/web -n shop --type merge -p '{"spec":{"type":"NodePort"}}'"""),
    ("service", "ports", "spec.ports", [{"port": 81, "targetPort": 8080}],
     """kubectl patch service/web -n shop --type merge -p '{"spec":{"ports":[{"port":81,"targetPort":8080}]}}'"""),
    ("service", "selector", "spec.selector", {"app": "web2"}, "kubectl set selector service web -n shop app=web2"),
    ("service", "traffic_policy", "spec.externalTrafficPolicy", "Local",
     """kubectl patch service/web -n shop --type merge -p '{"spec":{"externalTrafficPolicy":"Local"}}'"""),
    ("service", "store", 'metadata.annotations["a.b/c"]', "d", "kubectl annotate service web -n shop a.b/c=d "
                                                                "--overwrite"),
    ("secret", "store", 'data["password"]', SECRET_DIGEST + "def",
     "kubectl create secret generic creds -n shop --from-file=password=./password --dry-run=client -o yaml | "
     "kubectl apply -f -"),
    ("statefulset", "scale", "spec.replicas", 3, "kubectl scale statefulset/db --replicas=3"),
    ("statefulset", "rollout", C.format("pg") + ".image", "postgres:17", "kubectl set image statefulset/db "
                                                                          "pg=postgres:17"),
    ("statefulset", "store", "spec.minReadySeconds", 3,
     """kubectl patch statefulset/db --type merge -p '{"spec":{"minReadySeconds":3}}'"""),
    ("persistentvolumeclaim", "resize", "spec.resources.requests.storage", "20Gi",
     """kubectl patch persistentvolumeclaim/data --type merge -p '{"spec":{"resources":{"requests":"""
     """{"storage":"20Gi"}}}}'"""),
    ("persistentvolumeclaim", "store", 'metadata.labels["tier"]', "gold",
     "kubectl label persistentvolumeclaim data tier=gold --overwrite"),
    ("daemonset", "rollout", C.format("agent") + ".image", "example/agent:2",
     "kubectl set image daemonset/agent agent=example/agent:2"),
    ("daemonset", "store", "spec.minReadySeconds", 1,
     """kubectl patch daemonset/agent --type merge -p '{"spec":{"minReadySeconds":1}}'"""),
    ("job", "parallelism", "spec.parallelism", 3,
     """kubectl patch job/migrate --type merge -p '{"spec":{"parallelism":3}}'"""),
    ("job", "store", "spec.activeDeadlineSeconds", 60,
     """kubectl patch job/migrate --type merge -p '{"spec":{"activeDeadlineSeconds":60}}'"""),
    ("cronjob", "schedule", "spec.schedule", "0 4 * * *",
     """kubectl patch cronjob/report --type merge -p '{"spec":{"schedule":"0 4 * * *"}}'"""),
    ("cronjob", "template", "spec.jobTemplate.spec.template.spec.containers[name=report].image", "example/report:2",
     "kubectl set image cronjob/report report=example/report:2"),
    ("cronjob", "store", "spec.suspend", True, """kubectl patch cronjob/report --type merge -p '{"spec":"""
                                                """{"suspend":true}}'"""),
    ("hpa", "bounds", "spec.maxReplicas", 9,
     """kubectl patch horizontalpodautoscaler/web --type merge -p '{"spec":{"maxReplicas":9}}'"""),
    ("hpa", "store", 'metadata.labels["x"]', "y", "kubectl label horizontalpodautoscaler web x=y --overwrite"),
    ("generic", "store", 'data["a"]', "c", """kubectl patch configmap/cfg --type merge -p '{"data":{"a":"c"}}'"""),
]


def _manifest(family: str) -> dict:
    return apply_defaults(family, yaml.safe_load(MANIFESTS[family]))


def _change(family: str, action: Action, before: dict | None, after: dict | None, changes=(), classes=()):
    manifest = after or before
    assert manifest is not None
    meta = manifest["metadata"]
    namespace = meta.get("namespace", "default") if kinds.is_namespaced(manifest["apiVersion"], manifest["kind"]) \
        else None
    address = "/".join(p for p in (manifest["kind"], namespace, meta["name"]) if p)
    return ResourceChange(address, family, manifest["apiVersion"], manifest["kind"], meta["name"], namespace, action,
                          changes=tuple(changes), change_classes=tuple(classes), before=before, after=after)


def _commands(change: ResourceChange) -> tuple[str, ...]:
    hook = kinds.spec_of(change.family).imperative
    assert hook is not None, f"{change.family} has no imperative hook"
    commands = hook(change, {})
    assert commands, change
    assert not any(SECRET_DIGEST in c for c in commands), commands  # never a Secret value, not even its digest
    return commands


def _set(manifest: dict, path: str, value: object) -> None:
    from planner.kinds.imperative import tokens

    node = manifest
    parts = tokens(path)
    for part in parts[:-1]:
        if isinstance(part, tuple):
            node = next(item for item in node if item.get(part[0]) == part[1])
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = value


def test_every_family_has_a_hook_and_is_covered_here() -> None:
    families = {spec.family for spec in kinds.specs()}
    assert families == set(MANIFESTS) == set(CREATE) == set(DELETE)
    assert all(kinds.spec_of(f).imperative is not None for f in families)
    for family in families:  # every update change class a kind has is one of the cases below
        classes = set(kinds.spec_of(family).steps) - {"create", "delete"}
        assert classes == {c for f, c, *_ in UPDATES if f == family}, family


@pytest.mark.parametrize("family", sorted(MANIFESTS))
def test_create_delete_replace_and_forget(family: str) -> None:
    manifest = _manifest(family)
    created = _commands(_change(family, Action.CREATE, None, manifest))
    assert CREATE[family] in created[-1] or any(c.startswith(CREATE[family]) for c in created), created
    deleted = _commands(_change(family, Action.DELETE, manifest, None))
    assert deleted == (DELETE[family],)
    replaced = _commands(_change(family, Action.REPLACE, manifest, manifest))
    assert replaced == (*deleted, *created)  # delete, then create again
    forgotten = _commands(_change(family, Action.FORGET, manifest, None))
    assert len(forgotten) == 1 and forgotten[0].startswith("# no command: ") and "abandon" in forgotten[0]


@pytest.mark.parametrize("case", UPDATES, ids=[f"{f}-{c}-{p}" for f, c, p, *_ in UPDATES])
def test_each_update_class(case: tuple) -> None:
    family, change_class, path, value, expected = case
    before = _manifest(family)
    after = copy.deepcopy(before)
    _set(after, path, value)
    commands = _commands(_change(family, Action.UPDATE, before, after, [FieldChange(path, None, value)],
                                 [change_class]))
    assert any(c.startswith(expected) for c in commands), commands


def test_secret_values_never_appear() -> None:
    """A Secret the create verb cannot express is applied from its masked manifest, and the command says so."""
    manifest = _manifest("secret")
    manifest["type"] = "kubernetes.io/tls"
    commands = _commands(_change("secret", Action.CREATE, None, manifest))
    assert commands[0].startswith("# the manifest's Secret values are masked")
    assert 'password: "(sensitive value)"' in commands[1] and SECRET_DIGEST not in commands[1]


def test_the_manifests_in_apply_commands_read_back_as_they_are() -> None:
    """`kubectl apply -f -` here-documents are written by a small YAML writer (PyYAML's is too slow for 10,000):
    every manifest of the examples, and awkward values, read back equal and never end the here-document early."""
    from pathlib import Path

    from planner.kinds.imperative import block_yaml

    examples = Path(__file__).resolve().parents[1] / "examples"
    values = [d for path in sorted(examples.rglob("*.yaml")) for d in yaml.safe_load_all(path.read_text()) if d]
    values.append({"a": ["EOF", "yes", "1.0", "", "x: y", "a\nEOF\nb", None, True, 3.5, [], {}, [[1]]],
                   "k8s.io/x": {"Off": "~"}})
    for value in values:
        text = "\n".join(block_yaml(value))
        assert yaml.safe_load(text) == value
        assert "\nEOF\n" not in f"\n{text}\n"
