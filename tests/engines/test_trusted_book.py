"""Trusted books (issue #13): a DuckDB book written by ``memberdesk import`` carries its
validation (``memberdesk_book``: counts by table and reason, the rejected rows in ``rejected``)
and is opened without the validation scan while everything still matches; a book that no
longer matches (a row deleted, other rules, another format, a later day with future-dated
rows rejected) is validated again, and the report says which.

Truth: the validation of the raw source itself — the raw DuckDB book opened as any database
(``open_book`` on the source) and the CSV files read by the file path (``load_dataset``) —
and, for the tampered books, the counts of the rows actually left in their tables.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main
from memberdesk.commands.import_ import write_book, write_engine_book
from memberdesk.core.engine.book import BOOK_TABLE, EngineDataset, open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.loader import load_dataset
from memberdesk.core.validation_report import rejected_for_people

from .conftest import write_duckdb as _write_plain
from .test_kpi_counts import _kpis, assert_same


def write_duckdb(path: Path, tables: dict[str, pa.Table]) -> str:
    """conftest's writer with the table names quoted (hostile names here)."""
    con = duckdb.connect(str(path))
    for name, table in tables.items():
        con.register("src", table)
        con.execute('CREATE TABLE "' + name.replace('"', '""') + '" AS SELECT * FROM src')
        con.unregister("src")
    con.close()
    return f"duckdb://{path}"

TODAY = dt.date(2026, 12, 5)
D = dt.date
HOSTILE = 'note"; DROP TABLE members; --'  # a column name


def _report(ds: Any) -> list[dict[str, object]]:
    return [{k: v for k, v in t.to_json().items() if k != "files"} for t in ds.report.tables]


def _sample(ds: Any, per_table: int | None = None) -> pd.DataFrame:
    """The rejected rows as a person reads them (details in English), columns holding a value
    only, the first ``per_table`` of each table."""
    frame = rejected_for_people(ds.report.rejected, "en")
    if per_table is not None:
        frame = frame.groupby("table", sort=False).head(per_table)
    frame = frame.dropna(axis=1, how="all").astype(object)
    return frame.where(frame.notna(), None).reset_index(drop=True)


def _km(ds: Any) -> dict[str, Any]:
    return dict(km_by_segment(ds, "channel").to_json())


def _same_km(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert [g["n"] for g in a["groups"]] == [g["n"] for g in b["groups"]]
    assert all(math.isclose(x, y, rel_tol=1e-9) for ga, gb in zip(a["groups"], b["groups"])
               for x, y in zip(ga["survival"], gb["survival"]))
    assert math.isclose(a["logrank"]["test_statistic"], b["logrank"]["test_statistic"],
                        rel_tol=1e-9)


def _engine_import(source: str, out: Path, *, tables: dict[str, TableRef] | None = None
                   ) -> EngineDataset:
    """Validate ``source`` in the engine and write the book (as `memberdesk import` does, with
    a fixed day); returns the source's own validation."""
    raw = open_book(source, tables=tables, today=TODAY)
    assert raw.book is not None
    write_engine_book(raw.book, out, today=TODAY)
    return raw


def test_engine_import_opens_with_the_raw_validation(tmp_path: Path, generated_book) -> None:  # type: ignore[no-untyped-def]
    source = _write_plain(tmp_path / "raw.duckdb", generated_book[1])
    out = tmp_path / "book.duckdb"
    raw = _engine_import(source, out)
    book = open_book(f"duckdb://{out}", today=TODAY)
    try:
        assert book.book is not None and book.book.trusted
        assert any("not checked again" in str(m) for m in book.report.messages)
        # the raw book's seven bad rows (tests/engines/conftest.py big_book), same counts
        assert _report(book) == _report(raw)
        policies = book.report.table("policies")
        assert policies is not None and policies.rejected == 7 and policies.read == 200_000
        assert [t.files for t in book.report.tables] == [t.files for t in raw.report.tables]
        pd.testing.assert_frame_equal(_sample(book), _sample(raw))
        assert book.as_of == raw.as_of
        _same_km(_km(book), _km(raw))
    finally:
        for ds in (book, raw):
            assert ds.book is not None
            ds.book.close()
    con = duckdb.connect(str(out), read_only=True)
    try:  # every rejected row written, with the columns of the file import's table
        reasons = dict(con.sql("SELECT reason, count(*) FROM rejected GROUP BY 1").fetchall())
        assert reasons == {"missing_id": 1, "duplicate_id": 1, "end_before_issue": 1,
                           "negative_amount": 1, "unknown_status": 1, "future_date": 1,
                           "unknown_member": 1}
        columns = [r[0] for r in con.sql("DESCRIBE rejected").fetchall()]
        assert columns[:8] == ["table", "file", "sheet", "row", "column", "reason", "value", "detail"]
        assert con.sql("SELECT count(*) FROM policies").fetchall() == [(200_000 - 7,)]
    finally:
        con.close()


def test_trusted_book_reads_its_cleaned_texts_as_stored(tmp_path: Path, generated_book,  # type: ignore[no-untyped-def]
                                                        duckdb_sql: list[str]) -> None:
    # the import wrote cleaned ids and categories: the trusted book reads them as stored (no
    # trimming per row, no distinct-value query per category column), with the same answers
    # as the raw book, whose every id and category is cleaned in each query
    source = _write_plain(tmp_path / "raw.duckdb", generated_book[1])
    out = tmp_path / "book.duckdb"
    raw = _engine_import(source, out)
    start = opened = len(duckdb_sql)
    book = open_book(f"duckdb://{out}", today=TODAY)
    try:
        assert book.book is not None and book.book.trusted
        kpis, km = _kpis(book), _km(book)  # the KPIs read member and policy ids
        trusted_sql = duckdb_sql[start:]
        start = len(duckdb_sql)
        assert_same(kpis, _kpis(raw))
        _same_km(km, _km(raw))
        raw_sql = duckdb_sql[start:]
        assert any("ASCII(" in q for q in raw_sql)  # the row-wise trimming test of a cell
        assert not any("ASCII(" in q for q in trusted_sql)
        # category columns: cleaned through their distinct values when the raw book opened,
        # not on the trusted one (only the statuses are still parsed through theirs)
        raw_open = duckdb_sql[:opened]
        assert any(q.startswith('SELECT\n  "t2"."channel"') for q in raw_open)
        assert [q for q in trusted_sql if "DISTINCT" in q and '"status"' not in q] == []
    finally:
        for ds in (book, raw):
            assert ds.book is not None
            ds.book.close()


def test_file_import_opens_with_the_file_validation(tmp_path: Path, generated_book) -> None:  # type: ignore[no-untyped-def]
    files = load_dataset(generated_book[0], today=TODAY)
    out = tmp_path / "book.duckdb"
    write_book(files, out, today=TODAY)
    book = open_book(f"duckdb://{out}", today=TODAY)
    try:
        assert book.book is not None and book.book.trusted
        assert _report(book) == _report(files)
        assert [t.files for t in book.report.tables] == [t.files for t in files.report.tables]
        # the file path's rejected rows, in its order (row numbers and its own words)
        pd.testing.assert_frame_equal(_sample(book), _sample(files, per_table=1000))
        assert book.as_of == files.as_of
        _same_km(_km(book), _km(files))
    finally:
        assert book.book is not None
        book.book.close()


def _small() -> dict[str, pa.Table]:
    """Twelve policies, two of them bad (negative premium, future issue date), in a table and
    with a column of hostile names; two members."""
    rows: list[list[object]] = [
        [f"P{i:02d}", f"M{i % 2}", "agency" if i % 3 else "online", D(2020, 1, 1 + i),
         D(2024, 1, 1) if i % 4 == 0 else None, "lapsed" if i % 4 == 0 else "in_force",
         100.0 + i, f"n{i}"] for i in range(10)]
    rows += [["P90", "M0", "online", D(2021, 1, 1), None, "in_force", -5.0, "bad-negative"],
             ["P91", "M1", "agency", D(2030, 1, 1), None, "in_force", 80.0, "bad-future"]]
    headers = ["policy_id", "member_id", "channel", "issue_date", "end_date", "status",
               "annual_premium", HOSTILE]
    types = [pa.string(), pa.string(), pa.string(), pa.date32(), pa.date32(), pa.string(),
             pa.float64(), pa.string()]
    policies = pa.table({h: pa.array(list(c), type=t)
                         for h, c, t in zip(headers, zip(*rows), types)})
    members = pa.table({"member_id": ["M0", "M1"], "gender": ["F", "M"]})
    return {'pol"icies; DROP TABLE members; --': policies, "members": members}


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, EngineDataset]:
    """A small imported book (hostile source table and column names) and the raw validation."""
    source = write_duckdb(tmp_path / "raw.duckdb", _small())
    out = tmp_path / "book.duckdb"
    raw = _engine_import(source, out,
                         tables={"policies": TableRef('pol"icies; DROP TABLE members; --')})
    assert raw.book is not None
    raw.book.close()
    return out, raw


def test_hostile_names_are_quoted(imported: tuple[Path, EngineDataset]) -> None:
    out, raw = imported
    report = raw.report.table("policies")
    assert report is not None and report.reasons == {"negative_amount": 1, "future_date": 1}
    book = open_book(f"duckdb://{out}", today=TODAY)
    try:
        assert book.book is not None and book.book.trusted
        assert _report(book) == _report(raw)
        sample = _sample(book)
        pd.testing.assert_frame_equal(sample, _sample(raw))
        assert list(sample[HOSTILE]) == ["bad-negative", "bad-future"]
    finally:
        assert book.book is not None
        book.book.close()
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert sorted(r[0] for r in con.sql("SHOW TABLES").fetchall()) == \
            [BOOK_TABLE, "members", "policies", "rejected"]
    finally:
        con.close()


def _tamper(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()


def _revalidated(path: Path, today: dt.date, why: str) -> EngineDataset:
    ds = open_book(f"duckdb://{path}", today=today)
    assert ds.book is not None
    ds.book.close()
    assert not ds.book.trusted
    assert any(why in str(m) and "validated again" in str(m) for m in ds.report.messages)
    return ds


def test_deleted_row_is_revalidated(imported: tuple[Path, EngineDataset]) -> None:
    out, _ = imported
    _tamper(out, "DELETE FROM policies WHERE policy_id = 'P03'")
    ds = _revalidated(out, TODAY, "the policies table holds 9 rows, 10 were written")
    # validated as any database: the nine rows left, none rejected (the bad ones are not in
    # the book's table)
    assert _report(ds)[1] == {"table": "policies", "read": 9, "accepted": 9, "rejected": 0,
                              "reasons": {}}


@pytest.mark.parametrize("column,value,why", [
    ("rules", "'0000'", "written under other validation rules"),
    ("format", "99", "another metadata format"),
])
def test_changed_metadata_is_revalidated(imported: tuple[Path, EngineDataset], column: str,
                                         value: str, why: str) -> None:
    out, _ = imported
    _tamper(out, f'UPDATE {BOOK_TABLE} SET "{column}" = {value}')
    ds = _revalidated(out, TODAY, why)
    assert _report(ds)[1]["read"] == 10


def test_rejected_table_changed_is_revalidated(imported: tuple[Path, EngineDataset]) -> None:
    out, _ = imported
    _tamper(out, "DELETE FROM rejected WHERE reason = 'future_date'")
    _revalidated(out, TODAY, "its rejected table differs")


def test_a_later_day_with_future_dated_rows_is_revalidated(
        imported: tuple[Path, EngineDataset]) -> None:
    # P91 (issued 2030-01-01) was rejected as future-dated: on a later day it may not be
    out, _ = imported
    _revalidated(out, TODAY + dt.timedelta(days=1), "the future-date rule may differ")
    _revalidated(out, TODAY - dt.timedelta(days=1), "the future-date rule may differ")


def test_a_later_day_without_future_dated_rows_stays_trusted(tmp_path: Path) -> None:
    tables = _small()
    name = 'pol"icies; DROP TABLE members; --'
    tables[name] = tables[name].slice(0, 11)  # without P91: no future-dated row
    source = write_duckdb(tmp_path / "raw.duckdb", tables)
    out = tmp_path / "book.duckdb"
    _engine_import(source, out, tables={"policies": TableRef(name)}).book.close()  # type: ignore[union-attr]
    later = TODAY + dt.timedelta(days=400)
    ds = open_book(f"duckdb://{out}", today=later)
    assert ds.book is not None
    ds.book.close()
    assert ds.book.trusted
    raw = open_book(source, tables={"policies": TableRef(name)}, today=later)
    assert raw.book is not None
    raw.book.close()
    assert _report(ds) == _report(raw)


def test_import_command_from_duckdb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`memberdesk import duckdb://RAW -o BOOK` then `memberdesk km duckdb://BOOK`: the same
    KM as on the raw book, from the trusted book."""
    tables = _small()
    source = write_duckdb(tmp_path / "raw.duckdb", {"policies": tables.pop(next(iter(tables))),
                                                    **tables})
    out = tmp_path / "book.duckdb"
    assert main(["import", source, "-o", str(out)]) == 0
    assert "2 rejected" in capsys.readouterr().err
    assert main(["km", source, "--by", "channel", "--json"]) == 0
    raw_out = capsys.readouterr().out
    assert main(["km", f"duckdb://{out}", "--by", "channel", "--json"]) == 0
    assert capsys.readouterr().out == raw_out


def test_rules_fingerprint_follows_the_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen build has no source to hash: its version must still tell two builds apart, so a
    book imported by an older release is validated again by a newer one."""
    import memberdesk
    from memberdesk.core.engine.book import rules_version

    before = rules_version()
    monkeypatch.setattr(memberdesk, "__version__", memberdesk.__version__ + ".post1")
    assert rules_version() != before
    monkeypatch.undo()
    assert rules_version() == before


def test_the_books_own_messages_read_in_either_language(imported: tuple[Path, EngineDataset]
                                                        ) -> None:
    """The trusted book's and the revalidated book's own lines are reason codes, so the Chinese
    report and window read them in Chinese (the words are the catalogue's, written out here)."""
    from memberdesk.core.reasons import reason_text

    out, _ = imported
    ds = open_book(f"duckdb://{out}", today=TODAY)
    assert ds.book is not None
    ds.book.close()
    read = [m for m in ds.report.messages if m.startswith("validation read from the book")]
    assert len(read) == 1
    assert reason_text(read[0], "zh_CN") == (
        f"校验结果读取自数据库文件（由 `memberdesk import` 于 {TODAY} 写入，规则相同，行数一致）：未重新校验")
    _tamper(out, "DELETE FROM policies WHERE policy_id = 'P03'")
    ds = _revalidated(out, TODAY, "the policies table holds 9 rows, 10 were written")
    again = [m for m in ds.report.messages if "validated again" in m]
    assert [reason_text(m, "zh_CN") for m in again] == [
        "未使用数据库文件中保存的校验结果（保单表现有 9 行，写入时为 10 行）：其数据表已重新校验"]


def test_messages_stored_as_text_by_an_earlier_import_still_read(
        imported: tuple[Path, EngineDataset]) -> None:
    """A book whose metadata holds its messages as plain text (before they kept their codes)
    is still trusted, and its messages read as written."""
    out, _ = imported
    _tamper(out, f"""UPDATE {BOOK_TABLE} SET messages = '["raw.csv: an old message"]'""")
    ds = open_book(f"duckdb://{out}", today=TODAY)
    assert ds.book is not None
    ds.book.close()
    assert ds.book.trusted
    assert ds.report.messages[0] == "raw.csv: an old message"
