"""OAuth 2.0 provider rows: apps (``oauthapps``), authorization codes (``oauthauthdata``) and access
grants (``oauthaccessdata``). An app's callback URLs are a JSON array in one text column, as in
Mattermost's OAuthApps."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chinwag.model.oauth_app import AccessData, AuthData, OAuthApp
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import oauthaccessdata as acc
from chinwag.store.sql.tables import oauthapps as apps
from chinwag.store.sql.tables import oauthauthdata as auth
from chinwag.store.sql.tables import preferences, sessions

APP = RowMap(OAuthApp, apps, read={"callback_urls": "_urls({callbackurls})"},
             write={"callbackurls": lambda a: json.dumps(a.callback_urls)})
APP._ns["_urls"] = lambda raw: list(json.loads(raw)) if raw else []
AUTH = RowMap(AuthData, auth)
ACCESS = RowMap(AccessData, acc)


class SqlOAuthStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # apps ---------------------------------------------------------------------------------------

    async def save_app(self, app: OAuthApp) -> OAuthApp:
        async with self.db.write() as conn:
            await conn.execute(apps.insert().values(**APP.values(app)))
        return app

    async def update_app(self, app: OAuthApp) -> OAuthApp:
        values = {k: v for k, v in APP.values(app).items() if k not in ("id", "creatorid", "createat")}
        async with self.db.write() as conn:
            res = await conn.execute(apps.update().where(apps.c.id == app.id).values(**values))
        if res.rowcount == 0:
            raise NotFound("oauth_app", app.id)
        return app

    async def get_app(self, app_id: str) -> OAuthApp:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(apps).where(apps.c.id == app_id))).first()
        if row is None:
            raise NotFound("oauth_app", app_id)
        return APP.one(row)

    async def list_apps(self, *, creator_id: str = "", offset: int = 0, limit: int = 60) -> list[OAuthApp]:
        q = sa.select(apps)
        if creator_id:
            q = q.where(apps.c.creatorid == creator_id)
        q = q.order_by(apps.c.createat, apps.c.id).offset(offset).limit(limit)
        async with self.db.read() as conn:
            return APP.all((await conn.execute(q)).all())

    async def authorized_apps(self, user_id: str, category: str, offset: int, limit: int) -> list[OAuthApp]:
        """Apps the user has authorized (a preference row per app in ``category``)."""
        q = (sa.select(apps).join(preferences, sa.and_(preferences.c.name == apps.c.id,
                                                       preferences.c.category == category,
                                                       preferences.c.userid == user_id))
             .order_by(apps.c.createat, apps.c.id).offset(offset).limit(limit))
        async with self.db.read() as conn:
            return APP.all((await conn.execute(q)).all())

    async def delete_app(self, app_id: str, category: str) -> list[str]:
        """Delete the app with its codes, grants, the sessions they hold and the users' authorizations;
        returns the session tokens removed (for the session caches)."""
        async with self.db.write() as conn:
            tokens = [str(r[0]) for r in (await conn.execute(
                sa.select(acc.c.token).where(acc.c.clientid == app_id))).all()]
            if tokens:
                await conn.execute(sessions.delete().where(sessions.c.token.in_(tokens)))
            await conn.execute(acc.delete().where(acc.c.clientid == app_id))
            await conn.execute(auth.delete().where(auth.c.clientid == app_id))
            await conn.execute(preferences.delete().where(preferences.c.category == category,
                                                          preferences.c.name == app_id))
            await conn.execute(apps.delete().where(apps.c.id == app_id))
        return tokens

    # authorization codes ------------------------------------------------------------------------

    async def save_auth_data(self, data: AuthData) -> None:
        async with self.db.write() as conn:
            await conn.execute(auth.insert().values(**AUTH.values(data)))

    async def take_auth_data(self, code: str) -> AuthData:
        """The code's row, deleted in the same transaction: a code is exchanged at most once."""
        async with self.db.write() as conn:
            row = (await conn.execute(sa.select(auth).where(auth.c.code == code))).first()
            if row is None:
                raise NotFound("oauth_auth_data", "")
            res = await conn.execute(auth.delete().where(auth.c.code == code))
            if res.rowcount == 0:
                raise NotFound("oauth_auth_data", "")
        return AUTH.one(row)

    async def remove_auth_data_for(self, client_id: str, user_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(auth.delete().where(auth.c.clientid == client_id, auth.c.userid == user_id))

    # access grants ------------------------------------------------------------------------------

    async def save_access_data(self, data: AccessData) -> None:
        async with self.db.write() as conn:
            await conn.execute(acc.insert().values(**ACCESS.values(data)))

    async def _access(self, cond: Any) -> AccessData | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(acc).where(cond).limit(1))).first()
        return None if row is None else ACCESS.one(row)

    async def previous_access_data(self, user_id: str, client_id: str) -> AccessData | None:
        return await self._access(sa.and_(acc.c.userid == user_id, acc.c.clientid == client_id))

    async def access_data_by_refresh_token(self, refresh_token: str) -> AccessData:
        found = await self._access(acc.c.refreshtoken == refresh_token) if refresh_token else None
        if found is None:
            raise NotFound("oauth_access_data", "")
        return found

    async def replace_access_token(self, old_token: str, data: AccessData) -> None:
        """Swap a grant's session token (and refresh token) for new ones."""
        async with self.db.write() as conn:
            await conn.execute(acc.delete().where(acc.c.token == old_token))
            await conn.execute(acc.insert().values(**ACCESS.values(data)))

    async def access_data_for(self, user_id: str, client_id: str) -> list[AccessData]:
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(acc).where(acc.c.userid == user_id,
                                                            acc.c.clientid == client_id))).all()
        return ACCESS.all(rows)

    async def remove_access_data(self, token: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(acc.delete().where(acc.c.token == token))
