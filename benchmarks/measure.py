"""One build, measured from inside its own process (the benchmark runs this as a child).

    python benchmarks/measure.py SITE_DIR [--edit FILE...] [--dirty-edit FILE... | --dirty-edit-dir DIR...]
                                          [--harvest TWIN_DIR] [--changes DIR] [--floor]

Prints one JSON object: the process's CPU time and peak RSS (``resource.getrusage``) and the time
spent in the plugin's own work (its event handlers and its Markdown extension's processors). With
``--edit``, the CPU time and the plugin's time of a build after each of those files changed in
turn, as ``mkdocs serve`` rebuilds (the same config and plugin instance, every page built again);
with ``--dirty-edit``, then the same of a build after each of those files changed in turn, as
``mkdocs serve --dirty`` rebuilds (only the pages that changed): each time the medians, and each
build's figures. An edit is to a plan.yaml: a phase's status.
With ``--harvest`` the plugin's generated pages, JSON and stylesheet (of the first build) are
written into TWIN_DIR/docs as plain files, the HTML of each page its Markdown extension annotated
into TWIN_DIR/harvest (the twin's hooks put it in place), and the navigation the plugin arranged
into TWIN_DIR/mkdocs.yml as its ``nav``: the pre-rendered twin. With ``--changes DIR`` the files
the k-th build after the first generated differently are written into DIR/k/docs and the HTML of
the pages it annotated differently into DIR/k/harvest, and a twin's ``--dirty-edit-dir DIR/1
DIR/2 ...`` are those same edits: each one's files copied in, then the ``--dirty`` rebuild.
With ``--floor``, no build: the time PyYAML's C loader takes to read the site's plan files into
Python data and a C GitHub-flavoured Markdown parser (cmarkgfm) its spec, tasks, checklist,
hand-written plan and constitution files (the floor), the best of three.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import resource
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")

HARVEST = "harvest"  # the twin's folder of annotated pages' HTML (see twin_hooks.py)


def floor_files(docs: Path) -> tuple[list[Path], list[Path]]:
    """The files the plugin must read: every plan.yaml, and every Markdown file it parses (each
    feature's spec, tasks, checklists and hand-written plan, and the constitution)."""
    plans = sorted(docs.rglob("plan.yaml"))
    markdown = []
    for folder in sorted({p.parent for p in docs.rglob("spec.md")}):
        names = ["spec.md", "tasks.md"] + ([] if (folder / "plan.yaml").exists() else ["plan.md"])
        markdown += [folder / n for n in names if (folder / n).exists()]
        markdown += sorted((folder / "checklists").glob("*.md"))
    markdown += [p for p in (docs / "constitution.md", docs / ".specify/memory/constitution.md") if p.exists()]
    return plans, markdown


def floor(docs: Path) -> tuple[float, float]:
    """What reading the inputs costs at best: PyYAML's C loader over every plan (to Python data, as
    any reader of the plans would), and a C GitHub-flavoured Markdown parser (cmarkgfm, the
    ``bench`` extra) over every Markdown file the plugin reads."""
    import cmarkgfm  # type: ignore[import-not-found]
    import yaml

    plans, markdown = floor_files(docs)
    yaml_texts = [p.read_text(encoding="utf-8") for p in plans]
    markdown_texts = [p.read_text(encoding="utf-8") for p in markdown]
    started = time.perf_counter()
    for text in yaml_texts:
        yaml.load(text, Loader=yaml.CSafeLoader)
    middle = time.perf_counter()
    for text in markdown_texts:
        cmarkgfm.github_flavored_markdown_to_html(text)
    return middle - started, time.perf_counter() - middle


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--edit", nargs="+", help="rebuild after each of these files changed in turn, as mkdocs serve does")
    parser.add_argument(
        "--dirty-edit", nargs="+", help="then rebuild after each of these files changed in turn, as mkdocs serve --dirty does"
    )
    parser.add_argument("--harvest")
    parser.add_argument("--changes", help="write the generated files each --dirty-edit build changed into this folder")
    parser.add_argument(
        "--dirty-edit-dir",
        nargs="+",
        help="a twin's edits: copy each folder's files into docs_dir in turn, then rebuild as --dirty-edit",
    )
    parser.add_argument("--floor", action="store_true", help="print only the floor (no build)")
    args = parser.parse_args()
    if args.floor:
        best = min((floor(Path(args.site) / "docs") for _ in range(3)), key=sum)
        print(json.dumps({"yaml": best[0], "markdown": best[1], "floor": sum(best)}))
        return
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    root = Path(args.site)
    config = load_config(config_file=str(root / "mkdocs.yml"))
    plugin = config.plugins.get("specplan")
    spent = [0.0]
    record = Recorder()
    if (args.harvest or args.changes) and plugin is not None:
        record.generated(plugin)
    serving = bool(args.edit or args.dirty_edit or args.dirty_edit_dir)
    config.plugins.on_startup(command="serve" if serving else "build", dirty=bool(args.dirty_edit or args.dirty_edit_dir))
    if (args.harvest or args.changes) and plugin is not None:
        record.annotated(config, plugin)
    if args.harvest:
        record.navigation(config)
    if plugin is not None:
        # MkDocs collected the handlers already: time the ones it will call
        for event, handlers in config.plugins.events.items():
            config.plugins.events[event] = [_wrap(h, spent) if getattr(h, "__self__", None) is plugin else h for h in handlers]
        # and the Markdown extension's processors, which run while MkDocs renders each page
        from mkdocs_specplan.markdown import annotate

        for cls in (annotate.AnnotateTreeprocessor, annotate._LongText, annotate._UnclosedTags):
            cls.run = _wrap(cls.run, spent)  # type: ignore[method-assign]
    config["strict"] = False  # MkDocs warns of every dirty build

    def timed_edit(edit: str, copy: bool, dirty: bool = True) -> tuple[float, float]:
        apply_edit(Path(edit), root, copy=copy)
        record.builds.append({})
        record.pages.append({})
        spent[0] = 0.0
        started = cpu()
        build(config, dirty=dirty)
        return cpu() - started, spent[0]

    started = cpu()
    build(config)
    out: dict[str, Any] = {"cpu": cpu() - started, "own": spent[0]}
    if plugin is not None:
        out["plans"] = plugin.site.stats.rendered  # a first build renders every plan
    # a single rebuild's figures are noise-bound (where a full garbage collection lands, in a cycle
    # of a fraction of a second): the median of several
    for name, cycles in (
        ("rebuild", [timed_edit(edit, False, dirty=False) for edit in args.edit or ()]),
        (
            "dirty",
            [timed_edit(edit, False) for edit in args.dirty_edit or ()]
            + [timed_edit(edit, True) for edit in args.dirty_edit_dir or ()],
        ),
    ):
        if cycles:
            out[f"{name}_cpus"], out[f"{name}_owns"] = [c for c, _ in cycles], [o for _, o in cycles]
            out[f"{name}_cpu"], out[f"{name}_own"] = (
                statistics.median(out[f"{name}_cpus"]),
                statistics.median(out[f"{name}_owns"]),
            )
    if plugin is not None:
        write_outputs(record.builds, record.pages, args.changes, args.harvest)
    if args.harvest and record.navs:
        harvest_nav(record.navs[0], Path(args.harvest) / "mkdocs.yml")
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def apply_edit(edit: Path, root: Path, *, copy: bool) -> None:
    """A plan's edit (a phase's status), or a twin's: the changed files copied in."""
    if copy:
        for part in ("docs", HARVEST):  # the pages' sources (modified now) and their HTML
            if (edit / part).is_dir():
                shutil.copytree(edit / part, root / part, dirs_exist_ok=True, copy_function=shutil.copyfile)
    else:
        text = edit.read_text(encoding="utf-8")
        edit.write_text(text.replace("status: planned", "status: in-progress", 1), encoding="utf-8")


class Recorder:
    """Of each build of the plugin's site: the files the plugin generated, the HTML of the pages its
    Markdown extension annotated, and the navigation (the first build's is harvested)."""

    def __init__(self) -> None:
        self.builds: list[dict[str, bytes]] = [{}]
        self.pages: list[dict[str, str]] = [{}]
        self.navs: list[Any] = []

    def generated(self, plugin: Any) -> None:
        track = plugin.tracker.track

        def keep(file: Any, uri: str, data: bytes, serving: bool) -> None:
            self.builds[-1][uri] = data
            track(file, uri, data, serving)

        plugin.tracker.track = keep

    def annotated(self, config: Any, plugin: Any) -> None:
        annotated: set[str] = set()

        def note(markdown: str, *, page: Any, **kwargs: Any) -> None:
            if plugin.extension.current is not None:
                annotated.add(page.file.src_uri)

        def keep(html: str, *, page: Any, **kwargs: Any) -> None:
            if page.file.src_uri in annotated:
                self.pages[-1][page.file.src_uri] = html

        config.plugins.events["page_markdown"].append(note)
        config.plugins.events["page_content"].append(keep)

    def navigation(self, config: Any) -> None:
        def keep(nav: Any, **kwargs: Any) -> Any:
            self.navs.append(nav)
            return nav

        config.plugins.events["nav"].append(keep)


def write_outputs(builds: list[dict[str, bytes]], pages: list[dict[str, str]], changes: str | None, harvest: str | None) -> None:
    """The files each build after the first generated differently, and the HTML of the pages it
    annotated differently (``--changes``, one folder per build: a twin's edits); the first build's
    pages, JSON and stylesheet as plain files in the twin, and the HTML of the pages it annotated
    (``--harvest``)."""
    for k in range(1, len(builds) if changes else 0):
        edit = Path(str(changes)) / str(k)
        edit.mkdir(parents=True, exist_ok=True)
        for uri, content in builds[k].items():
            if builds[k - 1].get(uri) != content:
                _write(edit / "docs" / uri, content)
        for uri, html in pages[k].items():
            if pages[k - 1].get(uri) != html:
                _write(edit / HARVEST / f"{uri}.html", html.encode("utf-8"))
    if harvest:
        twin = Path(harvest) / "docs"
        for uri, content in builds[0].items():  # the plugin's own pages and JSON, as plain files
            _write(twin / uri, content)
        for uri, html in pages[0].items():  # what each annotated page became
            _write(Path(harvest) / HARVEST / f"{uri}.html", html.encode("utf-8"))
        from mkdocs_specplan.pipeline.options import CSS_URI
        from mkdocs_specplan.pipeline.pipeline import CSS_PATH

        css = twin / CSS_URI
        css.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CSS_PATH, css)


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def harvest_nav(nav: Any, twin_config: Path) -> None:
    """The plugin's navigation as the twin's ``nav``: the same sections, order and titles (the
    plugin's section titles are HTML already, as themes write them), and no page it leaves out."""
    import yaml

    def entries(items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if item.is_section:
                out.append({item.title: entries(item.children)})
            elif item.is_page:
                out.append({item.title: item.file.src_uri} if item.title else item.file.src_uri)
            else:
                out.append({item.title: item.url})
        return out

    settings = yaml.safe_load(twin_config.read_text(encoding="utf-8"))
    settings["nav"] = entries(nav.items)
    twin_config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _wrap(handler: Any, spent: list[float]) -> Any:
    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return handler(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    return wrapper


if __name__ == "__main__":
    main()
