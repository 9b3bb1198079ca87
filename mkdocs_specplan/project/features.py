"""Feature folders: what their Markdown says, how a plan links to them, and what covers what.

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
from ..core.model import Decision, Problem, memo, quote_value
from ..core.trace import find_mentions
from ..markdown.annotate import Trace
from ..speckit.documents import (
    IdSyntax,
    Principle,
    Progress,
    Requirement,
    Spec,
    TaskProgress,
    anchor_of,
    mentions_in_markdown,
    read_checklist,
    read_spec,
    read_tasks,
    resolve_principle,
)
from ..support.paths import site_relpath
from ..views.renderer import md_escape
from .records import Anchors, FeatureLinks, Link, PlanPage

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


def relative(target_uri: str, page_uri: str) -> str:
    """A Markdown link from one page's source to another's."""
    if target_uri == page_uri:
        return ""
    return site_relpath(target_uri, posixpath.dirname(page_uri))


@dataclass
class TraceRow:
    requirement: Requirement
    href: str  # from the plan page
    where: list[str] = field(default_factory=list)  # Markdown links: places in the plan that mention it
    tasks: list[str] = field(default_factory=list)  # Markdown links to the tasks that carry it


@dataclass
class Traceability:
    spec_name: str
    spec_href: str
    rows: list[TraceRow]

    @property
    def covered(self) -> list[TraceRow]:
        return [r for r in self.rows if r.where or r.tasks]

    @property
    def uncovered(self) -> list[TraceRow]:
        return [r for r in self.rows if not (r.where or r.tasks)]


@dataclass
class Feature:
    """One feature folder and what its documents say."""

    folder: str  # site path, e.g. "specs/001-x"
    display_folder: str  # as problems name it (from docs_dir)
    folder_id: str | None
    slug: str
    uris: dict[str, str] = field(default_factory=dict)  # document kind -> site path
    contract_uris: list[str] = field(default_factory=list)
    checklist_uris: list[str] = field(default_factory=list)
    plan_kind: str | None = None  # "yaml", "markdown" or None
    plan_page: PlanPage | None = None
    spec: Spec | None = None
    tasks: TaskProgress | None = None
    checklists: Progress | None = None
    plan_markdown_mentions: list[str] = field(default_factory=list)
    planned: dict[str, list[Place]] = field(default_factory=dict)  # requirement ID -> places in the plan
    elsewhere: dict[str, str] = field(default_factory=dict)  # ID defined in another feature -> its spec's site path
    problems: list[Problem] = field(default_factory=list)
    links: FeatureLinks = field(default_factory=FeatureLinks)
    traceability: Traceability | None = None

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
            return self.spec.title
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
        tasks = self.tasks
        return memo(tasks, "by_ref", lambda: _task_ids_by_ref(tasks)) if tasks is not None else {}

    def coverage(self) -> tuple[int, list[str]]:
        """(covered count, uncovered IDs) over the spec's requirements and stories: a requirement
        is covered when one of its own tasks carries it or its own plan mentions it."""
        by_ref, planned = self._tasks_by_ref(), self.planned
        uncovered = [
            r.id for r in self.requirements if r.id not in by_ref and not any(not p.other_feature for p in planned.get(r.id, ()))
        ]
        return len(self.requirements) - len(uncovered), uncovered


def _task_ids_by_ref(tasks: TaskProgress) -> dict[str, list[str]]:
    """Which tasks carry each requirement, in the tasks' order."""
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
    for kind in ("spec", "research", "data_model", "quickstart", "tasks"):
        uri = posixpath.normpath(posixpath.join(folder, getattr(siblings, kind)))
        if uri in site.uris:
            feature.uris[kind] = uri
    feature.contract_uris = site.under(posixpath.join(folder, siblings.contracts))
    feature.checklist_uris = [u for u in site.under(posixpath.join(folder, siblings.checklists)) if u.endswith(".md")]
    if feature.plan_page is not None:
        feature.plan_kind = "yaml"
        feature.uris["plan"] = feature.plan_page.source.page_uri
    else:
        uri = posixpath.join(folder, siblings.plan_markdown)
        if uri in site.uris:
            feature.plan_kind = "markdown"
            feature.uris["plan"] = uri
            mentions = parsed("plan-mentions", uri, lambda text: mentions_in_markdown(text, syntax))
            feature.plan_markdown_mentions = mentions or []
            for rid in feature.plan_markdown_mentions:
                feature.planned.setdefault(rid, []).append(Place("Plan", uri))
    if feature.spec_uri:
        feature.spec = parsed("spec", feature.spec_uri, lambda text: read_spec(text, syntax)) or Spec()
    if feature.tasks_uri:
        feature.tasks = parsed("tasks", feature.tasks_uri, lambda text: read_tasks(text, syntax)) or TaskProgress()
    if feature.checklist_uris:
        total = Progress()
        for uri in feature.checklist_uris:
            progress = parsed("checklist", uri, read_checklist)
            if progress is not None:
                total.done += progress.done
                total.total += progress.total
        feature.checklists = total


def requirement_index(features: list[Feature]) -> dict[str, list[Feature]]:
    """Which features' specs define each ID."""
    index: dict[str, list[Feature]] = {}
    for feature in features:
        for requirement in feature.requirements:
            index.setdefault(requirement.id, []).append(feature)
    return index


SECTION_OF_FIELD = {
    "feature_name": "Title",
    "plan_summary": "Executive Summary",
    "technical_approach": "Technical Approach",
    "tech_stack": "Technology Stack",
    "tech_stack_text": "Technology Stack",
    "architecture_description": "High-Level Architecture",
    "data_flow_description": "Data Flow",
    "data_model_description": "Data Model",
    "api_contract_description": "API Contracts",
    "test_data_strategy": "Test Data Strategy",
    "acceptance_testing": "Acceptance Testing",
    "security_considerations": "Security Considerations",
    "performance_considerations": "Performance Considerations",
    "deployment_strategy": "Deployment Strategy",
    "rollout_plan": "Rollout Plan",
    "rollback_plan": "Rollback Plan",
    "logging_strategy": "Logging Strategy",
    "alerting_strategy": "Alerting",
    "prerequisites": "Required Before Starting",
    "documentation_items": "Documentation Requirements",
}
_LIST_LABELS = {
    "components": "Component",
    "test_levels": "Test level",
    "performance_targets": "Performance target",
    "metrics": "Metric",
    "external_dependencies": "External dependency",
}
_FIELD_RE = re.compile(r"^(\w+)(?:\[(\d+)\])?")


def place_of(page: PlanPage, fieldpath: str) -> tuple[str, str]:
    """A label and an anchor on the plan page (or "") for a field path."""
    plan = page.plan
    assert plan is not None
    match = _FIELD_RE.match(fieldpath)
    if not match:
        return fieldpath, ""
    name, index = match.group(1), match.group(2)
    if index is not None:
        i = int(index)
        if name == "phases" and i < len(plan.phases):
            ph = plan.phases[i]
            return f"Phase {ph.number}", Anchors.phase(ph)
        if name == "risks" and i < len(plan.risks):
            r = plan.risks[i]
            return f"Risk {r.id or i + 1}", Anchors.risk(r)
        if name == "technical_decisions" and i < len(plan.technical_decisions):
            d = plan.technical_decisions[i]
            return f"Decision {d.id or i + 1}", Anchors.decision(d)
        items = getattr(plan, name, [])
        item = items[i] if i < len(items) else None
        label = getattr(item, "name", None) or getattr(item, "level", None) or getattr(item, "metric", None)
        section = _LIST_LABELS.get(name)
        if section and label:
            return f"{section} {label}", ""
    return SECTION_OF_FIELD.get(name, name.replace("_", " ").capitalize()), ""


def _report(page: PlanPage, fieldpath: str, message: str, level: str = "warning") -> None:
    pos = page.plan.positions.get(fieldpath) if page.plan else None
    page.add_problem(
        Problem(page.source.display_path, pos[0] if pos else None, pos[1] if pos else None, fieldpath, message, level)
    )


def md_link(label: str, href: str) -> str:
    """A Markdown link whose label is plain text (escaped for Markdown)."""
    return f"[{md_escape(label)}]({href})"


def _documents(page: PlanPage, feature: Feature, siblings: Siblings, warn_missing: bool) -> list[tuple[str, Link]]:
    """The feature's documents for the plan's header; a missing spec (or a described but missing data
    model or contracts folder) is a problem of the plan."""
    plan, page_uri = page.plan, page.source.page_uri
    docs: list[tuple[str, Link]] = []
    if feature.spec_uri:
        docs.append(("Spec", Link(siblings.spec, relative(feature.spec_uri, page_uri))))
    elif warn_missing:
        message = f"no {siblings.spec} beside this plan; add the feature's spec, or set missing_links: ignore"
        page.add_problem(Problem(page.source.display_path, None, None, "", message))
    if feature.data_model_uri:
        feature.links.data_model = Link(siblings.data_model, relative(feature.data_model_uri, page_uri))
        docs.append(("Data model", feature.links.data_model))
    elif warn_missing and plan and plan.data_model_description:
        _report(
            page, "data_model_description", f"the plan describes a data model but there is no {siblings.data_model} beside it"
        )
    contracts_dir = posixpath.join(feature.folder, siblings.contracts)
    if feature.contract_uris:
        feature.links.contracts = [Link(site_relpath(u, contracts_dir), relative(u, page_uri)) for u in feature.contract_uris]
        docs.append(("Contracts", Link("contracts", "#specplan-contracts")))
    elif warn_missing and plan and plan.api_contract_description:
        _report(
            page,
            "api_contract_description",
            f"the plan describes API contracts but there is no {siblings.contracts}/ folder beside it",
        )
    for label, kind in (("Research", "research"), ("Quickstart", "quickstart"), ("Tasks", "tasks")):
        uri = feature.uris.get(kind)
        if uri:
            docs.append((label, Link(getattr(siblings, kind), relative(uri, page_uri))))
    if feature.checklist_uris:
        docs.append(("Checklists", Link(siblings.checklists, relative(feature.checklist_uris[0], page_uri))))
    feature.links.documents = docs
    return docs


class _Principles:
    """Links from a plan page to the constitution's principles."""

    def __init__(self, constitution: Constitution | None, page_uri: str) -> None:
        self.constitution = constitution
        self.href = relative(constitution.src_uri, page_uri) if constitution is not None else None

    def link(self, ref: str) -> str:
        principle = resolve_principle(ref, self.constitution.principles) if self.constitution else None
        if principle is None or self.href is None:
            return md_escape(ref)
        return md_link(f"{principle.label} ({principle.name})", f"{self.href}#{principle.anchor}")

    def refs(self, decision: Decision) -> str:
        return ", ".join(self.link(ref) for ref in decision.constitution_reference)


def _trace(
    page: PlanPage, feature: Feature, siblings: Siblings, syntax: IdSyntax, index: dict[str, list[Feature]] | None
) -> dict[str, str]:
    """Requirements of the spec and where the plan mentions them; the links mentions get (an ID another
    feature's spec defines, when exactly one does, links there)."""
    plan, page_uri = page.plan, page.source.page_uri
    spec_href = relative(feature.spec_uri, page_uri) if feature.spec_uri else ""
    rows = {r.id: TraceRow(r, f"{spec_href}#{r.anchor}") for r in feature.requirements}
    targets = {rid: row.href for rid, row in rows.items()}
    mentions = memo(plan, ("mentions", syntax), lambda: find_mentions(plan, syntax)) if plan is not None else []
    for mention in mentions:
        row = rows.get(mention.id)
        label, anchor = place_of(page, mention.field)
        if row is None:
            owners = [f for f in (index or {}).get(mention.id, []) if f is not feature]
            if len(owners) == 1 and owners[0].spec_uri:
                target = owners[0].spec_uri
                feature.elsewhere[mention.id] = target
                targets[mention.id] = f"{relative(target, page_uri)}#{anchor_of(mention.id)}"
                place = Place(f"{feature.id or feature.slug} {label}", page_uri, anchor, other_feature=True)
                owners[0].planned.setdefault(mention.id, []).append(place)
                _report(page, mention.field, f"mentions {mention.id}, defined in {target}; linked there", "info")
            elif feature.spec_uri:
                _report(page, mention.field, f"mentions {mention.id}, which {siblings.spec} does not define")
            continue
        places = feature.planned.setdefault(mention.id, [])
        if all(p.label != label for p in places):
            places.append(Place(label, page_uri, anchor))
            row.where.append(md_link(label, f"#{anchor}") if anchor else md_escape(label))
    if feature.tasks_uri:
        tasks_href = relative(feature.tasks_uri, page_uri)
        for rid, row in rows.items():
            row.tasks = [md_link(t, f"{tasks_href}#{anchor_of(t)}") for t in feature.task_ids_for(rid)]
    if feature.spec_uri:
        feature.traceability = Traceability(siblings.spec, spec_href, list(rows.values()))
    return targets


def link_feature(
    page: PlanPage,
    feature: Feature,
    siblings: Siblings = Siblings(),
    constitution: Constitution | None = None,
    *,
    warn_missing: bool = True,
    syntax: IdSyntax | None = None,
    index: dict[str, list[Feature]] | None = None,
) -> Feature:
    """Check a plan.yaml against its feature's documents, and fill ``page.context`` for the template."""
    page_uri = page.source.page_uri
    docs = _documents(page, feature, siblings, warn_missing)
    if page.plan is not None:
        _check_constitution_references(page, constitution, warn_missing)
    principles = _Principles(constitution, page_uri)
    targets = _trace(page, feature, siblings, syntax or IdSyntax(), index)
    uncovered = [r.requirement for r in feature.traceability.uncovered] if feature.traceability else None
    extra_header = []
    if docs:
        extra_header.append(("Documents", " · ".join(f"[{label}]({link.href})" for label, link in docs)))
    tasks, tasks_uri = feature.tasks, feature.tasks_uri
    if tasks is not None and tasks.total and tasks_uri:
        extra_header.append(("Tasks", f"[{tasks.done}/{tasks.total} done]({relative(tasks_uri, page_uri)})"))
    page.context.update(
        links=feature.links,
        extra_header=page.context.get("extra_header", []) + extra_header,
        phase_extra=phase_task_lines(tasks),
        traceability=feature.traceability,
        tasks=tasks,
        tasks_href=relative(tasks_uri, page_uri) if tasks_uri else siblings.tasks,
        mention_targets=targets,
        constitution_refs=principles.refs,
        constitution_names=constitution.names if constitution else None,
        constitution_principles=constitution.checklist_items() if constitution else None,
        constitution_list=constitution.principles if constitution else None,
        constitution_check_ref=lambda check: principles.link(check.principle or ""),
        uncovered_stories=[r.id for r in uncovered if r.kind == "story"] if uncovered is not None else None,
        uncovered_criteria=[r.id for r in uncovered if r.id.startswith("SC-")] if uncovered is not None else None,
    )
    return feature


def phase_task_lines(tasks: TaskProgress | None) -> dict[int, list[tuple[str, str]]]:
    """The "Tasks" line of each plan phase: the ``## Phase N`` group, and its ``Phase N.M`` groups under it."""
    out: dict[int, list[tuple[str, str]]] = {}
    if tasks is None:
        return out
    by_phase: dict[int, list[Any]] = {}
    for group in tasks.groups:
        if group.phase_number is not None:
            by_phase.setdefault(group.phase_number, []).append(group)
    for number, groups in by_phase.items():
        done = sum(g.done for g in groups)
        total = sum(g.total for g in groups)
        text = f"{done}/{total} done"
        subs = [g for g in groups if g.sub]
        if subs:
            text += " (" + "; ".join(f"{md_escape(g.title)}: {g.done}/{g.total}" for g in subs) + ")"
        out[number] = [("Tasks", text)]
    return out


def _check_constitution_references(page: PlanPage, constitution: Constitution | None, warn_missing: bool) -> None:
    plan = page.plan
    assert plan is not None
    references: list[tuple[str, str, str]] = []  # (field path, the item's own path, reference)
    for i, decision in enumerate(plan.technical_decisions):
        for j, ref in enumerate(decision.constitution_reference):
            fieldpath = f"technical_decisions[{i}].constitution_reference"
            references.append((fieldpath, f"{fieldpath}[{j}]", ref))
    for i, check in enumerate(plan.constitution_check):
        if check.principle:
            fieldpath = f"constitution_check[{i}].principle"
            references.append((fieldpath, fieldpath, check.principle))
    for fieldpath, itempath, ref in references:
        message = None
        if constitution is None:
            if warn_missing:
                message = f"refers to {quote_value(ref)} but the site has no constitution; add constitution.md or set the constitution option"
        elif resolve_principle(ref, constitution.principles) is None:
            known = ", ".join(f"{p.label} ({p.name})" for p in constitution.principles) or "none"
            message = f"{quote_value(ref)} names no principle of {constitution.src_uri}; its principles are: {known}"
        if message is not None:  # a reference written as one text has no item of its own: the field's line
            _report(page, itempath if itempath in plan.positions else fieldpath, message)


# -- what the pages of a feature show ---------------------------------------------------------
@dataclass(frozen=True)
class FeatureNote:
    """The note under the title of a spec or a hand-written plan (see ``feature-note.html.j2``)."""

    feature_id: str | None
    stage: str
    plan_href: str | None = None
    plan_label: str | None = None
    plan_status: str | None = None
    tasks_done: int = 0
    tasks_total: int = 0
    tasks_href: str | None = None
    requirements_covered: int = 0
    requirements_total: int = 0
    problems: int = 0


def mention_targets(feature: Feature, page_uri: str) -> dict[str, str]:
    """Hrefs, from one of the feature's pages, of every ID its spec (or another feature's) defines."""
    out: dict[str, str] = {}
    if feature.spec_uri:
        spec = relative(feature.spec_uri, page_uri)
        for requirement in feature.requirements:
            out[requirement.id] = f"{spec}#{requirement.anchor}"
    for rid, uri in feature.elsewhere.items():
        out.setdefault(rid, f"{relative(uri, page_uri)}#{anchor_of(rid)}")
    return out


def traces_for(feature: Feature, page_uri: str) -> dict[str, Trace]:
    """For the spec page: where each requirement is planned, and which tasks carry it."""
    out: dict[str, Trace] = {}
    tasks_href = relative(feature.tasks_uri, page_uri) if feature.tasks_uri else None
    hrefs: dict[str, str] = {}  # a task carries several requirements: its link is held once for the page
    for requirement in feature.requirements:
        planned = tuple((p.label, p.href_from(page_uri)) for p in feature.planned.get(requirement.id, []))
        tasks = (
            tuple((t, hrefs.setdefault(t, f"{tasks_href}#{anchor_of(t)}")) for t in feature.task_ids_for(requirement.id))
            if tasks_href
            else ()
        )
        if planned or tasks:
            out[requirement.id] = Trace(planned, tasks)
    return out


def duplicate_ids(features: list[Feature]) -> dict[str, list[Feature]]:
    """Feature IDs that more than one folder uses."""
    by_id: dict[str, list[Feature]] = {}
    for feature in features:
        if feature.id:
            by_id.setdefault(feature.id, []).append(feature)
    return {fid: same for fid, same in by_id.items() if len(same) > 1}


_GUESSES = (("utf-16", "UTF-16"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (``(text, None)``), else the first encoding that fits and its name."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for codec, name in _GUESSES:
        if codec == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "UTF-8 with errors replaced"
