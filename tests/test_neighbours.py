"""Beside the plugins real sites run, and under other builders: each test builds a small site with
the neighbour and checks both the plan pages and the neighbour's own feature on them. A test is
skipped when its neighbour is not installed (the test extra installs them all)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree

import pytest
import yaml

from .conftest import ROOT, Site, command, git

PLAN = """\
feature_name: Payments export
feature_id: "001"
created_date: 2026-03-02
status: approved
tags: [payments, q1]
description: How payments reach the ledger
hide: [toc]
meta:
  search:
    boost: 2
plan_summary: |
  Count rows with `${#rows[@]}`; {{ config.site_name }} stays as written.
phases:
  - {name: Build, effort: 1 w}
  - {name: Launch, effort: 2 d}
"""
TASKS = "# Tasks\n\n- [ ] T001 [P] [US1] Build the export (FR-001)\n- [X] T002 [US1] Write the contract\n"


def needs(module: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(module) is None, reason=f"{module} is not installed")


def make(site: Site, plugins: list, **config) -> Site:
    site.plan("specs/001-payments", PLAN, spec="# Feature Specification: Payments\n\n- **FR-001**: System MUST export.\n")
    site.doc("specs/001-payments/data-model.md", "# Data Model\n")
    site.doc("specs/001-payments/tasks.md", TASKS)
    site.doc("index.md", "# Home\n\nThe [payments plan](specs/001-payments/plan.md).\n")
    site.config = {
        "site_name": "Neighbours",
        "site_url": "https://example.com/",
        "theme": {"name": "material"},
        "plugins": ["search", *plugins, {"specplan": {"build_date": "2026-03-10"}}],
        **config,
    }
    return site


def plan_page(result) -> str:
    html = result.html("specs/001-payments/plan/index.html")
    assert "specplan-gantt" in html and "Payments export" in html
    return html


# -- page metadata --------------------------------------------------------------------------------
def test_tags_description_hide_and_meta_reach_the_page(site):
    result = make(site, ["tags"]).build()
    assert not result.failed, result.warnings
    html = plan_page(result)
    assert '<meta name="description" content="How payments reach the ledger">' in html
    assert re.search(r'class="md-tag[^"]*">payments</span>', html)
    assert re.search(r'class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" data-md-type="toc" hidden', html)
    index = json.loads(result.html("search/search_index.json"))
    entry = next(d for d in index["docs"] if d["location"] == "specs/001-payments/plan/")
    assert entry.get("boost") == 2


# -- one neighbour each ---------------------------------------------------------------------------
@needs("mkdocs_macros")
def test_macros_leave_plan_text_alone(site):
    result = make(site, ["macros"]).build()
    assert not result.failed, result.warnings
    html = plan_page(result)
    assert "${#rows[@]}" in html and "{{ config.site_name }}" in html


@needs("mkdocs_redirects")
def test_redirects_to_a_plan_page_and_the_dashboard(site):
    redirects = {"redirects": {"redirect_maps": {"old-plan.md": "specs/001-payments/plan.md", "status.md": "plans/index.md"}}}
    result = make(site, [redirects]).build()
    assert not result.failed, result.warnings
    assert "specs/001-payments/plan/" in result.html("old-plan/index.html")
    assert "plans/" in result.html("status/index.html")


def build_here(site: Site, python: str = sys.executable) -> None:
    """``mkdocs build --strict`` in the site's folder, as a user runs it (plugins that run git need that)."""
    (site.root / "mkdocs.yml").write_text(yaml.safe_dump(site.config, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    done = subprocess.run(
        [python, "-m", "mkdocs", "build", "--strict"], cwd=site.root, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def rss_python(tmp_path_factory) -> str:
    """A Python with mkdocs-rss-plugin and this package. It has a virtual environment of its own:
    mkdocs-rss-plugin requires GitPython < 3.2 and git-revision-date-localized 1.7 GitPython >= 3.2.1."""
    folder = tmp_path_factory.mktemp("rss-venv")
    python = folder / "bin" / "python"
    steps = [
        [sys.executable, "-m", "venv", str(folder)],
        [str(python), "-m", "pip", "install", "-q", "mkdocs-rss-plugin>=1.15", "mkdocs-material>=9.5,<10", "-e", str(ROOT)],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            message = f"cannot install mkdocs-rss-plugin: {done.stderr[-1000:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return str(python)


def test_rss_lists_plan_pages_with_their_plans_dates(site, rss_python):
    make(site, ["rss"])
    plan = site.docs / "specs/001-payments/plan.yaml"
    plan.rename(site.root / "plan.yaml.later")
    (site.root / ".gitignore").write_text("site/\nplan.yaml.later\n")
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "everything but the plan", date="2026-01-10")
    (site.root / "plan.yaml.later").rename(plan)
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "the plan", date="2026-02-01")
    build_here(site, python=rss_python)
    feed = ElementTree.parse(site.root / "site/feed_rss_created.xml")
    dates = {item.findtext("link"): item.findtext("pubDate") for item in feed.iter("item")}
    plan_item = next(link for link in dates if link.endswith("specs/001-payments/plan/"))
    assert "01 Feb 2026" in dates[plan_item]  # the plan's own first commit
    spec_item = next(link for link in dates if link.endswith("specs/001-payments/spec/"))
    assert "10 Jan 2026" in dates[spec_item]  # negative control: another page, another date


@needs("mkdocs_git_revision_date_localized_plugin")
def test_git_revision_date_is_the_plans_own(site):
    make(site, [{"git-revision-date-localized": {"type": "iso_date"}}])
    site.config["plugins"][-1]["specplan"]["history"] = False  # no other source of commit dates on the page
    site.build(strict=False)  # writes mkdocs.yml
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first", date="2026-01-05")
    (site.docs / "specs/001-payments/plan.yaml").write_text(PLAN.replace("1 w", "2 w"))
    git(site.root, "commit", "-q", "-am", "plan changed", date="2026-02-20")
    (site.docs / "index.md").write_text("# Home\n\nChanged later.\n")
    git(site.root, "commit", "-q", "-am", "home", date="2026-03-01")
    result = site.build()
    assert not result.failed, result.warnings

    def revision_date(html: str) -> str:
        found = re.search(r'git-revision-date-localized-plugin-iso_date"[^>]*>([^<]*)<', html)
        assert found, "no revision date on the page"
        return found.group(1)

    assert revision_date(plan_page(result)) == "2026-02-20"  # the plan's last change, not the build's time
    assert revision_date(result.html("plans/index.html")) == "2026-02-20"  # the newest plan's
    assert revision_date(result.html("index.html")) == "2026-03-01"  # negative control: another page, its own date


@needs("mkdocs_static_i18n")
def test_i18n_builds_every_language_with_plan_pages(site):
    languages = [{"locale": "en", "default": True, "name": "English"}, {"locale": "fr", "name": "Français"}]
    result = make(site, [{"i18n": {"languages": languages}}]).build()
    assert not result.failed, result.warnings
    plan_page(result)
    french = result.html("fr/specs/001-payments/plan/index.html")
    assert "specplan-gantt" in french  # the plan page, in the default language's words
    assert "specplan-gantt" in result.html("fr/plans/index.html")


@needs("mkdocs_include_markdown_plugin")
def test_include_markdown_beside_plan_pages(site):
    make(site, ["include-markdown"])
    site.doc("overview.md", '# Overview\n\n{%\n  include-markdown "specs/001-payments/spec.md"\n%}\n')
    site.config["nav"] = ["index.md", "overview.md", {"Payments": "specs/001-payments/plan.md"}]
    result = site.build()
    assert not result.failed, result.warnings
    plan_page(result)
    assert "System MUST export" in result.html("overview/index.html")


@needs("mkdocs_autorefs")
def test_autorefs_never_reads_task_labels(site):
    result = make(site, ["autorefs"]).build()
    assert not result.failed, result.warnings
    tasks = result.html("specs/001-payments/tasks/index.html")
    assert "[P] [US1] Build the export" in tasks


@needs("mkdocs_awesome_nav")
def test_awesome_nav_places_plan_pages(site):
    make(site, ["awesome-nav"])
    site.doc(".nav.yml", "nav:\n  - index.md\n  - Payments plan: specs/001-payments/plan.md\n  - specs\n")
    result = site.build()
    assert not result.failed, result.warnings
    html = plan_page(result)
    assert "Payments plan" in html


@needs("mkdocs_literate_nav")
def test_literate_nav_places_plan_pages(site):
    make(site, [{"literate-nav": {"nav_file": "SUMMARY.md"}}])
    site.doc("SUMMARY.md", "* [Home](index.md)\n* [Payments plan](specs/001-payments/plan.md)\n* [Plans](plans/index.md)\n")
    result = site.build()
    assert not result.failed, result.warnings
    assert "Payments plan" in plan_page(result)


# -- exclude_docs, draft_docs, not_in_nav ---------------------------------------------------------
def test_exclude_docs_removes_the_plan_but_keeps_the_feature(site):
    make(site, [], exclude_docs="specs/001-payments/plan.yaml\n")
    site.doc("index.md", "# Home\n")
    result = site.build()
    assert not result.failed, result.warnings
    assert not result.exists("specs/001-payments/plan/index.html")
    data = json.loads(result.html("plans/plans.json"))
    assert data["plans"] == [] and [f["folder"] for f in data["features"]] == ["specs/001-payments"]
    assert "specs/001-payments/plan/" not in result.html("plans/index.html")


def test_draft_docs_only_in_serve(site):
    make(site, [], draft_docs="specs/001-payments/plan.yaml\n")
    site.doc("index.md", "# Home\n")
    result = site.build()
    assert not result.failed, result.warnings
    assert not result.exists("specs/001-payments/plan/index.html")
    assert json.loads(result.html("plans/plans.json"))["plans"] == []


def test_not_in_nav_keeps_the_page_out_of_the_nav(site):
    # a page left out of an explicit nav is a warning here (MkDocs' default is a note), so a plan
    # page that lost its not_in_nav fails the strict build
    validation = {"nav": {"omitted_files": "warn"}}
    make(site, [], not_in_nav="specs/001-payments/plan.yaml\n", validation=validation)
    site.config["nav"] = ["index.md", "plans/index.md", {"Spec": "specs/001-payments/spec.md"}]
    site.config["nav"].append({"Tasks": "specs/001-payments/tasks.md"})
    site.config["nav"].append({"Data model": "specs/001-payments/data-model.md"})
    result = site.build()
    assert not result.failed, result.warnings
    html = plan_page(result)
    assert 'href="../plan/"' not in result.html("index.html")  # not in the nav (Material's nav links)
    assert "Payments export" in html
    # negative control: the same site without not_in_nav fails on the omitted plan page
    del site.config["not_in_nav"]
    omitted = site.build()
    assert omitted.failed and any("specs/001-payments/plan.md" in w for w in omitted.warnings)


# -- other builders -------------------------------------------------------------------------------
@needs("properdocs")
def test_properdocs_builds_the_same_site(site, tmp_path):
    make(site, [])
    site.build()  # writes mkdocs.yml
    out = tmp_path / "properdocs-site"
    done = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(site.root / "mkdocs.yml"), "-d", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "specplan-gantt" in (out / "specs/001-payments/plan/index.html").read_text()
    assert "specplan-gantt" in (out / "plans/index.html").read_text()


@needs("zensical")
def test_zensical_builds_plan_pages_timelines_and_the_dashboard(site):
    make(site, [])
    site.config["markdown_extensions"] = [
        "attr_list",
        "tables",
        "admonition",
        {"toc": {"permalink": True}},
        "mkdocs_specplan.adapters.standalone.extension",
    ]
    site.config["extra_css"] = ["assets/specplan/specplan.css"]
    site.build()  # writes mkdocs.yml (and checks MkDocs builds it too)
    shutil.rmtree(site.root / "site")
    specplan = command("specplan")
    built = subprocess.run([specplan, "build"], cwd=site.root, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    stub = (site.docs / "specs/001-payments/plan.md").read_text()
    meta = yaml.safe_load(stub.split("---\n")[1])
    assert meta["tags"] == ["payments", "q1"] and meta["render_macros"] is False  # the plan's page keys
    zensical = command("zensical")
    done = subprocess.run([zensical, "build"], cwd=site.root, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    page = (site.root / "site/specs/001-payments/plan/index.html").read_text()
    assert "Implementation Plan: Payments export" in page
    assert 'class="specplan-gantt specplan-gantt--wide"' in page and 'data-phase="1"' in page
    assert "${#rows[@]}" in page
    dashboard = (site.root / "site/plans/index.html").read_text()
    assert "Portfolio timeline" in dashboard and "../specs/001-payments/plan/" in dashboard
    data = json.loads((site.root / "site/plans/plans.json").read_text())
    assert [p["feature_id"] for p in data["plans"]] == ["001"]
    # the same repository still builds with MkDocs, the stubs taken for the plugin's own pages
    result = site.build()
    assert not result.failed, result.warnings
    assert "specplan-gantt" in result.html("specs/001-payments/plan/index.html")


def test_specplan_build_copies_specs_dir_and_mkdocs_still_builds(site):
    make(site, [])
    site.write("specs/002-intake/plan.yaml", PLAN.replace('"001"', '"002"').replace("Payments export", "Intake"))
    site.write("specs/002-intake/spec.md", "# Feature Specification: Intake\n")
    site.write("specs/002-intake/data-model.md", "# Data Model\n")
    site.config["plugins"][-1]["specplan"].update(specs_dir="specs", specs_url="features")
    site.build()  # writes mkdocs.yml
    specplan = command("specplan")
    done = subprocess.run([specplan, "build"], cwd=site.root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site.docs / "features/002-intake/plan.yaml").is_file() and (site.docs / "features/002-intake/plan.md").is_file()
    written = json.loads((site.docs / ".specplan/outputs.json").read_text())["files"]
    assert sorted(u for u in written if u.startswith("features/")) == [
        "features/002-intake/data-model.md",
        "features/002-intake/plan.md",
        "features/002-intake/plan.yaml",
        "features/002-intake/spec.md",
    ]
    result = site.build()  # the copies, stubs, JSON and stylesheet are the plugin's own again
    assert not result.failed, result.warnings
    assert "specplan-gantt" in result.html("features/002-intake/plan/index.html")
    (site.root / "specs/002-intake/spec.md").unlink()
    subprocess.run([specplan, "build"], cwd=site.root, capture_output=True, text=True, check=False)
    assert not (site.docs / "features/002-intake/spec.md").exists()  # a copy whose source is gone is removed
