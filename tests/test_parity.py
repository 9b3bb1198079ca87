"""One repository, two builders: ``mkdocs build`` with the plugin, and ``specplan build && zensical
build``, give the same pages and the same JSON.

The fixture (tests/fixtures/parity) has a feature in docs_dir with contracts, two features in
specs_dir (one spec in Windows-1252, one plan of hostile text with a bad effort, a spec whose links
leave specs_dir), a configured constitution outside docs_dir, and a dashboard grouped by stage.
The article of every plan page, dashboard page, spec, tasks page and the constitution is compared
(its text, and every id, link and source in it), then plans.json byte for byte, then the problems
each builder reports.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, Article, BuildResult, _Collect, zensical_build

PARITY = FIXTURES / "parity"
PAGES = [
    "specs/001-alpha/plan/index.html",
    "specs/001-alpha/spec/index.html",
    "specs/001-alpha/tasks/index.html",
    "specs/001-alpha/data-model/index.html",
    "features/002-beta/plan/index.html",
    "features/002-beta/spec/index.html",
    "features/002-beta/tasks/index.html",
    "features/003-gamma/spec/index.html",
    "constitution/index.html",
    "plans/index.html",
    "plans/features-approved/index.html",
    "plans/features-in-progress/index.html",
    "plans/features-specified/index.html",
    "index.html",
]

pytestmark = pytest.mark.skipif(
    shutil.which("zensical", path=str(Path(sys.executable).parent)) is None, reason="zensical is not installed"
)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[BuildResult, object]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = tmp_path_factory.mktemp("parity")
    shutil.copytree(PARITY, root / "mkdocs", dirs_exist_ok=True)
    shutil.copytree(PARITY, root / "zensical", dirs_exist_ok=True)
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(config_file=str(root / "mkdocs" / "mkdocs.yml"))
        build(config)
    finally:
        logger.removeHandler(handler)
    mkdocs = BuildResult(root / "mkdocs" / "site", handler.records, None, config)
    zensical = zensical_build(root / "zensical")
    assert zensical.zensical.returncode == 0, zensical.zensical.stdout[-3000:] + zensical.zensical.stderr[-3000:]
    return mkdocs, zensical


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_and_links_the_same(builds, page):
    mkdocs, zensical = builds
    text, items = Article.of(mkdocs.html(page))
    other_text, other_items = Article.of(zensical.html(page))
    assert other_text == text
    assert other_items == items


def test_the_json_is_the_same(builds):
    mkdocs, zensical = builds
    assert (zensical.site_dir / "plans/plans.json").read_bytes() == (mkdocs.site_dir / "plans/plans.json").read_bytes()
    data = json.loads(mkdocs.html("plans/plans.json"))
    contracts = next(p for p in data["plans"] if p["feature_id"] == "001")
    assert "contracts" in json.dumps(contracts) and "openapi.yaml" in json.dumps(contracts)  # raw contract files too


def test_the_same_problems_are_reported(builds):
    mkdocs, zensical = builds
    root = Path(mkdocs.config.config_file_path).parent  # type: ignore[attr-defined]
    docs = root / "docs"
    ours = sorted(w.removeprefix("specplan: ") for w in mkdocs.warnings if w.startswith("specplan: "))
    theirs = []
    for p in zensical.warnings:  # paths from the site's folder: as MkDocs names them, from docs_dir
        path = (root.parent / "zensical" / p["path"]).resolve().relative_to(root.parent / "zensical")
        shown = Path("..", path).as_posix() if not path.as_posix().startswith("docs/") else path.as_posix()[5:]
        where = ":".join(str(x) for x in (shown, p["line"], p["column"]) if x is not None)
        theirs.append(f"{where}: {p['field']}: {p['message']}" if p["field"] else f"{where}: {p['message']}")
    assert sorted(theirs) == ours
    assert any("is not UTF-8; it was read as Windows-1252" in w for w in ours) and any("2 wekes" in w for w in ours)
    assert docs.is_dir()


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_hostile_plan_text_is_inert_on_both(builds, builder):
    mkdocs, zensical = builds
    result = mkdocs if builder == "mkdocs" else zensical
    text, items = Article.of(result.html("features/002-beta/plan/index.html"))
    hrefs = [value for name, value in items if name in ("href", "src")]
    assert not any(h.strip().lower().startswith(("javascript:", "data:")) for h in hrefs), hrefs
    assert "mailto:a@example.com" in hrefs  # a safe link stays
    assert not any(name.startswith("on") for name, _ in items)
    assert "<script>alert(1)</script>" in text and "Beta <b>import</b> & co" in text  # shown as written


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_specs_pages_link_out_of_specs_dir_to_the_published_pages(builds, builder):
    mkdocs, zensical = builds
    result = mkdocs if builder == "mkdocs" else zensical
    _, items = Article.of(result.html("features/003-gamma/spec/index.html"))
    hrefs = [value for name, value in items if name == "href"]
    assert "../../../constitution/" in hrefs and "../../../" in hrefs  # from features/003-gamma/spec/
    spec = result.html("features/002-beta/spec/index.html")
    assert "café" in spec and "“quoted”" in spec  # decoded, not mojibake
    assert 'id="fr-003"' in spec


def test_zensical_checks_the_links_of_generated_pages(tmp_path):
    """A broken link in a plan's Markdown field: Zensical reports it at the generated page's line."""
    shutil.copytree(PARITY, tmp_path, dirs_exist_ok=True)
    plan = tmp_path / "docs/specs/001-alpha/plan.yaml"
    plan.write_text(plan.read_text().replace("named by month (FR-002).", "named by month (FR-002), see [gone](gone.md)."))
    result = zensical_build(tmp_path)
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.zensical.stdout + result.zensical.stderr)
    assert "specs/001-alpha/plan.md" in output and "(gone.md)" in output  # the page's own link, checked
    assert "page does not exist" in output


_SPEC = """# Feature Specification: A

## Requirements

- **FR-001**: System MUST do one thing.
- **FR-002**: System MUST do another thing.
"""
_PLAN = """feature_name: A
feature_id: "001"
created_date: 2026-03-02
status: in-progress
start_date: 2026-03-02
phases:
  - {name: Build, effort: 1 w, goal: Covers FR-001}
"""
_CONFIG = """site_name: T
extra_css: [assets/specplan/specplan.css]
markdown_extensions: [attr_list, tables, toc, mkdocs_specplan.extension]
plugins:
  - specplan:
      build_date: 2026-03-04
"""


def _covered(root: Path) -> str:
    html = (root / "site/specs/001-a/spec/index.html").read_text(encoding="utf-8")
    found = re.search(r"requirements (\d/\d) covered", html)
    assert found, html[-2000:]
    return found.group(1)


@pytest.mark.parametrize("forget", [True, False])
def test_a_page_whose_annotations_changed_is_rendered_again_from_zensicals_cache(tmp_path, monkeypatch, forget):
    """Zensical keeps each page as it rendered it, known by its text: after a plan covers one more
    requirement, its spec's text is the same but its note and traces are not. specplan build takes
    that page out of Zensical's cache, so the next zensical build shows what a fresh build shows
    (negative control: without it, the page stays as it was)."""
    import subprocess

    from mkdocs_specplan.adapters.standalone import build as standalone
    from mkdocs_specplan.cli.main import main

    from .conftest import command

    (tmp_path / "docs/specs/001-a").mkdir(parents=True)
    (tmp_path / "docs/index.md").write_text("# Home\n")
    (tmp_path / "docs/specs/001-a/spec.md").write_text(_SPEC)
    plan = tmp_path / "docs/specs/001-a/plan.yaml"
    plan.write_text(_PLAN)
    (tmp_path / "mkdocs.yml").write_text(_CONFIG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if not forget:
        monkeypatch.setattr(standalone, "forget_rendered", lambda cache, pages: 0)

    def zensical() -> None:
        done = subprocess.run([command("zensical"), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]

    main(["build"])
    zensical()
    assert _covered(tmp_path) == "1/2"
    spec = (tmp_path / "docs/specs/001-a/spec.md").read_bytes()
    plan.write_text(_PLAN.replace("goal: Covers FR-001", "goal: Covers FR-001 and FR-002"))
    main(["build"])
    assert (tmp_path / "docs/specs/001-a/spec.md").read_bytes() == spec  # the page's own text is unchanged
    zensical()
    assert _covered(tmp_path) == ("2/2" if forget else "1/2")
    shutil.rmtree(tmp_path / ".cache")
    zensical()  # a fresh build
    assert _covered(tmp_path) == "2/2"
