"""A state's secret values made safe as it is read (planner.api.read_state): what states written by older planners
hold in clear or under unkeyed digests, brought to what this one writes, in memory."""

from __future__ import annotations

from planner import kinds, model
from planner.model import SecretKey
from planner.state import State


def mask_env_literals(state: State, secret_key: SecretKey) -> None:
    """A state written before env secrets were masked holds their literals: masked in memory as the input's are
    (model.mask_secret_env), so an unchanged value plans as unchanged (no spurious rollout) and the next write
    stores only the digest."""
    for resource in state.resources.values():
        hook = kinds.spec_of(resource.family).pod_spec
        if hook is None or not isinstance(resource.manifest, dict):
            continue
        try:
            masked = model.mask_secret_env(resource.manifest, hook, secret_key)
        except (AttributeError, TypeError):  # a damaged record: plan's stored-manifest check names it, show shows it
            continue
        if masked is not resource.manifest:
            consistent = resource.digest == model.digest_of(resource.manifest)
            resource.manifest = masked
            if consistent:
                resource.digest = model.digest_of(masked)


def upgrade_legacy_digests(state: State, secret_key: SecretKey) -> None:
    """A state written before keyed digests holds `sha256:` digests of its secret values. Each one whose value was
    loaded in this process (plan and apply load the input first) gets its keyed digest, in memory: an unchanged
    secret then plans as unchanged, and the next write stores the keyed digest. One whose value is not in the
    input (or changed) stays as it is and plans as changed. `show` of such a state shows the old digests."""
    if not model.has_legacy_candidates():
        return
    key: bytes | None = None
    for resource in state.resources.values():
        fields = kinds.spec_of(resource.family).sensitive_fields
        legacy = [(name, values) for name in fields if isinstance(values := resource.manifest.get(name), dict)
                  and any(isinstance(v, str) and v.startswith(model.LEGACY_SECRET_DIGEST) for v in values.values())]
        if not legacy:
            continue
        key = key or secret_key()
        consistent = resource.digest == model.digest_of(resource.manifest)
        manifest = dict(resource.manifest)
        for name, values in legacy:
            manifest[name] = {k: (model.keyed_digest_for_legacy(key, v) or v) if isinstance(v, str) else v
                              for k, v in values.items()}
        resource.manifest = manifest
        if consistent:
            resource.digest = model.digest_of(manifest)
