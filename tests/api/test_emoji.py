"""Custom emoji over HTTP on both databases: create (multipart), image, list, search, autocomplete,
names, delete, permissions, limits and bad input."""

from __future__ import annotations

import io
import random
from typing import Any

import httpx
from PIL import Image

from tests.conftest import Client, World, assert_error
from tests.files_support import png_bytes


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----chinwagemojiboundary"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, body in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode())
        out.write(body + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


async def create(c: Client, name: str, image: bytes, creator_id: str | None = None) -> httpx.Response:
    meta = '{{"name": "{}", "creator_id": "{}"}}'.format(name, creator_id if creator_id is not None else c.user["id"])
    body, ctype = _multipart([("emoji", meta)], [("image", "e.png", image)])
    return await c.post("/emoji", content=body, headers={"Content-Type": ctype})


def gif_bytes(width: int, height: int, frames: int) -> bytes:
    imgs = [Image.new("RGB", (width, height), (i * 80, 255 - i * 80, 0)) for i in range(frames)]
    out = io.BytesIO()
    imgs[0].save(out, "GIF", save_all=True, append_images=imgs[1:], duration=80, loop=0)
    return out.getvalue()


async def setup(world: World) -> tuple[Client, Client]:
    world.srv.config.effective.ServiceSettings.EnableCustomEmoji = True
    admin = await world.user("admin")
    bob = await world.user("bob")
    return admin, bob


async def test_create_get_image_list_delete(world: World) -> None:
    admin, bob = await setup(world)
    r = await create(bob, "partyparrot", png_bytes(32, 32))
    assert r.status_code == 201, r.text
    emoji: dict[str, Any] = r.json()
    assert set(emoji) == {"id", "create_at", "update_at", "delete_at", "creator_id", "name"}
    assert emoji["name"] == "partyparrot" and emoji["creator_id"] == bob.user["id"] and emoji["delete_at"] == 0
    assert (await admin.get(f"/emoji/{emoji['id']}")).json() == emoji
    assert (await admin.get("/emoji/name/partyparrot")).json() == emoji
    img = await admin.get(f"/emoji/{emoji['id']}/image")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(img.content)).size == (32, 32)
    # a big image is scaled down to 128 px; an animated GIF keeps its frames
    big = (await create(bob, "big_one", png_bytes(512, 256))).json()
    img = await admin.get(f"/emoji/{big['id']}/image")
    assert Image.open(io.BytesIO(img.content)).size == (128, 64)
    anim = (await create(admin, "spinner", gif_bytes(300, 300, 3))).json()
    img = await admin.get(f"/emoji/{anim['id']}/image")
    assert img.headers["content-type"] == "image/gif"
    g = Image.open(io.BytesIO(img.content))
    assert g.size == (128, 128) and g.n_frames == 3
    # lists, search, autocomplete, names
    names = [e["name"] for e in (await bob.get("/emoji", params={"sort": "name"})).json()]
    assert names == ["big_one", "partyparrot", "spinner"]
    assert [e["name"] for e in (await bob.get("/emoji")).json()] == ["partyparrot", "big_one", "spinner"]
    assert [e["name"] for e in (await bob.get("/emoji", params={"per_page": 2, "page": 1})).json()] == ["spinner"]
    found = (await bob.post("/emoji/search", {"term": "parrot"})).json()
    assert [e["name"] for e in found] == ["partyparrot"]
    assert (await bob.post("/emoji/search", {"term": "parrot", "prefix_only": True})).json() == []
    auto = (await bob.get("/emoji/autocomplete", params={"name": "sp"})).json()
    assert [e["name"] for e in auto] == ["spinner"]
    by_names = (await bob.post("/emoji/names", ["spinner", "nope", "big_one"])).json()
    assert sorted(e["name"] for e in by_names) == ["big_one", "spinner"]
    # delete: the creator may, others need delete_others_emojis (admins have it)
    assert_error(await bob.delete(f"/emoji/{anim['id']}"), 403)
    r = await bob.delete(f"/emoji/{emoji['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert_error(await bob.get(f"/emoji/{emoji['id']}"), 404, "app.emoji.get.no_result")
    assert_error(await bob.get("/emoji/name/partyparrot"), 404)
    assert_error(await bob.get(f"/emoji/{emoji['id']}/image"), 404)
    assert (await admin.delete(f"/emoji/{anim['id']}")).status_code == 200
    # the name is free again
    assert (await create(bob, "partyparrot", png_bytes(16, 16))).status_code == 201


async def test_bad_input(world: World) -> None:
    admin, bob = await setup(world)
    assert (await create(bob, "taken", png_bytes(8, 8))).status_code == 201
    assert_error(await create(bob, "taken", png_bytes(8, 8)), 400, "api.emoji.create.duplicate.app_error")
    assert_error(await create(bob, "bad name!", png_bytes(8, 8)), 400, "model.emoji.name.app_error")
    assert_error(await create(bob, "x" * 65, png_bytes(8, 8)), 400, "model.emoji.name.app_error")
    assert_error(await create(bob, "smile", png_bytes(8, 8)), 400, "model.emoji.name.app_error")
    assert_error(await create(bob, "notimage", b"hello, not an image"), 400, "api.emoji.upload.image.app_error")
    assert_error(await create(bob, "huge", png_bytes(1100, 10)), 400,
                 "api.emoji.upload.large_image.too_large.app_error")
    big_file = png_bytes(8, 8) + random.Random(1).randbytes(600 * 1024)  # a PNG with junk after its end
    assert_error(await create(bob, "toolarge", big_file), 413, "api.emoji.create.too_large.app_error")
    assert_error(await create(bob, "other", png_bytes(8, 8), creator_id=admin.user["id"]), 401,
                 "api.emoji.create.other_user.app_error")
    body, ctype = _multipart([("emoji", '{"name": "noimage"}')], [])
    assert_error(await bob.post("/emoji", content=body, headers={"Content-Type": ctype}), 400,
                 "api.emoji.create.no_image.app_error")
    assert_error(await bob.post("/emoji", {"name": "json"}), 400, "api.emoji.create.parse.app_error")
    assert_error(await bob.get("/emoji/notanid"), 400)
    assert_error(await bob.post("/emoji/search", {"term": ""}), 400)
    assert_error(await bob.get("/emoji", params={"sort": "size"}), 400)
    names = [e["name"] for e in (await bob.get("/emoji")).json()]
    assert names == ["taken"]  # nothing else was stored


async def test_disabled_and_anonymous(world: World) -> None:
    _admin, bob = await setup(world)
    emoji = (await create(bob, "wave2", png_bytes(8, 8))).json()
    assert_error(await world.client().get("/emoji"), 401)
    world.srv.config.effective.ServiceSettings.EnableCustomEmoji = False
    assert_error(await create(bob, "off", png_bytes(8, 8)), 501, "api.emoji.disabled.app_error")
    assert_error(await bob.get("/emoji"), 501, "api.emoji.disabled.app_error")
    assert_error(await bob.get(f"/emoji/{emoji['id']}/image"), 501, "api.emoji.disabled.app_error")
