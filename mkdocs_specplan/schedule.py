"""Schedule a plan's phases on working days and find the critical path. Free of MkDocs.

Rules (the plan format's "Phases and the timeline"):

* An entry of a phase's ``dependencies`` that is an integer ``N``, ``Phase N`` (any case) or the
  exact name of another phase is a scheduling edge; any other text is an external dependency.
* If no phase names another, the phases run one after another in number order; otherwise exactly
  the named edges apply and a phase with none starts at the plan's start.
* Phases are scheduled on working days (Monday to Friday). A phase starts on the first working
  day after all its dependencies end; its end is its last working day (inclusive). A phase's own
  ``start`` moves it later, never earlier. A start on a weekend moves to the next Monday.
* A range effort schedules on its upper bound. A phase with no effort is a milestone.
* Critical path: every phase with zero total float.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from dataclasses import dataclass, field

from .model import Phase, Plan, Problem, quote_value, sort_problems

_PHASE_REF = re.compile(r"^\s*(?:phase\s*)?(\d+)\s*$", re.IGNORECASE)


# -- working-day calendar ---------------------------------------------------------------------
def next_workday(day: dt.date) -> dt.date:
    """``day`` itself on Monday to Friday, else the next Monday."""
    weekday = day.weekday()
    return day + dt.timedelta(days=7 - weekday) if weekday >= 5 else day


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days after ``start`` (a working day); ``n`` may be 0."""
    weeks, rest = divmod(n, 5)
    day = start + dt.timedelta(weeks=weeks)
    while rest:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


def workdays_between(start: dt.date, day: dt.date) -> int:
    """How many working days lie in ``[start, day)``; both are working days, ``day >= start``."""
    days = (day - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    cursor = start + dt.timedelta(weeks=weeks)
    for _ in range(rest):
        if cursor.weekday() < 5:
            count += 1
        cursor += dt.timedelta(days=1)
    return count


# -- dependency resolution --------------------------------------------------------------------
@dataclass(frozen=True)
class DependencyRef:
    """One entry of a phase's ``dependencies``: a phase number, or external text."""

    text: str
    phase: int | None  # the phase it names, if any
    unknown: bool = False  # looks like a phase reference but names no phase


PhaseIndex = tuple[dict[int, Phase], dict[str, Phase]]
CALENDAR_MARGIN = 400  # days a schedule must end before 9999-12-31, so its chart has an axis to draw


def phase_index(phases: list[Phase]) -> PhaseIndex:
    """Phases by number and by name: build it once per plan and pass it to resolve_dependencies."""
    return {p.number: p for p in phases if p.number is not None}, {p.name: p for p in phases if p.name}


def resolve_dependencies(phase: Phase, phases: list[Phase], index: PhaseIndex | None = None) -> list[DependencyRef]:
    by_number, by_name = index or phase_index(phases)
    out = []
    for text in phase.dependencies:
        match = _PHASE_REF.match(text)
        if match:
            number = int(match.group(1))
            out.append(DependencyRef(text, number if number in by_number else None, number not in by_number))
        elif text in by_name:
            out.append(DependencyRef(text, by_name[text].number))
        else:
            out.append(DependencyRef(text, None))
    return out


# -- the schedule -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduledPhase:
    number: int
    name: str
    status: str
    start: dt.date
    end: dt.date  # last working day (== start for a milestone)
    days: int  # working days, on the upper bound of a range
    low_days: int | None  # the lower bound of a range, else None
    low_end: dt.date | None  # where the lower bound would end
    milestone: bool
    depends_on: tuple[int, ...]
    critical: bool
    total_float: int
    es: int  # earliest start, as a working-day index from the plan's start
    ef: int  # earliest finish (exclusive index)


@dataclass(frozen=True)
class Schedule:
    start: dt.date  # the plan's first working day
    end: dt.date  # the last working day of any phase
    working_days: int  # span, from start to end inclusive
    phases: tuple[ScheduledPhase, ...]
    sequential: bool

    @property
    def edges(self) -> list[tuple[int, int]]:
        return [(dep, p.number) for p in self.phases for dep in p.depends_on]

    def phase(self, number: int) -> ScheduledPhase | None:
        return next((p for p in self.phases if p.number == number), None)


@dataclass
class ScheduleResult:
    schedule: Schedule | None
    problems: list[Problem] = field(default_factory=list)


def _walk_cycle(graph: dict[int, list[int]], start: int, left: set[int]) -> list[int]:
    """Follow dependencies inside ``left`` (every node there has one) until a phase repeats."""
    path: list[int] = []
    seen: dict[int, int] = {}
    current = start
    while current not in seen:
        seen[current] = len(path)
        path.append(current)
        current = next(d for d in graph[current] if d in left)
    cycle = path[seen[current] :]
    cycle.reverse()  # dependency first, in the order the phases would run
    return cycle


class _Reporter:
    """Problems of one plan file, placed at the lines of their fields."""

    def __init__(self, plan: Plan, path: str) -> None:
        self.plan, self.path = plan, path
        self.problems: list[Problem] = []

    def __call__(self, fieldpath: str, message: str, level: str = "warning") -> None:
        pos = self.plan.positions.get(fieldpath)
        self.problems.append(Problem(self.path, pos[0] if pos else None, pos[1] if pos else None, fieldpath, message, level))


def _graph(phases: list[Phase], report: _Reporter) -> tuple[dict[int, list[int]], bool]:
    """Each phase's dependencies by number; sequential (in number order) when no phase names another."""
    numbers = [p.number for p in phases]
    index = phase_index(phases)
    order = sorted(phases, key=lambda p: p.number or 0)
    graph: dict[int, list[int]] = {}
    any_edge = False
    for phase in order:
        assert phase.number is not None
        deps: list[int] = []
        for j, ref in enumerate(resolve_dependencies(phase, phases, index)):
            fieldpath = f"phases[{phase.index}].dependencies[{j}]"
            if ref.unknown:
                known = ", ".join(str(n) for n in sorted(n for n in numbers if n is not None)[:20]) or "none"
                report(fieldpath, f"{quote_value(ref.text)} names no phase of this plan (its phases are: {known})")
            elif ref.phase == phase.number:
                report(
                    fieldpath,
                    f"Phase {phase.number} {quote_value(phase.name)} depends on itself, a cycle; remove {quote_value(ref.text)}",
                )
            elif ref.phase is not None:
                any_edge = True
                if ref.phase not in deps:
                    deps.append(ref.phase)
        graph[phase.number] = deps
    if not any_edge:
        for prev, phase in itertools.pairwise(order):
            assert phase.number is not None and prev.number is not None
            graph[phase.number] = [prev.number]
    return graph, not any_edge


def _topological(graph: dict[int, list[int]]) -> tuple[list[int], dict[int, list[int]]]:
    """Kahn's order, smallest number first for a stable result (shorter than the graph on a cycle)."""
    indegree = {n: len(d) for n, d in graph.items()}
    successors: dict[int, list[int]] = {n: [] for n in graph}
    for n, deps in graph.items():
        for d in deps:
            successors[d].append(n)
    ready = [n for n in sorted(indegree) if indegree[n] == 0]
    heapq.heapify(ready)
    topo: list[int] = []
    while ready:
        n = heapq.heappop(ready)
        topo.append(n)
        for succ in successors[n]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(ready, succ)
    return topo, successors


def _report_cycles(plan: Plan, phases: list[Phase], graph: dict[int, list[int]], topo: list[int], report: _Reporter) -> None:
    left = [n for n in sorted(graph) if n not in set(topo)]
    by_number = {p.number: p for p in phases}
    reported: set[int] = set()
    for n in left:
        if n in reported:
            continue
        cycle = _walk_cycle(graph, n, set(left))
        if set(cycle) & reported:
            continue
        reported.update(cycle)
        first = cycle.index(min(cycle))
        cycle = cycle[first:] + cycle[:first]  # lowest phase first, in the order they would run
        chain = " → ".join(f"Phase {c}" for c in [*cycle, cycle[0]])
        involved = "; ".join(
            f'Phase {c} "{by_number[c].name}" at line {plan.positions.get(f"phases[{by_number[c].index}]", ("?",))[0]}'
            for c in cycle
        )
        # point at the back edge: the lowest phase depending on the last of the loop
        lowest = by_number[cycle[0]]
        refs = resolve_dependencies(lowest, phases)
        j = next((k for k, r in enumerate(refs) if r.phase == cycle[-1]), 0)
        report(
            f"phases[{lowest.index}].dependencies[{j}]",
            f"the phases depend on each other in a cycle: {chain} ({involved}); remove one of these dependencies",
        )


@dataclass
class _Pass:
    """The critical-path method's numbers, in working days from the plan's start."""

    es: dict[int, int] = field(default_factory=dict)
    ef: dict[int, int] = field(default_factory=dict)
    ls: dict[int, int] = field(default_factory=dict)
    duration: dict[int, int] = field(default_factory=dict)


def _critical_path(
    plan: Plan,
    by_number: dict[int, Phase],
    graph: dict[int, list[int]],
    order: tuple[list[int], dict[int, list[int]]],
    start: dt.date,
    report: _Reporter,
) -> _Pass:
    topo, successors = order
    cpm = _Pass()
    for n in topo:
        phase = by_number[n]
        if phase.effort is None and f"phases[{phase.index}].effort" not in plan.positions:
            # an effort that was written but not understood has its own problem; no second note
            report(f"phases[{phase.index}]", f'Phase {n} "{phase.name}" has no effort; it is drawn as a milestone', "info")
        earliest = max((cpm.ef[d] for d in graph[n]), default=0)
        if phase.start is not None:
            own = next_workday(phase.start)
            if own > start:
                earliest = max(earliest, workdays_between(start, own))
        cpm.es[n] = earliest
        cpm.duration[n] = phase.effort.high_days if phase.effort else 0
        cpm.ef[n] = earliest + cpm.duration[n]
    finish = max(cpm.ef.values(), default=0)
    for n in reversed(topo):
        lf = min((cpm.ls[s] for s in successors[n]), default=finish)
        cpm.ls[n] = lf - cpm.duration[n]
    return cpm


def _scheduled(phase: Phase, n: int, cpm: _Pass, graph: dict[int, list[int]], start: dt.date) -> ScheduledPhase:
    days = cpm.duration[n]
    low = phase.effort.low_days if phase.effort and phase.effort.is_range else None
    begin = add_workdays(start, cpm.es[n])
    return ScheduledPhase(
        number=n,
        name=phase.name or f"Phase {n}",
        status=phase.status,
        start=begin,
        end=add_workdays(start, cpm.es[n] + days - 1) if days else begin,
        days=days,
        low_days=low,
        low_end=add_workdays(start, cpm.es[n] + low - 1) if low else None,
        milestone=days == 0,
        depends_on=tuple(graph[n]),
        critical=cpm.ls[n] - cpm.es[n] == 0,
        total_float=cpm.ls[n] - cpm.es[n],
        es=cpm.es[n],
        ef=cpm.ef[n],
    )


def schedule_plan(plan: Plan, path: str = "plan.yaml") -> ScheduleResult:
    """Schedule ``plan``; problems (unknown phase references, cycles) name phases and lines."""
    report = _Reporter(plan, path)
    phases = [p for p in plan.phases if p.number is not None]
    numbers = [p.number for p in phases]
    if len(set(numbers)) != len(numbers):
        return ScheduleResult(None, report.problems)  # duplicate numbers are reported by the loader
    graph, sequential = _graph(phases, report)
    order = _topological(graph)
    if len(order[0]) != len(graph):
        _report_cycles(plan, phases, graph, order[0], report)
        return ScheduleResult(None, sort_problems(report.problems))
    anchor = plan.scheduled_start
    if anchor is None:
        return ScheduleResult(None, report.problems)
    try:
        start = next_workday(anchor)
        by_number = {p.number: p for p in phases if p.number is not None}
        cpm = _critical_path(plan, by_number, graph, order, start, report)
        scheduled = sorted((_scheduled(by_number[n], n, cpm, graph, start) for n in order[0]), key=lambda p: p.number)
    except OverflowError:  # a start such as 9999-12-30, or efforts that add up past the calendar
        where = "start_date" if plan.start_date is not None else "created_date"
        report(where, f"the schedule runs past {dt.date.max.isoformat()}; move the start or shorten the efforts")
        return ScheduleResult(None, sort_problems(report.problems))
    end = max((p.end for p in scheduled), default=start)
    if (dt.date.max - end).days < CALENDAR_MARGIN:  # no room left to draw it: the calendar ends on 9999-12-31
        where = "start_date" if plan.start_date is not None else "created_date"
        report(where, f"the schedule runs past {dt.date.max.isoformat()}; move the start or shorten the efforts")
        return ScheduleResult(None, sort_problems(report.problems))
    schedule = Schedule(
        start=start,
        end=end,
        working_days=workdays_between(start, end) + 1 if scheduled else 0,
        phases=tuple(scheduled),
        sequential=sequential,
    )
    return ScheduleResult(schedule, sort_problems(report.problems))
