"""Write the terraform equivalent of a generated desired state: one `terraform_data` resource per YAML document.

    python benchmarks/terraform_config.py YAMLDIR TFDIR [--small]

Each resource's `input` is the document itself (JSON configuration syntax, `*.tf.json`), so terraform holds, diffs
and stores the same data planner does; `--small` keeps only a few fields per resource instead (name, namespace,
kind, replicas, image), which is terraform's floor for N resources. `terraform_data` is built into terraform
(provider `terraform.io/builtin/terraform`), so `terraform init` needs no download. Regenerating after
`generate.py --mutate` changes exactly the resources the mutation changed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

RESOURCES_PER_FILE = 500
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def resource_name(doc: dict[str, Any]) -> str:
    """A terraform identifier for a Kubernetes object: kind, namespace and name."""
    meta = doc.get("metadata") or {}
    parts = [doc.get("kind", "object"), meta.get("namespace", ""), meta.get("name", "")]
    return _UNSAFE.sub("_", "_".join(p for p in parts if p)).lower()


def small_input(doc: dict[str, Any]) -> dict[str, Any]:
    """A handful of fields of the document (the `--small` variant)."""
    meta, spec = doc.get("metadata") or {}, doc.get("spec") or {}
    out: dict[str, Any] = {"kind": doc.get("kind"), "name": meta.get("name"), "namespace": meta.get("namespace", "")}
    if "replicas" in spec:
        out["replicas"] = spec["replicas"]
        out["image"] = spec["template"]["spec"]["containers"][0]["image"]
    return out


def write_config(yaml_dir: Path, tf_dir: Path, small: bool = False) -> int:
    """Write `*.tf.json` files under `tf_dir` for every document under `yaml_dir`; return the resource count."""
    files = sorted(p for p in yaml_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    resources: dict[str, Any] = {}
    for path in files:
        with path.open(encoding="utf-8") as f:
            for doc in yaml.load_all(f, Loader=yaml.CSafeLoader):
                if isinstance(doc, dict):
                    resources[resource_name(doc)] = {"input": small_input(doc) if small else doc}
    tf_dir.mkdir(parents=True, exist_ok=True)
    for old in tf_dir.glob("resources-*.tf.json"):
        old.unlink()
    names = list(resources)
    for part, start in enumerate(range(0, len(names), RESOURCES_PER_FILE), 1):
        chunk = {name: resources[name] for name in names[start:start + RESOURCES_PER_FILE]}
        text = json.dumps({"resource": {"terraform_data": chunk}}, indent=1)
        (tf_dir / f"resources-{part:03d}.tf.json").write_text(text + "\n", encoding="utf-8")
    return len(names)


def cty_type(value: Any) -> Any:
    """The cty type terraform records in its state for a JSON value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return ["object", {k: cty_type(v) for k, v in value.items()}]
    if isinstance(value, list):
        return ["tuple", [cty_type(v) for v in value]]
    return "dynamic"


def synthesize_state(tf_dir: Path, terraform_version: str) -> int:
    """Write the `terraform.tfstate` that `terraform apply` of `tf_dir` would write, without running it.

    Used where a real apply takes too long (N >= 10,000), so that the no-change and 1% plans can still be timed.
    Returns the resource count.
    """
    resources = []
    for path in sorted(tf_dir.glob("resources-*.tf.json")):
        config = json.loads(path.read_text(encoding="utf-8"))["resource"]["terraform_data"]
        for name, body in config.items():
            typed = {"value": body["input"], "type": cty_type(body["input"])}
            resources.append({
                "mode": "managed", "type": "terraform_data", "name": name,
                "provider": 'provider["terraform.io/builtin/terraform"]',
                "instances": [{"schema_version": 0, "attributes": {
                    "id": str(uuid.UUID(int=len(resources) + 1)), "input": typed, "output": typed,
                    "triggers_replace": None}, "sensitive_attributes": []}],
            })
    state = {"version": 4, "terraform_version": terraform_version, "serial": 1,
             "lineage": "00000000-0000-0000-0000-000000000000", "outputs": {}, "resources": resources,
             "check_results": None}
    (tf_dir / "terraform.tfstate").write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    return len(resources)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("yaml_dir", type=Path)
    parser.add_argument("tf_dir", type=Path)
    parser.add_argument("--small", action="store_true", help="only a few fields per resource")
    args = parser.parse_args(argv)
    count = write_config(args.yaml_dir, args.tf_dir, args.small)
    print(f"{count} terraform_data resource(s) -> {args.tf_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
