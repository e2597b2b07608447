"""Engine books' rejected rows carry the row's own cells as stored, as the file path's export
does (`memberdesk validate DATA --rejected-out FILE`, the desktop's Export rejected rows…):
location and reason columns, the source header at fault and its cell, then every source
column of the row as text under its source header.

Truth: a hand-built policies table with five known bad rows (one per reason below) among
twenty good ones, in DuckDB and in a real PostgreSQL server; the export must hold exactly
those five rows with the values written here.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef

from .conftest import write_duckdb, write_postgres

TODAY = dt.date(2026, 12, 5)
D = dt.date
# source headers (not the canonical names); "value" clashes with the report's own column
HEADERS = ["Policy No", "Member", "Channel", "Issue Date", "End Date", "Status", "Premium", "value"]


def _table() -> tuple[pa.Table, dict[str, dict[str, object]]]:
    """Twenty good policies and five bad ones; returns the table and, per bad row (keyed by
    its note in the ``value`` column), the expected export fields written out by hand."""
    rows: list[list[object]] = [
        [f"P{i:03d}", f"M{i:03d}", "agency", D(2020, 1, 1 + i), None, "in_force", 100.0 + i, f"ok{i}"]
        for i in range(20)]
    bad = [
        [None, "M900", "broker", D(2021, 3, 4), None, "in_force", 250.5, "bad-missing-id"],
        ["P901", "M901", "online", D(2021, 5, 6), D(2020, 1, 2), "lapsed", 300.0, "bad-end-before"],
        ["P902", "M902", "agency", D(2019, 7, 8), None, "in_force", -5.0, "bad-negative"],
        ["P903", "M903", "broker", D(2018, 9, 10), None, "bogus", 120.25, "bad-status"],
        ["P904", "M904", "online", D(2030, 1, 1), None, "in_force", 99.0, "bad-future"],
    ]
    columns = list(zip(*(rows + bad)))
    types = [pa.string(), pa.string(), pa.string(), pa.date32(), pa.date32(), pa.string(),
             pa.float64(), pa.string()]
    table = pa.table({h: pa.array(list(c), type=t) for h, c, t in zip(HEADERS, columns, types)})
    expected = {
        "bad-missing-id": {"reason": "missing_id", "column": "Policy No", "value": None,
                           "cells": [None, "M900", "broker", "2021-03-04", None, "in_force", "250.5"]},
        "bad-end-before": {"reason": "end_before_issue", "column": "End Date", "value": "2020-01-02",
                           "cells": ["P901", "M901", "online", "2021-05-06", "2020-01-02", "lapsed", "300"]},
        "bad-negative": {"reason": "negative_amount", "column": "Premium", "value": "-5",
                         "cells": ["P902", "M902", "agency", "2019-07-08", None, "in_force", "-5"]},
        "bad-status": {"reason": "unknown_status", "column": "Status", "value": "bogus",
                       "cells": ["P903", "M903", "broker", "2018-09-10", None, "bogus", "120.25"]},
        "bad-future": {"reason": "future_date", "column": "Issue Date", "value": "2030-01-01",
                       "cells": ["P904", "M904", "online", "2030-01-01", None, "in_force", "99"]},
    }
    return table, expected


def _check(rows: list[dict[str, object]], expected: dict[str, dict[str, object]]) -> None:
    """``rows``: the export's rows (header -> cell; empty cells as None)."""
    assert len(rows) == len(expected)
    seen = {}
    for r in rows:
        note = r["value [value]"]  # the source column "value", renamed beside the report's
        assert isinstance(note, str) and note in expected, r
        seen[note] = r
        e = expected[note]
        assert (r["table"], r["reason"], r["column"], r["value"]) == \
               ("policies", e["reason"], e["column"], e["value"]), r
        assert [r[h] for h in HEADERS[:-1]] == e["cells"], r
    assert seen.keys() == expected.keys()


def _read_csv(path: Path) -> list[dict[str, object]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def _read_xlsx(path: Path) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        values = list(wb.active.iter_rows(values_only=True))
    finally:
        wb.close()
    head = [str(h) for h in values[0]]
    return [{h: (None if v in ("", None) else str(v)) for h, v in zip(head, row)} for row in values[1:]]


def test_duckdb_rejected_export_holds_the_rows_cells(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    table, expected = _table()
    url = write_duckdb(tmp_path / "book.duckdb", {"policies": table})
    for name, read in (("rejected.csv", _read_csv), ("rejected.xlsx", _read_xlsx)):
        out = tmp_path / name
        assert main(["validate", url, "--rejected-out", str(out)]) == 0
        capsys.readouterr()
        _check(read(out), expected)
    ds = open_book(url, today=TODAY)
    try:  # the report's frame itself (what the desktop's validation view shows and exports)
        frame = ds.report.rejected
        assert list(frame.columns[:8]) == ["table", "file", "sheet", "row", "column", "reason",
                                           "value", "detail"]
        assert list(frame.columns[8:]) == [*HEADERS[:-1], "value [value]"]
    finally:
        assert ds.book is not None
        ds.book.close()


def test_postgres_rejected_export_holds_the_rows_cells(tmp_path: Path, postgres) -> None:  # type: ignore[no-untyped-def]
    table, expected = _table()
    url = write_postgres(postgres, "rejected_export", {"policies": table})
    ds = open_book(url, tables={"policies": TableRef("policies", "rejected_export")}, today=TODAY)
    try:
        assert ds.report.table("policies") is not None
        out = ds.report.export_rejected(tmp_path / "rejected.csv")
        _check(_read_csv(out), expected)
    finally:
        assert ds.book is not None
        ds.book.close()


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_bounded_sample_is_the_first_rows_by_their_cells(engine: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         request: pytest.FixtureRequest) -> None:
    """More rejected rows than the sample holds: the first ones in the order of the rows'
    cells (Policy No first; null last), the same on every run; the counts stay whole."""
    from memberdesk.core.engine import book as engine_book

    monkeypatch.setattr(engine_book, "REJECTED_SAMPLE", 2)
    table, expected = _table()
    if engine == "duckdb":
        url, tables = write_duckdb(tmp_path / "book.duckdb", {"policies": table}), None
    else:
        url = write_postgres(request.getfixturevalue("postgres"), "rejected_first", {"policies": table})
        tables = {"policies": TableRef("policies", "rejected_first")}
    for _ in range(2):
        ds = open_book(url, tables=tables, today=TODAY)
        try:
            frame = ds.report.rejected
            # P901 (end before issue) and P902 (negative premium) sort first of the five
            assert list(frame["Policy No"]) == ["P901", "P902"]
            assert list(frame["reason"]) == ["end_before_issue", "negative_amount"]
            report = ds.report.table("policies")
            assert report is not None and report.rejected == len(expected) == 5
        finally:
            assert ds.book is not None
            ds.book.close()
