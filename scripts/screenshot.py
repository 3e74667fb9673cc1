"""Regenerate docs/show-html.png, the README's picture of `planner show -o html`: hello-app applied with a fixed
lineage and clock into a scratch folder, the page rendered by Debian's chromium (/usr/bin/chromium) through
playwright, and the drawing alone captured. Run from the repository root: `python scripts/screenshot.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "show-html.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    env = {**os.environ, "PLANNER_NOW": "2026-01-01T00:00:00+00:00",
           "PLANNER_LINEAGE": "00000000-0000-4000-8000-000000000001"}
    with tempfile.TemporaryDirectory() as work:
        def planner(*args: str) -> str:
            return subprocess.run([sys.executable, "-m", "planner", *args], cwd=work, env=env, check=True,
                                  capture_output=True, text=True).stdout

        planner("apply", str(REPO / "examples" / "hello-app"), "--auto-approve")
        page = Path(work) / "show.html"
        page.write_text(planner("show", "-o", "html"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(page.as_uri())
            tab.locator("svg.drawing").screenshot(path=str(TARGET))
            browser.close()
    print(f"wrote {TARGET.relative_to(REPO)} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
