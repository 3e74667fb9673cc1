"""`-o markdown` (a pull-request comment) and `-o mermaid` beyond the goldens: the size budget and its levels, a
2,000-resource plan, hostile names and values, no changes, saved plans, and Mermaid's parser on what is drawn."""

from __future__ import annotations

import json
import re

import pytest
from conftest import edit, many_apps, write
from markup_check import check_markdown, mermaid_blocks, parse_mermaid

from planner.render.markdown import DEFAULT_MAX_SIZE, LEFT_OUT, render_markdown
from planner.render.mermaid import MAX_MESSAGES, render_mermaid

HOSTILE = "``` </details> <img src=x onerror=alert(1)> *bold* [link](http://x) & #59; ; \x1b[2J\n# heading |a|b|"


def _wire(cli, *args: str) -> dict:
    result = cli("plan", *args, "-o", "json")
    assert result.code == 0, result.err
    return result.json()


def _level(text: str) -> str:
    """Which level of the budget a comment was written at."""
    for level, words in LEFT_OUT.items():
        if f"characters: {words}." in text:
            return level
    return "list items cut" if "list item(s)" in text else "everything"


def test_the_comment_degrades_level_by_level_and_stays_within_the_budget(cli, tmp_path):
    write(tmp_path / "apps" / "all.yaml", many_apps(25))
    wire = _wire(cli, "apps")
    full = render_markdown(wire, 10**9)
    assert _level(full) == "everything"
    seen: list[str] = []
    for max_size in range(len(full), 999, -500):
        text = render_markdown(wire, max_size)
        assert len(text) <= max_size, max_size
        check_markdown(text)
        assert text.startswith("### Plan: 51 to add, 0 to change, 0 to replace, 0 to destroy.\n")
        if not seen or seen[-1] != _level(text):
            seen.append(_level(text))
    assert seen == ["everything", "no diagram", "diffs without steps", "addresses only", "list items cut"]


def test_each_level_keeps_what_it_promises(cli, hello):
    wire = _wire(cli, str(hello))
    sizes = {}
    for max_size in range(60_000, 999, -100):
        sizes.setdefault(_level(render_markdown(wire, max_size)), max_size)
    no_diagram = render_markdown(wire, sizes["no diagram"])
    assert "```mermaid" not in no_diagram and "1. `gke/container-api`" in no_diagram.replace("**", "")
    no_steps = render_markdown(wire, sizes["diffs without steps"])
    assert "```diff" in no_steps and "`gke/container-api`" not in no_steps
    addresses = render_markdown(wire, sizes["addresses only"])
    assert "<details>" not in addresses and "- `Deployment/default/hello-web`" in addresses
    assert addresses.rstrip().endswith("prints the whole plan.*")


def test_max_size_reaches_the_renderer_from_plan_and_show(cli, hello):
    saved = cli("plan", str(hello), "--out", "tf.plan")
    assert saved.code == 0, saved.err
    for command in (["plan", str(hello)], ["show", "tf.plan"]):
        small = cli(*command, "-o", "markdown", "--max-size", "2000")
        assert small.code == 0, small.err
        assert len(small.out) <= 2000 and _level(small.out) in ("addresses only", "list items cut")
        whole = cli(*command, "-o", "markdown")
        assert _level(whole.out) == "everything"
    assert cli("show", "tf.plan", "-o", "markdown").out == cli("plan", str(hello), "-o", "markdown").out
    assert cli("show", "tf.plan", "-o", "mermaid").out == cli("plan", str(hello), "-o", "mermaid").out


@pytest.mark.parametrize("output", ["markdown", "mermaid"])
def test_markdown_and_mermaid_need_a_plan(cli, output):
    result = cli("show", "-o", output)
    assert result.code == 1 and f"-o {output} shows a plan: give a PLANFILE" in result.err
    assert result.out == ""


def test_no_changes_is_a_short_comment(cli, hello):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    result = cli("plan", str(hello), "-o", "markdown", "--detailed-exitcode")
    assert result.code == 0
    assert result.out == "### No changes. Your infrastructure matches the configuration.\n"
    mermaid = cli("plan", str(hello), "-o", "mermaid").out
    assert "Note over you: No changes." in mermaid


def test_a_2000_resource_plan_stays_within_the_budget_with_summary_and_banner(cli, tmp_path):
    write(tmp_path / "apps" / "all.yaml", many_apps(1000, nodes=40))
    created = cli("plan", "apps", "-o", "markdown")
    assert created.code == 0, created.err
    assert len(created.out) <= DEFAULT_MAX_SIZE
    assert created.out.startswith("### Plan: 2001 to add, 0 to change, 0 to replace, 0 to destroy.\n")
    assert _level(created.out) in ("addresses only", "list items cut")
    check_markdown(created.out)
    assert cli("apply", "apps", "--auto-approve").code == 0
    write(tmp_path / "apps" / "all.yaml", many_apps(1, nodes=40))  # 1,998 of 2,001 resources to destroy
    gone = cli("plan", "apps", "-o", "markdown")
    assert len(gone.out) <= DEFAULT_MAX_SIZE
    check_markdown(gone.out)
    head = gone.out.split("\n")
    assert head[0] == "### Plan: 0 to add, 0 to change, 0 to replace, 1998 to destroy."
    assert head[2:4] == ["> [!CAUTION]", "> **1998 resource(s) will be destroyed or replaced.**"]
    assert head[5].startswith("> **MASS DELETION: this plan destroys 1998 of the 2001 resources")
    assert "> - `Deployment/default/app10` will be destroyed: not in the input any more" in head
    assert re.search(r"^> - \*… and \d+ more\*$", gone.out, re.M)
    assert re.search(r"and \d+ of 3996 list item\(s\)\. `planner plan`", gone.out)


def _hostile_wire(cli, hello) -> dict:
    """A real plan whose addresses, paths, values and step texts were replaced by hostile ones, as a hand-edited
    saved plan could hold them."""
    wire = _wire(cli, str(hello))
    renamed = {c["address"]: f"Deployment/default/{HOSTILE}{i}" for i, c in enumerate(wire["resource_changes"])}
    for change in wire["resource_changes"]:
        change["address"] = renamed[change["address"]]
        change["changes"].append({"path": f"metadata.annotations[{HOSTILE}]", "before": None, "after": HOSTILE})
        change["changes"][0]["forces_replacement"] = True
        change["changes"][0]["replacement_reason"] = HOSTILE
    for step in wire["steps"]:
        step["address"] = renamed[step["address"]]
        step["description"] = HOSTILE + step["description"]
    wire["resource_changes"][0]["action"] = "replace"
    wire["diagnostics"].append({"severity": "warning", "message": HOSTILE, "address": HOSTILE})
    return wire


def test_hostile_names_and_values_do_not_break_the_markup(cli, hello, tmp_path):
    wire = _hostile_wire(cli, hello)
    for max_size in (DEFAULT_MAX_SIZE, 20_000, 8_000, 3_000):
        text = render_markdown(wire, max_size)
        tokens = check_markdown(text)  # no <img>, every <details> closed, every fence closed
        assert "\x1b" not in text and "\\x1b[2J" in text
        headings = [t for t in tokens if t.type == "heading_open"]
        assert len(headings) == 1  # the summary; the hostile "\n# heading" stayed inside its line
        links = [t for t in tokens for c in (t.children or []) if c.type == "link_open"]
        assert links == []
    full = render_markdown(wire)
    assert "````diff" in full  # the values hold ```: a longer fence
    verdicts = parse_mermaid({"hostile": render_mermaid(wire), "embedded": mermaid_blocks(check_markdown(full))[0]},
                             tmp_path)
    assert all(v["ok"] for v in verdicts.values()), verdicts


def test_a_hostile_value_from_the_input_is_shown_as_text(cli, hello, tmp_path):
    edit(hello / "hello-web.yaml", "  name: hello-web\n", "  name: hello-web\n  annotations:\n    note: "
         + json.dumps(HOSTILE.replace("\x1b", "")) + "\n")
    result = cli("plan", str(hello), "-o", "markdown")
    assert result.code == 0, result.err
    check_markdown(result.out)
    assert '+ metadata.annotations.note = "``` </details>' in result.out


def test_a_large_diagram_is_capped_at_whole_resources_with_a_note(cli, tmp_path):
    write(tmp_path / "apps" / "all.yaml", many_apps(12))
    wire = _wire(cli, "apps")
    assert len(wire["steps"]) > MAX_MESSAGES
    diagram = render_mermaid(wire)
    messages = [line for line in diagram.splitlines() if "->>" in line]
    assert 0 < len(messages) <= MAX_MESSAGES
    drawn = len(messages)
    assert wire["steps"][drawn]["address"] != wire["steps"][drawn - 1]["address"]  # cut between resources
    left = len(wire["steps"]) - drawn
    assert f"{left} more step(s) of " in diagram
    participants = [line.split(" as ")[1] for line in diagram.splitlines() if line.startswith("    participant")]
    assert participants.index("GKE API (container-api)") < participants.index("kube-apiserver") \
        < participants.index("deployment-controller") < participants.index("kubelet")
    verdicts = parse_mermaid({"capped": diagram}, tmp_path)
    assert verdicts["capped"]["ok"], verdicts


@pytest.mark.parametrize("bad", ["999", "lots"])
def test_max_size_is_checked(cli, hello, bad):
    result = cli("plan", str(hello), "-o", "markdown", "--max-size", bad)
    assert result.code != 0 and "--max-size" in result.err


def test_a_changed_secret_is_said_to_change_never_shown(cli, hello):
    env = "        - name: hello-app\n"
    secret = "          env:\n            - name: DB_PASSWORD\n              value: hunter2-old\n"
    edit(hello / "hello-web.yaml", env, env + secret)
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "hunter2-old", "hunter2-new")
    result = cli("plan", str(hello), "-o", "markdown")
    assert result.code == 0, result.err
    assert "+ spec.template.spec.containers[name=hello-app].env[name=DB_PASSWORD].value = (sensitive value changed)" \
        in result.out
    assert "hunter2" not in result.out


def test_each_message_comes_from_the_component_that_really_sets_it_off(cli, hello):
    """Kubernetes components talk only to kube-apiserver: a controller's or the scheduler's step is a message from
    kube-apiserver (or the component's own next step), never from whoever happened to act before it; Compute Engine
    is called by the GKE API and the cloud-side controllers, and never itself calls kube-apiserver."""
    diagram = cli("plan", str(hello), "-o", "mermaid").out
    arrows = re.findall(r"^\s+(\w+)->>(\w+): ", diagram, flags=re.M)
    assert len(arrows) > 20
    for sender, receiver in arrows:
        if receiver.startswith(("controller__", "cluster_master__kube_scheduler")):
            assert sender in ("cluster_master__kube_apiserver", receiver), (sender, receiver)
        if receiver == "gke__compute_engine":
            assert sender in ("gke__container_api", "gke__compute_engine") or sender.startswith("controller__")
        assert not (sender == "gke__compute_engine" and receiver == "cluster_master__kube_apiserver")
    assert ("you", "gke__container_api") in arrows and ("you", "cluster_master__kube_apiserver") in arrows
    assert ("controller__service_controller", "gke__compute_engine") in arrows  # the LB is built by its controller
