"""The benchmark: the plugin's build against the identical pre-rendered site.

    python benchmarks/bench.py            # 100, 300 and 1,000 features, Material and mkdocs themes
    python benchmarks/bench.py --quick    # 40 and 120 features, Material: a few minutes on two cores
    python benchmarks/bench.py --sizes 100 500 --themes mkdocs --repeat 3 --json results.json

For each size and theme it generates a realistic spec-kit site (benchmarks/sitegen.py), builds it
with the plugin once to harvest the plugin's own output (plan pages, dashboard, JSON, stylesheet,
and the navigation it arranged, as the twin's ``nav``) into a twin site of plain files, with the
HTML of each page the plugin's Markdown extension annotated: the twin renders every page's
Markdown and its hooks (benchmarks/twin_hooks.py) take that HTML in place of an annotated page's
own, so the two sites write byte-identical pages. It then runs the two builds in
alternation, each in a fresh process (benchmarks/measure.py), and reports the medians:

* CPU ratio and peak-RSS ratio of the build processes (plugin / twin);
* the plugin's own time (its event handlers and its Markdown extension's processors) against the
  fair floor: reading the same inputs at best, PyYAML's C loader over the plan files and a C
  GitHub-flavoured Markdown parser (cmarkgfm, the ``bench`` extra) over the Markdown files the
  plugin reads; and per plan;
* the plugin's time in a rebuild after one plan changed (same plugin instance, as mkdocs serve;
  the median of as many such rebuilds as pairs of builds) against its time in the cold build;
* the CPU time of a ``mkdocs serve --dirty`` rebuild after one plan changed (the median of five,
  each after one more plan changed), against the twin's after the same files changed;
* the dashboard page's HTML bytes and element count (whole page and article), plans.json bytes;
* the Zensical path (Material only; benchmarks/zensical_path.py): ``specplan build`` with nothing
  changed and after one plan changed, against a cold run; ``zensical build`` of the site against
  its twin; and edit-to-refresh (saving a plan.yaml to its served page showing the change) under
  ``specplan serve`` beside ``zensical serve`` and under ``mkdocs serve``, and under ``zensical
  serve`` alone in the twin, the same change written into the plan's page (Zensical's own share).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DIRTY_EDITS = 5  # plans edited in turn under --dirty: the cycle is the median of theirs
sys.path.insert(0, str(HERE))

from sitegen import generate  # noqa: E402
from zensical_path import (  # noqa: E402
    serve_refresh,
    specplan_runs,
    twin_refresh,
    zensical_builds,
    zensical_config,
    zensical_twin,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Count(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.total = self.article = 0
        self.depth = 0  # inside <article>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.total += 1
        if self.depth:
            self.depth += tag not in VOID
            self.article += 1
        elif tag == "article" or ("role", "main") in attrs:  # Material's article, the mkdocs theme's main column
            self.depth = 1
            self.article += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1


def dom_counts(html: str) -> tuple[int, int]:
    counter = _Count()
    counter.feed(html)
    return counter.total, counter.article


def config(theme: str, plugin: bool) -> dict:
    theme_config = {"name": "material", "features": ["navigation.prune"]} if theme == "material" else {"name": "mkdocs"}
    out: dict = {"site_name": "Bench", "theme": theme_config, "markdown_extensions": ["attr_list", "tables", "toc", "admonition"]}
    if plugin:
        out["plugins"] = ["search", {"specplan": {"build_date": "2026-11-26"}}]
    else:
        out["plugins"] = ["search"]
        out["extra_css"] = ["assets/specplan/specplan.css"]
        out["hooks"] = [str(HERE / "twin_hooks.py")]  # the annotated pages' HTML, as the plugin made it
    return out


def measure(site: Path, *extra: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), str(site), *extra], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"build of {site} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def one(n: int, theme: str, repeat: int, tmp: Path, zensical: bool = True, serve: bool = True) -> dict:
    plugin_site, twin = tmp / f"plugin-{theme}-{n}", tmp / f"twin-{theme}-{n}"
    generate(plugin_site, n)
    (plugin_site / "mkdocs.yml").write_text(yaml.safe_dump(config(theme, True)))
    generate(twin, n)  # the same specs, data models and tasks
    for plan in (twin / "docs").rglob("plan.yaml"):
        plan.unlink()
    (twin / "mkdocs.yml").write_text(yaml.safe_dump(config(theme, False)))
    measure(plugin_site, "--harvest", str(twin))
    # the floor in a process of its own, once: measured in a built process, collections over the whole
    # site in memory made it vary by a factor of two
    floor = measure(plugin_site, "--floor")
    runs: dict[str, list[dict]] = {"plugin": [], "twin": []}
    for _ in range(repeat):  # interleaved
        runs["plugin"].append(measure(plugin_site))
        runs["twin"].append(measure(twin))
    plans = sorted((plugin_site / "docs").rglob("plan.yaml"))
    editable = [str(p) for p in plans if "status: planned" in p.read_text(encoding="utf-8")]
    # mkdocs serve (every page built again) after one plan changed: as many as pairs of builds
    serve = measure(plugin_site, "--edit", *editable[:repeat])
    # mkdocs serve --dirty (only pages that changed) after each of five other plans changed in turn;
    # the twin, harvested again from the site as it is now, gets the same edits: every file the
    # plugin generated differently (the plan's page, the dashboard pages that show it, the JSON)
    edited = editable[repeat : repeat + DIRTY_EDITS]
    changes = tmp / f"changes-{theme}-{n}"
    dirty = measure(plugin_site, "--dirty-edit", *edited, "--harvest", str(twin), "--changes", str(changes))
    steps = sorted((p for p in changes.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    twin_dirty = measure(twin, "--dirty-edit-dir", *map(str, steps))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    second: dict[str, Any] = {}
    if zensical and theme == "material":  # Zensical's own theme is Material's successor
        zsite, ztwin = tmp / f"zensical-{n}", tmp / f"zensical-twin-{n}"
        generate(zsite, n)
        (zsite / "mkdocs.yml").write_text(yaml.safe_dump(zensical_config(theme)))
        zplans = sorted(p for p in (zsite / "docs").rglob("plan.yaml") if "status: planned" in p.read_text(encoding="utf-8"))
        second.update(specplan_runs(zsite, zplans[: max(3, repeat)]))
        zensical_twin(zsite, ztwin)
        second.update(zensical_builds(zsite, ztwin, 1 if n >= 1000 else repeat))
        if serve:
            second.update(serve_refresh(plugin_site, zsite, 1 if n >= 1000 else 3, timeout=900.0))
            second.update(twin_refresh(ztwin, 1 if n >= 1000 else 3, timeout=900.0))

    html = (plugin_site / "site" / "plans" / "index.html").read_text(encoding="utf-8")
    total, article = dom_counts(html)
    plans = runs["plugin"][0].get("plans", 0)
    return {
        "features": n,
        "plans": plans,
        "theme": theme,
        "cpu_plugin": med("plugin", "cpu"),
        "cpu_twin": med("twin", "cpu"),
        "cpu_ratio": med("plugin", "cpu") / med("twin", "cpu"),
        "rss_plugin_mb": med("plugin", "maxrss_kb") / 1024,
        "rss_twin_mb": med("twin", "maxrss_kb") / 1024,
        "rss_ratio": med("plugin", "maxrss_kb") / med("twin", "maxrss_kb"),
        "own_s": med("plugin", "own"),
        "floor_s": floor["floor"],
        "floor_yaml_s": floor["yaml"],
        "floor_markdown_s": floor["markdown"],
        "own_vs_floor": med("plugin", "own") / max(floor["floor"], 1e-9),
        "cpu_ratios": [p["cpu"] / t["cpu"] for p, t in zip(runs["plugin"], runs["twin"], strict=True)],
        "own_ms_per_plan": 1000 * med("plugin", "own") / max(plans, 1),
        "rebuild_own_s": serve["rebuild_own"],
        "rebuild_owns": serve["rebuild_owns"],
        "rebuild_vs_cold": serve["rebuild_own"] / max(serve["own"], 1e-9),
        "rebuild_cpu_s": serve["rebuild_cpu"],
        "dirty_cpu_s": dirty["dirty_cpu"],
        "dirty_own_s": dirty["dirty_own"],
        "dirty_files": statistics.median(sum(1 for f in (p / "docs").rglob("*") if f.is_file()) for p in steps),
        "dirty_cycles": len(steps),
        "dirty_cpus": dirty["dirty_cpus"],
        "dirty_cpus_twin": twin_dirty["dirty_cpus"],
        "dirty_cpu_twin_s": twin_dirty["dirty_cpu"],
        "dirty_vs_twin": dirty["dirty_cpu"] / max(twin_dirty["dirty_cpu"], 1e-9),
        "dashboard_bytes": len(html.encode()),
        "dashboard_elements": total,
        "dashboard_article_elements": article,
        "json_bytes": (plugin_site / "site" / "plans" / "plans.json").stat().st_size,
        **second,
    }


COLUMNS = (
    ("features", "{:>8}"),
    ("theme", "{:>9}"),
    ("cpu_ratio", "{:>9.3f}"),
    ("rss_ratio", "{:>9.3f}"),
    ("own_vs_floor", "{:>12.2f}"),
    ("own_ms_per_plan", "{:>15.2f}"),
    ("rebuild_vs_cold", "{:>15.2f}"),
    ("dirty_vs_twin", "{:>13.2f}"),
    ("dashboard_bytes", "{:>15,}"),
    ("dashboard_article_elements", "{:>26,}"),
    ("json_bytes", "{:>12,}"),
    ("noop_vs_cold", "{:>12.3f}"),
    ("edit_vs_cold", "{:>12.3f}"),
    ("zensical_ratio", "{:>14.3f}"),
    ("refresh_zensical_s", "{:>18.2f}"),
    ("refresh_mkdocs_s", "{:>16.2f}"),
    ("refresh_twin_s", "{:>14.2f}"),
)


def _cell(fmt: str, value: Any) -> str:
    width = len(fmt.format(0)) if ("f" in fmt or "," in fmt) else 8
    return fmt.format(value) if value is not None else "-".rjust(width)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 and 120 features, Material, 2 repetitions")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--themes", nargs="+", choices=("material", "mkdocs"))
    parser.add_argument("--repeat", type=int, help="interleaved pairs of builds (default 3; 1 from 1,000 features)")
    parser.add_argument("--no-zensical", action="store_true", help="the MkDocs path only")
    parser.add_argument("--no-serve", action="store_true", help="no edit-to-refresh measures (servers)")
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where the results are written")
    args = parser.parse_args()
    sizes = args.sizes or ([40, 120] if args.quick else [100, 300, 1000])
    themes = args.themes or (["material"] if args.quick else ["material", "mkdocs"])

    def repeat(n: int) -> int:  # by default 3 interleaved pairs of builds, 1 from 1,000 features (minutes each)
        return args.repeat or (2 if args.quick else 3 if n < 1000 else 1)

    print(
        "  ".join(f"{name:>{len(fmt.format(0)) if 'f' in fmt or ',' in fmt else 8}}" for name, fmt in COLUMNS).replace("_", " ")
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for theme in themes:
            for n in sizes:
                row = one(n, theme, repeat(n), Path(tmp), zensical=not args.no_zensical, serve=not args.no_serve)
                results.append(row)
                print("  ".join(_cell(fmt, row.get(name)) for name, fmt in COLUMNS), flush=True)
    Path(args.json).write_text(
        json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count(), "results": results}, indent=2) + "\n"
    )
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
