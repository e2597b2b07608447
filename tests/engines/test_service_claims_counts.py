"""`service` (without ``--by``) and `claims` on an engine book from GROUP BY answers (issue #13
point 1: no contact, claim or policy row pulled to the client).

Truths, each independent of the engine route under test:

* **The file path.** The same book read from its CSV files (readers -> validation -> Dataset ->
  the row computations, whose own tests check them against hand calculations): service JSON
  byte for byte (the CLI's and, under filters, ``to_jsonable``'s), claims JSON with floats
  within 1e-9 relative and counts, segment names and their order exact; the claims' Kaplan-Meier
  curves (timeline, survival, confidence band) equal the file path's.
* **No accepted rows read.** ``EngineBook._frames`` (the cache every row read goes through)
  stays empty after the summaries.
* **Hand counts.** A six-claim, seven-contact book whose figures are worked out in the test.

DuckDB always; PostgreSQL (the session server of tests/engines/conftest.py) on the sample;
Spark (a local session) marked slow.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.claims import claim_settlement
from memberdesk.analysis.service import service_lapse_link, service_summary
from memberdesk.commands.common import to_jsonable
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.loader import load_dataset
from tests.engines.conftest import TODAY, write_duckdb, write_postgres, write_spark
from tests.engines.test_every_command import _close, _invoke
from tests.test_service_by import HAND_BOOK

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AS_OFS = [None, "2023-12-31", "2022-03-15"]  # as loaded, a year-end, not a month-end
VARIANTS: list[tuple[str, Callable[[Dataset], Dataset]]] = [
    ("as loaded", lambda d: d),
    ("as of 2023-12-31", lambda d: d.with_as_of(pd.Timestamp("2023-12-31"))),
    ("as of 2022-03-15", lambda d: d.with_as_of(pd.Timestamp("2022-03-15"))),
    ("region filter (members)", lambda d: d.with_filters(Filters(region=("广东", "江苏")))),
    ("channel filter (policies)", lambda d: d.with_filters(Filters(channel=("agency", "broker")))),
]
CLAIMS_BY = [None, "product", "channel", "tier", "issue_year", "premium_band"]


def _json(argv: list[str]) -> tuple[str, dict[str, Any]]:
    code, out, err = _invoke(argv)
    assert code == 0, err
    return out, json.loads(out)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample (every table) imported with ``memberdesk import``: the CLI's engine book."""
    db = tmp_path_factory.mktemp("s2") / "book.duckdb"
    code, _, err = _invoke(["import", str(SAMPLE), "-o", str(db)])
    assert code == 0, err
    return f"duckdb:///{db}"


@pytest.fixture(scope="module")
def memory(sample_book: Any) -> Dataset:
    return load_dataset(sample_book[0], today=TODAY)


@pytest.fixture(scope="module", params=["duckdb", "postgres",
                                        pytest.param("spark", marks=[pytest.mark.slow])])
def engine_url(request: pytest.FixtureRequest, engine_tmp: Path,
               sample_book: Any) -> tuple[str, dict[str, TableRef]]:
    """The sample's tables written to the engine: (DATA, tables mapping). Spark (a local
    session: minutes) is marked slow."""
    tables = sample_book[1]
    if request.param == "duckdb":
        return write_duckdb(engine_tmp / "s2_sample.duckdb", tables), {}
    if request.param == "postgres":
        url = write_postgres(request.getfixturevalue("postgres"), "s2_sample", tables)
    else:
        url = write_spark(request.getfixturevalue("spark"), "s2_sample", tables)
    return url, {name: TableRef(name, "s2_sample") for name in tables}


@pytest.fixture(scope="module")
def engine(engine_url: tuple[str, dict[str, TableRef]]) -> Iterator[Dataset]:
    """The engine's sample opened as a book (closed after the module); the tests using it
    read no rows."""
    ds = open_book(engine_url[0], tables=engine_url[1], today=TODAY)
    assert ds.book is not None  # type: ignore[attr-defined]
    yield ds
    ds.book.close()  # type: ignore[attr-defined]


def _no_rows_read(ds: Dataset) -> None:
    assert not ds.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]


# ---- service without --by ------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", AS_OFS, ids=["as loaded", "2023-12-31", "2022-03-15"])
def test_service_cli_json_byte_for_byte(as_of: str | None, imported: str) -> None:
    extra = [] if as_of is None else ["--as-of", as_of]
    want, parsed = _json(["service", str(SAMPLE), "--json", *extra])
    got, _ = _json(["service", imported, "--json", *extra])
    assert got == want
    assert parsed["window"]["contacts"] > 1000 and parsed["monthly"]  # not vacuous
    code, text_want, _ = _invoke(["service", str(SAMPLE), *extra])
    code2, text_got, _ = _invoke(["service", imported, *extra])
    assert code == code2 == 0 and text_got == text_want


@pytest.mark.parametrize(("label", "change"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_service_whole_book_from_counts(label: str, change: Callable[[Dataset], Dataset],
                                        engine: Dataset, memory: Dataset) -> None:
    got = service_summary(change(engine))
    _no_rows_read(engine)
    want = service_summary(change(memory))
    assert got.by is None and got.groups == ()
    assert json.dumps(to_jsonable(got.to_json())) == json.dumps(to_jsonable(want.to_json())), label
    for name in ("monthly", "by_channel", "by_topic", "window"):  # the frames the pages show
        # dtypes too, but the window's dates: their unit is the as-of's (seconds for an engine
        # book opened without --as-of, nanoseconds for files), the same dates either way
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                      getattr(want, name).reset_index(drop=True),
                                      check_exact=True, check_dtype=name != "window", obj=name)
    if label.endswith("filter (members)") or label.endswith("filter (policies)"):
        whole = service_summary(memory)
        assert want.window["contacts"].iloc[0] < whole.window["contacts"].iloc[0]  # filtered


def test_service_lapse_link_still_works(engine_url: tuple[str, dict[str, TableRef]],
                                        memory: Dataset) -> None:
    """The Service page's landmark Cox model reads rows (left as it is; its own book): same
    figures as the file path's."""
    engine = open_book(engine_url[0], tables=engine_url[1], today=TODAY)
    try:
        got = service_lapse_link(engine)
    finally:
        engine.book.close()  # type: ignore[attr-defined]
    want = service_lapse_link(memory)
    _close(to_jsonable(got.to_json()), to_jsonable(want.to_json()))
    assert want.n > 0
    pd.testing.assert_frame_equal(got.landmarks, want.landmarks, check_dtype=False)


# ---- claims ---------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", AS_OFS, ids=["as loaded", "2023-12-31", "2022-03-15"])
@pytest.mark.parametrize("by", ["default", "none", "channel", "tier"])
def test_claims_cli_json(by: str, as_of: str | None, imported: str) -> None:
    extra = ([] if as_of is None else ["--as-of", as_of]) + ([] if by == "default" else ["--by", by])
    _, want = _json(["claims", str(SAMPLE), "--json", *extra])
    _, got = _json(["claims", imported, "--json", *extra])
    _close(got, want)
    assert want["segments"][0]["claims"] > 100  # not vacuous
    if by != "none":
        assert len(want["segments"]) >= 3


def _curves_equal(got: Any, want: Any) -> None:
    assert list(got.curves) == list(want.curves)
    for name, c in want.curves.items():
        g = got.curves[name]
        for attr in ("timeline", "survival", "ci_lower", "ci_upper", "at_risk"):
            np.testing.assert_allclose(np.asarray(getattr(g, attr), dtype=float),
                                       np.asarray(getattr(c, attr), dtype=float),
                                       rtol=1e-9, atol=1e-12, err_msg=f"{name}.{attr}")


@pytest.mark.parametrize("by", CLAIMS_BY)
@pytest.mark.parametrize(("label", "change"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_claims_from_counts(label: str, change: Callable[[Dataset], Dataset], by: str | None,
                            engine: Dataset, memory: Dataset) -> None:
    """Segments (names, order, counts exact), medians, shares and paid ratios (1e-9) and the
    curves equal the file path's; no claim, policy or member row read (tier: the member's
    attribute through the policy view's join; issue_year: an integer column; premium_band:
    bands in their natural order)."""
    got = claim_settlement(change(engine), by=by)
    _no_rows_read(engine)
    want = claim_settlement(change(memory), by=by)
    _close(to_jsonable(got.to_json()), to_jsonable(want.to_json()), label)
    for col in ("segment", "claims", "settled", "open"):
        assert got.summary[col].tolist() == want.summary[col].tolist(), col  # exact
    _curves_equal(got, want)
    if by is not None:
        assert len(want.summary) >= 3, "no segment"  # not vacuous


# ---- hand-counted book ------------------------------------------------------------------------

HAND = {
    "members": "member_id,region,tier\nM1,north,gold\nM2,south,silver\nM3,north,\n",
    "policies": "policy_id,member_id,product,channel,issue_date,status\n"
                "P1,M1,Alpha,agency,2020-01-01,in_force\nP2,M2,Beta,broker,2021-03-01,in_force\n"
                "P3,M3,Alpha,agency,2022-06-30,in_force\n",
    "claims": "claim_id,policy_id,member_id,reported_at,settled_at,status,amount_claimed,amount_paid\n"
              "K1,P1,M1,2024-06-01,2024-06-04,paid,100,80\n"
              "K2,P1,M1,2024-06-10,2024-06-20,declined,200,0\n"
              "K3,P2,M2,2024-06-20,2024-07-15,paid,50,50\n"
              "K4,P3,M3,2024-05-01,,open,70,\n"
              "K5,,M1,2024-06-25,2024-06-26,paid,300,\n"
              "K6,P2,M2,2024-07-05,2024-07-06,paid,10,10\n",
    # the seven contacts test_service_by.py counted by hand
    "service_contacts": HAND_BOOK["service_contacts.csv"],
}


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("s2_hand")
    for name, text in HAND.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    db = folder.parent / "s2_hand.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    return {"files": str(folder), "duckdb": f"duckdb:///{db}"}


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_hand_counted_claims(kind: str, hand: dict[str, str]) -> None:
    """As of 2024-06-30. K6 is reported after it (left out); K3's settlement (07-15) is after
    it, so K3 is open, censored at 10 days; K4 open, censored at 60 days (05-01 -> 06-30); K5 has
    no policy (in "all" only) and no amount paid (out of the amount ratio).
    all: events at 1 (K5), 3 (K1), 10 (K2; K3 censored at 10): S = 4/5, 3/5, 2/5 -> median 10,
    settled within 5 days 1 − 3/5, within 10 and 30 days 1 − 2/5. Paid ratio by amount: settled
    claims with both amounts K1, K2: 80 / 300; by count: K1, K5 paid of K1, K2, K5: 2/3.
    Alpha (K1, K2, K4): S = 2/3 at 3, 1/3 at 10 -> median 10; by count 1/2.
    Beta (K3 only, open): S stays 1 -> no median, nothing settled, no paid ratio."""
    _, got = _json(["claims", hand[kind], "--as-of", "2024-06-30", "--json"])
    assert got["excluded"] == 0 and got["reason"] is None
    seg = {s["segment"]: s for s in got["segments"]}
    assert list(seg) == ["all", "Alpha", "Beta"]
    want = {
        "all": (5, 3, 2, 10.0, 1 - 3 / 5, 1 - 2 / 5, 1 - 2 / 5, 80 / 300, 2 / 3),
        "Alpha": (3, 2, 1, 10.0, 1 - 2 / 3, 1 - 1 / 3, 1 - 1 / 3, 80 / 300, 1 / 2),
        "Beta": (1, 0, 1, None, 0.0, 0.0, 0.0, None, None),
    }
    keys = ("claims", "settled", "open", "median_days", "within_5_days", "within_10_days",
            "within_30_days", "paid_ratio_amount", "paid_ratio_count")
    for name, values in want.items():
        for key, value in zip(keys, values):
            if isinstance(value, float):
                assert seg[name][key] == pytest.approx(value, rel=1e-12), (name, key)
            else:
                assert seg[name][key] == value, (name, key)
    _, by_channel = _json(["claims", hand[kind], "--as-of", "2024-06-30", "--by", "channel",
                           "--json"])
    assert [(s["segment"], s["claims"]) for s in by_channel["segments"]] == \
        [("all", 5), ("agency", 3), ("broker", 1)]


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_hand_counted_claims_under_a_filter(kind: str, hand: dict[str, str]) -> None:
    """Channel filter agency: K3 (on P2, broker) leaves the book; K5 (no policy id, member M1
    of an agency policy) stays, as Dataset.claims keeps a claim without a policy of a member in
    the filter's scope. Remaining: K1, K2, K4, K5."""
    f = Filters(channel=("agency",))
    if kind == "files":
        ds = load_dataset([hand["files"]])
    else:
        ds = open_book(hand["duckdb"])
    try:
        got = claim_settlement(ds.with_as_of(pd.Timestamp("2024-06-30")).with_filters(f), by=None)
        if kind == "duckdb":
            _no_rows_read(ds)
    finally:
        if kind == "duckdb":
            ds.book.close()  # type: ignore[attr-defined]
    row = got.summary.iloc[0]
    assert (row["claims"], row["settled"], row["open"]) == (4, 3, 1)
    # events at 1 (K5), 3 (K1), 10 (K2), K4 censored at 60: S = 3/4, 1/2, 1/4 -> median 3
    # (S reaches 1/2 exactly at 3: the midpoint rule takes (3 + 10) / 2)
    assert row["median_days"] == 6.5
    assert row["within_5_days"] == pytest.approx(0.5) and row["within_30_days"] == pytest.approx(0.75)


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_hand_counted_service_window(kind: str, hand: dict[str, str]) -> None:
    """As of 2024-06-30, window (2023-06-30, 2024-06-30]: C1-C6 (C7 is before it). Bots C1, C3,
    C4, C5 (C3 transferred); human queue C2, C3, C6, answered C2, C3; resolved C1, C2, C4, C5 of
    six; rated C1, C2, C3, C5, C6, satisfied (>= 4) C1, C2; waits of the queue 30, 60, 90:
    mean 60, 90th percentile 60 + 0.8 × 30 = 84 (linear, position 0.9 × 2)."""
    _, got = _json(["service", hand[kind], "--as-of", "2024-06-30", "--json"])
    w = got["window"]
    assert {k: w[k] for k in ("contacts", "bot_contacts", "bot_not_transferred", "human_queue",
                              "connected", "resolved_known", "resolved", "rated", "satisfied")} == \
        {"contacts": 6, "bot_contacts": 4, "bot_not_transferred": 3, "human_queue": 3,
         "connected": 2, "resolved_known": 6, "resolved": 4, "rated": 5, "satisfied": 2}
    assert w["bot_replacement_rate"] == 0.5
    assert w["human_connection_rate"] == pytest.approx(2 / 3, rel=1e-15)
    assert w["resolution_rate"] == pytest.approx(4 / 6, rel=1e-15)
    assert w["csat"] == pytest.approx(2 / 5, rel=1e-15)
    assert w["wait_mean_seconds"] == 60.0 and w["wait_p90_seconds"] == pytest.approx(84.0)
    assert [m["month"] for m in got["monthly"]] == ["2023-01", "2024-05", "2024-06"]
    assert got["top_topics"] == [{"topic": "claims", "contacts": 3},
                                 {"topic": "billing", "contacts": 2},
                                 {"topic": "complaint", "contacts": 1}]


def test_hand_book_no_rows_read(hand: dict[str, str]) -> None:
    eng = open_book(hand["duckdb"])
    try:
        service_summary(eng)
        claim_settlement(eng)
        _no_rows_read(eng)
    finally:
        eng.book.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["service", "claims"])
def test_empty_books_as_the_files(command: str, imported: str, tmp_path: Path) -> None:
    """An as-of before every contact and claim, and a book without these tables: the same
    JSON (the reasons, no row) as the files'."""
    want, parsed = _json([command, str(SAMPLE), "--as-of", "2015-01-31", "--json"])
    got, _ = _json([command, imported, "--as-of", "2015-01-31", "--json"])
    assert got == want
    reasons = json.dumps(parsed, ensure_ascii=False)
    assert "up to the as-of date" in reasons  # the "no rows to as-of" reason, not vacuous
    folder = tmp_path / "no_tables"
    folder.mkdir()
    for name in ("members", "policies"):
        (folder / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    db = tmp_path / "no_tables.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    want, parsed = _json([command, str(folder), "--json"])
    got, _ = _json([command, f"duckdb:///{db}", "--json"])
    assert got == want
    assert "loaded" in json.dumps(parsed, ensure_ascii=False)  # "no ... loaded"
