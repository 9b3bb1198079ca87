"""What a pipeline keeps from one build to the next (``mkdocs serve``, ``specplan serve``): each
store is keyed by a record of what its value is made of, so a rebuild takes a value again only when
that record is equal. A one-off build keeps nothing but the git history and the renderer; a
``specplan build`` keeps part of it on disk for the next run (:meth:`Memory.save`): the documents
and plans as read, keyed by their text, each plan's schedule, and each page as rendered, keyed by a
digest of what it was rendered from."""

from __future__ import annotations

import contextlib
import os
import pickle
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
    """A page as rendered (a plan page, a dashboard page), and what it was rendered from (its
    inputs, its view)."""

    key: PageInputs | DashboardView | None  # in memory
    content: bytes
    problems: tuple[Problem, ...] = ()
    digest: bytes | None = None  # kept on disk: a fingerprint of the key

    def made_from(self, key: PageInputs | DashboardView, digest: bytes | None) -> bool:
        return self.key == key if self.key is not None else digest is not None and self.digest == digest

    def taken(self, key: PageInputs | DashboardView, digest: bytes | None) -> Rendered:
        """Taken again for ``key``: known by it in memory from now on (a page read back from disk
        is compared by its inputs in the next served build, not by their digest)."""
        return self if self.key is not None else Rendered(key, self.content, self.problems, self.digest or digest)

    def on_disk(self) -> Rendered:
        return Rendered(None, self.content, self.problems, self.digest)


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
        self.views: LastBuild[str, Rendered] = LastBuild()  # each dashboard page, by title
        self.notes: LastBuild[FeatureNote, str] = LastBuild()  # the note under a spec's title, by what it says
        self.entries: Encoded = LastBuild()  # each plan's entry in the JSON export, encoded
        self.renderer: Renderer | None = None
        self.renderer_key: tuple[Any, ...] | None = None
        self.on_disk = False  # kept between runs: rendered pages are known by their inputs' digests

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

    # -- between runs ----------------------------------------------------------------------------
    def save(self, path: str, stamp: str) -> None:
        """What the next run can take again, pickled at ``path``: documents, plans and pages as
        this build read and made them, and each plan's schedule and forecast while no plan waits on
        another feature's phases (known by the plan object, which the same pickle holds). ``stamp`` names what it holds only for the same package
        version and options. Nothing is written when the folder cannot be; the next run is then a
        full one."""
        renders, views = (
            {k: r.on_disk() for k, r in store.now.items() if r.digest is not None} for store in (self.renders, self.views)
        )
        kept = {
            "stamp": stamp,
            "documents": self.documents,
            "plans": self.plans,
            "renders": renders,
            "views": views,
            "notes": self.notes.now,
            "schedules": self.schedule.apart,
        }
        temporary = f"{path}.{os.getpid()}"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(temporary, "wb") as handle:
                pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except Exception:  # a full disk, a value that cannot be pickled: nothing kept, the build stands
            with contextlib.suppress(OSError):
                os.remove(temporary)

    def restore(self, path: str, stamp: str) -> bool:
        """What the last run saved at ``path`` under ``stamp``, taken as the last build's; False
        (and nothing taken) when there is none, it is unreadable, or it was saved under another stamp."""
        try:
            with open(path, "rb") as handle:
                kept = pickle.load(handle)  # the user's own cache folder, written by this package
        except Exception:  # a damaged or foreign file: a full build
            return False
        if not isinstance(kept, dict) or kept.get("stamp") != stamp:
            return False
        self.documents, self.plans = kept["documents"], kept["plans"]
        self.renders.now, self.views.now, self.notes.now = kept["renders"], kept["views"], kept["notes"]
        self.schedule.apart = kept["schedules"]
        return True

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
