"""The Markdown extension users name in ``markdown_extensions`` (``mkdocs_specplan.extension``), for Zensical
and other builders that run Python-Markdown extensions but not MkDocs plugins."""

from .adapters.standalone.extension import SpecPlanMarkdown, makeExtension

__all__ = ["SpecPlanMarkdown", "makeExtension"]
