"""Shared helpers: real MkDocs builds of small sites, and the contract's example files."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = FIXTURES / "examples"  # the format's example feature, kept with the tests
EXAMPLE_FEATURE = EXAMPLES / "specs" / "001-appointment-reminders"

MINIMAL_PLAN = """\
feature_name: Minimal
feature_id: "042"
created_date: 2026-03-02
status: draft
"""


def git(root: Path, *args: str, date: str | None = None) -> None:
    """A git command in ``root``, with a fixed author and, given ``date``, that date for its commit."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    env.update(GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL="a@example.com", GIT_COMMITTER_NAME="A", GIT_COMMITTER_EMAIL="a@example.com")
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@dataclass
class BuildResult:
    site_dir: Path
    records: list[logging.LogRecord]
    error: BaseException | None = None
    config: object = None

    @property
    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]

    @property
    def errors(self) -> list[str]:
        """What aborted the build (MkDocs logs the plugin's error, then raises Abort)."""
        return [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]

    @property
    def infos(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == logging.INFO]

    @property
    def failed(self) -> bool:
        return self.error is not None

    def html(self, path: str) -> str:
        return (self.site_dir / path).read_text(encoding="utf-8")

    def exists(self, path: str) -> bool:
        return (self.site_dir / path).exists()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Site:
    """A small MkDocs project in a temporary folder."""

    root: Path
    config: dict = field(default_factory=dict)

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def doc(self, relpath: str, text: str) -> Path:
        return self.write(f"docs/{relpath}", text)

    def plan(self, folder: str, text: str, spec: str = "# Feature Specification\n") -> Path:
        """A plan.yaml in docs/<folder>, with a spec.md beside it (unless one is there)."""
        if not (self.docs / folder / "spec.md").exists():
            self.doc(f"{folder}/spec.md", spec)
        return self.doc(f"{folder}/plan.yaml", text)

    def copy_example(self, dest: str = "docs/specs/001-appointment-reminders") -> Path:
        """The contract's example feature, and its constitution at the top of docs."""
        target = self.root / dest
        shutil.copytree(EXAMPLE_FEATURE, target)
        if not (self.docs / "constitution.md").exists():
            shutil.copy(EXAMPLES / "constitution.md", self.docs / "constitution.md")
        return target

    def configure(self, **overrides) -> dict:
        """Write mkdocs.yml (the site's config with ``overrides``), and an index page if there is none."""
        config = {"site_name": "Test", "plugins": ["specplan"], **self.config, **overrides}
        (self.root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        if not (self.docs / "index.md").exists():
            self.doc("index.md", "# Home\n")
        return config

    def zensical(self, strict: bool = False, **overrides) -> ZensicalResult:
        """The site built with ``specplan build && zensical build``, configured as the README says."""
        extensions = list(overrides.pop("markdown_extensions", self.config.get("markdown_extensions", ["attr_list", "tables"])))
        self.configure(
            markdown_extensions=[*extensions, "mkdocs_specplan.extension"],
            extra_css=["assets/specplan/specplan.css"],
            **overrides,
        )
        return zensical_build(self.root, strict=strict)

    def build(self, strict: bool = True, **overrides) -> BuildResult:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        self.configure(**overrides)
        handler = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(logging.DEBUG)
        error = None
        cfg = None
        try:
            cfg = load_config(config_file=str(self.root / "mkdocs.yml"), strict=strict)
            build(cfg)
        except BaseException as exc:  # Abort is a SystemExit subclass
            error = exc
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        return BuildResult(self.root / "site", handler.records, error, cfg)


def assert_rendered_plan(html: str, title: str, *, problems: bool = False) -> None:
    """A plan page rendered in full (not the page shown when rendering fails, which has the same
    title): its title in the H1, the checklist section every plan page ends with, and the problems
    block only where expected."""
    import re

    assert re.search(r"<h1[^>]*>Implementation Plan: " + re.escape(title) + r"\b", html), f"no H1 for {title}"
    assert 'id="review-validation-checklist"' in html, "not a rendered plan page (the error page?)"
    assert ('id="specplan-problems"' in html) == problems


def command(name: str) -> str:
    """A console script installed beside this Python (the test extra's venv)."""
    return shutil.which(name, path=os.path.dirname(sys.executable)) or name


@dataclass
class ZensicalResult:
    """``specplan build`` then ``zensical build`` in a site's folder."""

    site_dir: Path
    problems: list[dict]  # what specplan build reported (its JSON format)
    specplan: subprocess.CompletedProcess
    zensical: subprocess.CompletedProcess

    def html(self, path: str) -> str:
        return (self.site_dir / path).read_text(encoding="utf-8")

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p["level"] == "warning"]


def zensical_build(root: Path, *, strict: bool = False) -> ZensicalResult:
    """The site at ``root`` built as the README says for Zensical: ``specplan build && zensical build``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [command("specplan"), "build", "--format", "json"], cwd=root, capture_output=True, text=True, check=False, env=env
    )
    assert built.returncode in (0, 1), built.stderr[-3000:]
    zensical = subprocess.run(
        [command("zensical"), "build", *(["--strict"] if strict else [])],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )
    return ZensicalResult(root / "site", json.loads(built.stdout), built, zensical)


class Article(HTMLParser):
    """What a page's ``<article>`` says and does, whatever the theme around it: its text, and each
    element's id, link target, source and event handler, in order. A theme's own pieces inside it
    (Material's and Zensical's edit and view buttons, Zensical's skip anchor) are left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside the article: how many articles deep
        self.skipping = 0  # inside a theme's button: how many elements deep
        self.text: list[str] = []
        self.items: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "article":
            self.depth += 1
        if not self.depth:
            return
        if self.skipping or "md-content__button" in values.get("class", ""):
            self.skipping += 1
            return
        for name, value in values.items():
            if (name == "id" and value != "__skip") or name in ("href", "src") or name.startswith("on"):
                self.items.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag == "article" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skipping:
            self.text.append(data)

    @classmethod
    def of(cls, html: str) -> tuple[str, list[tuple[str, str]]]:
        article = cls()
        article.feed(html)
        assert article.items or article.text, "no article on the page"
        return " ".join(" ".join(article.text).split()), article.items


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


# -- a real browser ---------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where it is not installed (never in CI)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser):
    """Open a built file in a fresh page: open_page(path, color_scheme="dark", width=1200)."""
    contexts = []

    def _open(path: Path, color_scheme: str = "light", width: int = 1280, height: int = 900):
        context = browser.new_context(color_scheme=color_scheme, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(path.resolve().as_uri())
        return page

    yield _open
    for context in contexts:
        context.close()
