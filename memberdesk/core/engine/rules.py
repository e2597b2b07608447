"""The book's rules as Ibis expressions: typing and validation of the source tables, and the
derived policy view (exit status, duration, event, as-of window, filters, bands).

Written once, compiled to every engine's SQL by Ibis (DuckDB, PostgreSQL, Spark). The text
rules themselves are not rewritten: a text column's *distinct* values are read from the engine
and parsed by the very functions the file path uses (:mod:`memberdesk.core.normalize`:
statuses and their Chinese/English synonyms, yes/no words, date formats, numbers with
thousands separators), and the result becomes a ``CASE`` expression. Typed columns (DATE,
TIMESTAMP, numbers, booleans) are cast directly.

Conventions are those of :mod:`memberdesk.core.dataset` and :mod:`memberdesk.core.validation`:

* reasons are checked in the file path's order and a rejected row carries its first reason;
  duplicate ids keep the first row in the order of the table's columns' values (a database
  table has no row order: see docs/engines.md);
* ``terminated`` = end date on or before as-of; ``exit_status`` = the status (``other`` when
  marked in force) if terminated, else ``in_force``; ``duration_days`` = whole days from issue
  to the exit or to as-of; ``event`` = exit status among the event statuses;
* rows issued after as-of are out of the window; filters restrict product/channel (policies)
  and region/tier (members joined on member_id).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from memberdesk.core import normalize, schema
from memberdesk.core.dataset import AGE_BANDS, PREMIUM_BANDS, WINDOW_DATE, Filters
from memberdesk.core.engine.connection import ColumnType
from memberdesk.core.mapping import ColumnMapping
from memberdesk.core.reasons import Note, Reason
from memberdesk.core.validation import _REASON_ORDER, TERMINATED_STATUSES

REASON_ORDER: tuple[str, ...] = tuple(_REASON_ORDER)  # the file path's reasons, in its order

DISTINCT_LIMIT = 20_000  # text columns parsed through their distinct values up to this many
_NUMBER = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"

# fetch(table, column, derive=None): the column's distinct values (None: more than
# DISTINCT_LIMIT); with ``derive``, (value, derive(value)) pairs computed by the engine on
# the distinct values only
Fetch = Callable[..., list[Any] | None]


@dataclass
class Canonical:
    """One source table typed into canonical columns, with each row's first rejection reason.

    ``table`` has the canonical columns, the extra (unmapped) source columns under their own
    names, ``_reason`` (index into the reason order) and ``_column`` (null for accepted rows)
    and ``_ok`` (no reason), and every source column as stored under a private name
    (``originals``: private name -> source header; for the rejected rows' own cells).
    """

    name: str
    table: ir.Table
    extras: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    originals: dict[str, str] = field(default_factory=dict)
    reasons: list[int] = field(default_factory=list)  # the reasons a row can have (indices)

    # rows whose empty status the rules inferred (policies: not rejected before the status
    # rule, as the file path counts them; claims: every one), counted by the validation scan
    # for the file path's message (``inferred_code``, a reason taking ``n``); ``inferred_always``:
    # say it even when none (no status column in a claims table, as the file path does)
    inferred: ir.BooleanValue | None = None
    inferred_code: str = ""
    inferred_always: bool = False
    clean: bool = False  # set once the counts showed no rejected row: no filter then
    # id columns cleaned row by row (canonical name -> private name of the source column), for
    # the validation scan to count the cells cleaning changes (book._counts)
    cleaned_ids: dict[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> ir.Table:
        t = self.table if self.clean else self.table.filter(self.table["_ok"])
        return t.drop("_reason", "_column", "_ok", *self.originals,
                      *(["_inferred"] if self.inferred is not None else []))


# ---- DuckDB's bitmaps (builtin functions; used only when the engine is DuckDB) -------------------

@ibis.udf.agg.builtin(name="bitstring_agg")  # type: ignore[untyped-decorator]
def bitstring_agg(arg: int, lo: int, hi: int) -> str:  # type: ignore[empty-body]
    """DuckDB's bitmap of the integers ``arg`` in [lo, hi] (a BITSTRING; bit ``arg - lo``)."""


@ibis.udf.scalar.builtin(name="bit_count")  # type: ignore[untyped-decorator]
def bit_count(arg: str) -> int:  # type: ignore[empty-body]
    """DuckDB: the number of bits set in a BITSTRING."""


@ibis.udf.scalar.builtin(name="get_bit")  # type: ignore[untyped-decorator]
def _get_bit(bits: str, index: int) -> int:  # type: ignore[empty-body]
    """DuckDB: bit ``index`` (0 = the first, i.e. ``lo``'s) of a BITSTRING."""


@ibis.udf.scalar.builtin(name="regexp_full_match")  # type: ignore[untyped-decorator]
def _full_match(text: str, pattern: str) -> bool:  # type: ignore[empty-body]
    """DuckDB: whether the whole of ``text`` matches the RE2 ``pattern``."""


@dataclass(frozen=True)
class NumberedIds:
    """The shape of text ids made of one prefix and a fixed number of digits (``M0000012345``),
    with the range [lo, hi] their numbers were seen in (see ``book._id_bounds``).

    :meth:`number` maps an id of exactly that shape to its number and any other text to null.
    On ids of the shape it is one-to-one (same prefix, same digit count: the digits *are* the
    number, leading zeros included), which is what makes the bitmaps built on it exact:
    DuckDB's ``TRY_CAST`` alone is not (it reads ``A+5``, ``A05``, ``A 5`` and ``A_5`` all as 5).
    """

    prefix: str
    digits: int
    lo: int
    hi: int

    def number(self, value: ir.StringValue) -> ir.IntegerValue:
        """The number after the prefix of ids of this shape (int64), null for any other text."""
        # RE2: every ASCII character but letters and digits escaped; other characters literal
        escaped = "".join("\\" + ch if ch.isascii() and not ch.isalnum() else ch
                          for ch in self.prefix)
        shaped = _full_match(value, f"{escaped}[0-9]{{{self.digits}}}")
        return ibis.ifelse(shaped, value.substr(len(self.prefix)).try_cast("int64"),
                           ibis.null("int64"))

    def loose_number(self, value: ir.StringValue) -> ir.IntegerValue:
        """What follows the prefix's length, read by ``TRY_CAST`` (cheaper than :meth:`number`
        by a regular expression per row). Equal ids have equal loose numbers, which is all the
        bitmap proof of distinct ids needs (``book._distinct_ids``); two different ids may
        share one (``A+5``, ``A05``), which only makes that proof fail, never succeed wrongly."""
        return value.substr(len(self.prefix)).try_cast("int64")


# Accepted ids from which the unknown-member/policy rule looks numbers up in bitmaps instead of
# joining on the ids (KnownIds). Measured on the generated books (bench_engine_100m.py, quiet
# machine, DuckDB capped at 1.5 GB): the policies' validation scan took 2.4 s with the join and
# 3.2 s with the bitmaps at 5M members (the join's hash table fits in memory; the shape test
# costs a regular expression per id), 47 s with the join and 34 s with the bitmaps at 50M
# members (the join spills). In between was not measured; 20M ids is about where the join's
# hash table outgrows the memory cap.
BITMAP_LOOKUP_FROM = 20_000_000
_BLOCK_BITS = 16  # ids per bitmap block: 2**16 bits, an 8 KB BITSTRING per block


@dataclass(frozen=True)
class KnownIds:
    """The accepted ids of a checked table (one column, ``key``), for the unknown-member and
    unknown-policy rules of the tables checked after it.

    ``unique``: the accepted ids are known to be distinct (the table's duplicate-id rule ran,
    or a key constraint holds them unique), so the anti join needs no ``DISTINCT`` first.

    ``numbered``: every one of these ids has that shape (proven by the referenced table's
    validation scan, DuckDB only, for large tables: :data:`BITMAP_LOOKUP_FROM`). The rule
    then looks each id up in bitmaps of the accepted ids' numbers, one 8 KB bitmap per block
    of 65,536 numbers, joined on the block: a join on a few thousand small integers instead
    of a hash table of every accepted id. One bitmap of the whole range would be simpler, but
    DuckDB copies a BITSTRING constant per vector of rows (6 MB per 2,048 rows at 50M
    members). An id that is not of the shape is unknown, since every accepted id is of it.
    """

    table: ir.Table
    key: str
    unique: bool = False
    numbered: NumberedIds | None = None

    def flag_unknown(self, t: ir.Table, column: str, flag: str) -> ir.Table:
        """``t`` with the boolean column ``flag``: ``t[column]`` is not null and not among the
        accepted ids (the rows of ``column NOT IN (accepted ids)``)."""
        if self.numbered is None:
            # a left join on the accepted ids (an anti join), never ``NOT IN``: that
            # null-aware anti join is planned by Spark as a nested loop (over 15 min for 100k
            # members x 200k policies) and by PostgreSQL as a subquery scan per row unless
            # work_mem is large. Accepted ids are never null and the key is tested for null,
            # so the rows flagged are exactly those of ``NOT IN``; the ids are distinct (made
            # so unless known to be) so the join never repeats a row.
            ref = f"_known_{column}"
            known = self.table.select(**{ref: self.table[self.key]})
            known = known if self.unique else known.distinct()
            j = t.left_join(known, t[column] == known[ref])
            return j.mutate(**{flag: j[column].notnull() & j[ref].isnull()}).drop(ref)
        shape = self.numbered
        n, blk, bits = f"_number_{column}", f"_block_{column}", f"_bits_{column}"
        low = (1 << _BLOCK_BITS) - 1
        # no filter on the number: DuckDB would compute it twice (in the filter and after),
        # and every accepted id has one (``numbered``); bitstring_agg skips nulls anyway
        ids = self.table.select(**{n: shape.number(self.table[self.key])})
        blocks = ids.group_by(**{blk: ids[n] >> _BLOCK_BITS}).aggregate(
            **{bits: bitstring_agg((ids[n] & low).cast("int32"), 0, low)})
        t = t.mutate(**{n: shape.number(t[column])})
        j = t.left_join(blocks, (t[n] >> _BLOCK_BITS) == blocks[blk])  # one block per row at most
        known = (_get_bit(j[bits], (j[n] & low).cast("int32")) == 1).fill_null(False)
        return j.mutate(**{flag: j[column].notnull() & ~known}).drop(n, blk, bits)


def _null_tokens() -> list[str]:
    return sorted({v for t in normalize.missing_tokens() for v in (t, t.upper(), t.title())}
                  | {"NaN", "-NaN", "NaT", "<NA>", ""})


_SPACES = (9, 10, 11, 12, 13, 32, 0x3000)  # code points trimmed around cells (0x3000: 全角空格)


def _spaced(text: ir.StringValue) -> ir.BooleanValue:
    """The cell starts or ends with white space (cheap: two code-point lookups, no trim)."""
    return text.ascii_str().isin(_SPACES) | text.right(1).ascii_str().isin(_SPACES)


def _is_empty(raw: ir.Value) -> ir.BooleanValue:
    """Null, blank or a null token (:data:`normalize.NULL_TOKENS`), after trimming. Only
    short cells or cells with white space around are trimmed (the others cannot be empty):
    a 10M-row id column is checked at a fraction of the cost of trimming every cell."""
    tokens = _null_tokens()
    text = raw.cast("string")
    short = text.length() <= max(len(t) for t in tokens)
    return raw.isnull() | (short & text.strip().isin(tokens)) | (_spaced(text) & (text.strip() == ""))


def _clean_text(raw: ir.Value, kind: ColumnType) -> ir.Value:
    """Trimmed text, null where empty (ids written as 12345.0 by a float column -> 12345)."""
    if kind == "float64":
        raw = ibis.ifelse(raw == raw.floor(), raw.cast("int64").cast("string"), raw.cast("string"))
    text = raw.cast("string")
    tokens = _null_tokens()
    short = max(len(t) for t in tokens)
    trimmed = text.strip()
    # A cell without white space around is its own trimmed text (the trimmed characters are
    # among _SPACES): only those with spaces are trimmed, and only short cells can be a null
    # token. Empty as in the file path (normalize.is_empty on the trimmed text).
    return ibis.cases((text.isnull(), ibis.null("string")),
                      (_spaced(text), ibis.ifelse(((trimmed.length() <= short) & trimmed.isin(tokens))
                                                  | (trimmed == ""), ibis.null("string"), trimmed)),
                      ((text.length() <= short) & text.isin(tokens), ibis.null("string")),
                      else_=text)


def _clean_by_distinct(raw: ir.Value, kind: ColumnType, pairs: list[Any] | None) -> ir.Value:
    """:func:`_clean_text` of a text column, evaluated by the engine on its distinct values
    only (``pairs``: (value, cleaned value)); the rows then need a ``CASE`` over the few values
    that cleaning changes (padded or empty-token cells), usually none: the column as stored.
    Exact because every row holds one of the distinct values read (the book is analysed as
    read when opened). Too many distinct values (``pairs`` None): the row-wise expression."""
    if pairs is None or kind != "string":
        return _clean_text(raw, kind)
    changed = {v: c for v, c in pairs if v is not None and c != v}
    if not changed:
        return raw
    return raw.cases(*((k, ibis.literal(v, type="string")) for k, v in changed.items()),
                     else_=raw)


def _case(raw: ir.Value, mapping: Mapping[Any, Any], dtype: str) -> ir.Value:
    if not mapping:
        return ibis.null(dtype)
    return raw.cases(*((k, ibis.literal(v, type=dtype)) for k, v in mapping.items()),
                     else_=ibis.null(dtype))


def _iso_date(text: str) -> dt.date | None:
    """The date an engine's ``CAST(SUBSTRING(text, 1, 10) AS DATE)`` gives for a plain ISO
    ``YYYY-MM-DD`` text, or an ISO date-time (``2024-01-31 12:30:00``, ``T`` or a space;
    the file path reads its date part), with ASCII digits and a real calendar day; else None."""
    if _ISO_DATE.fullmatch(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:  # 2024-02-30: the cast would fail; the CASE says what it is
        return None


def _plain_number(text: str) -> float | None:
    """The double an engine's ``CAST(text AS DOUBLE)`` gives for a plain decimal text
    (``-12``, ``1234.5``: correctly rounded by DuckDB, PostgreSQL and Spark as by Python's
    ``float``), else None."""
    return float(text) if _PLAIN_NUMBER.fullmatch(text) is not None else None


_ISO_TIME = r"([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}" + _ISO_TIME)
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")
# dtype -> the engine's plain cast of a text, as Python computes it (see _parsed_by_distinct)
_CASTS: dict[str, Callable[[str], Any]] = {"date": _iso_date, "float64": _plain_number}


def _same(a: Any, b: Any) -> bool:
    """Equal values, a float's sign of zero included (``repr`` tells 0.0 from -0.0)."""
    return repr(a) == repr(b) if isinstance(a, float) or isinstance(b, float) else bool(a == b)


def _parsed_by_distinct(raw: ir.Value, values: list[Any], parse: Callable[[pa.Array], tuple[Any, Any]],
                        dtype: str) -> tuple[ir.Value, ir.BooleanValue]:
    """(parsed value, unreadable flag) through the file path's parser applied to the distinct
    values (``parse`` returns (values, bad mask) as the normalize functions do).

    Every row holds one of ``values`` (all distinct values were read), so the row expression
    need only tell those values apart. A text date or number column whose values are mostly
    plain (``2024-01-31``, ``1234.5``: an all-text Parquet export) is the engine's own
    ``CAST`` for the values where that cast gives the parser's value, with a ``CASE`` branch
    for each other value only (other formats, empty and unreadable cells -> their parsed value
    or null): a ``CASE`` of thousands of branches per row, compiled into every query, made such
    a book 100 times slower than the typed one (docs/engines.md)."""
    texts = [v for v in values if v is not None]
    arr = pa.array([str(v) for v in texts], type=pa.string())
    parsed, bad = parse(arr)
    parsed = np.asarray(parsed, dtype=object)
    good: dict[Any, Any] = {}
    bad_values: list[Any] = []
    for v, p, b in zip(texts, parsed, np.asarray(bad, dtype=bool)):
        if b:
            bad_values.append(v)
        elif p is not None and not (isinstance(p, float) and np.isnan(p)) and p is not np.datetime64("NaT"):
            good[v] = _plain(p)
    if dtype == "string" and raw.type().is_string():
        # texts to texts (statuses): only the values the parser changes need a CASE; every
        # row holds one of ``values`` (all distinct values were read), so the others pass as
        # stored. Unreadable and empty values become null, as in _case.
        changed = {v: good.get(v) for v in texts if good.get(v) != v}
        value = raw if not changed else raw.cases(
            *((k, ibis.literal(v, type=dtype)) for k, v in changed.items()), else_=raw)
    elif dtype in _CASTS and raw.type().is_string():
        cast = _CASTS[dtype]
        plain = {v for v in texts if v in good and (c := cast(str(v))) is not None and _same(c, good[v])}
        if plain:
            # the other values (never cast: a CASE evaluates its ELSE only for rows it reaches)
            others = [v for v in texts if v not in plain]
            # a date-time text is cast from its date part (the first 10 characters)
            whole = dtype != "date" or all(len(str(v)) == 10 for v in plain)
            typed = (raw if whole else raw.cast("string").substr(0, 10)).cast(dtype)
            value = typed if not others else raw.cases(
                *((k, ibis.null(dtype) if good.get(k) is None else ibis.literal(good[k], type=dtype))
                  for k in others), else_=typed)
        else:
            value = _case(raw, good, dtype)
    else:
        value = _case(raw, good, dtype)
    flag = raw.isin(bad_values) if bad_values else ibis.literal(False)
    return value, flag


def _plain(p: Any) -> Any:
    if isinstance(p, np.datetime64):
        return None if np.isnat(p) else dt.date.fromisoformat(str(p.astype("datetime64[D]")))
    if hasattr(p, "to_pydatetime"):
        return p.to_pydatetime().date()
    if isinstance(p, (np.bool_,)):
        return bool(p)
    if isinstance(p, np.floating):
        return float(p)
    return p


def _dates(arr: pa.Array) -> tuple[Any, Any]:
    values, bad = normalize.parse_dates(arr)
    return np.array([None if v is None or str(v) == "NaT" else np.datetime64(v, "D") for v in values],
                    dtype=object), bad


def _column(raw: ir.Value, kind: ColumnType, spec: schema.ColumnSpec, table: str,
            distinct: Callable[..., list[Any] | None], distinct_categories: bool = False,
            stored: bool = False) -> tuple[ir.Value, ir.BooleanValue | None, str]:
    """(parsed canonical value, unreadable flag or None, reason code of that flag).

    ``stored``: ``raw`` holds cleaned texts (see ``as_stored`` in :func:`canonical`); an id,
    text or category column is then read as stored."""
    c = spec
    cleaned = c.kind == "id" or c.kind in ("text", "category") \
        and not (c.name == "status" and table == schema.CLAIMS) and c.name != "handled_by"
    if stored and cleaned and kind == "string":
        return raw, None, ""
    if distinct_categories and c.kind == "category" and cleaned and kind == "string":
        # few distinct values (channel, product, region…): cleaned once per value
        return _clean_by_distinct(raw, kind, distinct(lambda v: _clean_text(v, kind))), None, ""
    if cleaned:
        return _clean_text(raw, kind), None, ""
    if c.kind == "date":
        if kind in ("date", "timestamp"):
            return raw.cast("date"), None, ""
        values = distinct()
        if values is None:  # too many distinct texts: ISO dates (and date-times: the date) only
            text = raw.cast("string").strip()
            val = text.re_search(f"^{_ISO_DATE.pattern}$").ifelse(text.substr(0, 10).cast("date"),
                                                                  ibis.null("date"))
            return val, ~_is_empty(raw) & val.isnull(), schema.REASON_BAD_DATE
        val, bad = _parsed_by_distinct(raw, values, _dates, "date")
        return val, bad, schema.REASON_BAD_DATE
    if c.kind == "number":
        if kind in ("int64", "float64"):
            return raw.cast("float64"), None, ""
        values = distinct()
        if values is None:
            text = raw.cast("string").strip()
            val = text.re_search(_NUMBER).ifelse(text.cast("float64"), ibis.null("float64"))
            return val, ~_is_empty(raw) & val.isnull(), schema.REASON_BAD_NUMBER
        val, bad = _parsed_by_distinct(raw, values, normalize.parse_numbers, "float64")
        return val, bad, schema.REASON_BAD_NUMBER
    if c.kind == "bool":
        if kind == "boolean":
            return raw, None, ""
        values = distinct() or []
        val, bad = _parsed_by_distinct(raw, values, lambda a: (np.asarray(normalize.parse_bools(a)[0], dtype=object),
                                                               normalize.parse_bools(a)[1]), "boolean")
        return val, bad, schema.REASON_BAD_BOOL
    parse = (normalize.parse_policy_status if table == schema.POLICIES else
             normalize.parse_handled_by if c.name == "handled_by" else normalize.parse_claim_status)
    values = distinct() or []
    val, bad = _parsed_by_distinct(raw, values, parse, "string")
    return val, bad, schema.REASON_UNKNOWN_STATUS


def canonical(name: str, source: ir.Table, kinds: Mapping[str, ColumnType], mapping: ColumnMapping,
              fetch: Fetch, *, today: dt.date, references: Mapping[str, KnownIds],
              duplicates: bool, distinct_categories: bool = False,
              as_stored: frozenset[str] = frozenset()) -> Canonical:
    """Type ``source`` into the canonical columns of table ``name`` and flag each row's first
    rejection reason (same reasons and order as :func:`memberdesk.core.validation.validate_table`).

    ``references``: accepted ids of already checked tables (``member_id`` -> members table,
    ``policy_id`` -> policies table; :class:`KnownIds`) for the unknown-reference reasons. ``duplicates``: whether
    the id column holds duplicates (the costly window that picks the first row of each id is
    only built then; see :func:`memberdesk.core.engine.book.open_book`). ``distinct_categories``:
    clean category columns through their distinct values (:func:`_clean_by_distinct`; one
    ``DISTINCT`` query per column, cheap in a column store such as DuckDB, a full scan each in
    a row store such as PostgreSQL, so asked for DuckDB only). ``as_stored``: canonical
    columns whose texts are cleaned already, read as stored (cleaning a cleaned text gives it
    back: trimmed, never a null token, which became a null), not cleaned again row by row (a
    100M-row id column: ~6 s of CPU in every query that reads it) nor through their distinct
    values (a query each on opening): every column of a trusted book (written by ``memberdesk
    import`` under these same rules, ``book._stored_table``), or the id columns in which the
    validation scan counted no cell that cleaning changes (:data:`Canonical.cleaned_ids`).
    """
    spec = schema.TABLE_SPECS[name]
    out: dict[str, ir.Value] = {}
    flags: list[tuple[str, str, ir.BooleanValue]] = []
    for src, dst in mapping.mapped.items():
        if dst in out or src not in kinds:
            continue
        cspec = spec.column(dst)
        value, bad, reason = _column(source[src], kinds[src], cspec, name,
                                     functools.partial(fetch, source, src), distinct_categories,
                                     dst in as_stored)
        out[dst] = value
        if bad is not None:
            flags.append((reason, dst, bad.fill_null(False)))
    extras = [h for h in mapping.extras if h in kinds and h not in out]
    canon = Canonical(name, source, extras)
    id_col = spec.id_column
    if id_col and id_col in out:
        if spec.column(id_col).required:
            flags.append((schema.REASON_MISSING_ID, id_col, out[id_col].isnull()))
        if spec.column(id_col).unique and duplicates:
            order = [source[h] for h in mapping.columns if h in kinds]
            rank = ibis.row_number().over(group_by=out[id_col], order_by=order)
            flags.append((schema.REASON_DUPLICATE_ID, id_col, out[id_col].notnull() & (rank > 0)))
    _table_rules(name, out, flags, canon)
    for c in spec.columns:
        if c.nonnegative and c.name in out:
            flags.append((schema.REASON_NEGATIVE_AMOUNT, c.name, (out[c.name] < 0).fill_null(False)))
    for c in spec.columns:
        if c.kind == "date" and c.name in out:
            flags.append((schema.REASON_FUTURE_DATE, c.name, (out[c.name] > ibis.literal(today)).fill_null(False)))
    # Step 1: the typed columns and each row-wise rule as a boolean column.
    base: dict[str, ir.Value] = {**out, **{h: source[h] for h in extras}}
    # the source row as stored (engines read only the columns a query uses: free elsewhere)
    canon.originals = {f"_src{i}": h for i, h in enumerate(kinds) if h in source.columns}
    base |= {k: source[h] for k, h in canon.originals.items()}
    private = {h: k for k, h in canon.originals.items()}
    canon.cleaned_ids = {dst: private[src] for src, dst in mapping.mapped.items()
                         if out.get(dst) is not None and spec.column(dst).kind == "id"
                         and kinds.get(src) == "string" and src in private
                         and dst not in as_stored}
    named = [(r, col, f"_rule{i}") for i, (r, col, _) in enumerate(flags)]  # (reason, column, flag)
    inferred = {} if canon.inferred is None else {"_inferred": canon.inferred}
    t = source.select(**base, **{f"_rule{i}": f for i, (_, _, f) in enumerate(flags)}, **inferred)
    # Step 2: unknown member/policy against the accepted ids of the table checked before
    # (KnownIds.flag_unknown: an anti join, or bitmaps of numbered ids).
    for key, reason in (("member_id", schema.REASON_UNKNOWN_MEMBER),
                        ("policy_id", schema.REASON_UNKNOWN_POLICY)):
        if key in references and key in out and key != id_col:
            flag = f"_rule{len(named)}"
            t = references[key].flag_unknown(t, key, flag)
            named.append((reason, key, flag))
    named.sort(key=lambda f: _REASON_ORDER.index(f[0]))
    # the reason as its index in the file path's order (an integer is cheaper to count)
    reason = ibis.cases(*((t[f], ibis.literal(_REASON_ORDER.index(r), type="int16"))
                          for r, _, f in named),
                        else_=ibis.null("int16")) if named else ibis.null("int16")
    column = ibis.cases(*((t[f], ibis.literal(col)) for _, col, f in named), else_=ibis.null("string")) \
        if named else ibis.null("string")
    ok = ~ibis.or_(*(t[f] for _, _, f in named)) if named else ibis.literal(True)
    canon.table = t.select(*base, *inferred, _reason=reason, _column=column, _ok=ok)
    canon.reasons = sorted({_REASON_ORDER.index(r) for r, _, _ in named})
    return canon


def _table_rules(name: str, out: dict[str, ir.Value], flags: list[tuple[str, str, ir.BooleanValue]],
                 canon: Canonical) -> None:
    """Policy and claim rules (missing dates, end before issue, status inferred when empty)."""
    from memberdesk.core.validation import EVENT_DATES

    # the rows rejected before the status is inferred (parsing, ids), as the file path's
    # validate_table has flagged them when its table rules run
    earlier = [f for _, _, f in flags]
    when = EVENT_DATES.get(name)
    if when is not None and when in out:
        flags.append((schema.REASON_MISSING_DATE, when, out[when].isnull()))
    if name == schema.POLICIES:
        end = out.get("end_date", ibis.null("date"))
        inferred = ibis.ifelse(end.isnull(), "in_force", "lapsed")
        if "status" not in out:  # no column mapped to status (under any header)
            canon.messages.append(Note(Reason("policies_no_status_column"), schema.POLICIES))
        else:
            canon.inferred = out["status"].isnull() & ~ibis.or_(*earlier) if earlier \
                else out["status"].isnull()
            canon.inferred_code = "policies_status_inferred"
        out["status"] = out["status"].fill_null(inferred) if "status" in out else inferred
        issue = out.get("issue_date")
        no_issue = issue.isnull() if issue is not None else ibis.literal(True)
        if "duration" in out:
            no_issue = no_issue & out["duration"].isnull()
        flags.append((schema.REASON_MISSING_DATE, "issue_date", no_issue))
        if issue is not None or "end_date" in out:
            flags.append((schema.REASON_MISSING_DATE, "end_date",
                          end.isnull() & out["status"].isin(list(TERMINATED_STATUSES))))
        if issue is not None and "end_date" in out:
            flags.append((schema.REASON_END_BEFORE_ISSUE, "end_date", (end < issue).fill_null(False)))
    if name == schema.CLAIMS:
        if "reported_at" in out and "settled_at" in out:
            flags.append((schema.REASON_END_BEFORE_ISSUE, "settled_at",
                          (out["settled_at"] < out["reported_at"]).fill_null(False)))
        if "status" in out or True:
            settled = out.get("settled_at", ibis.null("date"))
            paid = out.get("amount_paid", ibis.literal(0.0)).fill_null(0.0) > 0
            inferred = ibis.ifelse(settled.isnull(), "open", ibis.ifelse(paid, "paid", "declined"))
            canon.inferred = out["status"].isnull() if "status" in out else ibis.literal(True)
            canon.inferred_code = "claims_status_inferred"
            canon.inferred_always = "status" not in out
            out["status"] = out["status"].fill_null(inferred) if "status" in out else inferred


# ---- the policy view -----------------------------------------------------------------------------

def _band(value: ir.NumericValue, bands: Sequence[tuple[float, float, str]]) -> ir.StringValue:
    return ibis.cases(*(((value >= lo) & (value < hi), ibis.literal(label))
                        for lo, hi, label in bands if hi != float("inf")),
                      *(((value >= lo), ibis.literal(label)) for lo, hi, label in bands
                        if hi == float("inf")),
                      else_=ibis.null("string"))


def end_date(policies: ir.Table) -> ir.DateValue:
    """The policies' ``end_date`` column, a null date when the table has none."""
    return policies.end_date if "end_date" in policies.columns else ibis.null("date")


def is_terminated(end: ir.DateValue, as_of: dt.date) -> ir.BooleanValue:
    """Terminated at as-of: an end date on or before it (never null)."""
    return (end.notnull() & (end <= ibis.literal(as_of))).fill_null(False)


def exit_status_of(status: ir.StringValue, terminated: ir.BooleanValue) -> ir.StringValue:
    """The exit status: the status (``other`` when marked in force) if terminated, else
    ``in_force``. :func:`exit_status_values` is the same rule on arrays (for aggregates that
    group by status and termination and name the exit status on the client)."""
    return ibis.ifelse(terminated, ibis.ifelse(status == "in_force", "other", status), "in_force")


def exit_status_values(status: np.ndarray, terminated: np.ndarray) -> np.ndarray:
    """:func:`exit_status_of` on arrays (object array of statuses, bool array)."""
    status = np.asarray(status, dtype=object)
    named = np.where(status == "in_force", "other", status)
    return np.where(np.asarray(terminated, dtype=bool), named, "in_force").astype(object)


def _event(status: ir.StringValue, terminated: ir.BooleanValue, exit_status: ir.StringValue,
           event_statuses: Sequence[str]) -> ir.IntegerValue:
    """1 when the exit status is among ``event_statuses``, else 0. Without ``in_force`` and
    ``other`` among them (the usual lapsed/surrendered) that is "terminated with a status among
    them" — the same rows (a terminated policy's exit status is its status, ``other`` for
    ``in_force``), tested on the status itself instead of the exit status's text CASE."""
    events = list(event_statuses)
    if "in_force" in events or "other" in events:
        return ibis.ifelse(exit_status.isin(events), 1, 0)
    return ibis.ifelse(terminated & status.isin(events), 1, 0)


def policy_view(policies: ir.Table, members: ir.Table | None, *, as_of: dt.date,
                event_statuses: Sequence[str], filters: Filters | None = None) -> ir.Table:
    """The windowed, filtered policies with the derived columns of
    :attr:`memberdesk.core.dataset.Dataset.policies`: ``exit_status``, ``duration_days``
    (whole days), ``event`` (0/1), ``issue_year``, ``issue_month`` (``YYYY-MM``),
    ``premium_band``, member attributes and ``age_at_issue`` / ``age_band``."""
    p = policies
    cut = ibis.literal(as_of)
    p = p.filter(p.issue_date.isnull() | (p.issue_date <= cut))
    if members is not None and "member_id" in p.columns:
        attrs = [c for c in ("gender", "region", "tier", "birth_date", "age", "join_date")
                 if c in members.columns and c not in p.columns]
        if attrs:
            m = members.select("member_id", *attrs).rename(_mid="member_id")
            p = p.left_join(m, p.member_id == m._mid).drop("_mid")
    end = end_date(p)
    terminated = is_terminated(end, as_of)
    exit_status = exit_status_of(p.status, terminated)
    stop = ibis.ifelse(terminated, end, cut)
    derived: dict[str, ir.Value] = {
        "exit_status": exit_status,
        "duration_days": stop.delta(p.issue_date, unit="day"),
        "event": _event(p.status, terminated, exit_status, event_statuses),
        "issue_year": p.issue_date.year(),
        "issue_month": p.issue_date.strftime("%Y-%m"),
    }
    if "annual_premium" in p.columns:
        derived["premium_band"] = _band(p.annual_premium, PREMIUM_BANDS)
    if "birth_date" in p.columns:
        derived["age_at_issue"] = (p.issue_date.delta(p.birth_date, unit="day") / 365.25).floor()
    elif "age" in p.columns:
        derived["age_at_issue"] = p.age
    if "age_at_issue" in derived:
        derived["age_band"] = _band(derived["age_at_issue"], AGE_BANDS)
    p = p.mutate(**derived)
    return p if filters is None else _filtered(p, filters)


def _filtered(p: ir.Table, f: Filters) -> ir.Table:
    if f.issue_from is not None:
        p = p.filter(p.issue_date >= ibis.literal(f.issue_from.date()))
    if f.issue_to is not None:
        p = p.filter(p.issue_date <= ibis.literal(f.issue_to.date()))
    for name in Filters.VALUE_FIELDS:
        values = getattr(f, name)
        if values and name in p.columns:
            p = p.filter(p[name].cast("string").isin(list(values)))
    return p


def in_window(table: str, t: ir.Table, as_of: dt.date) -> ir.Table:
    """Rows of ``table`` dated on or before as-of (undated rows kept), as Dataset._in_window."""
    col = WINDOW_DATE.get(table)
    if col is None or col not in t.columns:
        return t
    return t.filter(t[col].isnull() | (t[col] <= ibis.literal(as_of)))
