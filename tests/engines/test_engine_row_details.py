"""An engine's rejected rows say exactly what is wrong with the cell, in the file path's words
("not a date in an accepted format (…)", "after today (2026-…)", "no such member_id in the
members table"), not only what the reason means — on a raw book and on the book `memberdesk
import` wrote from it, in English and Chinese."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset
from memberdesk.core.validation_report import detail_text

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
TABLES = ("policies", "members", "claims", "benefit_usage", "service_contacts", "premium_payments")
TODAY = dt.date(2026, 12, 6)

# (table, data row, column, text): one hostile cell per check the engine gives a detail for
EDITS = [
    ("policies", 0, "issue_date", "2023-13-45"),      # unparseable_date
    ("policies", 1, "annual_premium", "abc"),         # unparseable_number
    ("policies", 2, "annual_premium", "-5"),          # negative_amount
    ("members", 3, "join_date", "2099-01-01"),        # future_date
    ("policies", 4, "status", "sleeping"),            # unknown_status
    ("policies", 5, "member_id", "M999999"),          # unknown_member
    ("policies", 6, "policy_id", ""),                 # missing_id
    ("policies", 7, "issue_date", ""),                # missing_date (issue date)
    ("claims", 0, "reported_at", "2024-05-01"),       # settled before reported (row 0 settles 2018)
    ("claims", 1, "status", "lost"),                  # unknown_status (claims)
    ("claims", 2, "reported_at", ""),                 # missing_date (event date)
]


def _edit(path: Path, column: str, row: int, text: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1 + row][rows[0].index(column)] = text
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("details")
    folder = root / "data"
    folder.mkdir()
    for name in TABLES:
        shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
    for table, row, column, text in EDITS:
        _edit(folder / f"{table}.csv", column, row, text)
    raw = root / "raw.duckdb"
    con = duckdb.connect(str(raw))
    for name in TABLES:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / (name + '.csv')}', "
                    "all_varchar = true)")
    con.close()
    imported = root / "imported.duckdb"
    assert main(["import", f"duckdb:///{raw}", "-o", str(imported)]) == 0
    return folder, f"duckdb:///{raw}", f"duckdb:///{imported}"


def _details(rejected, lang: str) -> dict[tuple[str, str, str, str], str]:  # type: ignore[no-untyped-def]
    return {(r["table"], r["reason"], str(r["column"]), str(r["value"])): detail_text(r["detail"], lang)
            for r in rejected.to_dict("records") if r["reason"] != "duplicate_id"}


@pytest.mark.parametrize("which", ["raw", "imported"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_engine_details_are_the_file_paths(books: tuple[Path, str, str], which: str,
                                           lang: str) -> None:
    folder, raw, imported = books
    files = _details(load_dataset([folder], today=TODAY).report.rejected, lang)
    ds = open_book(raw if which == "raw" else imported, today=TODAY)
    try:
        engine = _details(ds.report.rejected, lang)
    finally:
        ds.book.close()
    reasons = {k[1] for k in files}
    assert {"unparseable_date", "unparseable_number", "negative_amount", "future_date",
            "unknown_status", "unknown_member", "missing_id", "missing_date",
            "end_before_issue", "unknown_policy"} <= reasons  # every check of EDITS, and more
    assert engine == files
