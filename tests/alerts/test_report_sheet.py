"""The report's Alerts sheet: the alert table coloured by level, a funnel chart per alarmed
metric, one Summary line per alarm (English and Chinese)."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.sheets_alerts import ALARM_FILL, build_alerts, summary_lines

from .conftest import dataset, make_book


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_alerts_sheet_and_summary_lines(lang: str) -> None:
    ctx = ReportContext(ds=dataset(make_book(jump=True)), lang=lang, segment="channel",
                        include_personal=False, generated_at=dt.datetime(2026, 12, 5))
    wb = Workbook()
    ws = wb.active
    w = SheetWriter(ws, lang, "title", "as of")
    build_alerts(ctx, w)
    result = ctx.cache["alerts"]
    alarms = [a for a in result.alerts if a.level == "alarm"]
    ref = w.main_table
    assert ref is not None and ref.n_rows == len(result.alerts) == 2
    for i in range(ref.n_rows):
        assert ws.cell(ref.first_row + i, ref.first_col).fill.fgColor.rgb.endswith(
            ALARM_FILL.fgColor.rgb[-6:])
    assert ws.cell(ref.first_row, ref.col("value")).value == pytest.approx(alarms[0].value)
    # one funnel chart (free-look rate by channel): five limit curves + the segments
    assert len(ws._charts) == 1 and len(ws._charts[0].series) == 6
    lines = summary_lines(ctx)
    broker = "经纪" if lang == "zh_CN" else "broker"  # the channel through the value catalogue
    assert len(lines) == 2 and all(broker in line and "2026-08" in line for line in lines)
    assert ("犹豫期撤单率" if lang == "zh_CN" else "Free-look cancellation rate") in lines[0]


def test_workbook_has_the_alerts_sheet_after_the_summary_and_alarm_lines(tmp_path) -> None:
    from openpyxl import load_workbook

    from memberdesk.report.workbook import write_report

    path = write_report(dataset(make_book(jump=True)), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    names = wb.sheetnames
    assert names.index("Alerts") == names.index("Summary") + 1
    summary = [str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value]
    lines = [t for t in summary if t.startswith("Alarm: Free-look cancellation rate")]
    assert len(lines) == 2 and all("broker" in t for t in lines)
    assert len(wb["Alerts"]._charts) == 1
