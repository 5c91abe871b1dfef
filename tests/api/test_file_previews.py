"""Previews of large images are made after the upload answers (app/file_preview.py): the upload does
not wait for them, a request for one waits for the work, and work lost to a restart is redone from
the stored original."""

from __future__ import annotations

import asyncio
import io
from typing import IO, Any

from PIL import Image

from chinwag.app.file_image import ImageResult
from chinwag.app.file_preview import DEFER_PIXELS
from chinwag.server import Server
from tests.api.test_files import setup, upload
from tests.conftest import World
from tests.files_support import *  # noqa: F403
from tests.files_support import png_bytes


def gate_decoding(server: Server) -> asyncio.Event:
    """Hold every image decode until the returned event is set."""
    files = server.app.files
    real = files.decode
    gate = asyncio.Event()

    async def gated(spool: IO[bytes], mime: str) -> ImageResult:
        await gate.wait()
        return await real(spool, mime)

    files.decode = gated  # type: ignore[method-assign]
    return gate


async def test_large_image_answers_before_its_previews_exist(fworld: World, file_server: Server) -> None:
    alice, bob, _team, channel = await setup(fworld)
    assert 2000 * 1500 > DEFER_PIXELS
    gate = gate_decoding(file_server)
    r = await asyncio.wait_for(upload(alice, channel["id"], ("photo.png", png_bytes(2000, 1500))), 30)
    assert r.status_code == 201, r.text  # answered while decoding is held
    info = r.json()["file_infos"][0]
    assert (info["width"], info["height"], info["has_preview_image"]) == (2000, 1500, True)
    assert "mini_preview" not in info or not info["mini_preview"]

    waiting: asyncio.Task[Any] = asyncio.create_task(bob.get(f"/files/{info['id']}/thumbnail"))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # the thumbnail request waits for the work, it does not fail
    gate.set()
    thumb = await asyncio.wait_for(waiting, 30)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    preview = await alice.get(f"/files/{info['id']}/preview")
    assert Image.open(io.BytesIO(preview.content)).size == (1920, 1440)
    after = (await alice.get(f"/files/{info['id']}/info")).json()
    assert after["mini_preview"] and after["has_preview_image"] is True

    # the post that attaches it carries the finished metadata
    r = await alice.post("/posts", {"channel_id": channel["id"], "message": "pic", "file_ids": [info["id"]]})
    assert r.status_code == 201, r.text
    assert r.json()["metadata"]["files"][0]["mini_preview"]


async def test_previews_lost_to_a_restart_are_made_on_request(fworld: World, file_server: Server) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    gate = gate_decoding(file_server)
    r = await upload(alice, channel["id"], ("shot.png", png_bytes(1800, 1200, color=(10, 200, 10))))
    info = r.json()["file_infos"][0]
    previews = file_server.app.files.previews
    task = previews.pending[info["id"]]
    task.cancel()  # the process that was making them is gone
    await asyncio.gather(task, return_exceptions=True)
    assert info["id"] not in previews.pending
    gate.set()
    r = await alice.get(f"/files/{info['id']}/preview")
    assert r.status_code == 200
    img = Image.open(io.BytesIO(r.content))
    assert img.size == (1800, 1200) and img.getpixel((5, 5))[1] > 150
    assert (await alice.get(f"/files/{info['id']}/thumbnail")).status_code == 200


async def test_small_images_still_get_previews_during_the_upload(fworld: World, file_server: Server) -> None:
    alice, _bob, _team, channel = await setup(fworld)
    r = await upload(alice, channel["id"], ("small.png", png_bytes(300, 200)))
    info = r.json()["file_infos"][0]
    assert info["mini_preview"] and info["has_preview_image"] is True
    assert not file_server.app.files.previews.pending
