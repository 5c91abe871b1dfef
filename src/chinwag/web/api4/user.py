"""/users: sign-up, login, profiles, passwords, statuses, sessions."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import Response

from chinwag.app.login import LoginRequest
from chinwag.app.oauth import SwitchRequest
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.user import User, UserCreate, UserPatch
from chinwag.web.api4 import api
from chinwag.web.auth import attach_session_cookies, clear_session_cookies
from chinwag.web.errors import error_response
from chinwag.web.handler import HandlerContext, request_id_of
from chinwag.web.oauth import set_oauth_cookie, site_url
from chinwag.web.responses import json_response, ok


class _Login(msgspec.Struct):
    login_id: str | None = None
    password: str | None = None
    token: str | None = None
    device_id: str | None = None
    ldap_only: str | bool | None = None
    id: str | None = None


class _PasswordUpdate(msgspec.Struct):
    current_password: str = ""
    new_password: str = ""
    already_hashed: str | bool = ""  # Mattermost's props are strings ("true"); a JSON true is taken too


class _Roles(msgspec.Struct):
    roles: str = ""


class _Active(msgspec.Struct):
    active: bool


class _StatusBody(msgspec.Struct):
    user_id: str = ""
    status: str = ""
    dnd_end_time: int = 0


class _Search(msgspec.Struct):
    term: str = ""
    team_id: str = ""
    not_in_team_id: str = ""
    in_channel_id: str = ""
    not_in_channel_id: str = ""
    allow_inactive: bool = False
    without_team: bool = False
    role: str = ""
    limit: int = 100


def _me(w: HandlerContext, user: User) -> dict[str, Any]:
    return w.app.users.sanitize(w.ctx, user).to_dict()


@api.route("POST", "/users", auth=False)
async def create_user(w: HandlerContext) -> Any:
    data = await w.json(UserCreate, "user")
    if not w.app.perms.is_system_admin(w.ctx):  # Mattermost's User.SanitizeInput
        data.email_verified, data.auth_service, data.auth_data = False, "", None
    if w.query("t"):
        user = await w.app.account.create_with_token(w.ctx, data, w.query("t"))
    else:
        user = await w.app.users.create(w.ctx, data, invite_id=w.query("iid"))
    await w.app.account.after_signup(user, site_url(w), w.query("r"))
    return _me(w, user), 201


@api.route("POST", "/users/login", auth=False)
async def login(w: HandlerContext) -> Response:
    body = await w.json(_Login, "login")
    req = LoginRequest(login_id=body.login_id or "", password=body.password or "", token=body.token or "",
                       device_id=body.device_id or "", user_id=body.id or "",
                       ldap_only=str(body.ldap_only).lower() == "true")
    user, session = await w.app.login.login(w.ctx, req)
    w.ctx.session = session
    resp = json_response(_me(w, user), headers={"Token": session.token})
    if w.request.headers.get("x-requested-with", "") == "XMLHttpRequest":
        hours = w.app.config.effective.ServiceSettings.SessionLengthWebInHours
        attach_session_cookies(resp, w.request, session, hours)
    return resp


class _Switch(msgspec.Struct):
    current_service: str = ""
    new_service: str = ""
    email: str = ""
    password: str = ""
    mfa_code: str = ""
    new_password: str = ""


@api.route("POST", "/users/login/type", auth=False)
async def get_login_type(w: HandlerContext) -> Response:
    """Which way a login id signs in, asked by the login page before the password when guest magic links
    are on. They need guest accounts, which need a licence: a Team Edition server answers 404 with no body
    for every login id, and the page asks for the password."""
    await w.body()
    return Response(status_code=404)


@api.route("POST", "/users/login/sso/code-exchange", auth=False)
async def login_sso_code_exchange(w: HandlerContext) -> Response:
    """The mobile apps' former SSO code exchange: deprecated, and disabled unless the
    ``MobileSSOCodeExchange`` feature flag is on, which it is not by default (410, Mattermost's answer)."""
    err = AppError("loginSSOCodeExchange", "api.user.login_sso_code_exchange.deprecated.app_error",
                   "This endpoint is deprecated and disabled. Please update your mobile app.", 410)
    resp = error_response(err, request_id_of(w.request))
    resp.headers["Deprecation"] = "true"
    return resp


@api.route("POST", "/users/login/switch", auth=False)
async def switch_account_type(w: HandlerContext) -> Response:
    b = await w.json(_Switch, "switch_request")
    req = SwitchRequest(current_service=b.current_service, new_service=b.new_service, email=b.email,
                        password=b.password, mfa_code=b.mfa_code, new_password=b.new_password)
    link, started = await w.app.oauth.switch(w.ctx, req, site_url(w))
    resp = json_response({"follow_link": link})
    if started is not None:
        set_oauth_cookie(resp, w.request, started.cookie)
    return resp


class _MfaCheck(msgspec.Struct):
    login_id: str = ""


class _MfaUpdate(msgspec.Struct):
    activate: bool = False
    code: str = ""


@api.route("POST", "/users/mfa", auth=False)
async def check_user_mfa(w: HandlerContext) -> Any:
    body = await w.json(_MfaCheck, "login_id")
    return {"mfa_required": await w.app.mfa.required_for(body.login_id)}


@api.route("POST", "/users/{user_id}/mfa/generate")
async def generate_mfa_secret(w: HandlerContext) -> Any:
    return await w.app.mfa.generate(w.ctx, w.user_param())


@api.route("PUT", "/users/{user_id}/mfa")
async def update_user_mfa(w: HandlerContext) -> Any:
    body = await w.json(_MfaUpdate, "mfa")
    await w.app.mfa.update(w.ctx, w.user_param(), body.activate, body.code)
    return ok()


@api.route("POST", "/users/{user_id}/promote")
async def promote_guest_to_user(w: HandlerContext) -> Any:
    await w.app.users.promote_guest(w.ctx, w.user_param())
    return ok()


@api.route("POST", "/users/{user_id}/demote")
async def demote_user_to_guest(w: HandlerContext) -> Any:
    await w.app.users.demote_to_guest(w.ctx, w.user_param())
    return ok()


@api.route("GET", "/users/{user_id}/audits")
async def get_user_audits(w: HandlerContext) -> Any:
    return await w.app.audits.for_user(w.ctx, w.user_param(), w.page(), w.per_page())


@api.route("POST", "/users/logout", auth=False)
async def logout(w: HandlerContext) -> Response:
    await w.app.sessions.logout(w.ctx)
    resp = ok()
    clear_session_cookies(resp)
    return resp


@api.route("GET", "/users")
async def get_users(w: HandlerContext) -> Any:
    active: bool | None = None
    if w.query("active"):
        active = w.query_bool("active")
    if w.query_bool("inactive"):
        active = False
    users = await w.app.users.list_users(
        w.ctx, page=w.page(), per_page=w.per_page(), in_team=w.query("in_team"),
        not_in_team=w.query("not_in_team"), in_channel=w.query("in_channel"),
        not_in_channel=w.query("not_in_channel"), without_team=w.query_bool("without_team"),
        active=active, role=w.query("role"), sort=w.query("sort"))
    return users


@api.route("POST", "/users/ids")
async def get_users_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    if not ids or len(ids) > 1000 or not all(is_valid_id(i) for i in ids):
        raise invalid_param("getUsersByIds", "user_ids")
    return await _users_by_ids(w, ids)


async def _users_by_ids(w: HandlerContext, ids: list[str]) -> list[User]:
    return await w.app.users.get_many(w.ctx, ids, since=w.query_int("since"))


@api.route("POST", "/users/usernames")
async def get_users_by_usernames(w: HandlerContext) -> Any:
    names = await w.json(list[str], "usernames")
    return await w.app.users.get_many_by_usernames(w.ctx, names)


@api.route("POST", "/users/search")
async def search_users(w: HandlerContext) -> Any:
    body = await w.json(_Search, "search")
    if not body.term.strip():
        raise invalid_param("searchUsers", "term")
    return await w.app.users.search(w.ctx, body.term.strip(), team_id=body.team_id,
                                    channel_id=body.in_channel_id, not_in_channel=body.not_in_channel_id,
                                    allow_inactive=body.allow_inactive, limit=min(max(body.limit, 1), 1000),
                                    role=body.role, without_team=body.without_team)


@api.route("GET", "/users/autocomplete")
async def autocomplete_users(w: HandlerContext) -> Any:
    name = w.query("name")
    team_id = w.query("team_id")
    channel_id = w.query("channel_id")
    limit = min(max(w.query_int("limit", 100), 1), 1000)
    if channel_id:
        await w.app.channels.get_readable(w.ctx, channel_id, "autocompleteUsers")
        in_ch = await w.app.users.search(w.ctx, name, channel_id=channel_id, limit=limit) if name else \
            await w.app.users.list_users(w.ctx, page=0, per_page=limit, in_channel=channel_id)
        out_ch = await w.app.users.search(w.ctx, name, team_id=team_id, not_in_channel=channel_id,
                                          limit=limit) if (name and team_id) else []
        return {"users": in_ch, "out_of_channel": out_ch}
    users = await w.app.users.search(w.ctx, name, team_id=team_id, limit=limit) if name else \
        await w.app.users.list_users(w.ctx, page=0, per_page=limit, in_team=team_id)
    return {"users": users}


@api.route("POST", "/users/status/ids")
async def statuses_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    if not all(is_valid_id(i) for i in ids):
        raise invalid_param("getUserStatusesByIds", "user_ids")
    return await w.app.statuses.get_many(ids)


@api.route("GET", "/users/username/{username}")
async def get_user_by_username(w: HandlerContext) -> Any:
    user = await w.app.users.get_by_username(w.str_param("username"))
    return _me(w, await w.app.users.require_visible(w.ctx, user))


@api.route("GET", "/users/email/{email}")
async def get_user_by_email(w: HandlerContext) -> Any:
    w.app.users.require_email_lookup(w.ctx)  # before the lookup: the answer tells nothing about the address
    user = await w.app.users.get_by_email(w.str_param("email"))
    return _me(w, await w.app.users.require_visible(w.ctx, user))


@api.route("GET", "/users/{user_id}")
async def get_user(w: HandlerContext) -> Any:
    return _me(w, await w.app.users.require_visible(w.ctx, await w.app.users.get(w.user_param())))


@api.route("GET", "/sharedchannels/users/{user_id}/can_dm/{other_user_id}")
async def can_user_direct_message(w: HandlerContext) -> Any:
    """Mattermost's canUserDirectMessage (api4/shared_channel.go): any signed-in caller may ask."""
    user_id = w.user_param()
    other_user_id = w.id_param("other_user_id")
    return {"can_dm": await w.app.users.can_direct_message(user_id, other_user_id)}


@api.route("PUT", "/users/{user_id}")
async def update_user(w: HandlerContext) -> Any:
    data = await w.json(User, "user")
    user_id = w.user_param()
    if data.id != user_id:
        raise invalid_param("updateUser", "user_id")
    return _me(w, await w.app.users.update(w.ctx, user_id, data))


@api.route("PUT", "/users/{user_id}/patch")
async def patch_user(w: HandlerContext) -> Any:
    patch = await w.json(UserPatch, "user")
    return _me(w, await w.app.users.patch(w.ctx, w.user_param(), patch))


@api.route("PUT", "/users/{user_id}/password")
async def update_password(w: HandlerContext) -> Any:
    body = await w.json(_PasswordUpdate, "password")
    if body.already_hashed in (True, "true"):
        await w.app.user_admin.update_hashed_password(w.ctx, w.user_param(), body.new_password)
        return ok()
    await w.app.users.update_password(w.ctx, w.user_param(), body.current_password, body.new_password)
    return ok()


@api.route("PUT", "/users/{user_id}/roles")
async def update_roles(w: HandlerContext) -> Any:
    body = await w.json(_Roles, "roles")
    await w.app.users.update_roles(w.ctx, w.user_param(), body.roles)
    return ok()


@api.route("PUT", "/users/{user_id}/active")
async def update_active(w: HandlerContext) -> Any:
    body = await w.json(_Active, "active")
    await w.app.users.set_active(w.ctx, w.user_param(), body.active)
    return ok()


@api.route("GET", "/users/invalid_emails")
async def get_users_with_invalid_emails(w: HandlerContext) -> Any:
    return await w.app.users.with_invalid_emails(w.ctx, w.page(), w.per_page())


@api.route("POST", "/users/{user_id}/reset_failed_attempts")
async def reset_failed_attempts(w: HandlerContext) -> Any:
    await w.app.users.reset_failed_attempts(w.ctx, w.user_param())
    return ok()


@api.route("DELETE", "/users/{user_id}")
async def deactivate_user(w: HandlerContext) -> Any:
    if w.query_bool("permanent"):
        await w.app.purge.delete_user(w.ctx, w.user_param())
    else:
        await w.app.users.set_active(w.ctx, w.user_param(), False)
    return ok()


@api.route("GET", "/users/{user_id}/status")
async def get_status(w: HandlerContext) -> Any:
    return await w.app.statuses.get(w.ctx, w.user_param())


@api.route("PUT", "/users/{user_id}/status")
async def set_status(w: HandlerContext) -> Any:
    body = await w.json(_StatusBody, "status")
    user_id = w.user_param()
    if body.user_id != user_id:
        raise invalid_param("updateUserStatus", "user_id")
    return await w.app.statuses.set(w.ctx, user_id, body.status, body.dnd_end_time)


@api.route("GET", "/users/{user_id}/sessions")
async def get_sessions(w: HandlerContext) -> Any:
    user_id = w.user_param()
    w.app.perms.require_self_or_system(w.ctx, user_id, "edit_other_users", "getSessions")
    return await w.app.sessions.list_for_user(user_id)


class _Revoke(msgspec.Struct):
    session_id: str = ""


@api.route("POST", "/users/{user_id}/sessions/revoke")
async def revoke_session(w: HandlerContext) -> Any:
    user_id = w.user_param()
    w.app.perms.require_self_or_system(w.ctx, user_id, "edit_other_users", "revokeSession")
    body = await w.json(_Revoke, "session_id")
    if not is_valid_id(body.session_id):
        raise invalid_param("revokeSession", "session_id")
    await w.app.sessions.revoke(w.ctx, user_id, body.session_id)
    return ok()


@api.route("POST", "/users/{user_id}/sessions/revoke/all")
async def revoke_all_sessions(w: HandlerContext) -> Any:
    user_id = w.user_param()
    w.app.perms.require_self_or_any(w.ctx, user_id, "revokeAllSessionsForUser", "edit_other_users",
                                    "sysconsole_write_user_management_users")
    await w.app.sessions.revoke_all(user_id)
    return ok()
