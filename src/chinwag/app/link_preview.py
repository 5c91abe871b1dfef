"""Link previews (Mattermost's OpenGraph support): ``POST /opengraph`` and the ``opengraph`` embed in a
post's ``metadata.embeds`` when ``ServiceSettings.EnableLinkPreviews`` is on.

A page is fetched through the outbound guard (internal addresses refused unless
AllowedUntrustedInternalConnections lists them; each redirect checked again), at most 1 MiB and 5 s, as
Mattermost's ``Mattermost-Bot/1.1``; its ``og:*`` meta tags before ``<body>`` become Mattermost's
OpenGraph object (go-opengraph's JSON). Results are kept per URL and hour in ``linkmetadata``, so a
post's preview is fetched once, when the post is made, and read from there afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx
import structlog

from chinwag.app.core import AppCore
from chinwag.app.outbound import OutboundHttp, OutboundRefused
from chinwag.model.post import Post

log = structlog.get_logger("chinwag.app.link_preview")

TIMEOUT_S = 5.0
MAX_REDIRECTS = 10
HOUR_MS = 3_600_000
TYPE_OPENGRAPH = "opengraph"
TYPE_NONE = "none"
_LINK = re.compile(r"https?://[^\s<>()\[\]`\"']+", re.IGNORECASE)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def first_link(message: str) -> str:
    """The first http(s) link of a message outside code (Mattermost embeds the first link only)."""
    m = _LINK.search(_CODE.sub(" ", message))
    return m.group(0).rstrip(".,;:!?*_~") if m else ""


def link_hash(url: str, timestamp: int) -> int:
    digest = hashlib.sha1(f"{url}-{timestamp}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def _empty_og() -> dict[str, Any]:
    return {"type": "", "url": "", "title": "", "description": "", "determiner": "", "site_name": "",
            "locale": "", "locales_alternate": None, "images": None, "audios": None, "videos": None}


class _OpenGraphParser(HTMLParser):
    """go-opengraph's ProcessHTML: ``og:*`` meta tags until ``<body>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og = _empty_og()
        self.done = False

    def _media(self, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.og[kind] if self.og[kind] is not None else []
        self.og[kind] = items
        return items

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
            return
        if tag != "meta":
            return
        a = {k: v or "" for k, v in attrs}
        prop = (a.get("property") or a.get("name") or "").strip().lower()
        if not prop.startswith("og:"):
            return
        self._meta(prop[3:], a.get("content", "").strip())

    handle_startendtag = handle_starttag

    def _meta(self, key: str, value: str) -> None:
        og = self.og
        simple = {"type": "type", "url": "url", "title": "title", "description": "description",
                  "determiner": "determiner", "site_name": "site_name", "locale": "locale"}
        if key in simple:
            og[simple[key]] = value
            return
        if key == "locale:alternate":
            og["locales_alternate"] = [*(og["locales_alternate"] or []), value]
            return
        base, _, attr = key.partition(":")
        kinds = {"image": "images", "audio": "audios", "video": "videos"}
        if base not in kinds:
            return
        items = self._media(kinds[base])
        if attr in ("", "url"):
            item: dict[str, Any] = {"url": value, "secure_url": "", "type": ""}
            if base in ("image", "video"):
                item.update(width=0, height=0)
            items.append(item)
            return
        if not items:
            return
        if attr in ("secure_url", "type"):
            items[-1][attr] = value
        elif attr in ("width", "height") and base in ("image", "video"):
            items[-1][attr] = int(value) if value.isdigit() else 0


def parse_opengraph(html: str, url: str) -> dict[str, Any]:
    p = _OpenGraphParser()
    try:
        p.feed(html)
    except Exception:  # a broken page: what was read so far
        pass
    og = p.og
    for kind in ("images", "audios", "videos"):
        for item in og[kind] or []:
            for key in ("url", "secure_url"):
                if item.get(key):
                    item[key] = urljoin(url, item[key])
    if og["url"]:
        og["url"] = url  # the link the user posted, not where the page says it lives
    return og


def _image_dimensions(og: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``metadata.images`` entries (Mattermost's PostImage) for preview images whose page gives their size,
    which the web app needs to lay the preview out; images are not downloaded to measure them."""
    out: dict[str, dict[str, Any]] = {}
    for img in og.get("images") or []:
        url = img.get("secure_url") or img.get("url")
        if url and img.get("width") and img.get("height"):
            kind = str(img.get("type") or "").removeprefix("image/")
            if not kind:
                kind = url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else ""
            out[url] = {"width": img["width"], "height": img["height"], "format": kind, "frame_count": 0}
    return out


class LinkPreviewService:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        self.http = OutboundHttp(core)
        #: url → where it redirects ("" when it does not, or could not be asked), an hour

    def enabled(self) -> bool:
        return self.core.cfg.ServiceSettings.EnableLinkPreviews

    async def close(self) -> None:
        await self.http.close()

    async def _fetch(self, url: str) -> dict[str, Any] | None:
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = await self.http.request(
                "GET", target, headers={"User-Agent": "Mattermost-Bot/1.1", "Accept": "text/html, */*"})
            if status in (301, 302, 303, 307, 308) and headers.get("location"):
                target = urljoin(target, headers["location"])
                continue
            if status != 200:
                return None
            ctype = headers.get("content-type", "").lower()
            if not ctype.startswith(("text/html", "application/xhtml+xml")):
                return None
            charset = "utf-8"
            m = re.search(r"charset=([\w-]+)", ctype)
            if m:
                charset = m.group(1)
            try:
                text = body.decode(charset, "replace")
            except LookupError:
                text = body.decode("utf-8", "replace")
            return parse_opengraph(text, url)
        return None

    async def fetch(self, url: str) -> tuple[dict[str, Any] | None, bool]:
        """(the page's OpenGraph object or None, whether that answer is worth keeping): a page that is
        not HTML is kept as "no preview"; a refused or failed fetch is not kept, so a later post tries again."""
        try:
            return await asyncio.wait_for(self._fetch(url), TIMEOUT_S), True
        except (OutboundRefused, httpx.HTTPError, TimeoutError, ValueError) as e:
            log.info("link preview not fetched", url=url, error=str(e) or repr(e))
            return None, False

    async def opengraph(self, url: str, timestamp: int, *, fetch: bool = True) -> dict[str, Any] | None:
        """The preview of ``url`` for the hour of ``timestamp``: stored, else fetched and stored."""
        hour = timestamp - timestamp % HOUR_MS
        key = link_hash(url, hour)
        store = self.core.store.link_metadata
        found = await store.get_many([key])
        if key in found:
            kind, data = found[key]
            return json.loads(data) if kind == TYPE_OPENGRAPH and data else None
        if not fetch:
            return None
        og, keep = await self.fetch(url)
        if keep:
            await store.save(key, url, hour, TYPE_OPENGRAPH if og is not None else TYPE_NONE,
                             json.dumps(og) if og is not None else "")
        return og

    async def add_embeds(self, posts: list[Post], *, fetch: bool = False) -> None:
        """``metadata.embeds`` for posts whose first link has a preview (fetched only when ``fetch``:
        a new post)."""
        if not self.enabled():
            return
        wanted: dict[int, list[tuple[Post, str]]] = {}
        for p in posts:
            if p.delete_at or p.type.startswith("system_") or p.props.get("attachments"):
                continue
            url = first_link(p.message)
            if url:
                hour = p.create_at - p.create_at % HOUR_MS
                wanted.setdefault(link_hash(url, hour), []).append((p, url))
        if not wanted:
            return
        found = await self.core.store.link_metadata.get_many(list(wanted))
        for key, items in wanted.items():
            og: dict[str, Any] | None = None
            if key in found:
                kind, data = found[key]
                og = json.loads(data) if kind == TYPE_OPENGRAPH and data else None
            elif fetch:
                og = await self.opengraph(items[0][1], items[0][0].create_at)
            if og is None:
                continue
            images = _image_dimensions(og)
            for p, url in items:
                meta = {**p.metadata, "embeds": [{"type": TYPE_OPENGRAPH, "url": url, "data": og}]}
                if images:
                    meta["images"] = {**(meta.get("images") or {}), **images}
                p.metadata = meta
