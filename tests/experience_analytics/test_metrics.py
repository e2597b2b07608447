"""The metrics registry: complete bilingual entries, valid lineage, no duplicates."""
from __future__ import annotations

import re

import pytest

from memberdesk.analysis import metric_definitions as defs
from memberdesk.analysis.kpis import KPI_IDS
from memberdesk.analysis.metrics import (REGISTRY, UNIT_LABELS, UnknownMetricError,
                                         dictionary_frame, get_metric, lineage_graph, node_kind,
                                         schema_columns)

CHARTED = ("km_survival", "km_median", "logrank_test", "hazard_ratio", "persistency_13",
           "persistency_25", "cohort_retention", "cumulative_incidence", "exposure", "actual",
           "actual_to_expected", "credibility", "benefit_usage_rate", "bot_replacement_rate",
           "human_connection_rate", "csat", "claims_settled_within_5_days")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("metric_id", [*KPI_IDS, *CHARTED])
def test_every_shown_figure_has_a_complete_entry(metric_id: str) -> None:
    m = get_metric(metric_id)
    for text in (m.name_en, m.definition_en, m.formula):
        assert text.strip()
    assert HAN.search(m.name_zh) and HAN.search(m.definition_zh)
    assert m.unit in UNIT_LABELS and m.good_direction in ("up", "down", "neutral")
    assert m.lineage[0].node == f"metric:{metric_id}" and m.lineage[0].inputs


def test_kpi_units_are_the_contract_units() -> None:
    assert {get_metric(k).unit for k in KPI_IDS} <= {"count", "CNY", "ratio", "months", "days"}


def test_lineage_names_only_real_or_declared_columns() -> None:
    columns = schema_columns()
    for m in REGISTRY.values():
        for step in m.lineage:
            for node in (step.node, *step.inputs):
                kind = node_kind(node)
                if kind == "column":
                    assert node in columns, f"{m.id}: {node} is not a schema column"
                elif kind == "parameter":
                    assert node[len("param:"):] in defs.PARAMETERS, node
                elif kind == "result":
                    assert node[len("result:"):] in defs.RESULTS, node
                elif kind == "metric":
                    assert node[len("metric:"):] in REGISTRY, node
        # every chain ends in source columns
        assert m.sources, m.id
    for derived, (inputs, _, _) in defs.DERIVED_COLUMNS.items():
        table = derived.split(".")[0]
        assert table in {"policies", "members", "benefit_usage", "service_contacts", "claims"}
        assert inputs
    # only `event` is both: a source column of generic survival tables and, for dated
    # policies, derived from the exit status (the Dataset's policies view overwrites it)
    assert set(defs.DERIVED_COLUMNS) & columns == {"policies.event"}


def test_no_duplicate_ids_or_names() -> None:
    ids = list(defs.METRICS)
    assert len(ids) == len(set(ids)) == len(REGISTRY)
    for lang in ("name_en", "name_zh"):
        names = [getattr(m, lang) for m in REGISTRY.values()]
        assert len(names) == len(set(names)), lang


def test_chinese_terminology() -> None:
    assert "继续率" in get_metric("persistency_13").name_zh
    assert get_metric("bot_replacement_rate").name_zh == "智能客服替代率"
    assert get_metric("human_connection_rate").name_zh == "人工接通率"
    assert "风险比" in get_metric("hazard_ratio").name_zh
    assert "暴露数" in get_metric("exposure").name_zh
    assert "实际/预期" in get_metric("actual_to_expected").name_zh
    assert "删失" in get_metric("median_claim_settlement_days").definition_zh
    assert "退保" in get_metric("lapse_rate_annualised").name_zh
    assert defs.TERMS["dictionary"][1] == "数据指标字典" and defs.TERMS["lineage"][1] == "指标血缘"


def test_unknown_metric_error_is_clear() -> None:
    with pytest.raises(KeyError) as info:
        get_metric("persistency_14")
    assert isinstance(info.value, UnknownMetricError)
    assert "persistency_14" in str(info.value) and "persistency_13" in str(info.value)


def test_lineage_graph_layers_metric_to_columns() -> None:
    g = lineage_graph("actual_to_expected")
    nodes = g.nodes.set_index("id")
    assert nodes.loc["metric:actual_to_expected", "depth"] == 0
    assert nodes.loc["metric:actual", "depth"] == 1
    assert nodes.loc["policies.end_date", "kind"] == "column"
    assert nodes.loc["policies.duration_days" if "policies.duration_days" in nodes.index
                     else "policies.exit_date", "kind"] == "derived"
    # every edge points from a deeper node to a shallower one (drawable left to right)
    depth = nodes["depth"]
    assert all(depth[s] > depth[t] for s, t in zip(g.edges["source"], g.edges["target"]))
    assert set(g.edges["source"]) | set(g.edges["target"]) == set(nodes.index)
    zh = lineage_graph("persistency_13", lang="zh_CN").nodes.set_index("id")
    assert zh.loc["result:persistency_cohort", "label"] == "继续率考核保单"


def test_dictionary_frames() -> None:
    en, zh = dictionary_frame("en"), dictionary_frame("zh_CN")
    assert len(en) == len(zh) == len(REGISTRY)
    assert list(en["id"]) == list(zh["id"])
    row = zh.set_index("id").loc["bot_replacement_rate"]
    assert row["name"] == "智能客服替代率" and row["unit"] == "比率"
    assert "service_contacts.handled_by" in en.set_index("id").loc["bot_replacement_rate", "sources"]
    with pytest.raises(ValueError):
        dictionary_frame("fr")
