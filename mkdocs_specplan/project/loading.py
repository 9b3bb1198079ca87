"""From a site's files to its loaded plans and features: the pipeline a build and ``specplan validate`` share.

Free of MkDocs: the site is a :class:`SiteFiles` and a list of plan sources.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.forecast import Forecast, forecast_portfolio
from ..core.model import Problem, Settings, sort_problems
from ..core.schedule import (
    CrossEdge,
    PlanItem,
    PortfolioSchedule,
    ScheduleResult,
    depends_across,
    schedule_plan,
    schedule_portfolio,
)
from ..core.trace import find_mentions
from ..history.baseline import Baseline, HistoryCache, Subject, read_baselines
from ..history.git import Repository
from ..speckit.documents import IdSyntax, Requirement, read_spec
from ..support.incremental import Inputs, memo
from .features import (
    Constitution,
    Feature,
    Siblings,
    SiteFiles,
    discover_features,
    duplicate_ids,
    read_feature,
    requirement_index,
)
from .linking import link_feature
from .records import FeatureContext, PlanPage, PlanSource, SpecDrift, internal_problem, load_page

Cache = Callable[[str, str, Callable[[str], Any]], Any]
HISTORY = "git history"  # how problems of reading the plans' history name their subject (not a file)


@dataclass(frozen=True)
class SiteOptions:
    settings: Settings = field(default_factory=Settings)
    siblings: Siblings = field(default_factory=Siblings)
    syntax: IdSyntax = field(default_factory=IdSyntax)
    warn_missing: bool = True
    today: dt.date = field(default_factory=dt.date.today)
    baseline: str = "approved"  # git ref, "approved" or "first"
    git: bool = True  # read the plans' git history (baselines, history)
    history: bool = True  # the forecast finish by commit


@dataclass
class LoadedSite:
    pages: list[PlanPage]
    features: dict[str, Feature]  # by folder (site path)
    constitution: Constitution | None
    problems: list[Problem] = field(default_factory=list)  # of the site, not of one plan
    edges: list[CrossEdge] = field(default_factory=list)  # phases waiting on other plans' phases
    critical_plans: set[str] = field(default_factory=set)  # on the portfolio's critical path (by src_uri)

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
    history_cache: HistoryCache | None = None,
    schedule_cache: ScheduleCache | None = None,
    link_cache: LinkCache | None = None,
) -> LoadedSite:
    """Load, validate and schedule every plan, read every feature's documents, and link them.

    One file's failure is a problem of that file: every other plan and feature still loads.
    """
    pages = [_load_one(source, options, load) for source in sources]
    features, site_problems = _read_all(site, pages, options, display, cache)
    if link_cache is not None:
        features = _link_reusing(pages, features, constitution, options, link_cache)
    else:
        _link_all(pages, features, constitution, options)
    loaded = LoadedSite(pages, features, constitution, site_problems)
    schedule_site(loaded, options, schedule_cache)
    if options.git:
        try:
            read_history(loaded, options, history_cache or HistoryCache())
        except Exception as exc:
            loaded.problems.append(internal_problem(HISTORY, "reading the plans' history", exc))
    for fid, same in duplicate_ids(list(features.values())).items():
        folders = ", ".join(f.display_folder for f in same)
        loaded.problems.append(
            Problem(same[0].display_folder, None, None, "", f"feature ID {fid} is used by {len(same)} folders: {folders}", "info")
        )
    return loaded


def _read_all(
    site: SiteFiles, pages: list[PlanPage], options: SiteOptions, display: Callable[[str], str], cache: Cache | None
) -> tuple[dict[str, Feature], list[Problem]]:
    """Every feature of the site, its documents read."""
    problems: list[Problem] = []
    features = discover_features(site.uris, options.siblings, {p.source.folder: p for p in pages}, display)
    for feature in features.values():
        try:
            read_feature(feature, site, options.siblings, options.syntax, cache=cache)
        except Exception as exc:
            problems.append(internal_problem(feature.display_folder, "reading this feature's documents", exc))
    return features, problems


def _link_all(
    pages: list[PlanPage],
    features: dict[str, Feature],
    constitution: Constitution | None,
    options: SiteOptions,
    index: dict[str, list[Feature]] | None = None,
) -> None:
    """Each plan linked to its feature's documents (and to IDs other features' specs define, by
    ``index``: made here when not given)."""
    index = requirement_index(list(features.values())) if index is None else index
    for page in pages:
        _link_one(page, features[page.source.folder], constitution, options, index)


def _link_one(
    page: PlanPage, feature: Feature, constitution: Constitution | None, options: SiteOptions, index: dict[str, list[Feature]]
) -> None:
    try:
        link_feature(
            page,
            feature,
            options.siblings,
            constitution,
            warn_missing=options.warn_missing,
            syntax=options.syntax,
            index=index,
        )
    except Exception as exc:
        page.add_problem(internal_problem(page.source.display_path, "linking this plan to its feature", exc))


# a feature as linked: what it was linked from, the feature, and its plan's context and problems then
_Linked = tuple["_LinkInputs", Feature, FeatureContext | None, tuple[Problem, ...]]


@dataclass
class LinkCache:
    """Each feature as the last serve build read and linked it: reused (the same object, with what
    was derived from it) while what reading and linking it looked at is the same. Nothing is kept
    from a build where a plan links a mention into another feature (which changes that feature too)."""

    kept: dict[str, _Linked] = field(default_factory=dict)


@dataclass(frozen=True)
class _LinkInputs(Inputs):
    """What reading and linking one feature looks at (a plan and a constitution's principles are
    kept while their text is unchanged)."""

    across: bool = False  # its plan mentions an ID that one other feature's spec defines: linked there


def _link_inputs(
    page: PlanPage | None,
    feature: Feature,
    constitution: Constitution | None,
    options: SiteOptions,
    index: dict[str, list[Feature]],
) -> _LinkInputs:
    read = feature.found  # everything reading found: the feature is linked from it alone
    if page is None:
        return _LinkInputs((), (read,))
    plan = page.plan
    defined = {r.id for r in feature.requirements}
    mentions = memo(plan, ("mentions", options.syntax), lambda: find_mentions(plan, options.syntax)) if plan is not None else []
    # an ID its own spec does not define is linked to the spec of the one other feature that does
    # (else it is a warning, whether no spec defines it or several do)
    across = any(sum(f is not feature for f in index.get(m.id, ())) == 1 for m in mentions if m.id not in defined)
    principles = constitution.principles if constitution is not None else None
    return _LinkInputs(
        (plan, principles),
        (read, page.source, tuple(page.problems), page.feature, constitution and constitution.src_uri, options),
        across,
    )


def _link_reusing(
    pages: list[PlanPage],
    features: dict[str, Feature],
    constitution: Constitution | None,
    options: SiteOptions,
    cache: LinkCache,
) -> dict[str, Feature]:
    """Link every plan, reusing each feature the last build linked from the same inputs (a serve
    rebuild after one file changed links that file's feature alone). While a plan links a mention
    into another feature, every plan is linked afresh, as a one-off build does."""
    index = requirement_index(list(features.values()))
    by_folder = {page.source.folder: page for page in pages}
    inputs = {folder: _link_inputs(by_folder.get(folder), f, constitution, options, index) for folder, f in features.items()}
    if any(i.across for i in inputs.values()):
        cache.kept = {}
        _link_all(pages, features, constitution, options, index)
        return features
    kept: dict[str, _Linked] = {}
    for folder, feature in features.items():
        page = by_folder.get(folder)
        last = cache.kept.get(folder)
        if last is not None and last[0].matches(inputs[folder]):
            last[1].plan_page = page  # the same feature: this build's page of the same plan
            if page is not None:
                page.feature, page.problems = last[2], list(last[3])
        else:
            if page is not None:
                _link_one(page, feature, constitution, options, index)
            last = (inputs[folder], feature, page.feature if page else None, tuple(page.problems) if page else ())
        kept[folder] = last
    cache.kept = kept
    return {folder: linked for folder, (_, linked, _, _) in kept.items()}


@dataclass
class ScheduleCache:
    """The last portfolio schedule and forecast, reused while every plan is the same object (a
    serve rebuild after a spec or tasks edit), on the same day, with the same settings. While no
    plan depends on another feature's phases, each plan's own, reused while that plan is the same
    (a rebuild after one plan changed schedules that plan alone)."""

    key: tuple[Any, ...] | None = None
    value: tuple[PortfolioSchedule, dict[str, Forecast]] | None = None
    apart: dict[str, tuple[tuple[Any, ...], ScheduleResult, Forecast | None]] = field(default_factory=dict)


def schedule_site(loaded: LoadedSite, options: SiteOptions, cache: ScheduleCache | None = None) -> None:
    """Schedule every plan as one graph (phases may wait on other features' phases) and forecast it."""
    by_key: dict[str, PlanPage] = {}
    items = []
    for page in loaded.pages:
        if page.plan is None:
            continue
        folder = posixpath.basename(page.source.folder)
        fid = page.plan.feature_id
        names = tuple(dict.fromkeys(n for n in (fid, folder) if n))
        items.append(PlanItem(page.source.src_uri, page.plan, page.source.display_path, names, fid or folder))
        by_key[page.source.src_uri] = page
    edges: list[CrossEdge] = []
    critical_plans: set[str] = set()
    try:
        if cache is not None and not any(
            memo(i.plan, "depends_across", functools.partial(depends_across, i.plan)) for i in items
        ):
            results, forecasts = _schedule_apart(items, options, cache)
        else:
            portfolio, forecasts = _schedule_together(items, options, cache)
            results, edges, critical_plans = portfolio.results, portfolio.edges, portfolio.critical_plans
    except Exception as exc:  # each plan alone, rather than none
        loaded.problems.append(internal_problem("", "scheduling the plans together", exc))
        for page in by_key.values():
            assert page.plan is not None
            result = schedule_plan(page.plan, page.source.display_path)
            page.schedule = result.schedule
            page.problems = sort_problems(page.problems + result.problems)
        return
    for key, page in by_key.items():
        result = results[key]
        page.schedule = result.schedule
        page.problems = sort_problems(page.problems + result.problems)
        page.forecast = forecasts.get(key)
    for edge in edges:
        by_key[edge.downstream].waits_on.append(edge)
        by_key[edge.upstream].needed_by.append(edge)
    loaded.edges, loaded.critical_plans = edges, critical_plans


def _schedule_together(
    items: list[PlanItem], options: SiteOptions, cache: ScheduleCache | None
) -> tuple[PortfolioSchedule, dict[str, Forecast]]:
    """Every plan in one graph; the last build's while every plan is the same object."""
    signature = (tuple((i.key, id(i.plan), i.path, i.names, i.label) for i in items), options.today, options.settings)
    if cache is not None and cache.key == signature and cache.value is not None:
        return cache.value
    portfolio = schedule_portfolio(items)
    forecasts = forecast_portfolio(portfolio, options.today, options.settings, {i.key: i.label for i in items})
    if cache is not None:
        if cache.value is not None:
            _keep_equal(portfolio.results, cache.value[0].results)
            _keep_equal(forecasts, cache.value[1])
        cache.key, cache.value, cache.apart = signature, (portfolio, forecasts), {}
    return portfolio, forecasts


def _schedule_apart(
    items: list[PlanItem], options: SiteOptions, cache: ScheduleCache
) -> tuple[dict[str, ScheduleResult], dict[str, Forecast]]:
    """No plan depends on another feature's phases, so each plan's schedule and forecast are its
    own alone (nothing is drawn between plans, and no plan is on a portfolio's critical path): a
    plan that is the same object as in the last build keeps them, the others are scheduled together."""
    kept: dict[str, tuple[tuple[Any, ...], ScheduleResult, Forecast | None]] = {}
    missing: list[tuple[PlanItem, tuple[Any, ...]]] = []
    for item in items:
        signature = (item.plan, item.path, item.names, item.label, options.today, options.settings)
        last = cache.apart.get(item.key)
        if last is not None and last[0][0] is item.plan and last[0][1:] == signature[1:]:
            kept[item.key] = last
        else:
            missing.append((item, signature))
    if missing:
        portfolio = schedule_portfolio([item for item, _ in missing])
        forecasts = forecast_portfolio(portfolio, options.today, options.settings, {i.key: i.label for i, _ in missing})
        for item, signature in missing:
            kept[item.key] = (signature, portfolio.results[item.key], forecasts.get(item.key))
    kept = {item.key: kept[item.key] for item in items}  # in the plans' order
    cache.apart, cache.key, cache.value = kept, None, None
    results = {key: result for key, (_, result, _) in kept.items()}
    return results, {key: forecast for key, (_, _, forecast) in kept.items() if forecast is not None}


def _keep_equal(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Each result equal to the last build's is the last build's object: the new one is freed at
    once, so a serve rebuild keeps few new objects (and later comparisons start with identity)."""
    for key, value in new.items():
        before = old.get(key)
        if before is not None and before is not value and before == value:
            new[key] = before


def read_history(loaded: LoadedSite, options: SiteOptions, cache: HistoryCache) -> None:
    """Each plan's baseline and history from git; one note per reason for the site, never a failure."""
    pages = [p for p in loaded.pages if p.plan is not None]
    on_disk = [p.source.abs_path for p in pages if p.source.abs_path]
    if not on_disk:
        return
    folder = os.path.dirname(on_disk[0]) or "."
    repo = Repository.open(folder)
    subjects = [Subject(p.source.src_uri, p.source.abs_path, p.source.display_path, p.plan) for p in pages]
    specs = _spec_paths(loaded, options, repo) if not isinstance(repo, str) else {}
    results, notes = read_baselines(
        subjects,
        repo,
        options.baseline,
        options.settings,
        cache,
        with_history=options.history,
        also=tuple(specs.values()),
        known={p.source.text: p.plan for p in pages if p.plan is not None and p.source.text},
    )
    if specs and cache.logs:
        log = next(iter(cache.logs.values()))  # the one log of this build: the plans' and the specs' commits
        for page in pages:
            history = log.get(specs.get(page.source.src_uri, ""))
            if history is not None:
                page.spec_commits = tuple((v.commit, v.date) for v in history.versions)
    for page in pages:
        result = results.get(page.source.src_uri)
        if result is not None:
            page.baseline, page.history = result.baseline, result.history
    loaded.problems += [Problem(HISTORY, None, None, "", note, "info") for note in notes]
    if not isinstance(repo, str):
        read_spec_drift(loaded, options, repo, specs)


def _spec_paths(loaded: LoadedSite, options: SiteOptions, repo: Repository) -> dict[str, str]:
    """Each plan's spec, as a path in the repository (where it is on disk)."""
    out = {}
    for page in loaded.pages:
        feature = loaded.features.get(page.source.folder)
        if feature is None or feature.spec_uri is None or not page.source.abs_path:
            continue
        rel = repo.relative(os.path.join(os.path.dirname(page.source.abs_path), options.siblings.spec))
        if rel is not None:
            out[page.source.src_uri] = rel
    return out


def read_spec_drift(loaded: LoadedSite, options: SiteOptions, repo: Repository, specs: dict[str, str]) -> None:
    """For each plan with a baseline, its spec then and now (the old specs read in one batch);
    `specs` holds each plan's spec as a repository path (from `_spec_paths`)."""
    wanted: dict[str, str] = {}
    for page in loaded.pages:
        commit = page.baseline.commit if page.baseline is not None else None
        feature = loaded.features.get(page.source.folder)
        rel = specs.get(page.source.src_uri)
        if commit is None or feature is None or feature.spec is None or rel is None:
            continue
        wanted[page.source.src_uri] = f"{commit}:{rel}"
    if not wanted:
        return
    blobs = repo.blobs(wanted.values())
    for page in loaded.pages:
        name = wanted.get(page.source.src_uri)
        data = blobs.get(name) if name else None
        if name is None or page.baseline is None or page.baseline.commit is None:
            continue
        if data is not None and _same_as_on_disk(os.path.join(repo.root, name.split(":", 1)[1]), data):
            continue  # the spec has not changed since the baseline
        feature = loaded.features[page.source.folder]
        before = read_spec(data.decode("utf-8", "replace"), options.syntax) if data is not None else None
        page.spec_drift = spec_drift(before.requirements if before else [], feature, page.baseline)


def _same_as_on_disk(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def spec_drift(before: list[Requirement], feature: Feature, baseline: Baseline) -> SpecDrift | None:
    """What changed in a spec's requirements and stories since the baseline (None: nothing)."""
    old = {r.id: " ".join(r.text.split()) for r in before}
    new = {r.id: " ".join(r.text.split()) for r in feature.requirements}
    added = tuple(rid for rid in new if rid not in old)
    removed = tuple(rid for rid in old if rid not in new)
    reworded = tuple(rid for rid in new if rid in old and old[rid] != new[rid])
    if not (added or removed or reworded):
        return None
    _, uncovered = feature.coverage()
    left = tuple(rid for rid in (*added, *reworded) if rid in uncovered)
    assert baseline.commit is not None
    date = baseline.date.isoformat() if baseline.date else None
    return SpecDrift(baseline.commit, date, added, removed, reworded, left)


def _load_one(source: PlanSource, options: SiteOptions, load: Callable[[PlanSource], PlanPage] | None) -> PlanPage:
    try:
        return load(source) if load else load_page(source, options.settings, schedule=False)
    except Exception as exc:
        return PlanPage(source, None, [internal_problem(source.display_path, "loading this plan", exc)])
