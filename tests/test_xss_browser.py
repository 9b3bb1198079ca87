"""The hostile payloads in a real browser: no dialog fires, no handler or javascript: URL from the
input is in the DOM, and the payload text is visible as written. The same site is built with
MkDocs and with ``specplan build && zensical build``."""

from __future__ import annotations

import contextlib

import pytest

from .conftest import Site
from .test_hostile import MARKDOWN_FIELDS, PAYLOADS, PLAIN_FIELDS, hostile_markdown, hostile_plan

XSS = ("script", "img", "svg", "js-link", "attr", "title")


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def hostile_site(request, tmp_path_factory):
    site = Site(tmp_path_factory.mktemp(f"xss-{request.param}"))
    pages = []
    n = 100
    for field in PLAIN_FIELDS:
        for payload in XSS:
            if field == "feature_id":
                continue
            folder = f"specs/{n}-{field.replace('.', '-')}-{payload}"
            site.plan(folder, hostile_plan(field, PAYLOADS[payload]).replace('"666"', f'"{n}"'))
            pages.append(folder)
            n += 1
    for field in MARKDOWN_FIELDS:
        for payload in XSS:
            folder = f"specs/{n}-md-{field}-{payload}"
            site.plan(folder, hostile_markdown(field, PAYLOADS[payload]).replace('"666"', f'"{n}"'))
            pages.append(folder)
            n += 1
    options = {
        "theme": {"name": "material", "palette": [{"scheme": "default"}]},
        "plugins": [{"specplan": {"build_date": "2026-11-26"}}],
        "markdown_extensions": ["attr_list", "toc", "tables"],
    }
    if request.param == "zensical":
        built = site.zensical(**options)
        assert built.zensical.returncode == 0, built.zensical.stderr[-3000:]
        return built, pages
    result = site.build(strict=False, **options)
    assert not result.failed
    return result, pages


DOM_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value || '';
      if (a.name.startsWith('on') && v.includes('alert')) bad.push(el.tagName + ' ' + a.name);
      if (['href', 'src', 'xlink:href'].includes(a.name) && v.trim().toLowerCase().startsWith('javascript:')) bad.push(el.tagName + ' ' + a.name);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('alert(1)')) bad.push('script');
  }
  return bad;
}"""


def test_no_payload_runs(hostile_site, browser):
    result, pages = hostile_site
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ["plans/index.html"] + [f"{folder}/plan/index.html" for folder in pages]:
        page.goto((result.site_dir / path).resolve().as_uri())
        page.wait_for_timeout(20)
        for selector in ("a", "img", "svg"):
            for element in page.query_selector_all(f"article {selector}")[:50]:
                with contextlib.suppress(Exception):
                    element.hover(timeout=200)
        assert page.evaluate(DOM_CHECK) == [], path
    assert dialogs == []
    context.close()


@pytest.mark.parametrize("payload", ["script", "img", "svg"])
def test_payload_text_is_visible(hostile_site, browser, payload):
    result, pages = hostile_site
    context = browser.new_context()
    page = context.new_page()
    folder = next(f for f in pages if f.endswith(f"-feature_name-{payload}"))
    page.goto((result.site_dir / f"{folder}/plan/index.html").resolve().as_uri())
    heading = page.inner_text("article h1")
    assert PAYLOADS[payload] in heading
    context.close()
