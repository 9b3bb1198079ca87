"""Realistic, varied spec-kit sites for the benchmark: seeded, so every run builds the same site.

Each feature folder has a spec (user stories, requirements, success criteria), a data model and
tasks; most have a plan.yaml (5-15 phases with dependencies, 5-10 risks, decisions, an external
dependency, a constitution check); some are Markdown only (spec-kit's plan.md) or spec only.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

WORDS = [
    "intake",
    "reminders",
    "billing",
    "export",
    "search",
    "audit",
    "consent",
    "scheduling",
    "triage",
    "referral",
    "portal",
    "ledger",
    "claims",
    "pharmacy",
    "imaging",
    "telehealth",
    "notes",
    "vitals",
    "alerts",
    "inventory",
    "payroll",
    "onboarding",
    "analytics",
]
STATUSES = ("draft", "in-review", "approved", "in-progress", "in-progress", "done", "blocked")
PHASE_STATUSES = ("planned", "in-progress", "done", "blocked")
LEVELS = ("low", "medium", "high")
CONSTITUTION = """\
# Clinic Platform Constitution

## Core Principles

### I. Library-First
Every feature starts as a library.

### II. Test-First
Tests are written before the code.

### III. Observability
Every service logs in a structured way.

### IV. Simplicity
Start simple.

## Governance
The constitution supersedes other practices.
"""


def _name(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, 2)).capitalize()


def spec_md(rng: random.Random, fid: str, name: str, stories: int, requirements: int) -> str:
    lines = [
        f"# Feature Specification: {name}",
        "",
        f"**Feature Branch**: `{fid}-{name.lower().replace(' ', '-')}`  ",
        "**Status**: Draft",
        "",
    ]
    lines += ["## User Scenarios & Testing *(mandatory)*", ""]
    for s in range(1, stories + 1):
        lines += [
            f"### User Story {s} - {_name(rng)} (Priority: P{min(s, 3)})",
            "",
            f"As a clinician I want {rng.choice(WORDS)} so that care is faster.",
            "",
        ]
        lines += [
            "**Acceptance Scenarios**:",
            "",
            f"1. **Given** a {rng.choice(WORDS)} record, **When** it changes, **Then** the team is told.",
            "",
        ]
    lines += ["## Requirements *(mandatory)*", "", "### Functional Requirements", ""]
    for r in range(1, requirements + 1):
        lines.append(
            f"- **FR-{r:03d}**: System MUST handle {rng.choice(WORDS)} for {rng.choice(WORDS)} within {rng.randint(1, 60)} seconds."
        )
    lines += ["", "## Success Criteria *(mandatory)*", ""]
    for c in range(1, 4):
        lines.append(f"- **SC-{c:03d}**: {rng.randint(50, 99)}% of {rng.choice(WORDS)} tasks finish first time.")
    return "\n".join(lines) + "\n"


def tasks_md(rng: random.Random, phases: int, requirements: int) -> str:
    lines = ["# Tasks", ""]
    t = 1
    for p in range(1, phases + 1):
        lines += [f"## Phase {p}: {_name(rng)}", ""]
        for _ in range(rng.randint(2, 5)):
            box = "X" if rng.random() < 0.4 else " "
            label = " [P]" if rng.random() < 0.3 else ""
            lines.append(
                f"- [{box}] T{t:03d}{label} [US{rng.randint(1, 3)}] Implement {rng.choice(WORDS)} (FR-{rng.randint(1, requirements):03d})"
            )
            t += 1
        lines.append("")
    return "\n".join(lines)


def plan_yaml(rng: random.Random, fid: str, name: str, requirements: int, start: dt.date) -> tuple[str, int]:
    n = rng.randint(5, 15)
    status = rng.choice(STATUSES)
    out = [
        f"feature_name: {name}",
        f'feature_id: "{fid}"',
        f"created_date: {(start - dt.timedelta(days=14)).isoformat()}",
        f"start_date: {start.isoformat()}",
        f"status: {status}",
        f"last_updated: {(start - dt.timedelta(days=rng.randint(0, 120))).isoformat()}",
        "plan_summary: |",
        f"  Deliver {name.lower()} for the clinic (FR-001, FR-{requirements:03d}); User Story 1 first.",
        "technical_approach: |",
        f"  A {rng.choice(WORDS)} service behind the gateway, with **{rng.choice(WORDS)}** events.",
        "tech_stack: [Python 3.12, FastAPI, PostgreSQL 16]",
        f"estimated_effort: {rng.randint(6, 30)} weeks",
        "architecture_description: |",
        "  Three services talk over a queue.",
        "components:",
    ]
    for c in range(rng.randint(2, 4)):
        out += [
            f"  - name: {_name(rng)} {c}",
            "    purpose: Keeps the records",
            "    responsibilities: [Validate input, Store events]",
        ]
    out.append("technical_decisions:")
    for d in range(1, rng.randint(2, 4) + 1):
        out += [
            f"  - id: TD-{d}",
            f"    title: {_name(rng)} storage",
            "    context: Records must survive restarts.",
            "    options:",
            "      - {name: PostgreSQL, pros: [Known], cons: [Ops]}",
            "      - {name: Redis, pros: [Fast], cons: [Memory]}",
            "    chosen: PostgreSQL",
            "    rationale: The team runs it already.",
            "    constitution_reference: Article I",
        ]
    out.append("phases:")
    for p in range(1, n + 1):
        deps = sorted(rng.sample(range(1, p), min(p - 1, rng.randint(1, 2)))) if p > 1 else []
        phase_status = "done" if status == "done" else rng.choice(PHASE_STATUSES) if status == "in-progress" else "planned"
        out += [
            f"  - number: {p}",
            f"    name: {_name(rng)} {p}",
            f"    goal: Ship the {rng.choice(WORDS)} part",
            f"    deliverables: [{_name(rng)} module, Tests for FR-{rng.randint(1, requirements):03d}]",
            f"    dependencies: [{', '.join(f'Phase {d}' for d in deps)}]",
            "    validation: [Integration tests pass]",
            f"    effort: {rng.choice(['3 d', '1 w', '2 w', '1-2 w', '1 sprint', '4 d'])}",
            f"    status: {phase_status}",
        ]
    out += [
        "data_model_description: See the data model.",
        "test_levels:",
        "  - {level: Unit, coverage: 80%, tools: pytest, approach: TDD}",
    ]
    out += ["deployment_strategy: Blue-green.", "rollout_plan: One clinic first.", "rollback_plan: Switch back.", "risks:"]
    for r in range(1, rng.randint(5, 10) + 1):
        out += [
            f"  - id: R{r}",
            f"    title: {_name(rng)} may fail",
            f"    probability: {rng.choice(LEVELS)}",
            f"    impact: {rng.choice(LEVELS)}",
            "    mitigation: Watch the dashboards and fall back to the manual process.",
            f"    status: {rng.choice(['open', 'open', 'mitigated', 'closed'])}",
            "    owner: Platform team",
        ]
    out += ["external_dependencies:", f"  - {{name: {_name(rng)} API, status: {rng.choice(['available', 'pending'])}}}"]
    out += ["constitution_check:", "  - {principle: Article I, status: pass}", "  - {principle: Article II, status: pass}"]
    out += ["document_status: Approved", "approved_by: Review Board", ""]
    return "\n".join(out), n


def generate(root: Path, n: int, seed: int = 7) -> Path:
    """A site of ``n`` features under ``root/docs`` (with ``mkdocs.yml`` written by the caller)."""
    rng = random.Random(seed)
    docs = root / "docs"
    (docs / "specs").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Clinic platform\n\nSee the [plans](plans/index.md).\n")
    (docs / "constitution.md").write_text(CONSTITUTION)
    base = dt.date(2026, 9, 7)
    for i in range(1, n + 1):
        fid = f"{i:04d}"
        name = f"{_name(rng)} {i}"
        folder = docs / "specs" / f"{fid}-{name.lower().replace(' ', '-')}"
        folder.mkdir()
        requirements = rng.randint(5, 12)
        (folder / "spec.md").write_text(spec_md(rng, fid, name, rng.randint(2, 4), requirements))
        kind = rng.random()
        if kind < 0.85:
            text, phases = plan_yaml(rng, fid, name, requirements, base + dt.timedelta(weeks=rng.randint(0, 40)))
            (folder / "plan.yaml").write_text(text)
            (folder / "data-model.md").write_text(f"# Data Model: {name}\n\n## Entities\n\n- **Record**: id, created_at\n")
            (folder / "tasks.md").write_text(tasks_md(rng, min(phases, 6), requirements))
        elif kind < 0.95:
            (folder / "plan.md").write_text(f"# Implementation Plan: {name}\n\n## Summary\n\nCovers FR-001.\n")
            (folder / "tasks.md").write_text(tasks_md(rng, 3, requirements))
    return root
