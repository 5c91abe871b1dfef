"""The searchable form of a post's text, shared by the index writer and the query parser.

``index_text`` turns a message into one line of space-separated tokens, padded with a space at
both ends, so every backend can match with plain ``LIKE`` patterns:

- case and accents are folded ("Résumé" → "resume"; the marks of non-Latin scripts are kept);
- words (letters, digits, ``_``) are tokens, every other visible character is a token of its own
  ("foo.bar()" → " foo . bar ( ) "), so a token boundary is always a space;
- runs of scripts written without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar)
  are tokens too, and after a ``|`` marker the text lists every two-character piece of each run
  of three or more, so a two-character term matches a whole token (``LIKE '% 中文 %'``), which a
  trigram index can answer, and longer ones match as substrings.
"""

from __future__ import annotations

import re
import unicodedata

#: separates the folded text from the two-character pieces of unspaced runs
BIGRAM_MARK = "\x1f"

_NOSPACE_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B+
)


def is_unspaced(ch: str) -> bool:
    """A character of a script written without spaces between words."""
    o = ord(ch)
    if o < 0x0E00:
        return False
    return any(lo <= o <= hi for lo, hi in _NOSPACE_RANGES)


def _strips_marks(base: str) -> bool:
    """Combining marks on Latin, Greek and Cyrillic letters are accents; elsewhere they are part
    of the letter (Thai vowels, Devanagari signs, Japanese voicing marks) and are kept."""
    o = ord(base)
    return o < 0x0530 or 0x1E00 <= o <= 0x1FFF


def fold(text: str) -> str:
    """Case- and accent-folded text (NFKC afterwards, so full-width forms become ASCII)."""
    out: list[str] = []
    base = " "
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if _strips_marks(base):
                continue
        else:
            base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out).casefold())


def _kind(ch: str) -> str:
    if ch.isspace() or not ch.isprintable():
        return " "
    if is_unspaced(ch):
        return "u"
    if ch.isalnum() or ch == "_" or unicodedata.combining(ch):
        return "w"
    return "p"


#: tokens of ASCII text, where folding is lowercasing: words, and every other visible character
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+|[!-~]")


def tokens(text: str) -> list[str]:
    """Folded tokens: words, unspaced runs, and single punctuation characters."""
    if text.isascii():  # the same tokens as below, without a Python step per character
        return _ASCII_TOKEN.findall(text.lower())
    out: list[str] = []
    cur: list[str] = []
    cur_kind = " "
    for ch in fold(text):
        k = _kind(ch)
        if k == cur_kind and k in ("w", "u"):
            cur.append(ch)
            continue
        if cur:
            out.append("".join(cur))
        cur, cur_kind = ([ch], k) if k != " " else ([], " ")
        if k == "p":
            out.append(ch)
            cur, cur_kind = [], " "
    if cur:
        out.append("".join(cur))
    return out


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(message: str, hashtags: str = "") -> str:
    """The searchable text of a post: its folded tokens, then the two-character pieces of its
    longer unspaced runs."""
    toks = tokens(message)
    if message.isascii() and hashtags.isascii():  # no unspaced runs, so no pieces
        if hashtags:
            known = set(toks)
            toks += [t for t in tokens(hashtags) if t not in known]
        return " " + " ".join(toks) + " "
    if hashtags:
        known = set(toks)
        toks += [t for t in tokens(hashtags) if t not in known]
    grams: list[str] = []
    seen: set[str] = set()
    for t in toks:
        if len(t) > 2 and is_unspaced(t[0]):
            for g in bigrams(t):
                if g not in seen:
                    seen.add(g)
                    grams.append(g)
    text = " " + " ".join(toks) + " "
    if grams:
        text += BIGRAM_MARK + " " + " ".join(grams) + " "
    return text
