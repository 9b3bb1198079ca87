"""What a reader sees, in a real browser: Material light and dark, and the mkdocs theme."""

from __future__ import annotations

import itertools
import re

import pytest

from .conftest import MINIMAL_PLAN

PLAN = "specs/001-appointment-reminders/plan/index.html"


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return values[0], values[1], values[2], values[3] if len(values) > 3 else 1.0


def _rgb(css: str) -> tuple[float, float, float]:
    return _rgba(css)[:3]


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast; a translucent foreground is blended onto the background first."""
    r, g, b, a = _rgba(fg)
    br, bgc, bb = _rgb(bg)
    blended = (r * a + br * (1 - a), g * a + bgc * (1 - a), b * a + bb * (1 - a))
    a, b = sorted((_luminance(blended), _luminance((br, bgc, bb))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _page_background(page) -> str:
    return page.evaluate(
        """() => {
            for (let el = document.querySelector('article, [role=main], .col-md-9, body'); el; el = el.parentElement) {
                const c = getComputedStyle(el).backgroundColor;
                if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
            }
            return 'rgb(255, 255, 255)';
        }"""
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from .conftest import Site

    sites = {}
    for theme in ("material", "mkdocs"):
        site = Site(tmp_path_factory.mktemp(theme))
        site.copy_example()
        site.plan("specs/002-broken", MINIMAL_PLAN + "phases:\n  - name: A\n    effort: 2 wekes\n")
        config = {"name": theme}
        if theme == "material":
            config["palette"] = [
                {"media": "(prefers-color-scheme: light)", "scheme": "default"},
                {"media": "(prefers-color-scheme: dark)", "scheme": "slate"},
            ]
        result = site.build(strict=False, theme=config)
        assert not result.failed
        sites[theme] = result.site_dir
    return sites


@pytest.mark.parametrize("theme,scheme", [("material", "light"), ("material", "dark"), ("mkdocs", "light")])
def test_badges_and_text_are_legible(built, open_page, theme, scheme):
    page = open_page(built[theme] / PLAN, color_scheme=scheme)
    if theme == "material":
        expected = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected
    badges = page.eval_on_selector_all(
        ".specplan-badge",
        "els => els.map(e => [e.textContent, getComputedStyle(e).color, getComputedStyle(e).backgroundColor])",
    )
    assert len(badges) >= 10
    for text, fg, bg in badges:
        if bg == "rgba(0, 0, 0, 0)":
            continue
        assert contrast(fg, bg) >= 4.5, (text, fg, bg)
    # the text around them reads on the page background
    background = _page_background(page)
    body_text = page.eval_on_selector("h2", "e => getComputedStyle(e).color")
    assert contrast(body_text, background) >= 4.5
    reason = (
        page.eval_on_selector(".specplan-check-reason", "e => getComputedStyle(e).color")
        if page.query_selector(".specplan-check-reason")
        else body_text
    )
    assert contrast(reason, background) >= 3


@pytest.mark.parametrize("theme,scheme", [("material", "light"), ("material", "dark"), ("mkdocs", "light")])
def test_checklist_marks_read_at_a_glance(built, open_page, theme, scheme):
    page = open_page(built[theme] / PLAN, color_scheme=scheme)
    items = page.eval_on_selector_all(
        ".specplan-checklist li",
        """els => els.map(e => { const m = e.querySelector('.specplan-check-mark');
            return [e.classList.contains('specplan-check--done'), m.textContent, getComputedStyle(m).color,
                    e.dataset.decidedBy, e.querySelector('.specplan-check-source').textContent]; })""",
    )
    assert len(items) == 4 + 5 + 4 + 4  # articles I-IV (PHI) and the three other sections
    assert page.query_selector(".specplan-checklist input") is None  # no disabled grey boxes
    done = {colour for ok, mark, colour, _, _ in items if ok}
    open_ = {colour for ok, mark, colour, _, _ in items if not ok}
    assert {mark for ok, mark, _, _, _ in items if ok} == {"✓"} and {mark for ok, mark, _, _, _ in items if not ok} == {"✗"}
    assert done and open_ and done.isdisjoint(open_)  # ticked and unticked differ in colour too
    background = _page_background(page)
    assert all(contrast(c, background) >= 3 for c in done | open_)
    # items decided by data say so; items a person ticks say where
    assert {source for _, _, _, by, source in items if by == "data"} == {"from the plan's data"}
    assert {source for _, _, _, by, source in items if by == "plan"} <= {"ticked in plan.yaml", "not ticked in plan.yaml"}


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_the_page_opens_with_the_glance_then_the_timeline(built, open_page, theme):
    page = open_page(built[theme] / "specs/002-broken/plan/index.html")
    title = page.query_selector("h1").bounding_box()
    glance = page.query_selector(".specplan-glance")
    assert glance is not None and glance.is_visible()
    box = glance.bounding_box()
    assert 0 < box["y"] - (title["y"] + title["height"]) < 120
    assert "1 to fix" in glance.inner_text()
    problems = page.query_selector(".specplan-problems")
    assert problems.bounding_box()["y"] > box["y"]
    assert "specs/002-broken/plan.yaml:7:13" in problems.inner_text()
    colour = page.eval_on_selector(".specplan-problems", "e => getComputedStyle(e).borderLeftColor")
    r, g, _b = _rgb(colour)
    assert r > 150 and g < 120  # a red edge, in both themes


def test_anchor_targets_are_not_hidden_under_the_header(built, open_page):
    page = open_page(built["material"] / PLAN)
    page.goto(page.url + "#risk-r1")
    page.wait_for_timeout(100)
    heading = page.query_selector("h3:has-text('Risk R1')").bounding_box()
    header = page.query_selector("header").bounding_box()
    assert heading["y"] >= header["y"] + header["height"] - 1
    assert heading["y"] < 400


def test_long_timeline_is_legible(site, open_page):
    """60 phases over two years: axis labels and phase labels never overlap, text stays readable."""
    phases = "\n".join(f"  - {{name: Workstream {i} delivery, effort: {1 + i % 3} w}}" for i in range(1, 61))
    site.plan("specs/big", MINIMAL_PLAN + "phases:\n" + phases + "\n")
    result = site.build(theme={"name": "material"}, plugins=[{"specplan": {"build_date": "2027-01-04"}}])
    assert not result.failed, result.warnings
    for width in (1280, 1000):
        page = open_page(result.site_dir / "specs/big/plan/index.html", width=width)
        boxes = page.eval_on_selector_all(
            ".specplan-gantt--wide .specplan-gantt-axis text, .specplan-gantt--wide .specplan-gantt-rows text",
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.closest('.specplan-gantt-axis') ? 'axis' : 'row', r.x, r.y, r.width, r.height, parseFloat(getComputedStyle(e).fontSize) * (r.height / e.getBBox().height)]; })",
        )
        axis = sorted((b for b in boxes if b[0] == "axis"), key=lambda b: b[1])
        rows = sorted((b for b in boxes if b[0] == "row"), key=lambda b: b[2])
        assert len(rows) == 60 and 4 <= len(axis) <= 12
        for a, b in itertools.pairwise(axis):
            assert a[1] + a[3] <= b[1], f"axis labels overlap at width {width}"
        for a, b in itertools.pairwise(rows):
            assert a[2] + a[4] <= b[2] + 0.5, f"phase labels overlap at width {width}"
        assert min(b[4] for b in boxes) >= 10, "text under 10 px high"
        today = page.query_selector(".specplan-gantt--wide .specplan-gantt-today")
        assert today is not None and today.is_visible()


@pytest.mark.parametrize("theme,scheme", [("material", "light"), ("material", "dark"), ("mkdocs", "light")])
def test_timeline_reads_in_each_theme(built, open_page, theme, scheme):
    page = open_page(built[theme] / PLAN, color_scheme=scheme)
    background = _page_background(page)
    label = page.eval_on_selector(".specplan-gantt-rows text", "e => getComputedStyle(e).fill")
    assert contrast(label, background) >= 4.5
    outline = page.eval_on_selector(
        ".specplan-gantt-critical .specplan-gantt-shape, .specplan-gantt-critical .specplan-gantt-outline",
        "e => getComputedStyle(e).stroke",
    )
    assert contrast(outline, background) >= 3  # the critical path stands out on the page
    width = page.eval_on_selector(".specplan-gantt--wide", "e => e.getBoundingClientRect().width")
    content = page.eval_on_selector(
        ".specplan-timeline",
        "e => { const p = e.parentElement, s = getComputedStyle(p); return p.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }",
    )
    assert width == pytest.approx(content, abs=2)  # scales with the page


def test_timeline_prints(built, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto((built["material"] / PLAN).resolve().as_uri())
    page.emulate_media(media="print")
    assert page.query_selector(".specplan-gantt--wide").is_visible()
    pdf = page.pdf(format="A4")
    assert len(pdf) > 10_000
    context.close()
