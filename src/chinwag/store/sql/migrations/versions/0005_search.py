"""Search: posts.searchtext (folded, tokenised message) and its index: pg_trgm GIN on PostgreSQL,
an FTS5 trigram table kept in step by triggers on SQLite, none on MySQL/MariaDB (LIKE scans). Existing posts are indexed here.

Revision ID: 0005_search
Revises: 0004_integrations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chinwag.model.search_text import index_text

revision = "0005_search"
down_revision = "0004_integrations"
branch_labels = None
depends_on = None

_BATCH = 2000

# External-content FTS5 table over posts.searchtext (no second copy of the text). The triggers
# keep it in step with every insert, edit and hard delete, whichever code path writes the row.
# A later migration that rebuilds the posts table on SQLite (batch mode) drops the triggers and
# must create them again, then run `chinwag search reindex`.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5("
    "searchtext, content='posts', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_ai AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, searchtext) VALUES (new.rowid, new.searchtext); END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_ad AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, searchtext) VALUES ('delete', old.rowid, old.searchtext); END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_au AFTER UPDATE OF searchtext ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, searchtext) VALUES ('delete', old.rowid, old.searchtext); "
    "INSERT INTO posts_fts(rowid, searchtext) VALUES (new.rowid, new.searchtext); END",
]


def _backfill(conn: sa.Connection) -> None:
    posts = sa.table("posts", sa.column("id"), sa.column("message"), sa.column("hashtags"),
                     sa.column("searchtext"))
    last = ""
    while True:
        rows = conn.execute(
            sa.select(posts.c.id, posts.c.message, posts.c.hashtags)
            .where(posts.c.id > last).order_by(posts.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            posts.update().where(posts.c.id == sa.bindparam("pid")).values(searchtext=sa.bindparam("st")),
            [{"pid": r.id, "st": index_text(r.message or "", r.hashtags or "")} for r in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("posts", sa.Column("searchtext", sa.Text(), server_default="", nullable=False))
    conn = op.get_bind()
    _backfill(conn)
    if conn.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # LIKE '%term%' selectivity comes from the column's histogram: a larger sample lets the
        # planner tell a rare term (trigram index) from a common one (newest posts first)
        op.execute("ALTER TABLE posts ALTER COLUMN searchtext SET STATISTICS 1000")
        op.create_index("idx_posts_searchtext_trgm", "posts", ["searchtext"], unique=False,
                        postgresql_using="gin", postgresql_ops={"searchtext": "gin_trgm_ops"})
    elif conn.dialect.name == "sqlite":
        for ddl in SQLITE_FTS:
            op.execute(ddl)
        op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    # MySQL/MariaDB: LIKE over searchtext (utf8mb4, binary collation), no extra index: MariaDB's
    # InnoDB FULLTEXT has no ngram parser, so it could not answer substrings or CJK


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.drop_index("idx_posts_searchtext_trgm", table_name="posts")
    elif dialect == "sqlite":
        for name in ("posts_fts_ai", "posts_fts_ad", "posts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    op.drop_column("posts", "searchtext")
