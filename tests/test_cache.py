"""planner's cache of loaded, validated and modelled files (planner.cache, planner.pipeline): a warm cache gives what
a cold one gives, byte for byte, whatever was edited (also keeping a file's size and modification time); a damaged
entry is ignored and rebuilt; unchanged files are not parsed again; secret digests count only for their key."""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import CLUSTER_YAML, _run_in_process, app_yaml, edit, many_apps, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import api, cache, load, preview
from planner.state import open_backend

FILES = {"cluster.yaml": CLUSTER_YAML.format(nodes=20),
         "apps-a.yaml": "".join(app_yaml(i) for i in range(4)),
         "apps-b.yaml": "".join(app_yaml(i) for i in range(4, 8))}


def entries(folder: Path, what: str = "") -> list[Path]:
    """The cache's entries; `what`: only files' ("docs"), states' ("head"), whole inputs' ("assembly"), plans'
    ("plan") or the checks of a state's manifests ("checked")."""
    found = sorted(folder.rglob("*.entry"))
    return [p for p in found if what in (cache._decode(p.read_bytes(), p.stem) or {})] if what else found


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(folder))
    return folder


# ---------------------------------------------------------------- with and without the cache: the same bytes

_BASE: dict[str, Path] = {}


def _base() -> Path:
    """The input and a state applied from it, made once (hypothesis runs the property many times)."""
    if "dir" not in _BASE:
        root = Path(tempfile.mkdtemp(prefix="planner-cache-prop-"))
        for name, text in FILES.items():
            write(root / "in" / name, text)
        done = _run_in_process(["apply", "in", "--state", "s.json", "--auto-approve", "--no-cache"], root)
        assert done.code == 0, done.err
        _BASE["dir"] = root
    return _BASE["dir"]


def _same_size_edit(text: str, kind: str, i: int) -> str:
    """An edit that keeps the file's size: one character of app<i>'s image tag or replicas (a digit, or a letter
    that makes the file invalid)."""
    start = text.find(f"name: app{i}\nspec:\n  replicas: ")
    if start < 0:
        return text
    at = text.find("example/app:", start) + len("example/app:") if kind == "image" else \
        start + len(f"name: app{i}\nspec:\n  replicas: ")
    new = {"image": "7", "replicas": "3", "broken": "x"}[kind]
    return text[:at] + new + text[at + 1:]


EDITS = st.lists(st.tuples(st.sampled_from(sorted(FILES)), st.integers(0, 7),
                           st.sampled_from(["image", "replicas", "broken", "uid", "revert"])), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_plans_with_and_without_the_cache_are_byte_identical(edits):
    base = _base()
    work = Path(tempfile.mkdtemp(prefix="planner-cache-run-", dir=base))
    try:
        shutil.copytree(base / "in", work / "in")  # copy2: the originals' modification times
        shutil.copy2(base / "s.json", work / "s.json")
        for name, i, kind in edits:
            path = work / "in" / name
            before = os.stat(path)
            text = path.read_text()
            if kind == "uid":  # a warning (written by the API server), and another size
                text = text.replace(f"  name: app{i}\nspec:", f"  name: app{i}\n  uid: u{i}\nspec:", 1)
            elif kind == "revert":
                text = FILES[name]
            else:
                text = _same_size_edit(text, kind, i)
            path.write_text(text)
            if len(text.encode()) == before.st_size:  # same size: and the same modification time
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            for output in ("json", "text"):
                args = ["plan", "in", "--state", "s.json", "-o", output]
                cold = _run_in_process([*args, "--no-cache"], work)
                warm = _run_in_process(args, work)
                again = _run_in_process(args, work)  # every file from the cache now (when valid)
                assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err), (edits, output)
                assert (again.code, again.out, again.err) == (cold.code, cold.out, cold.err), (edits, output)
                assert "Traceback" not in cold.err
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- what is and is not read again


def test_unchanged_files_are_not_parsed_again(cli, hello, cache_dir, monkeypatch):
    parsed: list[str] = []
    real = load.parse_source

    def spy(source, errors, first_index=0):
        parsed.append(Path(source.name).name)
        return real(source, errors, first_index)

    monkeypatch.setattr(load, "parse_source", spy)
    first = cli("plan", str(hello))
    assert sorted(parsed) == ["cluster.yaml", "hello-web.yaml"] and first.code == 0
    parsed.clear()
    assert cli("plan", str(hello)).out == first.out and parsed == []
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    changed = cli("plan", str(hello))
    assert parsed == ["hello-web.yaml"] and "replicas" in changed.out
    assert len(entries(cache_dir, "docs")) == 3  # cluster.yaml, and hello-web.yaml before and after
    assert len(entries(cache_dir, "assembly")) == 1  # the input of the second plan, every file from the cache


def test_warnings_of_a_cached_file_are_the_same(cli, hello, cache_dir):
    """A validation warning (located inside the document) and a model one (at the document's start)."""
    edit(hello / "hello-web.yaml", "  name: hello-web\n  labels:", "  name: hello-web\n  uid: abc\n  labels:")
    edit(hello / "hello-web.yaml", "hello-app:1.0\n", 'hello-app:1.0\n          env: [{name: A, value: "1"},\n'
                                                    '                {name: A, value: "2"}]\n')
    first, second = cli("validate", str(hello)), cli("validate", str(hello))
    assert "hello-web.yaml:3:1: warning: metadata.uid ignored" in first.err
    assert 'hello-web.yaml:24:17: warning: spec.template.spec.containers[0].env[1]: hides previous' in first.err
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert entries(cache_dir)


def test_no_cache_flag_and_environment_write_nothing(cli, hello, cache_dir, monkeypatch):
    for command in ("validate", "plan"):
        assert cli(command, str(hello), "--no-cache").code == 0
    assert cli("apply", str(hello), "--auto-approve", "--no-cache").code == 0
    assert not entries(cache_dir)
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")
    assert cli("plan", str(hello)).code == 0 and not entries(cache_dir)
    monkeypatch.setenv("PLANNER_NO_CACHE", "0")
    assert cli("plan", str(hello)).code == 0
    assert [len(entries(cache_dir, what)) for what in ("docs", "head", "checked", "plan")] == [2, 1, 1, 1]


def test_files_with_errors_and_stdin_are_not_cached(cli, hello, cache_dir):
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: three")
    assert cli("plan", str(hello)).code == 1
    assert not entries(cache_dir)
    text = (hello / "cluster.yaml").read_bytes()
    assert cli("validate", "-", stdin=text).code == 0 and cli("validate", "-", stdin=text).code == 0
    assert not entries(cache_dir)


# ---------------------------------------------------------------- damaged entries


def _garbage(blob: bytes) -> bytes:
    return os.urandom(len(blob))


def _wrong_shape(blob: bytes) -> bytes:
    """A well-formed entry (magic, checksum) holding something else: its shape is checked too."""
    payload = marshal.dumps({"docs": "nope", "key": "x"})
    return cache.MAGIC + hashlib.sha256(payload).digest() + payload


DAMAGE = {
    "truncated": lambda blob: blob[: len(blob) // 2],
    "empty": lambda blob: b"",
    "flipped byte": lambda blob: blob[:-10] + bytes([blob[-10] ^ 0x55]) + blob[-9:],
    "garbage": _garbage,
    "wrong shape": _wrong_shape,
    "old format": lambda blob: b"PLNC" + (99).to_bytes(4, "little") + blob[8:],
}


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_a_damaged_entry_is_ignored_and_rebuilt(cli, hello, cache_dir, how):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    first = cli("plan", str(hello), "-o", "json")
    found = entries(cache_dir)
    assert len(found) == 6  # the two files', the edited one's before (apply stored it), the state's, the check of
    # the state's manifests and the plan
    for path in found:
        path.write_bytes(DAMAGE[how](path.read_bytes()))
    again = cli("plan", str(hello), "-o", "json")
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    whole = [p for p in found if cache._decode(p.read_bytes(), p.stem) is not None]
    assert len(whole) == 5, how  # rebuilt under the same names: all but the stale one this plan did not need


def test_an_unreadable_entry_is_a_miss_not_an_error(cli, hello, cache_dir):
    first = cli("plan", str(hello))
    for path in entries(cache_dir):
        path.unlink()
        path.mkdir()  # neither readable nor replaceable
    again = cli("plan", str(hello))
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)


def test_a_cache_folder_that_cannot_be_created_is_no_error(cli, hello, tmp_path, monkeypatch):
    write(tmp_path / "file", "x")
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "file" / "cache"))
    assert cli("plan", str(hello)).code == 0


def test_the_cache_stays_under_its_bound(cli, tmp_path, cache_dir, monkeypatch):
    for name, text in FILES.items():
        write(tmp_path / "in" / name, text)
    assert cli("plan", "in").code == 0
    sizes = [p.stat().st_size for p in entries(cache_dir)]
    assert len(sizes) == 3
    monkeypatch.setenv("PLANNER_CACHE_MAX_MB", str((max(sizes) + 10) / 1e6))
    edit(tmp_path / "in" / "apps-a.yaml", "example/app:1", "example/app:2")
    assert cli("plan", "in").code == 0
    assert sum(p.stat().st_size for p in entries(cache_dir)) <= max(sizes) + 10


# ---------------------------------------------------------------- secret values: digests under the state's key

SECRET_ENV = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env: [{name: DB_PASSWORD, value: hunter2-cache}]
"""


def _env_value(desired: api.DesiredState) -> str:
    container = desired.resources["Deployment/default/api"].manifest["spec"]["template"]["spec"]["containers"][0]
    return str(container["env"][0]["value"])


def test_secret_digests_are_cached_only_for_their_key(tmp_path, cache_dir):
    path = write(tmp_path / "in" / "api.yaml", SECRET_ENV)
    for key in (b"A" * 32, b"B" * 32, b"A" * 32):
        desired = api.load_desired([str(path)], complete=False, secret_key=lambda key=key: key)
        expected = "hmac-sha256:" + hmac.new(key, b"hunter2-cache", hashlib.sha256).hexdigest()
        assert _env_value(desired) == expected
    assert len(entries(cache_dir)) == 1
    assert b"hunter2-cache" not in entries(cache_dir)[0].read_bytes()
    api.validate([str(path)])  # this process's own random key: used for nothing, stored nowhere
    assert len(entries(cache_dir)) == 1


def test_a_file_with_secret_data_is_never_cached(cli, tmp_path, cache_dir):
    write(tmp_path / "in" / "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                                           "stringData: {token: cache-secret-1}\n")
    assert cli("validate", "in").code == 0 and cli("plan", "in", "--state", "x.json").code in (0, 1)
    assert not entries(cache_dir)


# ---------------------------------------------------------------- parsed states


def test_a_state_is_parsed_once_for_the_same_bytes(cli, hello, cache_dir, monkeypatch):
    from planner.state import model as state_model

    assert cli("apply", str(hello), "--auto-approve").code == 0
    parsed: list[int] = []
    real = state_model._checked_head
    monkeypatch.setattr(state_model, "_checked_head", lambda *a: parsed.append(1) or real(*a))
    first = cli("plan", str(hello), "-o", "json")
    again = cli("plan", str(hello), "-o", "json")
    assert parsed == [1] and again.out == first.out
    assert cli("plan", str(hello), "--no-cache").code == 0 and parsed == [1, 1]


def test_a_state_with_a_secret_in_clear_is_not_cached(cli, tmp_path, cache_dir):
    """A state from before env masking holds env literals (its Pods keep them): never copied into the cache."""
    cluster = "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\nmetadata: {name: c}\n" \
              "spec: {location: us-central1-a, initialNodeCount: 1}\n"
    write(tmp_path / "in" / "cluster.yaml", cluster)
    write(tmp_path / "in" / "api.yaml", SECRET_ENV)
    assert cli("apply", "in", "--auto-approve").code == 0
    state = tmp_path / "planner.state.json"
    text = state.read_text()
    digests = set(re.findall(r"hmac-sha256:[0-9a-f]{64}", text))
    assert len(digests) == 1  # DB_PASSWORD's, in the manifest and the live objects
    state.write_text(text.replace(digests.pop(), "hunter2-cache"))  # as an old planner wrote it
    shutil.rmtree(cache_dir)
    assert cli("plan", "in").code == 0
    assert cli("plan", "in").code == 0
    found = entries(cache_dir)
    assert found and all(b"hunter2-cache" not in p.read_bytes() for p in found)
    assert all("head" not in cache._decode(p.read_bytes(), p.stem) for p in found)  # no state entry at all


# ---------------------------------------------------------------- whole plans


@pytest.fixture
def counted_plans(monkeypatch) -> list[int]:
    """How many plans were computed (api.make_plan calls); a plan read from the cache is not one."""
    made: list[int] = []
    real = api.make_plan

    def spy(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "make_plan", spy)
    return made


@pytest.mark.parametrize("output", ["text", "json", "markdown", "mermaid"])
def test_a_plan_asked_for_again_is_read_with_the_same_output_and_exit_code(cli, hello, cache_dir, counted_plans,
                                                                           output):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    counted_plans.clear()  # apply's own
    args = ["plan", str(hello), "-o", output, "--detailed-exitcode"]
    first, second = cli(*args), cli(*args)
    assert first.code == 2 and "replicas" in first.out
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert len(counted_plans) == 1 and len(entries(cache_dir, "plan")) == 1
    nocache = cli(*args, "--no-cache")
    assert (nocache.code, nocache.out) == (first.code, first.out) and len(counted_plans) == 2


def test_a_kept_plan_is_not_used_once_the_state_or_an_option_changed(cli, hello, cache_dir, counted_plans):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    assert "3 -> 5" in cli("plan", str(hello)).out
    assert "hello-web" in cli("plan", str(hello), "--target", "Deployment/default/hello-web").out
    assert "-/+" not in cli("plan", str(hello), "--destroy").out  # destroy: every resource deleted
    assert cli("apply", str(hello), "--auto-approve").code == 0  # a new state: the kept plan is stale
    made = len(counted_plans)
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0
    assert len(counted_plans) == made + 1


def test_an_input_written_while_its_plan_is_computed_keeps_that_plan_out_of_the_cache(cli, hello, cache_dir,
                                                                                      monkeypatch):
    """The key is made from the bytes read first; a file written before the load reads it again would file the
    plan of the new bytes under the old ones' key, and a later plan of the old bytes would show it."""
    assert cli("apply", str(hello), "--auto-approve").code == 0
    web = hello / "hello-web.yaml"
    original = web.read_text()
    real = api.load_and_read

    def edited_meanwhile(*args, **kwargs):
        web.write_text(original.replace("replicas: 3", "replicas: 7"))
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "load_and_read", edited_meanwhile)
    assert "3 -> 7" in cli("plan", str(hello)).out
    monkeypatch.setattr(api, "load_and_read", real)
    web.write_text(original)
    again = cli("plan", str(hello), "--detailed-exitcode")
    assert again.code == 0 and "No changes" in again.out and not entries(cache_dir, "plan")[1:]


# ---------------------------------------------------------------- the state read while a second process parses


def test_a_large_input_parsed_by_a_second_process_while_the_state_is_read_plans_the_same(tmp_path, monkeypatch):
    """Over planner.load.MEANWHILE_MIN_BYTES a forked process loads, validates and models the changed files (or a
    share of them) while this one reads the cache's entries and the state: the plan, its warnings and its errors
    (the input's before the state's; a file with a problem or a Secret is done again here) are those of one
    process doing it all in turn."""
    write(tmp_path / "in" / "cluster.yaml", CLUSTER_YAML.format(nodes=20))
    apps = "".join(app_yaml(i) for i in range(150))
    write(tmp_path / "in" / "apps.yaml", apps)
    assert load.worker_share([str(tmp_path / "in" / "apps.yaml")], meanwhile=True)  # one file: all of it
    assert _run_in_process(["apply", "in", "--auto-approve", "--no-cache"], tmp_path).code == 0
    cases = {
        "changed": apps.replace("name: app7\n", "name: app7\n  uid: u7\n", 1).replace("replicas: 1", "replicas: 2", 3),
        "with a Secret": apps + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: default}\n"
                                "data: {password: aHVudGVyMg==}\n",  # modelled here: the other process leaves it
        "invalid": apps.replace("replicas: 1", "replicas: one", 1),
    }
    for name, text in cases.items():
        write(tmp_path / "in" / "apps.yaml", text)
        for damaged_state in (False, True):
            if damaged_state:
                shutil.copy(tmp_path / "planner.state.json", tmp_path / "good.json")
                (tmp_path / "planner.state.json").write_text("{not json")
            runs = []
            for threshold in (load.MEANWHILE_MIN_BYTES, 1 << 40):  # forked, then all in this process
                monkeypatch.setattr(load, "MEANWHILE_MIN_BYTES", threshold)
                runs.append(_run_in_process(["plan", "in", "--no-cache"], tmp_path))
            forked, single = runs
            assert (forked.code, forked.out, forked.err) == (single.code, single.out, single.err), (name, damaged_state)
            assert "Traceback" not in forked.err
            if name == "invalid":
                assert forked.code == 1 and "apps.yaml:" in forked.err and "not valid JSON" not in forked.err
            elif damaged_state:
                assert forked.code == 1 and "not valid JSON" in forked.err
            elif name == "changed":
                assert forked.code == 0 and "metadata.uid ignored" in forked.out and "1 -> 2" in forked.out
            else:
                assert forked.code == 0 and "Secret/default/s1" in forked.out and "aHVudGVyMg" not in forked.out
            if damaged_state:
                shutil.copy(tmp_path / "good.json", tmp_path / "planner.state.json")


def test_the_preview_of_a_cluster_rebuilt_ahead_is_the_one_rebuilt_after(cli, hello, tmp_path):
    """planner.api rebuilds the state's simulated cluster while it waits for the second process; the preview must
    then be exactly the one it computes from scratch (rollout waves, Pending Pods, the stall warning)."""
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 40")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "hello-app:1.0", "hello-app:2.0")
    backend = open_backend(str(tmp_path / "planner.state.json"))
    loaded = api.load_and_read([str(hello)], None, api.Options(), backend)
    ahead = preview.prepare(loaded.read.state, loaded.desired.kubernetes_version)
    assert ahead.engine is not None
    with_it = api.make_plan(loaded.desired, loaded.read.state, prepared=ahead)
    assert ahead.engine is None  # taken
    without = api.make_plan(loaded.desired, loaded.read.state)
    assert with_it.to_wire() == without.to_wire() and "Pending" in str(with_it.to_wire()["diagnostics"])
    other = preview.prepare(loaded.read.state, "1.30")  # prepared for another version: not used
    assert api.make_plan(loaded.desired, loaded.read.state, prepared=other).to_wire() == without.to_wire()


@pytest.mark.parametrize("services_range", ["10.64.0.0/16", "10.64.0.0/24"])
def test_a_large_plans_preview_computed_by_a_second_process_is_the_same(tmp_path, monkeypatch, services_range):
    """From planner.preview.PARALLEL_MIN_OPERATIONS operations on, the preview runs in a second process while this
    one attributes the steps: the same plan, warnings and exit code, and the same error when apply would fail (a
    /24 holds 254 ClusterIPs, not 300)."""
    write(tmp_path / "in" / "all.yaml", many_apps(300).replace("10.64.0.0/16", services_range))
    assert preview.PARALLEL_MIN_OPERATIONS <= 601  # a cluster, 300 Deployments and 300 Services
    runs = []
    for threshold in (preview.PARALLEL_MIN_OPERATIONS, 1 << 40):  # a second process, then all here
        monkeypatch.setattr(preview, "PARALLEL_MIN_OPERATIONS", threshold)
        runs.append(_run_in_process(["plan", "in", "-o", "json", "--no-cache"], tmp_path))
    forked, single = runs
    assert (forked.code, forked.out, forked.err) == (single.code, single.out, single.err)
    if services_range.endswith("/24"):
        assert forked.code == 1 and "apply would fail at create Service/default/" in forked.err
        assert "ClusterIP range 10.64.0.1-10.64.0.254 is exhausted" in forked.err
    else:
        assert forked.code == 0 and '"action":"create"' in forked.out


def test_a_large_input_shared_with_a_second_process_is_cached_like_a_small_one(tmp_path, cache_dir):
    """Cold, the files are shared: each process's entries are stored (this one's while it waits for the other);
    warm and after an edit, the plans are those without the cache."""
    write(tmp_path / "in" / "cluster.yaml", CLUSTER_YAML.format(nodes=20))
    write(tmp_path / "in" / "a.yaml", "".join(app_yaml(i) for i in range(150)))
    write(tmp_path / "in" / "b.yaml", "".join(app_yaml(i) for i in range(150, 300)))
    assert _run_in_process(["apply", "in", "--auto-approve", "--no-cache"], tmp_path).code == 0
    edit(tmp_path / "in" / "b.yaml", "replicas: 1", "replicas: 2")
    for step in ("cold", "warm", "edited"):
        if step == "edited":
            edit(tmp_path / "in" / "a.yaml", "example/app:1", "example/app:2")
        cached = _run_in_process(["plan", "in", "--detailed-exitcode"], tmp_path)
        plain = _run_in_process(["plan", "in", "--detailed-exitcode", "--no-cache"], tmp_path)
        assert (cached.code, cached.out, cached.err) == (plain.code, plain.out, plain.err), step
        assert cached.code == 2 and "1 -> 2" in cached.out
        assert len(entries(cache_dir, "docs")) == (3 if step != "edited" else 4), step
