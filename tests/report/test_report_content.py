"""The report's sheets, tables and charts present the analysis results they came from."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from memberdesk.analysis.experience import experience_study
from memberdesk.analysis.kpis import compute_kpis
from memberdesk.analysis.service import service_summary
from memberdesk.analysis.survival import km_by_segment
from memberdesk.report import report_strings as rs
from memberdesk.report.workbook import write_report

EN_SHEETS = ["Dashboard", "Contents", "Summary", "Alerts", "Retention", "Persistency", "Cohorts", "Drivers",
             "Retention list", "Projection",
             "Decrements", "Experience", "Benefits", "Service", "Claims", "Data quality",
             "Definitions", "Data (long)"]
# a second long table prints on a sheet of its own, right after its page's sheet (issue 17
# B.5: print titles repeat one header row per sheet)
CONTINUED = {"Persistency": ["Persistency 25th month"],
             "Experience": ["Experience by segment", "Benefit utilisation"]}


def with_continued(names: list[str], continued: dict[str, list[str]]) -> list[str]:
    return [x for n in names for x in [n, *continued.get(n, [])]]


@pytest.fixture(scope="module")
def report_en(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rep") / "report.xlsx"
    write_report(small_dataset, path)
    return load_workbook(path)


@pytest.fixture(scope="module")
def report_zh(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rep") / "报告.xlsx"
    write_report(small_dataset, path, lang="zh_CN")
    return load_workbook(path)


def test_sheets_in_contract_order(report_en) -> None:  # type: ignore[no-untyped-def]
    assert report_en.sheetnames == with_continued(EN_SHEETS, CONTINUED)


def test_every_sheet_has_a_title_block_with_the_as_of_date(report_en) -> None:  # type: ignore[no-untyped-def]
    for ws in report_en.worksheets:
        assert ws["A1"].value == "MemberDesk member-lifecycle report"
        assert ws["A2"].value  # the sheet subject
        assert "2024-12-31" in ws["A3"].value


def test_retention_table_equals_km_by_segment(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    expected = km_by_segment(small_dataset, "channel", unit="months").survival_at_times
    headers, rows = rh.find_table(report_en["Retention"], "Group")
    assert len(rows) == len(expected) == 12  # 3 channels x 4 times
    np.testing.assert_allclose(rh.column(headers, rows, "Survival (%)"), expected["survival"])
    np.testing.assert_allclose(rh.column(headers, rows, "95% CI lower"), expected["ci_lower"])
    np.testing.assert_allclose(rh.column(headers, rows, "95% CI upper"), expected["ci_upper"])
    assert rh.column(headers, rows, "Months since issue") == [12, 24, 36, 60] * 3
    assert rh.column(headers, rows, "Group")[:4] == ["agency"] * 4


def test_logrank_shown_equals_analysis(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    lr = km_by_segment(small_dataset, "channel").logrank
    headers, rows = rh.find_table(report_en["Retention"], "Test statistic (χ²)")
    assert rows[0][0] == pytest.approx(lr.test_statistic)
    assert rows[0][2] == pytest.approx(lr.p_value)


def test_summary_kpis_equal_compute_kpis(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    kpis = compute_kpis(small_dataset)
    headers, rows = rh.find_table(report_en["Summary"], "Key figure")
    assert len(rows) == len(kpis.kpis)
    for row, kpi in zip(rows, kpis.kpis):
        value, previous = row[headers.index("Value")], row[headers.index(
            f"Previous (as of {kpis.previous_as_of.date().isoformat()})")]
        assert (value is None) == (kpi.value is None)
        if kpi.value is not None:
            assert value == pytest.approx(kpi.value)
        if kpi.previous is not None:
            assert previous == pytest.approx(kpi.previous)


def test_experience_table_equals_experience_study(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    expected = experience_study(small_dataset).to_frame(with_total=True)
    headers, rows = rh.find_table(report_en["Experience"], "Policy year")
    assert len(rows) == len(expected)
    np.testing.assert_allclose(rh.column(headers, rows, "Exposure (policy-years)"),
                               expected["exposure"])
    assert rh.column(headers, rows, "Actual (number)") == [int(a) for a in expected["actual"]]
    assert rows[-1][0] == "Total"


def test_service_window_equals_service_summary(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    window = service_summary(small_dataset).window.iloc[0]
    headers, rows = rh.find_table(report_en["Service"], "Measure")  # one row per figure
    values = {r[0]: r[1] for r in rows}
    assert values["Bot replacement rate"] == pytest.approx(window["bot_replacement_rate"])
    assert values["Human connection rate"] == pytest.approx(window["human_connection_rate"])


def test_charts_exist_and_reference_their_tables(report_en, rh) -> None:  # type: ignore[no-untyped-def]
    ws = report_en["Retention"]
    (km,) = rh.chart_ranges(ws)
    # x = the month column of the curve grid, y = one column per channel, titled by its header
    headers, rows = rh.find_table(ws, "Months since issue")
    header_row = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Months since issue"
                      and ws.cell(r, 2).value == "agency")
    first, last = header_row + 1, header_row + len(rows)
    assert f"'Retention'!$A${first}:$A${last}" in km
    assert f"'Retention'!$B${first}:$B${last}" in km
    assert f"'Retention'!$D${first}:$D${last}" in km
    assert ws.cell(header_row, 2).value == "agency" and ws.cell(header_row, 4).value == "online"
    # the chart's y values are the curve grid: S(t) at whole months, first row t = 0
    assert rows[0][0] == 0
    assert all(0.0 <= v <= 1.0 for r in rows for v in r[1:] if v is not None)
    chart = ws._charts[0]
    assert chart.x_axis.title is not None and chart.y_axis.title is not None
    for sheet in ("Persistency", "Experience", "Benefits", "Service", "Claims"):
        ranges = rh.chart_ranges(report_en[sheet])
        assert ranges, f"no chart on {sheet}"
        assert all(r.startswith(f"'{sheet}'!") for chart_refs in ranges for r in chart_refs)


def test_no_cell_holds_a_formula(report_en, report_zh) -> None:  # type: ignore[no-untyped-def]
    for wb in (report_en, report_zh):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"


def test_zh_report_is_chinese(report_zh, rh) -> None:  # type: ignore[no-untyped-def]
    # the Contents sheet (目录, issue 17 B.5) follows the Dashboard; it is no page's sheet
    # and the long data sheet (长表数据, issue 17 B.9) comes last
    continued = ("第25个月继续率", "经验分析（分群）", "权益使用经验")  # (sheets of long tables)
    assert [n for n in report_zh.sheetnames if n not in ("目录", "长表数据", *continued)] == [
        rs.sheet_name(k, "zh_CN") for k in rs.SHEET_ORDER]
    assert set(continued) <= set(report_zh.sheetnames)
    assert report_zh.sheetnames[:3] == ["仪表板", "目录", "经营管理驾驶舱"]
    assert "继续率" in report_zh.sheetnames and "数据指标字典" in report_zh.sheetnames
    headers, _ = rh.find_table(report_zh[rs.sheet_name("retention", "zh_CN")], "分组")
    assert "生存率（%）" in headers and "风险集保单数（件）" in headers
    headers, _ = rh.find_table(report_zh[rs.sheet_name("experience", "zh_CN")], "保单年度")
    # (without an expected-rate table the blank A/E columns are left out; with one their
    # headers are checked in test_audit_values)
    assert "暴露数（保单年）" in headers and "实际发生率（%）" in headers  # the registry's name
    drivers = rh.all_text(report_zh[rs.sheet_name("drivers", "zh_CN")])
    assert "风险比" in drivers
    (km,) = report_zh[rs.sheet_name("retention", "zh_CN")]._charts
    title = "".join(r.t for p in km.title.tx.rich.p for r in (p.r or []))
    assert "生存曲线" in title


def test_formatting_print_setup_and_properties(report_en, rh) -> None:  # type: ignore[no-untyped-def]
    ws = report_en["Retention"]
    # the main table is an Excel Table with its own filter (issue 17 B.9)
    assert ws.freeze_panes is not None and (ws.auto_filter.ref or ws.tables)
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert "2024-12-31" in ws.oddHeader.right.text
    headers, rows = rh.find_table(ws, "Group")
    row = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Group") + 1
    assert ws.cell(row, headers.index("Survival (%)") + 1).number_format == "0.0%"
    props = report_en.properties
    assert props.creator == "MemberDesk" and "2024-12-31" in props.subject and props.title


def test_cohort_matrix_blank_where_unobserved_with_colour_scale(report_en) -> None:  # type: ignore[no-untyped-def]
    ws = report_en["Cohorts"]
    assert len(ws.conditional_formatting) == 1
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    # the newest cohort is observed for few months: the right of its row is blank
    assert ws.cell(last, ws.max_column).value is None


def test_a_broken_analysis_fails_the_report_loudly(tmp_path: Path, small_dataset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No "not available in this version" scaffolding (#12 point 5): a bug in an analysis is not
    turned into a quiet note in a sheet, and no half-written workbook is left behind."""
    import memberdesk.analysis.cohorts as cohorts

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the cohort analysis")

    monkeypatch.setattr(cohorts, "cohort_retention", broken)
    with pytest.raises(RuntimeError, match="a bug in the cohort analysis"):
        write_report(small_dataset, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_absent_table_is_said_in_the_sheet(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    ds = rh.make_dataset(120)
    ds = type(ds)(validated={"policies": ds.validated["policies"]}, as_of=ds.as_of)
    wb = load_workbook(write_report(ds, tmp_path / "r.xlsx"))
    # (no benefit uses: no benefit-utilisation sheet)
    assert wb.sheetnames == with_continued(EN_SHEETS, {**CONTINUED,
                                                       "Experience": ["Experience by segment"]})
    assert wb["Claims"]["A5"].value == "No claims table was loaded, so this sheet has no figures."
    assert "service contacts" in wb["Service"]["A5"].value


def test_sample_book_report(tmp_path: Path) -> None:
    from memberdesk.core.loader import load_dataset

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    ds = load_dataset(sorted(sample.glob("*.csv")))
    wb = load_workbook(write_report(ds, tmp_path / "sample.xlsx", lang="zh_CN"))
    # + Contents, Data (long), and the sheets of second long tables: Persistency's 25th month
    # and collected-premium months, Experience's split and benefit utilisation
    assert len(wb.sheetnames) == len(rs.SHEET_ORDER) + 2 + 5
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_projection_marks_the_lowest_aic(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.analysis.parametric import fit_parametric

    fits = fit_parametric(small_dataset, horizon_months=120).fits
    headers, rows = rh.find_table(report_en["Projection"], "Model")
    np.testing.assert_allclose(rh.column(headers, rows, "AIC"), fits["aic"])
    best = [r[0] for r in rows if r[headers.index("Best")]]
    assert best == list(fits.loc[fits["best"], "label"])
    assert rh.chart_ranges(report_en["Projection"])


def test_decrements_equal_cumulative_incidence(report_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.analysis.competing import cumulative_incidence

    at = cumulative_incidence(small_dataset).at_times([12, 24, 36, 60])
    headers, rows = rh.find_table(report_en["Decrements"], "Cause")
    assert len(rows) == len(at)
    np.testing.assert_allclose(rh.column(headers, rows, "Cumulative incidence (%)"), at["cif"])
    assert rh.column(headers, rows, "Cause")[0] == "Lapse"
