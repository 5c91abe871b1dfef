"""A guard against 500s (#19): every operation in chinwag's route table gets hostile input — generated
paths, query strings and bodies (numbers beyond 64 bits, JSON nested 1,000 deep, invalid UTF-8, NUL and
control characters, very long strings) — as a system admin and as a plain user, on both databases. Any
5xx fails.

Two parts: a sweep that sends every operation a fixed set of bad inputs (so no route is left out), and a
hypothesis property over the whole table. The example budget is fixed (``CHINWAG_FUZZ_EXAMPLES``, 200 per
actor by default) and the examples are derandomised, so CI runs the same requests every time in well
under a minute; raise the budget and set ``CHINWAG_FUZZ_RANDOM=1`` to explore locally.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinwag.web.route_table import Operation, operations
from tests.conftest import Client, World

EXAMPLES = int(os.environ.get("CHINWAG_FUZZ_EXAMPLES", "200"))
RANDOM = os.environ.get("CHINWAG_FUZZ_RANDOM") == "1"

#: operations left out, with the reason: they end the caller's own session (which would only stop
#: the rest of the run from getting past authentication)
SKIP = {
    ("POST", "/api/v4/users/logout"),
    # marks the server busy: searches then answer 503 api.context.server_busy.app_error, as Mattermost's do
    ("POST", "/api/v4/server_busy"),
}
#: operations whose 5xx is Mattermost's answer for an outside service that is not there in the tests
#: (the status is what Mattermost sends; the body is still its error JSON)
OUTSIDE_SERVICE_5XX = {
    ("POST", "/api/v4/email/test"),  # no SMTP server: 500 api.admin.test_email.failure
    ("POST", "/api/v4/file/s3_test"),  # no S3: 500 api.file.test_connection.app_error
    ("POST", "/api/v4/ldap/test"), ("POST", "/api/v4/ldap/sync"),  # no directory server
    ("POST", "/api/v4/site_url/test"),  # the Site URL does not answer
    ("GET", "/api/v4/logs/download"),  # no log file kept (or none yet): Mattermost's 500 download_bytes_buffer
}

HUGE = ["9" * 30, "-" + "9" * 30, "9223372036854775808", "18446744073709551616", "1e400", "NaN"]
NASTY_TEXT = ["a\x00b", "\x00", "\x01\x02\x1f\x7f", "\u202e\ufeff", "%00", "../../../etc/passwd",
              "x" * 4000, "😀" * 300, "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "", " ",
              "'; DROP TABLE users; --", "*", "%", "_", "\\"]
QUERY_NAMES = ["page", "per_page", "since", "before", "after", "limit", "last_delete_at", "create_at", "term",
               "name", "team_id", "channel_id", "user_id", "in_team", "not_in_team", "in_channel",
               "not_in_channel", "include_deleted", "sort", "direction", "roles", "role", "active", "inactive",
               "filename", "format", "scope", "state", "code", "redirect_to", "seconds", "timestamp", "q",
               "get_server_status", "include_total_count", "exclude_team", "iid", "h", "access_token"]
BODY_KEYS = ["id", "user_id", "channel_id", "team_id", "post_id", "root_id", "message", "name", "display_name",
             "type", "term", "terms", "page", "per_page", "since", "create_at", "update_at", "delete_at",
             "roles", "password", "new_password", "current_password", "login_id", "description", "header",
             "purpose", "props", "file_ids", "active", "limit", "email", "username", "token", "user_ids",
             "permissions", "status", "emoji_name", "trigger", "url", "callback_urls", "is_or_search",
             "time_zone_offset", "include_deleted_channels", "ServiceSettings", "FileSettings", "data"]
DEEP = "[" * 1000 + "]" * 1000


@dataclass
class Seeded:
    admin: Client
    user: Client
    ids: dict[str, list[str]] = field(default_factory=dict)
    passwords: dict[int, str] = field(default_factory=dict)


async def _seed(world: World) -> Seeded:
    cfg = world.srv.config.effective
    cfg.ServiceSettings.EnableUserAccessTokens = True
    cfg.ServiceSettings.EnableBotAccountCreation = True
    cfg.ServiceSettings.EnableIncomingWebhooks = cfg.ServiceSettings.EnableOutgoingWebhooks = True
    cfg.ServiceSettings.EnableCommands = True
    admin = await world.user("admin")
    user = await world.user("member")
    victim = await world.user("victim")
    team = await world.team(admin, "fuzz")
    await world.join(admin, team, user, victim)
    channel = await world.channel(user, team, "fuzzing")
    private = await world.channel(admin, team, "closed", "P")
    post = await world.post(user, channel, "a post to aim at")
    reply = await world.post(user, channel, "a reply", root_id=post["id"])
    hook = (await admin.post("/hooks/incoming", {"channel_id": channel["id"]})).json()
    bot = (await admin.post("/bots", {"username": "fuzzbot"})).json()
    cmd = (await admin.post("/commands", {"team_id": team["id"], "trigger": "fz", "url": "http://127.0.0.1:9/",
                                          "method": "P"})).json()
    ids = {
        "team_id": [team["id"]], "channel_id": [channel["id"], private["id"]], "post_id": [post["id"], reply["id"]],
        "thread_id": [post["id"]], "user_id": [victim.user["id"]], "bot_user_id": [bot.get("user_id", "")],
        "hook_id": [hook.get("id", "")], "command_id": [cmd.get("id", "")],
        "team_name": [team["name"]], "channel_name": [channel["name"]], "username": ["victim"],
        "email": ["victim@example.com"], "name": ["system_user", "fuzz"], "role_id": [], "emoji_name": ["smile"],
        "invite_id": [team.get("invite_id", "")], "category": ["direct_channel_show"],
    }
    roles = (await admin.post("/roles/names", ["system_user"])).json()
    ids["role_id"] = [r["id"] for r in roles]
    return Seeded(admin, user, {k: [v for v in vs if v] for k, vs in ids.items()})


def _ops() -> list[Operation]:
    return [op for op in operations() if (op.method, op.path) not in SKIP and not op.path.endswith("/websocket")]


_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def _fill(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: quote(values.get(m.group(1), "x"), safe=""), path)


async def _send(c: Client, method: str, path: str, params: list[tuple[str, str]] | None = None,
                body: bytes | None = None, content_type: str = "application/json") -> httpx.Response:
    headers = {"Authorization": f"Bearer {c.token}", "Content-Type": content_type,
               "X-Requested-With": "XMLHttpRequest"}
    return await c.http.request(method, "http://localhost:8065" + path, params=params, content=body,
                                headers=headers)


def _check(op: Operation, r: httpx.Response, what: str) -> None:
    if r.status_code < 500:
        return
    if r.status_code == 501:  # Mattermost's deliberate answer for a feature that is off or unlicensed
        return
    is_json = r.headers.get("content-type") == "application/json"
    if (op.method, op.path) in OUTSIDE_SERVICE_5XX and is_json:
        return
    raise AssertionError(f"{op.method} {op.path} ({what}) answered {r.status_code}: {r.text[:500]}")


async def _relogin(world: World, s: Seeded) -> None:
    for c, name in ((s.admin, "admin"), (s.user, "member")):
        if (await c.get("/users/me")).status_code == 401:
            r = await c.post("/users/login", {"login_id": name, "password": "password"})
            if r.status_code == 200:
                c.token = r.headers["Token"]


def _valid(seeded: Seeded, op: Operation) -> dict[str, str]:
    return {name: (seeded.ids.get(name) or ["x"])[0] for name in _PARAM.findall(op.path)}


FIXED_BODIES: list[tuple[str, bytes]] = [
    ("deep JSON", DEEP.encode()),
    ("deep value", b'{"message": ' + DEEP.encode() + b', "name": ' + DEEP.encode() + b"}"),
    ("invalid UTF-8", b'{"message": "\xff\xfe\xfd", "name": "\xc3\x28", "term": "\xed\xa0\x80"}'),
    ("huge numbers", msgspec.json.encode({k: int("9" * 30) for k in BODY_KEYS})),
    ("NUL strings", msgspec.json.encode({k: "a\u0000b" for k in BODY_KEYS})),
    ("control characters", msgspec.json.encode({k: "\u0001\u001f\u007f" for k in BODY_KEYS})),
    ("wrong types", msgspec.json.encode({k: [{"x": None}] for k in BODY_KEYS})),
    ("a list", b'["a\\u0000", 99999999999999999999999999, null]'),
    ("not JSON", b"\x00\x01garbage"),
]


async def test_every_operation_survives_fixed_bad_input(world: World) -> None:
    seeded = await _seed(world)
    for actor in (seeded.user, seeded.admin):
        for op in _ops():
            values = _valid(seeded, op)
            path = _fill(op.path, values)
            # bad query values on a valid path
            r = await _send(actor, op.method, path, [(n, HUGE[0]) for n in QUERY_NAMES])
            _check(op, r, "huge query numbers")
            r = await _send(actor, op.method, path, [(n, "a\x00b") for n in QUERY_NAMES])
            _check(op, r, "NUL in the query")
            if op.method in ("POST", "PUT", "PATCH", "DELETE"):
                for what, body in FIXED_BODIES:
                    _check(op, await _send(actor, op.method, path, body=body), what)
            # bad path parameters
            for bad in ("9" * 30, "a\x00b\x01", "x" * 300, "me"):
                if values:
                    _check(op, await _send(actor, op.method, _fill(op.path, dict.fromkeys(values, bad))),
                           f"path parameter {bad[:10]!r}")
        await _relogin(world, seeded)


# hypothesis ------------------------------------------------------------------------------------------

scalars = st.one_of(
    st.sampled_from(HUGE), st.sampled_from(NASTY_TEXT), st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str), st.sampled_from(["true", "false", "me", "0", "-1"]),
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
                      st.floats(allow_nan=False), st.text(max_size=60), st.sampled_from(NASTY_TEXT),
                      st.just("y" * 70_000))
json_values = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(BODY_KEYS), inner, max_size=6)), max_leaves=20)


Req = tuple[Operation, dict[str, str | None], list[tuple[str, str]], bytes | None]


@st.composite
def requests(draw: st.DrawFn, ops: list[Operation]) -> Req:
    op = draw(st.sampled_from(ops))
    path_values: dict[str, str | None] = {
        name: draw(st.one_of(st.none(), scalars)) for name in _PARAM.findall(op.path)}  # None: a seeded id
    query = draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES), scalars), max_size=5))
    body_kind = draw(st.sampled_from(["object", "value", "raw", "none"]))
    body: bytes | None
    if body_kind == "object":
        body = msgspec.json.encode(draw(st.dictionaries(st.sampled_from(BODY_KEYS), json_values, max_size=8)))
    elif body_kind == "value":
        body = msgspec.json.encode(draw(json_values))
    elif body_kind == "raw":
        body = draw(st.one_of(st.binary(max_size=200), st.sampled_from([b for _, b in FIXED_BODIES])))
    else:
        body = None
    return op, path_values, query, body


async def test_generated_requests_never_get_a_5xx(world: World) -> None:
    """Hypothesis drives the examples from a worker thread (it runs a test function synchronously); each
    example's request runs on the test's event loop, where the server lives."""
    seeded = await _seed(world)
    ops = _ops()
    loop = asyncio.get_running_loop()

    for actor in (seeded.user, seeded.admin):
        async def one(req: Req, actor: Client = actor) -> None:
            op, path_values, query, body = req
            values = {k: v if v is not None else (seeded.ids.get(k) or ["x"])[0] for k, v in path_values.items()}
            r = await _send(actor, op.method, _fill(op.path, values), query, body)
            if r.status_code == 401:
                await _relogin(world, seeded)
            _check(op, r, f"generated: path={values} query={query!r:.200} body={body!r:.300}")

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(requests(ops))
        def run(req: Req) -> None:
            asyncio.run_coroutine_threadsafe(one(req), loop).result()

        await asyncio.to_thread(run)
