"""The ``specplan`` command: validate, import, new, schema, render. A thin layer over the core.

``validate`` and ``render`` read the site as a build does: with a ``mkdocs.yml`` (``-f``, or the
one in the current folder) through the plugin's own configuration and sources; without one, the
given files and folders with the default settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..core.model import Problem, sort_problems
from ..core.schema import dumps, plan_schema
from ..pipeline.options import SiteConfig
from ..pipeline.sources import ARCHIVE_NAME
from ..support.text import count
from .importer import find_constitution, gather, keep_from_existing, new_plan, render_yaml
from .reading import PLAN_NAMES, UsageError, _walk, check, check_config, check_paths, folder_site, with_path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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
    site = checked.site
    summary = f"{count(len(site.pages), 'plan')} of {count(len(site.loaded.features), 'feature')} checked"
    _report(checked.problems, args.format, summary)
    return _status(checked.problems)


def _status(problems: list[Problem]) -> int:
    return EXIT_PROBLEMS if any(p.level == "warning" for p in problems) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Plan pages, dashboard, JSON and stylesheet for builders without MkDocs plugins; problems as validate reports them."""
    return _build(args.config_file or "mkdocs.yml", args.format, args.full)


def _open(config_file: str) -> Any:
    from ..adapters.standalone.project import Project, ProjectError

    if not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file")
    try:
        return Project.open(config_file)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def _enabled(config_file: str) -> Any | None:
    """The site's project, or None (said once) when the specplan plugin is not enabled there."""
    project = _open(config_file)
    if not project.enabled:
        print(f"{config_file}: the specplan plugin is not enabled there; nothing is built", file=sys.stderr)
        return None
    return project


def _settings_text(project: Any) -> str:
    return repr(sorted((k, repr(v)) for k, v in project.settings.items()))


def _kept_build(project: Any, pipeline: Any, *, full: bool, last: bool = False) -> Any:
    """A build that starts from what the last run kept in the cache folder (unless ``full``) and
    keeps what it made for the next. With ``last`` the process ends after it: what it made stays
    out of cyclic collection for good (the first collection after it would walk all of it)."""
    from ..adapters.standalone import unchanged
    from ..adapters.standalone.build import build
    from ..support.incremental import no_cycle_collection

    kept_at, stamp = unchanged.memory_path(project.config), unchanged.stamp(project.config, _settings_text(project))
    # no cyclic collection meanwhile: each full one would walk every object of the site in memory
    # (a third of a run after one plan changed, at 1,000 features); what the build drops is freed
    # by reference counting
    with no_cycle_collection():
        if not full:
            pipeline.memory.restore(kept_at, stamp)
        pipeline.memory.on_disk = True  # pages known by their inputs' digests, to be kept
        built = build(project, pipeline)
        pipeline.memory.save(kept_at, stamp)
        pipeline.memory.on_disk = False  # a served rebuild compares its pages' inputs in memory
        if last:
            gc.freeze()
    return built


def _build(config_file: str, form: str, full: bool) -> int:
    """One ``specplan build``: nothing but the report when nothing it reads changed since the last
    run; else only what changed is made again."""
    from ..adapters.standalone import unchanged
    from ..pipeline.pipeline import Pipeline

    project = _enabled(config_file)
    if project is None:
        return EXIT_OK
    docs = project.config.docs_dir
    kept = None if full else unchanged.read(project.config, unchanged.signature(project.config, _settings_text(project)))
    if kept is not None:  # nothing the build reads changed since the last run: the same report, nothing written
        problems = with_path(sort_problems(unchanged.problems_of(kept)), docs)
        summary = f"{count(int(str(kept['plans'])), 'plan')} of {count(int(str(kept['features'])), 'feature')} unchanged since the last run"
        _report(problems, form, summary)
        return _status(problems)
    built = _kept_build(project, Pipeline(project.config, keep=True), full=full, last=True)
    site = built.site
    after = unchanged.signature(project.config, _settings_text(project))  # with the files this run wrote
    unchanged.write(project.config, after, built.problems, len(site.pages), len(site.loaded.features))
    problems = with_path(sort_problems(built.problems), docs)
    kept_pages = len(site.pages) - site.stats.rendered
    summary = f"{count(len(site.pages), 'plan')} of {count(len(site.loaded.features), 'feature')} built"
    _report(problems, form, summary + (f" ({kept_pages} as the last run rendered them)" if kept_pages else ""))
    if form == "text":
        for uri in built.written:
            print(f"wrote {os.path.relpath(os.path.join(docs, uri))}", file=sys.stderr)
        for uri in built.removed:
            print(f"removed {os.path.relpath(os.path.join(docs, uri))}", file=sys.stderr)
    return _status(problems)


def cmd_serve(args: argparse.Namespace) -> int:
    """specplan build on every change, beside the builder's own server."""
    from .serve import serve

    config_file = args.config_file or "mkdocs.yml"
    project = _open(config_file)
    command = [c for c in args.command if c != "--"] if args.command and args.command[0] == "--" else list(args.command or [])
    command = command or ["zensical", "serve", "-f", config_file]
    return serve(project.config, command, _served_builds(config_file))


def _served_builds(config_file: str) -> Any:
    """Builds that keep what they can from one to the next, as mkdocs serve does (a plan edit
    renders that plan's page and what depends on it); the first starts from what the last
    ``specplan build`` kept, and keeps what it made for the next. Draft plans are left out, as by
    specplan build: the builder's own server publishes what is in docs_dir, and would keep them there."""
    from ..adapters.standalone.build import build
    from ..pipeline.pipeline import Pipeline
    from ..support.incremental import no_cycle_collection

    kept: list[Pipeline] = []

    def run() -> int:
        project = _enabled(config_file)
        if project is None:
            return EXIT_OK
        if kept:
            kept[0].configure(project.config, keep=True)
            with no_cycle_collection():  # a full collection would walk the whole site in memory
                built = build(project, kept[0])
        else:
            kept.append(Pipeline(project.config, keep=True))
            built = _kept_build(project, kept[0], full=False)
        docs = project.config.docs_dir
        problems = with_path(sort_problems(built.problems), docs)
        _report([p for p in problems if p.level == "warning"], "text", built.site.summary)  # notes once, by validate
        return _status(problems)

    return run


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
        print(f"{summary}: {count(len(warnings), 'problem')}, {count(len(problems) - len(warnings), 'note')}", file=sys.stderr)


def _feature_folders(names: Sequence[str]) -> list[Path]:
    folders = []
    for name in names:
        path = Path(name)
        if not path.is_dir():
            raise UsageError(f"{name}: not a folder")
        folders.append(path)
    return folders


def _check_written(folder: Path, text: str, options: SiteConfig | None = None) -> list[Problem]:
    """The problems a build would report for this plan.yaml in its folder (with the site's settings)."""
    cwd = Path.cwd()
    target = folder.resolve() / "plan.yaml"
    # the plan.md the import moves aside is not beside the plan.yaml it writes
    files = [p for p in _walk(folder) if p.name not in PLAN_NAMES and p.resolve() != folder.resolve() / "plan.md"]
    checked = folder_site(files, find_constitution(folder.resolve()), cwd, plans={target: text}, options=options)
    return [p for p in checked.site.all_problems if p.level == "warning"]


def _site_options(config_file: str | None) -> SiteConfig | None:
    """The site's options from its mkdocs.yml (-f), as a build reads them."""
    if config_file is None:
        return None
    from ..adapters.standalone.project import Project, ProjectError

    if not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file")
    try:
        return Project.open(config_file).config
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def cmd_import(args: argparse.Namespace) -> int:
    today = dt.date.today()
    options = _site_options(args.config_file)
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
        imported = gather(folder, today, syntax=options.syntax if options else None)
        if target.exists():  # --force: what a person added to the previous plan.yaml is kept
            try:
                keep_from_existing(imported, yaml.safe_load(target.read_text(encoding="utf-8")))
            except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
                print(f"{target}: not read ({exc}); it is replaced", file=sys.stderr)
        text = render_yaml(imported, str(folder), today)
        problems = _check_written(folder, text, options)
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
    if (folder / "plan.md").is_file():
        raise UsageError(f"{folder / 'plan.md'} exists: turn it into plan.yaml with `specplan import {folder}`")
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


def cmd_init(args: argparse.Namespace) -> int:
    """A site for the spec-kit repository here: mkdocs.yml and docs/index.md where they are missing."""
    from .init import init

    root = Path(args.folder)
    if not root.is_dir():
        raise UsageError(f"{args.folder}: not a folder")
    done = init(root)
    for path in done.written:
        print(f"wrote {path}", file=sys.stderr)
    for path in done.kept:
        print(f"kept {path} (it exists; init never overwrites)", file=sys.stderr)
    if done.specs is None:
        print("no specs/ folder here: add feature folders under docs/ or specs/, then set specs_dir", file=sys.stderr)
    where = "" if root.resolve() == Path.cwd() else f"cd {args.folder} && "
    print(f"next: {where}specplan validate    # check every plan and feature", file=sys.stderr)
    print(f"      {where}mkdocs serve         # the site at http://127.0.0.1:8000/", file=sys.stderr)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """What a change does to the portfolio (a pull request's, by default)."""
    from .diff import as_json, as_markdown, as_text, check_conditions, failures, run_diff

    conditions = [c.strip() for c in (args.fail_on or "").split(",") if c.strip()]
    check_conditions(conditions)
    report = run_diff(args.base, args.head, args.config_file)
    writer = {"text": as_text, "markdown": as_markdown, "json": as_json}[args.format]
    sys.stdout.write(writer(report))
    failed = failures(report, conditions)
    for reason in failed:
        print(f"specplan diff: {reason}", file=sys.stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    """The Markdown a build publishes for the plan's page (front matter included)."""
    plan = Path(args.plan)
    if not plan.is_file():
        raise UsageError(f"{args.plan}: no such file")
    checked = check_config(args.config_file) if args.config_file else check_paths([str(plan)])
    wanted = os.path.abspath(plan)
    for page in checked.site.pages:
        if os.path.abspath(os.path.join(checked.base, page.source.display_path)) == wanted:
            sys.stdout.write(checked.pages.get(page.source.display_path, ""))
            for problem in page.warnings:
                print(problem, file=sys.stderr)
            return EXIT_OK
    raise UsageError(f"{args.plan}: not one of the site's plans")


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
    importer.add_argument(
        "-f",
        "--config-file",
        metavar="FILE",
        help="read and check with this site's settings (story labels, prefixes, vocabulary)",
    )
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


def _repository_parsers(sub: Any) -> None:
    """init and diff: the commands that work on a repository."""
    start = sub.add_parser(
        "init",
        help="write a mkdocs.yml and docs/index.md for the spec-kit repository here",
        description=(
            "In a spec-kit repository's root: write a mkdocs.yml that publishes specs/ and the constitution "
            "(.specify/memory/constitution.md), with Material where it is installed and the Markdown extensions the pages "
            "need, and a docs/index.md where it is missing. Nothing that exists is overwritten."
        ),
    )
    start.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="the repository's root (default: here)")
    start.set_defaults(run=cmd_init)
    diff = sub.add_parser(
        "diff",
        help="what a change does to the portfolio: dates, health, risks, tasks, requirements",
        description=(
            "Load the site at BASE (default: the merge base with the default branch) and at HEAD (default: the "
            "working tree), schedule each as a whole, and report each feature that changed: added or removed, stage "
            "and health, the forecast finish moved (in working days, with its cause), phases, risks, dependencies, "
            "tasks completed, requirements added, removed or left uncovered. Needs the full history (not a shallow clone)."
        ),
    )
    diff.add_argument("base", nargs="?", metavar="BASE", help="a commit, branch or tag (default: the merge base)")
    diff.add_argument("head", nargs="?", metavar="HEAD", help="a commit, branch or tag (default: the working tree)")
    diff.add_argument("-f", "--config-file", metavar="FILE", help="the site's mkdocs.yml, from the repository's root")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="markdown: a pull request comment")
    diff.add_argument(
        "--fail-on", metavar="CONDITIONS", help="exit 1 on: slip>N (working days later), high-risk, uncovered (comma-separated)"
    )
    diff.set_defaults(run=cmd_diff)


def _write_options(parser: argparse.ArgumentParser, force_help: str) -> None:
    """--force and --dry-run, for the commands that write a plan.yaml."""
    parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("--dry-run", action="store_true", help="print the plan.yaml instead of writing it")


EXAMPLES = {
    "validate": "specplan validate                      # the site of ./mkdocs.yml\n"
    "  specplan validate specs/001-photos       # one feature, with the site's settings\n"
    "  specplan validate --format github        # annotations in GitHub Actions",
    "import": "specplan import specs/001-photos\n  specplan import --dry-run -f mkdocs.yml specs/*",
    "new": "specplan new specs/002-search",
    "schema": "specplan schema > plan.schema.json",
    "build": "specplan build && zensical build",
    "render": "specplan render specs/001-photos/plan.yaml > plan.md",
    "init": "specplan init && mkdocs serve",
    "serve": "specplan serve                  # beside zensical serve\n  specplan serve -- python -m http.server -d site",
    "diff": "specplan diff origin/main --format markdown >> $GITHUB_STEP_SUMMARY\n  specplan diff --fail-on slip>5,high-risk",
}
EXIT_CODES = "exit status: 0 no problem, 1 problems found (warnings), 2 usage error (a wrong path, option or configuration)"


def _with_examples(sub: Any) -> None:
    """Every subcommand's --help ends with an example and the exit codes."""
    for name, parser in sub.choices.items():
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = f"example:\n  {EXAMPLES[name]}\n\n{EXIT_CODES}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mkdocs-specplan")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


def _builder_parsers(sub: Any) -> None:
    """specplan build and specplan serve: the second builder's commands."""
    build = sub.add_parser(
        "build",
        help="write the plan pages, dashboard, JSON and stylesheet for Zensical and other builders",
        description=(
            "For builders that run Python-Markdown extensions but not MkDocs plugins (Zensical): write into docs_dir what "
            "the MkDocs plugin publishes without a file there (each plan page and the dashboard's pages as Markdown, the "
            "JSON export, the stylesheet, specs_dir's files, a configured constitution), and what the "
            "mkdocs_specplan.extension Markdown extension does to each page; report problems as validate does. Run it "
            "before each build: it keeps what it read and rendered in the user's cache folder "
            "($XDG_CACHE_HOME/mkdocs-specplan), so a run makes again only what changed and writes only files whose "
            "content changed. Exit status: 0 no problem, 1 problems, 2 usage error."
        ),
    )
    build.add_argument("-f", "--config-file", metavar="FILE", help="the site's configuration (default: mkdocs.yml here)")
    build.add_argument("--format", choices=("text", "github", "json"), default="text", help="how problems are printed")
    build.add_argument(
        "--full", action="store_true", help="build everything again, taking nothing from the last run (even when nothing changed)"
    )
    watch = sub.add_parser(
        "serve",
        help="specplan build on every change, beside zensical serve (or another command)",
        description=(
            "Build, start the builder's server (zensical serve by default; any command after --), and build again "
            "whenever a plan, spec, tasks file, the constitution, a template or mkdocs.yml changes, keeping what it "
            "can between builds. Ctrl-C (or a terminate signal) ends both."
        ),
    )
    watch.add_argument("-f", "--config-file", metavar="FILE", help="the site's configuration (default: mkdocs.yml here)")
    watch.add_argument(
        "command", nargs=argparse.REMAINDER, metavar="-- CMD", help="the server to run beside (default: zensical serve)"
    )
    watch.set_defaults(run=cmd_serve)
    build.set_defaults(run=cmd_build)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="specplan",
        description="Check, import and render spec-driven implementation plans (plan.yaml) without building the site.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"specplan {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _validate_parser(sub)
    _writing_parsers(sub)
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of plan.yaml",
        description="Print the JSON Schema (draft 2020-12) of plan.yaml, generated from the loader's own field definitions.",
    )
    schema.set_defaults(run=cmd_schema)
    _builder_parsers(sub)
    render = sub.add_parser(
        "render",
        help="print a plan page's Markdown",
        description=(
            "Print the Markdown a build publishes for a plan's page (front matter, glance block, timeline, links to other "
            "plans), for use with other generators. With -f the site's options and plans; else the plan's folder and the "
            "folders beside it, with the default options."
        ),
    )
    render.add_argument("plan", metavar="PLAN")
    render.add_argument("-f", "--config-file", metavar="FILE", help="read the site's settings from this mkdocs.yml")
    render.set_defaults(run=cmd_render)
    _repository_parsers(sub)
    _with_examples(sub)
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
