"""The second builder, measured: ``specplan build`` (cold, nothing changed, one plan edited) and
``zensical build`` of the same site against its twin, and edit-to-refresh under both serves.

Each command runs in a process of its own; its CPU time is the child's (``os.wait4``). The cache
``specplan build`` keeps between runs lives in a folder of its own per site (``XDG_CACHE_HOME``),
emptied before the cold run.

* ``specplan build``: a cold run (``--full``, an empty cache), a run with nothing changed, and the
  median of runs after one plan changed each (a phase's status), each against the cold run.
* ``zensical build``: the site as ``specplan build`` left it (the extension annotating its pages)
  against its twin: the same files of docs_dir as plain pages, no plan.yaml, no extension. Each
  from an empty Zensical cache.
* edit-to-refresh: a server is started (``specplan serve`` beside ``zensical serve``, and ``mkdocs
  serve`` with the plugin), a plan's technical approach is changed on disk (a field of its own
  page: the navigation every page carries is unchanged), and its page is fetched until it shows
  the change: the seconds from the save to that answer, the median of a few edits.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

BIN = Path(sys.executable).parent


def _cpu(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """The CPU time (user + system) of one command run to its end; it must succeed."""
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a long log never blocks the command
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):  # 1: the site's plans have problems, as validate says
            log.seek(0)
            error = log.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{error[-3000:]}")
    return usage.ru_utime + usage.ru_stime


def zensical_config(theme: str) -> dict[str, Any]:
    """The benchmark's site, configured as the Zensical guide says."""
    out: dict[str, Any] = {
        "site_name": "Bench",
        "extra_css": ["assets/specplan/specplan.css"],
        "markdown_extensions": ["attr_list", "tables", "toc", "admonition", "mkdocs_specplan.extension"],
        "plugins": [{"specplan": {"build_date": "2026-11-26"}}],
    }
    # as the MkDocs path's site: Material with pruned navigation (the advice for large sites; without
    # it every page carries the whole navigation, and Zensical takes twice as long to show an edit)
    out["theme"] = {"name": "mkdocs"} if theme == "mkdocs" else {"name": "material", "features": ["navigation.prune"]}
    return out


def _environment(site: Path) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", XDG_CACHE_HOME=str(site.parent / f"{site.name}-cache"))
    return env


def _edit_status(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("status: planned", "status: in-progress", 1), encoding="utf-8")


def specplan_runs(site: Path, edits: list[Path]) -> dict[str, Any]:
    """Cold, no-op and one-edit ``specplan build`` runs of a site."""
    env = _environment(site)
    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    specplan = [str(BIN / "specplan"), "build"]
    cold = _cpu([*specplan, "--full"], site, env)
    noop = _cpu(specplan, site, env)
    edited = []
    for plan in edits:
        _edit_status(plan)
        edited.append(_cpu(specplan, site, env))
    edit = statistics.median(edited)
    return {
        "specplan_cold_s": cold,
        "specplan_noop_s": noop,
        "specplan_edit_s": edit,
        "specplan_edits_s": edited,
        "noop_vs_cold": noop / cold,
        "edit_vs_cold": edit / cold,
    }


def zensical_twin(site: Path, twin: Path) -> None:
    """The site as ``specplan build`` left it, as plain files: no plan.yaml, no extension (the
    plugin's entry stays: Zensical ignores it, and a plugins list replaces Zensical's defaults), and
    no check of links' anchors (the anchors the extension gives requirements are not there)."""
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(site / "docs", twin / "docs", ignore=shutil.ignore_patterns("plan.yaml", ".specplan"))
    settings = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    # the same plugins list (Zensical ignores the specplan entry, but a plugins list replaces its defaults)
    settings["markdown_extensions"] = [e for e in settings["markdown_extensions"] if e != "mkdocs_specplan.extension"]
    # without the extension the specs have no anchors for their requirements, and Zensical would
    # report every link to one (16,000 at 300 features, most of its time): the twin leaves anchors
    # unchecked, where the site checks them all and finds them
    settings["validation"] = {"anchors": "ignore"}
    (twin / "mkdocs.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def zensical_builds(site: Path, twin: Path, repeat: int) -> dict[str, Any]:
    """``zensical build`` of the site and of its twin, in alternation, each from an empty cache."""
    runs: dict[str, list[float]] = {"site": [], "twin": []}
    zensical = str(BIN / "zensical")
    for _ in range(repeat):
        for name, folder in (("site", site), ("twin", twin)):
            shutil.rmtree(folder / ".cache", ignore_errors=True)
            shutil.rmtree(folder / "site", ignore_errors=True)
            runs[name].append(_cpu([zensical, "build"], folder, _environment(folder)))
    ratios = [a / b for a, b in zip(runs["site"], runs["twin"], strict=True)]
    return {
        "zensical_site_s": statistics.median(runs["site"]),
        "zensical_twin_s": statistics.median(runs["twin"]),
        "zensical_ratio": statistics.median(ratios),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # a local server
            return str(answer.read().decode("utf-8", errors="replace"))
    except OSError:
        return None


def _wait_for(url: str, wanted: str | None, timeout: float) -> float | None:
    """Seconds until ``url`` answers (with ``wanted`` in its page), or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        page = _fetch(url)
        if page is not None and (wanted is None or wanted in page):
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def _edit_approach(plan: Path, marker: str) -> None:
    """A plan's technical approach changed: a field of its own page (its navigation title, which every
    page shows, unchanged)."""
    text = plan.read_text(encoding="utf-8")
    changed = re.sub(r"^(technical_approach: \|\n  .*)$", rf"\1 {marker}", text, count=1, flags=re.M)
    assert changed != text, plan
    plan.write_text(changed, encoding="utf-8")


def _edit_page(page: Path, marker: str) -> None:
    """A generated plan page (``plan.md`` in the twin) changed as that edit changes it: a sentence more."""
    page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")


def refresh_times(
    command: list[str], site: Path, plans: list[Path], timeout: float, edit: Callable[[Path, str], None] = _edit_approach
) -> list[float]:
    """Seconds from saving a plan (its technical approach changed) to its served page showing the change, for
    each plan in turn, under ``command`` (which serves on ``{port}``); ``edit`` makes the change."""
    port = _free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    server = subprocess.Popen(argv, cwd=site, env=_environment(site), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: list[float] = []
    try:
        first = plans[0]
        url = f"http://127.0.0.1:{port}/{first.parent.relative_to(site / 'docs').as_posix()}/plan/"
        if _wait_for(url, None, timeout) is None:
            raise SystemExit(f"{' '.join(argv)}: nothing served at {url} after {timeout:.0f} s")
        time.sleep(2.0)  # the server's first build and its watcher settled
        for k, plan in enumerate(plans):
            url = f"http://127.0.0.1:{port}/{plan.parent.relative_to(site / 'docs').as_posix()}/plan/"
            marker = f"Refreshed{k}x{os.getpid()}"
            edit(plan, marker)
            took = _wait_for(url, marker, timeout)
            times.append(took if took is not None else float("inf"))
            time.sleep(1.0)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C, as a person ends it
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return times


def twin_refresh(twin: Path, plans: int, timeout: float = 120.0) -> dict[str, Any]:
    """Edit-to-refresh under ``zensical serve`` alone, in the twin: the same kind of change written
    straight into a generated plan page, so Zensical renders it with nothing of ours running. What
    Zensical's own share of the refresh is at best."""
    pages = sorted((twin / "docs").rglob("plan.md"))
    served = [p for p in pages if (p.parent / "spec.md").is_file()][-plans:]
    if not (twin / ".cache").is_dir():  # the server starts from a built cache, as the site's does
        _cpu([str(BIN / "zensical"), "build"], twin, _environment(twin))
    command = [str(BIN / "zensical"), "serve", "-a", "127.0.0.1:{port}"]
    times = refresh_times(command, twin, served, timeout, edit=_edit_page)
    return {"refresh_twin_s": statistics.median(times), "refresh_twin_all_s": times}


def serve_refresh(plugin_site: Path, zensical_site: Path, plans: int, timeout: float = 120.0) -> dict[str, Any]:
    """Edit-to-refresh under ``specplan serve`` (beside ``zensical serve``) and ``mkdocs serve``."""
    out: dict[str, Any] = {}
    for name, site, command in (
        (
            "zensical",
            zensical_site,
            [str(BIN / "specplan"), "serve", "--", str(BIN / "zensical"), "serve", "-a", "127.0.0.1:{port}"],
        ),
        ("mkdocs", plugin_site, [str(BIN / "mkdocs"), "serve", "-a", "127.0.0.1:{port}"]),
    ):
        editable = sorted(
            p for p in (site / "docs").rglob("plan.yaml") if "technical_approach: |" in p.read_text(encoding="utf-8")
        )
        times = refresh_times(command, site, editable[-plans:], timeout)
        out[f"refresh_{name}_s"] = statistics.median(times)
        out[f"refresh_{name}_all_s"] = times
    return out
