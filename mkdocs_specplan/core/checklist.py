"""The Review & Validation Checklist: items the plan's data decides, and items the plan ticks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..speckit.documents import Principle, int_to_roman, resolve_principle
from .model import ConstitutionCheck, Plan

# Items ticked from the plan's `checklist:` mapping.
MANUAL_CHECKLIST_KEYS = (
    "article_i",
    "article_ii",
    "article_iii",
    "article_iv",
    "team_reviewed",
    "stakeholders_approved",
)
# Items decided by the data; setting them in `checklist:` is an error.
DATA_CHECKLIST_KEYS = (
    "user_stories",
    "decisions_rationale",
    "test_strategy",
    "security",
    "performance_targets",
    "phases_complete",
    "dependencies_tracked",
    "risks_mitigated",
    "deployment_rollback",
    "prerequisites_met",
    "ready_for_tasks",
)

# External dependency statuses that mean "not met and not in progress".
UNAVAILABLE_STATUSES = frozenset({"unavailable", "not-available", "blocked", "missing", "rejected", "denied"})

ROMAN = ("i", "ii", "iii", "iv")
# Checklist keys of constitution principles beyond Articles I-IV: article_v, security_ii, ...
PRINCIPLE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}_[ivxlc]{1,12}$")


@dataclass(frozen=True)
class PrincipleItem:
    """A principle of the constitution as the checklist names it."""

    key: str  # "article_ii", "security_i"
    label: str  # "Article II", "Security I"
    name: str


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: str
    checked: bool
    decided_by: str  # "data" or "plan"
    reason: str | None = None  # why a data-decided item is not ticked
    evidence: str | None = None  # what ticked a data-decided item


@dataclass(frozen=True)
class ChecklistSection:
    title: str
    items: tuple[ChecklistItem, ...]


_GAP_RE = re.compile(r"[\s_]+")


def _status_key(text: str | None) -> str:
    return _GAP_RE.sub("-", (text or "").strip().lower())


def _label(obj: object, fallback: str) -> str:
    for attr in ("id", "name", "title", "metric"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return fallback


def _manual(plan: Plan, key: str, text: str) -> ChecklistItem:
    return ChecklistItem(key, text, bool(plan.checklist.get(key, False)), "plan")


def _which(items: Sequence[object], test: Callable[[Any], object], what: str, noun: str) -> list[str]:
    bad = [_label(item, f"#{i + 1}") for i, item in enumerate(items) if not test(item)]
    if not bad:
        return []
    return [f"{noun} {', '.join(bad)} {'has' if len(bad) == 1 else 'have'} no {what}"]


def article_names(plan: Plan, constitution_names: dict[str, str] | None = None) -> dict[str, str | None]:
    """Names for Articles I-IV: the plan's own, else the constitution's."""
    names = constitution_names or {}
    out: dict[str, str | None] = {}
    for numeral in ROMAN:
        out[numeral] = getattr(plan, f"article_{numeral}_name") or names.get(numeral.upper())
    if out["iv"] is None:
        out["iv"] = "PHI Protection"
    return out


def check_key(reference: str, principles: list[Principle] | None) -> tuple[str, str] | None:
    """The checklist key and label of the principle a constitution check names."""
    if principles:
        found = resolve_principle(reference, principles)
        return (found.key, f"{found.label} ({found.name})") if found else None
    match = re.match(r"^\s*(?:article\s+|principle\s+)?([IVXLC]{1,12}|\d{1,3})\b", reference, re.IGNORECASE)
    if not match:
        return None
    token = match.group(1)
    from ..speckit.documents import roman_to_int

    number = int(token) if token.isdigit() else roman_to_int(token)
    if not number:
        return None
    numeral = int_to_roman(number)
    return f"article_{numeral.lower()}", f"Article {numeral}"


def _checked_item(key: str, text: str, check: ConstitutionCheck, failed: tuple[str, ...]) -> ChecklistItem:
    ok = check.status not in failed
    where = f" ({check.phase})" if check.phase else ""
    evidence = f"constitution check{where}: {check.status}" + (f" — {check.notes}" if check.notes else "")
    return ChecklistItem(key, text, ok, "data", None if ok else evidence, evidence if ok else None)


@dataclass(frozen=True)
class Context:
    """What the page knows beyond the plan: its spec's coverage, the constitution, the site's settings."""

    problem_count: int = 0
    constitution_names: dict[str, str] | None = None
    uncovered_stories: list[str] | None = None
    uncovered_criteria: list[str] | None = None  # success criteria (SC-...) nothing covers
    principles: list[PrincipleItem] | None = None
    constitution: list[Principle] | None = None
    failed_checks: tuple[str, ...] = ("fail",)
    unavailable: frozenset[str] = UNAVAILABLE_STATUSES


def _articles(plan: Plan, ctx: Context) -> list[ChecklistItem]:
    """Constitutional Compliance: every principle of the constitution, unless the plan names its
    articles (or there is no constitution): Articles I-III, and IV with PHI. A constitution check
    decides the items of the principles it names (the last check of a principle wins)."""
    articles = []
    own_names = any(getattr(plan, f"article_{numeral}_name") for numeral in ROMAN)
    if ctx.principles and not own_names:
        for principle in ctx.principles:
            articles.append(_manual(plan, principle.key, f"Adheres to {principle.label} ({principle.name})"))
    else:
        names = article_names(plan, ctx.constitution_names)
        for numeral in ROMAN[: 4 if plan.phi_handling else 3]:
            name = names[numeral]
            text = f"Adheres to Article {numeral.upper()}" + (f" ({name})" if name else "")
            articles.append(_manual(plan, f"article_{numeral}", text))
    checks: dict[str, tuple[str, ConstitutionCheck]] = {}
    for check in plan.constitution_check:
        if check.principle and check.status:
            found = check_key(check.principle, ctx.constitution)
            if found is not None:
                checks[found[0]] = (found[1], check)
    for i, item in enumerate(articles):
        if item.key in checks:
            articles[i] = _checked_item(item.key, item.text, checks.pop(item.key)[1], ctx.failed_checks)
    for key, (label, check) in checks.items():
        articles.append(_checked_item(key, f"Adheres to {label}", check, ctx.failed_checks))
    return articles


Verdict = tuple[list[str], str]  # (failures, evidence when there are none)


def _quality(plan: Plan, ctx: Context) -> dict[str, Verdict]:
    arch = [] if (plan.architecture_description or plan.components) else ["no architecture description or components"]
    if ctx.uncovered_stories:
        arch.append("the plan does not mention " + ", ".join(ctx.uncovered_stories))
    decisions = plan.technical_decisions
    rationale = (
        ["no technical decisions are recorded"]
        if not decisions
        else _which(decisions, lambda d: d.rationale, "rationale", "decision")
    )
    tests = [] if plan.test_levels else ["no test levels"]
    tests += [] if plan.acceptance_testing else ["no acceptance testing"]
    if ctx.uncovered_criteria:
        tests.append("nothing covers " + ", ".join(ctx.uncovered_criteria))
    security = [] if plan.security_considerations else ["no security considerations"]
    if plan.phi_handling:
        missing = [
            f for f in ("encryption_approach", "access_control", "audit_logging", "data_retention") if not getattr(plan, f)
        ]
        if missing:
            security.append("PHI handling without " + ", ".join(missing))
    targets = plan.performance_targets
    numbers = (
        ["no performance targets"]
        if not targets
        else _which(targets, lambda t: t.target and re.search(r"\d", t.target), "number to measure against", "target")
    )
    return {
        "user_stories": (
            arch,
            "architecture described"
            + (", every user story covered by the plan or its tasks" if ctx.uncovered_stories is not None else ""),
        ),
        "decisions_rationale": (rationale, f"{_n(len(decisions), 'decision')}, each with a rationale"),
        "test_strategy": (
            tests,
            f"{_n(len(plan.test_levels), 'test level')} and acceptance testing"
            + (", every success criterion covered" if ctx.uncovered_criteria is not None else ""),
        ),
        "security": (security, "security considerations written" + (" with the four PHI fields" if plan.phi_handling else "")),
        "performance_targets": (numbers, f"{_n(len(targets), 'target')}, each with a number"),
    }


def _completeness(plan: Plan, ctx: Context) -> dict[str, Verdict]:
    phases = plan.phases
    complete = (
        ["no phases"]
        if not phases
        else (
            _which(phases, lambda p: p.deliverables, "deliverables", "phase")
            + _which(phases, lambda p: p.validation, "validation criteria", "phase")
        )
    )
    deps = [] if (plan.prerequisites or plan.external_dependencies) else ["no prerequisites or external dependencies are listed"]
    deps += _which(plan.external_dependencies, lambda d: d.status, "status", "external dependency")
    risks = plan.risks
    mitigated = (
        ["no risks are assessed"]
        if not risks
        else (
            _which(risks, lambda r: r.probability and r.impact, "probability and impact", "risk")
            + _which(risks, lambda r: r.mitigation, "mitigation", "risk")
        )
    )
    deploy = [] if (plan.deployment_strategy or plan.rollout_plan) else ["no deployment strategy or rollout plan"]
    deploy += [] if plan.rollback_plan else ["no rollback plan"]
    listed = len(plan.prerequisites) + len(plan.external_dependencies)
    return {
        "phases_complete": (complete, f"{_n(len(phases), 'phase')}, each with deliverables and validation"),
        "dependencies_tracked": (deps, f"{_n(listed, 'prerequisite or dependency', 'prerequisites or dependencies')} listed"),
        "risks_mitigated": (mitigated, f"{_n(len(risks), 'risk')}, each assessed and mitigated"),
        "deployment_rollback": (deploy, "deployment and rollback plans written"),
    }


def _readiness(plan: Plan, ctx: Context, earlier: list[str]) -> dict[str, Verdict]:
    unmet = [d.name or "?" for d in plan.external_dependencies if d.status and _status_key(d.status) in ctx.unavailable]
    prerequisites: list[str] = [f"not available: {', '.join(unmet)}"] if unmet else []
    if not plan.prerequisites and not plan.external_dependencies:
        prerequisites.append("no prerequisites are listed, so none can be met")
    ready = [f"{_n(len(earlier), 'item')} above {'is' if len(earlier) == 1 else 'are'} not met"] if earlier else []
    if ctx.problem_count:
        ready.append(f"the plan has {_n(ctx.problem_count, 'problem')} to fix")
    return {
        "prerequisites_met": (prerequisites, "no external dependency is unavailable"),
        "ready_for_tasks": (ready, "every item above is met and the plan has no problems"),
    }


def _n(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def build_checklist(plan: Plan, ctx: Context | None = None) -> list[ChecklistSection]:
    """Decide every item: data-decided items state their evidence or their reason; none is ticked
    that the page's own data contradicts."""
    ctx = ctx or Context()
    verdicts = {**_quality(plan, ctx), **_completeness(plan, ctx)}
    earlier = [k for k in DATA_CHECKLIST_KEYS[:-2] if verdicts[k][0]]
    verdicts.update(_readiness(plan, ctx, earlier))

    def d(key: str, text: str) -> ChecklistItem:
        failures, evidence = verdicts[key]
        return ChecklistItem(key, text, not failures, "data", "; ".join(failures) or None, None if failures else evidence)

    return [
        ChecklistSection("Constitutional Compliance", tuple(_articles(plan, ctx))),
        ChecklistSection(
            "Technical Quality",
            (
                d("user_stories", "Architecture supports all user stories from spec"),
                d("decisions_rationale", "All technical decisions have documented rationale"),
                d("test_strategy", "Test strategy covers all acceptance criteria"),
                d("security", "Security considerations address all requirements"),
                d("performance_targets", "Performance targets are measurable and achievable"),
            ),
        ),
        ChecklistSection(
            "Completeness",
            (
                d("phases_complete", "All phases have clear deliverables and validation criteria"),
                d("dependencies_tracked", "Dependencies are identified and tracked"),
                d("risks_mitigated", "Risks are assessed with mitigation plans"),
                d("deployment_rollback", "Deployment and rollback plans are documented"),
            ),
        ),
        ChecklistSection(
            "Readiness for Implementation",
            (
                d("prerequisites_met", "All prerequisites are met or in progress"),
                _manual(plan, "team_reviewed", "Team has reviewed and understands the plan"),
                _manual(plan, "stakeholders_approved", "Stakeholders have approved the approach"),
                d("ready_for_tasks", "Ready to break down into tasks"),
            ),
        ),
    ]
