"""Every page's "Compare with…" reaches its own sheet (issue 17 C.18).

A workspace compares Retention (by product type) against a pinned filter set and Persistency
(25th month, by channel) against another as-of date; the Cockpit does not compare.
``report --workspace W`` writes a "what changed" table on the Retention sheet and one on the
Persistency sheet, and nothing on the Summary. Each column equals the comparison computed here
with the analysis functions (:func:`memberdesk.analysis.compare.compare_filters` /
:func:`~memberdesk.analysis.compare.compare_as_of`, on a dataset loaded here: the command
reloads the data and rebuilds the options from the saved file). Rates are written as fractions
and their change in percentage points (× 100); an infinite median (not reached) is a blank
cell, and so is a change without a finite value; a figure missing on one side is blank.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_as_of, compare_filters
from memberdesk.core.dataset import Filters
from memberdesk.core.loader import load_dataset
from memberdesk.core.workspace import CompareView, Workspace
from memberdesk.report.report_options import CompareRef, ReportOptions

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AGENCY = Filters(channel=("agency",))
REFERENCE = "2024-06-30"


def comparison_table(book: Any, sheet: str, heading_start: str
                     ) -> tuple[str, list[Any], list[tuple[Any, ...]]]:
    """The first "what changed" table of ``sheet`` whose heading starts with
    ``heading_start``: (heading, header row, body rows up to the first blank row)."""
    rows = list(book[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows)
              if isinstance(r[0], str) and r[0].startswith(heading_start))
    head = next(i for i in range(at + 1, len(rows)) if rows[i][1] is not None)
    body = []
    for r in rows[head + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return str(rows[at][0]), list(rows[head]), body


def assert_columns_equal(header: list[Any], body: list[tuple[Any, ...]], truth: pd.DataFrame,
                         key: str, heads: tuple[str, str, str]) -> None:
    """Rows in the comparison's order: the group, then current, reference and change."""
    cur, ref, change = (header.index(h) for h in heads)
    assert len(body) == len(truth) > 0
    for row, r in zip(body, truth.itertuples(index=False), strict=True):
        assert row[0] == getattr(r, key)
        rate = str(r.measure).startswith(("survival_", "ratio_"))
        for col, value in ((cur, r.current), (ref, r.reference)):
            if pd.isna(value) or math.isinf(value):      # blank (not reached: a comment)
                assert row[col] is None
            else:
                assert row[col] == pytest.approx(value, rel=1e-12)
        if pd.isna(r.change) or math.isinf(r.change):  # e.g. a median reached on one side
            assert row[change] is None
        else:
            expected = r.change * (100.0 if rate else 1.0)
            if rate and round(expected, 1) == 0:          # shown as 0.0 pp: written as 0
                expected = 0.0
            assert row[change] == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    from memberdesk.cli import main

    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there yet")
    tmp = tmp_path_factory.mktemp("compare_pages")
    sources = [str(SAMPLE / "policies.csv"), str(SAMPLE / "members.csv")]
    ds = load_dataset(sources)
    ws = Workspace(
        sources=sources, as_of=ds.as_of,
        page_state={"retention": {"segment": "product_type"},
                    "persistency": {"segment": "channel", "month": 25, "period": "year"}},
        compare={"retention": CompareView("filters", None, AGENCY),
                 "persistency": CompareView("as_of", pd.Timestamp(REFERENCE))},
    ).save(tmp / "w.mdesk")
    out = tmp / "r.xlsx"
    assert main(["report", "--workspace", str(ws), "-o", str(out)]) == 0
    return ds, openpyxl.load_workbook(out)


def test_retention_sheet_has_the_retention_page_comparison(written: tuple[Any, Any]) -> None:
    ds, book = written
    heading, header, body = comparison_table(book, "Retention", "What changed")
    assert "pinned filters (Channel: agency)" in heading
    truth = compare_filters(ds, AGENCY, by="product_type", sections=("retention",)).retention
    assert truth is not None
    assert_columns_equal(header, body, truth, "group", (
        "Current filters", "Compared: pinned filters (Channel: agency)",
        "Change vs pinned filters (Channel: agency)"))
    assert sum(abs(c) > 0 for c in truth["change"].dropna()) >= 5   # agency is not the book


def test_persistency_sheet_has_the_persistency_page_comparison(written: tuple[Any, Any]) -> None:
    ds, book = written
    heading, header, body = comparison_table(book, "Persistency", "What changed")
    assert heading.endswith("25th month") and REFERENCE in heading
    truth = compare_as_of(ds, REFERENCE, by="channel", month=25, period="year",
                          sections=("persistency",)).persistency
    assert truth is not None
    as_of = ds.as_of.date().isoformat()
    assert_columns_equal(header, body, truth, "segment", (
        f"Current (as of {as_of})", f"Compared: as of {REFERENCE}", f"Change vs {REFERENCE}"))
    # the period each side reports (years written as numbers)
    cur_p, ref_p = header.index("Period (current)"), header.index("Period (reference)")
    for row, r in zip(body, truth.itertuples(index=False), strict=True):
        for col, period in ((cur_p, r.current_period), (ref_p, r.reference_period)):
            assert row[col] == (None if pd.isna(period) else int(period))
    assert (truth["current_period"] != truth["reference_period"]).any()
    # only the page's month: no 13th-month comparison
    assert not any(isinstance(r[0], str) and r[0].startswith("What changed")
                   and "13th" in r[0] for r in book["Persistency"].iter_rows(values_only=True))


def test_summary_has_no_comparison_when_the_cockpit_does_not_compare(
        written: tuple[Any, Any]) -> None:
    _ds, book = written
    cells = [c for r in book["Summary"].iter_rows(values_only=True) for c in r
             if isinstance(c, str)]
    assert not any(c.startswith(("Compared:", "Change vs")) for c in cells)


def test_each_page_comparison_goes_to_its_own_sheet() -> None:
    views = {"cockpit": CompareView("as_of", pd.Timestamp("2025-06-30")),
             "retention": CompareView("filters", None, AGENCY),
             "persistency": CompareView("as_of", pd.Timestamp(REFERENCE))}
    opts = ReportOptions().with_compare(views)
    assert opts.sheet_compare("summary") == CompareRef(as_of="2025-06-30")
    assert opts.sheet_compare("retention") == CompareRef(filters=AGENCY)
    assert opts.sheet_compare("persistency") == CompareRef(as_of=REFERENCE)
    assert opts.notes == ()
    # the command line's date replaces every sheet's comparison
    over = opts.with_args(argparse.Namespace(compare_as_of="2023-12-31"))
    assert {over.sheet_compare(s) for s in ("summary", "retention", "persistency")} == {
        CompareRef(as_of="2023-12-31")}
    with pytest.raises(ValueError):
        CompareRef()
