"""Gantt charts as inline SVG: a layout computed here, drawn by ``timeline.html.j2``. Free of MkDocs.

:func:`layout` turns a :class:`Gantt` (rows of dates) into a :class:`GanttLayout`: every
coordinate, label, class and data attribute the template needs, and nothing else. Colours live
in the stylesheet: shapes carry classes (``specplan-gantt-status-done``), so the theme's palette
and a user's CSS reach them. Two layouts are drawn, a wide one and a compact one for narrow
screens (labels above the bars); the stylesheet shows the one that fits its container, so chart
text never shrinks below a readable size. No JavaScript, no external assets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.forecast import Forecast
from ..core.schedule import Schedule
from .renderer import status_class

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHAR_WIDTH = 0.6  # of the font size: a generous estimate of a character's width


def fmt_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class GanttRow:
    key: str  # the value of the data attribute (phase number, feature id)
    label: str
    start: dt.date
    end: dt.date  # last day, inclusive
    status: str
    href: str | None = None
    solid_end: dt.date | None = None  # for a range: where the certain part ends
    milestone: bool = False
    critical: bool = False
    tooltip: str = ""
    forecast: tuple[dt.date, dt.date] | None = None  # drawn as the bar; start/end become the thin reference bar
    reference: tuple[dt.date, dt.date] | None = None  # the thin bar: the baseline's dates, else start/end
    health: str | None = None
    baseline: tuple[dt.date, dt.date] | None = None

    @property
    def drawn(self) -> tuple[dt.date, dt.date]:
        """Where the bar is drawn: the forecast when there is one, else the plan."""
        return self.forecast or (self.start, self.end)

    @property
    def thin(self) -> tuple[dt.date, dt.date] | None:
        """The thin reference bar under a forecast: the baseline's dates, else the plan's."""
        if self.forecast is None:
            return None
        return self.reference or (self.start, self.end)

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        dates = [self.start, self.end, *self.drawn, *(self.thin or ())]
        return min(dates), max(dates)


@dataclass
class Gantt:
    rows: list[GanttRow]
    title: str
    description: str
    data_key: str = "phase"  # data-phase / data-plan
    edges: list[tuple[str, str]] = field(default_factory=list)  # (from key, to key)
    critical_edges: set[tuple[str, str]] = field(default_factory=set)
    today: dt.date | None = None
    statuses: tuple[str, ...] = ("planned", "in-progress", "done", "blocked")
    show_critical: bool = True
    id_prefix: str = "specplan-gantt"
    reference_label: str = "planned dates"  # what the thin bars under forecasts are: the plan's or the baseline's


# -- geometry of the two layouts ----------------------------------------------------------------
@dataclass(frozen=True)
class Geometry:
    name: str  # "wide" or "compact"
    width: int
    font: float
    label_width: float  # room for row labels at the left (0: labels above the bars)
    row_height: float
    bar_height: float
    axis_height: float
    right_pad: float
    label_chars: int

    @property
    def x0(self) -> float:
        return self.label_width if self.label_width else 8

    @property
    def x1(self) -> float:
        return self.width - self.right_pad


WIDE = Geometry("wide", 720, 12.5, 190, 26, 14, 40, 16, 27)
COMPACT = Geometry("compact", 340, 12, 0, 38, 12, 34, 8, 48)


# -- what the template draws --------------------------------------------------------------------
@dataclass(frozen=True)
class Tick:
    x: float
    label: str | None
    label_x: float
    anchor: str  # "start" or "end"


@dataclass(frozen=True)
class Shape:
    kind: str  # "rect" or "path"
    cls: str
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    d: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    label_x: float
    label_y: float
    href: str | None
    tooltip: str
    cls: str
    data: tuple[tuple[str, str], ...]  # data-* attributes (the wide layout only)
    shapes: tuple[Shape, ...]
    full_label: str | None = None  # the whole label, where the shown one is cut (its tooltip)


@dataclass(frozen=True)
class Edge:
    d: str
    cls: str
    marker: str
    src: str
    dst: str


@dataclass(frozen=True)
class TodayMark:
    x: float
    top: float
    bottom: float
    date: str
    label_x: float
    label_anchor: str


@dataclass(frozen=True)
class LegendItem:
    kind: str  # "status", "range", "critical", "milestone", "today"
    cls: str
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class GanttLayout:
    uid: str
    variant: str
    width: int
    height: float
    font: float
    title: str
    description: str
    ticks: tuple[Tick, ...]
    grid_top: float
    grid_bottom: float
    axis_y: float
    x0: float
    x1: float
    bars: tuple[Bar, ...]
    edges: tuple[Edge, ...]
    today: TodayMark | None
    legend: tuple[LegendItem, ...]


@dataclass(frozen=True)
class TimelineView:
    """Both layouts of one chart, for ``timeline.html.j2``."""

    uid: str
    wide: GanttLayout
    compact: GanttLayout


# -- date axis ----------------------------------------------------------------------------------
def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_STEPS: tuple[tuple[str, int, float], ...] = (
    ("day", 1, 1),
    ("day", 2, 2),
    ("week", 1, 7),
    ("week", 2, 14),
    ("month", 1, 30.4),
    ("month", 2, 60.8),
    ("month", 3, 91.3),
    ("month", 6, 182.6),
    ("month", 12, 365.25),
    ("month", 24, 730.5),
    ("month", 60, 1826),
    ("month", 120, 3652),
)
_STYLE = {1: "month", 2: "month", 3: "quarter", 6: "half", 12: "year", 24: "year", 60: "year", 120: "year"}


def _ticks(start: dt.date, end: dt.date, max_labels: int) -> tuple[list[dt.date], str]:
    """Tick dates and a label style: the finest unit that keeps at most ``max_labels`` labels."""
    days = (end - start).days + 1
    unit, step, _ = next((s for s in _STEPS if days / s[2] <= max_labels), _STEPS[-1])
    limit = end + dt.timedelta(days=1)
    ticks: list[dt.date] = []
    if unit in ("day", "week"):
        day = start
        if unit == "week":
            day = start - dt.timedelta(days=start.weekday())  # Mondays
            if day < start:
                day += dt.timedelta(days=7)
        stride = dt.timedelta(days=step * (7 if unit == "week" else 1))
        while day <= limit:
            if unit == "week" or day.weekday() < 5:  # a day scale ticks working days only
                ticks.append(day)
            day += stride
        return ticks, unit
    first = dt.date(start.year, start.month, 1)
    while (first.month - 1) % min(step, 12):  # quarters on Jan/Apr/Jul/Oct, halves on Jan/Jul, years on Jan
        first = _add_months(first, -1)
    day = first if first >= start else _add_months(first, step)
    while day <= limit:
        ticks.append(day)
        day = _add_months(day, step)
    return ticks, _STYLE[step]


def _tick_label(day: dt.date, style: str, previous: dt.date | None) -> str:
    new_year = previous is None or previous.year != day.year
    if style == "day":
        same_month = previous is not None and previous.month == day.month
        return str(day.day) if same_month else f"{day.day} {MONTHS[day.month - 1]}"
    if style == "week":
        return f"{day.day} {MONTHS[day.month - 1]}"
    if style == "month":
        return MONTHS[day.month - 1] + (f" {day.year}" if new_year else "")
    if style == "quarter":
        return f"Q{(day.month - 1) // 3 + 1}" + (f" {day.year}" if new_year else "")
    if style == "half":
        return f"H{(day.month - 1) // 6 + 1} {day.year}"
    return str(day.year)


def _text_width(text: str, font: float) -> float:
    return len(text) * font * CHAR_WIDTH


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Scale:
    """Dates to x coordinates, over the chart's span."""

    def __init__(self, start: dt.date, end: dt.date, geo: Geometry) -> None:
        self.start, self.end, self.geo = start, end, geo
        self.total = (end - start).days + 1

    def x(self, day: dt.date) -> float:
        return round(self.geo.x0 + (day - self.start).days / self.total * (self.geo.x1 - self.geo.x0), 2)

    def after(self, day: dt.date) -> float:
        """The x where a day ends."""
        return self.x(day + dt.timedelta(days=1))


def _axis(scale: _Scale, geo: Geometry) -> tuple[Tick, ...]:
    """Ticks with labels that never run past the chart's edges nor into each other."""
    span = geo.x1 - geo.x0
    dates, style = _ticks(scale.start, scale.end, max_labels=max(2, int(span / (geo.font * 5.2))))
    out: list[Tick] = []
    previous: dt.date | None = None
    last_right = -1.0
    for day in dates:
        tx = scale.x(day)
        if tx > geo.x1 + 0.01:
            break
        label: str | None = _tick_label(day, style, previous)
        width = _text_width(label or "", geo.font)
        anchor, lx = "start", tx + 3
        if lx + width > geo.width - 2:  # near the right edge: end the label at the tick
            anchor, lx = "end", tx - 3
        left = lx if anchor == "start" else lx - width
        if left < last_right + 4 or left < 0:
            label = None  # no room: the tick stays, its label is left out
        else:
            last_right = left + width
        out.append(Tick(tx, label, round(lx, 2), anchor))
        if label is not None:
            previous = day
    return tuple(out)


def _reference_shapes(row: GanttRow, scale: _Scale, cy: float, geo: Geometry) -> list[Shape]:
    """Under a forecast: a thin bar at the planned dates, the baseline's outlined beside it where it
    differs, and where the forecast ends later than planned, a small mark at that end (the slip is
    said in the table and the glance; the chart shows it quietly)."""
    if row.forecast is None:
        return []
    y = round(cy + geo.bar_height / 2 + 1, 2)
    tx = scale.x(row.start)
    shapes = [Shape("rect", "specplan-gantt-planned", tx, y, max(2.0, round(scale.after(row.end) - tx, 2)), 3)]
    if row.reference is not None and row.reference != (row.start, row.end):
        bx = scale.x(row.reference[0])
        width = max(2.0, round(scale.after(row.reference[1]) - bx, 2))
        shapes.append(Shape("rect", "specplan-gantt-baseline", bx, round(y + 3.5, 2), width, 2.5))
    end = row.drawn[1]
    if end > row.end:
        shapes.append(Shape("rect", "specplan-gantt-slip", round(scale.after(end) - 2, 2), round(y - 1, 2), 2, 5))
    return shapes


def _bar_shapes(row: GanttRow, scale: _Scale, cy: float, geo: Geometry, outline: bool) -> tuple[Shape, ...]:
    """A bar (a solid part and an outlined uncertain part for a range) or a milestone's diamond, over
    the thin reference bar when the bar is a forecast."""
    critical = " specplan-gantt-outlined" if outline else ""
    under = _reference_shapes(row, scale, cy, geo)
    start, end = row.drawn
    if row.milestone:
        mx, r = scale.x(start), geo.bar_height / 2 + 1
        d = f"M{mx},{cy - r} L{mx + r},{cy} L{mx},{cy + r} L{mx - r},{cy} z"
        return (*under, Shape("path", "specplan-gantt-shape" + critical, d=d))
    bx = scale.x(start)
    bw = max(2.0, round(scale.after(end) - bx, 2))
    y = cy - geo.bar_height / 2
    solid_end = row.solid_end + (start - row.start) if row.solid_end is not None else None
    if solid_end is None or solid_end >= end:
        return (*under, Shape("rect", "specplan-gantt-shape" + critical, bx, y, bw, geo.bar_height))
    sw = max(1.0, round(scale.after(solid_end) - bx, 2))
    shapes = [
        Shape("rect", "specplan-gantt-uncertain", round(bx + sw, 2), y + 0.75, round(bw - sw - 0.75, 2), geo.bar_height - 1.5),
        Shape("rect", "specplan-gantt-shape", bx, y, sw, geo.bar_height),
    ]
    if outline:
        shapes.append(Shape("rect", "specplan-gantt-outline", bx, y, bw, geo.bar_height))
    return (*under, *shapes)


def _bars(gantt: Gantt, scale: _Scale, geo: Geometry, top: float) -> tuple[Bar, ...]:
    out = []
    for i, row in enumerate(gantt.rows):
        cy = _centre(i, geo, top)
        label_y = cy + geo.font / 3 if geo.label_width else cy - geo.bar_height / 2 - 4
        classes = ["specplan-gantt-bar", f"specplan-gantt-status-{status_class(row.status)}"]
        classes += ["specplan-gantt-critical"] if row.critical else []
        classes += ["specplan-gantt-milestone"] if row.milestone else []
        classes += [f"specplan-gantt-health-{row.health}"] if row.health else []
        data: tuple[tuple[str, str], ...] = (
            (gantt.data_key, row.key),
            ("start", row.start.isoformat()),
            ("end", row.end.isoformat()),
            ("critical", "true" if row.critical else "false"),
            ("status", row.status),
        )
        if row.forecast:
            data += (("forecast-start", row.forecast[0].isoformat()), ("forecast-end", row.forecast[1].isoformat()))
        if row.health:
            data += (("health", row.health),)
        if row.baseline:
            data += (("baseline-start", row.baseline[0].isoformat()), ("baseline-end", row.baseline[1].isoformat()))
        out.append(
            Bar(
                label=_truncate(row.label, geo.label_chars),
                full_label=row.label if len(row.label) > geo.label_chars else None,
                label_x=6 if geo.label_width else geo.x0,
                label_y=round(label_y, 2),
                href=row.href,
                tooltip=row.tooltip or row.label,
                cls=" ".join(classes),
                data=data if geo.name == "wide" else (),
                shapes=_bar_shapes(row, scale, cy, geo, row.critical and gantt.show_critical),
            )
        )
    return tuple(out)


def _centre(i: int, geo: Geometry, top: float) -> float:
    if geo.label_width:
        return top + i * geo.row_height + geo.row_height / 2
    return top + i * geo.row_height + geo.row_height - geo.bar_height / 2 - 5  # below its label


def _edges(gantt: Gantt, scale: _Scale, geo: Geometry, top: float, uid: str) -> tuple[Edge, ...]:
    index = {r.key: i for i, r in enumerate(gantt.rows)}
    out = []
    for src, dst in gantt.edges:
        if src not in index or dst not in index:
            continue
        a, b = gantt.rows[index[src]], gantt.rows[index[dst]]
        xa = scale.x(a.drawn[0]) if a.milestone else scale.after(a.drawn[1])
        xb = scale.x(b.drawn[0])
        ya, yb = _centre(index[src], geo, top), _centre(index[dst], geo, top)
        if xb - xa >= 8:  # out of the end, down (or up) to the row, into the start
            d = f"M{xa},{ya} H{round(xa + min(6, (xb - xa) / 2), 2)} V{yb} H{round(xb - 0.5, 2)}"
        else:  # the successor starts right away: drop onto the top (or bottom) of its bar
            edge_y = yb - geo.bar_height / 2 - 1 if yb > ya else yb + geo.bar_height / 2 + 1
            d = f"M{xa},{ya} H{round(xa + 4, 2)} V{edge_y}"
        critical = (src, dst) in gantt.critical_edges
        cls = "specplan-gantt-edge" + (" specplan-gantt-critical" if critical else "")
        out.append(Edge(d, cls, f"{uid}-arrow-critical" if critical else f"{uid}-arrow", src, dst))
    return tuple(out)


def _today(gantt: Gantt, scale: _Scale, geo: Geometry, top: float, bottom: float) -> TodayMark | None:
    if gantt.today is None or not scale.start <= gantt.today <= scale.end:
        return None
    tx = scale.x(gantt.today)
    anchor, lx = ("end", tx - 3) if tx + 3 + _text_width("today", geo.font) > geo.width - 2 else ("start", tx + 3)
    return TodayMark(tx, top - 6, bottom, gantt.today.isoformat(), round(lx, 2), anchor)


def _legend(gantt: Gantt, geo: Geometry, y: float) -> tuple[tuple[LegendItem, ...], float]:
    """Legend items, wrapped onto as many lines as the width needs; the y after the last line."""
    rows = gantt.rows
    items: list[tuple[str, str, str]] = [("status", f"specplan-gantt-status-{status_class(s)}", s) for s in gantt.statuses]
    if any(r.solid_end is not None and r.solid_end < r.end for r in rows):
        items.append(("range", "specplan-gantt-uncertain", "range"))
    if gantt.show_critical and any(r.critical for r in rows):
        items.append(("critical", "specplan-gantt-outline", "critical path"))
    if any(r.milestone for r in rows):
        items.append(("milestone", "specplan-gantt-shape", "milestone"))
    if any(r.thin for r in rows):
        items.append(("planned", "specplan-gantt-planned", gantt.reference_label))
    if any(r.thin and r.drawn[1] > r.thin[1] for r in rows):
        items.append(("slip", "specplan-gantt-slip", "slip"))
    if gantt.today is not None and min(r.span[0] for r in rows) <= gantt.today <= max(r.span[1] for r in rows):
        items.append(("today", "specplan-gantt-today", f"today ({fmt_date(gantt.today)})"))
    out: list[LegendItem] = []
    x = 6.0
    for kind, cls, label in items:
        width = 18 + _text_width(label, geo.font) + 10
        if x + width > geo.width - 4 and x > 6:
            x, y = 6.0, y + geo.font + 8
        out.append(LegendItem(kind, cls, round(x, 2), round(y, 2), label))
        x += width
    return tuple(out), y


def layout(gantt: Gantt, geo: Geometry = WIDE) -> GanttLayout | None:
    """Every coordinate and label of a chart in one layout; None for a chart without rows."""
    rows = gantt.rows
    if not rows:
        return None
    start, end = min(r.span[0] for r in rows), max(r.span[1] for r in rows)
    if gantt.today is not None and (end - start).days < 6:
        end = max(end, start + dt.timedelta(days=6))  # a one-day plan still gets a readable axis
    scale = _Scale(start, end, geo)
    uid = gantt.id_prefix + ("" if geo.name == "wide" else "-compact")
    top = geo.axis_height
    bottom = top + len(rows) * geo.row_height
    legend, last_line = _legend(gantt, geo, bottom + 22)
    return GanttLayout(
        uid=uid,
        variant=geo.name,
        width=geo.width,
        height=round(last_line + 12, 2),
        font=geo.font,
        title=gantt.title,
        description=gantt.description,
        ticks=_axis(scale, geo),
        grid_top=top - 8,
        grid_bottom=bottom,
        axis_y=top,
        x0=geo.x0,
        x1=geo.x1,
        bars=_bars(gantt, scale, geo, top),
        edges=_edges(gantt, scale, geo, top, uid),
        today=_today(gantt, scale, geo, top, bottom),
        legend=legend,
    )


def timeline_view(gantt: Gantt) -> TimelineView | None:
    wide, compact = layout(gantt, WIDE), layout(gantt, COMPACT)
    if wide is None or compact is None:
        return None
    return TimelineView(gantt.id_prefix, wide, compact)


def phase_gantt(
    schedule: Schedule,
    today: dt.date | None,
    title: str,
    statuses: tuple[str, ...],
    forecast: Forecast | None = None,
    baseline: Schedule | None = None,
) -> Gantt:
    """The phase timeline of one plan: the forecast over thin planned (or baseline) bars when there is one."""
    rows = []
    for p in schedule.phases:
        effort = "milestone" if p.milestone else f"{p.days} working day{'s' if p.days != 1 else ''}"
        if p.low_days:
            effort = f"{p.low_days}-{p.days} working days"
        tooltip = f"Phase {p.number}: {p.name} · planned {fmt_date(p.start)} – {fmt_date(p.end)} · {effort} · {p.status}"
        predicted = forecast.phase(p.number) if forecast else None
        base = baseline.phase(p.number) if baseline else None
        if predicted is not None:
            tooltip += f" · forecast {fmt_date(predicted.start)} – {fmt_date(predicted.end)} · {predicted.health}"
        rows.append(
            GanttRow(
                key=str(p.number),
                label=f"{p.number}. {' '.join(p.name.split())}",
                start=p.start,
                end=p.end,
                status=p.status,
                href=f"#phase-{p.number}",
                solid_end=p.low_end if p.low_days else None,
                milestone=p.milestone,
                critical=p.critical,
                tooltip=tooltip + (" · critical" if p.critical else ""),
                forecast=(predicted.start, predicted.end) if predicted else None,
                reference=(base.start, base.end) if base else None,
                health=predicted.health if predicted else None,
                baseline=(base.start, base.end) if base else None,
            )
        )
    critical = {p.number for p in schedule.phases if p.critical}
    by_number = {p.number: p for p in schedule.phases}
    critical_edges = {
        (str(a), str(b)) for a, b in schedule.edges if a in critical and b in critical and by_number[a].ef == by_number[b].es
    }
    chain = [str(p.number) for p in sorted(schedule.phases, key=lambda p: (p.es, p.number)) if p.critical]
    description = (
        f"{len(rows)} phase{'s' if len(rows) != 1 else ''} from {fmt_date(schedule.start)} to {fmt_date(schedule.end)}, "
        f"{schedule.working_days} working days. Critical path: phase{'s' if len(chain) != 1 else ''} {', '.join(chain) or 'none'}."
    )
    if forecast is not None:
        description += f" Forecast finish {fmt_date(forecast.end)} ({forecast.health.state})."
    return Gantt(
        rows=rows,
        title=f"Phase timeline of {title}",
        description=description,
        edges=[(str(a), str(b)) for a, b in schedule.edges],
        critical_edges=critical_edges,
        today=today,
        statuses=statuses,
        reference_label="baseline dates" if baseline else "planned dates",
    )


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    name: str
    start: str
    end: str
    days: str
    depends_on: tuple[int, ...]
    status: str
    critical: bool
    forecast: tuple[str, str] | None = None
    slip: str = ""  # "+3" working days, "−2", or "" when on plan
    health: str | None = None
    baseline: tuple[str, str] | None = None


def signed(n: int) -> str:
    """A slip as written in tables: "+3", "−2", or "" for none."""
    return "" if n == 0 else (f"+{n}" if n > 0 else f"−{-n}")


def schedule_rows(
    schedule: Schedule, phase_names: dict[int, str], forecast: Forecast | None = None, baseline: Schedule | None = None
) -> tuple[ScheduleRow, ...]:
    """The schedule as rows, for the table that follows the chart."""
    rows = []
    for p in schedule.phases:
        predicted = forecast.phase(p.number) if forecast else None
        base = baseline.phase(p.number) if baseline else None
        rows.append(
            ScheduleRow(
                number=p.number,
                name=phase_names.get(p.number, p.name),
                start=p.start.isoformat(),
                end=p.end.isoformat(),
                days="milestone" if p.milestone else (f"{p.low_days}–{p.days}" if p.low_days else str(p.days)),
                depends_on=tuple(p.depends_on),
                status=p.status,
                critical=p.critical,
                forecast=(predicted.start.isoformat(), predicted.end.isoformat()) if predicted else None,
                slip=signed(predicted.slip_days) if predicted else "",
                health=predicted.health if predicted else None,
                baseline=(base.start.isoformat(), base.end.isoformat()) if base else None,
            )
        )
    return tuple(rows)
