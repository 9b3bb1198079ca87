"""Fuzzing every field of the format: load, schedule, link and render never raise and always give a page.

The suite runs a short campaign; a long one is run with SPECPLAN_FUZZ_EXAMPLES=5000.
"""

from __future__ import annotations

import datetime as dt
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_specplan.core import loader
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.project.features import SiteFiles
from mkdocs_specplan.project.loading import SiteOptions, load_site
from mkdocs_specplan.project.records import PlanSource
from mkdocs_specplan.views.plan_page import render_plan_page
from mkdocs_specplan.views.renderer import Renderer

EXAMPLES = int(os.environ.get("SPECPLAN_FUZZ_EXAMPLES", "120"))
HOSTILE_TEXT = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "{{ x }}",
        "Phase 1",
        "FR-001",
        "9999-12-31",
        "`",
        "*_",
        "|",
        "\n",
        "\x00",
        "é",
        "1-2 w",
        "done",
    ]
)
TEXT = st.one_of(st.text(max_size=40), HOSTILE_TEXT)
SCALAR = st.one_of(
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
VALUE = st.recursive(
    SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12
)


def _field(spec: loader.Spec) -> st.SearchStrategy:
    if spec.kind == "items" and spec.schema:
        item = st.fixed_dictionaries({}, optional={k: st.one_of(_scalar_for(v), VALUE) for k, v in spec.schema.items()})
        return st.one_of(st.lists(item, max_size=5), VALUE)
    if spec.kind == "object" and spec.schema:
        return st.one_of(st.fixed_dictionaries({}, optional={k: TEXT for k in spec.schema}), VALUE)
    return st.one_of(_scalar_for(spec), VALUE)


def _scalar_for(spec: loader.Spec) -> st.SearchStrategy:
    return {
        "date": st.one_of(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str), TEXT),
        "effort": st.one_of(st.sampled_from(["3 d", "1-2 w", "9999999 sprints", "0 d", "1.5 mo", "2 parsecs"]), TEXT),
        "int": st.one_of(st.integers(min_value=-5, max_value=10**12), TEXT),
        "bool": st.one_of(st.booleans(), TEXT),
    }.get(spec.kind, TEXT)


PLANS = st.fixed_dictionaries(
    {
        "feature_name": TEXT,
        "feature_id": TEXT,
        "created_date": _scalar_for(loader.DATE),
        "status": st.sampled_from(["draft", "blocked", "x"]),
    },
    optional={
        name: _field(spec)
        for name, spec in loader.PLAN.items()
        if name not in ("feature_name", "feature_id", "created_date", "status")
    },
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(PLANS)
def test_any_plan_gives_a_page(data):
    """The plan loaded, linked, scheduled and rendered as a build does it: a whole page, no internal error."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    settings_ = Settings()
    renderer = Renderer(settings_)
    today = dt.date(2026, 11, 26)
    spec = "# Feature Specification: X\n\n- **FR-001**: System MUST work.\n"
    files = SiteFiles({"specs/001-x/spec.md"}, lambda uri: spec)
    source = PlanSource("specs/001-x/plan.yaml", text, "specs/001-x/plan.yaml")
    loaded = load_site(files, [source], None, SiteOptions(settings_, today=today, git=False))
    (page,) = loaded.pages
    markdown = render_plan_page(page, {source.src_uri: page}, today, renderer)
    internal = [p.message for p in loaded.all_problems if "internal error" in p.message]
    assert internal == []
    assert markdown.startswith("# Implementation Plan: ")
    assert "## Review & Validation Checklist" in markdown  # rendered, not the error page
    assert "<script>alert" not in markdown
