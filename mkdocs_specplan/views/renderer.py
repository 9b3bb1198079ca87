"""Render plans to Markdown with Jinja2. Free of MkDocs."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..core.model import Settings
from ..support.mdlex import fenced, segments
from ..support.text import slug

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PLAN_TEMPLATE = "plan.md.j2"


class TemplateProblem(Exception):
    """A user template is missing or broken; the message names the file and line."""


def status_class(text: str | None) -> str:
    return slug(text or "unknown")


SEVERITY_STEPS = 5


def severity_class(level: str | None, levels: tuple[str, ...]) -> str:
    """``specplan-sev-1`` (lowest) to ``specplan-sev-5`` (highest): a level's place on the configured scale."""
    if level is None or level not in levels:
        return "specplan-sev-none"
    if len(levels) == 1:
        return f"specplan-sev-{SEVERITY_STEPS}"
    step = round(levels.index(level) / (len(levels) - 1) * (SEVERITY_STEPS - 1)) + 1
    return f"specplan-sev-{step}"


def badge_html(text: Any, kind: str = "status") -> Markup:
    """A status badge (``kind``: status, phase, risk, dependency); nothing for an empty value."""
    if text is None or text == "":
        return Markup("")
    return _badge(str(text), str(kind))


@functools.lru_cache(maxsize=1024)  # a site has a few statuses, each on many pages
def _badge(text: str, kind: str) -> Markup:
    # the text is plain, escaped for HTML and Markdown; the class names are slugs
    return Markup(f'<span class="specplan-badge specplan-{slug(kind)}-{status_class(text)}">{md_escape(text)}</span>')


@functools.lru_cache(maxsize=1024)  # a site has a few levels, each on many pages
def level_badge_html(level: str | None, levels: tuple[str, ...]) -> Markup:
    """A risk-level badge; its colour comes from the stylesheet, by its place on the configured scale."""
    if not level:
        return Markup('<span class="specplan-badge specplan-level-unknown">not assessed</span>')
    return Markup('<span class="specplan-badge specplan-level specplan-level-{cls} {sev}">{text}</span>').format(
        cls=status_class(level), sev=severity_class(level, levels), text=Markup(md_escape(level))
    )


def md_indent(text: str | None, width: int = 4) -> str:
    """Indent every line after the first, so Markdown text stays inside a list item."""
    if not text:
        return ""
    pad = " " * width
    lines = str(text).split("\n")
    return "\n".join([lines[0]] + [(pad + line) if line.strip() else "" for line in lines[1:]])


def one_line(text: str | None) -> str:
    """Text for a Markdown table cell: one line, pipes escaped (linear: no regular expression)."""
    if not text:
        return ""
    parts = str(text).split("\n")
    if len(parts) > 1:
        parts = [p.rstrip() if i == 0 else (p.lstrip() if i == len(parts) - 1 else p.strip()) for i, p in enumerate(parts)]
    return " ".join(parts).replace("|", "\\|")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!~])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_escape(text: object) -> str:
    """Plain text for generated Markdown: one line, shown as written (escaped for Markdown and HTML)."""
    if text is None:
        return ""
    text = str(text)
    return _md_escape_short(text) if len(text) <= 200 else _md_escape(text)


@functools.lru_cache(maxsize=4096)  # names and statuses recur on every page and every rebuild
def _md_escape_short(text: str) -> str:
    return _md_escape(text)


def _md_escape(text: str) -> str:
    line = " ".join(text.split())
    line = "".join(_HTML_SPECIAL.get(c, c) for c in line) if any(c in line for c in "&<>") else line
    return _MD_SPECIAL.sub(r"\\\1", line)


_ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def nowrap_dates(text: object, markdown: bool = False) -> Markup:
    """Plain text (escaped for HTML, and for Markdown with ``markdown``) whose dates never wrap at their hyphens."""
    escaped = md_escape(text) if markdown else str(escape(str(text)))
    return Markup(_ISO_DATE_RE.sub(lambda m: f'<span class="specplan-date">{m.group(0)}</span>', escaped))


_AUTOLINK_RE = re.compile(r"<(?:[Hh][Tt][Tt][Pp][Ss]?://|[Mm][Aa][Ii][Ll][Tt][Oo]:)[^<>\s]*>")


def _escape_markup(text: str) -> str:
    """Outside code: ``<`` escaped (no raw HTML; autolinks kept) and ``{`` escaped (no attribute lists)."""
    out: list[str] = []
    pos = 0
    for match in _AUTOLINK_RE.finditer(text):
        out.append(text[pos : match.start()].replace("<", "&lt;").replace("{", "\\{"))
        out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:].replace("<", "&lt;").replace("{", "\\{"))
    return "".join(out)


def md_field(text: object, indent: int = 0) -> str:
    """A Markdown field of a plan: its Markdown kept (emphasis, lists, links, code), never raw HTML
    (comments included) or attribute lists; links with unsafe schemes are neutralised when the page
    is rendered."""
    if text is None or text == "":
        return ""
    out = "".join(s.text if s.kind in ("fence", "code") else _escape_markup(s.text) for s in segments(str(text), comments=False))
    return md_indent(out, indent) if indent else out


def code_spans(text: object) -> Markup:
    """Plain text for HTML, with `backticked` parts shown as code (problem messages name options so)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
        return Markup(escape(str(text)))
    return Markup("").join(Markup("<code>{}</code>").format(part) if i % 2 else escape(part) for i, part in enumerate(parts))


def tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines left by the template (never inside fenced code)."""
    out: list[str] = []
    blank = 0
    for line, code in fenced(text.split("\n"), nested=True):
        if code:
            out.append(line)
            blank = 0
            continue
        if not line.strip():
            blank += 1
            if blank == 1:
                out.append("")
            continue
        blank = 0
        out.append(line if line.endswith("  ") else line.rstrip())
    return "\n".join(out).strip("\n") + "\n"


class Renderer:
    """Holds the Jinja2 environment; a user template may replace or extend the packaged one."""

    def __init__(
        self,
        settings: Settings,
        template_path: str | None = None,
        templates_dir: str | None = None,
        compiled: jinja2.BytecodeCache | None = None,
    ) -> None:
        """``compiled``: where templates are kept compiled between processes (a changed one is compiled again)."""
        self.settings = settings
        self._templates: dict[str, jinja2.Template] = {}
        loaders: list[jinja2.BaseLoader] = []
        self.template_name = PLAN_TEMPLATE
        if templates_dir:  # a folder whose files replace the packaged templates of the same name
            if not Path(templates_dir).is_dir():
                raise TemplateProblem(f"templates_dir {templates_dir}: no such folder")
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        if template_path:
            path = Path(template_path)
            if not path.is_file():
                raise TemplateProblem(f"template {template_path}: no such file")
            loaders.append(jinja2.FileSystemLoader(str(path.parent)))
            self.template_name = path.name
        # The packaged templates are reachable as "specplan/<name>" for {% extends %}.
        loaders.append(jinja2.PrefixLoader({"specplan": jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES))}))
        loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            # The plan page is Markdown (its raw HTML parts use |e); *.html.j2 templates are autoescaped.
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # the plugin makes a new renderer when a template file changes
            bytecode_cache=compiled,
            undefined=jinja2.StrictUndefined if os.environ.get("SPECPLAN_STRICT_TEMPLATES") else jinja2.Undefined,
        )
        self.env.filters.update(
            md_indent=md_indent,
            one_line=one_line,
            md_escape=md_escape,
            code_spans=code_spans,
            md_field=md_field,
            nowrap_dates=nowrap_dates,
            slug=slug,
            status_class=status_class,
            badge=badge_html,
            level_badge=lambda level: level_badge_html(level, settings.risk_levels),
        )
        self.env.globals.update(settings=settings)
        self.env.tests["multiline"] = lambda value: isinstance(value, str) and "\n" in value.strip()
        self.template = self._load(self.template_name, template_path)

    def render_html(self, name: str, **context: Any) -> str:
        """An HTML template (autoescaped), e.g. ``feature-note.html.j2``; one line per block of output."""
        return self._render_named(name, context).strip()

    def error_page(self, title: str, message: str) -> str:
        """The page shown when a plan page cannot be rendered: always the packaged template."""
        try:
            return self.render_markdown("specplan/error.md.j2", title=title, message=message)
        except TemplateProblem:  # pragma: no cover - the packaged template is tested
            return f"# Implementation Plan: {md_escape(title)}\n\nThis plan could not be rendered: {md_escape(message)}\n"

    def render_markdown(self, name: str, **context: Any) -> str:
        """A Markdown template, e.g. ``schedule-table.md.j2`` (text from plans goes through md_escape)."""
        return self._render_named(name, context).strip("\n") + "\n"

    def _render_named(self, name: str, context: dict[str, Any]) -> str:
        template = self._load(name, None)
        try:
            return template.render(**context)
        except jinja2.TemplateError as exc:
            lineno = getattr(exc, "lineno", None)
            raise TemplateProblem(f"template {name}{':' + str(lineno) if lineno else ''}: {exc}") from None

    def _load(self, name: str, shown: str | None) -> jinja2.Template:
        template = self._templates.get(name)
        if template is not None:
            return template
        try:
            template = self._templates[name] = self.env.get_template(name)
            return template
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or shown or name
            raise TemplateProblem(f"template {where}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(f"template {shown or name}: cannot find {exc.name}") from None

    # -- rendering -----------------------------------------------------------------------------
    def render(self, template: jinja2.Template | None = None, **context: Any) -> str:
        template = template or self.template
        try:
            text = template.render(**context)
        except jinja2.TemplateError as exc:
            lineno = getattr(exc, "lineno", None)
            name = getattr(exc, "filename", None) or template.name
            raise TemplateProblem(f"template {name}{':' + str(lineno) if lineno else ''}: {exc}") from None
        return tidy_markdown(text)


def escape_html(text: Any) -> str:
    return str(escape(text))
