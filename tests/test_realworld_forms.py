"""Specs as real repositories write them, in any language: requirement IDs, titles, metadata and
user stories. Each fixture is written for this test in the style of a pattern met in public
spec-kit repositories."""

from __future__ import annotations

from mkdocs_specplan.speckit.documents import read_spec

MIXED_IDS = """\
# Feature Specification: Timers

## Requirements

- **FR-T01**: The timer MUST start on demand.
- **FR-T02**: The timer MUST stop on demand.
- **NFR-A2**: Starting MUST take under 10 ms.
- **FR-001a**: The old form still reads.
- **FR-SEC**: not an ID (no number), so not a requirement.
"""


def test_id_parts_may_mix_capitals_and_digits():
    spec = read_spec(MIXED_IDS)
    assert [r.id for r in spec.requirements] == ["FR-T01", "FR-T02", "NFR-A2", "FR-001a"]
