"""Team icons and bot icons over HTTP: upload (team: 128×128 PNG; bot: SVG as uploaded), ETag caching,
removal, permissions and Mattermost's errors."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.api.helpers import team_with
from tests.conftest import Client, World, assert_error

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><circle cx="12" cy="12" r="10"/></svg>'


def picture(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#d03030").save(out, "PNG")
    return out.getvalue()


async def upload(c: Client, path: str, data: bytes, field: str = "image", mime: str = "image/png") -> httpx.Response:
    return await c.http.post(path, files={field: ("icon", data, mime)}, headers=c._headers(None))


async def test_team_icon(world: World) -> None:
    t = await team_with(world, "bob")
    owner, bob = t.owner, t.members[0]
    outsider = await world.user("zed")
    url = f"/teams/{t.id}/image"
    assert_error(await bob.get(url), 404, "api.team.get_team_icon.read_file.app_error")
    assert_error(await upload(bob, url, picture()), 403, "api.context.permissions.app_error")
    assert_error(await upload(owner, url, picture(), field="file"), 400, "api.team.set_team_icon.no_file.app_error")
    assert_error(await upload(owner, url, b"not an image"), 400, "api.team.set_team_icon.decode.app_error")
    assert_error(await owner.post(url, {"image": "x"}), 400, "api.team.set_team_icon.parse.app_error")
    r = await upload(owner, url, picture())
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    team = (await bob.get(f"/teams/{t.id}")).json()
    updated = team["last_team_icon_update"]
    assert updated > 0
    r = await bob.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["etag"] == str(updated)
    assert r.headers["cache-control"] == "max-age=86400, private"
    img = Image.open(io.BytesIO(r.content))
    assert img.size == (128, 128)
    assert (await bob.get(url, headers={"If-None-Match": str(updated)})).status_code == 304
    # an open team's icon is visible to anyone signed in; an invite-only one's only to members
    assert (await owner.put(f"/teams/{t.id}/patch", {"allow_open_invite": True})).status_code == 200
    assert (await outsider.get(url)).status_code == 200
    assert (await owner.put(f"/teams/{t.id}/patch", {"allow_open_invite": False})).status_code == 200
    assert_error(await outsider.get(url), 403, "api.context.permissions.app_error")
    # too large for FileSettings.MaxFileSize
    world.srv.config.effective.FileSettings.MaxFileSize = 100
    assert_error(await upload(owner, url, picture()), 400, "api.team.set_team_icon.too_large.app_error")
    world.srv.config.effective.FileSettings.MaxFileSize = 100 * 1024 * 1024
    assert_error(await bob.delete(url), 403, "api.context.permissions.app_error")
    assert (await owner.delete(url)).json() == {"status": "OK"}
    assert (await bob.get(f"/teams/{t.id}")).json().get("last_team_icon_update", 0) == 0
    assert_error(await bob.get(url), 404, "api.team.get_team_icon.read_file.app_error")
    assert_error(await bob.get("/teams/nope/image"), 400, "api.context.invalid_url_param.app_error")


async def test_bot_icon(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    world.srv.config.effective.ServiceSettings.EnableBotAccountCreation = True
    r = await admin.post("/bots", {"username": "helper", "display_name": "Helper"})
    assert r.status_code == 201, r.text
    bot_id = r.json()["user_id"]
    url = f"/bots/{bot_id}/icon"
    assert_error(await bob.get(url), 404, "api.bot.get_bot_icon_image.read_error")
    assert_error(await upload(bob, url, SVG, mime="image/svg+xml"), 404, "store.sql_bot.get.missing.app_error")
    for bad in (b"<html></html>", b"not xml at all", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
                b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg width="1" height="1">&a;</svg>',
                b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>'):
        assert_error(await upload(admin, url, bad, mime="image/svg+xml"), 400, "api.bot.set_bot_icon_image.app_error")
    assert_error(await upload(admin, url, SVG, field="other"), 400, "api.bot.set_bot_icon_image.no_file.app_error")
    r = await upload(admin, url, SVG, mime="image/svg+xml")
    assert r.status_code == 200, r.text
    bot = (await admin.get(f"/bots/{bot_id}")).json()
    assert bot["last_icon_update"] > 0
    r = await bob.get(url)
    assert r.status_code == 200 and r.content == SVG
    assert r.headers["content-type"] == "image/svg+xml"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["etag"] == str(bot["last_icon_update"])
    assert (await admin.delete(url)).json() == {"status": "OK"}
    assert "last_icon_update" not in (await admin.get(f"/bots/{bot_id}")).json()
    assert_error(await bob.get(url), 404, "api.bot.get_bot_icon_image.read_error")
    assert_error(await bob.get(f"/bots/{'a' * 26}/icon"), 404, "store.sql_bot.get.missing.app_error")
