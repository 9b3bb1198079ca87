"""Render plans to Markdown with Jinja2. Free of MkDocs."""

from __future__ import annotations

import colorsys
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .model import Settings

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PLAN_TEMPLATE = "plan.md.j2"


class TemplateProblem(Exception):
    """A user template is missing or broken; the message names the file and line."""


def slug(text: str) -> str:
    """A lower-case, hyphenated anchor fragment."""
    text = re.sub(r"[^\w\s-]", "", text.lower(), flags=re.UNICODE)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "x"


def status_class(text: str | None) -> str:
    return slug(text or "unknown")


def scale_hue(fraction: float) -> int:
    """The colour scale of levels and the heatmap: green (120) at 0 to red (0) at 1, through amber."""
    return round(120 * (1 - fraction) ** 1.5)


def level_hue(level: str | None, levels: tuple[str, ...]) -> int | None:
    """The hue of a configured level: green for the lowest, red for the highest."""
    if level is None or level not in levels:
        return None
    if len(levels) == 1:
        return 0
    return scale_hue(levels.index(level) / (len(levels) - 1))


def _relative_luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def hue_color(hue: float, min_contrast: float = 4.6) -> str:
    """The lightest colour of ``hue`` on which white text keeps ``min_contrast`` (WCAG AA)."""
    lightness = 0.45
    while lightness > 0.1:
        rgb = colorsys.hls_to_rgb(hue / 360, lightness, 0.75)
        if 1.05 / (_relative_luminance(rgb) + 0.05) >= min_contrast:
            break
        lightness -= 0.01
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def level_color(level: str | None, levels: tuple[str, ...]) -> str | None:
    hue = level_hue(level, levels)
    return None if hue is None else hue_color(hue)


def badge_html(text: Any, kind: str = "status") -> Markup:
    """A status badge (``kind``: status, phase, risk, dependency); nothing for an empty value."""
    if text is None or text == "":
        return Markup("")
    return Markup('<span class="specplan-badge specplan-{kind}-{cls}">{text}</span>').format(
        kind=kind, cls=status_class(str(text)), text=str(text)
    )


def level_badge_html(level: str | None, levels: tuple[str, ...]) -> Markup:
    """A risk-level badge coloured on the scale of the configured levels."""
    if not level:
        return Markup('<span class="specplan-badge specplan-level-unknown">not assessed</span>')
    color = level_color(level, levels) or "#475569"
    return Markup(
        '<span class="specplan-badge specplan-level specplan-level-{cls}" style="background-color: {color}">{text}</span>'
    ).format(cls=status_class(level), color=color, text=level)


def md_indent(text: str | None, width: int = 4) -> str:
    """Indent every line after the first, so Markdown text stays inside a list item."""
    if not text:
        return ""
    pad = " " * width
    lines = str(text).split("\n")
    return "\n".join([lines[0]] + [(pad + line) if line.strip() else "" for line in lines[1:]])


def one_line(text: str | None) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    if not text:
        return ""
    return re.sub(r"\s*\n\s*", " ", str(text)).replace("|", "\\|")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!~])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_escape(text: object) -> str:
    """Plain text for generated Markdown: one line, shown as written (escaped for Markdown and HTML)."""
    if text is None:
        return ""
    line = " ".join(str(text).split())
    line = "".join(_HTML_SPECIAL.get(c, c) for c in line) if any(c in line for c in "&<>") else line
    return _MD_SPECIAL.sub(r"\\\1", line)


def tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines left by the template (never inside fenced code)."""
    out: list[str] = []
    fence: str | None = None
    blank = 0
    for line in text.split("\n"):
        stripped = line.strip()
        marker = re.match(r"^(`{3,}|~{3,})", stripped)
        if fence is None and marker:
            fence = marker.group(1)[0] * len(marker.group(1))
        elif fence is not None and stripped.startswith(fence) and not stripped[len(fence):].strip():
            fence = None
            out.append(line)
            blank = 0
            continue
        if fence is None and not stripped:
            blank += 1
            if blank > 1:
                continue
            out.append("")
            continue
        blank = 0
        out.append(line.rstrip() if fence is None and not line.endswith("  ") else line)
    return "\n".join(out).strip("\n") + "\n"


class Renderer:
    """Holds the Jinja2 environment; a user template may replace or extend the packaged one."""

    def __init__(self, settings: Settings, template_path: str | None = None) -> None:
        self.settings = settings
        loaders: list[jinja2.BaseLoader] = []
        self.template_name = PLAN_TEMPLATE
        if template_path:
            path = Path(template_path)
            if not path.is_file():
                raise TemplateProblem(f"template {template_path}: no such file")
            loaders.append(jinja2.FileSystemLoader(str(path.parent)))
            self.template_name = path.name
        # The packaged templates are reachable as "specplan/<name>" for {% extends %}.
        loaders.append(
            jinja2.PrefixLoader({"specplan": jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES))})
        )
        loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            # The plan page is Markdown (its raw HTML parts use |e); *.html.j2 templates are autoescaped.
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined if os.environ.get("SPECPLAN_STRICT_TEMPLATES") else jinja2.Undefined,
        )
        self.env.filters.update(
            md_indent=md_indent,
            one_line=one_line,
            md_escape=md_escape,
            slug=slug,
            status_class=status_class,
            badge=badge_html,
            level_badge=lambda level: level_badge_html(level, settings.risk_levels),
        )
        self.env.globals.update(settings=settings)
        self.template = self._load(self.template_name, template_path)

    def render_html(self, name: str, **context: Any) -> str:
        """A packaged HTML template (autoescaped), e.g. ``feature-note.html.j2``."""
        return self._load(name, None).render(**context).strip()

    def _load(self, name: str, shown: str | None) -> jinja2.Template:
        try:
            return self.env.get_template(name)
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
