"""Generic survival tables (``--duration COL --event-col COL``) kept in an engine (issue #13).

A generic table holds one row per record: a duration (any unit), an event (0/1, yes/no,
true/false), optionally a policy id, and other columns (segments, covariates, entry times). The
file path reads it as the policies table with ``duration`` and ``event``
(:func:`memberdesk.core.loader._generic_part`) and validates it
(:func:`memberdesk.core.validation.validate_table` with ``generic=True``). Here the same rules
run in the engine: the rejected rows come back as counts by reason, the accepted rows as counts
by the columns an analysis asks for (frequency weights). Each row's reason is the first the
file path would flag, in its order:

1. ``missing_id`` (the policy id column, when the table has one, is empty) then
   ``duplicate_id``: the id occurred on an earlier row. "Earlier" is the file path's row order;
   an engine table has one only where the engine keeps it: a DuckDB base table (``rowid``, the
   insertion order) and Parquet files (the files in the order given, then ``file_row_number``).
   Elsewhere (a DuckDB view, PostgreSQL, Spark) repeated ids are refused (exit 2, naming the
   reason); ids that never repeat need no order and are accepted on every engine;
2. ``unparseable_number`` (duration not a number) / ``unparseable_bool`` (event not
   0/1/yes/no/...), parsed by the file path's own parsers over the distinct values
   (:func:`rules._column`);
3. ``missing_date`` (duration empty, or NaN) then ``unparseable_bool`` (event empty);
4. ``negative_amount`` (duration < 0).

Other columns are read as stored (text cells trimmed, null tokens missing, as the file path's
extra columns); a number stored as text stays text here, where a CSV's all-number column is
read as numbers (store numbers typed).

What leaves the engine (:class:`GenericBook`):

* ``survival_counts(by)`` / ``cells(columns)``: ``GROUP BY columns, duration, event`` of the
  accepted rows (Kaplan-Meier, log-rank, Cox with categorical covariates, parametric models);
* ``covariate_cells(columns, limit)``: the cells unless a non-text column holds more than
  ``limit`` distinct values (a continuous covariate: the caller reads rows and says so);
* ``records(columns)``: the accepted records with ``columns`` as a DataFrame (the fallback of
  Cox with a continuous covariate, a cluster or delayed entry, and of ``--entry``): the engine
  groups identical records (``GROUP BY columns, duration, event`` with a count) and the client
  repeats each group's values ``n`` times — the same multiset of records as the file path's
  rows (their order is the groups', not the table's).

Competing decrements (``decrements --duration COL --cause-col COL``) have their own rules (the
file path's :func:`memberdesk.commands.decrements.generic_frame`): :func:`decrement_records`.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.book import COUNT_COLUMN, CellAnswer
from memberdesk.core.dataset import Dataset
from memberdesk.core.engine import rules
from memberdesk.core.engine.book import distinct_values
from memberdesk.core.engine.connection import ColumnType, Connection, TableRef, connect
from memberdesk.core.engine.urls import EngineURL, parse
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.mapping import auto_map, normalise_header
from memberdesk.core.progress import interruptible
from memberdesk.core.reasons import Reason
from memberdesk.core.validation_report import TableReport, ValidationReport

ORDINAL = "_md_ord"  # the row-order column of the ordered temporary view (DuckDB, Parquet)
REASON = "_reason"


class GenericUnsupported(ValueError):
    """The generic table asks for something the engine route cannot validate exactly."""


class GenericBook:
    """The aggregate questions of :class:`memberdesk.core.book.Book` asked of a validated
    generic table in its engine (module doc). ``table`` has ``_reason`` (-1 accepted, else the
    index of the reason in the file path's order), ``duration_days`` (float, the table's own
    unit), ``event`` (int8) and the other source columns under their own names."""

    def __init__(self, conn: Connection, table: ir.Table, text_columns: frozenset[str],
                 display: str) -> None:
        self.conn = conn
        self.engine = conn.engine
        self._table = table
        self._text = text_columns
        self.display = display
        self._cache: dict[tuple[str, ...], pd.DataFrame] = {}

    # -- queries ----------------------------------------------------------------------------

    def _run(self, expr: ir.Table) -> pd.DataFrame:
        with interruptible(self.conn.cancel):  # the task's Cancel interrupts the query
            table = self.conn.arrow(str(ibis.to_sql(expr, dialect=self.conn.dialect)))
        frame: pd.DataFrame = table.to_pandas()
        return frame

    @property
    def accepted(self) -> ir.Table:
        return self._table.filter(self._table[REASON] == -1)

    def columns(self) -> list[str]:
        return [c for c in self._table.columns if c not in (REASON,)]

    def _check(self, columns: Sequence[str]) -> None:
        have = self.columns()
        for col in columns:
            if col not in have:
                names = sorted(c for c in have if c not in ("duration_days", "event"))
                raise AnalysisError(Reason("frame_unknown_column", column=col,
                                           columns=", ".join(names)), column=col)

    def cells(self, ds: Dataset, columns: Sequence[str]) -> pd.DataFrame:
        """Accepted records by ``columns`` x duration x event with their count ``n``."""
        return self._cells(columns)

    def _cells(self, columns: Sequence[str]) -> pd.DataFrame:
        cols = list(dict.fromkeys(columns))
        self._check(cols)
        key = ("cells", *cols)
        if key not in self._cache:
            t = self.accepted
            keys = [*cols, "duration_days", "event"]
            self._cache[key] = self._typed(
                self._run(t.group_by(keys).aggregate(**{COUNT_COLUMN: t.count()})), cols)
        return self._cache[key]

    def _typed(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        """Counts as :meth:`cells` returns them: event int8, duration float, count int64,
        text columns as Python objects with None for missing (in place)."""
        frame["event"] = frame["event"].astype(np.int8)
        frame["duration_days"] = frame["duration_days"].astype(float)
        frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
        for c in columns:
            if c in self._text:
                frame[c] = _objects(frame[c])
        return frame

    def survival_counts(self, ds: Dataset, by: str | None) -> pd.DataFrame:
        return self.cells(ds, () if by is None else (by,))

    def covariate_cells(self, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer:
        cols = list(dict.fromkeys(columns))
        self._check(cols)
        numeric = [c for c in cols if c not in self._text]
        continuous: tuple[str, ...] = ()
        if numeric:
            t = self.accepted
            n = self._run(t.aggregate(**{f"c{i}": t[c].nunique() for i, c in enumerate(numeric)}))
            continuous = tuple(c for i, c in enumerate(numeric) if int(n[f"c{i}"].iloc[0]) > limit)
        if continuous:
            return CellAnswer(None, continuous)
        return CellAnswer(self.cells(ds, cols))

    def records(self, columns: Sequence[str]) -> pd.DataFrame:
        """The accepted records: ``duration`` (float), ``event`` (nullable boolean, as the file
        path's validated column) and ``columns``, each group of identical records repeated
        its count times (module doc)."""
        cols = [c for c in dict.fromkeys(columns) if c not in ("duration", "event")]
        self._check(cols)
        counts = self._cells(cols)
        reps = counts[COUNT_COLUMN].to_numpy(dtype=np.int64)
        idx = np.repeat(np.arange(len(counts)), reps)
        out: dict[str, Any] = {
            "duration": counts["duration_days"].to_numpy(dtype=float)[idx],
            "event": pd.array(counts["event"].to_numpy(dtype=bool)[idx], dtype="boolean")}
        for c in cols:
            out[c] = counts[c].to_numpy()[idx]
        return pd.DataFrame(out)

    def count_by(self, ds: Dataset, table: str, columns: Sequence[str]) -> pd.DataFrame:
        cols = list(columns)
        self._check(cols)
        t = self.accepted
        if not cols:
            return pd.DataFrame({COUNT_COLUMN: [int(self._run(t.aggregate(n=t.count()))["n"][0])]})
        return self._run(t.group_by(cols).aggregate(**{COUNT_COLUMN: t.count()}))

    def distinct(self, ds: Dataset, table: str, column: str, limit: int = 1000) -> list[object]:
        self._check([column])
        t = self.accepted
        return list(self._run(t.select(column).distinct().limit(limit))[column])

    def sample(self, ds: Dataset, table: str, n: int, seed: int = 0) -> pd.DataFrame:
        # every column besides the ones records() writes itself (duration, event)
        others = [c for c in self.columns() if c not in ("duration_days", "event")]
        return self.records(others).sample(n=min(n, int(self.row_counts()["policies"])),
                                           random_state=seed)

    def row_counts(self) -> dict[str, int]:
        t = self.accepted
        return {schema.POLICIES: int(self._run(t.aggregate(n=t.count()))["n"][0])}

    def close(self) -> None:
        self.conn.close()


class _LazyRecords(Mapping[str, pd.DataFrame]):
    """``validated`` of a generic engine Dataset: the policies table is the accepted records
    (:meth:`GenericBook.records`) of the columns the command uses, read on first use."""

    def __init__(self, book: GenericBook, columns: Sequence[str]) -> None:
        self._book = book
        self._columns = [c for c in columns if c in book.columns()]
        self._frame: pd.DataFrame | None = None

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key != schema.POLICIES:
            raise KeyError(key)
        if self._frame is None:
            self._frame = self._book.records(self._columns)
        return self._frame

    def __iter__(self) -> Iterator[str]:
        return iter((schema.POLICIES,))

    def __len__(self) -> int:
        return 1


@dataclass(frozen=True)
class GenericEngineDataset(Dataset):
    """A generic Dataset whose survival analysis reads :attr:`book`'s counts (and, for the
    analyses that need records, :attr:`validated`'s policies rebuilt from counts)."""

    book: GenericBook | None = field(default=None, compare=False)


# ---- finding and validating the table ----------------------------------------------------------

def _find(conn: Connection, wanted_cols: Sequence[str], table: TableRef | None = None
          ) -> tuple[TableRef, dict[str, ColumnType], list[str]]:
    """The table holding every one of ``wanted_cols`` (matched as the file path matches
    headers) and their source headers; ``table`` (``--table policies=SCHEMA.NAME``) is the
    only one looked at when given."""
    wanted = [normalise_header(c) for c in wanted_cols]
    seen = []
    for ref in ([table] if table is not None else conn.tables()):
        if ref.name == "rejected":
            continue
        kinds = conn.columns(ref)
        seen.append(f"{ref.display}: {', '.join(list(kinds)[:12])}")
        norm = {normalise_header(h): h for h in kinds}
        if all(w in norm for w in wanted):
            return ref, kinds, [norm[w] for w in wanted]
    names = " and ".join(repr(c) for c in wanted_cols)
    raise DataError(f"no table holds {names} ({'; '.join(seen) or 'no tables'})")


def _fetcher(conn: Connection, t: ir.Table, column: str
             ) -> Callable[..., list[Any] | None]:
    """The ``fetch`` of ``t.column`` the rules take (:func:`.book.distinct_values`)."""
    return functools.partial(distinct_values, conn, t, column)


def _ordered_source(conn: Connection, url: EngineURL, ref: TableRef,
                    kinds: Mapping[str, ColumnType]) -> str | None:
    """A temporary view of ``ref`` with its row order as ``_md_ord`` (smaller = earlier), or
    None when the engine keeps no row order for it (module doc). Only a private temporary view
    is created (DuckDB allows it on a read-only database; nothing is written to the source)."""
    con = getattr(conn, "con", None)
    if conn.engine != "duckdb" or con is None or ORDINAL in kinds:
        return None
    view = "_md_generic_ordered"
    if url.kind == "parquet":
        from memberdesk.core.engine.connection import _parquet_views

        files = _parquet_views(url.paths).get(ref.name)
        if not files or {"filename", "file_row_number"} & set(kinds):
            return None
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT * EXCLUDE (filename, '
                    f'file_row_number), (CAST(list_position([{listing}], filename) AS BIGINT) '
                    f'<< 40) + file_row_number AS "{ORDINAL}" FROM read_parquet([{listing}], '
                    'union_by_name=true, filename=true, file_row_number=true)')
        return view
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                       "AND table_schema = ? AND table_catalog = current_database()",
                       [ref.name, ref.database or "main"]).fetchone()
    if kind is None or kind[0] != "BASE TABLE" or "rowid" in {k.lower() for k in kinds}:
        return None
    name = ".".join('"' + p.replace('"', '""') + '"' for p in (ref.database or "main", ref.name))
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT *, rowid AS "{ORDINAL}" '
                f"FROM {name}")
    return view


def _id_flags(conn: Connection, url: EngineURL, ref: TableRef, kinds: dict[str, ColumnType],
              pid: str, source: ir.Table) -> tuple[ir.Table, list[tuple[str, ir.BooleanValue]]]:
    """(source, [(missing_id flag), (duplicate_id flag)]) for the id column ``pid``; the
    source becomes the ordered view when ids repeat (module doc)."""
    spec = schema.TABLE_SPECS[schema.POLICIES].column("policy_id")
    ids, _, _ = rules._column(source[pid], kinds[pid], spec, schema.POLICIES,
                              _fetcher(conn, source, pid))
    flags: list[tuple[str, ir.BooleanValue]] = [(schema.REASON_MISSING_ID, ids.isnull())]
    if pid in conn.unique_columns(ref):
        return source, flags
    probe = source.select(_id=ids)
    row = conn.arrow(str(ibis.to_sql(probe.aggregate(n=probe["_id"].count(),
                                                      d=probe["_id"].nunique()),
                                     dialect=conn.dialect))).to_pylist()[0]
    if int(row["n"]) == int(row["d"]):
        return source, flags
    view = _ordered_source(conn, url, ref, kinds)
    if view is None:
        raise GenericUnsupported(
            f"ids repeat in {ref.display} ({int(row['n']) - int(row['d']):,} repeated ids in "
            f"{pid!r}): the file path keeps the first row of each id in the file's row order, "
            f"and this table has no row order in the {conn.engine} engine (only DuckDB tables "
            "and Parquet files keep one); remove the repeats or export the table to "
            "CSV/Parquet")
    ordered = ibis.table(ibis.schema({**kinds, ORDINAL: "int64"}), name=view)
    ids, _, _ = rules._column(ordered[pid], kinds[pid], spec, schema.POLICIES,
                              _fetcher(conn, ordered, pid))
    later = ids.notnull() & (ibis.row_number().over(group_by=ids, order_by=ordered[ORDINAL]) > 0)
    return ordered, [(schema.REASON_MISSING_ID, ids.isnull()),
                     (schema.REASON_DUPLICATE_ID, later)]


def _reason_code(flags: Sequence[tuple[str, ir.BooleanValue]]) -> ir.IntegerValue:
    return ibis.cases(*((f, ibis.literal(rules.REASON_ORDER.index(r), type="int16")) for r, f in flags),
                      else_=ibis.literal(-1, type="int16"))


def _clean(raw: ir.Value, kind: ColumnType) -> ir.Value:
    """An extra column as the file path reads it: text trimmed with null tokens missing."""
    return rules._clean_text(raw, kind) if kind == "string" else raw


def open_generic(data: Sequence[str] | str, duration_col: str, event_col: str, by: str | None,
                 *, columns: Sequence[str] = (), table: TableRef | None = None,
                 password: str | None = None, today: dt.date | None = None
                 ) -> GenericEngineDataset:
    """Validate the generic table of ``data`` in its engine (see module doc) and count it.

    Returns a generic Dataset whose ``book`` (a :class:`GenericBook`) answers counts by any
    of its columns (durations in the table's own unit, as the file path's
    ``duration_days``), whose report holds the rows read and rejected by reason, and whose
    ``validated`` policies are the accepted records of ``by`` and ``columns``, rebuilt from
    counts on first use. ``table``: the table to read (``--table policies=SCHEMA.NAME``;
    None = the first holding both columns).

    Raises
    ------
    GenericUnsupported
        Ids repeat and the engine keeps no row order (see module doc).
    DataError
        No table holds both columns, ``by`` is not a column of it, or every row is rejected.
    """
    url = parse(data)
    conn = connect(url, password=password)
    try:
        return _open(conn, url, duration_col, event_col, by, list(columns), table,
                     today or dt.date.today())
    except BaseException:
        conn.close()
        raise


def _open(conn: Connection, url: EngineURL, duration_col: str, event_col: str, by: str | None,
          columns: list[str], table_ref: TableRef | None, today: dt.date) -> GenericEngineDataset:
    display = url.display
    ref, kinds, (dur_src, ev_src) = _find(conn, (duration_col, event_col), table_ref)
    pid = auto_map(list(kinds), schema.POLICIES).source_of("policy_id")
    if pid in (dur_src, ev_src):
        pid = None
    for col in (by, *columns):
        if col is not None and col not in kinds:
            raise DataError(f"{col!r} is not a column of {ref.display} "
                            f"(columns: {', '.join(kinds)})", column=col)
    source = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
    spec = schema.TABLE_SPECS[schema.POLICIES]
    # the file path's flag order: ids, parse (duration, event), generic rules, non-negative
    flags: list[tuple[str, ir.BooleanValue]] = []
    if pid is not None:
        source, flags = _id_flags(conn, url, ref, kinds, pid, source)
    dur, dur_bad, dur_reason = rules._column(source[dur_src], kinds[dur_src],
                                             spec.column("duration"), schema.POLICIES,
                                             _fetcher(conn, source, dur_src))
    ev, ev_bad, ev_reason = rules._column(source[ev_src], kinds[ev_src], spec.column("event"),
                                          schema.POLICIES, _fetcher(conn, source, ev_src))
    dur = dur.cast("float64")
    missing_dur = dur.isnull() | dur.isnan().fill_null(False)
    if dur_bad is not None:
        flags.append((dur_reason, dur_bad.fill_null(False)))
    if ev_bad is not None:
        flags.append((ev_reason, ev_bad.fill_null(False)))
    flags += [(schema.REASON_MISSING_DATE, missing_dur),
              (schema.REASON_BAD_BOOL, ev.isnull()),
              (schema.REASON_NEGATIVE_AMOUNT, (dur < 0).fill_null(False))]
    reason = _reason_code(flags)
    ok = reason == -1
    cols: dict[str, ir.Value] = {
        REASON: reason,
        "duration_days": ok.ifelse(dur, ibis.null("float64")),
        # boolean -> 1/0 by a CASE: PostgreSQL has no cast from boolean to smallint
        "event": ok.ifelse(ev.cast("boolean").ifelse(ibis.literal(1, type="int8"),
                                                     ibis.literal(0, type="int8")),
                           ibis.null("int8")),
    }
    extras = [h for h in kinds if h not in (dur_src, ev_src, "duration_days", "event", REASON)]
    for h in extras:
        cleaned = _clean(source[h], kinds[h])
        cols[h] = ok.ifelse(cleaned, ibis.null(cleaned.type()))
    table = source.select(**cols)
    text = frozenset(h for h in extras if kinds[h] == "string")
    book = GenericBook(conn, table, text, f"{display} {ref.display}")
    # one query: rows by reason, and the accepted counts by ``by`` (what km asks next)
    keys = [REASON, *([by] if by is not None else []), "duration_days", "event"]
    frame = book._run(table.group_by(keys).aggregate(**{COUNT_COLUMN: table.count()}))
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    report = _report(frame, f"{display} {ref.display}")
    if report.tables[0].accepted == 0:
        reasons = report.tables[0].reasons
        raise DataError(f"every row of {ref.display} was rejected "
                        f"({', '.join(f'{k}: {v:,}' for k, v in reasons.items()) or 'no rows'})",
                        file=display)
    by_cols = [by] if by is not None else []
    accepted = frame[frame[REASON] == -1].drop(columns=[REASON]).reset_index(drop=True)
    book._cache[("cells", *by_cols)] = book._typed(accepted, by_cols)
    wanted = list(dict.fromkeys(c for c in (by, *columns) if c is not None))
    return GenericEngineDataset(validated=_LazyRecords(book, wanted),
                                as_of=pd.Timestamp(today).normalize(), report=report,
                                generic=True, sources=(display,), book=book)


def _objects(values: pd.Series) -> pd.Series:
    """A text column as Python objects with None for missing (as the file path's)."""
    out = values.astype(object)
    out[values.isna().to_numpy()] = None
    return out


def _report(frame: pd.DataFrame, where: str) -> ValidationReport:
    """The validation report of counts by ``_reason`` (rows read, rejected by reason)."""
    rejected = frame[frame[REASON] != -1]
    reasons: dict[str, int] = {}
    sums = rejected.groupby(REASON)[COUNT_COLUMN].sum().sort_index()
    for code, n in zip(sums.index.to_numpy(dtype=np.int64), sums.to_numpy(dtype=np.int64)):
        reasons[rules.REASON_ORDER[int(code)]] = int(n)
    read = int(frame[COUNT_COLUMN].sum())
    report = ValidationReport()
    table = TableReport(schema.POLICIES, files=[where], read=read, reasons=reasons)
    table.rejected = sum(reasons.values())
    table.accepted = read - table.rejected
    report.tables.append(table)
    return report


# ---- competing decrements ----------------------------------------------------------------------

DECREMENT_REASONS = ("duration_invalid", "cause_invalid", "cause_unlabelled")
_FILE_NULLS = ("", "NA", "N/A", "NaN", "null", "NULL", "None", "-", "#N/A")  # decrements' own


@dataclass(frozen=True)
class DecrementRecords:
    """The accepted records of a generic decrements table (``duration``, ``code`` as int64,
    and the other requested columns) and the rejected rows counted by reason."""

    frame: pd.DataFrame
    rejected: dict[str, int]
    where: str


def _numbers(conn: Connection, t: ir.Table, column: str, kind: ColumnType,
             what: str) -> ir.FloatingValue:
    """The column as the file path's decrements reads it: ``pd.to_numeric(errors="coerce")``
    of the text, its missing-value words missing (applied to the distinct values)."""
    if kind in ("int64", "float64"):
        return t[column].cast("float64")
    if kind == "boolean":
        return t[column].cast("int8").cast("float64")
    values = _fetcher(conn, t, column)()
    if values is None:
        raise GenericUnsupported(
            f"{what} {column!r} holds more than {rules.DISTINCT_LIMIT:,} distinct texts: store "
            "it as numbers in the engine (texts are parsed as the file path does through their "
            "distinct values)")
    texts = [str(v) for v in values if v is not None]
    words: dict[Any, Any] = {k: None for k in _FILE_NULLS}
    series: Any = pd.Series(texts, dtype=object).replace(words)
    parsed = np.asarray(pd.to_numeric(series, errors="coerce"), dtype=float)
    good = {v: float(p) for v, p in zip(texts, parsed) if np.isfinite(p)}
    raw = t[column].cast("string")
    if not good:
        return ibis.null("float64")
    return raw.cases(*((k, ibis.literal(v, type="float64")) for k, v in good.items()),
                     else_=ibis.null("float64"))


def decrement_records(data: Sequence[str] | str, duration_col: str, cause_col: str,
                      labels: Mapping[int, str], columns: Sequence[str], *,
                      table: TableRef | None = None, password: str | None = None
                      ) -> DecrementRecords:
    """The generic decrements table of ``data`` validated in its engine with the file path's
    rules: a duration that is missing, not a number or negative (``duration_invalid``), a cause
    code that is missing, not a whole number or negative (``cause_invalid``), or has no label
    when labels are given (``cause_unlabelled``), the first of these per row. The accepted rows
    come back as counts by duration, code and ``columns`` (e.g. ``--by``, ``--entry``), the
    client repeating each group ``n`` times (records, as :meth:`GenericBook.records`).
    Missing-value words and non-numbers are parsed over the distinct values by the file path's
    own ``pd.to_numeric``; a text column of more than 20,000 distinct values is refused
    (:class:`GenericUnsupported`)."""
    url = parse(data)
    conn = connect(url, password=password)
    try:
        ref, kinds, found = _find(conn, (duration_col, cause_col, *columns), table)
        dur_src, code_src, *extra_src = found
        t = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
        d = _numbers(conn, t, dur_src, kinds[dur_src], "--duration")
        c = _numbers(conn, t, code_src, kinds[code_src], "--cause-col")
        whole = c.notnull() & ~c.isnan().fill_null(True) & ~c.isinf().fill_null(True) \
            & (c == c.round())
        finite_d = d.notnull() & ~d.isnan().fill_null(True) & ~d.isinf().fill_null(True)
        known = c.isin([float(k) for k in labels]) if labels else ibis.literal(True)
        reason = ibis.cases(
            (~finite_d | (d < 0).fill_null(False), ibis.literal(0, type="int8")),
            (~whole | (c < 0).fill_null(False), ibis.literal(1, type="int8")),
            ((c > 0).fill_null(False) & ~known, ibis.literal(2, type="int8")),
            else_=ibis.literal(-1, type="int8"))
        ok = reason == -1
        cols: dict[str, ir.Value] = {REASON: reason,
                                     "duration": ok.ifelse(d, ibis.null("float64")),
                                     "code": ok.ifelse(c.cast("int64"), ibis.null("int64"))}
        for name, src in zip(columns, extra_src):
            cleaned = _clean(t[src], kinds[src])
            cols[name] = ok.ifelse(cleaned, ibis.null(cleaned.type()))
        v = t.select(**cols)
        keys = [REASON, "duration", "code", *columns]
        expr = v.group_by(keys).aggregate(**{COUNT_COLUMN: v.count()})
        frame = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect))).to_pandas()
    finally:
        conn.close()
    bad = frame[frame[REASON] != -1]
    rejected = {DECREMENT_REASONS[int(k)]: int(n)
                for k, n in bad.groupby(REASON)[COUNT_COLUMN].sum().sort_index().items()}
    good = frame[frame[REASON] == -1].reset_index(drop=True)
    idx = np.repeat(np.arange(len(good)), good[COUNT_COLUMN].to_numpy(dtype=np.int64))
    out: dict[str, Any] = {"duration": good["duration"].to_numpy(dtype=float)[idx],
                           "code": good["code"].to_numpy(dtype=np.int64)[idx]}
    for name in columns:
        out[name] = good[name].to_numpy()[idx]
    return DecrementRecords(pd.DataFrame(out), rejected, f"{url.display} {ref.display}")


