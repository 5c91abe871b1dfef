"""The file API over HTTP, on both databases and both file stores (local disk and S3 via moto):
uploads (multipart and raw), previews, downloads, ranges, permissions, posts with files, public
links, search, limits and cleanup."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import httpx
import sqlalchemy as sa
from PIL import Image

from chinwag.server import Server
from chinwag.store.sql.tables import fileinfo
from tests.conftest import Client, World, assert_error
from tests.files_support import *  # noqa: F403
from tests.files_support import jpeg_bytes, png_bytes, png_header_only, random_bytes

FILEINFO_KEYS = {"id", "user_id", "channel_id", "create_at", "update_at", "delete_at", "name", "extension",
                 "size", "mime_type", "mini_preview", "remote_id", "archived"}


async def setup(w: World) -> tuple[Client, Client, dict[str, Any], dict[str, Any]]:
    """alice (admin) and bob in a team with a public channel; returns (alice, bob, team, channel)."""
    alice = await w.user("alice")
    bob = await w.user("bob")
    team = await w.team(alice)
    await w.join(alice, team, bob)
    channel = await w.channel(alice, team, "files")
    r = await alice.post(f"/channels/{channel['id']}/members", {"user_id": bob.user["id"]})
    assert r.status_code == 201, r.text
    return alice, bob, team, channel


async def upload(c: Client, channel_id: str, *files: tuple[str, bytes], client_ids: list[str] | None = None,
                 channel_first: bool = True) -> httpx.Response:
    data: list[tuple[str, Any]] = [("client_ids", cid) for cid in (client_ids or [])]
    parts = [("files", (name, body, "application/octet-stream")) for name, body in files]
    body, ctype = _multipart([("channel_id", channel_id), *data] if channel_first else data, parts,
                             tail=[] if channel_first else [("channel_id", channel_id)])
    return await c.post("/files", content=body, headers={"Content-Type": ctype})


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, tuple[str, bytes, str]]],
               tail: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "----chinwagtestboundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, ctype) in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(content + b"\r\n")
    for name, value in tail:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


async def stored(srv: Server) -> list[str]:
    return await srv.app.files.backend().list_files()


async def fileinfo_rows(srv: Server) -> int:
    async with srv.db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(fileinfo))).scalar_one())


async def test_multipart_upload_image_and_text(fworld: World, file_server: Server) -> None:
    alice, _bob, team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("photo.png", png_bytes(300, 200)), ("notes.txt", b"hello world\n"),
                     client_ids=["c1", "c2"])
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["client_ids"] == ["c1", "c2"]
    img, txt = body["file_infos"]
    assert set(img) == FILEINFO_KEYS | {"width", "height", "has_preview_image"}
    assert set(txt) == FILEINFO_KEYS  # post_id, width, height, has_preview_image are omitempty
    assert (img["name"], img["extension"], img["mime_type"]) == ("photo.png", "png", "image/png")
    assert (img["width"], img["height"], img["has_preview_image"]) == (300, 200, True)
    assert img["user_id"] == alice.user["id"] and img["channel_id"] == channel["id"]
    assert img["remote_id"] is None and img["archived"] is False and img["delete_at"] == 0
    mini = Image.open(io.BytesIO(base64.b64decode(img["mini_preview"])))
    assert (mini.format, mini.size) == ("JPEG", (16, 16))
    assert (txt["mime_type"], txt["size"], txt["mini_preview"]) == ("text/plain", 12, None)
    day = time.strftime("%Y%m%d", time.gmtime(img["create_at"] / 1000))
    prefix = f"{day}/teams/{team['id']}/channels/{channel['id']}/users/{alice.user['id']}/{img['id']}/"
    assert sorted(await stored(file_server)) == sorted([
        prefix + "photo.png", prefix + "photo_thumb.jpg", prefix + "photo_preview.jpg",
        f"{day}/teams/{team['id']}/channels/{channel['id']}/users/{alice.user['id']}/{txt['id']}/notes.txt"])

    r = await alice.get(f"/files/{img['id']}")
    assert r.status_code == 200 and r.content == png_bytes(300, 200)
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline;")
    assert r.headers["x-content-type-options"] == "nosniff"
    r = await alice.get(f"/files/{img['id']}", params={"download": "true"})
    assert r.headers["content-disposition"].startswith('attachment; filename="photo.png"')
    r = await alice.get(f"/files/{img['id']}/thumbnail")
    thumb = Image.open(io.BytesIO(r.content))
    assert r.headers["content-type"] == "image/jpeg" and thumb.format == "JPEG"
    assert thumb.size == (120, 80)
    r = await alice.get(f"/files/{img['id']}/preview")
    assert Image.open(io.BytesIO(r.content)).size == (300, 200)
    r = await alice.get(f"/files/{img['id']}/info")
    assert r.status_code == 200 and r.json() == img
    assert_error(await alice.get(f"/files/{txt['id']}/thumbnail"), 400,
                 "api.file.get_file_thumbnail.no_thumbnail.app_error")
    assert_error(await alice.get(f"/files/{txt['id']}/preview"), 400,
                 "api.file.get_file_preview.no_preview.app_error")


async def test_preview_sizes_orientation_and_dm_paths(fworld: World, file_server: Server) -> None:
    alice, bob, _team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("wide.png", png_bytes(2500, 100)),
                     ("rotated.jpg", jpeg_bytes(40, 20, orientation=6)),
                     ("alpha.png", png_bytes(50, 50, mode="RGBA")), ("anim.gif", _gif()))
    assert r.status_code == 201, r.text
    wide, rotated, alpha, gif = r.json()["file_infos"]
    assert Image.open(io.BytesIO((await alice.get(f"/files/{wide['id']}/preview")).content)).size == (1920, 77)
    assert Image.open(io.BytesIO((await alice.get(f"/files/{wide['id']}/thumbnail")).content)).size == (120, 5)
    assert (rotated["width"], rotated["height"]) == (20, 40)  # EXIF orientation 6 is applied
    assert Image.open(io.BytesIO((await alice.get(f"/files/{rotated['id']}/preview")).content)).size == (20, 40)
    assert alpha["has_preview_image"] is True
    assert gif["mime_type"] == "image/gif" and "has_preview_image" not in gif  # like Mattermost
    assert (await alice.get(f"/files/{gif['id']}/thumbnail")).status_code == 200

    r = await alice.post("/channels/direct", [alice.user["id"], bob.user["id"]])
    dm = r.json()
    r = await upload(alice, dm["id"], ("dm.txt", b"direct"))
    info = r.json()["file_infos"][0]
    assert any(p.endswith(f"/teams/noteam/channels/{dm['id']}/users/{alice.user['id']}/{info['id']}/dm.txt")
               for p in await stored(file_server))
    assert (await bob.get(f"/files/{info['id']}")).content == b"direct"


def _gif() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (30, 30), i) for i in (1, 2)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


async def test_raw_body_upload_and_field_order(fworld: World) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    big = random_bytes(1024 * 1024)  # above MaximumPayloadSizeBytes: uploads are not capped by it
    r = await alice.post("/files", content=big,
                         params={"channel_id": channel["id"], "filename": "blob.bin", "client_id": "x1"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["client_ids"] == ["x1"]
    info = body["file_infos"][0]
    assert (info["name"], info["size"], info["mime_type"]) == ("blob.bin", len(big), "application/octet-stream")
    assert (await alice.get(f"/files/{info['id']}")).content == big
    # files before channel_id (legacy order) are spooled until the channel is known
    r = await upload(alice, channel["id"], ("a.txt", b"aaa"), ("b.txt", b"bbb"), client_ids=["1", "2"],
                     channel_first=False)
    assert r.status_code == 201, r.text
    assert [f["name"] for f in r.json()["file_infos"]] == ["a.txt", "b.txt"]
    assert r.json()["client_ids"] == ["1", "2"]
    assert_error(await upload(alice, channel["id"], ("a.txt", b"a"), client_ids=["1", "2"]), 400,
                 "api.file.upload_file.incorrect_number_of_client_ids.app_error")
    assert_error(await alice.post("/files", content=b"x", params={"channel_id": channel["id"]}), 400,
                 "api.context.invalid_url_param.app_error")
    body, ctype = _multipart([("channel_id", channel["id"]), ("bogus", "1")], [], [])
    assert_error(await alice.post("/files", content=body, headers={"Content-Type": ctype}), 400,
                 "api.context.invalid_param.app_error")


async def test_names_are_sanitised(fworld: World, file_server: Server) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("../../../etc/evil.txt", b"1"), ("/abs/path/passwd", b"2"),
                     ("..\\..\\win.ini", b"3"))
    names = [f["name"] for f in r.json()["file_infos"]]
    assert names == ["evil.txt", "passwd", "win.ini"]
    paths = await stored(file_server)
    assert len(paths) == 3 and all(".." not in p.split("/") and p.count("/") == 8 for p in paths)
    r = await alice.post("/files", content=b"x", params={"channel_id": channel["id"], "filename": "../.."})
    assert_error(r, 400, "api.context.invalid_param.app_error")
    assert len(await stored(file_server)) == 3


async def test_content_type_is_sniffed_and_dangerous_types_download(fworld: World) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("cat.png", b"<html><script>alert(1)</script></html>"),
                     ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
                     ("real.html", png_bytes(4, 4)))
    fake_png, svg, real_png = r.json()["file_infos"]
    assert fake_png["mime_type"] == "text/html" and "width" not in fake_png
    assert svg["mime_type"] == "image/svg+xml"
    assert real_png["mime_type"] == "image/png"
    for info in (fake_png, svg):
        r = await alice.get(f"/files/{info['id']}")
        assert r.headers["content-disposition"].startswith("attachment;")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in r.headers["content-security-policy"]
    r = await alice.get(f"/files/{real_png['id']}")
    assert r.headers["content-type"] == "image/png" and r.headers["content-disposition"].startswith("inline;")


async def test_range_requests(fworld: World) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    data = bytes(range(256)) * 100
    info = (await upload(alice, channel["id"], ("data.bin", data))).json()["file_infos"][0]
    r = await alice.get(f"/files/{info['id']}", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == data[100:200]
    assert r.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert r.headers["content-length"] == "100"
    r = await alice.get(f"/files/{info['id']}", headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = await alice.get(f"/files/{info['id']}", headers={"Range": "bytes=25000-"})
    assert r.status_code == 206 and r.content == data[25000:]
    r = await alice.get(f"/files/{info['id']}", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    r = await alice.get(f"/files/{info['id']}", headers={"Range": "bytes=0-1,5-6"})
    assert r.status_code == 200 and r.content == data
    assert r.headers["accept-ranges"] == "bytes"


async def test_max_file_size_leaves_nothing(fworld: World, file_server: Server) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    file_server.config.effective.FileSettings.MaxFileSize = 10_000
    r = await upload(alice, channel["id"], ("ok.txt", b"small"), ("big.bin", random_bytes(30_000)))
    assert_error(r, 413, "api.file.upload_file.too_large_detailed.app_error")
    r = await alice.post("/files", content=random_bytes(20_000),
                         params={"channel_id": channel["id"], "filename": "big.bin"})
    assert_error(r, 413, "api.file.upload_file.too_large_detailed.app_error")

    async def chunked() -> Any:  # no Content-Length: the limit is enforced while streaming
        for _ in range(10):
            yield random_bytes(4096)

    r = await alice.http.post("/files", content=chunked(), headers={"Authorization": f"Bearer {alice.token}"},
                              params={"channel_id": channel["id"], "filename": "stream.bin"})
    assert_error(r, 413, "api.file.upload_file.too_large_detailed.app_error")
    assert await stored(file_server) == []
    assert await fileinfo_rows(file_server) == 0


async def test_image_resolution_limit(fworld: World, file_server: Server) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    file_server.config.effective.FileSettings.MaxImageResolution = 100 * 100
    r = await upload(alice, channel["id"], ("huge.png", png_bytes(200, 200)))
    assert_error(r, 400, "api.file.upload_file.large_image_detailed.app_error")
    assert await stored(file_server) == []
    assert await fileinfo_rows(file_server) == 0
    r = await upload(alice, channel["id"], ("fine.png", png_bytes(100, 100)))
    assert r.status_code == 201


async def test_decompression_bomb_and_broken_images(fworld: World, file_server: Server) -> None:
    """A header claiming 40000x40000 pixels is refused before any decoding (default limit, 33 MP);
    an image that cannot be decoded is kept as a plain file, without previews (as Mattermost)."""
    alice, _bob, _team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("bomb.png", png_header_only(40000, 40000)))
    assert_error(r, 400, "api.file.upload_file.large_image_detailed.app_error")
    assert await stored(file_server) == [] and await fileinfo_rows(file_server) == 0
    r = await upload(alice, channel["id"], ("broken.png", png_header_only(300, 200)))
    assert r.status_code == 201, r.text
    info = r.json()["file_infos"][0]
    assert info["mime_type"] == "image/png" and (info["width"], info["height"]) == (300, 200)
    assert "has_preview_image" not in info and info["mini_preview"] is None
    assert_error(await alice.get(f"/files/{info['id']}/thumbnail"), 400)


async def test_permissions(fworld: World) -> None:
    alice, bob, team, channel = await setup(fworld)
    carol = await fworld.user("carol")
    await fworld.join(alice, team, carol)
    private = await fworld.channel(alice, team, "secret", type="P")
    assert_error(await upload(bob, private["id"], ("x.txt", b"x")), 403, "api.context.permissions.app_error")
    secret = (await upload(alice, private["id"], ("secret.txt", b"top secret"))).json()["file_infos"][0]
    public = (await upload(alice, channel["id"], ("public.txt", b"hello"))).json()["file_infos"][0]
    for path in ("", "/info", "/preview", "/thumbnail"):
        assert_error(await bob.get(f"/files/{secret['id']}{path}"), 403, "api.context.permissions.app_error")
    # carol is in the team but not the public channel: public channels are readable by the team
    assert (await carol.get(f"/files/{public['id']}")).content == b"hello"
    outsider = await fworld.user("dave")
    assert_error(await outsider.get(f"/files/{public['id']}"), 403)
    assert_error(await fworld.client().get(f"/files/{public['id']}"), 401)
    assert_error(await alice.get("/files/nonexistentnonexistent1234/info"), 404, "app.file_info.get.app_error")
    assert_error(await alice.get("/files/bad-id/info"), 400, "api.context.invalid_url_param.app_error")
    fworld.srv.config.effective.FileSettings.EnableFileAttachments = False
    assert_error(await upload(alice, channel["id"], ("x.txt", b"x")), 403, "api.file.attachments.disabled.app_error")


async def test_posts_with_files(fworld: World, file_server: Server) -> None:
    alice, bob, team, channel = await setup(fworld)
    seen: list[dict[str, Any]] = []
    file_server.stream.subscribe(lambda _pos, ev: seen.append(ev))
    other = await fworld.channel(alice, team, "other")
    f1, f2 = (await upload(alice, channel["id"], ("one.png", png_bytes(10, 10)), ("two.txt", b"2"))).json()[
        "file_infos"]
    bobs = (await upload(bob, channel["id"], ("bob.txt", b"b"))).json()["file_infos"][0]
    elsewhere = (await upload(alice, other["id"], ("else.txt", b"e"))).json()["file_infos"][0]
    post = await fworld.post(alice, channel, "files!",
                             file_ids=[f1["id"], bobs["id"], elsewhere["id"], f2["id"], "x" * 26, f1["id"]])
    assert post["file_ids"] == [f1["id"], f2["id"]]
    assert [f["id"] for f in post["metadata"]["files"]] == [f1["id"], f2["id"]]
    assert post["metadata"]["files"][0]["post_id"] == post["id"]
    event = [e for e in seen if e["event"] == "posted"][-1]
    assert event["data"]["image"] == "true" and event["data"]["otherFile"] == "true"
    assert '"files"' in event["data"]["post"]
    r = await bob.get(f"/posts/{post['id']}")
    assert [f["id"] for f in r.json()["metadata"]["files"]] == [f1["id"], f2["id"]]
    r = await bob.get(f"/channels/{channel['id']}/posts")
    assert [f["name"] for f in r.json()["posts"][post["id"]]["metadata"]["files"]] == ["one.png", "two.txt"]
    r = await bob.get(f"/posts/{post['id']}/files/info")
    assert [f["id"] for f in r.json()] == [f1["id"], f2["id"]]
    assert (await bob.get(f"/files/{f1['id']}/info")).json()["post_id"] == post["id"]
    # a file can only be attached once
    again = await fworld.post(alice, channel, "again", file_ids=[f1["id"]])
    assert again["file_ids"] == [] and "files" not in again["metadata"]
    r = await alice.post("/posts", {"channel_id": channel["id"], "message": "x", "file_ids": [f"{i:026d}" for i in range(11)]})
    assert_error(r, 400, "model.post.is_valid.file_ids.app_error")

    # editing: swap two.txt for a new file
    f3 = (await upload(alice, channel["id"], ("three.txt", b"3"))).json()["file_infos"][0]
    r = await alice.put(f"/posts/{post['id']}/patch", {"file_ids": [f1["id"], f3["id"]]})
    assert r.status_code == 200, r.text
    assert r.json()["file_ids"] == [f1["id"], f3["id"]]
    assert [f["id"] for f in r.json()["metadata"]["files"]] == [f1["id"], f3["id"]]
    assert_error(await alice.get(f"/files/{f2['id']}"), 404, "app.file_info.get.app_error")

    # deleting the post: its files are no longer served
    assert (await alice.delete(f"/posts/{post['id']}")).status_code == 200
    for fid in (f1["id"], f3["id"]):
        assert_error(await alice.get(f"/files/{fid}"), 404, "app.file_info.get.app_error")
        assert_error(await bob.get(f"/files/{fid}/info"), 404)
    assert_error(await bob.get(f"/posts/{post['id']}/files/info"), 404)


async def test_replies_files_go_with_deleted_root(fworld: World) -> None:
    alice, bob, _team, channel = await setup(fworld)
    root = await fworld.post(alice, channel, "root")
    f = (await upload(bob, channel["id"], ("reply.txt", b"r"))).json()["file_infos"][0]
    await fworld.post(bob, channel, "reply", root_id=root["id"], file_ids=[f["id"]])
    assert (await alice.get(f"/files/{f['id']}")).status_code == 200
    await alice.delete(f"/posts/{root['id']}")
    assert_error(await alice.get(f"/files/{f['id']}"), 404)


async def test_public_links(fworld: World, file_server: Server) -> None:
    alice, bob, _team, channel = await setup(fworld)
    assert file_server.config.effective.FileSettings.PublicLinkSalt  # generated at start
    f = (await upload(alice, channel["id"], ("pub.txt", b"public bytes"))).json()["file_infos"][0]
    assert_error(await alice.get(f"/files/{f['id']}/link"), 403, "api.file.get_public_link.disabled.app_error")
    file_server.config.effective.FileSettings.EnablePublicLink = True
    assert_error(await alice.get(f"/files/{f['id']}/link"), 400, "api.file.get_public_link.no_post.app_error")
    await fworld.post(alice, channel, "see", file_ids=[f["id"]])
    r = await bob.get(f"/files/{f['id']}/link")
    assert r.status_code == 200
    link = r.json()["link"]
    assert link.startswith(f"http://localhost:8065/files/{f['id']}/public?h=")
    anon = httpx.AsyncClient(transport=httpx.ASGITransport(app=file_server.asgi), base_url="http://localhost:8065")
    r = await anon.get(link.removeprefix("http://localhost:8065"))
    assert r.status_code == 200 and r.content == b"public bytes"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert_error(await anon.get(f"/files/{f['id']}/public", params={"h": "wrong"}), 400,
                 "api.file.get_file.public_invalid.app_error")
    assert_error(await anon.get(f"/files/{f['id']}/public"), 400, "api.file.get_file.public_invalid.app_error")
    file_server.config.effective.FileSettings.EnablePublicLink = False
    assert_error(await anon.get(link.removeprefix("http://localhost:8065")), 403)
    await anon.aclose()


async def test_search(fworld: World) -> None:
    alice, bob, team, channel = await setup(fworld)
    private = await fworld.channel(alice, team, "secret", type="P")
    up = await upload(alice, channel["id"], ("Quarterly Report.pdf", b"%PDF-1.4 x"), ("report.txt", b"r"),
                      ("holiday.png", png_bytes(5, 5)))
    report_pdf, report_txt, holiday = up.json()["file_infos"]
    secret = (await upload(alice, private["id"], ("secret report.txt", b"s"))).json()["file_infos"][0]
    unattached = (await upload(bob, channel["id"], ("report-draft.txt", b"d"))).json()["file_infos"][0]
    await fworld.post(alice, channel, "docs", file_ids=[report_pdf["id"], report_txt["id"], holiday["id"]])
    await fworld.post(alice, private, "hidden", file_ids=[secret["id"]])
    assert unattached["id"]

    async def search(c: Client, terms: str, **kw: Any) -> list[str]:
        r = await c.post(f"/teams/{team['id']}/files/search", {"terms": terms, **kw})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) >= {"order", "file_infos", "next_file_info_id", "prev_file_info_id"}
        assert set(body["order"]) == set(body["file_infos"])
        return sorted(body["file_infos"][i]["name"] for i in body["order"])

    assert await search(bob, "report") == ["Quarterly Report.pdf", "report.txt"]
    assert await search(alice, "report") == ["Quarterly Report.pdf", "report.txt", "secret report.txt"]
    assert await search(bob, "report ext:pdf") == ["Quarterly Report.pdf"]
    assert await search(bob, "report -quarterly") == ["report.txt"]
    assert await search(bob, "holiday quarterly", is_or_search=True) == ["Quarterly Report.pdf", "holiday.png"]
    assert await search(bob, "holiday quarterly") == []
    assert await search(bob, '"quarterly report"') == ["Quarterly Report.pdf"]
    assert await search(bob, "from:alice in:files rep*") == ["Quarterly Report.pdf", "report.txt"]
    assert await search(bob, "report from:bob") == []
    assert await search(bob, "report", page=1, per_page=1) == ["Quarterly Report.pdf"]
    # in:@username looks in the direct message with that person, on both sides
    dm = (await alice.post("/channels/direct", [alice.user["id"], bob.user["id"]])).json()
    in_dm = (await upload(alice, dm["id"], ("dm report.txt", b"d"))).json()["file_infos"][0]
    await fworld.post(alice, dm, "for you", file_ids=[in_dm["id"]])
    assert await search(bob, f"report in:@{alice.user['username']}") == ["dm report.txt"]
    assert await search(alice, f"report -in:@{bob.user['username']} -in:secret") == [
        "Quarterly Report.pdf", "report.txt"]
    assert_error(await bob.post(f"/teams/{team['id']}/files/search", {"terms": ""}), 400)
    outsider = await fworld.user("eve")
    assert_error(await outsider.post(f"/teams/{team['id']}/files/search", {"terms": "report"}), 403)

    # POST /files/search: every team of the searcher, and the direct messages
    other = await fworld.team(bob, "other")
    there = await fworld.channel(bob, other, "there")
    elsewhere = (await upload(bob, there["id"], ("report elsewhere.txt", b"e"))).json()["file_infos"][0]
    await fworld.post(bob, there, "other team", file_ids=[elsewhere["id"]])

    async def search_all(c: Client, terms: str) -> list[str]:
        r = await c.post("/files/search", {"terms": terms})
        assert r.status_code == 200, r.text
        return sorted(r.json()["file_infos"][i]["name"] for i in r.json()["order"])

    assert await search_all(bob, "report") == ["Quarterly Report.pdf", "dm report.txt", "report elsewhere.txt",
                                              "report.txt"]
    assert await search(bob, "report") == ["Quarterly Report.pdf", "dm report.txt", "report.txt"]
    assert await search_all(alice, "report") == ["Quarterly Report.pdf", "dm report.txt", "report.txt",
                                                "secret report.txt"]
    assert await search_all(outsider, "report") == []
    assert_error(await bob.post("/files/search", {"terms": ""}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/files/search", content=b"{"), 400, "api.post.search_files.invalid_body.app_error")


async def test_storage_test_endpoint(fworld: World, file_server: Server) -> None:
    alice, bob, _team, _channel = await setup(fworld)
    assert_error(await bob.post("/file/s3_test"), 403)
    r = await alice.post("/file/s3_test")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert await stored(file_server) == []
    cfg = {"FileSettings": {"DriverName": "amazons3", "AmazonS3Bucket": ""}}
    assert_error(await alice.post("/file/s3_test", cfg), 400, "api.admin.test_s3.missing_s3_bucket")
    bad = {"FileSettings": {"DriverName": "amazons3", "AmazonS3Bucket": "b", "AmazonS3Endpoint": "127.0.0.1:1",
                            "AmazonS3SSL": False, "AmazonS3RequestTimeoutMilliseconds": 2000}}
    assert_error(await alice.post("/file/s3_test", bad), 500, "api.file.test_connection.app_error")


async def test_upload_to_unknown_channel(fworld: World) -> None:
    alice, bob, _team, _channel = await setup(fworld)
    assert_error(await upload(bob, "x" * 26, ("a.txt", b"a")), 403)
    assert_error(await upload(alice, "x" * 26, ("a.txt", b"a")), 404, "app.channel.get.app_error")
    assert_error(await upload(alice, "bad", ("a.txt", b"a")), 400, "api.context.invalid_param.app_error")
