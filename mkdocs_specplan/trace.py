"""Mentions of requirement and story IDs in a plan's fields. Free of MkDocs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import Plan
from .speckit import IdSyntax


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text in a plan with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name in ("positions", "index", "checklist") or f.name.startswith("_"):
                continue
            sub = f"{path}.{f.name}" if path else f.name
            yield from _walk(getattr(value, f.name), sub)


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
