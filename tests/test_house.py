"""House rules that a test can hold: short functions, no colours in Python, tests that stand alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mkdocs_specplan"
TESTS = Path(__file__).resolve().parent


def test_no_function_over_sixty_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_colours_live_in_the_stylesheet():
    """No colour literal in Python or in the templates: every colour is a custom property of the CSS."""
    colour = re.compile(r"#[0-9a-fA-F]{6}\b|rgb\(|hsl\(")
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]:
        text = path.read_text(encoding="utf-8")
        assert not colour.search(text), path.name
        assert "fill=" not in text and "stroke=" not in text, path.name


def test_tests_read_nothing_outside_the_repository():
    outside = ("../sh" + "ared", "parent.parent" + ".parent")  # spelled apart, so this file does not match itself
    for path in TESTS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not any(needle in text for needle in outside), path.name
