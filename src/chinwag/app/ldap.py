"""LDAP / Active Directory: sign-in with the directory's password, accounts created and kept in step
with the directory (profile fields; system admin by AdminFilter, guest by GuestFilter, re-checked on each
sign-in and sync), and users gone from the directory (or no longer matching UserFilter) deactivated by the
sync. ldap3 is synchronous: calls run in a thread."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ldap3
import msgspec
import structlog
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from chinwag.app.audit import audit
from chinwag.app.config import config_file_path
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.oauth_providers import clean_username
from chinwag.app.session import SessionService
from chinwag.app.user import UserService
from chinwag.config.schema import LdapSettings
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.user import User, UserCreate
from chinwag.store.errors import NotFound, StoreError

log = structlog.get_logger("chinwag.ldap")

SERVICE_LDAP = "ldap"
JOB_LDAP_SYNC = "ldap_sync"


@dataclass
class LdapUser:
    dn: str
    id: str
    username: str
    email: str
    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    position: str = ""
    is_admin: bool = False
    is_guest: bool = False


@dataclass
class SyncResult:
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    seen: int = 0


def ldap_error(detail: str, where: str = "LdapLogin") -> AppError:
    return AppError(where, "ent.ldap.do_login.unable_to_connect.app_error",
                    "Unable to connect to the AD/LDAP server.", 500, detail)


def _first(attrs: dict[str, Any], attr: str) -> str:
    if not attr:
        return ""
    values = attrs.get(attr)
    if isinstance(values, list):
        values = values[0] if values else ""
    if values is None:
        return ""
    return values.decode() if isinstance(values, bytes) else str(values)


def _entries(response: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(r["dn"], dict(r.get("attributes") or {})) for r in response or [] if r.get("type") == "searchResEntry"]


class _Directory:
    """One LDAP connection's worth of work, synchronous (run in a thread)."""

    def __init__(self, s: LdapSettings, guests: bool = False, files: Callable[[str], str] = str) -> None:
        self.s = s
        self.guests = guests  # GuestAccountsSettings.Enable: GuestFilter applies
        self.files = files  # a setting's file name → the path to read

    def _server(self) -> ldap3.Server:
        tls = None
        if self.s.ConnectionSecurity in ("TLS", "STARTTLS"):
            # a client certificate when both halves are configured (Mattermost's LdapSettings.PublicCertificateFile
            # and PrivateKeyFile)
            cert = self.files(self.s.PublicCertificateFile) if self.s.PublicCertificateFile else None
            key = self.files(self.s.PrivateKeyFile) if self.s.PrivateKeyFile else None
            tls = ldap3.Tls(validate=ssl.CERT_NONE if self.s.SkipCertificateVerification else ssl.CERT_REQUIRED,
                            local_certificate_file=cert if cert and key else None,
                            local_private_key_file=key if cert and key else None)
        return ldap3.Server(self.s.LdapServer, port=self.s.LdapPort, use_ssl=self.s.ConnectionSecurity == "TLS",
                            tls=tls, get_info=ldap3.NONE, connect_timeout=10)

    def bind(self, dn: str, password: str) -> ldap3.Connection:
        conn = ldap3.Connection(self._server(), user=dn or None, password=password or None,
                                receive_timeout=self.s.QueryTimeout, raise_exceptions=False)
        conn.open()
        if self.s.ConnectionSecurity == "STARTTLS" and not conn.start_tls():
            raise ldap_error(f"STARTTLS failed: {conn.result}")
        if not conn.bind():
            conn.unbind()
            raise PermissionError(str(conn.result.get("description") if conn.result else "bind failed"))
        return conn

    def service(self) -> ldap3.Connection:
        try:
            return self.bind(self.s.BindUsername, self.s.BindPassword)
        except PermissionError as e:
            raise ldap_error(f"the bind user was refused: {e}") from None

    def _attrs(self) -> list[str]:
        s = self.s
        names = [s.IdAttribute, s.LoginIdAttribute, s.UsernameAttribute, s.EmailAttribute, s.FirstNameAttribute,
                 s.LastNameAttribute, s.NicknameAttribute, s.PositionAttribute]
        return sorted({n for n in names if n})

    def _filter(self, condition: str) -> str:
        user_filter = self.s.UserFilter.strip()
        return f"(&{condition}{user_filter})" if user_filter else condition

    def _user(self, conn: ldap3.Connection, dn: str, attrs: dict[str, Any]) -> LdapUser | None:
        s = self.s
        uid = _first(attrs, s.IdAttribute)
        email = _first(attrs, s.EmailAttribute).strip().lower()
        if not uid or "@" not in email:
            return None
        is_admin = s.EnableAdminFilter and bool(s.AdminFilter.strip()) and self._matches(conn, dn, s.AdminFilter)
        is_guest = self.guests and bool(s.GuestFilter.strip()) and self._matches(conn, dn, s.GuestFilter)
        return LdapUser(dn=dn, id=uid, email=email,
                        username=clean_username(_first(attrs, s.UsernameAttribute) or email.split("@")[0]),
                        first_name=_first(attrs, s.FirstNameAttribute)[:64],
                        last_name=_first(attrs, s.LastNameAttribute)[:64],
                        nickname=_first(attrs, s.NicknameAttribute)[:64],
                        position=_first(attrs, s.PositionAttribute)[:128], is_admin=is_admin,
                        is_guest=is_guest)

    @staticmethod
    def _matches(conn: ldap3.Connection, dn: str, ldap_filter: str) -> bool:
        """Whether the entry at ``dn`` matches a filter (AdminFilter, GuestFilter): a base-scope search."""
        conn.search(dn, ldap_filter.strip(), search_scope=ldap3.BASE, attributes=[])
        if conn.result.get("result") not in (0, 32):  # success, or no such object
            raise ldap_error(f"bad filter {ldap_filter!r}: {conn.result.get('description')}")
        return bool(_entries(conn.response))

    def find(self, conn: ldap3.Connection, attr: str, value: str) -> LdapUser | None:
        conn.search(self.s.BaseDN, self._filter(f"({attr}={escape_filter_chars(value)})"),
                    attributes=self._attrs(), size_limit=2)
        entries = _entries(conn.response)
        if len(entries) != 1:
            return None
        return self._user(conn, *entries[0])

    def authenticate(self, login_id: str, password: str) -> LdapUser | None:
        """The directory entry for this login and password; None when either is wrong."""
        if not password:  # an empty password would be an anonymous bind, which "succeeds"
            return None
        conn = self.service()
        try:
            user = self.find(conn, self.s.LoginIdAttribute, login_id)
        finally:
            conn.unbind()
        if user is None:
            return None
        try:
            self.bind(user.dn, password).unbind()
        except PermissionError:
            return None
        return user

    def all_users(self) -> dict[str, LdapUser]:
        conn = self.service()
        try:
            response = conn.extend.standard.paged_search(
                self.s.BaseDN, self._filter(f"({self.s.IdAttribute}=*)"), attributes=self._attrs(),
                paged_size=self.s.MaxPageSize or 500, generator=False)
            if conn.result.get("result") not in (0, None):
                raise ldap_error(f"search failed: {conn.result.get('description')}", "LdapSync")
            out: dict[str, LdapUser] = {}
            for dn, attrs in _entries(response):
                user = self._user(conn, dn, attrs)
                if user is not None:
                    out[user.id] = user
            return out
        finally:
            conn.unbind()

    def id_pairs(self, to_attr: str) -> dict[str, str]:
        """Every user entry's current id (IdAttribute) → its ``to_attr`` value ("" when it has none)."""
        conn = self.service()
        try:
            response = conn.extend.standard.paged_search(
                self.s.BaseDN, self._filter(f"({self.s.IdAttribute}=*)"), attributes=[self.s.IdAttribute, to_attr],
                paged_size=self.s.MaxPageSize or 500, generator=False)
            if conn.result.get("result") not in (0, None):
                raise ldap_error(f"search failed: {conn.result.get('description')}", "idMigrateLdap")
            return {_first(attrs, self.s.IdAttribute): _first(attrs, to_attr) for _dn, attrs in _entries(response)
                    if _first(attrs, self.s.IdAttribute)}
        finally:
            conn.unbind()

    def test(self) -> int:
        conn = self.service()
        try:
            conn.search(self.s.BaseDN, self._filter(f"({self.s.IdAttribute or 'objectClass'}=*)"),
                        attributes=[], size_limit=1)
            if conn.result.get("result") not in (0, 4):  # success, or size limit exceeded
                raise ldap_error(f"search under {self.s.BaseDN!r} failed: {conn.result.get('description')}")
            return len(_entries(conn.response))
        finally:
            conn.unbind()


class LdapService:
    def __init__(self, core: AppCore, users: UserService, sessions: SessionService) -> None:
        self.core = core
        self.users = users
        self.sessions = sessions
        self._task: asyncio.Task[None] | None = None
        self.node_id = new_id()
        #: a claim not renewed for this long is taken to belong to a dead node
        self.claim_ttl_ms = 5 * 60_000

    def start(self) -> None:
        """Run the periodic sync in the background (it checks LdapSettings each interval)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.sync_forever())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    @property
    def enabled(self) -> bool:
        return self.core.cfg.LdapSettings.Enable

    def _dir(self, where: str) -> _Directory:
        s = self.core.cfg.LdapSettings
        if not s.Enable:
            raise AppError(where, "ent.ldap.disabled.app_error", "AD/LDAP is not enabled on this server.", 501)
        missing = [n for n in ("LdapServer", "BaseDN", "IdAttribute", "LoginIdAttribute", "EmailAttribute")
                   if not getattr(s, n)]
        if missing:
            raise AppError(where, "ent.ldap.validate.app_error", "AD/LDAP is not fully configured.", 500,
                           f"missing LdapSettings.{', '.join(missing)}")
        return _Directory(s, self.core.cfg.GuestAccountsSettings.Enable,
                          lambda name: str(config_file_path(self.core.config_store, name)))

    async def _run(self, fn: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args)
        except LDAPException as e:
            raise ldap_error(repr(e)) from None

    async def authenticate(self, login_id: str, password: str) -> User | None:
        """The chinwag user for a directory login (created on first sign-in); None for wrong credentials."""
        found: LdapUser | None = await self._run(self._dir("LdapLogin").authenticate, login_id, password)
        if found is None:
            return None
        try:
            user = await self.core.store.users.get_by_auth(SERVICE_LDAP, found.id)
        except NotFound:
            return await self._create(found)
        return await self._apply(user, found)

    async def _create(self, found: LdapUser) -> User:
        try:
            existing = await self.core.store.users.get_by_email(found.email)
        except NotFound:
            existing = None
        if existing is not None:
            raise AppError("LdapLogin", "api.user.create_oauth_user.already_attached.app_error",
                           "There is already an account associated with that email address using a sign in "
                           "method other than AD/LDAP. Please sign in using email and password, then switch.",
                           400)
        data = UserCreate(username=found.username, email=found.email, first_name=found.first_name,
                          last_name=found.last_name, nickname=found.nickname, position=found.position,
                          auth_service=SERVICE_LDAP, auth_data=found.id, email_verified=True)
        for attempt in range(10):
            data.username = found.username if attempt == 0 else f"{found.username[:60]}{attempt}"
            try:
                user = await self.users.create(Ctx(request_id=""), data, from_sso=True)
                break
            except AppError as e:
                if e.id != "app.user.save.username_exists.app_error" or attempt == 9:
                    raise
        return await self._apply(user, found)

    async def _apply(self, user: User, found: LdapUser, reactivate: bool = False) -> User:
        """Copy the directory's fields (and admin role) onto the user when they differ."""
        wanted = {"email": found.email, "first_name": found.first_name, "last_name": found.last_name,
                  "nickname": found.nickname, "position": found.position}
        changed: dict[str, object] = {k: v for k, v in wanted.items() if v and getattr(user, k) != v}
        if reactivate and user.delete_at:
            changed["delete_at"] = 0
        if changed:
            for k, v in changed.items():
                setattr(user, k, v)
            user.update_at = self.core.now()
            try:
                await self.users.save_changed(user, activity="delete_at" in changed)
            except StoreError as e:
                raise AppError("LdapSync", "ent.ldap.syncronize.update_user.app_error",
                               f"Could not update {user.username} from AD/LDAP.", 400, str(e)) from None
        s = self.core.cfg.LdapSettings
        guests = self.core.cfg.GuestAccountsSettings.Enable and bool(s.GuestFilter.strip())
        return await self.users.set_directory_roles(user, admin=found.is_admin if s.EnableAdminFilter else None,
                                                    guest=found.is_guest if guests else None)

    async def sync(self) -> SyncResult:
        """Sync now (``chinwag ldap sync``), unless a sync is running on another node (409)."""
        self._dir("LdapSync")
        result = await self._claimed(due_before=self.core.now())
        if result is None:
            raise AppError("LdapSync", "ent.ldap.syncronize.running.app_error",
                           "An AD/LDAP sync is already running on another node; try again when it ends.", 409)
        return result

    async def sync_if_due(self) -> SyncResult | None:
        """The periodic sync: run when no node has synced for SyncIntervalMinutes and no other node is
        syncing; None when this node has nothing to do."""
        interval_ms = max(self.core.cfg.LdapSettings.SyncIntervalMinutes, 1) * 60_000
        return await self._claimed(due_before=self.core.now() - interval_ms)

    async def _claimed(self, due_before: int) -> SyncResult | None:
        """Run the sync holding the cluster-wide ``ldap_sync`` claim (renewed while it runs)."""
        leases = self.core.store.job_leases
        now = self.core.now()
        if not await leases.claim(JOB_LDAP_SYNC, self.node_id, now, now - self.claim_ttl_ms, due_before):
            return None

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.claim_ttl_ms / 3000)
                if not await leases.renew(JOB_LDAP_SYNC, self.node_id, self.core.now()):
                    log.warning("ldap sync: the job claim was lost (renewals failed); another node may sync too")
                    return

        renewer = asyncio.get_running_loop().create_task(keep())
        try:
            return await self._sync()
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
            await leases.finish(JOB_LDAP_SYNC, self.node_id, self.core.now())

    async def _sync(self) -> SyncResult:
        """Bring every LDAP user in step with the directory; deactivate those no longer in it."""
        directory: dict[str, LdapUser] = await self._run(self._dir("LdapSync").all_users)
        result = SyncResult(seen=len(directory))
        for user in await self.core.store.users.list_by_auth_service(SERVICE_LDAP):
            found = directory.get(user.auth_data or "")
            if found is None:
                if not user.delete_at:
                    user.delete_at = user.update_at = self.core.now()
                    await self.users.save_changed(user, end_sessions=True, activity=True)
                    await audit(self.core, None, "ldap_sync_deactivate", "success", user_id=user.id,
                                username=user.username)
                    result.deactivated += 1
                continue
            was_deleted = bool(user.delete_at)
            before = user.update_at
            try:
                updated = await self._apply(user, found, reactivate=True)
            except AppError as e:
                log.warning("ldap sync: user not updated", user_id=user.id, detail=e.detailed_error)
                continue
            if was_deleted and not updated.delete_at:
                result.reactivated += 1
            elif updated.update_at != before:
                result.updated += 1
        log.info("ldap sync", seen=result.seen, updated=result.updated, deactivated=result.deactivated,
                 reactivated=result.reactivated)
        return result

    async def directory_users(self) -> dict[str, LdapUser]:
        """Every user entry in the directory (by id), for migrations."""
        found: dict[str, LdapUser] = await self._run(self._dir("LdapSync").all_users)
        return found

    async def id_pairs(self, to_attr: str) -> dict[str, str]:
        """For the ID attribute migration: each entry's current id → its ``to_attr`` value."""
        found: dict[str, str] = await self._run(self._dir("idMigrateLdap").id_pairs, to_attr)
        return found

    async def set_auth_data(self, changes: dict[str, str]) -> None:
        """Give AD/LDAP accounts their new ``auth_data`` ({user id: value})."""
        now = self.core.now()
        users = await self.core.store.users.get_many(list(changes))
        async with self.core.unit_of_work() as uow:
            for user in users:
                await self.core.store.users.set_auth_data(user.id, changes[user.id], now, uow.conn)
                self.users.updated(uow, msgspec.structs.replace(user, auth_data=changes[user.id], update_at=now))

    def _typed(self, s: LdapSettings, where: str) -> _Directory:
        """A directory for settings as the System Console sends them (not saved, AD/LDAP may still be off)."""
        missing = [n for n in ("LdapServer", "BaseDN") if not getattr(s, n)]
        if missing:
            raise AppError(where, "ent.ldap.validate.app_error", "AD/LDAP is not fully configured.",
                           400, f"missing LdapSettings.{', '.join(missing)}")
        return _Directory(s, self.core.cfg.GuestAccountsSettings.Enable,
                          lambda name: str(config_file_path(self.core.config_store, name)))

    async def test_settings(self, s: LdapSettings) -> int:
        """The System Console's "Test Connection" with the settings on its page: bind with them and search
        BaseDN."""
        found: int = await self._run(self._typed(s, "TestLdapConnection").test)
        return found

    async def with_connection(self, s: LdapSettings, where: str, fn: Callable[[ldap3.Connection], Any]) -> Any:
        """``fn`` on a connection bound as the bind user of settings as the System Console sends them, in a
        thread (``POST /ldap/test_diagnostics``)."""
        directory = self._typed(s, where)

        def run() -> Any:
            conn = directory.service()
            try:
                return fn(conn)
            finally:
                conn.unbind()

        return await self._run(run)

    async def test(self) -> int:
        """Bind with the configured user and search BaseDN (``chinwag ldap test``)."""
        found: int = await self._run(self._dir("LdapTest").test)
        return found

    async def sync_forever(self) -> None:
        """The periodic sync (LdapSettings.EnableSync, every SyncIntervalMinutes): every node looks once a
        minute, and the job lease lets one of them run it once per interval."""
        while True:
            s = self.core.cfg.LdapSettings
            await asyncio.sleep(min(max(s.SyncIntervalMinutes, 1) * 60, 60))
            if s.Enable and s.EnableSync:
                try:
                    await self.sync_if_due()
                except AppError as e:
                    log.warning("ldap sync failed", error=e.id, detail=e.detailed_error)
                except StoreError as e:
                    log.warning("ldap sync: job lease unavailable", error=repr(e))
