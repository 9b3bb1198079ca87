"""What a feature's own pages (its spec, tasks, hand-written plan) link to: free of MkDocs."""

from __future__ import annotations

from ..markdown.annotate import Trace
from ..project.features import Feature, relative
from ..speckit.documents import anchor_of


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
    traced = bool(feature.plan_kind or feature.tasks)  # without a plan or tasks, nothing is expected to carry it
    uncovered = set(feature.coverage()[1]) if traced else set()
    for requirement in feature.requirements:
        planned = tuple((p.label, p.href_from(page_uri)) for p in feature.planned.get(requirement.id, []))
        tasks = (
            tuple((t, hrefs.setdefault(t, f"{tasks_href}#{anchor_of(t)}")) for t in feature.task_ids_for(requirement.id))
            if tasks_href
            else ()
        )
        if planned or tasks or requirement.id in uncovered:
            out[requirement.id] = Trace(planned, tasks, requirement.id in uncovered)
    return out
