"""Rebuilds do only what changed: `mkdocs serve` re-renders the plans whose inputs changed, and
`--dirty` builds (serve, or build in another process) leave unchanged generated pages alone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from .conftest import git

OLD = 1_000_000_000  # a modification time long past: a file still at it was not written again


def plan_text(fid: str, phases: str, status: str = "in-progress") -> str:
    head = f'feature_name: Feature {fid}\nfeature_id: "{fid}"\ncreated_date: 2026-03-02\nstatus: {status}\nphases:\n'
    return head + textwrap.indent(textwrap.dedent(phases), "  ")


SPEC = """\
# Feature Specification: Feature {fid}

## Requirements

- **FR-001**: The system MUST do the first thing.
- **FR-002**: The system MUST do the second thing.
"""

TASKS = """\
# Tasks

## Phase 1: Setup

- [x] T001 Create the project (FR-001)
- [ ] T002 Write the first test (FR-002)
"""


def write_portfolio(site) -> None:
    """Three features: 002 waits on 001's first phase; 003 stands alone."""
    phases = {
        "001": "- {name: Setup, effort: 1 w, status: in-progress, started: 2026-03-02}\n- {name: Build, effort: 2 w}\n",
        "002": '- {name: Client, effort: 1 w, dependencies: ["001: Phase 1"]}\n',
        "003": "- {name: Alone, effort: 3 d, goal: Covers FR-001}\n",
    }
    for fid, text in phases.items():
        site.plan(f"specs/{fid}-f", plan_text(fid, text), spec=SPEC.format(fid=fid))
        site.doc(f"specs/{fid}-f/tasks.md", TASKS)


@pytest.fixture
def portfolio(site):
    write_portfolio(site)
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-04"}}]}
    return site


def serve(site):
    """A first build, then the config and plugin a `mkdocs serve` would keep across rebuilds."""
    result = site.build()
    assert not result.failed, result.warnings
    config = result.config
    config.plugins.on_startup(command="serve", dirty=False)
    return result, config, config.plugins["specplan"]


def edit(site, path: str, old: str, new: str) -> None:
    file = site.docs / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_serve_rebuild_renders_only_the_plans_whose_inputs_changed(portfolio):
    from mkdocs.commands.build import build

    result, config, plugin = serve(portfolio)
    build(config)
    assert plugin.site.stats.rendered == 3
    build(config)
    assert plugin.site.stats.rendered == 0  # nothing changed: every page as it was
    assert "Feature 003" in result.html("specs/003-f/plan/index.html")

    # one plan alone changes: one page is rendered, and the dashboard shows the change
    edit(portfolio, "specs/003-f/plan.yaml", "Feature 003", "Feature Three")
    build(config)
    assert plugin.site.stats.rendered == 1
    assert "Feature Three" in result.html("specs/003-f/plan/index.html")
    assert "Feature Three" in result.html("plans/index.html")
    assert "Feature 001" in result.html("specs/001-f/plan/index.html")

    # a plan others wait on changes: it and the plan waiting on it are rendered, the third is not
    edit(portfolio, "specs/001-f/plan.yaml", "effort: 1 w, status", "effort: 2 w, status")
    build(config)
    assert plugin.site.stats.rendered == 2
    assert "2026-03-16" in result.html("specs/002-f/plan/index.html")  # its client phase moved a week
    exported = json.loads((result.site_dir / "plans/plans.json").read_text())
    second = next(p for p in exported["plans"] if p["feature_id"] == "002")
    assert second["forecast"]["start"] == "2026-03-16"

    # a spec changes: only its feature's plan page is rendered again, and no plan is scheduled again
    scheduled = plugin.pipeline.memory.schedule.value
    edit(portfolio, "specs/003-f/spec.md", "first thing", "very first thing")
    build(config)
    assert plugin.site.stats.rendered == 1
    assert plugin.pipeline.memory.schedule.value is scheduled
    assert "very first thing" in result.html("specs/003-f/plan/index.html")

    # tasks change: the feature's plan page shows the new count
    edit(portfolio, "specs/002-f/tasks.md", "- [ ] T002", "- [x] T002")
    build(config)
    assert plugin.site.stats.rendered == 1
    assert "2/2 done" in result.html("specs/002-f/plan/index.html")

    # a plan changes again: the portfolio is scheduled again, and the plan waiting on it moves back
    edit(portfolio, "specs/001-f/plan.yaml", "effort: 2 w, status", "effort: 1 w, status")
    build(config)
    assert plugin.pipeline.memory.schedule.value is not scheduled
    assert plugin.site.stats.rendered == 2
    assert "2026-03-09" in result.html("specs/002-f/plan/index.html")
    config.plugins.on_shutdown()


def test_a_changed_template_renders_every_plan_again(portfolio):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    template = portfolio.write("overrides/plan.md.j2", '{% extends "specplan/plan.md.j2" %}\n')
    portfolio.config["plugins"] = [{"specplan": {"build_date": "2026-03-04", "template": str(template)}}]
    _result, config, plugin = serve(portfolio)
    build(config)
    assert plugin.site.stats.rendered == 3
    template.write_text('{% extends "specplan/plan.md.j2" %}\n{% block title %}# Changed {{ title }}\n{% endblock %}\n')
    os.utime(template, (OLD, OLD))  # a different time than the one the renderer was made with
    config = load_config(config_file=str(portfolio.root / "mkdocs.yml"))  # serve reloads the config each rebuild
    build(config)
    assert config.plugins["specplan"].site.stats.rendered == 3
    config.plugins.on_shutdown()


def test_serve_dirty_writes_only_pages_whose_content_changed(portfolio):
    from mkdocs.commands.build import build

    result, config, plugin = serve(portfolio)
    config["strict"] = False  # MkDocs warns of every dirty build
    config.plugins.on_startup(command="serve", dirty=True)
    build(config)
    pages = {fid: result.site_dir / f"specs/{fid}-f/plan/index.html" for fid in ("001", "002", "003")}
    for page in pages.values():
        os.utime(page, (OLD, OLD))
    edit(portfolio, "specs/003-f/plan.yaml", "name: Alone", "name: Solo")
    build(config, dirty=True)
    config.plugins.on_shutdown()
    assert plugin.site.stats.rendered == 1
    assert pages["001"].stat().st_mtime == OLD and pages["002"].stat().st_mtime == OLD
    assert pages["003"].stat().st_mtime > OLD and "Solo" in pages["003"].read_text()


def _mkdocs(site, *args: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site.root / "mkdocs.yml"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_build_dirty_in_another_process_skips_unchanged_plan_pages(portfolio):
    portfolio.build()  # writes mkdocs.yml
    _mkdocs(portfolio)
    site_dir = portfolio.root / "site"
    pages = {fid: site_dir / f"specs/{fid}-f/plan/index.html" for fid in ("001", "002", "003")}
    exported = site_dir / "plans/plans.json"
    for page in [*pages.values(), exported]:
        os.utime(page, (OLD, OLD))
    _mkdocs(portfolio, "--dirty")  # nothing changed: nothing generated is written again
    assert all(p.stat().st_mtime == OLD for p in [*pages.values(), exported])

    edit(portfolio, "specs/003-f/plan.yaml", "name: Alone", "name: Solo")
    _mkdocs(portfolio, "--dirty")
    assert pages["001"].stat().st_mtime == OLD and pages["002"].stat().st_mtime == OLD
    assert pages["003"].stat().st_mtime > OLD and "Solo" in pages["003"].read_text()
    assert exported.stat().st_mtime > OLD and "Solo" in exported.read_text()

    # a page that is gone from the site is written again, whatever the record says
    pages["001"].unlink()
    _mkdocs(portfolio, "--dirty")
    assert "Feature 001" in pages["001"].read_text()


def test_a_generated_page_read_after_mkdocs_read_it_is_its_markdown(portfolio):
    """A build lets a generated page's file drop its copy of the content once MkDocs has read it;
    a plugin asking the file later still gets the page's Markdown, never the plan's YAML."""
    portfolio.write(
        "hooks.py",
        "import pathlib\n\n"
        "def on_page_content(html, page, config, files):\n"
        "    if page.file.src_uri.endswith('plan.md'):\n"
        "        out = pathlib.Path(config.config_file_path).parent / 'seen.txt'\n"
        "        with out.open('a') as handle:\n"
        "            handle.write(page.file.content_string.splitlines()[0] + '|' + page.file.content_bytes.decode()[:30] + '\\n')\n",
    )
    result = portfolio.build(hooks=["hooks.py"])
    assert not result.failed, result.warnings
    seen = (portfolio.root / "seen.txt").read_text().splitlines()
    assert len(seen) == 3
    assert all(line.startswith("# ") and "feature_name" not in line for line in seen), seen


def test_the_json_a_rebuild_assembles_is_the_json_a_build_writes(portfolio):
    from mkdocs.commands.build import build

    def fresh() -> bytes:  # MkDocs keeps one plugin instance per process: serve ends first
        config.plugins.on_shutdown()
        return (portfolio.build().site_dir / "plans/plans.json").read_bytes()

    result, config, _plugin = serve(portfolio)
    exported = result.site_dir / "plans/plans.json"
    build(config)
    edit(portfolio, "specs/002-f/plan.yaml", "name: Client", "name: Customer")
    # 003's summary as well: the same schedule, forecast and problems, another plan
    edit(portfolio, "specs/003-f/plan.yaml", "feature_name: Feature 003\n", "feature_name: Feature 003\nplan_summary: Quickly.\n")
    build(config)  # 001 from the last build, 002 and 003 encoded again
    served = exported.read_bytes()
    assert "Customer" in served.decode() and "Quickly." in served.decode()
    assert served == fresh()
    json.loads(served)
    # a later day, in another serve: 003 is the same plan and feature, forecast from that day
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    config.plugins["specplan"].config["build_date"] = "2026-05-04"
    config.plugins.on_config(config)
    build(config)
    served = exported.read_bytes()
    assert json.loads(served)["plans"][2]["forecast"]["end"] == "2026-05-07"
    portfolio.config = {"plugins": [{"specplan": {"build_date": "2026-05-04"}}]}
    assert served == fresh()
    # other URLs, in another serve: the same plans and features, linked elsewhere
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    config["use_directory_urls"] = False
    build(config)
    served = exported.read_bytes()
    assert json.loads(served)["plans"][2]["url"] == "specs/003-f/plan.html"
    portfolio.config = {**portfolio.config, "use_directory_urls": False}
    assert served == fresh()


def test_a_rebuild_renders_only_the_dashboard_pages_that_changed(portfolio):
    """A grouped dashboard: one page per stage and the full lists. A plan edit that changes only
    its own stage's page leaves the other stages' pages as they were."""
    from mkdocs.commands.build import build

    edit(portfolio, "specs/003-f/plan.yaml", "status: in-progress", "status: approved")
    portfolio.config["plugins"] = [{"specplan": {"build_date": "2026-03-04", "dashboard_group_above": 1}}]
    result, config, plugin = serve(portfolio)
    build(config)
    pages = plugin.site.stats.dashboard_rendered
    assert pages >= 3  # the dashboard and a page per stage at least
    assert result.exists("plans/features-approved/index.html")
    build(config)
    assert plugin.site.stats.dashboard_rendered == 0
    edit(portfolio, "specs/003-f/plan.yaml", "goal: Covers FR-001", "goal: Covers FR-001 well")  # on no dashboard page
    build(config)
    assert plugin.site.stats.dashboard_rendered == 0 and plugin.site.stats.rendered == 1
    edit(portfolio, "specs/003-f/plan.yaml", "Feature 003", "Feature Three")  # on its stage's page
    build(config)
    assert 1 <= plugin.site.stats.dashboard_rendered < pages
    assert "Feature Three" in result.html("plans/features-approved/index.html")
    config.plugins.on_shutdown()


def _pages(root) -> dict[str, str]:
    """Every page of a built site, without the time of the build the theme writes into some."""
    return {
        str(p.relative_to(root)): re.sub(r"Build Date UTC : [^\n]*", "", p.read_text(encoding="utf-8"))
        for p in sorted(root.rglob("*.html"))
    }


def _as_a_fresh_build(portfolio, config, served: dict[str, str], served_dir=None) -> None:
    """Serve ended (MkDocs keeps one plugin instance per process: a build before that is still a
    rebuild), a fresh build of the same files gives every page as served, and with ``served_dir``
    the same plans.json."""
    config.plugins.on_shutdown()
    fresh = portfolio.build().site_dir
    pages = _pages(fresh)
    assert served.keys() == pages.keys()
    assert [uri for uri in served if served[uri] != pages[uri]] == []
    if served_dir is not None:
        exported = json.loads((served_dir / "plans/plans.json").read_text())
        assert exported == json.loads((fresh / "plans/plans.json").read_text())


def test_a_rebuild_gives_every_page_as_a_fresh_build_does(portfolio):
    """What serve takes from the last build (rendered plans, dashboard views, notes, escaped lines)
    never leaves a page as it was when what it shows changed."""
    from mkdocs.commands.build import build

    portfolio.doc("constitution.md", "# Constitution\n\n### I. Tests First\n\nEvery plan has tests.\n")
    portfolio.doc("specs/001-f/notes.md", "# Notes\n\n[up](../../constitution.md) and <a href='javascript:x()'>x</a>\n")
    result, config, plugin = serve(portfolio)
    build(config)
    escaped = plugin.extension.escaped
    pages = len(escaped.now)
    assert pages >= 8  # plans, specs, tasks (the same Markdown is kept once), the dashboard...
    edit(portfolio, "specs/001-f/spec.md", "the second thing", "the other thing")
    edit(portfolio, "specs/003-f/tasks.md", "- [ ] T002 Write", "- [ ] T003 Document it (FR-001)\n- [x] T002 Write")
    build(config)  # 003's spec is the same Markdown, with one more task beside FR-001
    assert len(escaped.now) == pages + 1 and len(escaped.before) == pages  # the edited tasks are new
    served = _pages(result.site_dir)
    assert "the other thing" in served["specs/001-f/spec/index.html"]
    assert "T003" in served["specs/003-f/spec/index.html"]
    _as_a_fresh_build(portfolio, config, served)


def test_a_rebuild_schedules_again_only_the_plans_that_changed_while_none_waits_on_another(portfolio, monkeypatch):
    """Without dependencies across features each plan's schedule and forecast are its own: a rebuild
    schedules the edited plan alone. A dependency across features schedules every plan together
    again, and the pages are always those of a fresh build."""
    from mkdocs.commands.build import build

    from mkdocs_specplan.project import loading as site_module

    scheduled: list[list[str]] = []
    real = site_module.schedule_portfolio

    def counting(items, **kwargs):
        scheduled.append([item.key for item in items])
        return real(items, **kwargs)

    monkeypatch.setattr(site_module, "schedule_portfolio", counting)
    edit(portfolio, "specs/002-f/plan.yaml", 'dependencies: ["001: Phase 1"]', "dependencies: []")
    result, config, _plugin = serve(portfolio)
    build(config)
    assert sorted(scheduled[-1]) == ["specs/001-f/plan.yaml", "specs/002-f/plan.yaml", "specs/003-f/plan.yaml"]

    scheduled.clear()
    edit(portfolio, "specs/003-f/plan.yaml", "effort: 3 d", "effort: 2 w")
    build(config)
    assert scheduled == [["specs/003-f/plan.yaml"]]  # the others keep their schedules
    assert "2026-03-13" in result.html("specs/003-f/plan/index.html")  # two weeks from 2026-03-02

    scheduled.clear()
    edit(portfolio, "specs/002-f/plan.yaml", "dependencies: []", 'dependencies: ["001: Phase 1"]')
    build(config)  # now 002 waits on 001: every plan in one graph
    assert [sorted(keys) for keys in scheduled] == [["specs/001-f/plan.yaml", "specs/002-f/plan.yaml", "specs/003-f/plan.yaml"]]
    assert "2026-03-09" in result.html("specs/002-f/plan/index.html")  # after 001's first week

    scheduled.clear()
    edit(portfolio, "specs/002-f/plan.yaml", 'dependencies: ["001: Phase 1"]', "dependencies: []")
    build(config)  # apart again: each plan once more, as none kept its own schedule
    assert sorted(scheduled[-1]) == ["specs/001-f/plan.yaml", "specs/002-f/plan.yaml", "specs/003-f/plan.yaml"]
    served = _pages(result.site_dir)
    assert "2026-03-09" not in served["specs/002-f/plan/index.html"]
    monkeypatch.setattr(site_module, "schedule_portfolio", real)
    _as_a_fresh_build(portfolio, config, served, result.site_dir)


def test_a_rebuild_links_again_only_the_features_whose_documents_changed(portfolio, monkeypatch):
    """A feature read and linked from the same plan and documents as in the last build is the last
    build's, links and all; a plan that mentions an ID of another feature's spec (which changes that
    feature too) links every plan afresh, as does the build after it. The pages and the JSON are
    always those of a fresh build."""
    from mkdocs.commands.build import build

    from mkdocs_specplan.project import loading as site_module

    linked: list[str] = []
    real = site_module.link_feature

    def counting(page, feature, *args, **kwargs):
        linked.append(feature.folder)
        return real(page, feature, *args, **kwargs)

    monkeypatch.setattr(site_module, "link_feature", counting)
    result, config, _plugin = serve(portfolio)
    config["strict"] = False  # a mention no spec defines is a warning
    build(config)
    assert sorted(linked) == sorted(["specs/001-f", "specs/002-f", "specs/003-f"] * 2)  # the build, then serve's first

    linked.clear()
    edit(portfolio, "specs/003-f/plan.yaml", "goal: Covers FR-001", "goal: Covers FR-001 and FR-010")
    build(config)
    assert linked == ["specs/003-f"]
    assert "FR-010" in result.html("specs/003-f/plan/index.html")

    linked.clear()
    edit(portfolio, "specs/002-f/plan.yaml", "effort: 1 w", "effort: 2 w")
    build(config)
    assert linked == ["specs/002-f"]

    linked.clear()  # 001's spec now defines the FR-010 that 003's plan mentions: 003 links there
    edit(portfolio, "specs/001-f/spec.md", "- **FR-002**", "- **FR-010**: The system MUST log.\n- **FR-002**")
    build(config)
    assert sorted(linked) == ["specs/001-f", "specs/002-f", "specs/003-f"]  # 003 links into 001: all afresh
    assert "../../001-f/spec/#fr-010" in result.html("specs/003-f/plan/index.html")
    assert "003" in result.html("specs/001-f/spec/index.html").split('id="fr-010"')[1].split("</li>")[0]

    linked.clear()
    build(config)  # a plan still links into another feature: nothing is reused
    assert sorted(linked) == ["specs/001-f", "specs/002-f", "specs/003-f"]

    linked.clear()
    edit(portfolio, "specs/003-f/plan.yaml", "FR-001 and FR-010", "FR-001")
    build(config)
    assert sorted(linked) == ["specs/001-f", "specs/002-f", "specs/003-f"]
    linked.clear()
    edit(portfolio, "specs/003-f/tasks.md", "- [ ] T002", "- [x] T002")
    build(config)  # no mention across features any more: 003 alone
    assert linked == ["specs/003-f"]
    linked.clear()
    edit(
        portfolio, "specs/001-f/plan.yaml", "effort: 2 w}", "effort: 2 w}\nconstitution_check:\n  - {principle: I, status: pass}"
    )
    portfolio.doc("constitution.md", "# Constitution\n\n### I. Tests First\n")
    build(config)
    assert sorted(linked) == ["specs/001-f", "specs/002-f", "specs/003-f"]
    linked.clear()
    edit(portfolio, "constitution.md", "Tests First", "Tests Always")  # what every plan links to changed
    build(config)
    assert sorted(linked) == ["specs/001-f", "specs/002-f", "specs/003-f"]
    assert "Tests Always" in result.html("specs/001-f/plan/index.html")
    served = _pages(result.site_dir)
    assert "FR-010" not in served["specs/003-f/plan/index.html"]
    monkeypatch.setattr(site_module, "link_feature", real)
    _as_a_fresh_build(portfolio, config, served, result.site_dir)


def test_a_rebuild_annotates_again_only_the_pages_whose_text_or_annotations_changed(portfolio, monkeypatch):
    """Serve: a page with the last build's text and annotations gets the last build's edits again
    (no search for requirements, tasks and mentions); a page whose traces, mentions or text changed
    is annotated anew. Every page is as a fresh build gives it."""
    from mkdocs.commands.build import build

    from mkdocs_specplan.markdown import annotate

    annotated: list[str] = []
    real = annotate._Recording.__init__

    def recording(self, root, rewrite_link):
        annotated.append(" ".join(root.itertext())[:60])
        real(self, root, rewrite_link)

    monkeypatch.setattr(annotate._Recording, "__init__", recording)
    portfolio.doc("constitution.md", "# Constitution\n\n### I. Tests First\n\nEvery plan has tests.\n")
    portfolio.doc("specs/002-f/notes.md", "# Notes\n\nSee FR-001 and <a href='javascript:x()'>x</a>\n")
    result, config, plugin = serve(portfolio)
    build(config)
    pages = len(annotated)
    assert pages >= 8  # plans, specs, notes, the constitution, the dashboard (the three tasks pages are one text)
    first = _pages(result.site_dir)
    annotated.clear()
    build(config)
    assert annotated == []  # nothing changed: every page's edits are made again
    assert _pages(result.site_dir) == first
    # 003's plan now covers FR-002 as well: its plan page and the dashboard are new Markdown, and
    # its spec page (the same Markdown) gets a trace line under FR-002
    edit(portfolio, "specs/003-f/plan.yaml", "goal: Covers FR-001", "goal: Covers FR-001 and FR-002")
    build(config)
    assert 2 <= len(annotated) <= 4 and any("Feature 003" in text for text in annotated)
    served = _pages(result.site_dir)
    spec = served["specs/003-f/spec/index.html"]
    assert spec != first["specs/003-f/spec/index.html"] and spec.count('specplan-req-trace"') == 2
    assert served["specs/001-f/spec/index.html"] == first["specs/001-f/spec/index.html"]
    # another Markdown extension's options: every page is annotated anew
    annotated.clear()
    config.mdx_configs["toc"] = {"permalink": True}
    config.plugins.on_config(config)
    assert plugin.extension.replays.now == plugin.extension.replays.before == {}
    assert plugin.extension.escaped.now == plugin.extension.escaped.before == {}  # what each text's tree had
    build(config)
    assert len(annotated) == pages
    config.plugins.on_shutdown()
    fresh = portfolio.build()
    assert not fresh.failed, fresh.warnings
    rebuilt = _pages(fresh.site_dir)
    assert rebuilt.keys() == served.keys()
    assert [uri for uri in served if served[uri] != rebuilt[uri]] == []


def test_a_page_is_not_annotated_again_from_the_last_build_when_its_links_lead_elsewhere_now():
    """The link rewriter depends on the site's files, not on the page: its answers are asked again,
    and a different one annotates the page anew."""
    import markdown

    from mkdocs_specplan.markdown.annotate import PageAnnotations, SpecPlanExtension
    from mkdocs_specplan.support.incremental import LastBuild

    extension = SpecPlanExtension()
    extension.escaped, extension.replays = LastBuild(), LastBuild()
    md = markdown.Markdown(extensions=[extension])
    text = "# Notes\n\nSee [the guide](../guide.md) and [elsewhere](other.md).\n"

    def convert(target: str | None, rewriter: bool = True) -> str:
        rewrite = (lambda href: target if href == "../guide.md" else None) if rewriter else None
        extension.current = PageAnnotations(rewrite_link=rewrite)
        for kept in (extension.escaped, extension.replays):
            kept.turn()
        html = md.reset().convert(text)
        extension.current = None
        return html

    assert 'href="../../guide/"' in convert("../../guide/")
    assert len(extension.replays.now) == 1
    again = convert("../../guide/")  # the same answer: made again from the last build
    assert 'href="../../guide/"' in again and 'href="other.md"' in again
    moved = convert("../../manual/guide/")
    assert 'href="../../manual/guide/"' in moved and "../../guide/" not in moved
    assert 'href="../guide.md"' in convert(None)
    # a page of the same text with no rewriter at all (outside specs_dir), then one with a rewriter
    # again: the first is not given the answers, the second is asked
    assert 'href="../guide.md"' in convert("../../guide/", rewriter=False)
    assert 'href="../../guide/"' in convert("../../guide/")
    # each way round, for a text first annotated without a rewriter, and for one first annotated with
    text = "# Other notes\n\nSee [the guide](../guide.md).\n"
    assert 'href="../guide.md"' in convert("../../guide/", rewriter=False)
    assert 'href="../../guide/"' in convert("../../guide/")
    text = "# Third notes\n\nSee [the guide](../guide.md).\n"
    assert 'href="../../guide/"' in convert("../../guide/")
    assert 'href="../guide.md"' in convert("../../guide/", rewriter=False)


def test_a_spec_keeps_its_note_only_while_its_feature_templates_and_urls_are_the_same(portfolio):
    """The note under a spec's title is kept with its feature across rebuilds; other templates or
    other URLs (the same feature) make it again."""
    from mkdocs.commands.build import build

    result, config, plugin = serve(portfolio)
    build(config)
    spec = "specs/001-f/spec/index.html"
    assert 'Implementation plan: <a href="../plan/">' in result.html(spec)
    config["use_directory_urls"] = False
    build(config)
    assert 'Implementation plan: <a href="plan.html">' in result.html("specs/001-f/spec.html")
    overrides = portfolio.write("notes/feature-note.html.j2", '<div class="custom-note">{{ note.stage }}</div>\n')
    plugin.config["templates_dir"] = str(overrides.parent)
    config.plugins.on_config(config)
    build(config)
    assert '<div class="custom-note">in-progress</div>' in result.html("specs/001-f/spec.html")
    config.plugins.on_shutdown()


def test_a_rebuild_keeps_a_long_block_plain_again_and_walks_no_tree_whose_text_had_none(monkeypatch):
    """Serve: a page whose text had no block long enough to be kept plain is not walked again for
    one (the same text gives the same tree); a page whose text had one is, and the block stays plain
    text; other Markdown settings forget what was found."""
    import markdown

    from mkdocs_specplan.markdown.annotate import PageAnnotations, SpecPlanExtension
    from mkdocs_specplan.speckit import mdtree
    from mkdocs_specplan.support.incremental import LastBuild

    walked: list[int] = []
    real = mdtree.LongTextTreeprocessor.keep_plain

    def counting(root):
        walked.append(1)
        return real(root)

    monkeypatch.setattr(mdtree.LongTextTreeprocessor, "keep_plain", staticmethod(counting))
    extension = SpecPlanExtension()
    extension.escaped, extension.replays = LastBuild(), LastBuild()
    md = markdown.Markdown(extensions=[extension])

    def convert(text: str) -> str:
        extension.current = PageAnnotations(safe_links=True)
        html = md.reset().convert(text)
        extension.current = None
        return html

    short, long = "# Notes\n\nSome *short* text.\n", "# Notes\n\n" + "*_" * 12_000 + "\n"
    for kept in (extension.escaped, extension.replays):
        kept.turn()
    assert "<em>short</em>" in convert(short) and "*_*_" in convert(long)
    assert len(walked) == 2
    for kept in (extension.escaped, extension.replays):
        kept.turn()
    assert "<em>short</em>" in convert(short)
    assert len(walked) == 2  # the same text had no long block: not walked
    assert "*_*_" in convert(long) and "<em>" not in convert(long)
    assert len(walked) == 4  # the long one is kept plain each time
    extension.escaped.clear()
    extension.replays.clear()  # as another extension's options do
    assert "<em>short</em>" in convert(short)
    assert len(walked) == 5


def test_a_one_off_build_lets_go_of_its_plans_and_annotates_every_page_as_serve_does(portfolio):
    """`mkdocs build` works out each page's annotations once the files are final and lets go of the
    plans and features before MkDocs renders the pages; serve keeps them and works each out per page.
    The pages are the same."""
    from mkdocs.commands.build import build

    portfolio.doc("constitution.md", "# Constitution\n\n### I. Tests First\n\nEvery plan has tests.\n")
    portfolio.doc("specs/002-f/notes.md", "# Notes\n\nSee FR-001 and <a href='javascript:x()'>x</a>\n")
    result = portfolio.build()
    assert not result.failed, result.warnings
    plugin = result.config.plugins["specplan"]
    assert plugin.site.pages == [] and plugin.site.features == []  # let go once the pages were prepared
    assert plugin._prepared == {}  # every prepared page was rendered
    once = _pages(result.site_dir)
    spec = once["specs/001-f/spec/index.html"]
    assert (
        'id="fr-001"' in spec and "specplan-req-trace" in spec and 'href="javascript' not in once["specs/002-f/notes/index.html"]
    )
    config = result.config
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    assert plugin.site.pages != [] and plugin._prepared is None
    served = _pages(result.site_dir)
    config.plugins.on_shutdown()
    assert served.keys() == once.keys()
    assert [uri for uri in served if served[uri] != once[uri]] == []


def test_a_one_off_build_collects_garbage_once_its_plans_are_let_go(portfolio, monkeypatch):
    """Right after the plans are let go (and never in serve, which keeps them): the collector's next
    full collection is then paced by the smaller heap, as in a build without the plugin."""
    import gc

    calls = []
    collect = gc.collect

    def watched(*args):
        caller = sys._getframe(1)
        plugin, site = caller.f_locals.get("self"), caller.f_locals.get("site")
        calls.append((caller.f_code.co_name, getattr(site, "pages", "?"), len(getattr(plugin, "_prepared", None) or {})))
        return collect(*args)

    monkeypatch.setattr(gc, "collect", watched)
    result = portfolio.build()
    assert not result.failed, result.warnings
    ours = [c for c in calls if c[0] == "_prepare_pages"]
    assert len(ours) == 1
    assert ours[0][1] == [] and ours[0][2] > 0  # the plans are gone; no page is rendered yet
    calls.clear()
    config = result.config
    config.plugins.on_startup(command="serve", dirty=False)
    from mkdocs.commands.build import build

    build(config)
    config.plugins.on_shutdown()
    assert [c for c in calls if c[0] == "_prepare_pages"] == []


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_page_whose_annotations_fail_is_rendered_plain_and_named(portfolio, monkeypatch, command):
    """Working out one page's annotations fails (in on_nav for a one-off build, per page for serve):
    that page is rendered without them and named in a warning; every other page is annotated."""
    from mkdocs.commands.build import build

    import mkdocs_specplan.pipeline.pipeline as plugin_module

    real = plugin_module.traces_for  # as the pipeline imported it

    def failing(feature, uri):
        if uri.startswith("specs/002-f/"):
            raise RuntimeError("boom <b>")
        return real(feature, uri)

    monkeypatch.setattr(plugin_module, "traces_for", failing)
    result = portfolio.build(strict=False)
    assert not result.failed, result.warnings
    plugin = result.config.plugins["specplan"]
    if command == "serve":  # the same site again, as serve renders it
        config = result.config
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        config.plugins.on_shutdown()
    problems = [str(p) for p in plugin.site_problems]
    assert [p for p in problems if "internal error while preparing the page" in p] == [
        'specs/002-f/spec.md: internal error while preparing the page ("RuntimeError: boom <b>"); please report it'
    ]
    broken, fine = result.html("specs/002-f/spec/index.html"), result.html("specs/001-f/spec/index.html")
    assert "The system MUST do the first thing" in broken and 'id="fr-001"' not in broken
    assert 'id="fr-001"' in fine and "specplan-req-trace" in fine


def _fresh(site, target) -> tuple[dict[str, str], dict]:
    """The same files built by another process (no plugin instance, no memory shared with serve)."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site.root / "mkdocs.yml"), "-d", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return _pages(target), json.loads((target / "plans/plans.json").read_text())


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git")
def test_each_kind_of_input_changes_the_served_site_as_a_fresh_build_does(portfolio, tmp_path_factory):
    """While serving, each kind of input changes in turn: a plan, a spec, tasks, a checklist, the
    constitution, a template, an option, a plan another waits on, the build date, git's HEAD. After
    each, the served pages and JSON are those another process builds afresh from the same files,
    and the change shows (so the comparison is not of two stale sites)."""
    from mkdocs.commands.build import build

    portfolio.doc("constitution.md", "# Constitution\n\n### I. Tests First\n\nEvery plan has tests.\n")
    portfolio.doc("specs/001-f/checklists/requirements.md", "# Checklist\n\n- [ ] CHK001 Requirements are testable\n")
    overrides = portfolio.write("overrides/feature-note.html.j2", '<div class="custom-note">{{ note.stage }}</div>\n')
    (portfolio.root / ".gitignore").write_text("site/\n")
    git(portfolio.root, "init", "-q")
    git(portfolio.root, "add", "-A")
    git(portfolio.root, "commit", "-q", "-m", "plans", date="2026-03-02")
    result, config, plugin = serve(portfolio)
    options = portfolio.config["plugins"][0]["specplan"]

    def option(name: str, value: object) -> None:  # in mkdocs.yml (the fresh build) and in the served config
        options[name] = value
        portfolio.configure()
        plugin.config[name] = value

    steps = [
        (
            "plan",
            lambda: edit(portfolio, "specs/003-f/plan.yaml", "effort: 3 d", "effort: 4 d"),
            "specs/003-f/plan/index.html",
            "4 working days",
        ),
        (
            "spec",
            lambda: edit(portfolio, "specs/001-f/spec.md", "the second thing", "the reworded thing"),
            "specs/001-f/plan/index.html",
            "the reworded thing",
        ),
        (
            "tasks",
            lambda: edit(portfolio, "specs/002-f/tasks.md", "- [ ] T002", "- [x] T002"),
            "specs/002-f/plan/index.html",
            "2/2 done",
        ),
        (
            "checklist",
            lambda: edit(portfolio, "specs/001-f/checklists/requirements.md", "- [ ]", "- [x]"),
            "plans/plans.json",
            '"checklists":{"done":1',
        ),
        (
            "constitution",
            lambda: edit(portfolio, "constitution.md", "Tests First", "Tests Always First"),
            "constitution/index.html",
            "Tests Always First",
        ),
        ("template", lambda: option("templates_dir", str(overrides.parent)), "specs/001-f/spec/index.html", "custom-note"),
        (
            "upstream plan",
            lambda: edit(portfolio, "specs/001-f/plan.yaml", "Setup, effort: 1 w", "Setup, effort: 2 w"),
            "specs/002-f/plan/index.html",
            "2026-03-13",
        ),
        ("build date", lambda: option("build_date", "2026-03-11"), "plans/index.html", "2026-03-11"),
        (
            "git HEAD",
            lambda: git(portfolio.root, "commit", "-q", "-am", "edits", date="2026-03-10"),
            "specs/001-f/plan/index.html",
            "2026-03-10",
        ),
        ("option", lambda: option("timeline", False), "specs/001-f/plan/index.html", None),
    ]
    for n, (name, change, page, shows) in enumerate(steps):
        change()
        build(config)
        served = _pages(result.site_dir)
        exported = json.loads((result.site_dir / "plans/plans.json").read_text())
        pages, data = _fresh(portfolio, tmp_path_factory.mktemp(f"fresh-{n}"))
        assert served.keys() == pages.keys(), name
        assert [uri for uri in served if served[uri] != pages[uri]] == [], name
        assert exported == data, name
        text = (result.site_dir / page).read_text()
        if shows is not None:
            assert shows in (text if page.endswith(".html") else json.dumps(exported, separators=(",", ":"))), name
        else:
            assert "specplan-gantt" not in text, name  # timeline: false took effect
    config.plugins.on_shutdown()
