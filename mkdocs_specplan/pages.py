"""From a plan source to a page: load, validate, schedule, decide the checklist, render. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any

from .checklist import ChecklistSection, Context, build_checklist
from .forecast import Forecast
from .glance import GlanceView, RiskNote, health, next_milestone, risk_level, window
from .loader import load_plan
from .model import Decision, Phase, Plan, Problem, Risk, Settings, sort_problems
from .render import Renderer, md_escape, severity_class, slug
from .schedule import CrossEdge, PhaseIndex, Schedule, phase_index, resolve_dependencies, schedule_plan
from .timeline import phase_gantt, schedule_rows, timeline_view


@dataclass(frozen=True)
class PlanSource:
    """A plan file as found in the site: where it is and what it says."""

    src_uri: str  # site path of the YAML file, e.g. "specs/001-x/plan.yaml"
    text: str
    display_path: str  # how problems name the file (relative to docs_dir)
    error: str | None = None  # why the file could not be read (its page shows it)

    @property
    def page_uri(self) -> str:
        return posixpath.join(posixpath.dirname(self.src_uri), "plan.md")

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.src_uri)


@dataclass(frozen=True)
class Link:
    """A link as the page writes it: a label and a Markdown href relative to the page's source."""

    name: str
    href: str


@dataclass
class FeatureLinks:
    """The feature's documents that exist beside the plan."""

    documents: list[tuple[str, Link]] = field(default_factory=list)  # (label, link) for the header
    data_model: Link | None = None
    contracts: list[Link] = field(default_factory=list)


class Anchors:
    """Stable element IDs on a plan page, shared by the page and the dashboard."""

    @staticmethod
    def phase(phase: Phase) -> str:
        return f"phase-{phase.number}"

    @staticmethod
    def risk(risk: Risk) -> str:
        return "risk-" + (slug(risk.id) if risk.id else str(risk.index + 1))

    @staticmethod
    def decision(decision: Decision) -> str:
        return "decision-" + (slug(decision.id) if decision.id else str(decision.index + 1))


@dataclass
class PlanPage:
    """Everything computed from one plan source."""

    source: PlanSource
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    schedule: Schedule | None = None
    forecast: Forecast | None = None
    waits_on: list[CrossEdge] = field(default_factory=list)  # dependencies on other plans' phases
    needed_by: list[CrossEdge] = field(default_factory=list)  # other plans' phases that wait on this one
    markdown: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # extra, added by later stages

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def infos(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "warning"]

    @property
    def title(self) -> str:
        if self.plan and self.plan.feature_name:
            return self.plan.feature_name
        return posixpath.basename(self.source.folder) or "plan"

    def add_problem(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.problems[:] = sort_problems(self.problems)


def load_page(source: PlanSource, settings: Settings, *, schedule: bool = True) -> PlanPage:
    """Load, validate and (unless a site schedules its plans together) schedule one source alone."""
    if source.error is not None:
        return PlanPage(source, None, [Problem(source.display_path, None, None, "", source.error)])
    result = load_plan(source.text, source.display_path, settings)
    page = PlanPage(source, result.plan, list(result.problems))
    if result.plan is not None and schedule:
        scheduled = schedule_plan(result.plan, source.display_path)
        page.schedule = scheduled.schedule
        page.problems = sort_problems(page.problems + scheduled.problems)
    return page


def plan_index(plan: Plan) -> PhaseIndex:
    """The plan's phase index, built once per plan (a plan of 5,000 phases asks for it 5,000 times)."""
    cached = getattr(plan, "_phase_index", None)
    if cached is None:
        cached = phase_index(plan.phases)
        object.__setattr__(plan, "_phase_index", cached)
    return cached


def phase_dependency_markdown(phase: Phase, plan: Plan) -> list[str]:
    """Dependencies as Markdown: phases link to their section, external ones stay as written."""
    index = plan_index(plan)
    by_number = index[0]
    out = []
    for ref in resolve_dependencies(phase, plan.phases, index):
        target = by_number.get(ref.phase) if ref.phase is not None else None
        if target is not None and target is not phase:
            out.append(f"[Phase {target.number}: {md_escape(target.name)}](#{Anchors.phase(target)})")
        else:
            out.append(md_escape(ref.text))
    return out


def _weeks(days: int) -> str:
    weeks = days / 5
    text = f"{weeks:.1f}".rstrip("0").rstrip(".")
    return f"{text} week{'s' if weeks != 1 else ''}"


def effort_difference(plan: Plan, schedule: Schedule) -> str | None:
    """How the scheduled span disagrees with ``estimated_effort``, or None when it agrees."""
    estimate = plan.estimated_effort
    if estimate is None or not schedule.phases:
        return None
    span = schedule.working_days
    if estimate.low_days <= span <= estimate.high_days:
        return None
    bound = estimate.high_days if span > estimate.high_days else estimate.low_days
    diff = abs(span - bound)
    longer = "longer" if span > bound else "shorter"
    return (
        f"the schedule is {_weeks(diff)} ({diff} working day{'s' if diff != 1 else ''}) {longer} "
        f"than the estimated {estimate.text}"
    )


def timeline_context(page: PlanPage, today: dt.date | None, settings: Settings, renderer: Renderer) -> dict[str, Any]:
    """The chart, its table and the summary lines, for the template."""
    plan, schedule = page.plan, page.schedule
    if plan is None or schedule is None or not schedule.phases:
        return {}
    view = timeline_view(phase_gantt(schedule, today, page.title, settings.phase_statuses))
    names = {p.number: p.name for p in plan.phases if p.number is not None and p.name}
    html = renderer.render_html("timeline.html.j2", view=view)
    table = renderer.render_markdown("schedule-table.md.j2", rows=schedule_rows(schedule, names))
    summary = [
        ("Scheduled", f"{schedule.start.isoformat()} → {schedule.end.isoformat()}"),
        ("Span", f"{_weeks(schedule.working_days)} ({schedule.working_days} working days)"),
    ]
    difference = effort_difference(plan, schedule)
    if difference:
        summary.append(("Difference", difference))
    return {
        "timeline_html": f"{html}\n\n{table}\n",
        "timeline_summary": summary,
        "effort_difference": difference,
    }


def glance_context(page: PlanPage, today: dt.date, settings: Settings, renderer: Renderer) -> dict[str, Any]:
    """The at-a-glance block under the title."""
    plan = page.plan
    if plan is None:
        return {}
    levels = settings.risk_levels
    open_risks = [r for r in plan.risks if r.status in settings.open_risk_statuses]
    ranked = sorted(open_risks, key=lambda r: (-risk_level(r, levels)[0], r.index))
    tasks = page.context.get("tasks")
    view = GlanceView(
        status=plan.status,
        health=health(plan, page.forecast, settings),
        phases=(sum(1 for p in plan.phases if p.status in settings.done_phase_statuses), len(plan.phases)),
        tasks=(tasks.done, tasks.total) if tasks is not None and tasks.total else None,
        window=window(page.schedule, today),
        milestone=next_milestone(page.schedule, today, settings),
        risks=tuple(
            RiskNote(
                r.id or r.title or str(r.index + 1),
                Anchors.risk(r),
                risk_level(r, levels)[1],
                severity_class(risk_level(r, levels)[1], levels),
            )
            for r in ranked[:3]
        ),
        open_risks=len(open_risks),
        problems=len(page.warnings),
    )
    return {"glance_html": renderer.render_html("glance.html.j2", glance=view)}


def render_page(page: PlanPage, renderer: Renderer, **extra: Any) -> str:
    """Render the page's Markdown; ``page.context`` and ``extra`` add or override template context."""
    plan = page.plan
    given = {**page.context, **extra}
    checklist: list[ChecklistSection] = []
    if plan is not None:
        settings = renderer.settings
        checklist = build_checklist(
            plan,
            Context(
                problem_count=len(page.warnings),
                constitution_names=given.get("constitution_names"),
                uncovered_stories=given.get("uncovered_stories"),
                uncovered_criteria=given.get("uncovered_criteria"),
                principles=given.get("constitution_principles"),
                constitution=given.get("constitution_list"),
                failed_checks=settings.failed_check_statuses,
            ),
        )
    context: dict[str, Any] = {
        "plan": plan,
        "page": page,
        "title": page.title,
        "problems": page.warnings,
        "notes": page.infos,
        "source_name": page.source.display_path,
        "schedule": page.schedule,
        "checklist": checklist,
        "anchors": Anchors,
        "links": FeatureLinks(),
        "extra_header": [],
        "timeline_summary": [],
        "timeline_html": "",
        "phase_extra": {},
        "traceability": None,
        "tasks": None,
        "tasks_href": "tasks.md",
        "phase_dependencies": lambda ph: phase_dependency_markdown(ph, plan) if plan else [],
        "constitution_refs": lambda d: ", ".join(md_escape(r) for r in d.constitution_reference),
        "constitution_check_ref": lambda c: md_escape(c.principle),
    }
    context.update(given)
    markdown = renderer.render(**context)
    page.markdown = markdown
    return markdown
