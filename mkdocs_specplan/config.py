"""The plugin's options, as declared for MkDocs (validated, typed, with defaults)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from .model import DEFAULT_PHASE_STATUSES, DEFAULT_PLAN_STATUSES, DEFAULT_RISK_LEVELS, DEFAULT_RISK_STATUSES


class SpecPlanConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. `enabled: !ENV [SPECPLAN, true]`)."""

    sources = c.ListOfItems(c.Type(str), default=["**/plan.yaml", "**/plan.yml"])
    """Glob patterns (relative to docs_dir, `**` spans folders) of the plan files to render."""

    specs_dir = c.Optional(c.Dir(exists=True))
    """A folder outside docs_dir (e.g. `../specs`) to publish as well, with its Markdown siblings."""

    specs_url = c.Type(str, default="specs")
    """The URL prefix under which `specs_dir` is published."""

    template = c.Optional(c.File(exists=True))
    """A Jinja2 template (path relative to mkdocs.yml) that replaces or extends the plan page."""

    css = c.Type(bool, default=True)
    """Add the packaged stylesheet to the site."""

    plan_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_PLAN_STATUSES))
    phase_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_PHASE_STATUSES))
    risk_levels = c.ListOfItems(c.Type(str), default=list(DEFAULT_RISK_LEVELS))
    """Risk levels from the lowest to the highest; probability and impact use them."""

    risk_statuses = c.ListOfItems(c.Type(str), default=list(DEFAULT_RISK_STATUSES))
    open_risk_statuses = c.ListOfItems(c.Type(str), default=["open"])
    """Which of `risk_statuses` count as open."""

    sprint_length = c.Type(int, default=10)
    """Working days in one sprint, for efforts written in sprints."""
