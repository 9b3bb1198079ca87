"""The MkDocs plugin: a thin layer of events over the core."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from .config import SpecPlanConfig
from .dashboard import PlanEntry, Portfolio, export_json, render_dashboard
from .features import Constitution, FeatureInfo, Siblings, SiteFiles, link_feature
from .model import Problem, Settings
from .pages import PlanPage, PlanSource, load_page, render_page, timeline_context
from .render import Renderer, TemplateProblem, badge_html, escape_html
from .trace import anchor_principles, anchor_spec, parse_constitution, parse_spec

log = get_plugin_logger("specplan")

CSS_URI = "assets/specplan/specplan.css"
CSS_PATH = Path(__file__).parent / "assets" / "specplan.css"


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


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _insert_after_title(markdown: str, block: str) -> str:
    """Put a block right after the page's H1 (the first element stays the title), else first."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[: i + 1] + ["", block, ""] + lines[i + 1 :])
        if line.strip() and not line.startswith("<!--"):
            break
    return block + "\n\n" + markdown


def error_page(page: PlanPage, message: str) -> str:
    """The page shown when the template itself fails: the title and what went wrong."""
    return (
        f"# Implementation Plan: {page.title}\n\n"
        '<div class="admonition failure specplan-problems">\n'
        f'<p class="admonition-title">This plan could not be rendered</p>\n<p>{escape_html(message)}</p>\n</div>\n'
    )


class SpecPlanPlugin(BasePlugin[SpecPlanConfig]):
    """Render every plan.yaml as a plan page."""

    def __init__(self) -> None:
        self.pages: list[PlanPage] = []
        self.renderer: Renderer | None = None
        self.settings = Settings()
        self.today = dt.date.today()
        self.dashboard_uri: str | None = None
        self.json_uri: str | None = None
        self._cache: dict[tuple[str, str], PlanPage] = {}
        self.features: dict[str, FeatureInfo] = {}  # by plan page src_uri
        self.constitution: Constitution | None = None
        self._specs: dict[str, tuple[PlanPage, File]] = {}  # spec src_uri -> its plan page and file

    # Having on_startup keeps one plugin instance across `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._cache = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if self.config.sprint_length < 1:
            raise PluginError("specplan: sprint_length must be a whole number of working days, at least 1")
        for name in ("plan_statuses", "phase_statuses", "risk_levels", "risk_statuses"):
            if not self.config[name]:
                raise PluginError(f"specplan: {name} must list at least one value")
        self.settings = Settings(
            plan_statuses=tuple(self.config.plan_statuses),
            phase_statuses=tuple(self.config.phase_statuses),
            risk_levels=tuple(self.config.risk_levels),
            risk_statuses=tuple(self.config.risk_statuses),
            open_risk_statuses=tuple(self.config.open_risk_statuses),
            sprint_days=self.config.sprint_length,
        )
        self.today = self._build_date()
        try:
            self.renderer = Renderer(self.settings, self.config.template)
        except TemplateProblem as exc:
            raise PluginError(f"specplan: {exc}") from None
        if self.config.css and CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        self.dashboard_uri = self._path_option("dashboard", "plans/index.md", ".md")
        self.json_uri = self._path_option("json", "plans/plans.json", ".json")
        if self.config.stale_days < 0:
            raise PluginError("specplan: stale_days must be 0 or more")
        if self.dashboard_uri and config.nav is not None and self.dashboard_uri not in repr(config.nav):
            config.nav.append({self.config.dashboard_title: self.dashboard_uri})
        return config

    def _path_option(self, name: str, default: str, suffix: str) -> str | None:
        value = self.config[name]
        if value is False:
            return None
        path = default if value is True else str(value).strip().lstrip("/")
        if not path.endswith(suffix) or ".." in path.split("/"):
            raise PluginError(f"specplan: {name}: {value!r} must be a path inside the site ending in {suffix}, or false")
        return path

    def _build_date(self) -> dt.date:
        value = self.config.build_date
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise PluginError(f"specplan: build_date: {value!r} is not a date; expected YYYY-MM-DD") from None
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.strip().isdigit():
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
        return dt.date.today()

    # -- files ---------------------------------------------------------------------------------
    def _add_specs_dir(self, files: Files, config: MkDocsConfig) -> None:
        root = self.config.specs_dir
        prefix = self.config.specs_url.strip("/")
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                abs_path = os.path.join(folder, name)
                rel = _posix(os.path.relpath(abs_path, root))
                src_uri = posixpath.join(prefix, rel) if prefix else rel
                if files.get_file_from_path(src_uri) is not None:
                    log.warning(
                        f"{_posix(os.path.relpath(abs_path, config.docs_dir))}: not published, because "
                        f"docs_dir already has {src_uri}; rename one of them or change specs_url"
                    )
                    continue
                file = File.generated(config, src_uri, abs_src_path=abs_path)
                file.edit_uri = _posix(os.path.relpath(abs_path, config.docs_dir))
                files.append(file)

    def _display_path(self, file: File, config: MkDocsConfig) -> str:
        if file.abs_src_path:
            return _posix(os.path.relpath(file.abs_src_path, config.docs_dir))
        return file.src_uri

    def _load(self, source: PlanSource) -> PlanPage:
        """A fresh page for this build; the parsed plan and schedule are reused while the text is unchanged."""
        key = (source.src_uri, source.text)
        page = self._cache.get(key)
        if page is None:
            page = self._cache[key] = load_page(source, self.settings)
        return PlanPage(page.source, page.plan, list(page.problems), page.schedule)

    @event_priority(-50)  # late: plan files generated by other plugins are seen
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        started = time.perf_counter()
        if self.config.specs_dir:
            self._add_specs_dir(files, config)
        patterns = [glob_to_regex(p.lstrip("/")) for p in self.config.sources]
        found = [f for f in files if any(p.match(f.src_uri) for p in patterns)]
        self.pages = []
        live_keys = set()
        for file in sorted(found, key=lambda f: f.src_uri):
            files.remove(file)  # the YAML source is never copied into the site
            display = self._display_path(file, config)
            try:
                text = file.content_string
            except (OSError, UnicodeDecodeError) as exc:
                log.warning(f"{display}: cannot be read: {exc}")
                continue
            source = PlanSource(file.src_uri, text, display)
            existing = files.get_file_from_path(source.page_uri)
            if existing is not None:
                log.warning(
                    f"{display}: a hand-written {self._display_path(existing, config)} is beside it; "
                    "the plan is not rendered and the hand-written page is kept. "
                    "Rename or delete one of the two files"
                )
                continue
            live_keys.add((source.src_uri, source.text))
            page = self._load(source)
            page.context["edit_uri"] = file.edit_uri
            self.pages.append(page)
        # forget sources that were edited or removed
        self._cache = {k: v for k, v in self._cache.items() if k in live_keys}

        self.constitution = self._find_constitution(files, config)
        site = SiteFiles({f.src_uri for f in files}, lambda uri: self._read(files, uri))
        siblings = Siblings(**self.config.siblings)
        self.features = {}
        self._specs = {}
        generated_files: dict[str, File] = {}
        for page in self.pages:
            info = link_feature(
                page,
                site,
                siblings,
                self.constitution,
                warn_missing=self.config.missing_links == "warn",
                prefixes=tuple(self.config.requirement_prefixes),
            )
            self.features[page.source.page_uri] = info
            if self.config.timeline:
                page.context.update(timeline_context(page, self.today, self.settings))
            self._render(page)
            generated = File.generated(config, page.source.page_uri, content=page.markdown)
            generated.edit_uri = page.context.get("edit_uri")
            files.append(generated)
            generated_files[page.source.page_uri] = generated
            if info.spec_uri:
                self._specs[info.spec_uri] = (page, generated)
            for problem in page.problems:
                (log.warning if problem.level == "warning" else log.info)(str(problem))

        self._add_dashboard(files, config, generated_files)
        if self.config.css:
            files.append(File.generated(config, CSS_URI, content=CSS_PATH.read_text(encoding="utf-8")))
        with_problems = sum(1 for p in self.pages if p.warnings)
        log.info(
            f"rendered {len(self.pages)} plan{'s' if len(self.pages) != 1 else ''}"
            + (f", {with_problems} with problems" if with_problems else "")
            + f" in {time.perf_counter() - started:.2f} s"
        )
        return files

    def _add_dashboard(self, files: Files, config: MkDocsConfig, plan_files: dict[str, File]) -> None:
        """The dashboard page and the JSON export, from the plans loaded in this build."""
        if not self.dashboard_uri and not self.json_uri:
            return
        dashboard_file = None
        if self.dashboard_uri:
            existing = files.get_file_from_path(self.dashboard_uri)
            if existing is not None:
                log.warning(
                    f"{self._display_path(existing, config)}: a page is already at the dashboard's path; it is kept "
                    "and the dashboard is not generated. Move it, or set the dashboard option to another path"
                )
            else:
                dashboard_file = File.generated(config, self.dashboard_uri, content="")
        anchor_file = dashboard_file or File.generated(config, self.dashboard_uri or "plans/index.md", content="")
        dashboard_dir = posixpath.dirname(anchor_file.src_uri)

        def url_of(uri: str | None) -> str | None:
            found = files.get_file_from_path(uri) if uri else None
            return found.url if found is not None else None

        entries = []
        for page in self.pages:
            plan_file = plan_files[page.source.page_uri]
            info = self.features.get(page.source.page_uri)
            doc_uris = {}
            if info is not None:
                doc_uris = {
                    "data_model": info.data_model_uri,
                    "research": info.research_uri,
                    "quickstart": info.quickstart_uri,
                    "tasks": info.tasks_uri,
                }
            doc_urls = {k: url_of(uri) for k, uri in doc_uris.items()}
            contract_urls = [url_of(uri) for uri in info.contract_uris] if info is not None else []
            entries.append(
                PlanEntry(
                    page=page,
                    info=info,
                    url=plan_file.url,
                    md_link=posixpath.relpath(page.source.page_uri, dashboard_dir or "."),
                    href=plan_file.url_relative_to(anchor_file),
                    spec_url=url_of(info.spec_uri) if info else None,
                    doc_urls={k: v for k, v in doc_urls.items() if v},
                    contract_urls=[u for u in contract_urls if u],
                )
            )
        portfolio = Portfolio(entries, self.settings, self.today, self.config.stale_days)
        if self.json_uri:
            if files.get_file_from_path(self.json_uri) is not None:
                log.warning(f"{self.json_uri}: a file is already at the JSON export's path; it is kept and the export is not written")
            else:
                files.append(File.generated(config, self.json_uri, content=export_json(portfolio)))
        if dashboard_file is not None:
            json_href = posixpath.relpath(self.json_uri, dashboard_dir or ".") if self.json_uri and files.get_file_from_path(self.json_uri) else None
            dashboard_file.content_string = render_dashboard(portfolio, self.config.dashboard_title, json_href)
            files.append(dashboard_file)

    @staticmethod
    def _read(files: Files, uri: str) -> str | None:
        file = files.get_file_from_path(uri)
        if file is None:
            return None
        try:
            return file.content_string
        except (OSError, UnicodeDecodeError):
            return None

    def _find_constitution(self, files: Files, config: MkDocsConfig) -> Constitution | None:
        path = self.config.constitution
        if path:
            rel = _posix(os.path.relpath(path, config.docs_dir))
            if rel.startswith("../"):
                # outside docs_dir (spec-kit's .specify/memory/constitution.md): publish it
                rel = posixpath.basename(rel)
                if files.get_file_from_path(rel) is None:
                    file = File.generated(config, rel, abs_src_path=path)
                    file.edit_uri = _posix(os.path.relpath(path, config.docs_dir))
                    files.append(file)
            uri: str | None = rel
        else:
            candidates = sorted(
                (f.src_uri for f in files if posixpath.basename(f.src_uri).lower() == "constitution.md"),
                key=lambda u: (u.count("/"), u),
            )
            uri = candidates[0] if candidates else None
            if len(candidates) > 1:
                log.info(f"several constitutions found, using {uri}; set the constitution option to choose")
        if uri is None:
            return None
        text = self._read(files, uri)
        if text is None:
            return None
        return Constitution(uri, parse_constitution(text))

    # -- pages ---------------------------------------------------------------------------------
    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        uri = page.file.src_uri
        if self.constitution is not None and uri == self.constitution.src_uri:
            markdown = anchor_principles(markdown, parse_constitution(markdown))
        spec = self._specs.get(uri)
        if spec is not None:
            plan_page, plan_file = spec
            markdown = anchor_spec(markdown, parse_spec(markdown, tuple(self.config.requirement_prefixes)))
            if self.config.backlink:
                markdown = _insert_after_title(markdown, self._backlink(plan_page, plan_file, page.file))
        return markdown

    def _backlink(self, plan_page: PlanPage, plan_file: File, spec_file: File) -> str:
        href = plan_file.url_relative_to(spec_file)
        plan = plan_page.plan
        parts = [
            '<div class="specplan-backlink">Implementation plan: ',
            f'<a href="{escape_html(href)}">{escape_html(plan_page.title)}</a>',
        ]
        if plan is not None and plan.status:
            parts.append(f" {badge_html(plan.status, 'status')}")
        info = self.features.get(plan_page.source.page_uri)
        if info is not None and info.tasks is not None and info.tasks.total:
            parts.append(f" · tasks {info.tasks.done}/{info.tasks.total} done")
        if plan_page.warnings:
            count = len(plan_page.warnings)
            parts.append(f" · {count} problem{'s' if count > 1 else ''} to fix")
        parts.append("</div>")
        return "".join(parts)

    def _render(self, page: PlanPage, **extra: Any) -> None:
        assert self.renderer is not None
        try:
            render_page(page, self.renderer, **extra)
        except TemplateProblem as exc:
            page.problems.append(Problem(page.source.display_path, None, None, "", str(exc)))
            page.markdown = error_page(page, str(exc))
        except Exception as exc:  # never a traceback: report it as a problem of this plan
            log.debug("rendering failed", exc_info=True)
            message = f"internal error while rendering ({type(exc).__name__}: {exc}); please report it"
            page.problems.append(Problem(page.source.display_path, None, None, "", message))
            page.markdown = error_page(page, message)

    # -- serve ---------------------------------------------------------------------------------
    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.config.enabled:
            if self.config.specs_dir:
                server.watch(self.config.specs_dir)
            if self.config.template:
                server.watch(self.config.template)
        return server
