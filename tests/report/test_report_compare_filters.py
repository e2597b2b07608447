"""A pinned filter set reaches the report (issue 17 C.18): ``report --workspace W`` on a
workspace whose first comparing page compares filter sets writes the Summary's comparison
columns, equal to :func:`memberdesk.analysis.compare.compare_filters` computed here on the same
data (an independent path: the command reloads the data and rebuilds the options from the saved
file), headed with the pinned filters in English and Chinese; ``--compare-as-of`` on the command
line replaces the workspace's filter comparison; ReportOptions.with_compare gives each page's
comparison to its own sheet."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_filters
from memberdesk.core.dataset import Filters
from memberdesk.core.loader import load_dataset
from memberdesk.core.workspace import CompareView, Workspace
from memberdesk.report.report_options import CompareRef, ReportOptions

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AGENCY = Filters(channel=("agency",))


def _summary(path: Path, first: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    rows = list(book[_summary_name(book)].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == first)
    body = []
    for r in rows[at + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return list(rows[at]), body


def _summary_name(book: Any) -> str:
    return next(n for n in book.sheetnames if n in ("Summary", "经营管理驾驶舱"))


def test_options_take_each_page_comparison() -> None:
    # was: the first comparing page gave the Summary's comparison and a later page comparing
    # the other way was named in a note; each page's now reaches its own sheet
    views = {"retention": CompareView("filters", None, AGENCY),
             "persistency": CompareView("as_of", pd.Timestamp("2024-06-30"))}
    opts = ReportOptions().with_compare(views)
    assert opts.compare_filters is None and opts.compare_as_of is None
    assert opts.retention_compare == CompareRef(filters=AGENCY)
    assert opts.persistency_compare == CompareRef(as_of="2024-06-30")
    assert opts.notes == ()
    views["cockpit"] = CompareView("filters", None, AGENCY)
    opts = ReportOptions().with_compare(views)
    assert opts.compare_filters == AGENCY and opts.compare_as_of is None
    # nothing pinned yet: named, no comparison
    opts = ReportOptions().with_compare({"cockpit": CompareView("filters", None, None)})
    assert opts.compare_filters is None and "cockpit page" in opts.notes[0]
    # the command line's date replaces the workspace's filter comparison
    ws = Workspace(compare={"cockpit": CompareView("filters", None, AGENCY)})
    over = ReportOptions.from_workspace(ws).with_args(argparse.Namespace(compare_as_of="2024-06-30"))
    assert over.compare_as_of == "2024-06-30" and over.compare_filters is None


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_report_workspace_writes_the_filter_comparison(tmp_path: Path, lang: str) -> None:
    from memberdesk.cli import main

    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there yet")
    sources = [str(SAMPLE / "policies.csv"), str(SAMPLE / "members.csv")]
    ds = load_dataset(sources)
    # current view: the whole book; the Cockpit compares with the pinned agency filters
    ws = Workspace(sources=sources, as_of=ds.as_of,
                   compare={"cockpit": CompareView("filters", None, AGENCY)}).save(
        tmp_path / "w.mdesk")
    out = tmp_path / "r.xlsx"
    assert main(["report", "--workspace", str(ws), "-o", str(out), "--lang", lang]) == 0
    if lang == "en":
        at, change = "Compared: pinned filters (Channel: agency)", \
            "Change vs pinned filters (Channel: agency)"
        header, body = _summary(out, "Key figure")
    else:
        at, change = "对比：固定筛选（渠道: agency）", "较固定筛选（渠道: agency）变化"
        header, body = _summary(out, "指标")
    i, j = header.index(at), header.index(change)
    truth = compare_filters(ds, AGENCY, sections=("kpis",)).kpis
    assert truth is not None and len(body) == len(truth) > 0
    differs = 0
    for row, kpi in zip(body, truth.itertuples(index=False), strict=True):
        if pd.isna(kpi.reference):
            assert row[i] is None
            continue
        assert row[i] == pytest.approx(kpi.reference, rel=1e-12)
        if not pd.isna(kpi.change):
            scale = 100.0 if kpi.unit == "ratio" else 1.0    # shares: percentage points
            expected = kpi.change * scale
            if scale == 100.0 and round(expected, 1) == 0:   # "never -0.0"
                expected = 0.0
            assert row[j] == pytest.approx(expected, rel=1e-9, abs=1e-9)
            differs += abs(kpi.change) > 0
    assert differs >= 3             # agency alone is not the whole book
