"""Single sign-on routes outside /api/v4, where Mattermost's web and mobile apps go:

``/oauth/{service}/login|signup|mobile_login`` redirect to the provider; its callback arrives at
``/signup/{service}/complete`` (the redirect URI registered with the provider), ``/login/{service}/complete``
or ``/oauth/{service}/complete``. Failures are a small HTML page (a browser is on the other end) that
carries Mattermost's error id and the right status.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from chinwag.app.app import App
from chinwag.app.oauth import ACTION_EMAIL_TO_SSO, ACTION_LOGIN, ACTION_MOBILE, ACTION_SIGNUP, STATE_TTL_MS
from chinwag.model.errors import AppError
from chinwag.web.auth import attach_session_cookies, is_secure
from chinwag.web.handler import Api, HandlerContext, build_routes

sso = Api()

COOKIE_OAUTH = "MMOAUTH"


def site_url(w: HandlerContext) -> str:
    """SiteURL when configured, else the address this request came to (as Mattermost's GetSiteURL)."""
    configured = w.app.config.effective.ServiceSettings.SiteURL
    return (configured or str(w.request.base_url)).rstrip("/")


def error_page(e: AppError, request_id: str) -> Response:
    body = (
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>"
        "<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">"
        f"<h1>Sign-in failed</h1><p id=\"sso-error\" data-error-id=\"{html.escape(e.id)}\">"
        f"{html.escape(e.message)}</p><p><a href=\"/login\">Back to the sign-in page</a></p>"
        f"<!-- request_id {html.escape(request_id)} --></body></html>"
    )
    return HTMLResponse(body, status_code=e.status_code)


def _rid(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


async def _start(w: HandlerContext, action: str) -> Response:
    service = w.str_param("service")
    try:
        started = await w.app.oauth.start(service, action, site_url(w), redirect_to=w.query("redirect_to"))
    except AppError as e:
        return error_page(e, _rid(w.request))
    resp = RedirectResponse(started.url, status_code=302)
    set_oauth_cookie(resp, w.request, started.cookie)
    return resp


def set_oauth_cookie(resp: Response, request: Request, value: str) -> None:
    """The browser half of the OAuth state: the callback is refused without it."""
    resp.set_cookie(COOKIE_OAUTH, value, max_age=STATE_TTL_MS // 1000, path="/", httponly=True,
                    secure=is_secure(request), samesite="lax")


@sso.route("GET", "/oauth/{service}/login", auth=False)
async def login_with_oauth(w: HandlerContext) -> Response:
    return await _start(w, ACTION_LOGIN)


@sso.route("GET", "/oauth/{service}/signup", auth=False)
async def signup_with_oauth(w: HandlerContext) -> Response:
    return await _start(w, ACTION_SIGNUP)


@sso.route("GET", "/oauth/{service}/mobile_login", auth=False)
async def mobile_login_with_oauth(w: HandlerContext) -> Response:
    return await _start(w, ACTION_MOBILE)


async def _complete(w: HandlerContext) -> Response:
    service = w.str_param("service")
    try:
        if w.query("error"):
            raise AppError("CompleteOAuth", "api.oauth.complete_oauth.provider_error.app_error",
                           f"The sign-in provider refused: {w.query('error_description') or w.query('error')}",
                           400)
        result = await w.app.oauth.complete(service, w.query("code"), w.query("state"),
                                            w.request.cookies.get(COOKIE_OAUTH, ""), site_url(w))
    except AppError as e:
        await w.app.audits.record(w.ctx, "login_sso", "fail", service=service, error=e.id,
                                  detail=e.detailed_error)
        resp = error_page(e, _rid(w.request))
        resp.delete_cookie(COOKIE_OAUTH, path="/")
        return resp
    session = result.session
    action = "switch_to_sso" if result.action == ACTION_EMAIL_TO_SSO else "login_sso"
    await w.app.audits.record(w.ctx, action, "success", service=service, user_id=result.user.id,
                              session_id=session.id if session else "")
    target = result.redirect_to or "/"
    if result.action == ACTION_MOBILE and session is not None and target.find("://") > 0:
        sep = "&" if "?" in target else "?"
        target += sep + urlencode({"MMAUTHTOKEN": session.token, "MMCSRF": session.csrf_token})
    resp = RedirectResponse(target, status_code=302)
    resp.delete_cookie(COOKIE_OAUTH, path="/")
    if session is not None and result.action != ACTION_EMAIL_TO_SSO:
        cfg = w.app.config.effective.ServiceSettings
        attach_session_cookies(resp, w.request, session, cfg.SessionLengthSSOInHours)
    return resp


@sso.route("GET", "/oauth/{service}/complete", auth=False)
async def complete_oauth(w: HandlerContext) -> Response:
    return await _complete(w)


@sso.route("GET", "/signup/{service}/complete", auth=False)
async def signup_complete(w: HandlerContext) -> Response:
    return await _complete(w)


@sso.route("GET", "/login/{service}/complete", auth=False)
async def login_complete(w: HandlerContext) -> Response:
    return await _complete(w)


@sso.route("GET", "/login/sso/saml", auth=False)
async def login_with_saml(w: HandlerContext) -> Response:
    try:
        url = await w.app.saml.start(site_url(w), redirect_to=w.query("redirect_to"))
    except AppError as e:
        return error_page(e, _rid(w.request))
    return RedirectResponse(url, status_code=302)


@sso.route("POST", "/login/sso/saml", auth=False, trust_requester=True)
async def complete_saml(w: HandlerContext) -> Response:
    """The assertion consumer service (HTTP-POST binding)."""
    try:
        form = await w.request.form()
        response, relay = form.get("SAMLResponse"), form.get("RelayState")
        result = await w.app.saml.complete(site_url(w), response if isinstance(response, str) else "",
                                           relay if isinstance(relay, str) else "")
    except AppError as e:
        await w.app.audits.record(w.ctx, "login_sso", "fail", service="saml", error=e.id,
                                  detail=e.detailed_error)
        return error_page(e, _rid(w.request))
    await w.app.audits.record(w.ctx, "login_sso", "success", service="saml", user_id=result.user.id,
                              session_id=result.session.id)
    resp = RedirectResponse(result.redirect_to or "/", status_code=302)
    attach_session_cookies(resp, w.request, result.session,
                           w.app.config.effective.ServiceSettings.SessionLengthSSOInHours)
    return resp


@sso.route("GET", "/login/sso/saml/metadata", auth=False)
async def saml_metadata(w: HandlerContext) -> Response:
    return Response(await w.app.saml.metadata(site_url(w)), media_type="application/xml")


def sso_routes(app: App) -> list[Route]:
    return build_routes(app, sso, prefix="")

