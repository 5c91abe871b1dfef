"""Product notices, first-admin onboarding, terms of service, plugins and the brand image, as a
Mattermost Team Edition server answers them."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.conftest import Client, World, assert_error


def _jpeg(w: int = 8, h: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


async def _upload(c: Client, files: dict[str, tuple[str, bytes, str]]) -> httpx.Response:
    return await c.http.post("/brand/image", files=files, headers=c._headers(None))


async def test_notices_onboarding_and_terms(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin)
    r = await bob.get(f"/system/notices/{team['id']}", params={"client": "web", "clientVersion": "11.6.0",
                                                                "locale": "en"})
    assert r.status_code == 200 and r.json() == []
    assert_error(await bob.get(f"/system/notices/{team['id']}", params={"client": "toaster"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.get("/system/notices/nope", params={"client": "web"}), 400,
                 "api.context.invalid_url_param.app_error")
    # onboarding: not done, then done by the admin only
    done = {"name": "FirstAdminSetupComplete", "value": "true"}
    assert (await admin.get("/system/onboarding/complete")).json() == {**done, "value": "false"}
    assert_error(await bob.post("/system/onboarding/complete", {"organization": "Acme"}), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.post("/system/onboarding/complete", content=b"{"), 400,
                 "api.context.invalid_param.app_error")
    r = await admin.post("/system/onboarding/complete", {"organization": "Acme", "install_plugins": []})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await bob.get("/system/onboarding/complete")).json() == done
    # terms of service: none without a licence
    assert_error(await bob.get("/terms_of_service"), 404, "app.terms_of_service.get.no_rows.app_error")
    assert_error(await bob.post("/terms_of_service", {"text": "be nice"}), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/terms_of_service", {"text": "be nice"}), 400,
                 "api.create_terms_of_service.custom_terms_of_service_disabled.app_error")
    assert_error(await bob.get("/users/me/terms_of_service"), 404,
                 "app.user_terms_of_service.get_by_user.no_rows.app_error")
    assert_error(await bob.get(f"/users/{admin.user['id']}/terms_of_service"), 403,
                 "api.context.permissions.app_error")


PREPACKAGED = {"com.github.manland.mattermost-plugin-gitlab", "com.mattermost.calls", "memes"}


async def test_plugins_prepackaged_only(world: World) -> None:
    """A fresh server has only the plugins that come with chinwag, none of them running."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert (await world.client().get("/plugins/webapp")).json() == []
    statuses = (await admin.get("/plugins/statuses")).json()
    assert {s["plugin_id"] for s in statuses} == PREPACKAGED and all(s["state"] == 0 for s in statuses)
    listed = (await admin.get("/plugins")).json()
    assert listed["active"] == [] and {p["id"] for p in listed["inactive"]} == PREPACKAGED
    assert_error(await bob.get("/plugins/statuses"), 403, "api.context.permissions.app_error")
    world.srv.config.effective.PluginSettings.Enable = False
    assert_error(await world.client().get("/plugins/webapp"), 501, "app.plugin.disabled.app_error")
    assert_error(await admin.get("/plugins/statuses"), 501, "app.plugin.disabled.app_error")


async def test_agents_bridge_is_not_available(world: World) -> None:
    """The official 11.x web app asks for the AI agents on every channel switch; without the AI plugin,
    Mattermost answers empty lists and why the bridge is off (api4/agents.go, app/agents.go)."""
    bob = await world.user("bob")
    assert (await bob.get("/agents")).json() == []
    assert (await bob.get("/llmservices")).json() == []
    r = await bob.get("/agents/status")
    assert r.status_code == 200
    assert r.json() == {"available": False, "reason": "app.agents.bridge.not_available.plugin_not_active"}
    world.srv.config.effective.PluginSettings.Enable = False
    assert (await bob.get("/agents/status")).json() == {
        "available": False, "reason": "app.agents.bridge.not_available.plugin_env_not_initialized"}
    assert_error(await world.client().get("/agents"), 401, "api.context.session_expired.app_error")


async def test_brand_image(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    anon = world.client()
    r = await anon.get("/brand/image")
    assert r.status_code == 200 and r.content == b""
    files = {"image": ("logo.jpg", _jpeg(), "image/jpeg")}
    assert_error(await _upload(bob, files), 403, "api.context.permissions.app_error")
    assert_error(await _upload(admin, {"other": ("x", b"1", "text/plain")}), 400,
                 "api.admin.upload_brand_image.no_file.app_error")
    assert_error(await _upload(admin, {"image": ("x.png", b"not an image", "image/png")}), 400,
                 "brand.save_brand_image.decode.app_error")
    r = await _upload(admin, files)
    assert r.status_code == 201 and r.json() == {"status": "OK"}
    r = await anon.get("/brand/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (8, 4)
    assert_error(await bob.delete("/brand/image"), 403, "api.context.permissions.app_error")
    assert (await admin.delete("/brand/image")).status_code == 200
    assert (await anon.get("/brand/image")).content == b""
    assert_error(await admin.delete("/brand/image"), 404, "api.admin.delete_brand_image.storage.not_found")


async def test_client_logs(world: World) -> None:
    bob = await world.user("bob")
    world.srv.config.effective.ServiceSettings.EnableDeveloper = False
    r = await bob.post("/logs", {"level": "ERROR", "message": "TypeError: x is undefined"})
    assert r.status_code == 200
    assert r.json() == {"level": "ERROR", "message": "Client Logs API Endpoint Message: TypeError: x is undefined"}
    assert_error(await world.client().post("/logs", {"level": "ERROR", "message": "anon"}), 403,
                 "api.context.permissions.app_error")
    assert_error(await bob.post("/logs", ["x"]), 400, "api.context.invalid_param.app_error")
    world.srv.config.effective.ServiceSettings.EnableDeveloper = True
    assert (await world.client().post("/logs", {"level": "DEBUG", "message": "anon"})).status_code == 200
