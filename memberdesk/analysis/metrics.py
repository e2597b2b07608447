"""The metrics registry (数据指标字典) and metric lineage (指标血缘), the metric dictionary, docs/lineage.md.

Every figure the cockpit (经营管理驾驶舱), the analysis pages and the Excel report show is a
:class:`Metric` registered here with its names, definitions, formula, unit, good direction and
lineage. The definitions themselves are data in :mod:`memberdesk.analysis.metric_definitions`.

Lineage nodes are strings:

* ``"metric:<id>"`` — a registered metric;
* ``"result:<name>"`` — an intermediate result (a KM curve, a persistency cohort, …);
* ``"<table>.<column>"`` — a canonical column of :mod:`memberdesk.core.schema`, or a derived
  column declared in ``DERIVED_COLUMNS`` (e.g. ``policies.duration_days``);
* ``"param:<name>"`` — a user setting (as-of date, event statuses, …).

``Metric.lineage`` holds the full chain as :class:`LineageStep` s (each node with the nodes it is
computed from), starting at the metric itself; :func:`lineage_graph` turns it into nodes and
edges a view can draw left to right.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from memberdesk.analysis import metric_definitions as defs
from memberdesk.core import schema

Lang = Literal["en", "zh_CN"]
NodeKind = Literal["metric", "result", "derived", "column", "parameter"]
TERMS = defs.TERMS
UNIT_LABELS = defs.UNIT_LABELS


@dataclass(frozen=True)
class LineageStep:
    """``node`` is computed from ``inputs`` (node strings, see module doc)."""

    node: str
    inputs: tuple[str, ...]
    note_en: str = ""
    note_zh: str = ""


@dataclass(frozen=True)
class Metric:
    """A registered metric. ``unit`` is one of :data:`UNIT_LABELS`; ``good_direction`` is
    "up", "down" or "neutral"; ``category`` groups the dictionary (cockpit, retention, …).
    ``formula`` is the English formula, ``formula_zh`` the Chinese one (use
    :meth:`formula_text` to pick by language)."""

    id: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str
    formula: str
    unit: str
    good_direction: Literal["up", "down", "neutral"]
    lineage: tuple[LineageStep, ...]
    category: str = "cockpit"
    formula_zh: str = ""

    def formula_text(self, lang: str = "en") -> str:
        """The formula in ``lang``: :attr:`formula_zh` for "zh_CN" (English if it is empty),
        else the English :attr:`formula`."""
        return self.formula_zh if lang == "zh_CN" and self.formula_zh else self.formula

    def name(self, lang: str = "en") -> str:
        return self.name_zh if lang == "zh_CN" else self.name_en

    def definition(self, lang: str = "en") -> str:
        return self.definition_zh if lang == "zh_CN" else self.definition_en

    @property
    def sources(self) -> tuple[str, ...]:
        """Source ``table.column`` s (canonical columns only) the metric depends on."""
        out = []
        for step in self.lineage:
            for node in step.inputs:
                if node_kind(node) == "column" and node not in out:
                    out.append(node)
        return tuple(out)


class UnknownMetricError(KeyError):
    """Raised by :func:`get_metric` for an id that is not registered."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown metric"


def node_kind(node: str) -> NodeKind:
    if node.startswith("metric:"):
        return "metric"
    if node.startswith("result:"):
        return "result"
    if node.startswith("param:"):
        return "parameter"
    if node in defs.DERIVED_COLUMNS:
        return "derived"
    return "column"


def _node_inputs(node: str) -> tuple[tuple[str, ...], str, str]:
    if node in defs.DERIVED_COLUMNS:
        return defs.DERIVED_COLUMNS[node]
    if node.startswith("result:"):
        return defs.RESULTS[node[len("result:"):]][2:]
    if node.startswith("metric:"):
        return defs.METRICS[node[len("metric:"):]].inputs, "", ""
    return (), "", ""


def _expand(metric_id: str) -> tuple[LineageStep, ...]:
    first = defs.METRICS[metric_id]
    steps = [LineageStep(f"metric:{metric_id}", first.inputs, first.formula, first.formula_zh)]
    seen = {steps[0].node}
    queue = list(steps[0].inputs)
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.add(node)
        inputs, note_en, note_zh = _node_inputs(node)
        if inputs:
            steps.append(LineageStep(node, tuple(inputs), note_en, note_zh))
            queue.extend(inputs)
    return tuple(steps)


def _build() -> dict[str, Metric]:
    out = {}
    for mid, d in defs.METRICS.items():
        out[mid] = Metric(id=mid, name_en=d.name_en, name_zh=d.name_zh,
                          definition_en=d.definition_en, definition_zh=d.definition_zh,
                          formula=d.formula, unit=d.unit, good_direction=d.good,
                          lineage=_expand(mid), category=d.category, formula_zh=d.formula_zh)
    return out


REGISTRY: dict[str, Metric] = _build()


def get_metric(metric_id: str) -> Metric:
    """The registered metric ``metric_id``; :class:`UnknownMetricError` (a KeyError) names the
    id and lists the known ones otherwise."""
    try:
        return REGISTRY[metric_id]
    except KeyError:
        raise UnknownMetricError(f"unknown metric {metric_id!r}; known metrics: "
                                 f"{', '.join(sorted(REGISTRY))}") from None


def node_label(node: str, lang: str = "en") -> str:
    """Human label of a lineage node in ``lang``."""
    kind = node_kind(node)
    if kind == "metric":
        return get_metric(node[len("metric:"):]).name(lang)
    if kind == "result":
        en, zh = defs.RESULTS[node[len("result:"):]][:2]
        return str(zh if lang == "zh_CN" else en)
    if kind == "parameter":
        en, zh = defs.PARAMETERS[node[len("param:"):]]
        return zh if lang == "zh_CN" else en
    return node


@dataclass(frozen=True)
class LineageGraph:
    """Nodes (``id``, ``kind``, ``label``, ``depth`` = steps from the metric) and edges
    (``source`` → ``target``: source is used to compute target)."""

    metric_id: str
    nodes: pd.DataFrame
    edges: pd.DataFrame

    def to_json(self) -> dict[str, object]:
        return {"metric": self.metric_id, "nodes": self.nodes.to_dict("records"),
                "edges": self.edges.to_dict("records")}


def lineage_graph(metric_id: str, lang: str = "en") -> LineageGraph:
    """The lineage of ``metric_id`` as drawable nodes and edges (metric at depth 0, its inputs
    at depth 1, …; a node reached by several paths sits at its deepest depth)."""
    metric = get_metric(metric_id)
    root = f"metric:{metric_id}"
    depth = {root: 0}
    edges = []
    changed = True
    while changed:  # longest-path layering on a small DAG
        changed = False
        for step in metric.lineage:
            for src in step.inputs:
                d = depth.get(step.node, 0) + 1
                if depth.get(src, -1) < d:
                    depth[src] = d
                    changed = True
    for step in metric.lineage:
        edges += [{"source": src, "target": step.node} for src in step.inputs]
    nodes = pd.DataFrame([{"id": n, "kind": node_kind(n), "label": node_label(n, lang),
                           "depth": d} for n, d in depth.items()])
    return LineageGraph(metric_id, nodes.sort_values(["depth", "id"], ignore_index=True),
                        pd.DataFrame(edges, columns=["source", "target"]).drop_duplicates(
                            ignore_index=True))


DICTIONARY_COLUMNS: tuple[str, ...] = ("id", "category", "name", "definition", "formula", "unit",
                                       "good_direction", "sources")


def dictionary_frame(lang: str = "en") -> pd.DataFrame:
    """The data dictionary (数据指标字典) in ``lang`` ("en" or "zh_CN"): one row per metric
    with :data:`DICTIONARY_COLUMNS`; display headers are in :func:`dictionary_headers`."""
    if lang not in ("en", "zh_CN"):
        raise ValueError(f"lang must be 'en' or 'zh_CN', not {lang!r}")
    zh = lang == "zh_CN"
    rows = []
    for m in REGISTRY.values():
        rows.append({
            "id": m.id,
            "category": defs.CATEGORIES[m.category][1 if zh else 0],
            "name": m.name(lang), "definition": m.definition(lang),
            "formula": m.formula_text(lang),
            "unit": UNIT_LABELS[m.unit][1 if zh else 0],
            "good_direction": defs.DIRECTIONS[m.good_direction][1 if zh else 0],
            "sources": ", ".join(m.sources),
        })
    return pd.DataFrame(rows, columns=list(DICTIONARY_COLUMNS))


def dictionary_headers(lang: str = "en") -> dict[str, str]:
    """Display header of each :data:`DICTIONARY_COLUMNS` column in ``lang``."""
    i = 1 if lang == "zh_CN" else 0
    return {c: defs.DICTIONARY_HEADERS[c][i] for c in DICTIONARY_COLUMNS}


def schema_columns() -> set[str]:
    """Every canonical ``table.column`` (what a lineage leaf may name, with the derived ones)."""
    return {f"{t}.{c}" for t, spec in schema.TABLE_SPECS.items() for c in spec.column_names}
