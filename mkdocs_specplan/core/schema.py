"""JSON Schemas generated from the loader's own field definitions (one source of truth). Free of MkDocs.

* :func:`plan_schema` — the schema of ``plan.yaml`` for editors (draft 2020-12), shipped as
  ``schema/plan.schema.json`` and printed by ``specplan schema``.
* :func:`export_schema` — the schema of ``plans.json``; its ``plan`` object is generated from the
  same definitions and spliced into ``schema/plans.base.json``.

``python -m mkdocs_specplan.schema --write`` regenerates the shipped files; a test checks that
they equal what this module generates.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from . import loader, model
from .checklist import MANUAL_CHECKLIST_KEYS, PRINCIPLE_KEY_RE
from .effort import UNITS
from .model import Settings

SCHEMA_DIR = Path(__file__).parent.parent / "schema"
PLAN_SCHEMA_PATH = SCHEMA_DIR / "plan.schema.json"
EXPORT_SCHEMA_PATH = SCHEMA_DIR / "plans.schema.json"
EXPORT_BASE_PATH = SCHEMA_DIR / "plans.base.json"
PLAN_SCHEMA_ID = "urn:mkdocs-specplan:plan.schema.json"

# a calendar date: each month's own number of days, 29 February in leap years only
DATE_PATTERN = (
    r"^(\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2[0-8]))"
    r"|(\d{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)$"
)
_NUMBER = r"(\d+(\.\d+)?|\.\d+)"
EFFORT_PATTERN = rf"^\s*{_NUMBER}\s*((-|–|—|to)\s*{_NUMBER}\s*)?({'|'.join(sorted(UNITS, key=len, reverse=True))})\.?\s*$"
SCALAR = ["string", "number", "boolean"]  # YAML reads 007 or yes as a number or a boolean; the loader keeps the text

DESCRIPTIONS = {
    "feature_name": "Page title: Implementation Plan: <feature_name>.",
    "feature_id": 'Kept exactly as written: 007 stays "007".',
    "created_date": "YYYY-MM-DD.",
    "status": "One of the configured plan statuses.",
    "plan_summary": "Markdown.",
    "technical_context": "spec-kit's Technical Context: nine Markdown values; NEEDS CLARIFICATION is flagged.",
    "constitution_check": "One row per principle: principle, status (pass, fail, n/a, waived), notes, phase.",
    "project_structure": "Markdown, usually code blocks of the source tree.",
    "structure_decision": "Markdown: which structure was chosen and why.",
    "complexity_tracking": "Violations of the constitution that are justified: violation, why_needed, simpler_alternative_rejected.",
    "technical_approach": "Markdown.",
    "tech_stack": "A list of strings, or Markdown text.",
    "estimated_effort": 'An effort: "3 d", "2 w", "1-2 sprints" (units h, d, w, sprint, mo).',
    "start_date": "Anchors the timeline; default created_date.",
    "technical_decisions": "Decisions with options; chosen must name one of the options.",
    "phases": 'Implementation phases; dependencies name other phases (N, Phase N, or a name) or another feature\'s phase ("002: Phase 3"); started and finished are the actual dates.',
    "baseline": "What slippage is measured against: a git ref (tag, branch, commit), approved (the first commit with status approved or later) or first (the plan's first commit); overrides the site's baseline option.",
    "phi_handling": "True turns on the PHI sections; their four fields are then required.",
    "risks": "Risks with probability and impact (configured risk levels).",
    "checklist": "Review items a person ticks: article_i ... article_iv (or any principle key such as article_v, security_i), team_reviewed, stakeholders_approved.",
    "last_updated": "YYYY-MM-DD; older than stale_days (from the build date) marks the plan stale.",
    "tags": "Page metadata: the page's tags (Material's tags plugin).",
    "description": "Page metadata: the page's description (HTML meta description, social cards).",
    "hide": "Page metadata: what the theme hides on the page (Material: navigation, toc, footer, path, tags, feedback).",
    "icon": "Page metadata: the page's icon in the navigation (Material).",
    "template": "Page metadata: the theme's page template for the plan page (e.g. plan.html in custom_dir).",
    "meta": "Page metadata: any other keys (e.g. search: {boost: 2}, status: new), passed to the page as written.",
}


# -- plan.yaml ----------------------------------------------------------------------------------
def _input(spec: loader.Spec, settings: Settings) -> dict[str, Any]:
    kind = spec.kind
    if kind == "text":
        if spec.choices:
            values: list[Any] = list(getattr(settings, spec.choices))
            return {"enum": values if spec.required else [*values, None]}
        out: dict[str, Any] = {"type": SCALAR if spec.required else [*SCALAR, "null"]}
        if spec.required:
            out["pattern"] = r"\S"
        return out
    if kind == "date":
        return {"type": "string" if spec.required else ["string", "null"], "pattern": DATE_PATTERN}
    if kind == "bool":
        return {"type": ["boolean", "null"]}
    if kind == "int":
        return {"type": ["integer", "null"], "minimum": 0}
    if kind == "effort":
        return {"type": ["string", "null"], "pattern": EFFORT_PATTERN}
    if kind == "meta":
        return {"type": ["object", "null"]}
    if kind == "dependencies":
        one = {"anyOf": [{"type": [*SCALAR, "null"]}, {"type": "object", "minProperties": 1, "maxProperties": 1}]}
        return {"anyOf": [{"type": [*SCALAR, "null"]}, {"type": "array", "items": one}]}
    if kind == "texts":
        return {"anyOf": [{"type": [*SCALAR, "null"]}, {"type": "array", "items": {"type": [*SCALAR, "null"]}}]}
    if kind == "items":
        assert spec.schema is not None
        return {"type": ["array", "null"], "items": _mapping(spec.schema, settings)}
    if kind == "object":
        assert spec.schema is not None
        return {"anyOf": [_mapping(spec.schema, settings), {"type": "null"}]}
    if kind == "checklist":
        return {
            "type": ["object", "null"],
            "properties": {key: {"type": ["boolean", "null"]} for key in MANUAL_CHECKLIST_KEYS},
            "patternProperties": {PRINCIPLE_KEY_RE.pattern: {"type": ["boolean", "null"]}},
            "additionalProperties": False,
        }
    raise ValueError(f"no schema for field kind {kind!r}")


def _mapping(schema: dict[str, loader.Spec], settings: Settings, descriptions: dict[str, str] | None = None) -> dict[str, Any]:
    properties = {}
    for name, spec in schema.items():
        prop = _input(spec, settings)
        if descriptions and name in descriptions:
            prop = {"description": descriptions[name], **prop}
        properties[name] = prop
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [name for name, spec in schema.items() if spec.required]
    if required:
        out["required"] = required
    return out


def _upper_case_keys(body: dict[str, Any]) -> dict[str, Any]:
    """The plan's keys may be written in capitals, as a template's context is (FEATURE_NAME): the
    loader reads them as the key itself, so the schema does; one key written both ways is refused."""
    properties = body["properties"]
    names = list(properties)
    for name in names:
        properties[name.upper()] = {"$ref": f"#/properties/{name}"}
    required = body.pop("required", [])
    body["allOf"] = [{"anyOf": [{"required": [name]}, {"required": [name.upper()]}]} for name in required]
    body["dependentSchemas"] = {name: {"not": {"required": [name.upper()]}} for name in names}
    return body


def plan_schema(settings: Settings | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a plan.yaml, for editors and other tools."""
    body = _upper_case_keys(_mapping(loader.PLAN, settings or Settings(), DESCRIPTIONS))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PLAN_SCHEMA_ID,
        "title": "mkdocs-specplan plan.yaml",
        "description": "An implementation plan as data. Text fields are Markdown; the loader's messages say more than the schema can.",
        **body,
    }


# -- the plan object in plans.json --------------------------------------------------------------
def _output(spec: loader.Spec, default: Any) -> dict[str, Any]:
    kind = spec.kind
    nullable = default is None
    if kind == "text":
        return {"type": ["string", "null"] if nullable else "string"}
    if kind == "date":
        return {"type": ["string", "null"], "pattern": DATE_PATTERN}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "int":
        return {"type": ["integer", "null"], "minimum": 0}
    if kind == "effort":
        return {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["text", "low_days", "high_days"],
            "properties": {
                "text": {"type": "string"},
                "low_days": {"type": "integer", "minimum": 0},
                "high_days": {"type": "integer", "minimum": 0},
            },
        }
    if kind == "meta":
        return {"type": ["object", "null"]}
    if kind == "dependencies":
        one = {"anyOf": [{"type": [*SCALAR, "null"]}, {"type": "object", "minProperties": 1, "maxProperties": 1}]}
        return {"anyOf": [{"type": [*SCALAR, "null"]}, {"type": "array", "items": one}]}
    if kind == "texts":
        return {"type": "array", "items": {"type": "string"}}
    if kind in ("items", "object"):
        assert spec.cls is not None and spec.schema is not None
        item = _output_object(spec.cls, spec.schema)
        return {"type": "array", "items": item} if kind == "items" else {"oneOf": [item, {"type": "null"}]}
    if kind == "checklist":
        return {"type": "object", "additionalProperties": {"type": "boolean"}}
    raise ValueError(f"no schema for field kind {kind!r}")


_HIDDEN = ("positions", "index", "tech_stack_text")


def _output_object(cls: type, schema: dict[str, loader.Spec]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in _HIDDEN:
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        properties[f.name] = _output(schema[f.name], default)
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def export_plan_schema() -> dict[str, Any]:
    """The ``plan`` object of each entry of plans.json: every field after validation."""
    plan = _output_object(model.Plan, loader.PLAN)
    plan["properties"]["tech_stack"] = {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
    plan["properties"]["phase_count"] = {"type": "integer", "minimum": 0}
    plan["required"].append("phase_count")
    return {"oneOf": [plan, {"type": "null"}]}


def export_schema() -> dict[str, Any]:
    """The JSON Schema of plans.json: the hand-written base with the generated plan object."""
    base: dict[str, Any] = json.loads(EXPORT_BASE_PATH.read_text(encoding="utf-8"))
    out = copy.deepcopy(base)
    out["properties"]["plans"]["items"]["properties"]["plan"] = export_plan_schema()
    return out


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        PLAN_SCHEMA_PATH.write_text(dumps(plan_schema()), encoding="utf-8")
        EXPORT_SCHEMA_PATH.write_text(dumps(export_schema()), encoding="utf-8")
        return 0
    sys.stdout.write(dumps(plan_schema()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
