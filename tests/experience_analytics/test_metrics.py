"""The metrics registry: complete bilingual entries, valid lineage, no duplicates."""
from __future__ import annotations

import re

import pytest

from memberdesk.analysis import metric_definitions as defs
from memberdesk.analysis.kpis import KPI_IDS
from memberdesk.analysis.metrics import (
    REGISTRY,
    UNIT_LABELS,
    UnknownMetricError,
    dictionary_frame,
    get_metric,
    lineage_graph,
    node_kind,
    schema_columns,
)

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
    assert row["name"] == "智能客服替代率" and row["unit"] == "%"  # a share: what the reader sees
    assert "service_contacts.handled_by" in en.set_index("id").loc["bot_replacement_rate", "sources"]
    with pytest.raises(ValueError):
        dictionary_frame("fr")


# Words an English formula may keep in its Chinese version: data column ids, status values and
# the symbols' subscripts. Anything else in Latin letters is an untranslated word.
KEPT_LATIN = {"member_id", "annual_premium", "issue_date", "transferred_to_human", "handled_by",
              "human", "bot", "connected", "satisfaction", "resolved", "wait_seconds", "cost",
              "exit_status", "amount_paid", "amount_claimed", "status", "paid", "exp",
              "user", "ever_user", "exposed", "S_open", "min", "CIF", "Cox", "KM", "Kaplan", "Meier",
              "S", "t", "d",
              "m", "n", "i", "k", "y", "q", "A", "Z", "O", "E", "V"}


@pytest.mark.parametrize("metric_id", sorted(REGISTRY))
def test_every_metric_has_a_chinese_formula(metric_id: str) -> None:
    m = get_metric(metric_id)
    assert m.formula.strip() and not HAN.search(m.formula), "formula stays English"
    assert HAN.search(m.formula_zh), f"{metric_id}: formula_zh has no Chinese"
    assert m.formula_zh != m.formula
    leftover = {w.strip("_") for w in re.findall(r"[A-Za-z_]+", m.formula_zh)} - KEPT_LATIN
    assert not leftover, f"{metric_id}: untranslated words {leftover} in {m.formula_zh!r}"
    # column ids named in the English formula are kept verbatim in the Chinese one
    for column in ("member_id", "annual_premium", "issue_date", "wait_seconds", "amount_paid",
                   "amount_claimed", "transferred_to_human", "handled_by", "exit_status"):
        if re.search(rf"\b{column}\b", m.formula):
            assert column in m.formula_zh, f"{metric_id}: {column} missing from formula_zh"
    assert m.formula_text("zh_CN") == m.formula_zh and m.formula_text("en") == m.formula
    # the metric's own lineage step carries the formula as its note, in both languages
    assert (m.lineage[0].note_en, m.lineage[0].note_zh) == (m.formula, m.formula_zh)


def test_dictionary_formula_column_follows_the_language() -> None:
    en = dictionary_frame("en").set_index("id")["formula"]
    zh = dictionary_frame("zh_CN").set_index("id")["formula"]
    assert en.to_dict() == {mid: m.formula for mid, m in REGISTRY.items()}
    assert zh.to_dict() == {mid: m.formula_zh for mid, m in REGISTRY.items()}
    assert zh.map(lambda f: bool(HAN.search(f))).all()
    assert not en.map(lambda f: bool(HAN.search(f))).any()
    # hand-written spot checks of the wording
    assert zh["in_force_members"] == "有效保单对应的 member_id 去重计数"
    assert zh["actual_to_expected"] == "实际发生数 ÷ 预期发生数"
    assert "人工队列" in zh["human_connection_rate"] and "connected" in zh["human_connection_rate"]
    assert zh["claims_settled_within_10_days"].startswith("1 − S_open(10)，")


def test_chinese_uses_insurance_statistics_terms() -> None:
    zh_text = " ".join(f"{m.name_zh} {m.definition_zh} {m.formula_zh}" for m in REGISTRY.values())
    zh_text += " ".join(str(r[1]) + str(r[4]) for r in defs.RESULTS.values())
    zh_text += " ".join(p[1] for p in defs.PARAMETERS.values())
    # landmark analysis is 界标分析 (as the UI and the report say); 地标 is a geographic landmark
    assert "地标" not in zh_text and "界标" in zh_text
    for term in ("继续率", "退保", "失效", "理赔", "权益", "智能客服替代率", "人工接通率", "风险比",
                 "生存曲线", "删失", "暴露数", "实际/预期", "可信度", "保单年度"):
        assert term in zh_text, term
    assert get_metric("termination_rate").name_zh == "实际发生率"
    assert "退保" in get_metric("service_lapse_hr").name_zh
