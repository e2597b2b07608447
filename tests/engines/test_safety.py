"""Safety of engine books (issue #13, point 7): read-only connections, hostile identifiers
quoted by the compiler (DuckDB and a real PostgreSQL server), passwords never in URLs or
messages, connection failures as clear data errors with exit status 3."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.book import open_book, parse_table_options
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.engine.urls import looks_like_engine, parse, redact
from memberdesk.core.errors import DataError

HOSTILE_TABLE = 'pol"; DROP TABLE victims; --'
HOSTILE_COLUMN = "channel'; DROP TABLE victims; --"
TODAY = dt.date(2026, 12, 5)

POLICIES = [("P1", "2020-01-01", "2021-01-01", "lapsed", "a"),
            ("P2", "2020-01-01", None, "in_force", "a"),
            ("P3", "2020-06-01", "2020-12-01", "surrendered", "b"),
            ("P4", "2020-06-01", None, "in_force", "b")]


def _hostile_duckdb(path: Path) -> str:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE victims (x INTEGER)")
    con.execute(f'''CREATE TABLE "{HOSTILE_TABLE.replace('"', '""')}" (policy_id VARCHAR,
        issue_date DATE, end_date DATE, status VARCHAR, "{HOSTILE_COLUMN}" VARCHAR)''')
    q = HOSTILE_TABLE.replace('"', '""')
    con.executemany(f'INSERT INTO "{q}" VALUES (?, ?, ?, ?, ?)', POLICIES)
    con.close()
    return f"duckdb://{path}"


def _check_hostile(ds) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.analysis.survival import km_by_segment

    result = km_by_segment(ds, HOSTILE_COLUMN, unit="days")
    # hand count: group a = P1 (lapse at 366 days), P2 (censored); b = P3 (lapse at 183), P4
    assert [c.name for c in result.curves] == ["a", "b"]
    assert [c.n for c in result.curves] == [2, 2] and [c.events for c in result.curves] == [1, 1]


def test_hostile_identifiers_duckdb(tmp_path: Path) -> None:
    url = _hostile_duckdb(tmp_path / "h.duckdb")
    ds = open_book(url, tables={"policies": TableRef(HOSTILE_TABLE)}, today=TODAY)
    _check_hostile(ds)
    assert ds.book is not None
    ds.book.close()
    con = duckdb.connect(str(tmp_path / "h.duckdb"), read_only=True)
    assert con.sql("SELECT count(*) FROM victims").fetchall() == [(0,)]  # still there
    con.close()


def test_hostile_identifiers_postgres(postgres) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    with psycopg.connect(postgres.url, autocommit=True) as con:  # password from PGPASSWORD
        con.execute('CREATE SCHEMA IF NOT EXISTS "evil; schema"')
        con.execute('CREATE TABLE IF NOT EXISTS "evil; schema".victims (x integer)')
        t = '"evil; schema"."' + HOSTILE_TABLE.replace('"', '""') + '"'
        con.execute(f"""DROP TABLE IF EXISTS {t}""")
        con.execute(f"""CREATE TABLE {t} (policy_id text, issue_date date, end_date date,
                        status text, "{HOSTILE_COLUMN}" text)""")
        with con.cursor() as cur:
            cur.executemany(f"INSERT INTO {t} VALUES (%s, %s, %s, %s, %s)", POLICIES)
    ds = open_book(postgres.url, tables={"policies": TableRef(HOSTILE_TABLE, "evil; schema")},
                   today=TODAY)
    _check_hostile(ds)
    assert ds.book is not None
    with pytest.raises(DataError, match="read-only"):  # the session cannot write
        ds.book.conn.arrow('CREATE TABLE "evil; schema".intruder (x integer)')
    ds.book.close()
    with psycopg.connect(postgres.url) as con:
        assert con.execute('SELECT count(*) FROM "evil; schema".victims').fetchone() == (0,)
        assert con.execute("SELECT to_regclass('\"evil; schema\".intruder')").fetchone() == (None,)


def test_duckdb_book_is_read_only(tmp_path: Path) -> None:
    url = _hostile_duckdb(tmp_path / "r.duckdb")
    ds = open_book(url, tables={"policies": TableRef(HOSTILE_TABLE)}, today=TODAY)
    assert ds.book is not None
    with pytest.raises(DataError):
        ds.book.conn.arrow("CREATE TABLE intruder AS SELECT 1")
    ds.book.close()


def test_password_in_url_refused_and_redacted() -> None:
    with pytest.raises(DataError) as err:
        parse("postgresql://alice:s3cret@db.example:5432/book")
    assert "s3cret" not in str(err.value)
    assert redact("postgresql://alice:s3cret@h/db") == "postgresql://alice:***@h/db"


def test_urls_recognised(tmp_path: Path) -> None:
    assert parse("duckdb:///data/book.duckdb").target == "/data/book.duckdb"
    assert parse("duckdb://book.duckdb").target == "book.duckdb"
    assert parse("postgres://u@h:5432/db").kind == "postgres"
    assert parse("spark:local[2]").target == "local[2]"
    assert parse("sc://localhost:15002").target == "sc://localhost:15002"
    assert looks_like_engine("x.duckdb") and not looks_like_engine(str(tmp_path / "p.csv"))
    with pytest.raises(DataError):
        parse("mysql://u@h/db")
    assert parse_table_options(['policies="my.schema"."t""1"', "members=m"]) == {
        "policies": TableRef('t"1', "my.schema"), "members": TableRef("m")}


def test_unreachable_database_exits_3(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PGPASSWORD", "not-shown-anywhere")
    code = main(["km", f"postgresql://someone@127.0.0.1:{port}/book", "--json"])
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot connect" in err and "not-shown-anywhere" not in err
    code = main(["km", "duckdb:///no/such/book.duckdb"])
    assert code == 3 and "no such DuckDB database file" in capsys.readouterr().err


def test_km_cli_on_duckdb_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _hostile_duckdb(tmp_path / "c.duckdb")
    code = main(["km", url, "--table", f'policies="{HOSTILE_TABLE.replace(chr(34), chr(34) * 2)}"',
                 "--by", HOSTILE_COLUMN, "--unit", "days", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(g["name"], g["n"], g["events"]) for g in out["groups"]] == [("a", 2, 1), ("b", 2, 1)]
    # group b: P3 lapses at 183 days (2020-06-01 -> 2020-12-01) with 2 at risk: S = 1/2
    b = out["groups"][1]
    assert b["timeline"][-1] == 183.0 or 183.0 in b["timeline"]
    assert b["survival"][b["timeline"].index(183.0)] == 0.5
