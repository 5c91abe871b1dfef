"""Which browser origins may open a WebSocket (Mattermost's OriginChecker): the Site URL, the origins in
ServiceSettings.AllowCorsFrom (``*`` for any), and the server's own host; a request without an Origin
header (a bot, mmctl, the mobile app) is not a browser's cross-site request and passes."""

from __future__ import annotations

from urllib.parse import urlsplit

from chinwag.config.schema import ServiceSettings


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def origin_allowed(origin: str, host: str, settings: ServiceSettings) -> bool:
    if not origin:
        return True
    wanted = _origin(origin)
    if not wanted:
        return False
    allowed = settings.AllowCorsFrom.split()
    if "*" in allowed:
        return True
    if wanted in {_origin(a) for a in allowed} or (settings.SiteURL and wanted == _origin(settings.SiteURL)):
        return True
    # the same host the request was sent to (gorilla's default check): a page the server itself served
    return bool(host) and urlsplit(wanted).netloc == host.lower()
