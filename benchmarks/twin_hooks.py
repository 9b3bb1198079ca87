"""MkDocs hooks of the benchmark's twin site: each page the plugin's Markdown extension annotated
(anchors, trace lines, mention links, notes) gets the HTML the plugin's build gave it.

The twin still renders every page's Markdown as written, as MkDocs does in the plugin's build;
only the result of annotating it is taken from ``harvest/<page>.html`` (written by
``measure.py --harvest``), so both sites write byte-identical pages and the same search entries.
"""

from __future__ import annotations

import os
from typing import Any

_harvested: dict[str, str] = {}  # src_uri -> the file holding its HTML


def on_pre_build(config: Any) -> None:
    folder = os.path.join(os.path.dirname(config.config_file_path), "harvest")
    _harvested.clear()
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            _harvested[os.path.relpath(path, folder).replace(os.sep, "/").removesuffix(".html")] = path


def on_page_content(html: str, page: Any, **kwargs: Any) -> str | None:
    path = _harvested.get(page.file.src_uri)
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()
