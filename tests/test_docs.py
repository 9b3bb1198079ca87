"""The documentation: its reference pages are what the code gives, the site builds strictly, and the
README fits two screens with its two Quickstart commands, the ones CI runs."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_pages_are_what_the_code_gives():
    generator = _generator()
    for name, make in generator.PAGES.items():
        assert (ROOT / "docs" / "reference" / name).read_text(encoding="utf-8") == make(), f"{name}: run python docs/generate.py"


def test_the_check_fails_on_a_stale_page(tmp_path, monkeypatch):
    """A negative control: a page that differs is reported."""
    generator = _generator()
    monkeypatch.setattr(generator, "REFERENCE", tmp_path)
    (tmp_path / "options.md").write_text("# Options\n\nold\n", encoding="utf-8")
    assert generator.main(["--check"]) == 1


def test_every_option_and_command_is_documented():
    from mkdocs_specplan.config import SpecPlanConfig

    options = (ROOT / "docs/reference/options.md").read_text(encoding="utf-8")
    for name, _ in SpecPlanConfig._schema:
        assert f"`{name}" in options, name
    cli = (ROOT / "docs/reference/cli.md").read_text(encoding="utf-8")
    for command in ("validate", "import", "new", "schema", "build", "render", "init"):
        assert f"## `specplan {command}`" in cli, command


def test_the_documentation_site_builds_strictly(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site/reference/options/index.html").is_file()
    assert (tmp_path / "site/portfolio/plans/index.html").is_file()  # the site documents itself with the plugin


def test_the_readme_fits_two_screens_and_its_commands_are_cis():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 70
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quickstart, re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci  # CI runs the README's test command, verbatim
    for target in re.findall(r"\]\(((?:docs|demo-site)/[^)#]+)\)", readme):
        assert (ROOT / target).exists(), target
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / image).is_file(), image
