"""Specs as real repositories write them, in any language: requirement IDs, titles, metadata and
user stories. Each fixture is written for this test in the style of a pattern met in public
spec-kit repositories."""

from __future__ import annotations

import json
import re

import pytest

from mkdocs_specplan.speckit.documents import read_spec

MIXED_IDS = """\
# Feature Specification: Timers

## Requirements

- **FR-T01**: The timer MUST start on demand.
- **FR-T02**: The timer MUST stop on demand.
- **NFR-A2**: Starting MUST take under 10 ms.
- **FR-001a**: The old form still reads.
- **FR-SEC**: not an ID (no number), so not a requirement.
"""


def test_id_parts_may_mix_capitals_and_digits():
    spec = read_spec(MIXED_IDS)
    assert [r.id for r in spec.requirements] == ["FR-T01", "FR-T02", "NFR-A2", "FR-001a"]


# One spec per language, written for this test: (language, title line, metadata lines, story heading),
# and what each must read as.
LANGUAGES = [
    (
        "en",
        "# Feature Specification: Photo albums",
        "**Status**: Draft\n**Created**: 2026-01-05\n**Feature Branch**: `001-albums`",
        "### User Story 1 - Upload (Priority: P1)",
    ),
    (
        "es",
        "# Especificación de la funcionalidad: Álbumes",
        "**Estado**: Borrador\n**Fecha de creación**: 2026-01-05\n**Rama**: `001-albums`",
        "### Historia de usuario 1 - Subir (Prioridad: P1)",
    ),
    (
        "pt",
        "# Especificação da funcionalidade: Álbuns",
        "**Status**: Rascunho\n**Criado**: 2026-01-05\n**Branch da funcionalidade**: `001-albums`",
        "### História de usuário 1 - Enviar (Prioridade: P1)",
    ),
    (
        "fr",
        "# Spécification de la fonctionnalité : Albums",
        "**Statut** : Brouillon\n**Créé** : 2026-01-05\n**Branche** : `001-albums`",
        "### Récit utilisateur 1 - Téléverser (Priorité : P1)",
    ),
    (
        "de",
        "# Feature-Spezifikation: Fotoalben",
        "**Status**: Entwurf\n**Erstellt**: 2026-01-05\n**Feature-Branch**: `001-albums`",
        "### User Story 1 - Hochladen (Priorität: P1)",
    ),
    (
        "it",
        "# Specifica della funzionalità: Album",
        "**Stato**: Bozza\n**Creato**: 2026-01-05\n**Ramo**: `001-albums`",
        "### Storia utente 1 - Caricare (Priorità: P1)",
    ),
    (
        "ja",
        "# 機能仕様: 写真アルバム",
        "**ステータス**: ドラフト\n**作成日**: 2026-01-05\n**フィーチャーブランチ**: `001-albums`",
        "### ユーザーストーリー 1 - アップロード (優先度: P1)",
    ),
    (
        "zh",
        "# 功能规范：相册",
        "**状态**：草稿\n**创建时间**：2026-01-05\n**功能分支**：`001-albums`",
        "### 用户故事 1 - 上传（优先级：P1）",
    ),
    (
        "ko",
        "# 기능 명세서: 사진 앨범",
        "**상태**: 초안\n**작성일**: 2026-01-05\n**기능 브랜치**: `001-albums`",
        "### 사용자 스토리 1 - 업로드 (우선순위: P1)",
    ),
    (
        "ru",
        "# Спецификация функции: Фотоальбомы",
        "**Статус**: Черновик\n**Создано**: 2026-01-05\n**Ветка**: `001-albums`",
        "### Пользовательская история 1 - Загрузка (Приоритет: P1)",
    ),
]
NAMES = {
    "en": ("Photo albums", "Draft"),
    "es": ("Álbumes", "Borrador"),
    "pt": ("Álbuns", "Rascunho"),
    "fr": ("Albums", "Brouillon"),
    "de": ("Fotoalben", "Entwurf"),
    "it": ("Album", "Bozza"),
    "ja": ("写真アルバム", "ドラフト"),
    "zh": ("相册", "草稿"),
    "ko": ("사진 앨범", "초안"),
    "ru": ("Фотоальбомы", "Черновик"),
}


@pytest.mark.parametrize("language,title,meta,story", LANGUAGES, ids=[row[0] for row in LANGUAGES])
def test_the_template_reads_in_every_language(language, title, meta, story):
    spec = read_spec(f"{title}\n\n{meta}\n\n## Requirements\n\n{story}\n\n- **FR-001**: MUST.\n")
    name, status = NAMES[language]
    assert (spec.title, spec.status, spec.created, spec.branch) == (name, status, "2026-01-05", "001-albums")
    stories = [r for r in spec.requirements if r.kind == "story"]
    assert [(r.id, r.priority) for r in stories] == [("US1", "P1")]


def test_only_a_recognised_prefix_is_removed_and_code_spans_stay():
    assert read_spec("# Feature Specification: Health roll-up (`/health`)\n").title == "Health roll-up (/health)"
    assert read_spec("# Spec 077: Capital ladder\n").title == "Capital ladder"
    assert read_spec("# 스펙 080 — 자본 사다리\n").title == "자본 사다리"
    assert read_spec("# F9 – Teleport\n").title == "F9 – Teleport"  # F9 is not a template word
    assert read_spec("# Release notes: 2026\n").title == "Release notes: 2026"
    assert read_spec("# Specification:\n").title == "Specification:"  # nothing after the prefix: kept


def test_a_site_adds_words_of_its_own(site):
    spec = "# Lastenheft: Zähler\n\n**Zustand**: Entwurf\n\n### Anwenderfall 1 - Zählen\n"
    site.doc("specs/001-zaehler/spec.md", spec)
    site.config = {
        "plugins": [
            {
                "specplan": {
                    "build_date": "2026-03-04",
                    "vocabulary": {"spec_title": ["Lastenheft"], "status": ["Zustand"], "story": ["Anwenderfall"]},
                }
            }
        ]
    }
    result = site.build()
    assert not result.failed, result.warnings
    page = result.html("specs/001-zaehler/spec/index.html")
    assert 'id="us1"' in page  # the story is one: it is anchored
    feature = json.loads((result.site_dir / "plans/plans.json").read_text())["features"][0]
    assert feature["name"] == "Zähler"


def test_an_unknown_term_is_refused(site):
    site.doc("index.md", "# Home\n")
    result = site.build(plugins=[{"specplan": {"vocabulary": {"statuz": ["Zustand"]}}}])
    assert result.failed and "vocabulary: 'statuz' is not a term" in " ".join(result.errors)


def test_pages_read_right_with_no_markdown_extension_of_the_sites_own(site):
    """Only ``plugins: [search, specplan]``: the grouped dashboard prints no attribute-list syntax,
    and the checkboxes of a tasks page are boxes, checked where the task is done."""
    for i in range(1, 4):
        site.plan(
            f"specs/{i:03d}-f{i}",
            f'feature_name: F{i}\nfeature_id: "{i:03d}"\ncreated_date: 2026-03-02\nstatus: approved\nphases:\n  - {{name: A, effort: 1 w}}\n'
            + "".join(f"risks:\n  - {{id: R{k}, title: Risk {k}, probability: low, impact: low, status: open}}\n" for k in (1,)),
            spec=f"# Feature Specification: F{i}\n",
        )
    site.doc("specs/001-f1/tasks.md", "# Tasks\n\n## Phase 1\n\n- [x] T001 Done\n- [ ] T002 Open\n- [X] T003 Done too\n")
    result = site.build(
        markdown_extensions=[], plugins=["search", {"specplan": {"build_date": "2026-03-04", "dashboard_group_above": 2}}]
    )
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    assert "{ ." not in main and "{:" not in main
    more = re.findall(r'<span class="specplan-more-link"><a href="([^"]+)">See ', main)
    assert more, "the link to the full list is a link"
    tasks = result.html("specs/001-f1/tasks/index.html")
    boxes = re.findall(r'<li class="specplan-checkbox-item" id="(t\d+)"><input ([^>]*)/>', tasks)
    assert [(tid, "checked" in attrs) for tid, attrs in boxes] == [("t001", True), ("t002", False), ("t003", True)]
    assert "[x]" not in tasks and "[ ]" not in tasks


def test_the_sites_tasklist_extension_is_left_to_do_its_work(site):
    """Negative control: where pymdownx.tasklist is enabled, it draws the boxes, and nothing is drawn twice."""
    site.doc("specs/001-a/spec.md", "# Feature Specification: A\n")
    site.doc("specs/001-a/tasks.md", "# Tasks\n\n## Phase 1\n\n- [x] T001 Done\n- [ ] T002 Open\n")
    result = site.build(markdown_extensions=["attr_list", "tables", "pymdownx.tasklist"])
    assert not result.failed, result.warnings
    tasks = result.html("specs/001-a/tasks/index.html")
    assert tasks.count('type="checkbox"') == 2 and "specplan-checkbox-item" not in tasks


def test_two_folders_with_one_feature_id_are_both_drawn_and_named(site):
    for folder in ("specs/001-alpha", "specs/001-beta"):
        site.plan(
            folder,
            f'feature_name: {folder.rsplit("-", 1)[1]}\nfeature_id: "001"\ncreated_date: 2026-03-02\nstatus: approved\nphases:\n  - {{name: A, effort: 1 w}}\n',
            spec="# Feature Specification: X\n",
        )
    site.config = {"plugins": [{"specplan": {"build_date": "2026-03-04"}}]}
    result = site.build()
    assert not result.failed, result.warnings
    main = result.html("plans/index.html")
    timeline = main.split('id="specplan-portfolio', 1)[1].split("</svg>", 1)[0]
    alpha = re.findall(r'<a [^>]*href="[^"]*001-alpha/plan/"', timeline)
    assert alpha and len(alpha) == len(re.findall(r'<a [^>]*href="[^"]*001-beta/plan/"', timeline))  # a bar each
    exported = json.loads((result.site_dir / "plans/plans.json").read_text())
    assert sorted(p["source"] for p in exported["plans"]) == ["specs/001-alpha/plan.yaml", "specs/001-beta/plan.yaml"]
    quality = main.split('id="data-quality"', 1)[1]
    assert "<li>001: specs/001-alpha, specs/001-beta</li>" in quality
