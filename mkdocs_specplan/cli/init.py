"""``specplan init``: a working site for a spec-kit repository, in its root, without overwriting
anything. spec-kit keeps its features in ``specs/`` and its constitution in
``.specify/memory/constitution.md``; the site's ``mkdocs.yml`` goes beside them, its pages in
``docs/``, and ``specs/`` is published from where it is."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline.sources import CONSTITUTION_PLACES

SPECS_NAMES = ("specs", "spec")


@dataclass
class Init:
    """What init wrote, and what it left as it was."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    specs: str | None = None
    constitution: str | None = None


def find_specs(root: Path) -> str | None:
    """The folder of feature folders (``specs/``), if there is one."""
    return next((name for name in SPECS_NAMES if (root / name).is_dir()), None)


def find_spec_kit_constitution(root: Path) -> str | None:
    return next((place for place in CONSTITUTION_PLACES if (root / place).is_file()), None)


def config_text(root: Path, specs: str | None, constitution: str | None) -> str:
    """A mkdocs.yml that builds strictly: Material where it is installed, the Markdown extensions
    the pages read best with, the plugin pointed at the specs and the constitution."""
    material = importlib.util.find_spec("material") is not None
    extensions = ["admonition", "attr_list", "tables", "toc:\n      permalink: true"]
    if importlib.util.find_spec("pymdownx") is not None:
        extensions.append("pymdownx.tasklist:\n      custom_checkbox: true")
    lines = [
        f"site_name: {_quoted(root.resolve().name or 'Plans')}",
        "docs_dir: docs",
        "theme:",
        f"  name: {'material' if material else 'mkdocs'}",
        "markdown_extensions:",
        *(f"  - {e}" for e in extensions),
        "plugins:",
        "  - search",
        "  - specplan:",
    ]
    if specs:
        lines.append(f"      specs_dir: {specs}          # published at /{specs}/, watched by mkdocs serve")
    if constitution:
        lines.append(f"      constitution: {constitution}")
    if not specs and not constitution:
        lines[-1] = "  - specplan"
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


INDEX = """\
# {name}

The features of this repository: their specs, plans and tasks, and the [dashboard](plans/index.md)
of every plan.
"""


def init(root: Path) -> Init:
    """Write mkdocs.yml and docs/index.md where they are missing; never overwrite."""
    done = Init(specs=find_specs(root), constitution=find_spec_kit_constitution(root))
    config = root / "mkdocs.yml"
    if config.exists():
        done.kept.append(config)
    else:
        config.write_text(config_text(root, done.specs, done.constitution), encoding="utf-8")
        done.written.append(config)
    index = root / "docs" / "index.md"
    if index.exists():
        done.kept.append(index)
    else:
        index.parent.mkdir(parents=True, exist_ok=True)
        index.write_text(INDEX.format(name=root.resolve().name or "Plans"), encoding="utf-8")
        done.written.append(index)
    return done
