"""Data-model change impact (数据模型变更影响): two loads compared through the metric lineage.

:func:`compare_loads` takes the same book loaded twice (before and after a change of the files,
the mappings or the workspace) and lists

* **columns** added, removed, **renamed** (a removed and an added column of one table holding
  the same values, e.g. ``channel`` exported as ``distributor``) and **remapped** (the canonical
  column now fed by another source header);
* **vocabulary** changes: values of a status or category column that appear or disappear,
  including values seen only in rejected rows (a new status word is rejected as unknown);
* **tables**: rows read, accepted and rejected, and the rejections per reason, when they differ;
* **metrics**: every registered metric whose lineage touches a changed column or table, with
  its value before and after (for the metrics evaluated here: the cockpit KPIs at the as-of
  date and the monitored alert metrics over their latest window) and one lineage path from the
  change to the metric. A metric that could be computed before and cannot after is
  ``disabled`` with a reason code of :mod:`memberdesk.core.reasons` (``missing_column``
  {table, column} when a column of its lineage is gone). A metric whose value moved although
  its lineage touches no change is reported as ``untracked``: a gap in the lineage.

Both loads are evaluated at the same as-of date (the caller's), so that only the data differ.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from memberdesk.analysis.alerts import compute_alerts, load_rules
from memberdesk.analysis.alerts.monitored import MONITORED_IDS, Unavailable
from memberdesk.analysis.kpis import compute_kpis
from memberdesk.analysis.lineage import SEGMENT_COLUMNS, path_between
from memberdesk.analysis.metrics import REGISTRY, get_metric
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset

ColumnChangeKind = Literal["added", "removed", "renamed", "remapped"]
MetricStatus = Literal["changed", "unchanged", "disabled", "enabled", "untracked",
                       "not_evaluated"]
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Load:
    """One side of the comparison: the Dataset and, per table, source header → canonical
    column (None = kept as an extra column) of the mappings used."""

    dataset: Dataset
    mappings: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class ColumnChange:
    table: str
    change: ColumnChangeKind
    column: str
    detail: str = ""            # renamed: the new name; remapped: "header -> header"


@dataclass(frozen=True)
class VocabularyChange:
    table: str
    column: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class TableChange:
    table: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class MetricImpact:
    metric: str
    status: MetricStatus
    before: float | None
    after: float | None
    path: tuple[str, ...]
    reason: Unavailable | None = None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "name": get_metric(self.metric).name_en,
                "status": self.status, "before": self.before, "after": self.after,
                "change": self.change, "path": list(self.path),
                "reason": None if self.reason is None else
                {"code": self.reason.code, "params": dict(self.reason.params)}}


@dataclass(frozen=True, eq=False)
class ImpactResult:
    as_of: pd.Timestamp
    columns: tuple[ColumnChange, ...]
    vocabulary: tuple[VocabularyChange, ...]
    tables: tuple[TableChange, ...]
    metrics: tuple[MetricImpact, ...]

    def metric(self, metric_id: str) -> MetricImpact | None:
        return next((m for m in self.metrics if m.metric == metric_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.date().isoformat(),
                "columns": [{"table": c.table, "change": c.change, "column": c.column,
                             "detail": c.detail, "segment_of": list(_segment_of(c))}
                            for c in self.columns],
                "vocabulary": [{"table": v.table, "column": v.column, "added": list(v.added),
                                "removed": list(v.removed)} for v in self.vocabulary],
                "tables": [{"table": t.table, "before": t.before, "after": t.after}
                           for t in self.tables],
                "metrics": [m.to_json() for m in self.metrics]}


def _segment_of(c: ColumnChange) -> tuple[str, ...]:
    """Presenters that split by the column (alerts' default segments) when it is removed,
    renamed or remapped."""
    if c.change == "added" or f"{c.table}.{c.column}" not in SEGMENT_COLUMNS:
        return ()
    return ("page:alerts", "sheet:alerts", "chart:funnel", "chart:cusum")


# ---- evaluation --------------------------------------------------------------------------------

def evaluate(ds: Dataset) -> dict[str, tuple[Any, Any]]:
    """metric id → (comparable value, why missing) for the metrics evaluated here: the KPIs
    (value, previous and 12-point trend) and the monitored metrics (whole-book x and n per
    month); the first element of the value is the headline number."""
    out: dict[str, tuple[Any, Any]] = {}
    kpis = compute_kpis(ds)
    for k in kpis.kpis:
        trend = tuple(np.round(k.trend.to_numpy(dtype=float), 12))
        out[k.id] = ((k.value, k.previous, trend) if k.value is not None or k.previous is not None
                     or not np.isnan(trend).all() else None, k.reason)
    alerts = compute_alerts(ds, load_rules().with_segments(()))
    for mid in MONITORED_IDS:
        if mid in alerts.unavailable:
            out.setdefault(mid, (None, alerts.unavailable[mid]))
            continue
        b = alerts.book[alerts.book["metric"] == mid]
        value = alerts.book_value(mid)
        if mid not in out:
            out[mid] = ((value, tuple(b["x"]), tuple(b["n"])), None)
    return out


def _headline(v: Any) -> float | None:
    if v is None:
        return None
    x = v[0]
    return None if x is None or not np.isfinite(x) else float(x)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    fa = np.array([np.nan if x is None else x for x in _flatten(a)], dtype=float)
    fb = np.array([np.nan if x is None else x for x in _flatten(b)], dtype=float)
    return fa.shape == fb.shape and bool(np.allclose(fa, fb, atol=TOLERANCE, equal_nan=True))


def _flatten(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in v:
        out.extend(_flatten(x) if isinstance(x, (tuple, list)) else [x])
    return out


# ---- structural comparison -------------------------------------------------------------------

def _tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    return {t: f for t, f in ds.validated.items() if f is not None}


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    if len(a) != len(b):
        return False
    return bool((a.astype(str).to_numpy() == b.astype(str).to_numpy()).all())


def column_changes(before: Load, after: Load) -> list[ColumnChange]:
    out: list[ColumnChange] = []
    tb, ta = _tables(before.dataset), _tables(after.dataset)
    for table in [t for t in schema.TABLES if t in tb or t in ta]:
        cb = list(tb[table].columns) if table in tb else []
        ca = list(ta[table].columns) if table in ta else []
        removed = [c for c in cb if c not in ca]
        added = [c for c in ca if c not in cb]
        for r in list(removed):
            match = next((a for a in added if _same_values(tb[table][r], ta[table][a])), None)
            if match is not None:
                out.append(ColumnChange(table, "renamed", r, match))
                removed.remove(r)
                added.remove(match)
        out += [ColumnChange(table, "removed", c) for c in removed]
        out += [ColumnChange(table, "added", c) for c in added]
        hb = _header_of(before.mappings.get(table, {}))
        ha = _header_of(after.mappings.get(table, {}))
        for col in cb:
            if col in ca and col in hb and col in ha and hb[col] != ha[col]:
                out.append(ColumnChange(table, "remapped", col, f"{hb[col]} -> {ha[col]}"))
    return out


def _header_of(mapping: Mapping[str, str | None]) -> dict[str, str]:
    return {canon: header for header, canon in mapping.items() if canon is not None}


def _vocabulary_columns(table: str) -> list[str]:
    spec = schema.TABLE_SPECS.get(table)
    return [] if spec is None else [c.name for c in spec.columns
                                    if c.kind in ("vocabulary", "category", "bool")]


def _values(ds: Dataset, table: str, column: str) -> set[str]:
    frame = ds.validated.get(table)
    out: set[str] = set()
    if frame is not None and column in frame.columns:
        out |= {str(v) for v in pd.unique(frame[column].dropna())}
    rej = ds.report.rejected
    if len(rej):
        hit = rej[(rej["table"] == table) & (rej["column"] == column)]
        out |= {str(v) for v in hit["value"].dropna().unique() if str(v).strip()}
    return out


def vocabulary_changes(before: Load, after: Load) -> list[VocabularyChange]:
    out = []
    for table in schema.TABLES:
        for column in _vocabulary_columns(table):
            vb, va = _values(before.dataset, table, column), _values(after.dataset, table, column)
            if not vb or not va or vb == va:
                continue                      # a column gone is a column change, not vocabulary
            out.append(VocabularyChange(table, column, tuple(sorted(va - vb)), tuple(sorted(vb - va))))
    return out


def _counts(ds: Dataset, table: str) -> dict[str, Any]:
    t = ds.report.table(table)
    if t is None:
        frame = ds.validated.get(table)
        n = 0 if frame is None else len(frame)
        return {"read": n, "accepted": n, "rejected": 0, "reasons": {}}
    return {"read": t.read, "accepted": t.accepted, "rejected": t.rejected,
            "reasons": dict(sorted(t.reasons.items()))}


def table_changes(before: Load, after: Load) -> list[TableChange]:
    out = []
    for table in schema.TABLES:
        if table not in before.dataset.validated and table not in after.dataset.validated:
            continue
        b, a = _counts(before.dataset, table), _counts(after.dataset, table)
        if b != a:
            out.append(TableChange(table, b, a))
    return out


# ---- the comparison ----------------------------------------------------------------------------

def _changed_nodes(columns: list[ColumnChange], vocab: list[VocabularyChange],
                   tables: list[TableChange]) -> tuple[list[str], set[str]]:
    nodes = [f"{c.table}.{c.column}" for c in columns]
    nodes += [f"{v.table}.{v.column}" for v in vocab]
    return list(dict.fromkeys(nodes)), {t.table for t in tables}


def _reach(metric_id: str, nodes: list[str], tables: set[str]) -> tuple[str, ...]:
    """A lineage path from a changed node (or a column of a changed table) to the metric."""
    target = f"metric:{metric_id}"
    sources = get_metric(metric_id).sources
    for node in nodes + [c for c in sources if c.split(".")[0] in tables]:
        path = path_between(node, target)
        if path:
            return tuple(path)
    return ()


def _disabled_reason(metric_id: str, before: Load, after: Load,
                     why: Any) -> Unavailable:
    for col in get_metric(metric_id).sources:
        table, name = col.split(".", 1)
        fb, fa = before.dataset.validated.get(table), after.dataset.validated.get(table)
        if fb is not None and name in fb.columns and (fa is None or name not in fa.columns):
            return Unavailable("missing_column", table=table, column=name)
        if fb is not None and fa is None:
            return Unavailable("no_table", table=table)
    if isinstance(why, Unavailable):
        return why
    return Unavailable("not_available")


def compare_loads(before: Load, after: Load, *, as_of: pd.Timestamp | None = None) -> ImpactResult:
    """Compare two loads (module docstring). Both are evaluated at ``as_of`` (default: the
    before load's as-of date)."""
    when = pd.Timestamp(as_of if as_of is not None else before.dataset.as_of).normalize()
    before = Load(before.dataset.with_as_of(when), before.mappings, before.label)
    after = Load(after.dataset.with_as_of(when), after.mappings, after.label)
    columns = column_changes(before, after)
    vocab = vocabulary_changes(before, after)
    tables = table_changes(before, after)
    nodes, changed_tables = _changed_nodes(columns, vocab, tables)
    vb, va = evaluate(before.dataset), evaluate(after.dataset)
    impacts = []
    for mid in REGISTRY:
        path = _reach(mid, nodes, changed_tables)
        if mid not in vb:
            if path:
                impacts.append(MetricImpact(mid, "not_evaluated", None, None, path))
            continue
        (b, _), (a, why) = vb[mid], va[mid]
        if _same(b, a):
            if path:
                impacts.append(MetricImpact(mid, "unchanged", _headline(b), _headline(a), path))
            continue
        if b is not None and a is None:
            impacts.append(MetricImpact(mid, "disabled", _headline(b), None, path,
                                        _disabled_reason(mid, before, after, why)))
        elif b is None:
            impacts.append(MetricImpact(mid, "enabled", None, _headline(a), path))
        else:
            impacts.append(MetricImpact(mid, "changed" if path else "untracked", _headline(b),
                                        _headline(a), path))
    return ImpactResult(when, tuple(columns), tuple(vocab), tuple(tables), tuple(impacts))
