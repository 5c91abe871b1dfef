"""The text of an uploaded file, for file search (Mattermost's ``docextractor``, used when
``FileSettings.ExtractContent`` is on and by the ``extract_content`` job): plain text and source files,
PDF (pypdf), the Office Open XML and OpenDocument formats (their XML parts, read from the zip), HTML with
its tags removed, and — with ``FileSettings.ArchiveRecursion`` — the files inside a zip archive. Images,
audio and video have no text (the job skips them by extension, as Mattermost's does).

Pure functions, run in a thread; every size is bounded (a zip bomb stops at the caps)."""

from __future__ import annotations

import html
import io
import re
import zipfile

#: at most this many characters of text are kept per file
MAX_CONTENT = 1_000_000
#: an archive member or an XML part is read up to this many bytes (uncompressed)
MAX_PART = 32 * 1024 * 1024
#: at most this many members of an archive, and archives this deep inside archives
MAX_MEMBERS = 1000
MAX_DEPTH = 3

#: the extract_content job's ignored extensions (Mattermost's list): media files have no text
IGNORED_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "wmv", "mpg", "mpeg", "mp3", "mp4", "ogg", "ogv",
                                "mov", "apk", "svg", "webm", "mkv"})

TEXT_EXTENSIONS = frozenset({
    "txt", "text", "md", "markdown", "rst", "csv", "tsv", "json", "xml", "yaml", "yml", "toml", "ini", "cfg",
    "conf", "log", "properties", "env", "sql", "py", "go", "js", "mjs", "ts", "tsx", "jsx", "java", "kt", "scala",
    "c", "h", "cc", "cpp", "hpp", "cs", "rs", "rb", "php", "pl", "sh", "bash", "zsh", "ps1", "bat", "swift", "m",
    "r", "lua", "dart", "hs", "ex", "exs", "erl", "clj", "css", "scss", "less", "tex", "vue", "diff", "patch",
    "gradle", "tf", "proto", "graphql", "dockerfile", "makefile", "mk", "vtt", "srt", "ics", "vcf",
})
HTML_EXTENSIONS = frozenset({"html", "htm", "xhtml"})

#: the XML parts that hold the text of each office format (a name, or a prefix ending in "/")
_OFFICE_PARTS: dict[str, tuple[str, ...]] = {
    "docx": ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml"),
    "docm": ("word/document.xml",),
    "pptx": ("ppt/slides/slide", "ppt/notesSlides/notesSlide"),
    "xlsx": ("xl/sharedStrings.xml", "xl/worksheets/sheet"),
    "odt": ("content.xml",),
    "odp": ("content.xml",),
    "ods": ("content.xml",),
}
_ARCHIVES = frozenset({"zip"})
#: the ends of paragraphs, table cells and slides' text boxes in those XML formats
_BREAKS = re.compile(r"</(?:w:p|a:p|text:p|text:h|si|c|table:table-cell)>|<(?:w:br|w:tab|text:line-break|text:tab)\b[^>]*/?>")
_TAGS = re.compile(r"<[^>]+>")
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def _tidy(text: str) -> str:
    text = _LINES.sub("\n", _SPACES.sub(" ", text.replace("\x00", "")))
    return text.strip()[:MAX_CONTENT]


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:MAX_PART]).best()
    return str(best) if best is not None else data.decode("utf-8", "replace")


def _xml_text(xml: bytes) -> str:
    text = _BREAKS.sub("\n", xml.decode("utf-8", "replace"))
    return html.unescape(_TAGS.sub("", text))


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with z.open(info) as f:
        return f.read(MAX_PART)


def _office(data: bytes, ext: str) -> str:
    parts = _OFFICE_PARTS[ext]
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = sorted((i for i in z.infolist() if i.filename.endswith(".xml")), key=lambda i: _natural(i.filename))
        for info in members:
            if any(info.filename == p or (not p.endswith(".xml") and info.filename.startswith(p)) for p in parts):
                out.append(_xml_text(_read(z, info)))
    return "\n".join(out)


def _natural(name: str) -> list[int | str]:
    """slide2.xml before slide10.xml."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    out: list[str] = []
    size = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        out.append(text)
        size += len(text)
        if size >= MAX_CONTENT:
            break
    return "\n".join(out)


def _archive(data: bytes, recursion: bool, depth: int) -> str:
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist()[:MAX_MEMBERS]:
            if info.is_dir():
                continue
            out.append(info.filename)
            if recursion and depth < MAX_DEPTH and info.file_size <= MAX_PART:
                name = info.filename.rsplit("/", 1)[-1]
                try:
                    out.append(_extract(name, _read(z, info), "", recursion, depth + 1))
                except Exception:  # one bad member does not lose the others
                    continue
    return "\n".join(p for p in out if p)


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].lower()
    return base.rsplit(".", 1)[-1] if "." in base else base


def _extract(name: str, data: bytes, mime: str, recursion: bool, depth: int) -> str:
    ext = extension(name)
    if ext in IGNORED_EXTENSIONS or mime.startswith(("image/", "audio/", "video/")):
        return ""
    if ext == "pdf" or mime == "application/pdf":
        return _pdf(data)
    if ext in _OFFICE_PARTS:
        return _office(data, ext)
    if ext in _ARCHIVES:
        return _archive(data, recursion, depth)
    if ext in HTML_EXTENSIONS or mime == "text/html":
        return html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", _decode(data))))
    if ext in TEXT_EXTENSIONS or mime.startswith("text/") or mime in ("application/json", "application/xml"):
        return _decode(data)
    return ""


def extract_text(name: str, data: bytes, mime: str = "", archive_recursion: bool = False) -> str:
    """The searchable text of a file named ``name`` (its type from the extension, else ``mime``); ""
    for a type without text. Raises on a damaged file of a known type."""
    return _tidy(_extract(name, data, mime, archive_recursion, 0))
