"""``specplan serve [-- CMD ...]``: ``specplan build`` on every change, beside a builder's own
server (``zensical serve`` by default). It watches docs_dir, specs_dir, the constitution, the
templates and mkdocs.yml (with watchdog, which MkDocs already brings), runs the build after each
burst of changes (a run reads and writes only when something changed), and ends the server
cleanly on Ctrl-C (or a terminate signal). Its own outputs never trigger a build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..pipeline.options import SiteConfig
from ..pipeline.sources import MANIFEST, read_manifest

QUIET = 0.05  # seconds without a change before a build runs (an editor's save is one burst of events)


def watched(config: SiteConfig) -> list[str]:
    """The folders and files a build reads."""
    paths = [config.docs_dir, config.specs_dir, config.templates_dir, config.config_file]
    if config.constitution:
        paths.append(config.constitution)
    if config.template:
        paths.append(config.template)
    return [p for p in dict.fromkeys(paths) if p and os.path.exists(p)]


class Trigger:
    """Changes seen since the last build (the build's own outputs left out)."""

    def __init__(self, config: SiteConfig, paths: list[str] | None = None) -> None:
        self.config = config
        self.event = threading.Event()
        self.last = 0.0
        paths = watched(config) if paths is None else paths
        self.folders = [os.path.realpath(p) for p in paths if os.path.isdir(p)]
        self.files = {os.path.realpath(p) for p in paths if not os.path.isdir(p)}

    def read_by_build(self, path: str) -> bool:
        """A watched file, or a file in a watched folder: not a sibling of mkdocs.yml (the builder's
        own cache and site folders change there on every build)."""
        real = os.path.realpath(path)
        return real in self.files or any(real == f or real.startswith(f + os.sep) for f in self.folders)

    def ours(self, path: str) -> bool:
        docs = os.path.realpath(self.config.docs_dir)
        real = os.path.realpath(path)
        if not real.startswith(docs + os.sep):
            return False
        uri = os.path.relpath(real, docs).replace(os.sep, "/")
        return uri.startswith(".specplan/") or uri == MANIFEST or uri in read_manifest(docs) or ".specplan-" in uri

    def seen(self, path: str) -> None:
        if self.read_by_build(path) and not self.ours(path):
            self.last = time.monotonic()
            self.event.set()


def _observer(paths: list[str], trigger: Trigger) -> Any:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":  # a file in it changed: that file's own event counts
                return
            trigger.seen(str(getattr(event, "dest_path", "") or event.src_path))

    observer = Observer()
    handler = Handler()
    for path in paths:
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        observer.schedule(handler, folder, recursive=os.path.isdir(path))
    observer.start()
    return observer


def serve(config: SiteConfig, command: Sequence[str], build: Callable[[], int], stop: threading.Event | None = None) -> int:
    """Build, start the server, and build again on every change until Ctrl-C (or ``stop``)."""
    stop = stop or threading.Event()
    build()
    paths = watched(config)
    trigger = Trigger(config, paths)
    observer = _observer(paths, trigger)
    server = subprocess.Popen(list(command)) if command else None
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)} if main else {}
    for sig in previous:  # Ctrl-C, or a terminate from a supervisor: the server is ended with us
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set():
            if trigger.event.wait(0.05):
                quiet = time.monotonic() - trigger.last
                if quiet >= QUIET:
                    trigger.event.clear()
                    build()
                else:
                    stop.wait(QUIET - quiet)
            if server is not None and server.poll() is not None:
                print(f"specplan serve: {command[0]} ended (status {server.returncode})", file=sys.stderr)
                return int(server.returncode or 0)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        observer.stop()
        observer.join(timeout=5)
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0
