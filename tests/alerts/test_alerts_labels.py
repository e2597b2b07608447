"""UI review (H15): the Alerts page shows no raw codes — level, status, segment, method, the
policies behind a segment and the chart titles read in the UI language through the one
label/value catalogue (memberdesk.core.labels). The expected words are written out here (the
review's wording and the Chinese the report's Alerts sheet already uses), not read back from
the catalogue."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .conftest import dataset, make_book  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield folder
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000)


@pytest.fixture
def language(request, qapp):  # type: ignore[no-untyped-def]
    """The UI language of the test (``en`` or ``zh_CN``), English restored after."""
    from memberdesk.ui import app

    lang = request.param
    app.install_translators(qapp, lang)
    yield lang
    app.install_translators(qapp, "en")


def _page(qtbot, ds):  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    page = page_factory("alerts")(None)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.set_dataset(ds)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
    return page


def _cells(model, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    frame = model.frame()
    col = list(frame.columns).index(column)
    return [model.data(model.index(r, col), Qt.ItemDataRole.DisplayRole)
            for r in range(model.rowCount())]


def _header(model, column: str) -> str:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    col = list(model.frame().columns).index(column)
    return str(model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))


WORDS = {
    # (en, zh_CN): the review's codes in words
    "alarm": ("alarm", "报警"), "new": ("new", "新增"),
    "broker_segment": ("Channel: broker", "渠道: 经纪"),
    "expected": ("Expected rate (%)", "预期发生率（%）"),
    "in_force": ("in force", "有效"),
    "channel": ("Channel", "渠道"),
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_inbox_names_codes_in_the_ui_language(qtbot, language: str) -> None:  # type: ignore[no-untyped-def]
    i = 0 if language == "en" else 1
    page = _page(qtbot, dataset(make_book(jump=True)))
    # the book's broker jump raises one funnel alarm and one CUSUM alarm (test_alerts_page)
    assert [(a.level, a.status, a.column, a.segment_value) for a in page.shown] == [
        ("alarm", "new", "channel", "broker")] * 2
    assert _cells(page.model, "level") == [WORDS["alarm"][i]] * 2
    assert _cells(page.model, "status") == [WORDS["new"][i]] * 2
    assert _cells(page.model, "segment") == [WORDS["broker_segment"][i]] * 2
    # the expected column holds a rate (formatted as a percentage), and says so
    assert _header(page.model, "expected") == WORDS["expected"][i]
    assert all(c.endswith("%") for c in _cells(page.model, "expected"))
    # no code left: no "column = value", no snake_case method id
    for column in ("level", "status", "segment", "method"):
        for text in _cells(page.model, column):
            assert " = " not in text and "_" not in text, (column, text)
    # the policies behind broker's alarm: status in words, never in_force
    statuses = set(_cells(page.behind_model, "exit_status"))
    assert WORDS["in_force"][i] in statuses and "in_force" not in statuses
    channels = set(_cells(page.behind_model, "channel"))
    assert channels == {("broker", "经纪")[i]}
    # chart titles: the column's label and the level in words
    assert WORDS["channel"][i] in page.funnel_panel.title()
    assert "channel" not in page.funnel_panel.title()
    assert page.cusum_panel.title().endswith(f"{WORDS['channel'][i]} = {('broker', '经纪')[i]}")


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_funnel_of_the_page_keeps_its_points_in_view(qtbot, language: str) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, dataset(make_book(jump=True)))
    frame = page.funnel.data_frame()
    (lo, hi) = page.funnel.plot.getViewBox().viewRange()[1]
    assert lo <= float(frame["value"].min()) and float(frame["value"].max()) <= hi
    # the data keep the codes (the click emits the segment code the page filters on)
    assert "broker" in set(frame["segment"])


def test_selected_alert_is_marked_on_the_funnel(qtbot) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, dataset(make_book(jump=True)))
    for row, alert in enumerate(page.shown):
        page.select_alert(row)
        assert page.funnel.marked_alert is not None
        n, value, level, text = page.funnel.marked_alert
        assert (n, value, level) == (float(alert.n), pytest.approx(alert.value), alert.level)
        assert text.startswith("Channel: broker — alarm")
        lo, hi = page.funnel.plot.getViewBox().viewRange()[1]
        assert lo <= alert.value <= hi
        # the limit curves reach the alert's denominator (read the mark against them)
        x, _ = page.funnel.curves["upper_alarm"].getData()
        assert x.max() >= alert.n
