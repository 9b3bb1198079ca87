"""The build every builder runs: from the site's sources to every plan page, the dashboard's
pages, the JSON and the stylesheet (:class:`Output`), and what the Markdown extension does to each
page of the site (:meth:`SiteBuild.annotations`). Free of MkDocs: a builder hands in its files as
:class:`~.sources.Sources` and says where it publishes each page (:class:`Urls`)."""

from __future__ import annotations

import dataclasses
import os
import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from ..core.health import health
from ..core.model import Positions, Problem
from ..markdown.annotate import PageAnnotations
from ..project.features import Constitution, Feature, SiteFiles, relative
from ..project.loading import LoadedSite, load_site
from ..project.portfolio import Portfolio, build_portfolio, natural_key
from ..project.records import FeatureContext, PlanPage
from ..speckit.documents import read_constitution
from ..support.cache import template_cache
from ..support.incremental import Inputs, compared, fingerprint, memo
from ..views.causes import health_label
from ..views.dashboard import DashboardView, dashboard_pages
from ..views.export import export_json
from ..views.notes import FeatureNote
from ..views.plan_page import PageOptions, front_matter, page_inputs, render_inputs
from ..views.renderer import Renderer, TemplateProblem, escape_html
from .annotations import mention_targets, traces_for
from .memory import Memory, Rendered, mtimes
from .options import CSS_URI, SiteConfig
from .sources import Level, Sources, TakenPlans, constitution_uri, take_plans

CSS_PATH = Path(__file__).parent.parent / "views" / "assets" / "specplan.css"


class Urls(Protocol):
    """Where the builder publishes each file of the site, and how a page links to another."""

    def url(self, uri: str) -> str: ...

    def href(self, target: str, page: str) -> str:
        """A link in raw HTML from the page at ``page`` to ``target`` (both site paths), as the
        builder reads links in raw HTML."""
        ...


@dataclass
class Output:
    """A file the pipeline makes: a page (Markdown), the JSON export or the stylesheet."""

    uri: str
    data: bytes
    kind: str = "page"  # "page", "json" or "css"
    level: Level = Level.INCLUDED
    edit_uri: str | None = None  # where "edit this page" leads (a plan page's plan.yaml)
    source: str | None = None  # the file it is made from and dated by (a plan page's plan.yaml)


@dataclass
class Stats:
    rendered: int = 0  # plan pages rendered in this build (the others were the last build's)
    dashboard_rendered: int = 0  # and dashboard pages
    seconds: float = 0.0


class Pipeline:
    """One site's build, run again for every rebuild (``serve`` keeps what it can)."""

    def __init__(self, config: SiteConfig, *, keep: bool = False) -> None:
        self.memory = Memory()
        self.config = config
        self.keep = keep
        self.configure(config, keep=keep)

    def configure(self, config: SiteConfig, *, keep: bool = False) -> None:
        """This build's options; the renderer is kept while its templates and settings are the same
        (a change renders every page again). TemplateProblem for templates that cannot load."""
        key = (config.settings, config.template, config.templates_dir, mtimes(config.template, config.templates_dir))
        memory = self.memory
        if memory.renderer is None or key != memory.renderer_key:
            memory.renderer = Renderer(config.settings, config.template, config.templates_dir, template_cache())
            memory.renderer_key = key
            memory.forget_rendering()
        self.config, self.keep = config, keep

    @property
    def renderer(self) -> Renderer:
        assert self.memory.renderer is not None
        return self.memory.renderer

    def build(self, sources: Sources, urls: Urls) -> SiteBuild:
        """Everything the site publishes that no file of it holds as it is."""
        started = time.perf_counter()
        self.memory.turn()
        taken = take_plans(sources)
        loaded = self.load(sources, taken)
        site = SiteBuild(self.config, loaded, self.renderer, self.memory, sources, urls, taken, keep=self.keep)
        if not self.keep:
            _release_sources(loaded.pages)
        site.render_pages()
        site.render_dashboard()
        if self.config.css and CSS_URI not in sources.files:
            site.outputs.append(Output(CSS_URI, CSS_PATH.read_bytes(), "css", source=str(CSS_PATH)))
        if not self.keep:
            _keep_mentions_only(loaded.pages)
        site.problems = sources.problems + site.problems + loaded.problems
        site.stats.seconds = time.perf_counter() - started
        return site

    def load(self, sources: Sources, taken: TakenPlans) -> LoadedSite:
        """Load, validate, schedule and link every plan and feature of the site (no rendering)."""
        config, memory, keep = self.config, self.memory, self.keep
        constitution = self._constitution(sources)
        display: dict[str, str] = {}
        for file in reversed(list(sources.files.values())):  # a file on disk says where its folder is
            folder = file.uri.rpartition("/")[0]
            if folder and file.abs_path and folder not in display:
                display[folder] = file.display.rsplit("/", 1)[0]
        live = {(s.src_uri, s.text, s.error, config.settings) for s in taken.sources}

        def cache(kind: str, text: str, reader: Callable[[str], Any]) -> Any:
            return memory.parsed(kind, text, reader, config.syntax) if keep else reader(text)

        loaded = load_site(
            SiteFiles(set(sources.files), sources.read),
            taken.sources,
            constitution,
            config.site_options,
            display=lambda folder: display.get(folder, folder),
            load=lambda source: memory.load(source, config.settings, keep),
            cache=cache,
            history_cache=memory.history,
            schedule_cache=memory.schedule if keep else None,
            link_cache=memory.links if keep else None,
        )
        memory.forget_plans(live)
        memory.forget_documents()
        return loaded

    def _constitution(self, sources: Sources) -> Constitution | None:
        """The configured constitution (always), else a ``constitution.md`` found in the site."""
        uri, problems = constitution_uri(self.config, sources.files)
        for problem in problems:
            sources.problem(problem.path, problem.message, problem.level)
        if uri is None:
            return None
        text = sources.read(uri)
        if text is None:
            return None
        if self.keep:
            principles = self.memory.parsed("constitution", text, read_constitution, self.config.syntax)
        else:
            principles = read_constitution(text)
        return Constitution(uri, principles)


def _release_sources(pages: list[PlanPage]) -> None:
    """What only loading, checking and scheduling needed, let go in a one-off build: the YAML texts
    and where each field was written (problems have their lines by now)."""
    for page in pages:
        page.source = dataclasses.replace(page.source, text="")
        if page.plan is not None:
            page.plan.positions = Positions()


def _keep_mentions_only(pages: list[PlanPage]) -> None:
    """A one-off build, once every page is made: of a page's feature context, only what annotating
    the page needs (its mention targets)."""
    for page in pages:
        if page.feature is not None:
            page.feature = FeatureContext(mention_targets=page.feature.mention_targets)


class SiteBuild:
    """What one build made of the site: its plans and features, the files it generates, and what
    the Markdown extension does to each page."""

    def __init__(
        self,
        config: SiteConfig,
        loaded: LoadedSite,
        renderer: Renderer,
        memory: Memory,
        sources: Sources,
        urls: Urls,
        taken: TakenPlans,
        *,
        keep: bool = False,
    ) -> None:
        self.config = config
        self.loaded = loaded
        self.renderer = renderer
        self.memory = memory
        self.keep = keep
        self.urls = urls
        self.levels = taken.levels
        self.known = set(sources.files) | set(taken.levels)  # every page of the site, generated ones included
        self.displays = {uri: f.display for uri, f in sources.files.items()}
        self.outputs: list[Output] = []
        self.problems: list[Problem] = []  # of the site, not of one plan
        self.stats = Stats()
        self.features = sorted(loaded.features.values(), key=lambda f: (natural_key(f.id or ""), f.folder))
        self._dashboards: set[str] = set()
        self._plans = {p.source.page_uri: p for p in loaded.pages}
        self._by_page: dict[str, Feature] = {}
        for feature in self.features:
            for uri in (feature.spec_uri, feature.tasks_uri, feature.plan_uri if feature.plan_kind == "markdown" else None):
                if uri:
                    self._by_page[uri] = feature

    @property
    def pages(self) -> list[PlanPage]:
        return self.loaded.pages

    @property
    def constitution(self) -> Constitution | None:
        return self.loaded.constitution

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for page in self.pages for p in page.problems]

    def output(self, uri: str) -> Output | None:
        return next((o for o in self.outputs if o.uri == uri), None)

    @property
    def summary(self) -> str:
        pages, stats = self.pages, self.stats
        with_problems = sum(1 for p in pages if p.warnings)
        unchanged = len(pages) - stats.rendered
        return (
            f"rendered {len(pages)} plan{'s' if len(pages) != 1 else ''}"
            + (f" ({unchanged} unchanged since the last build)" if unchanged else "")
            + f" of {len(self.features)} feature{'s' if len(self.features) != 1 else ''}"
            + (f", {with_problems} with problems" if with_problems else "")
            + f" in {stats.seconds:.2f} s"
        )

    def release(self) -> None:
        """A one-off build whose pages' annotations are worked out: the plans and features are let go."""
        self.loaded.pages, self.loaded.features = [], {}
        self.features, self._plans, self._by_page = [], {}, {}

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, None, None, "", message))

    # -- plan pages ------------------------------------------------------------------------------
    def render_pages(self) -> None:
        by_key = {p.source.src_uri: p for p in self.pages}
        for page in self.pages:
            uri = page.source.page_uri
            self.outputs.append(
                Output(
                    uri,
                    self._render(page, by_key),
                    "page",
                    self.levels.get(uri, Level.INCLUDED),
                    page.source.edit_uri,
                    page.source.abs_path,
                )
            )

    def _render(self, page: PlanPage, by_key: dict[str, PlanPage]) -> bytes:
        """The plan page's content (UTF-8); the last build's when nothing it is made from changed."""
        options = PageOptions(self.config.timeline, self.config.show_missing_sections)
        inputs = page_inputs(page, by_key, self.config.today, options)
        uri = page.source.page_uri
        kept = self.memory.renders.last(uri)
        digest = fingerprint(compared(inputs)) if self.memory.on_disk else None
        if self.keep and kept is not None and kept.made_from(inputs, digest):
            page.problems = list(kept.problems)
            kept = kept.taken(inputs, digest)
        else:
            self.stats.rendered += 1
            markdown, added = render_inputs(inputs, self.renderer)
            page.problems += added
            content = (front_matter(page.plan, page.title) + markdown).encode("utf-8")
            kept = Rendered(inputs if self.keep else None, content, tuple(page.problems), digest)
        if self.keep:
            self.memory.renders.keep(uri, kept)
        return kept.content

    # -- the dashboard and the JSON ----------------------------------------------------------------
    def render_dashboard(self) -> None:
        config = self.config
        if not config.dashboard_uri and not config.json_uri:
            return
        dashboard = config.dashboard_uri
        if dashboard and dashboard in self.displays:
            self._problem(
                self.displays[dashboard],
                "a page is already at the dashboard's path; it is kept and the dashboard is not generated. "
                "Move it, or set the dashboard option to another path",
            )
            dashboard = None
        if dashboard:
            self.known.add(dashboard)
        anchor = dashboard or config.dashboard_uri or "plans/index.md"
        portfolio = self._portfolio(anchor)
        exported = False
        if config.json_uri:
            exported = self._add_json(portfolio)
        if dashboard:
            self._add_dashboard(portfolio, dashboard, exported)

    def _portfolio(self, anchor: str) -> Portfolio:
        """Every plan and feature, with the links the dashboard makes to them."""
        known, urls = self.known, self.urls

        def url_of(uri: str | None) -> str | None:
            return urls.url(uri) if uri and uri in known else None

        loaded = self.loaded
        return build_portfolio(
            self.pages,
            self.features,
            (anchor, urls.url(anchor)),
            url_of,
            self.config.settings,
            self.config.today,
            stale_days=self.config.stale_days,
            recent_days=self.config.recent_days,
            edges=loaded.edges,
            critical_plans=loaded.critical_plans,
        )

    def _add_json(self, portfolio: Portfolio) -> bool:
        config = self.config
        assert config.json_uri is not None
        if config.json_uri in self.displays:
            self._problem(
                config.json_uri, "a file is already at the JSON export's path; it is kept and the export is not written"
            )
            return False
        reuse = self.memory.entries if self.keep else None
        data = export_json(portfolio, config.json_indent, reuse=reuse).encode("utf-8")
        self.outputs.append(Output(config.json_uri, data, "json"))
        return True

    def _add_dashboard(self, portfolio: Portfolio, dashboard: str, exported: bool) -> None:
        """The dashboard's page, and on a grouped dashboard the pages it links to."""
        config, urls = self.config, self.urls
        folder = posixpath.dirname(dashboard) or "."

        def place(name: str) -> str:
            return posixpath.join(folder, name) if folder != "." else name

        def raw_prefix(name: str) -> str:
            """From a page beside the dashboard, to where the dashboard's links in raw HTML start."""
            up = posixpath.dirname(urls.href(dashboard, place(name)))
            return up + "/" if up else ""

        json_href = posixpath.relpath(config.json_uri, folder) if config.json_uri and exported else None
        directory = config.use_directory_urls
        pages = dashboard_pages(
            portfolio,
            config.dashboard_title,
            json_href,
            config.dashboard_group_above,
            (lambda name: name.removesuffix(".md") + "/") if directory else (lambda name: name[:-3] + ".html"),
            raw_prefix,
        )
        newest = _newest([p.source.abs_path for p in self.pages])
        main = pages[0][1]
        data = (front_matter(None, main.title) + self._dashboard_markdown(main, dashboard)).encode("utf-8")
        self.outputs.append(Output(dashboard, data, "page", Level.INCLUDED, None, newest or config.config_file))
        self._dashboards.add(dashboard)
        for name, view in pages[1:]:  # the pages a grouped dashboard links to
            uri = place(name)
            if uri in self.displays:
                continue
            self.known.add(uri)
            markdown = front_matter(None, view.title, searched=False) + self._dashboard_markdown(view, dashboard)
            self.outputs.append(
                Output(uri, markdown.encode("utf-8"), "page", Level.NOT_IN_NAV, None, newest or config.config_file)
            )
            self._dashboards.add(uri)

    def _dashboard_markdown(self, view: DashboardView, dashboard: str) -> str:
        """A dashboard page's Markdown; the last build's when its view is the same (serve)."""
        kept = self.memory.views.last(view.title) if self.keep else None
        digest = fingerprint(view) if self.memory.on_disk else None
        if kept is not None and kept.made_from(view, digest):
            self.memory.views.keep(view.title, kept.taken(view, digest))
            return kept.content.decode("utf-8")
        self.stats.dashboard_rendered += 1
        try:
            markdown = self.renderer.render_markdown("dashboard.md.j2", dashboard=view)
        except TemplateProblem as exc:
            self._problem(dashboard, str(exc))
            return f"# {escape_html(view.title)}\n\nThe dashboard could not be rendered: {escape_html(str(exc))}\n"
        if self.keep:
            self.memory.views.keep(view.title, Rendered(view, markdown.encode("utf-8"), digest=digest))
        return markdown

    # -- what the Markdown extension does to each page ----------------------------------------------
    def annotations(self, uri: str, abs_path: str | None, urls: Urls) -> PageAnnotations | None:
        """What the Markdown extension does to the page at ``uri`` while the builder renders it."""
        syntax = self.config.syntax
        notes = PageAnnotations(mention_syntax=syntax)
        active = False
        constitution = self.constitution
        if constitution is not None and uri == constitution.src_uri:
            notes.principles = active = True
        plan_page = self._plans.get(uri)
        if plan_page is not None:
            notes.mentions = dict(plan_page.feature.mention_targets) if plan_page.feature is not None else {}
            notes.safe_links = active = True  # the page is made of plan text: no live markup
        if uri in self._dashboards:
            notes.safe_links = active = True
        feature = self._by_page.get(uri)
        if feature is not None:
            active = True
            # a feature is settled once the site is linked; a serve rebuild reuses one whose inputs
            # are unchanged, and these with it
            if uri == feature.spec_uri:
                notes.definitions = syntax
                notes.traces = memo(feature, ("traces", uri), lambda: traces_for(feature, uri))
            else:
                notes.tasks = uri == feature.tasks_uri
                notes.mentions = memo(feature, ("mentions", uri), lambda: mention_targets(feature, uri))
            if self.config.backlink:
                notes.note_html = self._feature_note(feature, uri, urls)
        rewrite = self.link_rewriter(uri, abs_path)
        if rewrite is not None:
            notes.rewrite_link = rewrite
            active = True
        return notes if active else None

    def _feature_note(self, feature: Feature, uri: str, urls: Urls) -> str:
        """The note under the title of a spec or a hand-written plan: stage, plan, tasks, problems."""
        plan_page = feature.plan_page
        # the same feature (a serve rebuild reuses one whose inputs are unchanged) and plan, with as
        # many problems, at the same URL, with the same templates: the note it had
        plan, problems = (plan_page.plan, len(plan_page.warnings)) if plan_page is not None else (None, 0)
        inputs = Inputs((self.renderer, plan), (problems, urls.url(uri)))
        notes: dict[str, tuple[Inputs, str]] = memo(feature, "notes", dict)  # by page
        kept = notes.get(uri)
        if kept is not None and kept[0].matches(inputs):
            return kept[1]

        def href(target: str | None) -> str | None:
            return urls.href(target, uri) if target and target != uri and target in self.known else None

        covered, _uncovered = feature.coverage()
        tasks = feature.tasks
        state = health(plan_page.plan, plan_page.forecast, self.config.settings) if plan_page is not None else None
        troubled = state is not None and state.state in ("blocked", "late", "at-risk")
        on_tasks = uri == feature.tasks_uri
        note = FeatureNote(
            feature_id=feature.id,
            stage=feature.stage,
            plan_href=href(feature.plan_uri),
            plan_label=plan_page.title if plan_page is not None else "Plan" if feature.plan_kind else None,
            plan_status=plan_page.plan.status if plan_page is not None and plan_page.plan is not None else None,
            tasks_done=tasks.done if tasks else 0,
            tasks_total=tasks.total if tasks else 0,
            tasks_href=href(feature.tasks_uri),
            requirements_covered=covered,
            requirements_total=len(feature.requirements) if feature.plan_kind or feature.tasks else 0,
            problems=problems,
            tasks_uncounted=tasks.uncounted if tasks else None,
            health=health_label(state, plan_page.forecast.slip_days if plan_page and plan_page.forecast else None)
            if state is not None and troubled
            else None,
            health_css=state.css if state is not None and troubled else "",
            groups=tuple((g.title, g.done, g.total) for g in tasks.groups)
            if tasks and on_tasks and len(tasks.groups) > 1
            else (),
        )
        html = self.memory.notes.last(note)
        if html is None:
            html = self.renderer.render_html("feature-note.html.j2", note=note)
        self.memory.notes.keep(note, html)
        notes[uri] = (inputs, html)
        return html

    def link_rewriter(self, uri: str, abs_path: str | None) -> LinkRewriter | None:
        """For a page published from outside docs_dir (specs_dir, or the configured constitution):
        relative links that leave its folder's tree, pointed at the pages they lead to."""
        config = self.config
        if not abs_path:
            return None
        source = os.path.abspath(abs_path)
        docs = os.path.abspath(config.docs_dir)
        specs = os.path.abspath(config.specs_dir) if config.specs_dir else None
        constitution = os.path.abspath(config.constitution) if config.constitution else None
        constitution_uri = self.constitution.src_uri if self.constitution is not None else None
        exact = {constitution: constitution_uri} if constitution and constitution_uri else {}
        if specs is not None and source.startswith(specs + os.sep):
            return LinkRewriter(uri, os.path.dirname(source), specs, [(docs, "")], exact)
        if constitution is not None and source == constitution and not source.startswith(docs + os.sep):
            roots = [(specs, config.specs_url)] if specs else []
            return LinkRewriter(uri, os.path.dirname(source), None, [*roots, (docs, "")], {})
        return None


def _newest(paths: list[str | None]) -> str | None:
    """The file changed last (the dashboard is dated by the plan changed last)."""
    on_disk = [p for p in paths if p and os.path.isfile(p)]
    return max(on_disk, key=os.path.getmtime, default=None)


@dataclass
class LinkRewriter:
    """Relative links of a page published from elsewhere, pointed at where their targets are
    published: into docs_dir, specs_dir (under specs_url) or at the configured constitution. A link
    that stays inside the page's own tree (``own``) is left as it is: that tree is published as is."""

    page_uri: str
    page_dir: str
    own: str | None
    roots: list[tuple[str, str]]  # (a folder on disk, its path in the site)
    exact: dict[str, str] = field(default_factory=dict)  # a file on disk -> its path in the site

    def __call__(self, href: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or href.startswith("/"):
            return None
        target = os.path.normpath(os.path.join(self.page_dir, unquote(parts.path)))
        if self.own is not None and target.startswith(self.own + os.sep):
            return None
        target_uri = self.exact.get(target)
        if target_uri is None:
            for root, prefix in self.roots:
                if target.startswith(root + os.sep):
                    rel = os.path.relpath(target, root).replace(os.sep, "/")
                    target_uri = posixpath.join(prefix, rel) if prefix else rel
                    break
        if target_uri is None:
            return None
        new = quote(relative(target_uri, self.page_uri)) or "."
        return new + (f"#{parts.fragment}" if parts.fragment else "")
