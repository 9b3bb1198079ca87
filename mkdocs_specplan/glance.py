"""What a lead reads first: schedule health and the at-a-glance block of a plan. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .model import Plan, Risk, Settings
from .schedule import Schedule

HEALTH_ORDER = ("blocked", "late", "on track", "done", "not scheduled")


@dataclass(frozen=True)
class Health:
    """Schedule health as of the build date, and why."""

    state: str  # one of HEALTH_ORDER
    reasons: tuple[str, ...] = ()

    @property
    def css(self) -> str:
        return "specplan-health-" + self.state.replace(" ", "-")


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def plan_done(plan: Plan, settings: Settings) -> bool:
    if plan.status in settings.done_plan_statuses:
        return True
    return bool(plan.phases) and all(p.status in settings.done_phase_statuses for p in plan.phases)


def health(plan: Plan | None, schedule: Schedule | None, today: dt.date, settings: Settings) -> Health:
    """``blocked`` (the plan or an unfinished phase is blocked), ``late`` (the planned end is before the
    build date and the plan is not done, or a phase is past its end and not done), ``done``,
    ``on track``, or ``not scheduled`` (no phases)."""
    if plan is None:
        return Health("not scheduled", ("the plan could not be read",))
    if plan_done(plan, settings):
        return Health("done")
    done = settings.done_phase_statuses
    blocked = [p for p in plan.phases if p.status in settings.blocked_phase_statuses and p.status not in done]
    reasons: list[str] = []
    if plan.status in settings.blocked_plan_statuses:
        reasons.append(f"the plan is {plan.status}")
    reasons += [f"phase {p.number} ({' '.join((p.name or '').split())}) is {p.status}" for p in blocked]
    if reasons:
        return Health("blocked", tuple(reasons))
    if schedule is None or not schedule.phases:
        return Health("not scheduled", ("the plan has no phases",))
    late = [p for p in schedule.phases if p.end < today and p.status not in done]
    if schedule.end < today:
        reasons.append(f"the planned end {schedule.end.isoformat()} was {_days((today - schedule.end).days)} ago")
    reasons += [f"phase {p.number} ({' '.join(p.name.split())}) ended {p.end.isoformat()} and is {p.status}" for p in late[:3]]
    if len(late) > 3:
        reasons.append(f"and {len(late) - 3} more phases past their end")
    return Health("late", tuple(reasons)) if reasons else Health("on track")


@dataclass(frozen=True)
class Milestone:
    label: str
    date: str
    anchor: str


def next_milestone(schedule: Schedule | None, today: dt.date, settings: Settings) -> Milestone | None:
    """The next phase end (or milestone) on or after the build date that is not done."""
    if schedule is None:
        return None
    upcoming = [p for p in schedule.phases if p.end >= today and p.status not in settings.done_phase_statuses]
    if not upcoming:
        return None
    first = min(upcoming, key=lambda p: (p.end, p.number))
    kind = "milestone" if first.milestone else "end of phase"
    return Milestone(f"{kind} {first.number}: {' '.join(first.name.split())}", first.end.isoformat(), f"phase-{first.number}")


@dataclass(frozen=True)
class Window:
    """The scheduled window, and where the build date falls in it (0 to 100, or None outside)."""

    start: str
    end: str
    today: str
    today_percent: float | None
    position: str  # "before", "inside", "after"


def window(schedule: Schedule | None, today: dt.date) -> Window | None:
    if schedule is None or not schedule.phases:
        return None
    total = (schedule.end - schedule.start).days + 1
    if today < schedule.start:
        return Window(schedule.start.isoformat(), schedule.end.isoformat(), today.isoformat(), None, "before")
    if today > schedule.end:
        return Window(schedule.start.isoformat(), schedule.end.isoformat(), today.isoformat(), None, "after")
    percent = round(100 * ((today - schedule.start).days + 0.5) / total, 1)
    return Window(schedule.start.isoformat(), schedule.end.isoformat(), today.isoformat(), percent, "inside")


def risk_level(risk: Risk, levels: tuple[str, ...]) -> tuple[int, str | None]:
    """(score, level): the score is (probability index + 1) x (impact index + 1), 0 when not assessed;
    the level is the rounded-up geometric mean of probability and impact."""
    if risk.probability not in levels or risk.impact not in levels:
        return 0, None
    score = (levels.index(risk.probability) + 1) * (levels.index(risk.impact) + 1)
    return score, levels[min(len(levels), math.ceil(math.sqrt(score) - 1e-9)) - 1]


@dataclass(frozen=True)
class RiskNote:
    label: str
    anchor: str
    level: str | None
    sev: str


@dataclass(frozen=True)
class GlanceView:
    """The block under a plan's title (``glance.html.j2``)."""

    status: str | None
    health: Health
    phases: tuple[int, int]
    tasks: tuple[int, int] | None
    window: Window | None
    milestone: Milestone | None
    risks: tuple[RiskNote, ...]
    open_risks: int
    problems: int
