"""System operations of Mattermost's system.go that are not the System Console's reads: emptying every
node's caches (``/caches/invalidate``), fresh database connections (``/database/recycle``), checking a site URL
(``/site_url/test``), link redirects (``/redirect_location``) and the image proxy (``/image``).

Outbound fetches for users (redirect lookups, proxied images) go through :class:`OutboundHttp`, which refuses
internal addresses; the site URL test is a system admin's and may reach them, as Mattermost's does."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import structlog
from cachetools import TTLCache

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.outbound import OutboundHttp, OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.platform.events import Event

log = structlog.get_logger("chinwag.system")

#: Mattermost's RedirectLocationCacheExpiry (an hour) and its cache size
REDIRECT_TTL = 3600.0
#: Mattermost's RedirectLocationMaximumLength
REDIRECT_MAX_LENGTH = 2100
#: the largest image the local proxy passes on
MAX_PROXIED_IMAGE = 20 * 1024 * 1024
#: what a proxied image may be (never SVG: it would run as a document on this origin)
PROXIED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon",
                 "image/vnd.microsoft.icon", "image/avif", "image/tiff")


@dataclass
class ImageAnswer:
    """Either a redirect (``location``) or the image itself."""

    location: str = ""
    data: bytes = b""
    content_type: str = ""


def _bad_image(detail: str = "") -> AppError:
    return AppError("getImage", "api.image.get.app_error", "Requested image url cannot be parsed.", 400, detail)


class SystemOpsService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms
        self.http = OutboundHttp(core)
        self._redirects: TTLCache[str, str] = TTLCache(maxsize=10000, ttl=REDIRECT_TTL, timer=time.monotonic)

    async def close(self) -> None:
        await self.http.close()

    # caches and connections ------------------------------------------------------------------

    def invalidate_caches(self, ctx: Ctx) -> None:
        """POST /caches/invalidate: every node forgets its cached channels, roles, users, statuses and sessions."""
        self.perms.require_system(ctx, permissions.INVALIDATE_CACHES, "invalidateCaches")
        self.core.publish(Event("_caches_flush"))

    async def recycle_database(self, ctx: Ctx) -> None:
        """POST /database/recycle: idle pooled connections are closed and new ones opened as needed (connections
        in use finish their work first)."""
        self.perms.require_system(ctx, permissions.RECYCLE_DATABASE_CONNECTIONS, "recycleDatabaseConnection")
        await self.core.store.db.recycle()

    # Enterprise Edition upgrade and restart ----------------------------------------------------

    def upgrade_to_enterprise(self, ctx: Ctx, where: str = "upgradeToEnterprise") -> None:
        """``POST /upgrade_to_enterprise`` (and ``GET /upgrade_to_enterprise/allowed``): a Team Edition
        Mattermost downloads the Enterprise binary over itself. chinwag is no Mattermost binary, so after the
        permission the answer is Mattermost's refusal when the upgrader cannot run."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        raise AppError(where, "api.upgrade_to_enterprise.generic_error.app_error",
                       "Mattermost was unable to upgrade to Enterprise Edition.", 403,
                       "chinwag cannot be replaced by a Mattermost Enterprise Edition binary")

    def upgrade_to_enterprise_status(self, ctx: Ctx) -> dict[str, object]:
        """No upgrade ever runs: 0 % and no error."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "upgradeToEnterpriseStatus")
        return {"percentage": 0, "error": None}

    def restart(self, ctx: Ctx) -> None:
        """``POST /restart``: Mattermost restarts only a server that has finished upgrading to Enterprise
        Edition, and answers OK either way. None has here, so nothing restarts; chinwag is restarted by its
        service manager (systemd, Kubernetes)."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "restart")
        log.warning("restart requested through the API: nothing to do (the server has not been upgraded; "
                    "restart chinwag with its service manager)", user_id=ctx.user_id)

    # the site URL ------------------------------------------------------------------------------

    async def test_site_url(self, ctx: Ctx, site_url: str) -> None:
        """POST /site_url/test: the server answers ``{site_url}/api/v4/system/ping`` with 200."""
        where = "testSiteURL"
        self.perms.require_system(ctx, permissions.TEST_SITE_URL, where)
        if not site_url:
            raise invalid_param(where, "site_url")
        failure = AppError(where, "app.admin.test_site_url.failure", "This is not a valid live URL", 400)
        parts = urlsplit(site_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise failure
        try:
            async with httpx.AsyncClient(timeout=10.0, trust_env=False, follow_redirects=True) as client:
                r = await client.get(f"{site_url.rstrip('/')}/api/v4/system/ping")
        except (httpx.HTTPError, ValueError) as e:
            raise AppError(where, "app.admin.test_site_url.failure", "This is not a valid live URL", 400,
                           str(e)) from None
        if r.status_code != 200:
            raise failure

    # links and images ----------------------------------------------------------------------------

    async def redirect_location(self, url: str) -> str:
        """GET /redirect_location: where a (shortened) link points, from a HEAD request that is not followed;
        any failure is an empty location, and answers are kept an hour."""
        if not self.core.cfg.ServiceSettings.EnableLinkPreviews:
            return ""
        if not url:
            raise invalid_param("getRedirectLocation", "url")
        cached = self._redirects.get(url)
        if cached is not None:
            return cached
        location = ""
        try:
            status, headers, _ = await self.http.request("HEAD", url)
            if 300 <= status < 400:
                location = headers.get("location", "")
            if len(location) > REDIRECT_MAX_LENGTH:  # Mattermost treats these as failures (MM-54219)
                location = ""
        except (OutboundRefused, httpx.HTTPError, ValueError):
            location = ""
        self._redirects[url] = location
        return location

    def _image_url(self, url: str) -> tuple[str, bool]:
        """The absolute URL and whether it is on this server (Mattermost fills a missing scheme/host in from
        SiteURL)."""
        try:
            parts = urlsplit(url)
        except ValueError as e:
            raise _bad_image(str(e)) from None
        if not url or (parts.scheme and not parts.netloc and parts.path and not parts.path.startswith("/")):
            raise _bad_image("opaque or empty url")
        site = urlsplit(self.core.cfg.ServiceSettings.SiteURL)
        scheme = parts.scheme or site.scheme or "http"
        netloc = parts.netloc or site.netloc
        if scheme not in ("http", "https") or not netloc:
            raise _bad_image("not an http(s) url")
        full = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
        return full, bool(site.netloc) and netloc == site.netloc

    async def image(self, url: str) -> ImageAnswer:
        """GET /image: images on this server and all images while ImageProxySettings are off are a redirect;
        ``local`` fetches it here (internal addresses refused, images only), ``atmos/camo`` redirects to the
        camo proxy."""
        full, local = self._image_url(url)
        proxy = self.core.cfg.ImageProxySettings
        if local or not proxy.Enable:
            return ImageAnswer(location=full)
        if proxy.ImageProxyType == "atmos/camo":
            digest = hmac.new(proxy.RemoteImageProxyOptions.encode(), full.encode(), hashlib.sha1).hexdigest()
            return ImageAnswer(location=f"{proxy.RemoteImageProxyURL.rstrip('/')}/{digest}/{full.encode().hex()}")
        return await self._fetch_image(full)

    async def _fetch_image(self, url: str) -> ImageAnswer:
        where = "getImage"
        failed = AppError(where, "api.image.get.app_error", "The image could not be fetched.", 502)
        try:
            target, host, ext = await self.http.resolve(url)
        except OutboundRefused as e:
            raise AppError(where, "api.image.get.app_error", "The image address is not allowed.", 403,
                           str(e)) from None
        timeout = float(self.core.cfg.ServiceSettings.OutgoingIntegrationRequestsTimeout or 30)
        req = self.http.client.build_request("GET", target, headers={**host, "Accept": "image/*"}, extensions=ext,
                                             timeout=timeout)
        try:
            resp = await self.http.client.send(req, stream=True)
        except httpx.HTTPError as e:
            failed.detailed_error = str(e)
            raise failed from None
        try:
            mime = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if resp.status_code != 200 or mime not in PROXIED_TYPES:
                failed.detailed_error = f"status {resp.status_code}, type {mime!r}"
                raise failed
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > MAX_PROXIED_IMAGE:
                    failed.detailed_error = "image too large"
                    raise failed
        except httpx.HTTPError as e:
            failed.detailed_error = str(e)
            raise failed from None
        finally:
            await resp.aclose()
        return ImageAnswer(data=bytes(body), content_type=mime)
