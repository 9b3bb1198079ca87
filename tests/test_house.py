"""House rules that a test can hold: short functions, no colours in Python, tests that stand alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

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


# -- the layers ---------------------------------------------------------------------------------
# Lowest first: a module imports only from its own layer or lower ones. The two adapters never
# import each other; nothing below the configuration imports MkDocs.
LAYERS = ["support", "speckit", "core", "history", "project", "views", "markdown", "pipeline", "config", "adapters", "cli"]
ENTRY_POINTS = {"__init__", "__main__", "plugin", "extension"}  # names users and entry points know: shims


def _layer(module: str) -> str | None:
    """The layer of a module given by its dotted path inside the package (None: an entry point)."""
    first = module.split(".")[0]
    return first if first in LAYERS else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import: the package's own as ``mkdocs_specplan.<dotted path>``."""
    here = path.relative_to(PACKAGE).with_suffix("").parts
    package = here[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ["mkdocs_specplan", *package[: len(package) - node.level + 1]]
            names = [node.module] if node.module else [a.name for a in node.names]
            out += [(node.lineno, ".".join([*base, name])) for name in names if name]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
    return out


def test_every_module_is_in_a_layer():
    stray = [p.name for p in PACKAGE.glob("*.py") if p.stem not in ENTRY_POINTS and p.stem not in LAYERS]
    assert stray == []
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} <= set(LAYERS)


def test_layers_import_only_downwards():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        layer = _layer(module)
        if layer is None:
            continue
        for line, target in _imports(path):
            where = f"{module}:{line} imports {target}"
            if target == "mkdocs" or target.startswith("mkdocs."):
                if LAYERS.index(layer) < LAYERS.index("config"):
                    wrong.append(where)
                continue
            if not target.startswith("mkdocs_specplan."):
                continue  # not the package's
            target = target.removeprefix("mkdocs_specplan.")
            other = _layer(target)
            if other is None or LAYERS.index(other) > LAYERS.index(layer):
                wrong.append(where)
            elif layer == other == "adapters" and target.split(".")[1:2] != module.split(".")[1:2]:
                wrong.append(where)  # one adapter importing the other
    assert wrong == []


def test_the_layer_check_can_fail(tmp_path):
    """A negative control: an import upwards is reported."""
    bad = PACKAGE / "core" / "_layer_probe.py"
    bad.write_text("from ..pipeline import pipeline\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError):
            test_layers_import_only_downwards()
    finally:
        bad.unlink()


def test_the_plugin_class_is_glue():
    """The MkDocs plugin hands each event to the pipeline: a class of about 300 lines at most."""
    tree = ast.parse((PACKAGE / "adapters" / "mkdocs" / "plugin.py").read_text(encoding="utf-8"))
    (plugin,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SpecPlanPlugin"]
    assert (plugin.end_lineno or 0) - plugin.lineno + 1 <= 300


def test_no_source_file_is_ignored_by_git():
    """Every module, template and fixture is committed: an ignore pattern (``site/``, for generated
    sites) once kept a whole sub-package out of the repository while every test passed locally."""
    import shutil
    import subprocess

    root = PACKAGE.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--", "mkdocs_specplan", "tests", "demo-site/docs"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    ignored = [
        line
        for line in done.stdout.splitlines()
        if "__pycache__" not in line and not line.startswith("tests/screenshots/") and not line.endswith(".pyc")
    ]
    assert ignored == []
