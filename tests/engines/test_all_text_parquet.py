"""A Parquet folder whose every column is text (as many warehouses export: dates as
'YYYY-MM-DD' text, numbers as text) gives the answers of the same book stored typed, at the
typed book's speed (issue #13; docs/engines.md, "All-text Parquet").

Truth: the typed Parquet folder of the same sample tables (itself equal to the CSV files:
tests/engines/test_every_command.py) for every command's JSON, and the file path (the same
cells as CSV through readers -> validation) for a table of mixed date and number texts.
The mechanism is checked as a property: a text date/number column holding plain ISO dates or
decimals compiles to the engine's cast with a CASE branch only for the other values, not one
branch per distinct value (the 20,000-branch CASEs made `alerts` on such a folder run for over
20 minutes, and `km` at 200k policies 179 s against 1.9 s typed).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.core import schema
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.loader import load_dataset

from .conftest import write_postgres
from .test_every_command import _close, _invoke

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
TABLES = ("members", "policies", "claims", "benefit_usage", "service_contacts", "premium_payments")
TODAY = dt.date(2026, 12, 5)

COMMANDS: dict[str, list[str]] = {
    "km": ["km", "--by", "channel", "--json"],
    "kpis": ["kpis", "--json"],
    "persistency": ["persistency", "--json"],
    "persistency_by": ["persistency", "--month", "25", "--by", "channel", "--json"],
    "cohorts": ["cohorts", "--json"],
    "experience": ["experience", "--json"],
    "service": ["service", "--json"],
    "alerts": ["alerts", "--json"],
    "validate": ["validate", "--json"],
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("alltext")
    out = {"typed": tmp / "typed", "text": tmp / "text"}
    con = duckdb.connect()
    for kind, folder in out.items():
        folder.mkdir()
        for t in TABLES:
            text = ", all_varchar=true" if kind == "text" else ""
            con.execute(f"COPY (SELECT * FROM read_csv('{SAMPLE / (t + '.csv')}', header=true{text})) "
                        f"TO '{folder / (t + '.parquet')}' (FORMAT parquet)")
    kinds = con.execute(f"SELECT DISTINCT column_type FROM (DESCRIBE SELECT * FROM "
                        f"'{out['text'] / 'policies.parquet'}')").fetchall()
    assert kinds == [("VARCHAR",)]  # every column text
    con.close()
    return out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_all_text_folder_equals_typed(name: str, folders: dict[str, Path]) -> None:
    args = COMMANDS[name]
    runs = {}
    for kind, folder in folders.items():
        code, out, err = _invoke([args[0], str(folder), *args[1:]])
        assert code == 0, err
        runs[kind] = __import__("json").loads(out)
    got, want = runs["text"], runs["typed"]
    if name == "validate":
        for t in (*got["tables"], *want["tables"]):
            t.pop("files")
        # not vacuous: the tables were read, none rejected (all service contacts' date-time
        # texts were rejected before: more than 20,000 distinct, ISO dates only)
        assert all(t["rejected"] == 0 for t in want["tables"])
    _close(got, want)


def test_text_dates_and_numbers_compile_to_a_cast(folders: dict[str, Path]) -> None:
    """The property behind the speed: plain ISO dates and plain decimals get no CASE branch."""
    ds = open_book(str(folders["text"]), today=TODAY)
    assert ds.book is not None
    try:
        sql = ds.book.sql(ds.book.accepted(schema.POLICIES))
        con = duckdb.connect()
        distinct = con.execute(f"SELECT count(DISTINCT issue_date) + count(DISTINCT end_date) FROM "
                               f"'{folders['text'] / 'policies.parquet'}'").fetchone()
        con.close()
        assert distinct is not None and distinct[0] > 3000  # one branch each, before
        assert sql.count("WHEN") < 100, sql.count("WHEN")
    finally:
        ds.book.close()


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_mixed_texts_equal_file_path(tmp_path: Path, engine: str, request: pytest.FixtureRequest
                                     ) -> None:
    """Dates and numbers in several formats, empty and unreadable cells: each value typed as
    the file path types it (other formats and bad values take the CASE branches; the cast in
    its ELSE never sees them, or '2020-02-30' and 'abc' would fail the query)."""
    issue = ["2020-01-15", "2020/02/01", "2020-03-01 10:00:00", " 2020-04-01", "2020-02-30", "",
             "NA", "20200501", "2020-1-5", "2020-06-01T08:30", "2021-02-28", "2020-01-15"]
    premium = ["100", "1,234.50", "12%", "-0", "007", "1e3", "", "abc", "100.10", "0.1",
               "-5", "2.50"]
    n = len(issue)
    frame = pd.DataFrame({"policy_id": [f"P{i:02d}" for i in range(n)],
                          "issue_date": issue, "end_date": [""] * n, "status": ["in_force"] * n,
                          "annual_premium": premium, "channel": ["agency"] * n})
    csv = tmp_path / "policies.csv"
    frame.to_csv(csv, index=False)
    folder = tmp_path / "text"
    folder.mkdir()
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}', header=true, all_varchar=true)) "
                f"TO '{folder / 'policies.parquet'}' (FORMAT parquet)")
    con.close()
    as_of = pd.Timestamp("2024-12-31")
    mem = load_dataset([str(csv)], today=TODAY, as_of=as_of)
    if engine == "postgres":  # the same texts in a table of text columns
        table = pa.Table.from_pandas(frame.astype(str), preserve_index=False)
        url = write_postgres(request.getfixturevalue("postgres"), "alltext", {"policies": table})
        eng = open_book(url, tables={"policies": TableRef("policies", "alltext")}, today=TODAY,
                        as_of=as_of)
    else:
        eng = open_book(str(folder), today=TODAY, as_of=as_of)
    assert eng.book is not None
    try:
        rep = {t.table: (t.read, t.accepted, dict(t.reasons)) for t in eng.report.tables}
        want = {t.table: (t.read, t.accepted, dict(t.reasons)) for t in mem.report.tables}
        assert rep == want
        assert want["policies"][2]  # not vacuous: some cells rejected
        cols = ["policy_id", "issue_date", "annual_premium"]
        got_rows = eng.book.frame("policies")[cols].sort_values("policy_id").reset_index(drop=True)
        want_rows: Any = mem.validated["policies"][cols].sort_values("policy_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(got_rows, want_rows, check_dtype=False)
        assert got_rows["issue_date"].notna().sum() >= 6  # several formats read
    finally:
        eng.book.close()
