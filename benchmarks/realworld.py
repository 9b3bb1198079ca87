"""Run the pipeline on a folder of spec-kit repositories and print what it reads of each feature.

    python benchmarks/realworld.py PATH [--repo NAME] [--tsv]

PATH holds one folder per repository (each with its ``specs/`` and, where it has one, its
constitution). For every feature: its tasks (done/total), requirements, user stories, stage,
status and name, as the plugin reads them with its default options; then one summary line per
repository, and the problems a strict build would fail on, counted. Compare the counts with a
person's: the figures of this script are what the dashboard shows.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mkdocs_specplan.cli.importer import find_constitution
from mkdocs_specplan.cli.reading import _walk, folder_site


def read_repository(root: Path) -> list[dict[str, object]]:
    files = _walk(root)
    constitution = find_constitution(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        checked = folder_site([p.relative_to(root) for p in files], constitution, Path("."))
    finally:
        os.chdir(cwd)
    rows = []
    for feature in checked.site.features:
        tasks = feature.tasks
        requirements = [r for r in feature.requirements if r.kind == "requirement"]
        stories = [r for r in feature.requirements if r.kind == "story"]
        rows.append(
            {
                "folder": feature.folder,
                "tasks": f"{tasks.done}/{tasks.total}" if tasks else "-",
                "requirements": len(requirements),
                "stories": len(stories),
                "stage": feature.stage,
                "status": feature.spec.status if feature.spec and feature.spec.status else "",
                "name": feature.name,
            }
        )
    warnings = [p for p in checked.problems if p.level == "warning"]
    rows.append({"problems": len(warnings), "notes": len(checked.problems) - len(warnings)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repo", action="append", help="only these repositories (folder names)")
    parser.add_argument("--tsv", action="store_true", help="tab-separated rows, for a spreadsheet")
    args = parser.parse_args(argv)
    repos = sorted(p for p in args.path.iterdir() if p.is_dir() and (not args.repo or p.name in args.repo))
    totals: Counter[str] = Counter()
    for repo in repos:
        rows = read_repository(repo)
        summary = rows.pop()
        stages: Counter[str] = Counter(str(r["stage"]) for r in rows)
        for row in rows:
            values = [str(row[k]) for k in ("folder", "tasks", "requirements", "stories", "stage", "status", "name")]
            print("\t".join([repo.name, *values]) if args.tsv else f"{repo.name:12} " + " | ".join(values))
        done = sum(int(str(r["tasks"]).split("/")[0]) for r in rows if r["tasks"] != "-")
        total = sum(int(str(r["tasks"]).split("/")[1]) for r in rows if r["tasks"] != "-")
        line = (
            f"== {repo.name}: {len(rows)} features, tasks {done}/{total}, "
            f"{sum(int(str(r['requirements'])) for r in rows)} requirements, {sum(int(str(r['stories'])) for r in rows)} stories, "
            f"{sum(1 for r in rows if r['status'])} with a status, {summary['problems']} problems, {summary['notes']} notes; "
            + ", ".join(f"{n} {s}" for s, n in stages.most_common())
        )
        print(line)
        totals.update(features=len(rows), tasks=total, done=done, problems=int(str(summary["problems"])))
    print(
        f"== all: {len(repos)} repositories, {totals['features']} features, tasks {totals['done']}/{totals['tasks']}, "
        f"{totals['problems']} problems"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
