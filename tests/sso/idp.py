"""A test identity provider, run as its own process on loopback: GitLab's OAuth 2.0 applications
(authorize, token, ``/api/v4/user``) and an OpenID Connect provider (discovery, JWKS, RS256 ID tokens)
in one Starlette app. It checks client credentials, the registered redirect URI and PKCE (S256), and
hands out single-use codes.

Tests configure it over HTTP: ``POST /_control`` with ``users`` ({login: claims}), ``clients``
({client_id: {secret, redirect_uris}}) and misbehaviour for the next ID tokens (``aud``, ``iss``,
``nonce``, ``rogue_key``, ``expired``). Run: ``python -m tests.sso.idp PORT``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import sys
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-key-1", "use": "sig"}, private=True)
ROGUE = RSAKey.generate_key(2048, parameters={"kid": "idp-key-1", "use": "sig"}, private=True)

STATE: dict[str, Any] = {"users": {}, "clients": {}, "codes": {}, "tokens": {}, "mode": {}, "log": []}


def _issuer(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _err(status: int, error: str, desc: str = "") -> JSONResponse:
    return JSONResponse({"error": error, "error_description": desc}, status_code=status)


async def discovery(request: Request) -> Response:
    iss = _issuer(request)
    return JSONResponse({
        "issuer": iss, "authorization_endpoint": iss + "/oauth/authorize", "token_endpoint": iss + "/oauth/token",
        "userinfo_endpoint": iss + "/userinfo", "jwks_uri": iss + "/jwks",
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
    })


async def jwks(request: Request) -> Response:
    return JSONResponse(KeySet([KEY]).as_dict(private=False))


def _check_authorize(params: dict[str, str]) -> str:
    client = STATE["clients"].get(params.get("client_id", ""))
    if client is None:
        return "unknown client_id"
    if params.get("redirect_uri") not in client["redirect_uris"]:
        return f"redirect_uri {params.get('redirect_uri')!r} is not registered"
    if params.get("response_type") != "code":
        return "response_type must be code"
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return "PKCE (S256) is required"
    return ""


async def authorize(request: Request) -> Response:
    if request.method == "GET":
        params = dict(request.query_params)
        problem = _check_authorize(params)
        if problem:
            return HTMLResponse(f"<p id=error>{html.escape(problem)}</p>", status_code=400)
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in params.items())
        return HTMLResponse(
            "<!doctype html><title>Test IdP</title><h1>Sign in to the test IdP</h1>"
            f'<form method="post" action="/oauth/authorize">{hidden}'
            '<label>IdP username <input name="login" autocomplete="off"></label>'
            '<button type="submit">Authorize</button></form>')
    form = {k: str(v) for k, v in (await request.form()).items()}
    problem = _check_authorize(form)
    if problem:
        return HTMLResponse(f"<p id=error>{html.escape(problem)}</p>", status_code=400)
    if form.get("login") not in STATE["users"]:
        return HTMLResponse("<p id=error>no such IdP user</p>", status_code=400)
    code = secrets.token_urlsafe(24)
    STATE["codes"][code] = {k: form.get(k, "") for k in (
        "client_id", "redirect_uri", "code_challenge", "nonce", "scope", "login")}
    sep = "&" if "?" in form["redirect_uri"] else "?"
    return RedirectResponse(form["redirect_uri"] + sep + urlencode({"code": code, "state": form.get("state", "")}),
                            status_code=302)


def _id_token(request: Request, grant: dict[str, str], client_id: str) -> str:
    mode = STATE["mode"]
    user = STATE["users"][grant["login"]]
    now = int(time.time())
    claims = {
        "iss": mode.get("iss", _issuer(request)), "sub": str(user.get("sub", user.get("id"))),
        "aud": mode.get("aud", client_id), "iat": now, "exp": now - 600 if mode.get("expired") else now + 300,
        "nonce": mode.get("nonce", grant["nonce"]), "email": user.get("email"),
        "preferred_username": user.get("username"), "given_name": user.get("given_name", ""),
        "family_name": user.get("family_name", ""),
    }
    return jwt.encode({"alg": "RS256", "kid": "idp-key-1"}, claims, ROGUE if mode.get("rogue_key") else KEY)


async def token(request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    STATE["log"].append({"path": "/oauth/token", "form": {k: v for k, v in form.items() if k != "client_secret"}})
    client = STATE["clients"].get(form.get("client_id", ""))
    if client is None or not secrets.compare_digest(client["secret"], form.get("client_secret", "")):
        return _err(401, "invalid_client")
    grant = STATE["codes"].pop(form.get("code", ""), None)
    if grant is None or grant["client_id"] != form["client_id"]:
        return _err(400, "invalid_grant", "unknown or used code")
    if grant["redirect_uri"] != form.get("redirect_uri"):
        return _err(400, "invalid_grant", "redirect_uri mismatch")
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not verifier or challenge != grant["code_challenge"]:
        return _err(400, "invalid_grant", "PKCE verification failed")
    access = secrets.token_urlsafe(24)
    STATE["tokens"][access] = grant["login"]
    body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": 7200}
    if "openid" in grant["scope"].split():
        body["id_token"] = _id_token(request, grant, form["client_id"])
    return JSONResponse(body)


def _bearer(request: Request) -> dict[str, Any] | None:
    auth = request.headers.get("authorization", "")
    login = STATE["tokens"].get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
    return STATE["users"].get(login) if login else None


async def gitlab_user(request: Request) -> Response:
    user = _bearer(request)
    if user is None:
        return _err(401, "invalid_token")
    return JSONResponse({"id": user["id"], "username": user["username"], "email": user["email"],
                         "name": user.get("name", ""), "state": "active"})


async def userinfo(request: Request) -> Response:
    user = _bearer(request)
    if user is None:
        return _err(401, "invalid_token")
    return JSONResponse({"sub": str(user.get("sub", user["id"])), "email": user["email"],
                         "preferred_username": user["username"]})


async def control(request: Request) -> Response:
    body = await request.json()
    for key in ("users", "clients"):
        STATE[key].update(body.get(key, {}))
    if "mode" in body:
        STATE["mode"] = dict(body["mode"])
    return JSONResponse({"ok": True, "log": STATE["log"][-5:]})


app = Starlette(routes=[
    Route("/.well-known/openid-configuration", discovery),
    Route("/jwks", jwks),
    Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/api/v4/user", gitlab_user),
    Route("/userinfo", userinfo),
    Route("/_control", control, methods=["POST"]),
])


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
