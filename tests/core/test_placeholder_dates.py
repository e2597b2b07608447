"""Dates on or before 1900-01-01 are kept (the contract rejects no past date) but named: an
unknown issue date written as 1900-01-01, Excel's day 0 (1899-12-30) or a typo such as 1850
puts a century of duration into every survival curve. The file path and the engine (raw and
imported book) say the same, in both languages."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import Note

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
TABLES = ("policies", "members", "claims", "benefit_usage", "service_contacts", "premium_payments")


def _edit(path: Path, column: str, values: dict[int, str]) -> None:
    """Set ``column`` of data rows ``values`` (0-based data row -> text) of a CSV file."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    at = rows[0].index(column)
    for i, text in values.items():
        rows[1 + i][at] = text
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("placeholder") / "data"
    folder.mkdir()
    for name in TABLES:
        shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
    # three issue dates on or before the limit, one just after it; one birth date
    _edit(folder / "policies.csv", "issue_date",
          {10: "1900-01-01", 11: "1899-12-30", 12: "1850-06-01", 13: "1900-01-02"})
    _edit(folder / "members.csv", "birth_date", {5: "1890-03-04"})
    return folder


def _placeholders(messages: list[str]) -> list[str]:
    return [m for m in messages if isinstance(m, Note) and m.reason.code == "dates_placeholder"]


EXPECTED = [
    "members: accepted rows with birth_date on or before 1900-01-01: 1 (the earliest 1890-03-04)",
    "policies: accepted rows with issue_date on or before 1900-01-01: 3 (the earliest 1850-06-01)",
]


def _heads(notes: list[str]) -> list[str]:
    return sorted(n.split(", often")[0] for n in notes)


def test_the_file_path_names_them_and_keeps_the_rows(book: Path) -> None:
    ds = load_dataset([book])
    notes = _placeholders(ds.report.messages)
    assert _heads(notes) == EXPECTED
    policies = next(t for t in ds.report.tables if t.table == "policies")
    assert policies.rejected == 0  # kept: nothing is rejected for an early date
    zh = next(n for n in notes if n.startswith("policies")).text("zh_CN")
    assert "生效日期" in zh and "1850-06-01" in zh and "3行" in zh


def test_the_sample_book_has_none() -> None:
    assert _placeholders(load_dataset([SAMPLE]).report.messages) == []


def test_a_raw_and_an_imported_duckdb_book_say_the_same(book: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.duckdb"
    con = duckdb.connect(str(raw))
    for name in TABLES:  # every column as text, as a warehouse export might hold them
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{book / (name + '.csv')}', "
                    "all_varchar = true)")
    con.close()
    files = sorted(str(n) for n in _placeholders(load_dataset([book]).report.messages))
    engine = open_book(f"duckdb:///{raw}")
    try:
        assert sorted(str(n) for n in _placeholders(engine.report.messages)) == files
    finally:
        engine.book.close()
    imported = tmp_path / "imported.duckdb"
    assert main(["import", f"duckdb:///{raw}", "-o", str(imported)]) == 0
    trusted = open_book(f"duckdb:///{imported}")
    try:
        assert trusted.book.trusted
        assert sorted(str(n) for n in _placeholders(trusted.report.messages)) == files
    finally:
        trusted.book.close()


def test_an_analysis_on_the_command_line_says_so(book: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["km", str(book), "--json"]) == 0
    err = capsys.readouterr().err
    assert "memberdesk: note: policies: accepted rows with issue_date on or before 1900-01-01: 3" in err


def test_import_says_so_too(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(book), "-o", str(tmp_path / "b.duckdb")]) == 0
    err = capsys.readouterr().err
    assert err.count("accepted rows with issue_date on or before 1900-01-01: 3") == 1
