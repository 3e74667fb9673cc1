"""The kinds registry: one module per family, each exporting one `KindSpec`, registered here once.

Every stage asks the registry (`spec_of`, `family_of`, `specs`) and calls the spec; none keeps per-family branches.
A new kind is one module plus one line in `_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from planner.kinds.base import CNRM_ANNOTATIONS, GetView, KindSpec
from planner.knowledge import naming

CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ClusterTrustBundle",
    "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass", "FlowSchema", "IngressClass", "IPAddress",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace",
    "PersistentVolume", "PriorityClass", "PriorityLevelConfiguration", "ResourceSlice", "RuntimeClass",
    "ServiceCIDR", "StorageClass", "StorageVersion", "StorageVersionMigration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
})
"""Built-in kinds without a namespace (address `<Kind>/<name>`). Every other built-in kind is namespaced."""

NOT_DECLARABLE: dict[str, str] = {
    "Node": "Nodes are registered by each VM's kubelet; declare a ContainerNodePool with nodeCount instead",
    "Binding": "Bindings are written by kube-scheduler, not declared",
    "ComponentStatus": "ComponentStatus is read-only",
    "Event": "Events are written by components as things happen, not declared",
    "Eviction": "Evictions are requests, not objects to keep",
    "Scale": "Scale is a subresource; set spec.replicas on the workload instead",
    "TokenRequest": "TokenRequest is a request, not an object to keep",
    "TokenReview": "TokenReview is a request, not an object to keep",
    "SelfSubjectReview": "SelfSubjectReview is a request, not an object to keep",
    "SubjectAccessReview": "SubjectAccessReview is a request, not an object to keep",
    "LocalSubjectAccessReview": "LocalSubjectAccessReview is a request, not an object to keep",
    "SelfSubjectAccessReview": "SelfSubjectAccessReview is a request, not an object to keep",
    "SelfSubjectRulesReview": "SelfSubjectRulesReview is a request, not an object to keep",
}
"""Kinds with an upstream schema that make no sense in a desired state, and what to do instead."""

_MODULES = ("network", "cluster", "nodepool", "namespace", "deployment", "service", "secret", "statefulset",
            "volumeclaim", "daemonset", "job", "cronjob", "hpa", "generic")
"""The registered families, by module name under planner.kinds: each module exports `SPEC` (or `SPECS`, for a few
families that belong together, such as a VPC network and its subnetworks)."""


class Registry:
    """Specs by family and by (apiVersion, kind). Registering a family or a kind twice is an error."""

    def __init__(self) -> None:
        self._by_family: dict[str, KindSpec] = {}
        self._by_kind: dict[tuple[str, str], KindSpec] = {}
        self._fallback: KindSpec | None = None
        self._views: dict[str, GetView] = {}
        self.generation = 0
        """Goes up with every (un)registration, so caches of what the specs say know when to rebuild."""

    def register(self, spec: KindSpec) -> KindSpec:
        if spec.family in self._by_family:
            raise ValueError(f"family {spec.family!r} is registered twice")
        for key in spec.kinds:
            if key in self._by_kind:
                raise ValueError(f"{key[1]} ({key[0]}) is claimed by {self._by_kind[key].family!r} and "
                                 f"{spec.family!r}")
        if not spec.kinds:
            if self._fallback is not None:
                raise ValueError(f"two fallback families: {self._fallback.family!r} and {spec.family!r}")
            self._fallback = spec
        for view in spec.views:
            for name in (view.name, *view.aliases):
                if name in self._views:
                    raise ValueError(f"get view {name!r} is registered twice")
                self._views[name] = view
        self._by_family[spec.family] = spec
        self._by_kind.update(dict.fromkeys(spec.kinds, spec))
        self.generation += 1
        return spec

    def unregister(self, family: str) -> None:
        """For tests that register a toy family and remove it again."""
        spec = self._by_family.pop(family)
        for key in spec.kinds:
            self._by_kind.pop(key, None)
        self._views = {name: v for name, v in self._views.items() if v not in spec.views}
        if self._fallback is spec:
            self._fallback = None
        self.generation += 1

    def spec(self, family: str) -> KindSpec:
        return self._by_family[family]

    def for_kind(self, api_version: str, kind: str) -> KindSpec:
        found = self._by_kind.get((api_version, kind))
        if found is not None:
            return found
        assert self._fallback is not None, "no fallback family registered"
        return self._fallback

    def modelled(self) -> Iterator[tuple[str, str]]:
        return iter(self._by_kind)

    def __iter__(self) -> Iterator[KindSpec]:
        return iter(self._by_family.values())

    def view(self, name: str) -> GetView | None:
        return self._views.get(name)

    def views(self) -> list[GetView]:
        seen: dict[str, GetView] = {}
        for view in self._views.values():
            seen.setdefault(view.name, view)
        return list(seen.values())


REGISTRY = Registry()
for _name in _MODULES:
    _module = importlib.import_module(f"planner.kinds.{_name}")
    for _spec in getattr(_module, "SPECS", None) or (_module.SPEC,):
        REGISTRY.register(_spec)


def spec_of(family: str) -> KindSpec:
    return REGISTRY.spec(family)


def family_of(api_version: str, kind: str) -> str:
    return REGISTRY.for_kind(api_version, kind).family


def is_namespaced(api_version: str, kind: str) -> bool:
    spec = REGISTRY.for_kind(api_version, kind)
    return spec.namespaced if spec.namespaced is not None else kind not in CLUSTER_SCOPED


def specs() -> Iterator[KindSpec]:
    return iter(REGISTRY)


_IMMUTABLE: dict[str, tuple[str, ...]] = {}


def immutable_paths(family: str) -> tuple[str, ...]:
    """The fields a family's CRD marks Immutable (`x-planner-immutable` of its generated schema), as path prefixes;
    empty for kinds without a CRD. `[*]` items are dropped: a change inside a list names the list's path."""
    found = _IMMUTABLE.get(family)
    if found is None:
        from planner.schemas import own_schema  # schemas is a stage module: imported when first needed

        names = [n for n in REGISTRY.spec(family).schema.own if n.endswith(".crd.schema.json")]
        paths = {str(p).split("[*]")[0] for n in names for p in own_schema(n).get("x-planner-immutable", ())}
        found = _IMMUTABLE[family] = tuple(sorted(paths))
    return found


_REPLACE_RULES: dict[str, tuple[tuple[str, str], ...]] = {}


def replace_rules(family: str) -> tuple[tuple[str, str], ...]:
    """(path prefix, why) of every field whose change forces replacement: the kind's own table first, then each
    field its CRD marks Immutable unless the real API updates it in place (`KindSpec.updated_in_place`)."""
    found = _REPLACE_RULES.get(family)
    if found is None:
        spec = REGISTRY.spec(family)
        in_place = [prefix for prefix, _source in spec.updated_in_place]
        marked = [(path, f"Config Connector's CRD marks {path} Immutable, and the API cannot change it in place")
                  for path in immutable_paths(family)
                  if not any(path == p or path.startswith(p + ".") or path.startswith(p + "[") for p in in_place)]
        if CNRM_ANNOTATIONS in spec.schema.own:
            marked.append((f'metadata.annotations["{naming.PROJECT_ID_ANNOTATION}"]',
                           "the object moves to another Google Cloud project, where it is a new resource (Config "
                           "Connector refuses to change the annotation in place)"))
        found = _REPLACE_RULES[family] = (*spec.replace_paths, *marked)
    return found

