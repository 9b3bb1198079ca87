"""One truth between the JSON Schema and the loader: generated plans, each either accepted by both
(no warning from the loader, valid for the schema) or refused by both. The documents are made of
the loader's own field definitions, key spellings included, with values of every kind, right and
wrong."""

from __future__ import annotations

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_specplan.core import loader
from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.core.schema import plan_schema

from .test_cli import load_as_editor

DEFAULTS = Settings()
VALIDATOR = jsonschema.Draft202012Validator(plan_schema())

# YAML texts of values, right and wrong for each kind of field
TEXTS = ["Plain text", "'007'", "42", "true", "''", "[a, b]", "{a: b}", "null"]
DATES = ["2026-03-02", "2026-02-31", "2026-13-01", "yesterday", "'2026-03-02'", "20260302", "null"]
BOOLS = ["true", "false", "yes", "'yes'", "1", "maybe", "null"]
INTS = ["1", "0", "-1", "'3'", "two", "1.5", "null"]
EFFORTS = ["3 d", "2 w", "1-2 sprints", "1.5 mo", "3 days", "2 wekes", "3", "0 d", "null"]
LISTS = ["[a, b]", "a single text", "[]", "[[a]]", "[{a: b}]", "null"]


def _values(spec: loader.Spec) -> list[str]:
    if spec.choices:
        choices = list(getattr(DEFAULTS, spec.choices))
        return [*choices[:3], "unknown-status", "null"]
    return {
        "text": TEXTS,
        "date": DATES,
        "bool": BOOLS,
        "int": INTS,
        "effort": EFFORTS,
        "texts": LISTS,
    }.get(spec.kind, [])


SIMPLE = {name: spec for name, spec in loader.PLAN.items() if _values(spec)}
RISK = "[{id: R1, title: A risk, probability: low, impact: high, status: open}]"
PHASES = ["[{name: Build, effort: 2 w}]", "[{name: Build, effort: 2 wekes}]", "[{effort: 2 w}]", "[]", "Build"]


@st.composite
def plans(draw: st.DrawFn) -> str:
    lines = []
    names = draw(st.lists(st.sampled_from(sorted(SIMPLE)), unique=True, max_size=6))
    for required in ("feature_name", "feature_id", "created_date", "status"):
        if draw(st.integers(0, 9)) > 0 and required not in names:
            names.append(required)
    for name in names:
        key = name.upper() if draw(st.integers(0, 5)) == 0 else name  # FEATURE_NAME, as a template writes it
        value = draw(st.sampled_from(_values(SIMPLE[name])))
        lines.append(f"{key}: {value}")
    if draw(st.booleans()):
        lines.append(f"phases: {draw(st.sampled_from(PHASES))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"risks: {RISK}")
    if draw(st.integers(0, 6)) == 0:
        # a key written twice the same way is the YAML parser's to refuse (editors flag it), not a schema's
        extra = ["unknown_key: x", "Feature_Name: mixed case"] + (
            ["feature_name: twice"]
            if "feature_name" in names and not any(line.startswith("feature_name:") for line in lines)
            else []
        )
        lines.append(draw(st.sampled_from(extra)))
    return "\n".join(lines) + "\n"


def _verdicts(text: str) -> tuple[bool, bool]:
    result = load_plan(text, "plan.yaml")
    loader_ok = not [p for p in result.problems if p.level == "warning"]
    document = load_as_editor(text)
    schema_ok = VALIDATOR.is_valid(document if document is not None else {})
    return loader_ok, schema_ok


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_the_loader_and_the_schema_agree(text):
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # not YAML at all: both refuse it, as editors do
    loader_ok, schema_ok = _verdicts(text)
    assert loader_ok == schema_ok, (text, "loader" if loader_ok else "schema", "accepts it alone")


def test_upper_case_keys_of_a_template_validate_and_load():
    """The seed's template writes FEATURE_NAME: both read it."""
    text = 'FEATURE_NAME: A\nFEATURE_ID: "001"\nCREATED_DATE: 2026-03-02\nSTATUS: draft\n'
    assert _verdicts(text) == (True, True)
    assert _verdicts(text + "feature_name: B\n") == (False, False)  # the same key twice
    assert _verdicts(text.replace("FEATURE_NAME", "Feature_Name")) == (False, False)  # a mixed case is not a key
