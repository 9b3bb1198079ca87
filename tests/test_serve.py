"""`mkdocs serve` keeps running through a broken plan and shows the error until it is fixed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import MINIMAL_PLAN, assert_rendered_plan


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(url: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _fetch(url)
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not change as expected within {timeout} s; last page:\n{last[:2000]}")


@pytest.fixture
def served(site):
    site.doc("index.md", "# Home\n")
    site.plan("specs/a", MINIMAL_PLAN)
    site.write("mkdocs.yml", "site_name: Serve\nplugins:\n  - specplan\n")
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(site.root / "mkdocs.yml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        yield site, f"http://127.0.0.1:{port}/specs/a/plan/", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_shows_errors_and_recovers(served):
    site, url, process = served
    assert_rendered_plan(_wait_for(url, lambda html: "Implementation Plan: Minimal" in html), "Minimal")
    # break it: the server keeps running and the page shows the error
    site.plan("specs/a", MINIMAL_PLAN.replace("draft", "drafty") + "phases:\n  - name: A\n    effort: 2 wekes\n")
    html = _wait_for(url, lambda html: "problems to fix" in html)
    assert "specs/a/plan.yaml:4:9" in html and "specs/a/plan.yaml:7:13" in html
    # broken YAML too
    site.plan("specs/a", "feature_name: [oops\n")
    _wait_for(url, lambda html: "invalid YAML" in html)
    assert process.poll() is None
    # fix it: the page is whole again
    site.plan("specs/a", MINIMAL_PLAN.replace("Minimal", "Mended"))
    html = _wait_for(url, lambda html: "Implementation Plan: Mended" in html)
    assert "specplan-problems" not in html
    assert process.poll() is None
