"""From a plan source to a page: load, validate, schedule, decide the checklist, render. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any

import yaml
from markupsafe import Markup

from ..core.checklist import ChecklistSection, Context, build_checklist
from ..core.forecast import Forecast, working_days
from ..core.loader import load_plan
from ..core.model import Decision, Phase, Plan, Problem, Risk, Settings, memo, quote_value, sort_problems
from ..core.schedule import CrossEdge, PhaseIndex, Schedule, phase_index, resolve_dependencies, schedule_plan, wd_index
from ..history.baseline import Baseline, PlanHistory
from ..support.paths import site_relpath
from ..views.glance import GlanceView, RiskNote, health, next_milestone, risk_level, window
from ..views.renderer import Renderer, TemplateProblem, md_escape, nowrap_dates, severity_class, slug
from ..views.timeline import phase_gantt, schedule_rows, timeline_view
from ..views.trend import sentence, trend_view


@dataclass(frozen=True)
class PlanSource:
    """A plan file as found in the site: where it is and what it says."""

    src_uri: str  # site path of the YAML file, e.g. "specs/001-x/plan.yaml"
    text: str
    display_path: str  # how problems name the file (relative to docs_dir)
    error: str | None = None  # why the file could not be read (its page shows it)
    abs_path: str | None = None  # the file on disk, when there is one (its git history is read from there)

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
    baseline: Baseline | None = None
    history: PlanHistory | None = None
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
    return memo(plan, "phase_index", lambda: phase_index(plan.phases))


def phase_dependency_markdown(phase: Phase, plan: Plan, cross: dict[tuple[int, str], CrossLink] | None = None) -> list[str]:
    """Dependencies as Markdown: phases link to their section (another plan's to its page), external
    ones stay as written."""
    index = plan_index(plan)
    by_number = index[0]
    out = []
    for ref in resolve_dependencies(phase, plan.phases, index):
        target = by_number.get(ref.phase) if ref.phase is not None else None
        other = (cross or {}).get((phase.number or 0, ref.text)) if ref.feature else None
        if other is not None:
            out.append(f"[{md_escape(other.label)}]({other.href})")
        elif target is not None and target is not phase:
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
    base = page.baseline.schedule if page.baseline else None
    forecast = page.forecast
    view = timeline_view(phase_gantt(schedule, today, page.title, settings.phase_statuses, forecast, base))
    names = {p.number: p.name for p in plan.phases if p.number is not None and p.name}
    html = renderer.render_html("timeline.html.j2", view=view)
    rows = schedule_rows(schedule, names, forecast, base)
    differs = any(r.baseline is not None and r.baseline != (r.start, r.end) for r in rows)
    table = renderer.render_markdown("schedule-table.md.j2", rows=rows, baseline=differs)
    summary = [
        ("Scheduled", f"{schedule.start.isoformat()} → {schedule.end.isoformat()}"),
        ("Span", f"{_weeks(schedule.working_days)} ({schedule.working_days} working days)"),
    ]
    difference = effort_difference(plan, schedule)
    if difference:
        summary.append(("Difference", difference))
    lines = schedule_lines(page)
    history_html = ""
    if page.history is not None and page.history.points:
        trend = trend_view(page.history, page.baseline, page.title)
        if trend is not None:
            history_html = renderer.render_html("history.html.j2", trend=trend, text=sentence(page.history, page.baseline))
    return {
        "timeline_html": f"{html}\n\n{table}\n",
        "timeline_summary": summary + lines,
        "schedule_lines": lines,
        "history_html": history_html,
        "effort_difference": difference,
    }


def _versus(slip: int, what: str) -> str:
    if slip == 0:
        return f"on {what}"
    return f"{working_days(abs(slip))} {'after' if slip > 0 else 'before'} {what}"


def schedule_lines(page: PlanPage) -> list[tuple[str, Markup]]:
    """The forecast, the baseline and the history in one line each (plain text, escaped)."""
    forecast, baseline, out = page.forecast, page.baseline, []
    if forecast is not None:
        text = (
            f"finish {forecast.end.isoformat()}, {_versus(forecast.slip_days, f'the planned {forecast.planned_end.isoformat()}')}"
        )
        out.append(("Forecast", nowrap_dates(f"{text} ({forecast.health.state})", markdown=True)))
    if baseline is not None and baseline.schedule is not None:
        when = f"commit {baseline.short}" + (f" of {baseline.date.isoformat()}" if baseline.date else "")
        text = f"{baseline.label} ({when}): finish {baseline.schedule.end.isoformat()}"
        if forecast is not None:
            slip = wd_index(forecast.end) - wd_index(baseline.schedule.end)
            text += "; the forecast is " + ("on it" if slip == 0 else _versus(slip, "it"))
        out.append(("Baseline", nowrap_dates(text, markdown=True)))
    elif baseline is not None:
        out.append(("Baseline", nowrap_dates(f"none ({baseline.ref}): {baseline.note}", markdown=True)))
    if page.history is not None and page.history.points:
        out.append(("History", nowrap_dates(sentence(page.history, baseline), markdown=True)))
    return out


@dataclass(frozen=True)
class CrossLink:
    """A dependency between this plan's phase and another plan's phase, as the page links it."""

    phase: int  # this plan's phase
    text: str  # the dependency as written
    label: str  # the other plan's phase: "002 Patient intake, Phase 3: Core"
    href: str  # Markdown link from this page to that phase
    health: str | None  # the other phase's forecast health
    end: str | None  # and its forecast end


def cross_links(page: PlanPage, pages: dict[str, PlanPage]) -> tuple[list[CrossLink], list[CrossLink]]:
    """(what this plan waits on, what waits on it), each linked to the other plan's phase."""
    folder = posixpath.dirname(page.source.page_uri) or "."

    def link(key: str, number: int, mine: int, text: str) -> CrossLink | None:
        other = pages.get(key)
        if other is None or other.plan is None:
            return None
        phase = next((p for p in other.plan.phases if p.number == number), None)
        predicted = other.forecast.phase(number) if other.forecast else None
        name = " ".join((phase.name or "").split()) if phase else ""
        label = f"{other.plan.feature_id or posixpath.basename(other.source.folder)} {other.title}, Phase {number}: {name}"
        href = site_relpath(other.source.page_uri, folder) + f"#phase-{number}"
        return CrossLink(
            mine, text, label, href, predicted.health if predicted else None, predicted.end.isoformat() if predicted else None
        )

    waits = [link(e.upstream, e.upstream_phase, e.downstream_phase, e.text) for e in page.waits_on]
    needed = [link(e.downstream, e.downstream_phase, e.upstream_phase, e.text) for e in page.needed_by]
    return [w for w in waits if w], [n for n in needed if n]


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
        forecast=_glance_forecast(page),
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


def _glance_forecast(page: PlanPage) -> tuple[str, str] | None:
    """(forecast end, how it compares with the plan and the baseline) for the glance block."""
    forecast = page.forecast
    if forecast is None:
        return None
    parts = [_signed_days(forecast.slip_days, "the plan")]
    base = page.baseline.schedule if page.baseline else None
    if base is not None:
        parts.append(_signed_days(wd_index(forecast.end) - wd_index(base.end), "the baseline"))
    return forecast.end.isoformat(), "; ".join(parts)


def _signed_days(n: int, what: str) -> str:
    if n == 0:
        return f"on {what}"
    return ("+" if n > 0 else "−") + working_days(abs(n)) + f" against {what}"


PAGE_META_KEYS = ("tags", "description", "hide", "icon", "template")


def front_matter(plan: Plan | None) -> str:
    """The page's metadata as YAML front matter: the plan's page keys and ``meta``, and always
    ``render_macros: false`` (plan text is data, never a template for mkdocs-macros)."""
    meta: dict[str, Any] = dict(plan.meta) if plan else {}
    if plan is not None:
        for key in PAGE_META_KEYS:
            value = getattr(plan, key)
            if value:
                meta[key] = value
    meta["render_macros"] = False
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1_000_000) + "---\n\n"


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
        "schedule_lines": [],
        "history_html": "",
        "waits_on": [],
        "needed_by": [],
        "phase_extra": {},
        "traceability": None,
        "tasks": None,
        "tasks_href": "tasks.md",
        "phase_dependencies": lambda ph: phase_dependency_markdown(ph, plan, given.get("cross_index")) if plan else [],
        "constitution_refs": lambda d: ", ".join(md_escape(r) for r in d.constitution_reference),
        "constitution_check_ref": lambda c: md_escape(c.principle),
    }
    context.update(given)
    markdown = renderer.render(**context)
    page.markdown = markdown
    return markdown


def render_key(page: PlanPage, pages: dict[str, PlanPage], today: dt.date, *options: Any) -> tuple[Any, ...]:
    """Everything :func:`render_plan_page` reads, as a value: equal keys render equal pages, so a
    rebuild re-renders only the pages whose key changed. ``options`` are the caller's own inputs
    (what it renders with). Template helpers (functions) are left out: they follow from the rest."""
    waits_on, needed_by = cross_links(page, pages)
    context = tuple(sorted((k, v) for k, v in page.context.items() if not callable(v)))
    return (
        page.source,
        tuple(page.problems),
        page.schedule,
        page.forecast,
        page.baseline,
        page.history,
        tuple(waits_on),
        tuple(needed_by),
        context,
        today,
        options,
    )


def render_plan_page(
    page: PlanPage,
    pages: dict[str, PlanPage],
    today: dt.date,
    renderer: Renderer,
    timeline: bool = True,
    show_missing: bool | None = None,
) -> None:
    """Everything a plan page shows, rendered into ``page.markdown``: its links to other plans, its
    timeline, its glance block, its sections. A failure is a problem of the page, shown on it."""
    settings = renderer.settings
    waits_on, needed_by = cross_links(page, pages)
    page.context.update(waits_on=waits_on, needed_by=needed_by, cross_index={(c.phase, c.text): c for c in waits_on})
    if timeline:
        try:
            page.context.update(timeline_context(page, today, settings, renderer))
        except Exception as exc:
            page.problems.append(internal_problem(page.source.display_path, "drawing the timeline", exc))
    try:
        page.context.update(glance_context(page, today, settings, renderer))
        missing = (
            show_missing if show_missing is not None else page.plan is not None and page.plan.status in ("draft", "in-review")
        )
        page.context["show_missing"] = missing
        render_page(page, renderer)
    except TemplateProblem as exc:
        page.problems.append(Problem(page.source.display_path, None, None, "", str(exc)))
        page.markdown = renderer.error_page(page.title, str(exc))
    except Exception as exc:
        problem = internal_problem(page.source.display_path, "rendering", exc)
        page.problems.append(problem)
        page.markdown = renderer.error_page(page.title, problem.message)


def internal_problem(path: str, stage: str, exc: BaseException) -> Problem:
    """An unexpected failure, reported as a problem of the file it happened on."""
    detail = quote_value(f"{type(exc).__name__}: {exc}")
    return Problem(path, None, None, "", f"internal error while {stage} ({detail}); please report it")
