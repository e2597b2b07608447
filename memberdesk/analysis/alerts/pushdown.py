"""Counting the issue-month policy metrics in the warehouse engine (GROUP BY, no rows fetched).

On a book that lives in DuckDB, PostgreSQL or Spark (:class:`memberdesk.core.engine.book.
EngineDataset`), the free-look cancellation rate, the early lapse rates and the first-year
surrender rate are counted by the engine: one query per segment column groups the policy view
by (segment, risk class, issue month) and sums each metric's 0/1 flag, written with the same
rules as :mod:`.monitored` (a voluntary exit within the free-look days of issue; after them and
before issue + k months, engine month arithmetic clipping to the month's end as ``%m+%`` does).
The engine returns a few thousand cells instead of a million rows; the funnel and CUSUM then
run on them exactly as on the rows (each cell weighs its number of policies). The other
metrics are counted by the engine in :mod:`.counts`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from memberdesk.core import schema

PUSHED_METRICS: dict[str, int] = {"free_look_cancellation_rate": 0, "early_lapse_rate_3m": 3,
                                  "early_lapse_rate_6m": 6, "first_year_surrender_rate": 12}


def engine_book(ds: Any) -> Any | None:
    """The EngineBook behind ``ds`` (None for data in memory)."""
    book = getattr(ds, "book", None)
    return book if book is not None and hasattr(book, "policies") and hasattr(book, "run") else None


def policy_columns(ds: Any, book: Any) -> list[str]:
    return list(book.policies(ds).columns)


def issue_month_cells(ds: Any, book: Any, column: str | None, risk: str | None,
                      free_look_days: int) -> pd.DataFrame:
    """Cells ``segment``, ``risk``, ``month`` (months since 1970-01), ``n`` (policies issued)
    and one column per :data:`PUSHED_METRICS` (policies counted in its numerator)."""
    import ibis

    v = book.policies(ds)
    v = v.filter(v.issue_date.notnull())
    ended = v.exit_status != "in_force"
    days = v.end_date.delta(v.issue_date, unit="day")
    voluntary = v.exit_status.isin(list(schema.VOLUNTARY_EXIT_STATUSES))
    flags = {}
    for metric, months in PUSHED_METRICS.items():
        if months == 0:
            flag = ended & voluntary & (days <= free_look_days)
        else:
            within = v.end_date < v.issue_date + ibis.interval(months=months)
            kind = (v.exit_status == "surrendered") if metric == "first_year_surrender_rate" else voluntary
            flag = ended & kind & (days > free_look_days) & within
        # a 0/1 CASE, not a cast: PostgreSQL cannot cast a boolean to BIGINT
        flags[metric] = ibis.ifelse(flag.fill_null(False), 1, 0).cast("int64").sum()
    keys = {"segment": v[column].cast("string") if column else ibis.literal("").cast("string"),
            "risk": v[risk].cast("string") if risk else ibis.literal("").cast("string"),
            "month": ((v.issue_date.year() - 1970) * 12 + v.issue_date.month() - 1).cast("int64")}
    expr = v.group_by(**keys).aggregate(n=v.count(), **flags)
    frame: pd.DataFrame = book.run(expr).to_pandas()
    frame["month"] = frame["month"].astype(np.int64)
    return frame
