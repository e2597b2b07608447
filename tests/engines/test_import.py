"""`memberdesk import DATA... -o BOOK.duckdb`: the file path's validation (same reasons),
accepted rows and a `rejected` table written into DuckDB; the imported book analyses as the
files do."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main
from memberdesk.core.engine.book import open_book

TODAY = dt.date(2026, 12, 5)


def test_import_writes_accepted_and_rejected_rows(tmp_path: Path, generated_book, memory_books,  # type: ignore[no-untyped-def]
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book.duckdb"
    assert main(["import", *generated_book[0], "-o", str(out)]) == 0
    assert "7 rejected" in capsys.readouterr().err
    con = duckdb.connect(str(out), read_only=True)
    # the generated book holds one row of each of these reasons (tests/engines/conftest.py)
    reasons = dict(con.sql("SELECT reason, count(*) FROM rejected GROUP BY 1").fetchall())
    assert reasons == {"missing_id": 1, "duplicate_id": 1, "end_before_issue": 1,
                       "negative_amount": 1, "unknown_status": 1, "future_date": 1,
                       "unknown_member": 1}
    assert con.sql("SELECT count(*) FROM policies").fetchall() == [(200_000 - 7,)]
    keys = con.sql("SELECT constraint_column_names FROM duckdb_constraints() "
                   "WHERE table_name = 'policies' AND constraint_type = 'PRIMARY KEY'").fetchall()
    assert keys == [(["policy_id"],)]
    con.close()
    book = open_book(f"duckdb://{out}", today=TODAY)
    mem = memory_books["generated"]
    # the memory book's as-of comes from all its accepted rows, as the imported book's does
    assert book.as_of == mem.as_of
    a = km_by_segment(book, "channel").to_json()
    b = km_by_segment(mem, "channel").to_json()
    assert [g["n"] for g in a["groups"]] == [g["n"] for g in b["groups"]]
    assert all(math.isclose(x, y, rel_tol=1e-9) for ga, gb in zip(a["groups"], b["groups"])
               for x, y in zip(ga["survival"], gb["survival"]))
    assert math.isclose(a["logrank"]["test_statistic"], b["logrank"]["test_statistic"], rel_tol=1e-9)
    assert book.book is not None
    book.book.close()
