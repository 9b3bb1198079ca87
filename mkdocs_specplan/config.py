"""The plugin's options, as declared for MkDocs (validated, typed, with defaults), and the pipeline's
:class:`SiteConfig` made from them. Both builders read ``mkdocs.yml`` through this schema."""

from __future__ import annotations

import datetime as dt
import os

from mkdocs.config import base
from mkdocs.config import config_options as c

from .core.model import (
    DEFAULT_CHECK_STATUSES,
    DEFAULT_PHASE_STATUSES,
    DEFAULT_PLAN_STATUSES,
    DEFAULT_RISK_LEVELS,
    DEFAULT_RISK_STATUSES,
    Settings,
)
from .pipeline.options import SiteConfig, build_date, site_path, site_terms, specs_prefix
from .pipeline.sources import read_manifest, spec_kit_constitution, written_by_build
from .project.features import Siblings
from .speckit.documents import IdSyntax


class SiblingsConfig(base.Config):
    """File names of a feature's documents, relative to the plan's folder."""

    spec = c.Type(str, default="spec.md")
    data_model = c.Type(str, default="data-model.md")
    contracts = c.Type(str, default="contracts")
    research = c.Type(str, default="research.md")
    quickstart = c.Type(str, default="quickstart.md")
    tasks = c.Type(str, default="tasks.md")
    checklists = c.Type(str, default="checklists")


class SpecPlanConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. `enabled: !ENV [SPECPLAN, true]`)."""

    sources = c.ListOfItems(c.Type(str), default=["**/plan.yaml", "**/plan.yml"])
    """Glob patterns (relative to docs_dir, `**` spans folders) of the plan files to render."""

    specs_dir = c.Optional(c.Dir(exists=True))
    """A folder outside docs_dir (e.g. `../specs`) to publish as well, with its Markdown siblings."""

    specs_url = c.Type(str, default="specs")
    """The URL prefix under which `specs_dir` is published."""

    template = c.Optional(c.File(exists=True))
    """A Jinja2 template (path relative to mkdocs.yml) that replaces or extends the plan page."""

    templates_dir = c.Optional(c.Dir(exists=True))
    """A folder of templates that replace the packaged ones of the same name (timeline.html.j2, ...)."""

    css = c.Type(bool, default=True)
    """Add the packaged stylesheet to the site."""

    plan_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_PLAN_STATUSES))
    phase_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_PHASE_STATUSES))
    risk_levels = c.ListOfItems(c.Type(str), default=list(DEFAULT_RISK_LEVELS))
    """Risk levels from the lowest to the highest; probability and impact use them."""

    risk_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_RISK_STATUSES))
    open_risk_statuses = c.ListOfItems(c.Type(str), default=["open"])
    """Which of `risk_statuses` count as open."""

    done_phase_statuses = c.ListOfItems(c.Type(str), default=["done"])
    """Which phase statuses mean the phase is finished (progress, health)."""

    available_dependency_statuses = c.ListOfItems(c.Type(str), default=["available"])
    """Which external dependency statuses mean available (the rest count as not available)."""

    nav_titles = c.Choice(("short", "document"), default="short")
    """In a feature's section of a navigation built from the folders: short titles (Spec, Plan, ...;
    the browser tab shows them too), or the documents' own titles."""

    show_missing_sections = c.Optional(c.Type(bool))
    """Show each template section a plan has not written as "Not written yet"; default: for plans
    in draft and in-review only."""

    check_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_CHECK_STATUSES))
    """Statuses of a constitution check (`constitution_check[].status`)."""

    failed_check_statuses = c.ListOfItems(c.Type(str), default=["fail"])
    """Which of `check_statuses` fail a principle (the rest tick its checklist item)."""

    sprint_length = c.Type(int, default=10)
    """Working days in one sprint, for efforts written in sprints."""

    siblings = c.SubConfig(SiblingsConfig)
    """Names of the spec, data model, contracts folder, research, quickstart and tasks files."""

    missing_links = c.Choice(("warn", "ignore"), default="warn")
    """Warn (failing strict builds) when a spec, data model or contracts folder is missing."""

    backlink = c.Type(bool, default=True)
    """Show a note linking to the implementation plan at the top of each spec page."""

    constitution = c.Optional(c.File(exists=True))
    """The constitution (path from mkdocs.yml); default: a constitution.md anywhere in docs_dir."""

    requirement_prefixes = c.ListOfItems(c.Type(str), default=["FR", "NFR", "SC"])
    """Requirement IDs are <prefix>-<number> (FR-001, FR-001a, FR-011-001, NFR-SEC-001)."""

    story_labels = c.ListOfItems(c.Type(str), default=["User Story", "US"])
    """How user stories are named in headings and mentions: "User Story 1", "US1"."""

    vocabulary = c.Type(dict, default={})
    """Words of your own for the template's terms, beside the built-in ones in ten languages
    (term -> list of words), e.g. `{status: [Zustand], story: [Anwenderfall]}`."""

    timeline = c.Type(bool, default=True)
    """Draw the phase timeline on plan pages."""

    build_date = c.Optional(c.Type((str, dt.date)))
    """The date of "today" (YYYY-MM-DD) for today lines and staleness; default: the day of the build,
    or SOURCE_DATE_EPOCH when it is set."""

    dashboard = c.Type((bool, str), default="plans/index.md")
    """Where the site-wide dashboard is generated (a path in the site); false turns it off."""

    dashboard_title = c.Type(str, default="Plans")

    dashboard_group_above = c.Type(int, default=100)
    """Above this many features the dashboard groups them by stage, each stage on a page of its own,
    and shows the start of long lists with a link to the rest (a page that loads fast at any size)."""

    json = c.Type((bool, str), default="plans/plans.json")
    """Where the JSON export of every plan is written; false turns it off."""

    json_indent = c.Optional(c.Type(int))
    """Indent plans.json by this many spaces for people reading it; default compact (smaller, faster)."""

    max_file_size = c.Type(int, default=1_048_576)
    """Plans larger than this many bytes are not read (their page says so)."""

    max_document_size = c.Type(int, default=4_194_304)
    """Specs, tasks, checklists and constitutions larger than this are not read (a warning)."""

    at_risk_days = c.Type(int, default=5)
    """A plan or phase whose forecast end slips by 1 to this many working days is at risk; more is late."""

    baseline = c.Type(str, default="approved")
    """What slippage is measured against: a git ref (tag, branch, commit), `approved` (the first commit
    in which the plan's status is approved or a later status) or `first` (the plan's first commit).
    A plan's own `baseline` key overrides it."""

    history = c.Type(bool, default=True)
    """Read each plan's git history: its baseline, and the chart of its forecast finish by commit."""

    recent_days = c.Type(int, default=14)
    """The dashboard's Recent changes: what the plans' commits of this many days did to them (0: none)."""

    stale_days = c.Type(int, default=90)
    """A plan whose last_updated is older than this many days (from the build date) is stale."""


def make_settings(config: SpecPlanConfig) -> Settings:
    """The core's settings from the plugin's options."""
    return Settings(
        plan_statuses=tuple(config.plan_statuses),
        phase_statuses=tuple(config.phase_statuses),
        risk_levels=tuple(config.risk_levels),
        risk_statuses=tuple(config.risk_statuses),
        open_risk_statuses=tuple(config.open_risk_statuses),
        check_statuses=tuple(config.check_statuses),
        done_phase_statuses=tuple(config.done_phase_statuses),
        available_dependency_statuses=tuple(s.lower() for s in config.available_dependency_statuses),
        failed_check_statuses=tuple(config.failed_check_statuses),
        sprint_days=config.sprint_length,
        at_risk_days=config.at_risk_days,
    )


def _constitution(options: SpecPlanConfig, config_file: str, docs_dir: str) -> str | None:
    """The configured constitution; with specs_dir and none configured, the one spec-kit keeps
    beside the configuration (``.specify/memory/constitution.md``), unless docs_dir has its own."""
    if options.constitution:
        return os.path.abspath(options.constitution)
    if options.specs_dir and not _has_constitution(docs_dir):
        return spec_kit_constitution(os.path.dirname(os.path.abspath(config_file)))
    return None


def _has_constitution(docs_dir: str) -> bool:
    """A constitution.md of the site's own in docs_dir (not the copy specplan build wrote there)."""
    manifest = read_manifest(docs_dir)
    for folder, dirnames, filenames in os.walk(docs_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.lower() == "constitution.md":
                uri = os.path.relpath(os.path.join(folder, name), docs_dir).replace(os.sep, "/")
                if not written_by_build(docs_dir, uri, manifest):
                    return True
    return False


def site_config(
    options: SpecPlanConfig, *, docs_dir: str, site_dir: str, config_file: str, use_directory_urls: bool = True
) -> SiteConfig:
    """The pipeline's options from the plugin's (validated by MkDocs) and the builder's settings;
    OptionError for what cannot work."""
    return SiteConfig(
        docs_dir=os.path.abspath(docs_dir),
        site_dir=os.path.abspath(site_dir),
        config_file=os.path.abspath(config_file),
        use_directory_urls=use_directory_urls,
        enabled=options.enabled,
        sources=tuple(p.lstrip("/") for p in options.sources),
        specs_dir=os.path.abspath(options.specs_dir) if options.specs_dir else None,
        specs_url=specs_prefix(options.specs_url),
        template=options.template,
        templates_dir=options.templates_dir,
        css=options.css,
        settings=make_settings(options),
        siblings=Siblings(**options.siblings),
        syntax=IdSyntax(tuple(options.requirement_prefixes), tuple(options.story_labels), site_terms(options.vocabulary)),
        nav_titles=options.nav_titles,
        show_missing_sections=options.show_missing_sections,
        warn_missing=options.missing_links == "warn",
        backlink=options.backlink,
        constitution=_constitution(options, config_file, docs_dir),
        timeline=options.timeline,
        today=build_date(options.build_date),  # type: ignore[arg-type]  # str or date, as validated
        dashboard_uri=site_path("dashboard", options.dashboard, "plans/index.md", ".md"),  # type: ignore[arg-type]
        dashboard_title=options.dashboard_title,
        dashboard_group_above=options.dashboard_group_above,
        json_uri=site_path("json", options.json, "plans/plans.json", ".json"),  # type: ignore[arg-type]
        json_indent=options.json_indent,
        max_file_size=options.max_file_size,
        max_document_size=options.max_document_size,
        stale_days=options.stale_days,
        recent_days=options.recent_days,
        baseline=options.baseline,
        history=options.history,
    )
