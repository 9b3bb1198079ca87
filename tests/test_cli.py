"""The specplan command through its real entry points: validate, import, new, schema, render."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from mkdocs_specplan.core.schema import EXPORT_SCHEMA_PATH, PLAN_SCHEMA_PATH, dumps, export_schema, plan_schema

from .conftest import EXAMPLES, FIXTURES, MINIMAL_PLAN, Site

SCRIPT = Path(sys.executable).parent / "specplan"
REPO = FIXTURES / "speckit-repo"


def run(*args: str, cwd: Path, module: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mkdocs_specplan", *args] if module else [str(SCRIPT), *args]
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(SCRIPT.parent)},
    )


BROKEN = (
    MINIMAL_PLAN.replace('"042"', '"043"')
    + "phases:\n  - name: Build\n    effort: 3 parsecs\n  - name: Ship\n    dependencies: [Phase 9]\n"
)


@pytest.fixture
def broken_site(tmp_path) -> Site:
    site = Site(tmp_path)
    site.plan("specs/001-good", MINIMAL_PLAN)
    site.plan("specs/002-bad", BROKEN)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - specplan\n", encoding="utf-8")
    return site


def test_help_for_every_subcommand(tmp_path):
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0 and "validate" in result.stdout and "import" in result.stdout
    for command in ("validate", "import", "new", "schema", "render"):
        result = run(command, "--help", cwd=tmp_path)
        assert result.returncode == 0 and f"specplan {command}" in result.stdout, command


def test_validate_reports_what_the_build_reports(broken_site):
    result = run("validate", cwd=broken_site.root)
    assert result.returncode == 1
    lines = [line for line in result.stdout.strip().split("\n") if not line.endswith("(note)")]
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["docs/specs/002-bad/plan.yaml:7:13", "phases[0].effort"],
        ["docs/specs/002-bad/plan.yaml:9:20", "phases[1].dependencies[0]"],
    ]
    assert "parsecs" in lines[0] and "Phase 9" in lines[1]
    build = broken_site.build(strict=False)
    from_build = sorted(w.removeprefix("specplan: ") for w in build.warnings)
    assert sorted(line.removeprefix("docs/") for line in lines) == from_build
    assert "2 plans of 2 features checked: 2 problems" in result.stderr


def test_validate_exit_zero_when_clean(tmp_path):
    site = Site(tmp_path)
    site.plan("specs/001-good", MINIMAL_PLAN)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - specplan\n", encoding="utf-8")
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert run("validate", cwd=tmp_path, module=True).returncode == 0


def test_validate_github_and_json(broken_site):
    github = run("validate", "--format", "github", cwd=broken_site.root)
    assert github.returncode == 1
    first = next(line for line in github.stdout.split("\n") if line.startswith("::error"))
    assert re.fullmatch(
        r"::error file=docs/specs/002-bad/plan\.yaml,line=7,col=13,title=specplan::phases\[0\]\.effort: .*parsecs.*", first
    )
    data = json.loads(run("validate", "--format", "json", cwd=broken_site.root).stdout)
    assert {(p["path"], p["line"], p["field"], p["level"]) for p in data if p["level"] == "warning"} == {
        ("docs/specs/002-bad/plan.yaml", 7, "phases[0].effort", "warning"),
        ("docs/specs/002-bad/plan.yaml", 9, "phases[1].dependencies[0]", "warning"),
    }


def test_validate_paths_narrow_the_report(broken_site):
    assert run("validate", "docs/specs/001-good", cwd=broken_site.root).returncode == 0
    assert run("validate", "docs/specs/002-bad/plan.yaml", cwd=broken_site.root).returncode == 1


def test_validate_without_mkdocs_yml(tmp_path):
    shutil.copytree(REPO, tmp_path, dirs_exist_ok=True)
    result = run("validate", "specs/004-billing-yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    # the requirement another feature defines is known, as in a build
    assert "mentions FR-011-002, defined in specs/002-legacy-sync/spec.md; linked there (note)" in result.stdout


def test_validate_bad_config_is_a_usage_error(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - specplan:\n      sprint_length: 0\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 2 and "sprint_length" in result.stderr


def test_schema_is_the_shipped_file(tmp_path):
    result = run("schema", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == plan_schema()
    assert PLAN_SCHEMA_PATH.read_text(encoding="utf-8") == dumps(plan_schema())
    assert EXPORT_SCHEMA_PATH.read_text(encoding="utf-8") == dumps(export_schema())


def test_render_prints_the_page(tmp_path):
    shutil.copytree(REPO, tmp_path, dirs_exist_ok=True)
    result = run("render", "specs/004-billing-yaml/plan.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # the page a build publishes: its front matter, title, glance block, timeline and sections
    assert result.stdout.startswith("---\nrender_macros: false\n---\n\n# Implementation Plan: Billing Export\n")
    assert 'class="specplan-glance' in result.stdout
    assert "## Implementation Phases" in result.stdout and "specplan-gantt" in result.stdout
    assert "Security II (Encrypt at Rest)" in result.stdout  # the constitution was found


# -- import -------------------------------------------------------------------------------------
def _import_and_build(tmp_path: Path, folder: str) -> tuple[str, str]:
    shutil.copytree(REPO, tmp_path, dirs_exist_ok=True)
    result = run("import", f"specs/{folder}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"specs/{folder}/plan.speckit.md").is_file() and not (tmp_path / f"specs/{folder}/plan.md").exists()
    text = (tmp_path / f"specs/{folder}/plan.yaml").read_text(encoding="utf-8")
    assert run("validate", f"specs/{folder}", cwd=tmp_path).returncode == 0
    site = Site(tmp_path)
    (tmp_path / "specs/003-search/spec.md").write_text("# Feature Specification: Search\n", encoding="utf-8")
    build = site.build(plugins=[{"specplan": {"specs_dir": "specs", "constitution": ".specify/memory/constitution.md"}}])
    assert not build.failed, build.warnings
    assert not build.exists(f"specs/{folder}/plan.speckit/index.html")  # kept, not published
    return text, build.html(f"specs/{folder}/plan/index.html")


def test_import_current_template(tmp_path):
    text, page = _import_and_build(tmp_path, "001-photo-albums")
    assert "# from plan.md: Technical Context" in text and "# from tasks.md: 6 of 10 tasks are done" in text
    for value in (
        "Python 3.12",
        "FastAPI, SQLAlchemy",
        "PostgreSQL",
        "Linux server",
        "album page p95 &lt; 300 ms",
        "no new services",
        "10k users",
    ):
        assert value in page, value
    assert "share links are signed tokens" in page and "random IDs in a table" in page  # the research decision
    assert "no lookup table needed." in page
    for phase in (
        "Setup (Shared Infrastructure)",
        "Foundational (Blocking Prerequisites)",
        "User Story 1 - Create an album",
        "Polish &amp; Cross-Cutting Concerns",
    ):
        assert phase in page, phase
    statuses = dict(re.findall(r'data-phase="(\d)"[^>]*data-status="([\w-]+)"', page))
    assert statuses == {"1": "done", "2": "done", "3": "in-progress", "4": "planned", "5": "planned"}
    assert "Create Album model in src/albums/models.py" in page
    assert "From plan.md: Complexity Tracking" in page and "No violations." in page  # nothing lost
    assert 'data-check="article_i"' in page and "constitution check: pass" in page


def test_import_old_template(tmp_path):
    _text, page = _import_and_build(tmp_path, "002-legacy-sync")
    for value in ("Python 3.11", "httpx", "N/A", "2k desktop users"):
        assert value in page, value
    assert 'data-field="technical_context.performance_goals"' in page  # NEEDS CLARIFICATION is flagged
    assert "Tests First (TDD)" in page and "Core Implementation" in page
    assert "From plan.md: Progress Tracking" in page and "Phase 0: Research complete" in page
    statuses = dict(re.findall(r'data-phase="(\d)"[^>]*data-status="([\w-]+)"', page))
    assert statuses == {"1": "done", "2": "done", "3": "in-progress", "4": "planned"}


def test_import_refuses_to_overwrite_and_keeps_what_a_person_added(tmp_path):
    shutil.copytree(REPO / "specs/001-photo-albums", tmp_path / "f")
    assert run("import", "f", cwd=tmp_path).returncode == 0
    again = run("import", "f", cwd=tmp_path)
    assert again.returncode == 2 and "use --force" in again.stderr
    plan = tmp_path / "f/plan.yaml"
    plan.write_text(plan.read_text() + "estimated_effort: 6 w\napproved_by: Dana\n", encoding="utf-8")
    shutil.copy(tmp_path / "f/plan.speckit.md", tmp_path / "f/plan.md")
    assert run("import", "--force", "f", cwd=tmp_path).returncode == 0
    data = yaml.safe_load(plan.read_text())
    assert data["estimated_effort"] == "6 w" and data["approved_by"] == "Dana"


def test_import_dry_run_writes_nothing(tmp_path):
    shutil.copytree(REPO / "specs/002-legacy-sync", tmp_path / "f")
    result = run("import", "--dry-run", "f", cwd=tmp_path)
    assert result.returncode == 0 and "feature_name: Legacy Sync" in result.stdout
    assert not (tmp_path / "f/plan.yaml").exists() and (tmp_path / "f/plan.md").exists()


def test_round_trip_of_a_plan_written_from_the_template(tmp_path):
    """A Markdown plan in this product's own layout: every filled placeholder reaches the page."""
    shutil.copytree(FIXTURES / "own-template", tmp_path / "docs/specs/007-refills")
    result = run("import", "docs/specs/007-refills", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((tmp_path / "docs/specs/007-refills/plan.yaml").read_text())
    assert data["tech_stack"] == ["Python 3.12", "PostgreSQL 16", "Redis streams"]
    assert (
        data["rollback_plan"].startswith("Turn the flag off") and data["prerequisites"][1] == "Signed data-processing agreement"
    )
    assert str(data["created_date"]) == "2026-05-04" and data["status"] == "approved"
    build = Site(tmp_path).build()
    assert not build.failed, build.warnings
    page = build.html("docs/specs/007-refills/plan/index.html".removeprefix("docs/"))
    original = (FIXTURES / "own-template/plan.md").read_text(encoding="utf-8")
    for line in original.split("\n"):
        text = line.strip().lstrip("-#").strip()
        if not text or text.startswith(("**Feature Branch**", "Implementation Plan:")) or set(text) <= set("#-"):
            continue
        shown = text.replace("&", "&amp;").replace("→", "→")
        assert shown in page or text.split(" (")[0] in page, text


# -- new ----------------------------------------------------------------------------------------
def test_new_plan_validates_as_written(tmp_path):
    shutil.copytree(REPO / "specs/001-photo-albums", tmp_path / "specs/001-photo-albums")
    (tmp_path / "specs/001-photo-albums/plan.md").unlink()
    result = run("new", "specs/001-photo-albums", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "specs/001-photo-albums/plan.yaml").read_text()
    assert 'feature_name: Photo Albums\nfeature_id: "001"' in text and "status: draft" in text
    assert "#   FR-001a: Albums MUST have a cover photo." in text and "#   US2: Share an album (Priority: P2)" in text
    assert "# technical_context:" in text and "# risks:" in text
    assert run("validate", "specs/001-photo-albums", cwd=tmp_path).returncode == 0
    assert run("new", "specs/001-photo-albums", cwd=tmp_path).returncode == 2


# -- schema and loader agree --------------------------------------------------------------------
def _fixture_plans() -> list[Path]:
    """Every plan of the examples, the fixtures and the demo, but the ones wrong on purpose."""
    roots = [EXAMPLES, FIXTURES, Path(__file__).parent.parent / "demo-site"]
    plans = (p for root in roots for p in root.rglob("plan.yaml"))
    return sorted(p for p in plans if not p.read_text(encoding="utf-8").startswith("# wrong on purpose"))


class Yaml12Loader(yaml.SafeLoader):
    """YAML as editors read it (yaml-language-server, YAML 1.2): dates stay text."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_as_editor(text: str) -> object:
    return yaml.load(text, Loader=Yaml12Loader)


@pytest.mark.parametrize("path", _fixture_plans(), ids=lambda p: str(p.parent.name))
def test_every_example_and_fixture_plan_validates_against_the_schema(path):
    jsonschema.validate(
        load_as_editor(path.read_text(encoding="utf-8")) or {}, plan_schema(), cls=jsonschema.Draft202012Validator
    )


def _schema_paths(error: jsonschema.ValidationError) -> set[str]:
    """Field paths, as the loader writes them, of what a schema error rejects."""
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    if error.validator == "additionalProperties":  # the unexpected keys, not their mapping
        known = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extra = [k for k in error.instance if k not in known and not any(p.search(k) for p in patterns)]
        return {f"{out}.{k}" if out else k for k in extra}
    return {out}


BAD_DOCUMENTS = [
    ("feature_name: [a, b]", "feature_name"),
    ("created_date: 2026-13-45", "created_date"),
    ("created_date: yesterday", "created_date"),
    ("status: sideways", "status"),
    ("phi_handling: maybe", "phi_handling"),
    ("estimated_effort: 3 parsecs", "estimated_effort"),
    ("phases: {a: 1}", "phases"),
    ("phases:\n  - name: A\n    number: -1", "phases[0].number"),
    ("phases:\n  - name: A\n    status: nope", "phases[0].status"),
    ("phases:\n  - name: A\n    colour: red", "phases[0].colour"),
    ("risks:\n  - title: R\n    impact: enormous", "risks[0].impact"),
    ("technical_context:\n  language: Python", "technical_context.language"),
    ("constitution_check:\n  - principle: I\n    status: great", "constitution_check[0].status"),
    ("complexity_tracking:\n  - why_needed: x", "complexity_tracking[0].violation"),
    ("checklist:\n  team_reviewed: perhaps", "checklist.team_reviewed"),
    ("checklist:\n  user_stories: true", "checklist.user_stories"),
    ("tech_stak: [x]", "tech_stak"),
]


@pytest.mark.parametrize("extra,fieldpath", BAD_DOCUMENTS)
def test_documents_the_schema_rejects_get_loader_errors_at_the_same_path(extra, fieldpath):
    from mkdocs_specplan.core.loader import load_plan

    text = MINIMAL_PLAN.replace("created_date: 2026-03-02\n", "") + textwrap.dedent(extra) + "\n"
    if not extra.startswith("created_date"):
        text += "created_date: 2026-03-02\n"
    document = load_as_editor(text)
    validator = jsonschema.Draft202012Validator(plan_schema())
    errors = list(validator.iter_errors(document))
    assert errors, f"the schema accepts {extra!r}"
    schema_paths = set().union(*(_schema_paths(e) for e in errors))
    loader_paths = {p.field for p in load_plan(text, "p.yaml").problems}
    assert loader_paths, f"the loader accepts {extra!r}"
    # every place the schema rejects is a place the loader reports (unknown keys: the schema names the mapping)
    for path in schema_paths:
        assert any(lp == path or lp.startswith(path + ".") or lp.startswith(path + "[") for lp in loader_paths), (
            path,
            loader_paths,
        )
    assert fieldpath in loader_paths or any(fieldpath.startswith(lp) for lp in loader_paths), (fieldpath, loader_paths)


def test_import_makes_no_number_of_a_huge_phase_reference():
    """A phase number past what int() reads (4,300 digits) names no phase: no traceback."""
    from mkdocs_specplan.cli.importer import _phase_dependencies

    huge = "9" * 5000
    phases = [{"number": 1, "name": "Setup"}, {"number": 2, "name": "Build"}]
    text = f"## Dependencies\n\n- **Build (Phase 2)**: depends on Phase 1 and Phase {huge}\n- **Odd (Phase {huge})**: depends on Phase 1\n"
    _phase_dependencies(text, phases)
    assert phases[1]["dependencies"] == ["Phase 1"] and "dependencies" not in phases[0]
