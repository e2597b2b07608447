"""The application as its users drive it: filters move the KM chart, results are cached,
Cancel and worker errors leave the window usable, standard shortcuts, every chart's toolbar."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtTest import QTest

from memberdesk.core.dataset import Filters
from memberdesk.core.progress import check_cancelled
from memberdesk.core.workspace import PAGE_IDS
from memberdesk.ui import worker
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow
from memberdesk.ui.table_model import frame_to_tsv


def _window(qtbot) -> MainWindow:
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    return window


def _loaded_window(qtbot, sample_data: Path) -> MainWindow:
    window = _window(qtbot)
    window.show()  # pages compute when shown, as for a user
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    return window


def _wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=30_000)


def _counting(monkeypatch, module: object, name: str) -> list[tuple]:
    """Replace ``module.name`` by a wrapper that records each call (the page looks the
    compute function up at call time, so the wrapper is what runs in the worker)."""
    calls: list[tuple] = []
    real = getattr(module, name)

    def counted(*args, progress=None, **kwargs):
        calls.append(args)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_filter_bar_changes_the_km_chart_data(qtbot, sample_data: Path) -> None:
    from memberdesk.analysis.survival import km_by_segment

    window = _loaded_window(qtbot, sample_data)
    page = window.show_page("retention")
    _wait_idle(qtbot, window)
    all_agency = page.chart._items[0].line.getOriginalDataset()[1].copy()
    assert page.chart.curves[0].name == "agency"
    # the user ticks one product in the filter bar: the KM curves are redrawn from fewer policies
    product = window.filter_bar.selects["product"].choices()[0]
    with qtbot.waitSignal(window.dataset_changed, timeout=5000):
        window.filter_bar.set_state(Filters(product=(product,)), window.filter_bar.as_of_date(),
                                    notify=True)
    _wait_idle(qtbot, window)
    want = km_by_segment(window.base.with_filters(Filters(product=(product,))), "channel",
                         unit="months")
    got = page.chart._items[0].line.getOriginalDataset()[1]
    np.testing.assert_allclose(got, want.curves[0].survival)
    assert len(got) != len(all_agency) or not np.allclose(got, all_agency)
    assert sum(int(c.at_risk[0]) for c in page.chart.curves) == int(
        (window.dataset.policies["product"] == product).sum())


def test_results_are_cached_until_the_inputs_change(qtbot, sample_data: Path, monkeypatch) -> None:
    from memberdesk.ui.pages import cockpit, retention

    km_calls = _counting(monkeypatch, retention, "compute_retention")
    kpi_calls = _counting(monkeypatch, cockpit, "compute_cockpit")
    window = _loaded_window(qtbot, sample_data)
    for pid in ("retention", "cockpit", "retention", "cockpit", "data", "retention"):
        window.show_page(pid)
        _wait_idle(qtbot, window)
    assert (len(km_calls), len(kpi_calls)) == (1, 1)   # page switches do not recompute
    first = window.page("retention").result
    # a new filter is a new input: recomputed (for the visible page only)
    channel = window.filter_bar.selects["channel"].choices()[0]
    window.filter_bar.set_state(Filters(channel=(channel,)), window.filter_bar.as_of_date(),
                                notify=True)
    qtbot.waitUntil(lambda: len(km_calls) == 2, timeout=10_000)
    _wait_idle(qtbot, window)
    assert len(kpi_calls) == 1
    # back to no filter: the earlier result comes back from the cache
    window.filter_bar.set_state(Filters(), window.filter_bar.as_of_date(), notify=True)
    qtbot.waitUntil(lambda: window.dataset.filters == Filters(), timeout=5000)
    _wait_idle(qtbot, window)
    assert len(km_calls) == 2
    assert window.page("retention").result is first
    # a control of the page is an input too
    page = window.page("retention")
    page.segment.setCurrentIndex(page.segment.findData("product"))
    qtbot.waitUntil(lambda: len(km_calls) == 3, timeout=10_000)
    _wait_idle(qtbot, window)
    assert [c.name for c in page.chart.curves] == sorted(window.dataset.policies["product"].unique())


def test_reloading_the_data_drops_the_cache(qtbot, sample_data: Path, monkeypatch) -> None:
    from memberdesk.ui.pages import retention

    calls = _counting(monkeypatch, retention, "compute_retention")
    window = _loaded_window(qtbot, sample_data)
    window.show_page("retention")
    _wait_idle(qtbot, window)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    _wait_idle(qtbot, window)
    assert len(calls) == 2  # same filters and as-of, but new tables: computed again


def test_cancel_stops_a_long_analysis_and_the_page_computes_again_later(
        qtbot, sample_data: Path, monkeypatch) -> None:
    from memberdesk.ui.pages import retention

    real = retention.compute_retention
    steps: list[int] = []

    def slow(*args, progress=None):
        for i in range(3000):  # 30 s unless cancelled
            check_cancelled(progress)
            progress.fraction(i / 3000)
            steps.append(i)
            time.sleep(0.01)
        return real(*args, progress=progress)

    monkeypatch.setattr(retention, "compute_retention", slow)
    window = _loaded_window(qtbot, sample_data)
    page = window.show_page("retention")
    qtbot.waitUntil(lambda: window.task_status.isVisible() and len(steps) > 5, timeout=10_000)
    assert window.task_status.label.text() == page.title()
    window.task_status.cancel_button.click()
    assert worker.wait_for_pool(5000)
    assert len(steps) < 3000 and page.result is None
    assert not page.is_busy and not window.is_busy()
    assert "Cancelled" in page.status_label.text()
    # the window stays usable: the next visit computes for real
    monkeypatch.setattr(retention, "compute_retention", real)
    window.show_page("cockpit")
    window.show_page("retention")
    _wait_idle(qtbot, window)
    assert page.result is not None and page.status_label.text() == ""
    assert [c.name for c in page.chart.curves][0] == "agency"


def test_an_unexpected_error_in_an_analysis_shows_a_dialog_and_keeps_the_data(
        qtbot, sample_data: Path, monkeypatch) -> None:
    from memberdesk.ui.pages import retention

    def broken(*args, progress=None):
        raise ZeroDivisionError("division by zero in a made-up analysis")

    monkeypatch.setattr(retention, "compute_retention", broken)
    window = _loaded_window(qtbot, sample_data)
    before = window.base
    page = window.show_page("retention")
    qtbot.waitUntil(lambda: window.last_error_dialog is not None, timeout=10_000)
    dialog = window.last_error_dialog
    assert "division by zero" in dialog.message_label.text()
    assert "ZeroDivisionError" in dialog.details.toPlainText()     # the details section
    assert "broken" in dialog.details.toPlainText()                # with the traceback
    assert page.title() in dialog.context_label.text()
    assert "division by zero" in page.message_text()
    assert window.base is before and window.isEnabled()
    window.show_page("cockpit")                                     # other pages still work
    _wait_idle(qtbot, window)
    assert window.page("cockpit").message_text() == ""


@pytest.mark.parametrize("action, keys", [("open_files", "Ctrl+O"), ("save_ws", "Ctrl+S"),
                                          ("export_report", "Ctrl+E"), ("quit", "Ctrl+Q"),
                                          ("guide", "F1")])
def test_standard_shortcuts_are_bound(qtbot, action: str, keys: str) -> None:
    window = _window(qtbot)
    act = getattr(window.actions_, action)
    assert QKeySequence(keys) in act.shortcuts() or act.shortcut() == QKeySequence(keys)
    menu_actions = [a for m in window.menuBar().actions() for a in m.menu().actions()]
    assert act in menu_actions  # reachable, so the shortcut is live while the window is


@pytest.mark.qt_log_ignore(r"does not support raise\(\)")  # offscreen plugin, guide.raise_()
def test_ctrl_q_closes_and_f1_opens_the_guide(qtbot) -> None:
    window = _window(qtbot)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window.nav, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.actions_.guide_window is not None
                    and window.actions_.guide_window.isVisible(), timeout=5000)
    window.actions_.guide_window.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window.nav, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


ANALYSIS_PAGES = [p for p in PAGE_IDS if p not in ("data", "dictionary")]


@pytest.mark.parametrize("page_id", ANALYSIS_PAGES)
def test_every_chart_exports_png_and_svg_copies_its_data_and_has_a_table(
        qtbot, sample_data: Path, tmp_path: Path, page_id: str) -> None:
    from memberdesk.core.loader import load_dataset
    from memberdesk.ui.pages import page_factory

    page = page_factory(page_id)(None)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    page.set_dataset(load_dataset([sample_data]))
    qtbot.waitUntil(lambda: page.result is not None and not page.is_busy, timeout=30_000)
    panels = page.charts()
    if page_id == "cockpit":  # KPI tiles (sparklines), no chart panels
        assert panels == []
        return
    assert panels, f"{page_id} has no chart panel"
    for i, panel in enumerate(panels):
        frame = panel.data_frame()
        assert not frame.empty, f"{page_id}: '{panel.title()}' shows no numbers"
        for button in (panel.png_button, panel.svg_button, panel.copy_button, panel.table_button,
                       panel.reset_button):
            assert button.isVisibleTo(panel)
        png = panel.export(tmp_path / f"{i}.png")
        image = QImage(str(png))
        assert not image.isNull() and image.width() >= 800
        svg = panel.export(tmp_path / f"{i}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert svg.count("<text") > 5, f"{page_id}: '{panel.title()}' SVG has no axis labels"
        text = panel.copy_data()
        assert QGuiApplication.clipboard().text() == text == frame_to_tsv(frame)
        assert text.splitlines()[0].split("\t") == [str(c) for c in frame.columns]
        panel.table_button.click()
        assert panel.is_table_mode() and panel.model.rowCount() == len(frame)
        panel.table_button.click()
        assert not panel.is_table_mode()


def test_claims_time_axis_is_days_since_report(qtbot, sample_data: Path) -> None:
    from memberdesk.core.loader import load_dataset
    from memberdesk.ui.pages import page_factory

    page = page_factory("claims")(None)
    qtbot.addWidget(page)
    page.set_dataset(load_dataset([sample_data]))
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    label = page.km.plot.getAxis("bottom").labelText
    assert "report" in label and "issue" not in label


def test_first_start_opens_the_sample_book_then_the_last_session(sample_data: Path,
                                                                 tmp_path: Path) -> None:
    from memberdesk.ui.app import startup_paths

    settings = AppSettings()
    assert settings.last_sources() == []
    assert [Path(p).resolve() for p in startup_paths([], settings)] == [sample_data.resolve()]
    mine = tmp_path / "policies.csv"
    mine.write_text("policy_id,issue_date\nP1,2020-01-01\n", encoding="utf-8")
    settings.set_last_sources([str(mine)])
    assert startup_paths([], settings) == [str(mine)]          # the last session next time
    mine.unlink()
    assert [Path(p).resolve() for p in startup_paths([], settings)] == [sample_data.resolve()]
    assert startup_paths(["x.csv"], settings) == ["x.csv"]      # the command line wins


def test_the_last_sessions_duckdb_book_opens_again_but_no_server_unasked(sample_data: Path,
                                                                       tmp_path: Path) -> None:
    from memberdesk.ui.app import startup_paths

    settings = AppSettings()
    book = tmp_path / "book.duckdb"
    book.write_bytes(b"")  # exists: that is all the start-up check looks at
    settings.set_last_sources([f"duckdb://{book}"])
    assert startup_paths([], settings) == [f"duckdb://{book}"]
    book.unlink()  # gone: the sample book instead
    assert [Path(p).resolve() for p in startup_paths([], settings)] == [sample_data.resolve()]
    settings.set_last_sources(["postgresql://analyst@db.example:5432/warehouse"])
    assert [Path(p).resolve() for p in startup_paths([], settings)] == [sample_data.resolve()]
