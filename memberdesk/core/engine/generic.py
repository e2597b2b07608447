"""Generic survival tables (``--duration COL --event-col COL``) kept in an engine (issue #13).

A generic table holds one row per record: a duration (any unit), an event (0/1, yes/no,
true/false) and segment columns. The file path reads it as the policies table with
``duration`` and ``event`` (:func:`memberdesk.core.loader._generic_part`) and validates it
(:func:`memberdesk.core.validation._policy_rules` with ``generic=True``). Here the same rules
run as one ``GROUP BY segment, duration, event, reason`` in the engine: the accepted rows come
back as counts (frequency weights for the same Kaplan-Meier code), the rejected rows as counts
by reason. Each row's reason is the first the file path would flag, in its order:

1. ``bad_number`` (duration not a number) / ``bad_bool`` (event not 0/1/yes/no/...), parsed
   by the file path's own parsers over the distinct values (:func:`rules._column`);
2. ``missing_date`` (duration empty, or NaN) then ``bad_bool`` (event empty);
3. ``negative_amount`` (duration < 0).

Not supported (a :class:`GenericUnsupported`, exit 2): a table with a recognised policy id
column (the file path rejects missing and repeated ids by row order, which a table lacks) and
delayed entry (``--entry``).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.book import COUNT_COLUMN
from memberdesk.core.dataset import Dataset
from memberdesk.core.engine import rules
from memberdesk.core.engine.connection import ColumnType, Connection, TableRef, connect
from memberdesk.core.engine.urls import parse
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.mapping import auto_map, normalise_header
from memberdesk.core.validation import _REASON_ORDER
from memberdesk.core.validation_report import TableReport, ValidationReport


class GenericUnsupported(ValueError):
    """The generic table asks for something the engine route does not validate exactly."""


@dataclass(frozen=True)
class GenericCounts:
    """The accepted rows of a generic table as counts (``survival_counts``' shape) and the
    connection they came from."""

    counts: pd.DataFrame  # [by], duration_days (table's unit), event (0/1), n
    by: str | None
    conn: Connection = field(compare=False)

    def survival_counts(self, ds: Dataset, by: str | None) -> pd.DataFrame:
        if by != self.by:
            raise AnalysisError(f"the counts were grouped by {self.by!r}, not {by!r}")
        return self.counts

    def close(self) -> None:
        self.conn.close()


@dataclass(frozen=True)
class GenericEngineDataset(Dataset):
    """A generic Dataset whose survival analysis reads :attr:`book`'s counts."""

    book: GenericCounts | None = field(default=None, compare=False)


def _find(conn: Connection, duration_col: str, event_col: str
          ) -> tuple[TableRef, dict[str, ColumnType], str, str]:
    """The table holding both columns (matched as the file path matches headers)."""
    wanted = (normalise_header(duration_col), normalise_header(event_col))
    seen = []
    for ref in conn.tables():
        if ref.name == "rejected":
            continue
        kinds = conn.columns(ref)
        seen.append(f"{ref.display}: {', '.join(list(kinds)[:12])}")
        norm = {normalise_header(h): h for h in kinds}
        if all(w in norm for w in wanted):
            return ref, kinds, norm[wanted[0]], norm[wanted[1]]
    raise DataError(f"no table holds both {duration_col!r} and {event_col!r} "
                    f"({'; '.join(seen) or 'no tables'})")


def open_generic(data: Sequence[str] | str, duration_col: str, event_col: str, by: str | None,
                 *, password: str | None = None, today: dt.date | None = None
                 ) -> GenericEngineDataset:
    """Validate and count the generic table of ``data`` in its engine (see module doc).

    Returns a generic Dataset whose ``book`` holds the accepted rows' counts by ``by`` x
    duration x event (durations in the table's own unit, as the file path's
    ``duration_days``) and whose report holds the rows read and rejected by reason.

    Raises
    ------
    GenericUnsupported
        A policy id column is recognised (see module doc).
    DataError
        No table holds both columns, or ``by`` is not a column of it.
    """
    url = parse(data)
    conn = connect(url, password=password)
    try:
        return _open(conn, url.display, duration_col, event_col, by, today or dt.date.today())
    except BaseException:
        conn.close()
        raise


def _open(conn: Connection, display: str, duration_col: str, event_col: str, by: str | None,
          today: dt.date) -> GenericEngineDataset:
    ref, kinds, dur_src, ev_src = _find(conn, duration_col, event_col)
    pid = auto_map(list(kinds), schema.POLICIES).source_of("policy_id")
    if pid is not None and pid not in (dur_src, ev_src):
        raise GenericUnsupported(
            f"the table {ref.display} has a policy id column ({pid!r}): generic tables with ids "
            "are validated from files only (missing and repeated ids); export it to CSV/Parquet "
            "without the id column, or use a file")
    if by is not None and by not in kinds:
        raise DataError(f"--by {by!r} is not a column of {ref.display} "
                        f"(columns: {', '.join(kinds)})", column=by)
    source = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
    spec = schema.TABLE_SPECS[schema.POLICIES]

    def fetch(t: ir.Table, column: str,
              derive: Callable[[ir.Value], ir.Value] | None = None) -> list[Any] | None:
        expr = t.select(column).distinct().limit(rules.DISTINCT_LIMIT + 1)
        if derive is not None:
            expr = expr.select(expr[column], _derived=derive(expr[column]))
        result = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect)))
        if result.num_rows > rules.DISTINCT_LIMIT:
            return None
        values = result.column(0).to_pylist()
        return values if derive is None else list(zip(values, result.column(1).to_pylist()))

    dur, dur_bad, dur_reason = rules._column(source[dur_src], kinds[dur_src],
                                             spec.column("duration"), schema.POLICIES,
                                             functools.partial(fetch, source, dur_src))
    ev, ev_bad, ev_reason = rules._column(source[ev_src], kinds[ev_src], spec.column("event"),
                                          schema.POLICIES, functools.partial(fetch, source, ev_src))
    dur = dur.cast("float64")
    missing_dur = dur.isnull() | dur.isnan().fill_null(False)
    # the file path's flag order: parse (duration, event), generic rules, non-negative
    flags: list[tuple[str, ir.BooleanValue]] = []
    if dur_bad is not None:
        flags.append((dur_reason, dur_bad.fill_null(False)))
    if ev_bad is not None:
        flags.append((ev_reason, ev_bad.fill_null(False)))
    flags += [(schema.REASON_MISSING_DATE, missing_dur),
              (schema.REASON_BAD_BOOL, ev.isnull()),
              (schema.REASON_NEGATIVE_AMOUNT, (dur < 0).fill_null(False))]
    reason = ibis.cases(*((f, ibis.literal(_REASON_ORDER.index(r), type="int16")) for r, f in flags),
                        else_=ibis.literal(-1, type="int16"))
    ok = reason == -1
    cols: dict[str, ir.Value] = {
        "_reason": reason,
        "duration_days": ok.ifelse(dur, ibis.null("float64")),
        "event": ok.ifelse(ev.cast("boolean").cast("int8"), ibis.null("int8")),
    }
    if by is not None:
        cols[by] = ok.ifelse(source[by], ibis.null(source[by].type()))
    t = source.select(**cols)
    keys = ["_reason", *([by] if by is not None else []), "duration_days", "event"]
    expr = t.group_by(keys).aggregate(**{COUNT_COLUMN: t.count()})
    frame = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect))).to_pandas()
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    accepted = frame[frame["_reason"] == -1]
    rejected = frame[frame["_reason"] != -1]
    reasons: dict[str, int] = {}
    for code, n in rejected.groupby("_reason")[COUNT_COLUMN].sum().sort_index().items():
        reasons[_REASON_ORDER[int(code)]] = int(n)
    read = int(frame[COUNT_COLUMN].sum())
    report = ValidationReport()
    table = TableReport(schema.POLICIES, files=[f"{display} {ref.display}"], read=read,
                        reasons=reasons)
    table.rejected = sum(reasons.values())
    table.accepted = read - table.rejected
    report.tables.append(table)
    if table.accepted == 0:
        raise DataError(f"every row of {ref.display} was rejected "
                        f"({', '.join(f'{k}: {v:,}' for k, v in reasons.items()) or 'no rows'})",
                        file=display)
    counts = pd.DataFrame({
        "duration_days": accepted["duration_days"].to_numpy(dtype=float),
        "event": accepted["event"].to_numpy(dtype=np.int8),
        COUNT_COLUMN: accepted[COUNT_COLUMN].to_numpy(dtype=np.int64)})
    if by is not None:
        counts.insert(0, by, accepted[by].to_numpy(dtype=object))
    book = GenericCounts(counts, by, conn)
    return GenericEngineDataset(validated={}, as_of=pd.Timestamp(today).normalize(),
                                report=report, generic=True, sources=(display,), book=book)
