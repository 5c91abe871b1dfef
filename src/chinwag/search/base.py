"""The search interface. The app resolves names and permissions into a ``PostSearch`` (terms plus
channel/user ids and a time window) and gets ranked hits back; a backend only matches and ranks.

The SQL backends index in the posts write itself (``posts.searchtext``, see
``chinwag.model.search_text``), so ``posts_changed`` has nothing to do for them; an external
engine (OpenSearch, Elasticsearch) would send the changed posts to its index there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from chinwag.model.search_query import Term


@dataclass
class PostSearch:
    """A resolved post search: every id is one the searcher may read."""

    terms: Sequence[Term] = ()
    excluded: Sequence[Term] = ()
    is_or: bool = False
    #: the channels searched (readable ones, narrowed by in:/-in:); never empty
    channel_ids: Sequence[str] = ()
    #: from: authors (None: anyone) and -from: authors
    user_ids: Sequence[str] | None = None
    excluded_user_ids: Sequence[str] = ()
    #: createat >= created_from (0: unbounded) and createat < created_before (0: unbounded)
    created_from: int = 0
    created_before: int = 0
    #: at most this many hits, best first
    limit: int = 1000


@dataclass
class PostHit:
    post_id: str
    create_at: int
    score: int
    #: the searcher's terms found in the post (Mattermost's ``matches``, for highlighting)
    matched: list[str] = field(default_factory=list)


def rank(hits: list[PostHit]) -> list[PostHit]:
    """Relevance first, newer first among equals."""
    return sorted(hits, key=lambda h: (-h.score, -h.create_at, h.post_id))


def score_text(q: PostSearch, post_id: str, create_at: int, text: str) -> PostHit | None:
    """Score one candidate's index text against the terms (None: it does not match after all)."""
    score = 0
    matched: list[str] = []
    for t in q.terms:
        s = t.score(text)
        if s:
            score += s
            matched.append(t.text)
        elif not q.is_or:
            return None
    if q.terms and not matched:
        return None
    return PostHit(post_id, create_at, score, matched)


class Connections(Protocol):
    """What a SQL backend needs of the database (chinwag.store.sql.engine.Database has it)."""

    driver: str

    def read(self) -> AbstractAsyncContextManager[Any]: ...

    def write(self) -> AbstractAsyncContextManager[Any]: ...


Progress = Callable[[int], None]


class SearchEngine(Protocol):
    name: str

    async def search_posts(self, q: PostSearch) -> list[PostHit]:
        """Matching posts (not deleted, not system messages), ranked, at most ``q.limit``."""
        ...

    async def posts_changed(self, post_ids: Sequence[str]) -> None:
        """Posts were created, edited or deleted (after commit)."""
        ...

    async def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the whole index from the posts table; returns the number of posts indexed."""
        ...

