"""The benchmark's generated input stays valid planner input: a change that refuses it would make every benchmark
figure meaningless (it happened once: a range-size rule refused the generator's /12 Service range)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_benchmark_generator_makes_input_planner_plans_and_applies(cli, tmp_path):
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "60", str(tmp_path / "config")],
                   check=True, capture_output=True)
    assert cli("validate", "config").code == 0
    applied = cli("apply", "config", "--auto-approve")
    assert applied.code == 0, applied.err
    assert cli("plan", "config", "--detailed-exitcode").code == 0
