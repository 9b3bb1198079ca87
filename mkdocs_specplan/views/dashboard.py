"""The dashboard as a view model: every figure, label, href and class ``dashboard.md.j2`` shows.

Computed once per build from the :class:`Portfolio`. Free of MkDocs; all markup is in the template.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..core.causes import Cause, Upstream, causes
from ..core.forecast import HEALTH_STATES, Health
from ..core.schedule import wd_index
from ..project.features import LIFECYCLE
from ..project.portfolio import FeatureEntry, Finding, OpenRisk, PlanEntry, Portfolio
from ..project.records import Anchors
from ..speckit.documents import anchor_of
from .causes import CauseView, cause_anchor, cause_views, health_label
from .renderer import severity_class, status_class
from .timeline import Gantt, GanttRow, TimelineView, fmt_date, signed, timeline_view

LONG_TEXT = 90  # a mitigation longer than this is folded in a <details>
SECTIONS = ("attention", "cards", "recent", "features", "timeline", "risks", "dependencies", "quality")


@dataclass(frozen=True)
class Link:
    label: str
    href: str | None
    title: str | None = None  # shown on hover (a risk's title beside its ID)


@dataclass(frozen=True)
class Count:
    label: str
    n: int
    kind: str = "status"  # "status" (badge), "level" (severity badge)
    sev: str = ""


@dataclass(frozen=True)
class Card:
    figure: str
    label: str
    href: str | None = None
    counts: tuple[Count, ...] = ()
    progress: tuple[int, int] | None = None


@dataclass(frozen=True)
class Reason:
    kind: str  # "blocked", "late", "problems", "risk", "stale"
    text: str


@dataclass(frozen=True)
class RecentChange:
    """One commit of a plan within the last days, and what it did."""

    date: str
    commit: str  # short
    subject: Link  # the plan, as a Markdown link
    href: str  # the plan page's URL from the dashboard (for raw HTML)
    what: str


@dataclass(frozen=True)
class AttentionItem:
    subject: Link
    status: str | None  # the plan's status, where it says something the health does not
    reasons: tuple[Reason, ...]
    health: str | None = None  # the plan's one health: "late", "blocked · +13 working days"
    health_css: str = ""
    causes: tuple[CauseView, ...] = ()


@dataclass(frozen=True)
class RiskLink:
    link: Link
    level: str | None
    sev: str


@dataclass(frozen=True)
class FeatureRow:
    subject: Link
    stage: str
    spec_status: str | None
    health: Health | None
    problems: int
    phases: tuple[int, int] | None
    tasks: tuple[int, int] | None
    checklists: tuple[int, int] | None
    requirements: str
    window: tuple[str, str] | None
    forecast: tuple[str, str] | None  # (forecast end, slip such as "+3") when it differs from the plan
    risks: tuple[RiskLink, ...]
    updated: str | None
    stale: bool
    approved_by: str | None


@dataclass(frozen=True)
class HeatCell:
    probability: str
    impact: str
    count: int
    sev: str  # the severity class of the cell's risk level
    anchor: str
    page: str = ""  # the page that lists the cell's risks ("": this one)


@dataclass(frozen=True)
class HeatRow:
    probability: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class RiskRow:
    plan: Link
    risk: Link
    title: str
    probability: str | None
    impact: str | None
    sev_probability: str
    sev_impact: str
    level: str | None
    status: str
    owner: str | None
    mitigation: str | None
    long: bool
    anchor: str | None  # the heatmap cell that links here


@dataclass(frozen=True)
class DependencyRow:
    plan: Link
    name: str
    status: str
    risk: str | None


@dataclass(frozen=True)
class QualityItem:
    subject: Link
    text: str
    ids: tuple[Link, ...] = ()


@dataclass(frozen=True)
class QualityGroup:
    key: str
    title: str
    items: tuple[QualityItem, ...]
    total: int = 0  # when only the first items are shown


@dataclass(frozen=True)
class DashboardView:
    title: str
    today: str
    empty: bool
    cards: tuple[Card, ...]
    attention: tuple[AttentionItem, ...]
    features: tuple[FeatureRow, ...]
    timeline: TimelineView | None
    levels: tuple[str, ...]
    legend: tuple[Count, ...]
    heat_rows: tuple[HeatRow, ...]
    open_risks: tuple[RiskRow, ...]
    closed_risks: tuple[RiskRow, ...]
    dependencies: tuple[DependencyRow, ...]
    quality: tuple[QualityGroup, ...]
    json_href: str | None
    stale_days: int
    plans: int
    waits: tuple[WaitRow, ...] = ()
    sections: frozenset[str] = frozenset(SECTIONS)  # which parts this page shows
    recent: tuple[RecentChange, ...] = ()  # what the plans' commits did, newest first
    recent_note: str | None = None  # why there is nothing to show (no git history)
    recent_days: int = 0
    groups: tuple[StageGroup, ...] = ()  # features by stage, each linking to its own page
    more: tuple[tuple[str, Link], ...] = ()  # (section, link to the page with all of it)
    open_risks_total: int = 0


LIST_LIMIT = 50  # on a grouped dashboard, longer lists show their first rows and link to the rest
ATTENTION_LIMIT = 15  # and the Attention list its worst items


@dataclass(frozen=True)
class StageGroup:
    """The features at one stage, on a dashboard too large to list them all."""

    stage: str
    link: Link
    features: int
    plans: int
    health: tuple[Count, ...]
    phases: tuple[int, int] | None
    tasks: tuple[int, int] | None
    window: tuple[str, str] | None


def _plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def _plan_link(entry: PlanEntry) -> Link:
    fid = entry.feature_id or "?"
    return Link(f"{fid} {entry.page.title}", entry.md_link)


def _feature_link(item: FeatureEntry) -> Link:
    return Link(item.label, item.md_link)


def _risk_link(item: OpenRisk) -> Link:
    """A risk, where it leaves its plan: its feature's ID before its own, its title on hover."""
    risk = item.risk
    label = f"{item.entry.feature_id or '?'} {risk.id or str(risk.index + 1)}"
    title = " ".join((risk.title or "").replace('"', "'").replace("\\", "/").split()) or None
    return Link(label, f"{item.entry.md_link}#{Anchors.risk(risk)}", title)


def cell_anchor(probability: str, impact: str) -> str:
    return f"risks-{status_class(probability)}-{status_class(impact)}"


# -- the parts --------------------------------------------------------------------------------
def _cards(portfolio: Portfolio) -> tuple[Card, ...]:
    summary, levels = portfolio.summary(), portfolio.levels
    lifecycle: dict[str, int] = {}  # one dimension a card: the features' lifecycle (plans have their own card)
    for item in portfolio.features:
        lifecycle[item.feature.lifecycle_stage] = lifecycle.get(item.feature.lifecycle_stage, 0) + 1
    features = Card(
        str(summary["features"]),
        "feature" if summary["features"] == 1 else "features",
        "#specplan-features",
        tuple(Count(stage, lifecycle[stage]) for stage in LIFECYCLE if stage in lifecycle),
    )
    slipping: dict[str, int] = {}
    for entry in portfolio.entries:
        if portfolio.is_slipping(entry):
            state = portfolio.health_of(entry).state
            slipping[state] = slipping.get(state, 0) + 1
    if not portfolio.entries:
        return (features,)
    done, total = summary["phases"]["done"], summary["phases"]["total"]
    stale = summary["stale_plans"]
    return (
        features,
        Card(
            str(summary["plans"]),
            "plan" if summary["plans"] == 1 else "plans",
            None,
            tuple(Count(s, n) for s, n in summary["by_status"].items() if n),
        ),
        Card(f"{done}/{total}", "phases done", None, (), (done, total)),
        Card(
            str(summary["slipping_plans"]),
            f"{'plan' if summary['slipping_plans'] == 1 else 'plans'} slipping (forecast after the planned end)",
            "#specplan-attention" if summary["slipping_plans"] else None,
            tuple(Count(s, slipping[s], "health") for s in HEALTH_STATES if s in slipping),
        ),
        Card(
            str(summary["open_risks"]),
            "open risk" if summary["open_risks"] == 1 else "open risks",
            "#specplan-risks",
            tuple(Count(lv, n, "level", severity_class(lv, levels)) for lv, n in summary["open_risks_by_level"].items() if n),
        ),
        Card(
            str(summary["external_dependencies_not_available"]),
            "external dependencies not available",
            "#specplan-external-dependencies",
        ),
        Card(
            str(stale),
            f"{'stale plan' if stale == 1 else 'stale plans'} (not updated for {portfolio.stale_days} days)",
            "#specplan-data-quality",
        ),
    )


def _attention(portfolio: Portfolio) -> tuple[AttentionItem, ...]:
    """Late, blocked, stale, high-risk and problem plans, each with the root causes (owner, next
    step, what they hold up) and its other reasons; the worst first."""
    items: list[tuple[int, AttentionItem]] = []
    for entry in portfolio.entries:
        state = portfolio.health_of(entry)
        found = entry_causes(entry, portfolio)
        reasons: list[Reason] = []
        if state.state in ("blocked", "late", "at-risk") and not found:
            reasons += [Reason(state.state, text) for text in state.reasons]
        if entry.page.warnings:
            reasons.append(Reason("problems", _plural(len(entry.page.warnings), "problem") + " to fix"))
        if portfolio.is_stale(entry):
            assert entry.plan is not None and entry.plan.last_updated is not None
            reasons.append(Reason("stale", f"not updated since {entry.plan.last_updated.isoformat()}"))
        drift = entry.page.spec_drift
        if drift is not None:
            reasons.append(Reason("drift", f"spec changed since approval: {drift.sentence()}"))
        if reasons or found:
            rank = state.rank if state.state in ("blocked", "late", "at-risk") else 3
            fid = entry.feature_id or "?"
            status = entry.plan.status if entry.plan else None
            forecast = entry.page.forecast
            items.append(
                (
                    rank,
                    AttentionItem(
                        _plan_link(entry),
                        status if status != state.state else None,
                        tuple(reasons),
                        health_label(state, forecast.slip_days if forecast else None),
                        state.css,
                        cause_views(found, functools.partial(_cause_href, entry=entry, portfolio=portfolio), prefix=f"{fid} "),
                    ),
                )
            )
    return tuple(item for _, item in sorted(items, key=lambda pair: pair[0]))


def _recent(portfolio: Portfolio) -> tuple[tuple[RecentChange, ...], str | None]:
    """Each commit of a plan in the last ``recent_days`` days, what it did to the plan's forecast
    finish, status and open risks; newest first. Without git history, why there is none."""
    if portfolio.recent_days <= 0 or not portfolio.entries:
        return (), None
    if not any(e.page.history is not None for e in portfolio.entries):
        return (), "Recent changes come from git: the site is not in a git repository, or its plans are not committed yet."
    since = portfolio.today - dt.timedelta(days=portfolio.recent_days)
    out: list[RecentChange] = []
    for entry in portfolio.entries:
        points = sorted(entry.page.history.points, key=lambda p: p.date) if entry.page.history else []
        for index, point in enumerate(points):
            if point.date < since or point.date > portfolio.today:
                continue
            before = points[index - 1] if index else None
            parts = []
            if before is None:
                parts.append(f"the plan is added, forecast to finish {point.end.isoformat()}")
            else:
                if point.end != before.end:
                    moved = wd_index(point.end) - wd_index(before.end)
                    parts.append(
                        f"forecast finish {before.end.isoformat()} → {point.end.isoformat()} ({signed(moved)} working days)"
                    )
                if point.status != before.status:
                    parts.append(f"status {before.status} → {point.status}")
                if point.open_risks != before.open_risks:
                    parts.append(f"open risks {before.open_risks} → {point.open_risks}")
            what = "; ".join(parts) or "no change to its forecast, status or open risks"
            out.append(RecentChange(point.date.isoformat(), point.short, _plan_link(entry), entry.href, what))
        plan_commits = {p.commit for p in points}  # a commit of the plan and its spec is listed once, above
        for commit, day in entry.page.spec_commits:
            if since <= day <= portfolio.today and commit not in plan_commits:
                out.append(RecentChange(day.isoformat(), commit[:7], _plan_link(entry), entry.href, "the spec changed"))
    out.sort(key=lambda c: c.date, reverse=True)
    return tuple(out), None


def entry_causes(entry: PlanEntry, portfolio: Portfolio) -> tuple[Cause, ...]:
    """A plan's root causes, the other plans' phases it waits on read from their forecasts."""
    by_key = portfolio.by_key()
    upstream = []
    for edge in entry.page.waits_on:
        other = by_key.get(edge.upstream)
        if other is None or other.plan is None:
            continue
        phase = next((p for p in other.plan.phases if p.number == edge.upstream_phase), None)
        predicted = other.page.forecast.phase(edge.upstream_phase) if other.page.forecast else None
        name = " ".join((phase.name or "").split()) if phase else ""
        label = f"{other.feature_id} {other.page.title}, Phase {edge.upstream_phase}: {name}"
        upstream.append(
            Upstream(
                edge.upstream,
                label,
                edge.upstream_phase,
                predicted.end if predicted else None,
                predicted.health if predicted else None,
                edge.downstream_phase,
            )
        )
    return causes(entry.plan, entry.page.forecast, portfolio.settings, tuple(upstream))


def _cause_href(cause: Cause, *, entry: PlanEntry, portfolio: Portfolio) -> str | None:
    """Where a cause is described, from the dashboard: its plan page's phase, risk or dependencies."""
    if cause.kind == "upstream" and cause.upstream is not None:
        other = portfolio.by_key().get(cause.upstream.key)
        return f"{other.md_link}#phase-{cause.upstream.phase}" if other is not None else None
    return entry.md_link + (cause_anchor(cause) or "")


def _feature_rows(portfolio: Portfolio) -> tuple[FeatureRow, ...]:
    rows = []
    for item in portfolio.features:
        feature, entry = item.feature, item.plan
        tasks, checklists = feature.tasks, feature.checklists
        covered, _ = feature.coverage()
        if feature.traced_by_story:  # as spec-kit teams trace: stories first
            with_tasks, stories, done, carried = feature.story_progress()
            untraced = feature.untraced()
            requirements = f"stories {with_tasks}/{stories} with tasks, {done}/{carried} done"
            if untraced:
                requirements += f"<br>{_plural(len(untraced), 'requirement')} not traced"
        elif feature.requirements and (feature.plan_kind or tasks):
            requirements = f"{covered}/{len(feature.requirements)} covered"
        else:
            requirements = f"{len(feature.requirements)} defined" if feature.requirements else ""
        plan = entry.plan if entry else None
        schedule = entry.page.schedule if entry else None
        rows.append(
            FeatureRow(
                subject=_feature_link(item),
                stage=feature.stage,
                spec_status=feature.spec.status if feature.spec and not entry else None,
                health=portfolio.health_of(entry) if entry else None,
                problems=len(entry.page.warnings) if entry else 0,
                phases=portfolio.phases_done(entry) if entry and plan and plan.phases else None,
                tasks=(tasks.done, tasks.total) if tasks and tasks.total else None,
                checklists=(checklists.done, checklists.total) if checklists and checklists.total else None,
                requirements=requirements,
                window=(schedule.start.isoformat(), schedule.end.isoformat()) if schedule and schedule.phases else None,
                forecast=_forecast_cell(entry),
                risks=tuple(
                    RiskLink(_risk_link(r), r.level, severity_class(r.level, portfolio.levels)) for r in portfolio.risks_of(entry)
                )
                if entry
                else (),
                updated=plan.last_updated.isoformat() if plan and plan.last_updated else None,
                stale=bool(entry and portfolio.is_stale(entry)),
                approved_by=plan.approved_by if plan else None,
            )
        )
    return tuple(rows)


def _forecast_cell(entry: PlanEntry | None) -> tuple[str, str] | None:
    forecast = entry.page.forecast if entry else None
    if forecast is None or forecast.end == forecast.planned_end:
        return None
    return forecast.end.isoformat(), signed(forecast.slip_days)


def _portfolio_timeline(portfolio: Portfolio, entries: list[PlanEntry] | None = None, prefix: str = "") -> TimelineView | None:
    """Each plan's span: the forecast over a thin planned bar, arrows where plans wait on each other,
    and the portfolio's critical path outlined when there are such arrows. ``prefix``: what leads
    from the page that shows it to where the dashboard's own links start (its bars' links are raw
    HTML, which each builder reads its own way)."""
    rows = []
    keys: dict[str, str] = {}
    for entry in portfolio.entries if entries is None else entries:
        s = entry.page.schedule
        if not (s and s.phases and entry.plan):
            continue
        title = " ".join(entry.page.title.split())
        status = entry.plan.status or "draft"
        key = entry.feature_id if entry.feature_id and entry.feature_id not in keys.values() else entry.page.source.src_uri
        keys[entry.page.source.src_uri] = key
        forecast = entry.page.forecast
        tooltip = f"{entry.feature_id} {title} · planned {fmt_date(s.start)} – {fmt_date(s.end)} · {status}"
        if forecast is not None:
            tooltip += f" · forecast {fmt_date(forecast.start)} – {fmt_date(forecast.end)} · {forecast.health.state}"
        rows.append(
            GanttRow(
                key=key,
                label=f"{entry.feature_id} {title}",
                start=s.start,
                end=s.end,
                status=status,
                href=prefix + entry.href,
                critical=entry.page.source.src_uri in portfolio.critical_plans,
                tooltip=tooltip,
                forecast=(forecast.start, forecast.end) if forecast else None,
                health=forecast.health.state if forecast else None,
            )
        )
    if not rows:
        return None
    edges = [(keys[e.upstream], keys[e.downstream]) for e in portfolio.edges if e.upstream in keys and e.downstream in keys]
    critical = {
        (keys[e.upstream], keys[e.downstream])
        for e in portfolio.edges
        if e.critical and e.upstream in keys and e.downstream in keys
    }
    first, last = min(r.span[0] for r in rows), max(r.span[1] for r in rows)
    description = f"{_plural(len(rows), 'plan')} scheduled from {fmt_date(first)} to {fmt_date(last)}."
    if edges:
        description += f" {_plural(len(set(edges)), 'dependency', 'dependencies')} between plans."
    gantt = Gantt(
        rows=rows,
        title="Portfolio timeline",
        description=description,
        data_key="plan",
        edges=list(dict.fromkeys(edges)),
        critical_edges=critical,
        today=portfolio.today,
        statuses=tuple(s for s in portfolio.settings.plan_statuses if any(r.status == s for r in rows)),
        show_critical=bool(edges),
        id_prefix="specplan-portfolio",
    )
    return timeline_view(gantt)


@dataclass(frozen=True)
class WaitRow:
    """A phase of one plan waiting on a phase of another."""

    waiting: Link
    upstream: Link
    health: str | None
    end: str | None


def _waits(portfolio: Portfolio) -> tuple[WaitRow, ...]:
    by_key = portfolio.by_key()
    rows = []
    for edge in portfolio.edges:
        down, up = by_key.get(edge.downstream), by_key.get(edge.upstream)
        if down is None or up is None:
            continue
        predicted = up.page.forecast.phase(edge.upstream_phase) if up.page.forecast else None
        rows.append(
            WaitRow(
                Link(
                    f"{down.feature_id or '?'} {down.page.title}, phase {edge.downstream_phase}",
                    f"{down.md_link}#phase-{edge.downstream_phase}",
                ),
                Link(
                    f"{up.feature_id or '?'} {up.page.title}, phase {edge.upstream_phase}",
                    f"{up.md_link}#phase-{edge.upstream_phase}",
                ),
                predicted.health if predicted else None,
                predicted.end.isoformat() if predicted else None,
            )
        )
    return tuple(rows)


def _heatmap(portfolio: Portfolio) -> tuple[HeatRow, ...]:
    levels, cells = portfolio.levels, portfolio.heatmap()
    rows = []
    for p in reversed(levels):
        row = []
        for i in levels:
            level = portfolio.level_of(p, i)
            row.append(HeatCell(p, i, len(cells[(p, i)]), severity_class(level, levels), cell_anchor(p, i)))
        rows.append(HeatRow(p, tuple(row)))
    return tuple(rows)


def _risk_rows(portfolio: Portfolio, items: list[OpenRisk], anchors: bool) -> tuple[RiskRow, ...]:
    levels = portfolio.levels
    seen: set[tuple[str, str]] = set()
    out = []
    for item in items:
        r = item.risk
        anchor = None
        if anchors and r.probability and r.impact and (r.probability, r.impact) not in seen:
            seen.add((r.probability, r.impact))
            anchor = cell_anchor(r.probability, r.impact)
        out.append(
            RiskRow(
                plan=_plan_link(item.entry),
                risk=_risk_link(item),
                title=r.title or "",
                probability=r.probability,
                impact=r.impact,
                sev_probability=severity_class(r.probability, levels),
                sev_impact=severity_class(r.impact, levels),
                level=item.level,
                status=r.status,
                owner=r.owner,
                mitigation=r.mitigation,
                long=len(r.mitigation or "") > LONG_TEXT,
                anchor=anchor,
            )
        )
    return tuple(out)


QUALITY_TITLES = {
    "problems": "Plans with validation problems or notes",
    "missing": "Missing spec or data model",
    "uncovered": "Requirements neither the plan nor the tasks cover",
    "clarifications": "Unresolved [NEEDS CLARIFICATION] markers in specs",
    "context": "Technical Context that needs clarification",
    "stale": "Stale plans (last updated more than {days} days before {today})",
    "duplicates": "Feature IDs used by more than one folder",
    "no_checkboxes": "Tasks files without checkboxes",
    "uncounted": "Tasks files whose tasks are not counted",
    "reused": "Task IDs used by more than one task",
    "untraced": "Requirements nothing names, where the tasks carry story labels (not traced)",
}


def _quality_item(finding: Finding) -> QualityItem:
    subject = finding.subject
    if subject is None:
        return QualityItem(Link(finding.label, None), finding.text)
    if isinstance(subject, PlanEntry):
        return QualityItem(_plan_link(subject), finding.text)
    ids = tuple(Link(rid, f"{subject.spec_link}#{anchor_of(rid)}" if subject.spec_link else None) for rid in finding.ids)
    return QualityItem(_feature_link(subject), finding.text, ids)


def _quality(portfolio: Portfolio) -> tuple[QualityGroup, ...]:
    groups = []
    for kind, findings in portfolio.quality().items():
        if findings:
            title = QUALITY_TITLES[kind].format(days=portfolio.stale_days, today=portfolio.today.isoformat())
            groups.append(QualityGroup(kind, title, tuple(_quality_item(f) for f in findings)))
    return tuple(groups)


def dashboard_view(
    portfolio: Portfolio, title: str = "Plans", json_href: str | None = None, *, timeline: bool = True
) -> DashboardView:
    """Everything the dashboard shows; without the portfolio timeline when ``timeline`` is false
    (a grouped dashboard draws one per stage and an overview instead)."""
    levels = portfolio.levels
    recent, recent_note = _recent(portfolio)
    return DashboardView(
        title=title,
        today=portfolio.today.isoformat(),
        empty=not portfolio.entries and not portfolio.features,
        cards=_cards(portfolio),
        attention=_attention(portfolio),
        features=_feature_rows(portfolio),
        timeline=_portfolio_timeline(portfolio) if timeline else None,
        levels=levels,
        legend=tuple(Count(level, 0, "level", severity_class(level, levels)) for level in levels),
        heat_rows=_heatmap(portfolio),
        open_risks=_risk_rows(portfolio, portfolio.open_risks, anchors=True),
        closed_risks=_risk_rows(portfolio, portfolio.closed_risks, anchors=False),
        dependencies=tuple(
            DependencyRow(_plan_link(entry), dep.name or "", dep.status or "unknown", dep.risk)
            for entry, dep in portfolio.unavailable_dependencies()
        ),
        quality=_quality(portfolio),
        json_href=json_href,
        stale_days=portfolio.stale_days,
        plans=len(portfolio.entries),
        waits=_waits(portfolio),
        open_risks_total=len(portfolio.open_risks),
        recent=recent,
        recent_note=recent_note,
        recent_days=portfolio.recent_days,
    )


# -- a dashboard that scales: grouped by stage, long lists on pages of their own ------------------
def stage_page(stage: str) -> str:
    """The file name of a stage's page, beside the dashboard."""
    return f"features-{status_class(stage) or 'other'}.md"


def _groups(portfolio: Portfolio, rows: tuple[FeatureRow, ...]) -> tuple[StageGroup, ...]:
    by_stage: dict[str, list[tuple[FeatureEntry, FeatureRow]]] = {}
    for item, row in zip(portfolio.features, rows, strict=True):
        by_stage.setdefault(item.feature.stage, []).append((item, row))
    order = list(portfolio.stage_counts())
    groups = []
    for stage in sorted(by_stage, key=lambda s: order.index(s) if s in order else len(order)):
        members = by_stage[stage]
        health: dict[str, int] = {}
        for _, row in members:
            if row.health is not None:
                health[row.health.state] = health.get(row.health.state, 0) + 1
        phases = [r.phases for _, r in members if r.phases]
        tasks = [r.tasks for _, r in members if r.tasks]
        windows = [r.window for _, r in members if r.window]
        groups.append(
            StageGroup(
                stage,
                Link(f"{len(members)} {stage}", stage_page(stage)),
                len(members),
                sum(1 for item, _ in members if item.plan is not None),
                tuple(Count(h, n, "health") for h, n in health.items()),
                (sum(p[0] for p in phases), sum(p[1] for p in phases)) if phases else None,
                (sum(t[0] for t in tasks), sum(t[1] for t in tasks)) if tasks else None,
                (min(w[0] for w in windows), max(w[1] for w in windows)) if windows else None,
            )
        )
    return tuple(groups)


def _stage_plans(portfolio: Portfolio, stage: str) -> list[PlanEntry]:
    """The plans of the features at one stage."""
    return [f.plan for f in portfolio.features if f.feature.stage == stage and f.plan is not None]


def _overview(portfolio: Portfolio, groups: tuple[StageGroup, ...], href_of: Callable[[str], str]) -> TimelineView | None:
    """One bar per stage: from its earliest planned start to its latest forecast finish."""
    rows = []
    for group in groups:
        entries = _stage_plans(portfolio, group.stage)
        spans = [(e.page.schedule, e.page.forecast) for e in entries if e.page.schedule and e.page.schedule.phases]
        if not spans:
            continue
        start, end = min(s.start for s, _ in spans), max(s.end for s, _ in spans)
        forecasts = [f for _, f in spans if f is not None]
        rows.append(
            GanttRow(
                key=group.stage,
                label=f"{group.stage} ({_plural(len(spans), 'plan')})",
                start=start,
                end=end,
                status=group.stage,
                href=href_of(group.link.href) if group.link.href else None,
                tooltip=f"{len(spans)} {group.stage} plans, planned {fmt_date(start)} – {fmt_date(end)}",
                forecast=(min(f.start for f in forecasts), max(f.end for f in forecasts)) if forecasts else None,
            )
        )
    if not rows:
        return None
    gantt = Gantt(
        rows=rows,
        title="Portfolio overview",
        description=f"The plans by stage: {', '.join(r.label for r in rows)}.",
        data_key="stage",
        today=portfolio.today,
        statuses=tuple(dict.fromkeys(r.status for r in rows)),
        show_critical=False,
        id_prefix="specplan-overview",
    )
    return timeline_view(gantt)


def _shown(view: DashboardView) -> DashboardView:
    """The view with only what its sections show: two views are equal when their pages are (a
    rebuild renders again only the pages whose view changed)."""
    shown = view.sections
    return replace(
        view,
        attention=view.attention if "attention" in shown else (),
        cards=view.cards if "cards" in shown else (),
        waits=view.waits if {"cards", "timeline"} <= shown else (),
        recent=view.recent if "recent" in shown else (),
        recent_note=view.recent_note if "recent" in shown else None,
        features=view.features if "features" in shown else (),
        timeline=view.timeline if "timeline" in shown else None,
        heat_rows=view.heat_rows if "risks" in shown else (),
        open_risks=view.open_risks if "risks" in shown else (),
        closed_risks=view.closed_risks if "risks" in shown else (),
        open_risks_total=view.open_risks_total if "risks" in shown else 0,
        dependencies=view.dependencies if "dependencies" in shown else (),
        quality=view.quality if "quality" in shown else (),
    )


def dashboard_pages(
    portfolio: Portfolio,
    title: str = "Plans",
    json_href: str | None = None,
    group_above: int = 100,
    href_of: Callable[[str], str] = lambda name: name.removesuffix(".md") + "/",
    raw_prefix: Callable[[str], str] = lambda name: "",
) -> list[tuple[str, DashboardView]]:
    """The dashboard (file name "") and, above ``group_above`` features, the pages it links to: one
    per stage, and the full lists that it shows only the start of. Nothing is lost, one click away.
    ``raw_prefix(name)``: what leads from that page to where the dashboard's links in raw HTML start."""
    grouped = len(portfolio.features) > group_above
    full = dashboard_view(portfolio, title, json_href, timeline=not grouped)
    if not grouped:
        return [("", full)]
    groups = _groups(portfolio, full.features)
    pages: list[tuple[str, DashboardView]] = []
    more: list[tuple[str, Link]] = []
    top = portfolio.levels[-1] if portfolio.levels else None
    urgent = tuple(r for r in full.open_risks if r.level == top)[:LIST_LIMIT]
    lists = {
        "attention": ("attention.md", "everything that needs attention", len(full.attention) > ATTENTION_LIMIT),
        "risks": ("all-risks.md", "every risk", len(urgent) < len(full.open_risks) or bool(full.closed_risks)),
        "dependencies": ("all-dependencies.md", "every dependency not available", len(full.dependencies) > LIST_LIMIT),
        "quality": ("data-quality.md", "every data-quality finding", any(len(g.items) > 10 for g in full.quality)),
    }
    for section, (name, label, needed) in lists.items():
        if needed:
            more.append((section, Link(label, name)))
            pages.append((name, _shown(replace(full, title=f"{title}: {label}", sections=frozenset({section})))))
    for group in groups:
        rows = tuple(r for item, r in zip(portfolio.features, full.features, strict=True) if item.feature.stage == group.stage)
        view = replace(
            full,
            title=f"{title}: {group.stage}",
            features=rows,
            timeline=_portfolio_timeline(portfolio, _stage_plans(portfolio, group.stage), raw_prefix(stage_page(group.stage))),
        )
        pages.append((stage_page(group.stage), _shown(replace(view, sections=frozenset({"features", "timeline"})))))
    if any(section == "risks" for section, _ in more):  # every risk is on its own page: the cells lead there
        page = href_of("all-risks.md")
        full = replace(
            full, heat_rows=tuple(replace(r, cells=tuple(replace(c, page=page) for c in r.cells)) for r in full.heat_rows)
        )
    main = replace(
        full,
        features=(),
        groups=groups,
        timeline=_overview(portfolio, groups, href_of),
        attention=full.attention[:ATTENTION_LIMIT],
        open_risks=urgent,
        open_risks_total=len(full.open_risks),
        closed_risks=(),
        dependencies=full.dependencies[:LIST_LIMIT],
        quality=tuple(replace(g, items=g.items[:10], total=len(g.items)) for g in full.quality),
        waits=full.waits[:LIST_LIMIT],
        more=tuple(more),
    )
    return [("", main), *pages]
