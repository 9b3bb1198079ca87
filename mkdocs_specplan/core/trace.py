"""Mentions of requirement and story IDs in a plan's fields. Free of MkDocs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..speckit.documents import IdSyntax
from .model import Plan

_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _text_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a plan's data class that may hold text (None: not a data class)."""
    if cls not in _FIELDS:
        _FIELDS[cls] = (
            tuple(
                f.name
                for f in dataclasses.fields(cls)
                if f.name not in ("positions", "index", "checklist") and not f.name.startswith("_")
            )
            if dataclasses.is_dataclass(cls)
            else None
        )
    return _FIELDS[cls]


def _path(parts: list[str | int]) -> str:
    """``["phases", 1, "goal"]`` -> ``"phases[1].goal"``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out


def _texts(value: Any, parts: list[str | int], keep: Callable[[str], object], out: list[tuple[str, str]]) -> None:
    """Every text in a plan that ``keep`` accepts, with its field path (made only for those)."""
    if isinstance(value, str):
        if keep(value):
            out.append((_path(parts), value))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if item is not None and not isinstance(item, (int, float)):
                parts.append(i)
                _texts(item, parts, keep, out)
                parts.pop()
    elif not isinstance(value, (int, float, dt.date)):
        for name in _text_fields(type(value)) or ():
            item = getattr(value, name)
            if item is not None:
                parts.append(name)
                _texts(item, parts, keep, out)
                parts.pop()


@dataclass(frozen=True)
class Mention:
    id: str
    field: str  # field path, e.g. "phases[1].goal"


def find_mentions(plan: Plan, syntax: IdSyntax | None = None) -> list[Mention]:
    syntax = syntax or IdSyntax()
    out: list[Mention] = []
    seen: set[tuple[str, str]] = set()
    texts: list[tuple[str, str]] = []
    _texts(plan, [], syntax.mention_re.search, texts)
    for path, text in texts:
        if path in ("feature_id", "status") or path.endswith(".status"):
            continue
        for rid in syntax.mentions(text):
            key = (rid, path)
            if key not in seen:
                seen.add(key)
                out.append(Mention(*key))
    return out
