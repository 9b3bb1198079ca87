"""From a spec-kit feature folder to a plan.yaml: ``specplan import`` and ``specplan new``. Free of MkDocs.

spec-kit's ``plan.md`` (header, Summary, Technical Context, Constitution Check, Project
Structure, Complexity Tracking), ``research.md`` (Decision / Rationale / Alternatives),
``tasks.md`` (phases, their tasks and statuses, the phase dependencies it states) and ``spec.md``
(name, dates, status) become the fields of the plan format. Text of ``plan.md`` that has no field
goes into ``technical_approach`` under a heading that says where it came from, so nothing is
lost; what only a person knows (efforts, risks, approvals) is left out with a comment.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.model import TECHNICAL_CONTEXT_FIELDS
from ..pipeline.sources import ARCHIVE_NAME
from ..project.features import parse_folder_name
from ..speckit import mdtree, vocabulary
from ..speckit.documents import (
    IdSyntax,
    Principle,
    TaskProgress,
    read_constitution,
    read_spec,
    read_tasks,
    resolve_principle,
    strip_title,
)
from ..support.mdlex import fenced

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LABEL_RE = re.compile(r"^\s*(?:[-*+]\s+)?\*{0,2}(?P<label>[A-Za-z][\w /&().-]{0,60}?)\*{0,2}\s*:\s*\*{0,2}\s*(?P<value>.*)$")


# -- Markdown sections --------------------------------------------------------------------------
@dataclass
class Section:
    level: int  # 0 for the text before the first heading
    title: str
    lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines).strip("\n")


def split_sections(text: str, max_level: int = 2) -> list[Section]:
    """The text cut at ATX headings of ``max_level`` or above (never inside a fenced code block)."""
    sections = [Section(0, "")]
    for line, in_code in fenced(text.replace("\r\n", "\n").split("\n")):
        heading = _HEADING_RE.match(line) if not in_code else None
        if heading and len(heading.group(1)) <= max_level:
            sections.append(Section(len(heading.group(1)), heading.group(2).strip()))
            continue
        sections[-1].lines.append(line)
    return sections


def demote(markdown: str, levels: int) -> str:
    """Headings made deeper, so copied text sits under the heading it is given (code left alone)."""
    out = []
    for line, in_code in fenced(markdown.split("\n")):
        if not in_code and _HEADING_RE.match(line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, hashes + levels) + line[hashes:]
        out.append(line)
    return "\n".join(out)


def _labels(body: str) -> tuple[dict[str, str], list[str]]:
    """``**Label**: value`` lines (outside code) by lower-case label, and the other lines."""
    found: dict[str, str] = {}
    rest: list[str] = []
    for line, in_code in fenced(body.split("\n")):
        match = _LABEL_RE.match(line) if not in_code and "**" in line else None
        if match and match["label"].strip().lower() not in found:
            found[match["label"].strip().lower()] = match["value"].strip().rstrip("*").strip()
        else:
            rest.append(line)
    return found, rest


# "**Label**: value", "- **Label:** value", "**ラベル**：value": a bold label and a colon
_BOLD_LABEL_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?\*\*(?P<label>[^*:：\n]{1,80}?)\s*(?:[:：]\s*\*\*|\*\*\s*(?P<note>\([^()\n]{1,200}\))?\s*[:：])[ \t]*(?P<value>.*)$"
)
_LIST_ITEM_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")


@dataclass
class _Block:
    """A labelled value and the lines that carry it on (a list, wrapped text, a code block), or
    lines with no label (``label`` None)."""

    label: str | None
    lines: list[str] = field(default_factory=list)
    item: bool = False  # the label is a list item's ("- **Decision**: ..."): the next item's label ends it

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).strip("\n")


def label_blocks(lines: list[str], is_label: Callable[[str], bool]) -> list[_Block]:
    """The lines cut at the labels ``is_label`` knows. A value goes on over the lines that follow
    it directly, and past a blank line over a list, an indented line or a code block; text after
    a blank line ends it."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for line, in_code in fenced(lines):
        match = _BOLD_LABEL_RE.match(line) if not in_code else None
        if match and is_label(match["label"]):
            label = match["label"].strip() + (f" {match['note']}" if match["note"] else "")  # "**Decision** (for v1):"
            current = _Block(label, [match["value"]] if match["value"].strip() else [], bool(_LIST_ITEM_RE.match(line)))
            blocks.append(current)
            continue
        if current is not None and match is not None and (current.item or not _LIST_ITEM_RE.match(line)):
            current = None  # another label, of a kind not asked for, beside this one: the value ends here
        if current is not None:
            after_blank = bool(current.lines) and not current.lines[-1].strip()
            empty = not any(written.strip() for written in current.lines)  # the value starts on a later line
            if not line.strip() or not after_blank or empty or in_code or line[:1] in (" ", "\t") or _LIST_ITEM_RE.match(line):
                current.lines.append(line)
                continue
            current = None
        if not blocks or blocks[-1].label is not None:
            blocks.append(_Block(None))
        blocks[-1].lines.append(line)
    for block in blocks:  # blank lines a value ended on belong to no one
        while block.lines and not block.lines[-1].strip():
            block.lines.pop()
    return blocks


def _term_of(label: str, terms: tuple[str, ...]) -> tuple[str, str] | None:
    """(term, suffix) of a label in any language: "Scale/Scope (v1)" -> ("scale_scope", "(v1)")."""
    base, _, suffix = label.strip().partition(" (")
    suffix = f"({suffix}" if suffix else ""
    for term in terms:
        if any(base.strip().casefold() == w.casefold() for w in vocabulary.words(term)):
            return term, suffix
    return None


def _is_placeholder(text: str) -> bool:
    text = text.strip().strip("`*_ ")
    return not text or (text.startswith("[") and text.endswith("]"))


def _table(body: str) -> list[list[str]]:
    """Rows of the first Markdown table in a body (header and separator left out)."""
    rows: list[list[str]] = []
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows[1:] if rows else []


def _strip_table(body: str) -> str:
    return "\n".join(line for line in body.split("\n") if not line.strip().startswith("|")).strip()


# -- plan.md ------------------------------------------------------------------------------------
_STATUS_WORDS = {
    "pass": "pass",
    "passed": "pass",
    "ok": "pass",
    "yes": "pass",
    "✅": "pass",
    "✓": "pass",
    "✔": "pass",
    "compliant": "pass",
    "fail": "fail",
    "failed": "fail",
    "no": "fail",
    "❌": "fail",
    "✗": "fail",
    "violation": "fail",
    "n/a": "n/a",
    "na": "n/a",
    "not applicable": "n/a",
    "waived": "waived",
    "justified": "waived",
    "⚠️": "waived",
    "⚠": "waived",
    "exception": "waived",
}
_SECTION_FIELDS = {  # a section of a plan written from this product's own template
    "executive summary": "plan_summary",
    "summary": "plan_summary",
    "technical approach": "technical_approach",
    "high-level architecture": "architecture_description",
    "architecture overview": "architecture_description",
    "data flow": "data_flow_description",
    "data model": "data_model_description",
    "api contracts": "api_contract_description",
    "test data strategy": "test_data_strategy",
    "acceptance testing": "acceptance_testing",
    "security considerations": "security_considerations",
    "performance considerations": "performance_considerations",
    "deployment strategy": "deployment_strategy",
    "rollout plan": "rollout_plan",
    "rollback plan": "rollback_plan",
    "logging strategy": "logging_strategy",
    "alerting": "alerting_strategy",
}
_LIST_SECTIONS = {
    "technology stack": "tech_stack",
    "required before starting": "prerequisites",
    "documentation requirements": "documentation_items",
}


def _status_of(text: str) -> str | None:
    cleaned = text.strip().strip("*_` ").lower()
    if cleaned in _STATUS_WORDS:
        return _STATUS_WORDS[cleaned]
    first = cleaned.split()[0] if cleaned.split() else ""
    if first in ("no", "yes"):  # "No change to the sizing rules" is an assessment, not a verdict
        return None
    return _STATUS_WORDS.get(first.strip(":.,"))


def _list_items(body: str) -> list[str]:
    items = []
    for line in body.split("\n"):
        match = re.match(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if match:
            items.append(match.group(1).strip())
    return items


@dataclass
class Imported:
    """What an import produced."""

    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it came from (for comments)
    leftovers: list[tuple[str, str]] = field(default_factory=list)  # (where, Markdown) kept in technical_approach
    todo: list[str] = field(default_factory=list)  # what a person must add


@dataclass
class _Checks:
    rows: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def _read_plan_md(text: str, out: Imported, principles: list[Principle] | None) -> None:
    checks = _Checks()
    for section in split_sections(text, max_level=2):
        key = _section_key(section.title)
        if section.level <= 1:
            _read_head(section, out)
        elif _is_context_heading(key):
            _read_technical_context(section.body, out)
        elif "constitution check" in key:
            phase = "post-design" if re.search(r"post|after|re-?check", key) else None
            leftover = _read_checks(section.body, phase, checks.rows, principles, checks.unresolved)
            if leftover:
                out.leftovers.append((f"plan.md: {section.title}", leftover))
        elif key == "project structure":
            _read_structure(section.body, out)
        elif key == "complexity tracking":
            _read_complexity(section.body, out)
        elif section.body.strip():
            _read_block(section.title, section.body, out, section.level, "plan.md")
    _keep_checks(checks, out)


def _is_context_heading(key: str) -> bool:
    """ "Technical Context", "Enhanced Technical Context", "技術コンテキスト", "Contexto técnico"."""
    return any(w.casefold() in key.casefold() for w in vocabulary.words("technical_context"))


def _read_head(section: Section, out: Imported) -> None:
    name = strip_title(section.title, "plan_title")
    if name != mdtree.one_line(section.title) and not _is_placeholder(name):
        out.data["feature_name"] = name
        out.sources["feature_name"] = "plan.md title"
    header, rest = _header_fields(section.body)
    for name, value in header.items():
        out.data.setdefault(name, value)
        out.sources.setdefault(name, "plan.md header")
    if rest.strip():
        out.leftovers.append(("plan.md (header)", rest.strip()))


_CONTEXT_TERMS = tuple(name for name, _ in TECHNICAL_CONTEXT_FIELDS)


def _read_technical_context(body: str, out: Imported) -> None:
    """The nine labels in any language, each value whole: on its line, or over the list or wrapped
    lines after it; a label's suffix ("Scale/Scope (v1)") stays with its value."""
    context: dict[str, str] = {}
    rest: list[str] = []
    for block in label_blocks(body.split("\n"), lambda label: _term_of(label, _CONTEXT_TERMS) is not None):
        found = _term_of(block.label, _CONTEXT_TERMS) if block.label else None
        value = block.text.strip()
        if found is None:
            rest += block.lines if block.label is None else [f"**{block.label}**: {block.text}"]
            continue
        name, suffix = found
        if not value or _is_placeholder(value):
            continue
        value = f"{suffix} {value}" if suffix else value
        context[name] = f"{context[name]}\n\n{value}" if name in context else value  # "Dependencies (new)", "(existing)"
    if context:
        out.data["technical_context"] = context
        out.sources["technical_context"] = "plan.md: Technical Context"
    if "\n".join(rest).strip():
        out.leftovers.append(("plan.md: Technical Context", "\n".join(rest).strip()))


def _read_structure(body: str, out: Imported) -> None:
    labels, rest = _labels(body)
    decision = labels.pop("structure decision", None)
    if decision and not _is_placeholder(decision):
        out.data["structure_decision"] = decision
    rest += [f"**{label}**: {value}" for label, value in labels.items()]
    if "\n".join(rest).strip():
        out.data["project_structure"] = "\n".join(rest).strip()
    out.sources["project_structure"] = "plan.md: Project Structure"


def _read_complexity(body: str, out: Imported) -> None:
    entries = []
    for row in _table(body):
        if row and not _is_placeholder(row[0]):
            entry = {"violation": row[0]}
            for i, name in ((1, "why_needed"), (2, "simpler_alternative_rejected")):
                if len(row) > i and not _is_placeholder(row[i]):
                    entry[name] = row[i]
            entries.append(entry)
    if entries:
        out.data["complexity_tracking"] = entries
        out.sources["complexity_tracking"] = "plan.md: Complexity Tracking"
    if _strip_table(body):
        out.leftovers.append(("plan.md: Complexity Tracking", _strip_table(body)))


def _keep_checks(checks: _Checks, out: Imported) -> None:
    """Rows that pass into constitution_check; a failed one without a justification stays as text."""
    failed = [c for c in checks.rows if c["status"] == "fail"]
    if failed and not out.data.get("complexity_tracking"):
        for check in failed:
            checks.rows.remove(check)
            checks.unresolved.append(f"- {check['principle']}: FAIL {check.get('notes', '')}".rstrip())
        out.todo.append(
            "a failed constitution check needs a complexity_tracking entry (violation, why_needed, simpler_alternative_rejected)"
        )
    if checks.rows:
        out.data["constitution_check"] = checks.rows
        out.sources["constitution_check"] = "plan.md: Constitution Check"
    if checks.unresolved:
        out.leftovers.append(
            ("plan.md: Constitution Check (rows that name no principle of the constitution)", "\n".join(checks.unresolved))
        )


_HEADER_LABELS = ("date", "branch", "feature branch", "spec", "input")


def _header_fields(body: str) -> tuple[dict[str, str], str]:
    """``**Branch**: `001-x` | **Date**: 2025-09-14 | **Spec**: [link]`` and ``**Input**: ...``."""
    found: dict[str, str] = {}
    rest = []
    for line in body.split("\n"):
        parts = [_LABEL_RE.match(p.strip()) for p in line.split("|")] if "**" in line else [None]
        if not all(m and m["label"].strip().lower() in _HEADER_LABELS for m in parts):
            rest.append(line)
            continue
        for match in parts:
            assert match is not None
            value = match["value"].strip().strip("`")
            if match["label"].strip().lower() == "date" and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                found["created_date"] = value
    return found, "\n".join(rest)


def _read_checks(
    body: str, phase: str | None, checks: list[dict[str, Any]], principles: list[Principle] | None, unresolved: list[str]
) -> str:
    """Rows of a Constitution Check (a table, or ``- Principle: PASS`` items); what is not a row is returned."""
    rows = _table(body)
    kept: list[str] = []
    candidates: list[tuple[str, str, str]] = []  # principle, status text, notes
    for row in rows:
        if len(row) >= 2:
            candidates.append((row[0], row[1], " ".join(c for c in row[2:] if c)))
    rest = _strip_table(body) if rows else body
    for line in rest.split("\n"):
        item = re.match(r"^\s*[-*+]\s+(?:\[(?P<box>[ xX])\]\s+)?(?P<text>.+)$", line)
        if item and (item["box"] or ":" in item["text"]):
            text = item["text"].replace("**", "")
            if item["box"] is not None:
                box = "pass" if item["box"] in "xX" else ""
                principle, _, notes = text.partition(":")
                candidates.append((principle.strip(), box, notes.strip()))
                continue
            principle, _, after = text.rpartition(":") if _status_of(text.rpartition(":")[2]) else text.partition(":")
            status_word = after.strip().split(" ", 1)
            if _status_of(status_word[0]):
                candidates.append((principle.strip(), status_word[0], status_word[1] if len(status_word) > 1 else ""))
                continue
        kept.append(line)
    for principle, status_text, notes in candidates:
        status = _status_of(status_text)
        principle = principle.strip().strip("*_` ")
        if not status or _is_placeholder(principle) or principles is None or resolve_principle(principle, principles) is None:
            unresolved.append(f"- {principle}: {status_text} {notes}".rstrip())
            continue
        check: dict[str, Any] = {"principle": principle, "status": status}
        if notes.strip() and not _is_placeholder(notes):
            check["notes"] = notes.strip()
        if phase:
            check["phase"] = phase
        checks.append(check)
    return "\n".join(kept).strip()


_SUMMARY_KEYS = ("executive summary", "summary")


def _section_key(title: str) -> str:
    return re.sub(r"\s*\*?\(.*?\)\*?\s*$", "", title).strip().lower()


def _read_block(title: str, body: str, out: Imported, level: int, where: str) -> None:
    """A section named like a field of the format (Technical Approach, Rollback Plan, ...), its
    subsections read the same way; what names no field is kept as text, with where it came from."""
    key = _section_key(title)
    here = f"{where}: {title}" if where == "plan.md" else f"{where} / {title}"
    if key in _LIST_SECTIONS and _list_items(body):
        listed = _LIST_SECTIONS[key]
        if listed not in out.data:
            out.data[listed] = _list_items(body)
            out.sources[listed] = here
            rest = "\n".join(line for line in body.split("\n") if not re.match(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+", line)).strip()
            if rest:
                out.leftovers.append((here, rest))
            return
    parts = split_sections(body, max_level=level + 1)
    head = parts[0].body.strip()
    name = "plan_summary" if key in _SUMMARY_KEYS else _SECTION_FIELDS.get(key)
    if head:
        if name and name not in out.data:
            out.data[name] = head
            out.sources[name] = here
        else:
            out.leftovers.append((here, head))
    for part in parts[1:]:
        if part.body.strip():
            _read_block(part.title, part.body, out, level + 1, here)


# -- research.md --------------------------------------------------------------------------------
_RESEARCH_TERMS = ("decision", "rationale", "alternatives")


def _decision_heading(title: str) -> str | None:
    """A heading that states a decision ("Decision: Use SQLite", "決定: SQLite"), or None; one that
    merely contains the word ("Decisions still open") states none."""
    words = vocabulary.alternation("decision")
    match = re.match(rf"^\s*(?:\d+[.)]\s*)?(?:{words})\s*[:：]\s*(?P<chosen>\S.*)$", title, re.IGNORECASE)
    return match["chosen"].strip() if match else None


def _first_line(text: str) -> str:
    """A value's first line, a list marker left out: the chosen option of a decision written as a list."""
    for line in text.split("\n"):
        if line.strip():
            return _one_line(_LIST_ITEM_RE.sub("", line, count=1))
    return ""


def _items_of(text: str) -> list[str]:
    """A value's list items (each with its wrapped lines), or its parts split at ";" when it is one line."""
    items: list[str] = []
    for line in text.split("\n"):
        if _LIST_ITEM_RE.match(line):
            items.append(_LIST_ITEM_RE.sub("", line, count=1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    if items:
        return items
    return [part.strip() for part in text.split(";") if part.strip()] if "\n" not in text.strip() else [_one_line(text)]


def _read_research(text: str, out: Imported) -> None:
    """Each section with a Decision becomes a technical decision: the decision is the chosen option,
    the alternatives considered are the other options, the rationale its rationale. Labels are read
    in any language of the vocabulary; a value may start on the next line, be a list or wrap. A
    section that decides nothing keeps its text, under where it came from."""
    decisions: list[dict[str, Any]] = []
    parent = ""  # the heading above: a section headed only "Decision" takes its name
    for section in split_sections(text, max_level=3):
        if section.level == 0:
            continue
        bare = any(section.title.strip().casefold() == w.casefold() for w in vocabulary.words("decision"))
        if section.level < 3 or not bare:
            parent = section.title
        values: dict[str, str] = {}
        context: list[str] = []
        for block in label_blocks(section.lines, lambda label: _term_of(label, _RESEARCH_TERMS) is not None):
            found = _term_of(block.label, _RESEARCH_TERMS) if block.label else None
            if found is None or found[0] in values:
                context += block.lines if block.label is None else [f"**{block.label}**: {block.text}"]
            else:
                values[found[0]] = block.text.strip()
        chosen_text = values.get("decision") or _decision_heading(section.title) or ""
        title = re.sub(r"^\s*(?:\d+[.)]\s*|research task \d+\s*[:.-]?\s*)", "", section.title, flags=re.IGNORECASE).strip()
        title = title if _decision_heading(title) is None else _decision_heading(title) or title
        title = re.sub(r"^\s*(?:\d+[.)]\s*|research task \d+\s*[:.-]?\s*)", "", parent).strip() if bare and parent else title
        if not chosen_text or _is_placeholder(chosen_text):
            if "\n".join(section.lines).strip():
                out.leftovers.append((f"research.md: {section.title}", "\n".join(section.lines).strip()))
            continue
        decisions.append(_decision(len(decisions) + 1, title, chosen_text, values, "\n".join(context).strip()))
    if decisions:
        out.data["technical_decisions"] = decisions
        out.sources["technical_decisions"] = "research.md: each Decision, its Rationale and the Alternatives considered"


def _decision(number: int, title: str, chosen_text: str, values: dict[str, str], context: str) -> dict[str, Any]:
    chosen = _first_line(chosen_text)
    more = chosen_text.split("\n", 1)[1].strip() if "\n" in chosen_text.strip() else ""
    options: list[dict[str, Any]] = [{"name": chosen}]
    alternatives = values.get("alternatives", "")
    if alternatives and not _is_placeholder(alternatives):
        for alternative in _items_of(alternatives):
            option = _option(alternative)
            if option["name"] != chosen:
                options.append(option)
    decision: dict[str, Any] = {"id": f"D{number}", "title": title or chosen}
    context = "\n\n".join(part for part in (more, context) if part)
    if context:
        decision["context"] = context
    decision["options"] = options
    decision["chosen"] = chosen
    rationale = values.get("rationale", "")
    if rationale and not _is_placeholder(rationale):
        decision["rationale"] = rationale
    return decision


def _option(text: str) -> dict[str, Any]:
    """``Random IDs: need a table`` -> an option named "Random IDs" with that con."""
    sep = re.search(r"\s+[—–-]\s+|:\s+|\s+\(", text)
    name, why = (text[: sep.start()], text[sep.end() :]) if sep else (text, "")
    option: dict[str, Any] = {"name": _one_line(name.strip("*_ ")) or _one_line(text)}
    why = why.strip().rstrip(")").strip()
    if why:
        option["cons"] = [why]
    return option


def _one_line(text: str) -> str:
    return " ".join(text.replace("**", "").split())


# -- tasks.md -----------------------------------------------------------------------------------
def _read_tasks(text: str, out: Imported) -> None:
    progress = read_tasks(text)
    if not progress.groups:
        return
    numbers = [g.phase_number for g in progress.groups]
    own_numbers = (
        all(n is not None for n in numbers) and len(set(numbers)) == len(numbers) and not any(g.sub for g in progress.groups)
    )
    goals = _group_labels(text)
    phases = []
    for i, group in enumerate(progress.groups):
        tasks = [t for t in progress.tasks if t.group == i]
        name = re.sub(r"^\s*phase\s+[\d.]+\s*[:.-]?\s*", "", group.title, flags=re.IGNORECASE).strip() or group.title
        phase: dict[str, Any] = {"number": numbers[i] if own_numbers else i + 1, "name": name}
        labels = goals.get(group.title, {})
        goal = labels.get("goal") or labels.get("purpose")
        if goal:
            phase["goal"] = goal
        phase["deliverables"] = [t.text for t in tasks]
        checks = [labels[k] for k in ("independent test", "checkpoint") if labels.get(k)]
        if checks:
            phase["validation"] = checks
        done = sum(1 for t in tasks if t.done)
        if progress.checkboxes and tasks and done == len(tasks):
            phase["status"] = "done"
        elif done:
            phase["status"] = "in-progress"
        phases.append(phase)
    _phase_dependencies(text, phases)
    out.data["phases"] = phases
    out.sources["phases"] = "tasks.md: one phase per ## heading, its tasks as deliverables, status from the checkboxes"
    out.data["_progress"] = progress


def _group_labels(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for section in split_sections(text, max_level=2):
        if section.level == 2:
            labels, _ = _labels(section.body)
            out[mdtree.one_line(section.title.replace("**", ""))] = labels
    return out


def _phase_dependencies(text: str, phases: list[dict[str, Any]]) -> None:
    """Edges from spec-kit's "Dependencies & Execution Order" where it states them."""
    section = next((s for s in split_sections(text, max_level=2) if s.title.lower().startswith("dependencies")), None)
    if section is None:
        return
    by_number = {p["number"]: p for p in phases}
    ordered = [p["number"] for p in phases]

    def named(words: str) -> list[int]:
        found: list[int] = []
        for ref in re.findall(r"phase\s+(\d{1,9})(?!\d)", words, re.IGNORECASE):
            if int(ref) in by_number:
                found.append(int(ref))
        lowered = words.lower()
        for p in phases:
            first = p["name"].split()[0].strip(":,()").lower() if p["name"].split() else ""
            if first and len(first) > 3 and re.search(rf"\b{re.escape(first)}\b", lowered):
                found.append(p["number"])
        if "user stor" in lowered:
            found += [p["number"] for p in phases if "user story" in p["name"].lower()]
        return found

    for line in section.lines:
        match = re.match(r"^\s*[-*+]\s+\*\*(?P<label>[^*]+)\*\*\s*:\s*(?P<text>.*)$", line)
        if not match:
            continue
        rest = match["text"]
        targets = _scope(match["label"], ordered, by_number)
        depends = re.search(r"depends? on (.+?)(?:\s+-\s+|$)", rest, re.IGNORECASE)
        if not targets or not depends:
            continue
        sources = named(depends.group(1))
        for target in targets:
            upstream = [s for s in dict.fromkeys(sources) if s != target and ordered.index(s) < ordered.index(target)]
            if upstream:
                deps = by_number[target].setdefault("dependencies", [])
                deps += [f"Phase {s}" for s in upstream if f"Phase {s}" not in deps]


def _scope(label: str, ordered: list[int], by_number: dict[int, dict[str, Any]]) -> list[int]:
    """The phases a "Dependencies" line speaks of: "(Phase 2)", "(Phase 3+)" (its user stories), "(Final Phase)"."""
    scope = re.search(r"\((?:phase\s+(\d{1,9})(\+)?|(final) phase)\)", label, re.IGNORECASE)
    if scope and scope.group(1):
        n = int(scope.group(1))
        if not scope.group(2):
            return [n]
        later = [m for m in ordered if m >= n]
        return [m for m in later if "user story" in by_number[m]["name"].lower()] or later
    if scope and scope.group(3):
        return [ordered[-1]]
    return []


# -- the whole feature --------------------------------------------------------------------------
CONSTITUTION_PLACES = (".specify/memory/constitution.md", "memory/constitution.md", "docs/constitution.md", "constitution.md")


def find_constitution(start: Path) -> Path | None:
    """The constitution of the repository ``start`` is in: spec-kit's place first, up to the git root."""
    for parent in [start, *start.parents]:
        for place in CONSTITUTION_PLACES:
            if (parent / place).is_file():
                return parent / place
        if (parent / ".git").exists():
            break
    return None


def _constitution_near(folder: Path) -> list[Principle] | None:
    found = find_constitution(folder)
    return read_constitution(found.read_text(encoding="utf-8", errors="replace")) if found else None


def _read(path: Path) -> str | None:
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as Python reads a text file


def gather(folder: Path, today: dt.date, principles: list[Principle] | None = None, syntax: IdSyntax | None = None) -> Imported:
    """Everything a feature folder's Markdown says that the plan format has a field for; ``syntax``:
    how the site writes requirement IDs and stories, and its own words for the template's terms."""
    out = Imported()
    principles = principles if principles is not None else _constitution_near(folder)
    fid, slug = parse_folder_name(folder.name)
    spec_text = _read(folder / "spec.md")
    spec = read_spec(spec_text, syntax) if spec_text is not None else None
    plan_text = _read(folder / "plan.md") or _read(folder / ARCHIVE_NAME)
    if plan_text is not None:
        _read_plan_md(plan_text, out, principles)
    research = _read(folder / "research.md")
    if research is not None:
        _read_research(research, out)
    tasks = _read(folder / "tasks.md")
    if tasks is not None:
        _read_tasks(tasks, out)
    if out.data.get("feature_name") in (folder.name, slug) and spec and spec.title:
        del out.data["feature_name"]  # plan.md's title is only the folder's name: the spec names the feature
    if "feature_name" not in out.data:
        out.data["feature_name"] = (spec.title if spec and spec.title else None) or slug
        out.sources["feature_name"] = "spec.md title" if spec and spec.title else "the folder's name"
    out.data["feature_id"] = fid or slug
    out.sources["feature_id"] = "the folder's number"
    if "created_date" not in out.data:
        created = spec.created if spec and spec.created and re.match(r"^\d{4}-\d{2}-\d{2}$", spec.created) else None
        out.data["created_date"] = created or today.isoformat()
        out.sources["created_date"] = "spec.md Created" if created else "today (no date in plan.md or spec.md)"
    progress: TaskProgress | None = out.data.pop("_progress", None)
    status, why = "draft", "a new plan starts as a draft (no task is done yet)"
    if progress is not None and progress.total and progress.checkboxes:
        if progress.done == progress.total:
            status, why = "done", f"tasks.md: all {progress.total} tasks are done"
        elif progress.done:
            status, why = "in-progress", f"tasks.md: {progress.done} of {progress.total} tasks are done"
    if status == "draft" and spec and spec.status and spec.status.strip().lower() in ("approved", "in review", "in-review"):
        status, why = spec.status.strip().lower().replace(" ", "-"), f'spec.md: its Status is "{spec.status}"'
    out.data["status"] = status
    out.sources["status"] = why
    if out.leftovers:
        own = out.data.get("technical_approach")
        parts = [own] if own else []
        for where, text in out.leftovers:
            parts.append(f"#### From {where}\n\n{demote(text, 4)}")
        out.data["technical_approach"] = "\n\n".join(parts)
        out.sources["technical_approach"] = (
            "text of plan.md that has no field of its own, under headings that say where it came from"
        )
    return out


# -- writing YAML with comments -----------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        # a block YAML can write: no blank at a line's end, no tab, no control character (else
        # PyYAML would fall back to one quoted, escaped line)
        lines = [line.rstrip().expandtabs(4) for line in value.rstrip().split("\n")]
        text = "".join(c for c in "\n".join(lines) if c == "\n" or c.isprintable()) + "\n"
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)
ORDER = (
    "feature_name",
    "feature_id",
    "created_date",
    "status",
    "plan_summary",
    "technical_context",
    "constitution_check",
    "project_structure",
    "structure_decision",
    "complexity_tracking",
    "technical_approach",
    "tech_stack",
    "architecture_description",
    "data_flow_description",
    "technical_decisions",
    "phases",
    "data_model_description",
    "api_contract_description",
    "test_data_strategy",
    "acceptance_testing",
    "security_considerations",
    "performance_considerations",
    "deployment_strategy",
    "rollout_plan",
    "rollback_plan",
    "logging_strategy",
    "alerting_strategy",
    "prerequisites",
    "documentation_items",
)


def _dump(key: str, value: Any) -> str:
    if key == "feature_id":
        return f"{key}: {json.dumps(str(value), ensure_ascii=False)}\n"  # kept as written: "001"
    if key == "created_date":
        return f"{key}: {value}\n"
    text: str = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return text


PERSON_ONLY = """\
# What only a person knows is not in the Markdown; add it when you know it:
# estimated_effort: 6 w                 # and an effort per phase (phases[].effort: 3 d)
# start_date: {today}
# risks:
#   - id: R1
#     title: ...
#     probability: medium               # low, medium, high
#     impact: high
#     mitigation: ...
#     owner: ...
# document_status: Draft
# last_updated: {today}
# approved_by: ...
"""


PHASE_KEYS_A_PERSON_SETS = ("effort", "start", "started", "finished", "validation", "goal")


def keep_from_existing(imported: Imported, existing: Any) -> None:
    """On a new import over a plan.yaml: what a person added and the Markdown does not say is kept
    (top-level keys the import does not set, and each phase's effort, dates and goal by name)."""
    if not isinstance(existing, dict):
        return
    data = imported.data
    for key, value in existing.items():
        if isinstance(key, str) and key not in data and not key.startswith("_"):
            data[key] = value
            imported.sources[key] = "the previous plan.yaml (kept: the Markdown does not say it)"
    old_phases = {str(p.get("name")): p for p in existing.get("phases") or [] if isinstance(p, dict)}
    for phase in data.get("phases") or []:
        old = old_phases.get(str(phase.get("name")))
        if old is None:
            continue
        for key in PHASE_KEYS_A_PERSON_SETS:
            if key in old and key not in phase:
                phase[key] = old[key]


def render_yaml(imported: Imported, origin: str, today: dt.date) -> str:
    """The plan.yaml text: every block with a comment that says where it came from."""
    data = imported.data
    out = [
        f"# Imported by specplan import from {origin} on {today.isoformat()}.",
        f"# The original plan.md is kept beside this file as {ARCHIVE_NAME} (not published).",
        "",
    ]
    keys = [k for k in ORDER if k in data] + [k for k in data if k not in ORDER]
    for key in keys:
        where = imported.sources.get(key)
        if where:
            out.append(f"# from {where}")
        out.append(_dump(key, data[key]).rstrip("\n"))
        out.append("")
    for todo in imported.todo:
        out.append(f"# TODO: {todo}")
    if not any(k in data for k in ("estimated_effort", "risks", "approved_by")):
        out.append(PERSON_ONLY.format(today=today.isoformat()).rstrip("\n"))
    return "\n".join(out).rstrip("\n") + "\n"


# -- specplan new -------------------------------------------------------------------------------
NEW_TEMPLATE = """\
# The implementation plan of {folder}, as data. Uncomment and fill in what you know;
# every key is described in the plan format (README) and checked while you type.
feature_name: {name}
feature_id: "{fid}"
created_date: {today}
status: draft
{plan_against}
# plan_summary: |
#   What this feature delivers and how, in a paragraph.
# technical_context:
#   language_version: Python 3.12
#   primary_dependencies: FastAPI
#   storage: PostgreSQL 16
#   testing: pytest
#   target_platform: Linux server
#   project_type: web
#   performance_goals: p95 < 300 ms
#   constraints: NEEDS CLARIFICATION
#   scale_scope: 10k users
# constitution_check:
#   - principle: Article I
#     status: pass                    # pass, fail, n/a, waived
#     notes: ...
# technical_approach: |
#   ...
# tech_stack: [Python 3.12, PostgreSQL 16]
# estimated_effort: 4-6 w
# start_date: {today}
# architecture_description: |
#   ...
# components:
#   - name: ...
#     purpose: ...
# technical_decisions:
#   - id: D1
#     title: ...
#     options:
#       - name: Option A
#         pros: [...]
#       - name: Option B
#     chosen: Option A
#     rationale: ...
# phases:
#   - name: Foundation
#     goal: ...
#     deliverables: [...]
#     validation: [...]
#     effort: 2 w
#   - name: First user story
#     dependencies: [Phase 1]
#     effort: 1-2 sprints
# data_model_description: See data-model.md.
# api_contract_description: See contracts/.
# test_levels:
#   - level: Unit
#     coverage: 80%
#     tools: pytest
# acceptance_testing: ...
# security_considerations: ...
# performance_targets:
#   - metric: p95 latency
#     target: 300 ms
# deployment_strategy: ...
# rollout_plan: ...
# rollback_plan: ...
# risks:
#   - id: R1
#     title: ...
#     probability: medium
#     impact: high
#     mitigation: ...
# prerequisites: [...]
# external_dependencies:
#   - name: ...
#     status: pending
# documentation_items: [...]
# last_updated: {today}
"""


def new_plan(folder: Path, today: dt.date) -> str:
    """A starting plan.yaml for a feature: name, ID, dates, draft, and what the spec asks for as comments."""
    fid, slug = parse_folder_name(folder.name)
    spec_text = _read(folder / "spec.md")
    spec = read_spec(spec_text) if spec_text is not None else None
    name = (spec.title if spec and spec.title else None) or slug
    lines = []
    if spec and spec.requirements:
        lines.append("# Plan against what the spec defines (mention the IDs below in the plan to cover them):")
        for requirement in spec.requirements:
            text = f" {requirement.text}" if requirement.text else ""
            lines.append(f"#   {requirement.id}:{text[:110]}")
    return NEW_TEMPLATE.format(
        folder=folder.name,
        name=_dump("x", name)[3:].rstrip("\n"),
        fid=json.dumps(fid or slug, ensure_ascii=False)[1:-1],
        today=today.isoformat(),
        plan_against="\n".join(lines),
    )
