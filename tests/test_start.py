"""Five minutes for a spec-kit repository: ``specplan init`` writes a site that builds strictly,
the constitution is found where spec-kit keeps it, and the command line tells the truth."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .test_cli import run


def _spec_kit_repository(root: Path) -> None:
    feature = root / "specs" / "001-photo-albums"
    feature.mkdir(parents=True)
    (feature / "spec.md").write_text(
        "# Feature Specification: Photo albums\n\n**Status**: Draft\n\n### User Story 1 - Upload (Priority: P1)\n\n"
        "- **FR-001**: Users MUST upload photos. See the [constitution](../../.specify/memory/constitution.md).\n",
        encoding="utf-8",
    )
    (feature / "tasks.md").write_text("# Tasks\n\n## Phase 1: Setup\n\n- [x] T001 [US1] Create the project\n", encoding="utf-8")
    (feature / "plan.md").write_text("# Implementation Plan: Photo albums\n\n## Summary\n\nAlbums.\n", encoding="utf-8")
    memory = root / ".specify" / "memory"
    memory.mkdir(parents=True)
    (memory / "constitution.md").write_text("# Constitution\n\n### I. Tests First\n\nTests come first.\n", encoding="utf-8")


def test_init_writes_a_site_that_builds_strictly_and_never_overwrites(tmp_path):
    _spec_kit_repository(tmp_path)
    done = run("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    assert "specs_dir: specs" in config and "constitution: .specify/memory/constitution.md" in config
    assert (tmp_path / "docs" / "index.md").is_file()
    assert "specplan validate" in done.stderr and "mkdocs serve" in done.stderr
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "constitution" / "index.html").is_file()
    assert 'href="../../../constitution/"' in (tmp_path / "site/specs/001-photo-albums/spec/index.html").read_text()
    (tmp_path / "docs" / "index.md").write_text("# Mine\n", encoding="utf-8")
    again = run("init", cwd=tmp_path)
    assert again.returncode == 0 and "kept" in again.stderr
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == config  # never overwritten
    assert (tmp_path / "docs" / "index.md").read_text(encoding="utf-8") == "# Mine\n"


def test_the_constitution_is_found_where_spec_kit_keeps_it(site):
    """With specs_dir and no constitution option, .specify/memory/constitution.md is published."""
    _spec_kit_repository(site.root)
    result = site.build(plugins=[{"specplan": {"specs_dir": "specs"}}])
    assert not result.failed, result.warnings
    assert 'id="article-i"' in result.html("constitution/index.html")


def test_a_constitution_of_the_sites_own_is_kept(site):
    """Negative control: docs_dir has a constitution: nothing is added, nothing replaced."""
    _spec_kit_repository(site.root)
    site.doc("constitution.md", "# Our constitution\n\n### I. Ship small\n")
    result = site.build(plugins=[{"specplan": {"specs_dir": "specs"}}], validation={"links": {"not_found": "info"}})
    assert not result.failed, result.warnings
    assert "Our constitution" in result.html("constitution/index.html")


def test_new_refuses_a_folder_with_a_plan_md(tmp_path):
    _spec_kit_repository(tmp_path)
    done = run("new", "specs/001-photo-albums", cwd=tmp_path)
    assert done.returncode == 2
    assert "specplan import specs/001-photo-albums" in done.stderr
    assert not (tmp_path / "specs/001-photo-albums/plan.yaml").exists()


def test_version_and_every_help_has_an_example(tmp_path):
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("specplan ")
    for command in ("validate", "import", "new", "schema", "build", "render", "init"):
        shown = run(command, "--help", cwd=tmp_path)
        assert shown.returncode == 0 and "example:\n  specplan" in shown.stdout, command
        assert "2 usage error" in shown.stdout, command
