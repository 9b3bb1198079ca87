"""Bad and hostile input: no traceback, no live markup, no file from outside, no stall.

Each case is built in a site of its own beside a valid neighbour plan; the neighbour's page and
the dashboard must come out intact, and the strict build must fail or pass as it should.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from .conftest import Site

NEIGHBOUR = 'feature_name: Good neighbour\nfeature_id: "001"\ncreated_date: 2026-03-02\nstatus: draft\n'
HEAD = 'feature_name: Hostile\nfeature_id: "666"\ncreated_date: 2026-03-02\nstatus: draft\n'
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "svg": "</textarea><svg onload=alert(1)>",
    "js-link": "[click](javascript:alert(1))",
    "jinja": "{{ config.site_name }} {% raw %}",
    "attr": "' onmouseover='alert(1)",
    "title": "</title><script>alert(1)</script>",  # themes write a page's title into <title> unescaped
}
PLAIN_FIELDS = [
    "feature_name",
    "feature_id",
    "approved_by",
    "document_status",
    "risk.id",
    "risk.title",
    "risk.owner",
    "decision.id",
    "decision.title",
    "option.name",
    "phase.name",
    "dependency.name",
    "dependency.status",
    "component.name",
]


def _yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML string


def hostile_plan(field_name: str, payload: str) -> str:
    """A plan with ``payload`` in one field (the others valid)."""
    v = _yaml(payload)
    head = HEAD
    top = {"feature_name", "feature_id", "approved_by", "document_status"}
    if field_name in top:
        lines = [line for line in head.splitlines() if not line.startswith(field_name + ":")]
        return "\n".join([*lines, f"{field_name}: {v}"]) + "\n"
    kind = field_name.split(".")[0]
    items = {
        "risk": "risks:\n  - id: R1\n    title: T\n    probability: high\n    impact: high\n    mitigation: M\n    owner: O\n",
        "decision": "technical_decisions:\n  - id: D1\n    title: T\n    options: [{name: A}, {name: B}]\n    chosen: A\n    rationale: R\n",
        "option": "technical_decisions:\n  - id: D1\n    title: T\n    options: [{name: A}, {name: B}]\n    chosen: A\n    rationale: R\n",
        "phase": "phases:\n  - name: P\n    effort: 2 d\n",
        "dependency": "external_dependencies:\n  - name: N\n    status: pending\n",
        "component": "components:\n  - name: C\n    purpose: P\n",
    }[kind]
    replaced = {
        "risk.id": ("id: R1", f"id: {v}"),
        "risk.title": ("title: T\n    probability", f"title: {v}\n    probability"),
        "risk.owner": ("owner: O", f"owner: {v}"),
        "decision.id": ("id: D1", f"id: {v}"),
        "decision.title": ("title: T", f"title: {v}"),
        "option.name": (
            "options: [{name: A}, {name: B}]\n    chosen: A",
            f"options: [{{name: {v}}}, {{name: B}}]\n    chosen: {v}",
        ),
        "phase.name": ("name: P", f"name: {v}"),
        "dependency.name": ("name: N", f"name: {v}"),
        "dependency.status": ("status: pending", f"status: {v}"),
        "component.name": ("name: C", f"name: {v}"),
    }[field_name]
    return head + items.replace(*replaced)


MARKDOWN_FIELDS = [
    "plan_summary",
    "risk_mitigation",
    "deliverable",
]


def hostile_markdown(field_name: str, payload: str) -> str:
    v = _yaml(payload)
    return (
        HEAD
        + {
            "plan_summary": f"plan_summary: {v}\n",
            "risk_mitigation": f"risks:\n  - id: R1\n    title: T\n    probability: low\n    impact: low\n    mitigation: {v}\n",
            "deliverable": f"phases:\n  - name: P\n    effort: 1 d\n    deliverables: [{v}]\n",
        }[field_name]
    )


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    strict_fails: bool  # a strict build fails on it (a warning), or passes (notes only)
    shown: str | None = None  # text that must be visible as written on the hostile plan's page
    plugin: dict = field(default_factory=dict)
    page: str | None = "specs/666-hostile/plan/index.html"


def _cases() -> list[Case]:
    cases: list[Case] = []
    for fname in PLAIN_FIELDS:
        for pname in ("script", "img", "svg", "js-link", "jinja", "attr", "title"):
            if fname in ("feature_id",) and pname not in ("script", "img"):
                continue
            strict = fname in ("dependency.status",) and False
            cases.append(
                Case(
                    f"{fname}-{pname}",
                    {"specs/666-hostile/plan.yaml": hostile_plan(fname, PAYLOADS[pname])},
                    strict,
                    PAYLOADS[pname],
                )
            )
    for fname in MARKDOWN_FIELDS:
        for pname in ("script", "img", "svg", "js-link"):
            cases.append(
                Case(
                    f"markdown-{fname}-{pname}",
                    {"specs/666-hostile/plan.yaml": hostile_markdown(fname, PAYLOADS[pname])},
                    False,
                    None,
                )
            )
    two_lines = HEAD.replace("feature_name: Hostile", 'feature_name: "R&D <internal> plan\\nOption<String> Vec<u8>"')
    cases.append(
        Case("ordinary-text", {"specs/666-hostile/plan.yaml": two_lines}, False, "R&D <internal> plan Option<String> Vec<u8>")
    )
    absurd = {
        "far-start": "start_date: 9999-12-30\nphases:\n  - {name: A, effort: 3 d}\n",
        "huge-effort": "phases:\n  - {name: A, effort: 9999999 sprints}\n",
        "long-number": "phases:\n  - {name: A, effort: " + "9" * 5000 + " d}\n",
        "long-phase-number": "phases:\n  - {name: A, number: " + "9" * 5000 + "}\n",
        "summing-past-the-calendar": "phases:\n" + "".join(f"  - {{name: P{i}, effort: 90000 d}}\n" for i in range(40)),
        "phase-start-at-the-end": "phases:\n  - {name: A, start: 9999-12-31, effort: 5 d}\n",
        "ends-in-the-last-year": "start_date: 9999-06-01\nphases:\n  - {name: A, effort: 1 d}\n",
        "date-out-of-range": "last_updated: 0000-01-01\n",
        "aliases": "a_: &x [" + ", ".join(["t"] * 50) + "]\nprerequisites: *x\ndocumentation_items: *x\n",
        "deep-nesting": "phases: " + "[" * 3000 + "]" * 3000 + "\n",
        "tabs": "plan_summary:\t|\n\tx\n",
        "finished-before-started": "phases:\n  - {name: A, effort: 1 d, status: done, started: 2026-03-09, finished: 2026-03-02}\n",
        "finished-without-started": "phases:\n  - {name: A, effort: 1 d, status: done, finished: 2026-03-02}\n",
        "cross-dependency-script": 'phases:\n  - {name: A, effort: 1 d, dependencies: ["002: <script>alert(1)</script>"]}\n',
        "cross-dependency-on-itself": 'phases:\n  - {name: A, effort: 1 d, dependencies: ["666: 1"]}\n',
        "cross-dependency-mapping-of-lists": "phases:\n  - {name: A, effort: 1 d, dependencies: [{002: [1, 2]}]}\n",
    }
    for name, extra in absurd.items():
        cases.append(Case(name, {"specs/666-hostile/plan.yaml": HEAD + extra}, True))
    for name, extra in {
        "started-at-the-end": "phases:\n  - {name: A, effort: 5 d, status: in-progress, started: 9999-12-31}\n",
        "finished-at-the-start": "phases:\n  - {name: A, effort: 5 d, status: done, started: 0001-01-01, finished: 0001-01-01}\n",
        "baseline-option-like": "baseline: --upload-pack=touch pwned\nphases:\n  - {name: A, effort: 1 d}\n",
        "baseline-script": 'baseline: "<script>alert(1)</script>"\nphases:\n  - {name: A, effort: 1 d}\n',
    }.items():
        cases.append(Case(name, {"specs/666-hostile/plan.yaml": HEAD + extra}, False))
    cases.append(Case("binary-plan", {"specs/666-hostile/plan.yaml": bytes(range(256)) * 4}, True, "is not UTF-8 text"))
    cases.append(Case("empty-plan", {"specs/666-hostile/plan.yaml": ""}, True))
    cases.append(
        Case(
            "oversize-plan",
            {"specs/666-hostile/plan.yaml": HEAD + "plan_summary: |\n" + ("  x" * 40 + "\n") * 12_000},
            True,
            "more than max_file_size",
        )
    )
    long_line = "x" * 50_000
    for name, text in {
        "spaces": " " * 100_000 + "x",
        "less-than": "<" * 100_000,
        "brackets": "[" * 100_000,
        "hashes": "#" * 100_000 + " x",
        "backticks": "`" * 100_000,
        "unclosed-tags": "<a " * 30_000,
    }.items():
        files = {
            "specs/666-hostile/plan.yaml": HEAD + f"plan_summary: {_yaml(text[:60_000])}\n",
            "specs/666-hostile/spec.md": f"# Feature Specification: H\n\n- **FR-001**: {text}\n",
            "specs/666-hostile/tasks.md": f"## Phase 1: {text}\n\n- [ ] T001 {text}\n",
        }
        cases.append(Case(f"long-line-{name}", files, False, None))
    cases.append(
        Case(
            "spec-oversize",
            {"specs/666-hostile/plan.yaml": HEAD, "specs/666-hostile/spec.md": "# S\n\n" + (long_line + "\n") * 100},
            True,
            None,
            {"max_document_size": 1_000_000},
        )
    )
    cases.append(
        Case(
            "spec-script-heading",
            {
                "specs/666-hostile/plan.yaml": HEAD,
                "specs/666-hostile/spec.md": "# Feature Specification: <script>alert(1)</script>\n\n### User Story 1 - <img src=x onerror=alert(1)>\n\n- **FR-001**: <b onclick=alert(1)>x</b>\n",
            },
            False,
            None,
        )
    )
    cases.append(
        Case(
            "tasks-html-heading",
            {
                "specs/666-hostile/plan.yaml": HEAD + "phases:\n  - {name: A, effort: 1 d}\n",
                "specs/666-hostile/tasks.md": "## Phase 1: <img src=x onerror=alert(1)>\n\n- [ ] T001 <script>alert(1)</script>\n",
            },
            False,
            None,
        )
    )
    # numbers no int() could be made of (past Python's 4,300 digits), and digits that are no number
    huge = "9" * 5000
    cases.append(
        Case(
            "huge-numbers",
            {
                "specs/666-hostile/plan.yaml": HEAD.replace('"666"', f'"{huge}"')
                + f'risks:\n  - {{id: "{huge}", title: A, probability: high, impact: high, status: open}}\n'
                + '  - {id: "8888", title: B, probability: high, impact: high, status: open}\n'
                + f'phases:\n  - {{name: A, effort: 1 d, goal: "US{huge} and FR-{huge}"}}\n'
                + f'  - {{name: B, effort: 1 d, dependencies: ["Phase {huge}"]}}\n',
                "specs/666-hostile/spec.md": f"# Feature Specification: Huge\n\n### User Story {huge} - Big\n\nUS{huge}\n",
                "specs/666-hostile/tasks.md": f"# Tasks\n\n## Phase {huge}: Setup\n\n- [ ] T{huge} Do it (US{huge})\n",
            },
            True,
            "names no phase of this plan",
        )
    )
    cases.append(
        Case(
            "superscript-id", {"specs/666-hostile/plan.yaml": HEAD.replace('"666"', '"²"')}, False, "Implementation Plan: Hostile"
        )
    )
    for folder in ("004 x#y?z", "005 100% ünï", "006 a&b <c>"):
        cases.append(
            Case(
                f"folder-{folder}",
                {
                    f"specs/{folder}/plan.yaml": HEAD.replace('"666"', '"' + folder[:3] + '"'),
                    f"specs/{folder}/spec.md": "# Feature Specification: Odd\n",
                },
                False,
                None,
                page=None,
            )
        )
    return cases


CASES = _cases()


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "alert" in value:
                self.bad.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and value.strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert(1)" in data:
            self.bad.append("<script> with alert(1)")
        self.text.append(data)


def check_html(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(tmp_path, case):
    site = Site(tmp_path)
    site.plan("specs/001-good", NEIGHBOUR)
    files = dict(case.files)
    files.setdefault("specs/666-hostile/spec.md", "# Feature Specification: Hostile\n")
    for path, content in files.items():
        target = site.docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    started = time.process_time()
    result = site.build(
        strict=False, theme={"name": "mkdocs"}, plugins=[{"specplan": {"build_date": "2026-11-26", **case.plugin}}]
    )
    assert time.process_time() - started < 60
    assert not result.failed, "".join(traceback.format_exception(result.error)) if result.error else ""
    assert not any(r.exc_info for r in result.records), "a traceback was logged"
    # the neighbour and the dashboard are intact
    assert "Implementation Plan: Good neighbour" in result.html("specs/001-good/plan/index.html")
    dashboard = result.html("plans/index.html")
    assert ">001 Good neighbour</a>" in dashboard
    strict_warnings = [w for w in result.warnings if w.startswith("specplan:")]
    assert bool(strict_warnings) == case.strict_fails, strict_warnings
    pages = [dashboard] + ([result.html(case.page)] if case.page else [])
    for html in pages:
        parsed = check_html(html)
        assert parsed.bad == [], parsed.bad
    if case.shown:
        text = " ".join(" ".join(check_html(result.html(case.page)).text).split())
        assert " ".join(case.shown.split()) in text
    json.loads(result.html("plans/plans.json"))  # the export is still valid JSON


# The cases without options of their own; but the long runs of spaces, brackets or unclosed tags
# in a spec or tasks file of docs_dir: Zensical's own link collector reads each page's source and
# takes minutes on them (quadratic time, before any extension runs; see the README).
ZENSICAL_CASES = [c for c in CASES if not c.plugin and c.page and not c.name.startswith("long-line-")]


def test_the_corpus_under_zensical(tmp_path):
    """Every case of the corpus in one site, built with ``specplan build && zensical build``: no
    traceback, the neighbour and the dashboard intact, each hostile page as inert and readable as
    under MkDocs, and a problem reported for each case that fails a strict MkDocs build."""
    site = Site(tmp_path)
    site.plan("specs/001-good", NEIGHBOUR)
    folders = {}
    for n, case in enumerate(ZENSICAL_CASES, start=100):
        folder = f"specs/{n}-case"
        files = dict(case.files)
        files.setdefault("specs/666-hostile/spec.md", "# Feature Specification: Hostile\n")
        for path, content in files.items():
            target = site.docs / path.replace("specs/666-hostile", folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content.replace('"666"', f'"{n}"').replace('"666:', f'"{n}:'), encoding="utf-8")
        folders[case.name] = folder
    result = site.zensical(theme={"name": "material"}, plugins=[{"specplan": {"build_date": "2026-11-26"}}])
    assert "Traceback" not in result.specplan.stderr, result.specplan.stderr[-3000:]
    assert result.zensical.returncode == 0, result.zensical.stdout[-3000:] + result.zensical.stderr[-3000:]
    assert "Implementation Plan: Good neighbour" in result.html("specs/001-good/plan/index.html")
    dashboard = result.html("plans/index.html")
    assert ">001 Good neighbour</a>" in dashboard and check_html(dashboard).bad == []
    json.loads(result.html("plans/plans.json"))
    for case in ZENSICAL_CASES:
        folder = folders[case.name]
        page = result.html(f"{folder}/plan/index.html")
        assert check_html(page).bad == [], (case.name, check_html(page).bad)
        if case.shown:
            text = " ".join(" ".join(check_html(page).text).split())
            assert " ".join(case.shown.split()) in text, case.name
        warned = any(p["path"].startswith(f"docs/{folder}/") for p in result.warnings)
        assert warned == case.strict_fails, case.name


def test_a_binary_plan_has_its_page_in_serve_too(tmp_path):
    """The page exists (with the problem) rather than a 404."""
    site = Site(tmp_path)
    site.doc("specs/666-hostile/plan.yaml", "")
    (site.docs / "specs/666-hostile/plan.yaml").write_bytes(b"\xff\xfe\x00binary")
    result = site.build(strict=False, theme={"name": "mkdocs"})
    html = result.html("specs/666-hostile/plan/index.html")
    assert "is not UTF-8 text" in html


@pytest.mark.parametrize(
    "specs_dir,message",
    [
        ("..", "contains docs_dir"),
        (".", "contains docs_dir"),
        ("docs/specs", "lies inside docs_dir"),
    ],
)
def test_specs_dir_that_would_publish_too_much_is_refused(tmp_path, specs_dir, message):
    site = Site(tmp_path)
    (tmp_path / "docs" / "specs").mkdir(parents=True)
    result = site.build(plugins=[{"specplan": {"specs_dir": specs_dir}}])
    assert result.failed and message in str(result.error) + " ".join(result.warnings) + " ".join(
        r.getMessage() for r in result.records
    )


def test_paths_outside_are_never_published(tmp_path):
    site = Site(tmp_path)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    feature = tmp_path / "specs" / "001-x"
    feature.mkdir(parents=True)
    (feature / "spec.md").write_text("# Feature Specification: X\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", feature / "leak.txt")
    os.symlink(tmp_path / "missing.txt", feature / "broken.md")
    result = site.build(strict=False, plugins=[{"specplan": {"specs_dir": "specs"}}])
    assert not result.failed
    assert not (result.site_dir / "specs/001-x/leak.txt").exists()
    assert "specplan: ../specs/001-x/leak.txt: links to a file outside specs_dir; it is not published" in result.warnings
    assert "specplan: ../specs/001-x/broken.md: is a broken symbolic link; it is not published" in result.warnings
    assert not any(
        "secret" in p.read_text(errors="ignore")
        for p in result.site_dir.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json", ".txt")
    )


def test_constitution_must_be_markdown(tmp_path):
    site = Site(tmp_path)
    (tmp_path / "rules.yaml").write_text("a: b\n", encoding="utf-8")
    result = site.build(plugins=[{"specplan": {"constitution": "rules.yaml"}}])
    assert result.failed
    assert result.errors == ["specplan: constitution 'rules.yaml' must be a Markdown file (.md)"]  # as written in mkdocs.yml


def test_specs_url_stays_inside_the_site(tmp_path):
    site = Site(tmp_path)
    (tmp_path / "specs").mkdir()
    result = site.build(plugins=[{"specplan": {"specs_dir": "specs", "specs_url": "../outside"}}])
    assert result.failed
    assert result.errors == ["specplan: specs_url '../outside' must be a path inside the site, such as specs"]


def test_messages_quote_at_most_eighty_characters():
    from mkdocs_specplan.core.loader import load_plan

    result = load_plan(HEAD.replace("status: draft", "status: " + "x" * 1_000_000), "p.yaml")
    messages = [p.message for p in result.problems]
    assert messages and all(len(m) < 400 for m in messages), [len(m) for m in messages]
    assert any('"xxxxxxxx' in m and "…" in m for m in messages)


def test_jinja_in_a_plan_is_text(tmp_path):
    site = Site(tmp_path)
    site.plan("specs/666-hostile", HEAD + 'plan_summary: "{{ config.site_name }} and {% if true %}x{% endif %}"\n')
    html = site.build(theme={"name": "mkdocs"}).html("specs/666-hostile/plan/index.html")
    assert "{{ config.site_name }} and {% if true %}x{% endif %}" in " ".join(check_html(html).text)


def test_strict_fails_and_lenient_builds_on_an_absurd_date(tmp_path):
    site = Site(tmp_path)
    site.plan("specs/666-hostile", HEAD + "start_date: 9999-12-30\nphases:\n  - {name: A, effort: 3 d}\n")
    assert site.build(strict=True).failed
    lenient = site.build(strict=False)
    assert not lenient.failed
    assert "the schedule runs past 9999-12-31" in lenient.html("specs/666-hostile/plan/index.html")


def test_the_plugin_pages_keep_a_table_column_alignment_and_no_other_style():
    """On the plugin's own pages every style attribute is removed but the one the tables extension
    writes: a right-aligned column of days stays right-aligned."""
    import xml.etree.ElementTree as etree

    from mkdocs_specplan.markdown.annotate import _neutralise

    root = etree.fromstring(
        '<div><td style="text-align: right;">5</td><td style="text-align: center;">x</td>'
        '<td style="text-align: right; background: url(x)">y</td><p style="color: red">z</p>'
        '<td style="TEXT-ALIGN: right;">w</td></div>'
    )
    _neutralise(root, None)
    assert [el.get("style") for el in root] == ["text-align: right;", "text-align: center;", None, None, None]


def test_a_plan_page_schedule_table_right_aligns_its_days(site):
    site.plan(
        "specs/001-x",
        'feature_name: X\nfeature_id: "001"\nstatus: approved\ncreated_date: 2026-03-02\nphases:\n  - {name: A, effort: 1 w}\n',
    )
    result = site.build()
    assert not result.failed, result.warnings
    html = result.html("specs/001-x/plan/index.html")
    assert '<th style="text-align: right;">Days</th>' in html
