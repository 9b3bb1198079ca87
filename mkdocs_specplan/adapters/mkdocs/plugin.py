"""The MkDocs plugin: a thin layer of events over the core."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from ...cli.importer import ARCHIVE_NAME
from ...config import SpecPlanConfig, build_date, make_settings, site_path
from ...core.model import Positions, Problem, Settings, memo
from ...history.baseline import HistoryCache
from ...markdown.annotate import PageAnnotations, SpecPlanExtension
from ...project.features import (
    Constitution,
    Feature,
    Siblings,
    SiteFiles,
    relative,
)
from ...project.loading import (
    CSS_PATH,
    CSS_URI,
    LinkCache,
    LoadedSite,
    ScheduleCache,
    SiteOptions,
    constitution_candidates,
    glob_to_regex,
    load_site,
)
from ...project.portfolio import Portfolio, build_portfolio, natural_key
from ...project.records import PlanPage, PlanSource, internal_problem, load_page
from ...site.annotations import mention_targets, traces_for
from ...speckit.documents import IdSyntax, read_constitution
from ...support.incremental import Inputs, LastBuild, no_cycle_collection
from ...support.text import decode_text
from ...views.dashboard import dashboard_pages
from ...views.export import Encoded, export_json
from ...views.notes import FeatureNote
from ...views.plan_page import PageInputs, PageOptions, front_matter, page_inputs, render_inputs
from ...views.renderer import Renderer, TemplateProblem, escape_html
from ..standalone.build import STUB_LIMIT, published_copies, stub_target
from .navigation import arrange

log = get_plugin_logger("specplan")


def _unpublishable(abs_path: str, real_root: str) -> str | None:
    """Why a file under specs_dir is not published, or None: a broken link, a link out of specs_dir,
    a file that cannot be read."""
    if os.path.islink(abs_path) and not os.path.exists(abs_path):
        return "is a broken symbolic link; it is not published"
    real = os.path.realpath(abs_path)
    if not real.startswith(real_root + os.sep):
        return "links to a file outside specs_dir; it is not published"
    if not os.path.isfile(real) or not os.access(real, os.R_OK):
        return "cannot be read; it is not published"
    return None


def _size_of(file: File) -> int | None:
    """A file's size without reading it (None when it cannot be told)."""
    if file.abs_src_path and os.path.isfile(file.abs_src_path):
        try:
            return os.path.getsize(file.abs_src_path)
        except OSError:
            return None
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 104_858 else f"{size:,} bytes"


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


def _ours(file: File) -> bool:
    """A file this package wrote into docs_dir for other builders (a stub page, the JSON, the stylesheet)."""
    size = _size_of(file)
    if size is None or size > 64 * 1024 * 1024:
        return False
    try:
        text = file.content_string
    except (OSError, UnicodeDecodeError):
        return False
    if file.src_uri.endswith(".md"):
        return size <= STUB_LIMIT and stub_target(text) is not None
    if file.src_uri.endswith(".json"):
        return text.lstrip().startswith("{") and re.search(r'"generator":\s*"mkdocs-specplan"', text[:400]) is not None
    return file.src_uri == CSS_URI and text == CSS_PATH.read_text(encoding="utf-8")


def _mtimes(*paths: str | None) -> tuple[tuple[str, float], ...]:
    """When each file (or each file of a folder) was last changed."""
    out = []
    for path in paths:
        if not path:
            continue
        names = [os.path.join(folder, n) for folder, _, ns in os.walk(path) for n in ns] if os.path.isdir(path) else [path]
        for name in names:
            try:
                out.append((name, os.path.getmtime(name)))
            except OSError:
                out.append((name, -1.0))
    return tuple(sorted(out))


def _release_sources(pages: list[PlanPage]) -> None:
    """What only loading, checking and scheduling needed, let go in a one-off build: the YAML texts
    and where each field was written (problems have their lines by now)."""
    for page in pages:
        page.source = dataclasses.replace(page.source, text="")
        if page.plan is not None:
            page.plan.positions = Positions()


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


@dataclass(frozen=True)
class Rendered:
    """A plan page as rendered, and what it was rendered from."""

    key: PageInputs | None
    content: bytes
    problems: tuple[Problem, ...]


class SpecPlanPlugin(BasePlugin[SpecPlanConfig]):
    """Render every plan.yaml as a plan page."""

    def __init__(self) -> None:
        self.pages: list[PlanPage] = []
        self.renderer: Renderer | None = None
        self.settings = Settings()
        self.today = dt.date.today()
        self.dashboard_uri: str | None = None
        self.json_uri: str | None = None
        self._cache: dict[tuple[str, str, str | None, Settings], PlanPage] = {}
        self.features: dict[str, Feature] = {}  # by plan page src_uri
        self.constitution: Constitution | None = None
        self.all_features: list[Feature] = []
        self._by_page: dict[str, Feature] = {}  # spec, tasks and hand-written plan pages -> their feature
        self._plan_by_uri: dict[str, PlanPage] = {}
        self._docs_cache: dict[tuple[str, str, IdSyntax], Any] = {}
        self._live_docs: set[tuple[str, str, IdSyntax]] = set()
        self.syntax = IdSyntax()
        self.siblings = Siblings()
        self.extension = SpecPlanExtension()
        self.site_problems: list[Problem] = []
        self.validate_only = False
        self.loaded: LoadedSite | None = None
        # a one-off build: each page's annotations (or why they failed), worked out in on_nav
        self._prepared: dict[str, PageAnnotations | Exception] | None = None
        self._history_cache = HistoryCache()  # git history, kept while HEAD does not move
        self._schedule_cache = ScheduleCache()  # the portfolio's schedule, kept while no plan changes (serve)
        self._link_cache = LinkCache()  # each feature as linked, kept while what it was linked from is the same (serve)
        self._generated: dict[str, bytes] = {}  # each generated page's content (UTF-8), by its site path
        self._digests: dict[str, str] = {}  # a digest of each generated file's content (the JSON too)
        self._previous: dict[str, str] = {}  # the same, as the last build of this process left them
        self._recorded: dict[str, str] = {}  # the same, as the last build recorded them
        self._export_dir: str | None = None  # where the JSON export waits to be copied into the site
        self._digested: LastBuild[str, tuple[bytes, str]] = LastBuild()  # (content, digest) by site path (serve)
        self._record: DirtyRecord | None = None
        self._reserved: dict[str, File] = {}  # pages reserved early, not generated yet
        self._early = False  # the early hook has published specs_dir for this build
        self._serving = False  # mkdocs serve: draft plans are shown
        self._inclusion: dict[str, InclusionLevel] = {}  # each plan page's inclusion: its plan.yaml's
        self._dirty = False  # --dirty: unchanged pages are not rebuilt
        self._renders: LastBuild[str, Rendered] = LastBuild()  # each plan page as rendered (serve), by page path
        self._renderer_key: tuple[Any, ...] | None = None
        self._views: LastBuild[str, tuple[Any, str]] = LastBuild()  # each dashboard page's view and Markdown, by title
        self._notes: LastBuild[FeatureNote, str] = LastBuild()  # the note under a spec's title, by what it says
        self._entries: Encoded = LastBuild()  # each plan's entry in the JSON export, encoded (serve)
        self.rendered = 0  # plan pages rendered in this build (the others were unchanged)
        self._markdown_settings = ""  # the Markdown extensions and their options, as the last build had them
        self.dashboard_rendered = 0  # and dashboard pages

    # Having on_startup keeps one plugin instance across `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._cache = {}
        self._renders.clear()
        self._views.clear()
        self._serving = command == "serve"
        self._dirty = dirty
        self.extension.escaped = LastBuild() if self._serving else None
        self.extension.replays = LastBuild() if self._serving else None

    def on_shutdown(self) -> None:
        self._serving = self._dirty = False
        self.extension.escaped = self.extension.replays = None
        for store in (self._renders, self._views, self._notes, self._digested, self._entries):
            store.clear()
        self._schedule_cache = ScheduleCache()
        self._link_cache = LinkCache()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if self.config.sprint_length < 1:
            raise PluginError("specplan: sprint_length must be a whole number of working days, at least 1")
        for name in ("plan_statuses", "phase_statuses", "risk_levels", "risk_statuses"):
            if not self.config[name]:
                raise PluginError(f"specplan: {name} must list at least one value")
        self._check_paths(config)
        self.settings = make_settings(self.config)
        self.today = self._build_date()
        self.syntax = IdSyntax(tuple(self.config.requirement_prefixes), tuple(self.config.story_labels))
        self.siblings = Siblings(**self.config.siblings)
        extensions: list[Any] = config.markdown_extensions
        if self.extension not in extensions:
            extensions.append(self.extension)
        # a page's annotation is done again from the last build's only on the tree the same
        # Markdown settings give: another extension, or other options, make every page anew
        markdown_settings = repr(([e if isinstance(e, str) else type(e).__qualname__ for e in extensions], config.mdx_configs))
        if markdown_settings != self._markdown_settings:
            for kept in (self.extension.escaped, self.extension.replays):
                if kept is not None:
                    kept.clear()
        self._markdown_settings = markdown_settings
        self._make_renderer()
        self._record = DirtyRecord(config.site_dir)
        if self.config.css and CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        self.dashboard_uri = self._path_option("dashboard", "plans/index.md", ".md")
        self.json_uri = self._path_option("json", "plans/plans.json", ".json")
        if self.config.stale_days < 0:
            raise PluginError("specplan: stale_days must be 0 or more")
        if self.config.at_risk_days < 0:
            raise PluginError("specplan: at_risk_days must be 0 or more")
        if self.dashboard_uri and config.nav is not None and self.dashboard_uri not in repr(config.nav):
            config.nav.append({self.config.dashboard_title: self.dashboard_uri})
        return config

    def _make_renderer(self) -> None:
        """The renderer, kept across serve rebuilds while its templates and settings stay the same
        (a change renders every page again)."""
        key = (
            self.settings,
            self.config.template,
            self.config.templates_dir,
            _mtimes(self.config.template, self.config.templates_dir),
        )
        if self.renderer is not None and key == self._renderer_key:
            return
        try:
            self.renderer = Renderer(self.settings, self.config.template, self.config.templates_dir)
        except TemplateProblem as exc:
            raise PluginError(f"specplan: {exc}") from None
        self._renderer_key = key
        for store in (self._renders, self._views, self._notes):  # made with the renderer replaced
            store.clear()

    def _check_paths(self, config: MkDocsConfig) -> None:
        """Nothing outside docs_dir, specs_dir and the configured constitution is read or published."""
        for name in ("max_file_size", "max_document_size"):
            if self.config[name] < 1:
                raise PluginError(f"specplan: {name} must be a number of bytes, at least 1")
        specs = self.config.specs_dir
        if specs:
            root = os.path.realpath(specs)
            docs = os.path.realpath(config.docs_dir)
            inside = {
                "docs_dir": docs,
                "site_dir": os.path.realpath(config.site_dir),
                "the configuration file": os.path.realpath(config.config_file_path or "mkdocs.yml"),
            }
            for what, path in inside.items():
                if path == root or path.startswith(root + os.sep):
                    raise PluginError(f"specplan: specs_dir {specs!r} contains {what}; point it at the folder of the specs only")
            if root.startswith(docs + os.sep):
                raise PluginError(
                    f"specplan: specs_dir {specs!r} lies inside docs_dir, which is published already; leave specs_dir out"
                )
        url = self.config.specs_url.strip().strip("/")
        if ".." in url.split("/") or ":" in url or "\\" in url or url.startswith("."):
            raise PluginError(f"specplan: specs_url {self.config.specs_url!r} must be a path inside the site, such as specs")
        constitution = self.config.constitution
        if constitution and not constitution.lower().endswith((".md", ".markdown")):
            shown = _posix(
                os.path.relpath(constitution, os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
            )
            raise PluginError(f"specplan: constitution {shown!r} must be a Markdown file (.md)")

    def _path_option(self, name: str, default: str, suffix: str) -> str | None:
        try:
            return site_path(self.config[name], default, suffix)
        except ValueError as exc:
            raise PluginError(f"specplan: {name}: {exc}") from None

    def _build_date(self) -> dt.date:
        try:
            return build_date(self.config.build_date)  # type: ignore[arg-type]  # str or date, as validated
        except ValueError as exc:
            raise PluginError(f"specplan: {exc}") from None

    # -- files ---------------------------------------------------------------------------------
    def _add_specs_dir(self, files: Files, config: MkDocsConfig) -> None:
        root: str = self.config.specs_dir or ""
        real_root = os.path.realpath(root)
        prefix = self.config.specs_url.strip().strip("/")
        for uri in published_copies(config.docs_dir, self.config.specs_url):  # specplan build's copies: ours
            copy = files.get_file_from_path(uri)
            if copy is not None:
                files.remove(copy)
        for folder, dirnames, filenames in os.walk(root):  # symlinked folders are not followed
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                abs_path = os.path.join(folder, name)
                display = _posix(os.path.relpath(abs_path, config.docs_dir))
                refusal = _unpublishable(abs_path, real_root)
                if refusal:
                    self._problem(display, refusal)
                    continue
                rel = _posix(os.path.relpath(abs_path, root))
                src_uri = posixpath.join(prefix, rel) if prefix else rel
                if files.get_file_from_path(src_uri) is not None:
                    self._problem(
                        display, f"not published, because docs_dir already has {src_uri}; rename one of them or change specs_url"
                    )
                    continue
                content = self._decoded(abs_path, display) if name.endswith((".md", ".markdown")) else None
                if content is not None:
                    file = File.generated(config, src_uri, content=content)
                    file.abs_src_path = abs_path  # where it comes from, for other plugins and serve
                else:
                    file = File.generated(config, src_uri, abs_src_path=abs_path)
                file.edit_uri = display
                files.append(file)

    def _decoded(self, abs_path: str, display: str) -> str | None:
        """The text of a Markdown file that is not UTF-8, decoded as well as can be (with a warning).

        None when the file is UTF-8 (MkDocs reads it as usual) or cannot be read.
        """
        try:
            with open(abs_path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        text, guess = decode_text(data)
        if guess is None:
            return None
        self._problem(display, f"is not UTF-8; it was read as {guess}. Save it as UTF-8")
        return text

    def _display_path(self, file: File, config: MkDocsConfig) -> str:
        if file.abs_src_path:
            return _posix(os.path.relpath(file.abs_src_path, config.docs_dir))
        return file.src_uri

    def _load(self, source: PlanSource) -> PlanPage:
        """A fresh page for this build; the parsed plan and schedule are reused while the text is unchanged."""
        key = (source.src_uri, source.text, source.error, self.settings)  # a changed option gives a new verdict
        page = self._cache.get(key)
        if page is None:
            page = load_page(source, self.settings, schedule=False)
            if self._serving:  # kept for the next rebuild; a one-off build keeps nothing it does not need
                self._cache[key] = page
        return PlanPage(source, page.plan, list(page.problems))  # this build's source: where it is on disk

    def _parsed(self, kind: str, text: str, reader: Callable[[str], Any]) -> Any:
        """A spec, tasks or checklist file read once while its text is unchanged."""
        if not self._serving:
            return reader(text)
        key = (kind, text, self.syntax)
        self._live_docs.add(key)
        if key not in self._docs_cache:
            self._docs_cache[key] = reader(text)
        return self._docs_cache[key]

    def _problem(self, path: str, message: str, level: str = "warning") -> None:
        """A problem of the site (not of one plan): logged once, and kept for ``specplan validate``."""
        problem = Problem(path, None, None, "", message, level)
        if problem in self.site_problems:
            return
        self.site_problems.append(problem)
        (log.warning if level == "warning" else log.info)(str(problem))

    def collect(self, files: Files, config: MkDocsConfig) -> LoadedSite:
        """Load, validate, schedule and link every plan and feature of the site (no rendering)."""
        if not self._early:  # not reserved by the early hook (a caller that runs on_files itself)
            self._publish_specs_dir(files, config)
        self._early = False
        sources = self._plan_sources(files, config)
        self._live_docs = set()  # the documents read in this build (the constitution's too) stay cached
        self.constitution = self._find_constitution(files, config)
        site = SiteFiles({f.src_uri for f in files}, lambda uri: self._read(files, uri, config))
        display: dict[str, str] = {}
        for f in reversed(list(files)):  # a file on disk says where its folder is (the last one, if they differ)
            folder = f.src_uri.rpartition("/")[0]
            if folder and f.abs_src_path and folder not in display:
                display[folder] = self._display_path(f, config).rsplit("/", 1)[0]
        options = SiteOptions(
            self.settings,
            self.siblings,
            self.syntax,
            self.config.missing_links == "warn",
            self.today,
            baseline=self.config.baseline.strip() or "approved",
            history=self.config.history,
        )
        loaded = load_site(
            site,
            sources,
            self.constitution,
            options,
            display=lambda folder: display.get(folder, folder),
            load=self._load,
            cache=self._parsed,
            history_cache=self._history_cache,
            schedule_cache=self._schedule_cache if self._serving else None,
            link_cache=self._link_cache if self._serving else None,
        )
        self._docs_cache = {k: v for k, v in self._docs_cache.items() if k in self._live_docs}
        for problem in loaded.problems:
            self._problem(problem.path, problem.message, problem.level)
        self.pages = loaded.pages
        self.features = {p.source.page_uri: loaded.features[p.source.folder] for p in self.pages}
        self._plan_by_uri = {p.source.page_uri: p for p in self.pages}
        self.all_features = sorted(loaded.features.values(), key=lambda f: (natural_key(f.id or ""), f.folder))
        self._by_page = {}
        for feature in self.all_features:
            for uri in (feature.spec_uri, feature.tasks_uri, feature.plan_uri if feature.plan_kind == "markdown" else None):
                if uri:
                    self._by_page[uri] = feature
        return loaded

    def _publish_specs_dir(self, files: Files, config: MkDocsConfig) -> None:
        self.site_problems = []
        if self.config.specs_dir:
            self._add_specs_dir(files, config)

    @event_priority(90)  # early: other plugins (mkdocs-redirects, i18n, ...) see specs_dir and the generated pages
    def _on_files_reserve(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Publish specs_dir, and reserve the plan pages and the dashboard as (still empty) pages."""
        self._reserved = {}
        if not self.config.enabled:
            return None
        self._publish_specs_dir(files, config)
        self._early = True
        patterns = [glob_to_regex(p.lstrip("/")) for p in self.config.sources]
        plans = [f for f in files if any(p.match(f.src_uri) for p in patterns) and self._published(f)]
        uris = [posixpath.join(posixpath.dirname(f.src_uri), "plan.md") for f in plans]
        if self.dashboard_uri:
            uris.append(self.dashboard_uri)
        for uri in uris:
            if self._existing(files, uri) is None:
                inclusion = self._inclusion.get(uri, InclusionLevel.UNDEFINED)
                self._reserved[uri] = GeneratedFile.generated(config, uri, content="", inclusion=inclusion)
                files.append(self._reserved[uri])
        return files

    def _page_file(self, files: Files, config: MkDocsConfig, uri: str, content: str | bytes) -> File:
        """The generated page at ``uri``: the one reserved early, else a new one."""
        # held as UTF-8: text with one "→" is stored at 2 bytes a character
        data = content.encode("utf-8") if isinstance(content, str) else content
        file = self._reserved.pop(uri, None)
        if file is None:
            file = GeneratedFile.generated(
                config, uri, content=data, inclusion=self._inclusion.get(uri, InclusionLevel.UNDEFINED)
            )
            files.append(file)
        else:
            file.content_bytes = data
        self._track(file, uri, data)
        return file

    def _track(self, file: File, uri: str, data: bytes) -> None:
        """Keep what a generated file holds, and tell it what the last build gave it (--dirty)."""
        kept = self._digested.last(uri)  # a serve rebuild hands back the very bytes of an unchanged page
        digest = kept[1] if kept is not None and kept[0] is data else _digest(data)
        self._digests[uri] = digest
        if self._serving:
            self._digested.keep(uri, (data, digest))
        if isinstance(file, GeneratedFile):
            file.digest = digest
            file.before = self._previous.get(uri, self._recorded.get(uri))
        if uri != self.json_uri:
            self._generated[uri] = data

    def _existing(self, files: Files, uri: str) -> File | None:
        """A file at ``uri`` that is not a page this plugin reserved, nor one it wrote before: a stub
        (``specplan build``, for Zensical), the JSON export or the stylesheet. Those are taken out."""
        file = files.get_file_from_path(uri)
        if file is None or self._reserved.get(uri) is file:
            return None
        if _ours(file):
            files.remove(file)
            return None
        return file

    @event_priority(-50)  # late: plan files generated by other plugins are seen
    def _on_files_generate(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        with no_cycle_collection():
            return self._generate(files, config)

    def _generate(self, files: Files, config: MkDocsConfig) -> Files | None:
        started = time.perf_counter()
        self._previous, self._digests, self._generated = self._digests, {}, {}
        for store in (self._renders, self._views, self._notes, self._digested, self._entries):
            store.turn()
        for kept in (self.extension.escaped, self.extension.replays):
            if kept is not None:
                kept.turn()
        record = self._record.take() if self._record else {}  # taken always: it describes only the next build
        self._recorded = record if self._dirty and not self._previous else {}
        self._prepared = None
        self.loaded = self.collect(files, config)
        if self.validate_only:  # specplan validate: everything is loaded and checked; nothing is rendered
            return files
        if not self._serving:
            _release_sources(self.pages)
        by_key = {p.source.src_uri: p for p in self.pages}
        self.rendered = self.dashboard_rendered = 0
        for page in self.pages:
            generated = self._page_file(files, config, page.source.page_uri, self._render(page, by_key))
            generated.edit_uri = page.source.edit_uri
            # its source is the plan: git-revision-date, rss and i18n read dates and paths from here
            generated.abs_src_path = page.source.abs_path or os.path.join(config.docs_dir, page.source.page_uri)
            generated.generated_by = None  # a page of a source file (dated by it), not a virtual one
            for problem in page.problems:
                (log.warning if problem.level == "warning" else log.info)(str(problem))
        self._add_dashboard(files, config)
        for unused in self._reserved.values():  # reserved early, but not generated after all
            files.remove(unused)
        self._reserved = {}
        if self.config.css:
            self._existing(files, CSS_URI)  # the copy specplan build wrote for other builders
            files.append(File.generated(config, CSS_URI, abs_src_path=str(CSS_PATH)))
        with_problems = sum(1 for p in self.pages if p.warnings)
        unchanged = len(self.pages) - self.rendered
        log.info(
            f"rendered {len(self.pages)} plan{'s' if len(self.pages) != 1 else ''}"
            + (f" ({unchanged} unchanged since the last build)" if unchanged else "")
            + f" of {len(self.all_features)} feature{'s' if len(self.all_features) != 1 else ''}"
            + (f", {with_problems} with problems" if with_problems else "")
            + f" in {time.perf_counter() - started:.2f} s"
        )
        return files

    def _render(self, page: PlanPage, by_key: dict[str, PlanPage]) -> bytes:
        """The plan page's content (UTF-8); the last build's when nothing it is made from changed."""
        options = PageOptions(self.config.timeline, self.config.show_missing_sections)
        inputs = page_inputs(page, by_key, self.today, options)
        uri = page.source.page_uri
        kept = self._renders.last(uri)
        if self._serving and kept is not None and kept.key == inputs:
            page.problems = list(kept.problems)
        else:
            self.rendered += 1
            markdown, added = render_inputs(inputs, self._renderer())
            page.problems += added
            kept = Rendered(
                inputs if self._serving else None, (front_matter(page.plan) + markdown).encode("utf-8"), tuple(page.problems)
            )
        if self._serving:
            self._renders.keep(uri, kept)
        return kept.content

    @event_priority(-110)  # after plugins that rebuild the files from disk (mkdocs-static-i18n, at -100)
    def _on_files_restore(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """A generated page that another plugin re-created as a file on disk (which does not exist)
        gets its content back, so the build never fails reading it."""
        if not self.config.enabled or not self._generated:
            return None
        for file in files:
            content = self._generated.get(file.src_uri)
            if content is not None and file.abs_src_path and not os.path.exists(file.abs_src_path):
                source = file.abs_src_path
                file.content_bytes = content
                file.abs_src_path = source
        self._generated = {}  # the files hold the pages now (and let go of them once MkDocs has read them)
        return files

    on_files = CombinedEvent(_on_files_reserve, _on_files_generate, _on_files_restore)

    def _plan_sources(self, files: Files, config: MkDocsConfig) -> list[PlanSource]:
        """Every plan.yaml (the YAML sources are taken out of the site)."""
        patterns = [glob_to_regex(p.lstrip("/")) for p in self.config.sources]
        found = [f for f in files if any(p.match(f.src_uri) for p in patterns)]
        sources = []
        live_keys = set()
        for file in sorted(found, key=lambda f: f.src_uri):
            files.remove(file)  # the YAML source is never copied into the site
            if not self._published(file):
                continue  # exclude_docs (or draft_docs outside mkdocs serve): no page, not on the dashboard
            display = self._display_path(file, config)
            text, error = self._plan_text(file)
            source = PlanSource(file.src_uri, text, display, error, file.abs_src_path, file.edit_uri)
            existing = self._existing(files, source.page_uri)
            if existing is not None:
                self._problem(
                    display,
                    f"a hand-written {self._display_path(existing, config)} is beside it; "
                    "the plan is not rendered and the hand-written page is kept. Rename or delete one of the two files",
                )
                continue
            archived = files.get_file_from_path(posixpath.join(source.folder, ARCHIVE_NAME))
            if archived is not None:
                files.remove(archived)  # the plan.md that specplan import replaced: kept, not published
            live_keys.add((source.src_uri, source.text, source.error, self.settings))
            sources.append(source)
        # forget sources that were edited or removed
        self._cache = {k: v for k, v in self._cache.items() if k in live_keys}
        return sources

    def _published(self, file: File) -> bool:
        """Whether a plan.yaml gets a page: exclude_docs and draft_docs apply to it as to any page."""
        level = file.inclusion
        self._inclusion[posixpath.join(posixpath.dirname(file.src_uri), "plan.md")] = level
        return level != InclusionLevel.EXCLUDED and (level != InclusionLevel.DRAFT or self._serving)

    def _plan_text(self, file: File) -> tuple[str, str | None]:
        """A plan's text, or why it cannot be read: too large, not UTF-8 text, unreadable."""
        limit = self.config.max_file_size
        size = _size_of(file)
        if size is not None and size > limit:
            return "", f"is {_megabytes(size)}, more than max_file_size ({_megabytes(limit)}); it is not read"
        try:
            text = file.content_string
        except UnicodeDecodeError:
            return "", "is not UTF-8 text (is it a binary file?); save it as UTF-8 YAML"
        except OSError as exc:
            return "", f"cannot be read ({exc.strerror or type(exc).__name__})"
        if len(text) > limit:
            return "", f"is more than max_file_size ({_megabytes(limit)}); it is not read"
        return text, None

    def _add_dashboard(self, files: Files, config: MkDocsConfig) -> None:
        """The dashboard page and the JSON export, from the plans loaded in this build."""
        if not self.dashboard_uri and not self.json_uri:
            return
        dashboard_file = None
        if self.dashboard_uri:
            existing = self._existing(files, self.dashboard_uri)
            if existing is not None:
                self._problem(
                    self._display_path(existing, config),
                    "a page is already at the dashboard's path; it is kept and the dashboard is not generated. "
                    "Move it, or set the dashboard option to another path",
                )
            else:
                dashboard_file = self._reserved.get(self.dashboard_uri) or GeneratedFile.generated(
                    config, self.dashboard_uri, content=""
                )
                dashboard_file.edit_uri = None  # generated: there is no source to edit
        anchor_file = dashboard_file or File.generated(config, self.dashboard_uri or "plans/index.md", content="")
        portfolio = self._portfolio(files, anchor_file)
        if self.json_uri:
            self._add_json(files, config, portfolio)
        if dashboard_file is not None:
            self._write_dashboard(files, config, portfolio, dashboard_file)

    def _add_json(self, files: Files, config: MkDocsConfig, portfolio: Portfolio) -> None:
        assert self.json_uri is not None
        if self._existing(files, self.json_uri) is not None:
            self._problem(self.json_uri, "a file is already at the JSON export's path; it is kept and the export is not written")
            return
        data = export_json(portfolio, self.config.json_indent, reuse=self._entries if self._serving else None).encode("utf-8")
        # written to a file now, so the build does not hold megabytes of JSON until it copies them
        if self._export_dir is None or not os.path.isdir(self._export_dir):
            self._export_dir = tempfile.mkdtemp(prefix="mkdocs-specplan-")
            weakref.finalize(self, shutil.rmtree, self._export_dir, True)
        path = os.path.join(self._export_dir, "plans.json")
        with open(path, "wb") as handle:
            handle.write(data)
        export = GeneratedFile.generated(config, self.json_uri, abs_src_path=path)
        self._track(export, self.json_uri, data)
        files.append(export)

    def _write_dashboard(self, files: Files, config: MkDocsConfig, portfolio: Portfolio, dashboard_file: File) -> None:
        """The dashboard's page, and on a grouped dashboard the pages it links to."""
        folder = posixpath.dirname(dashboard_file.src_uri) or "."
        exported = self.json_uri and files.get_file_from_path(self.json_uri)
        json_href = posixpath.relpath(self.json_uri, folder) if self.json_uri and exported else None
        pages = dashboard_pages(
            portfolio,
            self.config.dashboard_title,
            json_href,
            self.config.dashboard_group_above,
            (lambda name: name.removesuffix(".md") + "/") if config.use_directory_urls else (lambda name: name[:-3] + ".html"),
        )
        if self._reserved.pop(dashboard_file.src_uri, None) is None:
            files.append(dashboard_file)
        data = (front_matter(None) + self._dashboard_markdown(pages[0][1])).encode("utf-8")
        dashboard_file.content_bytes = data
        self._track(dashboard_file, dashboard_file.src_uri, data)
        for name, subview in pages[1:]:  # the pages a grouped dashboard links to
            uri = posixpath.join(folder, name) if folder != "." else name
            if self._existing(files, uri) is None:
                page = self._page_file(files, config, uri, front_matter(None) + self._dashboard_markdown(subview))
                page.inclusion = InclusionLevel.NOT_IN_NAV
        # a real file, for plugins that date pages by their source (git-revision-date, rss): the
        # dashboard changes when a plan does, so it is dated by the plan changed last
        dashboard_file.abs_src_path = self._newest_plan() or config.config_file_path
        dashboard_file.generated_by = None

    def _newest_plan(self) -> str | None:
        paths = [p.source.abs_path for p in self.pages if p.source.abs_path and os.path.isfile(p.source.abs_path)]
        return max(paths, key=os.path.getmtime, default=None)

    def _portfolio(self, files: Files, anchor_file: File) -> Portfolio:
        """Every plan and feature, with the links the dashboard makes to them."""

        def url_of(uri: str | None) -> str | None:
            found = files.src_uris.get(uri) if uri else None  # a site path already: no normalising
            return found.url if found is not None else None

        loaded = self.loaded
        return build_portfolio(
            self.pages,
            self.all_features,
            (anchor_file.src_uri, anchor_file.url),
            url_of,
            self.settings,
            self.today,
            stale_days=self.config.stale_days,
            edges=loaded.edges if loaded else [],
            critical_plans=loaded.critical_plans if loaded else set(),
        )

    def _read(self, files: Files, uri: str, config: MkDocsConfig | None = None) -> str | None:
        """The text of a site file; one that is not UTF-8 is decoded (with a warning) for the page too;
        one larger than max_document_size is not read (a warning)."""
        file = files.src_uris.get(uri)  # a site path already: no normalising
        if file is None:
            return None
        size = _size_of(file)
        limit = self.config.max_document_size
        if size is not None and size > limit:
            display = self._display_path(file, config) if config is not None else uri
            self._problem(display, f"is {_megabytes(size)}, more than max_document_size ({_megabytes(limit)}); it is not read")
            return None
        try:
            return file.content_string
        except OSError:
            return None
        except UnicodeDecodeError:
            if not file.abs_src_path:
                return None
            display = self._display_path(file, config) if config is not None else uri
            text = self._decoded(file.abs_src_path, display)
            if text is not None:
                file.content_string = text  # MkDocs renders the decoded text instead of failing
            return text

    def _find_constitution(self, files: Files, config: MkDocsConfig) -> Constitution | None:
        """The configured constitution (always), else a ``constitution.md`` found in the site."""
        path = self.config.constitution
        uri: str | None
        if path:
            rel = _posix(os.path.relpath(path, config.docs_dir))
            if rel.startswith("../") or rel == "..":
                # outside docs_dir (spec-kit's .specify/memory/constitution.md): published as constitution.md
                uri = "constitution.md"
                existing = files.get_file_from_path(uri)
                if existing is not None:
                    self._problem(
                        self._display_path(existing, config),
                        f"is replaced by the configured constitution {rel}, which is published under the same name; rename one of them",
                    )
                    files.remove(existing)
                file = File.generated(config, uri, abs_src_path=path)
                file.edit_uri = rel
                files.append(file)
            else:
                uri = rel
        else:
            candidates = constitution_candidates(f.src_uri for f in files)
            uri = candidates[0] if candidates else None
            if len(candidates) > 1:
                self._problem(
                    str(uri), "several constitutions found, this one is used; set the constitution option to choose", "info"
                )
        if uri is None:
            return None
        text = self._read(files, uri, config)
        if text is None:
            return None
        principles = self._parsed("constitution", text, read_constitution)
        return Constitution(uri, principles)

    # -- navigation ----------------------------------------------------------------------------
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if not self.config.enabled:
            return None
        if config.nav is None:  # an explicit nav is never reordered
            arrange(nav, self.all_features, self.dashboard_uri, short_titles=self.config.nav_titles == "short")
        if not self._serving:
            self._prepare_pages(files, config)
        return nav

    def _prepare_pages(self, files: Files, config: MkDocsConfig) -> None:
        """A one-off build: every page's annotations are worked out now (the files are final), and the
        plans and features are let go, so the pages MkDocs renders next reuse their memory."""
        prepared: dict[str, PageAnnotations | Exception] = {}
        with no_cycle_collection():  # what it makes is kept or freed by reference counting
            for file in files:
                if file.is_documentation_page():
                    try:
                        notes = self._annotations(file, files, config)
                    except Exception as exc:  # reported when the page is rendered, as it would be then
                        prepared[file.src_uri] = exc
                    else:
                        if notes is not None:
                            prepared[file.src_uri] = notes
        self._prepared = prepared
        self.loaded = None
        self.pages, self.all_features, self.features = [], [], {}
        self._by_page, self._plan_by_uri, self._cache, self._docs_cache = {}, {}, {}, {}
        # One full collection now that the site is let go. The collector runs a full collection only
        # once a quarter more objects have survived than the last one left; had that last one run
        # while the plans were loaded, the pages rendered next (each leaves a Markdown instance and
        # its element tree to the collector) would pile up for much longer than without the plugin.
        gc.collect()

    # -- pages ---------------------------------------------------------------------------------
    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        if isinstance(page.file, GeneratedFile) and not self._serving:
            page.file.release()  # the page holds its Markdown now
        try:
            if self._prepared is None:  # serve: worked out now, from the plans it keeps
                self.extension.current = self._annotations(page.file, files, config)
            else:
                prepared = self._prepared.pop(page.file.src_uri, None)
                if isinstance(prepared, Exception):
                    raise prepared
                self.extension.current = prepared
        except Exception as exc:
            self.extension.current = None
            self._problem(self._display_path(page.file, config), internal_problem("", "preparing the page", exc).message)
        return None

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        self.extension.current = None
        for error in self.extension.errors:
            self._problem(
                self._display_path(page.file, config), f"internal error while annotating the page ({error}); please report it"
            )
        self.extension.errors = []
        return None

    def _annotations(self, file: File, files: Files, config: MkDocsConfig) -> PageAnnotations | None:
        """What the Markdown extension does to this page while MkDocs renders it."""
        uri = file.src_uri
        notes = PageAnnotations(mention_syntax=self.syntax)
        active = False
        if self.constitution is not None and uri == self.constitution.src_uri:
            notes.principles = active = True
        plan_page = self._plan_by_uri.get(uri)
        if plan_page is not None:
            notes.mentions = dict(plan_page.feature.mention_targets) if plan_page.feature is not None else {}
            notes.safe_links = active = True  # the page is made of plan text: no live markup
        if uri == self.dashboard_uri:
            notes.safe_links = active = True
        feature = self._by_page.get(uri)
        if feature is not None:
            active = True
            # a feature is settled once the site is linked; a serve rebuild reuses one whose inputs
            # are unchanged, and these with it
            if uri == feature.spec_uri:
                notes.definitions = self.syntax
                notes.traces = memo(feature, ("traces", uri), lambda: traces_for(feature, uri))
            else:
                notes.tasks = uri == feature.tasks_uri
                notes.mentions = memo(feature, ("mentions", uri), lambda: mention_targets(feature, uri))
            if self.config.backlink and uri != feature.tasks_uri:
                notes.note_html = self._feature_note(feature, file, files)
        rewrite = self._link_rewriter(file, config)
        if rewrite is not None:
            notes.rewrite_link = rewrite
            active = True
        return notes if active else None

    def _feature_note(self, feature: Feature, file: File, files: Files) -> str:
        """The note under the title of a spec or a hand-written plan: stage, plan, tasks, problems."""
        assert self.renderer is not None
        plan_page = feature.plan_page
        # the same feature (a serve rebuild reuses one whose inputs are unchanged) and plan, with as
        # many problems, at the same URL, with the same templates: the note it had
        plan, problems = (plan_page.plan, len(plan_page.warnings)) if plan_page is not None else (None, 0)
        inputs = Inputs((self.renderer, plan), (problems, file.url))
        notes: dict[str, tuple[Inputs, str]] = memo(feature, "notes", dict)  # by page
        kept = notes.get(file.src_uri)
        if kept is not None and kept[0].matches(inputs):
            return kept[1]

        def href(uri: str | None) -> str | None:
            target = files.src_uris.get(uri) if uri else None
            return target.url_relative_to(file) if target is not None and target is not file else None

        covered, _uncovered = feature.coverage()
        tasks = feature.tasks
        note = FeatureNote(
            feature_id=feature.id,
            stage=feature.stage,
            plan_href=href(feature.plan_uri) if feature.plan_uri != file.src_uri else None,
            plan_label=plan_page.title if plan_page is not None else "Plan" if feature.plan_kind else None,
            plan_status=plan_page.plan.status if plan_page is not None and plan_page.plan is not None else None,
            tasks_done=tasks.done if tasks else 0,
            tasks_total=tasks.total if tasks else 0,
            tasks_href=href(feature.tasks_uri),
            requirements_covered=covered,
            requirements_total=len(feature.requirements) if feature.plan_kind or feature.tasks else 0,
            problems=problems,
        )
        html = self._notes.last(note)
        if html is None:
            html = self.renderer.render_html("feature-note.html.j2", note=note)
        self._notes.keep(note, html)
        notes[file.src_uri] = (inputs, html)
        return html

    def _link_rewriter(self, file: File, config: MkDocsConfig) -> Callable[[str], str | None] | None:
        """For a page from ``specs_dir``: relative links to the constitution's source or into docs_dir,
        pointed at the published pages."""
        if not self.config.specs_dir or not file.abs_src_path:
            return None
        specs_root = os.path.abspath(self.config.specs_dir)
        source = os.path.abspath(file.abs_src_path)
        if not source.startswith(specs_root + os.sep):
            return None
        docs_root = os.path.abspath(config.docs_dir)
        constitution = os.path.abspath(self.config.constitution) if self.config.constitution else None
        constitution_uri = self.constitution.src_uri if self.constitution is not None else None
        page_dir = os.path.dirname(source)
        page_uri = file.src_uri

        def rewrite(href: str) -> str | None:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path or href.startswith("/"):
                return None
            target = os.path.normpath(os.path.join(page_dir, unquote(parts.path)))
            if target.startswith(specs_root + os.sep):
                return None
            if constitution is not None and constitution_uri is not None and target == constitution:
                target_uri = constitution_uri
            elif target.startswith(docs_root + os.sep):
                target_uri = _posix(os.path.relpath(target, docs_root))
            else:
                return None
            new = quote(relative(target_uri, page_uri)) or "."
            return new + (f"#{parts.fragment}" if parts.fragment else "")

        return rewrite

    def _dashboard_markdown(self, view: Any) -> str:
        """A dashboard page's Markdown; the last build's when its view is the same (serve)."""
        keep = self._serving
        kept = self._views.last(view.title) if keep else None
        if kept is not None and kept[0] == view:
            self._views.keep(view.title, kept)
            return kept[1]
        self.dashboard_rendered += 1
        try:
            markdown = self._renderer().render_markdown("dashboard.md.j2", dashboard=view)
        except TemplateProblem as exc:
            self._problem(self.dashboard_uri or "dashboard", str(exc))
            return f"# {view.title}\n\nThe dashboard could not be rendered: {escape_html(str(exc))}\n"
        if keep:
            self._views.keep(view.title, (view, markdown))
        return markdown

    def _renderer(self) -> Renderer:
        assert self.renderer is not None
        return self.renderer

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled and self._record is not None and not self._serving and not self.validate_only:
            self._record.write(self._digests)

    # -- serve ---------------------------------------------------------------------------------
    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.config.enabled:
            if self.config.specs_dir:
                server.watch(self.config.specs_dir)
            if self.config.template:
                server.watch(self.config.template)
        return server
