"""What a file is, from its bytes: content-type sniffing, safe names, inline-or-attachment.

The content type is decided from the first bytes (signatures of common formats, then a text/binary
test), never from what the client claims. The file name's extension only refines a type the bytes
cannot tell apart (text/csv vs text/plain, a zip-based document vs a zip) and can never turn a file
into one a browser would show inline: only the byte signatures can produce those types.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

SNIFF_LEN = 512
MAX_NAME_LEN = 255

#: Types served inline (when ``?download`` is not set); everything else is an attachment.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/webp",
        "image/tiff",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "video/mpeg",
        "video/quicktime",
        "video/x-msvideo",
        "audio/mpeg",
        "audio/wav",
        "audio/ogg",
        "audio/flac",
        "audio/mp4",
    }
)

#: Raster image types thumbnails and previews are made for.
PREVIEWABLE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp", "image/tiff"})

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"\x00\x00\x01\x00", 0, "image/x-icon"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"PK\x05\x06", 0, "application/zip"),
    (b"\x1f\x8b\x08", 0, "application/gzip"),
    (b"BZh", 0, "application/x-bzip2"),
    (b"\xfd7zXZ\x00", 0, "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", 0, "application/vnd.rar"),
    (b"ustar", 257, "application/x-tar"),
    (b"ID3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS\x00", 0, "application/ogg"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"\x7fELF", 0, "application/x-executable"),
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x00asm", 0, "application/wasm"),
    (b"wOFF", 0, "font/woff"),
    (b"wOF2", 0, "font/woff2"),
]

# Extensions that refine a container type the bytes show (zip-based documents, OLE documents).
_ZIP_DOCUMENTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "jar": "application/java-archive",
    "apk": "application/vnd.android.package-archive",
    "epub": "application/epub+zip",
}
_OLE_DOCUMENTS = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
                  "ppt": "application/vnd.ms-powerpoint", "msg": "application/vnd.ms-outlook"}

_MARKUP = [
    (re.compile(rb"^\s*<svg[\s>]", re.I), "image/svg+xml"),
    (re.compile(rb"^\s*<\?xml[^>]*>\s*(<!--.*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]", re.I | re.S),
     "image/svg+xml"),
    (re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<script|<iframe|<h1|<div|<table|<a |<title|"
                rb"<style|<p[\s>]|<br|<b[\s>]|<font|<!--)", re.I), "text/html"),
    (re.compile(rb"^\s*<\?xml", re.I), "text/xml"),
]


def _confirm(mime: str, head: bytes) -> bool:
    """Second checks for short signatures that plain text can start with."""
    if mime == "image/bmp":
        return len(head) >= 18 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)
    if mime == "application/x-msdownload":
        return _looks_binary(head)
    if mime == "audio/mpeg":
        return len(head) >= 4 and head[3] in (2, 3, 4)
    if mime == "application/x-bzip2":
        return len(head) >= 4 and 0x31 <= head[3] <= 0x39
    return True


def _riff(head: bytes) -> str:
    if len(head) >= 12 and head[:4] == b"RIFF":
        kind = head[8:12]
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(kind, "")
    return ""


def _iso_media(head: bytes) -> str:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"qt  ",):
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        return "video/mp4"
    return ""


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    return any(b in head for b in (b"\x00",)) or sum(
        1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27)
    ) > len(head) // 20


def extension_of(name: str) -> str:
    """Lower-case extension without the dot (Mattermost's FileInfo.Extension)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem and ext else ""


def sniff(head: bytes, name: str = "") -> str:
    """The content type of a file from its first bytes (and, to refine, its extension)."""
    ext = extension_of(name)
    for sig, offset, mime in _SIGNATURES:
        if head[offset:offset + len(sig)] == sig and _confirm(mime, head):
            if mime == "application/zip" and ext in _ZIP_DOCUMENTS:
                return _ZIP_DOCUMENTS[ext]
            if mime == "application/x-ole-storage" and ext in _OLE_DOCUMENTS:
                return _OLE_DOCUMENTS[ext]
            if mime == "application/ogg":
                return "audio/ogg" if ext in ("oga", "ogg", "opus") else "video/ogg"
            return mime
    special = _riff(head) or _iso_media(head)
    if special:
        return special
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and ext in ("mp3", "mpga"):
        return "audio/mpeg"
    if _looks_binary(head):
        return "application/octet-stream"
    for pattern, mime in _MARKUP:
        if pattern.match(head):
            return mime
    by_ext = mimetypes.types_map.get("." + ext, "") if ext else ""
    if by_ext and (by_ext.startswith("text/") or by_ext in ("application/json", "application/xml",
                                                            "application/javascript", "image/svg+xml")):
        return by_ext
    return "text/plain"


def is_inline_safe(mime: str) -> bool:
    return mime in INLINE_TYPES


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sanitize_name(raw: str) -> str:
    """A file name that cannot leave its folder: the last path segment, no control characters,
    not ``.``/``..``, at most 255 characters (the extension kept). ``""`` if nothing usable is left."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()
    name = name.lstrip(".") if set(name) == {"."} else name
    if name in ("", ".", ".."):
        return ""
    if len(name) > MAX_NAME_LEN:
        ext = extension_of(name)
        keep = MAX_NAME_LEN - (len(ext) + 1 if ext and len(ext) < 32 else 0)
        name = name[:keep] + ("." + ext if ext and len(ext) < 32 else "")
    return name


def content_disposition(name: str, inline: bool) -> str:
    """``inline``/``attachment`` with an ASCII fallback name and the RFC 5987 UTF-8 name."""
    from urllib.parse import quote

    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name) or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
