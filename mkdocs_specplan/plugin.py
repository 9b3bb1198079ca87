"""The MkDocs plugin's entry point (``mkdocs.plugins``: ``specplan``)."""

from .adapters.mkdocs.plugin import SpecPlanPlugin

__all__ = ["SpecPlanPlugin"]
