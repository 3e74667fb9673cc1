"""The CLI as a library call: main() must leave the calling process as it found it."""

from __future__ import annotations

import gc


def test_main_gives_the_cyclic_collector_back_to_its_caller(cli, hello):
    assert gc.isenabled()
    assert cli("plan", str(hello)).code == 0
    assert gc.isenabled()
    assert cli("plan", "no-such-dir").code == 1
    assert gc.isenabled()
