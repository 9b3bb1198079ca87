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
