"""The validation view shows and exports a rejected row's detail in the UI language (issue 17
point 16): validation stores a reason code with parameters, the view renders it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from memberdesk.core.loader import load_dataset


def _bad(tmp_path: Path) -> Path:
    path = tmp_path / "policies.csv"
    path.write_text("policy_id,issue_date,end_date,status\n"
                    "P1,2020-01-01,,in force\n"
                    "P2,notadate,,in force\n"
                    "P3,2020-01-01,2019-01-01,lapsed\n", encoding="utf-8")
    return path


def _shown_details(view) -> dict[int, str]:  # type: ignore[no-untyped-def]
    model = view.rejected_model
    row_col, detail_col = 3, 7  # REJECTED_COLUMNS: table file sheet row column reason value detail
    assert model.columnCount() == 8
    return {int(model.raw(r, row_col)): model.data(model.index(r, detail_col))
            for r in range(model.rowCount())}


def test_details_in_chinese_on_screen_and_in_the_export(qtbot, tmp_path: Path, zh_cn) -> None:
    from memberdesk.ui.i18n import ui_language
    from memberdesk.ui.shell.validation_view import ValidationView

    assert ui_language() == "zh_CN"
    ds = load_dataset([str(_bad(tmp_path))])
    view = ValidationView()
    qtbot.addWidget(view)
    view.set_report(ds.report)
    assert _shown_details(view) == {
        3: "不是可接受格式的日期（2021-03-01、2021/3/1、20210301、2021年3月1日、Excel日期序号）",
        4: "终止日期早于生效日期"}
    out = view.export(str(tmp_path / "rejected.csv"))
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert back["detail"].tolist() == [
        "不是可接受格式的日期（2021-03-01、2021/3/1、20210301、2021年3月1日、Excel日期序号）",
        "终止日期早于生效日期"]
    assert back["reason"].tolist() == ["unparseable_date", "end_before_issue"]  # codes stay


def test_details_in_english(qtbot, tmp_path: Path) -> None:
    from memberdesk.ui.shell.validation_view import ValidationView

    ds = load_dataset([str(_bad(tmp_path))])
    view = ValidationView()
    qtbot.addWidget(view)
    view.set_report(ds.report)
    assert _shown_details(view)[4] == "end date is before issue date"
