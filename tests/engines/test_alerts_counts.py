"""`alerts` on an engine book from GROUP BY answers (issue #13 point 1: no policy, member,
contact, claim or usage row pulled to the client).

Truths, each independent of the engine route under test:

* **The file path.** The same book read from its CSV files (readers -> validation -> Dataset ->
  the row computations of :mod:`memberdesk.analysis.alerts.monitored`, whose own tests check
  them against hand calculations): the CLI's JSON byte for byte (with and without ``--by``,
  at several as-of dates), and the result's funnel, monthly and whole-book frames equal
  (floats within 1e-9 relative, counts exact) under the desktop's filters.
* **No accepted rows read.** ``EngineBook._frames`` (the cache every row read goes through)
  stays empty after the alerts.
* **Hand counts.** A small book (a member without region, an anonymous and an undated
  contact, a contact and a use of an unknown member (rejected), a claim without a policy, a
  settlement after as-of, a use by a member whose policy has ended) whose monthly counts are
  worked out in the test.

DuckDB and PostgreSQL (the session server of tests/engines/conftest.py) on the sample; Spark
(a local session) marked slow.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from memberdesk.analysis.alerts import compute_alerts
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.loader import load_dataset
from tests.engines.conftest import (
    TODAY,
    read_csv_tables,
    write_duckdb,
    write_postgres,
    write_spark,
)
from tests.engines.test_every_command import _invoke

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
VARIANTS: list[tuple[str, Callable[[Dataset], Dataset]]] = [
    ("as loaded", lambda d: d),
    ("as of 2023-12-31", lambda d: d.with_as_of(pd.Timestamp("2023-12-31"))),
    ("as of 2022-03-15", lambda d: d.with_as_of(pd.Timestamp("2022-03-15"))),
    ("region filter (members)", lambda d: d.with_filters(Filters(region=("广东", "江苏")))),
    ("channel filter (policies)", lambda d: d.with_filters(Filters(channel=("agency", "broker")))),
    ("product and issue dates", lambda d: d.with_filters(Filters(
        product=("百万医疗", "重疾险", "Annuity 6"), issue_from=pd.Timestamp("2020-01-01")))),
]


def _json(argv: list[str]) -> str:
    code, out, err = _invoke(argv)
    assert code == 0, err
    return str(out)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("a3") / "book.duckdb"
    code, _, err = _invoke(["import", str(SAMPLE), "-o", str(db)])
    assert code == 0, err
    return f"duckdb:///{db}"


@pytest.mark.parametrize("extra", [[], ["--as-of", "2023-12-31"], ["--as-of", "2022-03-15"],
                                   ["--by", "channel,region"], ["--by", "tier,product",
                                                                "--as-of", "2024-05-31"],
                                   ["--by", "age,gender", "--as-of", "2023-12-31"]],
                         ids=["as loaded", "2023-12-31", "2022-03-15", "by channel,region",
                              "by tier,product 2024-05-31",
                              "by age (derived from birth_date),gender 2023-12-31"])
def test_cli_json_byte_for_byte(extra: list[str], imported: str) -> None:
    want = _json(["alerts", str(SAMPLE), "--json", *extra])
    got = _json(["alerts", imported, "--json", *extra])
    assert got == want
    assert json.loads(want)["alerts"]  # not vacuous


@pytest.fixture(scope="module")
def memory(sample_book: Any) -> Dataset:
    return load_dataset(sample_book[0], today=TODAY)


@pytest.fixture(scope="module", params=["duckdb", "postgres",
                                        pytest.param("spark", marks=[pytest.mark.slow])])
def engine(request: pytest.FixtureRequest, engine_tmp: Path, sample_book: Any) -> Iterator[Dataset]:
    tables = sample_book[1]
    if request.param == "duckdb":
        url, refs = write_duckdb(engine_tmp / "a3_sample.duckdb", tables), {}
    elif request.param == "postgres":
        url = write_postgres(request.getfixturevalue("postgres"), "a3_sample", tables)
        refs = {name: TableRef(name, "a3_sample") for name in tables}
    else:
        url = write_spark(request.getfixturevalue("spark"), "a3_sample", tables)
        refs = {name: TableRef(name, "a3_sample") for name in tables}
    ds = open_book(url, tables=refs, today=TODAY)
    yield ds
    ds.book.close()  # type: ignore[attr-defined]


def _same_result(got: Any, want: Any, label: str) -> None:
    assert got.to_json() == want.to_json(), label
    assert got.columns == want.columns and got.unavailable == want.unavailable, label
    for name in ("funnel", "monthly", "book"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=False,
                                      rtol=1e-9, obj=f"{label}: {name}")
        if len(getattr(want, name)):
            for col in ("x", "n"):
                assert getattr(got, name)[col].tolist() == getattr(want, name)[col].tolist()


@pytest.mark.parametrize(("label", "change"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_alerts_from_counts(label: str, change: Callable[[Dataset], Dataset], engine: Dataset,
                            memory: Dataset) -> None:
    got = compute_alerts(change(engine))
    assert not engine.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]
    want = compute_alerts(change(memory))
    _same_result(got, want, label)
    assert len(got.pushed_down) == 12, got.pushed_down
    assert len(want.monthly) > 100  # not vacuous


# ---- hand-counted book ------------------------------------------------------------------------

HAND = {
    "members": "member_id,region,tier\nM1,north,gold\nM2,south,silver\nM3,,\n",
    "policies": "policy_id,member_id,product,channel,issue_date,end_date,status\n"
                "P1,M1,Alpha,agency,2023-01-10,,in_force\n"
                "P2,M2,Beta,,2023-03-05,2024-02-20,lapsed\n"
                "P3,M3,Alpha,broker,2023-06-15,,in_force\n"
                "P4,M1,Beta,broker,2024-01-01,,in_force\n",
    "claims": "claim_id,policy_id,member_id,reported_at,settled_at,status,amount_claimed,amount_paid\n"
              "K1,P1,M1,2024-03-01,2024-03-05,paid,100,80\n"
              "K2,P2,M2,2024-03-10,2024-05-01,paid,50,50\n"
              "K3,P3,M3,2024-05-10,2024-07-15,paid,70,70\n"
              "K4,,M1,2024-05-20,,open,30,\n",
    "service_contacts":
        "contact_id,member_id,started_at,channel,handled_by,transferred_to_human,connected,"
        "wait_seconds,resolved,satisfaction,topic\n"
        "C1,M1,2024-05-03 10:00:00,web,bot,true,true,30,true,5,claims\n"
        "C2,M2,2024-05-10 09:00:00,phone,human,false,true,60,false,3,billing\n"
        "C3,,2024-06-01 08:00:00,web,bot,false,,0,,,claims\n"
        "C4,M3,2024-06-02 08:00:00,app,human,false,false,90,true,4,claims\n"
        "C5,M9,,web,bot,false,,,true,2,claims\n",
    "benefit_usage": "member_id,benefit,used_at,cost\nM1,checkup,2024-05-10,10\n"
                     "M2,checkup,2024-03-01,10\nM3,checkup,2024-06-20,10\nM9,checkup,2024-06-01,10\n",
}


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("a3_hand")
    for name, text in HAND.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    db = folder.parent / "a3_hand.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    return {"files": str(folder), "duckdb": f"duckdb:///{db}"}


def _open_hand(kind: str, hand: dict[str, str], request: pytest.FixtureRequest) -> Dataset:
    """The hand book on files, DuckDB (imported) or PostgreSQL (its CSV tables written to the
    session server)."""
    if kind == "files":
        return load_dataset([hand["files"]])
    if kind == "duckdb":
        return open_book(hand["duckdb"])
    tables = read_csv_tables(Path(hand["files"]), tuple(HAND))
    url = write_postgres(request.getfixturevalue("postgres"), "a3_hand", tables)
    return open_book(url, tables={name: TableRef(name, "a3_hand") for name in tables})


def _book_cell(result: Any, metric: str, month: str) -> tuple[float, float]:
    b = result.book
    row = b[(b["metric"] == metric) & (b["month"] == month)]
    assert len(row) == 1, (metric, month)
    return float(row["x"].iloc[0]), float(row["n"].iloc[0])


@pytest.mark.parametrize("kind", ["files", "duckdb", "postgres"])
def test_hand_counted_series(kind: str, hand: dict[str, str],
                             request: pytest.FixtureRequest) -> None:
    """As of 2024-06-30.

    Claims (late: settled more than 30 days after the report, or open more than 30 days at
    as-of; the last monitored month is 2024-05, whose end + 30 days is 06-30): March K1 (4
    days) and K2 (52 days): 1 of 2; May K3 (settled 07-15, after as-of: open, 51 days) and K4
    (no policy, open 41 days): 2 of 2.
    CSAT (rated 4 or 5 ÷ rated): May C1 (5), C2 (3): 1 of 2; June C4 (4), C3 unrated: 1 of 1;
    C5 (undated, unknown member: rejected) is in no month.
    Bot transfer (÷ bot contacts): May C1 transferred: 1 of 1; June C3: 0 of 1.
    Benefit usage (members in force at the month end who used a benefit in the month): March
    M1, M3 in force (M2's P2 ended 02-20, so M2's use is not counted): 0 of 2; May M1 used: 1
    of 2; June M3 used: 1 of 2 (M9's use is rejected: unknown member)."""
    ds = _open_hand(kind, hand, request)
    try:
        r = compute_alerts(ds.with_as_of(pd.Timestamp("2024-06-30")))
        if kind != "files":
            assert not ds.book._frames  # type: ignore[attr-defined]
            from memberdesk.analysis.alerts.monitored import MONITORED_IDS

            assert set(r.pushed_down) == set(MONITORED_IDS) - set(r.unavailable)
    finally:
        if kind != "files":
            ds.book.close()  # type: ignore[attr-defined]
    want = {("claims_settled_after_30_days", "2024-03"): (1, 2),
            ("claims_settled_after_30_days", "2024-05"): (2, 2),
            ("csat", "2024-05"): (1, 2), ("csat", "2024-06"): (1, 1),
            ("bot_transfer_rate", "2024-05"): (1, 1), ("bot_transfer_rate", "2024-06"): (0, 1),
            ("benefit_usage_rate_monthly", "2024-03"): (0, 2),
            ("benefit_usage_rate_monthly", "2024-05"): (1, 2),
            ("benefit_usage_rate_monthly", "2024-06"): (1, 2)}
    for (metric, month), cell in want.items():
        assert _book_cell(r, metric, month) == cell, (metric, month)
    # segments: C4's member M3 has no region -> "(missing)"; P2 has no
    # channel -> claim K2's channel "(missing)"
    m = r.monthly
    csat = m[(m["metric"] == "csat") & (m["column"] == "region") & (m["month"] == "2024-06")
               & (m["n"] > 0)]
    assert csat[["segment", "x", "n"]].values.tolist() == [["(missing)", 1.0, 1.0]]
    late = m[(m["metric"] == "claims_settled_after_30_days") & (m["column"] == "channel")
             & (m["month"] == "2024-03") & (m["n"] > 0)]
    assert late[["segment", "x", "n"]].values.tolist() == [["agency", 0.0, 1.0],
                                                          ["(missing)", 1.0, 1.0]]


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
@pytest.mark.parametrize("as_of", ["2024-06-30", "2024-03-15", "2023-12-31"])
def test_hand_book_as_the_files(as_of: str, kind: str, hand: dict[str, str],
                                request: pytest.FixtureRequest) -> None:
    files = load_dataset([hand["files"]]).with_as_of(pd.Timestamp(as_of))
    eng = _open_hand(kind, hand, request)
    try:
        got = compute_alerts(eng.with_as_of(pd.Timestamp(as_of)))
        assert not eng.book._frames  # type: ignore[attr-defined]
    finally:
        eng.book.close()  # type: ignore[attr-defined]
    _same_result(got, compute_alerts(files), as_of)


@pytest.mark.parametrize(("column", "segment", "first", "last"),
                         [("product", "百万医疗", "2025-01", "2025-06"),
                          ("region", "广东", "2024-01", "2024-12"),
                          ("channel", "agency", "2018-01", "2026-06")],
                         ids=["product", "region (a member column)", "channel (500 cut)"])
def test_policies_behind_an_alert(column: str, segment: str, first: str, last: str,
                                  imported: str, memory: Dataset) -> None:
    """The Alerts page's look behind a policy metric's alert: the engine selects the (at most
    500) policies; the same policies and values as the files', no other policy row read."""
    from memberdesk.analysis.alerts.monitored import policies_behind

    eng = open_book(imported, today=TODAY)
    try:
        got = policies_behind(eng, column, segment, first, last)
        assert not eng.book._frames  # type: ignore[attr-defined]
    finally:
        eng.book.close()  # type: ignore[attr-defined]
    want = policies_behind(memory, column, segment, first, last)
    assert len(want) > 50 and len(got) == len(want)
    assert sorted(got["policy_id"]) == sorted(want["policy_id"])
    if len(want) < 500:  # below the cut every value is compared
        pd.testing.assert_frame_equal(got.sort_values("policy_id").reset_index(drop=True),
                                      want.sort_values("policy_id").reset_index(drop=True),
                                      check_dtype=False)
    assert got["issue_date"].is_monotonic_decreasing


RULES = {
    "member and policy columns, risk by region / channel / status": (
        'version = 1\n[defaults]\nmin_denominator = 10\nrisk_adjust_by = "region"\n'
        'segments = ["channel", "product", "tier", "gender", "payment_frequency", "topic", '
        '"issue_year", "premium_band", "age_band", "age"]\nfree_look_days = 10\n'
        '[metrics.csat]\nrisk_adjust_by = "channel"\n'
        '[metrics.claims_settled_after_30_days]\nrisk_adjust_by = "status"\n'),
    "longer windows, risk by tier": (
        'version = 1\n[defaults]\nrisk_adjust_by = "tier"\nwindow_months = 6\n'
        'history_months = 30\n'),
}


@pytest.mark.parametrize("name", list(RULES))
def test_rules_files_as_the_files(name: str, tmp_path: Path, engine: Dataset,
                                  memory: Dataset) -> None:
    """Rules that reach segments through every route (a contact's own topic, a member's tier
    and gender, a policy's bands and year, a claim's policy) and risk classes of other tables."""
    from memberdesk.analysis.alerts import load_rules

    path = tmp_path / "rules.toml"
    path.write_text(RULES[name], encoding="utf-8")
    rules = load_rules(str(path))
    got = compute_alerts(engine, rules)
    assert not engine.book._frames  # type: ignore[attr-defined]
    want = compute_alerts(memory, rules)
    _same_result(got, want, name)
    assert len(got.pushed_down) == 12 and want.alerts


def test_more_months_than_a_mask_reads_the_usage_rows(tmp_path: Path, imported: str,
                                                      memory: Dataset) -> None:
    """Benefit usage over more than 62 monitored months (a member's months are bits of one
    BIGINT) keeps the rows route for that metric alone, with the same result."""
    from memberdesk.analysis.alerts import load_rules

    path = tmp_path / "rules.toml"
    path.write_text('version = 1\n[metrics.benefit_usage_rate_monthly]\nhistory_months = 70\n',
                    encoding="utf-8")
    rules = load_rules(str(path))
    eng = open_book(imported, today=TODAY)
    try:
        got = compute_alerts(eng, rules)
    finally:
        eng.book.close()  # type: ignore[attr-defined]
    want = compute_alerts(memory, rules)
    _same_result(got, want, "70 months")
    assert "benefit_usage_rate_monthly" not in got.pushed_down and len(got.pushed_down) == 11


@pytest.mark.parametrize("as_of", ["2015-01-31", "2018-08-15"])
def test_no_complete_month_as_the_files(as_of: str, imported: str) -> None:
    """Before any cohort month is complete: the same reasons (text and JSON)."""
    for extra in ([], ["--json"]):
        code, want, _ = _invoke(["alerts", str(SAMPLE), "--as-of", as_of, *extra])
        code2, got, _ = _invoke(["alerts", imported, "--as-of", as_of, *extra])
        assert code == code2 == 0 and got == want
    assert "no cohort month is complete" in want or "no cohort month is complete" in str(
        _invoke(["alerts", str(SAMPLE), "--as-of", as_of])[1])


def test_book_without_member_tables_as_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "no_tables"
    folder.mkdir()
    for name in ("members", "policies"):
        (folder / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    db = tmp_path / "no_tables.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    code, want, _ = _invoke(["alerts", str(folder)])
    code2, got, _ = _invoke(["alerts", f"duckdb:///{db}"])
    assert code == code2 == 0 and got == want
    assert "no service contacts loaded" in want and "no claims loaded" in want
