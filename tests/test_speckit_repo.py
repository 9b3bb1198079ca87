"""A spec-kit repository as real teams keep it, published through specs_dir with no plan.yaml needed.

The fixture under tests/fixtures/speckit-repo mixes the current and the old spec-kit templates,
several authors' styles, a Windows-1252 spec and two folders with the same number. Every figure
asserted here was counted by hand from its files.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from .conftest import FIXTURES, Site
from .test_links import assert_links_resolve

REPO = FIXTURES / "speckit-repo"
PLUGIN = {"specs_dir": "specs", "constitution": ".specify/memory/constitution.md", "build_date": "2025-11-01"}
STRICT_LINKS = {"links": {"anchors": "warn", "not_found": "warn", "unrecognized_links": "warn"}}
ENCODING_WARNING = "specplan: ../specs/003-search/spec.md: is not UTF-8; it was read as Windows-1252. Save it as UTF-8"


@pytest.fixture
def repo(tmp_path) -> Site:
    shutil.copytree(REPO, tmp_path, dirs_exist_ok=True)
    return Site(tmp_path)


def build(repo: Site, strict: bool = False, **plugin):
    return repo.build(strict=strict, plugins=[{"specplan": {**PLUGIN, **plugin}}], validation=STRICT_LINKS)


def test_only_real_mistakes_are_warned(repo):
    result = build(repo)
    assert not result.failed
    assert result.warnings == [ENCODING_WARNING]
    assert (
        "specplan: ../specs/003-search: feature ID 003 is used by 2 folders: ../specs/003-search, ../specs/003-search-v2"
        in result.infos
    )
    assert any("mentions FR-011-002, defined in specs/002-legacy-sync/spec.md; linked there" in i for i in result.infos)
    # saved as UTF-8, the repository builds strictly with every anchor validated
    text = (repo.root / "specs/003-search/spec.md").read_bytes().decode("cp1252")
    (repo.root / "specs/003-search/spec.md").write_text(text, encoding="utf-8")
    strict = build(repo, strict=True)
    assert not strict.failed, strict.warnings
    assert strict.warnings == []


def test_every_feature_in_the_json_with_hand_counted_figures(repo):
    data = json.loads(build(repo).html("plans/plans.json"))
    features = {f["folder"]: f for f in data["features"]}
    assert [f["id"] for f in data["features"]] == ["001", "002", "003", "003", "004", "20260319-143022"]
    albums = features["../specs/001-photo-albums"]
    assert albums == {
        "id": "001",
        "name": "Photo Albums",
        "folder": "../specs/001-photo-albums",
        "url": "specs/001-photo-albums/spec/",
        "plan": "markdown",
        "stage": "implementing",
        "spec_status": "Draft",
        "documents": ["spec", "plan", "research", "data_model", "quickstart", "contracts", "tasks", "checklists"],
        "tasks": {"done": 6, "total": 10},  # T002's sub-items, the code block and the validation checklist are not tasks
        "requirements": {"total": 8, "covered": 5, "uncovered": ["FR-002", "SC-001", "SC-002"]},
        "clarifications": 1,
        "checklists": {"done": 3, "total": 5},
    }
    legacy = features["../specs/002-legacy-sync"]
    assert legacy["tasks"] == {"done": 5, "total": 7}  # Phase 3.1-3.4; the validation checklist apart
    assert legacy["spec_status"] == "Approved"
    # FR-999 sits in a code block; FR-011-002 is mentioned only by another feature's plan
    assert legacy["requirements"] == {"total": 4, "covered": 3, "uncovered": ["FR-011-002"]}
    search = features["../specs/003-search"]
    assert (search["name"], search["stage"], search["plan"], search["tasks"]) == ("Búsqueda de álbumes", "specified", None, None)
    assert search["requirements"] == {"total": 2, "covered": 0, "uncovered": ["FR-001", "FR-002"]}
    offline = features["../specs/20260319-143022-offline-mode"]
    assert (offline["name"], offline["stage"], offline["tasks"]) == ("Offline Mode", "tasks ready", {"done": 0, "total": 2})
    assert offline["requirements"] == {"total": 2, "covered": 1, "uncovered": ["FR-001"]}
    billing = features["../specs/004-billing-yaml"]
    assert (billing["plan"], billing["stage"], billing["tasks"]) == ("yaml", "in-progress", {"done": 1, "total": 2})
    assert billing["requirements"] == {"total": 3, "covered": 3, "uncovered": []}
    assert data["summary"]["features"] == 6
    assert data["summary"]["features_by_stage"] == {"specified": 2, "tasks ready": 1, "implementing": 2, "in-progress": 1}


def test_dashboard_lists_features_and_their_quality(repo):
    html = build(repo).html("plans/index.html")
    table = html[html.index('<h2 id="features"') : html.index('<h2 id="portfolio-timeline"')]
    assert table.count("<tr>") == 7  # the header and six features
    assert ">001 Photo Albums</a>" in table and ">003 Búsqueda de álbumes</a>" in table
    assert "5/8 covered" in table and "checklists 3/5" in table
    quality = html[html.index('<h2 id="data-quality"') :]
    assert "Feature IDs used by more than one folder" in quality and "../specs/003-search, ../specs/003-search-v2" in quality
    assert "Tasks files without checkboxes" in quality and "2 tasks without checkboxes, counted as not done" in quality
    assert re.search(r'>FR-002</a>, <a href="[^"]*#sc-001">SC-001</a>, <a href="[^"]*#sc-002">SC-002</a>', quality)


def test_spec_pages_are_anchored_and_traced(repo):
    result = build(repo)
    spec = result.html("specs/001-photo-albums/spec/index.html")
    for anchor in ("us1", "us2", "fr-001", "fr-001a", "fr-002", "fr-003", "sc-001", "sc-002"):
        assert f'id="{anchor}"' in spec, anchor
    assert (
        '<div class="specplan-backlink">Implementation plan: <a href="../plan/">Plan</a> '
        '<span class="specplan-badge specplan-stage specplan-status-implementing">implementing</span>'
        ' · <a href="../tasks/">tasks 6/10 done</a> · requirements 5/8 covered</div>'
    ) in spec
    assert (
        '<span class="specplan-req-trace"> Planned: <a href="../plan/">Plan</a> · Tasks: <a href="../tasks/#t006">T006</a></span>'
        in spec
    )
    # links written for the repository reach the published pages
    assert '<a href="../../../constitution/#article-iii">constitution</a>' in spec
    assert '<a href="../../../guide/">contributor guide</a>' in spec
    for page in (
        "specs/001-photo-albums/spec/index.html",
        "specs/001-photo-albums/plan/index.html",
        "specs/001-photo-albums/tasks/index.html",
        "specs/002-legacy-sync/spec/index.html",
        "specs/004-billing-yaml/plan/index.html",
        "plans/index.html",
    ):
        assert_links_resolve(result.site_dir, page)
    legacy = result.html("specs/002-legacy-sync/spec/index.html")
    assert 'id="fr-011-001"' in legacy and 'id="nfr-sec-001"' in legacy and 'id="fr-999"' not in legacy
    assert "<code>Vec&lt;u8&gt;</code>" in legacy
    tasks = result.html("specs/001-photo-albums/tasks/index.html")
    assert 'id="t006"' in tasks and 'id="t999"' not in tasks


def test_hand_written_plan_gets_links_and_a_note(repo):
    plan = build(repo).html("specs/001-photo-albums/plan/index.html")
    assert (
        '<div class="specplan-backlink">Feature 001 <span class="specplan-badge specplan-stage specplan-status-implementing">implementing</span>'
        in plan
    )
    assert '<a class="specplan-mention" href="../spec/#fr-001a">FR-001a</a>' in plan
    assert '<a class="specplan-mention" href="../spec/#us2">User Story 2</a>' in plan
    assert '<h2 id="technical-context">Technical Context</h2>' in plan  # the page is kept as written


def test_cross_feature_mention_links_to_the_defining_spec(repo):
    result = build(repo)
    plan = result.html("specs/004-billing-yaml/plan/index.html")
    assert 'href="../../002-legacy-sync/spec/#fr-011-002">FR-011-002</a>' in plan
    legacy = result.html("specs/002-legacy-sync/spec/index.html")
    assert 'Planned: <a href="../../004-billing-yaml/plan/">004 Executive Summary</a>' in legacy


def test_every_principle_in_the_checklist_and_groups_anchored(repo):
    result = build(repo)
    plan = result.html("specs/004-billing-yaml/plan/index.html")
    checklist = plan[plan.index('id="constitutional-compliance"') : plan.index('id="technical-quality"')]
    names = [
        "Library-First",
        "CLI Interface",
        "Test-First",
        "Integration Testing",
        "Observability",
        "Least Privilege",
        "Encrypt at Rest",
    ]
    for name in names:
        assert f"({name})" in checklist, name
    assert "Amendments" not in checklist  # governance is not a principle
    assert 'data-check="security_ii"' in checklist and checklist.count("specplan-check--done") == 2
    constitution = result.html("constitution/index.html")
    for anchor in ("article-i", "article-v", "security-i", "security-ii"):
        assert f'id="{anchor}"' in constitution
    assert '<a href="../../../constitution/#security-ii">Security II (Encrypt at Rest)</a>' in plan


def test_the_windows_1252_spec_is_published_decoded(repo):
    html = build(repo).html("specs/003-search/spec/index.html")
    assert "Búsqueda de álbumes" in html and "“relevantes”" in html


def test_a_repository_without_any_plan_yaml(repo):
    shutil.rmtree(repo.root / "specs/004-billing-yaml")
    result = build(repo)
    html = result.html("plans/index.html")
    assert "No plans yet" not in html
    assert '<div class="specplan-card-figure"><a href="#specplan-features">5</a></div><div>features</div>' in html
    data = json.loads(result.html("plans/plans.json"))
    assert data["plans"] == [] and len(data["features"]) == 5


def test_configured_constitution_wins_over_one_in_docs(repo):
    repo.doc("constitution.md", "# Old constitution\n\n### I. Old principle\n")
    result = build(repo)
    assert (
        "specplan: constitution.md: is replaced by the configured constitution ../.specify/memory/constitution.md, which is published under the same name; rename one of them"
        in result.warnings
    )
    assert "Photoshare Constitution" in result.html("constitution/index.html")
