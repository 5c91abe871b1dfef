"""The OAuth 2.0 provider's endpoints outside /api/v4, where third-party apps and browsers go
(Mattermost's web/oauth.go): ``GET /oauth/authorize`` (sign in, then consent or straight back to the
app when it is trusted or already authorized), ``POST /oauth/authorize`` (the consent: allow),
``POST /oauth/access_token`` (authorization_code and refresh_token grants, form-encoded) and
``POST /oauth/deauthorize``.

The consent page is the Mattermost web app's own (its ``root.html``) when a Mattermost web app build is
served (``ServiceSettings.WebappDirectory``); otherwise a small page of our own that shows the app and
posts the consent as the web app would.
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, unquote_plus, urlencode

from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from chinwag.app.app import App
from chinwag.app.oauth_provider import validate_authorize
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id
from chinwag.model.oauth_app import (
    GRANT_AUTHORIZATION_CODE,
    GRANT_REFRESH_TOKEN,
    AuthorizeRequest,
    OAuthApp,
)
from chinwag.web.handler import Api, HandlerContext, build_routes
from chinwag.web.oauth import error_page, site_url
from chinwag.web.responses import json_response, ok
from chinwag.web.webapp import webapp_root_html

provider = Api()


def _rid(w: HandlerContext) -> str:
    return str(w.request.scope.get("state", {}).get("request_id", ""))


def _page_headers() -> dict[str, str]:
    return {"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-cache, max-age=31556926",
            "Content-Security-Policy": "frame-ancestors 'self'"}


@provider.route("GET", "/oauth/authorize", auth=False, trust_requester=True)
async def authorize_oauth_page(w: HandlerContext) -> Response:
    svc = w.app.oauth_provider
    if not svc.enabled():
        return error_page(AppError("authorizeOAuth", "api.oauth.authorize_oauth.disabled.app_error",
                                   "The system admin has turned off OAuth service providing.", 501), _rid(w))
    q = w.request.query_params
    req = AuthorizeRequest(response_type=q.get("response_type", ""), client_id=q.get("client_id", ""),
                           redirect_uri=q.get("redirect_uri", ""), scope=q.get("scope", ""),
                           state=q.get("state", ""), code_challenge=q.get("code_challenge", ""),
                           code_challenge_method=q.get("code_challenge_method", ""))
    try:
        validate_authorize(req)
        app = await svc.get_app(req.client_id, "authorizeOAuthPage")
    except AppError as e:
        return error_page(e, _rid(w))
    request_uri = w.request.url.path + (f"?{w.request.url.query}" if w.request.url.query else "")
    if w.ctx.session is None:
        target = "/login/sso/saml" if q.get("login_hint") == "saml" else "/login"
        return RedirectResponse(f"{site_url(w)}{target}?redirect_to={quote(request_uri, safe='')}", 302)
    if req.redirect_uri not in app.callback_urls:
        return error_page(AppError("authorizeOAuthPage", "api.oauth.allow_oauth.redirect_callback.app_error",
                                   "invalid_request: Supplied redirect_uri did not match registered "
                                   "callback_url.", 400), _rid(w))
    if app.is_trusted or await svc.is_authorized(w.ctx.user_id, app.id):
        try:
            return RedirectResponse(await svc.allow(w.ctx, req), 302)
        except AppError as e:
            return error_page(e, _rid(w))
    headers = _page_headers()
    root = webapp_root_html(w.app.config.effective)
    if root is not None:
        return HTMLResponse(root.read_bytes(), headers=headers)
    return HTMLResponse(_consent_page(app.sanitized(), req), headers=headers)


def _consent_page(app: OAuthApp, req: AuthorizeRequest) -> str:
    data = json.dumps(req.to_dict()).replace("<", "\\u003c")
    deny = req.redirect_uri + ("&" if "?" in req.redirect_uri else "?") + urlencode(
        {"error": "access_denied", "state": req.state})
    icon = f'<img src="{html.escape(app.icon_url)}" alt="" width="64" height="64">' if app.icon_url else ""
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize application</title></head>"
        "<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">"
        f"{icon}<h1 id=\"oauth-app\">{html.escape(app.name)}</h1>"
        f"<p>{html.escape(app.description)}</p>"
        f"<p><a href=\"{html.escape(app.homepage)}\" rel=\"noopener noreferrer\">{html.escape(app.homepage)}</a></p>"
        "<p>This application would like to access your account: read and change your data, and act as you.</p>"
        "<button id=\"allow\" type=\"button\">Allow</button> "
        f"<a id=\"deny\" href=\"{html.escape(deny)}\">Deny</a>"
        "<p id=\"error\" role=\"alert\"></p>"
        f"<script type=\"application/json\" id=\"request\">{data}</script>"
        "<script>document.getElementById('allow').onclick=async function(){"
        "const body=document.getElementById('request').textContent;"
        "const r=await fetch('/oauth/authorize',{method:'POST',credentials:'same-origin',"
        "headers:{'Content-Type':'application/json','X-Requested-With':'XMLHttpRequest'},body:body});"
        "const j=await r.json();if(r.ok&&j.redirect){window.location.href=j.redirect;}"
        "else{document.getElementById('error').textContent=j.message||'Error';}};</script>"
        "</body></html>"
    )


@provider.route("POST", "/oauth/authorize")
async def authorize_oauth_app(w: HandlerContext) -> Response:
    req = await w.json(AuthorizeRequest, "authorize_request")
    validate_authorize(req)
    if w.ctx.session is not None and w.ctx.session.is_oauth:
        raise permission_denied("authorizeOAuthApp", "permission=edit_other_users, attempted access by oauth app")
    redirect = await w.app.oauth_provider.allow(w.ctx, req)
    await w.app.audits.record(w.ctx, "authorizeOAuthApp", "success", user_id=w.ctx.user_id,
                              client_id=req.client_id)
    return json_response({"redirect": redirect})


@provider.route("POST", "/oauth/deauthorize")
async def deauthorize_oauth_app(w: HandlerContext) -> Response:
    body = await w.json_any()
    client_id = body.get("client_id", "") if isinstance(body, dict) else ""
    if not isinstance(client_id, str) or not is_valid_id(client_id):
        raise invalid_param("deauthorizeOAuthApp", "client_id")
    await w.app.oauth_provider.deauthorize(w.ctx, client_id)
    return ok()


def _basic_credentials(w: HandlerContext) -> tuple[str, str]:
    """HTTP Basic client authentication (RFC 6749 2.3.1), which many OAuth libraries use by default."""
    scheme, _, value = w.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return unquote_plus(user), unquote_plus(password)


@provider.route("POST", "/oauth/access_token", auth=False, trust_requester=True)
async def get_access_token(w: HandlerContext) -> Response:
    where = "getAccessToken"
    try:
        form = await w.request.form()
    except Exception:
        raise AppError(where, "api.oauth.get_access_token.bad_request.app_error",
                       "invalid_request: Bad request.", 400) from None

    def field(name: str) -> str:
        v = form.get(name) or w.request.query_params.get(name, "")
        return v if isinstance(v, str) else ""

    code, refresh, grant = field("code"), field("refresh_token"), field("grant_type")
    if grant == GRANT_AUTHORIZATION_CODE:
        if not code:
            raise AppError(where, "api.oauth.get_access_token.missing_code.app_error",
                           "invalid_request: Missing code.", 400)
    elif grant == GRANT_REFRESH_TOKEN:
        if not refresh:
            raise AppError(where, "api.oauth.get_access_token.missing_refresh_token.app_error",
                           "invalid_request: Missing refresh_token.", 400)
    else:
        raise AppError(where, "api.oauth.get_access_token.bad_grant.app_error",
                       "invalid_request: Bad grant_type.", 400)
    client_id, secret = field("client_id"), field("client_secret")
    if not client_id and not secret:
        client_id, secret = _basic_credentials(w)
    if not is_valid_id(client_id):
        raise AppError(where, "api.oauth.get_access_token.bad_client_id.app_error",
                       "invalid_request: Bad client_id.", 400)
    rsp = await w.app.oauth_provider.access_token(client_id, grant, field("redirect_uri"), code, secret, refresh,
                                                  field("code_verifier"))
    await w.app.audits.record(w.ctx, "getAccessToken", "success", client_id=client_id, grant_type=grant)
    return json_response(rsp, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def provider_routes(app: App) -> list[Route]:
    return build_routes(app, provider, prefix="")
