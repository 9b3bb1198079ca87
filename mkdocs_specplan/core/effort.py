"""Effort grammar: ``<n> <unit>`` or ``<n>-<m> <unit>``, converted to working days."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from .model import Effort, quote_value

UNITS: dict[str, str] = {
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "sprint": "sprint",
    "sprints": "sprint",
    "mo": "mo",
    "month": "mo",
    "months": "mo",
}

_NUMBER = r"\d{1,9}(?:\.\d{1,6})?|\.\d{1,6}"
MAX_WORKING_DAYS = 100_000  # about 385 years: anything larger is a typo or a placeholder
_EFFORT_RE = re.compile(rf"^\s*(?P<low>{_NUMBER})\s*(?:(?:-|–|—|to)\s*(?P<high>{_NUMBER})\s*)?(?P<unit>[a-zA-Z]+)\.?\s*$")

EFFORT_HINT = 'expected e.g. "3 d", "2 w", "1-2 sprints" (units: h, d, w, sprint, mo)'


class EffortError(ValueError):
    """The text is not an effort; the message says why."""


def unit_days(unit: str, sprint_days: int = 10) -> Fraction:
    """Working days in one ``unit`` (canonical unit names)."""
    return {
        "h": Fraction(1, 8),
        "d": Fraction(1),
        "w": Fraction(5),
        "sprint": Fraction(sprint_days),
        "mo": Fraction(20),
    }[unit]


def to_working_days(amount: Fraction, unit: str, sprint_days: int = 10) -> int:
    """Working days for ``amount`` of ``unit``; a fraction of a day rounds up."""
    return math.ceil(amount * unit_days(unit, sprint_days))


def parse_effort(text: str, sprint_days: int = 10) -> Effort:
    """Parse an effort; raise :class:`EffortError` with a readable message when it is not one."""
    match = _EFFORT_RE.match(text) if len(text) <= 60 else None
    if not match:
        raise EffortError(f"{quote_value(text)} is not an effort; {EFFORT_HINT}")
    unit = UNITS.get(match["unit"].lower())
    if unit is None:
        raise EffortError(f'{quote_value(text)} is not an effort (unknown unit "{match["unit"]}"); {EFFORT_HINT}')
    low = Fraction(match["low"])
    high = Fraction(match["high"]) if match["high"] else low
    if high < low:
        raise EffortError(f"{quote_value(text)} is a range whose upper bound is below its lower bound")
    if to_working_days(high, unit, sprint_days) > MAX_WORKING_DAYS:
        raise EffortError(f"{quote_value(text)} is too large: an effort is at most {MAX_WORKING_DAYS:,} working days")
    return Effort(
        text=text.strip(),
        low=low,
        high=high,
        unit=unit,
        low_days=to_working_days(low, unit, sprint_days),
        high_days=to_working_days(high, unit, sprint_days),
    )
