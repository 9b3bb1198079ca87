"""What a reader sees, in a real browser: Material light and dark, and the mkdocs theme."""

from __future__ import annotations

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
    reason = page.eval_on_selector(".specplan-check-reason", "e => getComputedStyle(e).color") if page.query_selector(".specplan-check-reason") else body_text
    assert contrast(reason, background) >= 3


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_checklist_shows_checkboxes(built, open_page, theme):
    page = open_page(built[theme] / PLAN)
    boxes = page.eval_on_selector_all(".specplan-checklist input[type=checkbox]", "els => els.map(e => [e.checked, e.disabled, e.getBoundingClientRect().width > 0])")
    assert len(boxes) == 4 + 5 + 4 + 4  # articles I-IV (PHI) and the three other sections
    assert all(disabled and visible for _, disabled, visible in boxes)
    # nine of the eleven data-decided items hold: the plan never mentions the spec's User Story 1,
    # so "supports all user stories" and "ready to break down into tasks" stay open
    assert sum(checked for checked, _, _ in boxes) == 9
    # no list bullets next to the checkboxes
    style = page.eval_on_selector(".specplan-checklist", "e => getComputedStyle(e).listStyleType")
    assert style == "none"


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_problems_box_is_the_first_thing_under_the_title(built, open_page, theme):
    page = open_page(built[theme] / "specs/002-broken/plan/index.html")
    box = page.query_selector(".specplan-problems")
    assert box is not None and box.is_visible()
    title_box = page.query_selector("h1").bounding_box()
    problems_box = box.bounding_box()
    assert problems_box["y"] > title_box["y"]
    assert problems_box["y"] - (title_box["y"] + title_box["height"]) < 120
    assert "specs/002-broken/plan.yaml:7:13" in box.inner_text()
    colour = page.eval_on_selector(".specplan-problems", "e => getComputedStyle(e).borderLeftColor")
    r, g, b = _rgb(colour)
    assert r > 150 and g < 120  # a red edge, in both themes


def test_anchor_targets_are_not_hidden_under_the_header(built, open_page):
    page = open_page(built["material"] / PLAN)
    page.goto(page.url + "#risk-r1")
    page.wait_for_timeout(100)
    heading = page.query_selector("h3:has-text('Risk R1')").bounding_box()
    header = page.query_selector("header").bounding_box()
    assert heading["y"] >= header["y"] + header["height"] - 1
    assert heading["y"] < 400
