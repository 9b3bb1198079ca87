"""The forecast finish by commit: a small line chart as inline SVG, and the sentence under it. Free of MkDocs.

The layout is computed here; ``history.html.j2`` draws it. No JavaScript.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from ..history.baseline import Baseline, PlanHistory
from .timeline import MONTHS, fmt_date

WIDTH, HEIGHT, FONT = 440, 150, 12
LEFT, RIGHT, TOP, BOTTOM = 86, 14, 14, 30  # room for date labels


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class TrendView:
    width: int
    height: int
    font: int
    title: str
    description: str
    path: str
    points: tuple[Point, ...]
    x_labels: tuple[Label, ...]
    y_labels: tuple[Label, ...]
    grid: tuple[float, ...]  # y of horizontal grid lines
    baseline_y: float | None
    baseline_label: Label | None
    left: float
    right: float
    bottom: float


def _short(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {str(day.year)[2:]}"


def _scale(lo: dt.date, hi: dt.date, a: float, b: float) -> tuple[float, dt.date]:
    span = max((hi - lo).days, 1)
    return (b - a) / span, lo


def _spread(lo: dt.date, hi: dt.date, n: int) -> list[dt.date]:
    if lo == hi:
        return [lo]
    step = (hi - lo).days / (n - 1)
    return list(dict.fromkeys(lo + dt.timedelta(days=round(i * step)) for i in range(n)))


def sentence(history: PlanHistory, baseline: Baseline | None) -> str:
    """ "The forecast finish moved 3 times since approval, 15 working days later in all."."""
    since = f"since {baseline.label}" if baseline and baseline.schedule else "since the plan's first commit"
    if not history.moves:
        return f"The forecast finish has not moved {since}."
    times = "once" if history.moves == 1 else "twice" if history.moves == 2 else f"{history.moves} times"
    if history.shift == 0:
        return f"The forecast finish moved {times} {since}, and is back where it was."
    # how far is said once, beside the forecast at the top of the page: here, only which way
    way = "later" if history.shift > 0 else "earlier"
    return f"The forecast finish moved {times} {since}, {way} in all."


def trend_view(history: PlanHistory, baseline: Baseline | None, title: str) -> TrendView | None:
    points = history.points
    if not points:
        return None
    ends = [p.end for p in points]
    reference = baseline.schedule.end if baseline and baseline.schedule else None
    y_lo, y_hi = min([*ends, *([reference] if reference else [])]), max([*ends, *([reference] if reference else [])])
    x_lo, x_hi = points[0].date, points[-1].date
    plot_bottom = HEIGHT - BOTTOM
    ky, _ = _scale(y_lo, y_hi, 0, plot_bottom - TOP)
    kx, _ = _scale(x_lo, x_hi, LEFT, WIDTH - RIGHT)

    def x(day: dt.date) -> float:
        return round(LEFT + (day - x_lo).days * kx, 2) if x_hi > x_lo else (LEFT + WIDTH - RIGHT) / 2

    def y(day: dt.date) -> float:
        return round(plot_bottom - (day - y_lo).days * ky, 2) if y_hi > y_lo else (TOP + plot_bottom) / 2

    path = f"M{x(points[0].date)},{y(points[0].end)}"
    for prev, point in itertools.pairwise(points):
        path += f" H{x(point.date)} V{y(point.end)}" if point.end != prev.end else f" H{x(point.date)}"
    marks = tuple(
        Point(x(p.date), y(p.end), f"{p.short} of {p.date.isoformat()}: forecast finish {p.end.isoformat()}") for p in points
    )
    y_dates = _spread(y_lo, y_hi, 4)
    x_dates = _spread(x_lo, x_hi, 3)
    desc = f"{len(points)} commit{'s' if len(points) != 1 else ''} from {fmt_date(x_lo)} to {fmt_date(x_hi)}; "
    desc += f"the forecast finish went from {fmt_date(points[0].end)} to {fmt_date(points[-1].end)}"
    desc += f"; the baseline finish is {fmt_date(reference)}." if reference else "."
    return TrendView(
        width=WIDTH,
        height=HEIGHT,
        font=FONT,
        title=f"Forecast finish by commit: {title}",
        description=desc,
        path=path,
        points=marks,
        x_labels=tuple(
            Label(x(d), HEIGHT - 10, _short(d), "start" if i == 0 else "end" if i == len(x_dates) - 1 else "middle")
            for i, d in enumerate(x_dates)
        ),
        y_labels=tuple(Label(LEFT - 6, y(d) + FONT / 3, _short(d), "end") for d in y_dates),
        grid=tuple(y(d) for d in y_dates),
        baseline_y=y(reference) if reference else None,
        baseline_label=Label(WIDTH - RIGHT, y(reference) - 4, "baseline finish", "end") if reference else None,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=plot_bottom,
    )
