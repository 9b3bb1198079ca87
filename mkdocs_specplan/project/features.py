"""Feature folders: which documents they hold, what those say, and what covers what.

A feature is a folder that holds a spec, a plan (``plan.yaml`` or a hand-written ``plan.md``) or
tasks. Free of MkDocs: the site is seen through :class:`SiteFiles`, a set of paths and a reader.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.checklist import PrincipleItem
from ..core.model import Problem
from ..speckit.documents import (
    IdSyntax,
    Principle,
    Progress,
    Requirement,
    Spec,
    TaskProgress,
    mentions_in_markdown,
    read_checklist,
    read_spec,
    read_tasks,
)
from ..support.incremental import memo
from ..support.paths import site_relpath
from .records import PlanPage, Traceability

LIFECYCLE = ("specified", "planned", "tasks ready", "implementing", "implemented")
DOCUMENT_KINDS = ("spec", "plan", "research", "data_model", "quickstart", "contracts", "tasks", "checklists")
_FOLDER_RE = re.compile(r"^(?P<id>\d+(?:-\d+)*)(?:[-_ ](?P<slug>.*))?$")


@dataclass(frozen=True)
class Siblings:
    """File names of a feature's documents, relative to its folder."""

    spec: str = "spec.md"
    data_model: str = "data-model.md"
    contracts: str = "contracts"
    research: str = "research.md"
    quickstart: str = "quickstart.md"
    tasks: str = "tasks.md"
    checklists: str = "checklists"
    plan_markdown: str = "plan.md"


@dataclass
class SiteFiles:
    """The site's files by path, and a way to read the text of one (None: absent or unreadable)."""

    uris: set[str]
    read: Callable[[str], str | None]
    _sorted: list[str] = field(default_factory=list, repr=False)

    def under(self, folder: str) -> list[str]:
        """Every file below a folder, sorted (a binary search, not a scan of the site)."""
        if len(self._sorted) != len(self.uris):
            self._sorted = sorted(self.uris)
        prefix = folder.rstrip("/") + "/"
        out = []
        for uri in self._sorted[bisect_left(self._sorted, prefix) :]:
            if not uri.startswith(prefix):
                break
            out.append(uri)
        return out


@dataclass
class Constitution:
    src_uri: str
    principles: list[Principle]

    @property
    def names(self) -> dict[str, str]:
        """Names of the first group's principles by numeral (Articles I, II, ...)."""
        return {p.numeral: p.name for p in self.principles if not p.group}

    def checklist_items(self) -> list[PrincipleItem]:
        return [PrincipleItem(p.key, p.label, p.name) for p in self.principles]


@dataclass(frozen=True)
class Place:
    """Where something is carried: a label, and the page (site path) and anchor to link to."""

    label: str
    uri: str
    anchor: str = ""
    other_feature: bool = False  # a plan of another feature mentions it: shown, not counted as coverage

    def href_from(self, page_uri: str) -> str:
        href = relative(self.uri, page_uri)
        return f"{href}#{self.anchor}" if self.anchor else href


def _without_folder(title: str, folder: str) -> str:
    """A title that starts with its folder's name as a prefix ("SPEC-1d62511e: Name"): the name."""
    for separator in (":", "：", " - ", " – ", " — "):
        if folder and title.startswith(folder + separator) and title[len(folder) + len(separator) :].strip():
            return title[len(folder) + len(separator) :].strip()
    return title


def relative(target_uri: str, page_uri: str) -> str:
    """A Markdown link from one page's source to another's."""
    if target_uri == page_uri:
        return ""
    return site_relpath(target_uri, posixpath.dirname(page_uri))


@dataclass(frozen=True)
class Documents:
    """What reading a feature's folder found: everything later stages know of its documents. A
    feature read from equal documents is linked the same way (serve keeps it while they are)."""

    folder: str  # site path, e.g. "specs/001-x"
    display_folder: str  # as problems name it (from docs_dir)
    uris: tuple[tuple[str, str], ...] = ()  # (document kind, site path)
    contract_uris: tuple[str, ...] = ()
    checklist_uris: tuple[str, ...] = ()
    plan_kind: str | None = None  # "yaml", "markdown" or None
    spec: Spec | None = None
    tasks: TaskProgress | None = None
    checklists: Progress | None = None
    plan_markdown_mentions: tuple[str, ...] = ()


@dataclass
class Feature:
    """One feature folder and what its documents say."""

    folder: str  # site path, e.g. "specs/001-x"
    display_folder: str  # as problems name it (from docs_dir)
    folder_id: str | None
    slug: str
    plan_page: PlanPage | None = None
    found: Documents | None = None  # what reading its folder found
    planned: dict[str, list[Place]] = field(default_factory=dict)  # requirement ID -> places in the plan
    elsewhere: dict[str, str] = field(default_factory=dict)  # ID defined in another feature -> its spec's site path
    problems: list[Problem] = field(default_factory=list)
    traceability: Traceability | None = None

    # -- what reading found ---------------------------------------------------------------------
    def _read(self) -> Documents:
        return self.found if self.found is not None else Documents(self.folder, self.display_folder)

    @property
    def uris(self) -> dict[str, str]:
        return memo(self._read(), "uris", lambda: dict(self._read().uris))

    @property
    def contract_uris(self) -> list[str]:
        return list(self._read().contract_uris)

    @property
    def checklist_uris(self) -> list[str]:
        return list(self._read().checklist_uris)

    @property
    def plan_kind(self) -> str | None:
        return self._read().plan_kind

    @property
    def spec(self) -> Spec | None:
        return self._read().spec

    @property
    def tasks(self) -> TaskProgress | None:
        return self._read().tasks

    @property
    def checklists(self) -> Progress | None:
        return self._read().checklists

    @property
    def plan_markdown_mentions(self) -> list[str]:
        return list(self._read().plan_markdown_mentions)

    # -- names ----------------------------------------------------------------------------------
    @property
    def id(self) -> str | None:
        plan = self.plan_page.plan if self.plan_page else None
        return (plan.feature_id if plan and plan.feature_id else None) or self.folder_id

    @property
    def name(self) -> str:
        plan = self.plan_page.plan if self.plan_page else None
        if plan and plan.feature_name:
            return plan.feature_name
        if self.spec and self.spec.title:
            return _without_folder(self.spec.title, posixpath.basename(self.folder))
        return self.slug

    # -- documents ------------------------------------------------------------------------------
    @property
    def spec_uri(self) -> str | None:
        return self.uris.get("spec")

    @property
    def data_model_uri(self) -> str | None:
        return self.uris.get("data_model")

    @property
    def research_uri(self) -> str | None:
        return self.uris.get("research")

    @property
    def quickstart_uri(self) -> str | None:
        return self.uris.get("quickstart")

    @property
    def tasks_uri(self) -> str | None:
        return self.uris.get("tasks")

    @property
    def plan_uri(self) -> str | None:
        """The plan page's site path (generated from plan.yaml, or the hand-written plan.md)."""
        return self.uris.get("plan")

    @property
    def documents(self) -> list[str]:
        present = set(self.uris)
        if self.contract_uris:
            present.add("contracts")
        if self.checklist_uris:
            present.add("checklists")
        return [kind for kind in DOCUMENT_KINDS if kind in present]

    @property
    def requirements(self) -> list[Requirement]:
        return self.spec.requirements if self.spec else []

    @property
    def clarifications(self) -> int:
        return self.spec.clarifications if self.spec else 0

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def lifecycle_stage(self) -> str:
        tasks = self.tasks
        if tasks is not None and tasks.total:
            if tasks.done == tasks.total and tasks.checkboxes:
                return "implemented"
            return "implementing" if tasks.done else "tasks ready"
        if self.plan_kind:
            return "planned"
        return "specified" if self.spec_uri else "planned" if self.tasks_uri else "specified"

    @property
    def stage(self) -> str:
        """The plan's own status where a plan.yaml sets one, else the lifecycle stage."""
        plan = self.plan_page.plan if self.plan_page else None
        return plan.status if plan and plan.status else self.lifecycle_stage

    # -- coverage -------------------------------------------------------------------------------
    def task_ids_for(self, requirement_id: str) -> list[str]:
        return list(self._tasks_by_ref().get(requirement_id, ()))

    def _tasks_by_ref(self) -> dict[str, list[str]]:
        return tasks_by_ref(self.tasks)

    def coverage(self) -> tuple[int, list[str]]:
        """(covered count, uncovered IDs) over the spec's requirements and stories: a requirement
        is covered when one of its own tasks carries it or its own plan mentions it."""
        by_ref, planned = self._tasks_by_ref(), self.planned
        uncovered = [
            r.id for r in self.requirements if r.id not in by_ref and not any(not p.other_feature for p in planned.get(r.id, ()))
        ]
        return len(self.requirements) - len(uncovered), uncovered

    # -- traced by story: spec-kit's tasks carry [US1] labels, rarely requirement IDs ---------------
    @property
    def traced_by_story(self) -> bool:
        """Its tasks carry story labels and no requirement ID: coverage is read by story first."""
        tasks = self.tasks
        if tasks is None:
            return False
        refs = [r for t in tasks.tasks for r in t.refs]
        return any(r.startswith("US") for r in refs) and not any(not r.startswith("US") for r in refs)

    def story_progress(self) -> tuple[int, int, int, int]:
        """(stories with tasks, stories, tasks done, tasks carrying a story) over the spec's stories."""
        stories = [r.id for r in self.requirements if r.kind == "story"]
        tasks = self.tasks.tasks if self.tasks else []
        carried = [t for t in tasks if any(r in stories for r in t.refs)]
        with_tasks = sum(1 for s in stories if any(s in t.refs for t in carried))
        return with_tasks, len(stories), sum(1 for t in carried if t.done), len(carried)

    def untraced(self) -> list[str]:
        """Requirements (not stories) nothing in the feature names: where its tasks carry story
        labels, these are not traced rather than uncovered."""
        if not self.traced_by_story:
            return []
        _, uncovered = self.coverage()
        kinds = {r.id: r.kind for r in self.requirements}
        return [rid for rid in uncovered if kinds.get(rid) == "requirement"]


def tasks_by_ref(tasks: TaskProgress | None) -> dict[str, list[str]]:
    """Which tasks carry each requirement, in the tasks' order (worked out once per tasks file)."""
    return memo(tasks, "by_ref", lambda: _task_ids_by_ref(tasks)) if tasks is not None else {}


def _task_ids_by_ref(tasks: TaskProgress) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for task in tasks.tasks:
        for ref in dict.fromkeys(task.refs):
            out.setdefault(ref, []).append(task.id)
    return out


def parse_folder_name(name: str) -> tuple[str | None, str]:
    """``001-x`` -> ("001", "x"); ``20260319-143022-x`` -> ("20260319-143022", "x"); ``x`` -> (None, "x")."""
    match = _FOLDER_RE.match(name)
    if not match:
        return None, name
    return match["id"], match["slug"] or name


def discover_features(
    uris: set[str], siblings: Siblings, plan_folders: dict[str, PlanPage], display: Callable[[str], str]
) -> dict[str, Feature]:
    """Every folder that holds a spec, a plan or tasks, by site path (the site's root never is one)."""
    markers = {siblings.spec, siblings.tasks, siblings.plan_markdown}
    folders: set[str] = set(plan_folders)
    for uri in uris:
        folder, name = posixpath.split(uri)
        if name in markers and folder:
            folders.add(folder)
    out: dict[str, Feature] = {}
    for folder in sorted(folders):
        if not folder and folder not in plan_folders:
            continue
        fid, slug = parse_folder_name(posixpath.basename(folder) or "plan")
        out[folder] = Feature(folder, display(folder), fid, slug, plan_page=plan_folders.get(folder))
    return out


def read_feature(
    feature: Feature,
    site: SiteFiles,
    siblings: Siblings,
    syntax: IdSyntax,
    cache: Callable[[str, str, Callable[[str], Any]], Any] | None = None,
) -> None:
    """Find the feature's documents and read its spec, tasks, checklists and hand-written plan."""

    def parsed(kind: str, uri: str, reader: Callable[[str], Any]) -> Any:
        text = site.read(uri)
        if text is None:
            return None
        return cache(kind, text, reader) if cache else reader(text)

    folder = feature.folder
    uris: dict[str, str] = {}
    for kind in ("spec", "research", "data_model", "quickstart", "tasks"):
        uri = posixpath.normpath(posixpath.join(folder, getattr(siblings, kind)))
        if uri in site.uris:
            uris[kind] = uri
    checklist_uris = tuple(u for u in site.under(posixpath.join(folder, siblings.checklists)) if u.endswith(".md"))
    plan_kind: str | None = None
    mentions: list[str] = []
    if feature.plan_page is not None:
        plan_kind, uris["plan"] = "yaml", feature.plan_page.source.page_uri
    else:
        uri = posixpath.join(folder, siblings.plan_markdown)
        if uri in site.uris:
            plan_kind, uris["plan"] = "markdown", uri
            mentions = parsed("plan-mentions", uri, lambda text: mentions_in_markdown(text, syntax)) or []
            for rid in mentions:
                feature.planned.setdefault(rid, []).append(Place("Plan", uri))
    spec = parsed("spec", uris["spec"], lambda text: read_spec(text, syntax)) or Spec() if "spec" in uris else None
    tasks = parsed("tasks", uris["tasks"], lambda text: read_tasks(text, syntax)) or TaskProgress() if "tasks" in uris else None
    checklists = None
    if checklist_uris:
        checklists = Progress()
        for uri in checklist_uris:
            progress = parsed("checklist", uri, read_checklist)
            if progress is not None:
                checklists.done += progress.done
                checklists.total += progress.total
    feature.found = Documents(
        feature.folder,
        feature.display_folder,
        tuple(uris.items()),
        tuple(site.under(posixpath.join(folder, siblings.contracts))),
        checklist_uris,
        plan_kind,
        spec,
        tasks,
        checklists,
        tuple(mentions),
    )


def requirement_index(features: list[Feature]) -> dict[str, list[Feature]]:
    """Which features' specs define each ID."""
    index: dict[str, list[Feature]] = {}
    for feature in features:
        for requirement in feature.requirements:
            index.setdefault(requirement.id, []).append(feature)
    return index


def duplicate_ids(features: list[Feature]) -> dict[str, list[Feature]]:
    """Feature IDs that more than one folder uses."""
    by_id: dict[str, list[Feature]] = {}
    for feature in features:
        if feature.id:
            by_id.setdefault(feature.id, []).append(feature)
    return {fid: same for fid, same in by_id.items() if len(same) > 1}
