"""A plan page: its typed inputs, and the Markdown the template makes of them. Free of MkDocs.

Everything a page shows comes from one :class:`PageInputs` record, and nothing else is read while
it is rendered: equal inputs render equal pages, so a rebuild may keep a page whose inputs are
equal to the last build's, and a new input is part of that comparison by being a field here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from markupsafe import Markup

from ..core.causes import Cause, Upstream, causes
from ..core.checklist import ChecklistSection, Context, PrincipleItem, build_checklist
from ..core.forecast import Forecast, working_days
from ..core.health import health, risk_level
from ..core.model import Decision, Phase, Plan, Problem
from ..core.schedule import PhaseIndex, Schedule, phase_index, resolve_dependencies, wd_index
from ..history.baseline import Baseline, PlanHistory
from ..project.records import Anchors, FeatureContext, FeatureLinks, PageFacts, PlanPage, PlanSource, SpecDrift, internal_problem
from ..speckit.documents import resolve_principle
from ..support.incremental import memo
from ..support.paths import site_relpath
from ..support.text import count, safe_title
from .causes import cause_anchor, cause_views, health_label
from .glance import GlanceView, RiskNote, next_milestone, window
from .renderer import Renderer, TemplateProblem, md_escape, nowrap_dates, severity_class
from .timeline import phase_gantt, schedule_rows, timeline_view
from .trend import sentence, trend_view


@dataclass(frozen=True)
class PageOptions:
    """The site's options a plan page is rendered with."""

    timeline: bool = True
    show_missing: bool | None = None  # None: for plans in draft and in-review


@dataclass(frozen=True)
class CrossLink:
    """A dependency between this plan's phase and another plan's phase, as the page links it."""

    phase: int  # this plan's phase
    text: str  # the dependency as written
    label: str  # the other plan's phase: "002 Patient intake, Phase 3: Core"
    href: str  # Markdown link from this page to that phase
    health: str | None  # the other phase's forecast health
    end: str | None  # and its forecast end
    other: int = 0  # the other plan's phase


@dataclass(frozen=True)
class PageInputs(PageFacts):
    """Everything a plan page is rendered from (with the renderer's templates and settings)."""

    source: PlanSource
    plan: Plan | None = field(compare=False)  # follows from the source's text and the renderer's settings
    problems: tuple[Problem, ...]
    schedule: Schedule | None
    forecast: Forecast | None
    baseline: Baseline | None
    history: PlanHistory | None
    feature: FeatureContext | None
    waits_on: tuple[CrossLink, ...]
    needed_by: tuple[CrossLink, ...]
    today: dt.date | None  # the build date (None: no today line, no glance)
    options: PageOptions
    spec_drift: SpecDrift | None = None  # the spec's changes since the plan's baseline


def page_inputs(
    page: PlanPage, pages: dict[str, PlanPage], today: dt.date | None, options: PageOptions = PageOptions()
) -> PageInputs:
    """The inputs of a page, its links to other plans' phases resolved."""
    waits_on, needed_by = cross_links(page, pages)
    return PageInputs(
        page.source,
        page.plan,
        tuple(page.problems),
        page.schedule,
        page.forecast,
        page.baseline,
        page.history,
        page.feature,
        tuple(waits_on),
        tuple(needed_by),
        today,
        options,
        page.spec_drift,
    )


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
    return f"the schedule is {_weeks(diff)} ({count(diff, 'working day')}) {longer} than the estimated {estimate.text}"


def timeline_context(page: PageInputs, renderer: Renderer) -> dict[str, Any]:
    """The chart, its table and the summary lines, for the template."""
    plan, schedule, today, settings = page.plan, page.schedule, page.today, renderer.settings
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
    # the forecast, the baseline and the history are said once, at the top of the page
    lines = [("Forecast", Markup("[at a glance](#specplan-glance)"))] if page.forecast is not None and page.today else []
    history_html = ""
    if page.history is not None and page.history.points:
        trend = trend_view(page.history, page.baseline, page.title)
        if trend is not None:
            history_html = renderer.render_html("history.html.j2", trend=trend, text=sentence(page.history, page.baseline))
    return {
        "timeline_html": f"{html}\n",
        "schedule_table": table,  # the chart's dates as a table: a reference, under Implementation Timeline
        "timeline_summary": summary + lines,
        "schedule_lines": [],
        "history_html": history_html,
        "effort_difference": difference,
    }


def _versus(slip: int, what: str) -> str:
    if slip == 0:
        return f"on {what}"
    return f"{working_days(abs(slip))} {'after' if slip > 0 else 'before'} {what}"


def schedule_lines(forecast: Forecast | None, baseline: Baseline | None, history: PlanHistory | None) -> list[tuple[str, Markup]]:
    """The forecast, the baseline and the history in one line each (plain text, escaped)."""
    out = []
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
    if history is not None and history.points:
        out.append(("History", nowrap_dates(sentence(history, baseline), markdown=True)))
    return out


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
            mine,
            text,
            label,
            href,
            predicted.health if predicted else None,
            predicted.end.isoformat() if predicted else None,
            number,
        )

    waits = [link(e.upstream, e.upstream_phase, e.downstream_phase, e.text) for e in page.waits_on]
    needed = [link(e.downstream, e.downstream_phase, e.upstream_phase, e.text) for e in page.needed_by]
    return [w for w in waits if w], [n for n in needed if n]


def glance_context(page: PageInputs, renderer: Renderer) -> dict[str, Any]:
    """The at-a-glance block under the title."""
    plan, settings, today = page.plan, renderer.settings, page.today
    if plan is None or today is None:
        return {}
    levels = settings.risk_levels
    open_risks = [r for r in plan.risks if r.status in settings.open_risk_statuses]
    ranked = sorted(open_risks, key=lambda r: (-risk_level(r, levels)[0], r.index))
    tasks = page.feature.tasks if page.feature is not None else None
    state = health(plan, page.forecast, settings)
    found = causes(plan, page.forecast, settings, _upstream(page.waits_on))
    named = {id(c.risk) for c in found if c.risk is not None}  # said with its owner in the causes: not again
    ranked = [r for r in ranked if id(r) not in named]
    view = GlanceView(
        status=plan.status,
        health=state,
        health_label=health_label(state, page.forecast.slip_days if page.forecast else None),
        causes=cause_views(found, _in_page),
        phases=(sum(1 for p in plan.phases if p.status in settings.done_phase_statuses), len(plan.phases)),
        tasks=(tasks.done, tasks.total) if tasks is not None and tasks.total else None,
        window=window(page.schedule, today),
        milestone=next_milestone(page.schedule, today, settings, page.forecast),
        forecast=_glance_forecast(page.forecast, page.baseline),
        baseline=_glance_baseline(page.baseline),
        history=sentence(page.history, page.baseline) if page.history is not None and page.history.points else None,
        risks=tuple(
            RiskNote(
                r.id or r.title or str(r.index + 1),
                Anchors.risk(r),
                risk_level(r, levels)[1],
                severity_class(risk_level(r, levels)[1], levels),
            )
            for r in ranked[:3]
        ),
        open_risks=len(open_risks) - len(named & {id(r) for r in open_risks}),
        named_risks=len(named & {id(r) for r in open_risks}),
        spec_drift=page.spec_drift.sentence() if page.spec_drift is not None else None,
        problems=len(page.warnings),
    )
    return {"glance_html": renderer.render_html("glance.html.j2", glance=view)}


def _upstream(links: tuple[CrossLink, ...]) -> tuple[Upstream, ...]:
    """The other plans' phases this plan waits on, as the causes read them."""
    return tuple(
        Upstream(c.href, c.label, c.other, dt.date.fromisoformat(c.end) if c.end else None, c.health, c.phase) for c in links
    )


def _in_page(cause: Cause) -> str | None:
    """Where a cause is described on the plan page itself (a wait on another plan: at the phase that waits)."""
    if cause.kind == "upstream" and cause.upstream is not None:
        return f"#phase-{cause.upstream.mine}"
    return cause_anchor(cause)


def _glance_forecast(forecast: Forecast | None, baseline: Baseline | None) -> tuple[str, str] | None:
    """(forecast end, how it compares with the plan and the baseline) for the glance block."""
    if forecast is None:
        return None
    parts = [_signed_days(forecast.slip_days, "the plan")]
    base = baseline.schedule if baseline else None
    if base is not None:
        parts.append(_signed_days(wd_index(forecast.end) - wd_index(base.end), "the baseline"))
    return forecast.end.isoformat(), "; ".join(parts)


def _glance_baseline(baseline: Baseline | None) -> str | None:
    """What the plan is measured against: "approved (commit 3f2a9c1 of 2026-05-04): finish 2026-11-27"."""
    if baseline is None:
        return None
    if baseline.schedule is None:
        return f"none ({baseline.ref}): {baseline.note}"
    when = f"commit {baseline.short}" + (f" of {baseline.date.isoformat()}" if baseline.date else "")
    return f"{baseline.label} ({when}): finish {baseline.schedule.end.isoformat()}"


def _signed_days(n: int, what: str) -> str:
    if n == 0:
        return f"on {what}"
    return ("+" if n > 0 else "−") + working_days(abs(n)) + f" against {what}"


PAGE_META_KEYS = ("tags", "description", "hide", "icon", "template")


def front_matter(plan: Plan | None, title: str | None = None, *, searched: bool = True) -> str:
    """The page's metadata as YAML front matter: the plan's page keys and ``meta``, and always
    ``render_macros: false`` (plan text is data, never a template for mkdocs-macros). A title
    (``title``, the page's H1, or ``meta``'s) with ``<`` or ``>`` is given as themes can show it.
    ``searched`` false: left out of the site's search (a page that repeats what others say)."""
    meta: dict[str, Any] = dict(plan.meta) if plan else {}
    if not searched:
        meta["search"] = {"exclude": True}
    if plan is not None:
        for key in PAGE_META_KEYS:
            value = getattr(plan, key)
            if value:
                meta[key] = value
    shown = meta.get("title", title)
    if isinstance(shown, str) and ("<" in shown or ">" in shown):
        meta["title"] = safe_title(shown)
    meta["render_macros"] = False
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1_000_000) + "---\n\n"


# -- the feature's context, as the template shows it ---------------------------------------------
def md_link(label: str, href: str) -> str:
    """A Markdown link whose label is plain text (escaped for Markdown)."""
    return f"[{md_escape(label)}]({href})"


@dataclass
class TraceRowView:
    requirement: Any
    href: str
    where: list[str]  # Markdown links to the places in the plan that mention it
    tasks: list[str]  # Markdown links to the tasks that carry it


@dataclass
class TraceabilityView:
    spec_name: str
    spec_href: str
    rows: list[TraceRowView]

    @property
    def covered(self) -> list[TraceRowView]:
        return [r for r in self.rows if r.where or r.tasks]

    @property
    def uncovered(self) -> list[TraceRowView]:
        return [r for r in self.rows if not (r.where or r.tasks)]


class _Principles:
    """Links from a plan page to the constitution's principles."""

    def __init__(self, feature: FeatureContext | None) -> None:
        self.constitution = feature.constitution if feature is not None else None

    def link(self, ref: str) -> str:
        constitution = self.constitution
        principle = resolve_principle(ref, list(constitution.principles)) if constitution else None
        if principle is None or constitution is None:
            return md_escape(ref)
        return md_link(f"{principle.label} ({principle.name})", f"{constitution.href}#{principle.anchor}")

    def refs(self, decision: Decision) -> str:
        return ", ".join(self.link(ref) for ref in decision.constitution_reference)


def _feature_context(feature: FeatureContext) -> dict[str, Any]:
    """The template's variables for what linking gave the page."""
    header = []
    documents = feature.links.documents
    if documents:
        header.append(("Documents", " · ".join(f"[{label}]({link.href})" for label, link in documents)))
    tasks = feature.tasks
    if tasks is not None and tasks.total and feature.tasks_linked:
        header.append(("Tasks", f"[{tasks.done}/{tasks.total} done]({feature.tasks_href})"))
    phase_extra: dict[int, list[tuple[str, str]]] = {}
    for number, group in feature.phase_tasks.items():
        text = f"{group.done}/{group.total} done"
        if group.subgroups:
            text += " (" + "; ".join(f"{md_escape(title)}: {d}/{t}" for title, d, t in group.subgroups) + ")"
        phase_extra[number] = [("Tasks", text)]
    trace = feature.traceability
    view = None
    if trace is not None:
        rows = [
            TraceRowView(
                r.requirement,
                r.href,
                [md_link(p.label, f"#{p.anchor}") if p.anchor else md_escape(p.label) for p in r.where],
                [md_link(t, href) for t, href in r.tasks],
            )
            for r in trace.rows
        ]
        view = TraceabilityView(trace.spec_name, trace.spec_href, rows)
    principles = _Principles(feature)
    constitution = feature.constitution
    items = [PrincipleItem(p.key, p.label, p.name) for p in constitution.principles] if constitution else None
    check_ref: Callable[[Any], str] = lambda check: principles.link(check.principle or "")  # noqa: E731
    return {
        "links": feature.links,
        "extra_header": header,
        "phase_extra": phase_extra,
        "traceability": view,
        "tasks": tasks,
        "tasks_href": feature.tasks_href,
        "mention_targets": feature.mention_targets,
        "constitution_refs": principles.refs,
        "constitution_names": {p.numeral: p.name for p in constitution.principles if not p.group} if constitution else None,
        "constitution_principles": items,
        "constitution_list": list(constitution.principles) if constitution else None,
        "constitution_check_ref": check_ref,
        "uncovered_stories": feature.uncovered_stories,
        "uncovered_criteria": feature.uncovered_criteria,
    }


def render_page(page: PageInputs, renderer: Renderer, **extra: Any) -> str:
    """The page's Markdown from its inputs; ``extra`` adds or overrides template context."""
    plan = page.plan
    given: dict[str, Any] = _feature_context(page.feature) if page.feature is not None else {}
    given["waits_on"], given["needed_by"] = list(page.waits_on), list(page.needed_by)
    cross_index = {(c.phase, c.text): c for c in page.waits_on}
    given.update(extra)
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
        "schedule_table": "",
        "schedule_lines": [],
        "history_html": "",
        "waits_on": [],
        "needed_by": [],
        "phase_extra": {},
        "traceability": None,
        "tasks": None,
        "tasks_href": "tasks.md",
        "spec_drift": page.spec_drift,
        "spec_href": next((link.href for label, link in page.feature.links.documents if label == "Spec"), None)
        if page.feature is not None
        else None,
        "phase_dependencies": lambda ph: phase_dependency_markdown(ph, plan, cross_index) if plan else [],
        "constitution_refs": lambda d: ", ".join(md_escape(r) for r in d.constitution_reference),
        "constitution_check_ref": lambda c: md_escape(c.principle),
    }
    context.update(given)
    return renderer.render(**context)


def render_inputs(page: PageInputs, renderer: Renderer) -> tuple[str, list[Problem]]:
    """Everything a plan page shows, as Markdown (without front matter), and the problems rendering
    met (a failure is a problem of the page, shown on it)."""
    added: list[Problem] = []
    extra: dict[str, Any] = {}
    if page.options.timeline:
        try:
            extra.update(timeline_context(page, renderer))
        except Exception as exc:
            added.append(internal_problem(page.source.display_path, "drawing the timeline", exc))
    shown = dataclasses.replace(page, problems=page.problems + tuple(added)) if added else page
    try:
        extra.update(glance_context(shown, renderer))
        show_missing = page.options.show_missing
        extra["show_missing"] = (
            show_missing if show_missing is not None else page.plan is not None and page.plan.status in ("draft", "in-review")
        )
        return render_page(shown, renderer, **extra), added
    except TemplateProblem as exc:
        added.append(Problem(page.source.display_path, None, None, "", str(exc)))
        return renderer.error_page(page.title, str(exc)), added
    except Exception as exc:
        problem = internal_problem(page.source.display_path, "rendering", exc)
        added.append(problem)
        return renderer.error_page(page.title, problem.message), added


def render_plan_page(
    page: PlanPage, pages: dict[str, PlanPage], today: dt.date, renderer: Renderer, options: PageOptions = PageOptions()
) -> str:
    """The plan page's Markdown (without front matter); what rendering met is added to its problems."""
    markdown, added = render_inputs(page_inputs(page, pages, today, options), renderer)
    for problem in added:
        page.problems.append(problem)
    return markdown
