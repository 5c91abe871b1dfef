"""AWS credentials for the S3 file store: the standard credential chain, with refresh before expiry.

When ``FileSettings.AmazonS3AccessKeyId`` is empty (as in Mattermost, whose S3 store then asks the
instance's IAM role), the credentials come from the first of these that has them — the order of the
AWS SDKs:

1. **Environment**: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``.
2. **Web identity** (Kubernetes IRSA, EKS pod identity webhooks): ``AWS_WEB_IDENTITY_TOKEN_FILE`` and
   ``AWS_ROLE_ARN`` (``AWS_ROLE_SESSION_NAME`` optional): the token file is read on every refresh
   (Kubernetes rotates it) and exchanged with STS ``AssumeRoleWithWebIdentity`` (an unsigned call) at
   ``AWS_ENDPOINT_URL_STS`` / ``AWS_ENDPOINT_URL``, else ``https://sts.<AWS_REGION>.amazonaws.com``.
3. **Shared files**: the profile ``AWS_PROFILE`` (default ``default``) in ``AWS_SHARED_CREDENTIALS_FILE``
   (default ``~/.aws/credentials``), then in ``AWS_CONFIG_FILE`` (default ``~/.aws/config``, section
   ``[profile NAME]``): ``aws_access_key_id``, ``aws_secret_access_key``, ``aws_session_token``.
4. **Container** (ECS tasks, EKS pod identity): ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (on
   ``http://169.254.170.2``) or ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (https, or http to a loopback
   or the ECS/EKS agent address), with ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` or
   ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` sent as ``Authorization``.
5. **EC2 instance metadata**, IMDSv2 only (a session token from ``PUT /latest/api/token``, then the
   instance role's credentials), at ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` (default
   ``http://169.254.169.254``); ``AWS_EC2_METADATA_DISABLED=true`` skips it.

None of them: requests go unsigned (a public bucket, a MinIO without auth), as before; the chain is
asked again after ``RETRY_EMPTY_S`` seconds. Temporary credentials (2, 4, 5) are fetched again
``REFRESH_MARGIN_S`` seconds before they expire; when that fails the old ones are used until they
expire, then requests fail with a clear error until a refresh works."""

from __future__ import annotations

import asyncio
import configparser
import ipaddress
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

import httpx
import structlog

from chinwag.filestore.base import FileBackendError

log = structlog.get_logger("chinwag.filestore.credentials")

#: temporary credentials are renewed this long before they expire
REFRESH_MARGIN_S = 5 * 60
#: with no credentials anywhere, look again after this long
RETRY_EMPTY_S = 5 * 60
#: instance metadata and container endpoints answer locally; the SDKs wait one second
METADATA_TIMEOUT_S = 1.0
IMDS_TOKEN_TTL_S = 21600
ECS_HOST = "http://169.254.170.2"
#: hosts a plain-http AWS_CONTAINER_CREDENTIALS_FULL_URI may name (the SDKs' rule)
_CONTAINER_HTTP_HOSTS = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"}


class CredentialsError(FileBackendError):
    pass


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    session_token: str = ""
    #: epoch seconds; None for long-term keys
    expires_at: float | None = None
    #: where they came from (config, environment, web-identity, shared-file, container, instance-metadata)
    source: str = ""


def _parse_time(value: str) -> float:
    """ISO 8601 as AWS writes it (``2026-12-06T13:00:00Z``) → epoch seconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _from_json(data: Mapping[str, object], source: str) -> Credentials:
    """The JSON document of the container and instance metadata endpoints."""
    try:
        expiration = str(data.get("Expiration") or "")
        return Credentials(str(data["AccessKeyId"]), str(data["SecretAccessKey"]), str(data.get("Token") or ""),
                           _parse_time(expiration) if expiration else None, source)
    except (KeyError, ValueError) as e:
        raise CredentialsError(f"{source}: unexpected credentials document ({e})") from e


def _read_token(path: str, setting: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise CredentialsError(f"{setting}: {e}") from e


# the providers: each returns Credentials, None when it does not apply, or raises when it applies and fails


def from_environment(env: Mapping[str, str]) -> Credentials | None:
    key, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if not (key and secret):
        return None
    return Credentials(key, secret, env.get("AWS_SESSION_TOKEN", ""), None, "environment")


def from_shared_files(env: Mapping[str, str]) -> Credentials | None:
    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    home = env.get("HOME") or os.path.expanduser("~")
    files = [(env.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials"), profile),
             (env.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config"),
              profile if profile == "default" else f"profile {profile}")]
    for path, section in files:
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(os.path.expanduser(path)):
                continue
        except configparser.Error as e:
            raise CredentialsError(f"{path}: {e}") from e
        if parser.has_section(section):
            s = parser[section]
            key, secret = s.get("aws_access_key_id", ""), s.get("aws_secret_access_key", "")
            if key and secret:
                return Credentials(key, secret, s.get("aws_session_token", ""), None, "shared-file")
    return None


async def from_web_identity(env: Mapping[str, str], http: httpx.AsyncClient) -> Credentials | None:
    token_file, role = env.get("AWS_WEB_IDENTITY_TOKEN_FILE", ""), env.get("AWS_ROLE_ARN", "")
    if not (token_file and role):
        return None
    token = await asyncio.to_thread(_read_token, token_file, "AWS_WEB_IDENTITY_TOKEN_FILE")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
    endpoint = (env.get("AWS_ENDPOINT_URL_STS") or env.get("AWS_ENDPOINT_URL")
                or (f"https://sts.{region}.amazonaws.com" if region else "https://sts.amazonaws.com"))
    params = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role,
              "RoleSessionName": env.get("AWS_ROLE_SESSION_NAME") or f"chinwag-{int(time.time())}",
              "WebIdentityToken": token}
    try:
        resp = await http.post(endpoint, data=params, timeout=10.0)
    except httpx.HTTPError as e:
        raise CredentialsError(f"web identity: cannot reach STS at {endpoint}: {e}") from e
    try:
        root = ET.fromstring(resp.content)
    except ET.ParseError as e:
        raise CredentialsError(f"web identity: STS answered {resp.status_code} with no XML") from e
    found = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in root.iter()}
    if resp.status_code != 200 or "AccessKeyId" not in found:
        raise CredentialsError(f"web identity: STS answered {resp.status_code}: "
                               f"{found.get('Code', '')} {found.get('Message', '')}".strip())
    return Credentials(found["AccessKeyId"], found.get("SecretAccessKey", ""), found.get("SessionToken", ""),
                       _parse_time(found["Expiration"]) if found.get("Expiration") else None, "web-identity")


def _container_url_allowed(url: str) -> bool:
    u = urlparse(url)
    if u.scheme == "https":
        return True
    if u.scheme != "http" or not u.hostname:
        return False
    if u.hostname in _CONTAINER_HTTP_HOSTS:
        return True
    try:
        return ipaddress.ip_address(u.hostname).is_loopback
    except ValueError:
        return False


async def from_container(env: Mapping[str, str], http: httpx.AsyncClient) -> Credentials | None:
    relative, full = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""), env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
    if relative:
        url = ECS_HOST + relative
    elif full:
        if not _container_url_allowed(full):
            raise CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback "
                                   "address or the ECS/EKS agent")
        url = full
    else:
        return None
    headers = {}
    token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
    token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "")
    if token_file:
        token = await asyncio.to_thread(_read_token, token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token:
        headers["Authorization"] = token
    try:
        resp = await http.get(url, headers=headers, timeout=METADATA_TIMEOUT_S * 2)
    except httpx.HTTPError as e:
        raise CredentialsError(f"container credentials: cannot reach {url}: {e}") from e
    if resp.status_code != 200:
        raise CredentialsError(f"container credentials: {url} answered {resp.status_code}")
    try:
        return _from_json(resp.json(), "container")
    except ValueError as e:
        raise CredentialsError(f"container credentials: {url} answered no JSON") from e


async def from_instance_metadata(env: Mapping[str, str], http: httpx.AsyncClient) -> Credentials | None:
    if env.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true":
        return None
    base = (env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or "http://169.254.169.254").rstrip("/")
    try:
        t = await http.put(f"{base}/latest/api/token", timeout=METADATA_TIMEOUT_S,
                           headers={"X-aws-ec2-metadata-token-ttl-seconds": str(IMDS_TOKEN_TTL_S)})
    except httpx.HTTPError:
        return None  # not on EC2 (or the metadata service is off): this provider does not apply
    if t.status_code >= 500:
        raise CredentialsError(f"instance metadata: {base} answered {t.status_code}")
    if t.status_code != 200:
        return None  # IMDSv2 refused (IMDSv1-only or a proxy that is not the metadata service)
    headers = {"X-aws-ec2-metadata-token": t.text}
    path = f"{base}/latest/meta-data/iam/security-credentials/"
    try:
        roles = await http.get(path, headers=headers, timeout=METADATA_TIMEOUT_S)
        if roles.status_code == 404:
            return None  # an instance without a role
        role = roles.text.strip().splitlines()[0] if roles.status_code == 200 and roles.text.strip() else ""
        if not role:
            raise CredentialsError(f"instance metadata: no role ({roles.status_code})")
        resp = await http.get(path + role, headers=headers, timeout=METADATA_TIMEOUT_S)
    except httpx.HTTPError as e:
        raise CredentialsError(f"instance metadata: {e}") from e
    if resp.status_code != 200:
        raise CredentialsError(f"instance metadata: role {role!r} answered {resp.status_code}")
    try:
        doc = resp.json()
    except ValueError as e:
        raise CredentialsError("instance metadata: no JSON") from e
    if doc.get("Code", "Success") != "Success":
        raise CredentialsError(f"instance metadata: {doc.get('Code')}: {doc.get('Message', '')}")
    return _from_json(doc, "instance-metadata")


class CredentialChain:
    """The credentials S3 requests are signed with: the configured keys, else the first provider of
    the standard chain that has some, refreshed before they expire. ``get()`` is cheap when nothing
    is due (no I/O, no lock)."""

    def __init__(self, access_key: str = "", secret_key: str = "", *, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.time, http: httpx.AsyncClient | None = None) -> None:
        self.env = os.environ if environ is None else environ
        self.clock = clock
        self._http = http
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._static = Credentials(access_key, secret_key, "", None, "config") if access_key else None
        self._current: Credentials | None = self._static
        #: when to ask the chain again (0: at the first request)
        self._due = float("inf") if self._static else 0.0
        self._lock = asyncio.Lock()

    @property
    def current(self) -> Credentials | None:
        return self._current

    async def get(self) -> Credentials | None:
        """Credentials to sign with now, or None for unsigned requests."""
        if self.clock() < self._due:
            return self._current
        async with self._lock:
            if self.clock() >= self._due:
                await self._refresh()
        return self._current

    async def _refresh(self) -> None:
        now = self.clock()
        try:
            creds = await self._resolve()
            if creds is None and self._current is not None:
                raise CredentialsError(f"{self._current.source}: no longer answers with credentials")
        except CredentialsError as e:
            old = self._current
            if old is not None and old.expires_at is not None and old.expires_at > now:
                log.warning("refreshing S3 credentials failed; using the current ones until they expire",
                            source=old.source, error=str(e), expires_in_s=round(old.expires_at - now))
                self._due = now + min(60.0, max(1.0, (old.expires_at - now) / 2))
                return
            self._current = None
            self._due = now + 10.0  # try again soon; requests fail meanwhile rather than go unsigned
            raise
        if creds is None:
            self._current, self._due = None, now + RETRY_EMPTY_S
            log.info("no AWS credentials found; S3 requests go unsigned")
            return
        if creds.expires_at is None:
            self._due = float("inf")
        else:
            self._due = max(now + 1.0, creds.expires_at - REFRESH_MARGIN_S)
        if self._current is None or self._current.source != creds.source or creds.expires_at is not None:
            log.info("S3 credentials", source=creds.source,
                     expires_in_s=None if creds.expires_at is None else round(creds.expires_at - now))
        self._current = creds

    async def _resolve(self) -> Credentials | None:
        env = self.env
        found = from_environment(env)
        if found is not None:
            return found
        # STS is on the internet (through the proxy settings, if any); the metadata endpoints are
        # link-local and never go through a proxy
        found = await from_web_identity(env, self._client("sts"))
        if found is None:
            found = await asyncio.to_thread(from_shared_files, env)
        if found is None:
            found = await from_container(env, self._client("local"))
        if found is None:
            found = await from_instance_metadata(env, self._client("local"))
        return found

    def _client(self, kind: str) -> httpx.AsyncClient:
        if self._http is not None:
            return self._http
        if kind not in self._clients:
            self._clients[kind] = httpx.AsyncClient(trust_env=kind == "sts")
        return self._clients[kind]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
