"""A site's options as the pipeline takes them, from whichever builder reads ``mkdocs.yml``, and
the one place where they are checked (:class:`OptionError`, with one set of messages for every
builder). Free of MkDocs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from ..core.model import Settings
from ..project.features import Siblings
from ..project.loading import SiteOptions
from ..speckit import vocabulary
from ..speckit.documents import IdSyntax

CSS_URI = "assets/specplan/specplan.css"  # where the stylesheet is published in the site


class OptionError(Exception):
    """An option that cannot work; the message names it (builders prefix ``specplan:``)."""


def build_date(value: str | dt.date | None) -> dt.date:
    """The day the site is built for: the build_date option, else SOURCE_DATE_EPOCH, else today."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise OptionError(f"build_date: {value!r} is not a date; expected YYYY-MM-DD") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def site_path(name: str, value: bool | str, default: str, suffix: str) -> str | None:
    """An option naming a generated file's place in the site: true (the default place), false
    (none), or a path inside the site ending in ``suffix``."""
    if value is False:
        return None
    path = default if value is True else str(value).strip().lstrip("/")
    if not path.endswith(suffix) or ".." in path.split("/"):
        raise OptionError(f"{name}: {value!r} must be a path inside the site ending in {suffix}, or false")
    return path


def specs_prefix(url: str) -> str:
    """The folder of the site under which specs_dir is published ("" for the site's root)."""
    prefix = url.strip().strip("/")
    if ".." in prefix.split("/") or ":" in prefix or "\\" in prefix or prefix.startswith("."):
        raise OptionError(f"specs_url {url!r} must be a path inside the site, such as specs")
    return prefix


def site_terms(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ``vocabulary`` option: words of the site's own for the template's terms."""
    if not isinstance(value, dict):
        raise OptionError("vocabulary must map terms to lists of words")
    out = []
    for term, added in value.items():
        if term not in vocabulary.TERMS:
            raise OptionError(f"vocabulary: {str(term)!r} is not a term; use one of {', '.join(vocabulary.TERMS)}")
        listed = [added] if isinstance(added, str) else added
        if not isinstance(listed, list) or not all(isinstance(w, str) and w.strip() for w in listed):
            raise OptionError(f"vocabulary: {term} must be a list of words")
        out.append((term, tuple(w.strip() for w in listed)))
    return tuple(out)


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


@dataclass(frozen=True)
class SiteConfig:
    """Every option of the pipeline: the plugin's, and the builder's folders and URLs (absolute
    paths). Made once per build; checked when made."""

    docs_dir: str
    site_dir: str
    config_file: str
    use_directory_urls: bool = True
    enabled: bool = True
    sources: tuple[str, ...] = ("**/plan.yaml", "**/plan.yml")
    specs_dir: str | None = None
    specs_url: str = "specs"  # a prefix already checked by specs_prefix
    template: str | None = None
    templates_dir: str | None = None
    css: bool = True
    settings: Settings = field(default_factory=Settings)
    siblings: Siblings = field(default_factory=Siblings)
    syntax: IdSyntax = field(default_factory=IdSyntax)
    nav_titles: str = "short"
    show_missing_sections: bool | None = None
    warn_missing: bool = True
    backlink: bool = True
    constitution: str | None = None
    timeline: bool = True
    today: dt.date = field(default_factory=dt.date.today)
    dashboard_uri: str | None = "plans/index.md"
    dashboard_title: str = "Plans"
    dashboard_group_above: int = 100
    json_uri: str | None = "plans/plans.json"
    json_indent: int | None = None
    max_file_size: int = 1_048_576
    max_document_size: int = 4_194_304
    stale_days: int = 90
    recent_days: int = 14
    baseline: str = "approved"
    history: bool = True

    def __post_init__(self) -> None:
        check(self)

    def shown(self, path: str) -> str:
        """A path as the configuration file's folder sees it (how messages name configured paths)."""
        return _posix(os.path.relpath(path, os.path.dirname(self.config_file)))

    @property
    def site_options(self) -> SiteOptions:
        return SiteOptions(
            self.settings,
            self.siblings,
            self.syntax,
            self.warn_missing,
            self.today,
            baseline=self.baseline.strip() or "approved",
            history=self.history,
        )


def check(config: SiteConfig) -> None:
    """What cannot work is refused before anything is read: OptionError."""
    settings = config.settings
    if settings.sprint_days < 1:
        raise OptionError("sprint_length must be a whole number of working days, at least 1")
    for name in ("plan_statuses", "phase_statuses", "risk_levels", "risk_statuses"):
        if not getattr(settings, name):
            raise OptionError(f"{name} must list at least one value")
    if config.stale_days < 0:
        raise OptionError("stale_days must be 0 or more")
    if config.recent_days < 0:
        raise OptionError("recent_days must be 0 or more")
    if settings.at_risk_days < 0:
        raise OptionError("at_risk_days must be 0 or more")
    for name in ("max_file_size", "max_document_size"):
        if getattr(config, name) < 1:
            raise OptionError(f"{name} must be a number of bytes, at least 1")
    _check_specs_dir(config)
    constitution = config.constitution
    if constitution and not constitution.lower().endswith((".md", ".markdown")):
        raise OptionError(f"constitution {config.shown(constitution)!r} must be a Markdown file (.md)")


def _check_specs_dir(config: SiteConfig) -> None:
    """Nothing outside docs_dir, specs_dir and the configured constitution is read or published:
    specs_dir holds neither the site nor its configuration, and is not inside docs_dir."""
    specs = config.specs_dir
    if not specs:
        return
    shown = config.shown(specs)
    root = os.path.realpath(specs)
    docs = os.path.realpath(config.docs_dir)
    inside = {
        "docs_dir": docs,
        "site_dir": os.path.realpath(config.site_dir),
        "the configuration file": os.path.realpath(config.config_file),
    }
    for what, path in inside.items():
        if path == root or path.startswith(root + os.sep):
            raise OptionError(f"specs_dir {shown!r} contains {what}; point it at the folder of the specs only")
    if root.startswith(docs + os.sep):
        raise OptionError(f"specs_dir {shown!r} lies inside docs_dir, which is published already; leave specs_dir out")
