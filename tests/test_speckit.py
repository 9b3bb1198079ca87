"""Spec-kit's Markdown as real repositories write it: specs, tasks, checklists, constitutions."""

from __future__ import annotations

import re

import markdown

from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.trace import find_mentions
from mkdocs_specplan.markdown.annotate import PageAnnotations, SpecPlanExtension, Trace
from mkdocs_specplan.speckit.documents import (
    IdSyntax,
    read_checklist,
    read_constitution,
    read_spec,
    read_tasks,
    resolve_principle,
)

from .conftest import EXAMPLES, MINIMAL_PLAN


# -- constitution -------------------------------------------------------------------------------
def test_constitution_heading_styles():
    text = """# Constitution
## Core Principles
### I. Library-First
### Article II: CLI Interface
### Principle III - Test-First (NON-NEGOTIABLE)
### IV) Integration Testing
### Article V. Observability ###
```
### VI. Inside a code block
```
### Governance
### IIII. Not a numeral
"""
    principles = read_constitution(text)
    assert [(p.numeral, p.name, p.non_negotiable) for p in principles] == [
        ("I", "Library-First", False),
        ("II", "CLI Interface", False),
        ("III", "Test-First", True),
        ("IV", "Integration Testing", False),
        ("V", "Observability", False),
    ]
    assert principles[2].anchor == "article-iii" and principles[2].key == "article_iii"


def test_constitution_arabic_and_principle_n():
    text = (
        "# C\n## Principles\n### 1. Simplicity\n### 2. Tests\n### Principle 3: Observability\n## Governance\n### 1. Amendments\n"
    )
    principles = read_constitution(text)
    assert [(p.anchor, p.name) for p in principles] == [
        ("article-i", "Simplicity"),
        ("article-ii", "Tests"),
        ("article-iii", "Observability"),
    ]


def test_constitution_groups_keep_separate_anchors():
    text = (
        "# C\n## Core Principles\n### I. Library-First\n### II. CLI\n"
        "## Security Principles\n### I. Least privilege\n### II. Encrypt at rest\n"
    )
    principles = read_constitution(text)
    assert [p.anchor for p in principles] == ["article-i", "article-ii", "security-i", "security-ii"]
    assert principles[2].label == "Security I" and principles[3].key == "security_ii"
    assert resolve_principle("Security II", principles) is principles[3]
    assert resolve_principle("security-i", principles) is principles[2]
    assert resolve_principle("Article II", principles) is principles[1]
    assert resolve_principle("II", principles) is principles[1]


def test_constitution_sixteen_principles():
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"]
    text = "# C\n## Core Principles\n" + "".join(f"### {r}. Principle number {i + 1}\n\nBody.\n\n" for i, r in enumerate(roman))
    assert [p.number for p in read_constitution(text)] == list(range(1, 17))


def test_example_constitution():
    principles = read_constitution((EXAMPLES / "constitution.md").read_text())
    assert [p.name for p in principles] == ["Library-First", "Operate What We Know", "Test-First", "PHI Protection"]


def test_resolve_principle():
    principles = read_constitution((EXAMPLES / "constitution.md").read_text())
    for ref in ("Article II", "II", "Principle II", "article ii", "Article 2", "operate what we know"):
        assert resolve_principle(ref, principles).numeral == "II", ref
    assert resolve_principle("Article IX", principles) is None
    assert resolve_principle("Something else", principles) is None


# -- specs --------------------------------------------------------------------------------------
def test_example_spec_requirements_and_stories():
    spec = read_spec((EXAMPLES / "specs/001-appointment-reminders/spec.md").read_text())
    assert [(r.id, r.kind) for r in spec.requirements] == [
        ("US1", "story"),
        ("FR-001", "requirement"),
        ("FR-002", "requirement"),
        ("FR-003", "requirement"),
        ("SC-001", "requirement"),
    ]
    assert spec.requirements[1].text == "System MUST send a reminder 48 hours before each appointment."
    assert spec.requirements[0].text == "Get reminded before a visit (Priority: P1)"


def test_spec_mentions_are_not_definitions():
    reqs = read_spec(
        "- **FR-001**: first\n\nAs FR-002 says, and FR-001 again.\n\n- FR-003 second\n\n1. **SC-001**: third\n"
    ).requirements
    assert [r.id for r in reqs] == ["FR-001", "FR-003", "SC-001"]


REAL_SPEC = """\
# Feature Specification: Photo Albums

**Feature Branch**: `001-photo-albums`
**Created**: 2025-09-12
**Status**: Draft
**Input**: User description: "Albums of photos"

## User Scenarios & Testing

### US1: Upload photos (P1)

### User Story 2 — Share an album (Priority: P2)

### User Story 3 - Delete (Priority: P3)

## Requirements

- **FR-001**: System MUST allow albums.
- **FR-001a**: Albums MUST have a cover.
- FR-011-001 Scoped one
- FR-011-002 Scoped two
- **NFR-SEC-001**: Uploads MUST be scanned; see `pkg-<script>-v1.zip` and `<style>`.
- **FR-005**: Users MUST [NEEDS CLARIFICATION: how many photos?]

**FR-020**: Paragraph definition
**FR-021**: Second line of the same paragraph

| ID | Requirement |
|----|-------------|
| FR-030 | Defined in a table |
| **FR-031** | Bold in a table |

### FR-040: Defined in a heading

```text
- **FR-099**: in a code block
[NEEDS CLARIFICATION: in code]
```

<!-- - **FR-098**: in a comment -->

<div markdown>
- **FR-097**: in raw HTML
</div>
"""


def test_real_spec_styles():
    spec = read_spec(REAL_SPEC)
    assert spec.title == "Photo Albums"
    assert (spec.status, spec.created, spec.branch) == ("Draft", "2025-09-12", "001-photo-albums")
    assert spec.clarifications == 1
    assert [r.id for r in spec.requirements] == [
        "US1",
        "US2",
        "US3",
        "FR-001",
        "FR-001a",
        "FR-011-001",
        "FR-011-002",
        "NFR-SEC-001",
        "FR-005",
        "FR-020",
        "FR-021",
        "FR-030",
        "FR-031",
        "FR-040",
    ]
    by_id = {r.id: r for r in spec.requirements}
    assert by_id["NFR-SEC-001"].text == "Uploads MUST be scanned; see pkg-<script>-v1.zip and <style>."
    assert by_id["FR-011-001"].text == "Scoped one"
    assert by_id["FR-030"].text == "Defined in a table"
    assert by_id["US2"].text == "Share an album (Priority: P2)"
    assert by_id["FR-021"].text == "Second line of the same paragraph"


def test_template_placeholders_are_not_names():
    spec = read_spec("# Feature Specification: [FEATURE NAME]\n\n**Status**: [STATUS]\n")
    assert spec.title is None and spec.status is None


def test_configured_prefixes_and_story_labels():
    syntax = IdSyntax(("REQ",), ("Historia",))
    spec = read_spec("### Historia 2: Pagar\n\n- **REQ-7**: algo\n- **FR-001**: no\n", syntax)
    assert [r.id for r in spec.requirements] == ["US2", "REQ-7"]


def test_mentions():
    syntax = IdSyntax()
    text = "covers FR-001a, FR-011-001 and NFR-SEC-001, [US1], User Story 2, FR-003-FR-004; not USB1, US12x, XFR-009"
    assert syntax.mentions(text) == ["FR-001a", "FR-011-001", "NFR-SEC-001", "US1", "US2", "FR-003"]


def test_find_mentions_with_fields():
    plan = load_plan(
        MINIMAL_PLAN + "plan_summary: Covers FR-001 and User Story 2.\nphases:\n  - name: A\n    goal: Deliver US1 and FR-001a\n",
        "p.yaml",
    ).plan
    assert [(m.id, m.field) for m in find_mentions(plan)] == [
        ("FR-001", "plan_summary"),
        ("US2", "plan_summary"),
        ("US1", "phases[0].goal"),
        ("FR-001a", "phases[0].goal"),
    ]


# -- tasks --------------------------------------------------------------------------------------
CURRENT_TASKS = """\
# Tasks: Photo Albums

## Format: `[ID] [P?] [Story] Description`

- **[P]**: Can run in parallel

## Phase 1: Setup (Shared Infrastructure)

- [x] T001 Create project structure per implementation plan
- [X] T002 [P] Configure linting
  - [x] Install ruff
  - [ ] T900 a nested item is not a task

## Phase 2: Foundational

- [x] **T003** Setup database schema
- [ ] T004 [P] Auth framework

## Phase 3: User Story 1 - Upload photos (Priority: P1) 🎯 MVP

### Tests for User Story 1

- [ ] T005 [P] [US1] Contract test for upload
* [x] T006 [US1] Implement FR-001 upload service (depends on T003)
1. [ ] T007 [US1] Upload endpoint

## Dependencies & Execution Order

- T001, T002 (parallel)
- T004 blocks T007

```bash
- [x] T999 in a code block
```

## Validation Checklist

- [ ] All contracts have corresponding tests
- [x] All entities have model tasks
"""


def test_tasks_current_template():
    progress = read_tasks(CURRENT_TASKS)
    assert (progress.done, progress.total) == (4, 7)
    assert [(g.title, g.done, g.total, g.phase_number, g.sub) for g in progress.groups] == [
        ("Phase 1: Setup (Shared Infrastructure)", 2, 2, 1, None),
        ("Phase 2: Foundational", 1, 2, 2, None),
        ("Phase 3: User Story 1 - Upload photos (Priority: P1) 🎯 MVP", 1, 3, 3, None),
    ]
    assert (progress.checklist.done, progress.checklist.total) == (
        1,
        2,
    )  # the validation checklist; sub-items of tasks are neither
    assert progress.checkboxes
    by_id = {t.id: t for t in progress.tasks}
    assert by_id["T006"].refs == ("US1", "FR-001") and by_id["T006"].done
    assert "T900" not in by_id and "T999" not in by_id


OLD_TASKS = """\
# Tasks: Legacy Feature

## Phase 3.1: Setup
- [X] T001 Create project structure
- [X] T002 [P] Configure linting

## Phase 3.2: Tests First (TDD)
- [X] T003 [P] Contract test POST /items
- [ ] T004 [P] Integration test

## Phase 3.3: Core Implementation
- [ ] T005 Item model

## Phase 3.4: Polish
- [ ] T006 [P] Unit tests

## Validation Checklist
- [ ] All contracts have corresponding tests
- [ ] All entities have model tasks
- [ ] All tests come before implementation
"""


def test_tasks_old_template_sub_phases():
    progress = read_tasks(OLD_TASKS)
    assert (progress.done, progress.total) == (3, 6)
    assert [(g.phase_number, g.sub, g.done, g.total) for g in progress.groups] == [
        (3, "3.1", 2, 2),
        (3, "3.2", 1, 2),
        (3, "3.3", 0, 1),
        (3, "3.4", 0, 1),
    ]
    assert progress.checklist.total == 3


def test_tasks_without_checkboxes_fall_back():
    progress = read_tasks(
        "# Tasks\n\n## Phase 1: Setup\n\n- T001 [P] Verify the build\n- T002: Write docs\n"
        "- T001, T002 (parallel)\n\n## Notes\n\n- T003 blocks T004\n- T004 depends on T001\n\nT005 Not a list item\n"
    )
    assert [t.id for t in progress.tasks] == ["T001", "T002"]
    assert (progress.done, progress.total, progress.checkboxes) == (0, 2, False)


def test_tasks_written_right_after_a_paragraph():
    progress = read_tasks("## Phase 1: Setup\nThese come first:\n- [x] T001 one\n- [ ] T002 two\n")
    assert (progress.done, progress.total) == (1, 2)


def test_tasks_before_any_group():
    progress = read_tasks("# Tasks\n- [x] T001 first\n## Phase 1: Core\n- [ ] T002 second\n")
    assert [(g.title, g.done, g.total) for g in progress.groups] == [("Tasks", 1, 1), ("Phase 1: Core", 0, 1)]


def test_checklist_progress():
    progress = read_checklist(
        "# Requirements Checklist\n\n- [x] CHK001 Are requirements testable?\n- [ ] CHK002 Is scope clear?\n- [X] CHK003 Done\n"
    )
    assert (progress.done, progress.total) == (2, 3)


# -- annotation at render time ------------------------------------------------------------------
def _render(text: str, notes: PageAnnotations, extensions: tuple[str, ...] = ("toc", "tables", "attr_list")) -> str:
    ext = SpecPlanExtension()
    md = markdown.Markdown(extensions=[ext, *extensions])
    ext.current = notes
    return md.convert(text)


def test_spec_anchors_survive_script_in_code():
    html = _render(REAL_SPEC, PageAnnotations(definitions=IdSyntax()))
    for anchor in (
        "us1",
        "us2",
        "fr-001",
        "fr-001a",
        "fr-011-001",
        "nfr-sec-001",
        "fr-020",
        "fr-021",
        "fr-030",
        "fr-031",
        "fr-040",
    ):
        assert f'id="{anchor}"' in html, anchor
    assert 'id="fr-099"' not in html and 'id="fr-097"' not in html
    assert "<code>pkg-&lt;script&gt;-v1.zip</code>" in html


def test_spec_traces_beside_requirements():
    notes = PageAnnotations(
        definitions=IdSyntax(), traces={"FR-001": Trace((("Phase 2", "plan.md#phase-2"),), (("T006", "tasks.md#t006"),))}
    )
    html = _render("- **FR-001**: first\n- **FR-002**: second\n", notes)
    assert (
        '<li id="fr-001"><strong>FR-001</strong>: first<span class="specplan-req-trace"> Planned: <a href="plan.md#phase-2">Phase 2</a> · Tasks: <a href="tasks.md#t006">T006</a></span></li>'
        in html
    )
    assert '<li id="fr-002"><strong>FR-002</strong>: second</li>' in html


def test_mentions_linked_outside_code_links_and_headings():
    notes = PageAnnotations(mentions={"FR-001": "spec.md#fr-001", "US1": "spec.md#us1"}, mention_syntax=IdSyntax())
    html = _render(
        "# FR-001 title\n\nFR-001 and `FR-001` and [FR-001](x.md) and User Story 1, FR-009.\n\n"
        "<div>FR-001 raw</div>\n\n```\nFR-001\n```\n",
        notes,
        ("toc", "fenced_code"),
    )
    assert '<h1 id="fr-001-title">FR-001 title</h1>' in html
    assert (
        '<a class="specplan-mention" href="spec.md#fr-001">FR-001</a> and <code>FR-001</code> and <a href="x.md">FR-001</a> and '
        '<a class="specplan-mention" href="spec.md#us1">User Story 1</a>, FR-009.'
    ) in html
    assert "<div>FR-001 raw</div>" in html and "<code>FR-001\n</code>" in html


def test_task_anchors():
    html = _render("- [ ] T001 one\n- [x] **T002** two\n- not a task\n", PageAnnotations(tasks=True))
    assert re.search(r'<li [^>]*id="t001">', html) and re.search(r'<li [^>]*id="t002">', html) and html.count("id=") == 2


def test_principle_anchors_do_not_change_the_toc():
    html = _render("## Core Principles\n\n### I. Library-First\n\n### II. CLI\n", PageAnnotations(principles=True))
    assert '<h3 id="i-library-first"><span class="specplan-anchor" id="article-i"></span>I. Library-First</h3>' in html
