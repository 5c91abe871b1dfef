"""The System Console's AD/LDAP buttons (system admins): ``POST /ldap/test`` binds with the configured
user and searches the base DN; ``POST /ldap/test_connection`` and ``/ldap/test_diagnostics`` do so with the
settings as typed; ``POST /ldap/sync`` runs a synchronization now (409 while another node runs one);
``POST /ldap/migrateid`` moves the accounts to another ID attribute."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog

from chinwag.app.config import ConfigService
from chinwag.app.context import Ctx
from chinwag.app.ldap import SERVICE_LDAP, LdapService, SyncResult
from chinwag.app.ldap_diagnostics import TEST_TYPES, Diagnostics
from chinwag.app.permissions import PermissionService
from chinwag.config.loader import to_dict
from chinwag.config.schema import FAKE_SETTING, LdapSettings
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param

log = structlog.get_logger("chinwag.ldap")


class LdapAdminService:
    def __init__(self, perms: PermissionService, ldap: LdapService, config: ConfigService) -> None:
        self.perms = perms
        self.ldap = ldap
        self.config = config

    async def test(self, ctx: Ctx) -> int:
        self.perms.require_system(ctx, permissions.TEST_LDAP, "TestLdap")
        return await self.ldap.test()

    async def sync(self, ctx: Ctx) -> SyncResult:
        self.perms.require_system(ctx, permissions.CREATE_LDAP_SYNC_JOB, "SyncLdap")
        return await self.ldap.sync()

    async def test_connection(self, ctx: Ctx, settings: object) -> int:
        """``POST /ldap/test_connection``: the System Console's LdapSettings as typed, tested before they
        are saved."""
        where = "testLdapConnection"
        self.perms.require_system(ctx, permissions.TEST_LDAP, where)
        return await self.ldap.test_settings(self._typed(where, settings))

    async def test_diagnostics(self, ctx: Ctx, test: str, settings: object) -> list[dict[str, Any]]:
        """``POST /ldap/test_diagnostics?test=``: one of the checks of ldap_diagnostics.py with the settings as
        typed. An unknown ``test`` is 400, as in Mattermost (checked before the body)."""
        where = "testLdapDiagnostics"
        self.perms.require_system(ctx, permissions.TEST_LDAP, where)
        if test not in TEST_TYPES:
            raise invalid_param(where, "test")
        s = self._typed(where, settings)
        typed = settings if isinstance(settings, dict) else {}
        known = msgspec.structs.asdict(s)
        sent = {**{k: str(v) for k, v in known.items()},
                **{k: v for k, v in typed.items() if isinstance(v, str) and k not in known}}
        results: list[dict[str, Any]] = await self.ldap.with_connection(
            s, "TestLdapDiagnostics", lambda conn: Diagnostics(conn, sent, s.MaxPageSize).run(test))
        return results

    def _typed(self, where: str, settings: object) -> LdapSettings:
        """The settings sent over the saved ones. A masked BindPassword stands for the saved one only while
        the server, port and bind user are unchanged (else 400 ``api.ldap.test.reenter_password``)."""
        if not isinstance(settings, dict):
            raise invalid_param(where, "ldap_settings")
        saved = to_dict(self.config.core.cfg)["LdapSettings"]
        typed = {k: v for k, v in settings.items() if k in saved}
        if typed.get("BindPassword") == FAKE_SETTING:
            if any(typed.get(k, saved[k]) != saved[k] for k in ("LdapServer", "LdapPort", "BindUsername")):
                raise AppError(where, "api.ldap.test.reenter_password",
                               "The AD/LDAP connection settings have changed. Please re-enter the bind password to "
                               "test the connection.", 400)
            typed["BindPassword"] = saved["BindPassword"]
        try:
            return msgspec.convert({**saved, **typed}, LdapSettings)
        except msgspec.ValidationError as e:
            raise invalid_param(where, "ldap_settings", str(e)) from None

    async def migrate_id(self, ctx: Ctx, to_attribute: object) -> int:
        """Mattermost's MigrateIdLDAP: every AD/LDAP account's ``auth_data`` becomes the value of
        ``to_attribute`` in its directory entry (found by the current IdAttribute), then IdAttribute is
        set to it. Refused before anything changes when an entry lacks the attribute or two share a
        value. Returns how many accounts changed."""
        where = "idMigrateLdap"
        if not isinstance(to_attribute, str) or not to_attribute.strip():
            raise invalid_param(where, "toAttribute")
        to_attribute = to_attribute.strip()
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        pairs = await self.ldap.id_pairs(to_attribute)
        users = await self.ldap.core.store.users.list_by_auth_service(SERVICE_LDAP)
        changes: dict[str, str] = {}
        for user in users:
            new = pairs.get(user.auth_data or "")
            if new is None:
                continue  # gone from the directory: the next sync deactivates it
            if not new:
                raise AppError(where, "ent.ldap_id_migrate.app_error", "Unable to migrate the AD/LDAP ID attribute.",
                               400, f"{user.username}: the directory entry has no {to_attribute}")
            if new != user.auth_data:
                changes[user.id] = new
        values = list(pairs.values())
        if len(set(values)) != len(values):
            raise AppError(where, "ent.ldap_id_migrate.app_error", "Unable to migrate the AD/LDAP ID attribute.", 400,
                           f"{to_attribute} is not unique in the directory")
        await self.ldap.set_auth_data(changes)
        await self.config.apply(where, {"LdapSettings": {"IdAttribute": to_attribute}})
        log.info("ldap id attribute migrated", to_attribute=to_attribute, accounts=len(changes))
        return len(changes)
