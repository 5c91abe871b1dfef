"""`chinwag logs`: the server's log lines (mmctl logs), as the server wrote them or in logrus's format."""

from __future__ import annotations

import json
import re
from typing import Any

import typer

from chinwag.cli.mmctl.client import ApiError, Ctx, die

_PLAIN = re.compile(r"^[A-Za-z0-9_./:@+-]+$")


def _value(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return text if _PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


def logrus_line(line: str) -> str:
    """A JSON log line in logrus's text format: time=… level=… msg=… caller=… key=value …; a line
    that is not JSON is printed as it is."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict):
        return line
    out = [f"time={json.dumps(str(entry.pop('timestamp', '')))}", f"level={entry.pop('level', '')}",
           f"msg={json.dumps(str(entry.pop('msg', '')), ensure_ascii=False)}"]
    caller = entry.pop("caller", "")
    if caller:
        out.append(f"caller={json.dumps(str(caller))}")
    out += [f"{k}={_value(v)}" for k, v in entry.items()]
    return " ".join(out)


def logs(c: Ctx, number: int = typer.Option(200, "--number", "-n", help="Number of log lines to retrieve."),
         logrus: bool = typer.Option(False, "--logrus", "-l", help="Use logrus for formatting.")) -> None:
    """Display the server's latest log lines (LogSettings.EnableFile), oldest first."""
    from chinwag.cli.mmctl.flags import FLAGS

    if "json" in FLAGS.given or "format" in FLAGS.given:
        die('the "--format" and "--json" flags cannot be used with this command')
    if FLAGS.output == "json":
        die('json formatting cannot be applied on this command. Please check the value of "MMCTL_FORMAT"')
    if number < 1:
        die("--number must be at least 1")
    try:
        lines: list[str] = c.client.get("/logs", params={"page": 0, "logs_per_page": number})
    except ApiError as e:
        die(f"Unable to retrieve logs. Error: {e}")
    for line in lines:
        typer.echo(logrus_line(line) if logrus else line)
