"""The welcome plugin of docs/plugins.md, taken from the page itself, packaged and run: whoever joins a
team gets the greeting from its bot."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

from tests.conftest import World
from tests.plugins.test_plugin_runtime import upload

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), re.S)


def welcome_bundle() -> bytes:
    manifest = next(b for b in _blocks("json") if '"com.example.welcome"' in b)
    code = next(b for b in _blocks("python") if "class Welcome(Plugin)" in b)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in (("welcome/plugin.json", manifest), ("welcome/server/plugin.py", code)):
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    return buf.getvalue()


async def test_welcome_plugin_from_the_docs(world: World) -> None:
    admin = await world.user("admin")
    r = await upload(admin, welcome_bundle())
    assert r.status_code == 201, r.text
    assert (await admin.post("/plugins/com.example.welcome/enable")).status_code == 200
    assert json.loads(json.dumps(world.srv.config.effective.PluginSettings.Plugins["com.example.welcome"])) == \
        {"greeting": "Welcome to the team"}
    team = await world.team(admin, "crew")
    newcomer = await world.user("newcomer")
    await world.join(admin, team, newcomer)
    await world.srv.app.plugins.drain()
    bot = (await admin.get("/users/username/welcomebot")).json()
    dm = (await newcomer.post("/channels/direct", [newcomer.user["id"], bot["id"]])).json()
    posts = (await newcomer.get(f"/channels/{dm['id']}/posts")).json()
    assert [p["message"] for p in posts["posts"].values()] == ["Welcome to the team! Say hello in ~town-square."]
