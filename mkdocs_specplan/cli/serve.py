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

QUIET = 0.3  # seconds without a change before a build runs


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

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.event = threading.Event()
        self.last = 0.0

    def ours(self, path: str) -> bool:
        docs = os.path.realpath(self.config.docs_dir)
        real = os.path.realpath(path)
        if not real.startswith(docs + os.sep):
            return False
        uri = os.path.relpath(real, docs).replace(os.sep, "/")
        return uri.startswith(".specplan/") or uri == MANIFEST or uri in read_manifest(docs) or ".specplan-" in uri

    def seen(self, path: str) -> None:
        if not self.ours(path):
            self.last = time.monotonic()
            self.event.set()


def _observer(paths: list[str], trigger: Trigger) -> Any:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
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
    trigger = Trigger(config)
    observer = _observer(watched(config), trigger)
    server = subprocess.Popen(list(command)) if command else None
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)} if main else {}
    for sig in previous:  # Ctrl-C, or a terminate from a supervisor: the server is ended with us
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set():
            if trigger.event.wait(0.2) and time.monotonic() - trigger.last >= QUIET:
                trigger.event.clear()
                build()
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
