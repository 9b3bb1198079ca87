"""The site's navigation, when MkDocs builds it from the folders: a feature's pages in reading order.

Inside a feature's section the pages come as Spec, Plan, Data model, Research, Quickstart,
Contracts, Checklists, Tasks, then any others, with short titles; the section is titled with
the feature's ID and name; the dashboard comes before the first feature. An explicit ``nav`` is
never reordered. Works on MkDocs' public navigation objects.
"""

from __future__ import annotations

import html
from typing import Any

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from ...project.features import Feature

ORDER = ("spec", "plan", "data_model", "research", "quickstart", "contracts", "checklists", "tasks")
TITLES = {
    "spec": "Spec",
    "plan": "Plan",
    "data_model": "Data model",
    "research": "Research",
    "quickstart": "Quickstart",
    "contracts": "Contracts",
    "checklists": "Checklists",
    "tasks": "Tasks",
}


def document_kinds(features: list[Feature]) -> dict[str, tuple[Feature, str]]:
    """Every document of every feature, by site path: its feature and its kind."""
    out: dict[str, tuple[Feature, str]] = {}
    for feature in features:
        for kind, uri in feature.uris.items():
            out[uri] = (feature, kind)
        out.update({uri: (feature, "contracts") for uri in feature.contract_uris})
        out.update({uri: (feature, "checklists") for uri in feature.checklist_uris})
    return out


def _pages(item: Any) -> list[Page]:
    if isinstance(item, Page):
        return [item]
    if isinstance(item, Section):
        return [p for child in item.children for p in _pages(child)]
    return []


def _kind_of(item: Any, kinds: dict[str, tuple[Feature, str]]) -> tuple[Feature, str] | None:
    """The feature and kind of a page, or of a subsection whose pages are all of one kind (contracts/)."""
    found = [kinds.get(p.file.src_uri) for p in _pages(item)]
    if not found or None in found:
        return None
    distinct = {(value[0].folder, value[1]) for value in found if value is not None}
    if len(distinct) != 1:
        return None
    value = found[0]
    assert value is not None
    if isinstance(item, Section) and value[1] not in ("contracts", "checklists"):
        return None
    return value


def _arrange(section: Section, kinds: dict[str, tuple[Feature, str]], short_titles: bool) -> Feature | None:
    """Reorder and retitle a feature's section; the feature, when the section is one."""
    known = [(child, _kind_of(child, kinds)) for child in section.children]
    features = {k[0].folder for _, k in known if k is not None}
    if len(features) != 1:
        return None
    feature = next(k[0] for _, k in known if k is not None)

    def rank(pair: tuple[Any, tuple[Feature, str] | None]) -> int:
        return ORDER.index(pair[1][1]) if pair[1] is not None else len(ORDER)

    ordered = sorted(known, key=rank)  # stable: other pages keep their order, after the feature's documents
    section.children = [child for child, _ in ordered]
    for child, kind in ordered:
        if kind is not None and (short_titles or isinstance(child, Section)):
            child.title = TITLES[kind[1]]
    # themes write navigation titles as HTML: the feature's name is plain text, escaped
    section.title = html.escape(
        " ".join(f"{feature.id} {feature.name}".split()) if feature.id else " ".join(feature.name.split())
    )
    return feature


def _walk(items: list[Any], kinds: dict[str, tuple[Feature, str]], found: list[Section], short_titles: bool) -> None:
    for item in items:
        if isinstance(item, Section):
            if _arrange(item, kinds, short_titles) is not None:
                found.append(item)
            else:
                _walk(item.children, kinds, found, short_titles)


def _top(item: Any, items: list[Any]) -> Any:
    while getattr(item, "parent", None) is not None:
        item = item.parent
    return item if item in items else None


def arrange(nav: Navigation, features: list[Feature], dashboard_uri: str | None, *, short_titles: bool = True) -> None:
    """Feature sections in reading order, the dashboard before the first of them."""
    kinds = document_kinds(features)
    sections: list[Section] = []
    _walk(nav.items, kinds, sections, short_titles)
    dashboard = next((p for p in nav.pages if dashboard_uri and p.file.src_uri == dashboard_uri), None)
    if dashboard is not None and sections:
        moving, before = _top(dashboard, nav.items), _top(sections[0], nav.items)
        if moving is not None and before is not None and moving is not before:
            nav.items.remove(moving)
            nav.items.insert(nav.items.index(before), moving)
    pages = [p for item in nav.items for p in _pages(item)]
    nav.pages = pages
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i > 0 else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None
