"""The fast paths of engine validation (docs/engines.md "Speed and memory") give the file
path's answers on hand-built policies written as CSV (the truth: readers -> validation) and as
Parquet / a DuckDB table:

* the distinct-id check by a bitmap of the numbers after the ids' shared prefix, which only
  proves ids distinct and otherwise falls back to ``COUNT(DISTINCT id)``;
* category columns (channel, product) cleaned once per distinct value;
* statuses passed as stored when the parser leaves them unchanged.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from memberdesk.core.book import MemoryBook
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

TODAY = dt.date(2026, 12, 5)
HEADER = "policy_id,member_id,channel,product,issue_date,end_date,status,annual_premium\n"


def _rows(ids: list[str]) -> list[list[str]]:
    """One policy per id; channels and statuses exercise the per-value cleaning."""
    channels = ["agency", " agency", "broker ", "NA", "online", "", "bancassurance"]
    statuses = ["lapsed", "in_force", "失效", "surrendered", " lapsed", "bogus", "in_force"]
    rows: list[list[str]] = []
    first: dict[str, list[str]] = {}
    for i, pid in enumerate(ids):
        status = statuses[i % len(statuses)]
        end = "" if status == "in_force" else f"2022-{1 + i % 12:02d}-15"
        row = [pid, f"M{i:04d}", channels[i % len(channels)], ["term", "health"][i % 2],
               f"2019-{1 + i % 12:02d}-{1 + i % 27:02d}", end, status, str(100 + i)]
        if pid.strip() in first:  # a repeated id repeats its row: whichever is "first" (line
            row = [pid, *first[pid.strip()][1:]]  # order in files, value order in engines)
        first.setdefault(pid.strip(), row)
        rows.append(row)
    return rows


def _write(folder: Path, rows: list[list[str]]) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "policies.csv"
    csv.write_text(HEADER + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows),
                   encoding="utf-8")
    con = duckdb.connect()
    rel = f"read_csv('{csv}', all_varchar=true, header=true)"
    parquet = folder / "pq" / "policies.parquet"
    parquet.parent.mkdir()
    con.execute(f"COPY (SELECT policy_id, member_id, channel, product, issue_date::DATE AS issue_date, "
                f"TRY_CAST(end_date AS DATE) AS end_date, status, annual_premium::DOUBLE AS "
                f"annual_premium FROM {rel}) TO '{parquet}' (FORMAT parquet)")
    book = folder / "book.duckdb"
    con.close()
    con = duckdb.connect(str(book))
    con.execute(f"CREATE TABLE policies AS SELECT * FROM read_parquet('{parquet}')")
    con.close()
    return csv, parquet, book


def _reasons(ds) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(next(t for t in ds.report.tables if t.table == "policies").reasons)


def _counts(ds, by: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    book = getattr(ds, "book", None) or MemoryBook(ds)
    frame = book.survival_counts(ds, by)
    rows = frame[[by, "duration_days", "event", "n"]].itertuples(index=False)
    return sorted((((None if pd.isna(v) else str(v)), float(d), int(e), int(n)) for v, d, e, n in rows),
                  key=repr)


CASES = {
    # prefix + number, all distinct: the bitmap proves it (no COUNT(DISTINCT) query)
    "numbered": ([f"P{i:05d}" for i in range(300)], {}, True),
    # a repeated id: the bitmap cannot prove uniqueness -> exact count -> one duplicate
    "repeated": ([f"P{i:05d}" for i in range(299)] + ["P00007"], {"duplicate_id": 1}, False),
    # ids equal once trimmed (' P00008' vs 'P00008') are duplicates, as in files
    "padded": ([f"P{i:05d}" for i in range(299)] + [" P00008"], {"duplicate_id": 1}, False),
    # A+5 and A05 share the number 5 but are distinct ids: no false duplicate
    "collision": ([f"A{i:02d}" for i in range(10)] + ["A+5"], {}, False),
    # null tokens and blanks are missing ids, never duplicates of one another
    "missing": ([f"P{i:05d}" for i in range(100)] + ["NA", " ", "null"], {"missing_id": 3}, None),
    # ids of no numeric shape: the exact count only
    "words": ([f"pol-{chr(97 + i % 26)}{i}" for i in range(200)], {}, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("kind", ["parquet", "duckdb"])
def test_fast_paths_equal_file_path(case: str, kind: str, tmp_path: Path,
                                    duckdb_sql: list[str]) -> None:
    ids, id_reasons, bitmap_only = CASES[case]
    csv, parquet, book = _write(tmp_path, _rows(ids))
    mem = load_dataset([str(csv)], today=TODAY)
    sent = duckdb_sql
    eng = open_book(str(parquet) if kind == "parquet" else f"duckdb://{book}", today=TODAY)
    try:
        expected = _reasons(mem)
        # hand check of the rows built above: 1 in 7 statuses is 'bogus'
        assert expected.get("unknown_status", 0) >= 1
        for reason, n in id_reasons.items():
            assert expected[reason] == n
        assert _reasons(eng) == expected
        assert eng.as_of == mem.as_of
        for by in ("channel", "product", "status"):
            assert _counts(eng, by) == _counts(mem, by)
        distinct_sql = any("COUNT(DISTINCT" in s.upper() for s in sent)
        if bitmap_only is True:
            assert not distinct_sql  # proven by the bitmap in the validation scan
        elif bitmap_only is False:
            assert distinct_sql
    finally:
        eng.book.close()
