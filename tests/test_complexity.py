"""Guards on how work grows with the number of resources (counted, never timed: timings live in benchmarks/)."""

from __future__ import annotations

from conftest import many_apps, write

from planner import diff, relations, selectors
from planner.state import FileBackend


def test_a_no_change_plan_does_no_field_level_diff(cli, tmp_path, monkeypatch):
    write(tmp_path / "apps.yaml", many_apps(50))
    assert cli("apply", "apps.yaml", "--auto-approve").code == 0

    def forbidden(*args, **kwargs):
        raise AssertionError("field-level diff on a no-change plan")

    monkeypatch.setattr(diff, "_field_changes", forbidden)
    assert cli("plan", "apps.yaml", "--detailed-exitcode").code == 0


def test_apply_writes_the_full_state_once_whatever_the_size(cli, tmp_path, monkeypatch):
    writes = []
    original = FileBackend.write

    def counting(self, state, expected_serial, *rest):
        writes.append(len(state.resources))
        return original(self, state, expected_serial, *rest)

    monkeypatch.setattr(FileBackend, "write", counting)
    for count, state in ((20, "small.json"), (200, "large.json")):
        write(tmp_path / f"apps{count}.yaml", many_apps(count))
        assert cli("apply", f"apps{count}.yaml", "--auto-approve", "--state", state).code == 0
    assert writes == [41, 401]  # one write per apply: 1 cluster + 2 per app


def test_selector_matching_is_indexed_not_pairwise(cli, tmp_path, monkeypatch):
    calls = []
    original = selectors.equality_selector_matches

    def counting(selector, labels):
        calls.append(1)
        return original(selector, labels)

    monkeypatch.setattr(relations, "equality_selector_matches", counting)
    for count in (50, 500):
        calls.clear()
        write(tmp_path / "apps.yaml", many_apps(count))
        assert cli("plan", "apps.yaml").code == 0
        assert len(calls) <= 4 * count, (count, len(calls))  # pairwise would be count * count
