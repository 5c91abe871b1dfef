"""Finding 3 of #19: the web UI's pages are served with frame protection and the other security headers;
cookies are Secure when the Site URL is https (even behind a proxy that speaks plain http to us)."""

from __future__ import annotations

from pathlib import Path

import httpx

from chinwag.web.asgi import create_app
from tests.conftest import World


async def test_ui_pages_carry_security_headers(world: World, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div><script type=module src=/assets/a.js>"
                                         "</script>")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.js").write_text("console.log(1)")
    asgi = create_app(world.srv.app, static_dir=tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://localhost:8065") as c:
        for path in ("/", "/login", "/team1/channels/town-square", "/admin_console", "/assets/a.js"):
            r = await c.get(path)
            assert r.status_code == 200, path
            assert r.headers["x-frame-options"] == "SAMEORIGIN", path
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp, path
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
        world.srv.config.effective.ServiceSettings.FrameAncestors = "https://intranet.example"
        csp = (await c.get("/")).headers["content-security-policy"]
        assert "frame-ancestors 'self' https://intranet.example;" in csp
        # the API is not a page: JSON with nosniff, no page policy
        r = await c.get("/api/v4/system/ping")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "x-frame-options" not in r.headers


async def test_cookies_are_secure_with_an_https_site_url(world: World) -> None:
    await world.user("admin")
    anon = world.client()
    login = {"login_id": "admin", "password": "password"}
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    r = await anon.post("/users/login", login, headers=xhr)
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 3 and not any("secure" in c.lower() for c in cookies)
    world.srv.config.effective.ServiceSettings.SiteURL = "https://chat.example.com"
    r = await anon.post("/users/login", login, headers=xhr)
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 3 and all(c.endswith("; Secure") or "; secure" in c.lower() for c in cookies), cookies
    assert any(c.startswith("MMAUTHTOKEN=") and "httponly" in c.lower() for c in cookies)


async def test_mattermost_web_app_inline_script_is_allowed_by_hash(world: World, tmp_path: Path) -> None:
    """Serving a Mattermost web app build (WebappDirectory), the CSP lets root.html's inline script run
    by its hash (Mattermost's cspShaDirective), and nothing else inline."""
    import base64
    import hashlib

    inline = b"window.publicPath='/static/'"
    (tmp_path / "root.html").write_bytes(b"<!doctype html><script>" + inline + b"</script>"
                                         b"<script src=/static/main.js></script>")
    world.srv.config.effective.ServiceSettings.WebappDirectory = str(tmp_path)
    asgi = create_app(world.srv.app, static_dir=tmp_path / "none")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://localhost:8065") as c:
        r = await c.get("/")
        assert r.status_code == 200
        digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
        assert f"script-src 'self' 'sha256-{digest}';" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
