"""Persistency from engine counts at the calendar's edges (issue #13): the engine groups by
issue date, status and a duration class (exact days only inside the window of possible
``issue %m+% month − issue`` spans), and the client decides ``ended_by`` and ``free_look``.

Truth: the in-memory book loaded from the same rows as CSV (the file path computes the
measurement date per policy with ``policy_calendar.add_months``, tested by hand in
tests/actuarial). The book puts issue dates on month ends (29-31 January, 28/29 February in
leap and common years, 31 March, 30 April) and exits one or two days either side of
``issue %m+% 13`` and ``%m+% 25``, so every group straddles the window's edges; free-look
periods inside and beyond the window exercise the classes below and above it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.analysis.persistency import persistency_for_periods
from memberdesk.core.engine.aggregates import add_months, month_span_window
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .test_persistency_counts import PERIODS, _json, assert_same

TODAY = dt.date(2026, 12, 5)
AS_OF = pd.Timestamp("2026-11-30")


def test_month_span_window_by_hand() -> None:
    """13 months: 2022-01-31 %m+% 13 = 2023-02-28, 393 days (365 + 28); 2023-07-01 %m+% 13 =
    2024-08-01, 397 days (366 + 31). 25 months: 2021-01-31 -> 2023-02-28, 758 days
    (365 + 365 + 28); 2022-07-01 -> 2024-08-01, 762 days (365 + 366 + 31)."""
    assert month_span_window(13) == (393, 397)
    assert month_span_window(25) == (758, 762)
    d = np.array(["2022-01-31", "2023-07-01", "2020-02-29", "2023-01-30"], dtype="datetime64[D]")
    assert [str(x) for x in add_months(d, 13)] == ["2023-02-28", "2024-08-01", "2021-03-29",
                                                    "2024-02-29"]


def _book(path: Path) -> tuple[str, pd.DataFrame]:
    issues = [dt.date(y, m, day) for y in (2022, 2023, 2024) for m, day in
              ((1, 29), (1, 30), (1, 31), (2, 28), (3, 31), (4, 30), (12, 31))]
    issues += [dt.date(2024, 2, 29), dt.date(2023, 3, 1)]
    rows: list[dict[str, Any]] = []
    statuses = ("lapsed", "surrendered", "death", "waived", "matured", "in_force")
    for i, issue in enumerate(issues):
        base = np.array([issue], dtype="datetime64[D]")
        for month in (13, 25):
            anniversary = add_months(base, month)[0]
            for j, offset in enumerate((-2, -1, 0, 1, 2)):
                end = (anniversary + np.timedelta64(offset, "D")).astype(dt.date)
                status = statuses[(i + j + month) % len(statuses)]
                rows.append({"end_date": end if end <= AS_OF.date() else None,
                             "status": status if end <= AS_OF.date() else "in_force",
                             "issue_date": issue})
        # an early exit (free look) and one in force
        rows.append({"issue_date": issue, "end_date": issue + dt.timedelta(days=10),
                     "status": "lapsed"})
        rows.append({"issue_date": issue, "end_date": None, "status": "in_force"})
    frame = pd.DataFrame(rows)
    frame.insert(0, "policy_id", [f"P{i:04d}" for i in range(len(frame))])
    frame["channel"] = np.where(np.arange(len(frame)) % 2 == 0, "agency", "online")
    frame["annual_premium"] = 100.0 + np.arange(len(frame))
    con = duckdb.connect(str(path))
    con.register("src", pa.Table.from_pandas(frame, preserve_index=False))
    con.execute("CREATE TABLE policies AS SELECT * FROM src")
    con.close()
    return f"duckdb://{path}", frame


@pytest.mark.parametrize("free_look_days", [15, 394, 800])
def test_persistency_edges_equal_file_path(tmp_path: Path, free_look_days: int) -> None:
    url, frame = _book(tmp_path / "edges.duckdb")
    csv = tmp_path / "policies.csv"
    frame.to_csv(csv, index=False)
    mem = load_dataset([str(csv)], today=TODAY, as_of=AS_OF)
    eng = open_book(url, today=TODAY, as_of=AS_OF)
    assert eng.book is not None
    try:
        for month in (13, 25, 2):
            for by in (None, "channel"):
                got = persistency_for_periods(eng, month=month, periods=PERIODS, by=by,
                                              free_look_days=free_look_days)
                want = persistency_for_periods(mem, month=month, periods=PERIODS, by=by,
                                               free_look_days=free_look_days)
                assert_same(_json(got), _json(want), f"month {month} by {by}")
        # the rows straddle the measurement dates: some ended by it, some not, in one cohort
        # (a free-look period of 800 days excludes every exit before the 25th month)
        res = persistency_for_periods(eng, month=13, periods=("month",),
                                      free_look_days=free_look_days)["month"].frame
        assert (res["persisting_count"] > 0).any()
        assert (res["cohort_count"] > res["persisting_count"]).any() == (free_look_days < 800)
        assert not eng.book._frames  # from counts, no rows read
    finally:
        eng.book.close()


def test_prefetch_two_months_one_query(tmp_path: Path) -> None:
    """prefetch_persistency (the cockpit's 13 and 25 months) runs one query; each month's
    persistency then takes its frame without a query and equals the file path; a frame is
    taken once, and a call with other arguments (free look 30) queries again."""
    from memberdesk.analysis.persistency import persistency
    from memberdesk.core.engine.aggregates import prefetch_persistency

    url, frame = _book(tmp_path / "edges.duckdb")
    csv = tmp_path / "policies.csv"
    frame.to_csv(csv, index=False)
    mem = load_dataset([str(csv)], today=TODAY, as_of=AS_OF)
    eng = open_book(url, today=TODAY, as_of=AS_OF)
    assert eng.book is not None
    book = eng.book
    queries: list[str] = []
    run = book.run

    def counted(expr: Any) -> Any:
        queries.append(book.sql(expr))
        return run(expr)

    book.run = counted  # type: ignore[method-assign]
    try:
        prefetch_persistency(book, eng, (13, 25), 15)
        assert len(queries) == 1
        for month in (13, 25):
            got = persistency(eng, month=month, period="month", free_look_days=15)
            want = persistency(mem, month=month, period="month", free_look_days=15)
            assert_same(_json({"m": got}), _json({"m": want}), f"month {month}")
        assert len(queries) == 1  # both taken from the prefetched query
        persistency(eng, month=13, period="month", free_look_days=15)
        assert len(queries) == 2  # taken once: asked again, queried again
        prefetch_persistency(book, eng, (13, 25), 15)
        got = persistency(eng, month=13, period="month", free_look_days=30)
        want = persistency(mem, month=13, period="month", free_look_days=30)
        assert len(queries) == 4  # other arguments: not the prefetched frame
        assert_same(_json({"m": got}), _json({"m": want}), "free look 30")
    finally:
        book.close()
