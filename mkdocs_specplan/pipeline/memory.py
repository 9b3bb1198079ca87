"""What a pipeline keeps from one build to the next (``mkdocs serve``): each store is keyed by a
record of what its value is made of, so a rebuild takes a value again only when that record is
equal. A one-off build keeps nothing but the git history and the renderer."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from ..core.model import Problem, Settings
from ..history.baseline import HistoryCache
from ..project.loading import LinkCache, ScheduleCache
from ..project.records import PlanPage, PlanSource, load_page
from ..support.incremental import LastBuild
from ..views.dashboard import DashboardView
from ..views.export import Encoded
from ..views.notes import FeatureNote
from ..views.plan_page import PageInputs
from ..views.renderer import Renderer


@dataclass(frozen=True)
class Rendered:
    """A plan page as rendered, and what it was rendered from."""

    key: PageInputs | None
    content: bytes
    problems: tuple[Problem, ...]


def mtimes(*paths: str | None) -> tuple[tuple[str, float], ...]:
    """When each file (or each file of a folder) was last changed."""
    out = []
    for path in paths:
        if not path:
            continue
        names = [os.path.join(folder, n) for folder, _, ns in os.walk(path) for n in ns] if os.path.isdir(path) else [path]
        for name in names:
            try:
                out.append((name, os.path.getmtime(name)))
            except OSError:
                out.append((name, -1.0))
    return tuple(sorted(out))


class Memory:
    """The stores of one pipeline."""

    def __init__(self) -> None:
        self.history = HistoryCache()  # git history, kept while HEAD does not move
        self.schedule = ScheduleCache()  # the portfolio's schedule, kept while no plan changes (serve)
        self.links = LinkCache()  # each feature as linked, kept while what it was linked from is the same (serve)
        self.plans: dict[tuple[str, str, str | None, Settings], PlanPage] = {}  # each plan as loaded (serve)
        self.documents: dict[tuple[str, str, Hashable], Any] = {}  # each spec, tasks, checklist as read (serve)
        self._live: set[tuple[str, str, Hashable]] = set()
        self.renders: LastBuild[str, Rendered] = LastBuild()  # each plan page as rendered, by page path
        self.views: LastBuild[str, tuple[DashboardView, str]] = LastBuild()  # each dashboard page, by title
        self.notes: LastBuild[FeatureNote, str] = LastBuild()  # the note under a spec's title, by what it says
        self.entries: Encoded = LastBuild()  # each plan's entry in the JSON export, encoded
        self.renderer: Renderer | None = None
        self.renderer_key: tuple[Any, ...] | None = None

    def turn(self) -> None:
        """A new build: what the last one kept is there to take from, once."""
        for store in (self.renders, self.views, self.notes, self.entries):
            store.turn()
        self._live = set()

    def forget_rendering(self) -> None:
        """The renderer changed: nothing it made is taken again."""
        for store in (self.renders, self.views, self.notes):
            store.clear()

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def load(self, source: PlanSource, settings: Settings, keep: bool) -> PlanPage:
        """A fresh page for this build; the parsed plan is the last build's while its text is unchanged."""
        key = (source.src_uri, source.text, source.error, settings)  # a changed option gives a new verdict
        page = self.plans.get(key)
        if page is None:
            page = load_page(source, settings, schedule=False)
            if keep:
                self.plans[key] = page
        return PlanPage(source, page.plan, list(page.problems))  # this build's source: where it is on disk

    def forget_plans(self, live: set[tuple[str, str, str | None, Settings]]) -> None:
        self.plans = {k: v for k, v in self.plans.items() if k in live}

    def parsed(self, kind: str, text: str, reader: Callable[[str], Any], syntax: Hashable) -> Any:
        """A spec, tasks, checklist or constitution read once while its text is unchanged."""
        key = (kind, text, syntax)
        self._live.add(key)
        if key not in self.documents:
            self.documents[key] = reader(text)
        return self.documents[key]

    def forget_documents(self) -> None:
        """Documents no longer in the site (or changed) are let go."""
        self.documents = {k: v for k, v in self.documents.items() if k in self._live}
