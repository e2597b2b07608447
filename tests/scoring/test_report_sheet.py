"""The Retention list report sheet: the validation figures and premium at risk of the scoring
result, two charts, and no personal data (no policy or member rows at all)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from memberdesk.analysis.scoring.score import ScoringResult
from memberdesk.core.dataset import Dataset
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.sheets_scoring import build_scoring


def _sheet(dataset: Dataset, lang: str = "en"):  # type: ignore[no-untyped-def]
    ctx = ReportContext(ds=dataset, lang=lang, segment="channel", include_personal=False,
                        generated_at=dt.datetime(2026, 12, 5))
    ws = Workbook().active
    w = SheetWriter(ws, lang, ctx.report_title, ctx.as_of_text)
    build_scoring(ctx, w)
    return ws


def test_sheet_carries_the_result_and_no_personal_data(dataset: Dataset, scored: ScoringResult,
                                                      book: dict[str, pd.DataFrame]) -> None:
    ws = _sheet(dataset)
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    numbers = [v for v in cells if isinstance(v, float)]
    v = scored.validation
    assert v is not None
    for model in ("cox", "gbm", "baseline"):   # the validation table: each model's AUC and C
        assert any(abs(x - v.metrics[model].auc) < 1e-12 for x in numbers), model
        assert any(abs(x - v.metrics[model].c_index) < 1e-12 for x in numbers), model
    assert any(abs(x - scored.premium_at_risk) < 1e-6 for x in numbers)
    for value in scored.deciles["premium_at_risk"]:
        assert any(abs(x - value) < 1e-6 for x in numbers)
    assert len(ws._charts) == 2                      # calibration and gain
    texts = {str(x) for x in cells}
    ids = set(book["policies"]["policy_id"]) | set(book["members"]["member_id"])
    assert not texts & ids                           # no policy or member identifiers
    births = {pd.Timestamp(b).to_pydatetime() for b in book["members"]["birth_date"].dropna()}
    assert not {x for x in cells if isinstance(x, dt.datetime)} & births


def test_sheet_in_chinese(dataset: Dataset) -> None:
    ws = _sheet(dataset, "zh_CN")
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("时间外验证" in t for t in texts)
    assert any("朴素基准" in t for t in texts)


@pytest.mark.parametrize("key", ["scoring"])
def test_sheet_is_registered(key: str) -> None:
    from memberdesk import page_registry
    from memberdesk.report import report_strings as rs
    from memberdesk.report.workbook import BUILDERS

    assert key in page_registry.REPORT_SHEETS and key in rs.SHEETS
    assert BUILDERS[key][0] is build_scoring
