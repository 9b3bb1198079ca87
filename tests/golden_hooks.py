"""MkDocs hooks for the golden-file test, writing into the folder named by ``SPECPLAN_CAPTURE``:
every page whose content is not its source file's, and the JSON, as the plugin hands them to MkDocs (``files/``), and the HTML of
every page of a feature and of the dashboard as rendered (``html/``, the theme left out)."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.plugins import event_priority


def _out(*parts: str) -> Path:
    path = Path(os.environ["SPECPLAN_CAPTURE"], *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@event_priority(-200)  # after every event of the plugin's own
def on_files(files, config):
    for file in files:
        if not file.src_uri.endswith((".md", ".json")):
            continue
        data = file.content_bytes
        source = Path(file.abs_src_path) if file.abs_src_path else None
        if file.src_uri.endswith(".md") and source is not None and source.is_file() and source.read_bytes() == data:
            continue  # a page as written (in docs_dir, or published from specs_dir)
        _out("files", file.src_uri).write_bytes(data)
    return files


@event_priority(-200)
def on_page_content(html, page, config, files):
    uri = page.file.src_uri
    if uri.startswith(("specs/", "features/", "plans/")) or uri == "constitution.md":
        _out("html", uri + ".html").write_text(html, encoding="utf-8")
    return html
