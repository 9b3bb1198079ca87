"""A Python-Markdown extension that renders plan pages and the dashboard from their stubs.

For builders that run Python-Markdown extensions but not MkDocs plugins, Zensical first::

    markdown_extensions:
      - mkdocs_specplan.extension

A page whose whole text is a stub (``<!-- specplan: plan.yaml … -->``, written by ``specplan
build``) becomes the plan page of the ``plan.yaml`` it names (relative to the page), or the
dashboard (``<!-- specplan: dashboard … -->``), rendered by the same core and templates as the
MkDocs plugin, with the plugin's options read from ``mkdocs.yml``. Every other page is left as it
is. The page's path comes from the builder's context where it gives one (Zensical does); else the
stub's target is taken relative to ``docs_dir``.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import markdown
from markdown.preprocessors import Preprocessor

from ...views.renderer import escape_html
from .build import DASHBOARD, Project, ProjectError, StandaloneSite, stub_target

_lock = threading.Lock()
_sites: dict[str, StandaloneSite] = {}  # by configuration file: the site, while its digest holds


def site_for(config_file: str, digest: str | None) -> StandaloneSite:
    """The loaded site; loaded again unless the stub's digest says nothing changed since."""
    path = os.path.abspath(config_file)
    with _lock:
        site = _sites.get(path)
        if site is None or digest is None or site.digest != digest:
            site = _sites[path] = StandaloneSite(Project.open(path)).load()
        return site


def _page_path(md: markdown.Markdown) -> str | None:
    """The page's path from docs_dir, when the builder says (Zensical's rendering context)."""
    try:
        from zensical.extensions.context import ContextPreprocessor  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    context = ContextPreprocessor.from_markdown(md)
    return str(context.page.path) if context is not None else None


class StubPreprocessor(Preprocessor):
    """Replaces a stub page's lines by the Markdown of its page."""

    def __init__(self, md: markdown.Markdown, config_file: str) -> None:
        super().__init__(md)
        self.config_file = config_file

    def run(self, lines: list[str]) -> list[str]:
        stub = stub_target("\n".join(lines))
        if stub is None:
            return lines
        target, digest = stub
        try:
            return self._render(target, digest).splitlines()
        except ProjectError as exc:
            return [
                '<div class="admonition failure"><p class="admonition-title">specplan</p>',
                f"<p>{escape_html(str(exc))}</p></div>",
            ]

    def _render(self, target: str, digest: str | None) -> str:
        site = site_for(self.config_file, digest)
        path = _page_path(self.md)
        if target == DASHBOARD:
            return site.dashboard_markdown(path or site.project.dashboard_uri or "plans/index.md")
        page = site.plan_for(path or "index.md", target)  # without the page's path: relative to docs_dir
        if page is None:
            raise ProjectError(f"no plan {target!r} for this page; run specplan build again")
        return site.plan_markdown(page)


class SpecPlanMarkdown(markdown.Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {"config_file": ["mkdocs.yml", "The site's configuration, whose specplan plugin options apply"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # before everything else reads the page: the stub's lines become the page's Markdown
        md.preprocessors.register(StubPreprocessor(md, str(self.getConfig("config_file"))), "specplan_stub", 40)


def makeExtension(**kwargs: Any) -> SpecPlanMarkdown:  # noqa: N802 (Python-Markdown's name)
    return SpecPlanMarkdown(**kwargs)
