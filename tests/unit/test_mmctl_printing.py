"""mmctl's global flags and printer, in-process: where the flags may go, how values are parsed, and the
text the printer writes (Go's JSON layout, Go's tabwriter, go-multierror)."""

from __future__ import annotations

import pytest
import typer

from chinwag.cli.main import cli
from chinwag.cli.mmctl.client import MultiError
from chinwag.cli.mmctl.flags import GlobalFlags, UsageFailure, from_environment, split
from chinwag.cli.mmctl.permissions import tabwrite
from chinwag.cli.mmctl.printer import Printer, go_json, go_quote, go_value

ROOT = typer.main.get_command(cli)


def parse(*args: str) -> tuple[GlobalFlags, list[str]]:
    flags = GlobalFlags()
    return flags, split(ROOT, list(args), flags)


def test_global_flags_anywhere() -> None:
    for args in (("--local", "--json", "user", "list"), ("user", "--local", "list", "--json"),
                 ("user", "list", "--local", "--format=json")):
        flags, rest = parse(*args)
        assert rest == ["user", "list"] and flags.local and flags.output == "json"
    flags, rest = parse("user", "list", "--local=false", "--quiet=true")
    assert not flags.local and flags.quiet and rest == ["user", "list"]


def test_values_and_commands_keep_their_own() -> None:
    # a value that looks like a flag belongs to the option before it, as pflag
    flags, rest = parse("post", "create", "eng:dev", "--message", "--json")
    assert rest == ["post", "create", "eng:dev", "--message", "--json"] and not flags.json
    # the server commands' --config is config.json; before the command it is mmctl's
    flags, rest = parse("serve", "--config", "/etc/chinwag.json")
    assert rest == ["serve", "--config", "/etc/chinwag.json"] and flags.config == ""
    flags, rest = parse("--config", "/tmp/creds", "user", "list")
    assert rest == ["user", "list"] and flags.config == "/tmp/creds"
    # after --, nothing is a flag
    flags, rest = parse("user", "search", "--", "--json")
    assert rest == ["user", "search", "--", "--json"] and not flags.json
    # a switch of the command itself, pflag style
    _, rest = parse("token", "list", "alice", "--active=false")
    assert rest == ["token", "list", "alice", "--no-active"]


@pytest.mark.parametrize("args, message", [
    (("user", "list", "--format"), "flag needs an argument: --format"),
    (("--format", "yaml", "user", "list"), 'invalid argument "yaml" for "--format" flag: must be plain or json'),
    (("--local=maybe", "user", "list"), 'invalid argument "maybe" for "--local" flag: strconv.ParseBool: '
                                         'parsing "maybe": invalid syntax'),
])
def test_usage_failures(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageFailure, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse(*args)


def test_environment() -> None:
    flags = from_environment({"MMCTL_LOCAL": "T", "MMCTL_JSON": "0", "MMCTL_FORMAT": "json",
                              "MMCTL_LOCAL_SOCKET_PATH": "/s", "MMCTL_INSECURE_TLS_VERSION": "true",
                              "MMCTL_QUIET": "nonsense"})
    assert flags.local and not flags.json and flags.output == "json" and flags.local_socket_path == "/s"
    assert flags.insecure_tls_version and not flags.quiet


def test_go_json_and_values() -> None:
    assert go_json({"a": [], "b": {}, "c": "<é&\u2028>"}) == \
        '{\n  "a": [],\n  "b": {},\n  "c": "\\u003cé\\u0026\\u2028\\u003e"\n}'
    assert go_json(None) == "null"
    assert go_quote('say "hi" <x>') == '"say \\"hi\\" <x>"'
    assert go_value(True) == "true" and go_value(["a", "b"]) == "[a b]" and go_value({"b": 1, "a": 2}) == \
        "map[a:2 b:1]" and go_value(None) == "<nil>"


def test_printer_lists_singles_and_stats(capsys: pytest.CaptureFixture[str]) -> None:
    p = Printer()
    p.format, p.stat_entity, p.server_addr = "json", "user", "local instance"
    p.print_t("x", {"id": 1})
    p.flush()
    out = capsys.readouterr()
    assert out.out == '[\n  {\n    "id": 1\n  }\n]\n' and out.err == "There are 1 users on local instance\n"
    p = Printer()
    p.format, p.single = "json", True
    p.print_t("x", {"id": 1})
    p.error("one thing failed")
    p.flush()
    out = capsys.readouterr()
    assert out.out == '{\n  "id": 1\n}\n' and out.err == "one thing failed\n"
    p = Printer()
    p.stat_entity, p.server_addr = "team", "https://chat.example.com/api/v4"
    p.flush()
    assert capsys.readouterr().err == "There are 0 teams on https://chat.example.com/\n"
    p = Printer()
    p.quiet = True
    p.print_t("x", 1)
    p.flush()
    assert capsys.readouterr().out == ""


def test_tabwriter_and_multierror() -> None:
    assert tabwrite("\nProperty\tValue\n--------\t-----\nName\tsystem_user\n\tsecond\n") == \
        "\nProperty Value\n-------- -----\nName     system_user\n         second\n"
    assert tabwrite("a\tb\tc\nlonger\tx\t\n") == "a      b c\nlonger x \n"
    assert str(MultiError([ValueError("one")])) == "1 error occurred:\n\t* one\n\n"
    assert str(MultiError([ValueError("one"), ValueError("two")])) == "2 errors occurred:\n\t* one\n\t* two\n\n"
