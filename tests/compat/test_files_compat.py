"""mattermostdriver against a real `chinwag serve` process: upload a file, post it, download the same
bytes, thumbnail and info; private channel files stay private; oversize uploads leave nothing.
Runs with files on local disk and in S3 (moto in server mode on loopback)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from typing import Any

import pytest
from mattermostdriver.exceptions import ContentTooLarge, NotEnoughPermissions, ResourceNotFound
from PIL import Image

from chinwag.filestore.s3 import S3Backend
from tests.compat.files_server import ServerProcess, chinwag_process  # noqa: F401 (fixture)
from tests.files_support import (
    moto_endpoint,  # noqa: F401 (fixture)
    png_bytes,
    random_bytes,
    s3_settings,
)

pytestmark = pytest.mark.compat


def stored_files(sp: ServerProcess) -> list[str]:
    if sp.backend == "local":
        return sorted(str(p.relative_to(sp.files_dir)) for p in sp.files_dir.rglob("*") if p.is_file())

    async def listing() -> list[str]:
        b = S3Backend(s3_settings(sp.extra["moto"], sp.bucket))
        try:
            return await b.list_files()
        finally:
            await b.close()

    return asyncio.run(listing())


def fileinfo_rows(sp: ServerProcess) -> int:
    with sqlite3.connect(sp.db_path) as db:
        return int(db.execute("SELECT count(*) FROM fileinfo").fetchone()[0])


def make_world(sp: ServerProcess) -> dict[str, Any]:
    anon = sp.driver()
    anon.users.create_user({"username": "admin", "email": "admin@example.com", "password": "password"})
    admin = sp.driver("admin")
    for name in ("bob", "carol"):
        admin.users.create_user({"username": name, "email": f"{name}@example.com", "password": "password"})
    bob, carol = sp.driver("bob"), sp.driver("carol")
    team = admin.teams.create_team({"name": "compat", "display_name": "Compat", "type": "O"})
    for user in (bob, carol):
        admin.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": user.client.userid})
    town = admin.channels.create_channel({"team_id": team["id"], "name": "shared", "display_name": "Shared",
                                          "type": "O"})
    private = admin.channels.create_channel({"team_id": team["id"], "name": "private",
                                             "display_name": "Private", "type": "P"})
    admin.channels.add_user(town["id"], {"user_id": bob.client.userid})
    admin.channels.add_user(private["id"], {"user_id": bob.client.userid})
    return {"admin": admin, "bob": bob, "carol": carol, "team": team, "town": town, "private": private}


def test_upload_post_download(chinwag_process: ServerProcess) -> None:  # noqa: F811
    w = make_world(chinwag_process)
    admin, bob = w["admin"], w["bob"]
    image = png_bytes(640, 480)
    up = admin.files.upload_file(channel_id=w["town"]["id"], files={"files": ("screenshot.png", image)})
    info = up["file_infos"][0]
    assert (info["name"], info["mime_type"], info["size"]) == ("screenshot.png", "image/png", len(image))
    assert (info["width"], info["height"], info["has_preview_image"]) == (640, 480, True)
    log = admin.files.upload_file(channel_id=w["town"]["id"],
                                  files={"files": ("server.log", b"line 1\nline 2\n")})["file_infos"][0]

    post = admin.posts.create_post({"channel_id": w["town"]["id"], "message": "have a look",
                                    "file_ids": [info["id"], log["id"]]})
    assert post["file_ids"] == [info["id"], log["id"]]
    assert [f["name"] for f in post["metadata"]["files"]] == ["screenshot.png", "server.log"]

    got = bob.files.get_file(info["id"])
    assert got.status_code == 200 and got.content == image
    assert got.headers["Content-Type"] == "image/png"
    thumb = Image.open(io.BytesIO(bob.files.get_file_thumbnail(info["id"]).content))
    assert thumb.format == "JPEG" and thumb.size[0] <= 120 and thumb.size[1] <= 100
    preview = Image.open(io.BytesIO(bob.files.get_file_preview(info["id"]).content))
    assert preview.size == (640, 480)
    meta = bob.files.get_file_metadata(info["id"])
    assert meta["post_id"] == post["id"] and meta["id"] == info["id"]
    assert "path" not in meta
    text = bob.files.get_file(log["id"])
    assert text.content == b"line 1\nline 2\n"
    assert text.headers["Content-Disposition"].startswith("attachment;")
    assert [f["id"] for f in bob.posts.get_file_info_for_post(post["id"])] == [info["id"], log["id"]]
    fetched = bob.posts.get_post(post["id"])
    assert [f["id"] for f in fetched["metadata"]["files"]] == [info["id"], log["id"]]


def test_private_channel_files_stay_private(chinwag_process: ServerProcess) -> None:  # noqa: F811
    w = make_world(chinwag_process)
    admin, bob, carol = w["admin"], w["bob"], w["carol"]
    secret = admin.files.upload_file(channel_id=w["private"]["id"],
                                     files={"files": ("plans.txt", b"secret plans")})["file_infos"][0]
    admin.posts.create_post({"channel_id": w["private"]["id"], "message": "plans", "file_ids": [secret["id"]]})
    assert bob.files.get_file(secret["id"]).content == b"secret plans"
    for call in (carol.files.get_file, carol.files.get_file_metadata, carol.files.get_file_thumbnail):
        with pytest.raises((NotEnoughPermissions, ResourceNotFound)):
            call(secret["id"])
    with pytest.raises(NotEnoughPermissions):
        carol.files.upload_file(channel_id=w["private"]["id"], files={"files": ("x.txt", b"x")})


def test_oversize_upload_leaves_nothing(chinwag_process: ServerProcess) -> None:  # noqa: F811
    w = make_world(chinwag_process)
    admin = w["admin"]
    before_files, before_rows = stored_files(chinwag_process), fileinfo_rows(chinwag_process)
    with pytest.raises(ContentTooLarge):
        admin.files.upload_file(channel_id=w["town"]["id"],
                                files={"files": ("big.bin", random_bytes(2 * 1024 * 1024))})
    assert stored_files(chinwag_process) == before_files
    assert fileinfo_rows(chinwag_process) == before_rows
    # the server is fine afterwards, and a file under the limit goes through
    ok = admin.files.upload_file(channel_id=w["town"]["id"], files={"files": ("ok.bin", random_bytes(1000))})
    assert ok["file_infos"][0]["size"] == 1000
