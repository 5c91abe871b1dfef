"""Content sniffing, safe names, Content-Disposition and Range parsing."""

from __future__ import annotations

import pytest

from chinwag.app.file_sniff import content_disposition, extension_of, is_inline_safe, sanitize_name, sniff
from chinwag.model.search_query import parse
from chinwag.web.file_response import parse_range
from tests.files_support import jpeg_bytes, png_bytes


@pytest.mark.parametrize(("head", "name", "mime"), [
    (png_bytes(2, 2), "x.txt", "image/png"),
    (jpeg_bytes(2, 2), "x", "image/jpeg"),
    (b"GIF89a\x01\x00", "a.gif", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "image/webp"),
    (b"%PDF-1.7\n", "doc.pdf", "application/pdf"),
    (b"PK\x03\x04" + b"\x00" * 30, "report.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"PK\x03\x04" + b"\x00" * 30, "archive.zip", "application/zip"),
    (b"\x00\x00\x00\x18ftypmp42", "clip.mp4", "video/mp4"),
    (b"<!DOCTYPE html><title>x</title>", "page.txt", "text/html"),
    (b"  <svg xmlns='http://www.w3.org/2000/svg'/>", "a.png", "image/svg+xml"),
    (b"<?xml version='1.0'?><note/>", "a.xml", "text/xml"),
    (b"name,age\nann,3\n", "people.csv", "text/csv"),
    (b"plain words", "notes", "text/plain"),
    (b"BMW and Mercedes", "cars.txt", "text/plain"),  # 'BM' alone is not a bitmap
    (b"\x00\x01\x02\x03binary", "blob.png", "application/octet-stream"),
    (b"", "empty.txt", "text/plain"),
])
def test_sniff(head: bytes, name: str, mime: str) -> None:
    assert sniff(head, name) == mime


def test_only_bytes_make_inline_types() -> None:
    """A name can refine text types but never turn text into an inline media type."""
    assert sniff(b"just text", "photo.jpg") == "text/plain"
    assert sniff(b"just text", "movie.mp4") == "text/plain"
    assert not is_inline_safe("text/html") and not is_inline_safe("image/svg+xml")
    assert is_inline_safe("image/png") and is_inline_safe("video/mp4")


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("/etc/shadow", "shadow"),
    ("C:\\Users\\me\\cv.docx", "cv.docx"),
    ("a\x00b\r\nc.txt", "abc.txt"),
    ("  spaced.txt  ", "spaced.txt"),
    ("..", ""),
    ("...", ""),
    ("dir/", ""),
    (".env", ".env"),
    ("résumé.pdf", "résumé.pdf"),
])
def test_sanitize_name(raw: str, clean: str) -> None:
    assert sanitize_name(raw) == clean


def test_long_names_keep_their_extension() -> None:
    name = sanitize_name("x" * 400 + ".tar.gz")
    assert len(name) == 255 and name.endswith(".gz")
    assert extension_of("Photo.JPG") == "jpg" and extension_of(".bashrc") == "" and extension_of("noext") == ""


def test_content_disposition_quotes_safely() -> None:
    cd = content_disposition('évil"; name=x.html', inline=False)
    assert cd.startswith('attachment; filename="_vil__ name=x.html"; ')
    assert cd.endswith("filename*=UTF-8''%C3%A9vil%22%3B%20name%3Dx.html")
    assert content_disposition("a.png", inline=True).startswith('inline; filename="a.png"')


@pytest.mark.parametrize(("header", "size", "expected"), [
    ("bytes=0-9", 100, (0, 9)),
    ("bytes=90-", 100, (90, 99)),
    ("bytes=-5", 100, (95, 99)),
    ("bytes=-500", 100, (0, 99)),
    ("bytes=50-1000", 100, (50, 99)),
    ("bytes=100-", 100, False),
    ("bytes=-0", 100, False),
    ("bytes=5-1", 100, None),
    ("bytes=0-1,4-5", 100, None),
    ("items=0-1", 100, None),
    ("bytes=0-", 0, False),
])
def test_parse_range(header: str, size: int, expected: object) -> None:
    assert parse_range(header, size) == expected


def test_parse_search_terms_for_files() -> None:
    p = parse('budget "q3 plan" -draft ext:xlsx -ext:.CSV from:@ann in:~finance -in:bob,@carol after:2024-01-31')
    assert [t.text for t in p.terms] == ["budget", "q3 plan"] and [t.text for t in p.excluded] == ["draft"]
    assert (p.extensions, p.excluded_extensions) == (["xlsx"], ["csv"])
    assert (p.from_users, p.in_channels, p.after) == (["ann"], ["finance"], "2024-01-31")
    assert p.excluded_channels == ["bob,@carol"]
