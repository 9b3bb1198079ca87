"""Every parser and text transformation takes time linear in its input, adversarial input included.

Each is run on a 100 KB and a 200 KB input (the best of three runs of each); doubling the input
may at most about double the work. No wall-clock limit: only the ratio counts.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable

import pytest

from mkdocs_specplan.core.effort import EffortError, parse_effort
from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.markdown.annotate import escape_unclosed_tags
from mkdocs_specplan.speckit import documents as speckit
from mkdocs_specplan.speckit.documents import IdSyntax
from mkdocs_specplan.views.renderer import md_escape, md_field, one_line

SIZE = 100_000
ADVERSARIAL = {
    "spaces": lambda n: "- **FR-001**:" + " " * n + "x",
    "less-than": lambda n: "<" * n,
    "unclosed-tags": lambda n: "<a " * (n // 3),
    "brackets": lambda n: "[" * n,
    "hashes": lambda n: "#" * n + " x",
    "backticks": lambda n: "`" * n,
    "emphasis": lambda n: "*_" * (n // 2),
    "code-and-tags": lambda n: "`<" * (n // 2),
    "ids": lambda n: "FR-001 " * (n // 7),
    "numbered-headings": lambda n: "### 1. x\n" * (n // 9),
    "task-lines": lambda n: "- [ ] T001 [US1] x\n" * (n // 19),
}


def _cost(work: Callable[[str], object], text: str) -> float:
    """The best of three runs' CPU time, without cyclic garbage collection: a full collection
    landing in one run and not the other measures the process's heap, not the work."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            work(text)
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best


def assert_linear(work: Callable[[str], object], make: Callable[[int], str]) -> None:
    small, large = _cost(work, make(SIZE)), _cost(work, make(2 * SIZE))
    if large < 0.02:  # too quick to measure: nothing to fear
        return
    assert large <= 3.0 * small + 0.01, f"{small:.3f}s for 100 KB, {large:.3f}s for 200 KB"


def _effort(text: str) -> None:
    with contextlib.suppress(EffortError):
        parse_effort(text)


def _plan(text: str) -> None:
    load_plan(
        'feature_name: X\nfeature_id: "1"\ncreated_date: 2026-01-01\nstatus: draft\nplan_summary: ' + repr(text) + "\n", "p.yaml"
    )


WORK = {
    "spec": speckit.read_spec,
    "tasks": speckit.read_tasks,
    "constitution": speckit.read_constitution,
    "checklist": speckit.read_checklist,
    "mentions": IdSyntax().mentions,
    "effort": _effort,
    "plan": _plan,
    "md-escape": md_escape,
    "md-field": md_field,
    "one-line": one_line,
    "unclosed-tags": escape_unclosed_tags,
}


@pytest.mark.parametrize("input_name", list(ADVERSARIAL))
@pytest.mark.parametrize("work_name", list(WORK))
def test_linear(work_name, input_name):
    assert_linear(WORK[work_name], ADVERSARIAL[input_name])


def _annotate(text: str) -> None:
    import markdown

    from mkdocs_specplan.markdown.annotate import PageAnnotations, SpecPlanExtension

    ext = SpecPlanExtension()
    text = "# Spec\n\n- FR-009: a requirement\n\n" + text  # an anchor the annotation must place
    md = markdown.Markdown(extensions=[ext, "toc", "tables", "fenced_code", "attr_list"])
    ext.current = PageAnnotations(
        definitions=IdSyntax(),
        tasks=True,
        principles=True,
        mentions={"FR-001": "spec.md#fr-001"},
        mention_syntax=IdSyntax(),
        safe_links=True,
    )
    html = md.convert(text)
    assert ext.errors == []  # a failure is swallowed (and cheap): it must not pass for linear
    assert 'id="fr-009"' in html


@pytest.mark.parametrize("input_name", ["unclosed-tags", "emphasis", "code-and-tags", "ids", "task-lines", "less-than"])
def test_rendering_a_feature_page_is_linear(input_name):
    """A spec page as MkDocs renders it with the plugin's extension: anchors, mentions, guards."""
    assert_linear(_annotate, ADVERSARIAL[input_name])


def _big_plan(phases: int) -> str:
    lines = ['feature_name: Big\nfeature_id: "1"\ncreated_date: 2026-01-05\nstatus: draft\nphases:']
    for i in range(1, phases + 1):
        deps = f"[{i - 1}]" if i > 1 else "[]"
        lines.append(f"  - {{name: P{i}, effort: {1 + i % 4} d, dependencies: {deps}, goal: Covers FR-{i:03d}}}")
    lines.append("risks:")
    lines += [f"  - {{id: R{i}, title: T{i}, probability: low, impact: high, mitigation: M}}" for i in range(phases * 2)]
    return "\n".join(lines) + "\n"


def test_a_large_plan_loads_schedules_and_renders_in_linear_time():
    """5,000 phases and 10,000 risks: the plugin's work per phase stays flat."""
    from mkdocs_specplan.core.model import Settings
    from mkdocs_specplan.project.records import PlanSource, load_page
    from mkdocs_specplan.views.plan_page import page_inputs, render_page, timeline_context
    from mkdocs_specplan.views.renderer import Renderer

    def work(text: str) -> None:
        settings = Settings()
        page = load_page(PlanSource("p.yaml", text, "p.yaml"), settings)
        assert page.schedule is not None and not page.warnings, page.warnings[:3]
        inputs = page_inputs(page, {}, None)
        render_page(inputs, Renderer(settings), **timeline_context(inputs, Renderer(settings)))

    small, large = _cost(work, _big_plan(2_500)), _cost(work, _big_plan(5_000))
    assert large <= 3.0 * small, f"{small:.2f}s for 2,500 phases, {large:.2f}s for 5,000"


def test_a_spec_with_many_requirements_reads_in_linear_time():
    def spec(n: int) -> str:
        return "# Feature Specification: Big\n\n" + "".join(
            f"- **FR-{i:06d}**: The system MUST do thing {i}.\n" for i in range(n)
        )

    small, large = _cost(speckit.read_spec, spec(38_000)), _cost(speckit.read_spec, spec(76_000))
    assert len(speckit.read_spec(spec(1_000)).requirements) == 1_000
    assert large <= 3.0 * small, f"{small:.2f}s for 38,000 requirements, {large:.2f}s for 76,000"


def test_the_lines_of_many_problems_are_found_in_linear_time():
    """Thousands of problems placed on their lines, in a plan with thousands of top-level keys: a
    problem's line is looked up in the plan's nodes, each mapping's keys indexed once."""

    def plan(n: int) -> str:
        head = 'feature_name: F\nfeature_id: "001"\ncreated_date: 2026-01-05\nstatus: draft\n'
        unknown = "".join(f"zz_{i}: x\n" for i in range(n))
        phases = "phases:\n" + "".join(f"  - {{name: P{i}, effort: 1 d, status: done}}\n" for i in range(n))
        return head + unknown + phases

    def work(text: str) -> None:
        result = load_plan(text, "p.yaml")
        placed = [p for p in result.problems if "no finished date" in p.message and p.line is not None]
        assert len(placed) == text.count("status: done")

    small, large = _cost(work, plan(3_000)), _cost(work, plan(6_000))
    assert large <= 3.0 * small, f"{small:.2f}s for 3,000, {large:.2f}s for 6,000"
