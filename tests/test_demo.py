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
