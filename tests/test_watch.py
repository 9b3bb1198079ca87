"""``specplan build`` when nothing changed, and ``specplan serve``: a build on every change beside
the builder's own server (keeping what it can, as mkdocs serve does), ended cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import MINIMAL_PLAN, Site
from .test_cli import SCRIPT


def _site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    site.plan("specs/001-x", MINIMAL_PLAN.replace('"042"', '"001"'), spec="# Feature Specification: X\n")
    site.doc("index.md", "# Home\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - specplan:\n      build_date: 2026-03-04\n", encoding="utf-8"
    )
    return site


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_a_build_with_nothing_changed_reports_the_same_and_writes_nothing(tmp_path):
    _site(tmp_path)
    env = _env(tmp_path)
    first = subprocess.run([str(SCRIPT), "build"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0 and "wrote" in first.stderr, first.stderr
    page = tmp_path / "docs/specs/001-x/plan.md"
    stamp = page.stat().st_mtime_ns
    again = subprocess.run([str(SCRIPT), "build"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert again.returncode == 0 and "unchanged since the last run" in again.stderr and "wrote" not in again.stderr
    assert page.stat().st_mtime_ns == stamp
    plan = tmp_path / "docs/specs/001-x/plan.yaml"
    plan.write_text(plan.read_text().replace("feature_name: Minimal", "feature_name: Changed"), encoding="utf-8")
    edited = subprocess.run([str(SCRIPT), "build"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert "wrote docs/specs/001-x/plan.md" in edited.stderr and "Changed" in page.read_text()  # negative control


def test_serve_builds_on_every_change_and_ends_its_server(tmp_path):
    site = _site(tmp_path)
    site.plan("specs/002-y", MINIMAL_PLAN.replace('"042"', '"002"'), spec="# Feature Specification: Y\n")
    marker = tmp_path / "server-ran"
    server = [sys.executable, "-c", f"import pathlib, time; pathlib.Path({str(marker)!r}).write_text('up'); time.sleep(60)"]
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--", *server], cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        page = tmp_path / "docs/specs/001-x/plan.md"
        deadline = time.monotonic() + 30
        while not (page.exists() and marker.exists()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.exists() and marker.exists()  # built first, then the server started
        plan = tmp_path / "docs/specs/001-x/plan.yaml"
        plan.write_text(plan.read_text().replace("feature_name: Minimal", "feature_name: Edited"), encoding="utf-8")
        deadline = time.monotonic() + 20
        while "Edited" not in page.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Edited" in page.read_text()  # no second command
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    log = process.stderr.read().decode() if process.stderr else ""
    assert "rendered 2 plans (1 unchanged since the last build)" in log  # the edit renders its own page only
    children = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True, check=False)
    assert children.stdout.strip() == ""  # the server ended with it
