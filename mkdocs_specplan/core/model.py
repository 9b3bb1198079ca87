"""The plan model: plain data classes, free of MkDocs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DEFAULT_PLAN_STATUSES = ("draft", "in-review", "approved", "in-progress", "blocked", "done", "cancelled")
DEFAULT_PHASE_STATUSES = ("planned", "in-progress", "done", "blocked")
DEFAULT_RISK_LEVELS = ("low", "medium", "high")
DEFAULT_RISK_STATUSES = ("open", "mitigated", "closed")
DEFAULT_CHECK_STATUSES = ("pass", "fail", "n/a", "waived")
CHECK_PHASES = ("pre-research", "post-design")
# spec-kit's Technical Context fields, in its order, with the labels its template uses.
TECHNICAL_CONTEXT_FIELDS = (
    ("language_version", "Language/Version"),
    ("primary_dependencies", "Primary Dependencies"),
    ("storage", "Storage"),
    ("testing", "Testing"),
    ("target_platform", "Target Platform"),
    ("project_type", "Project Type"),
    ("performance_goals", "Performance Goals"),
    ("constraints", "Constraints"),
    ("scale_scope", "Scale/Scope"),
)
NEEDS_CLARIFICATION = "NEEDS CLARIFICATION"


@dataclass(frozen=True)
class Settings:
    """Everything the core needs to know that a site may configure."""

    plan_statuses: tuple[str, ...] = DEFAULT_PLAN_STATUSES
    phase_statuses: tuple[str, ...] = DEFAULT_PHASE_STATUSES
    risk_levels: tuple[str, ...] = DEFAULT_RISK_LEVELS
    risk_statuses: tuple[str, ...] = DEFAULT_RISK_STATUSES
    open_risk_statuses: tuple[str, ...] = ("open",)
    sprint_days: int = 10
    done_phase_statuses: tuple[str, ...] = ("done",)
    active_phase_statuses: tuple[str, ...] = ("in-progress",)
    at_risk_days: int = 5
    done_plan_statuses: tuple[str, ...] = ("done", "cancelled")
    blocked_phase_statuses: tuple[str, ...] = ("blocked",)
    blocked_plan_statuses: tuple[str, ...] = ("blocked",)
    available_dependency_statuses: tuple[str, ...] = ("available",)
    check_statuses: tuple[str, ...] = DEFAULT_CHECK_STATUSES
    failed_check_statuses: tuple[str, ...] = ("fail",)
    check_phases: tuple[str, ...] = CHECK_PHASES


QUOTE_LIMIT = 80


def quote_value(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message quotes it: on one line, in double quotes, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a source file, reported as ``path:line:col: field: message``."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    level: str = "warning"  # "warning" fails strict builds; "info" does not

    @property
    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        prefix = f"{self.location}: "
        if self.field:
            prefix += f"{self.field}: "
        return prefix + self.message


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in the order they appear in the file, those about the whole file last."""
    return sorted(problems, key=lambda p: (p.path, p.line is None, p.line or 0, p.column or 0))


@dataclass(frozen=True)
class Effort:
    """A parsed effort such as ``3 d``, ``1.5 w`` or ``1-2 sprints``."""

    text: str
    low: Fraction
    high: Fraction
    unit: str  # canonical: h, d, w, sprint, mo
    low_days: int  # working days, rounded up
    high_days: int

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass
class Component:
    name: str | None = None
    purpose: str | None = None
    responsibilities: list[str] = field(default_factory=list)


@dataclass
class Option:
    name: str | None = None
    description: str | None = None
    pros: list[str] = field(default_factory=list)
    cons: list[str] = field(default_factory=list)


@dataclass
class Decision:
    id: str | None = None
    title: str | None = None
    context: str | None = None
    options: list[Option] = field(default_factory=list)
    chosen: str | None = None
    rationale: str | None = None
    constitution_reference: list[str] = field(default_factory=list)
    index: int = 0


@dataclass
class Phase:
    number: int | None = None
    name: str | None = None
    goal: str | None = None
    deliverables: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    validation: list[str] = field(default_factory=list)
    effort: Effort | None = None
    status: str = "planned"
    start: dt.date | None = None
    started: dt.date | None = None  # actual dates
    finished: dt.date | None = None
    index: int = 0  # position in the list, 0-based


@dataclass
class TestLevel:
    level: str | None = None
    coverage: str | None = None
    tools: str | None = None
    approach: str | None = None


@dataclass
class PerformanceTarget:
    metric: str | None = None
    target: str | None = None


@dataclass
class Metric:
    name: str | None = None
    description: str | None = None


@dataclass
class Risk:
    id: str | None = None
    title: str | None = None
    probability: str | None = None
    impact: str | None = None
    mitigation: str | None = None
    status: str = "open"
    owner: str | None = None
    index: int = 0


@dataclass
class ExternalDependency:
    name: str | None = None
    description: str | None = None
    status: str | None = None
    risk: str | None = None
    owner: str | None = None  # who can unblock it


@dataclass
class TechnicalContext:
    """spec-kit's Technical Context: nine Markdown values."""

    language_version: str | None = None
    primary_dependencies: str | None = None
    storage: str | None = None
    testing: str | None = None
    target_platform: str | None = None
    project_type: str | None = None
    performance_goals: str | None = None
    constraints: str | None = None
    scale_scope: str | None = None

    def items(self) -> list[tuple[str, str, str]]:
        """(key, label, value) of the fields that are set, in spec-kit's order."""
        return [(key, label, getattr(self, key)) for key, label in TECHNICAL_CONTEXT_FIELDS if getattr(self, key)]

    @property
    def clarifications(self) -> list[str]:
        """Keys whose value still says NEEDS CLARIFICATION."""
        return [key for key, _, value in self.items() if NEEDS_CLARIFICATION in value.upper()]


@dataclass
class ConstitutionCheck:
    principle: str | None = None
    status: str | None = None
    notes: str | None = None
    phase: str | None = None
    index: int = 0


@dataclass
class ComplexityEntry:
    violation: str | None = None
    why_needed: str | None = None
    simpler_alternative_rejected: str | None = None
    index: int = 0


class Positions:
    """Where each field of a plan was written: ``"phases[1].effort" -> (line, column)``, 1-based.

    Never held for every field of every plan (a site of a thousand plans would hold a million):
    while the plan is loaded, a field is found in its YAML nodes when a problem asks for its line;
    after that, the first question composes the text again and keeps its nodes for the next ones
    (plans with a problem found later, while linking or scheduling). ``refused`` names the fields
    that were written but gave no value, known at once.
    """

    __slots__ = ("_again", "_find", "_reopen", "refused", "source")

    def __init__(
        self,
        source: str = "",
        reopen: Callable[[], Callable[[str], tuple[int, int] | None]] | None = None,
        refused: frozenset[str] = frozenset(),
        find: Callable[[str], tuple[int, int] | None] | None = None,
    ) -> None:
        self.source = source  # the text they are found in: equal texts, equal positions
        self.refused = refused
        self._find = find  # while the plan's nodes are at hand
        self._reopen = reopen  # after: how to find them again from the text
        self._again = reopen  # kept: a copy of these positions (pickled) finds them from the text again

    def settle(self) -> None:
        """The plan's nodes are gone: a question from now on is answered from the text."""
        self._find = None

    def get(self, fieldpath: str) -> tuple[int, int] | None:
        if self._find is None:
            if self._reopen is None:
                return None
            self._find, self._reopen = self._reopen(), None
        return self._find(fieldpath)

    def __contains__(self, fieldpath: object) -> bool:
        return isinstance(fieldpath, str) and (fieldpath in self.refused or self.get(fieldpath) is not None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the text and how to find fields in it: never the nodes."""
        return (Positions, (self.source, self._again, self.refused))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Positions) and (self.source, self.refused) == (other.source, other.refused)

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Positions({len(self.source)} characters)"


@dataclass
class Plan:
    """A validated plan. Fields that failed validation are left at their defaults."""

    feature_name: str | None = None
    feature_id: str | None = None
    created_date: dt.date | None = None
    status: str | None = None
    plan_summary: str | None = None
    technical_context: TechnicalContext | None = None
    constitution_check: list[ConstitutionCheck] = field(default_factory=list)
    project_structure: str | None = None
    structure_decision: str | None = None
    complexity_tracking: list[ComplexityEntry] = field(default_factory=list)
    technical_approach: str | None = None
    tech_stack: list[str] = field(default_factory=list)
    tech_stack_text: str | None = None
    estimated_effort: Effort | None = None
    start_date: dt.date | None = None
    baseline: str | None = None  # git ref (or "approved", "first") to measure slippage against
    architecture_description: str | None = None
    components: list[Component] = field(default_factory=list)
    data_flow_description: str | None = None
    technical_decisions: list[Decision] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    data_model_description: str | None = None
    api_contract_description: str | None = None
    test_levels: list[TestLevel] = field(default_factory=list)
    test_data_strategy: str | None = None
    acceptance_testing: str | None = None
    phi_handling: bool = False
    security_considerations: str | None = None
    encryption_approach: str | None = None
    access_control: str | None = None
    audit_logging: str | None = None
    data_retention: str | None = None
    performance_considerations: str | None = None
    performance_targets: list[PerformanceTarget] = field(default_factory=list)
    deployment_strategy: str | None = None
    rollout_plan: str | None = None
    rollback_plan: str | None = None
    metrics: list[Metric] = field(default_factory=list)
    logging_strategy: str | None = None
    alerting_strategy: str | None = None
    risks: list[Risk] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)
    external_dependencies: list[ExternalDependency] = field(default_factory=list)
    documentation_items: list[str] = field(default_factory=list)
    article_i_name: str | None = None
    article_ii_name: str | None = None
    article_iii_name: str | None = None
    article_iv_name: str | None = None
    checklist: dict[str, bool] = field(default_factory=dict)
    document_status: str | None = None
    last_updated: dt.date | None = None
    approved_by: str | None = None
    # page metadata for the site's theme and plugins (tags, social cards, hide, ...)
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    hide: list[str] = field(default_factory=list)
    icon: str | None = None
    template: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Where each field path was written: "phases[1].effort" -> (line, column), 1-based.
    positions: Positions = field(default_factory=lambda: Positions())

    @property
    def phase_count(self) -> int:
        return len(self.phases)

    @property
    def scheduled_start(self) -> dt.date | None:
        return self.start_date or self.created_date
