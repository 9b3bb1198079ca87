"""One build, measured from inside its own process (the benchmark runs this as a child).

    python benchmarks/measure.py SITE_DIR [--edit FILE] [--dirty-edit FILE] [--harvest TWIN_DIR] [--floor]

Prints one JSON object: the process's CPU time and peak RSS (``resource.getrusage``), the time
spent in the plugin's own work (its event handlers and its Markdown extension's processors), and the time PyYAML's C loader takes to parse the same
plan files (the floor, the best of three in a fresh process). With ``--edit``, the CPU time and the plugin's time of a second build after
that file changed, as ``mkdocs serve`` rebuilds (the same config and plugin instance, every page
built again); with ``--dirty-edit``, then of a build after that file changed as ``mkdocs serve
--dirty`` rebuilds (only the pages that changed). A plugin site's edited files are plan.yaml files;
a twin's, the pages the plugin rendered from them. With ``--harvest`` the plugin's generated pages,
JSON and stylesheet are written into TWIN_DIR/docs as plain files: the pre-rendered twin.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


def floor(docs: Path) -> float:
    import yaml

    texts = [p.read_text(encoding="utf-8") for p in docs.rglob("plan.yaml")]
    started = time.perf_counter()
    for text in texts:  # to Python data, as any reader of the plans would
        yaml.load(text, Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def fresh_floor(site: Path) -> float:
    """The floor in a process of its own: in this one, after the build, collections over the whole
    site in memory made it vary by a factor of two."""
    done = subprocess.run([sys.executable, __file__, str(site), "--floor"], check=True, capture_output=True, text=True)
    return float(done.stdout)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--edit", help="rebuild after this file changed, as mkdocs serve does")
    parser.add_argument("--dirty-edit", help="then rebuild after this file changed, as mkdocs serve --dirty does")
    parser.add_argument("--harvest")
    parser.add_argument("--floor", action="store_true", help="print only the floor")
    args = parser.parse_args()
    if args.floor:
        print(min(floor(Path(args.site) / "docs") for _ in range(3)))
        return
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    root = Path(args.site)
    config = load_config(config_file=str(root / "mkdocs.yml"))
    plugin = config.plugins.get("specplan")
    spent = [0.0]
    generated: dict[str, bytes] = {}
    if args.harvest and plugin is not None:  # what the plugin generates, as it generates it
        track = plugin._track

        def keep(file: Any, uri: str, data: bytes) -> None:
            generated[uri] = data
            track(file, uri, data)

        plugin._track = keep
    serving = bool(args.edit or args.dirty_edit)
    config.plugins.on_startup(command="serve" if serving else "build", dirty=bool(args.dirty_edit))
    if plugin is not None:
        # MkDocs collected the handlers already: time the ones it will call
        for event, handlers in config.plugins.events.items():
            config.plugins.events[event] = [_wrap(h, spent) if getattr(h, "__self__", None) is plugin else h for h in handlers]
        # and the Markdown extension's processors, which run while MkDocs renders each page
        from mkdocs_specplan import annotate

        for cls in (annotate.AnnotateTreeprocessor, annotate._LongText, annotate._UnclosedTags):
            cls.run = _wrap(cls.run, spent)  # type: ignore[method-assign]
    config["strict"] = False  # MkDocs warns of every dirty build
    started = cpu()
    build(config)
    out: dict[str, Any] = {"cpu": cpu() - started, "own": spent[0]}
    if plugin is not None:
        out["floor"] = fresh_floor(root)
        out["plans"] = len(plugin.pages)
    for name, edit, dirty in (("rebuild", args.edit, False), ("dirty", args.dirty_edit, True)):
        if edit:
            path = Path(edit)
            text = path.read_text(encoding="utf-8")
            old = "status: planned" if plugin else "planned"
            path.write_text(text.replace(old, old.replace("planned", "in-progress"), 1), encoding="utf-8")
            spent[0] = 0.0
            started = cpu()
            build(config, dirty=dirty)
            out[f"{name}_cpu"] = cpu() - started
            out[f"{name}_own"] = spent[0]
    if args.harvest and plugin is not None:
        twin = Path(args.harvest) / "docs"
        for uri, content in generated.items():  # the plugin's own pages and JSON, as plain files
            target = twin / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        from mkdocs_specplan.site import CSS_PATH, CSS_URI

        css = twin / CSS_URI
        css.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CSS_PATH, css)
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


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
