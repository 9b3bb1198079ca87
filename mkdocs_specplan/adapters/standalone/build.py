"""``specplan build``: the site's plan pages, dashboard, JSON and stylesheet written into docs_dir,
for builders that run Python-Markdown extensions but no MkDocs plugins (Zensical first).

The same pipeline as the MkDocs plugin makes the same files from the same sources: the files of
docs_dir as MkDocs lists them (exclude_docs, draft_docs, not_in_nav applied), specs_dir and a
configured constitution outside docs_dir. What MkDocs would publish without a file on disk is
written into docs_dir: specs_dir's files (under ``specs_url``, Markdown as UTF-8), the configured
constitution (as ``constitution.md``), and the pages the pipeline makes. Each is written only when
its content changes (a builder's cache and watcher see only real changes), and recorded in
``.specplan/outputs.json``, so a file that is no longer made is removed and the MkDocs plugin knows
them for its own. What the Markdown extension does to each page (anchors, notes, mention links,
link guards) is written to ``.specplan/annotations.json``: the extension reads it, and nothing
else, while the builder renders the pages.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from mkdocs.structure.files import File, get_files, set_exclusions

from ...core.model import Problem
from ...markdown.annotate import PageAnnotations, Trace
from ...pipeline.pipeline import Pipeline, SiteBuild
from ...pipeline.sources import (
    MANIFEST,
    MARKDOWN,
    Level,
    SourceFile,
    Sources,
    configured_constitution,
    digest,
    file_stamp,
    read_manifest,
    specs_dir_files,
    written_by_build,
)
from ...project.features import relative
from ...speckit.documents import IdSyntax
from ...support.mdlex import rewrite_links
from ...support.text import decode_text
from .project import Project

ANNOTATIONS = ".specplan/annotations.json"  # in docs_dir: what the extension does to each page
BUILDER_CACHE = ".cache"  # beside the configuration file: Zensical's pages as it rendered them


_URLS: dict[bool, dict[str, str]] = {}  # each path's URL, by use_directory_urls (kept between served builds)


class Urls:
    """Where MkDocs (and Zensical, which follows it) publishes each file."""

    def __init__(self, site_dir: str, use_directory_urls: bool) -> None:
        self.site_dir = site_dir
        self.directory = use_directory_urls
        self._urls = _URLS.setdefault(use_directory_urls, {})  # a URL follows from the path alone

    def url(self, uri: str) -> str:
        found = self._urls.get(uri)
        if found is None:
            found = self._urls[uri] = File(uri, None, self.site_dir, self.directory).url
        return found

    def href(self, target: str, page: str) -> str:
        """As a Markdown link is written (from the page's source): the builder resolves it, in raw
        HTML too, as it does every link of the page."""
        return quote(relative(target, page))


@dataclass
class Built:
    """What ``specplan build`` did."""

    site: SiteBuild
    written: list[str] = field(default_factory=list)  # paths from docs_dir
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the site, the plans' own included


def sources_of(project: Project, ours: set[str]) -> tuple[Sources, dict[str, SourceFile], list[Problem]]:
    """The site's files as MkDocs lists them, the copies this command wrote (``ours``) left out;
    specs_dir and the configured constitution added (with what writes them into docs_dir)."""
    config = project.config
    listed: dict[str, SourceFile] = {}
    for file in get_files(project.settings):  # type: ignore[arg-type]  # MkDocs' own options, validated
        if file.src_uri in ours:
            continue
        level = Level(file.inclusion.value) if file.inclusion.value else Level.INCLUDED
        listed[file.src_uri] = SourceFile(file.src_uri, file.abs_src_path, level, file.src_uri, file.src_uri)
    problems: list[Problem] = []
    added, refused = specs_dir_files(config, lambda uri: uri in listed)
    problems += refused
    copies = {}
    constitution = configured_constitution(config, problems)
    if constitution is not None:
        if constitution.uri in listed:
            message = (
                f"is kept: the configured constitution {constitution.display} would be published under the same name; "
                "rename one of them"
            )
            problems.append(Problem(constitution.uri, None, None, "", message))
        else:
            added.append(constitution)
    for source in added:
        placed = File(source.uri, None, config.site_dir, config.use_directory_urls)
        set_exclusions([placed], project.settings)  # type: ignore[arg-type]
        source.level = Level(placed.inclusion.value) if placed.inclusion.value else Level.INCLUDED
        listed[source.uri] = copies[source.uri] = source
    return Sources(config, listed), copies, problems


def build(project: Project, pipeline: Pipeline | None = None) -> Built:
    """Write everything the site publishes that is not a file of docs_dir as it is."""
    config = project.config
    docs = config.docs_dir
    manifest = read_manifest(docs)
    ours = {uri for uri in manifest if written_by_build(docs, uri, manifest)}  # as this command wrote them
    sources, copies, problems = sources_of(project, ours)
    pipeline = pipeline or Pipeline(config)
    urls = Urls(config.site_dir, config.use_directory_urls)
    pages = [uri for uri, f in sources.files.items() if uri.endswith(".md") and sources.published(f)]
    site = pipeline.build(sources, urls)
    built = Built(site, problems=problems + site.all_problems)
    wanted: dict[str, bytes] = {}
    for uri, source in copies.items():
        if not sources.published(source) or source.abs_path is None:
            continue
        try:
            wanted[uri] = _copy(site, source, sources.data(source))
        except OSError:
            continue
    for output in site.outputs:
        if output.level != Level.EXCLUDED and output.level != Level.DRAFT:
            wanted[output.uri] = output.data
    digests = {uri: digest(data) for uri, data in wanted.items()}
    for uri, data in wanted.items():  # never over a file of the site's own
        if uri in ours:
            if manifest[uri] != digests[uri] and _write(docs, uri, data):  # a file as written is read once
                built.written.append(uri)
        elif not os.path.exists(os.path.join(docs, uri)) and _write(docs, uri, data):
            built.written.append(uri)
    for uri in sorted(ours - set(wanted)):
        os.remove(os.path.join(docs, uri))
        built.removed.append(uri)
    _write(docs, MANIFEST, _json({"version": 1, "files": {uri: digests[uri] for uri in sorted(wanted)}}))
    _write_annotations(project, site, sources, urls, pages)
    return built


def _write_annotations(project: Project, site: SiteBuild, sources: Sources, urls: Urls, pages: list[str]) -> None:
    """What the extension does to each page, for it to read while the builder renders the page; a
    page whose annotations changed is taken out of Zensical's cache (:func:`forget_rendered`)."""
    annotated: dict[str, str] = {}  # each page's entry, as JSON
    for uri in sorted({*pages, *(o.uri for o in site.outputs if o.uri.endswith(".md"))}):
        listed = sources.files.get(uri)
        notes = site.annotations(uri, listed.abs_path if listed else None, urls)
        if notes is not None:
            annotated[uri] = _compact(annotations_json(notes))
    docs = project.config.docs_dir
    before = _annotated(docs)
    changed = {uri for uri in {*before, *annotated} if before.get(uri) != annotated.get(uri)}
    if changed:
        forget_rendered(os.path.join(os.path.dirname(project.config.config_file) or ".", BUILDER_CACHE), changed)
    entries = ",".join(f"{_compact(uri)}:{entry}" for uri, entry in annotated.items())
    _write(docs, ANNOTATIONS, f'{{"version":1,"pages":{{{entries}}}}}\n'.encode())
    _last_annotated[os.path.join(docs, ANNOTATIONS)] = (file_stamp(os.path.join(docs, ANNOTATIONS)), annotated)


_last_annotated: dict[str, tuple[tuple[int, int] | None, dict[str, str]]] = {}  # by file: as this process wrote it


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _annotated(docs: str) -> dict[str, str]:
    """What the last run wrote for each page into ``.specplan/annotations.json`` (each entry as
    JSON): as this process wrote it while the file is unchanged (a served build), else read."""
    path = os.path.join(docs, ANNOTATIONS)
    kept = _last_annotated.get(path)
    if kept is not None and kept[0] is not None and kept[0] == file_stamp(path):
        return kept[1]
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    pages = data.get("pages") if isinstance(data, dict) else None
    return {uri: _compact(entry) for uri, entry in pages.items()} if isinstance(pages, dict) else {}


def forget_rendered(cache: str, pages: set[str]) -> int:
    """Remove from Zensical's cache (``cache``) the pages rendered from ``pages`` (paths from
    docs_dir), so its next build renders them again. It knows a page by its text alone, and would
    keep a page whose annotations changed while its text did not (a spec whose plan now covers
    one more requirement) as it was. Each entry of a rendered page starts with its source path;
    an entry that says nothing of one is left alone. How many were removed."""
    heads = {('{"data":{"origin":{"Source":' + json.dumps(uri, ensure_ascii=False) + "}").encode() for uri in pages}
    longest = max(map(len, heads), default=0)
    removed = 0
    try:
        names = os.listdir(cache)
    except OSError:
        return 0
    for name in names:
        path = os.path.join(cache, name)
        try:
            with open(path, "rb") as handle:
                head = handle.read(longest)
            if head.startswith(b'{"data":{"origin":') and any(head.startswith(h) for h in heads):
                os.remove(path)
                removed += 1
        except OSError:  # a folder, or a file gone meanwhile
            continue
    return removed


def _copy(site: SiteBuild, source: SourceFile, data: bytes) -> bytes:
    """A file of specs_dir, or the constitution, as it is published in docs_dir: a Markdown page's
    links to files published from elsewhere point at their published places (as the plugin points
    them while rendering), so the builder finds them."""
    rewrite = site.link_rewriter(source.uri, source.abs_path)
    if rewrite is None or not source.uri.endswith(MARKDOWN):
        return data
    text, guess = decode_text(data)
    return data if guess is not None else rewrite_links(text, rewrite).encode("utf-8")


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write(docs: str, uri: str, data: bytes) -> bool:
    """Write a file when its content changes (a builder's cache and a watcher see only real changes)."""
    path = os.path.join(docs, uri)
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.specplan-{os.getpid()}"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return True


# -- what the extension does to each page, as JSON ---------------------------------------------
def annotations_json(notes: PageAnnotations) -> dict[str, Any]:
    syntax = notes.mention_syntax or IdSyntax()
    return {
        "definitions": _syntax_json(notes.definitions) if notes.definitions else None,
        "traces": {rid: (t.planned, t.tasks, t.uncovered) for rid, t in notes.traces.items()},  # tuples: JSON arrays
        "tasks": notes.tasks,
        "principles": notes.principles,
        "mentions": notes.mentions,
        "syntax": _syntax_json(syntax),
        # links were pointed at their published places in the text of the copies already
        "note_html": notes.note_html,
        "safe_links": notes.safe_links,
    }


def _syntax_json(syntax: IdSyntax) -> list[Any]:
    return [list(syntax.prefixes), list(syntax.story_labels), [[term, list(words)] for term, words in syntax.terms]]


def _syntax_from_json(data: list[Any]) -> IdSyntax:
    terms = tuple((str(term), tuple(words)) for term, words in (data[2] if len(data) > 2 else []))
    return IdSyntax(tuple(data[0]), tuple(data[1]), terms)


def annotations_from_json(data: dict[str, Any]) -> PageAnnotations:
    definitions = data.get("definitions")
    syntax = data.get("syntax") or [["FR", "NFR", "SC"], ["User Story", "US"]]
    return PageAnnotations(
        definitions=_syntax_from_json(definitions) if definitions else None,
        traces={
            rid: Trace(
                tuple((p[0], p[1]) for p in trace[0]), tuple((t[0], t[1]) for t in trace[1]), bool(trace[2:3] and trace[2])
            )
            for rid, trace in (data.get("traces") or {}).items()
        },
        tasks=bool(data.get("tasks")),
        principles=bool(data.get("principles")),
        mentions=dict(data.get("mentions") or {}),
        mention_syntax=_syntax_from_json(syntax),
        note_html=data.get("note_html"),
        safe_links=bool(data.get("safe_links")),
    )
