"""A plan that destroys every resource the state holds, or more than half of them, opens with a banner giving the
count and the reason; `planner destroy`, which asks for exactly that, does not."""

from __future__ import annotations

from conftest import CLUSTER_YAML, app_yaml, write

UNKNOWN = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w{i}}}\n"


def _banners(plan: dict) -> list[str]:
    return [d["message"] for d in plan["diagnostics"] if d.get("banner")]


def test_an_input_whose_documents_were_all_skipped_warns_before_destroying_everything(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    for path in hello.iterdir():
        path.unlink()
    write(hello / "widgets.yaml", "---\n".join(UNKNOWN.format(i=i) for i in range(5)))
    text = cli("plan", str(hello), "--skip-unknown")
    assert text.code == 0, text.err
    expected = ("MASS DELETION: this plan destroys 3 of the 3 resources the state holds (all of them): the input has "
                "no resources (5 documents skipped as unknown kinds by --skip-unknown). Do not apply unless that is "
                "what you mean; `planner destroy` deletes everything on purpose.")
    assert text.out.startswith(f"Warning: {expected}\n\nplanner will perform the following actions")
    assert _banners(cli("plan", str(hello), "--skip-unknown", "-o", "json").json()) == [expected]


def test_another_input_folder_is_named_as_the_reason(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    other = tmp_path / "other"
    write(other / "cluster.yaml", (hello / "cluster.yaml").read_text())
    banners = _banners(cli("plan", "other", "-o", "json").json())
    assert banners == ["MASS DELETION: this plan destroys 2 of the 3 resources the state holds (more than 50%): the "
                       "input is not the one the last apply used (last apply: hello-app; this plan: other). Do not "
                       "apply unless that is what you mean; `planner destroy` deletes everything on purpose."]


def test_more_than_half_is_a_mass_deletion_and_half_is_not(cli, tmp_path):
    """Cluster + 3 Deployments + 3 Services = 7 resources: dropping 4 is more than half, dropping 3 is not."""
    cluster = CLUSTER_YAML.format(nodes=3)
    write(tmp_path / "in" / "all.yaml", cluster + "".join(app_yaml(i) for i in range(3)))
    assert cli("apply", "in", "--auto-approve").code == 0
    write(tmp_path / "in" / "all.yaml", cluster + "---" + app_yaml(0).split("---")[1] + app_yaml(1) + app_yaml(2))
    assert _banners(cli("plan", "in", "-o", "json").json()) == []  # 1 of 7
    deployments_only = "".join("---" + app_yaml(i).split("---")[1] for i in (0, 1))
    write(tmp_path / "in" / "all.yaml", cluster + deployments_only)
    dropped = cli("plan", "in", "-o", "json").json()
    assert dropped["summary"]["delete"] == 4
    assert _banners(dropped) == ["MASS DELETION: this plan destroys 4 of the 7 resources the state holds (more than "
                                 "50%): the input no longer declares them. Do not apply unless that is what you "
                                 "mean; `planner destroy` deletes everything on purpose."]


def test_destroy_is_asked_for_and_carries_no_banner(cli, hello):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    result = cli("destroy", "--auto-approve")
    assert result.code == 0, result.err
    assert "MASS DELETION" not in result.out
    assert "Destroy complete! Resources: 3 destroyed." in result.out
    assert "MASS DELETION" not in cli("plan", "--destroy").out  # its preview neither


def test_a_saved_plan_with_the_banner_still_applies(cli, hello, tmp_path):
    """The skipped count is saved with the plan, so apply recomputes the same banner and accepts the plan."""
    assert cli("apply", str(hello), "--auto-approve").code == 0
    for path in hello.iterdir():
        path.unlink()
    write(hello / "widgets.yaml", UNKNOWN.format(i=0))
    assert cli("plan", str(hello), "--skip-unknown", "--out", "p.plan").code == 0
    shown = cli("show", "p.plan")
    assert "1 document skipped as unknown kinds" in shown.out
    applied = cli("apply", "p.plan", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "3 destroyed" in applied.out
