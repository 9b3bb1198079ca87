"""``specplan build`` when nothing changed: a record of what the last run read (every input's size
and modification time, the files it wrote, the options, the package's version, git's HEAD) and
what it reported. When the record still holds, the run reports the same and writes nothing.

The record lives in the user's cache folder (``$XDG_CACHE_HOME/mkdocs-specplan``, else
``~/.cache/mkdocs-specplan``), never in the project; deleting it only makes the next run a full one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from ...core.model import Problem
from ...pipeline.options import SiteConfig
from ...pipeline.sources import file_stamp
from ...support.cache import cache_folder

RECORD_VERSION = 2


PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@functools.cache
def _package_version() -> str:
    """The package's version and the time of each of its files (code, templates, stylesheet): an
    installed package changes its version, a working copy its files. Read once per process (a run
    asks for it for its record and for its kept state)."""
    try:
        named = version("mkdocs-specplan")
    except PackageNotFoundError:
        named = "unknown"
    files = [f"{path}\0{file_stamp(path)}" for path in _files(PACKAGE) if not path.endswith((".pyc", ".pyo"))]
    return named + "\0" + hashlib.blake2b("\n".join(files).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _files(root: str | None) -> Iterable[str]:
    if not root or not os.path.isdir(root):
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            yield os.path.join(folder, name)


def _files_or_file(path: str | None) -> list[str]:
    return [path] if path and os.path.isfile(path) else list(_files(path))


def _head(folder: str) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def signature(config: SiteConfig, settings_text: str) -> str:
    """Everything the build's output depends on, as a digest (an input's content by its size and
    modification time; the dates by the build date in the options)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{RECORD_VERSION}\0{_package_version()}\0{config!r}\0{settings_text}\0".encode("utf-8", "surrogateescape"))
    digest.update(_head(os.path.dirname(config.config_file) or ".").encode())
    inputs = [config.config_file, config.constitution, config.template]
    roots = [config.docs_dir, config.specs_dir, config.templates_dir]
    for path in [p for p in inputs if p] + [f for root in roots for f in _files(root)]:
        digest.update(f"{path}\0{file_stamp(path)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def stamp(config: SiteConfig, settings_text: str) -> str:
    """What a run's kept documents and pages hold for: the package's version, the options and the
    site's own templates (a page is kept by a digest of its inputs, not of the templates)."""
    templates = [
        f"{path}\0{file_stamp(path)}" for root in (config.template, config.templates_dir) for path in _files_or_file(root)
    ]
    text = f"{RECORD_VERSION}\0{_package_version()}\0{config!r}\0{settings_text}\0{templates}"
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def _cached(config: SiteConfig, suffix: str) -> str:
    key = hashlib.blake2b(os.path.realpath(config.config_file).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    return cache_folder(f"build-{key}.{suffix}")


def record_path(config: SiteConfig) -> str:
    return _cached(config, "json")


def memory_path(config: SiteConfig) -> str:
    """The folder where a run keeps the documents, plans and pages it made, for the next
    (:meth:`Memory.save`)."""
    return _cached(config, "kept")


def read(config: SiteConfig, wanted: str) -> dict[str, object] | None:
    """The last run's report, when its signature is ``wanted``."""
    try:
        with open(record_path(config), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("signature") == wanted else None


def write(config: SiteConfig, signed: str, problems: list[Problem], plans: int, features: int) -> None:
    path = record_path(config)
    rows = [[p.path, p.line, p.column, p.field, p.message, p.level] for p in problems]
    data = {"signature": signed, "plans": plans, "features": features, "problems": rows}
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
    except OSError:
        pass  # no record: the next run is a full one


def problems_of(data: dict[str, object]) -> list[Problem]:
    raw = data.get("problems")
    return [Problem(*p) for p in raw if isinstance(p, list) and len(p) == 6] if isinstance(raw, list) else []
