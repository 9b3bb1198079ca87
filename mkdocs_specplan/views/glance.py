"""What a lead reads first: schedule health and the at-a-glance block of a plan. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..core.forecast import Forecast, Health, plan_done
from ..core.model import Plan, Risk, Settings
from ..core.schedule import Schedule


def health(plan: Plan | None, forecast: Forecast | None, settings: Settings) -> Health:
    """The forecast's health; for a plan without one: unreadable, done, blocked or not scheduled."""
    if plan is None:
        return Health("not scheduled", ("the plan could not be read",))
    if plan_done(plan, settings):
        return Health("done")
    if forecast is not None:
        return forecast.health
    if plan.status in settings.blocked_plan_statuses:
        return Health("blocked", (f"the plan is {plan.status}",))
    if plan.phases:
        return Health("not scheduled", ("the phases could not be scheduled; see the problems",))
    return Health("not scheduled", ("the plan has no phases",))


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
    forecast: tuple[str, str] | None = None  # (forecast end, slip against the plan and the baseline)
