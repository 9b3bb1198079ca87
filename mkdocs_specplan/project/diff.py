"""What a change does to the portfolio: two loads of one site (before and after), compared feature
by feature. Both are scheduled as a whole, so a change in one feature shows in the features that
wait on it. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from ..core.health import health, risk_level
from ..core.model import Phase, Plan, Settings
from ..core.schedule import wd_index
from .features import Feature


@dataclass
class FeatureChange:
    """One feature's change between the base and the head."""

    folder: str
    label: str  # "001 Photo albums"
    kind: str  # "added", "removed", "changed"
    status: tuple[str | None, str | None] | None = None
    health: tuple[str, str] | None = None
    finish: tuple[str | None, str | None] | None = None  # the forecast finish, before and after
    moved: int | None = None  # working days the forecast finish moved (+ later)
    cause: str | None = None  # why it moved
    phases_added: list[str] = field(default_factory=list)
    phases_removed: list[str] = field(default_factory=list)
    phases_replanned: list[str] = field(default_factory=list)
    risks_added: list[str] = field(default_factory=list)
    risks_closed: list[str] = field(default_factory=list)
    risks_rerated: list[str] = field(default_factory=list)
    new_high_risks: list[str] = field(default_factory=list)
    dependencies_added: list[str] = field(default_factory=list)
    dependencies_removed: list[str] = field(default_factory=list)
    tasks_completed: list[str] = field(default_factory=list)
    requirements_added: list[str] = field(default_factory=list)
    requirements_removed: list[str] = field(default_factory=list)
    newly_uncovered: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing changed that a reviewer reads."""
        return self.kind == "changed" and not any(getattr(self, f.name) for f in fields(self) if f.name not in _NOT_READ)


_NOT_READ = {"folder", "label", "kind", "finish", "cause"}  # say which feature, or explain `moved`


def _label(feature: Feature) -> str:
    return f"{feature.id or ''} {feature.name}".strip()


def _name(phase: Phase) -> str:
    return " ".join((phase.name or f"Phase {phase.number}").split())


def _finish(feature: Feature) -> dt.date | None:
    page = feature.plan_page
    return page.forecast.end if page is not None and page.forecast is not None else None


def diff_features(base: list[Feature], head: list[Feature], settings: Settings) -> list[FeatureChange]:
    """Every feature that changed, in the head's order (removed ones last)."""
    before = {f.folder: f for f in base}
    after = {f.folder: f for f in head}
    out: list[FeatureChange] = []
    for folder, feature in after.items():
        old = before.get(folder)
        if old is None:
            out.append(FeatureChange(folder, _label(feature), "added"))
            continue
        change = _changed(old, feature, settings)
        if not change.empty:
            out.append(change)
    out += [FeatureChange(folder, _label(f), "removed") for folder, f in before.items() if folder not in after]
    return out


def _changed(old: Feature, new: Feature, settings: Settings) -> FeatureChange:
    change = FeatureChange(new.folder, _label(new), "changed")
    old_plan = old.plan_page.plan if old.plan_page else None
    new_plan = new.plan_page.plan if new.plan_page else None
    if old.stage != new.stage:
        change.status = (old.stage, new.stage)
    old_health = health(old_plan, old.plan_page.forecast if old.plan_page else None, settings).state if old_plan else None
    new_health = health(new_plan, new.plan_page.forecast if new.plan_page else None, settings).state if new_plan else None
    if old_health and new_health and old_health != new_health:
        change.health = (old_health, new_health)
    start, end = _finish(old), _finish(new)
    if start != end:
        change.finish = (start.isoformat() if start else None, end.isoformat() if end else None)
        if start and end:
            change.moved = wd_index(end) - wd_index(start)
            change.cause = _cause(old, new)
    if old_plan is not None and new_plan is not None:
        _plans(change, old_plan, new_plan, settings)
    _documents(change, old, new)
    return change


def _plans(change: FeatureChange, old: Plan, new: Plan, settings: Settings) -> None:
    before = {_name(p): p for p in old.phases}
    after = {_name(p): p for p in new.phases}
    change.phases_added = [n for n in after if n not in before]
    change.phases_removed = [n for n in before if n not in after]
    for name, phase in after.items():
        was = before.get(name)
        if was is not None and (_effort(was), was.dependencies, was.start) != (_effort(phase), phase.dependencies, phase.start):
            change.phases_replanned.append(name)
    levels = settings.risk_levels
    top = levels[-1] if levels else None
    old_risks = {r.id or r.title or str(r.index): r for r in old.risks}
    open_statuses = settings.open_risk_statuses
    for key, risk in {r.id or r.title or str(r.index): r for r in new.risks}.items():
        prior = old_risks.get(key)
        label = " ".join(f"{risk.id or ''} {risk.title or ''}".split())
        level = risk_level(risk, levels)[1]
        if prior is None:
            change.risks_added.append(label)
            if risk.status in open_statuses and level == top:
                change.new_high_risks.append(label)
        elif prior.status in open_statuses and risk.status not in open_statuses:
            change.risks_closed.append(label)
        elif (prior.probability, prior.impact) != (risk.probability, risk.impact):
            change.risks_rerated.append(f"{label} ({risk_level(prior, levels)[1] or '?'} → {level or '?'})")
            if risk.status in open_statuses and level == top and risk_level(prior, levels)[1] != top:
                change.new_high_risks.append(label)
    old_deps = {d.name for d in old.external_dependencies if d.name}
    new_deps = {d.name for d in new.external_dependencies if d.name}
    change.dependencies_added = sorted(new_deps - old_deps)
    change.dependencies_removed = sorted(old_deps - new_deps)


def _effort(phase: Phase) -> str | None:
    return phase.effort.text if phase.effort else None


def _documents(change: FeatureChange, old: Feature, new: Feature) -> None:
    old_done = {t.id for t in old.tasks.tasks if t.done} if old.tasks else set()
    change.tasks_completed = [t.id for t in (new.tasks.tasks if new.tasks else []) if t.done and t.id not in old_done]
    old_ids = [r.id for r in old.requirements]
    new_ids = [r.id for r in new.requirements]
    change.requirements_added = [r for r in new_ids if r not in old_ids]
    change.requirements_removed = [r for r in old_ids if r not in new_ids]
    if new.plan_kind or new.tasks:
        _, before = old.coverage() if (old.plan_kind or old.tasks) else (0, [])
        _, after = new.coverage()
        change.newly_uncovered = [r for r in after if r not in before]


def _cause(old: Feature, new: Feature) -> str | None:
    """Why the forecast finish moved: the first phase whose forecast end moved, and what changed in it."""
    old_page, new_page = old.plan_page, new.plan_page
    if old_page is None or new_page is None or old_page.plan is None or new_page.plan is None:
        return None
    if old_page.forecast is None or new_page.forecast is None:
        return None
    before = {_name(p): p for p in old_page.plan.phases}
    for phase in new_page.plan.phases:
        was = before.get(_name(phase))
        predicted = new_page.forecast.phase(phase.number) if phase.number is not None else None
        old_predicted = old_page.forecast.phase(was.number) if was is not None and was.number is not None else None
        if predicted is None or (old_predicted is not None and old_predicted.end == predicted.end):
            continue
        name = f"phase {phase.number} ({_name(phase)})"
        if was is None:
            return f"{name} was added"
        if _effort(was) != _effort(phase):
            return f"the effort of {name}: {_effort(was) or 'none'} → {_effort(phase) or 'none'}"
        if was.dependencies != phase.dependencies:
            return f"the dependencies of {name}"
        if (was.status, was.started, was.finished, was.start) != (phase.status, phase.started, phase.finished, phase.start):
            return f"the actual dates or status of {name}"
        upstream = [e for e in new_page.waits_on if e.downstream_phase == phase.number]
        if upstream:
            edge = upstream[0]
            other = edge.upstream.rsplit("/", 2)[-2] if "/" in edge.upstream else edge.upstream
            return f"{name} waits on {other}, phase {edge.upstream_phase}, whose forecast moved"
        return f"{name} moved with the build date or what comes before it"
    return None
