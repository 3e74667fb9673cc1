"""Time planner with and without its cache (planner.cache), side by side in one run, against the raw libyaml parse of
the same files and terraform.

    python benchmarks/cached.py [--repeat 5] [--write]

Inputs: `generate.py` at N = 1,000 and 10,000 (its own layout: files of ~500 documents, one folder per namespace),
and the 10,000 documents again as 11 files (a cluster file with the namespaces, and one file per namespace's apps).
Each round runs every command once, in turn, so the columns share the machine's load; the table gives the median
of the rounds (and the best). Commands, each a process, cache folder `benchmarks/work/cached-*/cache`:

- floor: the raw `yaml.load_all(..., CSafeLoader)` of every file (run.py's PARSE_SCRIPT), once in every round of
  every phase, so each plan's ratio to it is taken within its round (the median of those ratios is reported);
- plan (empty) `--no-cache`; cold (the cache folder emptied first: parse, validate, model and store); warm;
- no-change plan `--no-cache`; warm (after one plan of that state);
- one file changed: one Deployment's image in one file gets a tag not seen before (each round), then a plan,
  warm (the other files from the cache) and `--no-cache`;
- terraform (run.py's config): no-change plan at 1,000 against the state apply would write (synthesized, as
  run.py does above 1,000), plan from empty at 10,000.
Peak memory is the largest resident set of any planner command of that input.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import generate
import terraform_config
from run import PARSE_SCRIPT, README, TIME_BIN, WORK, Runner, Sample, seconds, terraform_env

BEGIN, END = "<!-- cache-results:begin -->", "<!-- cache-results:end -->"
COLUMNS = ("floor", "empty_nocache", "empty_cold", "empty_warm", "noop_nocache", "noop_warm", "one_nocache",
           "one_warm")
LABELS = {"floor": "YAML floor", "empty_nocache": "plan (empty) --no-cache", "empty_cold": "plan (empty) cold",
          "empty_warm": "plan (empty) warm", "noop_nocache": "no-change --no-cache", "noop_warm": "no-change warm",
          "one_nocache": "one file changed --no-cache", "one_warm": "one file changed warm"}


def eleven_files(source: Path, target: Path) -> None:
    """The generated documents as 11 files: cluster/ joined into one, each namespace's files into one."""
    target.mkdir(parents=True, exist_ok=True)
    groups = {"cluster.yaml": sorted((source / "cluster").glob("*.yaml"))}
    for folder in sorted((source / "apps").iterdir()):
        groups[f"{folder.name}.yaml"] = sorted(folder.glob("*.yaml"))
    for name, files in groups.items():
        (target / name).write_text("---\n".join(f.read_text() for f in files))


_IMAGE = re.compile(r"(image: \S+?):[^\s:]+\n")


def change_one_file(config: Path, round_no: int) -> None:
    """One Deployment's image, in the input's first app file, to a tag never seen before."""
    path = sorted(p for p in config.rglob("*.yaml") if "cluster" not in p.parts and p.name != "cluster.yaml")[0]
    text = path.read_text()
    path.write_text(_IMAGE.sub(lambda m: f"{m.group(1)}:bench-{os.getpid()}-{round_no}\n", text, count=1))


def measure(label: str, config: Path, args: argparse.Namespace, runner: Runner, tf_bin: str | None,
            tf_version: str) -> dict[str, Any]:
    workdir = config.parent
    cache_dir, state = workdir / "cache", workdir / "state.json"
    env = {**os.environ, "PLANNER_CACHE_DIR": str(cache_dir)}
    env.pop("PLANNER_NO_CACHE", None)
    planner = args.planner
    files = sorted(config.rglob("*.yaml"))
    info: dict[str, Any] = {"label": label, "files": len(files), "bytes": sum(f.stat().st_size for f in files),
                            "load": [os.getloadavg()[0]], "samples": {c: [] for c in COLUMNS}}
    samples: dict[str, list[Sample]] = info["samples"]

    def run(column: str, cmd: list[str], rc: int = 0) -> None:
        sample = runner.once(cmd, workdir, env, workdir / f"{column}.stderr")
        if sample.rc != rc:
            tail = (workdir / f"{column}.stderr").read_text(errors="replace")[-600:]
            raise SystemExit(f"{label} {column}: exit {sample.rc}, expected {rc}\n{tail}")
        samples[column].append(sample)

    def no_state() -> None:
        for p in (state, Path(f"{state}.backup")):
            p.unlink(missing_ok=True)

    plan = [planner, "plan", str(config), "--state", str(state)]
    for _ in range(args.repeat):  # from empty
        run("floor", [sys.executable, "-c", PARSE_SCRIPT, str(config)])
        no_state()
        run("empty_nocache", [*plan, "--no-cache"])
        shutil.rmtree(cache_dir, ignore_errors=True)
        run("empty_cold", plan)
        run("empty_warm", plan)
    subprocess.run([planner, "apply", str(config), "--state", str(state), "--auto-approve"], cwd=workdir, env=env,
                   stdout=subprocess.DEVNULL, check=True)
    subprocess.run(plan, cwd=workdir, env=env, stdout=subprocess.DEVNULL, check=True)
    info["load"].append(os.getloadavg()[0])
    for _ in range(args.repeat):
        run("floor", [sys.executable, "-c", PARSE_SCRIPT, str(config)])
        run("noop_nocache", [*plan, "--detailed-exitcode", "--no-cache"])
        run("noop_warm", [*plan, "--detailed-exitcode"])
    for round_no in range(args.repeat):
        change_one_file(config, round_no)
        run("floor", [sys.executable, "-c", PARSE_SCRIPT, str(config)])
        run("one_warm", [*plan, "--detailed-exitcode"], rc=2)
        run("one_nocache", [*plan, "--detailed-exitcode", "--no-cache"], rc=2)
    info["load"].append(os.getloadavg()[0])
    info["cache_bytes"] = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
    info["terraform"] = {}
    if tf_bin:
        tf_dir = workdir / "terraform"
        terraform_config.write_config(config, tf_dir, small=True)
        tf_env = terraform_env(workdir)
        subprocess.run([tf_bin, "init", "-input=false", "-no-color"], cwd=tf_dir, env=tf_env, check=True,
                       capture_output=True)
        which = "tf_noop" if args.tf_noop else "tf_plan"
        if which == "tf_noop":
            terraform_config.synthesize_state(tf_dir, tf_version)
        cmd = [tf_bin, "plan", "-input=false", "-no-color", "-detailed-exitcode"]
        info["terraform"][which] = [runner.once(cmd, tf_dir, tf_env).__dict__ for _ in range(args.tf_repeat)]
    return info


def median(samples: list[Any]) -> float:
    return statistics.median(s["wall"] if isinstance(s, dict) else s.wall for s in samples)


def ratio(info: dict[str, Any], column: str) -> float:
    """The median over rounds of `column` / the floor measured just before it in the same round: the two ran
    side by side, under the same load. The floor runs in every round of every phase (3 × rounds samples)."""
    floor, got = info["samples"]["floor"], info["samples"][column]
    phase = {"empty_nocache": 0, "empty_cold": 0, "empty_warm": 0, "noop_nocache": 1, "noop_warm": 1,
             "one_nocache": 2, "one_warm": 2}[column]
    rounds = len(got)
    return statistics.median(g["wall"] / f["wall"] for g, f in zip(got, floor[phase * rounds:], strict=False))


def render(results: dict[str, Any]) -> str:
    env = results["env"]
    lines = [f"Run on **{env['date']}**, planner commit `{env['commit']}`, {results['repeat']} rounds (each round runs "
             "every column once, in turn), **median** wall time (best in brackets), seconds. Machine: "
             f"{env['nproc']} CPU(s), Python {env['python']}, terraform {env['terraform']}; the machine was shared "
             "with other jobs (1-minute load average at the start, after the plans from empty, at the end of each "
             "input in the last column).", "",
             "| input | " + " | ".join(LABELS[c] for c in COLUMNS) + " | peak RSS | cache | load |",
             "|---|" + "---:|" * (len(COLUMNS) + 3)]
    for info in results["inputs"]:
        cells = []
        for column in COLUMNS:
            got = info["samples"][column]
            cells.append(f"{seconds(median(got))} ({seconds(min(s['wall'] for s in got))})")
        peak = max((s["rss_kb"] or 0) for c in COLUMNS if c != "floor" for s in info["samples"][c])
        lines.append(f"| {info['label']}: {info['files']} files, {info['bytes'] / 1e6:.1f} MB | " + " | ".join(cells)
                     + f" | {peak * 1024 / 1e6:.0f} MB | {info['cache_bytes'] / 1e6:.0f} MB | "
                     + " / ".join(f"{x:.1f}" for x in info["load"]) + " |")
    lines += ["", "| target | measured (median) | limit | |", "|---|---:|---|:-:|"]
    by = {info["label"]: info for info in results["inputs"]}

    def check(text: str, value: float, limit: float, limit_text: str) -> None:
        lines.append(f"| {text} | {seconds(value)} s | {value / limit:.2f}× of {limit_text} | "
                     f"{'✓' if value <= limit else '✗'} |")

    for info in (i for i in results["inputs"] if i["label"].startswith("10,000")):  # the targets: 10k
        for column, limit in (("noop_warm", 0.4), ("one_warm", 0.6)):
            value = ratio(info, column)
            lines.append(f"| {info['label']}: {LABELS[column]} ≤ {limit}× raw parse (median of per-round ratios) | "
                         f"{value:.2f}× | {value / limit:.2f}× of {limit}× | {'✓' if value <= limit else '✗'} |")
    ten = by.get("10,000 in 11 files")
    if ten:
        peak = max((s["rss_kb"] or 0) for c in COLUMNS if c != "floor" for s in ten["samples"][c]) * 1024 / 1e6
        lines.append(f"| 10k in 11 files: peak memory ≤ 400 MB | {peak:.0f} MB | {peak / 400:.2f}× of 400 MB | "
                     f"{'✓' if peak <= 400 else '✗'} |")
    for info in results["inputs"]:
        tf = info.get("terraform") or {}
        if "tf_noop" in tf:
            value, limit = median(info["samples"]["noop_warm"]), 0.25 * median(tf["tf_noop"])
            check(f"{info['label']}: no-change plan, warm ≤ 0.25× terraform's", value, limit,
                  f"{seconds(limit)} s (0.25 × {seconds(median(tf['tf_noop']))} s, synthesized state)")
        if "tf_plan" in tf:
            value, limit = median(info["samples"]["empty_cold"]), 0.25 * median(tf["tf_plan"])
            check(f"{info['label']}: plan from empty, cold ≤ 0.25× terraform's", value, limit,
                  f"{seconds(limit)} s (0.25 × {seconds(median(tf['tf_plan']))} s)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5); the median is reported")
    parser.add_argument("--tf-repeat", type=int, default=3, help="terraform runs per input (default 3)")
    parser.add_argument("--planner", default=str(Path(sys.executable).with_name("planner")))
    parser.add_argument("--terraform", default=shutil.which("terraform"))
    parser.add_argument("--no-terraform", action="store_true")
    parser.add_argument("--inputs", default="1000,10000,10000/11", help="N, or N/11 for 11 files")
    parser.add_argument("--write", action="store_true", help="rewrite the cache section of benchmarks/README.md")
    parser.add_argument("--from-json", type=Path)
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] /
                                                                      "planner")], check=False)
        tf_bin = None if args.no_terraform else args.terraform
        tf_version = ""
        if tf_bin:
            tf_version = json.loads(subprocess.run([tf_bin, "version", "-json"], capture_output=True, text=True,
                                                   timeout=60).stdout)["terraform_version"]
        commit = subprocess.run(["git", "-C", str(Path(__file__).resolve().parents[1]), "rev-parse", "--short",
                                 "HEAD"], capture_output=True, text=True).stdout.strip()
        import datetime as dt
        import platform

        results = {"env": {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                           "commit": commit, "nproc": os.cpu_count(), "python": platform.python_version(),
                           "terraform": tf_version or "not run", "rss": TIME_BIN},
                   "repeat": args.repeat, "inputs": []}
        runner = Runner(1, 900)
        for spec in args.inputs.split(","):
            n, _, eleven = spec.partition("/")
            workdir = WORK / f"cached-{n}{'-11' if eleven else ''}"
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            generate.generate(int(n), workdir / "generated", 1)
            config = workdir / "generated"
            if eleven:
                eleven_files(workdir / "generated", workdir / "config")
                config = workdir / "config"
            label = f"{int(n):,}" + (" in 11 files" if eleven else "")
            args.tf_noop = int(n) <= 1000
            print(f"{label}...", file=sys.stderr)
            info = measure(label, config, args, runner, tf_bin if (int(n) <= 1000 or eleven) else None, tf_version)
            info["samples"] = {k: [s.__dict__ for s in v] for k, v in info["samples"].items()}
            results["inputs"].append(info)
            (WORK / "cached-results.json").write_text(json.dumps(results, indent=1))
            shutil.rmtree(workdir, ignore_errors=True)
    markdown = render(results)
    print(markdown)
    if args.write:
        text = README.read_text()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        README.write_text(text[:start] + "\n" + markdown + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
