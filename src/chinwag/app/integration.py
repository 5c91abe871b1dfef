"""What webhooks, slash commands and bots share: posting as an integration (Mattermost's
CreateWebhookPost), Slack text processing, the outbound HTTP client that refuses internal addresses,
and background tasks that run off the request path."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.model import permissions as P
from chinwag.model import slack
from chinwag.model.channel import Channel
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.integration import DEFAULT_WEBHOOK_USERNAME
from chinwag.model.post import POST_MESSAGE_MAX_RUNES, POST_TYPE_SLACK_ATTACHMENT, Post, PostCreate
from chinwag.model.user import Session

if TYPE_CHECKING:
    from chinwag.app.app import App

log = structlog.get_logger("chinwag.integrations")

#: integrations' answers are read up to this size (Mattermost: 1 MiB)
MAX_RESPONSE_BYTES = 1024 * 1024


class OutboundRefused(Exception):
    """The URL points at an address integrations may not reach."""


def user_ctx(session_user_id: str, roles: str, *, trusted: bool = False) -> Ctx:
    """A context acting as ``session_user_id`` (``trusted``: skip permission checks, as Mattermost
    does for posts an integration makes on its creator's behalf)."""
    session = Session(id="", token="", create_at=0, expires_at=0, last_activity_at=0, user_id=session_user_id,
                      roles=roles)
    return Ctx(session=session, local=trusted)


class OutboundHttp:
    """HTTP to integrations: no redirects, bounded answers, and internal addresses (loopback, private,
    link-local, …) refused unless ServiceSettings.AllowedUntrustedInternalConnections lists them.
    The address checked is the address connected to (no DNS rebinding between check and use)."""

    def __init__(self, core: AppCore) -> None:
        self.core = core
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        return self._client

    def _allowed(self) -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
        raw = self.core.cfg.ServiceSettings.AllowedUntrustedInternalConnections
        names: set[str] = set()
        nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in raw.replace(",", " ").split():
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                names.add(item.lower().rstrip("."))
        return names, nets

    async def resolve(self, url: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        """The URL to connect to (host replaced by a checked address), Host header and extensions."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundRefused(f"not an http(s) URL: {url}")
        host = parts.hostname.lower().rstrip(".")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        names, nets = self._allowed()
        try:
            ips = [ipaddress.ip_address(host)]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as e:
                raise OutboundRefused(f"cannot resolve {host}: {e}") from None
            ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not ips:
            raise OutboundRefused(f"cannot resolve {host}")
        ip = next((a for a in ips if a.is_global), ips[0]) if host not in names else ips[0]
        if not ip.is_global and host not in names and not any(ip in n for n in nets):
            raise OutboundRefused(f"address {ip} of {host} is internal and not in "
                                  "ServiceSettings.AllowedUntrustedInternalConnections")
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        if parts.port:
            netloc += f":{parts.port}"
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = parts.netloc.rsplit("@", 1)[-1]
        ext: dict[str, Any] = {"sni_hostname": host} if parts.scheme == "https" else {}
        return httpx.URL(target), {"Host": host_header}, ext

    async def request(self, method: str, url: str, *, content: bytes | None = None,
                      headers: dict[str, str] | None = None
                      ) -> tuple[int, dict[str, str], bytes]:
        target, host, ext = await self.resolve(url)
        t = float(self.core.cfg.ServiceSettings.OutgoingIntegrationRequestsTimeout or 30)
        req = self.client.build_request(method, target, content=content, headers={**(headers or {}), **host},
                                        extensions=ext, timeout=t)
        resp = await self.client.send(req, stream=True)
        try:
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) >= MAX_RESPONSE_BYTES:
                    del body[MAX_RESPONSE_BYTES:]
                    break
        finally:
            await resp.aclose()
        return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, bytes(body)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class IntegrationCore:
    """Posting as an integration, Slack text processing and background tasks."""

    def __init__(self, core: AppCore) -> None:
        self.core = core
        self.http = OutboundHttp(core)
        self._background = BackgroundTasks("integration")

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    # background tasks --------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        self._background.spawn(coro, what)

    async def drain(self) -> None:
        """Wait for running background work (tests and shutdown)."""
        await self._background.drain()

    async def close(self) -> None:
        await self._background.cancel()
        await self.http.close()

    # Slack text --------------------------------------------------------------------------------

    async def process_slack_text(self, text: str) -> str:
        """Mattermost's ProcessSlackText: announcements and ``<@user>`` references."""
        text = slack.expand_announcements(text)
        refs = slack.user_refs(text)
        if not refs:
            return text
        store = self.core.store
        names: dict[str, str] = {}
        for u in await store.users.get_many([r for r in refs if len(r) == 26]):
            names[u.id] = u.username
        for u in await store.users.get_many_by_usernames(sorted(refs)):
            names[u.username] = u.username
        return slack.replace_user_refs(text, names)

    async def process_attachments(self, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for a in attachments:
            for key in ("pretext", "text", "title"):
                if a.get(key):
                    a[key] = await self.process_slack_text(a[key])
            for f in a.get("fields") or []:
                if isinstance(f.get("value"), str):
                    f["value"] = await self.process_slack_text(f["value"])
        return attachments

    # posting as an integration ------------------------------------------------------------------

    async def create_webhook_post(
        self,
        user_id: str,
        channel: Channel,
        text: str,
        *,
        override_username: str = "",
        override_icon_url: str = "",
        override_icon_emoji: str = "",
        props: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        post_type: str = "",
        root_id: str = "",
        priority: dict[str, Any] | None = None,
        where: str = "CreateWebhookPost",
    ) -> list[Post]:
        """Mattermost's CreateWebhookPost: links to Markdown, override props, attachments, and text
        longer than a post split over several posts (attachments on the last). Every piece is checked
        before the first is saved, so a bad payload creates no post."""
        s = self.core.cfg.ServiceSettings
        text = slack.links_to_markdown(text)
        if priority is not None and not priority.get("priority"):
            raise invalid_param(where, "webhook.priority.priority",
                                "Setting the priority of a post is required to use priority.")
        if post_type.startswith("system_"):
            raise invalid_param(where, "post.type")
        if post_type not in ("", POST_TYPE_SLACK_ATTACHMENT) and not post_type.startswith("custom_"):
            raise AppError(where, "model.post.is_valid.type.app_error", "Invalid type.", 400)
        base: dict[str, Any] = {"from_webhook": "true"}
        if s.EnablePostUsernameOverride:
            base["override_username"] = override_username or DEFAULT_WEBHOOK_USERNAME
        if s.EnablePostIconOverride:
            if override_icon_url:
                base["override_icon_url"] = override_icon_url
            if override_icon_emoji:
                base["override_icon_emoji"] = override_icon_emoji
        for key, val in (props or {}).items():
            if key not in ("attachments", "override_icon_url", "override_username", "from_webhook"):
                base[key] = val
        if attachments:
            if not post_type:
                post_type = POST_TYPE_SLACK_ATTACHMENT
            slack.map_attachment_text(attachments, slack.links_to_markdown, ("text", "pretext"))
        pieces = self._split(text, base, attachments or [], where)
        user = await self._app.users.get(user_id, where)
        trusted = user_ctx(user.id, user.roles, trusted=True)
        metadata = {"priority": priority} if priority is not None else None
        sender_name = str(base.get("override_username", ""))
        created: list[Post] = []
        for message, piece_props in pieces:
            data = PostCreate(channel_id=channel.id, message=message, root_id=root_id, props=piece_props,
                              type=post_type, metadata=metadata)
            created.append(await self._app.posts.create(trusted, data, from_webhook=True,
                                                        sender_name=sender_name))
        return created

    def _split(self, text: str, base: dict[str, Any], attachments: list[dict[str, Any]],
               where: str) -> list[tuple[str, dict[str, Any]]]:
        limit = slack.POST_PROPS_MAX_USER_RUNES
        too_big = AppError(where, "web.incoming_webhook.split_props_length.app_error",
                           f"Unable to split webhook props into {limit} character parts.", 400)
        if _json_len(base) > limit:
            raise too_big
        pieces: list[tuple[str, dict[str, Any]]] = [
            (t, dict(base)) for t in slack.split_runes(text, POST_MESSAGE_MAX_RUNES)]
        for attachment in attachments:
            current = dict(attachment)
            while True:
                props = pieces[-1][1]
                existing = list(props.get("attachments") or [])
                candidate = {**props, "attachments": [*existing, current]}
                size = _json_len(candidate)
                if size <= limit:
                    pieces[-1] = (pieces[-1][0], candidate)
                    break
                if existing:
                    pieces.append(("", dict(base)))
                    continue
                excess = size - limit
                body = str(current.get("text") or "")
                if len(body) < excess:
                    raise too_big
                current["text"] = body[: len(body) - excess]
                pieces[-1] = (pieces[-1][0], {**props, "attachments": [current]})
                break
        return pieces

    async def check_can_post(self, user_id: str, channel: Channel, where: str, error_id: str) -> None:
        """Private channels and DMs need the integration's creator to read the channel."""
        if channel.type == "O":
            return
        user = await self._app.users.get(user_id, where)
        ctx = user_ctx(user.id, user.roles)
        if not await self._app.perms.has_channel(ctx, channel.id, P.READ_CHANNEL_CONTENT, channel.team_id):
            raise AppError(where, error_id, "The integration's creator cannot post in this channel.", 403)


def _json_len(value: Any) -> int:
    return len(msgspec.json.encode(value).decode())
