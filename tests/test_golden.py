"""Golden files: the Markdown of every page the plugin generates for the demo site, and its
plans.json, at a fixed build date, compared byte for byte. A change to what users see shows here
as a diff; run with ``SPECPLAN_UPDATE_GOLDEN=1`` to accept it (and review the diff)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

DEMO = ROOT / "demo-site"
GOLDEN = ROOT / "tests" / "golden" / "demo"
UPDATE = os.environ.get("SPECPLAN_UPDATE_GOLDEN") == "1"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def demo_copy(tmp_path: Path) -> Path:
    """The demo site outside any git repository (no history: the same figures on every machine)."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = [str(ROOT / "tests" / "golden_hooks.py")]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def compare(produced: dict[str, bytes], golden: Path) -> None:
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        for uri, data in produced.items():
            (golden / uri).parent.mkdir(parents=True, exist_ok=True)
            (golden / uri).write_bytes(data)
    expected = _files(golden)
    assert sorted(produced) == sorted(expected)
    for uri, data in produced.items():
        assert data.decode("utf-8") == expected[uri].decode("utf-8"), uri


@pytest.fixture(scope="module")
def mkdocs_outputs(tmp_path_factory) -> dict[str, bytes]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    tmp = tmp_path_factory.mktemp("golden")
    root = demo_copy(tmp)
    capture = tmp / "capture"
    os.environ["SPECPLAN_CAPTURE"] = str(capture)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        build(load_config(config_file=str(root / "mkdocs.yml"), strict=True, site_dir=str(tmp / "site")))
    finally:
        del os.environ["SPECPLAN_CAPTURE"]
    return _files(capture)


def test_the_demo_pages_and_json_are_as_golden(mkdocs_outputs):
    files = {uri.removeprefix("files/"): data for uri, data in mkdocs_outputs.items() if uri.startswith("files/")}
    assert "plans/plans.json" in files and "specs/002-patient-intake/plan.md" in files  # captured at all
    assert "features/006-visit-notes/spec.md" not in files  # a file of specs_dir as written is not a generated page
    compare(files, GOLDEN / "files")


def test_the_demo_pages_render_as_golden(mkdocs_outputs):
    """The HTML of each feature's pages and the dashboard: anchors, notes, mention links, traces."""
    html = {uri.removeprefix("html/"): data for uri, data in mkdocs_outputs.items() if uri.startswith("html/")}
    assert 'id="fr-001"' in html["specs/001-appointment-reminders/spec.md.html"].decode()
    compare(html, GOLDEN / "html")
