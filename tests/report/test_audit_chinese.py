"""The Chinese report leaves no English from the analyses: KPI reasons, "All"/"Total" rows,
model names, covariate names, time origins and the percentage-point unit are translated."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from memberdesk.analysis.kpis import EMPTY_REASONS
from memberdesk.core.reasons import Reason
from memberdesk.report import analysis_terms as terms
from memberdesk.report import report_strings as rs
from memberdesk.report.workbook import write_report

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    return load_workbook(write_report(small_dataset, tmp_path_factory.mktemp("zh") / "r.xlsx",
                                      lang="zh_CN"))


def sheet(wb, key: str):  # type: ignore[no-untyped-def]
    return wb[rs.sheet_name(key, "zh_CN")]


@pytest.mark.parametrize("kpi_id", sorted(EMPTY_REASONS))
def test_every_kpi_reason_has_chinese(kpi_id: str) -> None:
    zh = terms.reason(EMPTY_REASONS[kpi_id], "zh_CN")
    assert zh and not LATIN_WORD.search(zh), zh
    assert terms.reason(EMPTY_REASONS[kpi_id], "en") == str(EMPTY_REASONS[kpi_id])


def test_service_column_reason_names_the_column_in_chinese() -> None:
    reason = Reason("missing_column", table="service_contacts", column="satisfaction")
    assert terms.reason(reason, "zh_CN") == "服务记录数据无满意度字段"
    assert terms.reason(reason, "en") == "service contacts have no satisfaction column"


def test_kpi_change_of_shares_in_percentage_points(zh) -> None:  # type: ignore[no-untyped-def]
    formats = {c.number_format for row in sheet(zh, "summary").iter_rows() for c in row}
    assert any("个百分点" in f for f in formats) and not any('" pp"' in f for f in formats)


def test_model_names_and_total_row_in_chinese(zh, rh) -> None:  # type: ignore[no-untyped-def]
    _, rows = rh.find_table(sheet(zh, "projection"), "模型")
    assert {r[0] for r in rows} <= {"指数分布", "威布尔分布", "对数正态分布", "对数逻辑分布"}
    _, rows = rh.find_table(sheet(zh, "experience"), "保单年度")
    assert rows[-1][0] == "合计"


def test_covariates_all_rows_and_time_origin_in_chinese(zh, rh) -> None:  # type: ignore[no-untyped-def]
    texts = rh.all_text(sheet(zh, "drivers"))
    covariates = [t for t in texts if " = " in t and t.split(" = ")[0] in ("渠道", "产品")]
    assert covariates, texts
    assert not any(t.startswith(("channel=", "product=")) for t in texts)
    benefits = rh.all_text(sheet(zh, "benefits"))
    assert "全部" in benefits and "all" not in benefits
    assert "生效日" in benefits and "issue" not in benefits
    claims = rh.all_text(sheet(zh, "claims"))
    assert "全部" in claims and "all" not in claims


def test_english_report_keeps_analysis_words(tmp_path, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx"))
    _, rows = rh.find_table(wb["Projection"], "Model")
    assert "Weibull" in {r[0] for r in rows}
    assert "Channel = bank" in rh.all_text(wb["Drivers"])


def test_persistency_whole_book_row_in_chinese(zh, rh) -> None:  # type: ignore[no-untyped-def]
    headers, rows = rh.find_table(sheet(zh, "persistency"), "期间")
    segments = rh.column(headers, rows, "分组")
    assert "全部" in segments and "All" not in segments


def test_rejection_reasons_without_english_descriptions(tmp_path, rh) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.core.validation_report import TableReport, ValidationReport

    ds = rh.make_dataset(100)
    report = ValidationReport(tables=[TableReport("policies", ["p.csv"], 101, 100, 1,
                                                  {"negative_amount": 1})])
    ds = type(ds)(validated=ds.validated, as_of=ds.as_of, report=report)
    ws = load_workbook(write_report(ds, tmp_path / "r.xlsx", lang="zh_CN"))["数据质量"]
    texts = rh.all_text(ws)
    assert "金额为负" in texts
    assert not any("negative" in t.lower() for t in texts)
