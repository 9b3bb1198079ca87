"""The demo site builds strictly and shows every plan."""

from __future__ import annotations

import logging
import re
import shutil
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
    assert not (DEMO / "docs" / "specs" / "001-appointment-reminders" / "plan.md").exists()
    assert not any(DEMO.rglob("plans.json"))


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
    assert re.search(r'<td><a href="../spec/#sc-001">SC-001</a></td>\s*<td>[^<]*</td>\s*<td><a href="#phase-4">Phase 4</a></td>', intake)
    reminders = demo.html("specs/001-appointment-reminders/plan/index.html")
    assert re.search(r"<strong>Tasks</strong>: <a href=\"../tasks/\">4/10 done</a>", reminders)
    assert '<a href="../../../constitution/#article-ii">Article II (Operate What We Know)</a>' in reminders
