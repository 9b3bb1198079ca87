"""The demo site in a real browser: nothing cut or scrolling sideways, readable charts, at 1280 and
390 px, Material light and dark and the mkdocs theme, and in print. Screenshots go to
tests/screenshots/ (ignored by git) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .test_browser import _page_background, contrast

DEMO = Path(__file__).resolve().parent.parent / "demo-site"
SHOTS = Path(__file__).resolve().parent / "screenshots"
PAGES = {
    "plan": "specs/001-appointment-reminders/plan/index.html",
    "blocked": "features/004-telehealth-visits/plan/index.html",
    "dashboard": "plans/index.html",
}
CASES = [("material", "light"), ("material", "dark"), ("mkdocs", "light")]

MEASURE = """() => {
  const main = document.querySelector('article') || document.querySelector('[role=main]') || document.body;
  const out = {tables: [], charts: [], text: [], outside: [], shapes: []};
  for (const t of main.querySelectorAll('table')) {
    const scrolling = [];
    for (let el = t; el && el !== main; el = el.parentElement) if (el.scrollWidth > el.clientWidth + 1) scrolling.push(el.className || el.tagName);
    out.tables.push({head: t.rows[0] ? t.rows[0].innerText.slice(0, 40) : '', scrolling});
  }
  for (const d of main.querySelectorAll('.specplan-timeline')) {
    out.charts.push({scroll: d.scrollWidth - d.clientWidth});
    for (const svg of d.querySelectorAll('svg')) {
      if (getComputedStyle(svg).display === 'none') continue;
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      for (const t of svg.querySelectorAll('text')) out.text.push([t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]);
      for (const el of svg.querySelectorAll('.specplan-gantt-bar, .specplan-gantt-label, .specplan-gantt-today, .specplan-gantt-tick')) {
        const b = el.getBoundingClientRect();
        if (b.left < -0.5 || b.right > window.innerWidth + 0.5) out.outside.push([el.getAttribute('class'), b.left, b.right]);
      }
      for (const el of svg.querySelectorAll('.specplan-gantt-bar .specplan-gantt-shape, .specplan-gantt-today line'))
        out.shapes.push([el.closest('g').getAttribute('class'), getComputedStyle(el).fill, getComputedStyle(el).stroke]);
    }
  }
  out.wraps = [];
  for (const el of main.querySelectorAll('.specplan-badge, .specplan-date, .specplan-dates, .specplan-tag'))
    if (el.getClientRects().length > 1) out.wraps.push(el.textContent);
  return out;
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo site built with Material (as configured) and with the mkdocs theme."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = {}
    for theme in ("material", "mkdocs"):
        site_dir = tmp_path_factory.mktemp(f"demo-{theme}")
        overrides: dict = {"site_dir": str(site_dir), "strict": True}
        if theme == "mkdocs":
            overrides["theme"] = {"name": "mkdocs"}
        build(load_config(config_file=str(DEMO / "mkdocs.yml"), **overrides))
        out[theme] = site_dir
    return out


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("which", list(PAGES))
@pytest.mark.parametrize("theme,scheme", CASES)
def test_fits_the_screen_at_1280(demo, open_page, theme, scheme, which):
    page = open_page(demo[theme] / PAGES[which], color_scheme=scheme, width=1280)
    page.wait_for_timeout(150)
    found = page.evaluate(MEASURE)
    _shot(page, f"{which}-{theme}-{scheme}-1280")
    assert [t for t in found["tables"] if t["scrolling"]] == [], "a table scrolls sideways"
    assert all(c["scroll"] <= 0 for c in found["charts"]) and found["charts"]
    assert found["outside"] == []
    assert min(size for _, size in found["text"]) >= 11, "chart text under 11 px"
    assert found["wraps"] == [], "an ID, date or badge wraps inside itself"


@pytest.mark.parametrize("which", list(PAGES))
@pytest.mark.parametrize("theme,scheme", CASES)
def test_charts_fit_a_phone(demo, open_page, theme, scheme, which):
    page = open_page(demo[theme] / PAGES[which], color_scheme=scheme, width=390, height=844)
    page.wait_for_timeout(150)
    found = page.evaluate(MEASURE)
    _shot(page, f"{which}-{theme}-{scheme}-390")
    assert found["charts"] and all(c["scroll"] <= 0 for c in found["charts"]), "a chart scrolls sideways"
    assert found["outside"] == [], "a bar, label or the today line is off the screen"
    assert min(size for _, size in found["text"]) >= 11, "chart text under 11 px"
    if which != "blocked":  # the blocked plan ended months before the build date
        today = page.query_selector(".specplan-gantt--compact .specplan-gantt-today")
        assert today is not None and today.is_visible()


@pytest.mark.parametrize("theme,scheme", CASES)
def test_chart_parts_keep_contrast(demo, open_page, theme, scheme):
    page = open_page(demo[theme] / PAGES["plan"], color_scheme=scheme)
    background = _page_background(page)
    found = page.evaluate(MEASURE)
    assert found["shapes"]
    for cls, fill, stroke in found["shapes"]:
        colour = stroke if "today" in (cls or "") else fill
        assert contrast(colour, background) >= 3, (cls, colour, background)
    uncertain = page.eval_on_selector(
        ".specplan-gantt--wide .specplan-gantt-bar .specplan-gantt-uncertain", "e => getComputedStyle(e).stroke"
    )
    assert contrast(uncertain, background) >= 3  # the uncertain part of a range is visible in dark mode too


def test_the_first_screen_says_whether_the_plan_is_on_track(demo, open_page):
    for width, height in ((1280, 800), (390, 844)):
        page = open_page(demo["material"] / PAGES["plan"], width=width, height=height)
        glance = page.query_selector(".specplan-glance")
        box = glance.bounding_box()
        assert box["y"] < height * 0.5
        assert page.eval_on_selector(".specplan-glance [data-health]", "e => e.dataset.health") == "late"
        text = glance.inner_text()
        assert "finish 2026-12-17 (+14 working days against the plan" in " ".join(text.split())  # the slip, said once
        assert "phase 2 (Delivery): in progress past its planned length (due 2026-11-24 from its start)" in text
        assert "Owner: no owner named" in text and "(holds up phase 4)" in text  # who, and what it holds up
        assert glance.bounding_box()["y"] + glance.bounding_box()["height"] < height * 1.6  # which, why, who: near the top
    page = open_page(demo["material"] / PAGES["dashboard"], width=1280, height=800)
    attention = page.query_selector("h2#attention")
    assert attention.bounding_box()["y"] < 400  # the dashboard opens with what needs attention
    items = page.eval_on_selector_all("h2#attention + ul > li", "els => els.map(e => e.innerText)")
    assert items[0].startswith("004 Telehealth visits") and "blocked" in items[0]
    assert "owner: Procurement" in items[0] and "next: Escalated to procurement" in items[0] and "holds up phases 2–5" in items[0]


NAV = """() => Array.from(document.querySelectorAll('nav.md-nav--primary li.md-nav__item--active.md-nav__item--nested')).map(li => [
    li.querySelector(':scope > a, :scope > label, :scope > div').innerText.trim(),
    Array.from(li.querySelectorAll(':scope > nav > ul > li')).map(x => (x.querySelector(':scope > a, :scope > label, :scope > div') || x).innerText.trim().split('\\n')[0])])"""


def test_navigation_in_reading_order(demo, open_page):
    page = open_page(demo["material"] / PAGES["plan"])
    sections = dict(page.evaluate(NAV))
    assert sections["001 Appointment reminders"] == ["Spec", "Plan", "Data model", "Research", "Contracts", "Tasks"]
    assert sections["Specs"] == ["001 Appointment reminders", "002 Patient intake forms", "003 Billing export"]
    top = page.evaluate(
        "() => Array.from(document.querySelectorAll('nav.md-nav--primary > ul > li'))"
        ".map(li => (li.querySelector(':scope > a, :scope > label, :scope > div') || li).innerText.trim().split('\\n')[0])"
    )
    assert top.index("Plans") < top.index("Features") and top.index("Plans") < top.index("Specs")


def test_print_keeps_every_column(demo, browser):
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    for which in ("plan", "dashboard"):
        page.goto((demo["material"] / PAGES[which]).resolve().as_uri())
        page.emulate_media(media="print")
        found = page.evaluate(MEASURE)
        assert [t for t in found["tables"] if t["scrolling"]] == [], which
        assert page.query_selector(".specplan-gantt--wide").is_visible()
        assert len(page.pdf(format="A4")) > 10_000
    context.close()


@pytest.mark.parametrize("which", ["dashboard", "plan"])
@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_the_page_fits_a_phone_with_either_theme(demo, open_page, theme, which):
    """Nothing makes the page itself wider than a 390 px screen: a wide table scrolls in its own box."""
    page = open_page(demo[theme] / PAGES[which], width=390, height=844)
    page.wait_for_timeout(150)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
            && getComputedStyle(e).position !== 'fixed' && !e.closest('.md-sidebar, .md-header, nav'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= 391, (width, wide)


@pytest.mark.parametrize("which", ["plan", "blocked"])
def test_what_a_lead_decides_on_fits_three_screens(demo, open_page, which):
    """At 1280x800: the glance (health, cause, owner, next step, forecast, the top risks), the
    timeline and the phases still to do end within three screens; the risk register, the
    dependencies and the reference sections come after."""
    page = open_page(demo["material"] / PAGES[which], width=1280, height=800)
    bottom = page.evaluate(
        """() => { const h = Array.from(document.querySelectorAll('article h2')).find(e => e.id.startsWith('risk-assessment'));
                   return h ? h.getBoundingClientRect().top + window.scrollY : null; }"""
    )
    assert bottom is not None and bottom <= 3 * 800, bottom
