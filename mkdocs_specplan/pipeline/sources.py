"""The site's files as the pipeline reads them, with every guard in one place: sizes checked
before reading, encodings decoded with a warning that names the file, plan sources taken out of
the site, the one walker of ``specs_dir`` (no broken links, no links out of it, no unreadable
file), the configured constitution, and the manifest of what ``specplan build`` wrote into
docs_dir. Free of MkDocs: a builder lists its files as :class:`SourceFile` records."""

from __future__ import annotations

import enum
import hashlib
import json
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..core.model import Problem
from ..project.records import PlanSource
from ..support.text import decode_text
from .options import SiteConfig

MARKDOWN = (".md", ".markdown")
ARCHIVE_NAME = "plan.speckit.md"  # where the imported plan.md is kept (never published beside plan.yaml)
MANIFEST = ".specplan/outputs.json"  # in docs_dir: what specplan build wrote there, with a digest of each


class Level(enum.Enum):
    """A file's inclusion in the site (the values are MkDocs' own)."""

    EXCLUDED = -3
    DRAFT = -2  # published by serve only
    NOT_IN_NAV = -1
    INCLUDED = 1


def posix(path: str) -> str:
    return path.replace(os.sep, "/")


@dataclass
class SourceFile:
    """One file of the site: its path in the site, where it is on disk (if it is), its inclusion,
    how problems name it, where "edit this page" leads, and how to read it when the builder holds
    its content rather than the disk (``load``)."""

    uri: str
    abs_path: str | None
    level: Level = Level.INCLUDED
    display: str = ""
    edit_uri: str | None = None
    load: Callable[[], bytes] | None = None

    def __post_init__(self) -> None:
        self.display = self.display or self.uri

    def size(self) -> int | None:
        """The file's size without reading it (None when it cannot be told)."""
        if self.load is None and self.abs_path:
            try:
                return os.path.getsize(self.abs_path)
            except OSError:
                return None
        return None

    def data(self) -> bytes:
        if self.load is not None:
            return self.load()
        assert self.abs_path is not None
        with open(self.abs_path, "rb") as handle:
            return handle.read()


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 104_858 else f"{size:,} bytes"


def _universal_newlines(text: str) -> str:
    """As Python reads a text file (and MkDocs a page from disk)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


@dataclass
class Sources:
    """The site's files for one build, read through the guards."""

    config: SiteConfig
    files: dict[str, SourceFile]  # by site path; plan sources are taken out (take_plans)
    serving: bool = False  # mkdocs serve: draft files are published
    decoded: dict[str, str] = field(default_factory=dict)  # files read from another encoding, as text
    problems: list[Problem] = field(default_factory=list)  # of the files read (size, encoding)

    def published(self, source: SourceFile) -> bool:
        """exclude_docs and draft_docs apply to a plan as to any page."""
        return source.level != Level.EXCLUDED and (source.level != Level.DRAFT or self.serving)

    def data(self, source: SourceFile) -> bytes:
        return source.data()

    def problem(self, path: str, message: str, level: str = "warning") -> None:
        problem = Problem(path, None, None, "", message, level)
        if problem not in self.problems:
            self.problems.append(problem)

    def read(self, uri: str) -> str | None:
        """A document's text: None when it is absent, larger than max_document_size (a warning) or
        unreadable; one that is not UTF-8 is decoded (a warning), and the page is published decoded."""
        source = self.files.get(uri)
        if source is None:
            return None
        limit = self.config.max_document_size
        size = source.size()
        if size is not None and size > limit:
            self.problem(
                source.display, f"is {megabytes(size)}, more than max_document_size ({megabytes(limit)}); it is not read"
            )
            return None
        try:
            data = source.data()
        except OSError:
            return None
        if size is None and len(data) > limit:
            self.problem(source.display, f"is more than max_document_size ({megabytes(limit)}); it is not read")
            return None
        text, guess = decode_text(data)
        if source.load is None:
            text = _universal_newlines(text)
        if guess is not None:
            self.problem(source.display, f"is not UTF-8; it was read as {guess}. Save it as UTF-8")
            self.decoded[uri] = text
        return text

    def plan_text(self, source: SourceFile) -> tuple[str, str | None]:
        """A plan's text, or why it cannot be read: too large, not UTF-8 text, unreadable."""
        limit = self.config.max_file_size
        size = source.size()
        if size is not None and size > limit:
            return "", f"is {megabytes(size)}, more than max_file_size ({megabytes(limit)}); it is not read"
        try:
            data = source.data()
        except OSError as exc:
            return "", f"cannot be read ({exc.strerror or type(exc).__name__})"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "", "is not UTF-8 text (is it a binary file?); save it as UTF-8 YAML"
        if len(text) > limit:
            return "", f"is more than max_file_size ({megabytes(limit)}); it is not read"
        return (_universal_newlines(text) if source.load is None else text), None


# -- plans ------------------------------------------------------------------------------------
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A glob over '/'-separated paths: ``**/`` spans any folders (or none), ``*`` stays in one."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def plan_files(sources: Sources) -> list[SourceFile]:
    """Every file the ``sources`` option matches, by site path."""
    patterns = [glob_to_regex(p) for p in sources.config.sources]
    return sorted((f for f in sources.files.values() if any(p.match(f.uri) for p in patterns)), key=lambda f: f.uri)


def page_uri_of(plan_uri: str) -> str:
    return posixpath.join(posixpath.dirname(plan_uri), "plan.md")


@dataclass
class TakenPlans:
    """The plans of a build: their sources, and each page's inclusion (its plan file's)."""

    sources: list[PlanSource] = field(default_factory=list)
    levels: dict[str, Level] = field(default_factory=dict)  # by page path


def take_plans(sources: Sources) -> TakenPlans:
    """Every plan file is taken out of the site (its YAML is never published); each published one
    becomes a plan source, unless a hand-written page is in its page's place (a warning). The
    plan.md that ``specplan import`` kept beside it is taken out too."""
    taken = TakenPlans()
    for file in plan_files(sources):
        del sources.files[file.uri]
        if not sources.published(file):
            continue  # exclude_docs (or draft_docs outside serve): no page, not on the dashboard
        text, error = sources.plan_text(file)
        source = PlanSource(file.uri, text, file.display, error, file.abs_path, file.edit_uri)
        existing = sources.files.get(source.page_uri)
        if existing is not None:
            sources.problem(
                file.display,
                f"a hand-written {existing.display} is beside it; the plan is not rendered and the hand-written "
                "page is kept. Rename or delete one of the two files",
            )
            continue
        sources.files.pop(posixpath.join(source.folder, ARCHIVE_NAME), None)
        taken.sources.append(source)
        taken.levels[source.page_uri] = file.level
    return taken


# -- specs_dir and the constitution -------------------------------------------------------------
def _unpublishable(abs_path: str, real_root: str) -> str | None:
    """Why a file under specs_dir is not published, or None."""
    if os.path.islink(abs_path) and not os.path.exists(abs_path):
        return "is a broken symbolic link; it is not published"
    real = os.path.realpath(abs_path)
    if not real.startswith(real_root + os.sep):
        return "links to a file outside specs_dir; it is not published"
    if not os.path.isfile(real) or not os.access(real, os.R_OK):
        return "cannot be read; it is not published"
    return None


def _published_text(abs_path: str, display: str, problems: list[Problem]) -> Callable[[], bytes] | None:
    """For a Markdown file that is not UTF-8: its text as UTF-8 (a warning names it); None when the
    file is UTF-8 (read from disk as it is) or cannot be read."""
    try:
        with open(abs_path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    text, guess = decode_text(data)
    if guess is None:
        return None
    problems.append(Problem(display, None, None, "", f"is not UTF-8; it was read as {guess}. Save it as UTF-8"))
    converted = _universal_newlines(text).encode("utf-8")
    return lambda: converted


def specs_dir_files(config: SiteConfig, exists: Callable[[str], bool]) -> tuple[list[SourceFile], list[Problem]]:
    """The files of specs_dir as files of the site (under specs_url), and why others are not."""
    problems: list[Problem] = []
    added: list[SourceFile] = []
    root = config.specs_dir
    if not root:
        return added, problems
    real_root = os.path.realpath(root)
    for folder, dirnames, filenames in os.walk(root):  # symlinked folders are not followed
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(n for n in filenames if not n.startswith(".")):
            abs_path = os.path.join(folder, name)
            display = posix(os.path.relpath(abs_path, config.docs_dir))
            refusal = _unpublishable(abs_path, real_root)
            if refusal:
                problems.append(Problem(display, None, None, "", refusal))
                continue
            rel = posix(os.path.relpath(abs_path, root))
            uri = posixpath.join(config.specs_url, rel) if config.specs_url else rel
            if exists(uri):
                message = f"not published, because docs_dir already has {uri}; rename one of them or change specs_url"
                problems.append(Problem(display, None, None, "", message))
                continue
            load = _published_text(abs_path, display, problems) if name.lower().endswith(MARKDOWN) else None
            added.append(SourceFile(uri, abs_path, Level.INCLUDED, display, display, load))
    return added, problems


def _outside(path: str, docs_dir: str) -> str | None:
    """A configured path as seen from docs_dir, when it lies outside it (else None)."""
    rel = posix(os.path.relpath(path, docs_dir))
    return rel if rel == ".." or rel.startswith("../") else None


CONSTITUTION_URI = "constitution.md"  # where a configured constitution outside docs_dir is published
# where spec-kit keeps the constitution, from the repository's root (found when specs_dir is set)
CONSTITUTION_PLACES = (".specify/memory/constitution.md", "memory/constitution.md")


def spec_kit_constitution(root: str) -> str | None:
    """spec-kit's constitution under a repository's root, if it is there."""
    return next((os.path.join(root, p) for p in CONSTITUTION_PLACES if os.path.isfile(os.path.join(root, p))), None)


def configured_constitution(config: SiteConfig, problems: list[Problem] | None = None) -> SourceFile | None:
    """The configured constitution when it lies outside docs_dir (spec-kit's
    ``.specify/memory/constitution.md``): a file of the site, published as ``constitution.md``
    (as UTF-8: one in another encoding is decoded, and ``problems`` has a warning that names it)."""
    if not config.constitution:
        return None
    rel = _outside(config.constitution, config.docs_dir)
    if rel is None:
        return None
    problems = problems if problems is not None else []
    load = _published_text(config.constitution, rel, problems)
    return SourceFile(CONSTITUTION_URI, config.constitution, Level.INCLUDED, rel, rel, load)


def constitution_uri(config: SiteConfig, uris: Iterable[str]) -> tuple[str | None, list[Problem]]:
    """The constitution's path in the site: the configured one, else a ``constitution.md``
    nearest the site's root (a note when there are several)."""
    if config.constitution:
        rel = _outside(config.constitution, config.docs_dir)
        return (CONSTITUTION_URI if rel is not None else posix(os.path.relpath(config.constitution, config.docs_dir))), []
    candidates = sorted((u for u in uris if posixpath.basename(u).lower() == "constitution.md"), key=lambda u: (u.count("/"), u))
    if len(candidates) > 1:
        message = "several constitutions found, this one is used; set the constitution option to choose"
        return candidates[0], [Problem(candidates[0], None, None, "", message, "info")]
    return (candidates[0] if candidates else None), []


# -- what specplan build wrote into docs_dir ------------------------------------------------------
def file_stamp(path: str) -> tuple[int, int] | None:
    """A file's size and modification time (None: there is none): equal while it is unchanged."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_manifest(docs_dir: str) -> dict[str, str]:
    """The files ``specplan build`` wrote into docs_dir, with the digest of what it wrote."""
    try:
        with open(os.path.join(docs_dir, MANIFEST), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {uri: d for uri, d in files.items() if isinstance(uri, str) and isinstance(d, str) and ".." not in uri.split("/")}


def written_by_build(docs_dir: str, uri: str, manifest: dict[str, str]) -> bool:
    """Whether the file at ``uri`` is as ``specplan build`` wrote it (else it is the site's own)."""
    expected = manifest.get(uri)
    if expected is None:
        return False
    try:
        with open(os.path.join(docs_dir, uri), "rb") as handle:
            return digest(handle.read()) == expected
    except OSError:
        return False
