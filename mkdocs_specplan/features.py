"""A plan in its feature folder: links to its siblings, the constitution, requirements and tasks.

Free of MkDocs: the site is seen through :class:`SiteFiles`, a set of paths and a reader.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from .model import Problem
from .pages import Anchors, FeatureLinks, Link, PlanPage
from .trace import (
    Principle,
    Requirement,
    TaskProgress,
    count_clarifications,
    find_mentions,
    parse_spec,
    parse_tasks,
    resolve_principle,
)


@dataclass(frozen=True)
class Siblings:
    """File names of a feature's documents, relative to its folder."""

    spec: str = "spec.md"
    data_model: str = "data-model.md"
    contracts: str = "contracts"
    research: str = "research.md"
    quickstart: str = "quickstart.md"
    tasks: str = "tasks.md"


@dataclass
class SiteFiles:
    """The site's files by path, and a way to read the text of one."""

    uris: set[str]
    read: Callable[[str], str | None]

    def under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(u for u in self.uris if u.startswith(prefix))


@dataclass
class Constitution:
    src_uri: str
    principles: list[Principle]

    @property
    def names(self) -> dict[str, str]:
        return {p.numeral: p.name for p in self.principles}


@dataclass
class TraceRow:
    requirement: Requirement
    href: str
    where: list[str] = field(default_factory=list)  # Markdown: places in the plan that mention it


@dataclass
class Traceability:
    spec_name: str
    spec_href: str
    rows: list[TraceRow]

    @property
    def covered(self) -> list[TraceRow]:
        return [r for r in self.rows if r.where]

    @property
    def uncovered(self) -> list[TraceRow]:
        return [r for r in self.rows if not r.where]


@dataclass
class FeatureInfo:
    """What the feature folder adds to a plan page; also read by the dashboard."""

    links: FeatureLinks = field(default_factory=FeatureLinks)
    spec_uri: str | None = None
    data_model_uri: str | None = None
    tasks_uri: str | None = None
    research_uri: str | None = None
    quickstart_uri: str | None = None
    contract_uris: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    traceability: Traceability | None = None
    tasks: TaskProgress | None = None
    clarifications: int = 0  # unresolved [NEEDS CLARIFICATION markers in the spec


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


def _where(page: PlanPage, fieldpath: str) -> str:
    """A Markdown label (linked where the page has an anchor) for a field path."""
    plan = page.plan
    assert plan is not None
    match = re.match(r"^(\w+)(?:\[(\d+)\])?", fieldpath)
    if not match:
        return fieldpath
    name, index = match.group(1), match.group(2)
    if index is not None:
        i = int(index)
        if name == "phases" and i < len(plan.phases):
            ph = plan.phases[i]
            return f"[Phase {ph.number}](#{Anchors.phase(ph)})"
        if name == "risks" and i < len(plan.risks):
            r = plan.risks[i]
            return f"[Risk {r.id or i + 1}](#{Anchors.risk(r)})"
        if name == "technical_decisions" and i < len(plan.technical_decisions):
            d = plan.technical_decisions[i]
            return f"[Decision {d.id or i + 1}](#{Anchors.decision(d)})"
        items = getattr(plan, name, [])
        item = items[i] if i < len(items) else None
        label = getattr(item, "name", None) or getattr(item, "level", None) or getattr(item, "metric", None)
        section = {
            "components": "Component",
            "test_levels": "Test level",
            "performance_targets": "Performance target",
            "metrics": "Metric",
            "external_dependencies": "External dependency",
        }.get(name)
        if section and label:
            return f"{section} {label}"
    return SECTION_OF_FIELD.get(name, name.replace("_", " ").capitalize())


def _report(page: PlanPage, fieldpath: str, message: str) -> None:
    pos = page.plan.positions.get(fieldpath) if page.plan else None
    page.add_problem(
        Problem(page.source.display_path, pos[0] if pos else None, pos[1] if pos else None, fieldpath, message)
    )


def link_feature(
    page: PlanPage,
    site: SiteFiles,
    siblings: Siblings = Siblings(),
    constitution: Constitution | None = None,
    *,
    warn_missing: bool = True,
    prefixes: tuple[str, ...] = ("FR", "NFR", "SC"),
) -> FeatureInfo:
    """Find the feature's documents, check them, and fill ``page.context`` for the template."""
    info = FeatureInfo()
    folder = page.source.folder
    plan = page.plan

    def sibling(name: str) -> str | None:
        uri = posixpath.normpath(posixpath.join(folder, name)) if folder else name
        return uri if uri in site.uris else None

    docs: list[tuple[str, Link]] = []
    info.spec_uri = sibling(siblings.spec)
    if info.spec_uri:
        docs.append(("Spec", Link(siblings.spec, siblings.spec)))
    elif warn_missing:
        page.add_problem(
            Problem(
                page.source.display_path, None, None, "",
                f"no {siblings.spec} beside this plan; add the feature's spec, or set missing_links: ignore",
            )
        )
    info.data_model_uri = sibling(siblings.data_model)
    if info.data_model_uri:
        docs.append(("Data model", Link(siblings.data_model, siblings.data_model)))
        info.links.data_model = Link(siblings.data_model, siblings.data_model)
    elif warn_missing and plan and plan.data_model_description:
        _report(page, "data_model_description", f"the plan describes a data model but there is no {siblings.data_model} beside it")
    contracts_dir = posixpath.join(folder, siblings.contracts) if folder else siblings.contracts
    contracts = info.contract_uris = site.under(contracts_dir)
    if contracts:
        info.links.contracts = [
            Link(posixpath.relpath(u, contracts_dir), posixpath.relpath(u, folder or ".")) for u in contracts
        ]
        docs.append(("Contracts", Link("contracts", "#specplan-contracts")))
    elif warn_missing and plan and plan.api_contract_description:
        _report(page, "api_contract_description", f"the plan describes API contracts but there is no {siblings.contracts}/ folder beside it")
    info.research_uri = sibling(siblings.research)
    info.quickstart_uri = sibling(siblings.quickstart)
    for label, name, uri in (("Research", siblings.research, info.research_uri), ("Quickstart", siblings.quickstart, info.quickstart_uri)):
        if uri:
            docs.append((label, Link(name, name)))
    info.tasks_uri = sibling(siblings.tasks)
    if info.tasks_uri:
        text = site.read(info.tasks_uri) or ""
        info.tasks = parse_tasks(text)
        docs.append(("Tasks", Link(siblings.tasks, siblings.tasks)))
    info.links.documents = docs

    # the constitution: article names and links for references
    const_href = None
    if constitution is not None:
        const_href = posixpath.relpath(constitution.src_uri, folder or ".")
    if plan is not None:
        for i, decision in enumerate(plan.technical_decisions):
            for j, ref in enumerate(decision.constitution_reference):
                fieldpath = f"technical_decisions[{i}].constitution_reference"
                path_j = f"{fieldpath}[{j}]" if f"{fieldpath}[{j}]" in plan.positions else fieldpath
                if constitution is None:
                    if warn_missing:
                        _report(page, path_j, f'refers to "{ref}" but the site has no constitution; add constitution.md or set the constitution option')
                    continue
                if resolve_principle(ref, constitution.principles) is None:
                    known = ", ".join(f"{p.numeral} ({p.name})" for p in constitution.principles) or "none"
                    _report(page, path_j, f'"{ref}" names no principle of {constitution.src_uri}; its principles are: {known}')

    def constitution_refs(decision) -> str:
        parts = []
        for ref in decision.constitution_reference:
            principle = resolve_principle(ref, constitution.principles) if constitution else None
            if principle is None or const_href is None:
                parts.append(ref)
            else:
                parts.append(f"[Article {principle.numeral} ({principle.name})]({const_href}#{principle.anchor})")
        return ", ".join(parts)

    # requirements and their mentions
    targets: dict[str, str] = {}
    if info.spec_uri:
        spec_text = site.read(info.spec_uri) or ""
        info.requirements = parse_spec(spec_text, prefixes)
        info.clarifications = count_clarifications(spec_text)
        rows = {r.id: TraceRow(r, f"{siblings.spec}#{r.anchor}") for r in info.requirements}
        targets = {rid: row.href for rid, row in rows.items()}
        if plan is not None:
            for mention in find_mentions(plan, prefixes):
                row = rows.get(mention.id)
                if row is None:
                    _report(page, mention.field, f"mentions {mention.id}, which {siblings.spec} does not define")
                    continue
                label = _where(page, mention.field)
                if label not in row.where:
                    row.where.append(label)
        info.traceability = Traceability(siblings.spec, siblings.spec, list(rows.values()))

    uncovered_stories = (
        [r.requirement.id for r in info.traceability.uncovered if r.requirement.kind == "story"]
        if info.traceability
        else None
    )
    extra_header = []
    if docs:
        extra_header.append(("Documents", " · ".join(f"[{label}]({link.href})" for label, link in docs)))
    if info.tasks is not None and info.tasks.total:
        extra_header.append(("Tasks", f"[{info.tasks.done}/{info.tasks.total} done]({siblings.tasks})"))
    phase_extra: dict[int, list[tuple[str, str]]] = {}
    if info.tasks is not None:
        for group in info.tasks.groups:
            if group.phase_number is not None:
                phase_extra.setdefault(group.phase_number, []).append(("Tasks", f"{group.done}/{group.total} done"))
    page.context.update(
        links=info.links,
        extra_header=page.context.get("extra_header", []) + extra_header,
        phase_extra=phase_extra,
        traceability=info.traceability,
        tasks=info.tasks,
        tasks_href=siblings.tasks,
        mention_targets=targets,
        constitution_refs=constitution_refs,
        constitution_names=constitution.names if constitution else None,
        uncovered_stories=uncovered_stories,
    )
    return info
