"""``specplan build`` for Zensical and other builders: it reads mkdocs.yml as MkDocs does, refuses
what the plugin refuses, lists the files MkDocs would, and the extension annotates each page from
what it wrote, never loading the site again."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import pytest

from mkdocs_specplan.adapters.standalone import extension as extension_module
from mkdocs_specplan.pipeline import pipeline as pipeline_module

from .conftest import MINIMAL_PLAN, Site
from .test_cli import run


def _site(tmp_path: Path, config: str) -> Site:
    site = Site(tmp_path)
    site.plan(
        "specs/001-x", MINIMAL_PLAN.replace('"042"', '"001"'), spec="# Feature Specification: X\n\n- **FR-001**: It MUST.\n"
    )
    site.doc("index.md", "# Home\n")
    (tmp_path / "mkdocs.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    return site


def test_mkdocs_yml_is_read_with_inherit_and_env(tmp_path):
    """The plugin's options in an inherited file, and an !ENV value, as MkDocs reads them."""
    (tmp_path / "base.yml").write_text(
        "site_name: Base\nplugins:\n  - specplan:\n      enabled: !ENV [SPECPLAN_ON, false]\n      dashboard: status/index.md\n",
        encoding="utf-8",
    )
    _site(tmp_path, "INHERIT: base.yml\nsite_name: Child\n")
    off = run("build", cwd=tmp_path)
    assert off.returncode == 0 and "not enabled" in off.stderr
    assert not (tmp_path / "docs/status/index.md").exists()
    import os
    import subprocess

    from .test_cli import SCRIPT

    on = subprocess.run(
        [str(SCRIPT), "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "SPECPLAN_ON": "true", "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert on.returncode == 0, on.stderr
    assert (tmp_path / "docs/status/index.md").is_file()  # the inherited option


@pytest.mark.parametrize(
    "options,message",
    [
        ("specs_dir: .", "specplan: specs_dir '.' contains docs_dir; point it at the folder of the specs only"),
        ("specs_url: ../out", "specplan: specs_url '../out' must be a path inside the site, such as specs"),
        ("sprint_length: 0", "specplan: sprint_length must be a whole number of working days, at least 1"),
    ],
)
def test_the_options_the_plugin_refuses_are_refused_with_its_messages(tmp_path, options, message):
    _site(tmp_path, f"site_name: T\nplugins:\n  - specplan:\n      {options}\n")
    done = run("build", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"specplan: {message}"
    assert not (tmp_path / "docs/plans").exists()  # nothing written


def test_exclude_docs_applies_as_under_mkdocs(tmp_path):
    site = _site(tmp_path, "site_name: T\nexclude_docs: specs/002-y/plan.yaml\nplugins:\n  - specplan\n")
    site.plan("specs/002-y", MINIMAL_PLAN.replace('"042"', '"002"'))
    done = run("build", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "docs/specs/001-x/plan.md").is_file()
    assert not (tmp_path / "docs/specs/002-y/plan.md").exists()
    data = json.loads((tmp_path / "docs/plans/plans.json").read_text())
    assert [p["feature_id"] for p in data["plans"]] == ["001"]
    assert [f["folder"] for f in data["features"]] == ["specs/001-x", "specs/002-y"]  # still a feature


def test_validate_on_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    _site(tmp_path, "site_name: T\nplugins:\n  - specplan\n")
    done = run("validate", "specs/missing", cwd=tmp_path)
    assert done.returncode == 2 and "specs/missing: no such file or folder" in done.stderr


class _Page:
    def __init__(self, path: str) -> None:
        self.path = path
        self.title = None


def test_the_extension_annotates_from_what_specplan_build_wrote(tmp_path, monkeypatch):
    """In Zensical's place: a Markdown instance with a rendering context naming the page. The spec
    gets its anchors and note, the plan page its guards, and the site is never loaded."""
    _site(tmp_path, "site_name: T\nmarkdown_extensions:\n  - mkdocs_specplan.extension\nplugins:\n  - specplan\n")
    assert run("build", cwd=tmp_path).returncode == 0
    monkeypatch.setattr(pipeline_module.Pipeline, "build", lambda *a, **k: pytest.fail("the site was loaded again"))
    monkeypatch.setattr(pipeline_module.Pipeline, "load", lambda *a, **k: pytest.fail("the site was loaded again"))

    class Context(markdown.preprocessors.Preprocessor):
        def __init__(self, md: markdown.Markdown, page: _Page) -> None:
            super().__init__(md)
            self.page = page

        def run(self, lines: list[str]) -> list[str]:
            return lines

    def render(path: str, text: str) -> str:
        md = markdown.Markdown(extensions=[extension_module.makeExtension(config_file=str(tmp_path / "mkdocs.yml"))])
        md.preprocessors.register(Context(md, _Page(path)), "rendering_context", 0)
        return md.convert(text)

    monkeypatch.setattr(extension_module, "_context", lambda md: md.preprocessors["rendering_context"])
    spec = render("specs/001-x/spec.md", (tmp_path / "docs/specs/001-x/spec.md").read_text())
    assert etree.fromstring(f"<div>{spec}</div>").find(".//*[@id='fr-001']") is not None
    assert "specplan-feature-note" in spec or "Implementation plan" in spec
    plan = render("specs/001-x/plan.md", "# Plan\n\n[x](javascript:alert(1)) and ![y](data:text/html,z)\n")
    assert 'href="javascript' not in plan and 'src="data:' not in plan and 'href="#"' in plan
    other = render("index.md", "# Home\n\n[x](javascript:alert(1))\n")
    assert 'href="javascript:alert(1)"' in other  # not a page of the plugin's: left as written (negative control)
