"""Why a plan is where it is, who can act, and what is next: the root causes behind its health,
worked out once for the plan page, the dashboard and the JSON. Free of MkDocs.

A blocked plan's cause is the external dependency that is not available (else the phase that is
blocked itself, else the other plan's phase it waits on); a late plan's is the first of its own
phases that slips (or the other plan's late phase it waits on); a plan at the highest risk level
names that risk. Each cause carries its owner and its next step where the plan says them (a
dependency's or a risk's owner, a risk's mitigation; a blocked phase takes them from the risk that
speaks of it), and the phases it holds up.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .forecast import Forecast, plan_done
from .health import risk_level
from .model import ExternalDependency, Phase, Plan, Risk, Settings


@dataclass(frozen=True)
class Upstream:
    """A phase of another plan that one of this plan's phases waits on, as the forecast sees it."""

    key: str  # the other plan's key
    label: str  # "002 Patient intake forms, Phase 3: Core"
    phase: int
    end: dt.date | None
    health: str | None
    mine: int  # this plan's phase that waits


@dataclass(frozen=True)
class Cause:
    """One root cause: what it is, where it is described, who can act and what is next."""

    kind: str  # "dependency", "blocked-phase", "upstream", "late-phase", "plan", "risk"
    text: str
    owner: str | None = None
    next_step: str | None = None
    holds_up: tuple[int, ...] = ()  # this plan's phases it holds up
    phase: int | None = None  # the phase it is (this plan's, or the other plan's for "upstream")
    risk: Risk | None = None
    dependency: ExternalDependency | None = None
    upstream: Upstream | None = None


_STOP = frozenset({"with", "from", "that", "this", "phase", "their", "they", "will", "have", "been", "into"})


def _words(*texts: str | None) -> set[str]:
    return {w for text in texts if text for w in re.findall(r"\w{4,}", text.casefold()) if w not in _STOP}


def related_risk(risks: list[Risk], *texts: str | None) -> Risk | None:
    """The open risk that speaks of a thing (two words in common at least), the most severe first."""
    wanted = _words(*texts)
    best: tuple[int, Risk] | None = None
    for risk in risks:
        score = len(wanted & _words(risk.title, risk.mitigation))
        if score >= 2 and (best is None or score > best[0]):
            best = (score, risk)
    return best[1] if best else None


def _name(phase: Phase | None) -> str:
    return " ".join((phase.name or "").split()) if phase is not None else ""


def spans(numbers: tuple[int, ...]) -> str:
    """(2, 3, 4, 5, 7) -> "2–5 and 7"."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def causes(
    plan: Plan | None, forecast: Forecast | None, settings: Settings, upstream: tuple[Upstream, ...] = ()
) -> tuple[Cause, ...]:
    """The root causes of a plan's health, then its risks at the highest level."""
    if plan is None or plan_done(plan, settings):
        return ()
    open_risks = [r for r in plan.risks if r.status in settings.open_risk_statuses]
    found: list[Cause] = []
    state = (
        forecast.health.state if forecast is not None else ("blocked" if plan.status in settings.blocked_plan_statuses else "")
    )
    if state == "blocked":
        found += _blocked(plan, forecast, settings, open_risks, upstream)
    elif state in ("late", "at-risk") and forecast is not None:
        found += _late(plan, forecast, open_risks, upstream)
    top = settings.risk_levels[-1] if settings.risk_levels else None
    named = {id(c.risk) for c in found if c.risk is not None}
    for risk in open_risks:
        if top is not None and risk_level(risk, settings.risk_levels)[1] == top and id(risk) not in named:
            text = " ".join(f"{risk.id or ''} {risk.title or ''}".split()) or "a risk"
            found.append(Cause("risk", text, risk.owner, risk.mitigation, risk=risk))
    return tuple(found)


def _blocked(
    plan: Plan, forecast: Forecast | None, settings: Settings, risks: list[Risk], upstream: tuple[Upstream, ...]
) -> list[Cause]:
    phases = {p.number: p for p in plan.phases if p.number is not None}
    blockers = [
        p.number
        for p in plan.phases
        if p.number is not None and p.status in settings.blocked_phase_statuses and p.status not in settings.done_phase_statuses
    ]
    held = tuple(f.number for f in (forecast.phases if forecast else ()) if f.health == "blocked" and f.number not in blockers)
    available = settings.available_dependency_statuses
    missing = [d for d in plan.external_dependencies if (d.status or "").strip().lower() not in available]
    out: list[Cause] = []
    stopped = "".join(f"; phase {n} ({_name(phases.get(n))}) is blocked" for n in blockers)
    for dep in missing:
        related = related_risk(risks, dep.name, dep.description, *(_name(phases.get(n)) for n in blockers))
        status = (dep.status or "").strip() or "not available"
        out.append(
            Cause(
                "dependency",
                f"the external dependency {' '.join((dep.name or '').split()) or 'unnamed'} is {status}{stopped}",
                dep.owner or (related.owner if related else None),
                related.mitigation if related else None,
                held,
                risk=related,
                dependency=dep,
            )
        )
    if not out:
        for number in blockers:
            phase = phases.get(number)
            related = related_risk(risks, _name(phase), phase.goal if phase else None)
            out.append(_phase_cause("blocked-phase", f"phase {number} ({_name(phase)}) is blocked", number, related, held))
    for up in upstream:
        if up.health == "blocked":
            out.append(_upstream(up, held))
    if not out:
        out.append(Cause("plan", f"the plan is {plan.status}", holds_up=held))
    return out


def _phase_cause(kind: str, text: str, number: int, related: Risk | None, held: tuple[int, ...]) -> Cause:
    """A phase that stops the plan, with the owner and mitigation of the risk that names it."""
    owner, mitigation = (related.owner, related.mitigation) if related else (None, None)
    return Cause(kind, text, owner, mitigation, held, phase=number, risk=related)


def _upstream(up: Upstream, holds_up: tuple[int, ...]) -> Cause:
    when = f", forecast to end {up.end.isoformat()}" if up.end else ""
    state = f" ({up.health})" if up.health else ""
    text = f"waits on {up.label}{when}{state}"
    return Cause("upstream", text, holds_up=holds_up, phase=up.phase, upstream=up)


def _late(plan: Plan, forecast: Forecast, risks: list[Risk], upstream: tuple[Upstream, ...]) -> list[Cause]:
    phases = {p.number: p for p in plan.phases if p.number is not None}
    slipping = [f for f in forecast.phases if f.health in ("late", "at-risk")]
    out: list[Cause] = []
    late_upstream = [u for u in upstream if u.health in ("late", "at-risk", "blocked")]
    for up in late_upstream[:2]:
        held = tuple(f.number for f in slipping if f.number >= up.mine)
        out.append(_upstream(up, held))
    roots = [f for f in slipping if not f.reason.startswith("waits on")]
    for index, root in enumerate(roots[:2]):
        later = roots[index + 1].number if index + 1 < len(roots) else None
        held = tuple(f.number for f in slipping if f.number > root.number and (later is None or f.number < later))
        phase = phases.get(root.number)
        related = related_risk(risks, _name(phase), phase.goal if phase else None)
        why = root.reason or f"forecast to end {root.end.isoformat()}"
        out.append(_phase_cause("late-phase", f"phase {root.number} ({_name(phase)}): {why}", root.number, related, held))
    return out
