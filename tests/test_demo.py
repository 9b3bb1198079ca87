"""The demo site builds strictly and shows every plan."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from .conftest import ROOT, BuildResult, _Collect

DEMO = ROOT / "demo-site"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site_dir = tmp_path_factory.mktemp("demo") / "site"
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(config_file=str(DEMO / "mkdocs.yml"), strict=True, site_dir=str(site_dir))
        build(config)
    finally:
        logger.removeHandler(handler)
    return BuildResult(Path(site_dir), handler.records, None, config)


def test_demo_builds_strictly_without_warnings(demo):
    assert demo.warnings == []


@pytest.mark.parametrize(
    "page,title,status",
    [
        ("specs/001-appointment-reminders/plan/index.html", "Appointment reminders", "in-progress"),
        ("specs/002-patient-intake/plan/index.html", "Patient intake forms", "approved"),
        ("specs/003-billing-export/plan/index.html", "Billing export", "draft"),
        ("features/004-telehealth-visits/plan/index.html", "Telehealth visits", "blocked"),
    ],
)
def test_demo_plans(demo, page, title, status):
    html = demo.html(page)
    assert re.search(rf"<h1[^>]*>Implementation Plan: {title}", html)
    assert f"specplan-status-{status}" in html


def test_demo_writes_nothing_into_its_sources(demo):
    handwritten = {DEMO / "specs/005-lab-results/plan.md"}  # spec-kit's Markdown plan, kept as written
    for folder in (DEMO / "docs", DEMO / "specs"):
        assert not set(folder.rglob("plan.md")) - handwritten, "a plan page was written into the sources"
        assert not any(folder.rglob("plans.json"))
        assert not (folder / "plans").exists()


FEATURES = [
    "specs/001-appointment-reminders",
    "specs/002-patient-intake",
    "specs/003-billing-export",
    "features/004-telehealth-visits",
]


@pytest.mark.parametrize("feature", FEATURES)
def test_demo_links_resolve(demo, feature):
    from .test_links import assert_links_resolve

    plan_hrefs = assert_links_resolve(demo.site_dir, f"{feature}/plan/index.html")
    assert any("spec/" in h for h in plan_hrefs)
    assert_links_resolve(demo.site_dir, f"{feature}/spec/index.html")


def test_demo_traceability_and_tasks(demo):
    intake = demo.html("specs/002-patient-intake/plan/index.html")
    # 002's spec defines US1-2, FR-001-004, SC-001-002; the plan mentions US1, US2 and FR-004
    # (summary), FR-002 (approach), FR-003 (Review console) and SC-001 (phase 4)
    assert "6 of 8 requirements of" in intake
    assert re.search(r"<strong>Uncovered</strong>: <a [^>]*#fr-001\">FR-001</a>, <a [^>]*#sc-002\">SC-002</a></p>", intake)
    assert re.search(
        r'<td><a href="../spec/#sc-001">SC-001</a></td>\s*<td>[^<]*</td>\s*<td><a href="#phase-4">Phase 4</a></td>', intake
    )
    reminders = demo.html("specs/001-appointment-reminders/plan/index.html")
    assert re.search(r"<strong>Tasks</strong>: <a href=\"../tasks/\">4/10 done</a>", reminders)
    assert '<a href="../../../constitution/#article-ii">Article II (Operate What We Know)</a>' in reminders


def test_demo_dashboard_figures_match_the_yaml(demo):
    """Counted by hand from the four plan.yaml files of the demo, with build_date 2026-11-26."""
    import json

    data = json.loads(demo.html("plans/plans.json"))
    assert data["build_date"] == "2026-11-26"
    summary = data["summary"]
    assert summary["plans"] == 4
    assert {k: v for k, v in summary["by_status"].items() if v} == {"draft": 1, "approved": 1, "in-progress": 1, "blocked": 1}
    assert summary["phases"] == {"done": 1, "total": 16}  # 4 + 4 + 3 + 5 phases; only 001's first is done
    # open: 001 R1 (medium x high), 002 R1 (medium x high), 002 R2 (low x high), 003 R1 (high x medium),
    # 004 R1 (high x high), 004 R2 (medium x medium); 001 R2, 002 R3 mitigated, 004 R3 closed
    assert summary["open_risks"] == 6
    assert summary["open_risks_by_level"] == {"high": 4, "medium": 2, "low": 0}
    assert summary["external_dependencies_not_available"] == 2  # 001 EHR vendor feed (pending), 004 contract (blocked)
    assert summary["stale_plans"] == 1  # 004, last updated 2026-07-14
    assert [p["feature_id"] for p in data["plans"]] == ["001", "002", "003", "004"]
    html = demo.html("plans/index.html")
    cells = {(p, i): int(n) for p, i, n in re.findall(r'data-probability="(\w+)" data-impact="(\w+)" data-count="(\d+)"', html)}
    assert {k: v for k, v in cells.items() if v} == {
        ("medium", "high"): 2,
        ("low", "high"): 1,
        ("high", "medium"): 1,
        ("high", "high"): 1,
        ("medium", "medium"): 1,
    }


def test_demo_dashboard_links_resolve(demo):
    from .test_links import assert_links_resolve

    hrefs = assert_links_resolve(demo.site_dir, "plans/index.html")
    assert len(hrefs) > 30


@pytest.mark.parametrize("feature", FEATURES)
def test_every_demo_plan_has_a_timeline(demo, feature):
    html = demo.html(f"{feature}/plan/index.html")
    assert html.count('class="specplan-gantt-bar') >= 3
    assert 'data-critical="true"' in html


def test_demo_timeline_dates_by_hand(demo):
    """002 starts Monday 2026-11-30: 3 w, then 2-3 w and 2 w in parallel, then 1-2 sprints."""
    html = demo.html("specs/002-patient-intake/plan/index.html")
    bars = re.findall(r'data-phase="(\d)" data-start="([\d-]+)" data-end="([\d-]+)" data-critical="(\w+)"', html)
    assert bars == [
        ("1", "2026-11-30", "2026-12-18", "true"),
        ("2", "2026-12-21", "2027-01-08", "true"),
        ("3", "2026-12-21", "2027-01-01", "false"),
        ("4", "2027-01-11", "2027-02-05", "true"),
    ]
    assert "<strong>Span</strong>: 10 weeks (50 working days)" in html
    assert "Difference" not in html  # 8-10 weeks estimated
    assert 'data-date="2026-11-26"' not in html  # the plan starts after the build date


def test_demo_markdown_only_features(demo):
    """005 is spec-kit Markdown only (plan.md, tasks.md, a checklist); 006 is a spec alone. Counted by hand."""
    import json

    data = json.loads(demo.html("plans/plans.json"))
    features = {f["id"]: f for f in data["features"]}
    assert list(features) == ["001", "002", "003", "004", "005", "006"]
    labs = features["005"]
    assert (labs["plan"], labs["stage"], labs["spec_status"]) == ("markdown", "implementing", "Approved")
    assert labs["tasks"] == {"done": 6, "total": 9}  # T003's two sub-items and the validation checklist are not tasks
    assert labs["checklists"] == {"done": 3, "total": 4}
    # US1, US2, FR-001, FR-001a, FR-002, FR-003, FR-004, SC-001, SC-002; plan.md and tasks.md cover six
    assert labs["requirements"] == {"total": 9, "covered": 6, "uncovered": ["FR-004", "SC-001", "SC-002"]}
    assert labs["clarifications"] == 1
    notes = features["006"]
    assert (notes["stage"], notes["plan"], notes["tasks"], notes["clarifications"]) == ("specified", None, None, 1)
    assert data["summary"]["features"] == 6
    plan = demo.html("features/005-lab-results/plan/index.html")
    assert (
        'class="specplan-backlink">Feature 005 <span class="specplan-badge specplan-stage specplan-status-implementing">implementing</span>'
        in plan
    )
    assert '<a class="specplan-mention" href="../spec/#fr-001a">FR-001a</a>' in plan
    html = demo.html("plans/index.html")
    assert ">005 Lab Results Inbox</a>" in html and ">006 Visit Notes Templates</a>" in html


def test_no_page_of_the_demo_has_an_id_twice(demo):
    """Every page the plugin makes or annotates: an anchor and a heading never share an id."""
    from collections import Counter

    pages = [p for p in demo.site_dir.rglob("index.html") if any(part in p.parts for part in ("specs", "features", "plans"))]
    assert len(pages) > 20
    doubled = {}
    for path in pages:
        ids = Counter(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))
        twice = [i for i, n in ids.items() if n > 1]
        if twice:
            doubled[str(path.relative_to(demo.site_dir))] = twice
    assert doubled == {}


def test_every_figure_of_a_demo_plan_is_the_same_wherever_it_is_printed(demo):
    from .test_causes import figures_agree

    assert figures_agree(demo.site_dir) == 4
