"""`cox`, `projection`, `decrements` and `km --entry` on a generic survival table kept in DuckDB
or Parquet, and generic tables with a policy id column (issue #13 point 5).

Truths: the same command on the same data as CSV (the file path, itself checked against R and
lifelines in tests/survival), and hand-counted small cases for the two new rules: repeated ids
(the first row in the table's order keeps the id) and delayed entry (risk sets worked out by
hand below).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.generic import GenericBook

BAD_ROWS = {3: "abc,1,agent,young,30.5,0,1", 10: ",0,bank,old,40.25,0,0",
            20: "-1,1,web,mid,50.75,0,1", 30: "4,maybe,web,mid,50.5,0,1",
            40: "5,,bank,mid,33.5,0,0", 50: "6,1,,mid,33.25,0,1"}
# by hand from BAD_ROWS: 'abc' not a number, '' duration, -1 negative, 'maybe' and '' events
REJECTED = {"unparseable_number": 1, "missing_date": 1, "negative_amount": 1,
            "unparseable_bool": 2}
TYPES = "{'time': 'VARCHAR', 'died': 'VARCHAR', 'channel': 'VARCHAR', 'band': 'VARCHAR'}"


def _table(n: int = 400) -> str:
    """A seeded generic table: time, died (as text, parsed), channel, band, score (a
    continuous covariate: > 200 distinct values), start (entry times), cause (0/1/2)."""
    rng = np.random.default_rng(7)
    ch = rng.choice(["agent", "bank", "web"], n)
    band = rng.choice(["young", "mid", "old"], n)
    score = np.round(rng.uniform(20, 70, n), 2)
    rate = np.where(ch == "agent", 0.08, np.where(ch == "bank", 0.05, 0.03)) \
        * np.exp(0.02 * (score - 45))
    t = np.round(rng.exponential(1 / rate), 1)
    c = np.round(rng.uniform(5, 40, n), 1)
    time, died = np.minimum(t, c), (t <= c).astype(int)
    start = np.where(rng.random(n) < 0.3, np.round(rng.uniform(0, 5, n), 1), 0.0)
    cause = np.where(died == 1, rng.choice([1, 2], n, p=[0.7, 0.3]), 0)
    rows = [f"{a},{b},{x},{y},{z},{s},{k}"
            for a, b, x, y, z, s, k in zip(time, died, ch, band, score, start, cause)]
    for i, row in BAD_ROWS.items():
        rows[i] = row
    return "time,died,channel,band,score,start,cause\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("generic")
    csv = tmp / "surv.csv"
    csv.write_text(_table(), encoding="utf-8")
    db = tmp / "surv.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE surv AS SELECT * FROM read_csv(?, types = {TYPES})", [str(csv)])
    con.close()
    pq = tmp / "surv.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}', types = {TYPES})) TO '{pq}' "
                "(FORMAT parquet)")
    con.close()
    return {"csv": str(csv), "duckdb": f"duckdb:///{db}", "parquet": str(pq)}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict[str, Any], str]:
    assert main(list(argv)) == 0
    out = capsys.readouterr()
    return json.loads(out.out), out.err


def _close(a: object, b: object, path: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), path
    else:
        assert a == b, path  # counts, names, labels: exact


def _rejected(err: str) -> dict[str, int]:
    m = re.search(r"([\d,]+) of ([\d,]+) policy rows rejected and left out \(([^)]*)\)", err)
    assert m, err
    return {k: int(v.replace(",", "")) for k, v in (p.split(": ") for p in m.group(3).split(", "))}


GENERIC = ("--duration", "time", "--event-col", "died")


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_cox_categorical_from_cells(kind: str, books: dict[str, str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("cox", *GENERIC, "--covariates", "channel,band", "--json")
    want, want_err = _run(capsys, argv[0], books["csv"], *argv[1:])
    got, got_err = _run(capsys, argv[0], books[kind], *argv[1:])
    assert want.pop("route") == "rows" and got.pop("route") == "cells"
    _close(got, want)  # coefficients, SEs, log-likelihoods, PH test, concordance: 1e-9
    assert _rejected(got_err) == _rejected(want_err) == REJECTED
    assert got["n"] == 400 - 5 - 1  # 5 rejected, 1 with no channel (left out, counted)


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_cox_continuous_reads_records_and_says_so(kind: str, books: dict[str, str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("cox", *GENERIC, "--covariates", "channel,score", "--json")
    want, _ = _run(capsys, argv[0], books["csv"], *argv[1:])
    got, got_err = _run(capsys, argv[0], books[kind], *argv[1:])
    notes = got.pop("notes")
    read = [n for n in notes if n["code"].startswith("rows_read")]
    assert [n["code"] for n in read] == ["rows_read_continuous"]
    assert "score" in read[0]["message"] and "duckdb" in read[0]["message"]
    assert [n for n in notes if n not in read] == want.pop("notes")
    _close(got, want)
    assert got["route"] == "rows"


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_cox_with_entry(kind: str, books: dict[str, str],
                        capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("cox", *GENERIC, "--covariates", "channel", "--entry", "start", "--json")
    want, _ = _run(capsys, argv[0], books["csv"], *argv[1:])
    got, _ = _run(capsys, argv[0], books[kind], *argv[1:])
    notes = got.pop("notes")
    read = [n for n in notes if n["code"] == "rows_read_entry"]
    assert len(read) == 1 and "start" in read[0]["message"]
    assert [n for n in notes if n not in read] == want.pop("notes")
    _close(got, want)


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_projection_from_counts(kind: str, books: dict[str, str],
                                capsys: pytest.CaptureFixture[str]) -> None:
    want, want_err = _run(capsys, "projection", books["csv"], *GENERIC, "--json")
    got, got_err = _run(capsys, "projection", books[kind], *GENERIC, "--json")
    _close(got, want)
    assert _rejected(got_err) == _rejected(want_err) == REJECTED


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
@pytest.mark.parametrize("extra", [("--by", "channel"),
                                   ("--cause-labels", "1=lapsed", "--entry", "start")])
def test_decrements_generic(kind: str, extra: tuple[str, ...], books: dict[str, str],
                            capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--duration", "time", "--cause-col", "cause", *extra, "--json")
    want, want_err = _run(capsys, "decrements", books["csv"], *argv)
    got, got_err = _run(capsys, "decrements", books[kind], *argv)
    _close(got, want)
    pattern = r"([\d,]+) rows rejected \((\w+)\)"
    assert dict((r, n) for n, r in re.findall(pattern, got_err)) == \
        dict((r, n) for n, r in re.findall(pattern, want_err))
    # by hand: 'abc', '' and -1 durations; with labels, every cause-2 row is unlabelled
    assert dict((r, n) for n, r in re.findall(pattern, got_err))["duration_invalid"] == "3"


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_km_entry_equals_file_path(kind: str, books: dict[str, str],
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """km --entry on an engine's generic table reads the counts by (segment, entry, duration,
    event) as frequency weights: no record is rebuilt on the client (memory grows with the
    distinct cells, not the rows) and the curves, tests and rejections are the file's."""
    argv = (*GENERIC, "--by", "channel", "--entry", "start", "--json")
    want, want_err = _run(capsys, "km", books["csv"], *argv)

    def no_records(*args: object, **kwargs: object) -> None:
        raise AssertionError("km --entry rebuilt the records")

    monkeypatch.setattr(GenericBook, "records", no_records)
    got, got_err = _run(capsys, "km", books[kind], *argv)
    _close(got, want)
    assert got["excluded"] == want["excluded"] and got["excluded"]["exit_not_after_entry"] > 0
    assert "rows rejected: exit not after entry" in got_err
    assert "rebuilt" not in got_err


def test_km_entry_hand_risk_sets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """(entry, exit, event): (0,2,1) (1,3,1) (2,4,0) (0,5,1) (3,3,1) — the last has no time at
    risk (exit not after entry: rejected). At t=2 at risk: entry < 2 <= exit -> rows 1, 2, 4
    = 3, one event: S = 2/3. t=3: rows 2, 3, 4 = 3, one event: S = 4/9. t=5: row 4 alone,
    one event: S = 0."""
    db = tmp_path / "e.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (t0 DOUBLE, exit_time DOUBLE, died INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    [(0, 2, 1), (1, 3, 1), (2, 4, 0), (0, 5, 1), (3, 3, 1)])
    con.close()
    got, err = _run(capsys, "km", f"duckdb:///{db}", "--duration", "exit_time", "--event-col",
                    "died", "--entry", "t0", "--json")
    curve = got["groups"][0]
    s = dict(zip(curve["timeline"], curve["survival"]))
    assert s[2.0] == pytest.approx(2 / 3) and s[3.0] == pytest.approx(4 / 9) and s[5.0] == 0.0
    at_risk = dict(zip(curve["timeline"], curve["at_risk"]))
    assert at_risk[2.0] == at_risk[3.0] == 3 and at_risk[5.0] == 1
    assert "1 rows rejected: exit not after entry" in err


# -- policy ids ---------------------------------------------------------------------------------

IDS = """policy_id,time,died,channel
P1,5,1,a
P2,8,0,a
P1,9,1,b
,4,1,a
P3,abc,1,b
P3,7,0,b
P4,6,1,b
P2,3,1,b
P5,2,0,a
 P4 ,10,1,a
"""
# by hand, in row order: P1 kept; P2 kept; P1 again -> duplicate; '' -> missing id; P3 'abc'
# -> not a number (it still holds P3: the file path flags ids first); P3 again -> duplicate;
# P4 kept; P2 again -> duplicate; P5 kept; ' P4 ' (trimmed) -> duplicate.
IDS_REJECTED = {"missing_id": 1, "duplicate_id": 4, "unparseable_number": 1}


@pytest.fixture()
def id_books(tmp_path: Path) -> dict[str, str]:
    csv = tmp_path / "ids.csv"
    csv.write_text(IDS, encoding="utf-8")
    db = tmp_path / "ids.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv)])
    con.close()
    pq = tmp_path / "ids.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{pq}' "
                "(FORMAT parquet)")
    con.close()
    view = tmp_path / "view.duckdb"
    con = duckdb.connect(str(view))
    con.execute("CREATE TABLE base AS SELECT policy_id AS a, time AS b, died AS c "
                "FROM read_csv(?, all_varchar = true)", [str(csv)])
    con.execute("CREATE VIEW v AS SELECT a AS policy_id, b AS time, c AS died FROM base")
    con.close()
    return {"csv": str(csv), "duckdb": f"duckdb:///{db}", "parquet": str(pq),
            "view": f"duckdb:///{view}"}


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_repeated_ids_first_row_kept(kind: str, id_books: dict[str, str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--duration", "time", "--event-col", "died", "--by", "channel", "--json")
    want, want_err = _run(capsys, "km", id_books["csv"], *argv)
    got, got_err = _run(capsys, "km", id_books[kind], *argv)
    _close(got, want)
    assert _rejected(got_err) == _rejected(want_err) == IDS_REJECTED
    # kept: P1 (5, event, a), P2 (8, censored, a), P4 (6, event, b), P5 (2, censored, a):
    # a: S(5) = 1/2 (at risk 5 and 8); b: S(6) = 0 — the later rows would give other curves
    groups = {g["name"]: g for g in got["groups"]}
    assert groups["a"]["n"] == 3 and groups["b"]["n"] == 1
    assert groups["a"]["survival"][groups["a"]["timeline"].index(5.0)] == pytest.approx(0.5)
    assert groups["b"]["survival"][groups["b"]["timeline"].index(6.0)] == 0.0


def test_repeated_ids_without_row_order_exit_2(id_books: dict[str, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A DuckDB view has no row order: repeated ids cannot be resolved as the file path does."""
    with pytest.raises(SystemExit) as exc:
        main(["km", id_books["view"], "--duration", "time", "--event-col", "died"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "ids repeat" in err and "4 repeated ids" in err and "no row order" in err


def test_unique_ids_need_no_row_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "u.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE VIEW v AS SELECT * FROM (VALUES ('P1', 5.0, 1), ('P2', 6.0, 0), "
                "(NULL, 7.0, 1)) x(policy_id, time, died)")
    con.close()
    got, err = _run(capsys, "km", f"duckdb:///{db}", "--duration", "time", "--event-col", "died",
                    "--json")
    assert got["groups"][0]["n"] == 2
    assert _rejected(err) == {"missing_id": 1}


# -- PostgreSQL (a real server: tests/engines/conftest.py) ----------------------------------------

def _pg_table(csv: str, types: str) -> Any:
    con = duckdb.connect()
    try:
        return con.sql(f"SELECT * FROM read_csv('{csv}', types = {types})").to_arrow_table()
    finally:
        con.close()


@pytest.fixture(scope="module")
def pg_generic(books: dict[str, str], request: pytest.FixtureRequest) -> str:
    from .conftest import write_postgres

    server = request.getfixturevalue("postgres")
    return write_postgres(server, "generic_routes", {"surv": _pg_table(books["csv"], TYPES)})


PG_TABLE = ("--table", "policies=generic_routes.surv")


@pytest.mark.parametrize("argv", [
    ("km", *GENERIC, "--by", "channel", "--entry", "start", "--json"),
    ("cox", *GENERIC, "--covariates", "channel,band", "--json"),
    ("cox", *GENERIC, "--covariates", "channel,score", "--json"),
    ("projection", *GENERIC, "--json"),
    ("projection", *GENERIC, "--by", "channel", "--json"),
    ("decrements", "--duration", "time", "--cause-col", "cause", "--by", "channel", "--json"),
], ids=["km-entry", "cox-cells", "cox-continuous", "projection", "projection-by", "decrements"])
def test_postgres_generic_equals_file_path(argv: tuple[str, ...], books: dict[str, str],
                                           pg_generic: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    want, _ = _run(capsys, argv[0], books["csv"], *argv[1:])
    got, _ = _run(capsys, argv[0], pg_generic, *PG_TABLE, *argv[1:])
    if argv[0] == "cox":
        continuous = "score" in argv[-2]
        assert want.pop("route") == "rows"
        assert got.pop("route") == ("rows" if continuous else "cells")
        read = [n for n in got["notes"] if n["code"].startswith("rows_read")]
        assert [n["code"] for n in read] == (["rows_read_continuous"] if continuous else [])
        assert all("postgres" in n["message"] for n in read)
        got["notes"] = [n for n in got["notes"] if n not in read]
    _close(got, want)


def test_postgres_repeated_ids_exit_2_unique_ids_work(tmp_path: Path, request: pytest.FixtureRequest,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """PostgreSQL keeps no row order: repeated ids are refused (exit 2); the same table without
    the repeats is validated there (missing id and bad number as the file path)."""
    from .conftest import write_postgres

    csv = tmp_path / "ids.csv"
    csv.write_text(IDS, encoding="utf-8")
    unique = tmp_path / "unique.csv"
    unique.write_text("policy_id,time,died,channel\nP1,5,1,a\nP2,8,0,a\n,4,1,a\nP3,abc,1,b\n"
                      "P4,6,1,b\n", encoding="utf-8")
    text = "{'policy_id': 'VARCHAR', 'time': 'VARCHAR', 'died': 'VARCHAR', 'channel': 'VARCHAR'}"
    url = write_postgres(request.getfixturevalue("postgres"), "generic_ids",
                         {"repeats": _pg_table(str(csv), text),
                          "once": _pg_table(str(unique), text)})
    with pytest.raises(SystemExit) as exc:
        main(["km", url, "--table", "policies=generic_ids.repeats", "--duration", "time",
              "--event-col", "died"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "4 repeated ids" in err and "postgres" in err and "no row order" in err
    got, err = _run(capsys, "km", url, "--table", "policies=generic_ids.once", "--duration",
                    "time", "--event-col", "died", "--json")
    assert got["groups"][0]["n"] == 3
    assert _rejected(err) == {"missing_id": 1, "unparseable_number": 1}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")  # pyspark's py4j sockets, as in the
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # other Spark tests
def test_spark_generic_equals_file_path(books: dict[str, str], request: pytest.FixtureRequest,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The same Ibis route on a local Spark session: km with entry, cox from cells and
    projection equal the CSV run (more than a minute: Spark's per-query overhead)."""
    from .conftest import write_spark

    url = write_spark(request.getfixturevalue("spark"), "generic_routes",
                      {"surv": _pg_table(books["csv"], TYPES)})
    table = ("--table", "policies=generic_routes.surv")
    for argv in (("km", *GENERIC, "--by", "channel", "--entry", "start", "--json"),
                 ("cox", *GENERIC, "--covariates", "channel,band", "--json"),
                 ("projection", *GENERIC, "--json"),
                 ("projection", *GENERIC, "--by", "channel", "--json")):
        want, want_err = _run(capsys, argv[0], books["csv"], *argv[1:])
        got, got_err = _run(capsys, argv[0], url, *table, *argv[1:])
        if argv[0] == "cox":
            assert want.pop("route") == "rows" and got.pop("route") == "cells"
        _close(got, want)
        assert _rejected(got_err) == _rejected(want_err) == REJECTED
