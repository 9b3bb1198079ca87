"""Baselines and history from git: repositories with dated commits made by the tests, a shallow
clone, a missing ref, a folder outside git, and a site built from such a repository."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.history import git as history_module
from mkdocs_specplan.history.baseline import HistoryCache, Subject, read_baselines
from mkdocs_specplan.history.git import Repository
from mkdocs_specplan.views.trend import sentence

from .conftest import Site

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

D = dt.date
PLAN = "specs/001-reminders/plan.yaml"


def plan_yaml(status: str, phase1: str, phase2: str) -> str:
    return f"""\
feature_name: Reminders
feature_id: "001"
created_date: 2026-01-05
start_date: 2026-02-02
status: {status}
phases:
  - {{name: Build, {phase1}}}
  - {{name: Launch, {phase2}}}
"""


# (date, status, phase 1, phase 2, tag)
HISTORY = [
    ("2026-01-05", "draft", "effort: 1 w", "effort: 1 w", None),
    ("2026-01-12", "approved", "effort: 1 w", "effort: 1 w", None),
    ("2026-02-09", "in-progress", "effort: 2 w, status: in-progress, started: 2026-02-02", "effort: 1 w", "v1.0"),
    (
        "2026-02-20",
        "in-progress",
        "effort: 2 w, status: done, started: 2026-02-02, finished: 2026-02-13",
        "effort: 2 w, status: in-progress, started: 2026-02-16",
        None,
    ),
]


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def make_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Plan Author")
    git(root, "config", "user.email", "author@example.com")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n")
    target = root / "docs" / PLAN
    target.parent.mkdir(parents=True)
    (target.parent / "spec.md").write_text("# Feature Specification: Reminders\n")
    (target.parent / "data-model.md").write_text("# Data Model\n")
    for date, status, one, two, tag in HISTORY:
        target.write_text(plan_yaml(status, one, two))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"plan: {status}", date=date)
        if tag:
            git(root, "tag", tag)
    return root


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("history") / "site")


def baselines(
    root: Path, ref: str = "approved", settings: Settings | None = None, cache: HistoryCache | None = None, rel: str = PLAN
):
    settings = settings or Settings()
    path = root / "docs" / rel
    plan = load_plan(path.read_text(), rel, settings).plan
    subject = Subject(rel, str(path), rel, plan)
    results, notes = read_baselines([subject], Repository.open(str(path.parent)), ref, settings, cache or HistoryCache())
    return results[rel], notes


def test_approved_is_the_first_commit_with_status_approved(repo: Path):
    result, notes = baselines(repo)
    b = result.baseline
    assert notes == []
    assert (b.ref, b.date, b.note) == ("approved", D(2026, 1, 12), None)
    assert b.commit == git(repo, "rev-list", "-n", "1", "main~2")
    # the plan as approved: two one-week phases from Monday 2 February
    assert [(p.start, p.end) for p in b.schedule.phases] == [(D(2026, 2, 2), D(2026, 2, 6)), (D(2026, 2, 9), D(2026, 2, 13))]


def test_history_is_the_forecast_finish_as_of_each_commit(repo: Path):
    result, _ = baselines(repo)
    points = [(p.date, p.end) for p in result.history.points]
    assert points == [
        (D(2026, 1, 5), D(2026, 2, 13)),  # before the start: the forecast is the plan
        (D(2026, 1, 12), D(2026, 2, 13)),
        (D(2026, 2, 9), D(2026, 2, 20)),  # Build takes two weeks: Launch runs 16-20 February
        (D(2026, 2, 20), D(2026, 2, 27)),  # Launch takes two weeks from the 16th
    ]
    assert (result.history.moves, result.history.shift) == (2, 10)
    assert (
        sentence(result.history, result.baseline)
        == "The forecast finish moved twice since approval, later in all."  # how far: beside the forecast, once
    )


def test_first_and_a_tag_and_a_plan_override(repo: Path):
    first, _ = baselines(repo, "first")
    assert (first.baseline.date, first.baseline.schedule.end) == (D(2026, 1, 5), D(2026, 2, 13))
    tagged, _ = baselines(repo, "v1.0")
    assert tagged.baseline.commit == git(repo, "rev-list", "-n", "1", "v1.0")
    assert tagged.baseline.schedule.end == D(2026, 2, 20)
    assert tagged.baseline.label == "v1.0"


def test_a_missing_ref_is_a_note_never_a_failure(repo: Path):
    result, notes = baselines(repo, "v9.9")
    assert result.baseline.schedule is None
    assert result.baseline.note == 'the ref "v9.9" does not exist in the repository'
    assert notes == ['1 plan without a baseline: the ref "v9.9" does not exist in the repository']
    hostile, _ = baselines(repo, "--output=/tmp/x")  # never read as an option of git
    assert hostile.baseline.note == 'the ref "--output=/tmp/x" does not exist in the repository'


def test_a_shallow_clone_says_the_history_is_missing(repo: Path, tmp_path: Path):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    result, notes = baselines(clone)
    assert result.baseline.schedule is None
    assert "the clone is shallow and the plan's earlier history is missing" in result.baseline.note
    assert "fetch-depth: 0" in result.baseline.note and len(notes) == 1
    assert [p.date for p in result.history.points] == [D(2026, 2, 20)]  # what the clone has
    tagged, _ = baselines(clone, "v1.0")
    assert tagged.baseline.note.startswith('the ref "v1.0" does not exist in the repository (the clone is shallow;')


def test_outside_git_and_not_committed(tmp_path: Path):
    folder = tmp_path / "plain" / "docs" / "specs" / "001-reminders"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(plan_yaml("approved", "effort: 1 w", "effort: 1 w"))
    result, notes = baselines(tmp_path / "plain")
    assert result.baseline.note == "the site is not in a git repository"
    assert notes == ["no baselines: the site is not in a git repository"]
    fresh = make_repo(tmp_path / "fresh")
    new = fresh / "docs" / "specs" / "002-new" / "plan.yaml"
    new.parent.mkdir()
    new.write_text(plan_yaml("approved", "effort: 1 w", "effort: 1 w"))
    result, notes = baselines(fresh, rel="specs/002-new/plan.yaml")
    assert result.baseline.note == "the plan is not committed yet" and result.history.points == ()
    git(fresh, "add", "-A")
    git(fresh, "commit", "-q", "-m", "new draft", date="2026-02-21")
    new.write_text(plan_yaml("draft", "effort: 1 w", "effort: 1 w"))
    git(fresh, "commit", "-q", "-am", "back to draft", date="2026-02-22")
    result, _ = baselines(fresh, rel="specs/002-new/plan.yaml")
    assert result.baseline.commit is not None  # approved in its first commit, even though it is a draft again
    (fresh / "docs" / PLAN).write_text(plan_yaml("draft", "effort: 1 w", "effort: 1 w"))


def test_one_git_log_for_the_site_kept_while_head_does_not_move(repo: Path, monkeypatch: pytest.MonkeyPatch):
    calls: list[str] = []
    real = history_module._run

    def counting(args: list[str], cwd: str, data: bytes | None = None) -> bytes:
        calls.append(args[0])
        return real(args, cwd, data)

    monkeypatch.setattr(history_module, "_run", counting)
    cache = HistoryCache()
    baselines(repo, cache=cache)
    assert calls.count("log") == 1 and calls.count("cat-file") == 1
    calls.clear()
    baselines(repo, cache=cache)  # a rebuild: HEAD has not moved, nothing is read again
    assert "log" not in calls and "cat-file" not in calls


def test_a_site_in_git_shows_baseline_history_and_forecast(repo: Path):
    result = Site(repo, {"plugins": [{"specplan": {"build_date": "2026-02-25"}}]}).build()
    assert not result.failed, result.warnings
    html = result.html("specs/001-reminders/plan/index.html")
    assert 'data-baseline-start="2026-02-09" data-baseline-end="2026-02-13"' in html  # Launch, as approved
    assert 'data-forecast-start="2026-02-16" data-forecast-end="2026-02-27" data-health="on-track"' in html
    assert "approval (commit " in html and 'finish <span class="specplan-date">2026-02-13</span>' in html
    assert '<svg class="specplan-history"' in html
    assert "The forecast finish moved twice since approval, later in all." in html
    glance = html.split('id="specplan-glance"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "+10 working days against the baseline" in glance  # the slip, said once: at the top
    assert html.count("working days against the baseline") == 1


def test_a_site_outside_git_builds_strictly_and_says_why_once(tmp_path: Path):
    site = tmp_path / "site"
    make_repo(site)
    shutil.rmtree(site / ".git")
    result = Site(site, {"plugins": [{"specplan": {"build_date": "2026-02-25"}}]}).build()
    assert not result.failed, result.warnings
    html = result.html("specs/001-reminders/plan/index.html")
    assert "none (approved): the site is not in a git repository" in html
    lines = [r for r in result.infos if "git history" in r]
    assert lines == ["specplan: git history: no baselines: the site is not in a git repository"]
