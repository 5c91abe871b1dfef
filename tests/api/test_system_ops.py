"""System operations over HTTP: audits, caches, database connections, the site URL test, link redirects,
the image proxy (off, local, camo), public file links under /api/v4 and job downloads."""

from __future__ import annotations

import hashlib
import hmac
import io

from PIL import Image

from tests.api.helpers import team_with
from tests.conftest import World, assert_error
from tests.receiver import receiver


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "#20a020").save(out, "PNG")
    return out.getvalue()


async def test_audits_caches_and_database(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    assert_error(await bob.get("/audits"), 403, "api.context.permissions.app_error")
    audits = (await admin.get("/audits?per_page=200")).json()
    # every user's sign-ins, newest first
    assert {a["user_id"] for a in audits} >= {admin.user["id"], bob.user["id"]}
    assert [a["create_at"] for a in audits] == sorted((a["create_at"] for a in audits), reverse=True)
    assert len((await admin.get("/audits?per_page=1")).json()) == 1
    for path in ("/caches/invalidate", "/database/recycle"):
        assert_error(await bob.post(path), 403, "api.context.permissions.app_error")
        r = await admin.post(path)
        assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    # everything still works on fresh caches and connections
    assert (await bob.get("/users/me")).status_code == 200
    assert (await bob.get(f"/teams/{t.id}")).status_code == 200


async def test_site_url_test(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    async with receiver() as rec:
        assert_error(await bob.post("/site_url/test", {"site_url": rec.url}), 403,
                     "api.context.permissions.app_error")
        assert_error(await admin.post("/site_url/test", {}), 400, "api.context.invalid_param.app_error")
        r = await admin.post("/site_url/test", {"site_url": rec.url})
        assert r.status_code == 200, r.text
        assert (await rec.wait(1))[0].path == "/api/v4/system/ping"
        rec.answer("down", status=503)
        assert_error(await admin.post("/site_url/test", {"site_url": rec.url}), 400, "app.admin.test_site_url.failure")
    assert_error(await admin.post("/site_url/test", {"site_url": "ftp://example.com"}), 400,
                 "app.admin.test_site_url.failure")


async def test_redirect_location(world: World) -> None:
    bob = await world.user("bob")
    async with receiver() as rec:
        short = f"{rec.url}/s/abc"
        # internal addresses are not fetched: an empty location, as for any failure
        assert (await bob.get("/redirect_location", params={"url": short})).json() == {"location": ""}
        assert rec.requests == []
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
        rec.answer(b"", status=301, content_type="text/plain", headers={"Location": "https://example.com/long"})
        other = f"{rec.url}/s/def"
        assert (await bob.get("/redirect_location", params={"url": other})).json() == {
            "location": "https://example.com/long"}
        (head,) = await rec.wait(1)
        assert head.method == "HEAD"
        # answers are remembered
        assert (await bob.get("/redirect_location", params={"url": other})).json() == {
            "location": "https://example.com/long"}
        assert len(rec.requests) == 1
        # a location longer than 2100 characters counts as none
        rec.answer(b"", status=302, content_type="text/plain", headers={"Location": "https://x.example/" + "a" * 2100})
        assert (await bob.get("/redirect_location", params={"url": f"{rec.url}/s/long"})).json() == {"location": ""}
        assert_error(await bob.get("/redirect_location"), 400, "api.context.invalid_param.app_error")
        world.srv.config.effective.ServiceSettings.EnableLinkPreviews = False
        assert (await bob.get("/redirect_location", params={"url": "x"})).json() == {"location": ""}
    assert_error(await world.client().get("/redirect_location", params={"url": other}), 401)


async def test_image_proxy(world: World) -> None:
    bob = await world.user("bob")
    cfg = world.srv.config.effective
    async with receiver() as rec:
        url = f"{rec.url}/pic.png"
        # off: the browser fetches the image itself
        r = await bob.get("/image", params={"url": url})
        assert r.status_code == 302 and r.headers["location"] == url
        # images on this server are always a redirect (a path gets SiteURL's scheme and host)
        cfg.ImageProxySettings.Enable = True
        r = await bob.get("/image", params={"url": "/api/v4/users/me/image"})
        assert r.status_code == 302 and r.headers["location"] == "http://localhost:8065/api/v4/users/me/image"
        # local: fetched here, internal addresses refused, images only
        assert_error(await bob.get("/image", params={"url": url}), 403, "api.image.get.app_error")
        cfg.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
        rec.answer(png(), content_type="image/png")
        r = await bob.get("/image", params={"url": url})
        assert r.status_code == 200 and r.content == png()
        assert r.headers["content-type"] == "image/png" and r.headers["x-content-type-options"] == "nosniff"
        rec.answer("<script>alert(1)</script>", content_type="text/html")
        assert_error(await bob.get("/image", params={"url": url}), 502, "api.image.get.app_error")
        rec.answer('<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/svg+xml")
        assert_error(await bob.get("/image", params={"url": url}), 502, "api.image.get.app_error")
        assert_error(await bob.get("/image", params={"url": "javascript:alert(1)"}), 400, "api.image.get.app_error")
        # camo: a redirect to the remote proxy with the keyed digest
        cfg.ImageProxySettings.ImageProxyType = "atmos/camo"
        cfg.ImageProxySettings.RemoteImageProxyURL = "https://camo.example.com"
        cfg.ImageProxySettings.RemoteImageProxyOptions = "k3y"
        r = await bob.get("/image", params={"url": "https://pics.example.com/a.png"})
        digest = hmac.new(b"k3y", b"https://pics.example.com/a.png", hashlib.sha1).hexdigest()
        assert r.status_code == 302
        assert r.headers["location"] == f"https://camo.example.com/{digest}/{b'https://pics.example.com/a.png'.hex()}"
    client_config = (await bob.get("/config/client?format=old")).json()
    assert client_config["HasImageProxy"] == "true"


async def test_public_file_link_and_job_download(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    r = await bob.http.post("/files", files={"files": ("a.txt", b"hello", "text/plain")},
                            data={"channel_id": town["id"]}, headers=bob._headers(None))
    assert r.status_code == 201, r.text
    file_id = r.json()["file_infos"][0]["id"]
    await world.post(bob, town, "a file", file_ids=[file_id])
    assert_error(await bob.get(f"/files/{file_id}/link"), 403, "api.file.get_public_link.disabled.app_error")
    assert_error(await world.client().get(f"/files/{file_id}/public?h=x"), 403,
                 "api.file.get_public_link.disabled.app_error")
    world.srv.config.effective.FileSettings.EnablePublicLink = True
    world.srv.config.effective.FileSettings.PublicLinkSalt = "s" * 32
    link = (await bob.get(f"/files/{file_id}/link")).json()["link"]
    assert link.startswith(f"http://localhost:8065/files/{file_id}/public?h=")
    h = link.split("h=", 1)[1]
    anon = world.client()
    # the link itself (the root path) and the same file under /api/v4
    for url in (link, f"http://localhost:8065/api/v4/files/{file_id}/public?h={h}"):
        r = await anon.http.get(url)
        assert r.status_code == 200 and r.content == b"hello", (url, r.status_code)
    assert_error(await anon.get(f"/files/{file_id}/public?h=wrong"), 400, "api.file.get_file.public_invalid.app_error")
    # another salt, other links: the old one is dead
    world.srv.config.effective.FileSettings.PublicLinkSalt = "t" * 32
    assert_error(await anon.get(f"/files/{file_id}/public?h={h}"), 400, "api.file.get_file.public_invalid.app_error")

    # job downloads are compliance exports only (a licence), off by default
    assert_error(await admin.get(f"/jobs/{'j' * 26}/download"), 501, "app.job.download_export_results_not_enabled")
    assert_error(await admin.get("/jobs/bad/download"), 400, "api.context.invalid_url_param.app_error")
    world.srv.config.effective.MessageExportSettings.DownloadExportResults = True
    assert_error(await admin.get(f"/jobs/{'j' * 26}/download"), 404)
    job = (await admin.post("/jobs", {"type": "export_process"})).json()
    assert_error(await admin.get(f"/jobs/{job['id']}/download"), 400,
                 "api.job.unable_to_download_job.incorrect_job_type")


async def test_licence_and_team_scheme_as_team_edition(world: World) -> None:
    t = await team_with(world, "bob")
    admin, owner, bob = t.admin, t.owner, t.members[0]
    assert_error(await bob.post("/trial-license", {}), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/trial-license", {"users": 10}), 403, "api.license.upgrade_needed.app_error")
    assert_error(await bob.get("/trial-license/prev"), 403, "api.license.upgrade_needed.app_error")
    assert_error(await bob.get("/license/renewal"), 403, "api.context.permissions.app_error")
    assert_error(await admin.get("/license/renewal"), 400, "app.license.generate_renewal_token.no_license")
    assert_error(await bob.http.post("/license", files={"license": ("l", b"x")}, headers=bob._headers(None)), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.post("/license", {}), 400, "api.license.parse_license.parse_form.app_error")
    assert_error(await admin.http.post("/license", files={"other": ("l", b"x")}, headers=admin._headers(None)), 400,
                 "api.license.add_license.no_file.app_error")
    assert_error(await admin.http.post("/license", files={"license": ("l", b"not signed")},
                                       headers=admin._headers(None)), 400, "api.license.add_license.invalid.app_error")
    assert_error(await bob.delete("/license"), 403, "api.context.permissions.app_error")
    assert (await admin.delete("/license")).json() == {"status": "OK"}
    assert (await admin.get("/license/client?format=old")).json()["IsLicensed"] == "false"
    assert_error(await owner.put(f"/teams/{t.id}/scheme", {"scheme_id": "bad"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await owner.put(f"/teams/{t.id}/scheme", {"scheme_id": ""}), 501,
                 "api.team.update_team_scheme.license.error")
