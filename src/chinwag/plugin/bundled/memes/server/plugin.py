"""The memes plugin (as mattermost-plugin-memes): ``/meme <template> "top" "bottom"`` renders the meme
with Pillow and posts it as an image in the channel, as the user who ran the command. ``/meme`` alone
(or ``/meme help``) lists the templates; the templates are drawn for chinwag (``assets/``)."""

from __future__ import annotations

import asyncio
import shlex

from chinwag.plugin import (
    Command,
    CommandArgs,
    CommandResponse,
    Context,
    HTTPRequest,
    HTTPResponse,
    Plugin,
    Post,
)

from .render import render, templates


def _ephemeral(text: str) -> CommandResponse:
    return CommandResponse(response_type="ephemeral", text=text)


class MemesPlugin(Plugin):
    async def on_activate(self) -> None:
        self.templates = templates()
        await self.api.register_command(Command(
            trigger="meme", auto_complete=True, display_name="Memes",
            auto_complete_desc="Renders custom memes so you can express yourself with culture.",
            auto_complete_hint='<template> "top text" "bottom text"', description="Post a meme."),
            items=[{"name": t.name, "hint": '"text" …' if len(t.boxes) > 1 else '"text"',
                    "description": t.description} for t in sorted(self.templates.values(), key=lambda t: t.name)])

    def _help(self) -> str:
        lines = ['You can make a meme with `/meme <template> "text" "more text"`. The templates are:']
        for t in sorted(self.templates.values(), key=lambda t: t.name):
            slots = len(t.boxes)
            lines.append(f"* `{t.name}` - {t.description} ({slots} text {'box' if slots == 1 else 'boxes'})")
        return "\n".join(lines)

    async def execute_command(self, c: Context, args: CommandArgs) -> CommandResponse:
        try:
            words = shlex.split(args.command)[1:]
        except ValueError:
            return _ephemeral('Unbalanced quotes. Example: `/meme classic "top text" "bottom text"`')
        if not words or words[0].lower() in ("help", "list"):
            return _ephemeral(self._help())
        template = self.templates.get(words[0].lower())
        if template is None:
            return _ephemeral(f"Unknown template `{words[0]}`.\n" + self._help())
        texts = words[1:]
        if not texts:
            return _ephemeral(f'Give the text too: `/meme {template.name} "top text" "bottom text"`')
        if len(texts) > len(template.boxes):  # unquoted words: one text for the first box
            texts = [" ".join(texts)] if len(template.boxes) == 1 else texts[: len(template.boxes)]
        png = await asyncio.to_thread(render, template, texts)
        info = await self.api.upload_file(png, args.channel_id, f"meme-{template.name}.png", c.user_id)
        await self.api.create_post(Post(id="", user_id=c.user_id, channel_id=args.channel_id, root_id=args.root_id,
                                        message="", file_ids=[info.id], props={"meme_template": template.name}))
        return CommandResponse()

    async def serve_http(self, c: Context, req: HTTPRequest) -> HTTPResponse:
        """``/plugins/<id>/templates/<name>.png``: a template's picture (for previews)."""
        name = req.path.removeprefix("/templates/").removesuffix(".png")
        t = self.templates.get(name)
        if req.method != "GET" or not req.path.startswith("/templates/") or t is None:
            return HTTPResponse(404, b"Not found")
        return HTTPResponse(200, t.path.read_bytes(), "image/png")
