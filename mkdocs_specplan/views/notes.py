"""The note under the title of a spec or a hand-written plan. Free of MkDocs."""

from __future__ import annotations

from dataclasses import dataclass


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
    tasks_uncounted: str | None = None  # why the tasks file holds no countable task
    health: str | None = None  # the plan's health where it needs attention: "late", "blocked · +3 working days"
    health_css: str = ""
    groups: tuple[tuple[str, int, int], ...] = ()  # on the tasks page: each group's (title, done, total)
