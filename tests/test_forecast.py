"""The forecast against hand-computed cases, dependencies across plans, and its invariants under hypothesis."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_specplan.core.forecast import Health, forecast_portfolio
from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.core.schedule import PlanItem, next_workday, schedule_portfolio

D = dt.date


def plan_text(phases: str, fid: str = "001", start: str = "2026-03-02", status: str = "in-progress") -> str:
    head = f'feature_name: Plan {fid}\nfeature_id: "{fid}"\ncreated_date: {start}\nstatus: {status}\nphases:\n'
    return head + textwrap.indent(textwrap.dedent(phases), "  ")


def items_of(texts: dict[str, str], settings_: Settings) -> list[PlanItem]:
    """Plans keyed by folder name ("001-a"), named by their feature ID and their folder."""
    items = []
    for folder, text in texts.items():
        result = load_plan(text, f"{folder}/plan.yaml", settings_)
        assert [p for p in result.problems if p.level == "warning"] == [], result.problems
        plan = result.plan
        items.append(PlanItem(folder, plan, f"{folder}/plan.yaml", (plan.feature_id, folder), plan.feature_id))
    return items


def run(texts: dict[str, str], today: dt.date, settings_: Settings | None = None):
    """Schedule and forecast plans keyed by folder name."""
    settings_ = settings_ or Settings()
    items = items_of(texts, settings_)
    portfolio = schedule_portfolio(items)
    return portfolio, forecast_portfolio(portfolio, today, settings_, {i.key: i.label for i in items})


def one(phases: str, today: dt.date, **head):
    portfolio, forecasts = run({"001-a": plan_text(phases, **head)}, today)
    return portfolio.results["001-a"], forecasts.get("001-a")


def test_done_late_in_progress_past_its_end_and_work_not_started():
    # planned: P1 Mon 2 - Fri 6 Mar, P2 9-13 Mar, P3 16-18 Mar; the build date is Friday 20 March
    result, f = one(
        """\
        - {name: A, effort: 5 d, status: done, started: 2026-03-02, finished: 2026-03-10}
        - {name: B, effort: 5 d, status: in-progress, started: 2026-03-11}
        - {name: C, effort: 3 d}
        """,
        D(2026, 3, 20),
    )
    assert result.problems == []
    rows = [(p.number, p.start, p.end, p.slip_days, p.health) for p in f.phases]
    assert rows == [
        (1, D(2026, 3, 2), D(2026, 3, 10), 2, "done"),  # at its actual dates
        (2, D(2026, 3, 11), D(2026, 3, 20), 5, "late"),  # due Tue 17 from its start, not before the build date
        (3, D(2026, 3, 23), D(2026, 3, 25), 5, "late"),  # not before the next working day after the build date
    ]
    assert (f.end, f.planned_end, f.slip_days) == (D(2026, 3, 25), D(2026, 3, 18), 5)
    assert f.health.state == "late"  # the planned end has passed
    assert "the forecast finish 2026-03-25 is 5 working days after the planned 2026-03-18" in f.health.reasons


def test_not_started_after_its_planned_start_is_at_risk():
    # planned Mon 2 - Fri 6 Mar; the build date is Wednesday 4 March: it can start Thursday 5
    _, f = one("- {name: A, effort: 5 d}\n", D(2026, 3, 4))
    assert (f.phases[0].start, f.phases[0].end, f.slip_days) == (D(2026, 3, 5), D(2026, 3, 11), 3)
    assert f.phases[0].reason == "not started; its planned start 2026-03-02 has passed"
    assert f.health.state == "at-risk"
    _, f = one("- {name: A, effort: 5 d}\n", D(2026, 3, 5))  # a slip of 4 is still at risk, ...
    assert (f.slip_days, f.health.state) == (4, "at-risk")
    _, f = one("- {name: A, effort: 2 w}\n", D(2026, 3, 10))  # ... one of 7 is late (at_risk_days is 5)
    assert (f.slip_days, f.health.state) == (7, "late")


def test_a_weekend_build_date_moves_to_monday():
    # in progress, due Friday 6 March; built on Saturday 7: it ends Monday 9 at the earliest
    _, f = one("- {name: A, effort: 5 d, status: in-progress, started: 2026-03-02}\n", D(2026, 3, 7))
    assert f.phases[0].end == D(2026, 3, 9)
    # not started, planned from Monday 9; built on Saturday 7: it still starts Monday 9
    _, f = one("- {name: A, effort: 5 d}\n", D(2026, 3, 7), start="2026-03-09")
    assert (f.phases[0].start, f.slip_days, f.health.state) == (D(2026, 3, 9), 0, "on-track")


def test_before_the_plan_starts_the_forecast_is_the_plan():
    result, f = one(
        """\
        - {name: A, effort: 1-2 w}
        - {name: B, effort: 3 d, dependencies: [1]}
        - {name: C, effort: 4 d, dependencies: [1]}
        - {name: D, dependencies: [2, 3]}
        """,
        D(2026, 2, 20),
    )
    assert [(p.start, p.end) for p in f.phases] == [(p.start, p.end) for p in result.schedule.phases]
    assert (f.slip_days, f.health.state, f.health.reasons) == (0, "on-track", ())


def test_a_blocked_phase_blocks_what_waits_on_it():
    _, f = one(
        """\
        - {name: Vendor, effort: 1 w, status: blocked}
        - {name: Build, effort: 1 w}
        - {name: Docs, effort: 1 d, dependencies: []}
        """,
        D(2026, 3, 2),
    )
    assert [p.health for p in f.phases] == ["blocked", "blocked", "blocked"]  # sequential: 3 waits on 2
    assert f.health.state == "blocked"
    assert f.health.reasons[:2] == ("phase 1 (Vendor) is blocked", "phase 2 (Build) waits on Phase 1 (Vendor), which is blocked")


def test_done_plan_and_used_up_float():
    _, f = one("- {name: A, effort: 1 w, status: done}\n", D(2026, 6, 1))
    assert f.health.state == "done"
    # B has 2 days of float (C ends on Friday); A starts two days late, so B uses its float up: the
    # plan still ends on time, but it is at risk
    _, f = one(
        """\
        - {name: A, effort: 1 d, status: in-progress, started: 2026-03-04}
        - {name: B, effort: 2 d, dependencies: [1]}
        - {name: C, effort: 5 d, dependencies: [], status: in-progress, started: 2026-03-02}
        """,
        D(2026, 3, 2),
    )
    b = f.phase(2)
    assert (b.start, b.end, b.slip_days, b.health, f.slip_days) == (D(2026, 3, 5), D(2026, 3, 6), 2, "at-risk", 0)
    assert f.health == Health(
        "at-risk",
        ("phase 1 (A): has used up its float of 2 working days", "phase 2 (B): has used up its float of 2 working days"),
    )


# -- across plans -------------------------------------------------------------------------------
UPSTREAM = plan_text("- {name: Core, effort: 2 w}\n- {name: Launch, effort: 1 d}\n", "001")


def test_a_phase_waits_on_another_features_phase():
    downstream = plan_text(
        """\
        - {name: Client, effort: 1 w, dependencies: ["001: Phase 1"]}
        - name: Pilot
          effort: 1 d
          dependencies:
            - 001: Launch        # unquoted: YAML reads a mapping, which means the same
        """,
        "002",
    )
    portfolio, forecasts = run({"001-core": UPSTREAM, "002-client": downstream}, D(2026, 2, 1))
    s = portfolio.results["002-client"].schedule
    assert portfolio.results["002-client"].problems == []
    # Core ends Fri 13 Mar, so Client runs 16-20 Mar; Launch is Mon 16, Pilot after both
    assert [(p.start, p.end) for p in s.phases] == [(D(2026, 3, 16), D(2026, 3, 20)), (D(2026, 3, 23), D(2026, 3, 23))]
    assert sorted((e.upstream, e.upstream_phase, e.downstream, e.downstream_phase) for e in portfolio.edges) == [
        ("001-core", 1, "002-client", 1),
        ("001-core", 2, "002-client", 2),
    ]
    assert portfolio.critical_plans == {"001-core", "002-client"}
    # the upstream runs late: in progress since 2 March, built on 20 March, so it ends 20 March
    late = UPSTREAM.replace("effort: 2 w}", "effort: 2 w, status: in-progress, started: 2026-03-02}")
    _, forecasts = run({"001-core": late, "002-client": downstream.replace("002", "002")}, D(2026, 3, 20))
    f = forecasts["002-client"]
    assert f.phase(1).start == D(2026, 3, 23)
    assert f.phase(1).reason == "waits on 001 Phase 1 (Core), forecast to end 2026-03-20"


def test_folder_names_and_unknown_features_or_phases():
    downstream = plan_text(
        """\
        - {name: A, effort: 1 d, dependencies: ["001-core:2"]}
        - {name: B, effort: 1 d, dependencies: ["009: Phase 1"]}
        - {name: C, effort: 1 d, dependencies: ["001: Phase 7"]}
        - {name: D, effort: 1 d, dependencies: ["Legal: sign-off"]}
        """,
        "002",
    )
    portfolio = schedule_portfolio(items_of({"001-core": UPSTREAM, "002-x": downstream}, Settings()))
    messages = [str(p) for p in portfolio.results["002-x"].problems]
    assert messages == [
        '002-x/plan.yaml:7:43: phases[1].dependencies[0]: "009: Phase 1": "009" is neither the ID nor the folder of a feature with a plan',
        '002-x/plan.yaml:8:43: phases[2].dependencies[0]: "001: Phase 7" names no phase of 001 (its phases are: 1, 2)',
    ]
    assert [(e.upstream, e.upstream_phase) for e in portfolio.edges] == [("001-core", 2)]  # "Legal: sign-off" is external


def test_a_cycle_across_plans_names_every_file_and_line():
    a = plan_text("- {name: A1, effort: 1 d, dependencies: ['002: 1']}\n- {name: A2, effort: 1 d}\n", "001")
    b = plan_text("- {name: B1, effort: 1 d, dependencies: ['001: 1']}\n", "002")
    portfolio = schedule_portfolio(items_of({"001-a": a, "002-b": b}, Settings()))
    expected = (
        "the phases of several plans depend on each other in a cycle: 001 Phase 1 → 002 Phase 1 → 001 Phase 1 "
        "(002-b/plan.yaml:6; 001-a/plan.yaml:6); remove one of these dependencies"
    )
    for key in ("001-a", "002-b"):
        problems = portfolio.results[key].problems
        assert [p.message for p in problems] == [expected]
        assert problems[0].field == "phases[0].dependencies[0]" and problems[0].line == 6
        assert portfolio.results[key].schedule is not None  # the cycle is broken: both pages still have a timeline


# -- properties ---------------------------------------------------------------------------------
@st.composite
def plans_with_progress(draw, actuals: bool = True):
    n = draw(st.integers(min_value=1, max_value=10))
    start = draw(st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)))
    lines = []
    for i in range(1, n + 1):
        deps = draw(st.lists(st.integers(min_value=1, max_value=i - 1), unique=True, max_size=2)) if i > 1 else []
        days = draw(st.integers(min_value=0, max_value=20))
        status = draw(st.sampled_from(["planned", "in-progress", "done", "blocked"]))
        line = f"- name: P{i}\n  dependencies: [{', '.join(map(str, deps))}]\n  status: {status}\n"
        line += f"  effort: {days} d\n" if days else ""
        if actuals and status in ("in-progress", "done") and draw(st.booleans()):
            started = start + dt.timedelta(days=draw(st.integers(min_value=-10, max_value=120)))
            line += f"  started: {started.isoformat()}\n"
            if status == "done" and draw(st.booleans()):
                line += f"  finished: {(started + dt.timedelta(days=draw(st.integers(0, 60)))).isoformat()}\n"
        lines.append(line)
    today = start + dt.timedelta(days=draw(st.integers(min_value=-60, max_value=300)))
    return plan_text("".join(lines), start=start.isoformat()), today


@settings(max_examples=150, deadline=None)
@given(plans_with_progress())
def test_unfinished_work_never_ends_before_the_build_date_and_actuals_hold(case):
    text, today = case
    plan = load_plan(text, "p.yaml").plan
    portfolio = schedule_portfolio([PlanItem("p", plan, "p.yaml")])
    forecast = forecast_portfolio(portfolio, today, Settings())["p"]
    by_number = {p.number: p for p in plan.phases}
    for p in forecast.phases:
        phase = by_number[p.number]
        assert p.start <= p.end
        if phase.status != "done":
            assert p.end >= today  # nothing unfinished is forecast to end in the past
        if phase.status in ("done", "in-progress") and phase.started:
            assert p.start == next_workday(phase.started)  # started work sits at its actual start
        if phase.status == "done" and phase.finished:
            # its finish (on a weekend: the Friday before), never before its start
            assert p.end == max(
                next_workday(phase.started), phase.finished - dt.timedelta(days=max(0, phase.finished.weekday() - 4))
            )
        if phase.status in ("planned", "blocked"):
            assert p.start > today  # work not started starts after the build date


@settings(max_examples=150, deadline=None)
@given(plans_with_progress(actuals=False))
def test_with_the_build_date_before_the_start_the_forecast_is_the_plan(case):
    text, today = case
    plan = load_plan(text, "p.yaml").plan
    portfolio = schedule_portfolio([PlanItem("p", plan, "p.yaml")])
    schedule = portfolio.results["p"].schedule
    today = min(today, schedule.start - dt.timedelta(days=1))
    forecast = forecast_portfolio(portfolio, today, Settings())["p"]
    assert [(p.start, p.end) for p in forecast.phases] == [(p.start, p.end) for p in schedule.phases]
    assert forecast.slip_days == 0


# -- in a site ----------------------------------------------------------------------------------
def test_a_site_links_plans_that_wait_on_each_other(site):
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-20"}}], "validation": {"anchors": "warn"}}
    site.plan("specs/001-core", UPSTREAM.replace("effort: 2 w}", "effort: 2 w, status: in-progress, started: 2026-03-02}"))
    site.plan("specs/002-client", plan_text("- {name: Client, effort: 1 w, dependencies: ['001: Phase 1']}\n", "002"))
    for folder in ("001-core", "002-client"):
        site.doc(f"specs/{folder}/data-model.md", "# Data Model\n")
    result = site.build()
    assert not result.failed, result.warnings
    client = result.html("specs/002-client/plan/index.html")
    # the dependency links to the other plan's phase; Waits on says how it is doing
    assert '<a href="../../001-core/plan/#phase-1">001 Plan 001, Phase 1: Core</a>' in client
    assert 'data-health="late">late</span>, forecast end <span class="specplan-date">2026-03-20</span>' in client
    assert "the upstream phase is late" in client
    core = result.html("specs/001-core/plan/index.html")
    assert "Needed by" in core and '<a href="../../002-client/plan/#phase-1">002 Plan 002, Phase 1: Client</a>' in core
    dashboard = result.html("plans/index.html")
    assert 'data-from="001" data-to="002"' in dashboard  # the arrow between the two plans
    assert "Dependencies between features" in dashboard
    data = json.loads(result.html("plans/plans.json"))
    assert data["dependencies"] == [
        {
            "from": {"source": "specs/001-core/plan.yaml", "feature_id": "001", "phase": 1},
            "to": {"source": "specs/002-client/plan.yaml", "feature_id": "002", "phase": 1},
            "text": "001: Phase 1",
            "critical": True,
        }
    ]
    client_json = next(p for p in data["plans"] if p["feature_id"] == "002")
    assert client_json["forecast"]["phases"][0] == {
        "number": 1,
        "start": "2026-03-23",
        "end": "2026-03-27",
        "slip_days": 5,
        "health": "at-risk",
    }


def test_a_cycle_across_plans_fails_a_strict_build_naming_both_files(site):
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-20", "missing_links": "ignore"}}]}
    site.plan("specs/001-a", plan_text("- {name: A1, effort: 1 d, dependencies: ['002: 1']}\n", "001"))
    site.plan("specs/002-b", plan_text("- {name: B1, effort: 1 d, dependencies: ['001: 1']}\n", "002"))
    result = site.build()
    assert result.failed
    cycle = [w for w in result.warnings if "in a cycle" in w]
    assert len(cycle) == 2
    assert all("specs/001-a/plan.yaml:6" in w and "specs/002-b/plan.yaml:6" in w for w in cycle)
