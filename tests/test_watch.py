"""``specplan build`` when nothing changed, and ``specplan serve``: a build on every change beside
the builder's own server (keeping what it can, as mkdocs serve does), ended cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import MINIMAL_PLAN, Site, git
from .test_cli import SCRIPT


def _site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    site.plan("specs/001-x", MINIMAL_PLAN.replace('"042"', '"001"'), spec="# Feature Specification: X\n")
    site.doc("index.md", "# Home\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - specplan:\n      build_date: 2026-03-04\n", encoding="utf-8"
    )
    return site


def _two_plans(tmp_path: Path) -> Site:
    """The site with two plans in progress (001-x and 002-y), each of one week-long phase."""
    site = _site(tmp_path)
    for fid in ("001", "002"):
        text = f'feature_name: F{fid}\nfeature_id: "{fid}"\ncreated_date: 2026-03-02\nstatus: in-progress\n'
        text += "start_date: 2026-03-02\nphases:\n  - {name: Build, effort: 1 w}\n"
        site.plan(f"specs/{fid}-{'x' if fid == '001' else 'y'}", text, spec=f"# Feature Specification: F{fid}\n")
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


def _generated(docs: Path) -> dict[str, bytes]:
    """What specplan build wrote into docs_dir: the files its manifest lists, and the annotations."""
    import json

    manifest = json.loads((docs / ".specplan/outputs.json").read_text(encoding="utf-8"))["files"]
    return {uri: (docs / uri).read_bytes() for uri in [*manifest, ".specplan/annotations.json", ".specplan/outputs.json"]}


def test_an_incremental_build_writes_what_a_full_build_in_a_fresh_cache_writes(tmp_path, monkeypatch, capsys):
    """specplan build keeps what it read and rendered for the next run (in the cache folder). Each
    kind of input changes in turn; after each, the run renders only what changed, and every file
    it leaves in docs_dir is the one a full build of a copy, with an empty cache, writes; the
    change shows (so the comparison is not of two stale sites)."""
    import shutil

    from mkdocs_specplan.cli.main import main

    from .test_incremental import write_portfolio

    root = tmp_path / "repo"
    site = Site(root)
    write_portfolio(site)
    site.doc("index.md", "# Home\n")
    site.doc("constitution.md", "# Constitution\n\n### I. Tests First\n\nEvery plan has tests.\n")
    site.doc("specs/001-f/checklists/requirements.md", "# Checklist\n\n- [ ] CHK001 Requirements are testable\n")
    overrides = root / "overrides"
    overrides.mkdir()
    (overrides / "feature-note.html.j2").write_text('<div class="custom-note">{{ note.stage }}</div>\n', encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text("site_name: T\nplugins:\n  - specplan:\n      build_date: 2026-03-04\n", encoding="utf-8")
    has_git = shutil.which("git") is not None
    if has_git:  # baselines and history from git, kept between runs too
        (root / ".gitignore").write_text("site/\n")
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "plans", date="2026-03-02")

    def run(folder: Path, cache: Path, *args: str) -> str:
        monkeypatch.chdir(folder)
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
        capsys.readouterr()
        main(["build", *args])
        return capsys.readouterr().err

    def edit(path: str, old: str, new: str) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new), encoding="utf-8")

    first = run(root, tmp_path / "cache")
    assert "3 plans of 3 features built:" in first  # nothing kept yet: every plan rendered
    steps = [
        (
            "plan",
            lambda: edit("docs/specs/003-f/plan.yaml", "effort: 3 d", "effort: 4 d"),
            "specs/003-f/plan.md",
            "4 working days",
            2,
        ),
        (
            "spec",
            lambda: edit("docs/specs/001-f/spec.md", "the second thing", "the reworded thing"),
            "specs/001-f/plan.md",
            "the reworded thing",
            2,
        ),
        ("tasks", lambda: edit("docs/specs/002-f/tasks.md", "- [ ] T002", "- [x] T002"), "specs/002-f/plan.md", "2/2 done", 2),
        (
            "checklist",
            lambda: edit("docs/specs/001-f/checklists/requirements.md", "- [ ]", "- [x]"),
            "plans/plans.json",
            '"checklists":{"done":1',
            None,
        ),
        (
            "upstream plan",
            lambda: edit("docs/specs/001-f/plan.yaml", "Setup, effort: 1 w", "Setup, effort: 2 w"),
            "specs/002-f/plan.md",
            "2026-03-13",
            1,
        ),
        (
            "template",
            lambda: edit("mkdocs.yml", "build_date:", f"templates_dir: {overrides}\n      build_date:"),
            ".specplan/annotations.json",
            "custom-note",
            0,
        ),
        ("build date", lambda: edit("mkdocs.yml", "2026-03-04", "2026-03-11"), "plans/index.md", "2026-03-11", 0),
    ]
    if has_git:
        steps.append(
            (
                "git HEAD",
                lambda: git(root, "commit", "-q", "-am", "edits", date="2026-03-10"),
                "specs/001-f/plan.md",
                "2026-03-10",
                None,
            )
        )
    for n, (name, change, page, shows, kept) in enumerate(steps):
        change()
        report = run(root, tmp_path / "cache")
        fresh = tmp_path / f"fresh-{n}"
        shutil.copytree(root, fresh)
        run(fresh, tmp_path / f"cache-{n}", "--full")
        ours, theirs = _generated(root / "docs"), _generated(fresh / "docs")
        assert ours.keys() == theirs.keys(), name
        assert [uri for uri in ours if ours[uri] != theirs[uri]] == [], name
        assert shows in ours[page].decode(), name
        if kept is not None:  # what the run took from the last one instead of rendering it again
            assert (f"({kept} as the last run rendered them)" in report) == bool(kept), (name, report)


def test_a_damaged_or_foreign_cache_is_a_full_build(tmp_path, monkeypatch, capsys):
    from mkdocs_specplan.cli.main import main

    _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    main(["build"])
    page = tmp_path / "docs/specs/001-x/plan.md"
    good = page.read_bytes()
    kept = list((tmp_path / "cache/mkdocs-specplan").glob("build-*.kept/*.pickle"))
    assert kept
    for file in kept:
        file.write_bytes(b"not a pickle")
    plan = tmp_path / "docs/specs/001-x/plan.yaml"
    plan.write_text(plan.read_text() + "\n", encoding="utf-8")  # the record of inputs no longer holds
    capsys.readouterr()
    main(["build"])
    assert "1 plan of 1 feature built:" in capsys.readouterr().err  # rendered, not taken
    assert page.read_bytes() == good


def test_serve_ended_by_a_terminate_signal_ends_its_server_too(tmp_path):
    _site(tmp_path)
    marker = tmp_path / "terminated-server-ran"
    server = [sys.executable, "-c", f"import pathlib, time; pathlib.Path({str(marker)!r}).write_text('up'); time.sleep(60)"]
    process = subprocess.Popen([str(SCRIPT), "serve", "--", *server], cwd=tmp_path, env=_env(tmp_path))
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists()
        running = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True, check=False)
        assert running.stdout.strip()  # negative control: the server runs while serve does
        process.terminate()
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    time.sleep(0.2)
    children = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True, check=False)
    assert children.stdout.strip() == ""


def test_serve_reads_changes_to_what_a_build_reads_and_not_to_the_builders_own_folders(tmp_path):
    from mkdocs_specplan.cli.serve import Trigger
    from mkdocs_specplan.pipeline.options import SiteConfig

    _site(tmp_path)
    docs = tmp_path / "docs"
    config = SiteConfig(docs_dir=str(docs), site_dir=str(tmp_path / "site"), config_file=str(tmp_path / "mkdocs.yml"))
    trigger = Trigger(config)
    for path in (tmp_path / "mkdocs.yml", docs / "specs/001-x/plan.yaml", docs / "index.md"):
        trigger.event.clear()
        trigger.seen(str(path))
        assert trigger.event.is_set(), path
    for path in (
        tmp_path / ".cache/123",
        tmp_path / "site/index.html",
        tmp_path / "README.md",
        docs / ".specplan/annotations.json",
    ):
        trigger.event.clear()
        trigger.seen(str(path))
        assert not trigger.event.is_set(), path


def test_draft_plans_are_left_out_by_build_and_by_serve(tmp_path, monkeypatch):
    """What specplan build writes into docs_dir is what Zensical publishes: a draft plan's page is
    written by neither (mkdocs serve shows drafts; Zensical's server would keep them for good)."""
    from mkdocs_specplan.cli.main import _served_builds, main

    site = _site(tmp_path)
    site.plan("specs/002-y", MINIMAL_PLAN.replace('"042"', '"002"'), spec="# Feature Specification: Y\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text() + "draft_docs: |\n  specs/002-y/plan.yaml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _served_builds("mkdocs.yml")()
    assert (tmp_path / "docs/specs/001-x/plan.md").is_file()  # negative control: the other plan is written
    assert not (tmp_path / "docs/specs/002-y/plan.md").exists()
    main(["build", "--full"])
    assert not (tmp_path / "docs/specs/002-y/plan.md").exists()


def test_a_changed_template_of_the_site_renders_every_plan_again(tmp_path, monkeypatch, capsys):
    """Pages are kept by a digest of what they were rendered from, not of the templates: a
    template edited in templates_dir (same path, new text) makes the next run a full one."""
    from mkdocs_specplan.cli.main import main

    _site(tmp_path)
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    note = overrides / "feature-note.html.j2"
    note.write_text('<div class="custom-note">first {{ note.stage }}</div>\n', encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("build_date:", f"templates_dir: {overrides}\n      build_date:"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    main(["build"])
    annotations = tmp_path / "docs/.specplan/annotations.json"
    assert "first" in annotations.read_text()
    note.write_text('<div class="custom-note">second {{ note.stage }}</div>\n', encoding="utf-8")
    os.utime(note, ns=(note.stat().st_mtime_ns + 10**9, note.stat().st_mtime_ns + 10**9))
    capsys.readouterr()
    main(["build"])
    assert "second" in annotations.read_text() and "first" not in annotations.read_text()
    assert "as the last run rendered them" not in capsys.readouterr().err


def test_serve_starts_from_what_the_last_build_kept(tmp_path, monkeypatch, capsys):
    from mkdocs_specplan.cli.main import _served_builds, main

    _two_plans(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    main(["build"])
    capsys.readouterr()
    served = _served_builds("mkdocs.yml")
    served()
    assert "rendered 2 plans (2 unchanged since the last build)" in capsys.readouterr().err
    served()  # pages read back from disk are known by their inputs in memory from then on
    assert "rendered 2 plans (2 unchanged since the last build)" in capsys.readouterr().err
    plan = tmp_path / "docs/specs/001-x/plan.yaml"
    plan.write_text(plan.read_text().replace("feature_name: F001", "feature_name: Edited"), encoding="utf-8")
    served()
    assert "rendered 2 plans (1 unchanged since the last build)" in capsys.readouterr().err
    assert "Edited" in (tmp_path / "docs/specs/001-x/plan.md").read_text()
    main(["build", "--full"])  # negative control: nothing taken from the last run
    capsys.readouterr()
    (tmp_path / "cache").rename(tmp_path / "elsewhere")
    _served_builds("mkdocs.yml")()
    assert "unchanged since the last build" not in capsys.readouterr().err


def test_a_cache_folder_that_cannot_be_made_never_fails_the_build(tmp_path, monkeypatch, capsys):
    from mkdocs_specplan.cli.main import main

    _site(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert main(["build"]) == 0
    assert (tmp_path / "docs/specs/001-x/plan.md").is_file()
    capsys.readouterr()
    assert main(["build"]) == 0  # nothing kept: a full build again, the same files
    assert "1 plan of 1 feature built:" in capsys.readouterr().err


def test_the_spec_kit_constitution_stays_published_run_after_run(tmp_path, monkeypatch, capsys):
    """With specs_dir set, spec-kit's .specify/memory/constitution.md is published as
    docs/constitution.md; the copy specplan build wrote there is not the site's own constitution,
    so the next run publishes it again instead of removing it (it used to, every other run)."""
    from mkdocs_specplan.cli.main import main

    (tmp_path / "specs/001-x").mkdir(parents=True)
    (tmp_path / "specs/001-x/spec.md").write_text("# Feature Specification: X\n", encoding="utf-8")
    (tmp_path / ".specify/memory").mkdir(parents=True)
    (tmp_path / ".specify/memory/constitution.md").write_text("# Constitution\n\n### I. Tests First\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - specplan:\n      specs_dir: specs\n      build_date: 2026-03-04\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    published = tmp_path / "docs/constitution.md"
    for run in range(3):
        main(["build", "--full"])
        assert "removed docs/constitution.md" not in capsys.readouterr().err, run
        assert "Tests First" in published.read_text(), run
    # negative control: a constitution.md of the site's own in docs_dir is kept, and the spec-kit one is not published
    published.write_text("# Our own constitution\n", encoding="utf-8")
    main(["build", "--full"])
    assert published.read_text() == "# Our own constitution\n"


def test_the_next_run_schedules_only_the_plans_that_changed(tmp_path, monkeypatch, capsys):
    """Each plan's schedule and forecast are kept for the next run while no plan waits on another
    feature's phases: after one plan changed, that plan alone is scheduled again, and the pages
    show the new dates (negative control: ``--full`` schedules every plan)."""
    from mkdocs_specplan.cli.main import main
    from mkdocs_specplan.project import loading

    _two_plans(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    scheduled: list[list[str]] = []
    real = loading.schedule_portfolio

    def counting(items, **kwargs):
        scheduled.append(sorted(item.key for item in items))
        return real(items, **kwargs)

    monkeypatch.setattr(loading, "schedule_portfolio", counting)
    main(["build"])
    assert scheduled == [["specs/001-x/plan.yaml", "specs/002-y/plan.yaml"]]
    plan = tmp_path / "docs/specs/002-y/plan.yaml"
    page = tmp_path / "docs/specs/002-y/plan.md"
    before = page.read_text()
    plan.write_text(plan.read_text().replace("effort: 1 w", "effort: 3 w", 1), encoding="utf-8")
    scheduled.clear()
    main(["build"])
    assert scheduled == [["specs/002-y/plan.yaml"]]  # 001 keeps what the last run worked out
    assert page.read_text() != before
    scheduled.clear()
    main(["build", "--full"])
    assert scheduled == [["specs/001-x/plan.yaml", "specs/002-y/plan.yaml"]]
