"""chinwag's command tree against mmctl's command reference (tests/cli/mmctl_reference.py): every mmctl
command exists with the same path, and every flag with the same name, shorthand, kind (a switch or a
flag taking a value) and default; the global flags sit on the root."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from chinwag.cli.main import cli
from tests.cli.mmctl_reference import ENTERPRISE_ONLY, GLOBAL_FLAGS, KNOWN_GAPS, MMCTL_COMMANDS


def tree() -> tuple[Any, dict[str, Any]]:
    root = typer.main.get_command(cli)
    found: dict[str, Any] = {}

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            if hasattr(sub, "commands"):
                walk(sub, (*path, name))
            else:
                found[" ".join((*path, name))] = sub

    walk(root, ())
    return root, found


ROOT, COMMANDS = tree()


def options(cmd: Any) -> dict[str, Any]:
    return {o: p for p in cmd.params if getattr(p, "param_type_name", "") == "option" for o in p.opts}


def problems(path: str, flags: list[tuple[str, str, str, str | None]]) -> list[str]:
    cmd = COMMANDS.get(path)
    if cmd is None:
        return [f"{path}: missing"]
    have = options(cmd)
    out = []
    for name, short, kind, default in flags:
        p = have.get(f"--{name}")
        if p is None:
            out.append(f"{path}: no --{name}")
            continue
        if short and f"-{short}" not in p.opts:
            out.append(f"{path}: --{name} has no -{short}")
        if (kind == "bool") != bool(p.is_flag):
            out.append(f"{path}: --{name} should {'not ' if kind != 'bool' else ''}be a switch")
        want = {"bool": "true" if default == "true" else "false"}.get(kind, default)
        if kind == "string" and default is not None:
            want = default.strip('"')
        if kind in ("stringArray", "strings", "stringSlice") and default in ("[]", None):
            want = None
        got = p.default
        if kind == "bool":
            got = "true" if got else "false"
        elif isinstance(got, (list, tuple)) or (got in ("", None, 0) and want is None):
            got = None if not got else got
        else:
            got = str(got)
        if kind != "bool" and want is None and got not in (None, "0", ""):
            out.append(f"{path}: --{name} default {got!r}, mmctl has none")
        elif want is not None and got != want:
            out.append(f"{path}: --{name} default {got!r}, mmctl's is {want!r}")
    return out


def test_every_mmctl_command_and_flag() -> None:
    found = [p for path, flags in sorted(MMCTL_COMMANDS.items()) for p in problems(path, flags)
             if p not in KNOWN_GAPS]
    assert found == [], "\n".join(found)
    assert len(MMCTL_COMMANDS) == 141


@pytest.mark.parametrize("flag", GLOBAL_FLAGS)
def test_global_flags_on_the_root(flag: str) -> None:
    assert flag in options(ROOT)


def test_enterprise_allow_list_is_short_and_real() -> None:
    assert len(ENTERPRISE_ONLY) <= 12
    assert set(ENTERPRISE_ONLY) <= set(MMCTL_COMMANDS) and set(ENTERPRISE_ONLY) <= set(COMMANDS)
