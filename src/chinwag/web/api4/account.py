"""Account self-service and a system admin's account switches: password reset and email verification by
mail, every session revoked, the sign-in method changed, terms of service, typing over HTTP, LDAP migration."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.errors import AppError, invalid_param
from chinwag.model.permissions import MANAGE_SYSTEM
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext, check_json_values
from chinwag.web.oauth import site_url
from chinwag.web.responses import ok


async def json_props(w: HandlerContext) -> dict[str, Any]:
    """Mattermost's MapFromJSON / StringInterfaceFromJSON: a body that is not a JSON object reads as empty."""
    raw = await w.body()
    try:
        value = msgspec.json.decode(raw) if raw.strip() else {}
    except JSON_ERRORS:
        return {}
    check_json_values(raw, "body")  # no NUL or 64-bit overflow reaches the database
    return value if isinstance(value, dict) else {}


def prop_str(props: dict[str, Any], name: str) -> str:
    value = props.get(name, "")
    return value if isinstance(value, str) else ""


@api.route("POST", "/users/password/reset/send", auth=False)
async def send_password_reset(w: HandlerContext) -> Any:
    props = await json_props(w)
    await w.app.account.send_password_reset(w.ctx, prop_str(props, "email"), site_url(w))
    return ok()


@api.route("POST", "/users/password/reset", auth=False)
async def reset_password(w: HandlerContext) -> Any:
    props = await json_props(w)
    await w.app.account.reset_password(w.ctx, prop_str(props, "token"), prop_str(props, "new_password"), site_url(w))
    return ok()


@api.route("POST", "/users/email/verify/send", auth=False)
async def send_verification_email(w: HandlerContext) -> Any:
    props = await json_props(w)
    await w.app.account.send_verification(w.ctx, prop_str(props, "email"), site_url(w), w.query("r"))
    return ok()


@api.route("POST", "/users/email/verify", auth=False)
async def verify_user_email(w: HandlerContext) -> Any:
    props = await json_props(w)
    await w.app.account.verify_email(w.ctx, prop_str(props, "token"))
    return ok()


@api.route("POST", "/users/sessions/revoke/all")
async def revoke_all_sessions_all_users(w: HandlerContext) -> Any:
    await w.app.account.revoke_all_sessions(w.ctx)
    return ok()


class _UserAuth(msgspec.Struct):
    auth_data: str | None = None
    auth_service: str = ""


@api.route("PUT", "/users/{user_id}/auth", trust_requester=True)
async def update_user_auth(w: HandlerContext) -> Any:
    user_id = w.user_param()
    body = await w.json(_UserAuth, "user")
    return await w.app.account.update_auth(w.ctx, user_id, body.auth_data, body.auth_service)


@api.route("POST", "/users/{user_id}/terms_of_service")
async def save_user_terms_of_service(w: HandlerContext) -> Any:
    props = await json_props(w)
    terms_id = props.get("termsOfServiceId")
    if not isinstance(terms_id, str):
        raise invalid_param("saveUserTermsOfService", "termsOfServiceId")
    accepted = props.get("accepted")
    if not isinstance(accepted, bool):
        raise invalid_param("saveUserTermsOfService", "accepted")
    w.app.site.save_user_terms_of_service(w.ctx, terms_id, accepted)
    return ok()


class _Typing(msgspec.Struct):
    channel_id: str = ""
    parent_id: str = ""


@api.route("POST", "/users/{user_id}/typing")
async def publish_user_typing(w: HandlerContext) -> Any:
    user_id = w.user_param()
    await w.app.server_busy.require_not_busy("publishUserTyping")  # Mattermost's DisableWhenBusy
    body = await w.json(_Typing, "typing_request")
    await w.app.realtime.typing(w.ctx, body.channel_id, body.parent_id, user_id=user_id)
    return ok()


@api.route("POST", "/users/migrate_auth/ldap", enterprise=True)
async def migrate_auth_to_ldap(w: HandlerContext) -> Any:
    """Mattermost serves this with an LDAP licence only: after its parameter and permission checks an
    unlicensed server answers 501 (chinwag's own migration is ``chinwag user migrate-auth``)."""
    props = await json_props(w)
    where = "api.migrateAuthToLDAP"
    if prop_str(props, "from") not in ("email", "gitlab", "saml", "google", "office365"):
        raise invalid_param(where, "from")
    if not isinstance(props.get("force"), bool):
        raise invalid_param(where, "force")
    if not isinstance(props.get("match_field"), str):
        raise invalid_param(where, "match_field")
    w.app.perms.require_system(w.ctx, MANAGE_SYSTEM, where)
    raise AppError(where, "api.admin.ldap.not_available.app_error",
                   "LDAP is not available on this server.", 501)
