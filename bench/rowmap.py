"""Row mapping micro-benchmark: rows → structs on the hot read paths (a 60-post page with its thread
join, channel members, users), the declarative ``RowMap`` against the hand-written mappers it
replaced (kept here, verbatim, as the baseline). Rows come from a real database (PostgreSQL by
default, ``--sqlite`` for a file database); only the mapping is timed.

    .venv/bin/python -m bench.rowmap [--rows 60] [--sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import timeit
from typing import Any

import sqlalchemy as sa
from tests.procs import create_pg_database

from bench.common import PG_URL
from chinwag.model.channel import ChannelMember, default_channel_notify_props
from chinwag.model.ids import new_id
from chinwag.model.post import Post
from chinwag.model.user import User, default_timezone
from chinwag.server import migrate_database
from chinwag.store.sql import tables
from chinwag.store.sql.channel_store import MEMBER
from chinwag.store.sql.engine import Database
from chinwag.store.sql.post_store import _POST_SELECT, POST
from chinwag.store.sql.user_store import USER, _select

# -- the hand-written mappers as they were before RowMap (baseline) -------------------------------


def old_row_to_post(r: Any) -> Post:
    m = r._mapping
    is_root = m["rootid"] == ""
    return Post(
        id=m["id"], create_at=m["createat"], update_at=m["updateat"], edit_at=m["editat"],
        delete_at=m["deleteat"], is_pinned=bool(m["ispinned"]), user_id=m["userid"], channel_id=m["channelid"],
        root_id=m["rootid"], original_id=m["originalid"], message=m["message"], type=m["type"],
        props=m["props"] or {}, hashtags=m["hashtags"], file_ids=m["fileids"] or [],
        has_reactions=bool(m["hasreactions"]), remote_id=m["remoteid"],
        reply_count=int(m.get("replycount") or 0),
        last_reply_at=int(m.get("lastreplyat") or 0) if is_root else 0,
        participants=[{"id": uid} for uid in (m.get("participants") or [])] if is_root else None,
    )


def old_row_to_member(r: Any) -> ChannelMember:
    m = r._mapping
    return ChannelMember(
        channel_id=m["channelid"], user_id=m["userid"], explicit_roles=m["roles"],
        last_viewed_at=m["lastviewedat"], msg_count=m["msgcount"], mention_count=m["mentioncount"],
        mention_count_root=m["mentioncountroot"], urgent_mention_count=m["urgentmentioncount"],
        msg_count_root=m["msgcountroot"], notify_props=m["notifyprops"] or default_channel_notify_props(),
        last_update_at=m["lastupdateat"], scheme_user=bool(m["schemeuser"]), scheme_admin=bool(m["schemeadmin"]),
        scheme_guest=bool(m["schemeguest"]),
    )


def old_row_to_user(r: Any) -> User:
    m = r._mapping
    return User(
        id=m["id"], create_at=m["createat"], update_at=m["updateat"], delete_at=m["deleteat"],
        username=m["username"], auth_data=m["authdata"], auth_service=m["authservice"], email=m["email"],
        email_verified=bool(m["emailverified"]), nickname=m["nickname"], first_name=m["firstname"],
        last_name=m["lastname"], position=m["position"], roles=m["roles"],
        allow_marketing=bool(m["allowmarketing"]), props=m["props"] or {}, notify_props=m["notifyprops"] or {},
        last_password_update=m["lastpasswordupdate"], last_picture_update=m["lastpictureupdate"],
        locale=m["locale"] or "en", timezone=m["timezone"] or default_timezone(), mfa_active=bool(m["mfaactive"]),
        remote_id=m["remoteid"], is_bot=bool(m["isbot"]), bot_description=m["botdescription"],
        disable_welcome_email=bool(m["disablewelcomeemail"]), last_activity_at=m.get("lastactivityat") or 0,
    )


async def load(db: Database, n: int) -> dict[str, list[Any]]:
    await migrate_database(db)
    channel = new_id()
    roots = [Post(id=new_id(), channel_id=channel, user_id=new_id(), create_at=i, message=f"message {i}",
                  props={"from_bot": "false"} if i % 3 == 0 else {}) for i in range(n // 2)]
    replies = [Post(id=new_id(), channel_id=channel, user_id=new_id(), root_id=roots[i].id, create_at=n + i,
                    message=f"reply {i}") for i in range(n - len(roots))]
    users = [User(id=new_id(), username=f"user{i}", email=f"user{i}@example.com", first_name="First",
                  last_name="Last", notify_props={"push": "mention"}) for i in range(n)]
    members = [ChannelMember(channel_id=channel, user_id=u.id, msg_count=i) for i, u in enumerate(users)]
    async with db.write() as conn:
        await conn.execute(tables.posts.insert(), [POST.values(p) for p in roots + replies])
        await conn.execute(tables.threads.insert(), [
            {"postid": r.id, "channelid": channel, "replycount": 1, "lastreplyat": n, "participants": [r.user_id]}
            for r in roots])
        await conn.execute(tables.users.insert(), [USER.values(u) for u in users])
        await conn.execute(tables.channelmembers.insert(), [MEMBER.values(m) for m in members])
    async with db.read() as conn:
        return {
            "posts": (await conn.execute(_POST_SELECT.where(tables.posts.c.channelid == channel))).all(),
            "members": (await conn.execute(sa.select(tables.channelmembers))).all(),
            "users": (await conn.execute(_select())).all(),
        }


def per_row_us(fns: dict[str, Any], rows: list[Any], rounds: int = 25) -> dict[str, float]:
    """The best time per row of each mapper, the mappers taking turns (the machine is shared)."""
    runs = max(1, 5_000 // len(rows))
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for label, fn in fns.items():
            best[label] = min(best[label], timeit.timeit(lambda f=fn: f(rows), number=runs))
    return {label: round(t / runs / len(rows) * 1e6, 2) for label, t in best.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--sqlite", action="store_true")
    args = ap.parse_args()
    drop = None
    if args.sqlite:
        db = Database("sqlite", os.path.join(tempfile.mkdtemp(prefix="chinwag-rowmap-"), "b.db"))
    else:
        url, drop = create_pg_database(PG_URL)
        db = Database("postgres", url)

    async def fetch() -> dict[str, list[Any]]:
        try:
            return await load(db, args.rows)
        finally:
            await db.engine.dispose()
            await db.read_engine.dispose()

    rows = asyncio.run(fetch())
    if drop is not None:
        drop()
    cases = {
        "posts": (old_row_to_post, POST),
        "channel members": (old_row_to_member, MEMBER),
        "users": (old_row_to_user, USER),
    }
    out = {}
    for name, (old, new) in cases.items():
        r = rows[name.split()[-1]]
        assert [old(x) for x in r] == new.all(r) == [new.one(x) for x in r], name
        out[name] = per_row_us({
            "hand-written µs/row": lambda rs, f=old: [f(x) for x in rs],
            "RowMap.all µs/row": new.all,
            "RowMap.one µs/row": lambda rs, m=new: [m.one(x) for x in rs],
        }, r)
    print(json.dumps({"database": "sqlite" if args.sqlite else "postgres", "rows": args.rows, **out}, indent=2,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
