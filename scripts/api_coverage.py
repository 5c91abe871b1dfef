"""API coverage: Mattermost's published REST operations against chinwag's route table.

Each operation of scripts/data/mattermost-operations.json is marked

- ``served``: chinwag routes it to a handler;
- ``enterprise-refused``: chinwag answers it as an unlicensed Mattermost does (501/403/400 with
  Mattermost's error id), the operation needing a licence there;
- ``missing``: no route (the request gets a 404).

and each is labelled with what a Mattermost server needs to answer it: ``team`` (Team Edition),
``licensed``, ``cloud``, ``agents plugin`` (the Mattermost Agents AI plugin), or ``retired`` (no longer
served by Mattermost either). The target is every ``team`` operation served.

    python scripts/api_coverage.py                 # summary and table on stdout
    python scripts/api_coverage.py --docs docs/api.md   # rewrite the table in docs/api.md
    python scripts/api_coverage.py --refresh DIR   # re-derive the data file from Mattermost's
                                                   # OpenAPI sources (DIR holds its *.yaml files)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "scripts" / "data" / "mattermost-operations.json"
START, END = "<!-- api-coverage:start -->", "<!-- api-coverage:end -->"

#: operations a Mattermost server answers only with a licence (path prefixes after /api/v4)
LICENSED = (
    "/compliance", "/data_retention", "/users/{}/data_retention", "/ldap", "/saml", "/elasticsearch",
    "/groups", "/users/{}/groups", "/teams/{}/groups", "/channels/{}/groups", "/teams/{}/groups_by_channels",
    "/channels/{}/members_minus_group_members", "/teams/{}/members_minus_group_members",
    "/channels/{}/member_counts_by_group", "/schemes/{}/teams", "/schemes/{}/channels", "/channels/{}/scheme",
    "/teams/{}/scheme", "/channels/{}/moderations", "/sharedchannels", "/remotecluster", "/license/renewal",
    "/trial-license", "/upgrade_to_enterprise", "/restart", "/system/support_packet",
    "/insights", "/ip_filtering", "/outgoing_oauth_connections", "/posts/schedule", "/custom_profile_attributes",
    "/access_control_policies",
    # Mattermost 10/11: bookmarks (any licence), moving threads, profile attribute values and auto-translation
    # (Enterprise), outgoing OAuth connections (Enterprise), attribute-based access control and content
    # flagging (Enterprise Advanced), burn-on-read posts (created only with Enterprise Advanced)
    "/channels/{}/bookmarks", "/posts/{}/move", "/users/{}/custom_profile_attributes",
    "/channels/{}/members/{}/autotranslation", "/oauth/outgoing_connections", "/channels/{}/access_control",
    "/content_flagging", "/posts/{}/burn", "/posts/{}/reveal",
)
LICENSED_OPS = {("POST", "/schemes"), ("PUT", "/schemes/{}/patch"), ("DELETE", "/schemes/{}"),
                ("GET", "/schemes/{}"), ("POST", "/license"), ("DELETE", "/license"), ("POST", "/reports/posts")}
CLOUD = ("/cloud", "/users/login/cws", "/hosted_customer")
#: operations served only while the Mattermost Agents plugin (AI) is installed and configured
AGENTS = ("/agents", "/llmservices", "/recaps", "/posts/rewrite")
#: operations of the 2023 reference that Mattermost itself no longer serves (a current server answers 404,
#: as chinwag does): Insights left in 9.0; the warn-metrics banners (``/warn_metrics/...``) are gone from
#: api4/system.go. Also ``/ai/agents`` and ``/ai/services``: in the 11.x reference (ai.yaml, "minimum
#: server version 11.2") but routed by no Mattermost server, whose api4/agents.go serves ``/agents`` and
#: ``/llmservices`` instead (the web app's Client4 calls those), so Mattermost answers them 404 as well
RETIRED = ("/teams/{}/top", "/users/me/top", "/warn_metrics", "/ai")

_PARAM = re.compile(r"\{[^}]*\}")


def template(path: str) -> str:
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def edition(method: str, path: str) -> str:
    rel = template(path).removeprefix("/api/v4")
    if rel.startswith(CLOUD):
        return "cloud"
    if any(rel == p or rel.startswith(p + "/") for p in AGENTS):
        return "agents plugin"
    if rel.startswith(RETIRED):
        return "retired"
    if (method, rel) in LICENSED_OPS or any(rel == p or rel.startswith(p + "/") for p in LICENSED):
        return "licensed"
    return "team"


def load() -> list[dict[str, str]]:
    ops: list[dict[str, str]] = json.loads(DATA.read_text())["operations"]
    return ops


def classify(ops: list[dict[str, str]]) -> list[dict[str, str]]:
    sys.path.insert(0, str(ROOT / "src"))
    from chinwag.web.route_table import operations

    served: dict[tuple[str, str], Any] = {}
    for route in operations():
        served.setdefault(route.key, route)
    rows = []
    for op in ops:
        mine = served.get((op["method"], template(op["path"])))
        status = "missing" if mine is None else "enterprise-refused" if mine.spec.enterprise else "served"
        rows.append({**op, "tag": op["tag"] or op["source"].removesuffix(".yaml"), "status": status,
                     "edition": edition(op["method"], op["path"])})
    return rows


def summary(rows: list[dict[str, str]]) -> str:
    by = Counter((r["edition"], r["status"]) for r in rows)
    lines = [f"Mattermost operations: {len(rows)} ({json.loads(DATA.read_text())['source']})", ""]
    lines.append("| Mattermost needs | operations | served | enterprise-refused | missing |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for ed in ("team", "licensed", "cloud", "agents plugin", "retired"):
        n = sum(v for (e, _), v in by.items() if e == ed)
        lines.append(f"| {ed} | {n} | {by[(ed, 'served')]} | {by[(ed, 'enterprise-refused')]} | "
                     f"{by[(ed, 'missing')]} |")
    total = Counter(r["status"] for r in rows)
    lines.append(f"| **all** | {len(rows)} | {total['served']} | {total['enterprise-refused']} | "
                 f"{total['missing']} |")
    return "\n".join(lines)


def table(rows: list[dict[str, str]]) -> str:
    lines = ["| Area | Method | Path | Mattermost needs | chinwag |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["tag"], r["path"], r["method"])):
        lines.append(f"| {r['tag']} | {r['method']} | `{r['path'].removeprefix('/api/v4')}` | {r['edition']} | "
                     f"{r['status']} |")
    return "\n".join(lines)


def refresh(source_dir: Path) -> None:
    """Derive the operations from Mattermost's OpenAPI sources (one YAML fragment per area)."""
    ops, seen = [], set()
    for f in sorted(source_dir.glob("*.yaml")):
        path = current = None
        for line in f.read_text().splitlines():
            m = re.match(r'^  "?(/api/v4/[^"]*)"?:\s*$', line)
            if m:
                path, current = m.group(1), None
                continue
            m = re.match(r"^    (get|post|put|patch|delete|head):\s*$", line)
            if m and path:
                key = (m.group(1).upper(), path)
                current = None if key in seen else {"method": key[0], "path": path, "operation_id": "", "tag": "",
                                                    "summary": "", "source": f.name}
                if current is not None:
                    seen.add(key)
                    ops.append(current)
                continue
            if current is None:
                continue
            if m := re.match(r"^      operationId:\s*(\S+)", line):
                current["operation_id"] = m.group(1)
            elif m := re.match(r"^      summary:\s*(.+)$", line):
                current["summary"] = m.group(1).strip().strip('"')
            elif (m := re.match(r"^        - (\S+)$", line)) and not current["tag"]:
                current["tag"] = m.group(1)
    data = json.loads(DATA.read_text()) if DATA.exists() else {}
    data.update({"source": f"{source_dir} (Mattermost OpenAPI sources)", "operations": ops})
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(ops)} operations written to {DATA}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=Path, help="rewrite the coverage section of this Markdown file")
    ap.add_argument("--refresh", type=Path, help="re-derive the data file from a directory of OpenAPI YAML")
    args = ap.parse_args()
    if args.refresh:
        refresh(args.refresh)
        return 0
    rows = classify(load())
    text = summary(rows) + "\n\n" + table(rows)
    if args.docs:
        doc = args.docs.read_text()
        if START not in doc or END not in doc:
            doc = doc.rstrip("\n") + f"\n\n## Coverage of Mattermost's API\n\n{START}\n{END}\n"
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        args.docs.write_text(f"{head}{START}\n{text}\n{END}{tail}")
        print(summary(rows))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
