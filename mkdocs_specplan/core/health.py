"""A plan's schedule health and a risk's level: one answer for the plan page, the dashboard and the
JSON. Free of MkDocs."""

from __future__ import annotations

import math

from .forecast import Forecast, Health, plan_done
from .model import Plan, Risk, Settings


def health(plan: Plan | None, forecast: Forecast | None, settings: Settings) -> Health:
    """The forecast's health; for a plan without one: unreadable, done, blocked or not scheduled."""
    if plan is None:
        return Health("not scheduled", ("the plan could not be read",))
    if plan_done(plan, settings):
        return Health("done")
    if forecast is not None:
        return forecast.health
    if plan.status in settings.blocked_plan_statuses:
        return Health("blocked", (f"the plan is {plan.status}",))
    if plan.phases:
        return Health("not scheduled", ("the phases could not be scheduled; see the problems",))
    return Health("not scheduled", ("the plan has no phases",))


def risk_level(risk: Risk, levels: tuple[str, ...]) -> tuple[int, str | None]:
    """(score, level): the score is (probability index + 1) x (impact index + 1), 0 when not assessed;
    the level is the rounded-up geometric mean of probability and impact."""
    if risk.probability not in levels or risk.impact not in levels:
        return 0, None
    score = (levels.index(risk.probability) + 1) * (levels.index(risk.impact) + 1)
    return score, levels[min(len(levels), math.ceil(math.sqrt(score) - 1e-9)) - 1]
