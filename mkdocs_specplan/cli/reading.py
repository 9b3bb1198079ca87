"""How the command reads a site: with a ``mkdocs.yml``, as ``mkdocs build`` reads it (every plugin's
configuration and files events, the plugin's own among them); without one, the given files and
folders through the same pipeline with the default options."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from ..adapters.standalone.build import Urls
from ..core.model import Problem, sort_problems
from ..pipeline.options import SiteConfig, build_date
from ..pipeline.pipeline import Pipeline, SiteBuild
from ..pipeline.sources import SourceFile, Sources
from ..project.loading import HISTORY
from .importer import find_constitution

PLAN_NAMES = ("plan.yaml", "plan.yml")


class UsageError(Exception):
    """A problem with the command line or the configuration; exit status 2."""


@dataclasses.dataclass
class Checked:
    """A site as a build makes it, and its problems (paths from the current folder)."""

    site: SiteBuild
    problems: list[Problem]
    base: str  # the folder the sources' display paths are relative to
    pages: dict[str, str] = dataclasses.field(default_factory=dict)  # each plan page's Markdown, by its source's path

    def plans(self) -> list[str]:
        return [p.source.display_path for p in self.site.pages]


def _relative(path: str, base: str) -> str:
    if os.path.isabs(path):
        return os.path.relpath(path)
    return os.path.relpath(os.path.normpath(os.path.join(base, path)))


def with_path(problems: list[Problem], base: str) -> list[Problem]:
    """Problems with their files' paths from the current folder (a subject that is not a file as it is)."""
    return [p if p.path == HISTORY else dataclasses.replace(p, path=_relative(p.path, base)) for p in problems]


def check_config(config_file: str) -> Checked:
    """The site of a mkdocs.yml, as ``mkdocs build`` makes it up to its pages (every plugin's
    configuration and files events run; no page is rendered to HTML)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError, PluginError
    from mkdocs.structure.files import get_files

    from ..adapters.mkdocs.plugin import SpecPlanPlugin  # MkDocs' own machinery: only where a check runs it

    quiet = logging.getLogger("mkdocs")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # problems are printed by this command, not logged
    try:
        try:
            config = load_config(config_file=config_file)
        except (ConfigurationError, PluginError, OSError) as exc:
            raise UsageError(f"{config_file}: {exc}") from None
        plugin = next((p for p in config.plugins.values() if isinstance(p, SpecPlanPlugin)), None)
        if plugin is None:
            raise UsageError(
                f"{config_file}: the specplan plugin is not in its plugins; add it, or give the plan files and folders to check"
            )
        try:
            config = config.plugins.on_config(config)
            files = config.plugins.on_files(get_files(config), config=config)
        except (ConfigurationError, PluginError) as exc:
            raise UsageError(f"{config_file}: {exc}") from None
        site = plugin.site
        if site is None:
            raise UsageError(f"{config_file}: the specplan plugin is disabled (enabled: false)")
    finally:
        quiet.setLevel(level)
    pages = {}
    for page in site.pages:
        file = files.get_file_from_path(page.source.page_uri)
        if file is not None:
            pages[page.source.display_path] = file.content_string
    problems = plugin.site_problems + [p for page in site.pages for p in page.problems]
    return Checked(site, with_path(problems, config.docs_dir), config.docs_dir, pages)


def _walk(folder: Path) -> list[Path]:
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "site", "__pycache__"))
        out += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
    return out


def _is_feature(folder: Path) -> bool:
    return any((folder / name).is_file() for name in ("spec.md", "tasks.md", "plan.md", *PLAN_NAMES))


def folder_site(
    files: Sequence[Path],
    constitution: Path | None,
    base: Path,
    plans: dict[Path, str] | None = None,
    options: SiteConfig | None = None,
) -> Checked:
    """A site of the given files (paths from ``base``) built with the default options, or with a
    site's (``options``: its settings, ID syntax and document names); ``plans``: plan files by path,
    with the text to read them as (one not written yet)."""
    constitution_path = str(constitution) if constitution else None
    if options is None:
        config = SiteConfig(
            docs_dir=str(base),
            site_dir=str(base / "site"),
            config_file=str(base / "mkdocs.yml"),
            constitution=constitution_path,
            today=build_date(None),
        )
    else:
        config = dataclasses.replace(
            options,
            docs_dir=str(base),
            site_dir=str(base / "site"),
            config_file=str(base / "mkdocs.yml"),
            constitution=constitution_path,
            specs_dir=None,
            history=False,
        )

    def uri(path: Path) -> str:
        return os.path.relpath(path.resolve(), base).replace(os.sep, "/")

    listed = {uri(p): SourceFile(uri(p), str(p)) for p in files}
    for path, text in (plans or {}).items():
        data = text.encode("utf-8")
        listed[uri(path)] = SourceFile(uri(path), None, load=lambda data=data: data)  # type: ignore[misc]
    if constitution is not None:
        where = uri(constitution)
        where = "constitution.md" if where.startswith("../") else where
        listed[where] = SourceFile(where, str(constitution), display=uri(constitution))
    sources = Sources(config, listed)
    site = Pipeline(config).build(sources, Urls(config.site_dir, config.use_directory_urls))
    pages = {}
    for page in site.pages:
        output = site.output(page.source.page_uri)
        if output is not None:
            pages[page.source.display_path] = output.data.decode("utf-8")
    return Checked(site, sort_problems(site.all_problems), str(base), pages)


def check_paths(paths: Sequence[str]) -> Checked:
    """Plans under the given files and folders, by the default settings. A feature folder is read
    with the folders beside it, so requirements other features define are known; only problems
    of the given files and folders are reported."""
    files: set[Path] = set()
    wanted = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        wanted.append(os.path.abspath(path))
        folder = path.parent if path.is_file() else path
        files.update(_walk(folder.parent if _is_feature(folder) and folder.resolve() != Path.cwd() else folder))
    cwd = Path.cwd()
    starts = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths] + [cwd]
    found = next((c for c in (find_constitution(start) for start in starts) if c is not None), None)
    checked = folder_site(sorted(files), found, cwd)
    checked.problems = [p for p in checked.problems if p.path == HISTORY or under(os.path.abspath(p.path), wanted)]
    checked.site.loaded.pages = [p for p in checked.site.pages if under(os.path.abspath(p.source.display_path), wanted)]
    return checked


def under(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def check(paths: Sequence[str], config_file: str | None) -> Checked:
    """What ``validate`` reads: the site of a mkdocs.yml (``-f``, or the one here), narrowed to the
    given paths; else the given paths alone. A path that does not exist is a usage error."""
    for given in paths:
        if not Path(given).exists():
            raise UsageError(f"{given}: no such file or folder")
    config = config_file or ("mkdocs.yml" if Path("mkdocs.yml").is_file() else None)
    if config is None:
        return check_paths(paths or ["."])
    if config_file is not None and not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file")
    checked = check_config(config)
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        checked.problems = [p for p in checked.problems if under(os.path.abspath(p.path), wanted)]
    return checked
