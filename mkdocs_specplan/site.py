"""From a site's files to its loaded plans and features: the pipeline a build and ``specplan validate`` share.

Free of MkDocs: the site is a :class:`SiteFiles` and a list of plan sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .features import (
    Constitution,
    Feature,
    Siblings,
    SiteFiles,
    discover_features,
    duplicate_ids,
    link_feature,
    read_feature,
    requirement_index,
)
from .model import Problem, Settings
from .pages import PlanPage, PlanSource, load_page
from .speckit import IdSyntax

Cache = Callable[[str, str, Callable[[str], Any]], Any]


@dataclass(frozen=True)
class SiteOptions:
    settings: Settings = field(default_factory=Settings)
    siblings: Siblings = field(default_factory=Siblings)
    syntax: IdSyntax = field(default_factory=IdSyntax)
    warn_missing: bool = True


@dataclass
class LoadedSite:
    pages: list[PlanPage]
    features: dict[str, Feature]  # by folder (site path)
    constitution: Constitution | None
    problems: list[Problem] = field(default_factory=list)  # of the site, not of one plan

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for page in self.pages for p in page.problems]


def load_site(
    site: SiteFiles,
    sources: list[PlanSource],
    constitution: Constitution | None,
    options: SiteOptions,
    *,
    display: Callable[[str], str] = lambda folder: folder,
    load: Callable[[PlanSource], PlanPage] | None = None,
    cache: Cache | None = None,
) -> LoadedSite:
    """Load, validate and schedule every plan, read every feature's documents, and link them."""
    pages = [load(source) if load else load_page(source, options.settings) for source in sources]
    features = discover_features(site.uris, options.siblings, {p.source.folder: p for p in pages}, display)
    for feature in features.values():
        read_feature(feature, site, options.siblings, options.syntax, cache=cache)
    index = requirement_index(list(features.values()))
    for page in pages:
        link_feature(
            page,
            features[page.source.folder],
            options.siblings,
            constitution,
            warn_missing=options.warn_missing,
            syntax=options.syntax,
            index=index,
        )
    loaded = LoadedSite(pages, features, constitution)
    for fid, same in duplicate_ids(list(features.values())).items():
        folders = ", ".join(f.display_folder for f in same)
        loaded.problems.append(
            Problem(same[0].display_folder, None, None, "", f"feature ID {fid} is used by {len(same)} folders: {folders}", "info")
        )
    return loaded
