"""The records a build passes along: a plan's source, what loading, linking and scheduling made of
it, and the typed context linking gives its page. Free of MkDocs and of any markup."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.forecast import Forecast
from ..core.loader import load_plan
from ..core.model import Decision, Phase, Plan, Problem, Risk, Settings, quote_value, sort_problems
from ..core.schedule import CrossEdge, Schedule, schedule_plan
from ..history.baseline import Baseline, PlanHistory
from ..speckit.documents import Principle, Requirement, TaskProgress
from ..support.text import slug


@dataclass(frozen=True)
class PlanSource:
    """A plan file as found in the site: where it is and what it says."""

    src_uri: str  # site path of the YAML file, e.g. "specs/001-x/plan.yaml"
    text: str
    display_path: str  # how problems name the file (relative to docs_dir)
    error: str | None = None  # why the file could not be read (its page shows it)
    abs_path: str | None = None  # the file on disk, when there is one (its git history is read from there)
    edit_uri: str | None = None  # where "edit this page" leads (the YAML source), when the builder says

    @property
    def page_uri(self) -> str:
        return posixpath.join(posixpath.dirname(self.src_uri), "plan.md")

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.src_uri)


@dataclass(frozen=True)
class Link:
    """A link as the page writes it: a label and an href relative to the page's source."""

    name: str
    href: str


@dataclass
class FeatureLinks:
    """The feature's documents that exist beside the plan."""

    documents: list[tuple[str, Link]] = field(default_factory=list)  # (label, link) for the header
    data_model: Link | None = None
    contracts: list[Link] = field(default_factory=list)


class Anchors:
    """Stable element IDs on a plan page, shared by the page and the dashboard."""

    @staticmethod
    def phase(phase: Phase) -> str:
        return f"phase-{phase.number}"

    @staticmethod
    def risk(risk: Risk) -> str:
        return "risk-" + (slug(risk.id) if risk.id else str(risk.index + 1))

    @staticmethod
    def decision(decision: Decision) -> str:
        return "decision-" + (slug(decision.id) if decision.id else str(decision.index + 1))


@dataclass(frozen=True)
class PlaceLink:
    """Where on the plan page a requirement is mentioned: a label, and the anchor of that place ("" if none)."""

    label: str
    anchor: str = ""


@dataclass
class TraceRow:
    requirement: Requirement
    href: str  # from the plan page
    where: list[PlaceLink] = field(default_factory=list)  # places in the plan that mention it
    tasks: list[tuple[str, str]] = field(default_factory=list)  # (task ID, href) of the tasks that carry it

    @property
    def covered(self) -> bool:
        return bool(self.where or self.tasks)


@dataclass
class Traceability:
    spec_name: str
    spec_href: str
    rows: list[TraceRow]

    @property
    def covered(self) -> list[TraceRow]:
        return [r for r in self.rows if r.covered]

    @property
    def uncovered(self) -> list[TraceRow]:
        return [r for r in self.rows if not r.covered]


@dataclass(frozen=True)
class PhaseTasks:
    """The tasks of one plan phase: its ``## Phase N`` group and the ``Phase N.M`` groups under it."""

    done: int
    total: int
    subgroups: tuple[tuple[str, int, int], ...] = ()  # (title, done, total)


@dataclass(frozen=True)
class ConstitutionLinks:
    """The constitution as a plan page links to it."""

    src_uri: str
    href: str  # from the plan page
    principles: tuple[Principle, ...]


@dataclass
class FeatureContext:
    """What linking a plan to its feature's documents and the constitution gives its page."""

    links: FeatureLinks = field(default_factory=FeatureLinks)
    tasks: TaskProgress | None = None
    tasks_href: str = "tasks.md"
    tasks_linked: bool = False  # the feature has a tasks file the header links to
    phase_tasks: dict[int, PhaseTasks] = field(default_factory=dict)
    traceability: Traceability | None = None
    mention_targets: dict[str, str] = field(default_factory=dict)  # ID -> href from the plan page
    constitution: ConstitutionLinks | None = None
    uncovered_stories: list[str] | None = None
    uncovered_criteria: list[str] | None = None


@dataclass(frozen=True)
class SpecDrift:
    """How the spec moved under its plan since the plan's baseline (its approval)."""

    commit: str
    date: str | None  # YYYY-MM-DD
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reworded: tuple[str, ...] = ()  # the text changed beyond white space and Markdown markup
    uncovered: tuple[str, ...] = ()  # of the added and reworded, those neither the plan nor the tasks carry

    @property
    def short(self) -> str:
        return self.commit[:7]

    def sentence(self) -> str:
        """ "FR-011 added, FR-004 reworded; not covered by the plan: FR-011"."""
        parts = [
            f"{', '.join(ids)} {what}"
            for ids, what in ((self.added, "added"), (self.removed, "removed"), (self.reworded, "reworded"))
            if ids
        ]
        text = ", ".join(parts)
        return text + (f"; not covered by the plan or the tasks: {', '.join(self.uncovered)}" if self.uncovered else "")


class PageFacts:
    """What a plan's page says of its problems and title (a :class:`PlanPage`, or a page's inputs)."""

    source: PlanSource
    plan: Plan | None
    problems: Sequence[Problem]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def infos(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "warning"]

    @property
    def title(self) -> str:
        if self.plan and self.plan.feature_name:
            return self.plan.feature_name
        return posixpath.basename(self.source.folder) or "plan"


@dataclass
class PlanPage(PageFacts):
    """Everything computed from one plan source."""

    source: PlanSource
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    schedule: Schedule | None = None
    forecast: Forecast | None = None
    baseline: Baseline | None = None
    history: PlanHistory | None = None
    waits_on: list[CrossEdge] = field(default_factory=list)  # dependencies on other plans' phases
    needed_by: list[CrossEdge] = field(default_factory=list)  # other plans' phases that wait on this one
    feature: FeatureContext | None = None  # set by linking
    spec_drift: SpecDrift | None = None  # the spec's changes since the plan's baseline
    spec_commits: tuple[tuple[str, dt.date], ...] = ()  # (commit, day) of each commit that changed the spec

    def add_problem(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.problems[:] = sort_problems(self.problems)


def load_page(source: PlanSource, settings: Settings, *, schedule: bool = True) -> PlanPage:
    """Load, validate and (unless a site schedules its plans together) schedule one source alone."""
    if source.error is not None:
        return PlanPage(source, None, [Problem(source.display_path, None, None, "", source.error)])
    result = load_plan(source.text, source.display_path, settings)
    page = PlanPage(source, result.plan, list(result.problems))
    if result.plan is not None and schedule:
        scheduled = schedule_plan(result.plan, source.display_path)
        page.schedule = scheduled.schedule
        page.problems = sort_problems(page.problems + scheduled.problems)
    return page


def internal_problem(path: str, stage: str, exc: BaseException) -> Problem:
    """An unexpected failure, reported as a problem of the file it happened on."""
    detail = quote_value(f"{type(exc).__name__}: {exc}")
    return Problem(path, None, None, "", f"internal error while {stage} ({detail}); please report it")
