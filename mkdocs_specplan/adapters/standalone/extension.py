"""The Markdown extension for builders that run Python-Markdown extensions but not MkDocs plugins
(Zensical first)::

    markdown_extensions:
      - mkdocs_specplan.extension

``specplan build`` has written every page the pipeline makes into docs_dir, and what to do to each
page into ``.specplan/annotations.json``; while the builder renders a page, this extension does to
it what the MkDocs plugin does: requirement and task anchors, "Planned · Tasks" notes, mention
links, the note under a spec's title, and on the plugin's own pages the guards (no live link of an
unsafe scheme, no ``on*`` attribute, unclosed tags and long blocks as text). The page is known by
its path, from the builder's rendering context (Zensical gives it); a page without one is left as
it is. The site is never loaded here: only the file ``specplan build`` wrote is read.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

import markdown

from ...markdown.annotate import PageAnnotations, SpecPlanExtension
from ...pipeline.sources import file_stamp
from .build import ANNOTATIONS, annotations_from_json

log = logging.getLogger("mkdocs_specplan")
_lock = threading.Lock()
_read: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}  # by file: (its size and mtime, its pages)
_docs_dirs: dict[tuple[str, int], str] = {}  # by configuration file and its mtime


def docs_dir_of(config_file: str) -> str:
    """The site's docs_dir, from its configuration file (read once while it is unchanged)."""
    path = os.path.abspath(config_file)
    try:
        key = (path, os.stat(path).st_mtime_ns)
    except OSError:
        key = (path, 0)
    with _lock:
        found = _docs_dirs.get(key)
    if found is None:
        from .project import Project, ProjectError

        try:
            found = Project.open(path).config.docs_dir
        except ProjectError:
            found = os.path.join(os.path.dirname(path), "docs")
        with _lock:
            _docs_dirs[key] = found
    return found


def page_annotations(docs_dir: str, page: str) -> PageAnnotations | None:
    """What to do to the page at ``page`` (a path from docs_dir), as ``specplan build`` wrote it."""
    path = os.path.join(docs_dir, ANNOTATIONS)
    stamp = file_stamp(path)
    if stamp is None:
        return None
    with _lock:
        kept = _read.get(path)
        if kept is None or kept[0] != stamp:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError):
                data = {}
            pages = data.get("pages") if isinstance(data, dict) else None
            kept = _read[path] = (stamp, pages if isinstance(pages, dict) else {})
    found = kept[1].get(page)
    return annotations_from_json(found) if isinstance(found, dict) else None


def _context(md: markdown.Markdown) -> Any:
    """The builder's rendering context of the page (Zensical's), or None."""
    try:
        from zensical.extensions.context import ContextPreprocessor  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return ContextPreprocessor.from_markdown(md)


def _page_path(md: markdown.Markdown) -> str | None:
    """The page's path from docs_dir, when the builder says."""
    context = _context(md)
    return str(context.page.path).replace(os.sep, "/") if context is not None else None


class _PagePreprocessor(markdown.preprocessors.Preprocessor):
    """First of all: which page this is, and what to do to it."""

    def __init__(self, md: markdown.Markdown, state: SpecPlanExtension, config_file: str) -> None:
        super().__init__(md)
        self.state = state
        self.config_file = config_file

    def run(self, lines: list[str]) -> list[str]:
        path = _page_path(self.md)
        self.state.current = page_annotations(docs_dir_of(self.config_file), path) if path else None
        return lines


class _ErrorsPostprocessor(markdown.postprocessors.Postprocessor):
    """Last of all: what annotating the page could not do is logged (a builder cannot be failed here)."""

    def __init__(self, md: markdown.Markdown, state: SpecPlanExtension) -> None:
        super().__init__(md)
        self.state = state

    def run(self, text: str) -> str:
        for error in self.state.errors:
            log.warning(f"specplan: internal error while annotating a page ({error}); please report it")
        self.state.errors, self.state.current = [], None
        return text


class SpecPlanMarkdown(markdown.Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {"config_file": ["mkdocs.yml", "The site's configuration (its docs_dir holds what specplan build wrote)"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # one state per Markdown instance (a builder may render pages side by side), under names of
        # its own (under MkDocs, the plugin's processors run beside them; these find no page there)
        state = SpecPlanExtension()
        state.register(md, "specplan_pages")
        md.preprocessors.register(_PagePreprocessor(md, state, str(self.getConfig("config_file"))), "specplan_page", 40)
        md.postprocessors.register(_ErrorsPostprocessor(md, state), "specplan_errors", 0)


def makeExtension(**kwargs: Any) -> SpecPlanMarkdown:  # noqa: N802 (Python-Markdown's name)
    return SpecPlanMarkdown(**kwargs)
