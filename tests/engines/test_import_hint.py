"""A long validation scan of a book `memberdesk import` did not write ends with a hint on
stderr: import it once and it opens without the scan (issue #13: the raw 100M book spends most
of each command validating). A trusted (imported) book, and the import itself, say nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from memberdesk.cli import main
from memberdesk.commands import common
from memberdesk.core import book_writer

from .conftest import write_duckdb


def test_slow_scan_of_a_raw_book_hints_at_import_and_an_imported_book_does_not(
        tmp_path: Path, sample_book, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(book_writer, "SLOW_OPEN_SECONDS", 0.0)  # every scan counts as long here
    source = write_duckdb(tmp_path / "raw book.duckdb", sample_book[1])
    assert main(["km", source, "--by", "channel", "--json"]) == 0
    err = capsys.readouterr().err
    assert "note: checking the book's rows took" in err
    assert f"`memberdesk import '{source}' -o BOOK.duckdb`" in err  # quoted: a space in the path

    out = tmp_path / "book.duckdb"
    assert main(["import", source, "-o", str(out)]) == 0
    assert "checking the book's rows took" not in capsys.readouterr().err  # importing is the cure
    assert main(["km", f"duckdb://{out}", "--by", "channel", "--json"]) == 0
    assert "checking the book's rows took" not in capsys.readouterr().err  # trusted: no scan


def test_a_quick_scan_says_nothing(tmp_path: Path, sample_book,  # type: ignore[no-untyped-def]
                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = write_duckdb(tmp_path / "raw.duckdb", sample_book[1])
    assert main(["km", source, "--by", "channel", "--json"]) == 0  # the sample: well under 10 s
    assert "checking the book's rows took" not in capsys.readouterr().err


def test_import_never_replaces_the_database_it_reads(tmp_path: Path, sample_book,  # type: ignore[no-untyped-def]
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "book.duckdb"
    source = write_duckdb(db, sample_book[1])
    before = db.read_bytes()
    assert main(["import", source, "-o", str(db)]) == 3
    err = capsys.readouterr().err
    assert "would be overwritten" in err and str(db) in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.duckdb"]  # no temporary left


def test_a_cancelled_task_writes_no_book(tmp_path: Path, sample_book) -> None:  # type: ignore[no-untyped-def]
    """Saving a DuckDB book from the desktop runs as a task: once its Cancel is pressed the
    write stops (a running statement is interrupted) and leaves no file, not even a temporary."""
    from memberdesk.core.book_writer import save_book
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.errors import Cancelled
    from memberdesk.core.progress import Interrupts, task_scope

    ds = open_book(write_duckdb(tmp_path / "raw.duckdb", sample_book[1]))
    out = tmp_path / "out" / "book.duckdb"
    interrupts = Interrupts()
    interrupts.cancel()
    try:
        with task_scope(interrupts), pytest.raises(Cancelled):
            save_book(ds, out)
    finally:
        assert ds.book is not None
        ds.book.close()
    assert not out.parent.exists() or not any(out.parent.iterdir())


class _CancelAfterTheLastTable:
    """A task's progress whose Cancel is pressed once the writer says it writes the last
    table (after the last check between tables)."""

    def __init__(self, tables: int) -> None:
        self.tables = tables
        self.statuses: list[str] = []

    def fraction(self, x: float) -> None:
        pass

    def status(self, text: str) -> None:
        self.statuses.append(text)

    def cancelled(self) -> bool:
        return len(self.statuses) >= self.tables


@pytest.mark.parametrize("where", ["engine", "files"])
def test_a_cancel_during_the_last_table_writes_no_book(tmp_path: Path, sample_book,  # type: ignore[no-untyped-def]
                                                       where: str) -> None:
    """Cancel pressed while the last table (then the rejected rows and the metadata) is being
    written: the task ends Cancelled and no book is left. (The desktop's worker reports such a
    task as Cancelled; the book was renamed into place all the same.)"""
    from memberdesk.core.book_writer import save_book
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.errors import Cancelled
    from memberdesk.core.loader import load_dataset

    ds = open_book(write_duckdb(tmp_path / "raw.duckdb", sample_book[1])) if where == "engine" \
        else load_dataset(sample_book[0])
    progress = _CancelAfterTheLastTable(len(ds.report.tables))
    out = tmp_path / "out" / "book.duckdb"
    try:
        with pytest.raises(Cancelled):
            save_book(ds, out, progress=progress)
    finally:
        common.close_book(ds)
    assert progress.statuses and len(progress.statuses) == len(ds.report.tables)
    assert not out.parent.exists() or not any(out.parent.iterdir())
