"""File ▸ Save data as DuckDB book… (issue #13): the loaded data — all of it, not the filtered
view — written as `memberdesk import` writes it, so that File ▸ Connect to database… opens it
without the validation scan; never over one of the data's own files.

Truth: the validation of the same files by the file path (``load_dataset``), independent of the
window, and the bytes of the input file the refused save would have replaced."""
from __future__ import annotations

import shutil
from pathlib import Path

from memberdesk.core.dataset import Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.worker import error_hub


def _window(qtbot, data: Path):  # type: ignore[no-untyped-def]
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.open_paths([str(data)], user_action=False)
    return window


def _counts(ds) -> dict[str, tuple[int, int, dict[str, int]]]:  # type: ignore[no-untyped-def]
    return {t.table: (t.read, t.accepted, {k: v for k, v in t.reasons.items() if v})
            for t in ds.report.tables}


def test_saved_book_is_the_whole_loaded_data_and_opens_trusted(qtbot, sample_data: Path,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    window = _window(qtbot, sample_data)
    channel = window.filter_bar.selects["channel"].choices()[0]
    with qtbot.waitSignal(window.dataset_changed, timeout=5000):  # a filtered view on screen
        window.filter_bar.set_state(Filters(channel=(channel,)), None, notify=True)
    out = tmp_path / "book.duckdb"
    window.actions_.save_book_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy, timeout=120_000)
    assert out.is_file()
    assert str(out) in window.statusBar().currentMessage()
    truth = load_dataset([str(sample_data)])
    book = open_book(f"duckdb://{out}", as_of=truth.as_of)
    try:
        assert book.book is not None and book.book.trusted  # opens without the scan
        assert _counts(book) == _counts(truth)  # every table, every reason: not the filter's
        policies = book.book.row_counts()["policies"]
        assert policies == len(truth.validated["policies"])
    finally:
        book.book.close()


def test_saving_over_a_data_file_is_refused_and_the_file_kept(qtbot, sample_data: Path,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_data, data)
    window = _window(qtbot, data)
    victim = next(p for p in sorted(data.iterdir()) if p.suffix == ".csv")
    before = victim.read_bytes()
    with qtbot.waitSignal(error_hub().error, timeout=60_000) as failed:
        window.actions_.save_book_to(str(victim))
    exc = failed.args[0]
    assert "would be overwritten" in str(exc) and str(victim) in str(exc)
    qtbot.waitUntil(lambda: not window._exporter.is_busy, timeout=60_000)
    assert victim.read_bytes() == before
    assert not [p for p in data.iterdir() if p.name.startswith(f".{victim.name}.")]  # no temp
