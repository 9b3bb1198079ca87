"""The loader: every field of the contract, and each kind of error with its line and column."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
import yaml

from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings

from .conftest import EXAMPLE_FEATURE, MINIMAL_PLAN


def load(text: str, settings: Settings | None = None):
    return load_plan(textwrap.dedent(text), "specs/x/plan.yaml", settings)


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_example_plan_loads_without_problems():
    result = load_plan((EXAMPLE_FEATURE / "plan.yaml").read_text(), "plan.yaml")
    assert [p for p in result.problems if p.level == "warning"] == []
    # the example's done phases record no actual dates: a note each, not a warning
    assert {p.message for p in result.problems} == {
        'Phase 1 "Foundations" is done but has no finished date; its planned dates are used',
        *(p.message for p in result.problems if "Phase 2" in p.message),
    }
    plan = result.plan
    assert plan.feature_id == "001"
    assert plan.created_date == dt.date(2026, 9, 14)
    assert plan.start_date == dt.date(2026, 9, 21)
    assert plan.status == "in-progress"
    assert plan.tech_stack == ["Python 3.12, FastAPI", "PostgreSQL 16", "Redis 7 streams for the job queue"]
    assert plan.estimated_effort.high_days == 35
    assert [p.number for p in plan.phases] == [1, 2, 3, 4]
    assert plan.phases[1].effort.low_days == 10 and plan.phases[1].effort.high_days == 15
    assert plan.phases[0].status == "done" and plan.phases[2].status == "planned"
    decision = plan.technical_decisions[0]
    assert decision.chosen == "Redis streams"
    assert decision.options[0].pros == ["Already operated by the platform team", "Low latency"]
    assert decision.options[0].cons == ["Memory-bound retention"]
    assert decision.constitution_reference == ["Article II"]
    assert plan.phi_handling is True
    assert plan.risks[1].status == "mitigated" and plan.risks[0].owner == "Platform team"
    assert plan.external_dependencies[1].status == "pending"
    assert plan.last_updated == dt.date(2026, 10, 2)
    assert plan.phase_count == 4


@pytest.mark.parametrize("written,expected", [("007", "007"), ("1.10", "1.10"), ('"12"', "12"), ("0x1F", "0x1F")])
def test_ids_keep_their_text(written, expected):
    result = load(MINIMAL_PLAN.replace('"042"', written))
    assert result.problems == []
    assert result.plan.feature_id == expected


def test_upper_case_keys_are_accepted():
    result = load("""
        FEATURE_NAME: Upper
        FEATURE_ID: 3
        CREATED_DATE: 2026-01-05
        STATUS: approved
        PHI_HANDLING: false
    """)
    assert result.problems == []
    assert result.plan.feature_name == "Upper" and result.plan.status == "approved"


def test_duplicate_keys_are_an_error_with_both_lines():
    result = load(MINIMAL_PLAN + "status: approved\n")
    assert messages(result) == [
        'specs/x/plan.yaml:5:1: status: duplicate key "status" (first set at line 4); '
        "YAML would keep only the last value: remove or merge one of them"
    ]
    # the first value is kept, not silently replaced
    assert result.plan.status == "draft"


def test_duplicate_across_spellings():
    result = load(MINIMAL_PLAN + "STATUS: approved\n")
    assert 'duplicate key "STATUS"' in messages(result)[0]


def test_duplicate_keys_inside_items():
    result = load(MINIMAL_PLAN + "phases:\n  - name: A\n    name: B\n")
    assert messages(result) == [
        'specs/x/plan.yaml:7:5: phases[0].name: duplicate key "name" (first set at line 6); '
        "YAML would keep only the last value: remove or merge one of them"
    ]


@pytest.mark.parametrize(
    "value,message",
    [
        ("2026-02-30", '"2026-02-30" is not a valid date (day is out of range for month); expected YYYY-MM-DD'),
        ("2026-13-01", '"2026-13-01" is not a valid date (month must be in 1..12); expected YYYY-MM-DD'),
        ("01/02/2026", '"01/02/2026" is not a date; expected YYYY-MM-DD, e.g. 2026-03-01'),
        ("2026-1-5", '"2026-1-5" is not a date; expected YYYY-MM-DD, e.g. 2026-03-01'),
    ],
)
def test_invalid_dates(value, message):
    result = load(MINIMAL_PLAN.replace("2026-03-02", value))
    assert messages(result) == [f"specs/x/plan.yaml:3:15: created_date: {message}"]


def test_unknown_keys_with_did_you_mean():
    result = load(MINIMAL_PLAN + "feture_name: x\nrisks:\n  - title: T\n    mitigaton: m\nwhatever: 1\n")
    assert messages(result) == [
        'specs/x/plan.yaml:5:1: feture_name: unknown key "feture_name"; did you mean "feature_name"?',
        'specs/x/plan.yaml:8:5: risks[0].mitigaton: unknown key "mitigaton"; did you mean "mitigation"?',
        'specs/x/plan.yaml:9:1: whatever: unknown key "whatever"; see the plan format for the keys a plan may have',
    ]


def test_missing_required_fields():
    result = load("plan_summary: hi\n")
    fields = [p.field for p in result.problems]
    assert fields == ["feature_name", "feature_id", "created_date", "status"]
    assert all(p.message == "is required but missing" and p.line == 1 for p in result.problems)


def test_empty_required_field():
    result = load(MINIMAL_PLAN.replace("feature_name: Minimal", "feature_name:"))
    assert messages(result) == ["specs/x/plan.yaml:1:1: feature_name: is required but empty"]


def test_wrong_types():
    result = load(
        MINIMAL_PLAN
        + textwrap.dedent("""\
        phi_handling: maybe
        plan_summary: [a, b]
        phases: {name: x}
        risks:
          - just text
        technical_approach:
          key: value
    """)
    )
    assert messages(result) == [
        'specs/x/plan.yaml:5:15: phi_handling: expected true or false, got "maybe"',
        "specs/x/plan.yaml:6:15: plan_summary: expected text, got a list",
        "specs/x/plan.yaml:7:9: phases: expected a list of items, got a mapping",
        'specs/x/plan.yaml:9:5: risks[0]: expected this item to be a mapping of fields, got "just text"',
        'specs/x/plan.yaml:11:3: technical_approach: expected text, got a mapping (text containing ": " must be '
        'quoted or written as a block with "|")',
    ]


def test_effort_errors_name_the_phase():
    result = load(MINIMAL_PLAN + "phases:\n  - name: A\n    effort: 2 wekes\n  - name: B\n    effort: soon\n")
    assert messages(result) == [
        'specs/x/plan.yaml:7:13: phases[0].effort: "2 wekes" is not an effort (unknown unit "wekes"); '
        'expected e.g. "3 d", "2 w", "1-2 sprints" (units: h, d, w, sprint, mo)',
        'specs/x/plan.yaml:9:13: phases[1].effort: "soon" is not an effort; '
        'expected e.g. "3 d", "2 w", "1-2 sprints" (units: h, d, w, sprint, mo)',
    ]


def test_chosen_must_name_an_option():
    result = load(
        MINIMAL_PLAN
        + textwrap.dedent("""\
        technical_decisions:
          - title: Queue
            options: [{name: Redis streams}, {name: Kafka}]
            chosen: Redis stream
          - title: DB
            options: [{name: PostgreSQL}]
            chosen: postgresql
    """)
    )
    assert messages(result) == [
        'specs/x/plan.yaml:8:13: technical_decisions[0].chosen: "Redis stream" is not one of the options '
        '("Redis streams", "Kafka"); did you mean "Redis streams"?'
    ]
    assert result.plan.technical_decisions[1].chosen == "PostgreSQL"


def test_statuses_and_levels_come_from_configured_lists():
    text = MINIMAL_PLAN.replace("draft", "Parked") + "risks:\n  - title: T\n    probability: HIGH\n    impact: severe\n"
    default = load(text)
    assert [p.field for p in default.problems] == ["status", "risks[0].impact"]
    assert "expected one of: draft, in-review, approved, in-progress, blocked, done, cancelled" in str(default.problems[0])
    assert default.plan.risks[0].probability == "high"  # case-insensitive, normalised
    custom = load(text, Settings(plan_statuses=("parked", "live"), risk_levels=("low", "high", "severe")))
    assert custom.problems == []
    assert custom.plan.status == "parked" and custom.plan.risks[0].impact == "severe"


def test_status_spelling_is_forgiving():
    result = load(MINIMAL_PLAN.replace("draft", "In Progress"))
    assert result.problems == [] and result.plan.status == "in-progress"


def test_phase_numbers_default_and_must_be_unique():
    result = load(MINIMAL_PLAN + "phases:\n  - name: A\n  - name: B\n  - name: C\n    number: 2\n")
    assert [p.number for p in result.plan.phases] == [1, 2, 2]
    assert messages(result) == [
        "specs/x/plan.yaml:9:13: phases[2].number: phase number 2 is already used by phases[1]; numbers must be unique"
    ]


def test_phi_fields_required_when_phi_handling():
    result = load(MINIMAL_PLAN + "phi_handling: true\nencryption_approach: AES\n")
    assert [p.field for p in result.problems] == ["access_control", "audit_logging", "data_retention"]
    assert all(p.line == 5 and "required when phi_handling is true" in p.message for p in result.problems)
    assert load(MINIMAL_PLAN + "phi_handling: false\n").problems == []


def test_checklist_keys():
    result = load(MINIMAL_PLAN + "checklist:\n  team_reviewed: true\n  decisions_rationale: true\n  team_reviwed: true\n")
    assert messages(result) == [
        "specs/x/plan.yaml:7:3: checklist.decisions_rationale: is decided from the plan's own data and cannot be set; remove it",
        'specs/x/plan.yaml:8:3: checklist.team_reviwed: unknown key "team_reviwed"; did you mean "team_reviewed"?',
    ]
    assert result.plan.checklist == {"team_reviewed": True}


def test_duplicate_risk_ids():
    result = load(MINIMAL_PLAN + "risks:\n  - {id: R1, title: A}\n  - {id: r1, title: B}\n")
    assert messages(result) == ['specs/x/plan.yaml:7:10: risks[1].id: ID "r1" is already used by risks[0]; IDs must be unique']


@pytest.mark.parametrize(
    "text,message",
    [
        # the wording after "invalid YAML:" is libyaml's or PyYAML's own
        ("feature_name: [unclosed\n", "specs/x/plan.yaml:2:1: invalid YAML: while parsing a flow sequence"),
        ("a: 1\n  b: 2\n", "specs/x/plan.yaml:2:4: invalid YAML: mapping values are not allowed"),
        ("", "specs/x/plan.yaml:1:1: the file is empty; a plan needs at least feature_name, feature_id, created_date and status"),
        ("- a\n- b\n", "specs/x/plan.yaml:1:1: expected the plan to be a mapping of fields, got a list"),
    ],
)
def test_broken_yaml_is_one_clear_problem(text, message):
    result = load_plan(text, "specs/x/plan.yaml")
    assert result.plan is None
    assert len(result.problems) == 1
    assert messages(result)[0].startswith(message)


def test_lists_accept_a_single_text_and_skip_empty_entries():
    result = load(MINIMAL_PLAN + "prerequisites: Sandbox access\ndocumentation_items:\n  - Runbook\n  -\n")
    assert result.problems == []
    assert result.plan.prerequisites == ["Sandbox access"]
    assert result.plan.documentation_items == ["Runbook"]


def test_tech_stack_as_markdown_text():
    result = load(MINIMAL_PLAN + "tech_stack: |\n  **Python** and *PostgreSQL*\n")
    assert result.plan.tech_stack == [] and result.plan.tech_stack_text == "**Python** and *PostgreSQL*"


def test_block_scalars_keep_their_markdown():
    result = load(MINIMAL_PLAN + "plan_summary: |\n  Line one\n\n  - a list\n")
    assert result.plan.plan_summary == "Line one\n\n- a list"


def test_positions_are_found_when_asked_and_match_the_text(monkeypatch):
    """Where fields were written is not held for every field of every plan: a problem found while
    loading finds its field in the YAML nodes; a question after loading reads the text again, once."""
    from mkdocs_specplan.core import loader

    text = textwrap.dedent(
        """\
        FEATURE_NAME: Upper-case keys, as a template context dumped as it is
        feature_id: "007"
        created_date: 2026-01-05
        status: draft
        phases:
          - name: Build
            effort: 2 weeks
            status: done
          - name: Go-live
            effort: a while
            dependencies: [1]
        technical_decisions:
          - id: TD-1
            decision: Queue
            constitution_reference:
              - Article I
              - Article IX
        """
    )
    reads = []
    full = loader._positions_of
    monkeypatch.setattr(loader, "_positions_of", lambda *args: reads.append(args) or full(*args))
    result = load_plan(text, "p.yaml")
    plan = result.plan
    # found while loading (the done phase's note has its line), without a full reading
    assert 'p.yaml:6:5: phases[0]: Phase 1 "Build" is done but has no finished date; its planned dates are used' in messages(
        result
    )
    assert reads == []
    # the field written but refused is known at once; so is one never written
    assert "phases[1].effort" in plan.positions.refused
    assert "phases[0].effort" not in plan.positions.refused
    assert reads == []
    # after loading: the first question reads the text again, once, and every answer is the reader's own
    assert plan.positions.get("feature_name") == (1, 15)
    assert plan.positions.get("phases[1].effort") == (10, 13)
    assert plan.positions.get("technical_decisions[0].constitution_reference[1]") == (17, 9)
    assert "phases[1].dependencies" in plan.positions
    assert plan.positions.get("phases[5]") is None
    assert len(reads) == 1
    assert loader._Finder(yaml.compose(text))("technical_decisions[0].constitution_reference[1]") == (17, 9)
