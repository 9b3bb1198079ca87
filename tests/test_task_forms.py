"""Tasks as a person counts them, in the forms real spec-kit repositories write them: a task is a
checkbox list item whose text starts with a task ID. Each fixture here is written for this test in
the style of a pattern met in public repositories."""

from __future__ import annotations

import json
import re

from mkdocs_specplan.speckit.documents import read_tasks

from .conftest import MINIMAL_PLAN
from .test_speckit import _render

SUFFIXED = """\
# Tasks: Bus driver

## Phase 2: Core

- [x] T020 Open the device
- [x] T020a Retry when the device is busy
- [ ] T020B Close on drop
- [x] **T021** Read frames
- [ ] `T022` Write frames
- [x] **`T023`** Filter frames
"""

DOTTED = """\
# Tasks

## Phase 1: Window

- [x] T1.1 Create the window
- [x] T1.1.1 Size it
- [ ] T1.2 Close it
- [x] T-3 Hyphenated IDs count too
"""

REUSED = """\
# Tasks

## Phase 1: Setup

- [x] T001 Create the project
- [ ] T002 Add the linter

## Phase 2: Polish

- [x] T002 Add the formatter (the ID was used above as well)
- [ ] T003 Document it
"""

HEADINGS = """\
# Tasks

## Phase 1

### T001: Write the failing test

- **Status**: [x] done

### T002: Make it pass

- **Status**: [ ] open
"""

UNNUMBERED = """\
# Tasks

- [x] 1. Add the setting
- [x] 2. Show it in the panel
- [ ] 3. Save it
"""

ACCEPTANCE = """\
# Tasks

## Phase 1

- [x] T001 Build the detector

**Done when**:

- T-201 passes
- T-202 passes
"""


def test_ids_with_a_letter_suffix_in_bold_or_in_code_are_tasks():
    progress = read_tasks(SUFFIXED)
    assert [t.id for t in progress.tasks] == ["T020", "T020a", "T020B", "T021", "T022", "T023"]
    assert (progress.done, progress.total) == (4, 6)
    assert progress.uncounted is None and progress.reused == ()


def test_dotted_and_hyphenated_ids_are_each_a_task():
    progress = read_tasks(DOTTED)
    assert [t.id for t in progress.tasks] == ["T1.1", "T1.1.1", "T1.2", "T-3"]
    assert (progress.done, progress.total) == (3, 4)


def test_an_id_used_twice_is_two_tasks_and_is_named():
    progress = read_tasks(REUSED)
    assert (progress.done, progress.total) == (2, 4)  # each with its own checkbox
    assert [(g.title, g.done, g.total) for g in progress.groups] == [("Phase 1: Setup", 1, 2), ("Phase 2: Polish", 1, 2)]
    assert progress.reused == ("T002",)
    assert progress.task_ids() == ["T001", "T002", "T003"]


def test_a_single_id_is_not_reused():
    """Negative control: nothing is named when every ID is used once."""
    assert read_tasks(SUFFIXED).reused == ()


def test_heading_tasks_are_not_counted_and_say_why():
    progress = read_tasks(HEADINGS)
    assert progress.total == 0
    assert progress.uncounted == "its 2 tasks are headings (### T001: ...), not checkbox items (- [ ] T001 ...)"


def test_checkboxes_without_ids_are_not_tasks_and_say_why():
    progress = read_tasks(UNNUMBERED)
    assert progress.total == 0
    assert progress.uncounted == "its 3 checkbox items carry no task ID (- [ ] T001 ...)"


def test_a_file_of_counted_tasks_has_no_reason_and_names_of_tests_are_not_tasks():
    progress = read_tasks(ACCEPTANCE)
    assert [t.id for t in progress.tasks] == ["T001"] and progress.uncounted is None


def test_anchors_for_every_form_and_the_first_of_a_reused_id():
    from mkdocs_specplan.markdown.annotate import PageAnnotations

    html = _render(SUFFIXED + DOTTED.split("\n", 3)[3] + "- [ ] T020 again\n", PageAnnotations(tasks=True))
    for anchor in ("t020", "t020a", "t020b", "t021", "t022", "t023", "t1.1", "t1.1.1", "t1.2", "t-3"):
        assert re.search(f'<li [^>]*id="{re.escape(anchor)}">', html), anchor
    assert html.count('id="t020"') == 1


def test_the_site_says_where_tasks_are_not_counted_or_reused(site):
    site.plan("specs/001-a", MINIMAL_PLAN.replace('"042"', '"001"'), spec="# Feature Specification: A\n")
    site.doc("specs/001-a/tasks.md", HEADINGS)
    site.doc("specs/002-b/spec.md", "# Feature Specification: B\n")
    site.doc("specs/002-b/tasks.md", REUSED)
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-04"}}]}
    result = site.build()
    assert not result.failed, result.warnings
    plan = result.html("specs/001-a/plan/index.html")
    assert "not counted, its 2 tasks are headings" in plan
    note = result.html("specs/001-a/spec/index.html")
    assert "tasks not counted</a>: its 2 tasks are headings" in note
    quality = result.html("plans/index.html").split('id="data-quality"', 1)[1]
    assert "Tasks files whose tasks are not counted" in quality and "Task IDs used by more than one task" in quality
    assert "T002: each task counted" in quality
    exported = json.loads((result.site_dir / "plans/plans.json").read_text())
    assert exported["plans"][0]["tasks"]["not_counted"].startswith("its 2 tasks are headings")
