"""What a lead reads first: the at-a-glance block of a plan. Free of MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.forecast import Forecast, Health
from ..core.model import Settings
from ..core.schedule import Schedule, ScheduledPhase
from .causes import CauseView


@dataclass(frozen=True)
class Milestone:
    label: str
    date: str
    anchor: str


def next_milestone(
    schedule: Schedule | None, today: dt.date, settings: Settings, forecast: Forecast | None = None
) -> Milestone | None:
    """The next phase end (or milestone) on or after the build date that is not done, on the date
    the forecast gives it (the planned one where there is no forecast)."""
    if schedule is None:
        return None

    def end(phase: ScheduledPhase) -> dt.date:
        predicted = forecast.phase(phase.number) if forecast is not None else None
        return predicted.end if predicted is not None else phase.end

    upcoming = [p for p in schedule.phases if end(p) >= today and p.status not in settings.done_phase_statuses]
    if not upcoming:
        return None
    first = min(upcoming, key=lambda p: (end(p), p.number))
    kind = "milestone" if first.milestone else "end of phase"
    return Milestone(f"{kind} {first.number}: {' '.join(first.name.split())}", end(first).isoformat(), f"phase-{first.number}")


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
    baseline: str | None = None  # what the plan is measured against
    history: str | None = None  # how the forecast finish moved (its chart is under the timeline)
    health_label: str = ""
    named_risks: int = 0  # open risks the causes name (with their owner): not listed again
    spec_drift: str | None = (
        None  # how the spec moved since the plan's approval  # the one health, with the slip where a blocked plan is late too
    )
    causes: tuple[CauseView, ...] = ()  # the root causes, each with its owner and next step
