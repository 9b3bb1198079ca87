"""Cross-links built into real sites: every href the plugin emits resolves."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import EXAMPLES, MINIMAL_PLAN

FEATURE_PLAN = (
    MINIMAL_PLAN
    + """\
plan_summary: Implements FR-001 and User Story 1.
data_model_description: Two tables.
api_contract_description: One REST API.
technical_decisions:
  - id: TD-1
    title: Storage
    options: [{name: A}, {name: B}]
    chosen: A
    rationale: Simple.
    constitution_reference: [Article II, Test-First]
phases:
  - name: Build
    goal: Ship SC-001
    effort: 1 w
  - name: Verify
    effort: 2 d
"""
)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path: Path) -> _Collect:
    parser = _Collect()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def assert_links_resolve(site_dir: Path, page: str) -> list[str]:
    """Every relative href in the page's content points at a file that exists, and at an id in it."""
    path = site_dir / page
    parsed = _parse(path)
    checked = []
    for href in parsed.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
            continue
        if parts.path:
            target = Path(posixpath.normpath(posixpath.join(str(path.parent), unquote(parts.path))))
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
        else:
            target = path
        assert target.exists(), f"{page}: {href} -> {target} does not exist"
        if parts.fragment and target.suffix == ".html":
            assert parts.fragment in _parse(target).ids, f"{page}: {href}: no #{parts.fragment} in {target}"
        checked.append(href)
    return checked


def write_feature(site, base: str) -> None:
    site.write(f"{base}/plan.yaml", FEATURE_PLAN)
    site.write(
        f"{base}/spec.md",
        "# Feature Specification: Minimal\n\n### User Story 1 - Do it (Priority: P1)\n\n- **FR-001**: System MUST work.\n- **FR-002**: System MUST be fast.\n\n- **SC-001**: Users are happy.\n",
    )
    site.write(f"{base}/data-model.md", "# Data model\n")
    site.write(f"{base}/research.md", "# Research\n")
    site.write(f"{base}/quickstart.md", "# Quickstart\n")
    site.write(
        f"{base}/tasks.md",
        "# Tasks\n\n## Phase 1: Build\n\n- [X] T001 one\n- [ ] T002 two\n\n## Phase 2: Verify\n\n- [x] T003 three\n",
    )
    site.write(f"{base}/contracts/api.md", "# API\n")
    site.write(f"{base}/contracts/openapi.yaml", "openapi: 3.1.0\n")
    site.write(f"{base}/contracts/events.graphql", "type A { id: ID! }\n")


@pytest.mark.parametrize("use_directory_urls", [True, False])
@pytest.mark.parametrize("where", ["docs", "specs_dir"])
def test_every_emitted_link_resolves(site, use_directory_urls, where):
    site.doc("constitution.md", (EXAMPLES / "constitution.md").read_text())
    plugin: dict = {}
    if where == "docs":
        write_feature(site, "docs/specs/001-min")
        prefix = "specs/001-min"
    else:
        write_feature(site, "specs/001-min")
        plugin = {"specs_dir": "specs", "specs_url": "features"}
        prefix = "features/001-min"
    result = site.build(
        plugins=[{"specplan": plugin}],
        use_directory_urls=use_directory_urls,
        validation={"links": {"anchors": "warn", "not_found": "warn", "unrecognized_links": "warn"}},
    )
    assert not result.failed, result.warnings
    assert result.warnings == []

    def page(name: str) -> str:
        return f"{prefix}/{name}/index.html" if use_directory_urls else f"{prefix}/{name}.html"

    plan_page = page("plan")
    html = result.html(plan_page)
    hrefs = assert_links_resolve(result.site_dir, plan_page)
    up = "../" if use_directory_urls else ""
    # header: the siblings that exist, and task progress
    for label, target in (
        ("Spec", "spec"),
        ("Data model", "data-model"),
        ("Research", "research"),
        ("Quickstart", "quickstart"),
        ("Tasks", "tasks"),
    ):
        href = f"{up}{target}/" if use_directory_urls else f"{target}.html"
        assert f'<a href="{href}">{label}</a>' in html, label
    assert '<a href="#specplan-contracts">Contracts</a>' in html
    assert re.search(r"<strong>Tasks</strong>: <a href=\"[^\"]*tasks[^\"]*\">2/3 done</a>", html)
    # data model and contracts
    assert re.search(r"<strong>See</strong>: <a href=\"[^\"]*data-model[^\"]*\">data-model.md</a>", html)
    for name in ("api.md", "events.graphql", "openapi.yaml"):
        assert f"<code>{name}</code></a>" in html
    assert f'href="{up}contracts/openapi.yaml"' in html and f'href="{up}contracts/events.graphql"' in html
    # constitution references link to the principles
    assert re.search(r'<a href="[^"]*constitution[^"]*#article-ii">Article II \(Operate What We Know\)</a>', html)
    assert re.search(r'<a href="[^"]*constitution[^"]*#article-iii">Article III \(Test-First\)</a>', html)
    # mentions link to the spec's anchors; the traceability table knows what is uncovered
    assert re.search(
        r'Implements <a[^>]* href="[^"]*spec[^"]*#fr-001"[^>]*>FR-001</a> and <a[^>]* href="[^"]*#us1"[^>]*>User Story 1</a>',
        html,
    )
    assert "3 of 4 requirements of" in html
    assert re.search(r"<strong>Uncovered</strong>: <a href=\"[^\"]*#fr-002\">FR-002</a>", html)
    assert re.search(
        r'<td><a href="[^"]*#sc-001">SC-001</a></td>\s*<td>Users are happy.</td>\s*<td><a href="#phase-1">Phase 1</a></td>', html
    )
    # per-phase task progress
    assert "<strong>Tasks</strong>: 1/2 done" in html and "<strong>Tasks</strong>: 1/1 done" in html
    assert any("#article-ii" in h for h in hrefs) and any("#fr-001" in h for h in hrefs)
    # the spec page: anchors and a backlink to its plan
    spec_page = page("spec")
    spec = result.html(spec_page)
    assert 'id="fr-001"' in spec and 'id="us1"' in spec and 'id="sc-001"' in spec
    assert re.search(
        r'<div class="specplan-backlink">Implementation plan: <a href="[^"]+">Minimal</a> <span class="specplan-badge specplan-status-draft">draft</span>'
        r' <span class="specplan-badge specplan-health-late">late[^<]*</span>'  # the plan, by today, is late: the spec says so
        r' · <a href="[^"]*tasks[^"]*">tasks 2/3 done</a> · requirements 3/4 covered</div>',
        spec,
    )
    # beside each requirement: where the plan covers it
    assert re.search(r'<span class="specplan-req-trace"> Planned: <a href="[^"]*plan[^"]*#phase-1">Phase 1</a></span>', spec)
    assert_links_resolve(result.site_dir, spec_page)


def test_missing_spec_is_one_warning(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN)
    result = site.build()
    assert result.failed
    assert result.warnings == [
        "specplan: specs/a/plan.yaml: no spec.md beside this plan; add the feature's spec, or set missing_links: ignore"
    ]


def test_missing_data_model_and_contracts_only_when_described(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN + "data_model_description: Tables.\napi_contract_description: REST.\n")
    site.doc("specs/a/spec.md", "# Spec\n")
    site.doc("specs/b/plan.yaml", MINIMAL_PLAN)
    site.doc("specs/b/spec.md", "# Spec\n")
    result = site.build()
    assert result.warnings == [
        "specplan: specs/a/plan.yaml:5:25: data_model_description: the plan describes a data model but there is no data-model.md beside it",
        "specplan: specs/a/plan.yaml:6:27: api_contract_description: the plan describes API contracts but there is no contracts/ folder beside it",
    ]
    html = result.html("specs/b/plan/index.html")
    assert "data-model.md" not in html and "contracts/" not in html
    # a draft shows the sections it has not written, so a reviewer sees the gaps
    assert '<details class="specplan-missing"><summary>Data Model: not written yet</summary>' in html  # folded
    shown = site.build(plugins=[{"specplan": {"show_missing_sections": False}}]).html("specs/b/plan/index.html")
    assert "Data Model: not written yet" not in shown and "API Contracts: not written yet" not in shown


def test_missing_links_ignore(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN + "data_model_description: Tables.\n")
    result = site.build(plugins=[{"specplan": {"missing_links": "ignore"}}])
    assert not result.failed and result.warnings == []


def test_unknown_requirement_and_principle_are_warnings(site):
    site.doc("constitution.md", (EXAMPLES / "constitution.md").read_text())
    site.doc("specs/a/spec.md", "# Spec\n\n- **FR-001**: one\n")
    site.doc(
        "specs/a/plan.yaml",
        MINIMAL_PLAN
        + """\
plan_summary: Does FR-001 and FR-007.
technical_decisions:
  - title: T
    constitution_reference: Article IX
""",
    )
    result = site.build()
    assert result.warnings == [
        "specplan: specs/a/plan.yaml:5:15: plan_summary: mentions FR-007, which spec.md does not define",
        'specplan: specs/a/plan.yaml:8:29: technical_decisions[0].constitution_reference: "Article IX" names no principle '
        "of constitution.md; its principles are: Article I (Library-First), Article II (Operate What We Know), Article III (Test-First), Article IV (PHI Protection)",
    ]


def test_article_names_come_from_the_constitution(site):
    site.doc(
        "about/constitution.md",
        "# C\n\n### Article I: Simplicity\n### Article II: Anti-Abstraction\n### Article III: Integration-First (NON-NEGOTIABLE)\n",
    )
    site.doc("specs/a/spec.md", "# Spec\n")
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN + "article_ii_name: Our own name\n")
    result = site.build()
    assert not result.failed, result.warnings
    html = result.html("specs/a/plan/index.html")
    assert "Adheres to Article I (Simplicity)" in html
    assert "Adheres to Article II (Our own name)" in html
    assert "Adheres to Article III (Integration-First)" in html
    assert 'id="article-iii"' in result.html("about/constitution/index.html")


def test_constitution_outside_docs_via_option(site):
    site.write(".specify/memory/constitution.md", (EXAMPLES / "constitution.md").read_text())
    site.doc("specs/a/spec.md", "# Spec\n")
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN + "technical_decisions:\n  - title: T\n    constitution_reference: II\n")
    result = site.build(
        plugins=[{"specplan": {"constitution": ".specify/memory/constitution.md"}}],
        validation={"links": {"anchors": "warn"}},
    )
    assert not result.failed, result.warnings
    assert 'id="article-ii"' in result.html("constitution/index.html")
    assert_links_resolve(result.site_dir, "specs/a/plan/index.html")
    assert "#article-ii" in result.html("specs/a/plan/index.html")


def test_sibling_names_are_configurable(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN + "data_model_description: Tables.\n")
    site.doc("specs/a/requirements.md", "# Requirements\n\n- **FR-001**: one\n")
    site.doc("specs/a/schema.md", "# Schema\n")
    result = site.build(plugins=[{"specplan": {"siblings": {"spec": "requirements.md", "data_model": "schema.md"}}}])
    assert not result.failed, result.warnings
    html = result.html("specs/a/plan/index.html")
    assert '<a href="../requirements/">Spec</a>' in html and '<a href="../schema/">schema.md</a>' in html
    assert "specplan-backlink" in result.html("specs/a/requirements/index.html")


def test_backlink_can_be_turned_off(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN)
    site.doc("specs/a/spec.md", "# Spec\n")
    result = site.build(plugins=[{"specplan": {"backlink": False}}])
    assert "specplan-backlink" not in result.html("specs/a/spec/index.html")


def test_backlink_keeps_the_spec_title(site):
    site.doc("specs/a/plan.yaml", MINIMAL_PLAN)
    site.doc("specs/a/spec.md", "---\ntags: [x]\n---\n# Feature Specification: A\n\nBody\n")
    result = site.build(plugins=[{"specplan": {"nav_titles": "document"}}])
    html = result.html("specs/a/spec/index.html")
    assert "<title>Feature Specification: A - Test</title>" in html
    assert html.index("Feature Specification: A</h1>") < html.index("specplan-backlink")
    # by default the navigation's titles are short (the page keeps its heading)
    short = site.build().html("specs/a/spec/index.html")
    assert "<title>Spec - Test</title>" in short and "Feature Specification: A</h1>" in short


def test_a_configured_constitutions_relative_links_are_rebased(site):
    """spec-kit's .specify/memory/constitution.md links to the specs and the docs as the repository
    lays them out; published as constitution.md, its links lead to the same pages, and a strict
    build passes."""
    site.write(
        ".specify/memory/constitution.md",
        "# Constitution\n\n### I. Tests First\n\nSee [the spec](../../specs/001-a/spec.md#fr-001), "
        "[the guide](../../docs/guide.md) and [home](../../docs/index.md).\n",
    )
    site.write("specs/001-a/spec.md", "# Feature Specification: A\n\n- **FR-001**: MUST.\n")
    site.doc("guide.md", "# Guide\n")
    result = site.build(
        plugins=[{"specplan": {"constitution": ".specify/memory/constitution.md", "specs_dir": "specs"}}],
        validation={"links": {"anchors": "warn"}},
    )
    assert not result.failed, result.warnings
    html = result.html("constitution/index.html")
    hrefs = re.findall(r'<a href="([^"]+)">(the spec|the guide|home)</a>', html)
    assert hrefs == [("../specs/001-a/spec/#fr-001", "the spec"), ("../guide/", "the guide"), ("../", "home")], hrefs
    assert_links_resolve(result.site_dir, "constitution/index.html")
