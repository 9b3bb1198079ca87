"""Benchmark: how much a site of N plans costs over the same pages written by hand.

    python benchmarks/bench.py [N ...]      (default: 100 1000)

For each N it builds two sites with the built-in mkdocs theme: one with N plan.yaml files
(and their specs) rendered by the plugin, one with the very Markdown the plugin produced saved as
plain pages. It prints the time and peak Python memory of each and their ratios; the ratio is
what the plugin adds on top of MkDocs. Timings are the best of three runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
EXAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "examples"


def plan_text(i: int) -> str:
    base = (EXAMPLE / "specs" / "001-appointment-reminders" / "plan.yaml").read_text()
    return base.replace("feature_id: 001", f'feature_id: "{i:04d}"').replace(
        "feature_name: Appointment reminders", f"feature_name: Feature {i}"
    )


def make_site(root: Path, n: int, plugin: bool) -> Path:
    docs = root / "docs"
    (docs / "specs").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    shutil.copy(EXAMPLE / "constitution.md", docs / "constitution.md")
    for i in range(n):
        folder = docs / "specs" / f"{i:04d}-feature"
        shutil.copytree(EXAMPLE / "specs" / "001-appointment-reminders", folder)
        (folder / "plan.yaml").write_text(plan_text(i))
    config = {"site_name": "Bench", "theme": "mkdocs", "plugins": [{"specplan": {"build_date": "2026-11-26"}}] if plugin else []}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return root


def build(root: Path) -> tuple[float, int]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    tracemalloc.start()
    started = time.perf_counter()
    mkdocs_build(load_config(config_file=str(root / "mkdocs.yml")))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak


def best_of(root: Path, runs: int = 3) -> tuple[float, int]:
    results = [build(root) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main(sizes: list[int]) -> None:
    print(f"{'plans':>6} {'plugin s':>9} {'plain s':>8} {'time x':>7} {'plugin MiB':>11} {'plain MiB':>10} {'memory x':>9} {'ms/plan':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            with_plugin = make_site(Path(tmp) / "plugin", n, plugin=True)
            t_plugin, m_plugin = best_of(with_plugin)
            # the baseline: the plugin's own output as hand-written pages
            plain = make_site(Path(tmp) / "plain", 0, plugin=False)
            src = with_plugin / "docs"
            shutil.rmtree(plain / "docs")
            shutil.copytree(src, plain / "docs")
            from mkdocs_specplan.model import Settings
            from mkdocs_specplan.pages import PlanSource, load_page, render_page
            from mkdocs_specplan.render import Renderer

            renderer = Renderer(Settings())
            for yaml_file in (plain / "docs").rglob("plan.yaml"):
                rel = yaml_file.relative_to(plain / "docs").as_posix()
                page = load_page(PlanSource(rel, yaml_file.read_text(), rel), Settings())
                (yaml_file.parent / "plan.md").write_text(render_page(page, renderer))
                yaml_file.unlink()
            t_plain, m_plain = best_of(plain)
            print(
                f"{n:>6} {t_plugin:>9.2f} {t_plain:>8.2f} {t_plugin / t_plain:>7.2f} {m_plugin / 2**20:>11.1f} "
                f"{m_plain / 2**20:>10.1f} {m_plugin / m_plain:>9.2f} {1000 * (t_plugin - t_plain) / max(n, 1):>8.2f}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
