"""What a ``mkdocs serve`` rebuild takes again from the last build, and the collector paused while
the plugin works."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import pickle
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class LastBuild(Generic[K, V]):
    """What this build made, by key, and what the last build made, for a ``mkdocs serve`` rebuild
    to take again: what a build does not keep is forgotten at the next turn."""

    def __init__(self) -> None:
        self.now: dict[K, V] = {}
        self.before: dict[K, V] = {}

    def turn(self) -> None:
        """A new build begins."""
        self.before, self.now = self.now, {}

    def clear(self) -> None:
        self.now, self.before = {}, {}

    def last(self, key: K) -> V | None:
        """The value made for ``key`` in this build, else in the last."""
        found = self.now.get(key)
        return found if found is not None else self.before.get(key)

    def keep(self, key: K, value: V) -> None:
        self.now[key] = value


@dataclass(frozen=True)
class Inputs:
    """What something kept from the last build was made from: ``same`` compared by identity
    (objects kept while their source is unchanged: a plan, a feature), ``equal`` by value."""

    same: tuple[Any, ...]
    equal: tuple[Any, ...]

    def matches(self, other: Inputs) -> bool:
        same = len(self.same) == len(other.same) and all(a is b for a, b in zip(self.same, other.same, strict=True))
        return same and self.equal == other.equal


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while the plugin works (loading and rendering the plans,
    annotating a page): what that work builds is freed by reference counting, and with a large site
    in memory each full collection walks every object of it (about a tenth of the plugin's time at
    300 plans). The collector is back as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def memo(obj: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """A value derived from an object that is not changed after it is made (a loaded plan), computed
    once. A plan is kept while its text is unchanged, so this lasts across serve rebuilds."""
    store: dict[Hashable, Any] = obj.__dict__.setdefault("_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def fingerprint(*values: Any) -> bytes:
    """A digest of values, equal for equal values in any process: their pickle without its memo
    (two equal strings, shared or not, are written alike). For what a run keeps on disk for the
    next: an unequal digest only costs making the value again."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the bytes follow the values, not which objects are shared
    pickler.dump(values)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=20).digest()


def compared(value: Any) -> tuple[Any, ...]:
    """The fields of a dataclass that its equality compares."""
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value) if f.compare)
