"""The PostgreSQL import's COPY records hold the same values as ``POST.values`` (the INSERT path)."""

from __future__ import annotations

from chinwag.model.post import Post
from chinwag.store.sql.import_store import _POST_COLS, _json_text, _post_record
from chinwag.store.sql.post_store import POST


def test_post_record_matches_post_values() -> None:
    for p in (Post(id="a" * 26, create_at=5, update_at=6, edit_at=7, is_pinned=True, user_id="u", channel_id="c",
                   root_id="r", message="hi #yo Ünïcode", type="me", props={"a": [1]}, hashtags="#yo",
                   file_ids=["f"], has_reactions=True, remote_id="x"),
              Post(id="b" * 26, message="plain")):
        v = POST.values(p)
        assert tuple(v) == _POST_COLS
        assert _post_record(p) == tuple(_json_text(v[c]) if c in ("props", "fileids") else v[c] for c in _POST_COLS)
