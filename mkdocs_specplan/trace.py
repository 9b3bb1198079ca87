"""Traceability: requirements in a spec, their mentions in a plan, tasks, the constitution.

Free of MkDocs: everything here works on text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from .model import Plan

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(numeral: str) -> int | None:
    numeral = numeral.upper()
    if not numeral or any(c not in ROMAN_VALUES for c in numeral):
        return None
    total = 0
    for i, c in enumerate(numeral):
        value = ROMAN_VALUES[c]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def int_to_roman(number: int) -> str:
    out = ""
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out += numeral
            number -= value
    return out


def _fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside (or is) a fenced code block."""
    inside: list[bool] = []
    fence: str | None = None
    for line in lines:
        stripped = line.strip()
        if fence is None:
            match = re.match(r"^(`{3,}|~{3,})", stripped)
            if match:
                fence = match.group(1)
                inside.append(True)
                continue
            inside.append(False)
        else:
            inside.append(True)
            if stripped.startswith(fence) and not stripped[len(fence):].strip():
                fence = None
    return inside


# -- the constitution -------------------------------------------------------------------------
_PRINCIPLE_RE = re.compile(
    r"^(?P<hashes>#{1,6})\s+(?:(?:article|principle)\s+)?(?P<num>[IVXLC]+)\s*(?:[.:)]|\s[-–—])\s*(?P<name>.+?)\s*#*\s*$",
    re.IGNORECASE,
)
_NON_NEGOTIABLE_RE = re.compile(r"\s*\(\s*non[- ]negotiable\s*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Principle:
    numeral: str  # upper-case Roman numeral
    number: int
    name: str
    non_negotiable: bool
    line: int  # 1-based line of the heading

    @property
    def anchor(self) -> str:
        return f"article-{self.numeral.lower()}"


def parse_constitution(text: str) -> list[Principle]:
    """Principles by Roman numeral: ``### I. Name``, ``### Article III: Name``, ``### Principle II - Name``."""
    out: list[Principle] = []
    seen: set[int] = set()
    lines = text.split("\n")
    for i, (line, fenced) in enumerate(zip(lines, _fences(lines))):
        if fenced:
            continue
        match = _PRINCIPLE_RE.match(line)
        if not match:
            continue
        numeral = match["num"].upper()
        number = roman_to_int(numeral)
        if number is None or int_to_roman(number) != numeral or number in seen:
            continue
        name = match["name"]
        non_negotiable = bool(_NON_NEGOTIABLE_RE.search(name))
        name = _NON_NEGOTIABLE_RE.sub("", name).strip()
        seen.add(number)
        out.append(Principle(numeral, number, name, non_negotiable, i + 1))
    return out


_REFERENCE_RE = re.compile(r"^\s*(?:(?:article|principle)\s+)?([IVXLC]+|\d+)\s*$", re.IGNORECASE)


def resolve_principle(reference: str, principles: list[Principle]) -> Principle | None:
    """``Article II``, ``II``, ``Principle II``, ``Article 2`` or a principle's name."""
    match = _REFERENCE_RE.match(reference)
    if match:
        token = match.group(1)
        number = int(token) if token.isdigit() else roman_to_int(token)
        found = next((p for p in principles if p.number == number), None)
        if found is not None:
            return found
    wanted = reference.strip().casefold()
    return next((p for p in principles if p.name.casefold() == wanted), None)


def anchor_lines(text: str, anchors: dict[int, tuple[str, str | None]]) -> str:
    """Put stable anchors on lines (1-based): ``{line: (anchor, text the anchor goes before)}``.

    A heading gets an anchor element on the line before it (it stays a heading); any other line
    gets an inline anchor before the given text (or its first non-blank character).
    """
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines, start=1):
        if i not in anchors:
            out.append(line)
            continue
        anchor, before = anchors[i]
        if line.lstrip().startswith("#"):
            out.append(f'<div id="{anchor}" class="specplan-anchor"></div>\n')
            out.append(line)
            continue
        pos = line.index(before) if before and before in line else len(line) - len(line.lstrip())
        while pos > 0 and line[pos - 1] in "*_":  # before the bold or italic markup of the ID
            pos -= 1
        out.append(f'{line[:pos]}<a id="{anchor}" class="specplan-req-anchor"></a>{line[pos:]}')
    return "\n".join(out)


def anchor_principles(text: str, principles: list[Principle]) -> str:
    """A stable anchor (``#article-ii``) before each principle's heading."""
    return anchor_lines(text, {p.line: (p.anchor, None) for p in principles})


# -- requirements in a spec -------------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    id: str  # "FR-001", "SC-002", "US1"
    text: str  # what the spec says of it, one line
    line: int
    kind: str  # "requirement" or "story"

    @property
    def anchor(self) -> str:
        return self.id.lower()


def _id_pattern(prefixes: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(p) for p in prefixes) + r")-\d+"


def parse_spec(text: str, prefixes: tuple[str, ...] = ("FR", "NFR", "SC")) -> list[Requirement]:
    """Requirements defined in a spec: list items or headings that start with an ID, and user stories."""
    item_re = re.compile(rf"^\s*(?:[-*+]|\d+\.)\s+(?:\*\*|__)?({_id_pattern(prefixes)})\b(?:\*\*|__)?\s*[:.\-–—]?\s*(.*)$")
    heading_re = re.compile(rf"^#{{1,6}}\s+(?:\*\*)?({_id_pattern(prefixes)})\b(?:\*\*)?\s*[:.\-–—]?\s*(.*)$")
    story_re = re.compile(r"^#{1,6}\s+User Story\s+(\d+)\b\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE)
    out: list[Requirement] = []
    seen: set[str] = set()
    lines = text.split("\n")
    for i, (line, fenced) in enumerate(zip(lines, _fences(lines)), start=1):
        if fenced:
            continue
        match = story_re.match(line)
        if match:
            rid, rest, kind = f"US{int(match.group(1))}", match.group(2), "story"
        else:
            match = item_re.match(line) or heading_re.match(line)
            if not match:
                continue
            rid, rest, kind = match.group(1).upper(), match.group(2), "requirement"
        if rid in seen:
            continue
        seen.add(rid)
        out.append(Requirement(rid, re.sub(r"\s+", " ", rest).strip(), i, kind))
    return out


def anchor_spec(text: str, requirements: list[Requirement]) -> str:
    """Stable anchors on the spec page: ``#fr-001`` in its list item, ``#us1`` before its heading."""
    return anchor_lines(text, {r.line: (r.anchor, r.id) for r in requirements})


def count_clarifications(text: str) -> int:
    """Unresolved ``[NEEDS CLARIFICATION`` markers."""
    return text.count("[NEEDS CLARIFICATION")


# -- mentions in a plan -----------------------------------------------------------------------
def mention_pattern(prefixes: tuple[str, ...] = ("FR", "NFR", "SC")) -> re.Pattern[str]:
    return re.compile(rf"\b(?:(?P<req>{_id_pattern(prefixes)})|User Story\s+(?P<story>\d+)|US(?P<us>\d+))\b")


def normalise_mention(match: re.Match[str]) -> str:
    if match.group("req"):
        return match.group("req")
    return f"US{int(match.group('story') or match.group('us'))}"


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


def find_mentions(plan: Plan, prefixes: tuple[str, ...] = ("FR", "NFR", "SC")) -> list[Mention]:
    pattern = mention_pattern(prefixes)
    out: list[Mention] = []
    seen: set[tuple[str, str]] = set()
    for path, text in _walk(plan, ""):
        if path in ("feature_id", "status") or path.endswith(".status"):
            continue
        for match in pattern.finditer(text):
            key = (normalise_mention(match), path)
            if key not in seen:
                seen.add(key)
                out.append(Mention(*key))
    return out


_SKIP_RE = re.compile(r"`+[^`]*`+|\[[^\]]*\]\([^)]*\)|<[^>]+>|https?://\S+")


def link_mentions(markdown: str, targets: dict[str, str], prefixes: tuple[str, ...] = ("FR", "NFR", "SC")) -> str:
    """Turn every mention of a known ID into a Markdown link to ``targets[id]``.

    Fenced code, raw HTML lines, inline code, existing links and tags are left alone.
    """
    pattern = mention_pattern(prefixes)
    lines = markdown.split("\n")
    out = []
    for line, fenced in zip(lines, _fences(lines)):
        if fenced or line.lstrip().startswith("<"):
            out.append(line)
            continue
        pieces = []
        last = 0
        for skip in _SKIP_RE.finditer(line):
            pieces.append((line[last:skip.start()], True))
            pieces.append((skip.group(0), False))
            last = skip.end()
        pieces.append((line[last:], True))

        def replace(match: re.Match[str]) -> str:
            href = targets.get(normalise_mention(match))
            return f"[{match.group(0)}]({href})" if href else match.group(0)

        out.append("".join(pattern.sub(replace, text) if linkable else text for text, linkable in pieces))
    return "\n".join(out)


# -- tasks ------------------------------------------------------------------------------------
_TASK_RE = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*)$")
_TASK_PHASE_RE = re.compile(r"^#{2}\s+(?P<title>.+?)\s*#*\s*$")
_PHASE_NUMBER_RE = re.compile(r"^phase\s+(\d+)", re.IGNORECASE)


@dataclass
class TaskGroup:
    title: str
    done: int = 0
    total: int = 0

    @property
    def phase_number(self) -> int | None:
        match = _PHASE_NUMBER_RE.match(self.title)
        return int(match.group(1)) if match else None


@dataclass
class TaskProgress:
    done: int = 0
    total: int = 0
    groups: list[TaskGroup] = field(default_factory=list)


def parse_tasks(text: str) -> TaskProgress:
    """spec-kit task lines (``- [ ] T001 [P] [US1] ...``; ``[x]``/``[X]`` is done) per ``##`` heading."""
    progress = TaskProgress()
    group: TaskGroup | None = None
    lines = text.split("\n")
    for line, fenced in zip(lines, _fences(lines)):
        if fenced:
            continue
        heading = _TASK_PHASE_RE.match(line)
        if heading:
            group = TaskGroup(heading["title"])
            progress.groups.append(group)
            continue
        task = _TASK_RE.match(line)
        if not task:
            continue
        done = task["mark"] in "xX"
        progress.total += 1
        progress.done += done
        if group is None:
            group = TaskGroup("Tasks")
            progress.groups.append(group)
        group.total += 1
        group.done += done
    progress.groups = [g for g in progress.groups if g.total]
    return progress
