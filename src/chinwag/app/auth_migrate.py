"""Moving accounts from one sign-in method to another in bulk (``chinwag user migrate-auth``):

- ``email → ldap``: each email account is matched with its directory entry by email or username;
- ``ldap ↔ saml``: the method changes, the id (``auth_data``) stays (IdAttribute must agree);
- ``email → gitlab|openid|saml|ldap`` with a mapping file: ``{"<email or username>": "<provider id>"}``.

Passwords (and MFA) of migrated email accounts are removed; existing sessions stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chinwag.app.core import AppCore, service
from chinwag.app.ldap import LdapService
from chinwag.app.oauth_providers import SERVICE_GITLAB, SERVICE_OPENID
from chinwag.app.user import UserService
from chinwag.model.errors import AppError
from chinwag.model.user import User
from chinwag.store.errors import NotFound

SERVICES = ("email", SERVICE_GITLAB, SERVICE_OPENID, "saml", "ldap")


@dataclass
class MigrateResult:
    migrated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _bad(detail: str) -> AppError:
    return AppError("MigrateAuth", "api.user.migrate_auth.invalid.app_error", detail, 400)


@service
class AuthMigration:
    core: AppCore
    users: UserService
    ldap: LdapService

    async def run(self, from_service: str, to_service: str, *, match_field: str = "email",
                  mapping: dict[str, str] | None = None, dry_run: bool = False) -> MigrateResult:
        if from_service not in SERVICES or to_service not in SERVICES or from_service == to_service:
            raise _bad(f"cannot migrate from {from_service!r} to {to_service!r} (methods: {', '.join(SERVICES)})")
        if match_field not in ("email", "username"):
            raise _bad("--match-field is email or username")
        source = "" if from_service == "email" else from_service
        users = [u for u in await self.core.store.users.list_by_auth_service(source) if not u.is_bot]
        if mapping is not None:
            ids = {k.strip().lower(): v for k, v in mapping.items()}
        elif {from_service, to_service} == {"ldap", "saml"}:
            ids = {self._key(u, match_field): u.auth_data or "" for u in users}
        elif from_service == "email" and to_service == "ldap":
            directory = await self.ldap.directory_users()
            ids = {(d.email if match_field == "email" else d.username): d.id for d in directory.values()}
        else:
            raise _bad(f"migrating {from_service} → {to_service} needs a mapping file (login → provider id)")
        result = MigrateResult()
        for user in users:
            auth_data = ids.get(self._key(user, match_field), "")
            if not auth_data:
                result.skipped.append(user.username)
                continue
            try:
                taken: User | None = await self.core.store.users.get_by_auth(to_service, auth_data)
            except NotFound:
                taken = None
            if taken is not None and taken.id != user.id:
                result.skipped.append(user.username)
                continue
            if not dry_run:
                async with self.core.unit_of_work() as uow:
                    await self.users.set_auth(uow, user, to_service, auth_data)
            result.migrated.append(user.username)
        return result

    @staticmethod
    def _key(user: User, match_field: str) -> str:
        return user.email if match_field == "email" else user.username
