"""Parsers of the constitution, the spec, tasks.md, and linking of requirement mentions."""

from __future__ import annotations

from mkdocs_specplan.loader import load_plan
from mkdocs_specplan.trace import (
    anchor_spec,
    find_mentions,
    link_mentions,
    parse_constitution,
    parse_spec,
    parse_tasks,
    resolve_principle,
)

from .conftest import EXAMPLES, MINIMAL_PLAN


def test_constitution_heading_styles():
    text = """# Constitution
## Core Principles
### I. Library-First
### Article II: CLI Interface
### Principle III - Test-First (NON-NEGOTIABLE)
#### IV) Integration Testing
### Article V. Observability ###
```
### VI. Inside a code block
```
### Governance
### IIII. Not a numeral
"""
    principles = parse_constitution(text)
    assert [(p.numeral, p.name, p.non_negotiable) for p in principles] == [
        ("I", "Library-First", False),
        ("II", "CLI Interface", False),
        ("III", "Test-First", True),
        ("IV", "Integration Testing", False),
        ("V", "Observability", False),
    ]
    assert principles[2].anchor == "article-iii" and principles[0].line == 3


def test_example_constitution():
    principles = parse_constitution((EXAMPLES / "constitution.md").read_text())
    assert [p.name for p in principles] == ["Library-First", "Operate What We Know", "Test-First", "PHI Protection"]


def test_resolve_principle():
    principles = parse_constitution((EXAMPLES / "constitution.md").read_text())
    for ref in ("Article II", "II", "Principle II", "article ii", "Article 2", "operate what we know"):
        assert resolve_principle(ref, principles).numeral == "II", ref
    assert resolve_principle("Article IX", principles) is None
    assert resolve_principle("Something else", principles) is None


def test_parse_spec_requirements_and_stories():
    reqs = parse_spec((EXAMPLES / "specs/001-appointment-reminders/spec.md").read_text())
    assert [(r.id, r.kind) for r in reqs] == [
        ("US1", "story"), ("FR-001", "requirement"), ("FR-002", "requirement"), ("FR-003", "requirement"), ("SC-001", "requirement"),
    ]
    assert reqs[1].text == "System MUST send a reminder 48 hours before each appointment."
    assert reqs[0].text == "Get reminded before a visit (Priority: P1)"


def test_spec_mentions_are_not_definitions():
    reqs = parse_spec("- **FR-001**: first\n\nAs FR-002 says, and FR-001 again.\n- FR-003 second\n1. **SC-001**: third\n")
    assert [r.id for r in reqs] == ["FR-001", "FR-003", "SC-001"]


def test_anchor_spec():
    text = "### User Story 1 - Go\n\n- **FR-001**: first\n"
    out = anchor_spec(text, parse_spec(text))
    assert out == '<div id="us1" class="specplan-anchor"></div>\n\n### User Story 1 - Go\n\n- <a id="fr-001" class="specplan-req-anchor"></a>**FR-001**: first\n'


def test_tasks_progress():
    progress = parse_tasks("""# Tasks
- [X] T000 setup
## Phase 1: Setup
- [x] T001 [P] one
- [ ] T002 two
## Phase 2: Core
- [X] T003 [US1] three
* [ ] T004 four
## Notes
Nothing here.
```
- [x] T999 in code
```
""")
    assert (progress.done, progress.total) == (3, 5)
    assert [(g.title, g.done, g.total, g.phase_number) for g in progress.groups] == [
        ("Tasks", 1, 1, None), ("Phase 1: Setup", 1, 2, 1), ("Phase 2: Core", 1, 2, 2),
    ]


def test_find_mentions_with_fields():
    plan = load_plan(MINIMAL_PLAN + "plan_summary: Covers FR-001 and User Story 2.\nphases:\n  - name: A\n    goal: Deliver US1 and FR-001\n", "p.yaml").plan
    assert [(m.id, m.field) for m in find_mentions(plan)] == [
        ("FR-001", "plan_summary"), ("US2", "plan_summary"), ("US1", "phases[0].goal"), ("FR-001", "phases[0].goal"),
    ]


def test_link_mentions_leaves_code_links_and_html_alone():
    text = (
        "FR-001 and `FR-001` and [FR-001](x.md) and User Story 1\n"
        "<li data-x=\"FR-001\">FR-001</li>\n"
        "```\nFR-001\n```\n"
        "FR-009 is unknown"
    )
    out = link_mentions(text, {"FR-001": "spec.md#fr-001", "US1": "spec.md#us1"})
    assert out == (
        "[FR-001](spec.md#fr-001) and `FR-001` and [FR-001](x.md) and [User Story 1](spec.md#us1)\n"
        "<li data-x=\"FR-001\">FR-001</li>\n"
        "```\nFR-001\n```\n"
        "FR-009 is unknown"
    )
