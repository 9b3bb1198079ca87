"""A plan linked to its feature: its documents, the constitution's principles, the requirements it
mentions and the tasks that carry them. Checks what it refers to, and gives its page a typed
:class:`FeatureContext` (hrefs and labels, never markup). Free of MkDocs."""

from __future__ import annotations

import posixpath
import re

from ..core.model import Problem, quote_value
from ..core.trace import find_mentions
from ..speckit.documents import IdSyntax, TaskGroup, TaskProgress, anchor_of, resolve_principle
from ..support.incremental import memo
from ..support.paths import site_relpath
from .features import Constitution, Feature, Place, Siblings, relative
from .records import (
    Anchors,
    ConstitutionLinks,
    FeatureContext,
    FeatureLinks,
    Link,
    PhaseTasks,
    PlaceLink,
    PlanPage,
    Traceability,
    TraceRow,
)

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


def _documents(page: PlanPage, feature: Feature, siblings: Siblings, warn_missing: bool) -> FeatureLinks:
    """The feature's documents for the plan's header; a missing spec (or a described but missing data
    model or contracts folder) is a problem of the plan."""
    plan, page_uri = page.plan, page.source.page_uri
    links = FeatureLinks()
    docs = links.documents
    if feature.spec_uri:
        docs.append(("Spec", Link(siblings.spec, relative(feature.spec_uri, page_uri))))
    elif warn_missing:
        message = f"no {siblings.spec} beside this plan; add the feature's spec, or set missing_links: ignore"
        page.add_problem(Problem(page.source.display_path, None, None, "", message))
    if feature.data_model_uri:
        links.data_model = Link(siblings.data_model, relative(feature.data_model_uri, page_uri))
        docs.append(("Data model", links.data_model))
    elif warn_missing and plan and plan.data_model_description:
        _report(
            page, "data_model_description", f"the plan describes a data model but there is no {siblings.data_model} beside it"
        )
    contracts_dir = posixpath.join(feature.folder, siblings.contracts)
    if feature.contract_uris:
        links.contracts = [Link(site_relpath(u, contracts_dir), relative(u, page_uri)) for u in feature.contract_uris]
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
    return links


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
            row.where.append(PlaceLink(label, anchor))
    if feature.tasks_uri:
        tasks_href = relative(feature.tasks_uri, page_uri)
        for rid, row in rows.items():
            row.tasks = [(t, f"{tasks_href}#{anchor_of(t)}") for t in feature.task_ids_for(rid)]
    if feature.spec_uri:
        feature.traceability = Traceability(siblings.spec, spec_href, list(rows.values()))
    return targets


def link_feature(
    page: PlanPage,
    feature: Feature,
    siblings: Siblings | None = None,
    constitution: Constitution | None = None,
    *,
    warn_missing: bool = True,
    syntax: IdSyntax | None = None,
    index: dict[str, list[Feature]] | None = None,
) -> Feature:
    """Check a plan.yaml against its feature's documents, and give its page its ``feature`` context."""
    siblings = siblings or Siblings()
    page_uri = page.source.page_uri
    links = _documents(page, feature, siblings, warn_missing)
    if page.plan is not None:
        _check_constitution_references(page, constitution, warn_missing)
    targets = _trace(page, feature, siblings, syntax or IdSyntax(), index)
    uncovered = [r.requirement for r in feature.traceability.uncovered] if feature.traceability else None
    tasks, tasks_uri = feature.tasks, feature.tasks_uri
    page.feature = FeatureContext(
        links=links,
        tasks=tasks,
        tasks_href=relative(tasks_uri, page_uri) if tasks_uri else siblings.tasks,
        tasks_linked=tasks_uri is not None,
        phase_tasks=phase_tasks(tasks),
        traceability=feature.traceability,
        mention_targets=targets,
        constitution=(
            ConstitutionLinks(constitution.src_uri, relative(constitution.src_uri, page_uri), tuple(constitution.principles))
            if constitution is not None
            else None
        ),
        uncovered_stories=[r.id for r in uncovered if r.kind == "story"] if uncovered is not None else None,
        uncovered_criteria=[r.id for r in uncovered if r.id.startswith("SC-")] if uncovered is not None else None,
    )
    return feature


def phase_tasks(tasks: TaskProgress | None) -> dict[int, PhaseTasks]:
    """The tasks of each plan phase: the ``## Phase N`` group, and its ``Phase N.M`` groups under it."""
    out: dict[int, PhaseTasks] = {}
    if tasks is None:
        return out
    by_phase: dict[int, list[TaskGroup]] = {}
    for group in tasks.groups:
        if group.phase_number is not None:
            by_phase.setdefault(group.phase_number, []).append(group)
    for number, groups in by_phase.items():
        subs = tuple((g.title, g.done, g.total) for g in groups if g.sub)
        out[number] = PhaseTasks(sum(g.done for g in groups), sum(g.total for g in groups), subs)
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
