"""Plugin bundles for tests, built on the spot: a manifest and server code in a .tar.gz, as
``mmctl plugin add`` uploads them."""

from __future__ import annotations

import io
import json
import tarfile
import textwrap
from typing import Any


def bundle(plugin_id: str, code: str, *, version: str = "1.0.0", extra: dict[str, str] | None = None,
           manifest: dict[str, Any] | None = None, folder: bool = True) -> bytes:
    m = {"id": plugin_id, "name": plugin_id.title(), "description": f"the {plugin_id} test plugin",
         "version": version, "min_server_version": "9.0.0", "server": {"executable": "server/plugin.py"},
         **(manifest or {})}
    files = {"plugin.json": json.dumps(m).encode(), "server/plugin.py": textwrap.dedent(code).encode()}
    for name, text in (extra or {}).items():
        files[name] = textwrap.dedent(text).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo((plugin_id + "/" if folder else "") + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


REJECT = """
    from chinwag.plugin import Plugin

    class Censor(Plugin):
        def message_will_be_posted(self, c, post):  # a plain def works as well as async def
            if "forbidden" in post.message:
                return None, "no forbidden words"
            return post, ""
"""

REWRITE = """
    from chinwag.plugin import Plugin

    class Rewrite(Plugin):
        async def message_will_be_posted(self, c, post):
            post.message = post.message.replace("cat", "dog")
            post.props["rewritten_by"] = self.id
            return post, ""

        async def message_will_be_updated(self, c, new, old):
            new.message = new.message.upper()
            return new, ""
"""

CRASH = """
    from chinwag.plugin import Plugin

    STARTS = []

    class Crash(Plugin):
        async def on_activate(self):
            await self.api.kv_set("starts", str(int((await self.api.kv_get("starts")) or b"0") + 1).encode())

        async def message_will_be_posted(self, c, post):
            if "boom" in post.message:
                raise RuntimeError("boom")
            return post, ""
"""

HANG = """
    import asyncio
    from chinwag.plugin import Plugin

    class Hang(Plugin):
        async def message_will_be_posted(self, c, post):
            if "slow" in post.message:
                await asyncio.sleep(3600)
            return post, ""
"""

RECORDER = """
    import json
    from chinwag.plugin import Command, CommandResponse, HTTPResponse, Plugin, Post
    from .helpers import summary

    class Recorder(Plugin):
        async def on_activate(self):
            self.bot = await self.api.ensure_bot("recorder-bot", "Recorder", "records things")
            await self.api.register_command(Command(trigger="record", auto_complete=True,
                                                    auto_complete_desc="Record something"))

        async def _add(self, what):  # hooks run concurrently: compare-and-set, never a lost entry
            while True:
                old = await self.api.kv_get("log")
                items = json.loads(old) if old else []
                if await self.api.kv_compare_and_set("log", old, json.dumps(items + [what]).encode()):
                    return

        async def message_has_been_posted(self, c, post):
            if post.user_id != self.bot:
                await self._add(summary("posted", post.message))

        async def message_has_been_updated(self, c, new, old):
            await self._add(summary("updated", old.message + "->" + new.message))

        async def channel_has_been_created(self, c, channel):
            await self._add(summary("channel", channel.name))

        async def user_has_joined_channel(self, c, member, actor):
            await self._add(summary("joined", member.user_id + ":" + (actor.username if actor else "")))

        async def user_has_left_channel(self, c, member, actor):
            await self._add(summary("left", member.user_id + ":" + (actor.username if actor else "")))

        async def message_has_been_deleted(self, c, post):
            await self._add(summary("deleted", post.message))

        async def reaction_has_been_added(self, c, reaction):
            await self._add(summary("reacted", reaction.emoji_name))

        async def reaction_has_been_removed(self, c, reaction):
            await self._add(summary("unreacted", reaction.emoji_name))

        async def user_has_been_created(self, c, user):
            await self._add(summary("created", user.username))

        async def user_has_logged_in(self, c, user):
            await self._add(summary("login", user.username))

        async def on_configuration_change(self):
            await self._add(summary("config", json.dumps(self.api.get_plugin_config(), sort_keys=True)))

        async def execute_command(self, c, args):
            text = args.command.partition(" ")[2]
            if text == "public":
                await self.api.create_post(Post(id="", user_id=self.bot, channel_id=args.channel_id,
                                                message="recorded by the bot"))
                return CommandResponse()
            if text == "event":
                self.api.publish_websocket_event("recorded", {"by": c.user_id}, user_id=c.user_id)
            return CommandResponse(response_type="ephemeral", text=f"recorded {text} for {c.user_id}")

        async def serve_http(self, c, req):
            if req.path == "/log":
                return HTTPResponse(200, (await self.api.kv_get("log")) or b"[]", "application/json")
            if req.path == "/whoami":
                return HTTPResponse.json({"user_id": req.user_id, "header": req.headers.get("mattermost-user-id", ""),
                                          "method": req.method, "body": req.body.decode(), "q": req.query})
            return HTTPResponse(404, b"no such page")
"""

RECORDER_HELPERS = {"server/helpers.py": """
    def summary(kind, text):
        return kind + " " + text
"""}

HARD_CRASH = """
    import os
    import resource
    import time
    from chinwag.plugin import HTTPResponse, Plugin

    class HardCrash(Plugin):
        async def on_activate(self):
            await self.api.kv_set("pid-" + str(os.getpid()), b"1")

        async def message_will_be_posted(self, c, post):
            if "die" in post.message:
                os._exit(7)  # the whole process goes, mid-hook
            if "block" in post.message:
                time.sleep(3600)  # blocks its own event loop: only a kill ends it
            return post, ""

        async def serve_http(self, c, req):
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            return HTTPResponse.json({"pid": os.getpid(), "limit": soft})
"""

SCHEDULED = """
    from chinwag.plugin import Plugin

    class Scheduled(Plugin):
        async def on_activate(self):
            await self.api.schedule_job("tick", 0.2)

        async def on_scheduled_job(self, name):
            while True:
                old = await self.api.kv_get(name)
                if await self.api.kv_compare_and_set(name, old, str(int(old or b"0") + 1).encode()):
                    return
"""
