"""Schedule plans' phases on working days and find the critical path. Free of MkDocs.

Rules (the plan format's "Phases and the timeline"):

* An entry of a phase's ``dependencies`` that is an integer ``N``, ``Phase N`` (any case) or the
  exact name of another phase is a scheduling edge; ``002: Phase 3`` (a feature's ID or folder,
  a colon, a phase reference) is an edge to a phase of another feature's plan; any other text is
  an external dependency.
* If no phase names another of its plan, the phases run one after another in number order;
  otherwise exactly the named edges apply and a phase with none starts at the plan's start.
* Phases are scheduled on working days (Monday to Friday). A phase starts on the first working
  day after all its dependencies end; its end is its last working day (inclusive). A phase's own
  ``start`` moves it later, never earlier. A start on a weekend moves to the next Monday.
* A range effort schedules on its upper bound. A phase with no effort is a milestone.
* Critical path: every phase with zero total float.

Every plan of a site is scheduled as one graph (:func:`schedule_portfolio`), so a phase waits for
the phases of other plans it names; :func:`schedule_plan` schedules one plan alone. Days are
counted as working-day numbers (:func:`wd_index`), so the arithmetic is plain integers.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Phase, Plan, Problem, quote_value, sort_problems

_PHASE_REF = re.compile(r"^\s*(?:phase\s*)?(\d+)\s*$", re.IGNORECASE)
# another feature's phase: "002: Phase 3", "002:3", "002-patient-intake: Phase 3"
_CROSS_REF = re.compile(r"^\s*(\d[\w.\-]*)\s*:\s*(\S.*?)\s*$")


# -- working-day calendar ---------------------------------------------------------------------
def next_workday(day: dt.date) -> dt.date:
    """``day`` itself on Monday to Friday, else the next Monday."""
    weekday = day.weekday()
    return day + dt.timedelta(days=7 - weekday) if weekday >= 5 else day


def previous_workday(day: dt.date) -> dt.date:
    """``day`` itself on Monday to Friday, else the Friday before."""
    weekday = day.weekday()
    return day - dt.timedelta(days=weekday - 4) if weekday >= 5 else day


def wd_index(day: dt.date) -> int:
    """The number of a working day, counted from Monday 0001-01-01 (a weekend counts as the Monday after)."""
    weeks, rest = divmod(next_workday(day).toordinal() - 1, 7) if day.weekday() >= 5 else divmod(day.toordinal() - 1, 7)
    return weeks * 5 + rest


def wd_date(index: int) -> dt.date:
    """The working day numbered ``index``; OverflowError past the calendar's end."""
    weeks, rest = divmod(index, 5)
    ordinal = weeks * 7 + rest + 1
    if not 1 <= ordinal <= dt.date.max.toordinal():
        raise OverflowError("date value out of range")
    return dt.date.fromordinal(ordinal)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days after ``start`` (a working day); ``n`` may be 0."""
    return wd_date(wd_index(start) + n)


def workdays_between(start: dt.date, day: dt.date) -> int:
    """How many working days lie in ``[start, day)``; both are working days, ``day >= start``."""
    return wd_index(day) - wd_index(start)


def end_index(day: dt.date) -> int:
    """The working-day number of the last working day on or before ``day``."""
    return wd_index(previous_workday(day))


# -- dependency resolution --------------------------------------------------------------------
@dataclass(frozen=True)
class DependencyRef:
    """One entry of a phase's ``dependencies``: a phase number, another feature's phase, or external text."""

    text: str
    phase: int | None  # the phase of this plan it names, if any
    unknown: bool = False  # looks like a phase reference but names no phase
    feature: str | None = None  # "002" in "002: Phase 3": a phase of another feature's plan
    target: str | None = None  # "Phase 3" in "002: Phase 3"


PhaseIndex = tuple[dict[int, Phase], dict[str, Phase]]
CALENDAR_MARGIN = 400  # days a schedule must end before 9999-12-31, so its chart has an axis to draw


def phase_index(phases: list[Phase]) -> PhaseIndex:
    """Phases by number and by name: build it once per plan and pass it to resolve_dependencies."""
    return {p.number: p for p in phases if p.number is not None}, {p.name: p for p in phases if p.name}


def find_phase(reference: str, index: PhaseIndex) -> tuple[int | None, bool]:
    """(the phase number ``reference`` names, whether it looks like a phase reference at all)."""
    by_number, by_name = index
    match = _PHASE_REF.match(reference)
    if match:
        digits = match.group(1)
        number = int(digits) if len(digits) <= 9 else None  # no phase has a longer number (nor is one made of it)
        return (number if number in by_number else None), True
    if reference in by_name:
        return by_name[reference].number, True
    return None, False


def resolve_dependencies(phase: Phase, phases: list[Phase], index: PhaseIndex | None = None) -> list[DependencyRef]:
    index = index or phase_index(phases)
    out = []
    for text in phase.dependencies:
        number, looks = find_phase(text, index)
        cross = None if looks else _CROSS_REF.match(text)
        if cross:
            out.append(DependencyRef(text, None, feature=cross.group(1), target=cross.group(2)))
        else:
            out.append(DependencyRef(text, number, looks and number is None))
    return out


def depends_across(plan: Plan) -> bool:
    """Whether a phase of the plan waits on a phase of another feature (``002: Phase 3``, ``002:3``)."""
    phases = [p for p in plan.phases if p.number is not None]
    index = phase_index(phases)
    return any(ref.feature is not None for phase in phases for ref in resolve_dependencies(phase, phases, index))


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


class _Reporter:
    """Problems of one plan file, placed at the lines of their fields."""

    def __init__(self, plan: Plan, path: str) -> None:
        self.plan, self.path = plan, path
        self.problems: list[Problem] = []

    def line(self, fieldpath: str) -> int | str:
        pos = self.plan.positions.get(fieldpath)
        return pos[0] if pos else "?"

    def __call__(self, fieldpath: str, message: str, level: str = "warning") -> None:
        pos = self.plan.positions.get(fieldpath)
        self.problems.append(Problem(self.path, pos[0] if pos else None, pos[1] if pos else None, fieldpath, message, level))


@dataclass(frozen=True)
class CrossRef:
    """A dependency on another feature's phase, as written."""

    phase: int  # the phase that waits
    position: int  # its place in the phase's dependencies
    ref: DependencyRef

    @property
    def fieldpath_suffix(self) -> str:
        return f".dependencies[{self.position}]"


def _graph(phases: list[Phase], report: _Reporter) -> tuple[dict[int, list[int]], bool, list[CrossRef]]:
    """Each phase's dependencies in its plan by number (sequential when no phase names another), and
    the dependencies on other features' phases."""
    numbers = [p.number for p in phases]
    index = phase_index(phases)
    order = sorted(phases, key=lambda p: p.number or 0)
    graph: dict[int, list[int]] = {}
    cross: list[CrossRef] = []
    any_edge = False
    for phase in order:
        assert phase.number is not None
        deps: list[int] = []
        for j, ref in enumerate(resolve_dependencies(phase, phases, index)):
            fieldpath = f"phases[{phase.index}].dependencies[{j}]"
            if ref.feature is not None:
                cross.append(CrossRef(phase.number, j, ref))
            elif ref.unknown:
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
    return graph, not any_edge, cross


Node = tuple[int, int]  # (plan's place in the portfolio, phase number)


def _topological(preds: dict[Node, list[Node]]) -> tuple[list[Node], dict[Node, list[Node]]]:
    """Kahn's order, lowest node first for a stable result (shorter than the graph on a cycle)."""
    indegree = {n: len(d) for n, d in preds.items()}
    successors: dict[Node, list[Node]] = {n: [] for n in preds}
    for n, deps in preds.items():
        for d in deps:
            successors[d].append(n)
    ready = [n for n, k in indegree.items() if k == 0]
    heapq.heapify(ready)
    topo: list[Node] = []
    while ready:
        n = heapq.heappop(ready)
        topo.append(n)
        for succ in successors[n]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(ready, succ)
    return topo, successors


def _cycles(preds: dict[Node, list[Node]], topo: list[Node]) -> list[list[Node]]:
    """Cycles among the nodes Kahn's order could not place (every one of them has a dependency among them).

    Each walk marks the nodes it passed, so the search is linear; a cycle it skips is found once the
    ones returned are broken.
    """
    placed = set(topo)
    left = {n for n in preds if n not in placed}
    out: list[list[Node]] = []
    covered: set[Node] = set()
    for n in sorted(left):
        if n in covered:
            continue
        path: list[Node] = []
        current = n
        while current not in covered:
            covered.add(current)
            path.append(current)
            current = next(d for d in preds[current] if d in left)
        if current in path:  # the walk closed a cycle of its own
            cycle = path[path.index(current) :]
            cycle.reverse()  # dependency first, in the order the phases would run
            first = cycle.index(min(cycle))
            out.append(cycle[first:] + cycle[:first])
    return out


# -- the portfolio: every plan of a site as one graph ----------------------------------------
@dataclass(frozen=True)
class PlanItem:
    """One plan to schedule, and the names other plans may use for its feature."""

    key: str  # how its result is looked up (e.g. its site path)
    plan: Plan
    path: str  # how problems name the file
    names: tuple[str, ...] = ()  # its feature's ID and its folder's name
    label: str = ""  # how messages name the feature, e.g. "002"


@dataclass(frozen=True)
class CrossEdge:
    """A phase of one plan waiting on a phase of another plan."""

    upstream: str  # key of the plan waited on
    upstream_phase: int
    downstream: str  # key of the plan that waits
    downstream_phase: int
    text: str  # the dependency as written
    critical: bool = False  # on the portfolio's critical path, with no slack between the two


@dataclass
class Network:
    """The scheduled graph of every phase of every schedulable plan, kept for the forecast."""

    items: list[PlanItem]
    topo: list[Node]
    preds: dict[Node, list[Node]]
    phases: dict[Node, Phase]
    duration: dict[Node, int] = field(default_factory=dict)
    floor: dict[Node, int] = field(default_factory=dict)  # earliest start from the plan's start and the phase's own
    es: dict[Node, int] = field(default_factory=dict)  # working-day numbers (wd_index)
    ef: dict[Node, int] = field(default_factory=dict)


@dataclass
class PortfolioSchedule:
    results: dict[str, ScheduleResult]
    edges: list[CrossEdge]
    network: Network
    critical_plans: set[str]  # keys of the plans on the portfolio's critical path (when plans wait on others)


@dataclass
class _Local:
    """One plan's own graph, before the portfolio links it."""

    place: int
    item: PlanItem
    report: _Reporter
    phases: dict[int, Phase] = field(default_factory=dict)
    graph: dict[int, list[int]] = field(default_factory=dict)
    sequential: bool = True
    cross: list[CrossRef] = field(default_factory=list)
    ok: bool = False


def _prepare(place: int, item: PlanItem) -> _Local:
    """The plan's own graph; not ok when its numbers repeat, its phases form a cycle or it has no start."""
    plan = item.plan
    local = _Local(place, item, _Reporter(plan, item.path))
    phases = [p for p in plan.phases if p.number is not None]
    local.phases = {p.number: p for p in phases if p.number is not None}
    if len(local.phases) != len(phases):
        return local  # duplicate numbers are reported by the loader
    local.graph, local.sequential, local.cross = _graph(phases, local.report)
    preds = {(place, n): [(place, d) for d in deps] for n, deps in local.graph.items()}
    topo, _ = _topological(preds)
    if len(topo) != len(preds):
        while len(topo) != len(preds):
            for cycle in _cycles(preds, topo):
                _report_local_cycle(local, [n for _, n in cycle])
                preds[cycle[0]].remove(cycle[-1])
            topo, _ = _topological(preds)
        return local
    local.ok = plan.scheduled_start is not None
    return local


def _report_local_cycle(local: _Local, cycle: list[int]) -> None:
    chain = " → ".join(f"Phase {c}" for c in [*cycle, cycle[0]])
    involved = "; ".join(
        f'Phase {c} "{local.phases[c].name}" at line {local.report.line(f"phases[{local.phases[c].index}]")}' for c in cycle
    )
    lowest = local.phases[cycle[0]]  # point at the back edge: the lowest phase depending on the last of the loop
    refs = resolve_dependencies(lowest, list(local.phases.values()))
    j = next((k for k, r in enumerate(refs) if r.phase == cycle[-1]), 0)
    local.report(
        f"phases[{lowest.index}].dependencies[{j}]",
        f"the phases depend on each other in a cycle: {chain} ({involved}); remove one of these dependencies",
    )


def _feature_names(locals_: list[_Local]) -> dict[str, list[_Local]]:
    names: dict[str, list[_Local]] = {}
    for local in locals_:
        for name in dict.fromkeys(n.casefold() for n in local.item.names if n):
            names.setdefault(name, []).append(local)
    return names


Link = tuple[Node, Node, _Local, CrossRef]  # (upstream, downstream, the plan that waits, what it wrote)


def _link(locals_: list[_Local], names: dict[str, list[_Local]]) -> list[Link]:
    """Every dependency on another feature's phase, resolved; the ones that name nothing are reported."""
    links: list[Link] = []
    for local in locals_:
        if not local.ok:
            continue
        for xref in local.cross:
            ref = xref.ref
            assert ref.feature is not None and ref.target is not None
            fieldpath = f"phases[{local.phases[xref.phase].index}]{xref.fieldpath_suffix}"
            found = names.get(ref.feature.casefold(), [])
            if not found:
                local.report(
                    fieldpath,
                    f"{quote_value(ref.text)}: {quote_value(ref.feature)} is neither the ID nor the folder of a feature with a plan",
                )
                continue
            if len(found) > 1:
                folders = ", ".join(quote_value(t.item.names[-1] if t.item.names else t.item.path) for t in found)
                local.report(
                    fieldpath,
                    f"{quote_value(ref.text)}: feature ID {quote_value(ref.feature)} is used by several folders ({folders}); "
                    "name the folder instead",
                )
                continue
            target = found[0]
            number, _ = find_phase(ref.target, phase_index(list(target.phases.values())))
            if number is None:
                known = ", ".join(str(n) for n in sorted(target.phases)[:20]) or "none"
                local.report(
                    fieldpath,
                    f"{quote_value(ref.text)} names no phase of {target.item.label or ref.feature} (its phases are: {known})",
                )
            elif not target.ok:
                local.report(
                    fieldpath,
                    f"{quote_value(ref.text)}: the plan of {target.item.label or ref.feature} cannot be scheduled "
                    f"(see {target.item.path}); this dependency is left out until it can",
                    "info",
                )
            elif target is local:
                if number == xref.phase:
                    local.report(fieldpath, f"Phase {number} depends on itself, a cycle; remove {quote_value(ref.text)}")
                else:
                    links.append(((local.place, number), (local.place, xref.phase), local, xref))
            else:
                links.append(((target.place, number), (local.place, xref.phase), local, xref))
    return links


def _report_cross_cycle(cycle: list[Node], locals_: list[_Local], links: dict[tuple[Node, Node], Link]) -> None:
    """A cycle through several plans: named on every plan in it, at the lines of its dependencies."""

    def name(node: Node) -> str:
        local = locals_[node[0]]
        return f"{local.item.label or local.item.path} Phase {node[1]}"

    chain = " → ".join(name(n) for n in [*cycle, cycle[0]])
    where = []
    for a, b in itertools.pairwise([*cycle, cycle[0]]):
        link = links.get((a, b))
        local = locals_[b[0]]
        phase = local.phases[b[1]]
        fieldpath = f"phases[{phase.index}]{link[3].fieldpath_suffix}" if link is not None else f"phases[{phase.index}]"
        where.append((local, fieldpath, f"{local.item.path}:{local.report.line(fieldpath)}", link is not None))
    lines = "; ".join(dict.fromkeys(w[2] for w in where))
    message = f"the phases of several plans depend on each other in a cycle: {chain} ({lines}); remove one of these dependencies"
    for local, fieldpath, _, across in where:
        if across and (fieldpath, message) not in {(p.field, p.message) for p in local.report.problems}:
            local.report(fieldpath, message)


def _network(items: list[PlanItem], locals_: list[_Local], links: list[Link]) -> tuple[Network, list[CrossEdge]]:
    """The graph of every phase, cycles across plans reported and broken, in topological order."""
    preds: dict[Node, list[Node]] = {}
    phases: dict[Node, Phase] = {}
    for local in locals_:
        if local.ok:
            for n, deps in local.graph.items():
                preds[(local.place, n)] = [(local.place, d) for d in deps]
                phases[(local.place, n)] = local.phases[n]
    by_edge: dict[tuple[Node, Node], Link] = {}
    for link in links:
        up, down = link[0], link[1]
        if up not in preds[down]:
            preds[down].append(up)
        by_edge.setdefault((up, down), link)
    topo, _ = _topological(preds)
    while len(topo) != len(preds):
        for cycle in _cycles(preds, topo):
            _report_cross_cycle(cycle, locals_, by_edge)
            for a, b in itertools.pairwise([*cycle, cycle[0]]):
                if (a, b) in by_edge:  # break the cycle at the dependencies across plans
                    preds[b].remove(a)
                    del by_edge[(a, b)]
        topo, _ = _topological(preds)
    edges = [
        CrossEdge(items[up[0]].key, up[1], items[down[0]].key, down[1], link[3].ref.text) for (up, down), link in by_edge.items()
    ]
    return Network(items, topo, preds, phases), edges


def _forward(network: Network, locals_: list[_Local]) -> None:
    """Earliest start and finish of every phase, as working-day numbers."""
    anchors: dict[int, int] = {}
    for local in locals_:
        if local.ok:
            start = local.item.plan.scheduled_start
            assert start is not None
            anchors[local.place] = wd_index(start)
    for node in network.topo:
        phase = network.phases[node]
        floor = anchors[node[0]]
        if phase.start is not None:
            floor = max(floor, wd_index(phase.start))
        network.floor[node] = floor
        network.duration[node] = phase.effort.high_days if phase.effort else 0
        es = max([floor, *(network.ef[d] for d in network.preds[node])])
        network.es[node] = es
        network.ef[node] = es + network.duration[node]


def _latest_starts(network: Network, nodes: Iterable[Node], same_plan: bool) -> dict[Node, int]:
    """The backward pass over ``nodes`` (in topological order): within each plan, or across the portfolio."""
    chosen = list(nodes)
    members = set(chosen)
    successors: dict[Node, list[Node]] = {n: [] for n in chosen}
    for n in chosen:
        for d in network.preds[n]:
            if d in members and (not same_plan or d[0] == n[0]):
                successors[d].append(n)
    finish: dict[int, int] = {}
    for n in chosen:
        key = n[0] if same_plan else 0
        finish[key] = max(finish.get(key, network.ef[n]), network.ef[n])
    ls: dict[Node, int] = {}
    for n in reversed(chosen):
        lf = min((ls[s] for s in successors[n]), default=finish[n[0] if same_plan else 0])
        ls[n] = lf - network.duration[n]
    return ls


def _plan_schedule(local: _Local, network: Network, ls: dict[Node, int]) -> Schedule:
    """One plan's schedule, with dates; OverflowError when it runs off the calendar."""
    place = local.place
    start_date = next_workday(local.item.plan.scheduled_start or dt.date.min)
    base = wd_index(start_date)
    out = []
    for n in sorted(local.graph):
        node = (place, n)
        phase, es, days = local.phases[n], network.es[node], network.duration[node]
        low = phase.effort.low_days if phase.effort and phase.effort.is_range else None
        begin = wd_date(es)
        out.append(
            ScheduledPhase(
                number=n,
                name=phase.name or f"Phase {n}",
                status=phase.status,
                start=begin,
                end=wd_date(es + days - 1) if days else begin,
                days=days,
                low_days=low,
                low_end=wd_date(es + low - 1) if low else None,
                milestone=days == 0,
                depends_on=tuple(local.graph[n]),
                critical=ls[node] == es,
                total_float=ls[node] - es,
                es=es - base,
                ef=network.ef[node] - base,
            )
        )
    end = max((p.end for p in out), default=start_date)
    if (dt.date.max - end).days < CALENDAR_MARGIN:  # no room left to draw it: the calendar ends on 9999-12-31
        raise OverflowError("the schedule ends too close to the calendar's end")
    span = workdays_between(start_date, end) + 1 if out else 0
    return Schedule(start=start_date, end=end, working_days=span, phases=tuple(out), sequential=local.sequential)


def _milestone_notes(local: _Local) -> None:
    for phase in sorted(local.phases.values(), key=lambda p: p.number or 0):
        if phase.effort is None and f"phases[{phase.index}].effort" not in local.item.plan.positions.refused:
            # an effort that was written but not understood has its own problem; no second note
            local.report(
                f"phases[{phase.index}]", f'Phase {phase.number} "{phase.name}" has no effort; it is drawn as a milestone', "info"
            )


def schedule_portfolio(items: list[PlanItem], *, across: bool = True) -> PortfolioSchedule:
    """Schedule every plan as one graph: a phase waits for the phases of other plans it names.

    Problems (unknown phases or features, cycles within or across plans, schedules that run off
    the calendar) are reported at their lines in the file of the plan they are found in. With
    ``across`` false, dependencies on other features are left out, unchecked.
    """
    locals_ = [_prepare(place, item) for place, item in enumerate(items)]
    links = _link(locals_, _feature_names(locals_)) if across else []
    network, edges = _network(items, locals_, links)
    _forward(network, locals_)
    local_ls = _latest_starts(network, network.topo, same_plan=True)
    results: dict[str, ScheduleResult] = {}
    for local in locals_:
        schedule = None
        if local.ok:
            _milestone_notes(local)
            try:
                schedule = _plan_schedule(local, network, local_ls)
            except (OverflowError, ValueError):  # a start such as 9999-12-30, or efforts past the calendar
                where = "start_date" if local.item.plan.start_date is not None else "created_date"
                local.report(where, f"the schedule runs past {dt.date.max.isoformat()}; move the start or shorten the efforts")
        results[local.item.key] = ScheduleResult(schedule, sort_problems(local.report.problems))
    critical_plans: set[str] = set()
    if edges:
        global_ls = _latest_starts(network, network.topo, same_plan=False)
        critical = {n for n in network.topo if global_ls[n] == network.es[n]}
        critical_plans = {items[n[0]].key for n in critical}
        index = {item.key: place for place, item in enumerate(items)}
        edges = [
            CrossEdge(
                e.upstream,
                e.upstream_phase,
                e.downstream,
                e.downstream_phase,
                e.text,
                (up := (index[e.upstream], e.upstream_phase)) in critical
                and (down := (index[e.downstream], e.downstream_phase)) in critical
                and network.ef[up] == network.es[down],
            )
            for e in edges
        ]
    return PortfolioSchedule(results, edges, network, critical_plans)


def schedule_plan(plan: Plan, path: str = "plan.yaml") -> ScheduleResult:
    """Schedule ``plan`` alone; problems (unknown phase references, cycles) name phases and lines.

    Dependencies on other features' phases are left out (see :func:`schedule_portfolio`)."""
    return schedule_portfolio([PlanItem(path, plan, path)], across=False).results[path]
