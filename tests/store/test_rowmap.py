"""Declarative row mapping (``store/sql/rowmap.py``): every store's map round-trips its struct through
its table on SQLite, PostgreSQL and MySQL, NULL columns fall back to the field defaults, derived fields read
joined columns, and a map that forgets a field fails when it is declared."""

from __future__ import annotations

import types
import typing
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from chinwag.model.channel import Channel, ChannelMember, default_channel_notify_props
from chinwag.model.post import Post
from chinwag.model.user import User, default_timezone
from chinwag.server import migrate_database
from chinwag.store.sql import tables
from chinwag.store.sql.audit_store import AUDIT
from chinwag.store.sql.bot_store import BOT
from chinwag.store.sql.bot_store import _select as bot_select
from chinwag.store.sql.channel_store import CHANNEL, MEMBER
from chinwag.store.sql.command_store import COMMAND, COMMAND_WEBHOOK
from chinwag.store.sql.email_notification_store import ITEM as EMAIL_ITEM
from chinwag.store.sql.emoji_store import EMOJI
from chinwag.store.sql.engine import Database
from chinwag.store.sql.file_info_store import FILE_INFO
from chinwag.store.sql.job_store import JOB, UPLOAD
from chinwag.store.sql.post_store import _POST_SELECT, POST
from chinwag.store.sql.preference_store import PREFERENCE
from chinwag.store.sql.push_notification_store import ITEM as PUSH_ITEM
from chinwag.store.sql.reaction_store import REACTION
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.session_store import SESSION
from chinwag.store.sql.status_store import STATUS
from chinwag.store.sql.team_store import MEMBER as TEAM_MEMBER
from chinwag.store.sql.team_store import TEAM
from chinwag.store.sql.token_store import TOKEN
from chinwag.store.sql.user_store import USER, _select
from chinwag.store.sql.webhook_store import INCOMING, OUTGOING
from tests.conftest import TestDatabase

MAPS: list[RowMap[Any]] = [CHANNEL, MEMBER, POST, USER, TEAM, TEAM_MEMBER, SESSION, TOKEN, COMMAND, REACTION,
                           FILE_INFO, INCOMING, OUTGOING, EMOJI, JOB, UPLOAD,
                           EMAIL_ITEM, PUSH_ITEM, STATUS, PREFERENCE, AUDIT, COMMAND_WEBHOOK]


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        for t in reversed(tables.metadata.sorted_tables):
            await conn.execute(t.delete())
    yield d
    await d.engine.dispose()


def _sample_value(name: str, typ: Any, default: Any, i: int, length: int | None) -> Any:
    """A value unlike the field's default, short enough for an id column."""
    if isinstance(typ, types.UnionType) or typing.get_origin(typ) is typing.Union:
        typ = next(a for a in typing.get_args(typ) if a is not type(None))
    origin = typing.get_origin(typ) or typ
    if origin is bool:
        return not default if isinstance(default, bool) else True
    if origin is int:
        return 1_000_000 + i
    if origin is str:
        return f"{i:02d}{name}"[:length or None]
    if origin is bytes:
        return b"\x00\xffmini"
    if origin is dict:
        return {"k": f"v{i}"}
    if origin is list:
        return [f"a{i}", f"b{i}"]
    raise AssertionError(f"no sample for {name}: {typ}")


def _sample(m: RowMap[Any]) -> Any:
    fields = {f.name: f for f in msgspec.structs.fields(m.struct)}
    kw = {name: _sample_value(name, fields[name].type, fields[name].default, i,
                              getattr(m.table.c[col].type, "length", None))
          for i, (name, col) in enumerate(m.stored)}
    return m.struct(**kw)


@pytest.mark.parametrize("m", MAPS, ids=lambda m: m.struct.__name__ + "/" + m.table.name)
async def test_round_trip(db: Database, m: RowMap[Any]) -> None:
    obj = _sample(m)
    values = m.values(obj)
    assert tuple(values) == m.columns
    async with db.write() as conn:
        await conn.execute(m.table.insert(), [values])
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(m.table))).all()
    for got in (m.one(rows[0]), m.all(rows)[0]):
        for name, _ in m.stored:
            assert getattr(got, name) == getattr(obj, name), name


async def test_null_columns_read_as_field_defaults(db: Database) -> None:
    async with db.write() as conn:
        await conn.execute(tables.users.insert().values(id="u" * 26, username="nulls", email="n@example.com",
                                                        props=None, notifyprops=None, timezone=None, locale=""))
        await conn.execute(tables.channelmembers.insert().values(channelid="c" * 26, userid="u" * 26,
                                                                 notifyprops=None))
        await conn.execute(tables.reactions.insert().values(userid="u" * 26, postid="p" * 26, emojiname="x",
                                                            remoteid=None))
    async with db.read() as conn:
        user = USER.one((await conn.execute(_select())).one())
        member = MEMBER.one((await conn.execute(sa.select(tables.channelmembers))).one())
        reaction = REACTION.one((await conn.execute(sa.select(tables.reactions))).one())
    assert (user.props, user.notify_props, user.timezone, user.locale) == ({}, {}, default_timezone(), "en")
    assert user.last_activity_at == 0  # no status row: the outer join's NULL
    assert member.notify_props == default_channel_notify_props()
    assert member.explicit_roles == "" and member.roles == ""
    assert reaction.remote_id == ""


async def test_post_thread_columns_from_the_join(db: Database) -> None:
    root = Post(id="r" * 26, channel_id="c" * 26, message="root")
    reply = Post(id="s" * 26, channel_id="c" * 26, root_id=root.id, message="reply")
    async with db.write() as conn:
        await conn.execute(tables.posts.insert(), [POST.values(root), POST.values(reply)])
        await conn.execute(tables.threads.insert().values(postid=root.id, channelid=root.channel_id, replycount=1,
                                                          lastreplyat=77, participants=["u1"]))
    async with db.read() as conn:
        joined = {p.id: p for p in POST.all((await conn.execute(_POST_SELECT)).all())}
        plain = POST.one((await conn.execute(sa.select(tables.posts).where(tables.posts.c.id == root.id))).one())
    assert (joined[root.id].reply_count, joined[root.id].last_reply_at) == (1, 77)
    assert joined[root.id].participants == [{"id": "u1"}]
    # a reply carries the thread's count but not its summary
    assert (joined[reply.id].reply_count, joined[reply.id].last_reply_at, joined[reply.id].participants) == (1, 0, None)
    # without the thread join a root post reads as a thread with no replies
    assert (plain.reply_count, plain.last_reply_at, plain.participants) == (0, 0, [])


async def test_column_order_and_subsets(db: Database) -> None:
    c = Channel(id="c" * 26, name="town", display_name="Town", team_id="t" * 26)
    async with db.write() as conn:
        await conn.execute(tables.channels.insert().values(**CHANNEL.values(c)))
    async with db.read() as conn:
        ch = tables.channels.c
        reordered = (await conn.execute(sa.select(ch.name, ch.id, ch.teamid))).one()
        full = (await conn.execute(sa.select(tables.channels))).one()
    part = CHANNEL.one(reordered)
    assert (part.id, part.name, part.team_id, part.display_name) == (c.id, "town", c.team_id, "")
    assert CHANNEL.one(full) == c


async def test_bot_reads_user_columns(db: Database) -> None:
    async with db.write() as conn:
        await conn.execute(tables.users.insert().values(id="b" * 26, username="robot", email="r@example.com",
                                                        firstname="Robot", isbot=True))
        await conn.execute(tables.bots.insert().values(userid="b" * 26, description="beeps", ownerid="o" * 26))
    async with db.read() as conn:
        bot = BOT.one((await conn.execute(bot_select())).one())
    assert (bot.user_id, bot.username, bot.display_name, bot.description, bot.owner_id) == (
        "b" * 26, "robot", "Robot", "beeps", "o" * 26)


def test_a_field_without_a_column_fails_at_declaration() -> None:
    with pytest.raises(ValueError, match="last_activity_at"):
        RowMap(User, tables.users, skip=("bot_last_icon_update", "terms_of_service_id",
                                         "terms_of_service_create_at"))
    with pytest.raises(ValueError, match="no field 'nope'"):
        RowMap(ChannelMember, tables.channelmembers, skip=("nope",))
    with pytest.raises(ValueError, match="no column 'nope'"):
        RowMap(Post, tables.posts, skip=("message_source", "pending_post_id", "is_following", "metadata",
                                         "reply_count", "last_reply_at", "participants"),
               write={"nope": lambda p: 1})
