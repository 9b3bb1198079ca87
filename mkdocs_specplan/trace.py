"""Mentions of requirement and story IDs in a plan's fields. Free of MkDocs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import Plan
from .speckit import IdSyntax


@functools.cache
def _text_fields(cls: type) -> tuple[str, ...]:
    """The fields of a plan's data class that may hold text."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in ("positions", "index", "checklist") and not f.name.startswith("_")
    )


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text in a plan with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if item is not None and not isinstance(item, (int, float)):
                yield from _walk(item, f"{path}[{i}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in _text_fields(type(value)):
            item = getattr(value, name)
            if item is not None and not isinstance(item, (int, float, dt.date)):
                yield from _walk(item, f"{path}.{name}" if path else name)


@dataclass(frozen=True)
class Mention:
    id: str
    field: str  # field path, e.g. "phases[1].goal"


def find_mentions(plan: Plan, syntax: IdSyntax | None = None) -> list[Mention]:
    syntax = syntax or IdSyntax()
    out: list[Mention] = []
    seen: set[tuple[str, str]] = set()
    for path, text in _walk(plan, ""):
        if path in ("feature_id", "status") or path.endswith(".status"):
            continue
        for rid in syntax.mentions(text):
            key = (rid, path)
            if key not in seen:
                seen.add(key)
                out.append(Mention(*key))
    return out
