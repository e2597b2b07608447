"""Issue 17 C.16 under 简体中文 and in the shell: the validation report and reason meanings in
Chinese (one reason catalogue), Cox remarks from their codes, import field names, the View
menu's "&", a theme switch restyling charts, Drivers covariates not cut by a small file,
"Open files" asking before replacing the loaded book, rejected rows keeping their own cells."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtWidgets import QMessageBox, QWidget

from memberdesk.core.dataset import Dataset
from memberdesk.core.loader import load_dataset
from memberdesk.ui import analysis_text

HAN = re.compile(r"[\u4e00-\u9fff]")
AS_OF = pd.Timestamp("2024-12-31")


def _bad_policies(tmp_path: Path) -> Path:
    path = tmp_path / "policies.csv"
    path.write_text("policy_id,issue_date,status,channel,note\n"
                    "P1,2020-01-01,in_force,agency,ok\n"
                    "P2,notadate,lapsed,online,=1+1\n"
                    "P1,2020-02-01,in_force,bank,second\n", encoding="utf-8")
    return path


# ---- the validation report ----------------------------------------------------------------

def test_validation_report_in_chinese(qtbot, tmp_path: Path, zh_cn) -> None:
    from memberdesk.ui.shell.validation_view import ValidationView, reasons_frame

    ds = load_dataset([str(_bad_policies(tmp_path))])
    view = ValidationView()
    qtbot.addWidget(view)
    view.set_report(ds.report)
    frame = reasons_frame(ds.report)
    meanings = dict(zip(frame["reason"], frame["meaning"]))
    assert meanings["duplicate_id"] == "该编号已在前面的行出现；只保留第一行。"
    assert meanings["unparseable_date"] == "日期不符合任何可接受的格式。"
    model = view.reasons_model
    shown = {model.data(model.index(r, 1)) for r in range(model.rowCount())}
    assert shown == {"编号重复", "日期无法识别"}
    assert {model.data(model.index(r, 0)) for r in range(model.rowCount())} == {"保单"}
    headers = [model.headerData(c, Qt_horizontal()) for c in range(model.columnCount())]
    assert all(HAN.search(str(h)) for h in headers), headers
    # the codes stay underneath: selecting a reason still filters the rejected rows by code
    assert list(view.rejected_rows("policies", "duplicate_id")["row"]) == [4]


def test_validation_report_in_english_keeps_the_codes(qtbot, tmp_path: Path) -> None:
    from memberdesk.core import schema
    from memberdesk.ui.shell.validation_view import reasons_frame

    ds = load_dataset([str(_bad_policies(tmp_path))])
    frame = reasons_frame(ds.report)
    assert set(frame["reason"]) == {"duplicate_id", "unparseable_date"}
    assert dict(zip(frame["reason"], frame["meaning"]))["duplicate_id"] == \
        schema.REASON_DESCRIPTIONS["duplicate_id"]


def Qt_horizontal() -> Any:  # noqa: N802
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_every_rejection_code_has_chinese_label_and_meaning() -> None:
    from memberdesk.analysis.entry import REASONS
    from memberdesk.core import reasons, schema

    codes = {v for k, v in vars(schema).items() if k.startswith("REASON_") and isinstance(v, str)}
    for code in codes | set(REASONS):
        assert HAN.search(reasons.rejection_label(code, "zh_CN")), code
        assert HAN.search(reasons.rejection_meaning(code, "zh_CN")), code
        assert reasons.rejection_meaning(code, "en"), code


# ---- Cox remarks from codes -----------------------------------------------------------------

def test_cox_remarks_from_their_codes_in_both_languages(zh_cn) -> None:
    from memberdesk.analysis.cox import CoxNote

    few = CoxNote("few_events_per_coefficient", (("per", 3.25), ("rule", 10)))
    left = CoxNote("missing_rows_left_out", (("n", 7),))
    assert analysis_text.cox_note(few) == "每个系数仅3.2个事件：估计可能不稳定（经验法则：10）"
    assert analysis_text.cox_note(left) == "7行协变量缺失，未纳入分析"
    for code in ("entry_rejected", "out_of_window"):  # no regex knew these sentences
        assert HAN.search(analysis_text.cox_note(CoxNote(code, (("n", 2),))))


def test_cox_remarks_in_english_are_the_analysis_text() -> None:
    from memberdesk.analysis.cox import CoxNote

    few = CoxNote("few_events_per_coefficient", (("per", 3.25), ("rule", 10)))
    assert analysis_text.cox_note(few) == few.text
    assert analysis_text.cox_note("a plain message") == "a plain message"


def test_chinese_drivers_sheet_has_no_english_cox_remark(tmp_path: Path) -> None:
    from memberdesk.analysis.cox import CoxNote
    from memberdesk.report import analysis_terms as terms

    note = CoxNote("low_variance", (("columns", "channel"),))
    assert terms.note(note, "zh_CN").startswith("渠道：")
    assert terms.note(note, "en") == note.text


# ---- import wizard field names -------------------------------------------------------------

def test_mapping_editor_names_tables_and_fields_in_chinese(qtbot, zh_cn) -> None:
    from memberdesk.core.mapping import auto_map
    from memberdesk.ui.shell.mapping_editor import MappingEditor

    headers = ["保单号", "生效日期", "渠道"]
    editor = MappingEditor(headers, auto_map(headers, "policies"))
    qtbot.addWidget(editor)
    tables = [editor.table_box.itemText(i) for i in range(1, editor.table_box.count())]
    assert all(HAN.search(t) for t in tables) and "保单" in tables
    box = editor.boxes[1]
    assert box.currentText() == "生效日期（issue_date）" and box.currentData() == "issue_date"
    assert editor.mapping() is not None and editor.mapping().columns["生效日期"] == "issue_date"


# ---- View menu, theme ------------------------------------------------------------------------

def test_view_menu_shows_the_ampersand_of_persistency_and_cohorts(qtbot) -> None:
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    act = window.actions_.page_actions["persistency"]
    # "&&" shows one "&"; a single "&" would underline the next letter and vanish
    assert act.text() == "Persistency && Cohorts"


def test_theme_switch_restyles_charts_and_redraws_pages(qtbot) -> None:
    from memberdesk.ui import theme
    from memberdesk.ui.charts import palette as pal
    from memberdesk.ui.charts.base import Chart
    from memberdesk.ui.shell.actions import restyle_charts

    class Page(QWidget):
        result = "the result"
        shown: list[str] = []

        def show_result(self, res: str) -> None:
            self.shown.append(res)

    host = QWidget()
    qtbot.addWidget(host)
    chart = Chart(host)
    chart.add_plot()
    page = Page(host)
    host.pages = {"p": page}  # type: ignore[attr-defined]
    try:
        theme.apply_theme(theme.DARK)
        restyle_charts(host)
        assert chart.colours == pal.DARK
        assert chart.view.backgroundBrush().color().name().lower() == \
            pal.DARK.background.lower()
        assert page.shown == ["the result"]
        theme.apply_theme(theme.LIGHT)
        restyle_charts(host)
        assert chart.colours == pal.LIGHT
    finally:
        theme.apply_theme(theme.LIGHT)


# ---- Drivers covariates ------------------------------------------------------------------

def _policies(n: int, with_gender: bool) -> Dataset:
    rng = np.random.default_rng(0)
    issue = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    ended = rng.random(n) < 0.4
    end = issue + pd.to_timedelta(rng.integers(30, 900, n), unit="D")
    frame = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "member_id": [f"M{i}" for i in range(n)],
        "channel": rng.choice(["agency", "online"], n),
        "product_type": rng.choice(["protection", "savings"], n), "issue_date": issue,
        "end_date": pd.Series(end).where(ended & (end <= AS_OF)).to_numpy(),
        "status": np.where(ended & (end <= AS_OF), "lapsed", "in_force"),
        "annual_premium": rng.uniform(500, 5000, n).round()})
    tables = {"policies": frame}
    if with_gender:
        tables["members"] = pd.DataFrame({"member_id": frame["member_id"],
                                          "gender": rng.choice(["F", "M"], n)})
    return Dataset(validated=tables, as_of=AS_OF)


def test_drivers_covariates_survive_a_small_file(qtbot) -> None:
    from memberdesk.ui.pages import page_factory

    page = page_factory("drivers")(None)
    qtbot.addWidget(page)
    page.set_dataset(_policies(200, with_gender=True))
    page.set_covariates(["channel", "gender"])
    assert page.selected_covariates() == ["channel", "gender"]
    page.set_dataset(_policies(50, with_gender=False))  # a small file without gender
    assert page.selected_covariates() == ["channel"]
    assert page.missing_covariates() == ["gender"]
    assert page.state()["covariates"] == ["channel", "gender"]  # not the cut list
    page.set_dataset(_policies(200, with_gender=True))
    assert page.selected_covariates() == ["channel", "gender"]  # back when the data have it


# ---- Open files asks --------------------------------------------------------------------

def test_open_files_asks_before_replacing_the_loaded_book(qtbot, monkeypatch, questions, tmp_path: Path) -> None:
    from memberdesk.ui.shell import actions as shell_actions
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    opened: list[list[str]] = []
    monkeypatch.setattr(window, "open_paths", lambda files, **_k: opened.append(list(files)))
    monkeypatch.setattr(shell_actions.QFileDialog, "getOpenFileNames",
                        lambda *a, **k: (["new.csv"], ""))
    asked = questions.asked
    questions.answer(QMessageBox.StandardButton.Cancel)
    window.actions_.ask_open_files()  # nothing loaded: no question
    assert opened == [["new.csv"]] and asked == []
    window.base = _policies(20, with_gender=False)
    window.sources = ["old.csv"]
    window.dirty = False
    window.actions_.ask_open_files()  # cancelled: the loaded book stays
    assert opened == [["new.csv"]] and len(asked) == 1
    questions.answer(QMessageBox.StandardButton.Ok)
    window.actions_.ask_open_files()
    assert opened == [["new.csv"], ["new.csv"]] and len(asked) == 2


# ---- rejected rows keep their own cells ---------------------------------------------------------

def test_rejected_rows_export_keeps_the_original_row(tmp_path: Path) -> None:
    ds = load_dataset([str(_bad_policies(tmp_path))])
    out = ds.report.export_rejected(tmp_path / "rejected.csv")
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    # the file's rows 3 and 4, every cell as written (the formula-like one kept as text)
    row3 = back[back["row"] == "3"].iloc[0]
    assert (row3["policy_id"], row3["issue_date"], row3["status"], row3["channel"],
            row3["note"]) == ("P2", "notadate", "lapsed", "online", "'=1+1")
    row4 = back[back["row"] == "4"].iloc[0]
    assert (row4["policy_id"], row4["issue_date"], row4["channel"], row4["note"]) == (
        "P1", "2020-02-01", "bank", "second")
    assert list(back.columns[:8]) == ["table", "file", "sheet", "row", "column", "reason",
                                      "value", "detail"]
    xlsx = ds.report.export_rejected(tmp_path / "rejected.xlsx")
    wb = pd.read_excel(xlsx, dtype=str)
    assert "note" in wb.columns and "=1+1" in set(wb["note"])


def test_data_page_buttons_and_drops_ask_too(qtbot, monkeypatch) -> None:
    from memberdesk.ui.shell import data_page
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    page = window.page("data")
    asked: list[int] = []
    monkeypatch.setattr(window.actions_, "confirm_replace", lambda: asked.append(1) or False)
    monkeypatch.setattr(data_page.QFileDialog, "getOpenFileNames", lambda *a, **k: (["x.csv"], ""))
    opened: list[object] = []
    monkeypatch.setattr(window, "open_paths", lambda *a, **k: opened.append(a))
    page._ask_open()
    page._open_sample()
    window.open_dropped(["y.csv"])
    assert len(asked) == 3 and opened == []  # declined: the loaded book stays


def test_coded_values_on_screen_read_as_in_the_workbook(zh_cn) -> None:
    from memberdesk.core import labels
    from memberdesk.ui.i18n import value_label

    for code in ("lapsed", "free_look", "single_premium", "collected_premium", "bot"):
        assert value_label(code) == labels.value_label(code, "zh_CN")
    assert value_label("百万医疗") == "百万医疗"


def test_km_at_risk_title_counts_no_people_in_chinese(qtbot, zh_cn) -> None:  # type: ignore[no-untyped-def]
    """The KM chart's at-risk table counts policies (Retention) or claims (Claims), not people:
    under 简体中文 its title read 风险集人数 while the workbook says 风险集保单数 (issue 17 B.10)."""
    from memberdesk.ui.charts.km import KMChart

    chart = KMChart()
    qtbot.addWidget(chart)
    chart._update_risk_title()
    assert chart.risk_title.text == "风险集数量"


def test_rejected_rows_name_their_column_in_chinese(qtbot, tmp_path: Path, zh_cn) -> None:  # type: ignore[no-untyped-def]
    """The rejected rows' column under 简体中文 reads as the mapping editor lists it,
    生效日期（issue_date）, not the bare id; the model keeps the id (filters, export)."""
    from memberdesk.ui.shell.mapping_editor import field_text
    from memberdesk.ui.shell.validation_view import ValidationView

    ds = load_dataset([str(_bad_policies(tmp_path))])
    view = ValidationView()
    qtbot.addWidget(view)
    view.set_report(ds.report)
    model = view.rejected_model
    col = list(model.frame().columns).index("column")
    shown = {model.data(model.index(r, col)) for r in range(model.rowCount())}
    assert shown == {field_text("issue_date"), field_text("policy_id")}
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+（[a-z_]+）", s) for s in shown), shown
    assert set(model.frame()["column"]) == {"issue_date", "policy_id"}


def test_import_wizard_encodings_in_chinese(qtbot, zh_cn) -> None:  # type: ignore[no-untyped-def]
    """The import wizard's text-encoding list read "Detect automatically", "Chinese (GB18030 /
    GBK)"… under 简体中文 (labels passed to tr() as variables, never extracted)."""
    from memberdesk.ui.shell.import_wizard import FilesPage

    page = FilesPage([])
    qtbot.addWidget(page)
    shown = [page.encoding.itemText(i) for i in range(page.encoding.count())]
    assert shown[0] == "自动检测" and page.encoding.itemData(0) is None
    assert "简体中文（GB18030 / GBK）" in shown and "繁体中文（Big5）" in shown
    assert all(HAN.search(t) or t in ("UTF-8", "UTF-16") for t in shown), shown
