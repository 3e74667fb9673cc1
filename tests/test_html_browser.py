"""The `-o html` pages in a real browser: Debian's chromium (/usr/bin/chromium, which .ci/run installs) driven by
playwright (never `playwright install`, which downloads a browser). For hello-app and every lifecycle example, both
pages (show after apply, the plan before it) load without console errors and hold every object; the cluster
drawing fits 1400x1000, its boxes do not overlap, every endpoint line ends on its Pod's box, and a screenshot is
not blank. Skipped, with the reason, where chromium or playwright cannot be had."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from conftest import EXAMPLES, _run_in_process

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ENV = {"PLANNER_NOW": "2026-01-01T00:00:00+00:00", "PLANNER_LINEAGE": "00000000-0000-4000-8000-000000000001"}
STEPS = [EXAMPLES / "hello-app",
         *sorted((EXAMPLES / "lifecycle").iterdir(), key=lambda p: int(p.name.split("-")[0]))]

GEOMETRY = """() => {
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = document.querySelector('svg.drawing');
  const boxes = [...svg.querySelectorAll('g.box')].map(g => ({id: g.id, level: +g.dataset.level,
                                                              rect: rect(g.querySelector('rect'))}));
  const ends = [...svg.querySelectorAll('line.endpoint')].map(l => {
    const p = svg.createSVGPoint(); p.x = l.x2.baseVal.value; p.y = l.y2.baseVal.value;
    const q = p.matrixTransform(l.getScreenCTM()); return {to: l.dataset.to, x: q.x, y: q.y};
  });
  return {svg: rect(svg), boxes, ends};
}"""


def _browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Every step planned (-o html) and applied in order, then shown (-o html): {step: (plan page, show page,
    nodes, pods)} with the nodes and Pods `planner get` lists after the apply."""
    old = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    work = tmp_path_factory.mktemp("pages")
    out = {}
    try:
        for step in STEPS:
            folder = work / ("hello" if step.name == "hello-app" else "shop")
            if step.name == "1-create":
                (work / "planner.state.json").unlink()
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(step, folder)
            plan = _run_in_process(["plan", folder.name, "-o", "html"], work)
            assert plan.code == 0, plan.err
            assert _run_in_process(["apply", folder.name, "--auto-approve"], work).code == 0
            show = _run_in_process(["show", "-o", "html"], work)
            nodes = [i["name"] for i in json.loads(_run_in_process(["get", "nodes", "-o", "json"], work).out)["items"]]
            pods = [f"{i['namespace']}/{i['name']}" for i in
                    json.loads(_run_in_process(["get", "pods", "-A", "-o", "json"], work).out)["items"]]
            (work / f"{step.name}-plan.html").write_text(plan.out)
            (work / f"{step.name}-show.html").write_text(show.out)
            out[step.name] = (work / f"{step.name}-plan.html", work / f"{step.name}-show.html", nodes, pods)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_playwright = _browser()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS,
                                                       headless=True, viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


def _load(browser, path: Path):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def _not_blank(png: bytes) -> bool:
    """More than a few distinct byte values in the decoded image data (a blank screenshot is one colour)."""
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    return len(set(zlib.decompress(data))) > 16


def _overlap(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@pytest.mark.parametrize("step", [s.name for s in STEPS])
def test_show_page_in_chromium(browser, pages, step):
    _, show, nodes, pods = pages[step]
    page, problems = _load(browser, show)
    assert problems == []
    drawn = set(page.eval_on_selector_all("svg.drawing [data-name]", "es => es.map(e => e.dataset.name)"))
    assert nodes and pods and set(nodes) <= drawn and set(pods) <= drawn
    geometry = page.evaluate(GEOMETRY)
    left, top, right, bottom = geometry["svg"]
    assert right - left <= 1400 and bottom - top <= 1000
    boxes = geometry["boxes"]
    for box in boxes:
        x1, y1, x2, y2 = box["rect"]
        assert left - 1 <= x1 and x2 <= right + 1 and top - 1 <= y1 and y2 <= bottom + 1, box
    for i, a in enumerate(boxes):  # small states: every pair
        for b in boxes[i + 1:]:
            if a["level"] == b["level"]:
                assert not _overlap(a["rect"], b["rect"]), (a, b)
    at = {b["id"]: b["rect"] for b in boxes}
    assert len(geometry["ends"]) == (3 if step == "hello-app" else len(geometry["ends"]))
    for end in geometry["ends"]:
        x1, y1, x2, y2 = at[end["to"]]
        assert x1 - 1 <= end["x"] <= x2 + 1 and y1 - 1 <= end["y"] <= y2 + 1, end
    assert _not_blank(page.screenshot())
    page.close()


@pytest.mark.parametrize("step", [s.name for s in STEPS])
def test_plan_page_in_chromium(browser, pages, step):
    plan, _, nodes, pods = pages[step]
    page, problems = _load(browser, plan)
    assert problems == []
    text = plan.read_text()
    assert page.locator("svg.drawing").count() == text.count('<svg xmlns')
    assert page.locator("[data-from^=step-]").count() == text.count('data-from="step-') > 0
    assert page.locator("section.resource").count() >= 1
    after = set(page.eval_on_selector_all("svg.drawing [id^=after-][data-name]", "es => es.map(e => e.dataset.name)"))
    if step not in ("hello-app", "1-create"):  # a state with a lineage: the predicted names are apply's
        assert set(nodes) <= after and set(pods) <= after
    assert _not_blank(page.screenshot(full_page=True))
    page.close()
