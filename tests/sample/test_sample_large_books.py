"""Large sample books (issue 17 D.19): the Excel copy is opt-in above EXCEL_MAX_MEMBERS, the
files are written in chunks with progress, and the default output is still byte-for-byte the
committed sample_data/.

Truths: the committed sample_data/ files (the default output before this change), csv_text of
the whole frame (one to_csv call, no chunking), and the stated rule (Excel by default up to
50,000 members)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from memberdesk.cli import main
from memberdesk.core import schema
from memberdesk.core.errors import Cancelled
from memberdesk.sample import book as sample_book
from memberdesk.sample import generate_book, write_book
from memberdesk.sample.writers import (
    csv_text,
    gb18030_policies_text,
    write_csv,
    write_gb18030_policies,
)

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
EXCEL = "excel/memberdesk_sample.xlsx"


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.fractions: list[float] = []
        self.statuses: list[str] = []
        self.cancel_after = cancel_after

    def fraction(self, x: float) -> None:
        self.fractions.append(x)

    def status(self, text: str) -> None:
        self.statuses.append(text)

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.fractions) >= self.cancel_after


def test_default_output_is_byte_identical_to_the_committed_sample(tmp_path: Path) -> None:
    paths = write_book(tmp_path)                       # default size, seed, end; Excel included
    names = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert EXCEL in names
    for name in names:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DATA / name).read_bytes(), name


@pytest.mark.parametrize("chunk_rows", [1, 7, 1000])
def test_chunked_files_equal_the_whole_frame_written_at_once(tmp_path: Path,
                                                             chunk_rows: int) -> None:
    book = generate_book(members=150, seed=3)
    for name in schema.TABLES:
        path = write_csv(book[name], tmp_path / f"{name}.csv", chunk_rows=chunk_rows)
        assert path.read_bytes() == csv_text(book[name]).encode("utf-8"), name
    zh = write_gb18030_policies(book["policies"], tmp_path / "zh.csv", chunk_rows=chunk_rows)
    assert zh.read_bytes() == gb18030_policies_text(book["policies"]).encode("gb18030")
    empty = book["claims"].iloc[:0]
    assert write_csv(empty, tmp_path / "empty.csv", chunk_rows=chunk_rows).read_bytes() == \
        csv_text(empty).encode("utf-8") == (",".join(empty.columns) + "\n").encode("utf-8")


def test_excel_is_written_by_default_only_up_to_the_threshold(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert sample_book.EXCEL_MAX_MEMBERS == 50_000
    assert sample_book.excel_by_default(50_000) and not sample_book.excel_by_default(50_001)
    monkeypatch.setattr(sample_book, "EXCEL_MAX_MEMBERS", 60)   # a small book stands in
    small = write_book(tmp_path / "small", members=60, seed=1)
    large = write_book(tmp_path / "large", members=61, seed=1)
    forced = write_book(tmp_path / "forced", members=61, seed=1, excel=True)
    skipped = write_book(tmp_path / "skipped", members=60, seed=1, excel=False)
    assert (tmp_path / "small" / EXCEL).is_file() and len(small) == 8
    assert not (tmp_path / "large" / EXCEL).exists() and len(large) == 7
    assert (tmp_path / "forced" / EXCEL).is_file() and len(forced) == 8
    assert not (tmp_path / "skipped" / EXCEL).exists() and len(skipped) == 7
    # the CSV files do not depend on whether the workbook is written
    assert (tmp_path / "large/policies.csv").read_bytes() == \
        (tmp_path / "forced/policies.csv").read_bytes()


def test_progress_reaches_one_names_every_file_and_can_stop(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("memberdesk.sample.writers.CHUNK_ROWS", 50)  # several chunks per file
    rec = Recorder()
    write_book(tmp_path / "a", members=200, seed=2, excel=True, progress=rec)
    assert rec.fractions == sorted(rec.fractions) and rec.fractions[-1] == 1.0
    assert len(rec.fractions) > 20                  # within files, not only between them
    text = " | ".join(rec.statuses)
    for name in [f"{t}.csv" for t in schema.TABLES] + ["Excel copy", "policies_zh.csv"]:
        assert name in text, name
    stop = Recorder(cancel_after=3)
    with pytest.raises(Cancelled):
        write_book(tmp_path / "b", members=200, seed=2, excel=True, progress=stop)


def test_cli_excel_options_and_progress_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sample_book, "EXCEL_MAX_MEMBERS", 60)
    assert main(["sample", "-o", str(tmp_path / "a"), "--members", "80"]) == 0
    out, err = capsys.readouterr()
    assert not (tmp_path / "a" / EXCEL).exists() and EXCEL not in out
    assert "--excel" in err and "not written above 60 members" in err
    assert "sample: writing policies.csv" in err and "100%" in err
    assert "sample:" not in out                      # stdout lists the files only
    assert main(["sample", "-o", str(tmp_path / "b"), "--members", "80", "--excel", "-q"]) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "b" / EXCEL).is_file() and err == ""
    with pytest.raises(SystemExit) as exit_:
        main(["sample", "-o", str(tmp_path / "c"), "--excel", "--no-excel"])
    assert exit_.value.code == 2
    assert pd.read_csv(tmp_path / "a" / "members.csv").shape[0] == 80
