"""One chart exporter (ui/charts/base.export_chart) for the panels' PNG…/SVG… buttons and
File ▸ Export chart… (issue 17 loose end): a widget that is not a chart is exported as a
picture of it (PNG) or a drawing (SVG), never an empty file; a failed export is an error naming
the file and leaves the previous file as it was; a name typed without a suffix gets one, and a
file of that name is replaced only when the user says so — in both dialog flows."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from memberdesk.core.errors import DataError
from memberdesk.ui.charts import base
from memberdesk.ui.charts.base import ChartPanel, export_chart, export_path
from memberdesk.ui.shell import actions

EARLIER = b"the user's earlier export"


def _label(qtbot: Any) -> QLabel:
    label = QLabel("Persistency 13th month: 91.2%")
    qtbot.addWidget(label)
    label.resize(320, 60)
    label.show()
    qtbot.waitExposed(label)
    return label


def _panel(qtbot: Any) -> ChartPanel:
    from memberdesk.ui.charts.lines import TrendChart

    chart = TrendChart()
    panel = ChartPanel(chart, "Trend")
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    import pandas as pd

    chart.set_data(pd.DataFrame({"period": np.arange(5.0), "value": [0.9, 0.91, 0.92, 0.9, 0.93],
                                 "group": ["All"] * 5}), x="period", y="value", series="group")
    return panel


def test_the_app_has_one_exporter() -> None:
    import inspect

    # actions.export_chart only hands over to the charts' exporter: no second PNG writer
    source = inspect.getsource(actions.export_chart)
    assert "base import export_chart" in source and "grab" not in source
    assert "except ImportError" not in inspect.getsource(actions)


def test_a_widget_that_is_not_a_chart_exports_as_png_and_svg(qtbot: Any, tmp_path: Path) -> None:
    label = _label(qtbot)
    png = export_chart(label, tmp_path / "tile.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() == label.grab().width()
    svg = actions.export_chart(label, tmp_path / "tile.svg")   # was a 0-byte file
    text = svg.read_text(encoding="utf-8")
    assert 'viewBox="0 0 320 60"' in text            # the widget's size
    assert "91.2%" in text                              # its text, drawn as vector text


def test_a_failed_export_names_the_file_and_keeps_the_old_one(qtbot: Any,
                                                              tmp_path: Path) -> None:
    empty = QWidget()                        # never shown, no size: nothing to draw
    qtbot.addWidget(empty)
    empty.resize(0, 0)
    for name in ("old.png", "old.svg"):
        target = tmp_path / name
        target.write_bytes(EARLIER)
        with pytest.raises(DataError) as exc:
            export_chart(empty, target)
        assert name in str(exc.value)        # the message names the file
        assert target.read_bytes() == EARLIER
    with pytest.raises(DataError):
        export_chart(empty, tmp_path / "new.png")
    assert not (tmp_path / "new.png").exists()   # never an empty file


def test_encoder_failure_is_an_error_not_an_empty_file(qtbot: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QImage, "save", lambda self, *a, **k: False)
    label = _label(qtbot)
    with pytest.raises(DataError, match="could not be encoded"):
        export_chart(label, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def _answers(monkeypatch: pytest.MonkeyPatch, path: Path, chosen: str,
             replace: bool | None) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen))

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes if replace else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_export_path_adds_the_chosen_suffix_and_asks_before_replacing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> None:
    asked = _answers(monkeypatch, tmp_path / "x", "", replace=False)
    assert export_path(None, str(tmp_path / "chart"), "SVG image (*.svg)") == tmp_path / "chart.svg"
    assert export_path(None, str(tmp_path / "c.PNG"), "SVG image (*.svg)") == tmp_path / "c.PNG"
    assert export_path(None, "", "") is None
    assert not asked
    (tmp_path / "kept.png").write_bytes(EARLIER)
    assert export_path(None, str(tmp_path / "kept"), "PNG image (*.png)") is None
    assert asked == ["kept.png already exists. Replace it?"]


def test_panel_button_flow(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = _panel(qtbot)
    target = tmp_path / "trend.png"
    target.write_bytes(EARLIER)
    # typed "trend" (no suffix): the dialog asked about "trend", not "trend.png" -> asked here
    asked = _answers(monkeypatch, tmp_path / "trend", "PNG image (*.png)", replace=False)
    panel._ask_export("png")
    assert asked and target.read_bytes() == EARLIER         # "No": unchanged
    _answers(monkeypatch, tmp_path / "trend", "PNG image (*.png)", replace=True)
    panel._ask_export("png")
    assert not QImage(str(target)).isNull()                  # "Yes": replaced by the chart
    # a failed export is a warning naming the file
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warned.append(text))

    def fail(path: Any) -> Path:
        raise DataError("the disk is full", file=str(path))

    monkeypatch.setattr(panel, "export", fail)
    _answers(monkeypatch, tmp_path / "other.svg", "SVG drawing (*.svg)", replace=None)
    panel._ask_export("svg")
    assert len(warned) == 1 and "other.svg" in warned[0]


class _Page(QWidget):
    def __init__(self, chart: Any) -> None:
        super().__init__()
        self._chart = chart

    def charts(self) -> list[Any]:
        return [self._chart]


class _Window:
    """What ShellActions.ask_export_chart uses of the main window."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[BaseException] = []

    def current_page(self) -> Any:
        return self.page

    def show_error(self, exc: BaseException, details: str = "", context: str = "") -> None:
        self.errors.append(exc)


def test_file_menu_flow(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    label = _label(qtbot)                                # a page chart that is not a Chart
    window = _Window(_Page(label))
    shell = SimpleNamespace(w=window, tr=str)  # what ask_export_chart uses of ShellActions

    def ask() -> None:
        actions.ShellActions.ask_export_chart(shell)  # type: ignore[arg-type]

    target = tmp_path / "chart.svg"
    target.write_bytes(EARLIER)
    asked = _answers(monkeypatch, tmp_path / "chart", "SVG image (*.svg)", replace=False)
    ask()
    assert asked == ["chart.svg already exists. Replace it?"]
    assert target.read_bytes() == EARLIER
    _answers(monkeypatch, tmp_path / "chart", "SVG image (*.svg)", replace=True)
    ask()
    assert b"<svg" in target.read_bytes() and not window.errors
    # an export that fails reaches the error dialog, naming the file; the old file stays
    empty = QWidget()
    qtbot.addWidget(empty)
    empty.resize(0, 0)
    window.page = _Page(empty)
    _answers(monkeypatch, target, "SVG image (*.svg)", replace=None)
    ask()
    assert len(window.errors) == 1 and "chart.svg" in str(window.errors[0])
    assert b"<svg" in target.read_bytes()


def test_base_module_has_no_second_writer() -> None:
    import inspect

    source = inspect.getsource(base)
    assert source.count(".save(") == 1                   # encode_png is the one encoder
