"""Render spec-driven implementation plans written as YAML into MkDocs pages."""

from .core.loader import LoadResult, load_plan
from .core.model import Plan, Problem, Settings
from .core.schedule import Schedule, schedule_plan

__all__ = ["LoadResult", "Plan", "Problem", "Schedule", "Settings", "load_plan", "schedule_plan"]
__version__ = "0.1.0"
