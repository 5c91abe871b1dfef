"""Content extraction for file search (Mattermost's ExtractContent and its extract_content job): the text
of plain, PDF, Office and zipped files becomes searchable, on upload when FileSettings.ExtractContent is
on and for older files through the job (POST /jobs, status, progress and Mattermost's processed/errors)."""

from __future__ import annotations

import io
import time
import zipfile

from chinwag.server import Server
from tests.api.test_files import upload
from tests.api.test_jobs import finished
from tests.conftest import World, assert_error
from tests.files_support import png_bytes


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF that draws ``text`` in Helvetica (what a text extractor reads back)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx_with_text(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="urn:w"><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def zip_of(**files: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


async def test_extract_content_job_and_uploads(world: World, server: Server) -> None:
    admin, bob = await world.user("admin"), await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    channel = await world.channel(admin, team, "docs")
    assert (await admin.post(f"/channels/{channel['id']}/members", {"user_id": bob.user["id"]})).status_code == 201
    fs = server.config.effective.FileSettings
    fs.ExtractContent = False  # files uploaded before extraction was on
    up = await upload(admin, channel["id"], ("minutes.txt", "walrus agenda, café".encode()),
                      ("budget.pdf", pdf_with_text("zebra forecast")),
                      ("plan.docx", docx_with_text("giraffe &amp; milestones", "second page")),
                      ("bundle.zip", zip_of(**{"inner/notes.txt": b"narwhal"})),
                      ("photo.png", png_bytes(4, 4)),
                      ("broken.pdf", b"%PDF-1.4 not really"))
    assert up.status_code == 201, up.text
    infos = up.json()["file_infos"]
    await world.post(admin, channel, "the documents", file_ids=[f["id"] for f in infos])

    async def search(terms: str) -> list[str]:
        r = await bob.post(f"/teams/{team['id']}/files/search", {"terms": terms})
        assert r.status_code == 200, r.text
        body = r.json()
        assert all("content" not in f for f in body["file_infos"].values())  # the text stays on the server
        return sorted(body["file_infos"][i]["name"] for i in body["order"])

    assert await search("walrus") == [] and await search("zebra") == []

    # only a system admin runs jobs; a bad range is the job's error, as Mattermost's worker reports it
    assert_error(await bob.post("/jobs", {"type": "extract_content", "data": {}}), 403)
    r = await admin.post("/jobs", {"type": "extract_content", "data": {"from": "yesterday"}})
    assert r.status_code == 201, r.text
    bad = await finished(admin, r.json()["id"])
    assert bad["status"] == "error" and "invalid syntax" in bad["data"]["error"]
    # a window after the files: nothing to do
    later = str(int(time.time()) + 3600)
    r = await admin.post("/jobs", {"type": "extract_content", "data": {"from": later}})
    done = await finished(admin, r.json()["id"])
    assert done["status"] == "success" and done["data"]["processed"] == "0" and done["data"]["errors"] == "0"

    r = await admin.post("/jobs", {"type": "extract_content", "data": {"from": "0", "to": later}})
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["type"] == "extract_content" and job["status"] == "pending"
    done = await finished(admin, job["id"])
    assert done["status"] == "success" and done["progress"] == 100, done
    # the picture is skipped; the damaged PDF counts as an error
    assert done["data"]["processed"] == "5" and done["data"]["errors"] == "1", done
    assert job["id"] in [j["id"] for j in (await admin.get("/jobs/type/extract_content")).json()]
    assert await search("walrus") == ["minutes.txt"]
    assert await search("café") == ["minutes.txt"]
    assert await search("zebra") == ["budget.pdf"]
    assert await search("giraffe") == ["plan.docx"]
    assert await search("milestones -giraffe") == []
    assert await search("inner") == ["bundle.zip"]  # an archive lists its files
    assert await search("narwhal") == []  # their text only with ArchiveRecursion

    # with ExtractContent on (the default), a new upload is searchable once its text is extracted
    fs.ExtractContent = True
    fs.ArchiveRecursion = True
    up = await upload(admin, channel["id"], ("later.txt", b"okapi sighting"),
                      ("more.zip", zip_of(**{"deep/notes.txt": b"axolotl"})))
    await server.app.extractor.drain()
    await world.post(admin, channel, "more", file_ids=[f["id"] for f in up.json()["file_infos"]])
    assert await search("okapi") == ["later.txt"]
    assert await search("axolotl") == ["more.zip"]
