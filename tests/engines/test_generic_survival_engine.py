"""`km DATA --duration COL --event-col COL --by COL` on a generic survival table kept in DuckDB
or Parquet (issue #13): counted by GROUP BY in the engine, validated by the file path's rules.

Truths: the same command on the same data as CSV (the file path), the rejected rows counted by
hand below, and Kaplan-Meier steps worked out by hand.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main

# 15 rows: 5 rejected, 1 with no segment (left out as R does), 9 analysed.
CSV = """time,died,channel
5,1,agent
8,0,agent
8,1,agent
12,yes,bank
3,no,bank
,1,bank
-2,0,agent
abc,1,agent
7,maybe,bank
9,,bank
15,1,
4,0,agent
10,1,bank
10,1,bank
2.5,0,bank
"""
# by hand: 'abc' is not a number; 'maybe' and '' are not events; '' duration is missing;
# -2 is negative
REJECTED = {"unparseable_number": 1, "unparseable_bool": 2, "missing_date": 1,
            "negative_amount": 1}


def _km(capsys: pytest.CaptureFixture[str], data: str, *extra: str) -> tuple[dict, str]:
    assert main(["km", data, "--duration", "time", "--event-col", "died", "--by", "channel",
                 "--json", *extra]) == 0
    out = capsys.readouterr()
    return json.loads(out.out), out.err


def _rejected(err: str) -> dict[str, int]:
    m = re.search(r"(\d+) of (\d+) policy rows rejected and left out \(([^)]*)\)", err)
    assert m, err
    assert (int(m.group(1)), int(m.group(2))) == (5, 15)
    return {k: int(v.replace(",", "")) for k, v in (p.split(": ") for p in m.group(3).split(", "))}


@pytest.fixture()
def books(tmp_path: Path) -> dict[str, str]:
    csv = tmp_path / "surv.csv"
    csv.write_text(CSV, encoding="utf-8")
    db = tmp_path / "surv.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE surv AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv)])
    con.close()
    pq = tmp_path / "surv.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{pq}' "
                "(FORMAT parquet)")
    con.close()
    return {"csv": str(csv), "duckdb": f"duckdb:///{db}", "parquet": str(pq)}


def _close(a: object, b: object) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k])
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    else:
        assert a == b  # counts, names, test labels: exact


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_generic_km_in_engine_equals_file_path(kind: str, books: dict[str, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    want, want_err = _km(capsys, books["csv"])
    got, got_err = _km(capsys, books[kind])
    _close(got, want)  # survival, CI, at risk, log-rank p (1e-9), counts exact
    assert _rejected(got_err) == _rejected(want_err) == REJECTED
    assert "1 rows with no channel value" in got_err
    # by hand: agent 4c, 5e, 8c, 8e -> S(5) = 2/3, S(8) = 2/3 * 1/2; bank 2.5c, 3c, 10e, 10e,
    # 12e -> S(10) = 1/3, S(12) = 0
    groups = {g["name"]: g for g in got["groups"]}
    agent, bank = groups["agent"], groups["bank"]
    assert agent["n"] == 4 and bank["n"] == 5
    assert agent["survival"][agent["timeline"].index(5.0)] == pytest.approx(2 / 3)
    assert agent["survival"][agent["timeline"].index(8.0)] == pytest.approx(1 / 3)
    assert bank["survival"][bank["timeline"].index(10.0)] == pytest.approx(1 / 3)
    assert bank["survival"][bank["timeline"].index(12.0)] == 0.0


def test_generic_km_duckdb_keep_missing(books: dict[str, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    want, _ = _km(capsys, books["csv"], "--keep-missing")
    got, _ = _km(capsys, books["duckdb"], "--keep-missing")
    _close(got, want)
    assert [g["name"] for g in got["groups"]][-1] == "(missing)"


def test_generic_km_duckdb_typed_columns(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Typed columns: a NaN duration is missing, an event 2 is not an event (as the file path
    reads 'nan' and '2')."""
    rows = [("5", "1", "a"), ("8", "0", "a"), ("nan", "1", "b"), ("3", "2", "b"),
            ("4", "1", "b"), ("-1", "0", "a"), ("", "1", "a"), ("6", "", "b")]
    csv = tmp_path / "t.csv"
    csv.write_text("time,died,channel\n" + "".join(",".join(r) + "\n" for r in rows),
                   encoding="utf-8")
    db = tmp_path / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (time DOUBLE, died INTEGER, channel VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    [(float(d) if d else None, int(e) if e else None, c) for d, e, c in rows])
    con.close()
    want, want_err = _km(capsys, str(csv))
    got, got_err = _km(capsys, f"duckdb:///{db}")
    _close(got, want)
    pattern = r"rejected and left out \(([^)]*)\)"
    as_dict = [dict(p.split(": ") for p in re.search(pattern, e).group(1).split(", "))  # type: ignore[union-attr]
               for e in (got_err, want_err)]
    assert as_dict[0] == as_dict[1] == {"unparseable_bool": "2", "missing_date": "2",
                                        "negative_amount": "1"}
