"""The phase timeline: data attributes read back, accessibility, axis, summary, today line."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from mkdocs_specplan.core.loader import load_plan
from mkdocs_specplan.core.model import Settings
from mkdocs_specplan.core.schedule import schedule_plan
from mkdocs_specplan.project.records import PlanSource, load_page
from mkdocs_specplan.views.plan_page import page_inputs, render_page, timeline_context
from mkdocs_specplan.views.renderer import Renderer
from mkdocs_specplan.views.timeline import _tick_label, _ticks, phase_gantt, timeline_view

from .conftest import EXAMPLE_FEATURE, MINIMAL_PLAN


def render_gantt(gantt):
    return Renderer(Settings()).render_html("timeline.html.j2", view=timeline_view(gantt))


class Svg(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())

    def all(self, tag=None, **attrs):
        return [
            a
            for t, a in self.elements
            if (tag is None or t == tag) and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def wide(html: str) -> str:
    """The wide layout's SVG (the compact one draws the same chart for narrow columns)."""
    start = html.index('<svg class="specplan-gantt specplan-gantt--wide"')
    return html[start : html.index("</svg>", start) + 6]


def compact(html: str) -> str:
    start = html.index('<svg class="specplan-gantt specplan-gantt--compact"')
    return html[start : html.index("</svg>", start) + 6]


def parse(html: str) -> Svg:
    svg = Svg()
    svg.feed(wide(html) if "specplan-gantt--wide" in html else html)
    return svg


def example_page(today=dt.date(2026, 10, 7)):
    settings = Settings()
    page = load_page(PlanSource("specs/x/plan.yaml", (EXAMPLE_FEATURE / "plan.yaml").read_text(), "specs/x/plan.yaml"), settings)
    inputs = page_inputs(page, {}, today)
    return page, render_page(inputs, Renderer(settings), **timeline_context(inputs, Renderer(settings)))


def bars(svg: Svg) -> list[dict]:
    return [a for t, a in svg.elements if t == "g" and "data-phase" in a]


def test_bars_carry_the_schedule():
    _page, md = example_page()
    svg = parse(md)
    assert [(b["data-phase"], b["data-start"], b["data-end"], b["data-critical"]) for b in bars(svg)] == [
        ("1", "2026-09-21", "2026-10-02", "true"),
        ("2", "2026-10-05", "2026-10-23", "true"),
        ("3", "2026-10-05", "2026-10-16", "false"),
        ("4", "2026-10-26", "2026-10-30", "true"),
    ]
    assert [b["data-status"] for b in bars(svg)] == ["done", "in-progress", "planned", "planned"]


def test_ranges_are_solid_plus_uncertain():
    _, md = example_page()
    group = md[md.index('data-phase="2"') :]
    group = group[: group.index("</g>")]
    assert 'class="specplan-gantt-uncertain"' in group and "fill" not in group  # colours come from the stylesheet
    solid = float(re.search(r'class="specplan-gantt-shape" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', group).group(1))
    uncertain = (
        float(re.search(r'class="specplan-gantt-uncertain" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', group).group(1)) + 0.75
    )
    # certain: 10 working days, Mon 5 - Fri 16 Oct (12 calendar days);
    # uncertain: 5 more, Sat 17 - Fri 23 Oct (7 calendar days)
    assert solid / uncertain == pytest.approx(12 / 7, rel=0.02)


def test_dependency_arrows_and_critical_highlight():
    _, md = example_page()
    svg = parse(md)
    edges = [(a["data-from"], a["data-to"], "specplan-gantt-critical" in a["class"]) for a in svg.all("path") if "data-from" in a]
    assert edges == [("1", "2", True), ("1", "3", False), ("2", "4", True), ("3", "4", False)]
    critical_marker = next(a for a in svg.all("path") if a.get("data-from") == "1" and a.get("data-to") == "2")["marker-end"]
    assert "arrow-critical" in critical_marker


def test_accessible_title_desc_and_table():
    _, md = example_page()
    svg = parse(md)
    root = svg.all("svg")[0]
    assert root["role"] == "group"  # it holds links, so it is not an image
    assert re.fullmatch(r"0 0 720 \d+(\.\d+)?", root["viewbox"])
    title_id, desc_id = root["aria-labelledby"].split()
    assert svg.all("title", id=title_id) and svg.all("desc", id=desc_id)
    assert "Phase timeline of Appointment reminders" in svg.text
    assert "4 phases from 21 Sep 2026 to 30 Oct 2026, 30 working days. Critical path: phases 1, 2, 4." in svg.text
    table = md[md.index("</svg>") :]
    assert "| Phase | Planned | Days | Depends on | Status |" in table
    assert (
        '| [2. Delivery](#phase-2) | <span class="specplan-date">2026-10-05</span> → <span class="specplan-date">2026-10-23</span> | 10–15 | [1](#phase-1) | '
        '<span class="specplan-badge specplan-phase-in-progress">in-progress</span> '
        '<span class="specplan-tag specplan-tag-critical" title="on the critical path">critical</span> |'
    ) in table
    assert (
        '| [3. Confirmations](#phase-3) | <span class="specplan-date">2026-10-05</span> → <span class="specplan-date">2026-10-16</span> | 10 | [1](#phase-1) | '
        '<span class="specplan-badge specplan-phase-planned">planned</span> |'
    ) in table


def test_svg_scales_and_needs_no_script():
    _, md = example_page()
    chart = md[md.index('<div class="specplan-timeline"') : md.index("</svg>")]
    assert re.search(r'viewBox="0 0 720 [\d.]+" width="720"', chart)  # the stylesheet scales it to the column
    assert "<script" not in chart and "http://" not in chart.replace("http://www.w3.org/2000/svg", "")
    assert "\n\n" not in chart  # one raw HTML block for Markdown


@pytest.mark.parametrize(
    "today,shown", [(dt.date(2026, 10, 7), True), (dt.date(2026, 9, 21), True), (dt.date(2026, 11, 26), False), (None, False)]
)
def test_today_line_only_inside_the_chart(today, shown):
    _, md = example_page(today)
    svg = parse(md)
    lines = svg.all("g", **{"class": "specplan-gantt-today"})
    assert bool(lines) == shown
    if shown:
        assert lines[0]["data-date"] == today.isoformat()


def test_summary_shows_schedule_and_difference():
    _, md = example_page()
    assert "**Estimated Effort**: 7 weeks<br>" in md
    assert "**Scheduled**: 2026-09-21 → 2026-10-30<br>" in md
    assert "**Span**: 6 weeks (30 working days)" in md
    assert "**Difference**: the schedule is 1 week (5 working days) shorter than the estimated 7 weeks" in md


def test_no_difference_when_the_estimate_agrees():
    text = MINIMAL_PLAN + "estimated_effort: 1-2 w\nphases:\n  - {name: A, effort: 7 d}\n"
    settings = Settings()
    page = load_page(PlanSource("p.yaml", text, "p.yaml"), settings)
    inputs = page_inputs(page, {}, None)
    md = render_page(inputs, Renderer(settings), **timeline_context(inputs, Renderer(settings)))
    assert "**Span**: 1.4 weeks (7 working days)" in md and "Difference" not in md


def test_milestone_is_a_diamond():
    text = MINIMAL_PLAN + "phases:\n  - {name: A, effort: 2 d}\n  - {name: Launch}\n"
    plan = load_plan(text, "p.yaml").plan
    html = render_gantt(phase_gantt(schedule_plan(plan).schedule, None, "M", ("planned",)))
    group = html[html.index('data-phase="2"') :]
    assert "specplan-gantt-milestone" in html and re.search(r'<path class="specplan-gantt-shape[^"]*" d="M[\d.]+,[\d.]+ L', group)
    assert 'data-start="2026-03-04" data-end="2026-03-04"' in group
    assert "milestone</text>" in html  # in the legend


@pytest.mark.parametrize(
    "days,style,max_labels",
    [
        (5, "day", 10),
        (12, "day", 10),
        (40, "week", 10),
        (120, "month", 10),
        (365, "month", 10),
        (700, "quarter", 10),
        (900, "half", 10),
    ],
)
def test_axis_ticks_stay_legible(days, style, max_labels):
    start = dt.date(2026, 3, 2)
    ticks, chosen = _ticks(start, start + dt.timedelta(days=days), max_labels=8)
    assert chosen == style
    assert 2 <= len(ticks) <= max_labels
    labels = [_tick_label(t, chosen, ticks[i - 1] if i else None) for i, t in enumerate(ticks)]
    assert all(len(label) <= 8 for label in labels)
    if chosen != "quarter":  # quarters repeat across years; the year is shown where it changes
        assert len(set(labels)) == len(labels)


def test_sixty_phases_over_two_years():
    phases = "\n".join(f"  - {{name: Phase number {i} with a long name, effort: {1 + i % 3} w}}" for i in range(1, 61))
    text = MINIMAL_PLAN + "phases:\n" + phases + "\n"
    plan = load_plan(text, "p.yaml").plan
    schedule = schedule_plan(plan).schedule
    assert 100 <= schedule.working_days / 5 <= 130  # two years and a bit
    html = render_gantt(phase_gantt(schedule, dt.date(2027, 1, 4), "Big", ("planned",)))
    svg = parse(html)
    assert len(bars(svg)) == 60
    labels = [t for t in svg.text if re.fullmatch(r"Q\d( \d{4})?|H\d \d{4}|\d{4}|[A-Z][a-z]{2}( \d{4})?", t)]
    assert 4 <= len(labels) <= 12
    assert "17. Phase number 17 with a…" in svg.text  # long names are shortened; the full name is in the tooltip


def test_a_day_scale_ticks_working_days_only():
    start = dt.date(2026, 3, 2)  # a Monday
    ticks, style = _ticks(start, start + dt.timedelta(days=12), max_labels=20)
    assert style == "day" and ticks and all(t.weekday() < 5 for t in ticks)
    labels = [_tick_label(t, style, ticks[i - 1] if i else None) for i, t in enumerate(ticks)]
    assert labels[:3] == ["2 Mar", "3", "4"]  # no weekday letters


def test_slip_is_a_mark_the_baseline_sits_beside_the_plan_and_cut_labels_have_a_tooltip():
    from mkdocs_specplan.views.timeline import Gantt, GanttRow

    name = "Core Implementation (online and offline clients, with the synchronisation service)"
    row = GanttRow(
        "1",
        f"1. {name}",
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 13),
        "in-progress",
        forecast=(dt.date(2026, 3, 2), dt.date(2026, 3, 27)),
        reference=(dt.date(2026, 3, 2), dt.date(2026, 3, 6)),
        baseline=(dt.date(2026, 3, 2), dt.date(2026, 3, 6)),
    )
    svg = Svg()
    svg.feed(render_gantt(Gantt([row], "T", "D", today=dt.date(2026, 3, 16))))
    rects = [a for tag, a in svg.elements if tag == "rect"]
    planned = [r for r in rects if r.get("class") == "specplan-gantt-planned"]
    baseline = [r for r in rects if r.get("class") == "specplan-gantt-baseline"]
    slip = [r for r in rects if r.get("class") == "specplan-gantt-slip"]
    assert len(planned) == 2 and len(baseline) == 2  # the wide and the compact layout
    assert float(planned[0]["width"]) > float(baseline[0]["width"])  # the plan's own dates stay visible
    assert slip and all(float(r["width"]) <= 2 for r in slip)  # a mark, not a line under the row
    assert f"<title>1. {name}</title>" in render_gantt(Gantt([row], "T", "D"))  # the whole name, as a tooltip
