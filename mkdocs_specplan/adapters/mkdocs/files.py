"""The plugin's side of MkDocs' ``Files``: the site's files as the pipeline's sources, the pages it
generates as files, and what ``--dirty`` builds need to know of them."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.utils import get_relative_url

from ...pipeline.options import SiteConfig
from ...pipeline.pipeline import Output
from ...pipeline.sources import Level, SourceFile, posix
from ...support.incremental import LastBuild

log = get_plugin_logger("specplan")


def level_of(file: File) -> Level:
    inclusion = file.inclusion
    return Level(inclusion.value) if inclusion != InclusionLevel.UNDEFINED else Level.INCLUDED


def display_path(file: File, docs_dir: str) -> str:
    """How problems name a file: its path from docs_dir."""
    return posix(os.path.relpath(file.abs_src_path, docs_dir)) if file.abs_src_path else file.src_uri


def source_of(file: File, docs_dir: str) -> SourceFile:
    """A file of MkDocs' site as the pipeline sees it: read from disk where it is there as it is,
    else from what MkDocs holds (a page another plugin made, a file it decoded)."""
    on_disk = file.abs_src_path is not None and file.generated_by is None
    return SourceFile(
        file.src_uri,
        file.abs_src_path,
        level_of(file),
        display_path(file, docs_dir),
        file.edit_uri,
        None if on_disk else (lambda: file.content_bytes),
    )


def file_of(source: SourceFile, config: MkDocsConfig) -> File:
    """A file of specs_dir (or the configured constitution) as a file of the site, with the
    inclusion exclude_docs, draft_docs and not_in_nav give its path."""
    if source.load is not None:  # decoded from another encoding: published as UTF-8
        file = File.generated(config, source.uri, content=source.load())
        file.abs_src_path = source.abs_path  # where it comes from, for other plugins and serve
    else:
        assert source.abs_path is not None
        file = File.generated(config, source.uri, abs_src_path=source.abs_path)
    file.edit_uri = source.edit_uri
    set_exclusions([file], config)
    return file


class Urls:
    """Where MkDocs publishes each file (of the site, or one generated in this build)."""

    def __init__(self, files: Files, config: MkDocsConfig) -> None:
        self.files = files
        self.config = config

    def url(self, uri: str) -> str:
        found = self.files.src_uris.get(uri)  # a site path already: no normalising
        if found is None:
            found = File(uri, None, self.config.site_dir, self.config.use_directory_urls)
        return found.url

    def href(self, target: str, page: str) -> str:
        return get_relative_url(self.url(target), self.url(page))


class GeneratedFile(File):
    """A page (or the JSON) this plugin generates: modified only when its content differs from what
    the last build wrote, so ``mkdocs serve --dirty`` and ``mkdocs build --dirty`` leave unchanged
    plan pages alone. The last build is this process's (serve), else the record it left (build).

    Once MkDocs has read a page, the page's Markdown is its content: the file lets go of its own
    copy (``release``), so a site's pages are not held twice."""

    digest: str | None = None  # of the content this build gave it
    before: str | None = None  # of the content the last build gave it
    released = False

    def is_modified(self) -> bool:
        if not os.path.isfile(self.abs_dest_path):
            return True
        return self.before is None or self.digest != self.before

    def release(self) -> None:
        if self.page is not None and isinstance(self.page.markdown, str):
            self._content = None
            self.released = True

    @property
    def content_bytes(self) -> bytes:
        if self.released and self._content is None and self.page is not None and self.page.markdown is not None:
            return self.page.markdown.encode("utf-8")
        return File.content_bytes.fget(self)  # type: ignore[attr-defined, no-any-return]

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.released = False
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_string(self) -> str:
        if self.released and self._content is None and self.page is not None and self.page.markdown is not None:
            return self.page.markdown
        return File.content_string.fget(self)  # type: ignore[attr-defined, no-any-return]

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.released = False
        File.content_string.fset(self, value)  # type: ignore[attr-defined]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class DirtyRecord:
    """What the last build generated (a digest per file), for the next ``--dirty`` build of the same
    site_dir in another process. Kept in the temporary folder, never in the site or the project: a
    missing record means every generated file is written again."""

    def __init__(self, site_dir: str) -> None:
        key = hashlib.blake2b(os.path.realpath(site_dir).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
        self.path = os.path.join(tempfile.gettempdir(), "mkdocs-specplan", f"dirty-{key}.json")

    def take(self) -> dict[str, str]:
        """The record, removed: a build that fails before writing its own leaves none behind."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            os.remove(self.path)
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}

    def write(self, digests: dict[str, str]) -> None:
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            temporary = f"{self.path}.{os.getpid()}"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(digests, handle)
            os.replace(temporary, self.path)
        except OSError as exc:
            log.debug(f"the record for --dirty builds was not written: {exc}")


class Tracker:
    """What each generated file holds, and what the last build gave it (``--dirty``)."""

    def __init__(self) -> None:
        self.digests: dict[str, str] = {}  # a digest of each generated file's content (the JSON too)
        self.previous: dict[str, str] = {}  # the same, as the last build of this process left them
        self.recorded: dict[str, str] = {}  # the same, as the last build recorded them
        self.digested: LastBuild[str, tuple[bytes, str]] = LastBuild()  # (content, digest) by site path (serve)
        self.record: DirtyRecord | None = None

    def turn(self, dirty: bool) -> None:
        self.previous, self.digests = self.digests, {}
        self.digested.turn()
        record = self.record.take() if self.record else {}  # taken always: it describes only the next build
        self.recorded = record if dirty and not self.previous else {}

    def track(self, file: File, uri: str, data: bytes, serving: bool) -> None:
        kept = self.digested.last(uri)  # a serve rebuild hands back the very bytes of an unchanged page
        digest = kept[1] if kept is not None and kept[0] is data else _digest(data)
        self.digests[uri] = digest
        if serving:
            self.digested.keep(uri, (data, digest))
        if isinstance(file, GeneratedFile):
            file.digest = digest
            file.before = self.previous.get(uri, self.recorded.get(uri))

    def clear(self) -> None:
        self.digested.clear()


def remove_all(files: Files, uris: Iterable[str]) -> None:
    for uri in uris:
        file = files.get_file_from_path(uri)
        if file is not None:
            files.remove(file)


def output_source(output: Output, config: SiteConfig) -> str:
    """The file an output page is dated by (git-revision-date, rss): its plan.yaml, the newest plan."""
    return output.source or os.path.join(config.docs_dir, output.uri)
