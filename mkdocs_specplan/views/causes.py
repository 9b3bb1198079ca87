"""The root causes of a plan's health as the pages show them: each with its link, owner, next step
and what it holds up. Free of MkDocs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.causes import Cause, spans
from ..core.forecast import Health, working_days
from ..project.records import Anchors

NO_OWNER = "no owner named"


@dataclass(frozen=True)
class CauseView:
    kind: str
    text: str
    href: str | None  # where it is described, from the page that shows it
    owner: str  # the owner, or "no owner named"
    next_step: str | None
    holds_up: str | None  # "phases 2–5"


def cause_anchor(cause: Cause) -> str | None:
    """Where a cause of its own plan is described on that plan's page ("#phase-2"); a wait on
    another plan is placed by the page that shows it."""
    if cause.kind == "dependency":
        return "#specplan-dependencies"
    if cause.kind == "risk" and cause.risk is not None:
        return "#" + Anchors.risk(cause.risk)
    return f"#phase-{cause.phase}" if cause.phase is not None else None


def cause_views(causes: tuple[Cause, ...], href: Callable[[Cause], str | None], prefix: str = "") -> tuple[CauseView, ...]:
    """``prefix`` qualifies a risk where it leaves its plan ("004 R1 ...")."""
    out = []
    for cause in causes:
        held = cause.holds_up
        holds = (f"phase {held[0]}" if len(held) == 1 else f"phases {spans(held)}") if held else None
        text = f"{prefix}{cause.text}" if cause.kind == "risk" and prefix else cause.text
        out.append(CauseView(cause.kind, text, href(cause), cause.owner or NO_OWNER, cause.next_step, holds))
    return tuple(out)


def health_label(health: Health, slip_days: int | None) -> str:
    """The plan's one health, with the slip where a blocked plan is late too ("blocked · +13 working days")."""
    if health.state == "blocked" and slip_days and slip_days > 0:
        return f"blocked · +{working_days(slip_days)}"
    return health.state
