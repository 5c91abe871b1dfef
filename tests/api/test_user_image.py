"""Profile pictures over HTTP: upload (cropped to 128×128 PNG in the file store), the generated
default, caching headers and ETag, removal, permissions, Mattermost's errors, user_updated events."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.conftest import Client, World
from tests.waiting import until


def picture(width: int = 300, height: int = 200, colour: str = "#d03030", fmt: str = "PNG") -> bytes:
    img = Image.new("RGB", (width, height), colour)
    # a blue band on the left that the centre crop must cut away
    img.paste(Image.new("RGB", (50, height), "#0000ff"), (0, 0))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


async def upload(c: Client, user_id: str, data: bytes, field: str = "image", name: str = "me.png") -> httpx.Response:
    return await c.http.post(f"/users/{user_id}/image", files={field: (name, data, "image/png")},
                             headers=c._headers(None))


def decoded(r: httpx.Response) -> Image.Image:
    assert r.headers["content-type"] == "image/png", r.headers
    img = Image.open(io.BytesIO(r.content))
    img.load()
    return img



async def test_generated_default_until_a_picture_is_uploaded(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann", first_name="Ann", last_name="Lee")
    uid = ann.user["id"]
    r = await ann.get(f"/users/{uid}/image")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "max-age=300, private"
    etag = r.headers["etag"]
    assert etag and not etag.isdigit()  # never an uploaded picture's last_picture_update
    # a client that revalidates gets 304 with the ETag (Mattermost's HandleEtag), another ETag the picture
    again = await ann.get(f"/users/{uid}/image", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content and again.headers["etag"] == etag
    assert (await ann.get(f"/users/{uid}/image", headers={"If-None-Match": "0"})).content == r.content
    img = decoded(r)
    assert img.size == (128, 128)
    rgb = img.convert("RGB")
    background = rgb.getpixel((2, 2))
    assert background != (255, 255, 255)
    # the initials "AL" in white across the middle
    assert any(rgb.getpixel((x, 64)) == (255, 255, 255) for x in range(20, 108))
    r2 = await ann.get(f"/users/{uid}/image/default")
    assert r2.status_code == 200 and r2.content == r.content
    assert r2.headers["cache-control"] == "max-age=86400, private"
    # the same picture for the same user, another colour for another user
    bob = await world.user("bob")
    other = decoded(await ann.get(f"/users/{bob.user['id']}/image"))
    assert other.size == (128, 128)
    assert ann.user.get("last_picture_update", 0) == 0
    # a new name draws new initials: the old ETag no longer matches
    assert (await ann.put(f"/users/{uid}/patch", {"first_name": "Zed"})).status_code == 200
    renamed = await ann.get(f"/users/{uid}/image", headers={"If-None-Match": etag})
    assert renamed.status_code == 200 and renamed.headers["etag"] != etag and renamed.content != r.content


async def test_upload_crops_stores_and_announces(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    uid = ann.user["id"]
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    r = await upload(ann, uid, picture())
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "OK"}
    me = (await ann.get("/users/me")).json()
    lpu = me["last_picture_update"]
    assert lpu > 0
    # stored through the file backend as a 128×128 PNG
    stored = await world.srv.app.files.backend().read_file(f"users/{uid}/profile.png")
    assert Image.open(io.BytesIO(stored)).size == (128, 128)
    r = await ann.get(f"/users/{uid}/image", params={"_": lpu})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "max-age=86400, private" and r.headers["etag"] == str(lpu)
    img = decoded(r).convert("RGB")
    assert img.size == (128, 128)
    # centre crop of 300×200 keeps x 50..250: the blue band (x < 50) is gone
    for x in (1, 64, 126):
        r_, g_, b_ = img.getpixel((x, 64))
        assert r_ > 190 and g_ < 70 and b_ < 70, (x, img.getpixel((x, 64)))
    r = await ann.get(f"/users/{uid}/image", headers={"If-None-Match": str(lpu)})
    assert r.status_code == 304 and not r.content
    await until(lambda: any(e.get("event") == "user_updated" and e["data"]["user"]["id"] == uid
                            and e["data"]["user"].get("last_picture_update") == lpu for e in events))
    updates = [e for e in events if e.get("event") == "user_updated" and e["data"]["user"]["id"] == uid]
    assert updates and updates[-1]["data"]["user"]["last_picture_update"] == lpu
    assert "password" not in updates[-1]["data"]["user"]
    # others see it too
    bob = await world.user("bob")
    assert (await bob.get(f"/users/{uid}")).json()["last_picture_update"] == lpu
    assert decoded(await bob.get(f"/users/{uid}/image")).size == (128, 128)
    # the default stays available
    assert (await bob.get(f"/users/{uid}/image/default")).status_code == 200


async def test_jpeg_with_exif_orientation_is_made_upright(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    # a tall image stored sideways: 200×100 pixels with orientation 6 (rotate 90° clockwise to view)
    img = Image.new("RGB", (200, 100), "#00a000")
    img.paste(Image.new("RGB", (100, 100), "#ff0000"), (0, 0))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=95)
    assert (await upload(ann, ann.user["id"], out.getvalue(), name="p.jpg")).status_code == 200
    shown = decoded(await ann.get(f"/users/{ann.user['id']}/image")).convert("RGB")
    # upright it is 100×200 with red on top; the centre square is half red (top) and half green
    top, bottom = shown.getpixel((64, 5)), shown.getpixel((64, 122))
    assert top[0] > 200 and top[1] < 60
    assert bottom[1] > 120 and bottom[0] < 60


async def test_remove_returns_to_the_default(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    uid = ann.user["id"]
    default = (await ann.get(f"/users/{uid}/image")).content
    assert (await upload(ann, uid, picture())).status_code == 200
    assert (await ann.get(f"/users/{uid}/image")).content != default
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    r = await ann.delete(f"/users/{uid}/image")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await ann.get("/users/me")).json().get("last_picture_update", 0) == 0
    r = await ann.get(f"/users/{uid}/image")
    assert r.content == default and r.headers["cache-control"] == "max-age=300, private"
    assert not await world.srv.app.files.backend().exists(f"users/{uid}/profile.png")
    await until(lambda: any(e.get("event") == "user_updated" and e["data"]["user"].get("last_picture_update", 0) == 0
                            for e in events))
    assert any(e.get("event") == "user_updated" and e["data"]["user"].get("last_picture_update", 0) == 0 for e in events)
    # removing again is fine
    assert (await ann.delete(f"/users/{uid}/image")).status_code == 200


async def test_permissions(world: World) -> None:
    admin = await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    r = await upload(bob, ann.user["id"], picture())
    assert r.status_code == 403 and r.json()["id"] == "api.context.permissions.app_error"
    assert (await bob.delete(f"/users/{ann.user['id']}/image")).status_code == 403
    assert (await upload(admin, ann.user["id"], picture())).status_code == 200
    assert (await admin.delete(f"/users/{ann.user['id']}/image")).status_code == 200
    anon = world.client()
    assert (await anon.get(f"/users/{ann.user['id']}/image")).status_code == 401
    assert (await ann.get("/users/notanid/image")).status_code == 400
    assert (await ann.get("/users/" + "a" * 26 + "/image")).status_code == 404


async def test_a_revalidation_keeps_every_check(world: World) -> None:
    """A 304 is only for a caller who may see the picture: a revoked session is 401 with the matching
    ETag too (and stays so on the same path, whose route is remembered), an unknown user 404; the 304
    carries the ETag and no body, content type or length."""
    await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    path = f"/users/{bob.user['id']}/image"
    etag = (await ann.get(path)).headers["etag"]
    again = await ann.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert "content-type" not in again.headers and "content-length" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff" and again.headers["x-request-id"]
    missing = "a" * 26
    assert (await ann.get(f"/users/{missing}/image", headers={"If-None-Match": etag})).status_code == 404
    assert (await ann.post("/users/logout", {})).status_code == 200
    for _ in range(2):
        r = await ann.get(path, headers={"If-None-Match": etag})
        assert r.status_code == 401 and r.json()["id"] == "api.context.session_expired.app_error"
    assert (await world.client().get(path, headers={"If-None-Match": etag})).status_code == 401


async def test_bad_uploads_get_mattermosts_errors_and_change_nothing(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    uid = ann.user["id"]

    async def error(r: httpx.Response, status: int, id_: str) -> None:
        assert r.status_code == status, r.text
        body = r.json()
        assert body["id"] == id_ and body["status_code"] == status and "request_id" in body

    await error(await upload(ann, uid, picture(), field="file"), 400, "api.user.upload_profile_user.no_file.app_error")
    await error(await upload(ann, uid, b""), 400, "api.user.upload_profile_user.array.app_error")
    await error(await upload(ann, uid, b"<svg xmlns='http://www.w3.org/2000/svg'/>", name="x.svg"), 400,
                "api.user.upload_profile_user.decode.app_error")
    await error(await upload(ann, uid, picture()[:60]), 400, "api.user.upload_profile_user.decode.app_error")
    r = await ann.http.post(f"/users/{uid}/image", content=b"{}", headers={**ann._headers(None), "Content-Type": "application/json"})
    await error(r, 400, "api.user.upload_profile_user.parse.app_error")
    world.srv.config.effective.FileSettings.MaxImageResolution = 100 * 100
    await error(await upload(ann, uid, picture(300, 200)), 400, "api.user.upload_profile_user.too_large.app_error")
    world.srv.config.effective.FileSettings.MaxFileSize = 2000
    await error(await upload(ann, uid, picture(800, 800, fmt="BMP")), 413, "api.user.upload_profile_user.too_large.app_error")
    assert (await ann.get("/users/me")).json().get("last_picture_update", 0) == 0
    assert not await world.srv.app.files.backend().exists(f"users/{uid}/profile.png")
    world.srv.config.effective.FileSettings.DriverName = ""
    await error(await upload(ann, uid, picture()), 501, "api.user.upload_profile_user.storage.app_error")
    await error(await ann.delete(f"/users/{uid}/image"), 501, "api.user.upload_profile_user.storage.app_error")
    # without a file store the generated picture is still served
    assert (await ann.get(f"/users/{uid}/image")).status_code == 200


async def test_a_cached_picture_follows_a_name_change_at_once(world: World) -> None:
    """Pictures' users are cached longer than users (issue 27): a change of name still shows at once."""
    await world.user("admin")
    ann = await world.user("ann", first_name="Ann", last_name="Lee")
    uid = ann.user["id"]
    before = (await ann.get(f"/users/{uid}/image")).content
    assert (await ann.get(f"/users/{uid}/image")).content == before  # from the cache
    r = await ann.put(f"/users/{uid}/patch", {"first_name": "Zed", "last_name": "Quill"})
    assert r.status_code == 200, r.text
    after = (await ann.get(f"/users/{uid}/image")).content
    assert after != before
    assert after == (await ann.get(f"/users/{uid}/image/default")).content
