"""Stage 3: turn valid documents into resources with addresses, defaults and a canonical digest.

Addresses: `ContainerCluster/<name>`, `ContainerNodePool/<name>`, `<Kind>/<namespace>/<name>` for namespaced kinds,
`<Kind>/<name>` for cluster-scoped ones. The digest is taken over the defaulted manifest, so unchanged resources
are recognised without any field-level diff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner import kinds, sensitive
from planner.errors import Diagnostic, PlannerError
from planner.kinds.defaulting import apply_defaults
from planner.knowledge import naming
from planner.knowledge.naming import replica_set_name
from planner.knowledge.secrets import secret_env_name
from planner.load import Document, locate
from planner.relations import index_of
from planner.validate import ValidDocument

SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
                   "deletionTimestamp", "deletionGracePeriodSeconds")
"""Metadata written by the API server, never part of a desired state."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One desired (or last-applied) object, defaulted; `manifest` never contains status or secret values."""

    address: str
    family: str
    api_version: str
    kind: str
    name: str
    namespace: str | None
    manifest: dict[str, Any]
    digest: str
    document: Document | None = field(default=None, compare=False)

    def spec(self) -> dict[str, Any]:
        return self.manifest.get("spec") or {}


@dataclass
class DesiredState:
    resources: dict[str, Resource]
    roots: list[str]
    kubernetes_version: str
    warnings: list[Diagnostic] = field(default_factory=list)
    skipped: int = 0
    """Documents skipped as unknown kinds (--skip-unknown): the mass-deletion banner names them."""

    @property
    def cluster(self) -> Resource | None:
        return next((r for r in self.resources.values() if kinds.spec_of(r.family).is_cluster), None)


def address_of(kind: str, name: str, namespace: str | None) -> str:
    return f"{kind}/{namespace}/{name}" if namespace is not None else f"{kind}/{name}"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_REPLICA_SETS: dict[tuple[str, str], str] = {}


def replica_set_of(name: str, manifest: dict[str, Any], digest: str = "") -> str:
    """A Deployment's current ReplicaSet name. Memoized by the manifest's digest: the plan's steps, its preview and
    apply all ask for it, and hashing the template is the costly part."""
    key = (name, digest)
    found = _REPLICA_SETS.get(key) if digest else None
    if found is None:
        template = (manifest.get("spec") or {}).get("template") or {}
        found = replica_set_name(name, canonical_json(template))
        if digest and len(_REPLICA_SETS) < 200_000:
            _REPLICA_SETS[key] = found
    return found


def known_replica_set(name: str, digest: str) -> str | None:
    """The ReplicaSet name memoized for a Deployment's digest (planner.cache stores it with the resource)."""
    return _REPLICA_SETS.get((name, digest))


def remember_replica_set(name: str, digest: str, replica_set: str) -> None:
    if len(_REPLICA_SETS) < 200_000:
        _REPLICA_SETS[(name, digest)] = replica_set


def _digest_parts(manifest: dict[str, Any]) -> tuple[str, str | None]:
    """The manifest's digest, and the canonical JSON of its Pod template when it has one: the template is
    serialized once and serves both the digest and the ReplicaSet name."""
    spec = manifest.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or not isinstance(template, dict):
        return hashlib.blake2b(canonical_json(manifest).encode(), digest_size=16).hexdigest(), None
    template_json = canonical_json(template)
    rest = canonical_json({**manifest, "spec": {**spec, "template": None}})
    return hashlib.blake2b(f"{rest}\x00{template_json}".encode(), digest_size=16).hexdigest(), template_json


def digest_of(manifest: dict[str, Any]) -> str:
    return _digest_parts(manifest)[0]


SecretKey = Callable[[], bytes]
"""Where the key of the secret values' digests comes from: the state backend's `secret_key` (called only when
there is a secret value to mask, so a state without Secrets never needs a key file)."""

SECRET_DIGEST = "hmac-sha256:"
LEGACY_SECRET_DIGEST = "sha256:"
"""Before keyed digests, secret values were kept as `sha256:` + 16 hex digits of their unsalted SHA-256: reversible
by hashing guesses ("password" is sha256:5e884898da280471)."""

_PROCESS_KEY = secrets.token_bytes(32)


def process_key() -> bytes:
    """The key when there is no state (`validate`): random per process, as its digests are never compared."""
    return _PROCESS_KEY


_LEGACY_DIGESTS: dict[tuple[bytes, str], str] = {}
"""(key, legacy digest) -> keyed digest of the secret values masked in this process, so that a state written
before keyed digests can be read as if written with them (`keyed_digest_for_legacy`)."""


def _mask_secret(manifest: dict[str, Any], fields: tuple[str, ...], secret_key: SecretKey = process_key) -> None:
    """Keep only a keyed digest (HMAC-SHA256) of each secret value: enough to see that it changed, never the value,
    and not reversible by hashing guesses without the key, which lives outside the state and the plans."""
    key: bytes | None = None
    for name in fields:
        values = manifest.get(name)
        if not isinstance(values, dict):
            continue
        if values and key is None:
            key = secret_key()
        masked = {}
        for k, v in values.items():
            raw = str(v).encode()
            assert key is not None
            digest = SECRET_DIGEST + hmac.new(key, raw, hashlib.sha256).hexdigest()
            if len(_LEGACY_DIGESTS) < 200_000:
                _LEGACY_DIGESTS[(key, LEGACY_SECRET_DIGEST + hashlib.sha256(raw).hexdigest()[:16])] = digest
            masked[k] = digest
        manifest[name] = masked


def mask_secret_env(manifest: dict[str, Any], pod_spec: Callable[[dict[str, Any]], Mapping[str, Any] | None],
                    secret_key: SecretKey) -> dict[str, Any]:
    """Env literals whose names say they are secret (knowledge.secrets) or that the `planner.dev/sensitive`
    annotation names become keyed digests, as Secret data does. The manifest is copied first when there is one:
    its lists are shared with the parsed document."""
    names = sensitive.marked(manifest)
    extra = names.env if names is not None else frozenset()
    spec = pod_spec(manifest) or {}
    if not any(_secret_literal(e, extra) for c in sensitive.containers(spec) for e in sensitive.env_of(c)):
        return manifest
    manifest = json.loads(canonical_json(manifest))
    key = secret_key()
    for container in sensitive.containers(pod_spec(manifest) or {}):
        for entry in sensitive.env_of(container):
            if _secret_literal(entry, extra):
                entry["value"] = SECRET_DIGEST + hmac.new(key, str(entry["value"]).encode(), hashlib.sha256).hexdigest()
    return manifest


def mask_marked_fields(manifest: dict[str, Any], secret_key: SecretKey) -> dict[str, Any]:
    """The values the `planner.dev/sensitive` annotation names by JSON pointer become keyed digests (on a copy)."""
    names = sensitive.marked(manifest)
    if names is None or not names.pointers:
        return manifest
    manifest = json.loads(canonical_json(manifest))
    key = secret_key()
    sensitive.mask_pointers(manifest, names.pointers,
                            lambda v: SECRET_DIGEST + hmac.new(key, v.encode(), hashlib.sha256).hexdigest(),
                            lambda v: v.startswith(SECRET_DIGEST))
    return manifest


def _secret_literal(entry: dict[str, Any], extra: frozenset[str] = frozenset()) -> bool:
    """A secret env var (by its name, or named by the annotation) with a literal value that is not a digest already
    (a stored manifest's)."""
    value, name = entry.get("value"), entry.get("name")
    return ((secret_env_name(name) or (isinstance(name, str) and name in extra)) and value is not None
            and not str(value).startswith(SECRET_DIGEST))


def keyed_digest_for_legacy(key: bytes, legacy: str) -> str | None:
    """The keyed digest of a value masked in this process whose legacy digest is `legacy` (None if none was)."""
    return _LEGACY_DIGESTS.get((key, legacy))


def has_legacy_candidates() -> bool:
    return bool(_LEGACY_DIGESTS)


def to_resource(valid: ValidDocument, secret_key: SecretKey = process_key) -> Resource:
    data = valid.document.data
    kind, api_version = data["kind"], data["apiVersion"]
    manifest = {k: v for k, v in data.items() if k != "status"}
    metadata = {k: v for k, v in (manifest.get("metadata") or {}).items() if k not in SERVER_METADATA}
    name = metadata["name"]
    namespace: str | None = None
    if kinds.is_namespaced(api_version, kind):
        namespace = metadata.get("namespace") or "default"
        metadata["namespace"] = namespace
    manifest["metadata"] = metadata
    _drop_null_template_timestamps(manifest)
    if valid.document.shared:  # defaults must not write through YAML aliases into other documents
        manifest = json.loads(canonical_json(manifest))
    apply_defaults(valid.family, manifest)
    spec = kinds.spec_of(valid.family)
    if spec.sensitive_fields:
        _mask_secret(manifest, spec.sensitive_fields, secret_key)
    if spec.pod_spec is not None:
        manifest = mask_secret_env(manifest, spec.pod_spec, secret_key)
    manifest = mask_marked_fields(manifest, secret_key)
    digest, template_json = _digest_parts(manifest)
    if spec.pod_spec is not None and template_json is not None:
        remember_replica_set(name, digest, replica_set_name(name, template_json))
    return Resource(address_of(kind, name, namespace), valid.family, api_version, kind, name, namespace, manifest,
                    digest, valid.document)


TEMPLATE_METADATA = (("spec", "template", "metadata"), ("spec", "jobTemplate", "metadata"),
                     ("spec", "jobTemplate", "spec", "template", "metadata"))
"""Where Pod and Job templates keep their ObjectMeta (PodTemplateSpec, JobTemplateSpec). `kubectl create ...
--dry-run=client -o yaml` writes `creationTimestamp: null` there: the zero time, which the API server stores as
nothing (metav1.Time's zero value marshals as null; k8s.io/apimachinery/pkg/apis/meta/v1/time.go MarshalJSON)."""


def _drop_null_template_timestamps(manifest: dict[str, Any]) -> None:
    """A template's `creationTimestamp: null` is no field at all, nor is an empty or null template `metadata`, so
    YAML written by kubectl plans as no change. Copies along the path first: the nested dicts belong to the parsed
    document."""
    for path in TEMPLATE_METADATA:
        holder: Any = manifest
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or path[-1] not in holder:
            continue
        node = holder[path[-1]]
        if isinstance(node, dict) and node and node.get("creationTimestamp", 0) is not None:
            continue
        parent = manifest
        for key in path[:-1]:
            parent[key] = dict(parent[key])
            parent = parent[key]
        rest = {k: v for k, v in node.items() if k != "creationTimestamp"} if isinstance(node, dict) else {}
        if rest:
            parent[path[-1]] = rest
        else:  # an empty ObjectMeta is the same as none (Go always writes the struct: `metadata: {}`)
            del parent[path[-1]]


def build(documents: list[ValidDocument], roots: list[str], kubernetes_version: str,
          references_are_errors: bool = True, secret_key: SecretKey = process_key) -> DesiredState:
    """Resources keyed by address, in input order; every duplicate and dangling reference reported at once.

    `planner validate` checks documents, which may be one file of a larger folder: there a reference to a
    namespace or cluster declared elsewhere is a warning; `plan` sees the complete picture and refuses it.
    """
    modelled = [(to_resource(valid, secret_key), server_set_of(valid.document.data)) for valid in documents]
    return assemble(modelled, roots, kubernetes_version, references_are_errors)


def assemble(modelled: list[tuple[Resource, list[str]]], roots: list[str], kubernetes_version: str,
             references_are_errors: bool = True) -> DesiredState:
    """The checks across resources, over resources modelled one by one (in this run, or by an earlier one and
    cached: planner.pipeline); each comes with the server-written fields its document set (`server_set_of`)."""
    errors: list[Diagnostic] = []
    references: list[Diagnostic] = []
    warnings_early: list[Diagnostic] = []
    resources: dict[str, Resource] = {}
    cluster: Resource | None = None
    for resource, server_set in modelled:
        if server_set:
            warnings_early.append(_at(resource, f"{', '.join(server_set)} ignored: written by the API server, not part "
                                                "of a desired state (as `kubectl get -o yaml` prints them)"))
        if resource.address in resources:
            first = resources[resource.address].document
            errors.append(_at(resource, f"duplicate resource {resource.address} (first defined at "
                                        f"{first.where() if first else '?'})"))
            continue
        spec = kinds.spec_of(resource.family)
        if resource.name in spec.builtin_names:
            warnings_early.append(_at(resource, f"{resource.kind} {resource.name} is built in: GKE creates it with "
                                                "the cluster and it cannot be deleted, so this document is ignored"))
            continue
        if spec.is_cluster:
            if cluster is not None:
                errors.append(_at(resource, f"a second ContainerCluster: one state holds one cluster and "
                                            f"{cluster.address} is already declared; plan each cluster with its "
                                            "own --state"))
                continue
            cluster = resource
        resources[resource.address] = resource
    namespaces = kinds.REGISTRY.for_kind("v1", "Namespace")
    declared_namespaces = {r.name for r in resources.values() if r.family == namespaces.family}
    for resource in resources.values():
        ref = naming.cluster_ref(resource.manifest) if cluster is not None else None
        if ref is not None and cluster is not None:
            by, value = ref
            if by == "name" and value != cluster.name:
                references.append(_at(resource, f'clusterRef "{value}" is not the declared cluster '
                                                f'"{cluster.name}"', ("spec", "clusterRef", "name")))
            elif by == "external" and value != naming.gke_name(cluster.manifest):
                references.append(_at(resource, f'clusterRef.external names GKE cluster "{value}", not the declared '
                                                f'cluster "{naming.gke_name(cluster.manifest)}" (one state holds one '
                                                "cluster)", ("spec", "clusterRef", "external")))
            elif by == "external" and (mismatch := naming.other_project(resource.manifest, cluster.api_version,
                                                                        cluster.manifest)):
                references.append(_at(resource, mismatch, ("spec", "clusterRef", "external")))
        if resource.namespace is not None and resource.namespace not in namespaces.builtin_names \
                and resource.namespace not in declared_namespaces:
            references.append(_at(resource, f'namespace "{resource.namespace}" does not exist: it is not built in '
                                        "and no Namespace in the input declares it", ("metadata", "namespace")))
    related = _cross_checks(resources)
    errors.extend(d for d in related if d.severity == "error")
    # Warnings about traffic need the whole picture: one file checked alone would see its Services select nothing.
    warnings: list[Diagnostic] = [d for d in related if d.severity == "warning" and references_are_errors]
    if references_are_errors:
        errors.extend(references)
    else:
        warnings += [Diagnostic("warning", d.message, d.file, d.line, d.column, d.path, d.address) for d in references]
    warnings += [Diagnostic("warning", d.message, d.file, d.line, d.column, d.path, d.address) for d in warnings_early]
    if errors:
        raise PlannerError(sorted(errors, key=Diagnostic.sort_key))
    return DesiredState(resources, roots, kubernetes_version, warnings)


def server_set_of(data: dict[str, Any]) -> list[str]:
    """The fields of a document that only the API server writes: `kubectl get -o yaml` output carries them."""
    metadata = data.get("metadata")
    found = [f"metadata.{k}" for k in SERVER_METADATA if isinstance(metadata, dict) and metadata.get(k)]
    return found + (["status"] if data.get("status") else [])  # `kubectl create --dry-run` prints empty ones


def _cross_checks(resources: dict[str, Resource]) -> list[Diagnostic]:
    """Each family's checks across resources (Services that select nothing, nodePorts claimed twice)."""
    index = index_of((r.family, r.address, r.namespace or "", r.name, r.manifest) for r in resources.values())
    lookup = {r.address: (r.family, r.manifest) for r in resources.values()}
    mine: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for r in resources.values():
        if kinds.spec_of(r.family).cross_check is not None:
            mine.setdefault(r.family, []).append((r.address, r.namespace or "", r.name, r.manifest))
    out: list[Diagnostic] = []
    for family, objects in mine.items():
        check = kinds.spec_of(family).cross_check
        assert check is not None
        out += check(objects, index, lookup)
    return [_located(d, resources) for d in out]


def _located(diagnostic: Diagnostic, resources: Mapping[str, Resource]) -> Diagnostic:
    """A cross-check names the resource (and the field) it is about: point at them in the file."""
    resource = resources.get(diagnostic.address or "")
    if diagnostic.file is not None or resource is None or resource.document is None:
        return diagnostic
    path = tuple(int(p) if p.isdigit() else p for p in re.split(r"\.|\[|\]\.?", diagnostic.path or "") if p)
    line, column = locate(resource.document, path) if path else resource.document.position()
    return Diagnostic(diagnostic.severity, diagnostic.message, resource.document.source.name, line, column,
                      diagnostic.path, diagnostic.address)


def _at(resource: Resource, message: str, path: tuple[str, ...] = ()) -> Diagnostic:
    document = resource.document
    if document is None:
        return Diagnostic("error", message, address=resource.address)
    line, column = locate(document, path) if path else document.position()
    return Diagnostic("error", message, file=document.source.name, line=line, column=column,
                      path=".".join(path) or None, address=resource.address)
