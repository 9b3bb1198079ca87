"""Small text helpers every layer uses: counts of things, anchor slugs, decoding files. Free of MkDocs."""

from __future__ import annotations

import functools
import re


def count(n: int, noun: str, nouns: str | None = None) -> str:
    """``3 plans``, ``1 plan``; ``nouns`` where the plural is not the noun and an s."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


_NOT_SLUG_RE = re.compile(r"[^\w\s-]")
_SLUG_GAP_RE = re.compile(r"[\s_-]+")


@functools.lru_cache(maxsize=4096)  # statuses, levels and IDs repeat across every plan of a site
def slug(text: str) -> str:
    """A lower-case, hyphenated anchor fragment."""
    return _SLUG_GAP_RE.sub("-", _NOT_SLUG_RE.sub("", text.lower())).strip("-") or "x"


def safe_title(text: str) -> str:
    """A page title as themes may write it into the page's head: MkDocs' Material and Zensical put it
    in ``<title>`` unescaped (``striptags`` decodes what the page escaped), so ``<`` and ``>`` are
    shown as the look-alikes ‹ and › there (the page itself shows the text as written)."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


_GUESSES = (("utf-16", "UTF-16"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (``(text, None)``), else the first encoding that fits and its name."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for codec, name in _GUESSES:
        if codec == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "UTF-8 with errors replaced"
