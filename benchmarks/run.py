"""Time planner, the raw libyaml parse and terraform side by side, each command a separate process.

    python benchmarks/run.py [--sizes 100,1000,10000,50000] [--repeat K] [--write]

For each size N it generates a fresh desired state (benchmarks/generate.py) in benchmarks/work/nN/ and times:
the raw `yaml.load_all(..., Loader=yaml.CSafeLoader)` of its files, `planner validate`, `planner plan` from an empty
state, `planner apply --auto-approve`, a no-change `plan`, and a `plan` after `generate.py --mutate 0.01`; then
`terraform plan`/`apply`/no-change `plan`/1% `plan` on the same documents as `terraform_data` resources
(benchmarks/terraform_config.py). Once per run it times `planner --help` (start-up). Wall time is the best of K
runs; peak memory is the child's maximum resident set (`/usr/bin/time -f %M`, else `os.wait4`), the largest of K.
It prints markdown; `--write` also replaces the results section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import generate
import terraform_config

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
README = HERE / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
TIME_BIN = "/usr/bin/time"
MUTATE_FRACTION = 0.01

PARSE_SCRIPT = """
import sys, pathlib, yaml
docs = 0
for p in sorted(q for q in pathlib.Path(sys.argv[1]).rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file()):
    docs += sum(1 for _ in yaml.load_all(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
print(docs)
"""
"""The floor for any Python YAML tool: start Python, import PyYAML, parse every file with libyaml."""

PLANNER_STEPS = ("parse", "validate", "plan", "apply", "noop", "plan1")
TERRAFORM_STEPS = ("tf_plan", "tf_apply", "tf_noop", "tf_plan1")
LABELS = {"parse": "YAML floor", "validate": "validate", "plan": "plan (empty)", "apply": "apply",
          "noop": "no-change plan", "plan1": "1% plan", "tf_plan": "plan (empty)", "tf_apply": "apply",
          "tf_noop": "no-change plan", "tf_plan1": "1% plan"}


@dataclass
class Sample:
    """One timed run of one command."""

    wall: float
    rss_kb: int | None
    rc: int | None
    timed_out: bool = False


@dataclass
class Step:
    """Every run of one command at one size, or why it did not run."""

    samples: list[Sample] = field(default_factory=list)
    expected_rc: int = 0
    skipped: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.samples) and all(s.rc == self.expected_rc and not s.timed_out for s in self.samples)

    @property
    def best(self) -> float | None:
        return min(s.wall for s in self.samples) if self.ok else None

    @property
    def peak_kb(self) -> int | None:
        values = [s.rss_kb for s in self.samples if s.rss_kb]
        return max(values) if values else None

    def cell(self) -> str:
        """The step's table cell: best wall time, or why there is none."""
        if self.skipped:
            return f"— ({self.skipped})"
        if not self.samples:
            return "—"
        if any(s.timed_out for s in self.samples):
            return f"timeout ({self.samples[-1].wall:.0f} s)"
        if not self.ok:
            return f"failed (exit {next(s.rc for s in self.samples if s.rc != self.expected_rc)})"
        return seconds(self.best) + (f" {self.note}" if self.note else "")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(samples=[Sample(**s) for s in data["samples"]], expected_rc=data["expected_rc"],
                   skipped=data["skipped"], note=data["note"])


def seconds(value: float | None) -> str:
    """Seconds with 3 significant-ish digits, or a dash."""
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.2f}" if value >= 0.995 else f"{value:.3f}"


def megabytes(kb: int | None) -> str:
    """KiB (as rusage reports them) in MB of 10^6 bytes."""
    return "—" if kb is None else f"{kb * 1024 / 1e6:.0f} MB"


class Runner:
    """Runs commands as separate processes and measures wall time and peak RSS."""

    def __init__(self, repeat: int, timeout: float) -> None:
        self.repeat = repeat
        self.timeout = timeout
        self.use_time_bin = os.access(TIME_BIN, os.X_OK)
        self.deadline = float("inf")

    def once(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None, log: Path | None = None) -> Sample:
        """Run `cmd` once, stdout to /dev/null, stderr to `log`; kill its process group on timeout."""
        timeout = max(1.0, min(self.timeout, self.deadline - time.monotonic()))
        rss_file = None
        if self.use_time_bin:
            fd, rss_file = tempfile.mkstemp(prefix="rss-", dir=WORK)
            os.close(fd)
            cmd = [TIME_BIN, "-f", "%M", "-o", rss_file, *cmd]
        err = log.open("wb") if log else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err, start_new_session=True)
            fired = threading.Event()

            def kill() -> None:
                fired.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:  # it ended just now
                    fired.clear()

            timer = threading.Timer(timeout, kill)
            timer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if log:
                err.close()  # type: ignore[union-attr]
        rss = usage.ru_maxrss
        if rss_file:
            lines = Path(rss_file).read_text().split()
            os.unlink(rss_file)
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        return Sample(wall=wall, rss_kb=rss or None, rc=None if fired.is_set() else proc.returncode,
                      timed_out=fired.is_set())

    def step(self, cmd: list[str], cwd: Path, expected_rc: int = 0, env: dict[str, str] | None = None,
             before: Any = None, name: str = "") -> Step:
        """Run `cmd` K times (calling `before()` first each time); stop at the first failure."""
        result = Step(expected_rc=expected_rc)
        if time.monotonic() >= self.deadline:
            result.skipped = "size timeout"
            return result
        for _ in range(self.repeat):
            if before:
                before()
            sample = self.once(cmd, cwd, env, cwd / f"{name or 'step'}.stderr")
            result.samples.append(sample)
            if sample.timed_out or sample.rc != expected_rc:
                tail = (cwd / f"{name or 'step'}.stderr").read_text(errors="replace")[-600:]
                print(f"    ! {' '.join(cmd[:3])} ... exit {sample.rc}{' (timeout)' if sample.timed_out else ''}"
                      f"\n{tail}", file=sys.stderr)
                break
        return result


def _remove(*paths: Path) -> None:
    """Delete files that may not exist (a state and its companions)."""
    for p in paths:
        p.unlink(missing_ok=True)


def terraform_env(workdir: Path) -> dict[str, str]:
    """No CLI config, no version check-point call, no prompts: terraform stays offline."""
    rc = workdir / "empty.terraformrc"
    rc.write_text("")
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0"}


def run_size(n: int, args: argparse.Namespace, runner: Runner, tf_bin: str | None, tf_version: str) -> dict[str, Any]:
    """Every step at one size, in a fresh scratch directory."""
    workdir = WORK / f"n{n}"
    shutil.rmtree(workdir, ignore_errors=True)
    config = workdir / "config"
    counts = generate.generate(n, config, args.seed)
    files = generate.yaml_files(config)
    docs = sum(f.read_text().count("\n---\n") for f in files)
    info: dict[str, Any] = {"n": n, "docs": docs, "files": len(files), "bytes": sum(f.stat().st_size for f in files),
                            "counts": counts,
                            "load_before": os.getloadavg()[0], "steps": {}}
    steps: dict[str, Step] = {}
    runner.repeat = args.repeat if n <= args.max_repeat_n else 1
    runner.deadline = time.monotonic() + args.size_timeout
    py, planner = sys.executable, args.planner
    state = workdir / "state.json"
    state_files = (state, Path(f"{state}.backup"), Path(f"{state}.lock"))
    print(f"N={n}: {docs} documents in {len(files)} files; nodes={counts['nodes']}", file=sys.stderr)

    def timed(name: str, cmd: list[str], **kw: Any) -> None:
        steps[name] = runner.step(cmd, workdir, name=name, **kw)
        print(f"  {name:9} {steps[name].cell():>12}  {megabytes(steps[name].peak_kb)}", file=sys.stderr)

    timed("parse", [py, "-c", PARSE_SCRIPT, str(config)])
    timed("validate", [planner, "validate", str(config)])
    timed("plan", [planner, "plan", str(config), "--state", str(state)], before=lambda: _remove(*state_files))
    timed("apply", [planner, "apply", str(config), "--state", str(state), "--auto-approve"],
          before=lambda: _remove(*state_files))
    if steps["apply"].ok:
        timed("noop", [planner, "plan", str(config), "--state", str(state), "--detailed-exitcode"])
    else:
        steps["noop"] = Step(skipped="apply failed")

    tf_dir = workdir / "terraform"
    if not tf_bin:
        for name in TERRAFORM_STEPS:
            steps[name] = Step(skipped="terraform not installed")
    elif n > args.terraform_max_n:
        for name in TERRAFORM_STEPS:
            steps[name] = Step(skipped=f"N > {args.terraform_max_n:,}")
    else:
        terraform_config.write_config(config, tf_dir, small=not args.terraform_full)
        env = terraform_env(workdir)
        init = subprocess.run([tf_bin, "init", "-input=false", "-no-color"], cwd=tf_dir, env=env,
                              capture_output=True, text=True, timeout=300)
        if init.returncode != 0:
            print(f"terraform init failed (offline?), skipping terraform:\n{init.stderr[-600:]}", file=sys.stderr)
            for name in TERRAFORM_STEPS:
                steps[name] = Step(skipped="terraform init failed")
            tf_bin = None
        else:
            tf_state = (tf_dir / "terraform.tfstate", tf_dir / "terraform.tfstate.backup")
            tf_run = runner.step
            steps["tf_plan"] = tf_run([tf_bin, "plan", "-input=false", "-no-color"], tf_dir, env=env,
                                      name="tf_plan", before=lambda: _remove(*tf_state))
            if n <= args.terraform_apply_max_n:
                steps["tf_apply"] = tf_run([tf_bin, "apply", "-input=false", "-auto-approve", "-no-color"], tf_dir,
                                           env=env, name="tf_apply", before=lambda: _remove(*tf_state))
            else:
                steps["tf_apply"] = Step(skipped=f"N > {args.terraform_apply_max_n:,}")
                terraform_config.synthesize_state(tf_dir, tf_version)
            synthesized = not steps["tf_apply"].samples
            if synthesized or steps["tf_apply"].ok:
                steps["tf_noop"] = tf_run([tf_bin, "plan", "-input=false", "-no-color", "-detailed-exitcode"],
                                          tf_dir, env=env, name="tf_noop")
                steps["tf_noop"].note = "†" if synthesized else ""
            else:
                steps["tf_noop"] = Step(skipped="apply failed")
            for name in ("tf_plan", "tf_apply", "tf_noop"):
                print(f"  {name:9} {steps[name].cell():>12}  {megabytes(steps[name].peak_kb)}", file=sys.stderr)

    changed = generate.mutate(config, MUTATE_FRACTION, args.seed)
    info["changed"] = changed
    if steps["apply"].ok:
        timed("plan1", [planner, "plan", str(config), "--state", str(state), "--detailed-exitcode"], expected_rc=2)
    else:
        steps["plan1"] = Step(skipped="apply failed")
    if tf_bin and "tf_plan1" not in steps:
        if steps["tf_noop"].ok:
            terraform_config.write_config(config, tf_dir, small=not args.terraform_full)
            steps["tf_plan1"] = runner.step([tf_bin, "plan", "-input=false", "-no-color", "-detailed-exitcode"],
                                            tf_dir, expected_rc=2, env=env, name="tf_plan1")
            steps["tf_plan1"].note = steps["tf_noop"].note
            print(f"  tf_plan1  {steps['tf_plan1'].cell():>12}  {megabytes(steps['tf_plan1'].peak_kb)}",
                  file=sys.stderr)
        else:
            steps["tf_plan1"] = Step(skipped="no state")
    info["steps"] = {k: asdict(v) for k, v in steps.items()}
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return info


def environment(planner: str, tf_bin: str | None, tf_version: str) -> dict[str, Any]:
    """Date, machine, versions: what a reader needs to compare two runs."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    import yaml

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu, "memory": mem, "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "pyyaml": f"{yaml.__version__} (libyaml {yaml.__with_libyaml__})",
        "planner_commit": commit, "planner": planner, "terraform": tf_version if tf_bin else "not installed",
        "load_average": os.getloadavg()[0], "rss_source": "/usr/bin/time %M" if os.access(TIME_BIN, os.X_OK)
        else "os.wait4 ru_maxrss",
    }


def _step(size: dict[str, Any] | None, name: str) -> Step | None:
    """One step of a saved size, if it was recorded."""
    if size is None or name not in size["steps"]:
        return None
    return Step.from_json(size["steps"][name])


def _best(size: dict[str, Any] | None, name: str) -> float | None:
    """The best wall time of a step, if it ran and succeeded."""
    step = _step(size, name)
    return step.best if step else None


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Each target of the issue: (target, measured, ratio or limit, ✓/✗)."""
    sizes = results["sizes"]
    s1k, s10k, s50k = sizes.get("1000"), sizes.get("10000"), sizes.get("50000")
    startup_step = Step.from_json(results["startup"]["planner --help"])
    startup = startup_step.best
    rows: list[tuple[str, str, str, str]] = []

    def check(label: str, value: float | None, limit: float | None, limit_text: str) -> None:
        if value is None or limit is None:
            rows.append((label, seconds(value), f"{limit_text} (not measured)", "–"))
            return
        rows.append((label, f"{seconds(value)} s", f"{value / limit:.2f}× of limit {seconds(limit)} s ({limit_text})",
                     "✓" if value <= limit else "✗"))

    def scaled(size: dict[str, Any] | None, name: str, factor: float) -> float | None:
        best = _best(size, name)
        return None if best is None else best * factor

    check("N=1,000 plan (empty) ≤ terraform plan", _best(s1k, "plan"), scaled(s1k, "tf_plan", 1), "terraform")
    check("N=1,000 apply ≤ 5% of terraform apply", _best(s1k, "apply"), scaled(s1k, "tf_apply", 0.05),
          "5% of terraform")
    check("N=1,000 no-change plan ≤ 25% of terraform's", _best(s1k, "noop"), scaled(s1k, "tf_noop", 0.25),
          "25% of terraform")
    for name in ("plan", "noop"):
        label = LABELS[name]
        check(f"N=10,000 {label} ≤ 3.25 s", _best(s10k, name), 3.25, "absolute")
        check(f"N=10,000 {label} ≤ 2.5× YAML floor", _best(s10k, name), scaled(s10k, "parse", 2.5),
              "2.5× raw CSafeLoader parse")
        check(f"N=10,000 {label} ≤ 25% of terraform plan", _best(s10k, name), scaled(s10k, "tf_plan", 0.25),
              "25% of terraform plan")
    check("N=10,000 apply ≤ 10 s", _best(s10k, "apply"), 10.0, "absolute")
    peaks = [_step(s10k, name).peak_kb for name in PLANNER_STEPS[1:] if _step(s10k, name)]
    peak = max((p for p in peaks if p), default=None)
    if peak is None:
        rows.append(("N=10,000 peak memory ≤ 500 MB", "—", "not measured", "–"))
    else:
        rows.append(("N=10,000 peak memory ≤ 500 MB", megabytes(peak), f"{peak * 1024 / 500e6:.2f}× of 500 MB",
                     "✓" if peak * 1024 <= 500e6 else "✗"))
    for name in ("validate", "plan", "apply", "noop", "plan1"):
        t10, t50 = _best(s10k, name), _best(s50k, name)
        label = f"linear: {LABELS[name]} per resource, 10k → 50k (start-up subtracted) ≤ +10%"
        if t10 is None or t50 is None or startup is None:
            rows.append((label, "—", "not measured", "–"))
            continue
        growth = ((t50 - startup) / 50_000) / ((t10 - startup) / 10_000) - 1
        rows.append((label, f"{(t10 - startup) / 10:.3f} → {(t50 - startup) / 50:.3f} ms/resource", f"{growth:+.0%}",
                     "✓" if growth <= 0.10 else "✗"))
    check("start-up (`planner --help`) ≤ 0.3 s", startup, 0.3, "absolute")
    return rows


def render(results: dict[str, Any]) -> str:
    """The results section as markdown."""
    env = results["env"]
    out = [
        f"Run on **{env['date']}**, planner commit `{env['planner_commit']}` (working tree may hold uncommitted "
        f"changes), best of {results['repeat']} run(s) per command (sizes above {results['max_repeat_n']:,}: 1 run).",
        "",
        f"Machine: {env['nproc']} CPU(s), {env['cpu']}, {env['memory']} RAM, {env['os']}; Python {env['python']}, "
        f"PyYAML {env['pyyaml']}; terraform {env['terraform']}; peak RSS from {env['rss_source']}; "
        f"1-minute load average at start {env['load_average']:.1f}.",
        "",
        "Start-up: " + ", ".join(f"`{k}` {seconds(Step.from_json(v).best)} s" for k, v in results["startup"].items())
        + ".",
        "",
        "**planner** (seconds, wall; peak RSS is the largest of validate/plan/apply/plans)",
        "",
        "| N | documents / files / MB | YAML floor | validate | plan (empty) | apply | no-change plan | 1% plan "
        "| peak RSS | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, size in results["sizes"].items():
        steps = {k: Step.from_json(v) for k, v in size["steps"].items()}
        peak = max((steps[k].peak_kb or 0 for k in PLANNER_STEPS[1:] if k in steps), default=0) or None
        mb = f" / {size['bytes'] / 1e6:.1f}" if "bytes" in size else ""
        out.append(f"| {int(key):,} | {size['docs']:,} / {size['files']}{mb} | "
                   + " | ".join(steps[k].cell() if k in steps else "—" for k in PLANNER_STEPS)
                   + f" | {megabytes(peak)} | {size['load_before']:.1f} |")
    out += [
        "",
        f"**terraform** `terraform_data` × every document, input {results['terraform_input']} "
        "(seconds, wall)",
        "",
        "| N | plan (empty) | apply | no-change plan | 1% plan | peak RSS | planner plan / tf plan "
        "| planner apply / tf apply | planner no-change / tf no-change |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, size in results["sizes"].items():
        steps = {k: Step.from_json(v) for k, v in size["steps"].items()}
        peak = max((steps[k].peak_kb or 0 for k in TERRAFORM_STEPS if k in steps), default=0) or None
        ratios = []
        for mine, theirs in (("plan", "tf_plan"), ("apply", "tf_apply"), ("noop", "tf_noop")):
            a, b = _best(size, mine), _best(size, theirs)
            ratios.append("—" if a is None or b is None else f"{a / b:.0%}")
        out.append(f"| {int(key):,} | " + " | ".join(steps[k].cell() if k in steps else "—" for k in TERRAFORM_STEPS)
                   + f" | {megabytes(peak)} | " + " | ".join(ratios) + " |")
    notes = [f"1% plan: `generate.py --mutate {MUTATE_FRACTION}` changed "
             + ", ".join(f"{size['changed']:,}" for size in results["sizes"].values())
             + " Deployments (1% of the resources; half replicas, half image); terraform's config is regenerated "
             "from the mutated YAML, so it sees the same changes."]
    if any(step["note"] == "†" for size in results["sizes"].values() for step in size["steps"].values()):
        notes.append("† terraform apply skipped at this size (it does not finish in 15 minutes at N=10,000; "
                     "`--terraform-apply-max-n` raises the cap): the no-change and 1% plans run against the "
                     "`terraform.tfstate` that apply would write, synthesized by `terraform_config.py`.")
    out += ["", *notes, "", "**Targets** (the issue's, for a 2-core machine)", "",
            "| target | measured | against the limit | |", "|---|---:|---|:-:|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(results)]
    return "\n".join(out) + "\n"


def write_readme(markdown: str) -> None:
    """Replace the text between the results markers of benchmarks/README.md."""
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{README} has no {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n{markdown}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000", help="comma-separated N (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best is reported (default 3)")
    parser.add_argument("--max-repeat-n", type=int, default=10_000, help="sizes above this run once (default 10000)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per command (default 900)")
    parser.add_argument("--size-timeout", type=float, default=1800, help="seconds per size (default 1800)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planner", default=str(Path(sys.executable).with_name("planner")),
                        help="planner executable (default: beside this Python)")
    parser.add_argument("--terraform", default=shutil.which("terraform"), help="terraform binary (default: PATH)")
    parser.add_argument("--no-terraform", action="store_true")
    parser.add_argument("--terraform-max-n", type=int, default=10_000, help="skip terraform above this N")
    parser.add_argument("--terraform-apply-max-n", type=int, default=1_000,
                        help="skip terraform apply above this N (default 1000; 10,000 takes > 15 min)")
    parser.add_argument("--terraform-full", action="store_true",
                        help="give each terraform_data the whole document as input, not a few fields")
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/work/nN/ afterwards")
    parser.add_argument("--write", action="store_true", help="rewrite the results section of benchmarks/README.md")
    parser.add_argument("--from-json", type=Path, help="render a saved results file instead of running")
    args = parser.parse_args(argv)
    # The stages' own cost, as before the cache (planner.cache): plans here would otherwise find the files of the
    # plans before them cached. benchmarks/cached.py measures with the cache.
    os.environ["PLANNER_NO_CACHE"] = "1"

    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        WORK.mkdir(parents=True, exist_ok=True)
        # A pip install writes bytecode; an editable one under PYTHONDONTWRITEBYTECODE (set on this machine)
        # would recompile planner's modules in every measured process. Measure what an installed planner does.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] /
                                                                      "planner")], check=False)
        tf_bin = None if args.no_terraform else args.terraform
        tf_version = ""
        if tf_bin:
            try:
                tf_version = json.loads(subprocess.run([tf_bin, "version", "-json"], capture_output=True, text=True,
                                                       timeout=60).stdout)["terraform_version"]
            except (OSError, ValueError, KeyError, subprocess.SubprocessError):
                print(f"cannot run {tf_bin}; skipping terraform", file=sys.stderr)
                tf_bin = None
        runner = Runner(max(args.repeat, 1), args.timeout)
        results = {"env": environment(args.planner, tf_bin, tf_version), "repeat": runner.repeat,
                   "max_repeat_n": args.max_repeat_n,
                   "terraform_input": "= the whole document" if args.terraform_full
                   else "= kind, name, namespace (+ replicas, image for Deployments)",
                   "startup": {}, "sizes": {}}
        runner.repeat = max(args.repeat, 5)
        for label, cmd in (("planner --help", [args.planner, "--help"]), ("python -c pass", [sys.executable, "-c",
                                                                                             "pass"])):
            results["startup"][label] = asdict(runner.step(cmd, WORK, name="startup"))
        print("start-up:", {k: seconds(Step.from_json(v).best) for k, v in results["startup"].items()},
              file=sys.stderr)
        for n in (int(s) for s in args.sizes.split(",")):
            results["sizes"][str(n)] = run_size(n, args, runner, tf_bin, tf_version)
            (WORK / "results.json").write_text(json.dumps(results, indent=1))
        (WORK / "startup.stderr").unlink(missing_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        (WORK / f"results-{stamp}.json").write_text(json.dumps(results, indent=1))
    markdown = render(results)
    print(markdown)
    if args.write:
        write_readme(markdown)
        print(f"wrote {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
