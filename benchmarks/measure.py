"""One build, measured from inside its own process (the benchmark runs this as a child).

    python benchmarks/measure.py SITE_DIR [--edit FILE [--dirty]] [--harvest TWIN_DIR]

Prints one JSON object: the process's CPU time and peak RSS (``resource.getrusage``), the time
spent in the plugin's own event handlers, the time PyYAML's C loader takes to parse the same
plan files (the floor), and with ``--edit`` the CPU time and the plugin's time of a second build
after one file changed (as ``mkdocs serve`` rebuilds: the same config and plugin instance; with
``--dirty`` as ``mkdocs serve --dirty``, which rebuilds only the pages that changed). A plugin site's
edited file is a plan.yaml; a twin's is the page the plugin rendered from it. With ``--harvest`` the plugin's
generated pages, JSON and stylesheet are written into TWIN_DIR/docs as plain files: the
pre-rendered twin.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


def floor(docs: Path) -> float:
    import yaml

    texts = [p.read_text(encoding="utf-8") for p in docs.rglob("plan.yaml")]
    started = time.perf_counter()
    for text in texts:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--edit")
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--harvest")
    args = parser.parse_args()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    root = Path(args.site)
    config = load_config(config_file=str(root / "mkdocs.yml"))
    plugin = config.plugins.get("specplan")
    spent = [0.0]
    config.plugins.on_startup(command="serve" if args.edit else "build", dirty=args.dirty)
    if plugin is not None:
        # MkDocs collected the handlers already: time the ones it will call
        for event, handlers in config.plugins.events.items():
            config.plugins.events[event] = [_wrap(h, spent) if getattr(h, "__self__", None) is plugin else h for h in handlers]
    if args.dirty:
        config["strict"] = False  # MkDocs warns of every dirty build
    started = cpu()
    build(config)
    out: dict[str, Any] = {"cpu": cpu() - started, "own": spent[0]}
    if plugin is not None:
        out["floor"] = floor(root / "docs")
        out["plans"] = len(plugin.pages)
    if args.edit:
        path = Path(args.edit)
        text = path.read_text(encoding="utf-8")
        edited = (
            text.replace("status: planned", "status: in-progress", 1) if plugin else text.replace("planned", "in-progress", 1)
        )
        path.write_text(edited, encoding="utf-8")
        spent[0] = 0.0
        started = cpu()
        build(config, dirty=args.dirty)
        out["rebuild_cpu"] = cpu() - started
        out["rebuild_own"] = spent[0]
    if args.harvest and plugin is not None:
        twin = Path(args.harvest) / "docs"
        for uri, content in plugin._generated.items():  # the plugin's own pages, as plain files
            target = twin / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if plugin.json_uri:  # and its JSON, as the build wrote it
            shutil.copy(Path(config.site_dir) / plugin.json_uri, twin / plugin.json_uri)
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
