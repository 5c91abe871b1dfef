"""RateLimitSettings over HTTP (finding 2 of #19) and the always-on limit on failed sign-ins."""

from __future__ import annotations

from typing import Any

import pytest

from chinwag.bus.ratelimit import MemoryRateStore
from chinwag.server import Server
from chinwag.web.asgi import HttpPipeline
from tests.conftest import World, assert_error

US = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 10_000 * US

    def __call__(self) -> int:
        return self.now


def http_limiter(srv: Server) -> HttpPipeline:
    """The pipeline (which applies the rate limits) in the server's ASGI chain."""
    node: Any = srv.asgi
    for _ in range(20):
        if isinstance(node, HttpPipeline):
            return node
        node = getattr(node, "inner", None) or getattr(node, "asgi", None)
    raise AssertionError("no HttpPipeline in the chain")


@pytest.fixture
def clock(world: World) -> Clock:
    c = Clock()
    limiter = http_limiter(world.srv)
    limiter.store = MemoryRateStore(clock=c)
    attempts = world.srv.app.attempts
    attempts.store = MemoryRateStore(clock=c)
    return c


async def test_burst_then_429_with_headers(world: World, clock: Clock) -> None:
    admin = await world.user("admin")
    settings = world.srv.config.effective.RateLimitSettings
    settings.Enable, settings.PerSec, settings.MaxBurst = True, 2, 4
    answers = [await admin.get("/system/ping") for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert [r.headers["x-ratelimit-remaining"] for r in answers[:5]] == ["4", "3", "2", "1", "0"]
    assert all(r.headers["x-ratelimit-limit"] == "5" for r in answers)
    refused = answers[-1]
    assert refused.text == "limit exceeded\n"
    assert refused.headers["content-type"].startswith("text/plain")
    assert refused.headers["retry-after"] == "1" and int(refused.headers["x-ratelimit-reset"]) >= 2
    # every route counts, wrong-password logins and /users/me included
    assert (await admin.get("/users/me")).status_code == 429
    assert (await admin.post("/users/login", {"login_id": "admin", "password": "x"})).status_code == 429
    clock.now += US // 2  # one request a half second comes back
    assert (await admin.get("/users/me")).status_code == 200
    assert (await admin.get("/users/me")).status_code == 429
    settings.Enable = False
    assert [(await admin.get("/system/ping")).status_code for _ in range(20)] == [200] * 20
    assert "x-ratelimit-limit" not in (await admin.get("/system/ping")).headers


async def test_vary_by_user_and_by_header(world: World, clock: Clock) -> None:
    admin, ann = await world.user("admin"), await world.user("ann")
    settings = world.srv.config.effective.RateLimitSettings
    settings.Enable, settings.PerSec, settings.MaxBurst = True, 1, 2
    # by address (the default): both users share 127.0.0.1's budget
    assert [(await c.get("/users/me")).status_code for c in (admin, ann, admin, ann)] == [200, 200, 200, 429]
    clock.now += 100 * US
    settings.VaryByUser = True
    assert [(await admin.get("/users/me")).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert (await ann.get("/users/me")).status_code == 200  # her own budget
    anon = world.client()
    assert (await anon.get("/system/ping")).status_code == 200  # no token: the address
    clock.now += 100 * US
    settings.VaryByUser, settings.VaryByHeader = False, "X-Tenant"
    for tenant in ("a", "b"):
        codes = [(await anon.get("/system/ping", headers={"X-Tenant": tenant})).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], tenant


async def test_failed_sign_ins_are_limited_per_account_and_address(world: World, clock: Clock) -> None:
    await world.user("admin")
    await world.user("ann")
    world.srv.config.effective.ServiceSettings.MaximumLoginAttempts = 0  # no lockout: the limit alone
    anon = world.client()
    for _ in range(20):
        r = await anon.post("/users/login", {"login_id": "ann", "password": "wrong"})
        assert_error(r, 401, "api.user.login.invalid_credentials_email_username")
    r = await anon.post("/users/login", {"login_id": "ANN", "password": "password"})  # even the right one
    assert_error(r, 429, "api.user.login.rate_limited.app_error")
    assert r.headers["retry-after"] == "6"
    assert (await anon.post("/users/login", {"login_id": "admin", "password": "password"})).status_code == 200
    clock.now += 6 * US
    assert (await anon.post("/users/login", {"login_id": "ann", "password": "password"})).status_code == 200
    # the lockout (MaximumLoginAttempts) answers before the limit with Mattermost's settings
    world.srv.config.effective.ServiceSettings.MaximumLoginAttempts = 10
    clock.now += 1000 * US
    await world.user("bea")
    for _ in range(10):
        assert_error(await anon.post("/users/login", {"login_id": "bea", "password": "wrong"}), 401)
    r = await anon.post("/users/login", {"login_id": "bea", "password": "password"})
    assert_error(r, 401, "api.user.check_user_login_attempts.too_many.app_error")
    # successful sign-ins cost nothing; guesses at many accounts from one address stop at 30
    for _ in range(40):
        assert (await anon.post("/users/login", {"login_id": "admin", "password": "password"})).status_code == 200
    clock.now += 100 * US
    codes = [(await anon.post("/users/login", {"login_id": f"nobody{i}", "password": "x"})).status_code
             for i in range(31)]
    assert codes == [401] * 30 + [429]
    # another address (behind a trusted proxy) is not held back
    world.srv.config.effective.ServiceSettings.TrustedProxyIPHeader = ["X-Forwarded-For"]
    r = await anon.post("/users/login", {"login_id": "admin", "password": "password"},
                        headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 200
    r = await anon.post("/users/login", {"login_id": "admin", "password": "password"})
    assert_error(r, 429)


async def test_mails_on_request_are_limited(world: World, clock: Clock) -> None:
    await world.user("admin")
    await world.user("ann")
    anon = world.client()
    for path, error_id in (("/users/password/reset/send", "api.user.send_password_reset.rate_limited.app_error"),
                           ("/users/email/verify/send", "api.user.send_verification_email.rate_limited.app_error")):
        # per address of the inbox, known or not: 3, then one a minute
        for email in ("ann@example.com", "nobody@example.com"):
            codes = [(await anon.post(path, {"email": email})).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429], (path, email)
        r = await anon.post(path, {"email": "ANN@example.com"})
        assert_error(r, 429, error_id)
        assert r.headers["retry-after"] == "60"
        clock.now += 60 * US
        assert (await anon.post(path, {"email": "ann@example.com"})).status_code == 200
        # per client: 10 then three a minute, whatever the addresses
        clock.now += 3600 * US
        codes = [(await anon.post(path, {"email": f"u{i}@example.com"})).status_code for i in range(11)]
        assert codes == [200] * 10 + [429], path
        clock.now += 3600 * US
