"""Serving a Mattermost web app build (ServiceSettings.WebappDirectory) at / instead of chinwag's UI:
a small stand-in build made by the test — root.html for client-side routes, /static/… with a year's
cache, robots.txt, plugin bundles from PluginSettings.ClientDirectory, /plugins/… answered as a
Mattermost without server plugins, the API untouched, and the setting read at each request."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import World, assert_error

ROOT = "http://localhost:8065"
ROOT_HTML = "<!doctype html><html><head><script src=\"/static/main.abc123.js\"></script></head><body>MM</body></html>"


def _build(tmp: Path) -> Path:
    client = tmp / "client"
    (client / "files").mkdir(parents=True)
    (client / "root.html").write_text(ROOT_HTML)
    (client / "main.abc123.js").write_text("console.log('mattermost')")
    (client / "big.js").write_text("var x = 1;\n" * 2000)
    (client / "main.abc123.css").write_text("body{}")
    (client / "files" / "icon.svg").write_text("<svg/>")
    (client / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    (client / "manifest.json").write_text('{"name": "Mattermost"}')
    plugins = tmp / "plugins"
    (plugins / "com.example.p").mkdir(parents=True)
    (plugins / "com.example.p" / "main.js").write_text("/* plugin */")
    return client


async def test_mattermost_webapp_directory(world: World, tmp_path: Path) -> None:
    admin = await world.user("admin")
    cfg = world.srv.config.effective
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=world.srv.asgi), base_url=ROOT)
    try:
        before = await http.get("/some/team/channels/town-square")
        assert "MM</body>" not in before.text  # chinwag's own UI (or a 404 without a build of it)

        cfg.ServiceSettings.WebappDirectory = str(_build(tmp_path))
        cfg.PluginSettings.ClientDirectory = str(tmp_path / "plugins")
        for path in ("/", "/login", "/myteam/channels/town-square", "/admin_console/about/license"):
            r = await http.get(path)
            assert r.status_code == 200 and r.text == ROOT_HTML, path
            assert r.headers["content-type"] == "text/html; charset=utf-8"
            assert r.headers["cache-control"] == "no-cache, max-age=31556926, public"
        r = await http.get("/static/main.abc123.js")
        assert r.status_code == 200 and r.text == "console.log('mattermost')"
        assert r.headers["cache-control"] == "max-age=31556926, public"
        assert "javascript" in r.headers["content-type"]
        assert (await http.get("/static/main.abc123.css")).headers["content-type"].startswith("text/css")
        # compressed as Mattermost's gzip handler does (WebserverMode "gzip", the default), else as is
        r = await http.get("/static/big.js", headers={"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip" and r.text == "var x = 1;\n" * 2000
        assert r.headers["cache-control"] == "max-age=31556926, public"
        cfg.ServiceSettings.WebserverMode = "disabled"
        r = await http.get("/static/big.js", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in r.headers and len(r.content) == 22000
        cfg.ServiceSettings.WebserverMode = "gzip"
        assert (await http.get("/static/files/icon.svg")).status_code == 200
        assert (await http.head("/static/main.abc123.js")).status_code == 200
        r = await http.get("/static/plugins/com.example.p/main.js")
        assert r.status_code == 200 and r.text == "/* plugin */"
        # a missing asset is a 404 that is not cached, never root.html; no escaping the directory
        for path in ("/static/nope.js", "/static/files/", "/static/%2e%2e/root.html", "/static/%2e%2e/%2e%2e/etc/passwd",
                     "/static/plugins/%2e%2e/%2e%2e/client/root.html"):
            r = await http.get(path)
            assert r.status_code == 404 and r.headers["cache-control"] == "no-cache, public", path
        assert (await http.get("/robots.txt")).text.startswith("User-agent")
        assert (await http.get("/manifest.json")).json() == {"name": "Mattermost"}

        # the API is the API: unknown API paths are Mattermost's JSON 404, same origin
        r = await http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {admin.token}"})
        assert r.status_code == 200 and r.json()["username"] == "admin"
        assert_error(await http.get("/api/v4/nosuch"), 404, "api.context.404.app_error")
        assert_error(await http.post("/api/v4/nosuch"), 404, "api.context.404.app_error")

        # server plugin routes: none running
        r = await http.get("/plugins/com.example.p/api/v1/x")
        assert r.status_code == 404 and r.text == "404 page not found\n"
        cfg.PluginSettings.Enable = False
        assert_error(await http.post("/plugins/com.example.p/hook"), 501, "app.plugin.disabled.app_error")

        # a directory without root.html is not a web app build: chinwag's UI again
        cfg.ServiceSettings.WebappDirectory = str(tmp_path / "plugins")
        assert "MM</body>" not in (await http.get("/login")).text
        cfg.ServiceSettings.WebappDirectory = ""
        assert "MM</body>" not in (await http.get("/login")).text
    finally:
        await http.aclose()


async def test_oauth_consent_uses_the_webapp(world: World, tmp_path: Path) -> None:
    """With a Mattermost web app served, the OAuth consent page is its root.html (its own route)."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    cfg = world.srv.config.effective
    cfg.ServiceSettings.EnableOAuthServiceProvider = True
    cfg.ServiceSettings.WebappDirectory = str(_build(tmp_path))
    app = (await admin.post("/oauth/apps", {"name": "A", "homepage": "https://a.example",
                                            "callback_urls": ["https://a.example/cb"]})).json()
    r = await bob.http.get(f"{ROOT}/oauth/authorize", headers=bob._headers(None),
                           params={"response_type": "code", "client_id": app["id"],
                                   "redirect_uri": "https://a.example/cb"})
    assert r.status_code == 200 and r.text == ROOT_HTML
    assert r.headers["x-frame-options"] == "SAMEORIGIN"


async def test_chinwag_ui_is_served_without_the_setting(world: World, tmp_path: Path) -> None:
    """chinwag's own UI (a stand-in build here): index.html for client routes, its assets as files."""
    from chinwag.web.asgi import create_app

    ui = tmp_path / "ui"
    (ui / "assets").mkdir(parents=True)
    (ui / "index.html").write_text("<html>chinwag</html>")
    (ui / "assets" / "app.js").write_text("//app")
    (ui / "favicon.svg").write_text("<svg/>")
    asgi = create_app(world.srv.app, static_dir=ui)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url=ROOT)
    try:
        for path in ("/", "/team1/channels/town-square", "/static/whatever.js"):
            r = await http.get(path)
            assert r.status_code == 200 and r.text == "<html>chinwag</html>", path
            assert r.headers["cache-control"] == "no-cache"
        assert (await http.get("/assets/app.js")).text == "//app"
        assert (await http.get("/favicon.svg")).text == "<svg/>"
        assert_error(await http.get("/api/v4/nosuch"), 404, "api.context.404.app_error")
        assert_error(await http.get("/hooks/nosuch/x/y"), 404, "api.context.404.app_error")
    finally:
        await http.aclose()
