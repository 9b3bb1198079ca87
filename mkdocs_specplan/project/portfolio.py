"""The portfolio: every figure of the dashboard and the export, computed once per build. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..core.forecast import HEALTH_STATES, Health
from ..core.health import health, risk_level
from ..core.model import ExternalDependency, Plan, Risk, Settings
from ..core.schedule import CrossEdge
from ..support.paths import site_relpath
from .features import LIFECYCLE, Feature, duplicate_ids
from .records import PlanPage

JSON_VERSION = 1


@dataclass(eq=False)
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
    spec_link: str | None = None  # Markdown link from the dashboard's source to its spec

    @property
    def label(self) -> str:
        return f"{self.feature.id} {self.feature.name}" if self.feature.id else self.feature.name


QUALITY_KINDS = (
    "problems",
    "missing",
    "uncovered",
    "clarifications",
    "context",
    "stale",
    "duplicates",
    "no_checkboxes",
    "uncounted",
    "reused",
    "untraced",
)


@dataclass(frozen=True)
class Finding:
    """One data-quality finding about a plan or a feature (or, for a duplicate ID, the ID)."""

    subject: PlanEntry | FeatureEntry | None
    text: str
    ids: tuple[str, ...] = ()  # requirement IDs, linked to the spec
    label: str = ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


_RUNS_RE = re.compile(r"[0-9]+|[^0-9]+")


@functools.lru_cache(maxsize=8192)
def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """ "2" before "10": a run of digits compares by its value (by its length without leading zeros,
    then its digits: no number is made of it, however long), any other text without case."""
    return tuple(
        (0, len(digits := part.lstrip("0")), digits) if part[0] in "0123456789" else (1, 0, part.casefold())
        for part in _RUNS_RE.findall(text)
    )


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
        edges: list[CrossEdge] | None = None,
        critical_plans: set[str] | None = None,
        recent_days: int = 14,
    ) -> None:
        self.settings = settings
        self.recent_days = recent_days  # the dashboard's Recent changes look this far back
        self.edges = edges or []  # phases waiting on other plans' phases (keys: plan src_uri)
        self.critical_plans = critical_plans or set()
        self.features = sorted(features or [], key=lambda f: (natural_key(f.feature.id or ""), f.feature.folder))
        self.duplicates = duplicate_ids([f.feature for f in self.features])
        self._health: dict[PlanEntry, Health] = {}
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

        def order(r: OpenRisk) -> tuple[int, int, int, tuple[tuple[int, int, str], ...], tuple[tuple[int, int, str], ...]]:
            return (
                -r.severity,
                -self._index(r.risk.impact),
                -self._index(r.risk.probability),
                natural_key(r.entry.feature_id),
                natural_key(r.risk.id or ""),
            )

        self.open_risks.sort(key=order)
        self.closed_risks.sort(key=order)
        self._by_key: dict[str, PlanEntry] | None = None
        self._risks_by_entry: dict[int, list[OpenRisk]] = {}
        for item in self.open_risks:  # one pass: a plan's risks without scanning every risk of the site
            self._risks_by_entry.setdefault(id(item.entry), []).append(item)

    # -- risks -------------------------------------------------------------------------------
    def _index(self, level: str | None) -> int:
        return self.levels.index(level) if level in self.levels else -1

    def _severity(self, risk: Risk) -> tuple[int, str | None]:
        return risk_level(risk, self.levels)

    def level_of(self, probability: str, impact: str) -> str | None:
        """The level of a risk of this probability and impact (see :func:`risk_level`)."""
        return risk_level(Risk(probability=probability, impact=impact), self.levels)[1]

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
        return self._risks_by_entry.get(id(entry), [])

    # -- plans -------------------------------------------------------------------------------
    def status_counts(self) -> dict[str, int]:
        counts = {s: 0 for s in self.settings.plan_statuses}
        for entry in self.entries:
            if entry.plan and entry.plan.status in counts:
                counts[entry.plan.status] += 1
        return counts

    def phases_done(self, entry: PlanEntry) -> tuple[int, int]:
        if entry.plan is None:
            return 0, 0
        done = self.settings.done_phase_statuses
        return sum(1 for p in entry.plan.phases if p.status in done), len(entry.plan.phases)

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

    def unavailable_dependencies(self) -> list[tuple[PlanEntry, ExternalDependency]]:
        out = []
        for entry in self.entries:
            for dep in entry.plan.external_dependencies if entry.plan else []:
                if (dep.status or "").strip().lower() not in self.settings.available_dependency_statuses:
                    out.append((entry, dep))
        return out

    def health_of(self, entry: PlanEntry) -> Health:
        if entry not in self._health:
            self._health[entry] = health(entry.plan, entry.page.forecast, self.settings)
        return self._health[entry]

    def is_slipping(self, entry: PlanEntry) -> bool:
        """Not done, and forecast to finish after its planned end."""
        forecast = entry.page.forecast
        return forecast is not None and forecast.slip_days > 0 and self.health_of(entry).state != "done"

    def by_key(self) -> dict[str, PlanEntry]:
        """Plans by their source path (built once)."""
        if self._by_key is None:
            self._by_key = {e.page.source.src_uri: e for e in self.entries}
        return self._by_key

    def quality(self) -> dict[str, list[Finding]]:
        """Data-quality findings per kind, each about a plan or a feature."""
        found: dict[str, list[Finding]] = {kind: [] for kind in QUALITY_KINDS}
        for entry in self.entries:
            warnings, infos = entry.page.warnings, entry.page.infos
            if warnings or infos:
                parts = [_count(len(warnings), "problem")] if warnings else []
                parts += [_count(len(infos), "note")] if infos else []
                found["problems"].append(Finding(entry, ", ".join(parts)))
            context = entry.plan.technical_context if entry.plan else None
            if context is not None and context.clarifications:
                labels = {k: label for k, label, _ in context.items()}
                found["context"].append(Finding(entry, ", ".join(labels[k] for k in context.clarifications)))
            if self.is_stale(entry):
                assert entry.plan is not None and entry.plan.last_updated is not None
                days = (self.today - entry.plan.last_updated).days
                found["stale"].append(Finding(entry, f"last updated {entry.plan.last_updated.isoformat()}, {days} days ago"))
        for item in self.features:
            self._feature_quality(item, found)
        for fid, same in self.duplicates.items():
            found["duplicates"].append(Finding(None, ", ".join(f.display_folder for f in same), label=fid))
        return found

    @staticmethod
    def _feature_quality(item: FeatureEntry, found: dict[str, list[Finding]]) -> None:
        feature = item.feature
        missing = ["spec"] if feature.spec_uri is None else []
        if feature.plan_kind == "yaml" and feature.data_model_uri is None:
            missing.append("data model")
        if missing:
            found["missing"].append(Finding(item, "no " + " and no ".join(missing)))
        if feature.plan_kind or feature.tasks is not None:
            _, uncovered = feature.coverage()
            untraced = feature.untraced()
            uncovered = [rid for rid in uncovered if rid not in untraced]
            if uncovered:
                found["uncovered"].append(Finding(item, "", ids=tuple(uncovered)))
            if untraced:
                found["untraced"].append(Finding(item, "", ids=tuple(untraced)))
        if feature.clarifications:
            found["clarifications"].append(Finding(item, _count(feature.clarifications, "marker") + " in the spec"))
        if feature.tasks is not None and not feature.tasks.checkboxes:
            found["no_checkboxes"].append(
                Finding(item, f"{_count(feature.tasks.total, 'task')} without checkboxes, counted as not done")
            )
        if feature.tasks is not None and feature.tasks.uncounted:
            found["uncounted"].append(Finding(item, feature.tasks.uncounted))
        if feature.tasks is not None and feature.tasks.reused:
            found["reused"].append(Finding(item, ", ".join(feature.tasks.reused) + ": each task counted"))

    def health_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            state = self.health_of(entry).state
            counts[state] = counts.get(state, 0) + 1
        return {s: counts[s] for s in HEALTH_STATES if s in counts}

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
            "slipping_plans": sum(1 for e in self.entries if self.is_slipping(e)),
            "by_health": self.health_counts(),
            "stale_after_days": self.stale_days,
            "plans_with_problems": sum(1 for e in self.entries if e.page.warnings),
        }


def relative_url(target: str, base: str) -> str:
    """The URL of ``target`` seen from the page at ``base`` (both site URLs, e.g. "specs/x/plan/")."""
    folder = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    rel = site_relpath(target, folder)
    return rel + "/" if target.endswith("/") and not rel.endswith("/") else rel


def build_portfolio(
    pages: list[PlanPage],
    features: list[Feature],
    dashboard: tuple[str, str],
    url_of: Callable[[str | None], str | None],
    settings: Settings,
    today: dt.date,
    *,
    stale_days: int = 90,
    edges: list[CrossEdge] | None = None,
    critical_plans: set[str] | None = None,
    recent_days: int = 14,
) -> Portfolio:
    """Every plan and feature, with the links the dashboard (its source path and URL) makes to them;
    ``url_of`` gives a source path's site URL (None for one that is not in the site)."""
    dashboard_uri, dashboard_url = dashboard
    folder = posixpath.dirname(dashboard_uri) or "."
    by_plan_folder = {f.folder: f for f in features}

    def link(uri: str) -> str:
        return quote(site_relpath(uri, folder))

    entries = []
    by_folder: dict[str, PlanEntry] = {}
    for page in pages:
        info = by_plan_folder.get(page.source.folder)
        docs = {k: info.uris.get(k) for k in ("data_model", "research", "quickstart", "tasks")} if info else {}
        url = url_of(page.source.page_uri) or page.source.page_uri
        entry = PlanEntry(
            page=page,
            info=info,
            url=url,
            md_link=link(page.source.page_uri),
            href=relative_url(url, dashboard_url),
            spec_url=url_of(info.spec_uri) if info else None,
            doc_urls={k: u for k, u in ((k, url_of(v)) for k, v in docs.items()) if u},
            contract_urls=[u for u in (url_of(c) for c in (info.contract_uris if info else [])) if u],
        )
        entries.append(entry)
        by_folder[page.source.folder] = entry
    feature_entries = []
    for feature in features:
        target = feature.spec_uri or feature.plan_uri
        feature_entries.append(
            FeatureEntry(
                feature,
                url=url_of(target),
                md_link=link(target) if target else None,
                plan=by_folder.get(feature.folder),
                spec_link=link(feature.spec_uri) if feature.spec_uri else None,
            )
        )
    return Portfolio(entries, settings, today, stale_days, feature_entries, edges, critical_plans, recent_days)
