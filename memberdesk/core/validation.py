"""Validation: raw mapped rows -> canonical typed rows, each unusable row rejected once with
its first reason and source location (docs/data-contract.md).

Checks, in the order that decides a row's reason: missing id, duplicate id (the first row with
an id is kept), unreadable date / number / yes-no value, unknown status, missing date (policy
with neither issue date nor duration; lapsed/surrendered/death/matured policy without end date;
benefit use, service contact or claim without its used_at / started_at / reported_at),
end before issue (claims: settled before reported), negative amount, date after ``today``,
reference to a member/policy missing from a loaded members/policies table. Service contacts
(and other rows) with an empty member id are anonymous and accepted.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core import normalize, schema
from memberdesk.core.mapping import ColumnMapping
from memberdesk.core.normalize.vocab import parse_vocab_missing
from memberdesk.core.readers import RawTable
from memberdesk.core.reasons import Note, Reason
from memberdesk.core.validation_report import REJECTED_COLUMNS, IdSeenBefore, TableReport

TERMINATED_STATUSES = ("lapsed", "surrendered", "death", "matured")
# The date that places an event row in time; every analysis windows on it, so a row without it
# cannot be used (rejected as missing_date when the table has the column).
EVENT_DATES: dict[str, str] = {schema.BENEFIT_USAGE: "used_at",
                               schema.SERVICE_CONTACTS: "started_at",
                               schema.CLAIMS: "reported_at",
                               schema.PREMIUM_PAYMENTS: "due_date"}
_REASON_ORDER = (schema.REASON_BAD_TEXT, schema.REASON_FIELD_TOO_LONG, schema.REASON_SUSPECT_QUOTE,
                 schema.REASON_MISSING_ID, schema.REASON_DUPLICATE_ID, schema.REASON_BAD_DATE,
                 schema.REASON_BAD_NUMBER, schema.REASON_BAD_BOOL, schema.REASON_UNKNOWN_STATUS,
                 schema.REASON_MISSING_DATE, schema.REASON_END_BEFORE_ISSUE,
                 schema.REASON_NEGATIVE_AMOUNT, schema.REASON_FUTURE_DATE,
                 schema.REASON_UNKNOWN_MEMBER, schema.REASON_UNKNOWN_POLICY)
# One shared detail per check: every row rejected by it refers to the same object.
_NOT_A_DATE = Reason("row_not_a_date")
_NOT_A_NUMBER = Reason("row_not_a_number")
_NOT_YES_NO = Reason("row_not_yes_no")


@dataclass
class Assembled:
    """The parts (files/sheets) feeding one canonical table, stacked: canonical columns and
    extra columns as text, plus each row's file, sheet, source row and part index."""

    table: str
    columns: dict[str, pa.Array]
    extras: dict[str, pa.Array]
    row: np.ndarray
    part: np.ndarray
    headers: list[dict[str, str]]  # per part: canonical -> source header
    part_files: list[str]
    part_sheets: list[str | None]
    # per part: rows the reader rejected, by source row number -> (reason, header, detail);
    # the detail is a Reason or, from a reader that still writes sentences, a text
    part_flags: list[dict[int, tuple[str, str, Any]]] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(self.part_files))

    def read_flags(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """Rows rejected while reading, per reason: ``(reason, mask, headers, details)``."""
        n = len(self)
        by_reason: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for p, flags in enumerate(self.part_flags):
            if not flags:
                continue
            in_part = np.flatnonzero(self.part == p)
            rows = self.row[in_part]
            for row, (reason, header, detail) in flags.items():
                hit = in_part[rows == row]
                if reason not in by_reason:
                    by_reason[reason] = (np.zeros(n, bool), np.empty(n, object),
                                         np.empty(n, object))
                mask, headers, details = by_reason[reason]
                mask[hit], headers[hit], details[hit] = True, header, detail
        return [(r, *v) for r, v in by_reason.items()]

    def where(self, i: int) -> str:
        """``file [sheet] row N`` of row ``i``, for messages."""
        place, row = self.place(i)
        return f"{place} row {row}"

    def place(self, i: int) -> tuple[str, int]:
        """``(file [sheet], source row number)`` of row ``i``, for a detail's parameters."""
        p = int(self.part[i])
        sheet = "" if self.part_sheets[p] is None else f" [{self.part_sheets[p]}]"
        return f"{self.part_files[p]}{sheet}", int(self.row[i])

    def __len__(self) -> int:
        return len(self.row)


def assemble(table: str, parts: Sequence[tuple[RawTable, ColumnMapping]],
             rename: Mapping[str, str] | None = None, *,
             keep_extras: Collection[str] | None = None) -> Assembled:
    """Stack the mapped parts of one table (columns missing from a part are empty there).

    ``keep_extras``: the unmapped columns to keep (None = all); extras never reject a row, so
    leaving some out changes nothing but the columns of the result.
    """
    canon: list[str] = []
    extra_names: list[str] = []
    for _, m in parts:
        canon += [c for c in m.mapped.values() if c not in canon]
        extra_names += [e for e in m.extras if e not in extra_names
                        and (keep_extras is None or e in keep_extras)]
    columns: dict[str, list[pa.Array]] = {c: [] for c in canon}
    extras: dict[str, list[pa.Array]] = {e: [] for e in extra_names}
    rows, part_idx, headers = [], [], []
    for i, (raw, m) in enumerate(parts):
        n = len(raw)
        by_canon = {dst: src for src, dst in m.mapped.items()}
        headers.append(by_canon)
        for c in canon:
            columns[c].append(_text(raw, by_canon.get(c), n))
        for e in extra_names:
            extras[e].append(_text(raw, e if e in m.extras else None, n))
        rows.append(raw.rows)
        part_idx.append(np.full(n, i, dtype=np.int32))
    taken = set(canon)
    extra_cols = {}
    for e, arrs in extras.items():
        name = e if e not in taken else f"{e} (extra)"
        extra_cols[name] = _concat(arrs)
    return Assembled(
        table, {c: _concat(a) for c, a in columns.items()}, extra_cols,
        np.concatenate(rows).astype(np.int64), np.concatenate(part_idx), headers,
        [r.file for r, _ in parts], [r.sheet for r, _ in parts], [r.flags for r, _ in parts])


def _concat(arrays: list[pa.Array]) -> pa.Array:
    """The parts' arrays as one (a single part is used as it is: no copy). Parts of different
    types (a typed Parquet column beside a CSV's text) are stacked as text."""
    if len(arrays) == 1:
        return arrays[0]
    types = {a.type for a in arrays if a.null_count < len(a)}  # a part lacking it: all null
    if len(types) > 1:
        arrays = [normalize.as_string_array(a) for a in arrays]
    elif types:
        (kind,) = types
        arrays = [a if a.type == kind else pa.nulls(len(a), kind) for a in arrays]
    return pa.concat_arrays(arrays)


def _text(raw: RawTable, header: str | None, n: int) -> pa.Array:
    if header is None:
        return pa.nulls(n, pa.string())
    col = raw.data.column(header)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


@dataclass
class TableValidation:
    """Outcome of validating one table."""

    frame: pd.DataFrame
    rejected: pd.DataFrame
    report: TableReport
    messages: list[str] = field(default_factory=list)  # Notes on the table (str: English)


class _Rejections:
    """First reason per row, with the column at fault and a detail.

    Compact for millions of rows: a reason code per row (int16); the column and the detail
    are kept only for rejected rows (row -> value), not as full-length object arrays. A detail
    is a :class:`~memberdesk.core.reasons.Reason` (code + parameters), never rendered text: one
    check flags all its rows with the same object, and the presenter turns it into words in
    its language (:func:`memberdesk.core.validation_report.detail_text`)."""

    def __init__(self, n: int) -> None:
        self.code = np.full(n, -1, dtype=np.int16)
        self._column: dict[int, object] = {}
        self._detail: dict[int, object] = {}

    def flag(self, mask: np.ndarray, reason: str, column: object, detail: object) -> None:
        """Reject the rows of ``mask`` not rejected yet, for ``reason`` in ``column``;
        ``detail`` is one Reason for all of them or an array with one per row."""
        new = np.flatnonzero(np.asarray(mask, dtype=bool) & (self.code < 0))
        if not len(new):
            return
        self.code[new] = _REASON_ORDER.index(reason)
        columns = [column] * len(new) if isinstance(column, str) else np.asarray(column)[new]
        scalar = np.isscalar(detail) or detail is None or isinstance(detail, Reason)
        details = [detail] * len(new) if scalar else np.asarray(detail)[new]
        self._column.update(zip(new.tolist(), columns))
        self._detail.update(zip(new.tolist(), details))

    def column(self, rows: np.ndarray) -> np.ndarray:
        """The column at fault of each of ``rows`` (rejected rows)."""
        return np.array([self._column.get(int(i)) for i in rows], dtype=object)

    def detail(self, rows: np.ndarray) -> np.ndarray:
        return np.array([self._detail.get(int(i)) for i in rows], dtype=object)

    @property
    def rejected(self) -> np.ndarray:
        return self.code >= 0


@dataclass(frozen=True)
class ParsedColumn:
    """One typed column: its values, the cells that cannot be read, and how to reject them."""

    values: object
    bad: np.ndarray | None = None
    reason: str = ""
    detail: Reason | None = None
    missing: np.ndarray | None = None  # where values has no value, when known without a scan


def _parse_date(c: schema.ColumnSpec, raw: pa.Array) -> ParsedColumn:
    values, bad = normalize.parse_dates(raw)
    return ParsedColumn(values.to_numpy(), bad, schema.REASON_BAD_DATE, _NOT_A_DATE)


def _parse_number(c: schema.ColumnSpec, raw: pa.Array) -> ParsedColumn:
    num, bad = normalize.parse_numbers(raw)
    return ParsedColumn(num, bad, schema.REASON_BAD_NUMBER, _NOT_A_NUMBER)


def _parse_bool(c: schema.ColumnSpec, raw: pa.Array) -> ParsedColumn:
    flags, bad = normalize.parse_bools(raw)
    return ParsedColumn(flags.array, bad, schema.REASON_BAD_BOOL, _NOT_YES_NO)


def _parse_vocabulary(c: schema.ColumnSpec, raw: pa.Array) -> ParsedColumn:
    lookup, allowed = normalize.VOCABULARIES[c.vocabulary or ""]
    words, bad, missing = parse_vocab_missing(raw, lookup)
    return ParsedColumn(words, bad, schema.REASON_UNKNOWN_STATUS,
                        Reason("row_not_one_of", values=", ".join(allowed)), missing)


def _parse_text(c: schema.ColumnSpec, raw: pa.Array) -> ParsedColumn:
    return ParsedColumn(normalize.clean_text(raw, repetitive=c.kind == "category"))


# How each column kind is read (ids are read first, by _read_ids: they decide duplicates).
PARSERS: dict[str, Callable[[schema.ColumnSpec, pa.Array], ParsedColumn]] = {
    "date": _parse_date, "number": _parse_number, "bool": _parse_bool,
    "vocabulary": _parse_vocabulary, "text": _parse_text, "category": _parse_text,
}


def validate_table(data: Assembled, *, today: dt.date, references: Mapping[str, pd.Index] | None = None,
                   generic: bool = False, lean: bool = False) -> TableValidation:
    """Parse and check one table's rows.

    Parameters
    ----------
    data
        The stacked parts of the table (see :func:`assemble`).
    today
        Dates after it are rejected as ``future_date``.
    references
        Accepted ids of already validated tables: ``{"member_id": ids, "policy_id": ids}``;
        a key is present only when that table is loaded.
    generic
        Policies table of generic survival data (``duration`` + ``event``; no dates needed).
    lean
        For a caller that wants the report, not the analyses (``memberdesk validate`` on
        millions of rows): the frame keeps only ids and dates; text columns, which never
        reject a row, are not parsed.
        The counts, reasons and rejected rows are those of the full validation.
    """
    spec = schema.TABLE_SPECS[data.table]
    rej = _Rejections(len(data))
    for reason, mask, columns, details in data.read_flags():
        rej.flag(mask, reason, columns, details)
    out: dict[str, object] = {}
    missing: dict[str, np.ndarray] = {}  # per parsed column that knows it: where it is empty
    _read_ids(data, spec, out, rej)
    for c in spec.columns:
        if c.name in data.columns and c.kind != "id":
            if lean and c.kind in ("text", "category"):
                continue  # text never rejects a row: the report does not need it parsed
            parsed = PARSERS[c.kind](c, data.columns[c.name])
            if parsed.bad is not None:
                rej.flag(parsed.bad, parsed.reason, c.name, parsed.detail)
            out[c.name] = parsed.values
            if parsed.missing is not None:
                missing[c.name] = parsed.missing
    when = EVENT_DATES.get(data.table)
    if when is not None and when in out:
        rej.flag(np.isnat(np.asarray(out[when], dtype="datetime64[ns]")), schema.REASON_MISSING_DATE,
                 when, Reason("row_event_date_empty", column=when))
    rules = TABLE_RULES.get(data.table)
    messages = rules(data, out, rej, generic, missing) if rules is not None else []
    _column_rules(spec, out, rej, today)
    _reference_rules(spec, out, rej, references)
    if lean:  # the report needs ids (references) and dates (as-of, out of window) only
        for c in spec.columns:
            if c.kind not in ("id", "date"):
                out.pop(c.name, None)
    return _finish(data, out, rej, messages, lean)


def _read_ids(data: Assembled, spec: schema.TableSpec, out: dict[str, object],
              rej: _Rejections) -> None:
    """Id columns as trimmed text (None where missing), Arrow-backed (``string[pyarrow]``: a
    million ids as Python strings cost ~35 ms to make and five times the memory); missing and
    duplicate table ids rejected (the first row with an id is kept)."""
    id_col = spec.id_column
    ids_raw = None
    for c in spec.columns:
        if c.kind == "id" and c.name in data.columns:
            trimmed = normalize.as_string_array(data.columns[c.name])
            empty = normalize.is_empty(trimmed)
            cleaned = pc.if_else(pa.array(empty), None, trimmed) if empty.any() else trimmed
            out[c.name] = pd.arrays.ArrowExtensionArray(cleaned)
            if c.name == id_col:
                ids_raw = cleaned
    if ids_raw is None or id_col is None:
        return
    missing = np.asarray(ids_raw.is_null(), dtype=bool)
    if spec.column(id_col).required:
        rej.flag(missing, schema.REASON_MISSING_ID, id_col, Reason("row_value_empty", column=id_col))
    if spec.column(id_col).unique and _has_duplicates(ids_raw):
        rej.flag(*_duplicates(data, ids_raw, id_col))


def _duplicates(data: Assembled, ids: pa.Array, id_col: str
                ) -> tuple[np.ndarray, str, str, np.ndarray]:
    """``(mask, reason, column, details)`` of rows whose id already occurred on an earlier row.

    A stable sort puts equal ids next to each other in row order, so the first of each run
    is the row that keeps the id (no hash table, no Python string per row)."""
    n = len(data)
    order = np.asarray(pc.sort_indices(ids), dtype=np.int64)  # nulls sort last
    valid = n - ids.null_count
    order = order[:valid]
    ordered = ids.take(pa.array(order))
    same = np.zeros(valid, dtype=bool)
    if valid > 1:
        same[1:] = np.asarray(pc.fill_null(pc.equal(ordered.slice(1), ordered.slice(0, valid - 1)),
                                           False), dtype=bool)
    del ordered
    run_start = np.maximum.accumulate(np.where(same, 0, np.arange(valid)))
    dup_pos = np.flatnonzero(same)
    dup = np.zeros(n, dtype=bool)
    dup[order[dup_pos]] = True
    detail = np.empty(n, dtype=object)
    for p in dup_pos:
        i, first = int(order[p]), int(order[run_start[p]])
        place, row = data.place(first)
        detail[i] = IdSeenBefore(id_col, ids[i].as_py(), place, row)
    return dup, schema.REASON_DUPLICATE_ID, id_col, detail


def _column_rules(spec: schema.TableSpec, out: dict[str, object], rej: _Rejections,
                  today: dt.date) -> None:
    """Amounts that must be zero or more; dates after ``today``."""
    for c in spec.columns:
        if c.nonnegative and c.name in out:
            neg = np.asarray(out[c.name], dtype=float) < 0
            rej.flag(neg, schema.REASON_NEGATIVE_AMOUNT, c.name,
                     Reason("row_must_be_nonnegative", column=c.name))
    limit = np.datetime64(today, "ns")
    after_today = Reason("row_after_today", today=today.isoformat())
    for c in spec.columns:
        if c.kind == "date" and c.name in out:
            future = np.asarray(out[c.name], dtype="datetime64[ns]") > limit
            rej.flag(future, schema.REASON_FUTURE_DATE, c.name, after_today)


def _reference_rules(spec: schema.TableSpec, out: dict[str, object], rej: _Rejections,
                     references: Mapping[str, pd.Index] | None) -> None:
    """Member and policy ids missing from a loaded members / policies table."""
    for key, reason in (("member_id", schema.REASON_UNKNOWN_MEMBER),
                        ("policy_id", schema.REASON_UNKNOWN_POLICY)):
        if references and key in references and key in out and key != spec.id_column:
            ref = pd.Series(out[key])
            unknown = ref.notna() & ~ref.isin(references[key])
            table = "members" if key == "member_id" else "policies"
            rej.flag(unknown.to_numpy(), reason, key,
                     Reason("row_not_in_table", column=key, table=table))


def _has_duplicates(ids: pa.Array) -> bool:
    """Whether a non-null id occurs twice. Sorting and comparing neighbours is ~3x faster than
    hashing a million distinct strings (``pc.unique``)."""
    valid = ids.drop_null() if ids.null_count else ids
    if len(valid) < 2:
        return False
    # exports are often already in id order: then neighbours tell, no sort needed
    ordered = valid
    if pc.any(pc.less(valid.slice(1), valid.slice(0, len(valid) - 1))).as_py():
        ordered = valid.take(pc.sort_indices(valid))
    same = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
    return bool(pc.any(same).as_py())


def _policy_rules(data: Assembled, out: dict[str, object], rej: _Rejections,
                  generic: bool, missing_of: Mapping[str, np.ndarray] | None = None
                  ) -> list[Reason]:
    n = len(data)
    messages: list[Reason] = []
    if generic:
        if "policy_id" not in out:
            # row numbers as text, kept in Arrow as every table's ids are (_read_ids)
            out["policy_id"] = pd.arrays.ArrowExtensionArray(pa.array(data.row).cast(pa.string()))
        dur = np.asarray(out["duration"], dtype=float)
        rej.flag(np.isnan(dur), schema.REASON_MISSING_DATE, "duration",
                 Reason("row_value_empty", column="duration"))
        event = out["event"]
        if not isinstance(event, pd.arrays.BooleanArray):  # parse_bools gives one: no copies
            event = pd.array(np.asarray(event, dtype=object), dtype="boolean")
        rej.flag(np.asarray(event.isna()), schema.REASON_BAD_BOOL, "event",
                 Reason("row_value_empty", column="event"))
        return messages
    end = out.get("end_date")
    end_arr = (np.asarray(end, dtype="datetime64[ns]") if end is not None
               else np.full(n, np.datetime64("NaT"), "datetime64[ns]"))
    status = out.get("status")
    known = (missing_of or {}).get("status")  # the parser's mask: no scan of the objects for None
    if status is None or (known.any() if known is not None
                          else pd.isna(np.asarray(status, dtype=object)).any()):
        st = np.full(n, None, dtype=object) if status is None else np.asarray(status, dtype=object)
        empty = pd.isna(st) & ~rej.rejected
        inferred = np.where(np.isnat(end_arr), "in_force", "lapsed")
        st = np.where(pd.isna(st), inferred, st)
        out["status"] = st
        if status is None:
            messages.append(Reason("policies_no_status_column"))
        elif empty.any():
            messages.append(Reason("policies_status_inferred", n=int(empty.sum())))
    statuses = np.asarray(out["status"], dtype=object)
    issue = out.get("issue_date")
    duration = out.get("duration")
    no_issue = np.isnat(np.asarray(issue, dtype="datetime64[ns]")) if issue is not None else np.ones(n, bool)
    if duration is not None:
        no_issue &= np.isnan(np.asarray(duration, dtype=float))
    rej.flag(no_issue, schema.REASON_MISSING_DATE, "issue_date",
             Reason("row_issue_date_empty"))
    if issue is not None or end is not None:
        terminated = np.isnat(end_arr)
        no_end = np.flatnonzero(terminated)  # the status is looked up only where it matters
        terminated[no_end] = pd.Series(statuses[no_end]).isin(TERMINATED_STATUSES).to_numpy()
        rej.flag(terminated, schema.REASON_MISSING_DATE, "end_date",
                 Reason("row_terminated_needs_end"))
    if issue is not None:
        before = end_arr < np.asarray(issue, dtype="datetime64[ns]")
        rej.flag(before, schema.REASON_END_BEFORE_ISSUE, "end_date", Reason("row_end_before_issue"))
    return messages


def _claim_rules(data: Assembled, out: dict[str, object], rej: _Rejections,
                 generic: bool = False, missing_of: Mapping[str, np.ndarray] | None = None
                 ) -> list[Reason]:
    n = len(data)
    messages = []
    settled = np.asarray(out["settled_at"], dtype="datetime64[ns]") if "settled_at" in out else None
    if "reported_at" in out and settled is not None:
        before = settled < np.asarray(out["reported_at"], dtype="datetime64[ns]")
        rej.flag(before, schema.REASON_END_BEFORE_ISSUE, "settled_at",
                 Reason("row_settled_before_reported"))
    status = out.get("status")
    known = (missing_of or {}).get("status")  # the parser's mask: no scan of the objects for None
    if status is None or (known.any() if known is not None
                          else pd.isna(np.asarray(status, dtype=object)).any()):
        st = np.full(n, None, dtype=object) if status is None else np.asarray(status, dtype=object)
        missing = pd.isna(st)
        is_open = np.ones(n, bool) if settled is None else np.isnat(settled)
        paid = np.asarray(out.get("amount_paid", np.zeros(n)), dtype=float) > 0
        out["status"] = np.where(missing, np.where(is_open, "open", np.where(paid, "paid", "declined")), st)
        messages.append(Reason("claims_status_inferred", n=int(missing.sum())))
    return messages


# Rules that involve several columns of one table, by table (after every column is parsed).
TABLE_RULES: dict[str, Callable[[Assembled, dict[str, object], _Rejections, bool,
                                  Mapping[str, np.ndarray]], list[Reason]]] = {
    schema.POLICIES: _policy_rules,
    schema.CLAIMS: _claim_rules,
}


def _finish(data: Assembled, out: dict[str, object], rej: _Rejections,
            messages: list[Reason], lean: bool = False) -> TableValidation:
    spec = schema.TABLE_SPECS[data.table]
    keep = ~rej.rejected
    columns: dict[str, object] = {c: out[c] for c in spec.column_names if c in out}
    for name, arr in data.extras.items():
        extra, not_numbers = normalize.extra_column_checked(arr)
        if not lean:
            columns[name] = extra
        del extra
        if not_numbers is not None:
            messages = [*messages, _not_numbers_message(data, name, not_numbers)]
    partial = not keep.all()
    for name in list(columns):
        values: Any = columns[name]
        out.pop(name, None)  # the unfiltered column goes as soon as its filtered copy exists
        kind = spec.column(name).kind if name in spec.column_names else None
        if kind == "bool":
            values = pd.array(values, dtype="boolean")
        columns[name] = values[keep] if partial else values
        del values
    frame = pd.DataFrame(columns, copy=False)  # no block consolidation: ~0.3 s at 1M rows
    idx = np.flatnonzero(~keep)
    at_fault = rej.column(idx)
    rejected = pd.DataFrame({
        "table": data.table,
        "file": np.asarray(data.part_files, dtype=object)[data.part[idx]],
        "sheet": np.asarray(data.part_sheets, dtype=object)[data.part[idx]],
        "row": data.row[idx],
        "column": [_source_header(data, int(data.part[i]), c) for i, c in zip(idx, at_fault)],
        "reason": np.asarray(_REASON_ORDER, dtype=object)[rej.code[idx]] if len(idx) else [],
        "value": _raw_values(data, idx, at_fault),
        "detail": rej.detail(idx),
    }, columns=list(REJECTED_COLUMNS))
    rejected = _with_original_values(rejected, data, idx)
    report = TableReport(data.table, list(data.files), read=len(data), accepted=int(keep.sum()),
                         rejected=len(idx),
                         reasons={str(k): int(v) for k, v in rejected["reason"].value_counts().items()})
    messages = [*messages, *placeholder_dates(spec, frame)]
    notes: list[str] = [Note(m, data.table) for m in messages]  # "policies: ..." in English
    return TableValidation(frame, rejected, report, notes)


def row_detail(table: str, reason: str, column: str | None, today: dt.date) -> Reason | None:
    """The detail this file path gives a row of ``table`` rejected for ``reason`` at the
    canonical ``column`` (the checks above, by reason), for a rejected row known only by its
    reason and column: an engine's sample. None where the detail needs other rows (a repeated
    id: where it was first seen) or the reader (a cell too long, a stray quote, bad text)."""
    spec = schema.TABLE_SPECS.get(table)
    col = spec.column(column) if spec is not None and column in spec.column_names else None
    if reason == schema.REASON_BAD_DATE:
        return _NOT_A_DATE
    if reason == schema.REASON_BAD_NUMBER:
        return _NOT_A_NUMBER
    if reason == schema.REASON_BAD_BOOL:
        return Reason("row_value_empty", column="event") if column == "event" else _NOT_YES_NO
    if reason == schema.REASON_UNKNOWN_STATUS and col is not None and col.vocabulary:
        return Reason("row_not_one_of", values=", ".join(normalize.VOCABULARIES[col.vocabulary][1]))
    if reason == schema.REASON_MISSING_ID and column:
        return Reason("row_value_empty", column=column)
    if reason == schema.REASON_MISSING_DATE and column:
        if table == schema.POLICIES and column in ("issue_date", "end_date"):
            return Reason("row_issue_date_empty" if column == "issue_date"
                          else "row_terminated_needs_end")
        if column == "duration":
            return Reason("row_value_empty", column=column)
        return Reason("row_event_date_empty", column=column)
    if reason == schema.REASON_END_BEFORE_ISSUE:
        return Reason("row_settled_before_reported" if column == "settled_at"
                      else "row_end_before_issue")
    if reason == schema.REASON_NEGATIVE_AMOUNT and column:
        return Reason("row_must_be_nonnegative", column=column)
    if reason == schema.REASON_FUTURE_DATE:
        return Reason("row_after_today", today=today.isoformat())
    if reason in (schema.REASON_UNKNOWN_MEMBER, schema.REASON_UNKNOWN_POLICY):
        key, ref = ("member_id", "members") if reason == schema.REASON_UNKNOWN_MEMBER \
            else ("policy_id", "policies")
        return Reason("row_not_in_table", column=key, table=ref)
    return None


def placeholder_dates(spec: schema.TableSpec, frame: pd.DataFrame) -> list[Reason]:
    """A ``dates_placeholder`` reason per date column of the accepted rows ``frame`` with dates
    on or before :data:`schema.PLACEHOLDER_DATE_LIMIT` (their number and the earliest): kept,
    since the contract rejects no past date, but named, since a policy issued "1900-01-01"
    enters every survival curve with a century of duration. The engine says the same from its
    validation counts (``engine.book._counts``)."""
    limit = np.datetime64(schema.PLACEHOLDER_DATE_LIMIT, "ns")
    out: list[Reason] = []
    for c in spec.columns:
        if c.kind != "date" or c.name not in frame.columns:
            continue
        values = np.asarray(frame[c.name], dtype="datetime64[ns]")
        early = values <= limit  # NaT compares False
        if early.any():
            out.append(placeholder_reason(c.name, int(early.sum()),
                                          pd.Timestamp(values[early].min()).date()))
    return out


def placeholder_reason(column: str, n: int, earliest: dt.date) -> Reason:
    """The ``dates_placeholder`` reason (both paths build it here)."""
    return Reason("dates_placeholder", n=n, column=column, limit=schema.PLACEHOLDER_DATE_LIMIT,
                  earliest=earliest.isoformat())


def _with_original_values(rejected: pd.DataFrame, data: Assembled, idx: np.ndarray) -> pd.DataFrame:
    """The rejected rows with every cell of their own row as read (text, under the file's
    header), after the location and reason columns, so an export can be corrected and loaded
    again. A header equal to one of those columns gets the canonical name in brackets."""
    if not len(idx):
        return rejected
    take = pa.array(idx)
    headers = data.headers[0] if data.headers else {}
    originals: dict[str, list[object]] = {}
    for name, arr in [*data.columns.items(), *data.extras.items()]:
        header = str(headers.get(name, name))
        if header in REJECTED_COLUMNS or header in originals:
            header = f"{header} [{name}]"
        originals[header] = arr.take(take).to_pylist()
    return pd.concat([rejected, pd.DataFrame(originals, index=rejected.index)], axis=1)


def _not_numbers_message(data: Assembled, name: str, bad: np.ndarray) -> Reason:
    """The report of a mostly numeric extra column's cells that are not numbers."""
    idx = np.flatnonzero(bad)
    first = "; ".join(f"{data.where(int(i))} ({_cell(data.extras[name], int(i))!r})"
                      for i in idx[:5])
    return Reason("extra_column_not_numbers", name=name, count=len(idx), first=first)


def _cell(arr: pa.Array, i: int) -> object:
    value = arr[i].as_py()
    return value.strip() if isinstance(value, str) else value


def _source_header(data: Assembled, part: int, canonical: str | None) -> str | None:
    if canonical is None:
        return None
    return data.headers[part].get(canonical, canonical)


def _raw_values(data: Assembled, idx: np.ndarray, columns: np.ndarray) -> list[object]:
    """The raw cell of each rejected row ``idx`` in the column at fault (``columns``, one per
    rejected row)."""
    values: list[object] = [None] * len(idx)
    if not len(idx):
        return values
    cols = columns
    for name in pd.unique(cols):
        if name is None or name not in data.columns:
            continue
        pos = np.flatnonzero(cols == name)
        taken = data.columns[name].take(pa.array(idx[pos])).to_pylist()
        for p, v in zip(pos, taken):
            values[p] = v.strip() or None if isinstance(v, str) else v
    return values
