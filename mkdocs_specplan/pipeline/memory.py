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
import posixpath
import zlib
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


SHARDS = 64  # files the kept plans, schedules, pages and documents are spread over
SITE_FILE = "site.pickle"  # the dashboard's pages and the notes


def _shard(name: str) -> str:
    """The file that keeps what belongs to ``name`` (a folder, a document's text): the same in
    every process."""
    return f"{zlib.crc32(name.encode('utf-8', 'surrogatepass')) % SHARDS:02d}.pickle"


def _same(sections: dict[str, dict[Any, Any]], restored: dict[str, dict[Any, Any]]) -> bool:
    """Whether a file would hold what it holds: the same entries, each the object restored from it
    (or, for a page, equal to it)."""
    if sections.keys() != restored.keys():
        return False
    for section, values in sections.items():
        before = restored[section]
        if values.keys() != before.keys():
            return False
        for key, value in values.items():
            if value is not before[key] and not (isinstance(value, (Rendered, str)) and value == before[key]):
                return False
    return True


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
        self._restored: dict[str, dict[str, dict[Any, Any]]] = {}  # what each file held, as the last run saved it

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
    def _kept(self, stamp: str) -> dict[str, dict[str, dict[Any, Any]]]:
        """What the next run can take again, by the file that holds it: each plan, its schedule and
        forecast (while no plan waits on another feature's phases: known by the plan object, so
        in the same file) and its page in the file of its folder; each document in a file by its
        text; the dashboard's pages and the notes in one more."""
        files: dict[str, dict[str, dict[Any, Any]]] = {}

        def put(name: str, section: str, key: Any, value: Any) -> None:
            files.setdefault(name, {"stamp": {"": stamp}}).setdefault(section, {})[key] = value

        for document_key, document in self.documents.items():
            put(_shard(document_key[1]), "documents", document_key, document)
        for plan_key, page in self.plans.items():
            put(_shard(posixpath.dirname(plan_key[0])), "plans", plan_key, page)
        for src_uri, scheduled in self.schedule.apart.items():
            put(_shard(posixpath.dirname(src_uri)), "schedules", src_uri, scheduled)
        for uri, rendered in self.renders.now.items():
            if rendered.digest is not None:
                put(_shard(posixpath.dirname(uri)), "renders", uri, rendered.on_disk())
        files.setdefault(SITE_FILE, {"stamp": {"": stamp}})
        for title, rendered in self.views.now.items():
            if rendered.digest is not None:
                put(SITE_FILE, "views", title, rendered.on_disk())
        files[SITE_FILE]["notes"] = dict(self.notes.now)
        return files

    def save(self, folder: str, stamp: str) -> None:
        """What the next run can take again, pickled in files of ``folder`` (:meth:`_kept`); only
        the files whose content changed since the last run are written again. ``stamp`` names what
        it holds only for the same package version and options. Nothing is written when the folder
        cannot be; the next run then makes what it lacks again."""
        kept = self._kept(stamp)
        try:
            os.makedirs(folder, exist_ok=True)
            for name in set(self._restored) - set(kept):
                os.remove(os.path.join(folder, name))
        except OSError:
            return
        for name, sections in kept.items():
            if name in self._restored and _same(sections, self._restored[name]):
                continue
            path = os.path.join(folder, name)
            temporary = f"{path}.{os.getpid()}"
            try:
                with open(temporary, "wb") as handle:
                    pickle.dump(sections, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, path)
            except Exception:  # a full disk, a value that cannot be pickled: not kept, the build stands
                with contextlib.suppress(OSError):
                    os.remove(temporary)
        self._restored = {}  # what this run read back is let go (serve keeps the memory)

    def restore(self, folder: str, stamp: str) -> bool:
        """What the last run saved in ``folder`` under ``stamp``, taken as the last build's; False
        (and nothing taken) when there is none. A file that is unreadable or was saved under another
        stamp is left out: what it held is made again."""
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".pickle"))
        except OSError:
            return False
        merged: dict[str, dict[Any, Any]] = {}
        for name in names:
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    sections = pickle.load(handle)  # the user's own cache folder, written by this package
            except Exception:  # a damaged or foreign file: what it held is made again
                continue
            if not isinstance(sections, dict) or sections.get("stamp") != {"": stamp}:
                continue
            self._restored[name] = sections
            for section, values in sections.items():
                merged.setdefault(section, {}).update(values)
        if not self._restored:
            return False
        self.documents, self.plans = merged.get("documents", {}), merged.get("plans", {})
        self.renders.now, self.views.now = merged.get("renders", {}), merged.get("views", {})
        self.notes.now, self.schedule.apart = merged.get("notes", {}), merged.get("schedules", {})
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
