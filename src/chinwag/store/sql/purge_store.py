"""Permanent deletion (Mattermost's PermanentDeleteUser / PermanentDeleteTeam): every row that
belongs to a user or a team, in one transaction. Returns the stored file paths to remove."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import (
    audits,
    bots,
    channelmembers,
    channels,
    commands,
    commandwebhooks,
    drafts,
    fileinfo,
    incominghooks,
    oauthaccessdata,
    oauthauthdata,
    outgoinghooks,
    postreminders,
    posts,
    preferences,
    reactions,
    sessions,
    sidebarcategories,
    sidebarchannels,
    status,
    teammembers,
    teams,
    threadmemberships,
    threads,
    useraccesstokens,
    users,
    wsconnections,
)


async def _file_paths(conn: Any, where: Any) -> list[str]:
    rows = (await conn.execute(sa.select(fileinfo.c.path, fileinfo.c.thumbnailpath, fileinfo.c.previewpath)
                               .where(where))).all()
    return [p for r in rows for p in r if p]


class SqlPurgeStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def purge_user(self, user_id: str, conn: AsyncConnection | None = None) -> list[str]:
        """The user, their posts (with those posts' reactions, threads and files), memberships,
        sessions, tokens, OAuth grants, post reminders, drafts, preferences, sidebar categories, status, webhooks, slash commands and audit records."""
        own_posts = sa.select(posts.c.id).where(posts.c.userid == user_id).scalar_subquery()
        async with self.db.write_in(conn) as conn:
            paths = await _file_paths(conn, fileinfo.c.creatorid == user_id)
            await conn.execute(reactions.delete().where(sa.or_(reactions.c.userid == user_id,
                                                               reactions.c.postid.in_(own_posts))))
            await conn.execute(threadmemberships.delete().where(sa.or_(
                threadmemberships.c.userid == user_id, threadmemberships.c.postid.in_(own_posts))))
            await conn.execute(threads.delete().where(threads.c.postid.in_(own_posts)))
            await conn.execute(postreminders.delete().where(postreminders.c.postid.in_(own_posts)))
            await conn.execute(fileinfo.delete().where(fileinfo.c.creatorid == user_id))
            await conn.execute(posts.delete().where(posts.c.userid == user_id))
            for table, column in ((preferences, "userid"), (status, "userid"), (sessions, "userid"),
                                  (useraccesstokens, "userid"), (channelmembers, "userid"),
                                  (teammembers, "userid"), (wsconnections, "userid"), (incominghooks, "userid"),
                                  (outgoinghooks, "creatorid"), (commands, "creatorid"),
                                  (commandwebhooks, "userid"), (bots, "userid"), (audits, "userid"),
                                  (sidebarchannels, "userid"), (sidebarcategories, "userid"),
                                  (oauthaccessdata, "userid"), (oauthauthdata, "userid"), (postreminders, "userid"),
                                  (drafts, "userid")):
                await conn.execute(table.delete().where(table.c[column] == user_id))
            await conn.execute(users.delete().where(users.c.id == user_id))
        return paths

    async def purge_team(self, team_id: str, conn: AsyncConnection | None = None) -> list[str]:
        """The team, its channels with their posts, reactions, threads, files and members, its
        memberships, drafts in its channels, sidebar categories, webhooks and slash commands."""
        team_channels = sa.select(channels.c.id).where(channels.c.teamid == team_id).scalar_subquery()
        channel_posts = sa.select(posts.c.id).where(posts.c.channelid.in_(team_channels)).scalar_subquery()
        async with self.db.write_in(conn) as conn:
            paths = await _file_paths(conn, fileinfo.c.channelid.in_(team_channels))
            await conn.execute(reactions.delete().where(reactions.c.postid.in_(channel_posts)))
            await conn.execute(threadmemberships.delete().where(threadmemberships.c.postid.in_(channel_posts)))
            await conn.execute(threads.delete().where(threads.c.channelid.in_(team_channels)))
            await conn.execute(postreminders.delete().where(postreminders.c.postid.in_(channel_posts)))
            await conn.execute(drafts.delete().where(drafts.c.channelid.in_(team_channels)))
            await conn.execute(fileinfo.delete().where(fileinfo.c.channelid.in_(team_channels)))
            await conn.execute(posts.delete().where(posts.c.channelid.in_(team_channels)))
            await conn.execute(channelmembers.delete().where(channelmembers.c.channelid.in_(team_channels)))
            await conn.execute(commandwebhooks.delete().where(commandwebhooks.c.channelid.in_(team_channels)))
            await conn.execute(sidebarchannels.delete().where(sidebarchannels.c.categoryid.in_(
                sa.select(sidebarcategories.c.id).where(sidebarcategories.c.teamid == team_id).scalar_subquery())))
            await conn.execute(sidebarchannels.delete().where(sidebarchannels.c.channelid.in_(team_channels)))
            await conn.execute(sidebarcategories.delete().where(sidebarcategories.c.teamid == team_id))
            for table in (incominghooks, outgoinghooks, commands, teammembers):
                await conn.execute(table.delete().where(table.c.teamid == team_id))
            await conn.execute(channels.delete().where(channels.c.teamid == team_id))
            await conn.execute(teams.delete().where(teams.c.id == team_id))
        return paths
