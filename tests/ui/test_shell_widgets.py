"""Shell widgets one by one: filter bar, settings, resources, validation view, mapping editor,
data page, guide, error dialog."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from memberdesk.core import schema
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.errors import DataError
from memberdesk.core.mapping import auto_map
from memberdesk.core.validation_report import TableReport, ValidationReport
from memberdesk.core.workspace import PAGE_IDS
from memberdesk.ui import resources
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.filter_bar import DEBOUNCE_MS, FilterBar


def _dataset() -> Dataset:
    members = pd.DataFrame({"member_id": ["m1", "m2", "m3"], "region": ["north", "south", None],
                            "tier": ["gold", "silver", "gold"]})
    policies = pd.DataFrame({
        "policy_id": ["p1", "p2", "p3", "p4"], "member_id": ["m1", "m2", "m3", "m1"],
        "product": ["term", "whole", "term", "annuity"],
        "channel": ["agency", "bank", "online", "agency"],
        "issue_date": pd.to_datetime(["2020-01-01", "2021-06-01", "2022-03-01", "2023-01-01"]),
        "end_date": pd.to_datetime([None, "2022-01-01", None, None]),
        "status": ["in_force", "lapsed", "in_force", "in_force"],
    })
    rejected = pd.DataFrame({
        "table": ["policies", "policies", "policies", "members"],
        "file": ["p.csv"] * 3 + ["m.csv"], "sheet": [None] * 4, "row": [5, 9, 12, 3],
        "column": ["issue_date", "issue_date", "policy_id", "member_id"],
        "reason": ["unparseable_date", "unparseable_date", "duplicate_id", "missing_id"],
        "value": ["2021-13-45", "abc", "p1", ""], "detail": [""] * 4})
    report = ValidationReport(tables=[
        TableReport("members", ["m.csv"], 4, 3, 1, {"missing_id": 1}),
        TableReport("policies", ["p.csv"], 7, 4, 3, {"unparseable_date": 2, "duplicate_id": 1}),
    ], rejected=rejected, messages=["m.csv: column 'notes' kept as an extra column"])
    ds = Dataset(validated={"members": members, "policies": policies},
                 as_of=pd.Timestamp("2024-12-31"), report=report, sources=("p.csv", "m.csv"))
    return ds.with_as_of(None)  # as the loader does: as of the latest date in the data


# ---- filter bar -------------------------------------------------------------------------------

def test_filter_bar_offers_values_and_emits_once_after_debounce(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_dataset(_dataset())
    assert bar.selects["product"].choices() == ["annuity", "term", "whole"]
    assert bar.selects["region"].choices() == ["north", "south"]  # from members, None dropped
    emitted: list[tuple[Filters, object]] = []
    bar.changed.connect(lambda f, a: emitted.append((f, a)))
    bar.selects["channel"].set_selected(["agency"])
    bar.selects["tier"].set_selected(["gold"])
    assert emitted == []  # debounced: nothing yet
    qtbot.waitUntil(lambda: len(emitted) == 1, timeout=DEBOUNCE_MS * 5)
    qtbot.wait(DEBOUNCE_MS + 100)
    assert len(emitted) == 1
    filters, as_of = emitted[0]
    assert filters == Filters(channel=("agency",), tier=("gold",))
    assert as_of is None  # as-of left at the latest date
    assert "channel: agency" in bar.active_label.text()
    assert bar.clear_button.isEnabled()


def test_filter_bar_state_round_trip_and_clear(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_dataset(_dataset())
    wanted = Filters(issue_from=pd.Timestamp("2021-01-01"), issue_to=pd.Timestamp("2022-12-31"),
                     product=("term",), region=("south",))
    # an as-of inside the data (the last date is 2023-01-01: a later one is capped, issue 17 C.11)
    bar.set_state(wanted, pd.Timestamp("2022-06-30"))
    assert bar.filters() == wanted
    assert bar.as_of_date() == pd.Timestamp("2022-06-30")
    with qtbot.waitSignal(bar.changed, timeout=2000) as sig:
        bar.clear()
    assert sig.args[0] == Filters() and sig.args[1] is None
    assert "No filters" in bar.active_label.text()


def test_filtered_dataset_follows_the_bar(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    ds = _dataset()
    bar.set_dataset(ds)
    bar.set_state(Filters(channel=("agency",)), None)
    shown = ds.with_as_of(bar.as_of_date()).with_filters(bar.filters())
    assert sorted(shown.policies["policy_id"]) == ["p1", "p4"]  # the agency policies


# ---- settings ---------------------------------------------------------------------------------

def test_recent_files_newest_first_without_duplicates(tmp_path: Path) -> None:
    s = AppSettings()
    for name in ("a.csv", "b.csv", "a.csv"):
        s.add_recent(tmp_path / name)
    assert s.recent() == [str((tmp_path / "a.csv").resolve()), str((tmp_path / "b.csv").resolve())]
    assert s.recent("workspace") == []


def test_restored_geometry_always_lands_on_a_screen(qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    from memberdesk.ui.settings import on_screen

    s = AppSettings()
    w = QWidget()
    qtbot.addWidget(w)
    w.setGeometry(QRect(50000, 50000, 400, 300))  # a monitor that is no longer there
    assert not on_screen(w.frameGeometry())
    s.save_geometry(w)
    fresh = QWidget()
    qtbot.addWidget(fresh)
    fresh.setGeometry(QRect(10, 10, 300, 200))
    s.restore_geometry(fresh)
    assert on_screen(fresh.frameGeometry())
    assert QApplication.screenAt(fresh.geometry().center()) is not None
    w.setGeometry(QRect(20, 40, 400, 300))
    s.save_geometry(w)
    assert s.restore_geometry(fresh)
    assert fresh.geometry().size().width() == 400


def test_mappings_are_remembered_by_header_signature() -> None:
    s = AppSettings()
    m = auto_map(["保单号", "生效日期", "渠道"], "policies")
    s.save_mapping(m.signature, m.to_json())
    assert s.mapping(m.signature) == m.to_json()
    assert s.all_mappings() == [m.to_json()]


# ---- resources --------------------------------------------------------------------------------

def test_every_asset_exists_and_unknown_names_raise() -> None:
    for name in resources.ASSETS:
        assert resources.asset_path(name).is_file(), name
    for pid in PAGE_IDS:
        assert not resources.icon(pid).isNull()
    with pytest.raises(KeyError, match="unknown asset"):
        resources.asset_path("icon:no-such-icon")


# ---- validation view --------------------------------------------------------------------------

def test_validation_drill_down_and_export(qtbot, tmp_path: Path) -> None:
    from memberdesk.ui.shell.validation_view import ValidationView

    view = ValidationView()
    qtbot.addWidget(view)
    view.set_report(_dataset().report)
    assert view.summary_model.rowCount() == 2
    assert view.reasons_model.rowCount() == 3  # missing_id, duplicate_id, unparseable_date
    assert view.rejected_model.rowCount() == 4  # all rejected rows before a selection
    frame = view.reasons_model.frame()
    row = int(frame.index.get_loc(frame.index[frame["reason"] == "unparseable_date"][0]))
    view.reasons_view.selectRow(row)
    assert view.rejected_model.rowCount() == 2
    assert set(view.rejected_model.frame()["value"]) == {"2021-13-45", "abc"}
    out = view.export(str(tmp_path / "rejected.csv"))
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 4 and list(back.columns[:6]) == ["table", "file", "sheet", "row", "column", "reason"]


# ---- mapping editor ---------------------------------------------------------------------------

def test_mapping_editor_edits_and_keeps_one_source_per_column(qtbot) -> None:
    from memberdesk.ui.shell.mapping_editor import MappingEditor

    headers = ["保单号", "生效日期", "start", "备注"]
    editor = MappingEditor(headers, auto_map(headers, schema.POLICIES))
    qtbot.addWidget(editor)
    m = editor.mapping()
    assert m.columns["保单号"] == "policy_id" and m.columns["生效日期"] == "issue_date"
    assert m.columns["备注"] is None
    # the user says "start" is the issue date: 生效日期 loses it
    box = editor.boxes[2]
    box.setCurrentIndex(box.findData("issue_date"))
    m = editor.mapping()
    assert m.columns["start"] == "issue_date" and m.columns["生效日期"] is None
    # nothing feeds policy_id any more -> named as missing
    editor.boxes[0].setCurrentIndex(0)
    assert "policy_id" in editor.missing.text()
    editor.table_box.setCurrentIndex(editor.table_box.findData("__ignore__"))
    assert editor.mapping() is None


# ---- data page, guide, error dialog -------------------------------------------------------------

def test_data_page_previews_each_table_and_reports_rejections(qtbot) -> None:
    from memberdesk.ui.shell.data_page import DataPage

    page = DataPage()
    qtbot.addWidget(page)
    page.set_dataset(_dataset())
    assert set(page.previews) == {"members", "policies"}
    assert page.previews["policies"].rowCount() == 4
    assert "4 rejected" in page.tabs.tabText(1)
    assert "p.csv" in page.sources_label.text()


def test_guide_has_a_section_for_every_page(qtbot) -> None:
    from memberdesk.ui.guide import GuideWindow

    text = resources.guide_path("en").read_text(encoding="utf-8")
    for pid in PAGE_IDS:
        assert f'<a name="{pid}">' in text, pid
    guide = GuideWindow("en")
    qtbot.addWidget(guide)
    assert "Kaplan-Meier" in guide.browser.toPlainText()
    guide.show_section("retention")


def test_error_dialog_says_what_and_where(qtbot) -> None:
    from memberdesk.ui.shell.dialogs import ErrorDialog

    exc = DataError("the date cannot be read", file="policies.csv", row=12, column="issue_date")
    dialog = ErrorDialog(exc, "Traceback: ...", "Loading data")
    qtbot.addWidget(dialog)
    assert dialog.message_label.text() == "the date cannot be read"
    assert "policies.csv" in dialog.where_label.text() and "row 12" in dialog.where_label.text()
    assert not dialog.details.isVisibleTo(dialog)
    dialog.details_button.click()
    assert dialog.details.isVisibleTo(dialog) and "Traceback" in dialog.details.toPlainText()
