"""The dashboard and the JSON export: figures, heatmap, sorting, staleness, empty site, determinism."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
import yaml

from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.project.portfolio import PlanEntry, Portfolio
from mkdocs_specplan.project.records import PlanSource, load_page
from mkdocs_specplan.views.dashboard import dashboard_view
from mkdocs_specplan.views.export import export_json
from mkdocs_specplan.views.renderer import Renderer

from .conftest import MINIMAL_PLAN, ROOT
from .test_links import assert_links_resolve

SCHEMA = json.loads((ROOT / "mkdocs_specplan/schema/plans.schema.json").read_text())
TODAY = "2026-11-26"


def plan(fid: str, status: str = "draft", **extra) -> str:
    text = f'feature_name: Feature {fid}\nfeature_id: "{fid}"\ncreated_date: 2026-09-01\nstatus: {status}\n'
    if extra:
        text += yaml.safe_dump(extra, sort_keys=False, default_flow_style=False)
    return text


def risk(rid, p, i, status="open", owner=None):
    out = {"id": rid, "title": f"Risk {rid}", "probability": p, "impact": i, "mitigation": f"Mitigate {rid}", "status": status}
    if owner:
        out["owner"] = owner
    return out


@pytest.fixture
def portfolio_site(site):
    site.plan(
        "specs/010-ten",
        plan(
            "10",
            "in-progress",
            phases=[{"name": "A", "effort": "1 w", "status": "done"}, {"name": "B", "effort": "1 w", "status": "in-progress"}],
            risks=[risk("R1", "high", "high", owner="Ops"), risk("R2", "low", "medium"), risk("R3", "high", "low", "mitigated")],
            external_dependencies=[{"name": "Vendor", "status": "pending"}, {"name": "Cloud", "status": "available"}],
            last_updated="2026-08-28",
        ),
    )  # 90 days before TODAY: not stale
    site.plan(
        "specs/002-two",
        plan(
            "2",
            "approved",
            phases=[{"name": "Only", "effort": "2 d", "status": "done"}],
            risks=[risk("R1", "medium", "high"), risk("R2", "medium", "high", "closed")],
            external_dependencies=[{"name": "Legal", "status": "blocked"}],
            last_updated="2026-08-27",
        ),
    )  # 91 days: stale
    site.plan("specs/001-one", plan("001", "approved", last_updated="2026-11-20"))
    return site


def build(site, **options):
    return site.build(plugins=[{"specplan": {"build_date": TODAY, **options}}], validation={"links": {"anchors": "warn"}})


def test_summary_figures(portfolio_site):
    result = build(portfolio_site)
    assert not result.failed, result.warnings
    data = json.loads(result.html("plans/plans.json"))
    assert data["summary"] == {
        "features": 3,
        "features_by_stage": {"approved": 2, "in-progress": 1},
        "plans": 3,
        "by_status": {"draft": 0, "in-review": 0, "approved": 2, "in-progress": 1, "blocked": 0, "done": 0, "cancelled": 0},
        "phases": {"done": 2, "total": 3},
        "open_risks": 3,
        # high x high = 9 -> high; medium x high = 6 -> high; low x medium = 2 -> medium
        "open_risks_by_level": {"high": 2, "medium": 1, "low": 0},
        "external_dependencies_not_available": 2,
        "stale_plans": 1,
        "stale_after_days": 90,
        "plans_with_problems": 0,
        "slipping_plans": 1,
        "by_health": {"late": 1, "done": 1, "not scheduled": 1},
    }
    html = result.html("plans/index.html")
    assert re.search(r'<div class="specplan-card-figure">3</div><div>plans</div>', html)
    assert re.search(r'<div class="specplan-card-figure">2/3</div><div>phases done', html)
    assert re.search(r'<a href="#specplan-risks">3</a></div><div>open risks</div>', html)
    assert re.search(
        r'<div class="specplan-card-figure"><a href="#specplan-data-quality">1</a></div><div>stale plan \(not updated', html
    )


def test_plans_table_sorted_by_feature_id(portfolio_site):
    html = build(portfolio_site).html("plans/index.html")
    table = html[html.index('<h2 id="features"') : html.index('<h2 id="portfolio-timeline"')]
    order = re.findall(r'<a href="../specs/[^"]+">(\d+) Feature', table)
    assert order == ["001", "2", "10"]  # natural order, IDs as written
    row = table[table.index(">10 Feature 10<") :]
    row = row[: row.index("</tr>")]
    assert "phases 1/2" in row
    assert re.search(
        r'<a href="../specs/010-ten/plan/#risk-r1" title="[^"]*">10 R1</a> <span class="specplan-badge specplan-level specplan-sev-5">high</span><br>'
        r'<a href="../specs/010-ten/plan/#risk-r2" title="Risk R2">10 R2</a> <span class="specplan-badge specplan-level specplan-sev-3">medium</span>',
        row,
    )
    stale_row = table[table.index(">2 Feature 2<") :]
    assert (
        '2026-08-27</span></span> <span class="specplan-badge specplan-stale">stale</span>'
        in stale_row[: stale_row.index("</tr>")]
    )
    assert "specplan-stale" not in row


def test_heatmap_cells(portfolio_site):
    html = build(portfolio_site).html("plans/index.html")
    cells = {(p, i): int(n) for p, i, n in re.findall(r'data-probability="(\w+)" data-impact="(\w+)" data-count="(\d+)"', html)}
    assert len(cells) == 9
    assert {k: v for k, v in cells.items() if v} == {("high", "high"): 1, ("medium", "high"): 1, ("low", "medium"): 1}
    # a cell links to its risks in the list; it is coloured by the level of its risks (the README's rule),
    # an empty cell is neutral
    assert '<a href="#risks-high-high">1</a>' in html and 'id="risks-high-high"' in html
    classes = dict(
        re.findall(r'<td class="specplan-heat ([\w-]+)" data-probability="(\w+)" data-impact="(\w+)"', html)[i][::-1][:2][::-1]
        for i in range(0)
    )
    cells = {
        (p, i): cls
        for cls, p, i in re.findall(r'<td class="specplan-heat ([\w-]+)" data-probability="(\w+)" data-impact="(\w+)"', html)
    }
    assert cells[("high", "high")] == "specplan-sev-5" and cells[("low", "medium")] == "specplan-sev-3"  # medium level
    assert cells[("low", "low")] == "specplan-heat-empty" and not classes


def test_open_risks_by_severity_and_closed_apart(portfolio_site):
    html = build(portfolio_site).html("plans/index.html")
    open_section = html[html.index('<h3 id="open-risks"') : html.index("Mitigated and closed risks</h3>")]
    assert "3 open, the most severe first." in open_section
    # a table under the sentence (one row a risk), not the table's Markdown run on into the sentence
    assert "<th>Risk</th>" in open_section and open_section.count("<tr>") == 4 and "&lt;span" not in open_section
    ids = re.findall(r'<a href="../specs/([^/]+)/plan/#risk-(r\d)"[^>]*>', open_section)
    assert ids == [("010-ten", "r1"), ("002-two", "r1"), ("010-ten", "r2")]
    assert "Ops" in open_section and "Mitigate R1" in open_section
    closed = html[html.index("Mitigated and closed risks</h3>") :]
    closed = closed[: closed.index("<h2")]
    assert re.findall(r'/plan/#risk-(r\d)"[^>]*>', closed) == ["r2", "r3"]  # 002 R2 (closed, 6) before 010 R3 (mitigated, 3)
    assert "specplan-risk-closed" in closed and "specplan-risk-mitigated" in closed


def test_stale_days_is_configurable(portfolio_site):
    data = json.loads(build(portfolio_site, stale_days=200).html("plans/plans.json"))
    assert data["summary"]["stale_plans"] == 0
    data = json.loads(build(portfolio_site, stale_days=6).html("plans/plans.json"))
    assert data["summary"]["stale_plans"] == 2  # 001, updated 6 days before the build, is not stale yet
    assert [p["stale"] for p in data["plans"]] == [False, True, True]


def test_data_quality(site):
    site.plan(
        "specs/a",
        plan("1", data_model_description="Tables.", plan_summary="Does FR-001."),
        spec="# Spec\n\n- **FR-001**: one\n- **FR-002**: two [NEEDS CLARIFICATION: which?]\n",
    )
    site.doc("specs/b/plan.yaml", plan("2", last_updated="2026-01-01"))
    result = site.build(strict=False, plugins=[{"specplan": {"build_date": TODAY}}])
    html = result.html("plans/index.html")
    quality = html[html.index('id="data-quality"') :]
    assert re.search(r"Plans with validation problems or notes</strong> \(2\)", quality)
    assert re.search(r'<a href="../specs/a/plan/">1 Feature 1</a>: 1 problem', quality)
    assert re.search(r"Missing spec or data model</strong> \(2\)", quality)
    assert re.search(r"1 Feature 1</a>: no data model</li>", quality) and re.search(
        r"2 Feature 2</a>: no spec and no data model</li>", quality
    )
    assert re.search(r'1 Feature 1</a>: <a href="../specs/a/spec/#fr-002">FR-002</a></li>', quality)  # linked to the spec
    assert re.search(r"1 Feature 1</a>: 1 marker in the spec</li>", quality)
    assert re.search(r"2 Feature 2</a>: last updated 2026-01-01, 329 days ago</li>", quality)


def test_portfolio_timeline(portfolio_site):
    html = build(portfolio_site).html("plans/index.html")
    bars = re.findall(r'data-plan="([^"]+)" data-start="([\d-]+)" data-end="([\d-]+)"', html)
    # 10 working days from Tuesday 1 September end on Monday 14 September
    assert bars == [("2", "2026-09-01", "2026-09-02"), ("10", "2026-09-01", "2026-09-14")]
    assert 'href="../specs/002-two/plan/"' in html


def test_portfolio_today_line(site):
    site.plan("specs/a", plan("1", phases=[{"name": "A", "effort": "6 mo"}]))
    html = site.build(plugins=[{"specplan": {"build_date": TODAY}}]).html("plans/index.html")
    assert f'<g class="specplan-gantt-today" data-date="{TODAY}">' in html


def test_dashboard_links_resolve(portfolio_site):
    result = build(portfolio_site)
    assert result.warnings == []
    hrefs = assert_links_resolve(result.site_dir, "plans/index.html")
    assert any("#risk-r1" in h for h in hrefs) and any(h.endswith("plans.json") for h in hrefs)


def test_empty_site_has_a_friendly_dashboard(site):
    result = site.build(plugins=[{"specplan": {"build_date": TODAY}}])
    assert not result.failed, result.warnings
    html = result.html("plans/index.html")
    assert re.search(r"<h1[^>]*>Plans</h1>", html)
    assert "No features yet." in html and "docs/specs/001-my-feature/plan.yaml" in html and "created_date: 2026-11-26" in html
    data = json.loads(result.html("plans/plans.json"))
    assert data["plans"] == [] and data["summary"]["plans"] == 0


def test_one_plan(site):
    site.plan("specs/a", plan("7"))
    result = site.build(plugins=[{"specplan": {"build_date": TODAY}}])
    html = result.html("plans/index.html")
    assert "<div>plan</div>" in html and "No open risks." in html
    assert "Every external dependency is available." in html


def test_dashboard_in_the_navigation(site):
    site.plan("specs/a", plan("1"))
    result = site.build(theme="mkdocs")
    assert re.search(r'<a href="\./plans/" class="nav-link">Plans</a>|href="plans/"[^>]*>Plans<', result.html("index.html"))


def test_explicit_nav_gets_the_dashboard(site):
    site.plan("specs/a", plan("1"))
    result = site.build(theme="mkdocs", nav=["index.md", {"A": "specs/a/plan.md"}, {"Spec": "specs/a/spec.md"}])
    assert not result.failed, result.warnings
    assert re.search(r'href="[./]*plans/"[^>]*>Plans<', result.html("index.html"))


def test_hand_written_dashboard_is_kept(site):
    site.doc("plans/index.md", "# My plans\n")
    result = site.build()
    assert result.failed
    assert result.warnings == [
        "specplan: plans/index.md: a page is already at the dashboard's path; it is kept and the dashboard "
        "is not generated. Move it, or set the dashboard option to another path"
    ]
    assert "My plans" in result.html("plans/index.html")
    assert result.exists("plans/plans.json")


def test_paths_and_switches(site):
    site.plan("specs/a", plan("1"))
    result = site.build(
        plugins=[{"specplan": {"dashboard": "status.md", "json": "data/all-plans.json", "dashboard_title": "Status"}}]
    )
    assert not result.failed, result.warnings
    assert re.search(r"<h1[^>]*>Status</h1>", result.html("status/index.html"))
    assert json.loads(result.html("data/all-plans.json"))["plans"][0]["feature_id"] == "1"
    result = site.build(plugins=[{"specplan": {"dashboard": False, "json": False}}])
    assert not result.exists("plans/index.html") and not result.exists("plans/plans.json")


def test_bad_dashboard_path(site):
    result = site.build(plugins=[{"specplan": {"dashboard": "../outside.md"}}])
    assert result.failed and "dashboard: '../outside.md' must be a path inside the site ending in .md" in "\n".join(
        result.warnings
    )


def test_json_is_deterministic(portfolio_site, tmp_path):
    first = build(portfolio_site).html("plans/plans.json")
    second = build(portfolio_site).html("plans/plans.json")
    assert first == second
    # key order is fixed, not alphabetical
    assert list(json.loads(first)) == ["version", "generator", "build_date", "summary", "plans", "features", "dependencies"]


def test_json_matches_the_plans_and_its_schema(site):
    from .conftest import EXAMPLE_FEATURE

    site.copy_example()
    site.plan("specs/009-broken", MINIMAL_PLAN + "oops: 1\n")
    site.doc("specs/010-unreadable/plan.yaml", "feature_name: [x\n")
    result = site.build(strict=False, plugins=[{"specplan": {"build_date": TODAY}}])
    data = json.loads(result.html("plans/plans.json"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    source = yaml.safe_load((EXAMPLE_FEATURE / "plan.yaml").read_text())
    # sorted by feature ID; a plan that could not be read has none and comes first
    assert [p["source"] for p in data["plans"]] == [
        "specs/010-unreadable/plan.yaml",
        "specs/001-appointment-reminders/plan.yaml",
        "specs/009-broken/plan.yaml",
    ]
    example = next(p for p in data["plans"] if p["source"] == "specs/001-appointment-reminders/plan.yaml")
    fields = example["plan"]
    assert example["feature_id"] == "001" and fields["feature_id"] == "001"  # as written, not 1
    assert fields["created_date"] == "2026-09-14" and fields["last_updated"] == "2026-10-02"
    for key in (
        "feature_name",
        "status",
        "plan_summary",
        "phi_handling",
        "approved_by",
        "rollback_plan",
        "prerequisites",
        "documentation_items",
    ):
        value = source[key]
        assert fields[key] == (value.strip("\n") if isinstance(value, str) else value), key
    assert [p["name"] for p in fields["phases"]] == [p["name"] for p in source["phases"]]
    assert fields["phases"][1]["effort"] == {"text": "2-3 weeks", "low_days": 10, "high_days": 15}
    assert fields["technical_decisions"][0]["options"][0]["pros"] == source["technical_decisions"][0]["options"][0]["pros"]
    assert fields["risks"][1]["status"] == "mitigated" and fields["risks"][0]["status"] == "open"
    assert example["schedule"]["phases"][2] == {
        "number": 3,
        "name": "Confirmations",
        "start": "2026-10-05",
        "end": "2026-10-16",
        "working_days": 10,
        "milestone": False,
        "critical": False,
        "total_float": 5,
        "depends_on": [1],
        "status": "planned",
    }
    assert example["links"]["spec"] == "specs/001-appointment-reminders/spec/"
    assert example["links"]["contracts"] == ["specs/001-appointment-reminders/contracts/confirm-api/"]
    assert example["traceability"]["uncovered"] == ["US1", "FR-003", "SC-001"]
    broken = next(p for p in data["plans"] if p["source"] == "specs/009-broken/plan.yaml")
    assert broken["problems"] == [
        {
            "path": "specs/009-broken/plan.yaml",
            "line": 5,
            "column": 1,
            "field": "oops",
            "message": 'unknown key "oops"; see the plan format for the keys a plan may have',
            "level": "warning",
        }
    ]
    unreadable = next(p for p in data["plans"] if p["source"] == "specs/010-unreadable/plan.yaml")
    assert unreadable["plan"] is None
    assert [p["message"][:12] for p in unreadable["problems"]] == ["invalid YAML", "no spec.md b"]


def test_rebuild_after_editing_one_plan_updates_the_dashboard(portfolio_site):
    from mkdocs.commands.build import build as mkdocs_build

    result = portfolio_site.build(strict=False, plugins=[{"specplan": {"build_date": TODAY}}])
    assert json.loads(result.html("plans/plans.json"))["summary"]["open_risks"] == 3
    portfolio_site.plan("specs/002-two", plan("2", "done", risks=[risk("R1", "medium", "high", "closed")]))
    mkdocs_build(result.config)
    data = json.loads(result.html("plans/plans.json"))
    assert data["summary"]["open_risks"] == 2 and data["summary"]["by_status"]["done"] == 1
    assert "<div>open risks</div>" in result.html("plans/index.html")
    assert re.search(r'<a href="#specplan-risks">2</a>', result.html("plans/index.html"))


def test_a_thousand_plans():
    settings = Settings()
    entries = []
    for i in range(1000):
        text = plan(
            f"{i:04d}",
            ["draft", "approved", "in-progress", "done"][i % 4],
            phases=[{"name": "A", "effort": f"{1 + i % 5} d", "status": "done" if i % 2 else "planned"}],
            risks=[risk("R1", ["low", "medium", "high"][i % 3], ["low", "medium", "high"][(i // 3) % 3])],
        )
        page = load_page(PlanSource(f"specs/{i:04d}/plan.yaml", text, f"specs/{i:04d}/plan.yaml"), settings)
        entries.append(PlanEntry(page, None, f"specs/{i:04d}/plan/", f"../specs/{i:04d}/plan.md", f"../specs/{i:04d}/plan/"))
    portfolio = Portfolio(entries, settings, dt.date(2026, 11, 26))
    md = Renderer(Settings()).render_markdown("dashboard.md.j2", dashboard=dashboard_view(portfolio))
    assert md.count("| [") >= 1000 and md.count('data-plan="') == 1000
    summary = json.loads(export_json(portfolio))["summary"]
    assert summary["plans"] == 1000 and summary["open_risks"] == 1000 and summary["phases"] == {"done": 500, "total": 1000}
    assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', md)) == 1000


def test_a_large_portfolio_is_grouped_by_stage_and_nothing_is_lost(site):
    """Above dashboard_group_above features, the dashboard shows one row per stage (linking to the
    stage's page, which lists its features and draws their timeline) and the start of long lists."""
    statuses = ["draft", "approved", "approved", "in-progress", "in-progress", "in-progress"]
    for i, status in enumerate(statuses, start=1):
        risks = "".join(
            f"  - {{id: R{r}, title: Risk {r}, probability: {'low' if r == 3 else 'high'}, impact: high, mitigation: Watch}}\n"
            for r in range(1, 4)
        )
        site.plan(
            f"specs/{i:03d}-f{i}",
            f'feature_name: Feature {i}\nfeature_id: "{i:03d}"\ncreated_date: 2026-03-02\nstatus: {status}\n'
            f"phases:\n  - {{name: A, effort: 1 w}}\nrisks:\n{risks}",
        )
        site.doc(f"specs/{i:03d}-f{i}/data-model.md", "# Data Model\n")
    site.config = {
        "plugins": [{"specplan": {"build_date": "2026-03-20", "dashboard_group_above": 3}}],
        "validation": {"links": {"anchors": "warn", "not_found": "warn"}},
    }
    result = site.build()
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    assert 'href="features-in-progress/"' in main and ">3 in-progress</a>" in main
    assert "specplan-overview" in main and 'data-stage="in-progress"' in main  # one bar per stage
    assert "18 open; the 12 most severe:" in main  # the highest-level risks in full, the rest one click away
    urgent = main[main.index("18 open; the 12 most severe:") :]
    assert "<th>Risk</th>" in urgent and urgent[: urgent.index("</table>")].count("<tr>") == 13
    assert 'href="all-risks/"' in main
    stage = result.html("plans/features-in-progress/index.html")
    for i in (4, 5, 6):
        assert f"{i:03d} Feature {i}" in stage
    assert "specplan-portfolio" in stage  # their timeline
    body = stage.split('role="main"', 1)[1]  # the page, without the navigation
    assert "001 Feature 1" not in body
    every = result.html("plans/all-risks/index.html")
    assert "18 open, the most severe first." in every and every.count(">Risk 3</") + every.count("Risk 3") >= 6


def test_a_grouped_dashboard_draws_no_timeline_of_every_plan(site, monkeypatch):
    """Grouped, the dashboard draws an overview and one timeline per stage: the timeline of every
    plan at once, which no page would show, is never worked out."""
    from mkdocs_specplan.views import dashboard

    drawn: list[int | None] = []
    real = dashboard._portfolio_timeline

    def watched(portfolio, entries=None, prefix=""):
        drawn.append(None if entries is None else len(entries))
        return real(portfolio, entries, prefix)

    monkeypatch.setattr(dashboard, "_portfolio_timeline", watched)
    for i, status in enumerate(["draft", "approved", "approved", "in-progress"], start=1):
        site.plan(
            f"specs/{i:03d}-f{i}",
            f'feature_name: Feature {i}\nfeature_id: "{i:03d}"\ncreated_date: 2026-03-02\nstatus: {status}\n'
            "phases:\n  - {name: A, effort: 1 w}\n",
        )
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-20", "dashboard_group_above": 2}}]}
    result = site.build()
    assert not result.failed, result.warnings
    assert sorted(drawn) == [1, 1, 2]  # one timeline per stage
    assert 'data-stage="approved"' in result.html("plans/index.html")  # and the overview
    assert "Feature 2" in result.html("plans/features-approved/index.html")
    drawn.clear()
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-20"}}]}
    assert not site.build().failed
    assert drawn == [None]  # not grouped: the one timeline of every plan


def test_a_grouped_dashboard_leads_its_heatmap_to_the_page_of_every_risk(site):
    """Grouped, the dashboard lists its most severe risks only: a cell of the heatmap leads to the
    page that lists them all, where its anchor is; the pages of full lists are kept out of search."""
    for i in range(1, 5):
        risks = "".join(
            f"  - {{id: R{k}, title: Risk {k}, probability: {p}, impact: high, status: open}}\n"
            for k, p in enumerate(("high", "low"), start=1)
        )
        site.plan(
            f"specs/{i:03d}-f{i}",
            f'feature_name: Feature {i}\nfeature_id: "{i:03d}"\ncreated_date: 2026-03-02\nstatus: approved\n'
            f"phases:\n  - {{name: A, effort: 1 w}}\nrisks:\n{risks}",
        )
    site.config = {
        "theme": {"name": "material"},
        "plugins": ["search", {"specplan": {"build_date": "2026-03-20", "dashboard_group_above": 2}}],
    }
    result = site.build()
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    cells = re.findall(r'data-count="\d+"><a href="([^"]*)"', main)
    assert cells and all(href.startswith("all-risks/#risks-") for href in cells), cells
    every = result.html("plans/all-risks/index.html")
    assert all(f'id="{href.split("#")[1]}"' in every for href in cells)
    index = json.loads((result.site_dir / "search/search_index.json").read_text())
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "plans/" in locations and "plans/all-risks/" not in locations
