"""``specplan diff``: what a change does to the portfolio, on git repositories made here. Every
effect is worked out by hand: a week more on 001's first phase moves 001 and, through its
dependency, 002 by five working days."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import git
from .test_cli import SCRIPT

PLAN_A = """\
feature_name: A
feature_id: "001"
created_date: 2026-03-02
status: approved
phases:
  - {name: Build, effort: 1 w}
  - {name: Ship, effort: 1 w, dependencies: [1]}
risks:
  - {id: R1, title: Vendor late, probability: low, impact: low}
"""
PLAN_B = 'feature_name: B\nfeature_id: "002"\ncreated_date: 2026-03-02\nstatus: approved\nphases:\n  - {name: Client, effort: 1 w, dependencies: ["001: Phase 2"]}\n'
TASKS = "# Tasks\n\n## Phase 1\n\n- [ ] T001 Build it (FR-001)\n- [ ] T002 Ship it\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command, with git on its PATH."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False)


def _write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    _write(tmp_path, "mkdocs.yml", "site_name: T\nplugins:\n  - specplan:\n      build_date: 2026-03-04\n")
    _write(tmp_path, "docs/index.md", "# Home\n")
    _write(tmp_path, "docs/specs/001-a/plan.yaml", PLAN_A)
    _write(tmp_path, "docs/specs/001-a/spec.md", "# Feature Specification: A\n\n- **FR-001**: MUST.\n")
    _write(tmp_path, "docs/specs/001-a/tasks.md", TASKS)
    _write(tmp_path, "docs/specs/002-b/plan.yaml", PLAN_B)
    _write(tmp_path, "docs/specs/002-b/spec.md", "# Feature Specification: B\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def _diff(repo: Path, *args: str):
    done = run("diff", "HEAD", "--format", "json", *args, cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    return {c["folder"]: c for c in json.loads(done.stdout)["features"]}, done


def test_an_effort_moves_its_feature_and_the_one_that_waits_on_it(repo):
    _write(repo, "docs/specs/001-a/plan.yaml", PLAN_A.replace("{name: Build, effort: 1 w}", "{name: Build, effort: 2 w}"))
    changes, _ = _diff(repo)
    a, b = changes["specs/001-a"], changes["specs/002-b"]
    # built on Wednesday 4 March, nothing started: Build runs from Thursday the 5th for 5 working
    # days (then 10), Ship the 5 after it: 001 ends 18 March, then 25 March; 002's Client follows
    assert (a["moved"], a["finish"]) == (5, ["2026-03-18", "2026-03-25"])
    assert a["cause"] == "the effort of phase 1 (Build): 1 w → 2 w" and a["phases_replanned"] == ["Build"]
    assert (b["moved"], b["finish"]) == (5, ["2026-03-25", "2026-04-01"])
    assert b["cause"] == "phase 1 (Client) waits on 001-a, phase 2, whose forecast moved"


def test_risks_dependencies_tasks_requirements_and_phases(repo):
    plan = PLAN_A.replace("probability: low, impact: low}", "probability: high, impact: low}")
    plan += "  - {id: R2, title: Outage, probability: high, impact: high}\n"
    plan += "external_dependencies:\n  - {name: Payments API, status: pending}\n"
    plan = plan.replace(
        "  - {name: Ship, effort: 1 w, dependencies: [1]}\n",
        "  - {name: Ship, effort: 1 w, dependencies: [1]}\n  - {name: Docs, effort: 1 d}\n",
    )
    _write(repo, "docs/specs/001-a/plan.yaml", plan)
    _write(repo, "docs/specs/001-a/tasks.md", TASKS.replace("- [ ] T001", "- [x] T001"))
    _write(repo, "docs/specs/001-a/spec.md", "# Feature Specification: A\n\n- **FR-001**: MUST.\n- **FR-002**: MUST too.\n")
    changes, _ = _diff(repo)
    a = changes["specs/001-a"]
    assert a["risks_added"] == ["R2 Outage"] and a["new_high_risks"] == ["R2 Outage"]
    assert a["risks_rerated"] == ["R1 Vendor late (low → medium)"]
    assert a["dependencies_added"] == ["Payments API"] and a["phases_added"] == ["Docs"]
    assert a["tasks_completed"] == ["T001"]
    assert a["requirements_added"] == ["FR-002"] and a["newly_uncovered"] == ["FR-002"]
    assert "specs/002-b" not in changes  # nothing moved there


def test_added_and_removed_features_and_nothing_changed(repo):
    changes, _ = _diff(repo)
    assert changes == {}  # negative control: the working tree is the commit
    _write(repo, "docs/specs/003-c/spec.md", "# Feature Specification: C\n")
    import shutil

    shutil.rmtree(repo / "docs/specs/002-b")
    changes, _ = _diff(repo)
    assert changes["specs/003-c"]["kind"] == "added" and changes["specs/002-b"]["kind"] == "removed"


def test_fail_on_and_the_markdown_is_plain_text(repo):
    _write(
        repo,
        "docs/specs/001-a/plan.yaml",
        PLAN_A.replace("feature_name: A", "feature_name: 'A @team <script>x</script> #12'").replace(
            "{name: Build, effort: 1 w}", "{name: Build, effort: 3 w}"
        ),
    )
    done = run("diff", "HEAD", "--format", "markdown", "--fail-on", "slip>5", cwd=repo)
    assert done.returncode == 1 and "moved 10 working days later" in done.stderr
    assert "@\u200bteam" in done.stdout and "<script>" not in done.stdout and "\\<script\\>" in done.stdout
    assert "\\#12" in done.stdout
    calm = run("diff", "HEAD", "--format", "markdown", "--fail-on", "slip>20,high-risk", cwd=repo)
    assert calm.returncode == 0, calm.stderr
    wrong = run("diff", "HEAD", "--fail-on", "late", cwd=repo)
    assert wrong.returncode == 2 and "expected slip>N" in wrong.stderr


def test_a_ref_that_does_not_exist_and_a_shallow_clone_are_usage_errors(repo, tmp_path_factory):
    missing = run("diff", "no-such-ref", cwd=repo)
    assert missing.returncode == 2 and "no-such-ref: no such commit, branch or tag" in missing.stderr
    _write(repo, "docs/index.md", "# Home again\n")
    git(repo, "commit", "-q", "-am", "second")
    clone = tmp_path_factory.mktemp("shallow") / "c"
    git(repo.parent, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    shallow = run("diff", "HEAD", cwd=clone)
    assert shallow.returncode == 2 and "shallow clone" in shallow.stderr


def test_the_json_validates_against_its_published_schema(repo):
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parent.parent / "mkdocs_specplan/schema/diff.schema.json").read_text())
    _write(repo, "docs/specs/001-a/plan.yaml", PLAN_A.replace("{name: Build, effort: 1 w}", "{name: Build, effort: 2 w}"))
    _write(repo, "docs/specs/003-c/spec.md", "# Feature Specification: C\n")
    done = run("diff", "HEAD", "--format", "json", cwd=repo)
    report = json.loads(done.stdout)
    assert len(report["features"]) == 3
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


SPEC_THEN = """\
# Feature Specification: A

- **FR-001**: Users MUST upload photos.
- **FR-002**: Users MUST share an album.
- **FR-004**: Albums MUST hold 100 photos.
"""
SPEC_NOW = """\
# Feature Specification: A

- **FR-001**: Users MUST upload photos.
- **FR-002**:   Users **MUST**   share an album.
- **FR-004**: Albums MUST hold 1,000 photos.
- **FR-011**: Albums MUST be exported as a zip file.
"""


def test_a_spec_that_moved_under_its_approved_plan_says_so(tmp_path):
    """Approved at the first commit; the spec then gains FR-011 and rewords FR-004. A change of white
    space and markup (FR-002) is not a rewording."""
    from .conftest import Site

    git(tmp_path, "init", "-q", "-b", "main")
    site = Site(tmp_path, {"plugins": [{"specplan": {"build_date": "2026-03-04"}}]})
    plan = PLAN_A.replace("risks:\n", "  - {name: Notes, effort: 1 d, goal: Covers FR-001 and FR-004}\nrisks:\n")
    site.plan("specs/001-a", plan, spec=SPEC_THEN)
    site.doc("index.md", "# Home\n")
    site.configure()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "approve")
    _write(tmp_path, "docs/specs/001-a/spec.md", SPEC_NOW)
    git(tmp_path, "commit", "-q", "-am", "the spec moves")
    result = site.build()
    assert not result.failed, result.warnings
    page = result.html("specs/001-a/plan/index.html")
    said = "FR-011 added, FR-004 reworded; not covered by the plan or the tasks: FR-011"
    assert said in page.split('id="specplan-glance"', 1)[1].split("</div>\n</div>", 1)[0]
    assert 'id="specplan-spec-drift"' in page and "The spec changed since this plan" in page
    assert "FR-002" not in page.split('id="specplan-spec-drift"', 1)[1].split("</p>", 1)[0]  # white space and markup only
    attention = result.html("plans/index.html").split('id="attention"', 1)[1].split("<h2", 1)[0]
    assert "spec changed since approval: " + said in attention
    exported = json.loads((result.site_dir / "plans/plans.json").read_text())
    drift = exported["plans"][0]["spec_drift"]
    assert (drift["added"], drift["reworded"], drift["removed"], drift["uncovered"]) == (["FR-011"], ["FR-004"], [], ["FR-011"])


def test_a_spec_that_did_not_move_says_nothing(tmp_path):
    """Negative control: the same spec since approval."""
    from .conftest import Site

    git(tmp_path, "init", "-q", "-b", "main")
    site = Site(tmp_path, {"plugins": [{"specplan": {"build_date": "2026-03-04"}}]})
    site.plan("specs/001-a", PLAN_A, spec=SPEC_THEN)
    site.doc("index.md", "# Home\n")
    site.configure()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "approve")
    result = site.build()
    assert not result.failed, result.warnings
    assert "specplan-spec-drift" not in result.html("specs/001-a/plan/index.html")
    assert json.loads((result.site_dir / "plans/plans.json").read_text())["plans"][0]["spec_drift"] is None


def test_recent_changes_say_what_each_commit_did(tmp_path):
    """Two commits of 001's plan in the last fortnight: the first adds it, the second adds a week to
    its first phase, starts it and adds a risk; a commit before the period is not listed. Each
    version is forecast as of its commit's day: added on Monday 2 March, Build can start on the 3rd
    and Ship ends on the 16th; replanned on the 4th, Build runs from the 5th for ten working days
    and Ship ends on the 25th: seven working days later."""
    from .conftest import Site

    git(tmp_path, "init", "-q", "-b", "main")
    site = Site(tmp_path, {"plugins": [{"specplan": {"build_date": "2026-03-06"}}]})
    site.plan("specs/002-b", PLAN_B.replace('dependencies: ["001: Phase 2"]', "status: planned"))
    site.doc("index.md", "# Home\n")
    site.configure()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "old", date="2026-02-02")
    site.plan("specs/001-a", PLAN_A, spec="# Feature Specification: A\n\n- **FR-001**: MUST.\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "add 001", date="2026-03-02")
    later = PLAN_A.replace("status: approved", "status: in-progress").replace(
        "{name: Build, effort: 1 w}", "{name: Build, effort: 2 w}"
    )
    later += "  - {id: R2, title: Outage, probability: low, impact: low}\n"
    _write(tmp_path, "docs/specs/001-a/plan.yaml", later)
    git(tmp_path, "commit", "-q", "-am", "replan 001", date="2026-03-04")
    _write(tmp_path, "docs/specs/001-a/spec.md", "# Feature Specification: A\n\n- **FR-001**: MUST, reworded.\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "the spec moves", date="2026-03-05")
    result = site.build()
    assert not result.failed, result.warnings
    recent = result.html("plans/index.html").split('<h2 id="recent-changes"', 1)[1].split("<h2", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", recent, re.S)
    text = [re.sub(r"<[^>]+>", "", i) for i in items]
    assert len(text) == 3  # the commit of February is outside the fortnight
    assert text[0].startswith("2026-03-05") and text[0].endswith("001 A: the spec changed")
    text = text[1:]
    assert text[0].startswith("2026-03-04") and "forecast finish 2026-03-16 → 2026-03-25 (+7 working days)" in text[0]
    assert "status approved → in-progress" in text[0] and "open risks 1 → 2" in text[0]
    assert text[1].startswith("2026-03-02") and "the plan is added, forecast to finish 2026-03-16" in text[1]


def test_recent_changes_outside_git_say_so_in_one_line(site):
    site.plan("specs/001-a", PLAN_A)
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-06"}}]}
    result = site.build()
    assert not result.failed, result.warnings
    recent = result.html("plans/index.html").split('<h2 id="recent-changes"', 1)[1].split("<h2", 1)[0]
    assert "Recent changes come from git" in recent and "<li>" not in recent
