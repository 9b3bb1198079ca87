"""Load and validate a plan source.

The YAML is composed into nodes (never constructed), so every value keeps its line and column,
text keeps exactly the characters written (``007`` stays ``"007"``), duplicate keys are caught
and dates are checked by our own rules. All problems of a file are collected, none raised.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import model
from .checklist import DATA_CHECKLIST_KEYS, MANUAL_CHECKLIST_KEYS, PRINCIPLE_KEY_RE
from .effort import EffortError, parse_effort
from .model import Plan, Positions, Problem, Settings, quote_value, sort_problems

try:  # the C composer is several times faster; fall back to pure Python when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_BOOL_TAG = "tag:yaml.org,2002:bool"
MAX_INT = 999_999  # phase numbers
_NULL_TAG = "tag:yaml.org,2002:null"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Spec:
    """How one field is read.

    ``kind`` is one of: text, date, bool, int, effort, texts (a list of text; a single text is
    taken as a list of one), items (a list of mappings read with ``schema`` into ``cls``),
    checklist. ``choices`` names a :class:`Settings` attribute the value must be one of.
    """

    kind: str
    required: bool = False
    choices: str | None = None
    cls: type | None = None
    schema: dict[str, Spec] | None = None


TEXT = Spec("text")
TEXTS = Spec("texts")
DATE = Spec("date")


def _items(cls: type, schema: dict[str, Spec]) -> Spec:
    return Spec("items", cls=cls, schema=schema)


COMPONENT = {"name": Spec("text", required=True), "purpose": TEXT, "responsibilities": TEXTS}
OPTION = {"name": Spec("text", required=True), "description": TEXT, "pros": TEXTS, "cons": TEXTS}
DECISION = {
    "id": TEXT,
    "title": Spec("text", required=True),
    "context": TEXT,
    "options": _items(model.Option, OPTION),
    "chosen": TEXT,
    "rationale": TEXT,
    "constitution_reference": TEXTS,
}
PHASE = {
    "number": Spec("int"),
    "name": Spec("text", required=True),
    "goal": TEXT,
    "deliverables": TEXTS,
    "dependencies": Spec("dependencies"),
    "validation": TEXTS,
    "effort": Spec("effort"),
    "status": Spec("text", choices="phase_statuses"),
    "start": DATE,
    "started": DATE,
    "finished": DATE,
}
TEST_LEVEL = {"level": Spec("text", required=True), "coverage": TEXT, "tools": TEXT, "approach": TEXT}
PERFORMANCE_TARGET = {"metric": Spec("text", required=True), "target": TEXT}
METRIC = {"name": Spec("text", required=True), "description": TEXT}
RISK = {
    "id": TEXT,
    "title": Spec("text", required=True),
    "probability": Spec("text", choices="risk_levels"),
    "impact": Spec("text", choices="risk_levels"),
    "mitigation": TEXT,
    "status": Spec("text", choices="risk_statuses"),
    "owner": TEXT,
}
EXTERNAL_DEPENDENCY = {"name": Spec("text", required=True), "description": TEXT, "status": TEXT, "risk": TEXT, "owner": TEXT}
TECHNICAL_CONTEXT = {key: TEXT for key, _ in model.TECHNICAL_CONTEXT_FIELDS}
CONSTITUTION_CHECK = {
    "principle": Spec("text", required=True),
    "status": Spec("text", required=True, choices="check_statuses"),
    "notes": TEXT,
    "phase": Spec("text", choices="check_phases"),
}
COMPLEXITY_ENTRY = {"violation": Spec("text", required=True), "why_needed": TEXT, "simpler_alternative_rejected": TEXT}

PLAN: dict[str, Spec] = {
    "feature_name": Spec("text", required=True),
    "feature_id": Spec("text", required=True),
    "created_date": Spec("date", required=True),
    "status": Spec("text", required=True, choices="plan_statuses"),
    "plan_summary": TEXT,
    "technical_context": Spec("object", cls=model.TechnicalContext, schema=TECHNICAL_CONTEXT),
    "constitution_check": _items(model.ConstitutionCheck, CONSTITUTION_CHECK),
    "project_structure": TEXT,
    "structure_decision": TEXT,
    "complexity_tracking": _items(model.ComplexityEntry, COMPLEXITY_ENTRY),
    "technical_approach": TEXT,
    "tech_stack": TEXTS,
    "estimated_effort": Spec("effort"),
    "start_date": DATE,
    "baseline": TEXT,
    "architecture_description": TEXT,
    "components": _items(model.Component, COMPONENT),
    "data_flow_description": TEXT,
    "technical_decisions": _items(model.Decision, DECISION),
    "phases": _items(model.Phase, PHASE),
    "data_model_description": TEXT,
    "api_contract_description": TEXT,
    "test_levels": _items(model.TestLevel, TEST_LEVEL),
    "test_data_strategy": TEXT,
    "acceptance_testing": TEXT,
    "phi_handling": Spec("bool"),
    "security_considerations": TEXT,
    "encryption_approach": TEXT,
    "access_control": TEXT,
    "audit_logging": TEXT,
    "data_retention": TEXT,
    "performance_considerations": TEXT,
    "performance_targets": _items(model.PerformanceTarget, PERFORMANCE_TARGET),
    "deployment_strategy": TEXT,
    "rollout_plan": TEXT,
    "rollback_plan": TEXT,
    "metrics": _items(model.Metric, METRIC),
    "logging_strategy": TEXT,
    "alerting_strategy": TEXT,
    "risks": _items(model.Risk, RISK),
    "prerequisites": TEXTS,
    "external_dependencies": _items(model.ExternalDependency, EXTERNAL_DEPENDENCY),
    "documentation_items": TEXTS,
    "article_i_name": TEXT,
    "article_ii_name": TEXT,
    "article_iii_name": TEXT,
    "article_iv_name": TEXT,
    "checklist": Spec("checklist"),
    "document_status": TEXT,
    "last_updated": DATE,
    "approved_by": TEXT,
    "tags": TEXTS,
    "description": TEXT,
    "hide": TEXTS,
    "icon": TEXT,
    "template": TEXT,
    "meta": Spec("meta"),
}

PHI_FIELDS = ("encryption_approach", "access_control", "audit_logging", "data_retention")


@dataclass
class LoadResult:
    """A plan (``None`` only when the file is not a YAML mapping at all) and every problem found."""

    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)


def _kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return quote_value(node.value)


_CHOICE_LABELS = {
    "check_statuses": "constitution check status",
    "check_phases": "constitution check phase",
    "plan_statuses": "plan status",
    "phase_statuses": "phase status",
    "risk_levels": "risk level",
    "risk_statuses": "risk status",
}


_GAP_RE = re.compile(r"[\s_]+")


def _norm_choice(text: str) -> str:
    return _GAP_RE.sub("-", text.strip().lower())


class _Reader:
    def __init__(self, path: str, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self.problems: list[Problem] = []
        self.refused: set[str] = set()  # fields written that gave no value
        self.read_nodes: set[int] = set()  # collection nodes already read (aliases are refused)

    # -- reporting -------------------------------------------------------------------------
    def report(self, where: Node | tuple[int, int] | None, fieldpath: str, message: str, level: str = "warning") -> None:
        if isinstance(where, Node):
            line, col = where.start_mark.line + 1, where.start_mark.column + 1
        elif where is None:
            line, col = None, None
        else:
            line, col = where
        self.problems.append(Problem(self.path, line, col, fieldpath, message, level))

    # -- mappings ----------------------------------------------------------------------------
    def mapping(self, node: Node, prefix: str, schema: dict[str, Spec], top: bool = False) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if not isinstance(node, MappingNode):
            what = "the plan" if top else "this item"
            self.report(node, prefix, f"expected {what} to be a mapping of fields, got {_kind_of(node)}")
            return values
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, prefix, "a key must be plain text, not a list or mapping")
                continue
            written = key_node.value
            name = written
            if top and written.isupper() and written.lower() in schema:
                name = written.lower()  # a template context dumped as it is: FEATURE_NAME
            fieldpath = f"{prefix}.{name}" if prefix else name
            if name in seen:
                first = seen[name]
                self.report(
                    key_node,
                    fieldpath,
                    f"duplicate key {quote_value(written)} (first set at line {first.start_mark.line + 1}); "
                    "YAML would keep only the last value: remove or merge one of them",
                )
                continue
            seen[name] = key_node
            spec = schema.get(name)
            if spec is None:
                self.report(key_node, fieldpath, self._unknown_key(written, schema, top))
                continue
            value = self.value(value_node, spec, fieldpath)
            if value is not None:
                values[name] = value
            else:
                self.refused.add(fieldpath)
        for name, spec in schema.items():
            if spec.required and name not in values and name not in seen:
                fieldpath = f"{prefix}.{name}" if prefix else name
                self.report(node, fieldpath, "is required but missing")
            elif spec.required and name not in values and name in seen:
                fieldpath = f"{prefix}.{name}" if prefix else name
                if not any(p.field == fieldpath for p in self.problems):
                    self.report(seen[name], fieldpath, "is required but empty")
        return values

    @staticmethod
    def _unknown_key(written: str, schema: dict[str, Spec], top: bool) -> str:
        candidates = list(schema)
        close = difflib.get_close_matches(written.lower(), candidates, n=1, cutoff=0.6)
        message = f"unknown key {quote_value(written)}"
        if close:
            return message + f'; did you mean "{close[0]}"?'
        if top:
            return message + "; see the plan format for the keys a plan may have"
        return message + "; expected one of: " + ", ".join(candidates)

    # -- values ------------------------------------------------------------------------------
    def value(self, node: Node, spec: Spec, fieldpath: str) -> Any:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return None
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in self.read_nodes:  # an alias: reading it again could multiply the work without bound
                self.report(node, fieldpath, "YAML aliases (*name) are not supported in plans; write the value out")
                return None
            self.read_nodes.add(id(node))
        reader: Callable[[Node, Spec, str], Any] = getattr(self, f"read_{spec.kind}")
        return reader(node, spec, fieldpath)

    def read_text(self, node: Node, spec: Spec, fieldpath: str) -> str | None:
        if not isinstance(node, ScalarNode):
            hint = ""
            if isinstance(node, MappingNode):
                hint = ' (text containing ": " must be quoted or written as a block with "|")'
            self.report(node, fieldpath, f"expected text, got {_kind_of(node)}{hint}")
            return None
        text = node.value.strip("\n") if node.style in ("|", ">") else node.value.strip()
        if not text.strip():
            return None
        if spec.choices:
            return self.choice(node, text, spec.choices, fieldpath)
        return str(text)

    def choice(self, node: Node, text: str, setting: str, fieldpath: str) -> str | None:
        allowed: tuple[str, ...] = getattr(self.settings, setting)
        by_norm = {_norm_choice(c): c for c in allowed}
        found = by_norm.get(_norm_choice(text))
        if found is None:
            label = _CHOICE_LABELS.get(setting, setting)
            self.report(
                node,
                fieldpath,
                f"{quote_value(text)} is not a {label}; expected one of: {', '.join(allowed)} (the list is set by the `{setting}` option)",
            )
        return found

    def read_date(self, node: Node, spec: Spec, fieldpath: str) -> dt.date | None:
        if not isinstance(node, ScalarNode):
            self.report(node, fieldpath, f"expected a date (YYYY-MM-DD), got {_kind_of(node)}")
            return None
        text = node.value.strip()
        if not _DATE_RE.match(text):
            self.report(node, fieldpath, f"{quote_value(text)} is not a date; expected YYYY-MM-DD, e.g. 2026-03-01")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            self.report(node, fieldpath, f"{quote_value(text)} is not a valid date ({exc}); expected YYYY-MM-DD")
            return None

    def read_bool(self, node: Node, spec: Spec, fieldpath: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.report(node, fieldpath, f"expected true or false, got {_kind_of(node)}")
        return None

    def read_int(self, node: Node, spec: Spec, fieldpath: str) -> int | None:
        if isinstance(node, ScalarNode) and len(node.value) <= 40 and re.fullmatch(r"\s*\d[\d_]*\s*", node.value):
            value = int(node.value.replace("_", ""))
            if value > MAX_INT:
                self.report(node, fieldpath, f"{quote_value(node.value)} is too large; at most {MAX_INT:,}")
                return None
            return value
        self.report(node, fieldpath, f"expected a whole number, got {_kind_of(node)}")
        return None

    def read_effort(self, node: Node, spec: Spec, fieldpath: str) -> model.Effort | None:
        text = self.read_text(node, TEXT, fieldpath)
        if text is None:
            return None
        try:
            return parse_effort(text, self.settings.sprint_days)
        except EffortError as exc:
            self.report(node, fieldpath, str(exc))
            return None

    def read_texts(self, node: Node, spec: Spec, fieldpath: str) -> list[str] | None:
        if isinstance(node, ScalarNode):
            text = self.read_text(node, TEXT, fieldpath)
            return [text] if text is not None else None
        if not isinstance(node, SequenceNode):
            self.report(node, fieldpath, f"expected a list of text, got {_kind_of(node)}")
            return None
        out: list[str] = []
        for i, item in enumerate(node.value):
            itempath = f"{fieldpath}[{i}]"
            if isinstance(item, ScalarNode) and item.tag == _NULL_TAG:
                continue
            text = self.read_text(item, TEXT, itempath)
            if text is not None:
                out.append(text)
        return out

    def read_meta(self, node: Node, spec: Spec, fieldpath: str) -> dict[str, Any] | None:
        """Free-form page metadata: a mapping of plain values, lists and mappings (at most 8 deep, 2,000 values)."""
        if not isinstance(node, MappingNode):
            self.report(node, fieldpath, f"expected a mapping of page metadata, got {_kind_of(node)}")
            return None
        budget = [2000]
        value = self._plain(node, fieldpath, 0, budget)
        return value if isinstance(value, dict) else None

    def _plain(self, node: Node, fieldpath: str, depth: int, budget: list[int]) -> Any:
        budget[0] -= 1
        if depth > 8 or budget[0] < 0:
            self.report(node, fieldpath, "page metadata nested too deeply or too large; keep it small")
            return None
        if isinstance(node, ScalarNode):
            if node.tag == _NULL_TAG:
                return None
            if node.tag == _BOOL_TAG:
                return node.value.lower() in ("true", "yes", "on", "y")
            if node.tag == "tag:yaml.org,2002:int" and len(node.value) <= 15 and node.value.lstrip("+-").isdigit():
                return int(node.value)
            return node.value
        if id(node) in self.read_nodes and depth:
            self.report(node, fieldpath, "YAML aliases (*name) are not supported in plans; write the value out")
            return None
        self.read_nodes.add(id(node))
        if isinstance(node, SequenceNode):
            return [self._plain(item, f"{fieldpath}[{i}]", depth + 1, budget) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        out: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report(key, fieldpath, "a key must be plain text, not a list or mapping")
                continue
            out[str(key.value)] = self._plain(value, f"{fieldpath}.{key.value}", depth + 1, budget)
        return out

    def read_dependencies(self, node: Node, spec: Spec, fieldpath: str) -> list[str] | None:
        """Like texts; an item written ``- 002: Phase 3`` (a mapping for YAML) means the text "002: Phase 3"."""
        if not isinstance(node, SequenceNode):
            return self.read_texts(node, spec, fieldpath)
        items = []
        for item in node.value:
            if isinstance(item, MappingNode) and len(item.value) == 1:
                key, value = item.value[0]
                if isinstance(key, ScalarNode) and isinstance(value, ScalarNode) and key.value.strip() and value.value.strip():
                    text = f"{key.value.strip()}: {value.value.strip()}"
                    item = ScalarNode("tag:yaml.org,2002:str", text, item.start_mark, item.end_mark)
            items.append(item)
        return self.read_texts(SequenceNode(node.tag, items, node.start_mark, node.end_mark), spec, fieldpath)

    def read_items(self, node: Node, spec: Spec, fieldpath: str) -> list[Any] | None:
        assert spec.cls is not None and spec.schema is not None
        if not isinstance(node, SequenceNode):
            self.report(node, fieldpath, f"expected a list of items, got {_kind_of(node)}")
            return None
        out = []
        for i, item in enumerate(node.value):
            itempath = f"{fieldpath}[{i}]"
            if id(item) in self.read_nodes:
                self.report(item, itempath, "YAML aliases (*name) are not supported in plans; write the value out")
                continue
            self.read_nodes.add(id(item))
            values = self.mapping(item, itempath, spec.schema)
            if isinstance(item, MappingNode):
                obj = spec.cls(**values)
                if hasattr(obj, "index"):
                    obj.index = i
                out.append(obj)
        return out

    def read_object(self, node: Node, spec: Spec, fieldpath: str) -> Any:
        assert spec.cls is not None and spec.schema is not None
        values = self.mapping(node, fieldpath, spec.schema)
        return spec.cls(**values) if isinstance(node, MappingNode) else None

    def read_checklist(self, node: Node, spec: Spec, fieldpath: str) -> dict[str, bool] | None:
        if not isinstance(node, MappingNode):
            self.report(node, fieldpath, f"expected a mapping of checklist items to true/false, got {_kind_of(node)}")
            return None
        schema = {key: Spec("bool") for key in MANUAL_CHECKLIST_KEYS}
        decided = set(DATA_CHECKLIST_KEYS)
        kept = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and PRINCIPLE_KEY_RE.match(str(key_node.value)):
                schema[key_node.value] = Spec("bool")  # a principle of the constitution: article_v, security_ii
            if isinstance(key_node, ScalarNode) and key_node.value in decided:
                self.report(
                    key_node,
                    f"{fieldpath}.{key_node.value}",
                    "is decided from the plan's own data and cannot be set; remove it",
                )
                continue
            kept.append((key_node, value_node))
        trimmed = MappingNode(node.tag, kept, node.start_mark, node.end_mark, node.flow_style)
        return self.mapping(trimmed, fieldpath, schema)


def _check_plan(reader: _Reader, plan: Plan) -> None:
    """Checks that span several fields."""
    _check_phase_numbers(reader, plan)
    _check_actual_dates(reader, plan)
    _check_unique_ids(reader, plan)
    _check_chosen_options(reader, plan)
    _check_constitution_checks(reader, plan)
    if plan.phi_handling:  # the PHI sections' fields are required when phi_handling is true
        pos = plan.positions.get("phi_handling")
        for name in PHI_FIELDS:
            if getattr(plan, name) is None:
                reader.report(pos, name, "is required when phi_handling is true")


def _check_phase_numbers(reader: _Reader, plan: Plan) -> None:
    """Phase numbers default to the position and are unique."""
    used: dict[int, int] = {}
    for phase in plan.phases:
        fieldpath = f"phases[{phase.index}].number"
        if phase.number is None:
            phase.number = phase.index + 1
        if phase.number in used:
            first = used[phase.number]
            pos = plan.positions.get(fieldpath) or plan.positions.get(f"phases[{phase.index}]")
            reader.report(
                pos, fieldpath, f"phase number {phase.number} is already used by phases[{first}]; numbers must be unique"
            )
        else:
            used[phase.number] = phase.index


def _check_actual_dates(reader: _Reader, plan: Plan) -> None:
    """``finished`` needs ``started`` and is not before it; a done phase without ``finished`` or one in
    progress without ``started`` is a note (a draft still builds strictly)."""
    done = reader.settings.done_phase_statuses
    for phase in plan.phases:
        at = f"phases[{phase.index}]"
        label = f"Phase {phase.number} {quote_value(phase.name)}"
        if phase.finished is not None and phase.started is None:
            reader.report(
                plan.positions.get(f"{at}.finished"), f"{at}.finished", f"{label} has finished but no started date; add started"
            )
        elif phase.finished is not None and phase.started is not None and phase.finished < phase.started:
            reader.report(
                plan.positions.get(f"{at}.finished"),
                f"{at}.finished",
                f"{label} finished on {phase.finished.isoformat()}, before it started on {phase.started.isoformat()}",
            )
        if phase.status in done and phase.finished is None:
            reader.report(
                plan.positions.get(at),
                at,
                f"{label} is {phase.status} but has no finished date; its planned dates are used",
                "info",
            )
        elif phase.status in reader.settings.active_phase_statuses and phase.started is None:
            reader.report(
                plan.positions.get(at), at, f"{label} is in progress but has no started date; its planned start is used", "info"
            )


def _check_unique_ids(reader: _Reader, plan: Plan) -> None:
    """Risk and decision IDs name anchors on the page: unique."""
    for listname in ("risks", "technical_decisions"):
        ids: dict[str, int] = {}
        for i, item in enumerate(getattr(plan, listname)):
            if item.id is None:
                continue
            key = item.id.casefold()
            if key in ids:
                fieldpath = f"{listname}[{i}].id"
                reader.report(
                    plan.positions.get(fieldpath),
                    fieldpath,
                    f'ID "{item.id}" is already used by {listname}[{ids[key]}]; IDs must be unique',
                )
            else:
                ids[key] = i


def _check_chosen_options(reader: _Reader, plan: Plan) -> None:
    """A decision's chosen option must be one of its options."""
    for i, decision in enumerate(plan.technical_decisions):
        if decision.chosen is None:
            continue
        names = [o.name for o in decision.options if o.name]
        fieldpath = f"technical_decisions[{i}].chosen"
        pos = plan.positions.get(fieldpath)
        if not names:
            reader.report(pos, fieldpath, f"names {quote_value(decision.chosen)} but the decision lists no options")
            continue
        matches = [n for n in names if n.strip().casefold() == decision.chosen.strip().casefold()]
        if matches:
            decision.chosen = matches[0]
            continue
        listed = ", ".join(quote_value(n, 40) for n in names[:10]) + (", …" if len(names) > 10 else "")
        close = difflib.get_close_matches(decision.chosen, names, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        reader.report(pos, fieldpath, f"{quote_value(decision.chosen)} is not one of the options ({listed}){hint}")


def _check_constitution_checks(reader: _Reader, plan: Plan) -> None:
    """A failed principle needs a complexity-tracking entry that justifies it."""
    failed = reader.settings.failed_check_statuses
    for i, check in enumerate(plan.constitution_check):
        if check.status in failed and not _justified(check, plan):
            fieldpath = f"constitution_check[{i}].status"
            reader.report(
                plan.positions.get(fieldpath),
                fieldpath,
                f"{quote_value(check.principle)} fails the constitution check and no complexity_tracking entry justifies it; "
                "add one (violation, why_needed, simpler_alternative_rejected) or fix the plan",
            )


def _justified(check: model.ConstitutionCheck, plan: Plan) -> bool:
    """A complexity-tracking entry with a reason that names the principle (or the only entry there is)."""
    entries = [e for e in plan.complexity_tracking if e.why_needed]
    if len(entries) == 1 and len([c for c in plan.constitution_check if c.status == check.status]) == 1:
        return True
    wanted = (check.principle or "").casefold()
    return any(wanted and wanted in (e.violation or "").casefold() for e in entries)


_STEP_RE = re.compile(r"(?:^|\.)([^.\[\]]+)|\[(\d+)\]")


class _Finder:
    """Where the value at a field path (``phases[2].finished``) was written, found in the plan's nodes
    as the reader found it: the first of duplicate keys, an upper-case top-level key too. Each
    mapping's keys are indexed the first time a path goes through it, so any number of questions
    take time linear in the plan's size."""

    def __init__(self, root: Node | None) -> None:
        self.root = root
        self.keys: dict[int, dict[str, Node]] = {}

    def _index(self, node: MappingNode) -> dict[str, Node]:
        index = self.keys.get(id(node))
        if index is None:
            index = self.keys[id(node)] = {}
            top = node is self.root
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    written = key.value
                    index.setdefault(written.lower() if top and written.isupper() else written, value)
        return index

    def __call__(self, fieldpath: str) -> tuple[int, int] | None:
        node: Node | None = self.root
        for step in _STEP_RE.finditer(fieldpath):
            name, index = step.groups()
            if name is not None:
                node = self._index(node).get(name) if isinstance(node, MappingNode) else None
            elif isinstance(node, SequenceNode) and int(index) < len(node.value):
                node = node.value[int(index)]
            else:
                node = None
            if node is None:
                return None
        assert node is not None
        return (node.start_mark.line + 1, node.start_mark.column + 1)


def _positions_of(text: str) -> _Finder:
    """Where the fields of a plan that loaded were written: its text composed again."""
    return _Finder(yaml.compose(text, Loader=_Loader))


def load_plan(text: str, path: str, settings: Settings | None = None) -> LoadResult:
    """Read a plan from YAML ``text``; ``path`` is how problems name the file."""
    settings = settings or Settings()
    reader = _Reader(path, settings)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else None
        message = " ".join(" ".join(str(part).split()) for part in (exc.context, exc.problem) if part)
        reader.report(where, "", f"invalid YAML: {message}")
        return LoadResult(None, reader.problems)
    except yaml.YAMLError as exc:
        reader.report(None, "", f"invalid YAML: {' '.join(str(exc).split())[:200]}")
        return LoadResult(None, reader.problems)
    except RecursionError:
        reader.report(None, "", "invalid YAML: nested too deeply")
        return LoadResult(None, reader.problems)
    if root is None:
        reader.report((1, 1), "", "the file is empty; a plan needs at least feature_name, feature_id, created_date and status")
        return LoadResult(None, reader.problems)
    if not isinstance(root, MappingNode):
        reader.mapping(root, "", PLAN, top=True)
        return LoadResult(None, reader.problems)
    values = reader.mapping(root, "", PLAN, top=True)
    tech_stack = values.pop("tech_stack", None)
    plan = Plan(**values)
    if tech_stack is not None:
        node = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value.lower() == "tech_stack"), None)
        if isinstance(node, ScalarNode):
            plan.tech_stack_text = tech_stack[0]
        else:
            plan.tech_stack = tech_stack
    plan.positions = Positions(text, functools.partial(_positions_of, text), frozenset(reader.refused), _Finder(root))
    _check_plan(reader, plan)
    plan.positions.settle()
    return LoadResult(plan, sort_problems(reader.problems))
