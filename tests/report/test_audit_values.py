"""Every sheet presents its analysis result: the numbers in the workbook equal the result the
analysis returns when called directly (Persistency, Cohorts, Drivers, Benefits, Claims, A/E with
an expected table, Data quality). Complements test_report_content.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from memberdesk.analysis.benefits import benefit_usage
from memberdesk.analysis.claims import claim_settlement
from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.experience import experience_study, read_expected_table
from memberdesk.analysis.persistency import persistency
from memberdesk.report.sheets_models import driver_covariates
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module")
def expected_table(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("exp") / "expected.csv"
    path.write_text("policy_year,rate\n" + "".join(f"{y},{0.05 + 0.01 * y}\n" for y in range(1, 12)))
    return read_expected_table(path)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset, expected_table):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("val") / "r.xlsx"
    return load_workbook(write_report(small_dataset, path, expected=expected_table))


def test_persistency_equals_analysis(book, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    result = persistency(small_dataset, month=13, period="year", by="channel").to_frame()
    headers, rows = rh.find_table(book["Persistency"], "Period")
    assert len(rows) == len(result)
    np.testing.assert_allclose(np.array(rh.column(headers, rows, "Persistency, premium (%)"),
                                        dtype=float), result["ratio_premium"].to_numpy(float))
    assert rh.column(headers, rows, "Cohort policies (number)") == list(result["cohort_count"])


def test_cohort_matrix_equals_analysis(book, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    result = cohort_retention(small_dataset)
    headers, rows = rh.find_table(book["Cohorts"], "Issue month")
    assert len(rows) == len(result.shares)
    assert [r[1] for r in rows] == list(result.sizes)
    for k in (0, 6, 12):
        got = np.array([np.nan if v is None else v for v in rh.column(headers, rows, str(k))],
                       dtype=float)
        np.testing.assert_allclose(got, result.shares[k].to_numpy(float), equal_nan=True)


def test_hazard_ratios_equal_fit_cox(book, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from memberdesk.report.context import ReportContext

    ctx = ReportContext(ds=small_dataset, lang="en", segment="channel", include_personal=False,
                        generated_at=dt.datetime(2025, 1, 1))
    table = fit_cox(small_dataset, driver_covariates(ctx)).to_frame()
    headers, rows = rh.find_table(book["Drivers"], "Covariate")
    assert len(rows) == len(table)
    np.testing.assert_allclose(rh.column(headers, rows, "Hazard ratio"), table["hazard_ratio"])
    np.testing.assert_allclose(rh.column(headers, rows, "p-value"), table["p_value"])


def test_benefit_segments_equal_analysis(book, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    seg = benefit_usage(small_dataset).segments
    headers, rows = rh.find_table(book["Benefits"], "Segment")
    assert len(rows) == len(seg)
    np.testing.assert_allclose(rh.column(headers, rows, "Benefit usage rate (%)"),
                               seg["usage_rate"])


def test_claims_equal_claim_settlement(book, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    summary = claim_settlement(small_dataset, by="product").summary
    # the all-claims row last, as "All" (a total kept outside the Excel Table, issue 17 B.9)
    summary = pd.concat([summary[summary["segment"] != "all"],
                         summary[summary["segment"] == "all"].assign(segment="All")])
    headers, rows = rh.find_table(book["Claims"], "Segment")
    assert [r[0] for r in rows] == list(summary["segment"])
    assert rh.column(headers, rows, "Claims (number)") == list(summary["claims"])


def test_ae_with_expected_table(book, small_dataset, expected_table, rh) -> None:  # type: ignore[no-untyped-def]
    result = experience_study(small_dataset, expected=expected_table).to_frame(with_total=True)
    headers, rows = rh.find_table(book["Experience"], "Policy year")
    np.testing.assert_allclose(rh.column(headers, rows, "A/E (%)"), result["ae"])
    # hand check of one row: A/E = actual / (exposure x expected rate of that policy year)
    year1 = rows[0]
    ae = year1[headers.index("Actual (number)")] / (
        year1[headers.index("Exposure (policy-years)")] * 0.06)
    assert year1[headers.index("A/E (%)")] == pytest.approx(ae)
    # with expected rates the chart shows A/E by policy year (the total row left out)
    from openpyxl.utils import get_column_letter

    ws = book["Experience"]
    header_row = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Policy year")
    ae_col = get_column_letter(headers.index("A/E (%)") + 1)
    first, last = header_row + 1, header_row + len(rows) - 1
    assert f"'Experience'!${ae_col}${first}:${ae_col}${last}" in rh.chart_ranges(ws)[0]


def test_data_quality_counts_equal_the_validation_report(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.core.loader import load_dataset

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    ds = load_dataset([sample / "policies.csv", sample / "claims.csv"])
    wb = load_workbook(write_report(ds, tmp_path / "r.xlsx"))
    headers, rows = rh.find_table(wb["Data quality"], "Table")
    got = {r[0]: (r[headers.index("Read (rows)")], r[headers.index("Accepted (rows)")],
                  r[headers.index("Rejected (rows)")]) for r in rows}
    for t in ds.report.tables:
        assert got[t.table] == (t.read, t.accepted, t.rejected)
    # the policies file has one data row per line after the header
    n_lines = len((sample / "policies.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert got["policies"][0] == n_lines
