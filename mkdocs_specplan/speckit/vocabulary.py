"""The words of spec-kit's templates in the languages teams write them in: one table, as data.

Each term (a title prefix, a metadata key, a heading, a label) has its words per language; the
readers match any of them, so a spec written in Japanese or Spanish reads as one in English. A
site adds words of its own with the ``vocabulary`` option (term -> list of words). Matching is
case-insensitive; a word is matched whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "ja", "zh", "ko", "ru")

TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    # -- titles: "# Feature Specification: Name" ---------------------------------------------------
    "spec_title": {
        "en": ("Feature Specification", "Feature Spec", "Specification", "Spec", "Bugfix Specification"),
        "es": (
            "Especificación de la funcionalidad",
            "Especificación de funcionalidad",
            "Especificación de la característica",
            "Especificación",
        ),
        "pt": ("Especificação da funcionalidade", "Especificação de funcionalidade", "Especificação da feature", "Especificação"),
        "fr": ("Spécification de la fonctionnalité", "Spécification fonctionnelle", "Spécification"),
        "de": ("Feature-Spezifikation", "Funktionsspezifikation", "Spezifikation"),
        "it": ("Specifica della funzionalità", "Specifica funzionale", "Specifica"),
        "ja": ("機能仕様書", "機能仕様", "バグ修正仕様", "仕様書", "仕様"),
        "zh": ("功能规范", "功能规格", "功能说明书", "需求规格", "规格说明", "规范", "规格"),
        "ko": ("기능 명세서", "기능 명세", "기능 사양서", "기능 사양", "명세서", "스펙", "사양"),
        "ru": ("Спецификация функции", "Спецификация функциональности", "Спецификация"),
    },
    "plan_title": {
        "en": ("Implementation Plan", "Plan"),
        "es": ("Plan de implementación", "Plan"),
        "pt": ("Plano de implementação", "Plano"),
        "fr": ("Plan d'implémentation", "Plan de mise en œuvre", "Plan"),
        "de": ("Implementierungsplan", "Umsetzungsplan", "Plan"),
        "it": ("Piano di implementazione", "Piano"),
        "ja": ("実装計画書", "実装計画", "計画"),
        "zh": ("实施计划", "实现计划", "实施方案", "计划"),
        "ko": ("구현 계획서", "구현 계획", "계획"),
        "ru": ("План реализации", "План внедрения", "План"),
    },
    "tasks_title": {
        "en": ("Tasks", "Task List"),
        "es": ("Tareas", "Lista de tareas"),
        "pt": ("Tarefas", "Lista de tarefas"),
        "fr": ("Tâches", "Liste des tâches"),
        "de": ("Aufgaben", "Aufgabenliste"),
        "it": ("Attività", "Compiti", "Elenco delle attività"),
        "ja": ("タスク一覧", "タスクリスト", "タスク"),
        "zh": ("任务列表", "任务清单", "任务"),
        "ko": ("작업 목록", "태스크 목록", "작업", "태스크"),
        "ru": ("Задачи", "Список задач"),
    },
    # -- the metadata under a title: "**Status**: Draft" -----------------------------------------
    "status": {
        "en": ("Status",),
        "es": ("Estado",),
        "pt": ("Status", "Estado", "Situação"),
        "fr": ("Statut", "État"),
        "de": ("Status",),
        "it": ("Stato",),
        "ja": ("ステータス", "状態"),
        "zh": ("状态",),
        "ko": ("상태",),
        "ru": ("Статус", "Состояние"),
    },
    "created": {
        "en": ("Created", "Date", "Created on"),
        "es": ("Creado", "Creada", "Fecha de creación", "Fecha"),
        "pt": ("Criado", "Criada", "Data de criação", "Data"),
        "fr": ("Créé", "Créée", "Créé le", "Date de création", "Date"),
        "de": ("Erstellt", "Erstellt am", "Erstellungsdatum", "Datum"),
        "it": ("Creato", "Creata", "Data di creazione", "Data"),
        "ja": ("作成日", "作成日時", "日付"),
        "zh": ("创建时间", "创建日期", "创建于", "日期"),
        "ko": ("작성일", "생성일", "날짜"),
        "ru": ("Создано", "Дата создания", "Дата"),
    },
    "branch": {
        "en": ("Feature Branch", "Branch"),
        "es": ("Rama de la funcionalidad", "Rama de funcionalidad", "Rama"),
        "pt": ("Branch da funcionalidade", "Branch da feature", "Ramo", "Branch"),
        "fr": ("Branche de la fonctionnalité", "Branche"),
        "de": ("Feature-Branch", "Feature-Zweig", "Branch", "Zweig"),
        "it": ("Branch della funzionalità", "Ramo", "Branch"),
        "ja": ("フィーチャーブランチ", "機能ブランチ", "ブランチ"),
        "zh": ("功能分支", "特性分支", "分支"),
        "ko": ("기능 브랜치", "피처 브랜치", "브랜치"),
        "ru": ("Ветка функции", "Ветка"),
    },
    "input": {
        "en": ("Input",),
        "es": ("Entrada",),
        "pt": ("Entrada",),
        "fr": ("Entrée",),
        "de": ("Eingabe",),
        "it": ("Input", "Ingresso"),
        "ja": ("入力",),
        "zh": ("输入",),
        "ko": ("입력",),
        "ru": ("Ввод", "Входные данные"),
    },
    # -- user stories: "### User Story 1 - Title (Priority: P1)" ---------------------------------
    "story": {
        "en": ("User Story", "Story"),
        "es": ("Historia de usuario", "Historia del usuario"),
        "pt": ("História de usuário", "História do usuário", "História de utilizador"),
        "fr": ("Récit utilisateur", "Histoire utilisateur", "User story"),
        "de": ("User Story", "Benutzergeschichte", "Anwendergeschichte", "Nutzergeschichte"),
        "it": ("Storia utente", "Storia dell'utente"),
        "ja": ("ユーザーストーリー", "ユーザストーリー"),
        "zh": ("用户故事",),
        "ko": ("사용자 스토리", "사용자 이야기", "유저 스토리"),
        "ru": ("Пользовательская история", "История пользователя"),
    },
    "priority": {
        "en": ("Priority",),
        "es": ("Prioridad",),
        "pt": ("Prioridade",),
        "fr": ("Priorité",),
        "de": ("Priorität",),
        "it": ("Priorità",),
        "ja": ("優先度",),
        "zh": ("优先级",),
        "ko": ("우선순위",),
        "ru": ("Приоритет",),
    },
    # -- plan.md's Technical Context and its nine labels -------------------------------------------
    "technical_context": {
        "en": ("Technical Context",),
        "es": ("Contexto técnico",),
        "pt": ("Contexto técnico",),
        "fr": ("Contexte technique",),
        "de": ("Technischer Kontext",),
        "it": ("Contesto tecnico",),
        "ja": ("技術コンテキスト", "技術的コンテキスト", "技術的背景", "技術文脈"),
        "zh": ("技术背景", "技术上下文", "技术环境"),
        "ko": ("기술 컨텍스트", "기술 맥락", "기술적 맥락", "기술 배경"),
        "ru": ("Технический контекст",),
    },
    "language_version": {
        "en": ("Language/Version", "Language", "Languages"),
        "es": ("Lenguaje/Versión", "Lenguaje", "Idioma/Versión"),
        "pt": ("Linguagem/Versão", "Linguagem"),
        "fr": ("Langage/Version", "Langage"),
        "de": ("Sprache/Version", "Sprache"),
        "it": ("Linguaggio/Versione", "Linguaggio"),
        "ja": ("言語/バージョン", "言語"),
        "zh": ("语言/版本", "语言"),
        "ko": ("언어/버전", "언어"),
        "ru": ("Язык/Версия", "Язык"),
    },
    "primary_dependencies": {
        "en": ("Primary Dependencies", "Dependencies", "Main Dependencies"),
        "es": ("Dependencias principales", "Dependencias"),
        "pt": ("Dependências principais", "Dependências"),
        "fr": ("Dépendances principales", "Dépendances"),
        "de": ("Primäre Abhängigkeiten", "Hauptabhängigkeiten", "Abhängigkeiten"),
        "it": ("Dipendenze principali", "Dipendenze"),
        "ja": ("主要な依存関係", "主要依存関係", "依存関係"),
        "zh": ("主要依赖", "依赖"),
        "ko": ("주요 의존성", "주요 종속성", "의존성"),
        "ru": ("Основные зависимости", "Зависимости"),
    },
    "storage": {
        "en": ("Storage",),
        "es": ("Almacenamiento",),
        "pt": ("Armazenamento",),
        "fr": ("Stockage",),
        "de": ("Speicherung", "Speicher", "Datenhaltung"),
        "it": ("Archiviazione", "Memorizzazione"),
        "ja": ("ストレージ", "データストア", "永続化"),
        "zh": ("存储",),
        "ko": ("저장소", "스토리지"),
        "ru": ("Хранение", "Хранилище"),
    },
    "testing": {
        "en": ("Testing", "Tests"),
        "es": ("Pruebas", "Testing"),
        "pt": ("Testes",),
        "fr": ("Tests",),
        "de": ("Tests", "Testen"),
        "it": ("Test", "Testing"),
        "ja": ("テスト",),
        "zh": ("测试",),
        "ko": ("테스트",),
        "ru": ("Тестирование", "Тесты"),
    },
    "target_platform": {
        "en": ("Target Platform", "Platform"),
        "es": ("Plataforma objetivo", "Plataforma de destino", "Plataforma"),
        "pt": ("Plataforma alvo", "Plataforma-alvo", "Plataforma"),
        "fr": ("Plateforme cible", "Plateforme"),
        "de": ("Zielplattform", "Plattform"),
        "it": ("Piattaforma di destinazione", "Piattaforma target", "Piattaforma"),
        "ja": ("ターゲットプラットフォーム", "対象プラットフォーム", "プラットフォーム"),
        "zh": ("目标平台", "平台"),
        "ko": ("대상 플랫폼", "타깃 플랫폼", "플랫폼"),
        "ru": ("Целевая платформа", "Платформа"),
    },
    "project_type": {
        "en": ("Project Type",),
        "es": ("Tipo de proyecto",),
        "pt": ("Tipo de projeto",),
        "fr": ("Type de projet",),
        "de": ("Projekttyp", "Projektart"),
        "it": ("Tipo di progetto",),
        "ja": ("プロジェクトタイプ", "プロジェクト種別", "プロジェクトの種類"),
        "zh": ("项目类型",),
        "ko": ("프로젝트 유형", "프로젝트 타입"),
        "ru": ("Тип проекта",),
    },
    "performance_goals": {
        "en": ("Performance Goals", "Performance"),
        "es": ("Objetivos de rendimiento", "Rendimiento"),
        "pt": ("Metas de desempenho", "Objetivos de desempenho", "Desempenho"),
        "fr": ("Objectifs de performance", "Performance"),
        "de": ("Leistungsziele", "Performance-Ziele", "Leistung"),
        "it": ("Obiettivi di prestazione", "Prestazioni"),
        "ja": ("パフォーマンス目標", "性能目標"),
        "zh": ("性能目标",),
        "ko": ("성능 목표",),
        "ru": ("Цели производительности", "Производительность"),
    },
    "constraints": {
        "en": ("Constraints",),
        "es": ("Restricciones",),
        "pt": ("Restrições",),
        "fr": ("Contraintes",),
        "de": ("Einschränkungen", "Randbedingungen"),
        "it": ("Vincoli",),
        "ja": ("制約", "制約事項"),
        "zh": ("约束条件", "约束", "限制条件", "限制"),
        "ko": ("제약 조건", "제약사항", "제약"),
        "ru": ("Ограничения",),
    },
    "scale_scope": {
        "en": ("Scale/Scope", "Scale", "Scope"),
        "es": ("Escala/Alcance", "Escala", "Alcance"),
        "pt": ("Escala/Escopo", "Escala"),
        "fr": ("Échelle/Périmètre", "Échelle"),
        "de": ("Umfang/Skalierung", "Skalierung/Umfang", "Umfang"),
        "it": ("Scala/Ambito", "Scala"),
        "ja": ("規模/スコープ", "規模/範囲", "規模"),
        "zh": ("规模/范围", "规模"),
        "ko": ("규모/범위", "규모"),
        "ru": ("Масштаб/Охват", "Масштаб"),
    },
    # -- research.md: one section per decision ------------------------------------------------------
    "decision": {
        "en": ("Decision", "Chosen", "Choice"),
        "es": ("Decisión seleccionada", "Decisión tomada", "Decisión"),
        "pt": ("Decisão tomada", "Decisão"),
        "fr": ("Décision",),
        "de": ("Entscheidung",),
        "it": ("Decisione",),
        "ja": ("決定", "決定事項", "採用"),
        "zh": ("决策", "决定"),
        "ko": ("결정",),
        "ru": ("Решение",),
    },
    "rationale": {
        "en": ("Rationale", "Reason", "Why"),
        "es": ("Justificación", "Razón", "Motivo"),
        "pt": ("Justificativa", "Justificação", "Motivo"),
        "fr": ("Justification", "Raison"),
        "de": ("Begründung",),
        "it": ("Motivazione", "Giustificazione"),
        "ja": ("根拠", "理由"),
        "zh": ("理由", "依据"),
        "ko": ("근거", "이유"),
        "ru": ("Обоснование",),
    },
    "alternatives": {
        "en": ("Alternatives considered", "Alternatives rejected", "Alternatives"),
        "es": ("Alternativas consideradas", "Alternativas descartadas", "Alternativas"),
        "pt": ("Alternativas consideradas", "Alternativas descartadas", "Alternativas"),
        "fr": ("Alternatives envisagées", "Alternatives écartées", "Alternatives considérées", "Alternatives"),
        "de": ("Betrachtete Alternativen", "Verworfene Alternativen", "Alternativen"),
        "it": ("Alternative considerate", "Alternative scartate", "Alternative"),
        "ja": ("検討した代替案", "検討された代替案", "却下した代替案", "代替案"),
        "zh": ("考虑过的替代方案", "备选方案", "替代方案"),
        "ko": ("검토한 대안", "고려한 대안", "대안"),
        "ru": ("Рассмотренные альтернативы", "Отклонённые альтернативы", "Альтернативы"),
    },
}


def words(term: str, extra: Iterable[tuple[str, tuple[str, ...]]] = ()) -> tuple[str, ...]:
    """Every word of a term, in every language and the site's own (longest first)."""
    found = [w for language in TERMS[term].values() for w in language]
    found += [w for name, added in extra if name == term for w in added]
    return tuple(sorted(dict.fromkeys(found), key=lambda w: (-len(w), w)))


def alternation(term: str, extra: Iterable[tuple[str, tuple[str, ...]]] = ()) -> str:
    """A regular expression that matches any word of a term (spaces match any run of blanks)."""
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words(term, extra))


# a title's prefix: the term, perhaps a number ("Spec 077", "스펙 080"), then a colon or a dash
_SEPARATOR = r"\s*(?:[:：]|\s[-–—]\s|[-–—]\s)\s*"


@functools.lru_cache(maxsize=64)
def title_prefix_re(term: str, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> re.Pattern[str]:
    """``Feature Specification: ``, ``機能仕様: ``, ``Spec 008 — ``: what a title starts with."""
    return re.compile(rf"^\s*(?:{alternation(term, extra)})(?:\s*[#№]?\s*\d{{1,9}}[A-Za-z]?)?{_SEPARATOR}", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def label_re(terms: tuple[str, ...], extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> re.Pattern[str]:
    """``Status: value`` (the label bold or not; an ASCII or a full-width colon): the term's name
    is the group that matched (``term_<name>``), the value ``value``."""
    groups = "|".join(f"(?P<term_{t}>{alternation(t, extra)})" for t in terms)
    return re.compile(rf"^\s*[*_]*(?:{groups})[*_]*\s*[:：]\s*[*_]*\s*(?P<value>.*?)\s*$", re.IGNORECASE)


def matched_term(match: re.Match[str]) -> str:
    """Which term a :func:`label_re` match is of."""
    return next(name[len("term_") :] for name, value in match.groupdict().items() if name.startswith("term_") and value)
