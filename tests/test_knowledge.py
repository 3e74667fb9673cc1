"""The knowledge tables are complete and agree with gke-lifecycle.md."""

from __future__ import annotations

import string

import pytest

from planner import kinds
from planner.attribute import facts_for
from planner.knowledge import capacity, naming
from planner.knowledge.components import COMPONENTS
from planner.knowledge.rollout import rolling_bounds
from planner.model import DesiredState
from planner.plan import Action, Operation, ResourceChange

SAMPLE_SPECS = {
    "location": "us-central1-b", "initialNodeCount": 1, "clusterRef": {"name": "c"}, "nodeCount": 2, "replicas": 2,
    "template": {"spec": {"containers": [{"image": "x"}]}}, "type": "LoadBalancer", "ports": [{"port": 80}],
}
"""One manifest whose spec has a little of every kind's fields, so every kind's context can be built from it."""


def test_every_family_has_create_delete_every_update_story_and_every_handler():
    families = list(kinds.specs())
    assert len(families) >= 6
    for spec in families:
        assert "create" in spec.steps and "delete" in spec.steps, spec.family
        for _, cls in spec.change_classes:
            assert cls in spec.steps, (spec.family, cls)
        assert set(spec.handlers) == {"create", "update", "delete"}, spec.family
        assert spec.rank.why, spec.family


def test_every_step_names_a_canonical_component_and_renders():
    manifest = {"metadata": {"name": "y"}, "spec": SAMPLE_SPECS}
    for spec in kinds.specs():
        for key, templates in spec.steps.items():
            for template in templates:
                assert template.component in COMPONENTS[template.actor], template
            phase = key if key in ("create", "delete") else "update"
            change = ResourceChange("X/y", spec.family, "v1", "Kind", "y", None, Action.UPDATE, before=manifest,
                                    after=manifest)
            context = {"kind": "Kind", "name": "y", "changed": "",
                       **spec.context(Operation(phase, change), facts_for([], {}))}
            for template in templates:
                fields = {f for _, f, _, _ in string.Formatter().parse(template.text) if f}
                assert fields <= set(context), (spec.family, key, fields - set(context))
                if template.when:
                    assert template.when in context, (spec.family, key, template.when)


@pytest.mark.parametrize(("machine", "cpu", "memory"), [
    ("n1-standard-1", 940, 2780), ("e2-medium", 940, 2972), ("e2-standard-4", 3920, 13622),
])
def test_allocatable_matches_the_reference(machine, cpu, memory):
    allocatable = capacity.allocatable(machine)
    assert (allocatable.cpu_milli, allocatable.memory_mib) == (cpu, memory)


@pytest.mark.parametrize(("replicas", "expected"), [(1, (1, 0)), (3, (1, 0)), (4, (1, 1)), (10, (3, 2))])
def test_rolling_update_rounding_with_defaults(replicas, expected):
    assert rolling_bounds(replicas) == expected


def test_rolling_update_custom_values():
    assert rolling_bounds(10, 0, 0) == (0, 1)
    assert rolling_bounds(10, "50%", 2) == (5, 2)
    assert rolling_bounds(3, "0%", "34%") == (0, 1)


def test_node_names_fit_63_characters():
    long = naming.node_prefix("c" * 40, "p" * 40, "0123abcd") + "-wxyz"
    assert len(long) <= 63 and long.startswith("gke-ccc")
    assert naming.node_prefix("hello-cluster", "default-pool", "0123abcd") == "gke-hello-cluster-default-pool-0123abcd"


def test_zones():
    assert naming.zones_for("us-central1-b") == ["us-central1-b"]
    assert naming.zones_for("us-central1") == ["us-central1-a", "us-central1-b", "us-central1-c"]
    assert naming.zones_for("us-east1") == ["us-east1-b", "us-east1-c", "us-east1-d"]


def test_desired_state_without_resources_has_no_cluster():
    assert DesiredState({}, [], "1.34").cluster is None


def _shown(replicas, surge, unavailable, old=None):
    from planner.knowledge.rollout import rollout_syncs, waves

    syncs, stalled = rollout_syncs(replicas, replicas if old is None else old, surge, unavailable)
    return [(w.new, w.old) for w in waves(syncs)], stalled


@pytest.mark.parametrize(("replicas", "expected"), [
    (1, [((0, 1), (1, 0))]),
    (3, [((0, 1), (3, 2)), ((1, 2), (2, 1)), ((2, 3), (1, 0))]),
    (4, [((0, 1), (4, 2)), ((1, 3), (2, 0)), ((3, 4), None)]),
    (10, [((0, 3), (10, 5)), ((3, 8), (5, 0)), ((8, 10), None)]),
])
def test_rolling_update_waves_with_default_surge_and_unavailable(replicas, expected):
    surge, unavailable = rolling_bounds(replicas)
    assert _shown(replicas, surge, unavailable) == (expected, False)


def test_rolling_update_waves_with_custom_values():
    # maxSurge 0: old Pods go first, one at a time.
    assert _shown(3, *rolling_bounds(3, 0, 1)) == ([(None, (3, 2)), ((0, 1), (2, 1)), ((1, 2), (1, 0)),
                                                    ((2, 3), None)], False)
    # absolute values: surge 2, unavailable 0, 4 replicas.
    assert _shown(4, *rolling_bounds(4, 2, 0)) == ([((0, 2), (4, 2)), ((2, 4), (2, 0))], False)


def test_a_rollout_with_no_room_for_surge_pods_stalls():
    from planner.knowledge.rollout import rollout_syncs

    syncs, stalled = rollout_syncs(3, 3, 1, 0, place=lambda n: 0)
    assert stalled and [tuple(s) for s in syncs] == [("new", 0, 1)]


def test_recreate_stops_every_old_pod_first():
    from planner.knowledge.rollout import rollout_syncs

    syncs, stalled = rollout_syncs(3, 3, 0, 3, recreate=True)
    assert [tuple(s) for s in syncs] == [("old", 3, 0), ("new", 0, 3)] and not stalled


def test_every_step_template_has_a_source():
    """Each step names where its fact comes from (a documentation URL or an upstream source file)."""
    missing = [(spec.family, key, t.text[:40]) for spec in kinds.specs() for key, templates in spec.steps.items()
               for t in templates if not t.source]
    assert not missing, missing
