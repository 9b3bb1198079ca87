"""The ``specplan`` command: validate, import, new, schema, render. A thin layer over the core.

``validate`` and ``render`` read the site as a build does: with a ``mkdocs.yml`` (``-f``, or the
one in the current folder) through the plugin's own configuration and sources; without one, the
given files and folders with the default settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..core.model import Problem, Settings, sort_problems
from ..core.schema import dumps, plan_schema
from ..project.features import Constitution, SiteFiles
from ..project.loading import HISTORY, LoadedSite, SiteOptions, load_site
from ..project.records import PlanPage, PlanSource
from ..speckit.documents import read_constitution
from ..support.text import decode_text
from ..views.plan_page import PageOptions, page_inputs, render_page, timeline_context
from ..views.renderer import Renderer
from .importer import ARCHIVE_NAME, find_constitution, gather, keep_from_existing, new_plan, render_yaml

PLAN_NAMES = ("plan.yaml", "plan.yml")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or the configuration; exit status 2."""


# -- reading a site -----------------------------------------------------------------------------
@dataclasses.dataclass
class Checked:
    loaded: LoadedSite
    problems: list[Problem]  # paths relative to the current folder
    settings: Settings
    base: str  # the folder the sources' display paths are relative to
    renderer: Renderer | None = None
    today: dt.date = dataclasses.field(default_factory=dt.date.today)


def _relative(path: str, base: str) -> str:
    if os.path.isabs(path):
        return os.path.relpath(path)
    return os.path.relpath(os.path.normpath(os.path.join(base, path)))


def _with_path(problems: list[Problem], base: str) -> list[Problem]:
    """Problems with their files' paths from the current folder (a subject that is not a file as it is)."""
    return [p if p.path == HISTORY else dataclasses.replace(p, path=_relative(p.path, base)) for p in problems]


def check_config(config_file: str) -> Checked:
    """The site of a mkdocs.yml, loaded exactly as a build loads it (without rendering)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError, PluginError
    from mkdocs.structure.files import get_files

    from ..adapters.mkdocs.plugin import SpecPlanPlugin

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
        plugin.validate_only = True  # every plugin runs as in a build up to on_files; nothing is rendered
        try:
            config = config.plugins.on_config(config)
            config.plugins.on_files(get_files(config), config=config)
        except (ConfigurationError, PluginError) as exc:
            raise UsageError(f"{config_file}: {exc}") from None
        loaded = plugin.loaded
        assert loaded is not None
    finally:
        quiet.setLevel(level)
    problems = plugin.site_problems + [p for page in loaded.pages for p in page.problems]
    return Checked(loaded, _with_path(problems, config.docs_dir), plugin.settings, config.docs_dir, plugin.renderer, plugin.today)


def _walk(folder: Path) -> list[Path]:
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "site", "__pycache__"))
        out += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
    return out


def _is_feature(folder: Path) -> bool:
    return any((folder / name).is_file() for name in ("spec.md", "tasks.md", "plan.md", *PLAN_NAMES))


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

    def uri(path: Path) -> str:
        return os.path.relpath(path.resolve(), cwd).replace(os.sep, "/")

    by_uri = {uri(p): p for p in files}

    def read(u: str) -> str | None:
        try:
            return decode_text(by_uri[u].read_bytes())[0]
        except (OSError, KeyError):
            return None

    site = SiteFiles(set(by_uri), read)
    sources = []
    for u in sorted(by_uri):
        if u.rsplit("/", 1)[-1] in PLAN_NAMES:
            text = read(u)
            if text is not None:
                sources.append(PlanSource(u, text, u))
    constitution = None
    starts = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths] + [cwd]
    found = next((c for c in (find_constitution(start) for start in starts) if c is not None), None)
    if found is not None:
        constitution = Constitution(uri(found), read_constitution(decode_text(found.read_bytes())[0]))
    settings = Settings()
    loaded = load_site(site, sources, constitution, SiteOptions(settings))
    problems = [p for p in sort_problems(loaded.all_problems) if _under(os.path.abspath(p.path), wanted)]
    loaded.pages = [p for p in loaded.pages if _under(os.path.abspath(p.source.display_path), wanted)]
    return Checked(loaded, problems, settings, str(cwd))


def _under(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def check(paths: Sequence[str], config_file: str | None) -> Checked:
    config = config_file or ("mkdocs.yml" if Path("mkdocs.yml").is_file() else None)
    if config is None:
        return check_paths(paths or ["."])
    if config_file is not None and not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file")
    checked = check_config(config)
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        checked.problems = [p for p in checked.problems if _under(os.path.abspath(p.path), wanted)]
    return checked


# -- output -------------------------------------------------------------------------------------
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command: ``::error`` for what fails a strict build, ``::notice`` for notes."""
    kind = "error" if problem.level == "warning" else "notice"
    props = [f"file={_escape_property(problem.path)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
    props.append("title=specplan")
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::{kind} {','.join(props)}::{_escape_data(message)}"


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "message": problem.message,
        "level": problem.level,
    }


# -- subcommands --------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    checked = check(args.paths, args.config_file)
    problems = checked.problems
    plans, features = len(checked.loaded.pages), len(checked.loaded.features)
    _report(
        problems,
        args.format,
        f"{plans} plan{'s' if plans != 1 else ''} of {features} feature{'s' if features != 1 else ''} checked",
    )
    return EXIT_PROBLEMS if any(p.level == "warning" for p in problems) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Stubs, JSON and stylesheet for builders without MkDocs plugins; problems as validate reports them."""
    from ..adapters.standalone.build import Project, ProjectError, StandaloneSite, publish_specs, write_site

    config_file = args.config_file or "mkdocs.yml"
    if not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file")
    try:
        project = Project.open(config_file)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    _, unpublished = publish_specs(project)
    site = StandaloneSite(project).load()
    written, refused = write_site(site)
    refused += unpublished
    assert site.loaded is not None
    docs = site.project.docs_dir
    problems = _with_path(sort_problems(site.problems + refused + site.loaded.all_problems), docs)
    _report(
        problems,
        args.format,
        f"{len(site.pages)} plan{'s' if len(site.pages) != 1 else ''} of {len(site.loaded.features)} feature{'s' if len(site.loaded.features) != 1 else ''} built",
    )
    if args.format == "text":
        for uri in written:
            print(f"wrote {_relative(uri, docs)}", file=sys.stderr)
    return EXIT_PROBLEMS if any(p.level == "warning" for p in problems) else EXIT_OK


def _report(problems: list[Problem], form: str, summary: str) -> None:
    warnings = [p for p in problems if p.level == "warning"]
    if form == "json":
        print(json.dumps([problem_json(p) for p in problems], indent=2, ensure_ascii=False))
    elif form == "github":
        for problem in problems:
            print(github_annotation(problem))
    else:
        for problem in problems:
            print(str(problem) if problem.level == "warning" else f"{problem} (note)")
        notes = len(problems) - len(warnings)
        print(
            f"{summary}: {len(warnings)} problem{'s' if len(warnings) != 1 else ''}, {notes} note{'s' if notes != 1 else ''}",
            file=sys.stderr,
        )


def _feature_folders(names: Sequence[str]) -> list[Path]:
    folders = []
    for name in names:
        path = Path(name)
        if not path.is_dir():
            raise UsageError(f"{name}: not a folder")
        folders.append(path)
    return folders


def _check_written(folder: Path, text: str) -> list[Problem]:
    """The problems a build would report for this plan.yaml in its folder."""
    target = folder / "plan.yaml"
    cwd = Path.cwd()
    try:
        display = os.path.relpath(target.resolve(), cwd)
    except ValueError:
        display = str(target)
    files = [p for p in _walk(folder) if p.name not in PLAN_NAMES]
    by_uri = {os.path.relpath(p.resolve(), cwd).replace(os.sep, "/"): p for p in files}
    uri = display.replace(os.sep, "/")

    def read(u: str) -> str | None:
        try:
            return decode_text(by_uri[u].read_bytes())[0]
        except (OSError, KeyError):
            return None

    found = find_constitution(folder.resolve())
    constitution = Constitution(str(found), read_constitution(decode_text(found.read_bytes())[0])) if found else None
    loaded = load_site(SiteFiles(set(by_uri), read), [PlanSource(uri, text, display)], constitution, SiteOptions())
    return [p for p in loaded.all_problems if p.level == "warning"]


def cmd_import(args: argparse.Namespace) -> int:
    today = dt.date.today()
    status = EXIT_OK
    for folder in _feature_folders(args.folders):
        target = folder / "plan.yaml"
        if not args.dry_run and not args.force and (target.exists() or (folder / "plan.yml").exists()):
            print(f"{target}: already exists; use --force to replace it", file=sys.stderr)
            status = EXIT_USAGE
            continue
        if not any((folder / name).is_file() for name in ("plan.md", ARCHIVE_NAME, "spec.md", "tasks.md", "research.md")):
            print(f"{folder}: no plan.md, spec.md, research.md or tasks.md to import", file=sys.stderr)
            status = EXIT_USAGE
            continue
        imported = gather(folder, today)
        if target.exists():  # --force: what a person added to the previous plan.yaml is kept
            try:
                keep_from_existing(imported, yaml.safe_load(target.read_text(encoding="utf-8")))
            except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
                print(f"{target}: not read ({exc}); it is replaced", file=sys.stderr)
        text = render_yaml(imported, str(folder), today)
        problems = _check_written(folder, text)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            status = max(status, EXIT_PROBLEMS)
        if args.dry_run:
            sys.stdout.write(text)
            continue
        target.write_text(text, encoding="utf-8")
        original = folder / "plan.md"
        if original.is_file():
            original.replace(folder / ARCHIVE_NAME)
            print(f"{target}: written; plan.md kept as {ARCHIVE_NAME}", file=sys.stderr)
        else:
            print(f"{target}: written", file=sys.stderr)
    return status


def cmd_new(args: argparse.Namespace) -> int:
    folder = _feature_folders([args.folder])[0]
    target = folder / "plan.yaml"
    if not args.dry_run and not args.force and target.exists():
        print(f"{target}: already exists; use --force to replace it", file=sys.stderr)
        return EXIT_USAGE
    text = new_plan(folder, dt.date.today())
    if args.dry_run:
        sys.stdout.write(text)
        return EXIT_OK
    target.write_text(text, encoding="utf-8")
    print(f"{target}: written", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(dumps(plan_schema()))
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    plan = Path(args.plan)
    if not plan.is_file():
        raise UsageError(f"{args.plan}: no such file")
    checked = check_config(args.config_file) if args.config_file else check_paths([str(plan)])
    wanted = os.path.abspath(plan)
    page: PlanPage | None = None
    for candidate in checked.loaded.pages:
        if os.path.abspath(os.path.join(checked.base, candidate.source.display_path)) == wanted:
            page = candidate
            break
    if page is None:
        raise UsageError(f"{args.plan}: not one of the site's plans")
    renderer = checked.renderer or Renderer(checked.settings)
    inputs = page_inputs(page, {}, checked.today, PageOptions())
    sys.stdout.write(render_page(inputs, renderer, **timeline_context(inputs, renderer)))
    for problem in page.warnings:
        print(problem, file=sys.stderr)
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------------------
def _validate_parser(sub: Any) -> None:
    validate = sub.add_parser(
        "validate",
        help="check plans as a build does, without building",
        description=(
            "Load, validate, schedule and link plans exactly as a build does, without building the site. "
            "With a mkdocs.yml (-f, or the one in this folder) the plugin's configuration and sources are used, "
            "and PATHs restrict the report to those files and folders; without one, the plans under the PATHs "
            "are checked with the default settings. Exit status: 0 no problem, 1 problems, 2 usage error."
        ),
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="plan files or folders (default: the whole site)")
    validate.add_argument(
        "-f", "--config-file", metavar="FILE", help="the MkDocs configuration (default: mkdocs.yml here, if any)"
    )
    validate.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text: path:line:col: field: message; github: GitHub Actions annotations; json: a list of problems",
    )
    validate.set_defaults(run=cmd_validate)


def _writing_parsers(sub: Any) -> None:
    importer = sub.add_parser(
        "import",
        help="write plan.yaml from spec-kit's plan.md, research.md, tasks.md and spec.md",
        description=(
            "Write each feature folder's plan.yaml from spec-kit's Markdown. The original plan.md is kept beside it as "
            f"{ARCHIVE_NAME}, which is not published while plan.yaml is there. An existing plan.yaml is never replaced "
            "without --force."
        ),
    )
    importer.add_argument("folders", nargs="+", metavar="FEATURE_DIR")
    _write_options(importer, "replace an existing plan.yaml (keeping what a person added)")
    importer.set_defaults(run=cmd_import)
    new = sub.add_parser(
        "new",
        help="write a starting plan.yaml for a feature that has a spec",
        description="A starting plan.yaml: name, ID, dates, status draft, the spec's stories and requirements as comments, every section as a commented example.",
    )
    new.add_argument("folder", metavar="FEATURE_DIR")
    _write_options(new, "replace an existing plan.yaml")
    new.set_defaults(run=cmd_new)


def _write_options(parser: argparse.ArgumentParser, force_help: str) -> None:
    """--force and --dry-run, for the commands that write a plan.yaml."""
    parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("--dry-run", action="store_true", help="print the plan.yaml instead of writing it")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="specplan",
        description="Check, import and render spec-driven implementation plans (plan.yaml) without building the site.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _validate_parser(sub)
    _writing_parsers(sub)
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of plan.yaml",
        description="Print the JSON Schema (draft 2020-12) of plan.yaml, generated from the loader's own field definitions.",
    )
    schema.set_defaults(run=cmd_schema)
    build = sub.add_parser(
        "build",
        help="write the plan pages' stubs, the JSON and the stylesheet for Zensical and other builders",
        description=(
            "For builders that run Python-Markdown extensions but not MkDocs plugins (Zensical): write a stub page for each "
            "plan.yaml and for the dashboard (rendered by the mkdocs_specplan.extension Markdown extension), the JSON export "
            "and the stylesheet into docs_dir, and report problems as validate does. Run it before each build. "
            "Exit status: 0 no problem, 1 problems, 2 usage error."
        ),
    )
    build.add_argument("-f", "--config-file", metavar="FILE", help="the site's configuration (default: mkdocs.yml here)")
    build.add_argument("--format", choices=("text", "github", "json"), default="text", help="how problems are printed")
    build.set_defaults(run=cmd_build)
    render = sub.add_parser(
        "render",
        help="print a plan page's Markdown",
        description="Print the Markdown of a plan's page, for use with other generators.",
    )
    render.add_argument("plan", metavar="PLAN")
    render.add_argument("-f", "--config-file", metavar="FILE", help="read the site's settings from this mkdocs.yml")
    render.set_defaults(run=cmd_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"specplan: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
