"""The scheduler against hand-computed schedules, and its invariants under hypothesis."""

from __future__ import annotations

import datetime as dt
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.core.schedule import add_workdays, next_workday, schedule_plan, workdays_between

D = dt.date

HEAD = """\
feature_name: S
feature_id: "1"
created_date: 2026-03-02
status: draft
"""


def schedule(phases: str, head: str = HEAD, settings_: Settings | None = None):
    result = load_plan(head + "phases:\n" + textwrap.indent(textwrap.dedent(phases), "  "), "p.yaml", settings_)
    assert result.problems == [], result.problems
    return schedule_plan(result.plan, "p.yaml")


def rows(result):
    return [(p.number, p.start, p.end, p.critical) for p in result.schedule.phases]


def test_calendar_helpers():
    assert next_workday(D(2026, 3, 7)) == D(2026, 3, 9)  # Saturday -> Monday
    assert next_workday(D(2026, 3, 8)) == D(2026, 3, 9)  # Sunday -> Monday
    assert next_workday(D(2026, 3, 4)) == D(2026, 3, 4)
    assert add_workdays(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday + 1 -> Monday
    assert add_workdays(D(2026, 3, 2), 10) == D(2026, 3, 16)
    assert workdays_between(D(2026, 3, 2), D(2026, 3, 16)) == 10
    assert workdays_between(D(2026, 3, 4), D(2026, 3, 9)) == 3


def test_sequential_by_default():
    result = schedule("""\
        - {name: A, effort: 3 d}
        - {name: B, effort: 1 w, dependencies: [Legal sign-off]}
        - {name: C, effort: 2 d}
    """)
    s = result.schedule
    assert s.sequential
    assert rows(result) == [
        (1, D(2026, 3, 2), D(2026, 3, 4), True),  # Mon-Wed
        (2, D(2026, 3, 5), D(2026, 3, 11), True),  # Thu, Fri, Mon, Tue, Wed
        (3, D(2026, 3, 12), D(2026, 3, 13), True),
    ]
    assert (s.start, s.end, s.working_days) == (D(2026, 3, 2), D(2026, 3, 13), 10)


def test_sequential_follows_numbers_not_positions():
    result = schedule("""\
        - {number: 2, name: B, effort: 1 d}
        - {number: 1, name: A, effort: 1 d}
    """)
    assert rows(result) == [(1, D(2026, 3, 2), D(2026, 3, 2), True), (2, D(2026, 3, 3), D(2026, 3, 3), True)]


def test_weekend_start_moves_to_monday():
    result = schedule("- {name: A, effort: 2 d}\n", HEAD + "start_date: 2026-03-07\n")
    assert rows(result) == [(1, D(2026, 3, 9), D(2026, 3, 10), True)]


def test_diamond_with_a_tie_has_both_chains_critical():
    result = schedule("""\
        - {name: A, effort: 2 d}
        - {name: B, effort: 3 d, dependencies: [1]}
        - {name: C, effort: 3 d, dependencies: [Phase 1]}
        - {name: D, effort: 1 d, dependencies: [B, phase 3]}
    """)
    assert not result.schedule.sequential
    assert rows(result) == [
        (1, D(2026, 3, 2), D(2026, 3, 3), True),
        (2, D(2026, 3, 4), D(2026, 3, 6), True),
        (3, D(2026, 3, 4), D(2026, 3, 6), True),
        (4, D(2026, 3, 9), D(2026, 3, 9), True),
    ]
    assert result.schedule.phase(4).depends_on == (2, 3)


def test_diamond_without_a_tie():
    result = schedule("""\
        - {name: A, effort: 2 d}
        - {name: B, effort: 3 d, dependencies: [1]}
        - {name: C, effort: 1 d, dependencies: [1]}
        - {name: D, effort: 1 d, dependencies: [2, 3]}
    """)
    phases = result.schedule.phases
    assert [p.critical for p in phases] == [True, True, False, True]
    assert phases[2].total_float == 2


def test_explicit_edges_start_free_phases_at_the_plan_start():
    result = schedule("""\
        - {name: A, effort: 1 w}
        - {name: B, effort: 2 d}
        - {name: C, effort: 1 d, dependencies: [A]}
    """)
    assert rows(result) == [
        (1, D(2026, 3, 2), D(2026, 3, 6), True),
        (2, D(2026, 3, 2), D(2026, 3, 3), False),
        (3, D(2026, 3, 9), D(2026, 3, 9), True),
    ]


def test_ranges_schedule_on_the_upper_bound():
    result = schedule("- {name: A, effort: 1-2 w}\n- {name: B, effort: 12 h}\n")
    a, b = result.schedule.phases
    assert (a.start, a.end, a.days, a.low_days, a.low_end) == (D(2026, 3, 2), D(2026, 3, 13), 10, 5, D(2026, 3, 6))
    assert (b.start, b.end, b.days) == (D(2026, 3, 16), D(2026, 3, 17), 2)  # 1.5 d rounds up


def test_sprint_length_is_configurable():
    result = schedule("- {name: A, effort: 1 sprint}\n", settings_=Settings(sprint_days=15))
    assert result.schedule.phases[0].end == D(2026, 3, 20)


def test_explicit_start_moves_later_never_earlier():
    result = schedule("""\
        - {name: A, effort: 3 d}
        - {name: B, effort: 2 d, start: 2026-03-14}
        - {name: C, effort: 1 d, start: 2026-03-02}
    """)
    assert rows(result) == [
        (1, D(2026, 3, 2), D(2026, 3, 4), False),  # float: B waits for its own start
        (2, D(2026, 3, 16), D(2026, 3, 17), True),  # Saturday 14th -> Monday 16th
        (3, D(2026, 3, 18), D(2026, 3, 18), True),  # its start is earlier than B's end allows
    ]
    assert result.schedule.phases[0].total_float == 7


def test_milestones():
    result = schedule("- {name: A, effort: 2 d}\n- {name: Go-live}\n- {name: After, effort: 1 d}\n")
    _a, m, after = result.schedule.phases
    assert m.milestone and (m.start, m.end, m.days) == (D(2026, 3, 4), D(2026, 3, 4), 0)
    assert after.start == D(2026, 3, 4)
    info = [p for p in result.problems if p.level == "info"]
    assert [str(p) for p in info] == ['p.yaml:7:5: phases[1]: Phase 2 "Go-live" has no effort; it is drawn as a milestone']


def test_unknown_reference_and_cycles_name_phases_and_lines():
    text = HEAD + textwrap.dedent("""\
        phases:
          - name: A
            dependencies: [Phase 3]
            effort: 1 d
          - name: B
            dependencies: [1]
            effort: 1 d
          - name: C
            dependencies: [B]
            effort: 1 d
          - name: D
            dependencies: [Phase 9, phase 4]
            effort: 1 d
    """)
    plan = load_plan(text, "p.yaml").plan
    result = schedule_plan(plan, "p.yaml")
    assert result.schedule is None
    assert [str(p) for p in result.problems] == [
        "p.yaml:7:20: phases[0].dependencies[0]: the phases depend on each other in a cycle: "
        'Phase 1 → Phase 2 → Phase 3 → Phase 1 (Phase 1 "A" at line 6; Phase 2 "B" at line 9; Phase 3 "C" at line 12); '
        "remove one of these dependencies",
        'p.yaml:16:20: phases[3].dependencies[0]: "Phase 9" names no phase of this plan (its phases are: 1, 2, 3, 4)',
        'p.yaml:16:29: phases[3].dependencies[1]: Phase 4 "D" depends on itself, a cycle; remove "phase 4"',
    ]


# -- properties -----------------------------------------------------------------------------
@st.composite
def plans(draw, allow_milestones: bool = False):
    n = draw(st.integers(min_value=1, max_value=12))
    start = draw(st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)))
    lines = [f'feature_name: P\nfeature_id: "1"\ncreated_date: {start.isoformat()}\nstatus: draft\nphases:']
    durations = {}
    deps_of = {}
    for i in range(1, n + 1):
        deps = draw(st.lists(st.integers(min_value=1, max_value=i - 1), unique=True, max_size=3)) if i > 1 else []
        days = draw(st.integers(min_value=0 if allow_milestones else 1, max_value=25))
        style = draw(st.sampled_from(["num", "phase", "name"]))
        refs = [str(d) if style == "num" else (f"Phase {d}" if style == "phase" else f"P{d}") for d in deps]
        effort = f"\n    effort: {days} d" if days else ""
        lines.append(f"  - name: P{i}\n    dependencies: [{', '.join(refs)}]{effort}")
        durations[i] = days
        deps_of[i] = deps
    return "\n".join(lines) + "\n", durations, deps_of


def _schedule(text):
    result = load_plan(text, "p.yaml")
    assert [p for p in result.problems if p.level == "warning"] == []
    scheduled = schedule_plan(result.plan, "p.yaml")
    assert [p for p in scheduled.problems if p.level == "warning"] == []
    return scheduled.schedule


@settings(max_examples=150, deadline=None)
@given(plans(allow_milestones=True))
def test_no_phase_starts_before_its_dependencies_end(case):
    text, durations, deps_of = case
    s = _schedule(text)
    by = {p.number: p for p in s.phases}
    sequential = not any(deps_of.values())
    for p in s.phases:
        assert p.start.weekday() < 5 and p.end.weekday() < 5
        assert p.start >= s.start
        deps = deps_of[p.number] if not sequential else ([p.number - 1] if p.number > 1 else [])
        earliest = []
        for d in deps:
            dep = by[d]
            if dep.milestone:
                assert p.start >= dep.start
            else:
                earliest.append(next_workday(dep.end + dt.timedelta(days=1)))
                assert p.start >= earliest[-1]
        if not deps:
            assert p.start == s.start  # nothing holds it back
        elif len(earliest) == len(deps):
            assert p.start == max(earliest)  # it starts as soon as its last dependency ends
        if not p.milestone:
            assert workdays_between(p.start, p.end) + 1 == durations[p.number]


@settings(max_examples=150, deadline=None)
@given(plans())
def test_critical_path_length_equals_span_and_has_zero_float(case):
    text, durations, deps_of = case
    s = _schedule(text)
    if not any(deps_of.values()):  # sequential: each depends on the previous
        deps_of = {i: ([i - 1] if i > 1 else []) for i in durations}
    # an independent oracle: the longest chain of durations
    longest: dict[int, int] = {}
    for i in sorted(durations):
        longest[i] = durations[i] + max((longest[d] for d in deps_of[i]), default=0)
    span = max(longest.values())
    assert s.working_days == span
    # walk one critical chain back from the end: its durations add up to the span
    by = {p.number: p for p in s.phases}
    last = max((p for p in s.phases if p.critical), key=lambda p: p.ef)
    total, current = 0, last
    while True:
        assert current.critical and current.total_float == 0
        total += current.days
        preds = [by[d] for d in deps_of[current.number] if by[d].critical and by[d].ef == current.es]
        if not preds:
            break
        current = preds[0]
    assert current.es == 0
    assert total == span
    for p in s.phases:
        assert p.critical == (p.total_float == 0)
        assert p.total_float >= 0
        # a phase is critical exactly when some longest chain runs through it
        tail = {}
        for i in sorted(durations, reverse=True):
            tail[i] = durations[i] + max((tail[j] for j in durations if i in deps_of[j]), default=0)
        assert p.critical == (longest[p.number] + tail[p.number] - durations[p.number] == span)
