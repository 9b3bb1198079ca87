"""Paths inside the site. Free of MkDocs."""

from __future__ import annotations

import functools
import posixpath


@functools.lru_cache(maxsize=16384)
def site_relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for two paths inside the site ('/'-separated, relative to its root),
    worked out on the strings alone (no working directory, no disk)."""
    to = [p for p in target.split("/") if p and p != "."]
    base = [p for p in start.split("/") if p and p != "."]
    if ".." in to or ".." in base:
        return posixpath.relpath(target or ".", start or ".")
    same = 0
    while same < len(to) and same < len(base) and to[same] == base[same]:
        same += 1
    return "/".join([".."] * (len(base) - same) + to[same:]) or "."
