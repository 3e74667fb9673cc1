"""Coverage-guided fuzzing of the loader and validator with atheris (run by hand, not in CI).

    pip install atheris
    python fuzz/fuzz_load.py -max_total_time=600 fuzz/corpus

Any exception other than PlannerError is a bug: the CLI would show it as an internal error.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports():
    from planner import api
    from planner.errors import PlannerError


def test_one_input(data: bytes) -> None:
    try:
        desired = api.load_desired(["-"], io.BytesIO(data), complete=False)
        api.make_plan(desired, api.State())
    except PlannerError:
        pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
