"""`-o html` pages through the CLI, without a browser: what they hold, that they are self-contained, deterministic
and bounded, and `--open`. tests/test_html_browser.py renders them in headless Chromium."""

from __future__ import annotations

import json
import re
import webbrowser
from pathlib import Path

from conftest import edit, many_apps, write

ENV = {"PLANNER_NOW": "2026-01-01T00:00:00+00:00", "PLANNER_LINEAGE": "00000000-0000-4000-8000-000000000001"}


def _names(cli, what: str) -> list[str]:
    items = json.loads(cli("get", what, "-A", "-o", "json").out)["items"]
    return [f"{i['namespace']}/{i['name']}" if "namespace" in i else i["name"] for i in items]


def _data_names(page: str) -> set[str]:
    return set(re.findall(r'data-name="([^"]*)"', page))


def test_show_html_draws_every_node_pod_and_service(cli, hello, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert cli("apply", "hello-app", "--auto-approve").code == 0
    page = cli("show", "-o", "html")
    assert page.code == 0 and page.out.startswith("<!DOCTYPE html>")
    names = _data_names(page.out)
    nodes, pods = _names(cli, "nodes"), _names(cli, "pods")
    assert len(nodes) == 3 and len(pods) == 3
    assert set(nodes) <= names and set(pods) <= names
    assert {"default/hello-web", "default/kubernetes"} <= names  # the Services
    assert page.out.count('class="link endpoint"') == 3  # one line per endpoint
    assert "203.0.113.98" in page.out or "load balancer (target-pool)" in page.out
    assert cli("show", "-o", "html").out == page.out  # byte-identical


def test_pages_are_self_contained(cli, hello, monkeypatch):
    """No network: nothing loaded from anywhere (no src, no href, no url() but the SVG's own markers)."""
    monkeypatch.setenv("PLANNER_NOW", ENV["PLANNER_NOW"])
    cli("apply", "hello-app", "--auto-approve")
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    for page in (cli("show", "-o", "html").out, cli("plan", "hello-app", "-o", "html").out):
        assert not re.search(r"\b(src|href)=", page)
        assert re.findall(r"url\(([^)]*)\)", page) and all(u.startswith("#arrow-") for u in
                                                            re.findall(r"url\(([^)]*)\)", page))
        assert "default-src 'none'" in page


def test_plan_html_shows_steps_diff_and_before_after(cli, hello, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    cli("apply", "hello-app", "--auto-approve")
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    plan = json.loads(cli("plan", "hello-app", "-o", "json").out)
    page = cli("plan", "hello-app", "-o", "html", "--detailed-exitcode")
    assert page.code == 2
    assert page.out.count('data-from="step-') == len(plan["steps"]) == 8
    assert "~ Deployment/default/hello-web will be updated in place" in page.out
    assert "spec.replicas</td><td>3</td><td>5" in page.out
    before, after = page.out.split("<h3>After", 1)
    assert before.count('class="box pod running"') == 3 and after.count('class="box pod running"') == 5
    # The predicted Pods are the ones apply makes (same lineage, same clock).
    cli("apply", "hello-app", "--auto-approve")
    assert set(_names(cli, "pods")) <= _data_names(after)


def test_plan_html_without_changes_and_saved(cli, hello, monkeypatch):
    monkeypatch.setenv("PLANNER_NOW", ENV["PLANNER_NOW"])
    saved = cli("plan", "hello-app", "--out", "tf.plan", "-o", "html")
    assert saved.code == 0 and "Plan: 3 to add" in saved.out and "After, as the simulated apply predicts" in saved.out
    shown = cli("show", "tf.plan", "-o", "html")
    assert shown.code == 0 and "Plan: 3 to add" in shown.out and "Before" not in shown.out  # no state to draw
    cli("apply", "tf.plan")
    none = cli("plan", "hello-app", "-o", "html")
    assert none.code == 0 and "No changes." in none.out and "before and after" not in none.out


def test_large_state_page_is_bounded(cli, tmp_path, monkeypatch):
    """Hundreds of Pods: the drawing shows a few, counts the rest by owner, and lists the groups with counts."""
    monkeypatch.setenv("PLANNER_NOW", ENV["PLANNER_NOW"])
    write(tmp_path / "many" / "all.yaml", many_apps(300, replicas=2, nodes=12))
    assert cli("apply", "many", "--auto-approve").code == 0
    page = cli("show", "-o", "html").out
    assert page.count('class="box node-box"') <= 10 and "more nodes" in page and "more Services" in page
    assert re.search(r"\+\d+ Pods of \d+ owners", page)
    assert "namespace default: 600 Pod(s) of 300 owner(s)" in page and "… 250 more owners" in page
    assert len(page) < 400_000


def test_open_writes_the_page_and_opens_it(cli, hello, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    cli("apply", "hello-app", "--auto-approve")
    result = cli("show", "--open")  # --open means the page
    path = Path(result.out.strip())
    assert result.code == 0 and opened == [f"file://{path}"]
    assert path.read_text().startswith("<!DOCTYPE html>") and "hello-cluster" in path.read_text()
    path.unlink()


def test_open_without_a_browser_says_so(cli, hello, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    result = cli("plan", "hello-app", "--open")
    path = Path(result.out.strip())
    assert result.code == 0 and "No browser to open the page in" in result.err and str(path) in result.err
    assert "Who does what" in path.read_text()
    path.unlink()


def test_html_errors_are_text(cli, tmp_path):
    write(tmp_path / "bad" / "x.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: 3\n")
    result = cli("plan", "bad", "-o", "html")
    assert result.code == 1 and result.out == "" and "x.yaml:4" in result.err
