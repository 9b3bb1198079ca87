"""The JSON export of every plan and feature (``plans/plans.json``). Free of MkDocs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ..core.forecast import Forecast
from ..core.model import Effort, Plan, Problem
from ..core.schedule import CrossEdge, Schedule, wd_index
from ..history.baseline import Baseline, PlanHistory
from ..project.features import Documents, tasks_by_ref
from ..project.portfolio import JSON_VERSION, FeatureEntry, PlanEntry, Portfolio
from ..project.records import PlanSource, SpecDrift, Traceability
from ..support.incremental import LastBuild, memo


@functools.cache
def _exported_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("positions", "index", "tech_stack_text"))


_ATOMIC = frozenset({str, int, float, bool, type(None)})  # given to the encoder as they are


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind is Effort:
        return {"text": value.text, "low_days": value.low_days, "high_days": value.high_days}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name in _exported_fields(type(value)):  # most fields are plain values: no call for each
            field = getattr(value, name)
            out[name] = field if type(field) in _ATOMIC else _jsonable(field)
        return out
    if isinstance(value, dict):
        return {k: v if type(v) in _ATOMIC else _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _ATOMIC else _jsonable(v) for v in value]
    return value


def _plan_fields(plan: Plan) -> dict[str, Any]:
    fields: dict[str, Any] = _jsonable(plan)
    fields["tech_stack"] = plan.tech_stack_text if plan.tech_stack_text is not None else plan.tech_stack
    fields["phase_count"] = plan.phase_count
    return fields


def schedule_json(schedule: Schedule | None) -> dict[str, Any] | None:
    if schedule is None or not schedule.phases:
        return None
    return {
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "working_days": schedule.working_days,
        "sequential": schedule.sequential,
        "phases": [
            {
                "number": p.number,
                "name": p.name,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "working_days": p.days,
                "milestone": p.milestone,
                "critical": p.critical,
                "total_float": p.total_float,
                "depends_on": list(p.depends_on),
                "status": p.status,
            }
            for p in schedule.phases
        ],
    }


def forecast_json(forecast: Forecast | None) -> dict[str, Any] | None:
    if forecast is None:
        return None
    return {
        "start": forecast.start.isoformat(),
        "end": forecast.end.isoformat(),
        "planned_end": forecast.planned_end.isoformat(),
        "slip_days": forecast.slip_days,
        "health": forecast.health.state,
        "reasons": list(forecast.health.reasons),
        "phases": [
            {
                "number": p.number,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "slip_days": p.slip_days,
                "health": p.health,
            }
            for p in forecast.phases
        ],
    }


def baseline_json(baseline: Baseline | None, forecast: Forecast | None) -> tuple[dict[str, Any] | None, str | None]:
    """(the baseline, or None; why there is none)."""
    if baseline is None:
        return None, None
    if baseline.schedule is None or baseline.commit is None:
        return None, baseline.note
    end = baseline.schedule.end
    slip = wd_index(forecast.end) - wd_index(end) if forecast else None
    return {
        "ref": baseline.ref,
        "commit": baseline.commit,
        "date": baseline.date.isoformat() if baseline.date else None,
        "end": end.isoformat(),
        "slip_days": slip,
        "phases": [
            {"number": p.number, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in baseline.schedule.phases
        ],
    }, None


def edge_json(edge: CrossEdge, portfolio: Portfolio) -> dict[str, Any]:
    by_key = portfolio.by_key()

    def end(key: str, phase: int) -> dict[str, Any]:
        entry = by_key.get(key)
        source = entry.page.source.display_path if entry else key
        return {"source": source, "feature_id": entry.feature_id or None if entry else None, "phase": phase}

    return {
        "from": end(edge.upstream, edge.upstream_phase),
        "to": end(edge.downstream, edge.downstream_phase),
        "text": edge.text,
        "critical": edge.critical,
    }


@dataclass(frozen=True)
class PlanRecord:
    """Everything a plan's entry in plans.json is made of: :func:`plan_json` reads nothing else, so
    equal records give equal entries (a serve rebuild keeps an entry whose record is the last one's)."""

    source: PlanSource
    plan: Plan | None = field(compare=False)  # follows from the source's text (and the settings)
    url: str
    links: tuple[tuple[str, Any], ...]  # ("spec", url), ("data_model", url) ... ("contracts", urls)
    stale: bool
    schedule: Schedule | None
    forecast: Forecast | None
    baseline: Baseline | None
    history: PlanHistory | None
    edges: tuple[tuple[str, dict[str, Any]], ...]  # ("waits_on" or "needed_by", the edge as exported)
    found: Documents | None  # what reading the feature's folder found: its tasks
    traceability: Traceability | None
    open_risks: tuple[tuple[str | None, str | None, int, str | None], ...]  # (id, title, severity, level)
    problems: tuple[Problem, ...]
    spec_drift: SpecDrift | None = None


def plan_record(entry: PlanEntry, portfolio: Portfolio) -> PlanRecord:
    page, info = entry.page, entry.info
    links: list[tuple[str, Any]] = [("plan", entry.url), ("spec", entry.spec_url)]
    links += [(k, entry.doc_urls.get(k)) for k in ("data_model", "research", "quickstart", "tasks")]
    links.append(("contracts", tuple(entry.contract_urls)))
    edges = [("waits_on", edge_json(e, portfolio)) for e in page.waits_on]
    edges += [("needed_by", edge_json(e, portfolio)) for e in page.needed_by]
    return PlanRecord(
        page.source,
        page.plan,
        entry.url,
        tuple(links),
        portfolio.is_stale(entry),
        page.schedule,
        page.forecast,
        page.baseline,
        page.history,
        tuple(edges),
        info.found if info is not None else None,
        info.traceability if info is not None else None,
        tuple((r.risk.id, r.risk.title, r.severity, r.level) for r in portfolio.risks_of(entry)),
        tuple(page.problems),
        page.spec_drift,
    )


def _tasks_json(found: Documents | None) -> dict[str, Any] | None:
    tasks = found.tasks if found else None
    if tasks is None:
        return None
    groups = [{"title": g.title, "done": g.done, "total": g.total} for g in tasks.groups]
    out: dict[str, Any] = {"done": tasks.done, "total": tasks.total, "groups": groups}
    if tasks.reused:
        out["reused_ids"] = list(tasks.reused)
    if tasks.uncounted:
        out["not_counted"] = tasks.uncounted
    return out


def _traceability_json(trace: Traceability | None, found: Documents | None) -> dict[str, Any] | None:
    if trace is None:
        return None
    by_ref = tasks_by_ref(found.tasks) if found is not None else {}
    requirements = [
        {
            "id": r.requirement.id,
            "text": r.requirement.text,
            "mentioned": bool(r.where),
            "tasks": by_ref.get(r.requirement.id, []),
        }
        for r in trace.rows
    ]
    return {"requirements": requirements, "uncovered": [r.requirement.id for r in trace.uncovered]}


def plan_json(record: PlanRecord, fields: dict[str, Any] | str | None = None) -> dict[str, Any]:
    """One plan's entry; ``fields``: its plan's fields as exported already (they depend on the plan
    only), or a marker where their encoding is put."""
    plan = record.plan
    baseline, note = baseline_json(record.baseline, record.forecast)
    if plan is not None and fields is None:
        fields = _plan_fields(plan)
    links = dict(record.links)
    links["contracts"] = list(links["contracts"])
    return {
        "feature_id": plan.feature_id if plan else None,
        "feature_name": plan.feature_name if plan else None,
        "status": plan.status if plan else None,
        "source": record.source.display_path,
        "url": record.url,
        "stale": record.stale,
        "plan": fields,
        "schedule": schedule_json(record.schedule),
        "forecast": forecast_json(record.forecast),
        "baseline": baseline,
        "baseline_note": note,
        "history": [
            {"commit": p.commit, "date": p.date.isoformat(), "end": p.end.isoformat()}
            for p in (record.history.points if record.history else ())
        ],
        "waits_on": [edge for kind, edge in record.edges if kind == "waits_on"],
        "needed_by": [edge for kind, edge in record.edges if kind == "needed_by"],
        "links": links,
        "tasks": _tasks_json(record.found),
        "traceability": _traceability_json(record.traceability, record.found),
        "open_risks": [{"id": i, "title": t, "severity": s, "level": lv} for i, t, s, lv in record.open_risks],
        "problems": [
            {"path": p.path, "line": p.line, "column": p.column, "field": p.field, "message": p.message, "level": p.level}
            for p in record.problems
        ],
        "spec_drift": _drift_json(record.spec_drift),
    }


def _drift_json(drift: SpecDrift | None) -> dict[str, Any] | None:
    if drift is None:
        return None
    return {
        "commit": drift.commit,
        "date": drift.date,
        "added": list(drift.added),
        "removed": list(drift.removed),
        "reworded": list(drift.reworded),
        "uncovered": list(drift.uncovered),
    }


def feature_json(item: FeatureEntry) -> dict[str, Any]:
    feature = item.feature
    covered, uncovered = feature.coverage()
    tasks, checklists = feature.tasks, feature.checklists
    return {
        "id": feature.id,
        "name": feature.name,
        "folder": feature.display_folder,
        "url": item.url,
        "plan": feature.plan_kind,
        "stage": feature.stage,
        "spec_status": feature.spec.status if feature.spec else None,
        "documents": feature.documents,
        "tasks": {"done": tasks.done, "total": tasks.total} if tasks is not None else None,
        "requirements": (
            {"total": len(feature.requirements), "covered": covered, "uncovered": uncovered} if feature.spec is not None else None
        ),
        "clarifications": feature.clarifications,
        "checklists": {"done": checklists.done, "total": checklists.total} if checklists is not None else None,
    }


_PLANS = "\x00specplan plans\x00"  # where the encoded entries go (no plan text is in the document yet)
_FIELDS = "\x00specplan plan\x00"  # where an entry's encoded plan fields go


Encoded = LastBuild[str, tuple[PlanRecord, str]]


def export_json(portfolio: Portfolio, indent: int | None = None, *, reuse: Encoded | None = None) -> str:
    """Stable: the same plans give byte-identical output. Compact by default (the C encoder);
    ``indent`` for people reading it. With ``reuse`` (a serve rebuild), each plan's entry is the
    last build's encoding while its :class:`PlanRecord` is equal to the last one, and each plan's
    fields are encoded once per plan object."""
    document = {
        "version": JSON_VERSION,
        "generator": "mkdocs-specplan",
        "build_date": portfolio.today.isoformat(),
        "summary": portfolio.summary(),
        "plans": _PLANS,
        "features": [feature_json(f) for f in portfolio.features],
        "dependencies": [edge_json(e, portfolio) for e in portfolio.edges],
    }
    if indent is not None:
        document["plans"] = [plan_json(plan_record(e, portfolio)) for e in portfolio.entries]
        return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return _put(text, "plans", _PLANS, "[" + ",".join(_encoded_plans(portfolio, reuse)) + "]") + "\n"


def _encoded_plans(portfolio: Portfolio, reuse: Encoded | None) -> list[str]:
    out = []
    for entry in portfolio.entries:
        record = plan_record(entry, portfolio)
        plan, uri = record.plan, record.source.src_uri
        kept = reuse.last(uri) if reuse is not None else None
        if kept is not None and plan is not None and kept[0] == record:
            encoded = kept[1]
        elif plan is None:
            encoded = _encode(plan_json(record))
        else:
            fields = memo(plan, "json_fields", functools.partial(_encoded_fields, plan))
            encoded = _put(_encode(plan_json(record, _FIELDS)), "plan", _FIELDS, fields)
        if reuse is not None:
            reuse.keep(uri, (record, encoded))
        out.append(encoded)
    return out


def _encoded_fields(plan: Plan) -> str:
    return _encode(_plan_fields(plan))


def _put(text: str, key: str, marker: str, encoded: str) -> str:
    """``encoded`` in place of ``"key":"marker"`` in the encoded ``text``: no text from a plan can
    hold that sequence, as the quotes inside its strings are escaped."""
    return text.replace(f'"{key}":' + json.dumps(marker), f'"{key}":' + encoded, 1)


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
