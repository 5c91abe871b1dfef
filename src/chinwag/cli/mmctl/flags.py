"""mmctl's persistent flags: accepted before, between and after the subcommands (`chinwag --local user
list`, `chinwag user --json list`, `chinwag user list --quiet`), with the MMCTL_* environment variables
as defaults, and usage errors as one line on stderr with exit code 1 (as cobra does)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

# flag → (dataclass field, takes a value)
GLOBAL_FLAGS: dict[str, tuple[str, bool]] = {
    "--local": ("local", False),
    "--json": ("json", False),
    "--format": ("format", True),
    "--quiet": ("quiet", False),
    "--strict": ("strict", False),
    "--insecure-sha1-intermediate": ("insecure_sha1_intermediate", False),
    "--insecure-tls-version": ("insecure_tls_version", False),
    "--disable-pager": ("disable_pager", False),
    "--suppress-warnings": ("suppress_warnings", False),
    "--config": ("config", True),
    "--no-stat": ("no_stat", False),  # hidden in mmctl: list commands without "There are N …"
    "--short-stat": ("short_stat", False),  # hidden in mmctl: list commands print only that line
}


@dataclass
class GlobalFlags:
    local: bool = False
    json: bool = False
    format: str = "plain"
    quiet: bool = False
    strict: bool = False
    insecure_sha1_intermediate: bool = False
    insecure_tls_version: bool = False
    disable_pager: bool = False
    suppress_warnings: bool = False
    config: str = ""
    no_stat: bool = False
    short_stat: bool = False
    local_socket_path: str = ""
    given: set[str] = field(default_factory=set)

    @property
    def output(self) -> str:
        return "json" if self.json or self.format == "json" else "plain"


FLAGS = GlobalFlags()


class UsageFailure(Exception):
    pass


def parse_bool(text: str) -> bool | None:
    """Go's strconv.ParseBool, which viper and pflag use."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def from_environment(env: dict[str, str] | os._Environ[str] = os.environ) -> GlobalFlags:
    """MMCTL_LOCAL, MMCTL_JSON, MMCTL_FORMAT, … (viper's AutomaticEnv with the "mmctl" prefix and
    dashes as underscores), and MMCTL_LOCAL_SOCKET_PATH."""
    flags = GlobalFlags()
    for f in fields(GlobalFlags):
        if f.name == "given":
            continue
        raw = env.get("MMCTL_" + f.name.upper())
        if raw is None:
            continue
        if isinstance(getattr(flags, f.name), bool):
            setattr(flags, f.name, bool(parse_bool(raw.strip())))
        else:
            setattr(flags, f.name, raw)
    return flags


def _set(flags: GlobalFlags, name: str, value: str | None) -> None:
    attr, takes_value = GLOBAL_FLAGS[name]
    if takes_value:
        if value is None:
            raise UsageFailure(f"flag needs an argument: {name}")
        if attr == "format" and value not in ("plain", "json"):
            raise UsageFailure(f"invalid argument \"{value}\" for \"--format\" flag: must be plain or json")
        setattr(flags, attr, value)
    else:
        if value is None:
            setattr(flags, attr, True)
        else:
            b = parse_bool(value)
            if b is None:
                raise UsageFailure(f"invalid argument \"{value}\" for \"{name}\" flag: strconv.ParseBool: "
                                   f"parsing \"{value}\": invalid syntax")
            setattr(flags, attr, b)
    flags.given.add(attr)


def _takes_value(cmd: Any) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for p in getattr(cmd, "params", []):
        if getattr(p, "param_type_name", "") != "option":
            continue
        for o in [*p.opts, *p.secondary_opts]:
            out[o] = not (p.is_flag or p.count)
    return out


def _negation(cmd: Any, name: str) -> str | None:
    """The "--no-x" of a switch, if it has one."""
    for p in getattr(cmd, "params", []):
        if name in getattr(p, "opts", ()) and getattr(p, "secondary_opts", None):
            return str(p.secondary_opts[0])
    return None


def split(root: Any, args: Sequence[str], flags: GlobalFlags) -> list[str]:
    """Take mmctl's global flags out of ``args`` wherever they are, into ``flags``; return the rest.
    A command that has its own ``--config`` (the server commands: `serve`, `db`, …, where it is the
    path of config.json) keeps it."""
    rest: list[str] = []
    node = root
    leaf = False
    own = _takes_value(root)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        name, eq, value = a.partition("=")
        if name in GLOBAL_FLAGS and not (leaf and name in own):
            takes_value = GLOBAL_FLAGS[name][1]
            if eq:
                _set(flags, name, value)
            elif takes_value:
                if i + 1 >= len(args):
                    raise UsageFailure(f"flag needs an argument: {name}")
                _set(flags, name, args[i + 1])
                i += 1
            else:
                _set(flags, name, None)
            i += 1
            continue
        if leaf and eq and own.get(name) is False:  # pflag's --switch=true|false
            b = parse_bool(value)
            if b is None:
                raise UsageFailure(f"invalid argument \"{value}\" for \"{name}\" flag: strconv.ParseBool: "
                                   f"parsing \"{value}\": invalid syntax")
            negation = None if b else _negation(node, name)
            if b or negation:
                rest.append(name if b else str(negation))
            i += 1
            continue
        rest.append(a)
        if leaf and name in own and own[name] and not eq and i + 1 < len(args):
            rest.append(args[i + 1])  # the option's value, even when it looks like a flag (as pflag)
            i += 1
        elif not leaf and not a.startswith("-"):
            sub = getattr(node, "commands", {}).get(a)
            if sub is not None:
                node = sub
                own = _takes_value(sub)
                leaf = not hasattr(sub, "commands")
        i += 1
    return rest


def fail_usage(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _usage_message(e: Any) -> str:
    from typer._click import exceptions as ex

    if isinstance(e, ex.NoSuchOption):
        return f"unknown flag: {e.option_name}"
    msg = e.format_message()
    if msg.startswith("No such command"):
        cmd = msg.split("'")[1] if "'" in msg else msg
        path = e.ctx.command_path if e.ctx is not None else "chinwag"
        return f"unknown command \"{cmd}\" for \"{path}\""
    return " ".join(msg.split())


class RootGroup(TyperGroup):
    """The top of the command tree: hoists the global flags, and turns click's usage errors (several
    lines, exit 2) into cobra's (one line, exit 1)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        from typer import exceptions as tex
        from typer._click import exceptions as ex

        prog = os.path.basename(sys.argv[0]).replace("-", "_").upper()
        if os.environ.get(f"_{prog}_COMPLETE"):  # a shell asking for completions (completion bash|zsh|fish)
            from typer._completion_classes import completion_init

            completion_init()
        argv = list(sys.argv[1:] if args is None else args)
        flags = from_environment()
        try:
            rest = split(self, argv, flags)
        except UsageFailure as e:
            fail_usage(str(e))
        FLAGS.__dict__.update(flags.__dict__)
        try:
            rv = super().main(rest, prog_name, complete_var, standalone_mode=False,
                              windows_expand_args=windows_expand_args, **extra)
        except ex.NoArgsIsHelpError as e:
            typer.echo(e.ctx.get_help())
            sys.exit(0)
        except ex.UsageError as e:
            fail_usage(_usage_message(e))
        except ex.ClickException as e:
            fail_usage(e.format_message())
        except tex.Abort:
            typer.echo("Aborted!", err=True)
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)
