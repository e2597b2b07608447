"""Analysis ▸ Assumptions… (issue 17 C.17): the dialog round-trips every value, Restore defaults
restores them, bad text keeps the dialog open with the reason, the main window's datasets carry
the accepted assumptions and a workspace saves and restores them."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from memberdesk.core.assumptions import Assumptions
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.assumptions_dialog import AssumptionsDialog
from memberdesk.ui.shell.main_window import MainWindow

CHANGED = Assumptions(free_look_days=21, grace_days=31, credibility_p=0.9, credibility_r=0.1,
                      ci_level=0.9, age_cuts=(25, 45, 65), premium_cuts=(500, 2000, 8000),
                      duration_cuts=(6, 12, 24), reference_levels=(("channel", "online"),))


def test_dialog_round_trips_every_value(qtbot) -> None:
    dialog = AssumptionsDialog(CHANGED)
    qtbot.addWidget(dialog)
    assert dialog.free_look.value() == 21 and dialog.grace.value() == 31
    assert dialog.premium_cuts.text() == "500, 2000, 8000"
    assert dialog.references.text() == "channel = online"
    assert dialog.values() == CHANGED  # every field read back as it was set
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == AssumptionsDialog.DialogCode.Accepted
    assert dialog.assumptions() == CHANGED


def test_edits_and_restore_defaults(qtbot) -> None:
    dialog = AssumptionsDialog(Assumptions())
    qtbot.addWidget(dialog)
    dialog.show()
    # keyboard: the first field has focus, typed values land in the fields
    qtbot.waitUntil(dialog.free_look.hasFocus)
    dialog.free_look.selectAll()
    qtbot.keyClicks(dialog.free_look, "30")
    dialog.age_cuts.setText("20, 40")
    assert dialog.values().free_look_days == 30
    assert dialog.values().age_bands[0] == (0.0, 20.0, "0-19")
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.values() == Assumptions()


def test_bad_text_keeps_the_dialog_open_with_the_reason(qtbot) -> None:
    dialog = AssumptionsDialog(Assumptions())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.premium_cuts.setText("3000, 1000")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert "increasing" in dialog.error.text()
    dialog.references.setText("channel")
    dialog.premium_cuts.setText("1000")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "column = level" in dialog.error.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.assumptions() == Assumptions()  # cancelled: nothing changed


def test_menu_entry_and_workspace_round_trip(qtbot, sample_data: Path, tmp_path: Path) -> None:
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    menus = {a.menu().objectName(): a.menu() for a in window.menuBar().actions() if a.menu()}
    actions = [a.objectName() for a in menus["analysisMenu"].actions()]
    assert "assumptionsAction" in actions
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    window.set_assumptions(CHANGED)
    assert window.dataset is not None and window.dataset.assumptions == CHANGED
    path = window.save_workspace(tmp_path / "a.mdesk")
    saved = json.loads(path.read_text(encoding="utf-8"))["assumptions"]
    assert saved["free_look_days"] == 21 and saved["reference_levels"] == {"channel": "online"}

    other = MainWindow(AppSettings())
    other.ask_before_close = False
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.loaded, timeout=30_000):
        assert other.open_workspace(path)
    qtbot.waitUntil(lambda: other.dataset is not None, timeout=5000)
    assert other.assumptions == CHANGED
    assert other.dataset.assumptions == CHANGED
    # the bands the dataset derives follow the restored cut-offs
    assert set(other.dataset.policies["premium_band"].dropna().unique()) <= {
        "<500", "500-2k", "2k-8k", "8k+"}


def test_changed_assumptions_are_named_in_the_status_bar(qtbot, sample_data: Path) -> None:
    from memberdesk.ui.shell.assumptions_dialog import changed_text

    assert changed_text(Assumptions()) == ""
    assert changed_text(Assumptions(ci_level=0.9, free_look_days=10)) == \
        "Assumptions: CI 90%; free look 10 d"
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    assert not window.assumptions_label.isVisible()
    window.set_assumptions(Assumptions(ci_level=0.9))
    assert window.assumptions_label.isVisible()
    assert window.assumptions_label.text() == "Assumptions: CI 90%"
    window.set_assumptions(Assumptions())
    assert not window.assumptions_label.isVisible()
