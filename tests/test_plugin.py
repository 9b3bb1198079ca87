"""Integration: real MkDocs builds of small sites, both themes, strict mode."""

from __future__ import annotations

import os
import re

import pytest

from .conftest import MINIMAL_PLAN, assert_rendered_plan

PLAN_PAGE = "specs/001-appointment-reminders/plan/index.html"


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_example_site_builds_strictly(site, theme):
    site.copy_example()
    theme_config = {"name": theme}
    if theme == "material":
        theme_config["features"] = ["content.action.edit"]
    result = site.build(theme=theme_config, repo_url="https://example.com/org/repo", edit_uri="edit/main/docs/")
    assert not result.failed, result.warnings
    html = result.html(PLAN_PAGE)
    assert re.search(r"<h1[^>]*>Implementation Plan: Appointment reminders", html)
    for heading in (
        "Executive Summary",
        "Technical Decisions",
        "Implementation Phases",
        "Risk Assessment",
        "Review &amp; Validation Checklist",
    ):
        assert re.search(rf"<h2[^>]*>{heading}", html), heading
    # the YAML source is not copied into the site
    assert not result.exists("specs/001-appointment-reminders/plan.yaml")
    # "Edit this page" opens the YAML
    assert "https://example.com/org/repo/edit/main/docs/specs/001-appointment-reminders/plan.yaml" in html
    # the packaged CSS is added without any extra_css step
    assert result.exists("assets/specplan/specplan.css")
    assert "assets/specplan/specplan.css" in html
    assert any("rendered 1 plan" in m for m in result.infos)


def test_broken_plan_fails_strict_but_the_site_is_built(site):
    site.copy_example()
    site.plan("specs/002-broken", MINIMAL_PLAN + "phases:\n  - name: A\n    effort: 2 wekes\n")
    site.doc("about.md", "# About\n")
    result = site.build()
    assert result.failed
    assert "Aborted with 1 warnings in strict mode" in str(result.error)
    assert result.warnings == [
        'specplan: specs/002-broken/plan.yaml:7:13: phases[0].effort: "2 wekes" is not an effort '
        '(unknown unit "wekes"); expected e.g. "3 d", "2 w", "1-2 sprints" (units: h, d, w, sprint, mo)'
    ]
    # every other page, and the broken plan's own page with its error, are built
    assert result.exists("about/index.html") and result.exists(PLAN_PAGE)
    broken = result.html("specs/002-broken/plan/index.html")
    assert "This plan has 1 problem to fix" in broken
    assert "specs/002-broken/plan.yaml:7:13" in broken
    # without strict the build passes
    assert not site.build(strict=False).failed


def test_invalid_yaml_never_raises(site):
    site.plan("specs/x", "feature_name: [oops\n\tstatus: : :\n")
    result = site.build(strict=False)
    assert not result.failed
    assert len(result.warnings) == 1 and "specs/x/plan.yaml:2:1: invalid YAML" in result.warnings[0]
    assert "Traceback" not in "".join(result.warnings)
    assert "invalid YAML" in result.html("specs/x/plan/index.html")


def test_edited_plan_between_two_builds(site):
    site.plan("specs/a", MINIMAL_PLAN + "status_typo: 1\n")
    first = site.build(strict=False)
    assert "This plan has 1 problem" in first.html("specs/a/plan/index.html")
    site.plan("specs/a", MINIMAL_PLAN.replace("Minimal", "Fixed"))
    second = site.build()
    assert not second.failed
    assert_rendered_plan(second.html("specs/a/plan/index.html"), "Fixed")


def test_rebuild_with_the_same_plugin_instance_sees_edits(site):
    """As `mkdocs serve` does: one config (and plugin) object, several builds."""
    from mkdocs.commands.build import build

    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(strict=False)
    config = result.config
    site.plan("specs/a", MINIMAL_PLAN.replace("draft", "wip"))
    build(config)
    assert "&#34;wip&#34; is not a plan status" in result.html("specs/a/plan/index.html")
    site.plan("specs/a", MINIMAL_PLAN.replace("draft", "approved"))
    build(config)
    html = result.html("specs/a/plan/index.html")
    assert_rendered_plan(html, "Minimal")
    assert "specplan-status-approved" in html


def test_hand_written_plan_md_is_kept_and_reported(site):
    site.plan("specs/a", MINIMAL_PLAN)
    site.doc("specs/a/plan.md", "# My own plan\n")
    result = site.build()
    assert result.failed
    assert result.warnings == [
        "specplan: specs/a/plan.yaml: a hand-written specs/a/plan.md is beside it; the plan is not rendered "
        "and the hand-written page is kept. Rename or delete one of the two files"
    ]
    assert "My own plan" in result.html("specs/a/plan/index.html")


def test_sources_anywhere_and_plan_yml(site):
    site.doc("spec.md", "# Root spec\n")
    site.doc("plan.yml", MINIMAL_PLAN.replace("Minimal", "Root"))
    site.plan("deep/er/still", MINIMAL_PLAN.replace("Minimal", "Deep"))
    site.doc("other/myplan.yaml", MINIMAL_PLAN.replace("Minimal", "Ignored"))
    result = site.build()
    assert not result.failed, result.warnings
    assert_rendered_plan(result.html("plan/index.html"), "Root")
    assert_rendered_plan(result.html("deep/er/still/plan/index.html"), "Deep")
    assert result.exists("other/myplan.yaml")  # not a plan source: copied as any other file


def test_custom_source_patterns(site):
    site.doc("plans/alpha.plan.yaml", MINIMAL_PLAN)
    site.doc("plans/spec.md", "# Spec\n")
    result = site.build(plugins=[{"specplan": {"sources": ["plans/*.plan.yaml"]}}])
    assert not result.failed, result.warnings
    # a source not named plan.yaml still becomes plan.md beside it
    assert_rendered_plan(result.html("plans/plan/index.html"), "Minimal")


def test_specs_dir_outside_docs(site):
    site.write("specs/001-x/plan.yaml", MINIMAL_PLAN.replace("Minimal", "Outside"))
    site.write("specs/001-x/spec.md", "# Feature Specification: Outside\n\nSee the [plan](plan.md).\n")
    site.write("specs/001-x/contracts/openapi.yaml", "openapi: 3.1.0\n")
    result = site.build(
        plugins=[{"specplan": {"specs_dir": "specs", "specs_url": "features"}}],
        repo_url="https://example.com/org/repo",
        edit_uri="edit/main/docs/",
    )
    assert not result.failed, result.warnings
    html = result.html("features/001-x/plan/index.html")
    assert_rendered_plan(html, "Outside")
    assert "https://example.com/org/repo/edit/main/specs/001-x/plan.yaml" in html
    spec = result.html("features/001-x/spec/index.html")
    assert 'href="../plan/"' in spec
    assert result.exists("features/001-x/contracts/openapi.yaml")
    assert not result.exists("features/001-x/plan.yaml")


def test_problems_in_specs_dir_name_the_path_from_docs_dir(site):
    site.write("specs/001-x/plan.yaml", MINIMAL_PLAN + "oops: 1\n")
    site.write("specs/001-x/spec.md", "# Spec\n")
    result = site.build(plugins=[{"specplan": {"specs_dir": "specs"}}])
    assert result.failed
    assert result.warnings[0].startswith("specplan: ../specs/001-x/plan.yaml:5:1: oops: unknown key")


@pytest.mark.parametrize("use_directory_urls,page", [(True, "specs/a/plan/index.html"), (False, "specs/a/plan.html")])
def test_directory_urls(site, use_directory_urls, page):
    site.plan("specs/a", MINIMAL_PLAN)
    site.doc("specs/a/spec.md", "# Spec\n\n[plan](plan.md)\n")
    result = site.build(use_directory_urls=use_directory_urls)
    assert not result.failed, result.warnings
    assert_rendered_plan(result.html(page), "Minimal")


def test_custom_template_relative_to_mkdocs_yml(site):
    site.write("overrides/plan.md.j2", "# Plan {{ plan.feature_id }}: {{ title }}\n\n{{ plan.status }}\n")
    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(plugins=[{"specplan": {"template": "overrides/plan.md.j2"}}])
    assert not result.failed, result.warnings
    assert re.search(r"<h1[^>]*>Plan 042: Minimal", result.html("specs/a/plan/index.html"))


def test_missing_template_is_a_config_error(site):
    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(plugins=[{"specplan": {"template": "nope.md.j2"}}])
    assert result.failed
    logged = "\n".join(result.warnings)
    assert "nope.md.j2" in logged and "isn't an existing file" in logged


def test_broken_template_is_a_clear_error(site):
    site.write("broken.md.j2", "# x\n{% for %}\n")
    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(plugins=[{"specplan": {"template": "broken.md.j2"}}])
    assert result.failed
    assert re.search(r"specplan: template .*broken.md.j2:2: ", "\n".join(result.warnings))


def test_template_runtime_error_is_reported_on_the_page(site):
    site.write("bad.md.j2", "# {{ plan.feature_name }}\n{{ 1 / 0 }}\n")
    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(strict=False, plugins=[{"specplan": {"template": "bad.md.j2"}}])
    assert not result.failed
    assert any("division by zero" in w for w in result.warnings)
    assert "could not be rendered" in result.html("specs/a/plan/index.html")


def test_configured_lists(site):
    site.plan("specs/a", MINIMAL_PLAN.replace("draft", "parked") + "risks:\n  - {title: T, probability: severe, impact: low}\n")
    result = site.build(plugins=[{"specplan": {"plan_statuses": ["parked"], "risk_levels": ["low", "severe"]}}])
    assert not result.failed, result.warnings
    html = result.html("specs/a/plan/index.html")
    assert 'specplan-level-severe specplan-sev-5">severe</span>' in html  # the highest level: the top of the scale
    assert 'specplan-level-low specplan-sev-1">low</span>' in html


def test_plugin_can_be_disabled(site):
    site.plan("specs/a", MINIMAL_PLAN)
    result = site.build(plugins=[{"specplan": {"enabled": False}}])
    assert not result.failed
    assert not result.exists("specs/a/plan/index.html")


def test_bad_option_is_a_config_error(site):
    result = site.build(plugins=[{"specplan": {"sprint_length": "ten"}}])
    assert result.failed
    assert "sprint_length" in "\n".join(result.warnings)


TIMELINE_PLAN = MINIMAL_PLAN + "phases:\n  - {name: A, effort: 1 w}\n  - {name: B, effort: 1 w}\n"


def test_build_date_sets_the_today_line(site):
    site.plan("specs/a", TIMELINE_PLAN)
    result = site.build(plugins=[{"specplan": {"build_date": "2026-03-09"}}])
    assert not result.failed, result.warnings
    assert 'class="specplan-gantt-today" data-date="2026-03-09"' in result.html("specs/a/plan/index.html")


def test_source_date_epoch(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772755200")  # 2026-03-06
    site.plan("specs/a", TIMELINE_PLAN)
    result = site.build()
    assert 'data-date="2026-03-06"' in result.html("specs/a/plan/index.html")


def test_bad_build_date_is_a_config_error(site):
    result = site.build(plugins=[{"specplan": {"build_date": "tomorrow"}}])
    assert result.failed
    assert "build_date: 'tomorrow' is not a date; expected YYYY-MM-DD" in "\n".join(result.warnings)


def test_timeline_can_be_turned_off(site):
    site.plan("specs/a", TIMELINE_PLAN)
    result = site.build(plugins=[{"specplan": {"timeline": False}}])
    html = result.html("specs/a/plan/index.html")
    assert "specplan-gantt" not in html and "Phase 1: A" in html


def test_cycle_fails_strict_and_the_page_still_renders(site):
    site.plan(
        "specs/a",
        MINIMAL_PLAN + "phases:\n  - {name: A, dependencies: [B], effort: 1 d}\n  - {name: B, dependencies: [A], effort: 1 d}\n",
    )
    result = site.build()
    assert result.failed
    assert len(result.warnings) == 1 and "in a cycle: Phase 1 → Phase 2 → Phase 1" in result.warnings[0]
    html = result.html("specs/a/plan/index.html")
    assert "in a cycle" in html and "specplan-gantt" not in html and "Phase 2: B" in html


def test_milestone_is_info_not_a_warning(site):
    site.plan("specs/a", MINIMAL_PLAN + "phases:\n  - {name: A, effort: 1 d}\n  - {name: Launch}\n")
    result = site.build()
    assert not result.failed and result.warnings == []
    assert any('Phase 2 "Launch" has no effort; it is drawn as a milestone' in m for m in result.infos)


def test_an_explicit_nav_is_never_reordered(site):
    site.doc("specs/001-a/spec.md", "# Feature Specification: A\n")
    site.doc("specs/001-a/tasks.md", "# Tasks\n\n- [ ] T001 one\n")
    site.plan("specs/001-a", MINIMAL_PLAN)
    nav = [{"Home": "index.md"}, {"A": [{"My tasks": "specs/001-a/tasks.md"}, {"The spec": "specs/001-a/spec.md"}]}]
    result = site.build(nav=nav, theme={"name": "mkdocs"})
    assert not result.failed, result.warnings
    html = result.html("index.html")
    assert html.index("My tasks") < html.index("The spec")  # as written, titles and order
    auto = site.build(theme={"name": "mkdocs"}).html("index.html")
    assert auto.index(">Spec<") < auto.index(">Plan<") < auto.index(">Tasks<")  # built from the folders: reading order
    assert "042 Minimal" in auto


def test_dirty_rebuild_skips_plan_pages_that_did_not_change(site):
    """mkdocs serve --dirty: a generated page counts as modified only when its content changed."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    for i in (1, 2):
        site.plan(f"specs/00{i}-x", MINIMAL_PLAN.replace('"042"', f'"00{i}"') + "phases:\n  - {name: A, effort: 1 w}\n")
        site.doc(f"specs/00{i}-x/data-model.md", "# Data Model\n")
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-02"}}]}
    site.build()
    config = load_config(config_file=str(site.root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=True)
    build(config)
    one, two = (site.root / f"site/specs/00{i}-x/plan/index.html" for i in (1, 2))
    os.utime(one, (1_000_000_000, 1_000_000_000))
    os.utime(two, (1_000_000_000, 1_000_000_000))
    plan = site.docs / "specs/002-x/plan.yaml"
    plan.write_text(plan.read_text().replace("effort: 1 w", "effort: 2 w"))
    build(config, dirty=True)
    config.plugins.on_shutdown()
    assert one.stat().st_mtime == 1_000_000_000  # unchanged: not written again
    assert two.stat().st_mtime > 1_000_000_000 and "2026-03-13" in two.read_text()
