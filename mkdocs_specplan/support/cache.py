"""The package's folder in the user's cache (``$XDG_CACHE_HOME/mkdocs-specplan``, else
``~/.cache/mkdocs-specplan``): compiled templates and what ``specplan build`` keeps for its next
run. Never in the project; deleting it only makes the next build a full one."""

from __future__ import annotations

import os

import jinja2


def cache_folder(*parts: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mkdocs-specplan", *parts)


def template_cache() -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates in the cache folder (a template whose text changed is
    compiled again), or None where the folder cannot be made."""

    folder = cache_folder("templates")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)
