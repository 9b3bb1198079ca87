"""Gantt charts as inline SVG: no JavaScript, no external assets. Free of MkDocs.

The chart scales with the page (``viewBox``), takes its text colour from the page
(``currentColor``) so it reads in light and dark themes, and prints. Each bar is a ``<g>`` with
machine-readable ``data-*`` attributes; a table after the chart carries the same schedule for
screen readers, search and copy-paste.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import escape

from .schedule import Schedule

WIDTH = 720
LABEL_WIDTH = 190
RIGHT_PAD = 16
AXIS_HEIGHT = 40
ROW_HEIGHT = 26
BAR_HEIGHT = 14
LEGEND_HEIGHT = 34
FONT = 12.5

STATUS_COLOURS = {
    "planned": "#64748b",
    "in-progress": "#b45309",
    "done": "#15803d",
    "blocked": "#dc2626",
    "draft": "#64748b",
    "in-review": "#7c3aed",
    "approved": "#2563eb",
    "cancelled": "#94a3b8",
}
DEFAULT_COLOUR = "#475569"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


# -- date axis --------------------------------------------------------------------------------
def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _ticks(start: dt.date, end: dt.date, max_labels: int) -> tuple[list[dt.date], str]:
    """Tick dates and a label style, the finest unit that keeps at most ``max_labels`` labels."""
    days = (end - start).days + 1
    candidates: list[tuple[str, int]] = [("day", 1), ("day", 2), ("week", 1), ("week", 2), ("month", 1),
                                         ("month", 2), ("month", 3), ("month", 6), ("month", 12), ("month", 24)]
    for unit, step in candidates:
        if unit == "day":
            count = days / step
        elif unit == "week":
            count = days / (7 * step)
        else:
            count = days / (30.4 * step)
        if count <= max_labels:
            break
    ticks: list[dt.date] = []
    if unit == "day":
        day = start
        while day <= end + dt.timedelta(days=1):
            ticks.append(day)
            day += dt.timedelta(days=step)
        style = "day"
    elif unit == "week":
        day = start - dt.timedelta(days=start.weekday())  # Mondays
        if day < start:
            day += dt.timedelta(days=7)
        while day <= end + dt.timedelta(days=1):
            ticks.append(day)
            day += dt.timedelta(days=7 * step)
        style = "week"
    else:
        first = dt.date(start.year, start.month, 1)
        # align to the step (quarters on Jan/Apr/Jul/Oct, halves on Jan/Jul, years on Jan)
        while (first.month - 1) % step:
            first = _add_months(first, -1)
        day = first if first >= start else _add_months(first, step)
        while day <= end + dt.timedelta(days=1):
            ticks.append(day)
            day = _add_months(day, step)
        style = {1: "month", 2: "month", 3: "quarter", 6: "half", 12: "year", 24: "year"}[step]
    return ticks, style


def _tick_label(day: dt.date, style: str, previous: dt.date | None) -> str:
    if style == "day":
        return f"{'MTWTFSS'[day.weekday()]} {day.day}" if previous and previous.month == day.month else f"{day.day} {MONTHS[day.month - 1]}"
    if style == "week":
        return f"{day.day} {MONTHS[day.month - 1]}"
    if style == "month":
        return MONTHS[day.month - 1] + (f" {day.year}" if previous is None or previous.year != day.year else "")
    if style == "quarter":
        return f"Q{(day.month - 1) // 3 + 1}" + (f" {day.year}" if previous is None or previous.year != day.year else "")
    if style == "half":
        return f"H{(day.month - 1) // 6 + 1} {day.year}"
    return str(day.year)


# -- drawing ----------------------------------------------------------------------------------
def _attr(value: object) -> str:
    return str(escape(str(value)))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_gantt(gantt: Gantt) -> str:
    """The chart as an HTML block (``<div>`` with an inline ``<svg>``)."""
    rows = gantt.rows
    if not rows:
        return ""
    start = min(r.start for r in rows)
    end = max(r.end for r in rows)
    if gantt.today is not None and (end - start).days < 6:
        end = max(end, start + dt.timedelta(days=6))  # a one-day plan still gets a readable axis
    total = (end - start).days + 1
    x0, x1 = LABEL_WIDTH, WIDTH - RIGHT_PAD
    span = x1 - x0

    def x(day: dt.date) -> float:
        return round(x0 + (day - start).days / total * span, 2)

    top = AXIS_HEIGHT
    height = top + len(rows) * ROW_HEIGHT + LEGEND_HEIGHT
    uid = gantt.id_prefix
    out: list[str] = []
    add = out.append
    add(f'<div class="specplan-timeline" id="{uid}">')
    add(
        f'<svg class="specplan-gantt" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="inherit" font-size="{FONT}">'
    )
    add(f'<title id="{uid}-title">{_attr(gantt.title)}</title>')
    add(f'<desc id="{uid}-desc">{_attr(gantt.description)}</desc>')
    add(
        "<defs>"
        f'<marker id="{uid}-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L8,4 L0,8 z" class="specplan-gantt-arrowhead" fill="#94a3b8"/></marker>'
        f'<marker id="{uid}-arrow-critical" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L8,4 L0,8 z" class="specplan-gantt-arrowhead specplan-gantt-critical" fill="currentColor"/></marker>'
        "</defs>"
    )
    # axis: alternate bands, ticks and labels
    ticks, style = _ticks(start, end, max_labels=max(3, int(span / 62)))
    add('<g class="specplan-gantt-axis">')
    previous = None
    for tick in ticks:
        tx = x(tick)
        if tx > x1 + 0.01:
            break
        add(f'<line x1="{tx}" y1="{top - 8}" x2="{tx}" y2="{top + len(rows) * ROW_HEIGHT}" stroke="currentColor" stroke-opacity="0.15"/>')
        label = _tick_label(tick, style, previous)
        if tx < x1 - 8:
            add(f'<text x="{tx + 3}" y="{top - 14}" fill="currentColor" fill-opacity="0.75">{_attr(label)}</text>')
        previous = tick
    add(f'<line x1="{x0}" y1="{top}" x2="{x1}" y2="{top}" stroke="currentColor" stroke-opacity="0.35"/>')
    add("</g>")

    index = {r.key: i for i, r in enumerate(rows)}

    def centre(i: int) -> float:
        return top + i * ROW_HEIGHT + ROW_HEIGHT / 2

    # dependency arrows, under the bars
    add('<g class="specplan-gantt-edges" fill="none">')
    for src, dst in gantt.edges:
        if src not in index or dst not in index:
            continue
        a, b = rows[index[src]], rows[index[dst]]
        xa = x(a.end + dt.timedelta(days=1)) if not a.milestone else x(a.start)
        xb = x(b.start)
        ya, yb = centre(index[src]), centre(index[dst])
        critical = (src, dst) in gantt.critical_edges
        if xb - xa >= 8:  # out of the end, down (or up) to the row, into the start
            d = f"M{xa},{ya} H{round(xa + min(6, (xb - xa) / 2), 2)} V{yb} H{round(xb - 0.5, 2)}"
        else:  # the successor starts right away: drop onto the top (or bottom) of its bar
            edge_y = yb - BAR_HEIGHT / 2 - 1 if yb > ya else yb + BAR_HEIGHT / 2 + 1
            d = f"M{xa},{ya} H{round(xa + 4, 2)} V{edge_y}"
        cls = "specplan-gantt-edge" + (" specplan-gantt-critical" if critical else "")
        stroke = 'stroke="currentColor" stroke-width="1.8"' if critical else 'stroke="#94a3b8" stroke-width="1.2"'
        marker = f"{uid}-arrow-critical" if critical else f"{uid}-arrow"
        add(f'<path class="{cls}" d="{d}" {stroke} marker-end="url(#{marker})" data-from="{_attr(src)}" data-to="{_attr(dst)}"/>')
    add("</g>")

    # rows
    add('<g class="specplan-gantt-rows">')
    for i, row in enumerate(rows):
        cy = centre(i)
        colour = STATUS_COLOURS.get(row.status, DEFAULT_COLOUR)
        label = _truncate(row.label, 27)
        label_el = f'<text x="6" y="{cy + 4}" fill="currentColor">{_attr(label)}</text>'
        if row.href:
            label_el = f'<a href="{_attr(row.href)}">{label_el}</a>'
        add(label_el)
        attrs = (
            f'class="specplan-gantt-bar specplan-gantt-{_attr(row.status)}{" specplan-gantt-critical" if row.critical else ""}'
            f'{" specplan-gantt-milestone" if row.milestone else ""}" '
            f'data-{gantt.data_key}="{_attr(row.key)}" data-start="{row.start.isoformat()}" data-end="{row.end.isoformat()}" '
            f'data-critical="{"true" if row.critical else "false"}" data-status="{_attr(row.status)}"'
        )
        parts = [f"<g {attrs}>", f"<title>{_attr(row.tooltip or row.label)}</title>"]
        outline = 'stroke="currentColor" stroke-width="2"' if row.critical and gantt.show_critical else 'stroke="none"'
        if row.milestone:
            mx, r = x(row.start), BAR_HEIGHT / 2 + 1
            parts.append(
                f'<path class="specplan-gantt-shape" d="M{mx},{cy - r} L{mx + r},{cy} L{mx},{cy + r} L{mx - r},{cy} z" fill="{colour}" {outline}/>'
            )
        else:
            bx = x(row.start)
            bw = max(2.0, round(x(row.end + dt.timedelta(days=1)) - bx, 2))
            y = cy - BAR_HEIGHT / 2
            if row.solid_end is not None and row.solid_end < row.end:
                sw = max(1.0, round(x(row.solid_end + dt.timedelta(days=1)) - bx, 2))
                parts.append(
                    f'<rect class="specplan-gantt-uncertain" x="{round(bx + sw, 2)}" y="{y}" width="{round(bw - sw, 2)}" '
                    f'height="{BAR_HEIGHT}" rx="3" fill="{colour}" fill-opacity="0.35"/>'
                )
                parts.append(f'<rect class="specplan-gantt-shape" x="{bx}" y="{y}" width="{sw}" height="{BAR_HEIGHT}" rx="3" fill="{colour}"/>')
                if row.critical and gantt.show_critical:
                    parts.append(
                        f'<rect class="specplan-gantt-outline" x="{bx}" y="{y}" width="{bw}" height="{BAR_HEIGHT}" rx="3" fill="none" {outline}/>'
                    )
            else:
                parts.append(
                    f'<rect class="specplan-gantt-shape" x="{bx}" y="{y}" width="{bw}" height="{BAR_HEIGHT}" rx="3" fill="{colour}" {outline}/>'
                )
        parts.append("</g>")
        bar = "".join(parts)
        if row.href:
            bar = f'<a href="{_attr(row.href)}">{bar}</a>'
        add(bar)
    add("</g>")

    # today
    if gantt.today is not None and start <= gantt.today <= end:
        tx = x(gantt.today)
        add(
            f'<g class="specplan-gantt-today" data-date="{gantt.today.isoformat()}">'
            f'<line x1="{tx}" y1="{top - 6}" x2="{tx}" y2="{top + len(rows) * ROW_HEIGHT}" stroke="#e11d48" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{tx + 3}" y="{top - 2}" fill="#e11d48" font-size="{FONT - 1}">today</text></g>'
        )

    # legend
    ly = top + len(rows) * ROW_HEIGHT + 22
    lx = 6.0
    add('<g class="specplan-gantt-legend">')
    for status in gantt.statuses:
        colour = STATUS_COLOURS.get(status, DEFAULT_COLOUR)
        add(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" rx="2" fill="{colour}"/>')
        add(f'<text x="{lx + 16}" y="{ly}" fill="currentColor">{_attr(status)}</text>')
        lx += 24 + 7 * len(status)
    if any(r.solid_end is not None and r.solid_end < r.end for r in rows):
        add(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" rx="2" fill="#64748b" fill-opacity="0.35"/>')
        add(f'<text x="{lx + 16}" y="{ly}" fill="currentColor">range</text>')
        lx += 24 + 7 * 5
    if gantt.show_critical and any(r.critical for r in rows):
        add(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="2"/>')
        add(f'<text x="{lx + 16}" y="{ly}" fill="currentColor">critical path</text>')
        lx += 24 + 7 * 13
    if any(r.milestone for r in rows):
        add(f'<path d="M{lx + 6},{ly - 11} L{lx + 13},{ly - 4} L{lx + 6},{ly + 3} L{lx - 1},{ly - 4} z" fill="#64748b"/>')
        add(f'<text x="{lx + 18}" y="{ly}" fill="currentColor">milestone</text>')
        lx += 26 + 7 * 9
    if gantt.today is not None and start <= gantt.today <= end:
        add(f'<line x1="{lx + 6}" y1="{ly - 11}" x2="{lx + 6}" y2="{ly + 2}" stroke="#e11d48" stroke-width="1.5" stroke-dasharray="4 3"/>')
        add(f'<text x="{lx + 12}" y="{ly}" fill="currentColor">today ({fmt_date(gantt.today)})</text>')
    add("</g>")
    add("</svg>")
    add("</div>")
    return "\n".join(out)


def phase_gantt(schedule: Schedule, today: dt.date | None, title: str, statuses: tuple[str, ...]) -> Gantt:
    """The phase timeline of one plan."""
    rows = []
    for p in schedule.phases:
        solid_end = p.low_end if p.low_days else None
        effort = "milestone" if p.milestone else f"{p.days} working day{'s' if p.days != 1 else ''}"
        if p.low_days:
            effort = f"{p.low_days}-{p.days} working days"
        tooltip = f"Phase {p.number}: {p.name} · {fmt_date(p.start)} – {fmt_date(p.end)} · {effort} · {p.status}"
        if p.critical:
            tooltip += " · critical"
        rows.append(
            GanttRow(
                key=str(p.number),
                label=f"{p.number}. {p.name}",
                start=p.start,
                end=p.end,
                status=p.status,
                href=f"#phase-{p.number}",
                solid_end=solid_end,
                milestone=p.milestone,
                critical=p.critical,
                tooltip=tooltip,
            )
        )
    critical = {p.number for p in schedule.phases if p.critical}
    edges = [(str(a), str(b)) for a, b in schedule.edges]
    by_number = {p.number: p for p in schedule.phases}
    critical_edges = {
        (str(a), str(b))
        for a, b in schedule.edges
        if a in critical and b in critical and by_number[a].ef == by_number[b].es
    }
    chain = [str(p.number) for p in sorted(schedule.phases, key=lambda p: (p.es, p.number)) if p.critical]
    description = (
        f"{len(rows)} phase{'s' if len(rows) != 1 else ''} from {fmt_date(schedule.start)} to {fmt_date(schedule.end)}, "
        f"{schedule.working_days} working days. Critical path: phase{'s' if len(chain) != 1 else ''} {', '.join(chain) or 'none'}."
    )
    return Gantt(
        rows=rows,
        title=f"Phase timeline of {title}",
        description=description,
        edges=edges,
        critical_edges=critical_edges,
        today=today,
        statuses=statuses,
    )


def schedule_table(schedule: Schedule, phase_names: dict[int, str]) -> str:
    """The schedule as a Markdown table, for readers without the picture."""
    lines = [
        "| Phase | Start | End | Working days | Depends on | Status | Critical |",
        "|---|---|---|---:|---|---|---|",
    ]
    for p in schedule.phases:
        days = "milestone" if p.milestone else (f"{p.low_days}–{p.days}" if p.low_days else str(p.days))
        deps = ", ".join(f"[{d}](#phase-{d})" for d in p.depends_on) or "—"
        name = phase_names.get(p.number, p.name).replace("|", "\\|")
        lines.append(
            f"| [{p.number}. {name}](#phase-{p.number}) | {p.start.isoformat()} | {p.end.isoformat()} | {days} | {deps} "
            f"| {p.status} | {'yes' if p.critical else 'no'} |"
        )
    return "\n".join(lines)
