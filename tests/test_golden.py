"""Golden outputs of `planner plan` in every format a person or a program reads (text, json, markdown, mermaid) for
the lifecycle's create, update, rollout, replace, delete and cluster-replacement steps (examples/lifecycle/).

Each step is planned, then applied, against one state, with the clock and lineage fixed, so the bytes are stable.
After an intended change of output, regenerate the files and review their diff:

    PLANNER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

The json golden is the plan pretty-printed (indent 1) so that its diffs are readable; it changes whenever the plan's
wire form does, with or without a format_version bump (tests/test_schema_hardening.py guards the contract).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, _run_in_process
from markup_check import check_markdown, mermaid_blocks, parse_mermaid

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PLANNER_UPDATE_GOLDEN") == "1"
STEPS = sorted((EXAMPLES / "lifecycle").iterdir(), key=lambda p: int(p.name.split("-")[0]))
SCENARIOS = {"1-create": "create", "2-scale": "update", "3-rollout": "rollout", "8-selector": "replace",
             "9-delete-service": "delete", "10-cluster-move": "cluster-replace"}
FORMATS = {"text": "txt", "json": "json", "markdown": "md", "mermaid": "mmd"}


def _stable(output: str, text: str) -> str:
    return json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n" if output == "json" else text


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[tuple[str, str], str]:
    """{(scenario, format): output} for every scenario, planned in turn against the state the steps before built."""
    work = tmp_path_factory.mktemp("golden")
    found: dict[tuple[str, str], str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_NOW", "2026-01-01T00:00:00+00:00")
        patch.setenv("PLANNER_LINEAGE", "00000000-0000-4000-8000-000000000001")
        for step in STEPS:
            shutil.rmtree(work / "shop", ignore_errors=True)
            shutil.copytree(step, work / "shop")
            scenario = SCENARIOS.get(step.name)
            for output in FORMATS if scenario else ():
                result = _run_in_process(["plan", "shop", "-o", output], work)
                assert result.code == 0, result.err
                found[(scenario, output)] = _stable(output, result.out)
            applied = _run_in_process(["apply", "shop", "--auto-approve"], work)
            assert applied.code == 0, applied.err
    return found


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("scenario", SCENARIOS.values())
def test_output_matches_its_golden_file(outputs, scenario, output):
    path = GOLDEN / f"{scenario}.{FORMATS[output]}"
    text = outputs[(scenario, output)]
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run PLANNER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    assert text == path.read_text(), f"{path.name} differs: if intended, regenerate (see this module's docstring)"


@pytest.mark.parametrize("scenario", SCENARIOS.values())
def test_golden_markdown_balances_and_embeds_the_diagram(scenario):
    text = (GOLDEN / f"{scenario}.md").read_text()
    tokens = check_markdown(text)
    assert mermaid_blocks(tokens) == [(GOLDEN / f"{scenario}.mmd").read_text()]
    assert text.startswith("### Plan: ")


def test_golden_diagrams_parse_with_mermaid(tmp_path):
    diagrams = {path.name: path.read_text() for path in sorted(GOLDEN.glob("*.mmd"))}
    assert len(diagrams) == len(SCENARIOS)
    verdicts = parse_mermaid(diagrams, tmp_path)
    assert {name: v for name, v in verdicts.items() if not v["ok"]} == {}
    assert {v["type"] for v in verdicts.values()} == {"sequence"}


def test_destroying_and_replacing_scenarios_carry_the_banner():
    replace = (GOLDEN / "replace.md").read_text()
    assert "> [!CAUTION]" in replace
    assert "`spec.selector.matchLabels.tier` forces replacement: spec.selector is immutable" in replace
    delete = (GOLDEN / "delete.md").read_text()
    assert "> - `Service/shop/web` will be destroyed: not in the input any more" in delete
    cluster = (GOLDEN / "cluster-replace.md").read_text()
    assert "> **THE CLUSTER IS REPLACED" in cluster
    assert "`ContainerCluster/shop` must be replaced: `spec.location` forces replacement" in cluster
    for quiet in ("create", "update", "rollout"):
        assert "[!CAUTION]" not in (GOLDEN / f"{quiet}.md").read_text()
