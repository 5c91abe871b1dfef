"""Outbound HTTP to addresses users choose (integrations, link previews): internal addresses refused
unless ServiceSettings.AllowedUntrustedInternalConnections lists them, the checked address pinned."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from chinwag.app.core import AppCore

#: integrations' answers are read up to this size (Mattermost: 1 MiB)
MAX_RESPONSE_BYTES = 1024 * 1024


class OutboundRefused(Exception):
    """The URL points at an address integrations may not reach."""


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
                      headers: dict[str, str] | None = None, limit: int = MAX_RESPONSE_BYTES
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
                if len(body) >= limit:
                    del body[limit:]
                    break
        finally:
            await resp.aclose()
        return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, bytes(body)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
