"""`benefits` (:func:`memberdesk.analysis.benefits.benefit_usage`: usage per segment and per
benefit, the Benefits page and the report's Benefits sheet) on an engine book from GROUP BY
answers (issue #13 point 1: no benefit use, policy or member row pulled to the client).

Truths, each independent of the engine route under test:

* **The file path.** The same book read from its CSV files (readers -> validation -> Dataset ->
  the row computations of benefits.py, checked against hand calculations in
  tests/experience_analytics/test_claims_benefits.py): segment names and their order, member,
  user and use counts, months and benefits exact; costs (and the ratios built on them) within
  1e-9 relative — a sum of decimal costs in another order differs in its last bits, so the
  JSON is byte for byte only on books whose sums are exact (the hand book).
* **No accepted rows read.** ``EngineBook._frames`` (the cache every row read goes through)
  stays empty after :func:`benefit_usage`.
* **Hand counts.** A seven-policy, ten-use book with the edge cases (a use on the window's
  first excluded day and on as-of, a use after as-of, a member without policy, a use without
  member id, a missing benefit name, missing costs, a policy without member id, a policy issued
  after as-of, a lapsed one, a member in two products, a member without tier, a policy without
  channel) whose figures are worked out in the tests.

DuckDB always; PostgreSQL (the session server of tests/engines/conftest.py) on the sample and
the hand book; Spark (a local session) on the sample, marked slow.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.benefits import BenefitUsage, FirstUse, benefit_retention, benefit_usage, time_to_first_use
from memberdesk.commands.common import to_jsonable
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.errors import AnalysisError
from memberdesk.core.loader import load_dataset
from tests.engines.conftest import TODAY, read_csv_tables, write_duckdb, write_postgres, write_spark
from tests.engines.test_every_command import _invoke

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AS_OFS = [None, "2023-12-31", "2022-03-15"]  # as loaded, a year-end, not a month-end
BY = [None, "channel", "product", "tier", "region", "gender", "issue_year", "premium_band"]
VARIANTS: list[tuple[str, Callable[[Dataset], Dataset]]] = [
    ("as loaded", lambda d: d),
    ("as of 2023-12-31", lambda d: d.with_as_of(pd.Timestamp("2023-12-31"))),
    ("as of 2022-03-15", lambda d: d.with_as_of(pd.Timestamp("2022-03-15"))),
    ("region filter (members)", lambda d: d.with_filters(Filters(region=("广东", "江苏")))),
    ("tier filter (members)", lambda d: d.with_filters(Filters(tier=("gold",)))),
    ("channel filter (policies)", lambda d: d.with_filters(Filters(channel=("agency", "broker")))),
    ("product filter (policies)", lambda d: d.with_filters(Filters(product=("Annuity 6",)))),
    ("issue dates filter", lambda d: d.with_filters(Filters(issue_from=pd.Timestamp("2020-01-01"),
                                                             issue_to=pd.Timestamp("2022-06-30")))),
    ("region and channel as of 2023-12-31",
     lambda d: d.with_as_of(pd.Timestamp("2023-12-31"))
     .with_filters(Filters(region=("广东",), channel=("agency",)))),
]
COSTS = {"cost", "cost_per_member", "cost_per_use"}  # sums of decimal costs: 1e-9 relative
FRAMES = ("monthly", "by_benefit", "segments")


def _json(argv: list[str]) -> tuple[str, dict[str, Any]]:
    code, out, err = _invoke(argv)
    assert code == 0, err
    return out, json.loads(out)


def _equal(got: Any, want: Any, path: str = "") -> None:
    """``got`` (engine) equals ``want`` (files): the same keys in the same order, the same types
    and values exactly, but costs (:data:`COSTS`) within 1e-9 relative."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for k in want:
            _equal(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {len(got)} != {len(want)}"
        for i, (x, y) in enumerate(zip(got, want)):
            _equal(x, y, f"{path}[{i}]")
    elif isinstance(want, float) and path.rsplit(".", 1)[-1] in COSTS:
        assert isinstance(got, float) and math.isclose(got, want, rel_tol=1e-9), (path, got, want)
    else:
        assert type(got) is type(want) and got == want, (path, got, want)


def _frames_equal(got: BenefitUsage, want: BenefitUsage, label: str = "") -> None:
    """The frames the page and the sheet show: same columns, dtypes, rows; costs to 1e-9."""
    for name in FRAMES:
        g, w = getattr(got, name), getattr(want, name)
        exact = [c for c in w.columns if c not in COSTS]
        pd.testing.assert_frame_equal(g[exact], w[exact], check_exact=True, obj=f"{label} {name}")
        for c in COSTS & set(w.columns):
            pd.testing.assert_series_equal(g[c], w[c], rtol=1e-9, obj=f"{label} {name}.{c}")
    assert got.by == want.by and str(got.reason) == str(want.reason)


def _no_rows_read(ds: Dataset) -> None:
    assert not ds.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]


# ---- the sample ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample (every table) imported with ``memberdesk import``: the CLI's engine book."""
    db = tmp_path_factory.mktemp("b3") / "book.duckdb"
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
    """The sample's tables written to the engine: (DATA, tables mapping)."""
    tables = sample_book[1]
    if request.param == "duckdb":
        return write_duckdb(engine_tmp / "b3_sample.duckdb", tables), {}
    if request.param == "postgres":
        url = write_postgres(request.getfixturevalue("postgres"), "b3_sample", tables)
    else:
        url = write_spark(request.getfixturevalue("spark"), "b3_sample", tables)
    return url, {name: TableRef(name, "b3_sample") for name in tables}


@pytest.fixture(scope="module")
def engine(engine_url: tuple[str, dict[str, TableRef]]) -> Iterator[Dataset]:
    ds = open_book(engine_url[0], tables=engine_url[1], today=TODAY)
    assert ds.book is not None  # type: ignore[attr-defined]
    yield ds
    ds.book.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("as_of", AS_OFS, ids=["as loaded", "2023-12-31", "2022-03-15"])
@pytest.mark.parametrize("by", BY)
def test_cli_json_as_the_files(by: str | None, as_of: str | None, imported: str) -> None:
    extra = ([] if as_of is None else ["--as-of", as_of]) + ([] if by is None else ["--by", by])
    _, want = _json(["benefits", str(SAMPLE), "--json", *extra])
    _, got = _json(["benefits", imported, "--json", *extra])
    _equal(got, want)
    assert want["segments"][0]["in_force_members"] > 500 and want["segments"][0]["users"] > 100
    assert len(want["monthly"]) > 100 and len(want["by_benefit"]) >= 3  # not vacuous
    if by is not None:
        assert len(want["segments"]) >= 3
    code, text, _ = _invoke(["benefits", imported, *extra])  # the table (costs rounded
    assert code == 0  # to whole units: a last-bit difference can round the other way)
    assert all(s["segment"] in text for s in want["segments"])


@pytest.mark.parametrize("by", BY)
@pytest.mark.parametrize(("label", "change"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_usage_from_counts(label: str, change: Callable[[Dataset], Dataset], by: str | None,
                           engine: Dataset, memory: Dataset) -> None:
    """The frames equal the file path's under as-of dates and the desktop's filters; no use,
    policy or member row read."""
    got = benefit_usage(change(engine), by=by)
    _no_rows_read(engine)
    want = benefit_usage(change(memory), by=by)
    _frames_equal(got, want, label)
    _equal(to_jsonable(got.to_json()), to_jsonable(want.to_json()))
    assert want.segments["in_force_members"].iloc[0] > 0 and len(want.by_benefit)  # not vacuous
    if "filter" in label or "channel as of" in label:
        whole = benefit_usage(memory)
        assert want.segments["in_force_members"].iloc[0] < whole.segments["in_force_members"].iloc[0]


RETENTION = [(label, change) for label, change in VARIANTS
             if label in ("as loaded", "as of 2022-03-15", "region filter (members)",
                          "channel filter (policies)", "region and channel as of 2023-12-31")]


@pytest.mark.parametrize("landmark", [12.0, 6.5])
@pytest.mark.parametrize(("label", "change"), RETENTION, ids=[v[0] for v in RETENTION])
def test_retention_from_counts(label: str, change: Callable[[Dataset], Dataset], landmark: float,
                               engine: Dataset, memory: Dataset) -> None:
    """The users vs non-users comparison (counts exact; survival, hazard ratio, interval and p
    within 1e-9) and its Kaplan-Meier curves equal the file path's; no row read."""
    got = benefit_retention(change(engine), landmark_months=landmark)
    _no_rows_read(engine)
    want = benefit_retention(change(memory), landmark_months=landmark)
    counts = ["analysis", "origin", "users", "non_users", "events_users", "events_non_users"]
    pd.testing.assert_frame_equal(got.comparison[counts], want.comparison[counts], check_exact=True)
    rest = [c for c in want.comparison.columns if c not in counts]
    pd.testing.assert_frame_equal(got.comparison[rest], want.comparison[rest], rtol=1e-9)
    assert want.comparison["users"].min() > 20 and want.comparison["events_users"].max() > 0
    assert np.isfinite(want.comparison["hazard_ratio"]).any()  # not vacuous
    for name, curves in want.curves.items():
        assert list(got.curves[name]) == list(curves) == ["users", "non_users"]
        for label_, c in curves.items():
            g = got.curves[name][label_]
            for attr in ("timeline", "survival", "ci_lower", "ci_upper", "at_risk"):
                np.testing.assert_allclose(np.asarray(getattr(g, attr), dtype=float),
                                           np.asarray(getattr(c, attr), dtype=float),
                                           rtol=1e-9, atol=1e-12, err_msg=f"{name}.{label_}.{attr}")


@pytest.mark.parametrize("by", [None, "tier"])
def test_benefits_page_questions_read_no_rows(by: str | None, engine_url: tuple[str, dict[str, TableRef]],
                                              memory: Dataset) -> None:
    """What the Benefits page computes (memberdesk.ui.pages.benefits.compute_benefits: usage,
    retention, the usage-rate trend without ``by``) on a freshly opened book: no accepted row
    read, the trend equal to the file path's."""
    from memberdesk.analysis.kpis import usage_rate_trend

    ds = open_book(engine_url[0], tables=engine_url[1], today=TODAY)
    try:
        benefit_usage(ds, by=by)
        benefit_retention(ds, landmark_months=12)
        trend = usage_rate_trend(ds) if by is None else None
        _no_rows_read(ds)
    finally:
        ds.book.close()  # type: ignore[attr-defined]
    if trend is not None:
        want = usage_rate_trend(memory)
        assert want is not None
        pd.testing.assert_frame_equal(trend, want, rtol=1e-12)


OTHER_BY = ["issue_date", "end_date", "status", "payment_frequency", "product_type",
            "sum_assured", "annual_premium", "member_id", "join_date", "birth_date", "age_band"]


@pytest.mark.parametrize("by", OTHER_BY)
def test_usage_by_other_columns(by: str, engine: Dataset, memory: Dataset) -> None:
    """Any other column ``--by`` accepts — dates, amounts (a NUMERIC in PostgreSQL), ids, the
    members' other columns — gives the file path's segment names (its text of each value),
    order and figures; no row read."""
    change = VARIANTS[1][1]  # as of 2023-12-31: members lapse, so segments lose members
    got = benefit_usage(change(engine), by=by)
    _no_rows_read(engine)
    want = benefit_usage(change(memory), by=by)
    _frames_equal(got, want, by)
    _equal(to_jsonable(got.to_json()), to_jsonable(want.to_json()))
    assert len(want.segments) >= 3  # not vacuous: "all" and at least two levels


def _curves_equal(got: FirstUse, want: FirstUse) -> None:
    """Origin, member and user counts exact; the same curves, each within 1e-9."""
    assert (got.origin, got.members, got.users) == (want.origin, want.members, want.users)
    assert list(got.curves) == list(want.curves)
    for name, c in want.curves.items():
        g = got.curves[name]
        assert (g.n, g.events) == (c.n, c.events), name
        for attr in ("timeline", "survival", "ci_lower", "ci_upper", "at_risk", "observed",
                     "censored"):
            np.testing.assert_allclose(np.asarray(getattr(g, attr), dtype=float),
                                       np.asarray(getattr(c, attr), dtype=float),
                                       rtol=1e-9, atol=1e-12, err_msg=f"{name}.{attr}")
        np.testing.assert_allclose([g.median, g.median_ci_lower, g.median_ci_upper],
                                   [c.median, c.median_ci_lower, c.median_ci_upper], rtol=1e-9)


FIRST_USE = [(label, change) for label, change in VARIANTS
             if label in ("as loaded", "as of 2022-03-15", "region filter (members)",
                          "channel filter (policies)", "issue dates filter")]


@pytest.mark.parametrize("by", [None, "tier", "region", "gender"])
@pytest.mark.parametrize(("label", "change"), FIRST_USE, ids=[v[0] for v in FIRST_USE])
def test_first_use_from_counts(label: str, change: Callable[[Dataset], Dataset], by: str | None,
                               engine: Dataset, memory: Dataset) -> None:
    """time_to_first_use (KM of join date to first use) equals the file path's from the
    members' counts by segment x days x used; no row read."""
    got = time_to_first_use(change(engine), by=by)
    _no_rows_read(engine)
    want = time_to_first_use(change(memory), by=by)
    _curves_equal(got, want)
    assert want.origin == "join_date" and want.users > 50 and want.members > want.users
    assert len(want.curves) >= (3 if by else 1)  # not vacuous


def test_first_use_refusals_as_the_files(engine: Dataset, memory: Dataset) -> None:
    with pytest.raises(AnalysisError) as files:
        time_to_first_use(memory, by="channel")  # not a member column
    with pytest.raises(AnalysisError) as counted:
        time_to_first_use(engine, by="channel")
    assert str(counted.value) == str(files.value)
    _no_rows_read(engine)


def test_unknown_segment_refused_as_the_files(engine: Dataset, memory: Dataset) -> None:
    with pytest.raises(AnalysisError) as files:
        benefit_usage(memory, by="no_such_column")
    with pytest.raises(AnalysisError) as counted:
        benefit_usage(engine, by="no_such_column")
    assert str(counted.value) == str(files.value)
    _no_rows_read(engine)


def test_empty_books_as_the_files(imported: str, tmp_path: Path) -> None:
    """An as-of before every use, and a book without the table: the same JSON (the reason, no
    row) as the files'."""
    want, parsed = _json(["benefits", str(SAMPLE), "--as-of", "2015-01-31", "--json"])
    got, _ = _json(["benefits", imported, "--as-of", "2015-01-31", "--json"])
    assert got == want
    assert "up to the as-of date" in parsed["reason"] and parsed["segments"] == []
    folder = tmp_path / "no_usage"
    folder.mkdir()
    for name in ("members", "policies"):
        (folder / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    db = tmp_path / "no_usage.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    want, parsed = _json(["benefits", str(folder), "--json"])
    got, _ = _json(["benefits", f"duckdb:///{db}", "--json"])
    assert got == want and parsed["reason"] is not None


# ---- the hand-counted book --------------------------------------------------------------------

HAND = {
    "members": "member_id,region,tier\nM1,north,gold\nM2,south,silver\nM3,north,\n"
               "M4,south,gold\nM5,east,silver\nM6,west,gold\n",
    "policies": "policy_id,member_id,product,channel,issue_date,end_date,status,annual_premium\n"
                "P1,M1,Alpha,agency,2020-01-01,,in_force,100\n"
                "P2,M1,Beta,broker,2021-01-01,,in_force,200\n"
                "P3,M2,Alpha,,2021-03-01,,in_force,\n"
                "P4,M3,Beta,agency,2022-06-30,2023-01-01,lapsed,300\n"
                "P5,M4,Alpha,agency,2024-07-15,,in_force,100\n"
                "P6,M3,Alpha,agency,2019-01-01,,in_force,50\n"
                "P7,,Gamma,agency,2020-01-01,,in_force,10\n"
                "P8,M6,Beta,broker,2022-01-01,,in_force,20\n",
    "benefit_usage": "member_id,benefit,used_at,cost\n"
                     "M1,gym,2024-01-10,10\n"
                     "M1,gym,2024-02-10,\n"
                     "M1,dental,2022-05-01,50\n"
                     "M2,,2024-03-01,5\n"
                     "M3,gym,2024-06-30,\n"
                     "M5,gym,2024-04-01,7\n"
                     ",gym,2024-04-02,3\n"
                     "M2,dental,2024-07-01,9\n"
                     "M4,gym,2024-05-05,4\n"
                     "M1,dental,2023-06-30,8\n",
}
AS_OF = pd.Timestamp("2024-06-30")  # window (2023-06-30, 2024-06-30]


@pytest.fixture(scope="module", params=["files", "duckdb", "postgres"])
def hand(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Dataset]:
    """The hand book as of 2024-06-30: from its files, imported into DuckDB, or its typed
    tables in PostgreSQL."""
    folder = tmp_path_factory.mktemp("b3_hand")
    for name, text in HAND.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    if request.param == "files":
        yield load_dataset([str(folder)]).with_as_of(AS_OF)
        return
    if request.param == "duckdb":
        db = folder.parent / f"{folder.name}.duckdb"
        code, _, err = _invoke(["import", str(folder), "-o", str(db)])
        assert code == 0, err
        ds = open_book(f"duckdb:///{db}")
    else:
        tables = read_csv_tables(folder, tuple(HAND))
        url = write_postgres(request.getfixturevalue("postgres"), "b3_hand", tables)
        ds = open_book(url, tables={n: TableRef(n, "b3_hand") for n in tables})
    try:
        yield ds.with_as_of(AS_OF)
    finally:
        ds.book.close()  # type: ignore[attr-defined]


def _segments(result: BenefitUsage) -> list[tuple[Any, ...]]:
    """(segment, in-force members, users, uses, cost) with NaN as None."""
    rows = to_jsonable(result.segments.to_dict(orient="records"))
    return [(r["segment"], r["in_force_members"], r["users"], r["uses"], r["cost"]) for r in rows]


def _check_no_rows(ds: Dataset) -> None:
    if getattr(ds, "book", None) is not None:
        _no_rows_read(ds)


def test_hand_tables(hand: Dataset) -> None:
    """Monthly: every accepted use up to as-of (M2's 07-01 use is after it), by month of use
    and benefit; users are distinct member ids (the 2024-04 gym uses are M5's and one without
    id: 2 uses, 1 user); a month whose uses have no cost has none. Over the window (the 2023-06-30
    dental use is on the excluded first day): "(missing)" (M2's use without a benefit name)
    1 use, cost 5; gym: M1 twice, M3, M5, M4 and the use without id = 6 uses, 4 users, costs
    10 + 7 + 3 + 4 = 24 (two uses without cost), 4 per use; no dental row."""
    got = benefit_usage(hand)
    _check_no_rows(hand)
    assert to_jsonable(got.monthly.to_dict(orient="records")) == [
        {"month": "2022-05", "benefit": "dental", "uses": 1, "users": 1, "cost": 50.0},
        {"month": "2023-06", "benefit": "dental", "uses": 1, "users": 1, "cost": 8.0},
        {"month": "2024-01", "benefit": "gym", "uses": 1, "users": 1, "cost": 10.0},
        {"month": "2024-02", "benefit": "gym", "uses": 1, "users": 1, "cost": None},
        {"month": "2024-03", "benefit": "(missing)", "uses": 1, "users": 1, "cost": 5.0},
        {"month": "2024-04", "benefit": "gym", "uses": 2, "users": 1, "cost": 10.0},
        {"month": "2024-05", "benefit": "gym", "uses": 1, "users": 1, "cost": 4.0},
        {"month": "2024-06", "benefit": "gym", "uses": 1, "users": 1, "cost": None},
    ]
    assert to_jsonable(got.by_benefit.to_dict(orient="records")) == [
        {"benefit": "(missing)", "uses": 1, "users": 1, "cost": 5.0, "cost_per_use": 5.0},
        {"benefit": "gym", "uses": 6, "users": 4, "cost": 24.0, "cost_per_use": 4.0},
    ]


def test_hand_segments(hand: Dataset) -> None:
    """In force at 2024-06-30: P1, P2 (M1), P3 (M2), P6 (M3), P7 (no member), P8 (M6); not
    P4 (lapsed 2023-01-01) nor P5 (issued after as-of). Members M1, M2, M3, M6. Window uses:
    M1 2 (cost 10, one without), M2 1 (cost 5), M3 1 (no cost), M6 none; M4's and M5's uses
    are not of in-force members. all: 4 members, 3 users, 4 uses, cost 15."""
    whole = benefit_usage(hand)
    row = whole.segments.iloc[0]
    assert _segments(whole) == [("all", 4, 3, 4.0, 15.0)]
    assert row["usage_rate"] == 0.75 and row["uses_per_100_members"] == 100.0
    assert row["cost_per_member"] == 3.75
    # channel: agency P1 (M1), P6 (M3), P7; broker P2 (M1), P8 (M6); no channel P3 (M2)
    assert _segments(benefit_usage(hand, by="channel")) == [
        ("all", 4, 3, 4.0, 15.0), ("agency", 2, 2, 3.0, 10.0), ("broker", 2, 1, 2.0, 10.0),
        ("(missing)", 1, 1, 1.0, 5.0)]
    # product: M1 under Alpha and Beta; Gamma's only in-force policy has no member id
    product = benefit_usage(hand, by="product")
    assert _segments(product) == [
        ("all", 4, 3, 4.0, 15.0), ("Alpha", 3, 3, 4.0, 15.0), ("Beta", 2, 1, 2.0, 10.0),
        ("Gamma", 0, 0, 0.0, None)]
    gamma = product.segments.iloc[-1]
    assert math.isnan(gamma["usage_rate"]) and math.isnan(gamma["cost_per_member"])
    # tier (a member column, natural order): M3 has none (in "all" only)
    assert _segments(benefit_usage(hand, by="tier")) == [
        ("all", 4, 3, 4.0, 15.0), ("silver", 1, 1, 1.0, 5.0), ("gold", 2, 1, 2.0, 10.0)]
    # issue year (an integer column): 2019 P6 (M3, no cost), 2020 P1 (M1) and P7,
    # 2021 P2 (M1), P3 (M2), 2022 P8 (M6, no use)
    assert _segments(benefit_usage(hand, by="issue_year")) == [
        ("all", 4, 3, 4.0, 15.0), ("2019", 1, 1, 1.0, None), ("2020", 1, 1, 2.0, 10.0),
        ("2021", 2, 2, 3.0, 15.0), ("2022", 1, 0, 0.0, None)]
    _check_no_rows(hand)


def test_hand_under_filters(hand: Dataset) -> None:
    """Channel agency: policies P1, P6, P7 (P4, P5 are agency too but not in force, P5 not
    even issued by as-of), members in scope M1, M3: only their uses are counted (the use
    without member id leaves too). Tier gold: members M1, M4, M6; in force M1 (P1, P2) and M6."""
    agency = benefit_usage(hand.with_filters(Filters(channel=("agency",))))
    assert _segments(agency) == [("all", 2, 2, 3.0, 10.0)]
    assert to_jsonable(agency.by_benefit.to_dict(orient="records")) == [
        {"benefit": "gym", "uses": 3, "users": 2, "cost": 10.0, "cost_per_use": 10.0 / 3}]
    assert [m["month"] for m in agency.monthly.to_dict(orient="records")] == \
        ["2022-05", "2023-06", "2024-01", "2024-02", "2024-06"]
    gold = benefit_usage(hand.with_filters(Filters(tier=("gold",))), by="product")
    # M4's gym use (05-05) is in the window but M4 has no in-force policy
    assert _segments(gold) == [("all", 2, 1, 2.0, 10.0), ("Alpha", 1, 1, 2.0, 10.0),
                               ("Beta", 2, 1, 2.0, 10.0)]
    assert to_jsonable(gold.by_benefit.to_dict(orient="records")) == [
        {"benefit": "gym", "uses": 3, "users": 2, "cost": 14.0, "cost_per_use": 14.0 / 3}]
    _check_no_rows(hand)


def test_hand_retention(hand: Dataset) -> None:
    """Policies of the view (P5 is issued after as-of). Naive (a use of the member from issue
    to exit or as-of, both inclusive): P1, P2 (M1), P3 (M2), P6 (M3: its use is on as-of) are
    users; P4 (M3, lapsed 2023-01-01, before M3's use), P7 (no member), P8 (M6, no use) are
    not; P4's lapse is the one event. Landmark at 30 months = 913.125 days: in force beyond it
    P1 (1,642 days), P2 (1,276), P3 (1,217), P6, P7 — not P8 (911) nor P4; a use within 913
    days of issue: P1 (2022-05-01 <= 2022-07-02), P2 (2023-06-30 <= 2023-07-03); P3 (M2's
    use 2024-03-01 > 2023-08-31), P6, P7 not. No landmark event: no hazard ratio."""
    got = benefit_retention(hand, landmark_months=30)
    _check_no_rows(hand)
    table = got.comparison.set_index("analysis")
    counts = ["users", "non_users", "events_users", "events_non_users"]
    assert table.loc["naive", counts].tolist() == [4, 3, 0, 1]
    assert table.loc["landmark", counts].tolist() == [2, 3, 0, 0]
    assert np.isnan(table.loc["landmark", "hazard_ratio"])
    # naive non-users: P4's lapse at 185 days (2022-06-30 -> 2023-01-01) of 3 at risk
    curve = got.curves["naive"]["non_users"]
    assert curve.survival[list(curve.timeline).index(185 / (365.25 / 12))] == pytest.approx(2 / 3)


def test_hand_first_use(hand: Dataset) -> None:
    """No join dates: the start is each member's first issue among the view's policies (P5,
    M4's only one, is issued after as-of: M4 has none). M1 2020-01-01 -> first use
    2022-05-01 = 851 days; M2 2021-03-01 -> 2024-03-01 = 1,096 (its 07-01 use is after as-of);
    M3 2019-01-01 (P6) -> 2024-06-30 (on as-of) = 2,007; M6 2022-01-01, no use: censored at
    as-of after 911. KM: 3/4 after 851, 3/4 x 1/2 after 1,096, 0 after 2,007. Tier: gold M1,
    M6; silver M2; M3 has none."""
    got = time_to_first_use(hand, by="tier")
    _check_no_rows(hand)
    assert (got.origin, got.members, got.users) == ("first_issue_date", 4, 3)
    assert list(got.curves) == ["all", "silver", "gold"]
    month = 365.25 / 12
    curve = got.curves["all"]
    at = {round(t * month): s for t, s in zip(curve.timeline, curve.survival)}
    assert at[851] == pytest.approx(0.75) and at[911] == pytest.approx(0.75)
    assert at[1096] == pytest.approx(0.375) and at[2007] == pytest.approx(0.0)
    gold = got.curves["gold"]
    assert (gold.n, gold.events) == (2, 1)
    assert (got.curves["silver"].n, got.curves["silver"].events) == (1, 1)
