"""Metric lineage both ways (指标血缘) and its OpenLineage export.

The registry (:mod:`memberdesk.analysis.metrics`) gives each metric its upstream chain: the
metric, the intermediate results, derived columns, parameters and source ``table.column`` s it
is computed from. This module joins every chain into one directed graph (edge = "source is used
to compute target") and adds the presenters downstream of each metric — the pages, charts and
report sheets that show it (:data:`CONSUMERS`) — so that one can ask:

* **forward** (a metric id): what is it computed from, and where is it shown;
* **reverse** (``table.column``, a derived column, ``result:…``, ``param:…``): every node, metric,
  page, chart and report sheet that depends on it.

Node ids: those of :mod:`memberdesk.analysis.metrics` (``metric:``, ``result:``, ``param:``,
``table.column``) plus ``page:<id>`` (ids of ``memberdesk.page_registry``), ``chart:<name>``
and ``sheet:<key>`` (report sheet keys of the page registry). ``depth`` in a view is the
number of edges from the asked-for node (longest path, so a layered drawing never points
backwards). A column used as a *segment* (``--by``, the alerts' segment columns) splits a
metric without changing it; such uses are listed apart (:attr:`LineageView.segment_of`).

:func:`openlineage_event` exports the graph as an OpenLineage run event whose output dataset
carries the column-lineage facet (spec 1-2-0): one field per metric with its input fields.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from memberdesk.analysis import metric_definitions as defs
from memberdesk.analysis.metrics import REGISTRY, get_metric, node_kind, node_label, schema_columns
from memberdesk.core import schema

Direction = Literal["forward", "reverse"]

_KPIS = ("in_force_members", "in_force_policies", "in_force_premium", "new_business_policies",
         "new_business_premium", "persistency_13", "persistency_25", "lapse_rate_annualised",
         "median_policy_lifetime_months", "benefit_usage_rate", "bot_replacement_rate",
         "human_connection_rate", "csat", "median_claim_settlement_days")
_MONITORED = ("free_look_cancellation_rate", "early_lapse_rate_3m", "early_lapse_rate_6m",
              "first_year_surrender_rate", "persistency_13_count", "persistency_25_count",
              "benefit_usage_rate_monthly", "bot_transfer_rate", "human_connection_rate",
              "unresolved_contact_rate", "csat", "claims_settled_after_30_days")
_RETENTION = ("km_survival", "km_median", "km_at_risk", "logrank_test")
_PERSISTENCY = ("persistency_13", "persistency_25", "persistency_13_count", "persistency_25_count")
_EXPERIENCE = ("exposure", "actual", "termination_rate", "expected", "actual_to_expected",
               "credibility")
_BENEFITS = ("benefit_usage_rate", "benefit_uses_per_100", "benefit_cost_per_member",
             "time_to_first_benefit_use", "benefit_retention_hr_landmark",
             "benefit_retention_hr_naive")
_SERVICE = ("service_contacts", "bot_replacement_rate", "human_connection_rate", "csat",
            "resolution_rate", "wait_mean_seconds", "wait_p90_seconds", "service_lapse_hr")
_CLAIMS = ("claims_settled_within_5_days", "claims_settled_within_10_days",
           "claims_settled_within_30_days", "claim_paid_ratio_amount", "claim_paid_ratio_count",
           "median_claim_settlement_days")

# Presenter -> the metrics it shows. Pages and sheets use the page registry's ids and keys
# (tests/lineage checks them against memberdesk.page_registry).
CONSUMERS: dict[str, tuple[str, ...]] = {
    "page:cockpit": _KPIS, "chart:cockpit_tiles": _KPIS, "sheet:summary": _KPIS + _MONITORED,
    "page:retention": _RETENTION, "chart:km_curve": ("km_survival",), "sheet:retention": _RETENTION,
    "page:persistency": (*_PERSISTENCY, "cohort_retention"),
    "chart:persistency_trend": _PERSISTENCY, "sheet:persistency": _PERSISTENCY,
    "chart:cohort_heatmap": ("cohort_retention",), "sheet:cohorts": ("cohort_retention",),
    "page:drivers": ("hazard_ratio",), "sheet:drivers": ("hazard_ratio",),
    "page:projection": ("km_survival",), "sheet:projection": ("km_survival",),
    "page:decrements": ("cumulative_incidence",), "sheet:decrements": ("cumulative_incidence",),
    "page:experience": _EXPERIENCE, "sheet:experience": _EXPERIENCE,
    "page:benefits": _BENEFITS, "sheet:benefits": _BENEFITS,
    "page:service": _SERVICE, "sheet:service": _SERVICE,
    "page:claims": _CLAIMS, "sheet:claims": _CLAIMS,
    "page:alerts": _MONITORED, "chart:funnel": _MONITORED, "chart:cusum": _MONITORED,
    "sheet:alerts": _MONITORED,
    "page:dictionary": tuple(REGISTRY), "sheet:definitions": tuple(REGISTRY),
}
CONSUMER_LABELS: dict[str, tuple[str, str]] = {
    "chart:cockpit_tiles": ("Cockpit tiles", "驾驶舱指标卡"),
    "chart:km_curve": ("Survival curve", "生存曲线图"),
    "chart:persistency_trend": ("Persistency trend", "继续率趋势图"),
    "chart:cohort_heatmap": ("Cohort heat map", "队列热力图"),
    "chart:funnel": ("Funnel plot", "漏斗图"), "chart:cusum": ("CUSUM chart", "CUSUM控制图"),
}
# Analysis assumptions (core.assumptions) -> the metrics they change: settings nodes of the graph.
# free_look_days is already an input of the persistency/alerts lineages (metric_definitions).
ASSUMPTION_SETTINGS: dict[str, tuple[str, ...]] = {
    "param:free_look_days": (),
    "param:grace_days": ("persistency_13", "persistency_25"),
    "param:credibility_standard": ("credibility",),
    "param:ci_level": ("km_survival", "hazard_ratio", "termination_rate", "actual_to_expected"),
    "param:band_cut_offs": ("hazard_ratio",),
    "param:reference_levels": ("hazard_ratio",),
}
# Columns the alerts monitor as segments by default (the rules file may name others).
SEGMENT_COLUMNS = ("policies.channel", "policies.product", "members.region", "members.tier")


def consumer_kind(node: str) -> str | None:
    for kind in ("page", "chart", "sheet"):
        if node.startswith(f"{kind}:"):
            return kind
    return None


def kind_of(node: str) -> str:
    """``metric``, ``result``, ``derived``, ``column``, ``parameter``, ``page``, ``chart`` or
    ``sheet``."""
    return consumer_kind(node) or node_kind(node)


def label_of(node: str, lang: str = "en") -> str:
    kind = consumer_kind(node)
    if kind is None:
        return node_label(node, lang)
    if node in CONSUMER_LABELS:
        return CONSUMER_LABELS[node][1 if lang == "zh_CN" else 0]
    return node.split(":", 1)[1]


@lru_cache(maxsize=1)
def _edges() -> tuple[tuple[str, str], ...]:
    """Every edge (source, target) of the whole graph."""
    out: dict[tuple[str, str], None] = {}
    for metric in REGISTRY.values():
        for step in metric.lineage:
            for src in step.inputs:
                out[(src, step.node)] = None
    for consumer, metrics in CONSUMERS.items():
        for mid in metrics:
            out[(f"metric:{mid}", consumer)] = None
    for setting, metrics in ASSUMPTION_SETTINGS.items():
        for mid in metrics:
            if mid in REGISTRY:
                out[(setting, f"metric:{mid}")] = None
    return tuple(out)


def settings_values(assumptions: Any) -> dict[str, str]:
    """The value of each settings node under ``assumptions`` (a
    :class:`memberdesk.core.assumptions.Assumptions`), e.g. ``{"param:grace_days": "60"}``:
    what the lineage views show beside the node (``value`` column)."""
    a = assumptions
    refs = ", ".join(f"{c} = {lv}" for c, lv in a.reference_levels) or "most frequent level"
    return {
        "param:free_look_days": str(a.free_look_days),
        "param:grace_days": str(a.grace_days),
        "param:credibility_standard": f"p = {a.credibility_p:g}, r = {a.credibility_r:g}",
        "param:ci_level": f"{a.ci_level:g}",
        "param:band_cut_offs": "; ".join(
            f"{kind} {', '.join(f'{c:g}' for c in cuts)}" for kind, cuts in (
                ("age", a.age_cuts), ("premium", a.premium_cuts), ("duration", a.duration_cuts))),
        "param:reference_levels": refs,
    }


def with_settings(view: LineageView, assumptions: Any) -> LineageView:
    """``view`` with a ``value`` column: the assumptions' value on settings nodes, else empty."""
    values = settings_values(assumptions)
    nodes = view.nodes.assign(value=[values.get(n, "") for n in view.nodes["id"]])
    return LineageView(view.name, view.direction, nodes, view.edges, view.metrics,
                       view.consumers, view.segment_of)


def _adjacent(reverse: bool) -> dict[str, list[str]]:
    adj: dict[str, list[str]] = {}
    for src, dst in _edges():
        a, b = (src, dst) if reverse else (dst, src)   # reverse: follow edges downstream
        adj.setdefault(a, []).append(b)
    return adj


def known_nodes() -> set[str]:
    return {n for e in _edges() for n in e} | schema_columns()


@dataclass(frozen=True, eq=False)
class LineageView:
    """The lineage around one node. ``nodes``: ``id``, ``kind``, ``label``, ``depth``
    (edges from ``name``; upstream for forward, downstream for reverse); ``edges``: ``source``
    → ``target`` among those nodes; ``metrics`` the metrics involved (forward: the metric and
    the metrics it is built from; reverse: every metric depending on ``name``); ``consumers``
    the pages, charts and sheets showing them; ``segment_of`` what splits by the column."""

    name: str
    direction: Direction
    nodes: pd.DataFrame
    edges: pd.DataFrame
    metrics: tuple[str, ...]
    consumers: tuple[str, ...]
    segment_of: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "direction": self.direction,
                "metrics": list(self.metrics), "consumers": list(self.consumers),
                "segment_of": list(self.segment_of),
                "nodes": self.nodes.to_dict("records"), "edges": self.edges.to_dict("records")}


def _walk(start: str, adj: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path depth of every node reachable from ``start`` (the graph is a DAG)."""
    depth = {start: 0}
    changed = True
    while changed:
        changed = False
        for node, d in list(depth.items()):
            for nxt in adj.get(node, ()):
                if depth.get(nxt, -1) < d + 1:
                    depth[nxt] = d + 1
                    changed = True
    return depth


def _view(name: str, start: str, direction: Direction, depth: dict[str, int], lang: str,
          extra_edges: list[tuple[str, str]] | None = None) -> LineageView:
    nodes = set(depth)
    edges = [(s, t) for s, t in _edges() if s in nodes and t in nodes] + (extra_edges or [])
    frame = pd.DataFrame([{"id": n, "kind": kind_of(n), "label": label_of(n, lang), "depth": d}
                          for n, d in depth.items()], columns=["id", "kind", "label", "depth"])
    metrics = tuple(sorted(n[len("metric:"):] for n in nodes if n.startswith("metric:")))
    consumers = tuple(sorted(n for n in nodes if consumer_kind(n)))
    segment_of: tuple[str, ...] = ()
    if direction == "reverse" and start in SEGMENT_COLUMNS:
        segment_of = ("page:alerts", "sheet:alerts", "chart:funnel", "chart:cusum")
    return LineageView(name, direction, frame.sort_values(["depth", "id"], ignore_index=True),
                       pd.DataFrame(edges, columns=["source", "target"]).drop_duplicates(
                           ignore_index=True), metrics, consumers, segment_of)


def forward(metric_id: str, lang: str = "en") -> LineageView:
    """What ``metric_id`` is computed from (upstream, depth ≥ 0) and which pages, charts and
    sheets show it (depth −1)."""
    get_metric(metric_id)
    start = f"metric:{metric_id}"
    depth = _walk(start, _adjacent(reverse=False))
    shown = [c for c, ms in CONSUMERS.items() if metric_id in ms]
    depth.update({c: -1 for c in shown})
    view = _view(metric_id, start, "forward", depth, lang)
    upstream = tuple(m for m in view.metrics)
    return LineageView(view.name, "forward", view.nodes, view.edges, upstream, tuple(sorted(shown)))


def reverse(node: str, lang: str = "en") -> LineageView:
    """Everything downstream of ``node`` (a ``table.column``, derived column, ``result:``,
    ``param:`` or ``metric:`` node)."""
    if node not in known_nodes():
        raise KeyError(f"unknown lineage node {node!r}: a metric id, table.column "
                       f"(e.g. policies.issue_date), result:NAME or param:NAME")
    depth = _walk(node, _adjacent(reverse=True))
    return _view(node, node, "reverse", depth, lang)


def lineage(name: str, lang: str = "en") -> LineageView:
    """``name`` is a metric id (forward lineage) or any other node (reverse lineage)."""
    bare = name.removeprefix("metric:")
    if bare in REGISTRY and "." not in bare:
        return forward(bare, lang)
    return reverse(name, lang)


def path_between(source: str, target: str) -> list[str]:
    """One shortest path of nodes from ``source`` down to ``target`` (empty when none)."""
    adj = _adjacent(reverse=True)
    previous: dict[str, str | None] = {source: None}
    queue = [source]
    while queue:
        node = queue.pop(0)
        if node == target:
            out = [node]
            while previous[out[-1]] is not None:
                out.append(previous[out[-1]])  # type: ignore[arg-type]
            return out[::-1]
        for nxt in adj.get(node, ()):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return []


def full_graph(lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) of the whole graph; nodes carry ``id``, ``kind`` and ``label``."""
    edges = pd.DataFrame(list(_edges()), columns=["source", "target"])
    ids = sorted(set(edges["source"]) | set(edges["target"]))
    nodes = pd.DataFrame([{"id": n, "kind": kind_of(n), "label": label_of(n, lang)} for n in ids])
    return nodes, edges


# ---- OpenLineage ---------------------------------------------------------------------------

OPENLINEAGE_NAMESPACE = "memberdesk"
PRODUCER = "https://github.com/memberdesk/memberdesk"
RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
COLUMN_LINEAGE_SCHEMA = ("https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"
                         "#/$defs/ColumnLineageDatasetFacet")


def _transformation(column: str) -> dict[str, Any]:
    """OpenLineage transformation of a source column into a metric: numbers are aggregated
    (DIRECT/AGGREGATION), ids join tables (INDIRECT/JOIN), dates, statuses and flags decide
    which rows count (INDIRECT/CONDITIONAL)."""
    table, col = column.split(".", 1)
    kind = schema.TABLE_SPECS[table].column(col).kind if table in schema.TABLE_SPECS and \
        col in schema.TABLE_SPECS[table].column_names else "text"
    if kind == "number":
        return {"type": "DIRECT", "subtype": "AGGREGATION", "description": "", "masking": False}
    if kind == "id":
        return {"type": "INDIRECT", "subtype": "JOIN", "description": "", "masking": False}
    return {"type": "INDIRECT", "subtype": "CONDITIONAL", "description": "", "masking": False}


def column_lineage_facet(metric_ids: list[str] | None = None) -> dict[str, Any]:
    """The ColumnLineageDatasetFacet of the metrics dataset: one field per metric, its input
    fields = the source columns of its lineage (tables as datasets of the memberdesk
    namespace)."""
    fields: dict[str, Any] = {}
    for mid in metric_ids or list(REGISTRY):
        m = get_metric(mid)
        fields[mid] = {
            "inputFields": [{"namespace": OPENLINEAGE_NAMESPACE, "name": c.split(".", 1)[0],
                             "field": c.split(".", 1)[1], "transformations": [_transformation(c)]}
                            for c in m.sources],
            "transformationDescription": m.formula,
            "transformationType": "AGGREGATION",
        }
    return {"_producer": PRODUCER, "_schemaURL": COLUMN_LINEAGE_SCHEMA, "fields": fields}


def openlineage_event(metric_ids: list[str] | None = None, *,
                      when: dt.datetime | None = None) -> dict[str, Any]:
    """An OpenLineage ``COMPLETE`` run event: inputs = the source tables (with their schema
    facet), output = the ``metrics`` dataset with the column-lineage facet."""
    facet = column_lineage_facet(metric_ids)
    tables: dict[str, list[str]] = {}
    for f in facet["fields"].values():
        for i in f["inputFields"]:
            tables.setdefault(i["name"], [])
            if i["field"] not in tables[i["name"]]:
                tables[i["name"]].append(i["field"])
    now = (when or dt.datetime.now(dt.UTC)).isoformat()
    return {
        "eventType": "COMPLETE", "eventTime": now, "producer": PRODUCER,
        "schemaURL": RUN_EVENT_SCHEMA,
        "run": {"runId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"memberdesk-metrics-{now}"))},
        "job": {"namespace": OPENLINEAGE_NAMESPACE, "name": "metrics_registry"},
        "inputs": [{"namespace": OPENLINEAGE_NAMESPACE, "name": t, "facets": {"schema": {
            "_producer": PRODUCER,
            "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json"
                          "#/$defs/SchemaDatasetFacet",
            "fields": [{"name": c} for c in cols]}}} for t, cols in tables.items()],
        "outputs": [{"namespace": OPENLINEAGE_NAMESPACE, "name": "metrics",
                     "facets": {"columnLineage": facet}}],
    }


def derived_columns() -> dict[str, tuple[str, ...]]:
    """Derived column → its inputs (for drawing and tests)."""
    return {k: v[0] for k, v in defs.DERIVED_COLUMNS.items()}


# Inputs that refine a metric when present but do not stop it when absent (a book without a
# claims table has no paid-claim exclusion; without payment_frequency no single premium).
OPTIONAL_INPUTS = frozenset({"claims.policy_id", "claims.status", "claims.settled_at",
                             "policies.payment_frequency", "policies.product",
                             "members.gender"})


def unavailable_metrics(tables: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    """Metrics that cannot be computed on the loaded ``tables`` (name -> frame): metric id ->
    (reason code, params), ``no_table`` {table} when a table its lineage reads is not loaded
    (or empty), inputs in :data:`OPTIONAL_INPUTS` aside. A generic survival table
    (duration/event, no dates) disables every metric that needs policy dates:
    ``generic_policies``."""
    loaded = {t for t, f in tables.items() if f is not None and len(f) > 0}
    policies = tables.get("policies")
    generic = policies is not None and "issue_date" not in getattr(policies, "columns", [])
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for mid, metric in REGISTRY.items():
        for col in metric.sources:
            if col in OPTIONAL_INPUTS:
                continue
            table, name = col.split(".", 1)
            if table not in loaded:
                out[mid] = ("no_table", {"table": table})
                break
            if generic and table == "policies" and name in ("issue_date", "end_date"):
                out[mid] = ("generic_policies", {})
                break
    return out
