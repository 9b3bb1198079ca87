"""The MkDocs plugin: MkDocs' events, each handed to the site pipeline. Nothing here decides what a
page says; the pipeline (:mod:`mkdocs_specplan.pipeline`) does, for every builder alike."""

from __future__ import annotations

import gc
import os
import posixpath
import shutil
import tempfile
import weakref
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from ...config import SpecPlanConfig, site_config
from ...core.model import Problem
from ...markdown.annotate import PageAnnotations, SpecPlanExtension
from ...pipeline.options import CSS_URI, OptionError, SiteConfig
from ...pipeline.pipeline import Output, Pipeline, SiteBuild
from ...pipeline.sources import (
    Sources,
    configured_constitution,
    plan_files,
    read_manifest,
    specs_dir_files,
    written_by_build,
)
from ...project.records import internal_problem
from ...support.incremental import LastBuild, no_cycle_collection
from ...views.renderer import TemplateProblem
from .files import DirtyRecord, GeneratedFile, Tracker, Urls, display_path, file_of, output_source, source_of
from .navigation import arrange

log = get_plugin_logger("specplan")


class SpecPlanPlugin(BasePlugin[SpecPlanConfig]):
    """Render every plan.yaml as a plan page."""

    def __init__(self) -> None:
        self.site_config: SiteConfig | None = None
        self.pipeline: Pipeline | None = None
        self.site: SiteBuild | None = None  # what this build made of the site
        self.extension = SpecPlanExtension()
        self.site_problems: list[Problem] = []
        self.tracker = Tracker()
        self._serving = False  # mkdocs serve: draft plans are shown, and rebuilds take from the last build
        self._dirty = False  # --dirty: unchanged pages are not rebuilt
        self._reserved: dict[str, File] = {}  # pages reserved early, not generated yet
        self._levels: dict[str, InclusionLevel] = {}  # each plan page's inclusion: its plan.yaml's
        self._prepared: dict[str, PageAnnotations | Exception] | None = None  # a one-off build's annotations
        self._generated: dict[str, bytes] = {}  # each generated page's content, until MkDocs has the files
        self._export_dir: str | None = None  # where the JSON export waits to be copied into the site
        self._markdown_settings = ""  # the Markdown extensions and their options, as the last build had them

    # Having on_startup keeps one plugin instance across `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"
        self._dirty = dirty
        self.pipeline = None
        self.extension.escaped = LastBuild() if self._serving else None
        self.extension.replays = LastBuild() if self._serving else None

    def on_shutdown(self) -> None:
        self._serving = self._dirty = False
        self.extension.escaped = self.extension.replays = None
        self.tracker.clear()
        self.pipeline = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        try:
            site = site_config(
                self.config,
                docs_dir=config.docs_dir,
                site_dir=config.site_dir,
                config_file=config.config_file_path or "mkdocs.yml",
                use_directory_urls=config.use_directory_urls,
            )
            if self.pipeline is None:
                self.pipeline = Pipeline(site, keep=self._serving)
            else:
                self.pipeline.configure(site, keep=self._serving)
        except (OptionError, TemplateProblem) as exc:
            raise PluginError(f"specplan: {exc}") from None
        self.site_config = site
        self._register_extension(config)
        self.tracker.record = DirtyRecord(config.site_dir)
        if site.css and CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if site.dashboard_uri and config.nav is not None and site.dashboard_uri not in repr(config.nav):
            config.nav.append({site.dashboard_title: site.dashboard_uri})
        return config

    def _register_extension(self, config: MkDocsConfig) -> None:
        extensions: list[Any] = config.markdown_extensions
        if self.extension not in extensions:
            extensions.append(self.extension)
        # a page's annotation is done again from the last build's only on the tree the same
        # Markdown settings give: another extension, or other options, make every page anew
        settings = repr(([e if isinstance(e, str) else type(e).__qualname__ for e in extensions], config.mdx_configs))
        if settings != self._markdown_settings:
            for kept in (self.extension.escaped, self.extension.replays):
                if kept is not None:
                    kept.clear()
        self._markdown_settings = settings

    # -- files ---------------------------------------------------------------------------------
    @event_priority(90)  # early: other plugins (mkdocs-redirects, i18n, ...) see specs_dir and the generated pages
    def _on_files_reserve(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Publish specs_dir, and reserve the plan pages and the dashboard as (still empty) pages."""
        self._reserved = {}
        if not self.config.enabled or self.site_config is None:
            return None
        self.site_problems = []
        publish(files, config, self.site_config, self._problem)
        self._levels = {}
        sources = Sources(self.site_config, {f.src_uri: source_of(f, config.docs_dir) for f in files}, self._serving)
        uris = []
        for plan in plan_files(sources):
            page_uri = posixpath.join(posixpath.dirname(plan.uri), "plan.md")
            self._levels[page_uri] = files.src_uris[plan.uri].inclusion
            if sources.published(plan):
                uris.append(page_uri)
        if self.site_config.dashboard_uri:
            uris.append(self.site_config.dashboard_uri)
        for uri in uris:
            if files.get_file_from_path(uri) is None:
                inclusion = self._levels.get(uri, InclusionLevel.UNDEFINED)
                self._reserved[uri] = GeneratedFile.generated(config, uri, content="", inclusion=inclusion)
                files.append(self._reserved[uri])
        return files

    @event_priority(-50)  # late: plan files generated by other plugins are seen
    def _on_files_generate(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pipeline is None:
            return None
        with no_cycle_collection():
            self._build(files, config)
        return files

    def _build(self, files: Files, config: MkDocsConfig) -> None:
        assert self.pipeline is not None and self.site_config is not None
        self.tracker.turn(self._dirty)
        for kept in (self.extension.escaped, self.extension.replays):
            if kept is not None:
                kept.turn()
        self._prepared = None
        reserved = {id(f) for f in self._reserved.values()}
        listed = {f.src_uri: source_of(f, config.docs_dir) for f in files if id(f) not in reserved}
        sources = Sources(self.site_config, dict(listed), self._serving)
        self.site = site = self.pipeline.build(sources, Urls(files, config))
        for uri in set(listed) - set(sources.files):  # plan sources, and the plan.md each replaced
            files.remove(files.src_uris[uri])
        for uri, text in sources.decoded.items():  # MkDocs renders the decoded text instead of failing
            files.src_uris[uri].content_string = text
        for problem in site.problems:
            self._problem(problem)
        for page in site.pages:
            for problem in page.problems:
                (log.warning if problem.level == "warning" else log.info)(str(problem))
        self._generated = {}
        for output in site.outputs:
            self._add_output(output, files, config)
        site.outputs = []  # the files hold them now (and let go of a page once MkDocs has read it)
        for unused in self._reserved.values():  # reserved early, but not generated after all
            files.remove(unused)
        self._reserved = {}
        log.info(site.summary)

    def _add_output(self, output: Output, files: Files, config: MkDocsConfig) -> None:
        assert self.site_config is not None
        file: File
        if output.kind == "css":
            file = File.generated(config, output.uri, abs_src_path=str(output.source))
            files.append(file)
            return
        if output.kind == "json":
            file = GeneratedFile.generated(config, output.uri, abs_src_path=self._export(output.data))
            self.tracker.track(file, output.uri, output.data, self._serving)
            files.append(file)
            return
        reserved = self._reserved.pop(output.uri, None)
        file = reserved if reserved is not None else _appended(files, config, output)
        file.content_bytes = output.data
        default = InclusionLevel.NOT_IN_NAV if output.level.value == InclusionLevel.NOT_IN_NAV.value else InclusionLevel.UNDEFINED
        file.inclusion = self._levels.get(output.uri, default)
        file.edit_uri = output.edit_uri
        # its source is the plan (the dashboard's the plan changed last): git-revision-date, rss
        # and i18n read dates and paths from here; a page of a source file, not a virtual one
        file.abs_src_path = output_source(output, self.site_config)
        file.generated_by = None
        self.tracker.track(file, output.uri, output.data, self._serving)
        self._generated[output.uri] = output.data

    def _export(self, data: bytes) -> str:
        """The JSON written to a file now, so the build does not hold megabytes of it until it copies them."""
        if self._export_dir is None or not os.path.isdir(self._export_dir):
            self._export_dir = tempfile.mkdtemp(prefix="mkdocs-specplan-")
            weakref.finalize(self, shutil.rmtree, self._export_dir, True)
        path = os.path.join(self._export_dir, "plans.json")
        with open(path, "wb") as handle:
            handle.write(data)
        return path

    @event_priority(-110)  # after plugins that rebuild the files from disk (mkdocs-static-i18n, at -100)
    def _on_files_restore(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """A generated page that another plugin re-created as a file on disk gets its content back."""
        if not self.config.enabled or not self._generated:
            return None
        for file in files:
            content = self._generated.get(file.src_uri)
            if content is not None and not isinstance(file, GeneratedFile):
                source = file.abs_src_path
                file.content_bytes = content
                file.abs_src_path = source
        self._generated = {}  # the files hold the pages now (and let go of them once MkDocs has read them)
        return files

    on_files = CombinedEvent(_on_files_reserve, _on_files_generate, _on_files_restore)

    def _problem(self, problem: Problem) -> None:
        """A problem of the site (not of one plan): logged once, and kept."""
        if problem in self.site_problems:
            return
        self.site_problems.append(problem)
        (log.warning if problem.level == "warning" else log.info)(str(problem))

    # -- navigation and pages ------------------------------------------------------------------
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        site = self.site
        if not self.config.enabled or site is None:
            return None
        if config.nav is None:  # an explicit nav is never reordered
            arrange(nav, site.features, site.config.dashboard_uri, short_titles=site.config.nav_titles == "short")
        if not self._serving:
            self._prepare_pages(site, files, config)
        return nav

    def _prepare_pages(self, site: SiteBuild, files: Files, config: MkDocsConfig) -> None:
        """A one-off build: every page's annotations are worked out now (the files are final), and the
        plans and features are let go, so the pages MkDocs renders next reuse their memory."""
        prepared: dict[str, PageAnnotations | Exception] = {}
        urls = Urls(files, config)
        with no_cycle_collection():  # what it makes is kept or freed by reference counting
            for file in files:
                if file.is_documentation_page():
                    try:
                        notes = site.annotations(file.src_uri, file.abs_src_path, urls)
                    except Exception as exc:  # reported when the page is rendered, as it would be then
                        prepared[file.src_uri] = exc
                    else:
                        if notes is not None:
                            prepared[file.src_uri] = notes
        self._prepared = prepared
        site.release()
        # One full collection now that the site is let go. The collector runs a full collection only
        # once a quarter more objects have survived than the last one left; had that last one run
        # while the plans were loaded, the pages rendered next (each leaves a Markdown instance and
        # its element tree to the collector) would pile up for much longer than without the plugin.
        gc.collect()

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.site is None:
            return None
        if isinstance(page.file, GeneratedFile) and not self._serving:
            page.file.release()  # the page holds its Markdown now
        try:
            if self._prepared is None:  # serve: worked out now, from the plans it keeps
                self.extension.current = self.site.annotations(page.file.src_uri, page.file.abs_src_path, Urls(files, config))
            else:
                prepared = self._prepared.pop(page.file.src_uri, None)
                if isinstance(prepared, Exception):
                    raise prepared
                self.extension.current = prepared
        except Exception as exc:
            self.extension.current = None
            shown = display_path(page.file, config.docs_dir)
            self._problem(Problem(shown, None, None, "", internal_problem("", "preparing the page", exc).message))
        return None

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        self.extension.current = None
        for error in self.extension.errors:
            message = f"internal error while annotating the page ({error}); please report it"
            self._problem(Problem(display_path(page.file, config.docs_dir), None, None, "", message))
        self.extension.errors = []
        return None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled and self.tracker.record is not None and not self._serving:
            self.tracker.record.write(self.tracker.digests)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        site = self.site_config
        if self.config.enabled and site is not None:
            for path in (site.specs_dir, site.template, site.templates_dir, site.constitution):
                if path:
                    server.watch(path)
        return server


def _appended(files: Files, config: MkDocsConfig, output: Output) -> File:
    file = GeneratedFile.generated(config, output.uri, content=b"")
    files.append(file)
    return file


def publish(files: Files, config: MkDocsConfig, site: SiteConfig, report: Any) -> None:
    """Before anything else reads the site: what ``specplan build`` wrote into docs_dir is taken out
    (the plugin makes it afresh), specs_dir and a configured constitution outside docs_dir are added."""
    manifest = read_manifest(site.docs_dir)
    for uri in manifest:
        file = files.get_file_from_path(uri)
        if file is not None and written_by_build(site.docs_dir, uri, manifest):
            files.remove(file)
    added, problems = specs_dir_files(site, lambda uri: files.get_file_from_path(uri) is not None)
    for problem in problems:
        report(problem)
    for source in added:
        files.append(file_of(source, config))
    decoding: list[Problem] = []
    constitution = configured_constitution(site, decoding)
    for problem in decoding:
        report(problem)
    if constitution is not None:
        existing = files.get_file_from_path(constitution.uri)
        if existing is not None:
            shown = display_path(existing, config.docs_dir)
            message = (
                f"is replaced by the configured constitution {constitution.display}, which is published "
                "under the same name; rename one of them"
            )
            report(Problem(shown, None, None, "", message))
            files.remove(existing)
        files.append(file_of(constitution, config))
