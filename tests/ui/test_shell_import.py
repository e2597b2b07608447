"""The import wizard end to end, and File ▸ Export report on the filtered data."""
from __future__ import annotations

from pathlib import Path

import pytest

from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.import_wizard import ImportWizard


def test_wizard_reads_maps_validates_and_hands_over_the_dataset(qtbot, tmp_path: Path) -> None:
    src = tmp_path / "保单.csv"
    src.write_text("保单号,生效日期,渠道,开始\n"
                   "P1,2021-01-05,agency,2021-02-01\n"
                   "P2,2021/3/1,bank,2021-04-01\n"
                   "P3,not a date,bank,2021-05-01\n", encoding="utf-8")
    settings = AppSettings()
    wizard = ImportWizard([str(src)], settings)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()  # -> columns: files read in a worker
    columns = wizard.columns_page
    qtbot.waitUntil(columns.isComplete, timeout=10_000)
    assert len(columns.editors) == 1
    editor = columns.editors[0]
    assert editor.mapping().table == "policies"
    assert editor.mapping().columns["生效日期"] == "issue_date"
    # the user decides the issue date is the "开始" column
    box = editor.boxes[3]
    box.setCurrentIndex(box.findData("issue_date"))
    wizard.next()  # -> check: validation in a worker
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=10_000)
    ds = check.dataset
    assert sorted(ds.validated["policies"]["policy_id"]) == ["P1", "P2", "P3"]  # 开始 all valid
    assert str(ds.validated["policies"]["issue_date"].min().date()) == "2021-02-01"
    with qtbot.waitSignal(wizard.dataset_ready, timeout=5000) as ready:
        wizard.accept()
    got, paths, mappings = ready.args
    assert got is ds and paths == [str(src)]
    assert mappings[0]["signature"] == editor.signature
    # remembered for the next file with the same headers
    assert settings.mapping(editor.signature)["columns"][3] == ["开始", "issue_date"]


def test_wizard_reports_an_unreadable_file_on_the_columns_page(qtbot, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wizard = ImportWizard([str(empty)], AppSettings())
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.is_busy, timeout=10_000)
    assert not wizard.columns_page.isComplete()
    assert "empty" in wizard.columns_page.status.text()


@pytest.mark.slow
def test_export_report_writes_the_filtered_workbook(qtbot, sample_data: Path, tmp_path: Path) -> None:
    from memberdesk.core.dataset import Filters
    from memberdesk.ui.shell.main_window import MainWindow  # the report is always there (#12 point 5)

    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    channel = window.filter_bar.selects["channel"].choices()[0]
    with qtbot.waitSignal(window.dataset_changed, timeout=5000):
        window.filter_bar.set_state(Filters(channel=(channel,)), None, notify=True)
    out = tmp_path / "report.xlsx"
    window.actions_.export_report_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy, timeout=120_000)
    assert out.is_file() and out.stat().st_size > 5000
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    text = " ".join(str(c) for ws in wb.worksheets[:2] for row in ws.iter_rows(max_row=12, values_only=True)
                    for c in row if c is not None)
    wb.close()
    assert channel in text  # the report states the filter it was made under
