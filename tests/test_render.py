"""The plan page's Markdown: every section of the template, PHI on/off, nothing empty."""

from __future__ import annotations

import re

import markdown
import pytest

from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.project.records import PlanSource, load_page
from mkdocs_specplan.views.plan_page import page_inputs, render_page
from mkdocs_specplan.views.renderer import Renderer, TemplateProblem, tidy_markdown

from .conftest import EXAMPLE_FEATURE, MINIMAL_PLAN

# The reading order: what is left first (phases, risks, dependencies), then the reference sections
TEMPLATE_ORDER = [
    "## Implementation Phases",
    "## Risk Assessment",
    "## Dependencies & Prerequisites",
    "### Required Before Starting",
    "### External Dependencies",
    "## Executive Summary",
    "### Technical Approach",
    "### Technology Stack",
    "### Implementation Timeline",
    "## Architecture Overview",
    "### High-Level Architecture",
    "### Component Breakdown",
    "### Data Flow",
    "## Technical Decisions",
    "## Data Model",
    "## API Contracts",
    "## Testing Strategy",
    "### Test Levels",
    "### Test Data Strategy",
    "**PHI Testing Requirements**",
    "### Acceptance Testing",
    "## Security Considerations",
    "### PHI Protection Measures",
    "## Performance Considerations",
    "### Performance Targets",
    "## Deployment Strategy",
    "### Rollout Plan",
    "### Rollback Plan",
    "## Monitoring & Observability",
    "### Metrics to Track",
    "### Logging Strategy",
    "### Alerting",
    "## Documentation Requirements",
    "## Review & Validation Checklist",
    "### Constitutional Compliance",
    "### Technical Quality",
    "### Completeness",
    "### Readiness for Implementation",
    "**Document Status**",
    "**Last Updated**",
    "**Approved By**",
]


def render(text: str, settings: Settings | None = None, template: str | None = None, **extra) -> str:
    settings = settings or Settings()
    page = load_page(PlanSource("specs/x/plan.yaml", text, "specs/x/plan.yaml"), settings)
    return render_page(page_inputs(page, {}, None), Renderer(settings, template), **extra)


@pytest.fixture(scope="module")
def example_md() -> str:
    return render((EXAMPLE_FEATURE / "plan.yaml").read_text())


def test_every_section_in_template_order(example_md):
    positions = [example_md.find(heading) for heading in TEMPLATE_ORDER]
    missing = [h for h, pos in zip(TEMPLATE_ORDER, positions, strict=False) if pos < 0]
    assert not missing
    assert positions == sorted(positions)


def test_title_and_header(example_md):
    assert example_md.startswith("# Implementation Plan: Appointment reminders\n")
    assert "**Feature ID**: 001" in example_md
    assert "**Created**: 2026-09-14" in example_md
    assert '**Status**: <span class="specplan-badge specplan-status-in-progress">in-progress</span>' in example_md


def test_every_value_of_the_example_is_on_the_page(example_md):
    import yaml

    data = yaml.safe_load((EXAMPLE_FEATURE / "plan.yaml").read_text())

    def strings(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        elif isinstance(value, str):
            yield value.strip()

    skipped = {"in-progress", "done"}  # shown as badges, checked elsewhere
    shown = re.sub(r"\\([\\`*_\[\]{}|#!~])", r"\1", example_md)  # plain text is escaped for Markdown
    for text in strings(data):
        if text in skipped:
            continue
        for line in text.splitlines():
            assert line.strip() in shown, line


def test_phase_count_and_timeline(example_md):
    assert "**Estimated Effort**: 7 weeks" in example_md
    assert "**Phases**: 4" in example_md


def test_decision_options_pros_cons_and_chosen(example_md):
    html = markdown.markdown(example_md, extensions=["tables"])
    assert re.search(r"<strong>Redis streams</strong> <span class=\"specplan-badge specplan-chosen\">chosen</span>", html)
    assert "<strong>PostgreSQL SKIP LOCKED</strong>: A jobs table" in html
    assert "chosen</span>" not in html.split("PostgreSQL SKIP LOCKED")[1].split("</li>")[0]
    # pros as a nested list, a single con inline
    assert "<li>Already operated by the platform team</li>" in html
    assert "<li>Cons: Memory-bound retention</li>" in html
    assert "<strong>Decision</strong>: Redis streams" in html


def test_risks_show_coloured_level_badges(example_md):
    from mkdocs_specplan.views.renderer import severity_class

    levels = ("low", "medium", "high")
    assert [severity_class(lv, levels) for lv in levels] == ["specplan-sev-1", "specplan-sev-3", "specplan-sev-5"]
    assert [severity_class(lv, ("a", "b", "c", "d", "e")) for lv in "abcde"] == [f"specplan-sev-{i}" for i in range(1, 6)]
    for level in levels:
        assert f'specplan-level-{level} {severity_class(level, levels)}">{level}</span>' in example_md
    assert "style=" not in example_md.split("## Risk Assessment")[1].split("##")[0]  # colours live in the stylesheet
    assert '<div id="risk-r1" class="specplan-anchor"></div>' in example_md


def test_phase_dependencies_link_to_phases(example_md):
    # on one line, in the phase's field list: each dependency a link to its phase, external ones as written
    assert "**Dependencies**: [Phase 2: Delivery](#phase-2) · [Phase 3: Confirmations](#phase-3)" in example_md
    assert "EHR sandbox access" in example_md


def test_phi_sections_exactly_when_phi_handling():
    on = render((EXAMPLE_FEATURE / "plan.yaml").read_text())
    off = render((EXAMPLE_FEATURE / "plan.yaml").read_text().replace("phi_handling: true", "phi_handling: false"))
    for marker in ("PHI Testing Requirements", "### PHI Protection Measures", "Article IV"):
        assert marker in on
        assert marker not in off
    assert "- **Encryption**: TLS 1.3 in transit" in on


def test_minimal_plan_has_no_empty_sections():
    md = render(MINIMAL_PLAN)
    html = markdown.markdown(md)
    assert "None" not in md
    headings = re.findall(r"^(#+) (.*)$", md, re.M)
    # only the title and the checklist remain
    assert [h[1] for h in headings] == [
        "Implementation Plan: Minimal",
        "Review & Validation Checklist",
        "Constitutional Compliance",
        "Technical Quality",
        "Completeness",
        "Readiness for Implementation",
    ]
    assert "<li></li>" not in html and "<p></p>" not in html
    assert "Document Status" not in md


def test_optional_items_leave_no_stray_lines():
    md = render(
        MINIMAL_PLAN
        + """\
components:
  - name: Lonely
risks:
  - title: Unassessed
phases:
  - name: Only
test_levels:
  - level: Unit
    tools: pytest
"""
    )
    assert "#### Lonely\n\n## " in md  # no Purpose or Responsibilities lines
    assert "**Goal**" not in md and "**Deliverables**" not in md
    assert "**Coverage**" not in md and "**Tools**: pytest" in md
    assert "not assessed" in md  # a risk without levels says so
    assert "None" not in md
    assert "**Estimated Effort**: not estimated (shown as a milestone)" in md


def test_checklist_is_decided_by_data():
    md = render(
        MINIMAL_PLAN
        + """\
technical_decisions:
  - id: TD-1
    title: A
  - id: TD-2
    title: B
    rationale: because
rollback_plan: revert
checklist:
  team_reviewed: true
"""
    )
    html = markdown.markdown(md)
    assert re.search(
        r'class="specplan-check specplan-check--open" data-check="decisions_rationale" data-decided-by="data">'
        r'<span class="specplan-check-mark" aria-hidden="true">✗</span>.*?All technical decisions have documented rationale '
        r'<span class="specplan-check-source"[^>]*>from the plan\'s data</span> '
        r'<span class="specplan-check-reason">decision TD-1 has no rationale</span>',
        html,
    )
    assert re.search(r'data-check="deployment_rollback".*?no deployment strategy or rollout plan', html)
    assert re.search(
        r'specplan-check--done" data-check="team_reviewed"[^>]*><span class="specplan-check-mark" aria-hidden="true">✓', html
    )
    assert re.search(r'data-check="team_reviewed".*?>ticked in plan.yaml</span>', html)
    assert re.search(r'specplan-check--open" data-check="stakeholders_approved".*?>not ticked in plan.yaml</span>', html)
    # an item the page's own data contradicts is never ticked: no prerequisites listed, none can be met
    assert re.search(r'specplan-check--open" data-check="prerequisites_met".*?no prerequisites are listed', html)


def test_checklist_ticks_a_complete_plan(example_md):
    for key in (
        "decisions_rationale",
        "test_strategy",
        "security",
        "performance_targets",
        "phases_complete",
        "dependencies_tracked",
        "risks_mitigated",
        "deployment_rollback",
        "prerequisites_met",
        "ready_for_tasks",
    ):
        assert re.search(
            rf'specplan-check--done" data-check="{key}"[^>]*><span class="specplan-check-mark" aria-hidden="true">✓', example_md
        ), key
    # a ticked data item states its evidence
    assert re.search(
        r'data-check="risks_mitigated".*?<span class="specplan-check-evidence">2 risks, each assessed and mitigated</span>',
        example_md,
    )


def test_article_names_from_the_plan():
    md = render(MINIMAL_PLAN + "article_i_name: Library-First\narticle_ii_name: CLI\n")
    assert "Adheres to Article I (Library-First)" in md
    assert "Adheres to Article II (CLI)" in md
    assert "Adheres to Article III" in md and "Adheres to Article III (" not in md  # no name for III


def test_problems_are_shown_at_the_top():
    md = render(MINIMAL_PLAN + "phases:\n  - name: A\n    effort: 2 wekes\n")
    top = md.split("## ")[0]
    assert "This plan has 1 problem to fix in <code>specs/x/plan.yaml</code>" in top
    assert "<code>specs/x/plan.yaml:7:13</code> <strong>phases[0].effort</strong>: &#34;2 wekes&#34; is not an effort" in top


def test_broken_yaml_still_renders_a_page():
    md = render("feature_name: [broken\n")
    assert md.startswith("# Implementation Plan: x\n")
    assert "invalid YAML" in md


def test_markdown_in_fields_stays_inside_list_items():
    md = render(
        MINIMAL_PLAN
        + """\
components:
  - name: C
    responsibilities:
      - |
        First line

        Second paragraph
"""
    )
    html = markdown.markdown(md)
    assert re.search(r"<li>\s*<p>First line</p>\s*<p>Second paragraph</p>\s*</li>", html)


def test_tidy_keeps_fenced_code_intact():
    text = "a\n\n\n\nb\n```\nx\n\n\n\ny\n```\n"
    assert tidy_markdown(text) == "a\n\nb\n```\nx\n\n\n\ny\n```\n"


def test_user_template_extends_the_packaged_one(tmp_path):
    template = tmp_path / "my-plan.md.j2"
    template.write_text(
        '{% extends "specplan/plan.md.j2" %}\n{% block footer %}Custom footer for {{ plan.feature_id }}\n{% endblock %}\n'
    )
    md = render(MINIMAL_PLAN, template=str(template))
    assert md.rstrip().endswith("Custom footer for 042")
    assert "## Review & Validation Checklist" in md


def test_missing_and_broken_templates_are_clear(tmp_path):
    with pytest.raises(TemplateProblem, match="no such file"):
        Renderer(Settings(), str(tmp_path / "nope.j2"))
    broken = tmp_path / "broken.j2"
    broken.write_text("line one\n{% if %}\n")
    with pytest.raises(TemplateProblem, match=r"broken.j2:2: "):
        Renderer(Settings(), str(broken))
