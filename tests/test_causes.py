"""Pages a lead can act on: each plan in trouble names its root cause once, with its owner and next
step, and what it holds up; one health per plan, shown once."""

from __future__ import annotations

import datetime as dt
import re

from mkdocs_specplan.core.causes import Upstream, causes, spans
from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.project.loading import SiteOptions, schedule_site
from mkdocs_specplan.project.records import PlanPage, PlanSource, load_page

TODAY = dt.date(2026, 3, 20)

BLOCKED = """\
feature_name: Telehealth
feature_id: "004"
created_date: 2026-03-02
status: blocked
phases:
  - {number: 1, name: Vendor contract, effort: 1 w, status: blocked}
  - {number: 2, name: Visit service, effort: 1 w, dependencies: [1]}
  - {number: 3, name: Join flow, effort: 1 w, dependencies: [2]}
risks:
  - {id: R1, title: Vendor contract delayed, probability: high, impact: high, mitigation: Escalated to procurement., owner: Procurement}
  - {id: R2, title: Poor connections, probability: low, impact: low}
external_dependencies:
  - {name: Video vendor contract, status: blocked}
"""

LATE = """\
feature_name: Reminders
feature_id: "001"
created_date: 2026-03-02
status: in-progress
phases:
  - {number: 1, name: Setup, effort: 1 w, status: done, started: 2026-03-02, finished: 2026-03-06}
  - {number: 2, name: Delivery, effort: 1 w, status: in-progress, started: 2026-03-09}
  - {number: 3, name: Rollout, effort: 1 w, dependencies: [2]}
"""


def _pages(*texts: str) -> list[PlanPage]:
    pages = [
        load_page(PlanSource(f"specs/{i}/plan.yaml", t, f"specs/{i}/plan.yaml"), Settings(), schedule=False)
        for i, t in enumerate(texts)
    ]
    from mkdocs_specplan.project.loading import LoadedSite

    loaded = LoadedSite(pages, {}, None)
    schedule_site(loaded, SiteOptions(today=TODAY))
    return pages


def test_a_blocked_plan_names_the_dependency_its_owner_and_next_step():
    (page,) = _pages(BLOCKED)
    found = causes(page.plan, page.forecast, Settings())
    assert [c.kind for c in found] == ["dependency"]  # the high risk is the dependency's own: said once
    (cause,) = found
    assert cause.text == "the external dependency Video vendor contract is blocked; phase 1 (Vendor contract) is blocked"
    assert (cause.owner, cause.next_step, cause.holds_up) == ("Procurement", "Escalated to procurement.", (2, 3))


def test_a_dependencys_own_owner_comes_first():
    (page,) = _pages(
        BLOCKED.replace("status: blocked}\n", "status: blocked, owner: Legal}\n", 1).replace(
            "{name: Video vendor contract, status: blocked}", "{name: Video vendor contract, status: blocked, owner: Legal}"
        )
    )
    assert causes(page.plan, page.forecast, Settings())[0].owner == "Legal"


def test_a_blocked_phase_without_a_dependency_is_the_cause():
    text = BLOCKED.split("external_dependencies:")[0]
    (page,) = _pages(text)
    (cause, *_) = causes(page.plan, page.forecast, Settings())
    assert (cause.kind, cause.phase, cause.owner, cause.holds_up) == ("blocked-phase", 1, "Procurement", (2, 3))


def test_a_late_plan_names_its_first_slipping_phase_and_what_it_holds_up():
    (page,) = _pages(LATE)
    found = causes(page.plan, page.forecast, Settings())
    assert [(c.kind, c.phase, c.holds_up, c.owner) for c in found] == [("late-phase", 2, (3,), None)]
    assert "phase 2 (Delivery): in progress past its planned length" in found[0].text


def test_a_late_phase_of_another_plan_is_the_cause():
    up = Upstream("specs/9/plan.yaml", "002 Intake, Phase 3: Core", 3, dt.date(2026, 4, 1), "late", 2)
    (page,) = _pages(LATE)
    found = causes(page.plan, page.forecast, Settings(), (up,))
    assert (
        found[0].kind == "upstream" and found[0].text == "waits on 002 Intake, Phase 3: Core, forecast to end 2026-04-01 (late)"
    )
    assert found[0].holds_up == (2, 3)


def test_a_plan_on_track_names_only_its_highest_risks():
    text = (
        'feature_name: Later\nfeature_id: "005"\ncreated_date: 2026-04-06\nstatus: approved\n'
        "phases:\n  - {number: 1, name: Build, effort: 1 w}\n"
        "risks:\n  - {id: R1, title: Throttling, probability: high, impact: high}\n  - {id: R2, title: Minor, probability: low, impact: high}\n"
    )
    (page,) = _pages(text)
    assert page.forecast is not None and page.forecast.health.state == "on-track"
    found = causes(page.plan, page.forecast, Settings())
    assert [(c.kind, c.text, c.owner) for c in found] == [("risk", "R1 Throttling", None)]


def test_spans():
    assert spans((2, 3, 4, 5)) == "2–5" and spans((2, 3)) == "2, 3" and spans((1, 3, 4, 5, 7)) == "1, 3–5 and 7"


def test_a_done_plan_has_no_cause():
    text = LATE.replace("status: in-progress\n", "status: done\n", 1)
    plan = load_plan(text, "p.yaml").plan
    assert causes(plan, None, Settings()) == ()


def _site(site):
    site.plan("specs/004-tele", BLOCKED, spec="# Feature Specification: Telehealth\n")
    site.plan("specs/001-rem", LATE, spec="# Feature Specification: Reminders\n")
    site.config = {"plugins": [{"specplan": {"build_date": TODAY.isoformat()}}]}
    result = site.build()
    assert not result.failed, result.warnings
    return result


def test_the_dashboard_says_which_why_who_and_what_next(site):
    result = _site(site)
    attention = result.html("plans/index.html").split('id="attention"', 1)[1].split('id="features"', 1)[0]
    blocked = attention.split("</li>\n<li>", 1)[0]
    assert re.search(r'<span class="specplan-badge specplan-health-blocked">blocked · \+\d+ working days</span>', blocked)
    assert "specplan-status-blocked" not in blocked  # one health, no status that repeats it
    cause = re.search(
        r'<li><a href="([^"]+)">the external dependency Video vendor contract is blocked; phase 1 \(Vendor contract\) is blocked</a>, holds up phases 2, 3 · owner: Procurement · next: Escalated to procurement.</li>',
        blocked,
    )
    assert cause and cause.group(1) == "../specs/004-tele/plan/#specplan-dependencies"
    late = attention.split("Reminders", 1)[1]
    assert "owner: no owner named" in late and "specplan-status-in-progress" in late  # the status differs from the health: shown
    cards = result.html("plans/index.html").split('class="specplan-cards"', 1)[1].split("</div>\n</div>", 1)[0]
    slipping = cards.split("plans slipping", 1)[1].split('<div class="specplan-card">', 1)[0]
    assert "on-track" not in slipping  # a card counts one thing


def test_the_plan_page_says_it_once_at_the_top(site):
    result = _site(site)
    page = result.html("specs/004-tele/plan/index.html")
    glance = page.split('id="specplan-glance"', 1)[1].split("<h2", 1)[0]
    assert glance.count("the external dependency Video vendor contract is blocked") == 1
    assert 'href="#specplan-dependencies"' in glance and 'id="specplan-dependencies"' in page
    assert "Owner: Procurement" in glance and "Next: Escalated to procurement." in glance
    assert glance.count("specplan-health-blocked") == 1 and "specplan-status-blocked" not in glance


TASKS = """\
# Tasks

## Phase 1: Setup

- [x] T001 [US1] Create the project (FR-001)
- [ ] T002 Write the first test

## Phase 2: Build

- [ ] T003 [US1] Build it
"""

SPEC = """\
# Feature Specification: Reminders

### User Story 1 - Get reminded (Priority: P1)

- **FR-001**: MUST remind.
- **FR-002**: MUST not be carried by anything.
"""


def test_tasks_and_spec_pages_say_where_the_feature_stands(site):
    site.plan("specs/001-rem", LATE, spec=SPEC)
    site.doc("specs/001-rem/tasks.md", TASKS)
    site.config = {"plugins": [{"specplan": {"build_date": TODAY.isoformat()}}]}
    result = site.build(markdown_extensions=["attr_list", "tables", "pymdownx.tasklist"])
    assert not result.failed, result.warnings
    tasks = result.html("specs/001-rem/tasks/index.html")
    note = tasks.split('<div class="specplan-backlink">', 1)[1].split("</div>", 1)[0]
    assert re.search(r'Implementation plan: <a href="\.\./plan/">Reminders</a>', note)
    assert "Phase 1: Setup: 1/2" in note and "Phase 2: Build: 0/1" in note
    # a story label in a task item is a link, the tasklist's checkbox left whole
    item = re.search(r'<li class="task-list-item" id="t001">(.*?)</li>', tasks).group(1)
    assert '<input type="checkbox" disabled checked/>' in item
    assert '<a class="specplan-mention" href="../spec/#us1">US1</a>' in item
    assert '<a class="specplan-mention" href="../spec/#fr-001">FR-001</a>' in item
    spec = result.html("specs/001-rem/spec/index.html")
    assert re.search(r'specplan-backlink">.*specplan-health-late">late</span>', spec)  # the spec of a late plan says so
    fr2 = re.search(r'<li id="fr-002">.*?</li>', spec, re.S).group(0)
    assert "specplan-req-uncovered" in fr2 and "Not covered by the plan or the tasks" in fr2
    fr1 = re.search(r'<li id="fr-001">.*?</li>', spec, re.S).group(0)
    assert "specplan-req-uncovered" not in fr1  # negative control: a carried requirement is not marked


def test_no_badge_says_the_same_thing_twice(site):
    result = _site(site)
    main = result.html("plans/index.html")
    table = main.split('<h2 id="features"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr>") if "Telehealth" in r)
    assert len(re.findall(r">blocked</span>", row)) == 1  # the stage, not the health again
    page = result.html("specs/004-tele/plan/index.html")
    schedule = page.split('class="specplan-schedule', 1)[1] if 'class="specplan-schedule' in page else page
    for number in (2, 3):
        cells = re.search(rf'<td><a href="#phase-{number}">.*?</tr>', schedule, re.S).group(0)
        assert len(re.findall(r'class="specplan-badge', cells)) == 1, cells  # a phase shows one badge
        assert 'data-health="blocked"' in cells


def figures_agree(site_dir) -> int:
    """Every plan's forecast end and slip as the plan page, the dashboard and plans.json print them:
    the same values everywhere (the number of plans checked)."""
    import json

    exported = json.loads((site_dir / "plans/plans.json").read_text(encoding="utf-8"))
    dashboard = (site_dir / "plans/index.html").read_text(encoding="utf-8")
    table = dashboard.split('<h2 id="features"', 1)[1].split("</table>", 1)[0]
    checked = 0
    for plan in exported["plans"]:
        forecast = plan["forecast"]
        if forecast is None:
            continue
        page = (site_dir / plan["url"] / "index.html").read_text(encoding="utf-8")
        glance = page.split('id="specplan-glance"', 1)[1].split("</div>\n</div>", 1)[0]
        finish = re.search(
            r'Forecast</span>finish <span class="specplan-date">([\d-]+)</span> <span class="specplan-muted">\(([^)]*)\)', glance
        )
        assert finish and finish.group(1) == forecast["end"], (plan["url"], finish and finish.group(1))
        slip = forecast["slip_days"]
        said = (
            "on the plan"
            if slip == 0
            else f"{'+' if slip > 0 else '−'}{abs(slip)} working day{'s' if abs(slip) != 1 else ''} against the plan"
        )
        assert finish.group(2).startswith(said), (plan["url"], finish.group(2), said)
        if plan["baseline"] and plan["baseline"]["slip_days"] is not None:
            b = plan["baseline"]["slip_days"]
            assert (f"{'+' if b > 0 else '−'}{abs(b)} working day" in finish.group(2)) or (
                b == 0 and "on the baseline" in finish.group(2)
            )
        row = next(r for r in table.split("<tr>") if f'href="../{plan["url"]}' in r or plan["feature_name"] in r)
        if slip:  # on the plan, the dashboard shows the planned window alone
            assert f'forecast <span class="specplan-date">{forecast["end"]}</span>' in row, row
            assert f'title="working days against the plan">{"+" if slip > 0 else "−"}{abs(slip)}<' in row, row
        nxt = re.search(r'Next</span><a href="#phase-(\d+)">[^<]*</a>, <span class="specplan-date">([\d-]+)</span>', glance)
        if nxt:  # the next milestone is on its forecast date
            phase = next(p for p in forecast["phases"] if p["number"] == int(nxt.group(1)))
            assert phase["end"] == nxt.group(2), (plan["url"], nxt.groups(), phase)
        assert slip == 0 or page.count(said) == 1  # the plan's slip is printed once on its page
        checked += 1
    return checked


def test_every_figure_of_a_plan_is_the_same_wherever_it_is_printed(site):
    result = _site(site)
    assert figures_agree(result.site_dir) == 2


def test_a_feature_traced_by_story_reads_by_story_and_folds_long_lists(site):
    """spec-kit's tasks carry [US1] labels, not requirement IDs: coverage by story first; the
    requirements nothing names are "not traced", counted, their list folded."""
    requirements = "".join(f"- **FR-{i:03d}**: MUST {i}.\n" for i in range(1, 13))
    spec = f"# Feature Specification: Stories\n\n### User Story 1 - One\n\n### User Story 2 - Two\n\n{requirements}"
    site.doc("specs/001-s/spec.md", spec)
    site.doc(
        "specs/001-s/tasks.md", "# Tasks\n\n## Phase 1\n\n- [x] T001 [US1] First\n- [ ] T002 [US1] Second\n- [ ] T003 Setup\n"
    )
    site.config = {"plugins": [{"specplan": {"build_date": TODAY.isoformat()}}]}
    result = site.build()
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    row = next(r for r in main.split('<h2 id="features"', 1)[1].split("</table>", 1)[0].split("<tr>") if "Stories" in r)
    assert "stories 1/2 with tasks, 1/2 done<br>12 requirements not traced" in row
    quality = main.split('<h2 id="data-quality"', 1)[1]
    uncovered = quality.split("Requirements neither the plan nor the tasks cover", 1)[1].split("</ul>", 1)[0]
    assert ">US2</a>" in uncovered and "FR-001" not in uncovered  # only the story is uncovered
    untraced = quality.split("(not traced)", 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<details class="specplan-ids"><summary>12 IDs</summary><a href="[^"]*#fr-001">FR-001</a>', untraced)


def test_a_feature_whose_tasks_carry_requirement_ids_keeps_its_coverage(site):
    """Negative control: no story label in the tasks, coverage as before."""
    site.doc("specs/001-r/spec.md", "# Feature Specification: Reqs\n\n- **FR-001**: MUST.\n- **FR-002**: MUST.\n")
    site.doc("specs/001-r/tasks.md", "# Tasks\n\n## Phase 1\n\n- [x] T001 Do FR-001\n")
    site.config = {"plugins": [{"specplan": {"build_date": TODAY.isoformat()}}]}
    result = site.build()
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    assert "1/2 covered" in main and "not traced" not in main
