"""The notification mail templates (``templates/*.html``, ``*.txt``): ``$name`` placeholders filled
in by ``string.Template``; values are HTML-escaped in ``.html`` templates unless passed as ``raw``."""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from string import Template


@cache
def _template(name: str) -> Template:
    return Template(files("chinwag.mail").joinpath("templates", name).read_text(encoding="utf-8"))


def render(name: str, values: dict[str, str], raw: dict[str, str] | None = None) -> str:
    """Fill template ``name``; in an .html template, ``values`` are escaped and ``raw`` is not."""
    if name.endswith(".html"):
        filled = {k: html.escape(v) for k, v in values.items()}
    else:
        filled = dict(values)
    filled.update(raw or {})
    return _template(name).substitute(filled)
