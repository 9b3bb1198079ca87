"""Slippage against a baseline taken from git, and the forecast finish by commit. Free of MkDocs.

A plan's baseline is the plan as it was at a revision: a git ref (tag, branch, commit),
``approved`` (the first commit in which its status is ``approved`` or a status after it in
``plan_statuses``) or ``first`` (its first commit). It is scheduled with the same rules as the
plan, together with the other plans' baselines, so dependencies across features count as they
did then. Its history is the forecast finish as of each commit that changed the file, computed
from the file as that commit left it with the commit's date as the build date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from ..core.forecast import forecast_portfolio
from ..core.loader import load_plan
from ..core.model import Plan, Positions, Settings
from ..core.schedule import PlanItem, Schedule, schedule_portfolio, wd_index
from .git import SHALLOW_ADVICE, FileHistory, Repository, Version

SPECIAL_REFS = ("approved", "first")


@dataclass(frozen=True)
class Baseline:
    """What a plan's slip is measured against; ``schedule`` is None when there is none (``note`` says why)."""

    ref: str
    commit: str | None = None
    date: dt.date | None = None
    schedule: Schedule | None = None
    note: str | None = None

    @property
    def short(self) -> str:
        return (self.commit or "")[:7]

    @property
    def label(self) -> str:
        if self.ref == "approved":
            return "approval"
        if self.ref == "first":
            return "the plan's first commit"
        return self.ref


@dataclass(frozen=True)
class HistoryPoint:
    commit: str
    date: dt.date
    end: dt.date  # the forecast finish as of that commit
    status: str | None = None  # the plan's status in that commit
    open_risks: int = 0  # and its open risks

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass(frozen=True)
class PlanHistory:
    points: tuple[HistoryPoint, ...]
    moves: int  # how often the forecast finish changed since the baseline
    shift: int  # working days the finish moved in all since the baseline (negative: earlier)


@dataclass(frozen=True)
class Subject:
    """A plan as this module needs it (a page of the site)."""

    key: str
    path: str | None  # the file on disk
    display: str
    plan: Plan | None


@dataclass
class Result:
    baseline: Baseline
    history: PlanHistory | None = None
    source: str | None = None  # the baseline's content: a blob id or "commit:path"


@dataclass(frozen=True)
class Summary:
    """What the history needs of one version of a plan: its status, and its forecast finish as of a commit date."""

    status: str | None
    ends: dict[dt.date, dt.date | None]
    open_risks: int = 0


@dataclass
class HistoryCache:
    """What stays valid while the repository's HEAD does not move (kept across ``mkdocs serve`` rebuilds).

    Versions are kept as summaries; only the versions chosen as baselines are kept as plans.
    """

    logs: dict[tuple[str, str | None, tuple[str, ...]], dict[str, FileHistory]] = field(default_factory=dict)
    summaries: dict[tuple[str, Settings], Summary | None] = field(default_factory=dict)  # by blob id
    plans: dict[tuple[str, Settings], Plan | None] = field(default_factory=dict)  # by blob id or "commit:path"


def _decoded(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _Reader:
    """The versions a site's plans need: fetched in one git cat-file, each parsed once."""

    def __init__(self, repo: Repository, settings: Settings, cache: HistoryCache, known: dict[str, Plan] | None = None) -> None:
        self.repo, self.settings, self.cache = repo, settings, cache
        self.known = known or {}  # plans loaded already, by their text: a version with the same text is that plan
        self.texts: dict[str, bytes | None] = {}
        self.display: dict[str, str] = {}
        self._recent: tuple[str, Plan | None] | None = None  # the version parsed last, if it is chosen next

    def load(self, names: list[str], display: dict[str, str]) -> None:
        """Fetch what no summary or plan is cached for yet."""
        self.display.update(display)
        missing = [
            n
            for n in dict.fromkeys(names)
            if (n, self.settings) not in self.cache.summaries and (n, self.settings) not in self.cache.plans
        ]
        self.texts.update(self.repo.blobs(missing))

    def _parse(self, name: str) -> Plan | None:
        if self._recent is not None and self._recent[0] == name:
            return self._recent[1]
        if name not in self.texts:
            self.texts.update(self.repo.blobs([name]))
        text = _decoded(self.texts.get(name))
        plan = self.known.get(text) if text is not None else None
        if plan is not None:  # the version is the file as it is now: loaded already (not changed here)
            self._recent = (name, plan)
            return plan
        if text is not None and len(text) < 4_000_000:
            plan = load_plan(text, self.display.get(name, name), self.settings).plan
            if plan is not None:
                plan.positions = Positions()  # only its schedule is needed: the lines of its problems are not
        self._recent = (name, plan)
        return plan

    def summary(self, name: str, day: dt.date) -> Summary | None:
        """The version's status and its forecast finish as of ``day`` (its commit's date)."""
        key = (name, self.settings)
        summary = self.cache.summaries.get(key)
        if summary is not None and day in summary.ends:
            return summary
        if key in self.cache.summaries and summary is None:
            return None
        plan = self._parse(name)
        if plan is None:
            self.cache.summaries[key] = None
            return None
        ends = dict(summary.ends) if summary else {}
        portfolio = schedule_portfolio([PlanItem(name, plan, name)], across=False)
        forecast = forecast_portfolio(portfolio, day, self.settings).get(name)
        ends[day] = forecast.end if forecast else None
        risks = sum(1 for r in plan.risks if r.status in self.settings.open_risk_statuses)
        summary = self.cache.summaries[key] = Summary(plan.status, ends, risks)
        return summary

    def plan(self, name: str) -> Plan | None:
        """A version as a plan (a baseline), kept."""
        key = (name, self.settings)
        if key not in self.cache.plans:
            self.cache.plans[key] = self._parse(name)
        return self.cache.plans[key]


def _approved(versions: list[Version], reader: _Reader) -> Version | None:
    statuses = reader.settings.plan_statuses
    if "approved" not in statuses:
        return None
    rank = statuses.index("approved")
    for version in versions:
        summary = reader.summary(version.blob, version.date) if version.blob else None
        if summary is not None and summary.status in statuses and statuses.index(summary.status) >= rank:
            return version
    return None


def _choose(ref: str, history: FileHistory, reader: _Reader) -> tuple[Version | None, str | None]:
    """The version that is the baseline for ``approved`` or ``first``, or why there is none."""
    versions = [v for v in history.versions if v.blob]
    if not versions:
        return None, "the plan is not committed yet"
    version = versions[0] if ref == "first" else _approved(versions, reader)
    shallow = f"the clone is shallow and the plan's earlier history is missing; {SHALLOW_ADVICE}"
    if history.truncated and (version is None or version is versions[0]):
        return None, shallow
    if version is None:
        return None, "the plan has not been approved in any commit yet (status approved or later)"
    return version, None


def _history(points: list[HistoryPoint], baseline: Baseline, since: dt.date | None) -> PlanHistory:
    after = [p for p in points if since is None or p.date >= since]
    ends = ([baseline.schedule.end] if baseline.schedule else []) + [p.end for p in after]
    moves = sum(1 for a, b in itertools.pairwise(ends) if a != b)
    shift = wd_index(ends[-1]) - wd_index(ends[0]) if ends else 0
    return PlanHistory(tuple(points), moves, shift)


def read_baselines(
    subjects: list[Subject],
    repo: Repository | str,
    default_ref: str,
    settings: Settings,
    cache: HistoryCache,
    *,
    with_history: bool = True,
    also: tuple[str, ...] = (),
    known: dict[str, Plan] | None = None,
) -> tuple[dict[str, Result], list[str]]:
    """Each plan's baseline and history; and the site's notes (one line per reason, not per plan).
    ``also``: other files (paths in the repository) whose commits the same one git log reads;
    their histories are in ``cache.logs``."""
    plans = [s for s in subjects if s.plan is not None]
    if isinstance(repo, str):
        return {s.key: Result(Baseline(_ref(s, default_ref), note=repo)) for s in plans}, [f"no baselines: {repo}"]
    rel = {s.key: repo.relative(s.path) if s.path else None for s in plans}
    paths = tuple(sorted({r for r in rel.values() if r} | set(also)))
    log_key = (repo.root, repo.head, paths)
    if log_key not in cache.logs:
        cache.logs = {log_key: repo.log(paths)}  # only the newest log is kept
    histories = cache.logs[log_key]
    reader = _Reader(repo, settings, cache, known)
    wanted: list[str] = []
    display: dict[str, str] = {}
    for s in plans:
        r = rel[s.key]
        ref = _ref(s, default_ref)
        if r is None:
            continue
        for v in histories[r].versions if with_history or ref in SPECIAL_REFS else ():
            if v.blob:
                wanted.append(v.blob)
                display[v.blob] = f"{s.display}@{v.commit[:7]}"
        if ref not in SPECIAL_REFS and (commit := repo.resolve(ref)):
            wanted.append(f"{commit}:{r}")
            display[f"{commit}:{r}"] = f"{s.display}@{ref}"
    reader.load(wanted, display)
    results: dict[str, Result] = {}
    notes: dict[str, int] = {}
    for s in plans:
        result = _one(s, rel[s.key], histories, reader, default_ref, with_history)
        results[s.key] = result
        if result.baseline.note:
            notes[result.baseline.note] = notes.get(result.baseline.note, 0) + 1
    _schedule_baselines(plans, results, reader)
    for s in plans:
        result = results[s.key]
        if result.history is not None:
            since = result.baseline.date
            results[s.key].history = _history(list(result.history.points), result.baseline, since)
    site_notes = [f"{n} plan{'s' if n != 1 else ''} without a baseline: {note}" for note, n in notes.items()]
    return results, site_notes


def _ref(subject: Subject, default_ref: str) -> str:
    own = subject.plan.baseline if subject.plan else None
    return (own or default_ref).strip()


def _one(
    s: Subject, rel: str | None, histories: dict[str, FileHistory], reader: _Reader, default_ref: str, with_history: bool
) -> Result:
    ref = _ref(s, default_ref)
    if rel is None:
        return Result(Baseline(ref, note="the plan is outside the git repository"))
    history = histories.get(rel, FileHistory())
    result = _baseline_of(ref, rel, history, reader)
    if with_history:
        points = []
        for v in history.versions:
            summary = reader.summary(v.blob, v.date) if v.blob else None
            end = summary.ends.get(v.date) if summary else None
            if end is not None and summary is not None:
                points.append(HistoryPoint(v.commit, v.date, end, summary.status, summary.open_risks))
        result.history = PlanHistory(tuple(points), 0, 0)
    return result


def _baseline_of(ref: str, rel: str, history: FileHistory, reader: _Reader) -> Result:
    """The baseline a ref names, its plan kept in the cache; or why there is none."""
    if ref in SPECIAL_REFS:
        version, note = _choose(ref, history, reader)
        if version is None or version.blob is None or reader.plan(version.blob) is None:
            return Result(Baseline(ref, note=note or "the plan at the baseline could not be read"))
        return Result(Baseline(ref, version.commit, version.date), None, version.blob)
    commit = reader.repo.resolve(ref)
    if commit is None:
        shallow = f" (the clone is shallow; {SHALLOW_ADVICE})" if reader.repo.shallow else ""
        return Result(Baseline(ref, note=f'the ref "{ref}" does not exist in the repository{shallow}'))
    if reader.plan(f"{commit}:{rel}") is None:
        return Result(Baseline(ref, commit, note=f'the plan did not exist at "{ref}" (or could not be read there)'))
    return Result(Baseline(ref, commit, _commit_date(history, commit)), None, f"{commit}:{rel}")


def _commit_date(history: FileHistory, commit: str) -> dt.date | None:
    return next((v.date for v in history.versions if v.commit == commit), None)


def _schedule_baselines(plans: list[Subject], results: dict[str, Result], reader: _Reader) -> None:
    """Schedule every baseline together; a plan without one stands in with its current version."""
    items = []
    for s in plans:
        source = results[s.key].source
        plan = reader.plan(source) if source else None
        current = plan is None
        plan = plan or s.plan
        assert plan is not None
        folder = s.key.rsplit("/", 2)[-2] if s.key.count("/") >= 1 else ""
        names = tuple(dict.fromkeys(n for n in (plan.feature_id, folder) if n))
        items.append((s, current, PlanItem(s.key, plan, s.display, names, plan.feature_id or folder)))
    portfolio = schedule_portfolio([item for _, _, item in items])
    for s, current, item in items:
        if not current:
            b = results[s.key].baseline
            schedule = portfolio.results[item.key].schedule
            note = None if schedule else "the plan at the baseline has no schedule"
            results[s.key].baseline = Baseline(b.ref, b.commit, b.date, schedule, note)
