"""``specplan import`` keeps what real plan.md and research.md files say, in the forms they say it.
Every fixture is written for this test in the style of a pattern met in public repositories."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import yaml

from mkdocs_specplan.cli.importer import gather, render_yaml
from mkdocs_specplan.core.loader import load_plan

from .test_cli import run

TODAY = dt.date(2026, 3, 2)

PLAN = """\
# Implementation Plan: Photo albums

## Summary

Albums for photos.

## Enhanced Technical Context

**Language/Version**:
- Frontend: TypeScript 5 (strict)
- Backend: Python 3.12

**Primary Dependencies (new)**: FastAPI, Pydantic 2
**Primary Dependencies (existing)**: SQLAlchemy 2
**Storage**: PostgreSQL 16, with the photos
in object storage (S3)
**Testing**: pytest
**Target Platform**: Linux server
**Project Type**: web
**Performance Goals**: p95 < 300 ms
**Constraints**: offline-capable
**Scale/Scope (v1)**: 10k users
**Integration Touchpoints**: the billing service

## Constitution Check

| Principle | Assessment |
|-----------|------------|
| I. Tests First | No change to the test rules. |
"""

PLAN_ES = """\
# Plan de implementación: Álbumes

## Contexto técnico

**Lenguaje/Versión**: Python 3.12
**Dependencias principales**: FastAPI
**Almacenamiento**: PostgreSQL
**Testing**: pytest
**Plataforma objetivo**: Linux
**Tipo de proyecto**: web
**Objetivos de rendimiento**: p95 < 300 ms
**Restricciones**: sin conexión
**Escala/Alcance**: 10k usuarios
"""

RESEARCH = """\
# Research

## 1. Database

**Decision**:
SQLite in WAL mode

**Rationale**:
- one file to back up
- fast enough for one writer

**Alternatives considered**:
- PostgreSQL: a server to run
- Plain files — no transactions

## 2. Queue

- **Decision**: Redis streams
- **Rationale**: already deployed, and its consumer
  groups give us retries
- **Alternatives rejected**: RabbitMQ; Kafka

## 3. Limits

**Decision** (the defaults, an operator may change them):

| Knob | Default |
|------|---------|
| per_trade | 5 % |

**Rationale**: conservative.

## 4. Caching

### Decisión

**Decisión seleccionada**: Opción A, caché en memoria

**Alternativas descartadas**: Redis; memcached

## Decisions still open

- Which CDN to use.
- Whether to shard.
"""


def _feature(tmp_path: Path, plan: str, research: str | None = None, spec: str = "# Feature Specification: Albums\n") -> Path:
    folder = tmp_path / "specs" / "001-albums"
    folder.mkdir(parents=True)
    (folder / "plan.md").write_text(plan, encoding="utf-8")
    (folder / "spec.md").write_text(spec, encoding="utf-8")
    if research is not None:
        (folder / "research.md").write_bytes(research.replace("\n", "\r\n").encode("utf-8"))  # CRLF, as Windows saves it
    return folder


def test_technical_context_keeps_every_value_whole(tmp_path):
    folder = _feature(tmp_path, PLAN)
    context = gather(folder, TODAY).data["technical_context"]
    assert context == {
        "language_version": "- Frontend: TypeScript 5 (strict)\n- Backend: Python 3.12",
        "primary_dependencies": "(new) FastAPI, Pydantic 2\n\n(existing) SQLAlchemy 2",
        "storage": "PostgreSQL 16, with the photos\nin object storage (S3)",
        "testing": "pytest",
        "target_platform": "Linux server",
        "project_type": "web",
        "performance_goals": "p95 < 300 ms",
        "constraints": "offline-capable",
        "scale_scope": "(v1) 10k users",
    }
    approach = gather(folder, TODAY).data["technical_approach"]
    assert "#### From plan.md: Technical Context" in approach and "**Integration Touchpoints**: the billing service" in approach


def test_technical_context_in_another_language(tmp_path):
    folder = _feature(tmp_path, PLAN_ES)
    imported = gather(folder, TODAY)
    assert len(imported.data["technical_context"]) == 9
    assert imported.data["technical_context"]["scale_scope"] == "10k usuarios"
    assert imported.data["feature_name"] == "Álbumes"


def test_an_assessment_that_starts_with_no_is_not_a_failed_check(tmp_path):
    """ "No change to the test rules." assesses the principle; it is not "no" (fail)."""
    folder = _feature(tmp_path, PLAN)
    (tmp_path / "constitution.md").write_text("# Constitution\n\n### I. Tests First\n\nTests come first.\n", encoding="utf-8")
    imported = gather(folder, TODAY)
    text = render_yaml(imported, str(folder), TODAY)
    assert not [p for p in load_plan(text, "plan.yaml").problems if p.level == "warning"]
    assert all(c["status"] != "fail" for c in imported.data.get("constitution_check", []))


def test_every_decision_is_kept_in_the_forms_research_writes_them(tmp_path):
    folder = _feature(tmp_path, PLAN, RESEARCH)
    imported = gather(folder, TODAY)
    decisions = imported.data["technical_decisions"]
    assert [(d["title"], d["chosen"]) for d in decisions] == [
        ("Database", "SQLite in WAL mode"),
        ("Queue", "Redis streams"),
        ("Limits", "| Knob | Default |"),
        ("Caching", "Opción A, caché en memoria"),
    ]
    first, second, third, fourth = decisions
    assert [o["name"] for o in first["options"]] == ["SQLite in WAL mode", "PostgreSQL", "Plain files"]
    assert first["rationale"] == "- one file to back up\n- fast enough for one writer"
    assert second["rationale"] == "already deployed, and its consumer\n  groups give us retries"
    assert [o["name"] for o in second["options"]] == ["Redis streams", "RabbitMQ", "Kafka"]
    assert "per_trade | 5 %" in third["context"] and third["rationale"] == "conservative."
    assert [o["name"] for o in fourth["options"]] == ["Opción A, caché en memoria", "Redis", "memcached"]
    # a heading that only contains the word decides nothing: its text is kept, under where it came from
    assert "#### From research.md: Decisions still open" in imported.data["technical_approach"]
    assert "Which CDN to use." in imported.data["technical_approach"]


def test_what_has_no_field_is_readable_markdown_in_the_yaml(tmp_path):
    plan = PLAN + "\n## Notes\n\nA line with a hard break  \nand a\ttab.\n"
    folder = _feature(tmp_path, plan)
    text = render_yaml(gather(folder, TODAY), str(folder), TODAY)
    assert "technical_approach: |" in text  # a block of Markdown, not one escaped string
    assert yaml.safe_load(text)["technical_approach"].count("\n") > 3


def test_a_plan_titled_with_its_folders_name_takes_the_specs(tmp_path):
    folder = _feature(tmp_path, "# Implementation Plan: 001-albums\n", spec="# Feature Specification: Photo albums\n")
    assert gather(folder, TODAY).data["feature_name"] == "Photo albums"


def test_import_reads_and_checks_with_the_sites_settings(tmp_path):
    folder = _feature(tmp_path, "# Plan\n", spec="# Lastenheft: Zähler\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: T
            plugins:
              - specplan:
                  vocabulary: {spec_title: [Lastenheft]}
                  plan_statuses: [entwurf, fertig]
            """
        ),
        encoding="utf-8",
    )
    plain = run("import", "--dry-run", str(folder.relative_to(tmp_path)), cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert yaml.safe_load(plain.stdout)["feature_name"] == "Lastenheft: Zähler"  # the default words know no Lastenheft
    sited = run("import", "--dry-run", "-f", "mkdocs.yml", str(folder.relative_to(tmp_path)), cwd=tmp_path)
    assert yaml.safe_load(sited.stdout)["feature_name"] == "Zähler"
    assert sited.returncode == 1 and 'status: "draft" is not a plan status' in sited.stderr  # checked as this site checks
