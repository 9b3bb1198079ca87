"""Spec-kit's Markdown documents as real repositories write them: specs, tasks, checklists, constitutions.

Everything is read from the element tree Python-Markdown builds (:mod:`.mdtree`), so code, raw
HTML and comments never count. The finders take any tree: the one built here when the site is
loaded, or the one MkDocs builds when it renders the page, which is annotated with anchors.
Free of MkDocs.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from . import mdtree, vocabulary

# -- identifiers ------------------------------------------------------------------------------
DEFAULT_PREFIXES = ("FR", "NFR", "SC")
DEFAULT_STORY_LABELS = ("User Story", "US")
_SEP = r"\s*(?:[:.)\-–—]\s*)?"  # what may stand between an ID and its text


@dataclass(frozen=True)
class IdSyntax:
    """How a site writes requirement IDs and user stories."""

    prefixes: tuple[str, ...] = DEFAULT_PREFIXES
    story_labels: tuple[str, ...] = DEFAULT_STORY_LABELS
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the site's own words for the template's terms

    @functools.cached_property
    def requirement(self) -> str:
        """``FR-001``, ``FR-001a``, ``FR-011-001``, ``NFR-SEC-001``, ``FR-T01``, ``NFR-A2``: a prefix,
        parts of capitals and digits, a numbered part (a few capitals, then digits), a letter."""
        prefixes = "|".join(re.escape(p) for p in sorted(self.prefixes, key=len, reverse=True))
        return rf"(?:{prefixes})(?:-[A-Z][A-Z0-9]*)*-[A-Z]{{0,3}}\d+(?:-\d+)*[a-z]?(?![A-Za-z0-9_])(?!-\d)"

    @functools.cached_property
    def story(self) -> str:
        labels = []
        every = dict.fromkeys([*self.story_labels, *vocabulary.words("story", self.terms)])
        for label in sorted(every, key=len, reverse=True):
            words = r"\s+".join(re.escape(w) for w in label.split())
            short = len(label.strip()) <= 3 and label.strip().isupper()  # "US1", "US-1"; never "US 1"
            labels.append(words + ("-?" if short else r"\s*"))
        return rf"(?:{'|'.join(labels)})(\d{{1,9}})(?!\w)(?!\.\d)"

    @functools.cached_property
    def mention_re(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![A-Za-z0-9_-])(?:(?P<req>{self.requirement})|(?P<story>{self.story}))")

    @functools.cached_property
    def definition_re(self) -> re.Pattern[str]:
        return re.compile(rf"\s*(?P<id>{self.requirement}){_SEP}(?P<text>.*)", re.DOTALL)

    @functools.cached_property
    def story_heading_re(self) -> re.Pattern[str]:
        return re.compile(rf"\s*{self.story}{_SEP}(?P<text>.*)", re.DOTALL | re.IGNORECASE)

    def normalise(self, match: re.Match[str]) -> str:
        if match.group("req"):
            return match.group("req")
        digits = next(g for g in match.groups()[2:] if g)
        return f"US{int(digits)}"

    def mentions(self, text: str) -> list[str]:
        """IDs mentioned in a text, in order, each once."""
        seen: dict[str, None] = {}
        for match in self.mention_re.finditer(text):
            seen.setdefault(self.normalise(match), None)
        return list(seen)


def anchor_of(identifier: str) -> str:
    return identifier.lower()


# -- requirements -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    id: str  # "FR-001", "FR-011-001", "US1"
    text: str  # what the spec says of it, on one line
    kind: str  # "requirement" or "story"
    priority: str | None = None  # a story's "(Priority: P1)", in any language of the vocabulary

    @property
    def anchor(self) -> str:
        return anchor_of(self.id)


@dataclass(frozen=True)
class Definition:
    """Where a requirement is defined in a tree: on ``element``, or just before its child ``before``."""

    requirement: Requirement
    element: etree.Element
    before: etree.Element | None = None


def _strip_marks(text: str) -> str:
    return text.lstrip().lstrip("*_").lstrip()


def _after_id(text: str) -> str:
    return mdtree.one_line(text.strip().lstrip("*_:.)-–— \t"))


def find_definitions(root: etree.Element, syntax: IdSyntax) -> list[Definition]:
    """Requirements and user stories a spec defines, in document order, each ID once.

    Requirements: a list item, heading or table row that starts with an ID (bold or not), or a
    paragraph line that starts with a bold ID. User stories: headings such as ``User Story 1 - Title``.
    """
    out: list[Definition] = []
    seen: set[str] = set()

    def add(rid: str, text: str, kind: str, element: etree.Element, before: etree.Element | None = None) -> None:
        if rid not in seen:
            seen.add(rid)
            priority = _priority(text, syntax) if kind == "story" else None
            out.append(Definition(Requirement(rid, text, kind, priority), element, before))

    for element, _ in mdtree.walk(root):
        tag = element.tag
        if tag in mdtree.HEADINGS:
            text = _strip_marks(mdtree.plain(element))
            story = syntax.story_heading_re.match(text)
            if story:
                shown = syntax.story_heading_re.match(_strip_marks(mdtree.plain(element, code=True)))
                add(f"US{int(story.group(1))}", mdtree.one_line((shown or story).group("text")), "story", element)
                continue
            if syntax.definition_re.match(text):
                _add_requirement(add, syntax, _strip_marks(mdtree.plain(element, code=True)), element)
        elif tag == "li":
            if syntax.definition_re.match(_strip_marks(mdtree.lead(element))):
                _add_requirement(add, syntax, _strip_marks(mdtree.lead(element, code=True)), element)
        elif tag == "tr":
            cells = [c for c in element if c.tag in ("td", "th")]
            if not cells or cells[0].tag == "th":
                continue
            match = syntax.definition_re.fullmatch(_strip_marks(mdtree.plain(cells[0])).rstrip("*_ :"))
            if match and not match["text"].strip("*_ :"):
                rest = " · ".join(t for t in (mdtree.one_line(mdtree.plain(c, code=True)) for c in cells[1:]) if t)
                add(match["id"], rest, "requirement", element)
        elif tag == "p":
            for strong, text in _bold_line_starts(element):
                match = syntax.definition_re.fullmatch(mdtree.plain(strong).strip().rstrip(":").strip())
                if match and not match["text"].strip():
                    add(match["id"], _after_id(text), "requirement", element, strong)
    return out


def _priority(text: str, syntax: IdSyntax) -> str | None:
    """``(Priority: P1)``, ``（優先度: P1）``, ``(Prioridad: P2)``: the priority as written."""
    match = re.search(
        rf"[(（]\s*(?:{vocabulary.alternation('priority', syntax.terms)})\s*[:：]\s*([^)）]+?)\s*[)）]", text, re.IGNORECASE
    )
    return match.group(1) if match else None


def _add_requirement(add, syntax: IdSyntax, text: str, element: etree.Element) -> None:  # type: ignore[no-untyped-def]
    match = syntax.definition_re.match(text)
    if match:
        add(match["id"], _after_id(match["text"]), "requirement", element)


_MARKER_RE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])?\s*\Z")


def _starts_line(text: str, previous: bool) -> bool:
    """Whether what follows this text begins a line (a list marker written inside a paragraph is allowed)."""
    if "\n" not in text:
        return previous and bool(_MARKER_RE.match(text))
    return bool(_MARKER_RE.match(text.rsplit("\n", 1)[1]))


def _bold_line_starts(p: etree.Element) -> list[tuple[etree.Element, str]]:
    """Bold children of a paragraph that begin a line, each with the rest of its line as text."""
    found: list[list[Any]] = []
    at_start = _starts_line(mdtree.clean(p.text), True)
    current: int | None = None  # the entry whose line is being read
    for child in p:
        if child.tag == "br":
            at_start, current = True, None
        else:
            if at_start and child.tag in ("strong", "b"):
                found.append([child, ""])
                current = len(found) - 1
            elif current is not None and (child.tag not in mdtree.SKIPPED_TAGS or child.tag == "code"):
                found[current][1] += mdtree.plain(child, code=True)
            at_start = False
        tail = mdtree.clean(child.tail)
        if current is not None:
            found[current][1] += tail.split("\n", 1)[0]
        if "\n" in tail:
            current = None
        at_start = _starts_line(tail, at_start and child.tag == "br")
    return [(element, text) for element, text in found]


# -- the spec ---------------------------------------------------------------------------------
_META_TERMS = ("status", "created", "branch", "input")
CLARIFICATION_MARKER = "[NEEDS CLARIFICATION"


@dataclass
class Spec:
    title: str | None = None  # the feature's name from "# Feature Specification: Name"
    status: str | None = None  # the "**Status**:" line
    created: str | None = None
    branch: str | None = None
    requirements: list[Requirement] = field(default_factory=list)
    clarifications: int = 0


def strip_title(text: str, term: str, syntax: IdSyntax | None = None) -> str:
    """A document's title without the template's prefix ("Feature Specification: ", "機能仕様: ",
    "Spec 077 — "): only a recognised prefix is removed, and the rest is kept as written."""
    shown = mdtree.one_line(text)
    prefix = vocabulary.title_prefix_re(term, syntax.terms if syntax else ()).match(shown)
    return shown[prefix.end() :].strip() if prefix and shown[prefix.end() :].strip() else shown


def _placeholder(text: str) -> bool:
    return text.startswith("[") and text.endswith("]")


def read_spec(text: str, syntax: IdSyntax | None = None) -> Spec:
    syntax = syntax or IdSyntax()
    root = mdtree.parse(text)
    spec = Spec(requirements=[d.requirement for d in find_definitions(root, syntax)])
    meta = vocabulary.label_re(_META_TERMS, syntax.terms)
    for element in root:
        if element.tag == "h1" and spec.title is None:
            title = strip_title(mdtree.plain(element, code=True), "spec_title", syntax)
            spec.title = title if title and not _placeholder(title) else None
        elif element.tag == "h2":
            break
        elif element.tag in ("p", "ul"):
            for line in mdtree.plain(element, code=True).split("\n"):
                match = meta.match(line.lstrip("-*+ "))
                if match:
                    attr, value = vocabulary.matched_term(match), match["value"].strip("`*_ \"'")
                    if value and not _placeholder(value) and attr != "input" and getattr(spec, attr) is None:
                        setattr(spec, attr, mdtree.one_line(value))
    spec.clarifications = sum(node.count(CLARIFICATION_MARKER) for node in mdtree.text_nodes(root))
    return spec


def mentions_in_markdown(text: str, syntax: IdSyntax | None = None) -> list[str]:
    syntax = syntax or IdSyntax()
    """IDs a Markdown document mentions outside code and raw HTML."""
    root = mdtree.parse(text)
    seen: dict[str, None] = {}
    for node in mdtree.text_nodes(root):
        for rid in syntax.mentions(node):
            seen.setdefault(rid, None)
    return list(seen)


# -- tasks ------------------------------------------------------------------------------------
# A task ID: T001, T-001, T020a, T006A, T1.2.3 (each dotted ID its own task); bold or in code.
TASK_ID = r"T-?\d+(?:\.\d+)*[A-Za-z]?(?![A-Za-z0-9_])"
_TASK_ID_RE = re.compile(rf"[*_`]*({TASK_ID})[*_`]*")
# without a checkbox, only spec-kit's own form is a task ("- T001 ..."; "- T-201 passes" is a test's name)
_FALLBACK_TASK_RE = re.compile(r"[*_`]*(T\d+(?:\.\d+)*[A-Za-z]?)(?![A-Za-z0-9_])[*_`]*(?::\s*|\s+)(?!T-?\d)(?=[\[\w*\"'`(])")
_ANY_TASK_ID_RE = re.compile(rf"\b{TASK_ID}")
_HEADING_TASK_RE = re.compile(r"\W{0,4}[*_`]*(?:TASK|T)-?\d+(?:\.\d+)*[A-Za-z]?(?![A-Za-z0-9_])", re.IGNORECASE)
_PARAGRAPH_TASK_RE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s+(\[[ xX]\].*)")
_PHASE_RE = re.compile(r"^\s*phase\s+(\d{1,9})(?!\d)(?:\.(\d{1,9})(?!\d))?(?![\d.]\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Task:
    id: str
    done: bool
    text: str
    group: int  # index in TaskProgress.groups
    refs: tuple[str, ...] = ()  # requirement and story IDs the task names ([US1], FR-003)


@dataclass
class TaskGroup:
    title: str
    done: int = 0
    total: int = 0
    phase_number: int | None = None  # "## Phase 3: ..." and "## Phase 3.1: ..." -> 3
    sub: str | None = None  # "3.1" for a sub-phase; None when the heading is exactly "Phase N"


@dataclass
class Progress:
    done: int = 0
    total: int = 0


@dataclass
class TaskProgress:
    done: int = 0
    total: int = 0
    groups: list[TaskGroup] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    checklist: Progress | None = None  # checkbox items without a task ID (validation checklists)
    checkboxes: bool = True  # False: no checkbox task at all; tasks are "- T001 ..." items, not done
    reused: tuple[str, ...] = ()  # IDs that more than one task carries (each task is counted)
    uncounted: str | None = None  # why a file that lists work holds no countable task

    def task_ids(self) -> list[str]:
        """Each ID once, in the file's order."""
        return list(dict.fromkeys(t.id for t in self.tasks))


def _group_for(title: str) -> TaskGroup:
    match = _PHASE_RE.match(title)
    if not match:
        return TaskGroup(title)
    number = int(match.group(1))
    return TaskGroup(title, phase_number=number, sub=f"{number}.{int(match.group(2))}" if match.group(2) else None)


@dataclass
class _TaskScan:
    """What a walk over tasks.md finds: groups, checkbox tasks, ID-only tasks, other checkboxes."""

    syntax: IdSyntax
    groups: list[TaskGroup] = field(default_factory=list)
    boxed: list[Task] = field(default_factory=list)
    plain: list[Task] = field(default_factory=list)
    checklist: Progress = field(default_factory=Progress)
    task_items: set[int] = field(default_factory=set)  # list items that are tasks (their sub-items are not)
    headings: int = 0  # headings that start with a task ID ("### T001: ...")

    def task(self, tid: str, done: bool, text: str, refs_from: str) -> Task:
        return Task(tid, done, text, len(self.groups) - 1, tuple(self.syntax.mentions(refs_from)))

    def paragraph(self, element: etree.Element) -> None:
        """List lines written straight after a paragraph line stay in the paragraph: read them there."""
        for text in mdtree.plain(element, code=True).split("\n")[1:]:
            written = _PARAGRAPH_TASK_RE.match(text)
            box = mdtree.is_checkbox(mdtree.one_line(written.group(1))) if written else None
            match = _TASK_ID_RE.match(box[1]) if box is not None else None
            if box is not None and match is not None:
                self.boxed.append(self.task(match.group(1), box[0], box[1], box[1]))
            elif box is not None:
                self.checklist.total += 1
                self.checklist.done += box[0]

    def item(self, element: etree.Element) -> None:
        line = mdtree.one_line(mdtree.lead(element))
        box = mdtree.is_checkbox(line)
        if box is not None:
            done, rest = box
            shown = mdtree.is_checkbox(mdtree.one_line(mdtree.lead(element, code=True)))
            match = _TASK_ID_RE.match(shown[1] if shown else rest)  # an ID in code is an ID
            if match is None:
                self.checklist.total += 1
                self.checklist.done += done
                return
            self.task_items.add(id(element))
            self.boxed.append(self.task(match.group(1), done, shown[1] if shown else rest, rest))
            return
        match = _FALLBACK_TASK_RE.match(line)
        if match and not any(_ANY_TASK_ID_RE.fullmatch(w.strip("(),.;:")) for w in line[match.end() :].split()[:3]):
            self.plain.append(self.task(match.group(1), False, line, line))


def read_tasks(text: str, syntax: IdSyntax | None = None) -> TaskProgress:
    """Tasks as spec-kit defines them: ``- [ ] T001 ...`` list items, grouped by ``##`` headings."""
    scan = _TaskScan(syntax or IdSyntax())
    for element, ancestors in mdtree.walk(mdtree.parse(text)):
        if element.tag == "h2":
            scan.groups.append(_group_for(mdtree.one_line(mdtree.plain(element))))
        if element.tag in mdtree.HEADINGS and _HEADING_TASK_RE.match(mdtree.one_line(mdtree.plain(element, code=True))):
            scan.headings += 1
        elif element.tag == "p" and not any(a.tag == "li" for a in ancestors):
            scan.paragraph(element)
        elif element.tag == "li" and not any(id(a) in scan.task_items for a in ancestors):
            scan.item(element)
    return _progress(scan)


def _progress(scan: _TaskScan) -> TaskProgress:
    """Checkbox tasks (or, when there is none, ID-only ones), each ID once, in groups that hold tasks."""
    progress = TaskProgress(
        checklist=scan.checklist if scan.checklist.total else None, checkboxes=bool(scan.boxed) or not scan.plain
    )
    groups = scan.groups
    chosen = scan.boxed or scan.plain
    if any(t.group < 0 for t in chosen):
        groups.insert(0, TaskGroup("Tasks"))
        chosen = [Task(t.id, t.done, t.text, t.group + 1, t.refs) for t in chosen]
    seen: dict[str, int] = {}
    for task in chosen:  # an ID written twice is two tasks, each with its own checkbox
        seen[task.id] = seen.get(task.id, 0) + 1
        progress.tasks.append(task)
        groups[task.group].total += 1
        groups[task.group].done += task.done
        progress.total += 1
        progress.done += task.done
    kept = {i: g for i, g in enumerate(groups) if g.total}
    renumber = {old: new for new, old in enumerate(kept)}
    progress.groups = list(kept.values())
    progress.tasks = [Task(t.id, t.done, t.text, renumber[t.group], t.refs) for t in progress.tasks]
    progress.reused = tuple(tid for tid, n in seen.items() if n > 1)
    if not chosen:
        progress.uncounted = _why_uncounted(scan)
    return progress


def _why_uncounted(scan: _TaskScan) -> str | None:
    """Why a tasks file that lists work holds no task as this reader counts them (None: it lists none)."""
    if scan.headings:
        return f"its {scan.headings} tasks are headings (### T001: ...), not checkbox items (- [ ] T001 ...)"
    if scan.checklist.total:
        n = scan.checklist.total
        return f"its {n} checkbox item{'s' if n != 1 else ''} carry no task ID (- [ ] T001 ...)"
    return None


def read_checklist(text: str) -> Progress:
    """Checkbox items of a checklist (``- [ ] CHK001 ...``), sub-items included."""
    root = mdtree.parse(text)
    progress = Progress()
    for element, _ in mdtree.walk(root):
        if element.tag == "li":
            box = mdtree.is_checkbox(mdtree.one_line(mdtree.lead(element)))
            if box is not None:
                progress.total += 1
                progress.done += box[0]
    return progress


# -- the constitution -------------------------------------------------------------------------
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(numeral: str) -> int | None:
    numeral = numeral.upper()
    if not numeral or len(numeral) > 12 or any(c not in ROMAN_VALUES for c in numeral):
        return None
    total = 0
    for i, c in enumerate(numeral):
        value = ROMAN_VALUES[c]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if int_to_roman(total) == numeral else None


def int_to_roman(number: int) -> str:
    out = ""
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out += numeral
            number -= value
    return out


_PRINCIPLE_RE = re.compile(
    r"^\s*(?:(?:article|principle)\s+)?(?P<num>[IVXLC]{1,12}|\d{1,3})\s*(?:[.:)]|\s[-–—])\s*(?P<name>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NON_NEGOTIABLE_RE = re.compile(r"\s*\(\s*non[- ]negotiable\s*\)\s*$", re.IGNORECASE)
_GROUP_WORDS_RE = re.compile(r"\b(?:core|principles?|articles?)\b", re.IGNORECASE)
# Numbered sections under these headings are rules about the constitution, not principles.
_NOT_PRINCIPLES_RE = re.compile(r"governance|amendment|version|sync impact|change ?log|history", re.IGNORECASE)


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


@dataclass(frozen=True)
class Principle:
    numeral: str  # upper-case Roman numeral of its number
    number: int
    name: str
    non_negotiable: bool
    group: str = ""  # "" for the first numbered group; a slug ("security") for the ones after it
    group_title: str = ""

    @property
    def anchor(self) -> str:
        return f"{self.group or 'article'}-{self.numeral.lower()}"

    @property
    def key(self) -> str:
        """Its item in the review checklist: ``article_ii``, ``security_i``."""
        return f"{(self.group or 'article').replace('-', '_')}_{self.numeral.lower()}"

    @property
    def label(self) -> str:
        prefix = f"{self.group_title} " if self.group else "Article "
        return f"{prefix}{self.numeral}"


@dataclass(frozen=True)
class PrincipleHeading:
    principle: Principle
    element: etree.Element


def find_principles(root: etree.Element) -> list[PrincipleHeading]:
    """Numbered principle headings: ``### I. Name``, ``### Article III: Name``, ``### 1. Name``,
    ``### Principle 2: Name``. They are taken at the heading level where most of them stand; where
    the numbering starts again, a new group begins, named after the heading above it."""
    candidates: list[tuple[int, etree.Element, re.Match[str]]] = []
    context: list[tuple[int, str]] = []  # the headings above this one, with their levels
    parents: dict[int, str] = {}
    for element in root:
        if element.tag not in mdtree.HEADINGS:
            continue
        level = int(element.tag[1])
        text = mdtree.one_line(mdtree.plain(element))
        match = _PRINCIPLE_RE.match(text) if level > 1 else None
        while context and context[-1][0] >= level:
            context.pop()
        parent = context[-1][1] if context else ""
        if match and (match["num"].isdigit() or roman_to_int(match["num"]) is not None) and not _NOT_PRINCIPLES_RE.search(parent):
            candidates.append((level, element, match))
            parents[id(element)] = parent
        context.append((level, text))
    if not candidates:
        return []
    counts: dict[int, int] = {}
    for level, _, _ in candidates:
        counts[level] = counts.get(level, 0) + 1
    chosen = max(counts, key=lambda lv: (counts[lv], -lv))
    out: list[PrincipleHeading] = []
    group, group_title, last = "", "", 0
    used_groups: set[str] = {""}
    for level, element, match in candidates:
        if level != chosen:
            continue
        token = match["num"]
        number = int(token) if token.isdigit() else roman_to_int(token)
        if number is None or number < 1:
            continue
        if out and number <= last:
            parent = parents[id(element)]
            group_title = mdtree.one_line(_GROUP_WORDS_RE.sub("", parent)) or parent or f"Group {len(used_groups) + 1}"
            group = slug(group_title) or f"group-{len(used_groups) + 1}"
            while group in used_groups or group == "article":
                group += "-2"
            used_groups.add(group)
        last = number
        raw = mdtree.one_line(match["name"])
        non_negotiable = bool(_NON_NEGOTIABLE_RE.search(raw))
        name = _NON_NEGOTIABLE_RE.sub("", raw).strip()
        out.append(PrincipleHeading(Principle(int_to_roman(number), number, name, non_negotiable, group, group_title), element))
    return out


def read_constitution(text: str) -> list[Principle]:
    return [h.principle for h in find_principles(mdtree.parse(text))]


_REFERENCE_RE = re.compile(r"^\s*(?:(?P<group>.*?)[\s_-]+)?(?P<num>[IVXLC]{1,12}|\d{1,3})\s*$", re.IGNORECASE)


def resolve_principle(reference: str, principles: list[Principle]) -> Principle | None:
    """``Article II``, ``II``, ``Principle 2``, ``Security I``, ``security-i`` or a principle's name."""
    match = _REFERENCE_RE.match(reference)
    if match:
        token = match["num"]
        number = int(token) if token.isdigit() else roman_to_int(token)
        group_word = slug(_GROUP_WORDS_RE.sub("", match["group"] or ""))
        generic = group_word in ("", "article", "principle")
        for p in principles:
            if p.number == number and ((generic and not p.group) or (p.group and group_word == p.group)):
                return p
    wanted = reference.strip().casefold()
    named = next((p for p in principles if p.name.casefold() == wanted), None)
    if named is not None:
        return named
    heading = _PRINCIPLE_RE.match(reference)  # written as its heading: "I. Library-First", "Principle 2: Tests"
    if heading and heading["name"].strip():
        by_number = resolve_principle(heading["num"], principles)
        name = heading["name"].strip().casefold()
        return by_number or next((p for p in principles if p.name.casefold() == name), None)
    return None
