"""``specplan diff [BASE] [HEAD]``: what a change does to the portfolio. The site is loaded at both
points (a commit's tree read with one ``git archive``; HEAD defaults to the working tree) and
scheduled each as a whole; the features that changed are reported as text, Markdown (a pull
request comment or GitHub's job summary) or JSON, and ``--fail-on`` turns some changes into a
failing exit status for CI."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ..history.git import Repository
from ..pipeline.options import SiteConfig
from ..project.diff import diff_features
from ..project.features import Feature
from .importer import find_constitution
from .reading import UsageError, _walk, check_config, folder_site

JSON_VERSION = 1


def _load(root: Path, config_file: str | None) -> tuple[list[Feature], SiteConfig]:
    """The features of the site in ``root``, as a build loads them."""
    config = root / config_file if config_file else root / "mkdocs.yml"
    if config.is_file():
        checked = check_config(str(config))
        return checked.site.features, checked.site.config
    files = [p.relative_to(root) for p in _walk(root)]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        checked = folder_site(files, find_constitution(root.resolve()), Path("."))
    finally:
        os.chdir(cwd)
    return checked.site.features, checked.site.config


def _point(repo: Repository, ref: str | None, fallback: str) -> str:
    commit = repo.resolve(ref) if ref else None
    if ref and commit is None:
        raise UsageError(f"{ref}: no such commit, branch or tag")
    return commit or fallback


def run_diff(base: str | None, head: str | None, config_file: str | None) -> dict[str, Any]:
    """The changes between two points of the repository here, as a JSON-ready record."""
    repo = Repository.open(".")
    if isinstance(repo, str):
        raise UsageError(repo)
    if repo.shallow:
        raise UsageError("the repository is a shallow clone: fetch its history (actions/checkout with fetch-depth: 0)")
    if repo.head is None:
        raise UsageError("the repository has no commit yet")
    if base is None:
        branch = repo.default_branch()
        base = repo.merge_base(branch, "HEAD") if branch else None
        if base is None:
            raise UsageError("no base: name one (specplan diff BASE), e.g. origin/main")
    base_commit = _point(repo, base, "")
    head_commit = _point(repo, head, "") if head else None
    here = os.path.relpath(os.getcwd(), repo.root)
    with tempfile.TemporaryDirectory(prefix="specplan-diff-") as scratch:
        trees = {}
        for name, commit in (("base", base_commit), ("head", head_commit)):
            if commit is None:
                trees[name] = Path.cwd()
                continue
            target = Path(scratch) / name
            target.mkdir()
            repo.extract(commit, str(target))
            trees[name] = target / here if here != "." else target
        before, _ = _load(trees["base"], config_file)
        after, config = _load(trees["head"], config_file)
    changes = diff_features(before, after, config.settings)
    return {
        "version": JSON_VERSION,
        "generator": "mkdocs-specplan",
        "base": base_commit,
        "head": head_commit or "working tree",
        "features": [dataclasses.asdict(c) for c in changes],
    }


# -- failing on what CI should not let through ------------------------------------------------------
def failures(report: dict[str, Any], conditions: list[str]) -> list[str]:
    """Which ``--fail-on`` conditions the report meets: slip>N, high-risk, uncovered."""
    out = []
    for condition in conditions:
        slip = re.fullmatch(r"slip>(\d+)", condition)
        for change in report["features"]:
            if slip and change["moved"] is not None and change["moved"] > int(slip.group(1)):
                out.append(f"{change['label']}: the forecast finish moved {change['moved']} working days later")
            elif condition == "high-risk" and change["new_high_risks"]:
                out.append(f"{change['label']}: a new risk at the highest level: {', '.join(change['new_high_risks'])}")
            elif condition == "uncovered" and change["newly_uncovered"]:
                out.append(f"{change['label']}: newly uncovered: {', '.join(change['newly_uncovered'])}")
    return out


def check_conditions(conditions: list[str]) -> None:
    for condition in conditions:
        if not (re.fullmatch(r"slip>\d+", condition) or condition in ("high-risk", "uncovered")):
            raise UsageError(f"--fail-on {condition!r}: expected slip>N, high-risk or uncovered")


# -- the formats ------------------------------------------------------------------------------------
_LISTS = (
    ("phases_added", "phases added"),
    ("phases_removed", "phases removed"),
    ("phases_replanned", "phases re-planned"),
    ("risks_added", "risks added"),
    ("risks_closed", "risks closed"),
    ("risks_rerated", "risks re-rated"),
    ("dependencies_added", "dependencies added"),
    ("dependencies_removed", "dependencies removed"),
    ("tasks_completed", "tasks completed"),
    ("requirements_added", "requirements added"),
    ("requirements_removed", "requirements removed"),
    ("newly_uncovered", "newly uncovered"),
)


def _summary(change: dict[str, Any]) -> str:
    """One line: what changed most."""
    if change["kind"] != "changed":
        return str(change["kind"])
    parts = []
    if change["moved"]:
        sign = "+" if change["moved"] > 0 else "−"
        parts.append(f"finish {sign}{abs(change['moved'])} working days" + (f" ({change['cause']})" if change["cause"] else ""))
    if change["health"]:
        parts.append(f"health {change['health'][0]} → {change['health'][1]}")
    if change["status"]:
        parts.append(f"stage {change['status'][0]} → {change['status'][1]}")
    for key, label in _LISTS:
        if change[key]:
            parts.append(f"{len(change[key])} {label}")
    return "; ".join(parts)


def as_text(report: dict[str, Any]) -> str:
    lines = [f"specplan diff {report['base'][:12]}..{str(report['head'])[:12]}: {_count(report)}"]
    for change in report["features"]:
        lines.append(f"  {change['label']}: {_summary(change)}")
        for key, label in _LISTS:
            if change[key]:
                lines.append(f"    {label}: {', '.join(change[key])}")
    return "\n".join(lines) + "\n"


def _count(report: dict[str, Any]) -> str:
    n = len(report["features"])
    return "no feature changed" if n == 0 else f"{n} feature{'s' if n != 1 else ''} changed"


_MARKUP_RE = re.compile(r"([\\`*_\[\]{}|#!~<>&])")


def _md(text: Any) -> str:
    """Plain text in GitHub's Markdown: no markup, no HTML, no @mention, no #issue link."""
    escaped = _MARKUP_RE.sub(r"\\\1", str(text).replace("\n", " "))
    return escaped.replace("@", "@\u200b")


def as_markdown(report: dict[str, Any]) -> str:
    """For a pull request comment or the job summary: a headline, a table, the details folded."""
    features = report["features"]
    slips = [c for c in features if c["moved"]]
    headline = f"**specplan**: {_count(report)}"
    if slips:
        worst = max(slips, key=lambda c: abs(c["moved"]))
        headline += (
            f"; the largest move: {_md(worst['label'])} {'+' if worst['moved'] > 0 else '−'}{abs(worst['moved'])} working days"
        )
    out = [headline, ""]
    if not features:
        return "\n".join(out)
    out += ["| Feature | Change | Forecast finish |", "|---|---|---|"]
    for c in features:
        finish = " → ".join(x or "—" for x in c["finish"]) if c["finish"] else ""
        out.append(f"| {_md(c['label'])} | {_md(_summary(c))} | {finish} |")
    details = [c for c in features if any(c[key] for key, _ in _LISTS)]
    if details:
        out += ["", "<details><summary>Details</summary>", ""]
        for c in details:
            out.append(f"**{_md(c['label'])}**")
            out += [f"- {label}: {_md(', '.join(c[key]))}" for key, label in _LISTS if c[key]]
            out.append("")
        out.append("</details>")
    return "\n".join(out) + "\n"


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
