"""The site-wide dashboard and the JSON export, computed once from the loaded plans. Free of MkDocs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from .features import LIFECYCLE, Feature, duplicate_ids
from .model import Effort, Plan, Risk, Settings
from .pages import Anchors, PlanPage
from .render import badge_html, hue_color, level_badge_html, md_escape, one_line, scale_hue, status_class
from .timeline import Gantt, GanttRow, fmt_date, render_gantt

JSON_VERSION = 1


@dataclass
class PlanEntry:
    """A plan as the dashboard sees it, with the ways to link to it from the dashboard."""

    page: PlanPage
    info: Feature | None
    url: str  # site URL of the plan page, e.g. "specs/001-x/plan/"
    md_link: str  # Markdown link from the dashboard's source, e.g. "../specs/001-x/plan.md"
    href: str  # href from the dashboard page, for raw HTML, e.g. "../specs/001-x/plan/"
    spec_url: str | None = None
    doc_urls: dict[str, str] = field(default_factory=dict)  # "data_model" -> site URL, ...
    contract_urls: list[str] = field(default_factory=list)

    @property
    def plan(self) -> Plan | None:
        return self.page.plan

    @property
    def feature_id(self) -> str:
        return (self.plan.feature_id if self.plan and self.plan.feature_id else "") or ""


@dataclass
class FeatureEntry:
    """A feature folder as the dashboard sees it."""

    feature: Feature
    url: str | None  # site URL of its spec page, else its plan page
    md_link: str | None  # Markdown link from the dashboard's source to that page
    plan: PlanEntry | None = None  # its plan.yaml, when it has one

    @property
    def label(self) -> str:
        return f"{self.feature.id} {self.feature.name}" if self.feature.id else self.feature.name


def natural_key(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.findall(r"\d+|\D+", text))


@dataclass(frozen=True)
class OpenRisk:
    entry: PlanEntry
    risk: Risk
    severity: int  # (probability index + 1) * (impact index + 1); 0 when not assessed
    level: str | None  # the risk's level: the rounded-up geometric mean of probability and impact


class Portfolio:
    """Every figure of the dashboard, computed once per build."""

    def __init__(
        self,
        entries: list[PlanEntry],
        settings: Settings,
        today: dt.date,
        stale_days: int = 90,
        features: list[FeatureEntry] | None = None,
    ) -> None:
        self.settings = settings
        self.features = sorted(features or [], key=lambda f: (natural_key(f.feature.id or ""), f.feature.folder))
        self.duplicates = duplicate_ids([f.feature for f in self.features])
        self.today = today
        self.stale_days = stale_days
        self.entries = sorted(entries, key=lambda e: (natural_key(e.feature_id), e.page.source.src_uri))
        levels = settings.risk_levels
        self.levels = levels
        self.open_risks: list[OpenRisk] = []
        self.closed_risks: list[OpenRisk] = []
        for entry in self.entries:
            if entry.plan is None:
                continue
            for risk in entry.plan.risks:
                item = OpenRisk(entry, risk, *self._severity(risk))
                (self.open_risks if risk.status in settings.open_risk_statuses else self.closed_risks).append(item)
        order = lambda r: (-r.severity, -self._index(r.risk.impact), -self._index(r.risk.probability),
                           natural_key(r.entry.feature_id), natural_key(r.risk.id or ""))  # noqa: E731
        self.open_risks.sort(key=order)
        self.closed_risks.sort(key=order)

    # -- risks -------------------------------------------------------------------------------
    def _index(self, level: str | None) -> int:
        return self.levels.index(level) if level in self.levels else -1

    def _severity(self, risk: Risk) -> tuple[int, str | None]:
        p, i = self._index(risk.probability), self._index(risk.impact)
        if p < 0 or i < 0:
            return 0, None
        score = (p + 1) * (i + 1)
        return score, self.levels[min(len(self.levels), math.ceil(math.sqrt(score) - 1e-9)) - 1]

    def heatmap(self) -> dict[tuple[str, str], list[OpenRisk]]:
        cells: dict[tuple[str, str], list[OpenRisk]] = {(p, i): [] for p in self.levels for i in self.levels}
        for item in self.open_risks:
            if item.risk.probability in self.levels and item.risk.impact in self.levels:
                cells[(item.risk.probability, item.risk.impact)].append(item)
        return cells

    def open_risks_by_level(self) -> dict[str, int]:
        counts = {level: 0 for level in reversed(self.levels)}
        for item in self.open_risks:
            if item.level:
                counts[item.level] += 1
        return counts

    def risks_of(self, entry: PlanEntry) -> list[OpenRisk]:
        return [r for r in self.open_risks if r.entry is entry]

    # -- plans -------------------------------------------------------------------------------
    def status_counts(self) -> dict[str, int]:
        counts = {s: 0 for s in self.settings.plan_statuses}
        for entry in self.entries:
            if entry.plan and entry.plan.status in counts:
                counts[entry.plan.status] += 1
        return counts

    @staticmethod
    def phases_done(entry: PlanEntry) -> tuple[int, int]:
        if entry.plan is None:
            return 0, 0
        return sum(1 for p in entry.plan.phases if p.status == "done"), len(entry.plan.phases)

    def phase_totals(self) -> tuple[int, int]:
        done = total = 0
        for entry in self.entries:
            d, t = self.phases_done(entry)
            done += d
            total += t
        return done, total

    def is_stale(self, entry: PlanEntry) -> bool:
        plan = entry.plan
        if plan is None or plan.last_updated is None:
            return False
        return (self.today - plan.last_updated).days > self.stale_days

    def stale(self) -> list[PlanEntry]:
        return [e for e in self.entries if self.is_stale(e)]

    def unavailable_dependencies(self) -> list[tuple[PlanEntry, Any]]:
        out = []
        for entry in self.entries:
            for dep in entry.plan.external_dependencies if entry.plan else []:
                if (dep.status or "").strip().lower() != "available":
                    out.append((entry, dep))
        return out

    def quality(self) -> dict[str, list[tuple[str, str]]]:
        """Data-quality findings per kind: (Markdown link to the feature or plan, what)."""
        found: dict[str, list[tuple[str, str]]] = {
            "problems": [], "missing": [], "uncovered": [], "clarifications": [], "stale": [],
            "duplicates": [], "no_checkboxes": [], "context": [],
        }
        for entry in self.entries:
            warnings, infos = entry.page.warnings, entry.page.infos
            if warnings or infos:
                parts = []
                if warnings:
                    parts.append(f"{len(warnings)} problem{'s' if len(warnings) != 1 else ''}")
                if infos:
                    parts.append(f"{len(infos)} note{'s' if len(infos) != 1 else ''}")
                found["problems"].append((_plan_link(entry), ", ".join(parts)))
            context = entry.plan.technical_context if entry.plan else None
            if context is not None and context.clarifications:
                labels = dict((k, label) for k, label, _ in context.items())
                found["context"].append((_plan_link(entry), ", ".join(labels[k] for k in context.clarifications)))
            if self.is_stale(entry):
                assert entry.plan is not None and entry.plan.last_updated is not None
                days = (self.today - entry.plan.last_updated).days
                found["stale"].append((_plan_link(entry), f"last updated {entry.plan.last_updated.isoformat()}, {days} days ago"))
        for item in self.features:
            feature, link = item.feature, _feature_link(item)
            missing = []
            if feature.spec_uri is None:
                missing.append("spec")
            if feature.plan_kind == "yaml" and feature.data_model_uri is None:
                missing.append("data model")
            if missing:
                found["missing"].append((link, "no " + " and no ".join(missing)))
            if feature.plan_kind or feature.tasks is not None:
                _, uncovered = feature.coverage()
                if uncovered:
                    found["uncovered"].append((link, ", ".join(uncovered)))
            if feature.clarifications:
                n = feature.clarifications
                found["clarifications"].append((link, f"{n} marker{'s' if n != 1 else ''} in the spec"))
            if feature.tasks is not None and not feature.tasks.checkboxes:
                found["no_checkboxes"].append((link, f"{feature.tasks.total} tasks without checkboxes, counted as not done"))
        for fid, same in self.duplicates.items():
            found["duplicates"].append((md_escape(fid), ", ".join(md_escape(f.display_folder) for f in same)))
        return found

    def stage_counts(self) -> dict[str, int]:
        """Features by stage: the lifecycle stages first, then plan statuses in their configured order."""
        counts: dict[str, int] = {}
        for stage in LIFECYCLE + tuple(self.settings.plan_statuses):
            counts.setdefault(stage, 0)
        for entry in self.features:
            counts[entry.feature.stage] = counts.get(entry.feature.stage, 0) + 1
        return {k: v for k, v in counts.items() if v}

    def summary(self) -> dict[str, Any]:
        done, total = self.phase_totals()
        return {
            "features": len(self.features),
            "features_by_stage": self.stage_counts(),
            "plans": len(self.entries),
            "by_status": self.status_counts(),
            "phases": {"done": done, "total": total},
            "open_risks": len(self.open_risks),
            "open_risks_by_level": self.open_risks_by_level(),
            "external_dependencies_not_available": len(self.unavailable_dependencies()),
            "stale_plans": len(self.stale()),
            "stale_after_days": self.stale_days,
            "plans_with_problems": sum(1 for e in self.entries if e.page.warnings),
        }


# -- Markdown ---------------------------------------------------------------------------------
def _e(value: Any) -> str:
    return str(escape(str(value)))


def _badge(text: str | None, kind: str) -> str:
    return str(badge_html(text, kind)) if text else "—"


def _level_badge(level: str | None, levels: tuple[str, ...]) -> str:
    return str(level_badge_html(level, levels))


def _bar(done: int, total: int) -> str:
    if not total:
        return ""
    pct = round(100 * done / total)
    return f' <span class="specplan-bar" role="img" aria-label="{pct}% done"><span style="width: {pct}%"></span></span>'


def _plan_link(entry: PlanEntry) -> str:
    plan = entry.plan
    label = entry.page.title
    fid = plan.feature_id if plan and plan.feature_id else "?"
    return f"[{one_line(fid)} {one_line(label)}]({entry.md_link})"


def _feature_link(item: FeatureEntry) -> str:
    label = md_escape(item.label)
    return f"[{label}]({item.md_link})" if item.md_link else label


def _risk_link(item: OpenRisk) -> str:
    label = item.risk.id or str(item.risk.index + 1)
    return f"[{one_line(label)}]({item.entry.md_link}#{Anchors.risk(item.risk)})"


def _cell_anchor(p: str, i: str) -> str:
    return f"risks-{status_class(p)}-{status_class(i)}"


EMPTY_STATE = """\
<div class="specplan-empty">
<p><strong>No plans yet.</strong> Add a <code>plan.yaml</code> to a feature folder, for example
<code>docs/specs/001-my-feature/plan.yaml</code>, and it appears here.</p>
</div>

A plan needs four fields to start:

```yaml
feature_name: My feature
feature_id: "001"
created_date: {today}
status: draft
```
"""


def render_dashboard(portfolio: Portfolio, title: str = "Plans", json_href: str | None = None) -> str:
    out: list[str] = [f"# {title}", ""]
    add = out.append
    entries = portfolio.entries
    if not entries and not portfolio.features:
        add(EMPTY_STATE.format(today=portfolio.today.isoformat()))
        return "\n".join(out)
    levels = portfolio.levels
    summary = portfolio.summary()

    # summary cards
    add('<div class="specplan-cards">')
    n_features = summary["features"]
    add(f'<div class="specplan-card"><div class="specplan-card-figure">{n_features}</div><div>feature{"s" if n_features != 1 else ""}</div>'
        + "".join(f'<div>{_badge(stage, "status")} {n}</div>' for stage, n in summary["features_by_stage"].items()) + "</div>")
    if not entries:
        add("</div>")
        add("")
        add("## Features")
        add("")
        add(_features_table(portfolio))
        add("")
        _add_quality(add, portfolio, json_href)
        return "\n".join(out).rstrip("\n") + "\n"
    add(f'<div class="specplan-card"><div class="specplan-card-figure">{summary["plans"]}</div><div>plan{"s" if summary["plans"] != 1 else ""}</div>'
        + "".join(f'<div>{_badge(s, "status")} {n}</div>' for s, n in summary["by_status"].items() if n) + "</div>")
    done, total = summary["phases"]["done"], summary["phases"]["total"]
    add(f'<div class="specplan-card"><div class="specplan-card-figure">{done}/{total}</div><div>phases done{_bar(done, total)}</div></div>')
    add(f'<div class="specplan-card"><div class="specplan-card-figure"><a href="#open-risks">{summary["open_risks"]}</a></div><div>open risks</div>'
        + "".join(f"<div>{_level_badge(level, levels)} {n}</div>" for level, n in summary["open_risks_by_level"].items() if n) + "</div>")
    add(f'<div class="specplan-card"><div class="specplan-card-figure"><a href="#external-dependencies">{summary["external_dependencies_not_available"]}</a></div>'
        "<div>external dependencies not available</div></div>")
    add(f'<div class="specplan-card"><div class="specplan-card-figure"><a href="#data-quality">{summary["stale_plans"]}</a></div>'
        f"<div>stale plans (not updated for {portfolio.stale_days} days)</div></div>")
    add("</div>")
    add("")

    # features table
    add("## Features")
    add("")
    add(_features_table(portfolio))
    add("")

    # portfolio timeline
    scheduled = [e for e in entries if e.page.schedule and e.page.schedule.phases]
    if scheduled:
        add("## Portfolio timeline")
        add("")
        rows = []
        for entry in scheduled:
            s = entry.page.schedule
            assert s is not None and entry.plan is not None
            rows.append(
                GanttRow(
                    key=entry.feature_id,
                    label=f"{entry.feature_id} {entry.page.title}",
                    start=s.start,
                    end=s.end,
                    status=entry.plan.status or "draft",
                    href=entry.href,
                    tooltip=f"{entry.feature_id} {entry.page.title} · {fmt_date(s.start)} – {fmt_date(s.end)} · {entry.plan.status}",
                )
            )
        first, last = min(r.start for r in rows), max(r.end for r in rows)
        gantt = Gantt(
            rows=rows,
            title="Portfolio timeline",
            description=f"{len(rows)} plan{'s' if len(rows) != 1 else ''} scheduled from {fmt_date(first)} to {fmt_date(last)}.",
            data_key="plan",
            today=portfolio.today,
            statuses=tuple(s for s in portfolio.settings.plan_statuses if any(r.status == s for r in rows)),
            show_critical=False,
            id_prefix="specplan-portfolio",
        )
        add(render_gantt(gantt))
        add("")

    # risks
    add("## Risks")
    add("")
    cells = portfolio.heatmap()
    add('<table class="specplan-heatmap" aria-label="Open risks by probability and impact">')
    add("<thead><tr><th>Probability ↓ / Impact →</th>" + "".join(f"<th>{_e(i)}</th>" for i in levels) + "</tr></thead>")
    add("<tbody>")
    n = len(levels)
    for p in reversed(levels):
        row = [f"<th>{_e(p)}</th>"]
        for i in levels:
            items = cells[(p, i)]
            score = (levels.index(p) + 1) * (levels.index(i) + 1)
            colour = hue_color(scale_hue((score - 1) / (n * n - 1)) if n > 1 else 0)
            count = len(items)
            content = f'<a href="#{_cell_anchor(p, i)}">{count}</a>' if count else "0"
            row.append(
                f'<td class="specplan-heat{" specplan-heat-empty" if not count else ""}" style="background-color: {colour}" '
                f'data-probability="{_e(p)}" data-impact="{_e(i)}" data-count="{count}">{content}</td>'
            )
        add("<tr>" + "".join(row) + "</tr>")
    add("</tbody></table>")
    add("")
    add('<div id="open-risks" class="specplan-anchor"></div>')
    add("")
    add(f"### Open risks ({len(portfolio.open_risks)})")
    add("")
    if portfolio.open_risks:
        add(_risk_table(portfolio.open_risks, levels, anchors=True))
    else:
        add("No open risks.")
    add("")
    if portfolio.closed_risks:
        add(f"### Mitigated and closed risks ({len(portfolio.closed_risks)})")
        add("")
        add(_risk_table(portfolio.closed_risks, levels, anchors=False, status=True))
        add("")

    # external dependencies
    unavailable = portfolio.unavailable_dependencies()
    add('<div id="external-dependencies" class="specplan-anchor"></div>')
    add("")
    add(f"## External dependencies not available ({len(unavailable)})")
    add("")
    if unavailable:
        add("| Plan | Dependency | Status | Risk if unavailable |")
        add("|---|---|---|---|")
        for entry, dep in unavailable:
            add(f"| {_plan_link(entry)} | {one_line(dep.name)} | {_badge(dep.status or 'unknown', 'dependency')} | {one_line(dep.risk) or '—'} |")
    else:
        add("Every external dependency is available.")
    add("")

    _add_quality(add, portfolio, json_href)
    return "\n".join(out).rstrip("\n") + "\n"


def _add_quality(add: Any, portfolio: Portfolio, json_href: str | None) -> None:
    add('<div id="data-quality" class="specplan-anchor"></div>')
    add("")
    add("## Data quality")
    add("")
    quality = portfolio.quality()
    labels = {
        "problems": "Plans with validation problems or notes",
        "missing": "Missing spec or data model",
        "uncovered": "Requirements no part of the plan mentions",
        "clarifications": "Unresolved [NEEDS CLARIFICATION] markers",
        "stale": f"Stale plans (last updated more than {portfolio.stale_days} days before {portfolio.today.isoformat()})",
        "duplicates": "Feature IDs used by more than one folder",
        "no_checkboxes": "Tasks files without checkboxes",
        "context": "Technical Context that needs clarification",
    }
    if not any(quality.values()):
        add("Every feature is valid, complete, covers its spec and is up to date.")
    for kind, items in quality.items():
        if not items:
            continue
        add(f"**{labels[kind]}** ({len(items)}):")
        add("")
        for link, what in items:
            add(f"- {link}: {what if kind == 'duplicates' else md_escape(what)}")
        add("")
    if json_href:
        add(f"The same data as JSON: [`{json_href.rsplit('/', 1)[-1]}`]({json_href}).")
        add("")



def _features_table(portfolio: Portfolio) -> str:
    """One row per feature folder; features with a plan.yaml keep their plan's richer row."""
    lines = [
        "| Feature | Stage | Phases | Tasks | Requirements | Start | End | Open risks | Last updated |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for item in portfolio.features:
        feature, entry = item.feature, item.plan
        tasks = feature.tasks
        task_cell = f"{tasks.done}/{tasks.total}{_bar(tasks.done, tasks.total)}" if tasks and tasks.total else "—"
        if feature.checklists and feature.checklists.total:
            task_cell += f"<br>checklists {feature.checklists.done}/{feature.checklists.total}"
        covered, _ = feature.coverage()
        reqs = f"{covered}/{len(feature.requirements)} covered" if feature.requirements and (feature.plan_kind or tasks) else (
            f"{len(feature.requirements)} defined" if feature.requirements else "—"
        )
        stage = _badge(feature.stage, "status")
        phases = start = end = risks = updated = "—"
        if entry is not None:
            plan = entry.plan
            d, t = portfolio.phases_done(entry)
            phases = f"{d}/{t}{_bar(d, t)}" if t else "—"
            schedule = entry.page.schedule
            if schedule and schedule.phases:
                start, end = schedule.start.isoformat(), schedule.end.isoformat()
            risks = ", ".join(f"{_risk_link(r)}{' (' + r.level + ')' if r.level else ''}" for r in portfolio.risks_of(entry)) or "—"
            updated = plan.last_updated.isoformat() if plan and plan.last_updated else "—"
            if portfolio.is_stale(entry):
                updated += ' <span class="specplan-badge specplan-stale">stale</span>'
            if plan and plan.approved_by:
                updated += f"<br>approved by {md_escape(plan.approved_by)}"
            if entry.page.warnings:
                n = len(entry.page.warnings)
                stage += f' <span class="specplan-badge specplan-status-blocked" title="problems to fix">{n} problem{"s" if n != 1 else ""}</span>'
        elif feature.spec and feature.spec.status:
            stage += f"<br>spec: {md_escape(feature.spec.status)}"
        lines.append(f"| {_feature_link(item)} | {stage} | {phases} | {task_cell} | {reqs} | {start} | {end} | {risks} | {updated} |")
    return "\n".join(lines)


def _risk_table(items: list[OpenRisk], levels: tuple[str, ...], *, anchors: bool, status: bool = False) -> str:
    head = "| Plan | Risk | Title | Probability | Impact | " + ("Status | " if status else "") + "Owner | Mitigation |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    seen: set[tuple[str, str]] = set()
    for item in items:
        r = item.risk
        anchor = ""
        if anchors and r.probability and r.impact and (r.probability, r.impact) not in seen:
            seen.add((r.probability, r.impact))
            anchor = f'<a id="{_cell_anchor(r.probability, r.impact)}" class="specplan-req-anchor"></a>'
        cells = [
            anchor + _plan_link(item.entry),
            _risk_link(item),
            one_line(r.title),
            _level_badge(r.probability, levels),
            _level_badge(r.impact, levels),
        ]
        if status:
            cells.append(_badge(r.status, "risk"))
        cells += [one_line(r.owner) or "—", one_line(r.mitigation) or "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- JSON -------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Effort):
        return {"text": value.text, "low_days": value.low_days, "high_days": value.high_days}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("positions", "index", "tech_stack_text")
        }
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def plan_json(entry: PlanEntry, portfolio: Portfolio) -> dict[str, Any]:
    page, plan, info = entry.page, entry.plan, entry.info
    data: dict[str, Any] = {
        "feature_id": plan.feature_id if plan else None,
        "feature_name": plan.feature_name if plan else None,
        "status": plan.status if plan else None,
        "source": page.source.display_path,
        "url": entry.url,
        "stale": portfolio.is_stale(entry),
    }
    if plan is not None:
        fields = _jsonable(plan)
        fields["tech_stack"] = plan.tech_stack_text if plan.tech_stack_text is not None else plan.tech_stack
        fields["phase_count"] = plan.phase_count
        data["plan"] = fields
    else:
        data["plan"] = None
    schedule = page.schedule
    data["schedule"] = (
        {
            "start": schedule.start.isoformat(),
            "end": schedule.end.isoformat(),
            "working_days": schedule.working_days,
            "sequential": schedule.sequential,
            "phases": [
                {
                    "number": p.number,
                    "name": p.name,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "working_days": p.days,
                    "milestone": p.milestone,
                    "critical": p.critical,
                    "total_float": p.total_float,
                    "depends_on": list(p.depends_on),
                    "status": p.status,
                }
                for p in schedule.phases
            ],
        }
        if schedule is not None and schedule.phases
        else None
    )
    data["links"] = {
        "plan": entry.url,
        "spec": entry.spec_url,
        **{k: entry.doc_urls.get(k) for k in ("data_model", "research", "quickstart", "tasks")},
        "contracts": entry.contract_urls,
    }
    tasks = info.tasks if info else None
    data["tasks"] = (
        {"done": tasks.done, "total": tasks.total, "groups": [{"title": g.title, "done": g.done, "total": g.total} for g in tasks.groups]}
        if tasks is not None
        else None
    )
    trace = info.traceability if info else None
    data["traceability"] = (
        {
            "requirements": [
                {"id": r.requirement.id, "text": r.requirement.text, "mentioned": bool(r.where), "tasks": info.task_ids_for(r.requirement.id)}
                for r in trace.rows
            ],
            "uncovered": [r.requirement.id for r in trace.uncovered],
        }
        if trace is not None and info is not None
        else None
    )
    data["open_risks"] = [
        {"id": r.risk.id, "title": r.risk.title, "severity": r.severity, "level": r.level} for r in portfolio.risks_of(entry)
    ]
    data["problems"] = [
        {"path": p.path, "line": p.line, "column": p.column, "field": p.field, "message": p.message, "level": p.level}
        for p in page.problems
    ]
    return data


def feature_json(item: FeatureEntry) -> dict[str, Any]:
    feature = item.feature
    covered, uncovered = feature.coverage()
    tasks, checklists = feature.tasks, feature.checklists
    return {
        "id": feature.id,
        "name": feature.name,
        "folder": feature.display_folder,
        "url": item.url,
        "plan": feature.plan_kind,
        "stage": feature.stage,
        "spec_status": feature.spec.status if feature.spec else None,
        "documents": feature.documents,
        "tasks": {"done": tasks.done, "total": tasks.total} if tasks is not None else None,
        "requirements": (
            {"total": len(feature.requirements), "covered": covered, "uncovered": uncovered} if feature.spec is not None else None
        ),
        "clarifications": feature.clarifications,
        "checklists": {"done": checklists.done, "total": checklists.total} if checklists is not None else None,
    }


def export_json(portfolio: Portfolio) -> str:
    """Stable: the same plans give byte-identical output."""
    document = {
        "version": JSON_VERSION,
        "generator": "mkdocs-specplan",
        "build_date": portfolio.today.isoformat(),
        "summary": portfolio.summary(),
        "plans": [plan_json(e, portfolio) for e in portfolio.entries],
        "features": [feature_json(f) for f in portfolio.features],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
