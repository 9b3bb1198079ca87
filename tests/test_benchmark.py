"""The benchmark's own machinery on a tiny site: the twin holds the plugin's output as plain files,
and the twin's --dirty edit is the plugin's (no timing is asserted: figures come from a full run)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_one_size_measures_the_plugin_site_against_its_twin(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    import bench

    row = bench.one(6, "mkdocs", 1, tmp_path)
    assert row["plans"] >= 3 and row["features"] == 6
    twin = tmp_path / "twin-mkdocs-6" / "docs"
    assert not list(twin.rglob("plan.yaml"))  # the twin is plain pages
    pages = list(twin.rglob("plan.md"))
    rendered = [p for p in pages if "# Implementation Plan: " in p.read_text() and "<svg" in p.read_text()]
    assert len(rendered) == row["plans"]  # each with its timeline; a hand-written plan.md besides
    assert (twin / "plans" / "plans.json").is_file()
    changes = {p.relative_to(tmp_path / "changes-mkdocs-6").as_posix() for p in (tmp_path / "changes-mkdocs-6").rglob("*.*")}
    assert row["dirty_files"] == len(changes) >= 2 and "plans/plans.json" in changes
    assert any(c.endswith("/plan.md") for c in changes)
    assert row["floor_s"] > 0 and row["own_s"] > row["floor_s"]
    assert row["dirty_cpu_twin_s"] > 0 and row["dashboard_article_elements"] > 0
    # the twin's navigation is the one the plugin arranged: every page shows the same menu
    nav = yaml.safe_load((tmp_path / "twin-mkdocs-6" / "mkdocs.yml").read_text())["nav"]
    assert "Plans" in str(nav) and "features-" not in str(nav)  # the dashboard's own pages stay out

    def menu(site: str) -> str:
        html = (tmp_path / site / "site" / "index.html").read_text()
        return re.search(r'<ul class="nav navbar-nav">.*?</ul>\s*<ul class="nav navbar-nav ms-md-auto">', html, re.S).group(0)

    assert menu("plugin-mkdocs-6") == menu("twin-mkdocs-6")
