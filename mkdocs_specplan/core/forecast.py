"""When the work will really finish: a forecast as of the build date, and each phase's health. Free of MkDocs.

The forecast runs over the same graph as the plan (:class:`~.schedule.Network`), with the rules:

* a done phase sits at its actual dates (``started``, ``finished``), or its planned dates where
  they are not recorded;
* a phase in progress started on ``started`` (or its planned start) and ends its planned length
  from there, but not before the build date (or the next working day when that is not one);
* work not started cannot start before the next working day after the build date, nor before
  the plan's start, its own ``start`` or the end of what it waits on (in its plan or another).

Slip is counted in working days, the forecast end against the planned end. Health: ``done``;
``blocked`` (the phase is blocked, or waits on a blocked phase); ``late`` (the planned end has
passed and the phase is not done, or it slips more than ``at_risk_days``); ``at-risk`` (it slips
by 1 to ``at_risk_days``); ``on-track``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Phase, Plan, Settings
from .schedule import Network, Node, PortfolioSchedule, Schedule, end_index, wd_date, wd_index

HEALTH_STATES = ("blocked", "late", "at-risk", "on-track", "done", "not scheduled")  # worst first


@dataclass(frozen=True)
class Health:
    """Schedule health as of the build date, and why."""

    state: str  # one of HEALTH_STATES
    reasons: tuple[str, ...] = ()

    @property
    def css(self) -> str:
        return "specplan-health-" + self.state.replace(" ", "-")

    @property
    def rank(self) -> int:
        return HEALTH_STATES.index(self.state)


@dataclass(frozen=True)
class PhaseForecast:
    number: int
    start: dt.date
    end: dt.date
    slip_days: int  # working days, forecast end against planned end (negative: ahead)
    health: str
    reason: str  # one short line: why it is where it is ("" when on plan)


@dataclass(frozen=True)
class Forecast:
    """A plan's forecast as of ``today``."""

    today: dt.date
    start: dt.date
    end: dt.date
    planned_end: dt.date
    slip_days: int
    health: Health
    phases: tuple[PhaseForecast, ...]

    def phase(self, number: int) -> PhaseForecast | None:
        return next((p for p in self.phases if p.number == number), None)


def _iso(index: int) -> str:
    """A working-day number as a date, for a reason; never raises (absurd dates stay readable)."""
    try:
        return wd_date(index).isoformat()
    except OverflowError:
        return "after 9999-12-31"


def working_days(n: int) -> str:
    """ "1 working day", "3 working days"."""
    return f"{n} working day{'s' if n != 1 else ''}"


def _name(phase: Phase) -> str:
    return " ".join((phase.name or "").split())


@dataclass
class _Run:
    """The forecast pass over a network."""

    network: Network
    settings: Settings
    today: dt.date
    labels: dict[int, str]  # plan place -> how other plans' phases are named ("002")

    def __post_init__(self) -> None:
        self.start: dict[Node, int] = {}
        self.last: dict[Node, int] = {}
        self.boundary: dict[Node, int] = {}  # where a successor may start
        self.blocked: dict[Node, Node | None] = {}  # the blocked phase it is, or waits on
        self.why: dict[Node, str] = {}
        self.tomorrow = wd_index(self.today + dt.timedelta(days=1))
        self.today_index = wd_index(self.today)  # the build date, or the Monday after a weekend

    def planned_last(self, node: Node) -> int:
        n = self.network
        return n.ef[node] - 1 if n.duration[node] else n.es[node]

    def run(self) -> None:
        for node in self.network.topo:
            phase = self.network.phases[node]
            if phase.status in self.settings.done_phase_statuses:
                self._done(node, phase)
            elif phase.status in self.settings.active_phase_statuses:
                self._active(node, phase)
            else:
                self._waiting(node, phase)
            duration = self.network.duration[node]
            self.boundary[node] = self.last[node] + 1 if duration or self.last[node] > self.start[node] else self.start[node]
            self.blocked[node] = self._blocker(node, phase)

    def _done(self, node: Node, phase: Phase) -> None:
        n = self.network
        start = wd_index(phase.started) if phase.started else n.es[node]
        if phase.finished is not None:
            last = end_index(phase.finished)
        elif phase.started is not None:
            last = start + max(n.duration[node] - 1, 0)
        else:
            last = self.planned_last(node)
        self.start[node], self.last[node] = start, max(last, start)

    def _active(self, node: Node, phase: Phase) -> None:
        n = self.network
        start = wd_index(phase.started) if phase.started else n.es[node]
        planned = start + max(n.duration[node] - 1, 0)
        last = max(planned, self.today_index)
        if last > planned:
            self.why[node] = f"in progress past its planned length (due {_iso(planned)} from its start)"
        self.start[node], self.last[node] = min(start, last), last

    def _waiting(self, node: Node, phase: Phase) -> None:
        n = self.network
        # what holds it back the most; a tie goes to what it waits on
        candidates: list[tuple[int, Node | str | None]] = [(self.boundary[p], p) for p in n.preds[node]]
        candidates += [(self.tomorrow, "tomorrow"), (n.floor[node], None)]
        start, cause = max(candidates, key=lambda c: c[0])
        if cause == "tomorrow" and start > n.es[node]:
            self.why[node] = f"not started; its planned start {_iso(n.es[node])} has passed"
        elif isinstance(cause, tuple) and start > n.es[node]:
            self.why[node] = f"waits on {self._label(cause, node)}, forecast to end {_iso(self.last[cause])}"
        self.start[node] = start
        self.last[node] = start + n.duration[node] - 1 if n.duration[node] else start

    def _blocker(self, node: Node, phase: Phase) -> Node | None:
        if phase.status in self.settings.done_phase_statuses:
            return None
        if phase.status in self.settings.blocked_phase_statuses:
            return node
        return next((b for p in self.network.preds[node] if (b := self.blocked[p]) is not None), None)

    def _label(self, node: Node, seen_from: Node) -> str:
        phase = self.network.phases[node]
        prefix = f"{self.labels[node[0]]} " if node[0] in self.labels and node[0] != seen_from[0] else ""
        return f"{prefix}Phase {node[1]} ({_name(phase)})"

    def phase_forecast(self, node: Node) -> PhaseForecast:
        phase, settings = self.network.phases[node], self.settings
        slip = self.last[node] - self.planned_last(node)
        planned_end = wd_date(self.planned_last(node))
        reason = self.why.get(node, "")
        if phase.status in settings.done_phase_statuses:
            state = "done"
        elif self.blocked[node] is not None:
            state = "blocked"
            blocker = self.blocked[node]
            if blocker != node and blocker is not None:
                reason = f"waits on {self._label(blocker, node)}, which is blocked"
            else:
                reason = f"is {phase.status}"
        elif planned_end < self.today or slip > settings.at_risk_days:
            state = "late"
        elif slip >= 1:
            state = "at-risk"
        else:
            state = "on-track"
        return PhaseForecast(node[1], wd_date(self.start[node]), wd_date(self.last[node]), slip, state, reason)


def forecast_portfolio(
    portfolio: PortfolioSchedule, today: dt.date, settings: Settings, labels: dict[str, str] | None = None
) -> dict[str, Forecast]:
    """The forecast of every plan that has a schedule, by the key it was scheduled under.

    ``labels`` names plans (by key) in reasons that point at another plan's phase."""
    network = portfolio.network
    places = {item.key: place for place, item in enumerate(network.items)}
    run = _Run(network, settings, today, {places[k]: v for k, v in (labels or {}).items() if k in places})
    run.run()
    by_plan: dict[int, list[Node]] = {}
    for node in network.topo:
        by_plan.setdefault(node[0], []).append(node)
    out: dict[str, Forecast] = {}
    for place, nodes in by_plan.items():
        item = network.items[place]
        schedule = portfolio.results[item.key].schedule
        if schedule is None or not schedule.phases:
            continue
        try:
            out[item.key] = _plan_forecast(run, item.plan, schedule, sorted(nodes, key=lambda n: n[1]))
        except (OverflowError, ValueError):  # a forecast that runs off the calendar: no forecast
            continue
    return out


def _plan_forecast(run: _Run, plan: Plan, schedule: Schedule, nodes: list[Node]) -> Forecast:
    phases = tuple(run.phase_forecast(node) for node in nodes)
    start = min(p.start for p in phases)
    end = max(p.end for p in phases)
    slip = wd_index(end) - wd_index(schedule.end)
    floats = {p.number: p.total_float for p in schedule.phases}
    health = plan_health(plan, run.settings, run.today, schedule, phases, slip, floats)
    return Forecast(run.today, start, end, schedule.end, slip, health, phases)


def plan_done(plan: Plan, settings: Settings) -> bool:
    if plan.status in settings.done_plan_statuses:
        return True
    return bool(plan.phases) and all(p.status in settings.done_phase_statuses for p in plan.phases)


def plan_health(
    plan: Plan,
    settings: Settings,
    today: dt.date,
    schedule: Schedule,
    phases: tuple[PhaseForecast, ...],
    slip: int,
    floats: dict[int, int],
) -> Health:
    """A plan's health: the worst that applies, with its reasons (at most a few lines)."""
    if plan_done(plan, settings):
        return Health("done")
    names = {p.number: _name(p) for p in plan.phases if p.number is not None}

    def who(p: PhaseForecast) -> str:
        return f"phase {p.number} ({names.get(p.number, '')})"

    blocked = [p for p in phases if p.health == "blocked"]
    if plan.status in settings.blocked_plan_statuses or blocked:
        reasons = [f"the plan is {plan.status}"] if plan.status in settings.blocked_plan_statuses else []
        reasons += [f"{who(p)} {p.reason}" for p in blocked[:3]]
        return Health("blocked", tuple(reasons))
    reasons = []
    if slip > 0:
        reasons.append(
            f"the forecast finish {phases_end(phases).isoformat()} is {working_days(slip)} after the planned {schedule.end.isoformat()}"
        )
    if schedule.end < today:
        reasons.append(f"the planned end {schedule.end.isoformat()} has passed")
    late = [p for p in phases if p.health == "late"]
    used_up = [p for p in phases if p.health != "done" and 0 < floats.get(p.number, 0) <= p.slip_days]
    for p in (late + [p for p in used_up if p not in late])[:3]:
        detail = p.reason or f"forecast to end {p.end.isoformat()}, {working_days(p.slip_days)} late"
        if p in used_up and p not in late:
            detail = f"has used up its float of {working_days(floats[p.number])}"
        reasons.append(f"{who(p)}: {detail}")
    if schedule.end < today or slip > settings.at_risk_days:
        return Health("late", tuple(reasons))
    if slip >= 1 or late or used_up:
        return Health("at-risk", tuple(reasons))
    return Health("on-track")


def phases_end(phases: tuple[PhaseForecast, ...]) -> dt.date:
    return max(p.end for p in phases)
