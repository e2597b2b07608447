"""EngineBook: a policy book kept in DuckDB, PostgreSQL or Spark, analysed with GROUP BY.

Opening a book (:func:`open_book`) finds the canonical tables by name and headers, as files
are (``--table policies=SCHEMA.NAME`` maps them explicitly), types and validates every row
*in the engine* (:mod:`.rules`), and asks for the validation counts by table and reason plus
a bounded sample of rejected rows (:data:`REJECTED_SAMPLE`): rows never travel wholesale.

Analyses then ask aggregate questions (:class:`memberdesk.core.book.Book`). An analysis that
has no aggregate route yet reads the accepted rows of the tables it uses
(:meth:`EngineBook.frame`, the documented fallback: see docs/engines.md).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from memberdesk.core import normalize, schema, validation
from memberdesk.core.book import COUNT_COLUMN, CellAnswer, _check_columns
from memberdesk.core.dataset import (
    AGE_BANDS,
    PREMIUM_BANDS,
    SEGMENT_SKIP,
    Dataset,
    Filters,
    in_policies_order,
)
from memberdesk.core.engine import rules
from memberdesk.core.engine.connection import ColumnType, Connection, TableRef, connect
from memberdesk.core.engine.urls import EngineURL, parse
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.mapping import ColumnMapping, auto_map, guess_table, header_signature
from memberdesk.core.progress import Progress, check_cancelled, ensure, interruptible
from memberdesk.core.reasons import Note, Reason, note_from_record
from memberdesk.core.validation_report import (
    REJECTED_COLUMNS,
    RejectionMeaning,
    TableReport,
    ValidationReport,
)

REJECTED_SAMPLE = 1000
# The metadata table `memberdesk import` writes beside the book's tables (see
# :func:`book_metadata`): one row per table with its validation counts; a book whose metadata
# matches is opened without the validation scan (docs/engines.md, "Trusted books").
BOOK_TABLE = "memberdesk_book"
BOOK_FORMAT = 1
REJECTED_TABLE = "rejected"
_REASONS = rules.REASON_ORDER  # the file path's reason codes, in its order
_ORDER = (schema.MEMBERS, schema.POLICIES, schema.CLAIMS, schema.BENEFIT_USAGE,
          schema.SERVICE_CONTACTS, schema.PREMIUM_PAYMENTS)
_BAND_ORDER = {"premium_band": [b[2] for b in PREMIUM_BANDS], "age_band": [b[2] for b in AGE_BANDS]}


def parse_table_options(items: Sequence[str]) -> dict[str, TableRef]:
    """``--table NAME=SCHEMA.TABLE`` options -> canonical table -> TableRef. A part may be
    double-quoted to hold dots or quotes (``policies="my.schema"."t""1"``)."""
    out: dict[str, TableRef] = {}
    for item in items:
        name, sep, target = item.partition("=")
        name = name.strip()
        if not sep or name not in schema.TABLE_SPECS or not target.strip():
            raise DataError(f"--table {item!r}: expected NAME=[SCHEMA.]TABLE with NAME one of "
                            f"{', '.join(schema.TABLES)}")
        parts = _split_identifier(target.strip())
        out[name] = TableRef(parts[-1], ".".join(parts[:-1]) or None)
    return out


def _split_identifier(text: str) -> list[str]:
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            j, buf = i + 1, []
            while j < len(text):
                if text[j] == '"' and text[j + 1:j + 2] == '"':
                    buf.append('"')
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    buf.append(text[j])
                    j += 1
            parts.append("".join(buf))
            i = j + 2  # past the quote and the dot
        else:
            j = text.find(".", i)
            j = len(text) if j < 0 else j
            parts.append(text[i:j])
            i = j + 1
    return parts


@dataclass
class _Table:
    ref: TableRef
    kinds: dict[str, ColumnType]
    mapping: ColumnMapping
    canonical: rules.Canonical


class EngineBook:
    """The tables of one engine location, typed and validated by expressions (see module doc)."""

    def __init__(self, conn: Connection, url: EngineURL, tables: dict[str, _Table],
                 report: ValidationReport, latest: dt.date | None) -> None:
        self.conn = conn
        self.url = url
        self.engine = conn.engine
        self.tables = tables
        self.report = report
        self.latest = latest
        self._frames: dict[str, pd.DataFrame] = {}
        self.segment_cache: dict[int, list[str]] = {}  # EngineDataset.segment_columns
        # each table's validation counts (read, reasons, latest accepted date; see _counts)
        self.counts: dict[str, dict[str, Any]] = {}
        # True when the counts and the rejected sample were read from the metadata of a book
        # written by `memberdesk import` (no validation scan; see _trusted_metadata): its
        # tables hold accepted rows only and their ids are unique
        self.trusted = False
        self.today = dt.date.today()  # the day the future-date rule is checked against
        # one query at a time: pages compute on several worker threads, and a connection
        # (DuckDB's above all) is not to be used by two threads at once; cancel() needs no lock
        self._lock = threading.RLock()

    # ---- running expressions ---------------------------------------------------------------

    def sql(self, expr: ir.Expr) -> str:
        return str(ibis.to_sql(expr, dialect=self.conn.dialect))

    def run(self, expr: ir.Expr) -> pa.Table:
        sql = self.sql(expr)
        # the task's Cancel interrupts this query (registered once it runs: while waiting for
        # the lock, it would interrupt another task's query)
        with self._lock, interruptible(self.conn.cancel):
            return self.conn.arrow(sql)

    def cancel(self) -> None:
        """Stop the running query (DuckDB interrupt, PostgreSQL cancel, Spark job group)."""
        self.conn.cancel()

    def close(self) -> None:
        self.conn.close()

    # ---- analysis views ----------------------------------------------------------------------

    def accepted(self, table: str) -> ir.Table | None:
        t = self.tables.get(table)
        return None if t is None else t.canonical.accepted

    def policies(self, ds: Dataset) -> ir.Table:
        p = self.accepted(schema.POLICIES)
        if p is None:
            raise AnalysisError(Reason("no_policies"))
        return rules.policy_view(p, self.accepted(schema.MEMBERS), as_of=ds.as_of.date(),
                                 event_statuses=ds.event_statuses, filters=ds.filters)

    def survival_counts(self, ds: Dataset, by: str | None) -> pd.DataFrame:
        return self.cells(ds, () if by is None else (by,))

    def cells(self, ds: Dataset, columns: Sequence[str]) -> pd.DataFrame:
        from memberdesk.core.engine import aggregates  # the view without an unused members join

        view = aggregates.policy_view(self, ds, columns)
        _check_columns(view.columns, columns)
        keys = [*columns, "duration_days", "event"]
        counts = view.group_by(keys).aggregate(**{COUNT_COLUMN: view.count()})
        frame = self.run(counts).to_pandas()
        if len(frame) == 0:
            raise AnalysisError(Reason("no_policies"))
        frame["duration_days"] = frame["duration_days"].astype(float)
        frame["event"] = frame["event"].astype(np.int8)
        frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
        for col in columns:
            if col in _BAND_ORDER:
                frame[col] = pd.Categorical(frame[col], categories=_BAND_ORDER[col], ordered=True)
        return pd.DataFrame(frame)

    def covariate_cells(self, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer:
        from memberdesk.core.engine import aggregates  # the pushed-down aggregate queries

        return aggregates.covariate_cells(self, ds, columns, limit)

    def count_by(self, ds: Dataset, table: str, columns: Sequence[str]) -> pd.DataFrame:
        t = self.policies(ds) if table == schema.POLICIES else self.accepted(table)
        if t is None:
            return pd.DataFrame(columns=[*columns, COUNT_COLUMN])
        if table != schema.POLICIES:
            t = rules.in_window(table, t, ds.as_of.date())
        _check_columns(t.columns, columns)
        expr = t.group_by(list(columns)).aggregate(**{COUNT_COLUMN: t.count()}) if columns \
            else t.aggregate(**{COUNT_COLUMN: t.count()})
        return pd.DataFrame(self.run(expr).to_pandas())

    def distinct(self, ds: Dataset, table: str, column: str, limit: int = 1000) -> list[object]:
        t = self.policies(ds) if table == schema.POLICIES else self.accepted(table)
        if t is None or column not in t.columns:
            return []
        expr = t.select(column).filter(t[column].notnull()).distinct().limit(limit)
        return list(self.run(expr).column(0).to_pylist())

    def level_count(self, ds: Dataset, column: str, rows: int | None = None) -> tuple[int, bool]:
        """The number of distinct non-null values of a policy-view ``column`` and whether a
        policy has none (``COUNT(DISTINCT)``; for refusing a segment of too many levels before
        its counts are fetched). ``rows``: among the first that many policies only (a cheap
        look: a few milliseconds where the whole view is a scan)."""
        t = self.policies(ds)
        _check_columns(t.columns, [column])
        t = t if rows is None else t.limit(rows)
        expr = t.aggregate(n=t[column].nunique(), nulls=t.count(where=t[column].isnull()))
        row = self.run(expr).to_pylist()[0]
        return int(row["n"]), bool(row["nulls"])

    def sample(self, ds: Dataset, table: str, n: int, seed: int = 0) -> pd.DataFrame:
        """At most ``n`` accepted rows (the first ``n`` in the engine's order; engines have no
        portable seeded sampling, so ``seed`` is unused and the caller reports the size)."""
        t = self.accepted(table)
        return pd.DataFrame() if t is None else self.run(t.limit(n)).to_pandas()

    def row_counts(self) -> dict[str, int]:
        return {t.table: t.accepted for t in self.report.tables}

    # ---- the fallback: accepted rows as pandas -------------------------------------------------

    def frame(self, table: str) -> pd.DataFrame:
        """The accepted rows of ``table`` as the file path's validated frame (dates as
        ``datetime64[ns]``, texts as objects, yes/no as nullable booleans)."""
        with self._lock:
            return self._frame(table)

    def _frame(self, table: str) -> pd.DataFrame:
        if table not in self._frames:
            t = self.accepted(table)
            if t is None:
                raise KeyError(table)
            frame = self.run(t).to_pandas(date_as_object=False)
            spec = schema.TABLE_SPECS[table]
            for c in spec.columns:
                if c.name not in frame.columns:
                    continue
                if c.kind == "date":
                    frame[c.name] = pd.to_datetime(frame[c.name]).astype("datetime64[ns]")
                elif c.kind == "bool":
                    frame[c.name] = frame[c.name].astype("boolean")
                elif c.kind == "number":
                    frame[c.name] = frame[c.name].astype(float)
            self._frames[table] = frame
        return self._frames[table]


class _LazyTables(Mapping[str, pd.DataFrame]):
    """``Dataset.validated`` of an engine book: a table's rows are read on first use only."""

    def __init__(self, book: EngineBook) -> None:
        self._book = book

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._book.tables:
            raise KeyError(key)
        return self._book.frame(key)

    def __iter__(self) -> Iterator[str]:
        return iter([t for t in _ORDER if t in self._book.tables])

    def __len__(self) -> int:
        return len(self._book.tables)


@dataclass(frozen=True)
class EngineDataset(Dataset):
    """A :class:`Dataset` whose tables live in an engine. Aggregate-aware analyses ask
    ``book``; the others read ``validated`` (the fallback, rows read on first use)."""

    book: EngineBook | None = field(default=None, compare=False)

    def with_as_of(self, as_of: pd.Timestamp | str | None) -> Dataset:
        if as_of is None and self.book is not None:
            latest = self.book.latest
            return replace(self, as_of=self.as_of if latest is None else pd.Timestamp(latest))
        return super().with_as_of(as_of)

    def summary(self) -> str:
        counts = {} if self.book is None else self.book.row_counts()
        parts = [f"{name} {n:,}" for name, n in counts.items()]
        engine = "" if self.book is None else f"{self.book.engine}: "
        return f"{engine}{' · '.join(parts)} · as of {self.as_of.date().isoformat()}"

    # What the desktop asks of a dataset before any analysis (pages' controls, the filter bar,
    # the Data page) is answered from the validation's counts and the view's schema, or by one
    # query: reading every accepted row for it froze the window on a big book.

    def has(self, table: str) -> bool:
        return self.book is not None and self.book.row_counts().get(table, 0) > 0

    def latest(self) -> pd.Timestamp | None:
        latest = None if self.book is None else self.book.latest
        return None if latest is None else pd.Timestamp(str(latest))

    def policy_columns(self) -> list[str]:
        if self.book is None or not self.has(schema.POLICIES):
            return []
        return in_policies_order([str(c) for c in self.book.policies(self).columns])

    def segment_columns(self, max_levels: int = 30) -> list[str]:
        """:meth:`Dataset.segment_columns` by one query in the engine: the view's columns that
        are neither dates nor fractional numbers, with 2..``max_levels`` distinct values among
        the whole book's policies (computed once per book, at the first as-of date asked; the
        loading worker asks first), less the columns the filters fix to one value (a filter
        on one channel leaves one level: no segment). Not re-counted per filter otherwise: the
        window asks on every filter change, and a count over a big book would freeze it."""
        if self.book is None or not self.has(schema.POLICIES):
            return []
        key = max_levels
        cache = self.book.segment_cache
        if key not in cache:
            view = self.book.policies(replace(self, filters=Filters()))
            names = [c for c in view.columns if c not in SEGMENT_SKIP
                     and not view[c].type().is_temporal() and not view[c].type().is_floating()]
            counts = {} if not names else self.book.run(view.aggregate(
                **{f"c{i}": view[c].nunique() for i, c in enumerate(names)})).to_pylist()[0]
            cache[key] = in_policies_order([c for i, c in enumerate(names)
                                            if 2 <= int(counts[f"c{i}"]) <= max_levels])
        fixed = {c for c in Filters.VALUE_FIELDS if len(getattr(self.filters, c)) == 1}
        return [c for c in cache[key] if c not in fixed]


# ---- opening ---------------------------------------------------------------------------------

def open_book(data: Sequence[str] | str, *, tables: Mapping[str, TableRef] | None = None,
              as_of: pd.Timestamp | None = None, today: dt.date | None = None,
              password: str | None = None, progress: Progress | None = None,
              on_connect: Callable[[Connection], None] | None = None,
              mappings: Mapping[str, ColumnMapping] | None = None) -> EngineDataset:
    """Connect to ``data`` (see :mod:`.urls`), find, type and validate the tables in the engine,
    and return the Dataset view of the book (its ``book`` attribute is the :class:`EngineBook`).

    ``mappings``: the user's column mappings, keyed as the file path's are (the header
    signature of the table's columns, or the table's name as displayed or bare): a source table
    with one is that canonical table with those columns (before any guess by headers); the
    others are mapped automatically (synonyms), as files are.

    ``on_connect(connection)`` is called once connected, before the first query: a caller
    on another thread may then call ``connection.cancel()`` to stop the running query.

    Raises
    ------
    DataError
        Connection failures, no policies table, unusable columns.
    Cancelled
        The query running was cancelled.
    """
    today = today or dt.date.today()
    prog = ensure(progress)
    url = parse(data)
    prog.status(f"Connecting to {url.display}")
    conn = connect(url, password=password)
    if on_connect is not None:  # e.g. a dialog keeping the connection to cancel its queries
        on_connect(conn)
    try:
        found = _find_tables(conn, dict(tables or {}), mappings)
        report = ValidationReport()
        stored, why = _trusted_metadata(conn, found, today)
        if why is not None:  # a book written by `memberdesk import` that no longer matches
            report.messages.append(Note(Reason("book_validation_not_used", why=why)))
        checked: dict[str, _Table] = {}
        counts: dict[str, dict[str, Any]] = {}
        references: dict[str, rules.KnownIds] = {}
        todo = [t for t in _ORDER if t in found]
        for i, name in enumerate(todo):
            check_cancelled(progress)
            prog.status(f"Checking {name}")
            ref, kinds, mapping = found[name]
            if stored is not None:
                table, counts[name] = _stored_table(conn, name, ref, kinds, mapping, today,
                                                    stored[name])
            else:
                table, counts[name] = _check_table(conn, name, ref, kinds, mapping, today,
                                                   references, referenced=i + 1 < len(todo))
            checked[name] = table
            report.messages += table.canonical.messages
            inferred, canon = counts[name].get("inferred"), table.canonical
            if stored is None and canon.inferred is not None \
                    and (inferred or canon.inferred_always):  # as the file path says
                report.messages.append(Note(Reason(canon.inferred_code, n=int(inferred or 0)),
                                            name))
            report.messages += [Note(r, name) for r in counts[name].get("placeholders", [])]
            for key, table_name in (("member_id", schema.MEMBERS), ("policy_id", schema.POLICIES)):
                if name == table_name:
                    references[key] = rules.KnownIds(
                        table.canonical.accepted, key, unique=bool(counts[name].get("unique_ids")),
                        numbered=counts[name].get("numbered"))
            prog.fraction((i + 1) / len(todo))
        book = EngineBook(conn, url, checked, report, None)
        book.today = today
        book.trusted = stored is not None
        if stored is not None:
            first = next(iter(stored.values()))
            report.messages += [_message_from_json(m) for m in first["messages"]]
            report.messages.append(Note(Reason("book_validation_read",
                                               imported_on=str(first["imported_on"]))))
        _count(book, counts, stored)
    except BaseException:
        conn.close()
        raise
    # as-of: the given date, else the latest accepted date, else today (no accepted date: every
    # policy rejected, say; the report still tells why), as the file path's load_dataset does
    latest = book.latest if book.latest is not None else today
    cut = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(str(latest))
    cut = cut.normalize()
    ds = EngineDataset(validated=_LazyTables(book), as_of=cut, report=report, generic=False,
                       sources=(url.display,), book=book)
    return ds


def user_mapping(mappings: Mapping[str, ColumnMapping] | None, ref: TableRef,
                 headers: list[str]) -> ColumnMapping | None:
    """The user's mapping of a source table (keyed by its displayed name, its bare name or the
    header signature of its columns, as files are by ``file [sheet]``, file or signature; a
    name, chosen for this table, wins over a signature remembered for any table with these
    columns), with its columns in the table's order; None without one. A mapping to the table
    ``""`` means "leave this table out" (the mapping editor's "Ignore this table")."""
    if not mappings:
        return None
    signature = header_signature(headers)
    for key in (ref.display, ref.name, signature):
        if key in mappings:
            m = mappings[key]
            return ColumnMapping(m.table, {h: m.columns.get(h) for h in headers}, signature)
    return None


def _find_tables(conn: Connection, explicit: dict[str, TableRef],
                 mappings: Mapping[str, ColumnMapping] | None = None, *,
                 need_policies: bool = True
                 ) -> dict[str, tuple[TableRef, dict[str, ColumnType], ColumnMapping]]:
    """Canonical table -> (source table, its column types, its mapping: the user's
    (:func:`user_mapping`), else the automatic one). Raises DataError without a policies
    table when ``need_policies``."""
    out: dict[str, tuple[TableRef, dict[str, ColumnType], ColumnMapping]] = {}
    for name, ref in explicit.items():
        kinds = conn.columns(ref)
        if not kinds:
            raise DataError(f"no table {ref.display!r} (or it has no columns) for {name}",
                            file=ref.display)
        user = user_mapping(mappings, ref, list(kinds))
        out[name] = (ref, kinds, auto_map(list(kinds), name) if user is None else
                     ColumnMapping(name, user.columns, user.signature))
    best: dict[str, float] = {}
    # --table narrows the search for the other tables to the schemas it names
    schemas = {r.database for r in explicit.values()}
    for ref in conn.tables():
        if ref in [r for r, _, _ in out.values()] or ref.name in (REJECTED_TABLE, BOOK_TABLE) \
                or (schemas and ref.database not in schemas):
            continue
        kinds = conn.columns(ref)
        user = user_mapping(mappings, ref, list(kinds))
        table, score = (user.table, float("inf")) if user is not None else \
            guess_table(list(kinds), ref.name)
        if not table or table in explicit or score <= best.get(table, 0.0):
            continue  # not recognised, or the user chose to leave it out (table "")
        best[table] = score
        out[table] = (ref, kinds, user or auto_map(list(kinds), table))
    if schema.POLICIES not in out and need_policies:
        listed = ", ".join(r.display for r in conn.tables()) or "no tables"
        taken = [f"{r.display} is mapped to {n}" for n, r in explicit.items()
                 if guess_table(list(out[n][1]), r.name)[0] == schema.POLICIES]
        raise DataError(f"no policies table found (tables: {listed}"
                        + (f"; {', '.join(taken)} by --table" if taken else "")
                        + "); name one with --table policies=SCHEMA.TABLE")
    return out


def distinct_values(conn: Connection, t: ir.Table, column: str,
                     derive: Callable[[ir.Value], ir.Value] | None = None) -> list[Any] | None:
    """The distinct values of ``t.column`` (with ``derive`` of each: (value, derived) pairs),
    None when there are more than :data:`rules.DISTINCT_LIMIT`: the ``fetch`` of
    :func:`rules.canonical` (also of the generic tables, :mod:`.generic`)."""
    expr = t.select(column).distinct().limit(rules.DISTINCT_LIMIT + 1)
    if derive is not None:  # (value, derived value) computed on the distinct values only
        expr = expr.select(expr[column], _derived=derive(expr[column]))
    result = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect)))
    if result.num_rows > rules.DISTINCT_LIMIT:
        return None
    values = result.column(0).to_pylist()
    return values if derive is None else list(zip(values, result.column(1).to_pylist()))


def _check_table(conn: Connection, name: str, ref: TableRef, kinds: dict[str, ColumnType],
                 mapping: ColumnMapping, today: dt.date, references: Mapping[str, rules.KnownIds],
                 *, referenced: bool = False) -> tuple[_Table, dict[str, Any]]:
    """Type and validate one table; returns it with its counts (:func:`_counts`), plus
    ``unique_ids`` (the accepted ids are distinct: the duplicate-id rule ran) and
    ``numbered`` (the :class:`rules.NumberedIds` shape every id has, proven by the scan; asked
    only when the table is ``referenced`` by a table checked after it and holds at least
    :data:`rules.BITMAP_LOOKUP_FROM` rows, for :class:`rules.KnownIds`)."""
    source = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
    dialect = conn.dialect

    fetched: dict[tuple[str, bool], list[Any] | None] = {}  # build() may run twice

    def fetch(t: ir.Table, column: str,
              derive: Callable[[ir.Value], ir.Value] | None = None) -> list[Any] | None:
        key = (column, derive is not None)
        if key not in fetched:
            fetched[key] = distinct_values(conn, t, column, derive)
        return fetched[key]

    spec = schema.TABLE_SPECS[name]
    mapped = set(mapping.mapped.values())
    if name == schema.POLICIES and "issue_date" not in mapped:
        raise DataError("the policies table has no issue_date column (生效日期); a generic "
                        "table of durations and events is read with --duration COL "
                        "--event-col COL (km, cox, projection; decrements: --cause-col)",
                        file=ref.display)
    if spec.id_column and spec.column(spec.id_column).required and spec.id_column not in mapped:
        raise DataError(f"the {name} table has no {spec.id_column} column", file=ref.display)

    def build(duplicates: bool, refs: Mapping[str, rules.KnownIds] = references,
              as_stored: frozenset[str] = frozenset()) -> rules.Canonical:
        return rules.canonical(name, source, kinds, mapping, fetch, today=today,
                               references=refs, duplicates=duplicates,
                               distinct_categories=dialect == "duckdb", as_stored=as_stored)

    # One scan counts the reasons and tells whether ids repeat; only then is the window that
    # keeps the first row of each id built, and the reasons counted again.
    canon = build(False)
    id_source = mapping.source_of(spec.id_column) if spec.id_column else None
    keyed = id_source is not None and kinds.get(id_source) == "string" \
        and id_source in conn.unique_columns(ref)
    bounds = None if keyed or id_source is None or not spec.column(spec.id_column or "").unique \
        else _id_bounds(conn, source, id_source, kinds[id_source])
    shapes = referenced and bounds is not None and _row_count(conn, source) >= rules.BITMAP_LOOKUP_FROM
    counts = _counts(conn, name, canon, check_ids=not keyed, bounds=bounds, shapes=shapes)
    numbered = counts.get("numbered")  # a property of the ids, repeated or not
    if counts.get("ids", 0) != counts.get("distinct_ids", 0):
        canon = build(True)
        counts = _counts(conn, name, canon, check_ids=False)
        counts["numbered"] = numbered
    # checked for duplicates (a key constraint holds the stored ids unique, not the trimmed ones)
    counts["unique_ids"] = bool(spec.id_column and spec.column(spec.id_column).unique and not keyed)
    # No row rejected (the usual warehouse table, or a book written by `memberdesk import`):
    # the analyses skip evaluating the rules row by row, and the typed table is built again
    # without the unknown-member/policy join and the duplicate window. Same rows, same
    # values: the join is a left join on distinct accepted ids (it never repeats or drops a
    # row and only feeds a flag that flagged nothing), the window found no repeated id; but
    # every analysis query on the book no longer builds a hash table of all member ids.
    # Its id columns whose every cell cleaning leaves as it is (no padding, no null token: the
    # usual warehouse table) are then read as stored, not trimmed row by row in every query.
    if not counts["reasons"]:
        canon = build(False, {}, frozenset(counts["unchanged_ids"]))
        canon.clean = True
    return _Table(ref, kinds, mapping, canon), counts


def _row_count(conn: Connection, source: ir.Table) -> int:
    """``COUNT(*)`` of a source table (DuckDB answers it from its metadata)."""
    sql = str(ibis.to_sql(source.aggregate(n=source.count()), dialect=conn.dialect))
    return int(conn.arrow(sql).to_pylist()[0]["n"])


def _counts(conn: Connection, name: str, canon: rules.Canonical, *, check_ids: bool,
            bounds: rules.NumberedIds | None = None, shapes: bool = False) -> dict[str, Any]:
    """Rows, rows per reason, the latest accepted date and (``check_ids``) the number of ids
    and of distinct ids: one aggregate query, no GROUP BY. With ``bounds`` (DuckDB, from
    :func:`_id_bounds`) the same scan tries to prove the ids distinct by a bitmap; only when
    it cannot is ``COUNT(DISTINCT id)`` run (:func:`_distinct_ids`). With ``shapes`` too, the
    scan counts the ids of the shape of ``bounds`` (a regular expression per id); ``numbered``
    is ``bounds`` when every (non-null) id has it, else None. ``unchanged_ids``: the id columns
    cleaned row by row whose every cell cleaning leaves as stored."""
    c = canon.table
    spec = schema.TABLE_SPECS[name]
    aggs: dict[str, ir.Value] = {"read": c.count()}
    for i in canon.reasons:  # only the reasons some rule can give (the others are 0)
        aggs[f"r{i}"] = c.count(where=c["_reason"] == i)
    dates = [col.name for col in spec.columns if col.kind == "date" and col.name in c.columns
             and col.name != "birth_date"]
    for i, d in enumerate(dates):
        aggs[f"max{i}"] = c[d].max(where=c["_ok"])
    # accepted dates on or before the placeholder limit (validation.placeholder_dates)
    limit = dt.date.fromisoformat(schema.PLACEHOLDER_DATE_LIMIT)
    early_dates = [col.name for col in spec.columns if col.kind == "date" and col.name in c.columns]
    for i, d in enumerate(early_dates):
        early = c["_ok"] & (c[d] <= limit)
        aggs[f"early{i}"] = c.count(where=early)
        aggs[f"earliest{i}"] = c[d].min(where=early)
    if canon.inferred is not None:
        aggs["inferred"] = c.count(where=c["_inferred"])
    ids_cleaned = list(canon.cleaned_ids.items())
    for i, (col, original) in enumerate(ids_cleaned):  # cells that cleaning changes
        aggs[f"changed{i}"] = c.count(where=~c[col].identical_to(c[original]))
    id_col = spec.id_column
    check_ids = bool(check_ids and id_col and spec.column(id_col).unique and id_col in c.columns)
    bitmap = check_ids and conn.dialect == "duckdb"
    if check_ids and id_col is not None:
        aggs["ids"] = c[id_col].count()
        if bitmap and bounds is not None:
            v = bounds.loose_number(c[id_col])
            inside = v.between(bounds.lo, bounds.hi)
            aggs["bitmap_n"] = v.count(where=inside)
            aggs["bitmap_bits"] = rules.bit_count(rules.bitstring_agg(v, bounds.lo, bounds.hi,
                                                                      where=inside))
            if shapes:
                aggs["shaped"] = bounds.number(c[id_col]).count()
        elif not bitmap:
            aggs["distinct_ids"] = c[id_col].nunique()
    row = conn.arrow(str(ibis.to_sql(c.aggregate(**aggs), dialect=conn.dialect))).to_pylist()[0]
    reasons = {r: int(row[f"r{i}"]) for i, r in enumerate(_REASONS) if row.get(f"r{i}")}
    latest = [row[f"max{i}"] for i in range(len(dates)) if row[f"max{i}"] is not None]
    latest = [_as_date(v) for v in latest]
    distinct = row.get("distinct_ids")
    if bitmap and id_col is not None:
        distinct = _distinct_ids(conn, c, id_col, row)
    numbered = bounds if row.get("ids") and row.get("shaped") == row["ids"] else None
    unchanged = [col for i, (col, _) in enumerate(ids_cleaned) if row[f"changed{i}"] == 0]
    placeholders = [validation.placeholder_reason(d, int(row[f"early{i}"]),
                                                  _as_date(row[f"earliest{i}"]))
                    for i, d in enumerate(early_dates) if row[f"early{i}"]]
    return {"read": int(row["read"]), "reasons": reasons, "latest": max(latest) if latest else None,
            "ids": row.get("ids"), "distinct_ids": distinct, "numbered": numbered,
            "unchanged_ids": unchanged, "inferred": row.get("inferred"),
            "placeholders": placeholders}


_BITMAP_MAX = 1 << 28  # bits (32 MB) of the id bitmap


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    """A date the engine returned (a timestamp column gives a datetime) as a date."""
    return value.date() if isinstance(value, dt.datetime) else value


def _id_bounds(conn: Connection, source: ir.Table, column: str, kind: ColumnType
               ) -> rules.NumberedIds | None:
    """The shape (prefix, digit count) and range of the numbers for the bitmap check of a
    text id column (DuckDB): the ids' shared prefix and the range of the numbers after it,
    guessed from the smallest and the largest stored id (a Parquet file answers from its
    footer statistics; a table scans the column once). None when the ids do not look like
    prefix + number or the range is too wide. The guess need not be right: the check only
    proves, never assumes (see _distinct_ids)."""
    if conn.dialect != "duckdb" or kind != "string":
        return None
    expr = source.aggregate(lo=source[column].min(), hi=source[column].max())
    row = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect))).to_pylist()[0]
    lo_text, hi_text = row["lo"], row["hi"]
    if not isinstance(lo_text, str) or not isinstance(hi_text, str) or len(lo_text) != len(hi_text):
        return None
    p = 0
    while p < len(lo_text) and lo_text[p] == hi_text[p]:
        p += 1
    lo_rest, hi_rest = lo_text[p:], hi_text[p:]
    if not (lo_rest.isascii() and lo_rest.isdigit() and hi_rest.isascii() and hi_rest.isdigit()) \
            or len(hi_rest) > 18:
        return None
    lo, hi = int(lo_rest), int(hi_rest)
    return rules.NumberedIds(lo_text[:p], len(lo_rest), lo, hi) if 0 < hi - lo + 1 <= _BITMAP_MAX \
        else None


def _distinct_ids(conn: Connection, c: ir.Table, id_col: str, row: Mapping[str, Any]) -> int:
    """The number of distinct (non-null) ids, exact.

    The validation scan tried the bitmap proof (:func:`_id_bounds`): with ``f(id)`` = the
    number after the prefix (:meth:`rules.NumberedIds.loose_number`), equal ids have equal ``f``;
    so when every non-null id's ``f`` falls within the bounds and the bitmap of the ``f``
    values (DuckDB ``bitstring_agg``) has as many bits set as there are ids, the ids are all
    distinct. That costs a bitmap of at most :data:`_BITMAP_MAX` bits in the same scan, where
    ``COUNT(DISTINCT id)`` builds a hash table of every id (10M ids: ~0.5 GB and most of the
    validation time). Ids of another shape, or repeated (or a number after the prefix shared
    by two ids): the exact ``COUNT(DISTINCT id)``, one more scan."""
    ids = int(row.get("ids") or 0)
    if ids <= 1:
        return ids
    if row.get("bitmap_n") == ids and row.get("bitmap_bits") == ids:
        return ids
    expr = c.aggregate(distinct_ids=c[id_col].nunique())
    return int(conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect))).to_pylist()[0]["distinct_ids"])


def _count(book: EngineBook, counts: Mapping[str, Mapping[str, Any]],
           stored: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """The validation report from each table's counts, with a bounded rejected sample (read
    from the book's ``rejected`` table when ``stored``: a trusted imported book)."""
    latest: dt.date | None = None
    book.counts = {name: dict(c) for name, c in counts.items()}
    for name, t in book.tables.items():
        c = counts[name]
        files = list(stored[name]["files"]) if stored is not None \
            else [f"{book.url.display} {t.ref.display}"]
        report = TableReport(name, files=files, read=c["read"], reasons=dict(c["reasons"]))
        report.rejected = sum(report.reasons.values())
        report.accepted = report.read - report.rejected
        if c["latest"] is not None:
            latest = c["latest"] if latest is None or c["latest"] > latest else latest
        book.report.tables.append(report)
        if report.rejected:
            sample = _rejected_sample(book, name, t) if stored is None \
                else _stored_sample(book, name, stored[name])
            book.report.rejected = sample.reset_index(drop=True) if len(book.report.rejected) == 0 \
                else pd.concat([book.report.rejected, sample], ignore_index=True)
    book.latest = latest


def rejected_query(t: _Table, limit: int | None) -> ir.Table:
    """The rejected rows of ``t`` (reason, column at fault, every source cell as stored) in the
    order of their cells (source columns in order: a table has no row order), the first
    ``limit`` of them (None: all, for ``memberdesk import``): the same rows on every run."""
    c = t.canonical.table
    originals = t.canonical.originals
    rej = c.filter(~c["_ok"]).select("_reason", "_column", *originals)
    rej = rej.order_by(list(originals))
    return rej if limit is None else rej.limit(limit)


def _rejected_sample(book: EngineBook, name: str, t: _Table) -> pd.DataFrame:
    """Up to :data:`REJECTED_SAMPLE` rejected rows in the report's shape
    (:func:`rejected_frame` of :func:`rejected_query`)."""
    return rejected_frame(f"{book.url.display} {t.ref.display}", name, t,
                          book.run(rejected_query(t, REJECTED_SAMPLE)), book.today)


def rejected_frame(file: str, name: str, t: _Table, table: pa.Table,
                   today: dt.date | None = None) -> pd.DataFrame:
    """Rejected rows (:func:`rejected_query`'s columns) in the report's shape, as the file
    path's (:func:`memberdesk.core.validation._with_original_values`): ``column`` is the source
    header at fault, ``value`` its cell as stored, then every cell of the row as stored, as
    text, under the source headers (a header equal to one of the report's columns gets the
    canonical name in brackets: :func:`rejected_labels`). The ``row`` column is empty: a
    database row has no line number. ``detail``: the file path's for the reason and column
    (:func:`validation.row_detail`; ``today``: the day the future-date rule used), else what
    the reason means."""
    originals = t.canonical.originals
    reasons = [_REASONS[int(i)] for i in table.column("_reason").to_pylist()]
    texts = {k: [normalize._cell_text(v) for v in table.column(k).to_pylist()] for k in originals}
    by_header = {h: k for k, h in originals.items()}
    headers, values = [], []
    columns = table.column("_column").to_pylist()
    for i, col in enumerate(columns):
        header = None if col is None else t.mapping.source_of(col) or col
        headers.append(header)
        raw = texts[by_header[header]][i] if header in by_header else None
        values.append(raw.strip() or None if isinstance(raw, str) else raw)
    none: list[object] = [None] * len(reasons)
    out = pd.DataFrame({"table": name, "file": file,
                        "sheet": none, "row": none, "column": headers, "reason": reasons,
                        "value": values, "detail": row_details(name, reasons, columns, today)},
                       columns=list(REJECTED_COLUMNS))
    labels = rejected_labels(t)
    cells = {label: texts[k] for k, label in zip(originals, labels)}
    return pd.concat([out, pd.DataFrame(cells, index=out.index)], axis=1)


def row_details(name: str, reasons: Sequence[str], columns: Sequence[str | None],
                today: dt.date | None) -> list[object]:
    """Each rejected row's detail (rendered in the reader's language when shown): the file
    path's (:func:`validation.row_detail`) where the reason and the canonical column tell it,
    else the reason's meaning (:class:`RejectionMeaning`); one object per distinct detail."""
    day = today or dt.date.today()
    shared: dict[tuple[str, str | None], object] = {}
    out: list[object] = []
    for reason, column in zip(reasons, columns):
        key = (reason, column)
        if key not in shared:
            shared[key] = validation.row_detail(name, reason, column, day) or RejectionMeaning(reason)
        out.append(shared[key])
    return out


def rejected_labels(t: _Table) -> list[str]:
    """The rejected rows' cell columns of ``t``: the source headers, in order (a header equal
    to one of the report's columns gets the canonical name in brackets)."""
    labels: list[str] = []
    for header in t.canonical.originals.values():
        label = header
        if label in REJECTED_COLUMNS or label in labels:
            label = f"{header} [{t.mapping.mapped.get(header, header)}]"
        labels.append(label)
    return labels


# ---- trusted books (written by `memberdesk import`) ------------------------------------------

# The code whose behaviour decides a validation result: a book is trusted only when written by
# the same code (any change to one of these files, or to the missing-value tokens, means the
# book is validated again).
_RULE_FILES = ("schema.py", "validation.py", "mapping.py", "policy_rules.py", "loader.py",
               "normalize", "readers", "engine/rules.py", "engine/book.py")


def rules_version() -> str:
    """A fingerprint of the validation rules: SHA-256 of the rule modules' source text (see
    :data:`_RULE_FILES`; read once per process, so a running process keeps the fingerprint
    of the code it runs even when the files are edited meanwhile), the reason order and the
    missing-value tokens in force and the package version (a frozen build has no source)."""
    from memberdesk import __version__

    h = hashlib.sha256(_source_fingerprint().encode())
    # the version too: a frozen build carries no source, so only its version tells two apart
    h.update(json.dumps([list(_REASONS), sorted(normalize.missing_tokens()), __version__]).encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _source_fingerprint() -> str:
    core = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for entry in _RULE_FILES:
        path = core / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(f.relative_to(core).as_posix().encode())
            try:
                h.update(f.read_bytes())
            except OSError:  # no source (a frozen build): never equal to a real fingerprint
                h.update(b"\0unreadable")
    return h.hexdigest()


def book_metadata(tables: Mapping[str, Mapping[str, Any]], *, today: dt.date, origin: str,
                  messages: Sequence[object]) -> pa.Table:
    """The rows of :data:`BOOK_TABLE` for a book written now: one per table with
    ``table_name``, ``files`` (JSON list: where its rows came from), ``rows_read``,
    ``rows_accepted`` (rows in the book's table), ``reasons`` (JSON: rejected rows per reason),
    ``latest`` (the latest accepted date, birth dates aside), ``columns`` (JSON: the book
    table's columns and coarse types), ``rejected_columns`` (JSON: the cell columns of its
    rejected rows); and on every row the ``format``, the ``rules`` fingerprint
    (:func:`rules_version`), ``imported_on`` (the day the future-date rule was checked
    against), ``origin`` (``engine`` or ``files``) and the report's ``messages``."""
    names = list(tables)
    col: Callable[[str], list[Any]] = lambda k: [tables[n][k] for n in names]  # noqa: E731
    return pa.table({
        "format": pa.array([BOOK_FORMAT] * len(names), pa.int32()),
        "rules": [rules_version()] * len(names),
        "imported_on": pa.array([today] * len(names), pa.date32()),
        "origin": [origin] * len(names),
        "messages": [json.dumps([_message_json(m) for m in messages], ensure_ascii=False)]
        * len(names),
        "table_name": names,
        "files": [json.dumps(list(f), ensure_ascii=False) for f in col("files")],
        "rows_read": pa.array(col("read"), pa.int64()),
        "rows_accepted": pa.array(col("accepted"), pa.int64()),
        "reasons": [json.dumps(dict(r), sort_keys=True) for r in col("reasons")],
        "latest": pa.array(col("latest"), pa.date32()),
        "columns": [json.dumps(dict(c), ensure_ascii=False) for c in col("columns")],
        "rejected_columns": [json.dumps(list(c), ensure_ascii=False)
                             for c in col("rejected_columns")],
    })


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _trusted_metadata(conn: Connection, found: Mapping[str, tuple[TableRef, dict[str, ColumnType],
                                                                  ColumnMapping]],
                      today: dt.date) -> tuple[dict[str, dict[str, Any]] | None, Reason | None]:
    """The stored validation of a book written by ``memberdesk import`` when it can be used
    instead of the validation scan, else (None, why not: a reason; None when the book has
    none).

    Used only when every check holds: the metadata's format and rules fingerprint are those
    of this code; the tables found are exactly the book's tables under their canonical names
    with the same columns and types; each holds the row count written; the ``rejected`` table
    holds each table's rejected rows; and the future-date rule gives the same answer today
    (today is the import day, or later with no row rejected as future-dated). Anything else:
    the tables are validated as any database's (the caller says so in the report)."""
    if conn.dialect != "duckdb":
        return None, None
    listed = conn.tables()
    if TableRef(BOOK_TABLE) not in listed:
        return None, None
    try:
        rows = conn.arrow(f"SELECT * FROM {_q(BOOK_TABLE)}").to_pylist()
        stored = {str(r["table_name"]): {
            **r, "files": json.loads(r["files"]), "reasons": json.loads(r["reasons"]),
            "columns": json.loads(r["columns"]), "messages": json.loads(r["messages"]),
            "rejected_columns": json.loads(r["rejected_columns"])} for r in rows}
    except (DataError, KeyError, TypeError, ValueError) as exc:
        return None, Reason("book_meta_unreadable", error=str(exc))
    if not rows or any(r["format"] != BOOK_FORMAT for r in rows):
        return None, Reason("book_meta_format")
    version = rules_version()
    if any(r["rules"] != version for r in rows):
        return None, Reason("book_meta_rules")
    if set(stored) != set(found):
        return None, Reason("book_meta_tables")
    for name, (ref, kinds, mapping) in found.items():
        if ref != TableRef(name) or stored[name]["columns"] != dict(kinds):
            return None, Reason("book_meta_table", table=name)
        if mapping.columns != auto_map(list(kinds), name).columns:  # the user's, not the import's
            return None, Reason("book_meta_mapping", table=name)
    imported = stored[next(iter(stored))]["imported_on"]
    future = any(schema.REASON_FUTURE_DATE in s["reasons"] for s in stored.values())
    if not isinstance(imported, dt.date) or today < imported or (today > imported and future):
        return None, Reason("book_meta_future_rule", imported_on=str(imported))
    # row counts (DuckDB answers COUNT(*) from its metadata) and the rejected rows per table
    names = list(stored)
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {_q(n)}) AS n{i}" for i, n in enumerate(names))
    if TableRef(REJECTED_TABLE) in listed:
        sql += (f", (SELECT list({_q('table')}) FROM (SELECT {_q('table')} FROM {_q(REJECTED_TABLE)}"
                f" GROUP BY ALL HAVING count(*) > 0)) AS _tables, (SELECT count(*) FROM "
                f"{_q(REJECTED_TABLE)}) AS _rejected")
    try:
        have = conn.arrow(sql).to_pylist()[0]
    except DataError as exc:
        return None, Reason("book_meta_uncountable", error=str(exc))
    for i, n in enumerate(names):
        if have[f"n{i}"] != stored[n]["rows_accepted"]:
            return None, Reason("book_meta_rows", table=n, have=int(have[f"n{i}"]),
                                written=int(stored[n]["rows_accepted"]))
    rejected = sum(sum(s["reasons"].values()) for s in stored.values())
    if have.get("_rejected", 0) != rejected or \
            set(have.get("_tables") or []) != {n for n in names if stored[n]["reasons"]}:
        return None, Reason("book_meta_rejected")
    for n in names:
        if stored[n]["rows_read"] - sum(stored[n]["reasons"].values()) != stored[n]["rows_accepted"]:
            return None, Reason("book_meta_counts", table=n)
    return stored, None


def _message_json(message: object) -> object:
    """A report message as the book stores it: a :class:`Note` as its code, parameters and
    place (read back in either language), any other message as its text."""
    return message.to_record() if isinstance(message, Note) else str(message)


def _message_from_json(stored: object) -> str:
    """:func:`_message_json` read back: a :class:`Note` again when its code is still in the
    catalogue, else its text (a book written before messages kept their codes stores text)."""
    if not isinstance(stored, dict):
        return str(stored)
    try:
        return note_from_record(stored)
    except (KeyError, TypeError):
        return str(stored.get("code", stored))


def _stored_table(conn: Connection, name: str, ref: TableRef, kinds: dict[str, ColumnType],
                  mapping: ColumnMapping, today: dt.date, stored: Mapping[str, Any]
                  ) -> tuple[_Table, dict[str, Any]]:
    """A trusted table (:func:`_trusted_metadata`): typed by the same rules, its counts read
    from the metadata. Its rows are the accepted rows (the rules flag none: no filter) and its
    ids unique, so neither the unknown-member join nor the duplicate window is built; its id,
    text and category cells are the cleaned ones, read as stored (``rules.canonical``)."""
    source = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
    canon = rules.canonical(name, source, kinds, mapping, functools.partial(distinct_values, conn),
                            today=today, references={}, duplicates=False,
                            distinct_categories=conn.dialect == "duckdb",
                            as_stored=frozenset(mapping.mapped.values()))
    canon.clean = True
    latest = stored["latest"]
    return _Table(ref, kinds, mapping, canon), {
        "read": int(stored["rows_read"]), "reasons": {k: int(v) for k, v in stored["reasons"].items()},
        "latest": latest, "ids": None, "distinct_ids": None}


def _stored_sample(book: EngineBook, name: str, stored: Mapping[str, Any]) -> pd.DataFrame:
    """The first :data:`REJECTED_SAMPLE` rejected rows of ``name`` from the book's ``rejected``
    table, in the order written (the order of the validation's sample), in the report's
    shape: an engine import's details become the reason's meaning again (rendered in the
    reader's language); a file import keeps the file path's words, as written."""
    labels = list(stored["rejected_columns"])
    cols = ", ".join(_q(c) for c in [*REJECTED_COLUMNS, *labels])
    table = book.conn.arrow(
        f"SELECT {cols} FROM {_q(REJECTED_TABLE)} WHERE {_q('table')} = "
        f"'{name.replace(chr(39), chr(39) * 2)}' ORDER BY rowid LIMIT {REJECTED_SAMPLE}")
    frame = table.to_pandas()
    if stored["origin"] == "engine":  # the details again, in the reader's language when shown
        mapped = book.tables[name].mapping.mapped
        columns = [None if h is None else mapped.get(h, h) for h in frame["column"]]
        frame["detail"] = row_details(name, list(frame["reason"]), columns,
                                      _as_date(stored["imported_on"]))
        frame["row"] = None
    else:
        frame["row"] = frame["row"].astype("Int64")
    return pd.DataFrame(frame)
