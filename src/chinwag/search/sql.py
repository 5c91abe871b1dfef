"""SQL search backends over ``posts.searchtext``.

PostgreSQL: ``LIKE`` patterns answered by the pg_trgm GIN index ``idx_posts_searchtext_trgm``.
SQLite: ``GLOB`` patterns answered by the FTS5 trigram table ``posts_fts`` (external content over
posts, kept in step by triggers). MySQL/MariaDB: the same ``LIKE`` patterns as PostgreSQL over the
utf8mb4 binary-collated column, reading the channels' rows and keeping the newest matches (MariaDB's
FULLTEXT has no ngram parser, and InnoDB's word tokenizer could not answer substrings or CJK). All
fetch the newest ``limit`` candidates that match, then score them here (``base.score_text``) so
ranking is the same on all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from chinwag.model.search_query import Term
from chinwag.model.search_text import index_text
from chinwag.search.base import Connections, PostHit, PostSearch, Progress, rank, score_text

_posts = sa.table(
    "posts",
    sa.column("id", sa.String),
    sa.column("createat", sa.BigInteger),
    sa.column("deleteat", sa.BigInteger),
    sa.column("userid", sa.String),
    sa.column("channelid", sa.String),
    sa.column("type", sa.String),
    sa.column("message", sa.Text),
    sa.column("hashtags", sa.Text),
    sa.column("searchtext", sa.Text),
)
_fts = sa.table("posts_fts", sa.column("rowid", sa.Integer), sa.column("searchtext", sa.Text))
_REINDEX_BATCH = 2000


def _inline(pattern: str) -> sa.BindParameter[str]:
    """The pattern written into the SQL text: PostgreSQL plans with the actual pattern (trigram
    index or not) every time instead of settling on a generic plan for a prepared statement."""
    return sa.bindparam(None, pattern, type_=sa.Text(), literal_execute=True)


def _glob(col: sa.ColumnElement[str], pattern: str) -> sa.ColumnElement[bool]:
    return cast("sa.ColumnElement[bool]", col.op("GLOB", is_comparison=True)(sa.literal(pattern)))


class SqlSearchEngine:
    """Post search on the chinwag database itself (PostgreSQL, MySQL/MariaDB or SQLite)."""

    def __init__(self, db: Connections) -> None:
        self.db = db
        self.sqlite = db.driver == "sqlite"
        self.mysql = db.driver == "mysql"
        self.name = "sqlite-fts5" if self.sqlite else "mysql-like" if self.mysql else "postgres-trgm"

    def _match(self, t: Term) -> sa.ColumnElement[bool]:
        if self.sqlite:
            sub = sa.select(_fts.c.rowid).where(_glob(_fts.c.searchtext, t.glob))
            return cast("sa.ColumnElement[bool]", sa.literal_column("posts.rowid").in_(sub))
        return _posts.c.searchtext.like(_inline(t.pattern))

    def _excluded(self, t: Term) -> sa.ColumnElement[bool]:
        if self.sqlite:
            return sa.not_(_glob(_posts.c.searchtext, t.glob))
        return _posts.c.searchtext.not_like(_inline(t.pattern))

    def _select(self, q: PostSearch, lo: int, hi: int, limit: int) -> sa.Select[Any]:
        p = _posts.c
        stmt = sa.select(p.id, p.createat, p.searchtext).where(
            p.deleteat == 0,
            sa.not_(p.type.startswith("system_", autoescape=True)),
            p.channelid.in_(list(q.channel_ids)),
        )
        if q.user_ids is not None:
            stmt = stmt.where(p.userid.in_(list(q.user_ids)))
        if q.excluded_user_ids:
            stmt = stmt.where(p.userid.not_in(list(q.excluded_user_ids)))
        if lo:
            stmt = stmt.where(p.createat >= lo)
        if hi:
            stmt = stmt.where(p.createat < hi)
        if q.terms:
            matches = [self._match(t) for t in q.terms]
            stmt = stmt.where(sa.or_(*matches) if q.is_or else sa.and_(*matches))
        for t in q.excluded:
            stmt = stmt.where(self._excluded(t))
        if self.mysql:
            # without it MariaDB walks (createat, id) newest first and fetches every row it passes: fine
            # when the newest 300 matches are near, 5–10 times slower than reading the channels' rows
            # (or the table) and sorting the matches when the term is rare or the channels few
            # (bench/README.md, "MySQL/MariaDB")
            stmt = stmt.with_hint(_posts, "IGNORE INDEX (idx_posts_create_at_id)", "mysql")
        return stmt.order_by(p.createat.desc(), p.id.desc()).limit(limit)

    async def search_posts(self, q: PostSearch) -> list[PostHit]:
        """The newest ``q.limit`` matches, ranked."""
        if not q.channel_ids or (q.user_ids is not None and not q.user_ids):
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(self._select(q, q.created_from, q.created_before, q.limit))).all()
        hits = [score_text(q, r.id, int(r.createat), r.searchtext) for r in rows]
        return rank([h for h in hits if h is not None])

    async def posts_changed(self, post_ids: Sequence[str]) -> None:
        """Nothing to do: posts.searchtext is written with the post, in the same transaction."""
        return None

    async def reindex(self, progress: Progress | None = None) -> int:
        """Recompute posts.searchtext for every post (imported rows, or after the folding rules
        change), then rebuild SQLite's FTS5 table from it."""
        done, last = 0, ""
        while True:
            async with self.db.write() as conn:
                rows = (await conn.execute(
                    sa.select(_posts.c.id, _posts.c.message, _posts.c.hashtags, _posts.c.searchtext)
                    .where(_posts.c.id > last).order_by(_posts.c.id).limit(_REINDEX_BATCH)
                )).all()
                if not rows:
                    break
                changed = [{"pid": r.id, "st": st} for r in rows
                           if (st := index_text(r.message or "", r.hashtags or "")) != r.searchtext]
                if changed:
                    await conn.execute(
                        _posts.update().where(_posts.c.id == sa.bindparam("pid"))
                        .values(searchtext=sa.bindparam("st")),
                        changed,
                    )
            done += len(rows)
            last = rows[-1].id
            if progress is not None:
                progress(done)
        if self.sqlite:
            async with self.db.write() as conn:
                await conn.execute(sa.text("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')"))
        return done
