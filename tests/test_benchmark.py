"""The benchmark's own machinery on a tiny site: the twin holds the plugin's output as plain files,
and the twin's --dirty edit is the plugin's (no timing is asserted: figures come from a full run)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_one_size_measures_the_plugin_site_against_its_twin(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    import bench

    row = bench.one(6, "mkdocs", 2, tmp_path)  # two pairs of builds: two serve rebuilds
    assert row["plans"] >= 3 and row["features"] == 6 and len(row["rebuild_owns"]) == 2
    twin = tmp_path / "twin-mkdocs-6" / "docs"
    assert not list(twin.rglob("plan.yaml"))  # the twin is plain pages
    pages = list(twin.rglob("plan.md"))
    rendered = [p for p in pages if "# Implementation Plan: " in p.read_text() and "<svg" in p.read_text()]
    assert len(rendered) == row["plans"]  # each with its timeline; a hand-written plan.md besides
    assert (twin / "plans" / "plans.json").is_file()
    # several plans edited in turn under --dirty, each edit's changes in a folder of its own
    steps = sorted((tmp_path / "changes-mkdocs-6").iterdir())
    assert [p.name for p in steps] == [str(k) for k in range(1, len(steps) + 1)] and row["dirty_cycles"] == len(steps) == len(
        row["dirty_cpus_twin"]
    ) >= 2
    edited = set()
    for edit in steps:
        changes = {p.relative_to(edit / "docs").as_posix() for p in (edit / "docs").rglob("*.*")}
        assert len(changes) >= 2 and "plans/plans.json" in changes
        edited |= {c for c in changes if c.endswith("/plan.md")}
        # and the HTML the edited plan's page became (its mention links), for the twin's hook
        assert any(p.name == "plan.md.html" for p in (edit / "harvest").rglob("*.html"))
    assert len(edited) == len(steps)  # a different plan each time
    assert row["floor_s"] > 0 and row["own_s"] > row["floor_s"]
    assert row["dirty_cpu_twin_s"] > 0 and row["dashboard_article_elements"] > 0
    # the twin's navigation is the one the plugin arranged: every page shows the same menu
    nav = yaml.safe_load((tmp_path / "twin-mkdocs-6" / "mkdocs.yml").read_text())["nav"]
    assert "Plans" in str(nav) and "features-" not in str(nav)  # the dashboard's own pages stay out

    def menu(site: str) -> str:
        html = (tmp_path / site / "site" / "index.html").read_text()
        return re.search(r'<ul class="nav navbar-nav">.*?</ul>\s*<ul class="nav navbar-nav ms-md-auto">', html, re.S).group(0)

    assert menu("plugin-mkdocs-6") == menu("twin-mkdocs-6")

    # every page, and the search index, is byte-identical in the two sites: the twin renders each
    # page's Markdown and takes what the annotated ones became (anchors, traces, mention links).
    # Both are built afresh (as edited): a --dirty build leaves unrendered pages untitled in the menu.
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    def built(name: str) -> Path:
        out = tmp_path / f"{name}-fresh"
        build(load_config(config_file=str(tmp_path / name / "mkdocs.yml"), site_dir=str(out)))
        return out

    plugin_site, twin_site = built("plugin-mkdocs-6"), built("twin-mkdocs-6")
    pages = sorted(p.relative_to(plugin_site).as_posix() for p in plugin_site.rglob("*.html"))
    assert pages == sorted(p.relative_to(twin_site).as_posix() for p in twin_site.rglob("*.html"))
    assert len(pages) > 20

    def content(site: Path, page: str) -> str:  # the mkdocs theme dates each build on the home page
        return re.sub(r"Build Date UTC : [^\n]*", "", (site / page).read_text(encoding="utf-8"))

    assert [p for p in pages if content(plugin_site, p) != content(twin_site, p)] == []

    def entries(site: Path) -> list[str]:  # in the order MkDocs built the pages: the files' order
        docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        return sorted(json.dumps(d, sort_keys=True) for d in docs)

    assert entries(plugin_site) == entries(twin_site)
    assert 'id="t001"' in content(twin_site, "specs/0001-portal-search-1/tasks/index.html")


def test_the_zensical_path_measures_specplan_build_and_builds_a_plain_twin(tmp_path, monkeypatch):
    """The second builder's machinery on a tiny site: cold, no-op and one-edit runs of specplan
    build, each edit a different plan; the twin has the pages as plain files, without plan.yaml or
    the extension, with the same plugins list (no timing is asserted)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from sitegen import generate
    from zensical_path import specplan_runs, zensical_config, zensical_twin

    site = tmp_path / "zensical-6"
    generate(site, 6)
    (site / "mkdocs.yml").write_text(yaml.safe_dump(zensical_config("material")))
    plans = sorted(p for p in (site / "docs").rglob("plan.yaml") if "status: planned" in p.read_text())[:2]
    before = [p.read_text() for p in plans]
    runs = specplan_runs(site, plans)
    assert runs["specplan_cold_s"] > 0 and len(runs["specplan_edits_s"]) == 2
    assert [p.read_text() for p in plans] != before  # each plan edited in turn
    assert (tmp_path / "zensical-6-cache" / "mkdocs-specplan").is_dir()  # a cache folder of the site's own
    twin = tmp_path / "zensical-twin-6"
    zensical_twin(site, twin)
    assert not list(twin.rglob("plan.yaml")) and not (twin / "docs" / ".specplan").exists()
    assert len(list(twin.rglob("plan.md"))) == len(list((site / "docs").rglob("plan.md")))
    settings = yaml.safe_load((twin / "mkdocs.yml").read_text())
    assert "mkdocs_specplan.extension" not in settings["markdown_extensions"]
    assert settings["plugins"] == yaml.safe_load((site / "mkdocs.yml").read_text())["plugins"]
    # without the extension the specs have no requirement anchors: the twin does not check anchors
    assert settings["validation"] == {"anchors": "ignore"}
    assert "validation" not in yaml.safe_load((site / "mkdocs.yml").read_text())
    # the twin's refresh writes the change into a generated plan page
    from zensical_path import _edit_page

    page = sorted(twin.rglob("plan.md"))[0]
    before_page = page.read_text()
    _edit_page(page, "Marker1x2")
    assert page.read_text().startswith(before_page) and page.read_text().rstrip().endswith("Marker1x2")
