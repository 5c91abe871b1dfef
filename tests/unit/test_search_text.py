"""``search_text.tokens``: the ASCII fast path gives the same tokens as the per-character path."""

from __future__ import annotations

import random

from chinwag.model import search_text


def _slow_tokens(text: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    kind = " "
    for ch in search_text.fold(text):
        k = search_text._kind(ch)
        if k == kind and k in ("w", "u"):
            cur.append(ch)
            continue
        if cur:
            out.append("".join(cur))
        cur, kind = ([ch], k) if k != " " else ([], " ")
        if k == "p":
            out.append(ch)
            cur, kind = [], " "
    if cur:
        out.append("".join(cur))
    return out


def test_ascii_fast_path_matches_the_general_rules() -> None:
    rnd = random.Random(7)
    samples = ["Hello, World! foo.bar() snake_case #tag @user x=1&y=2", "\t\x00\x1f\x7f tabs\nand\x0blines ",
               "UPPER lower 123abc ~~strike~~ **bold** [l](http://x.io/a?b=c)"]
    samples += ["".join(chr(rnd.randrange(128)) for _ in range(rnd.randrange(40))) for _ in range(3000)]
    for s in samples:
        assert search_text.tokens(s) == _slow_tokens(s), s


def test_index_text_of_ascii_and_unicode() -> None:
    assert search_text.index_text("Hello, World!") == " hello , world ! "
    assert search_text.index_text("Résumé déjà") == " resume deja "
    assert search_text.index_text("中文字") == " 中文字 \x1f 中文 文字 "


def test_index_text_adds_hashtag_tokens_not_in_the_message() -> None:
    assert search_text.index_text("a #tag b", "#tag #other") == " a # tag b other "
    assert search_text.index_text("é #tag", "#tag #ça") == " e # tag ca "
