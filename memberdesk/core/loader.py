"""Load files into a validated :class:`~memberdesk.core.dataset.Dataset` (docs/data-contract.md–§4).

The load path runs one way, each file once: read (:mod:`memberdesk.core.readers`) -> identify the
header row and the table (:mod:`memberdesk.core.identify`) -> map columns
(:mod:`memberdesk.core.mapping`) -> validate (:mod:`memberdesk.core.validation`) -> the Dataset.
Two steps here, so the import wizard can show and edit the mappings in between:

1. :func:`read_sources` reads and identifies every file and sheet and proposes a
   :class:`ColumnMapping` for each table found;
2. :func:`load_from_sources` applies the (possibly edited) mappings, validates every table and
   builds the Dataset with its :class:`ValidationReport`.

:func:`load_dataset` does both. Only the policies table is required.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from memberdesk.core import schema
from memberdesk.core.dataset import WINDOW_DATE, Dataset
from memberdesk.core.errors import DataError
from memberdesk.core.identify import read_files
from memberdesk.core.mapping import ColumnMapping, auto_map, header_signature, normalise_header
from memberdesk.core.progress import Progress, SubProgress, check_cancelled, ensure
from memberdesk.core.readers import RawTable
from memberdesk.core.reasons import Note, Reason
from memberdesk.core.validation import assemble, validate_table
from memberdesk.core.validation_report import REJECTED_COLUMNS, ValidationReport

# Validation order: referenced tables first.
_ORDER = (schema.MEMBERS, schema.POLICIES, schema.CLAIMS, schema.BENEFIT_USAGE,
          schema.SERVICE_CONTACTS, schema.PREMIUM_PAYMENTS)


@dataclass
class Source:
    """One table read from a file or sheet, with the mapping that will be applied to it
    (``mapping`` is None when the table matched no canonical table)."""

    raw: RawTable
    mapping: ColumnMapping | None

    @property
    def signature(self) -> str:
        return header_signature(self.raw.headers)


@dataclass
class Sources:
    """Everything read from the given paths, before validation."""

    paths: tuple[str, ...]
    items: list[Source] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _pick_mapping(raw: RawTable, mappings: Mapping[str, ColumnMapping] | None) -> ColumnMapping | None:
    """A user mapping for this table (keyed by header signature, ``file [sheet]`` or file),
    else the automatic one."""
    if mappings:
        for key in (header_signature(raw.headers), raw.source, raw.file, Path(raw.file).name):
            if key in mappings:
                m = mappings[key]
                columns = {h: m.columns.get(h) for h in raw.headers}
                return ColumnMapping(m.table, columns, header_signature(raw.headers))
    return None if raw.table is None else auto_map(raw.headers, raw.table)


def read_sources(paths: Sequence[str | Path], *, mappings: Mapping[str, ColumnMapping] | None = None,
                 progress: Progress | None = None, encoding: str | None = None,
                 include_hidden: bool = False) -> Sources:
    """Read every file (folders expanded) and propose a mapping for each table found.
    ``encoding``: the text encoding the user chose for CSV/TSV/TXT files (None = detect);
    ``include_hidden``: read hidden workbook sheets too.

    Raises :class:`DataError` for a file that cannot be read at all.
    """
    result = read_files(paths, progress, encoding, include_hidden)
    sources = Sources(tuple(str(p) for p in paths), messages=list(result.messages))
    for raw in result.tables:
        source = Source(raw, _pick_mapping(raw, mappings))
        sources.items.append(source)
        sources.messages += _synonym_clashes(source)
    return sources


def _synonym_clashes(source: Source) -> list[str]:
    """Messages for headers that name a column another header already supplies (two premium
    synonyms): the first is used, the others are kept as extra columns — said, not silent."""
    m = source.mapping
    if m is None:
        return []
    taken = {dst: src for src, dst in m.mapped.items()}
    out: list[str] = []
    for header in m.extras:
        canonical = auto_map([header], m.table).mapped.get(header)
        if canonical is not None and canonical in taken and taken[canonical] != header:
            out.append(Note(Reason("headers_name_same_column", used=taken[canonical], other=header,
                                   column=canonical), source.raw.source))
    return out


def load_dataset(paths: Sequence[str | Path], *, as_of: pd.Timestamp | None = None,
                 mappings: Mapping[str, ColumnMapping] | None = None, duration_col: str | None = None,
                 event_col: str | None = None, today: dt.date | None = None,
                 extra_columns: Collection[str] | None = None,
                 progress: Progress | None = None, encoding: str | None = None,
                 lean: bool = False) -> Dataset:
    """Read, map and validate ``paths`` into a Dataset.

    Parameters
    ----------
    paths
        Files (.csv .tsv .txt .xlsx .parquet) or folders of them.
    as_of
        Observation cut-off; None = the latest date in the data.
    mappings
        User mappings keyed by header signature, ``file [sheet]`` or file path/name.
    duration_col, event_col
        Read one generic survival table: source column names holding durations (any unit) and
        0/1 or true/false events.
    today
        Dates after it are rejected as typos (default: the computer's date).
    extra_columns
        Unmapped source columns to keep (None = all): a caller that uses only some of them
        (``memberdesk km --by COL``) skips parsing the rest. Ignored (all kept) when a name is
        neither a source header nor a canonical column found in the data, e.g. a derived
        column such as ``premium_band`` that may be built from an extra column.
    encoding
        Text encoding of CSV/TSV/TXT files (None = detected over each whole file).
    lean
        For the validation report only (``memberdesk validate``): the frames keep ids and
        dates only (see :func:`~memberdesk.core.validation.validate_table`).
    """
    sources = read_sources(paths, mappings=mappings, progress=SubProgress(progress, 0.0, 0.5),
                           encoding=encoding)
    return load_from_sources(sources, as_of=as_of, duration_col=duration_col, event_col=event_col,
                             today=today, extra_columns=extra_columns,
                             progress=SubProgress(progress, 0.5, 1.0), lean=lean)


def load_from_sources(sources: Sources, *, as_of: pd.Timestamp | None = None,
                      duration_col: str | None = None, event_col: str | None = None,
                      today: dt.date | None = None, extra_columns: Collection[str] | None = None,
                      progress: Progress | None = None, lean: bool = False) -> Dataset:
    """Validate already read sources (with their possibly edited mappings) into a Dataset
    (``extra_columns``: see :func:`load_dataset`)."""
    today = today or dt.date.today()
    prog = ensure(progress)
    report = ValidationReport(messages=list(sources.messages))
    generic = duration_col is not None or event_col is not None
    if generic:
        groups = {schema.POLICIES: [_generic_part(sources, duration_col, event_col)]}
    else:
        groups = _group_parts(sources, report)
    validated: dict[str, pd.DataFrame] = {}
    rejected: list[pd.DataFrame] = []
    references: dict[str, pd.Index] = {}
    todo = [t for t in _ORDER if t in groups]
    for i, table in enumerate(todo):
        check_cancelled(progress)
        prog.status(f"Checking {table}")
        data = assemble(table, groups[table], keep_extras=_extras_to_keep(groups, extra_columns))
        if table == schema.POLICIES and not generic and "issue_date" not in data.columns \
                and {"duration", "event"} <= set(data.columns):
            generic = True  # a policies table of precomputed durations and events (docs/data-contract.md)
            report.messages.append(Note(Reason("read_as_generic"), schema.POLICIES))
        problem = _missing_columns(table, data.columns.keys(), generic)
        if problem is not None:
            where = ", ".join(data.files)
            if table == schema.POLICIES:
                raise DataError(Note(problem), file=where)
            report.messages.append(Note(Reason("table_lacks_id_skipped", table=table,
                                               **dict(problem.params)), where))
            continue
        result = validate_table(data, today=today, references=references, generic=generic,
                                lean=lean)
        del data
        validated[table] = result.frame
        report.tables.append(result.report)
        report.messages += result.messages
        if len(result.rejected):
            rejected.append(result.rejected)
        if table == schema.MEMBERS:
            references["member_id"] = pd.Index(result.frame["member_id"])
        if table == schema.POLICIES:
            references["policy_id"] = pd.Index(result.frame["policy_id"])
        prog.fraction((i + 1) / len(todo))
    if schema.POLICIES not in validated:
        found = ", ".join(sorted(validated)) or "no table"
        raise DataError(Note(Reason("no_policies_table", found=found)),
                        file=", ".join(sources.paths))
    if rejected:
        frame = pd.concat(rejected, ignore_index=True)  # the rows' own cells after the reason
        report.rejected = frame.reindex(columns=[*REJECTED_COLUMNS, *(
            c for c in frame.columns if c not in REJECTED_COLUMNS)])
    if as_of is None:
        as_of = Dataset.latest_date(validated) if not generic else None
    as_of = pd.Timestamp(as_of if as_of is not None else today).normalize()
    ds = Dataset(validated=validated, as_of=as_of, report=report, generic=generic,
                 sources=tuple(dict.fromkeys(str(s.raw.file) for s in sources.items)))
    for t in report.tables:
        t.out_of_window = _out_of_window(ds, t.table)
    return ds


def _extras_to_keep(groups: Mapping[str, list[tuple[RawTable, ColumnMapping]]],
                    wanted: Collection[str] | None) -> set[str] | None:
    """The extra columns to keep: ``wanted`` when every name in it is a source header or a
    canonical column found in the data, else None (keep all: the name may be derived from an
    extra column, or be unknown, and the error then lists every column)."""
    if wanted is None:
        return None
    known = {h for parts in groups.values() for raw, _ in parts for h in raw.headers}
    known |= {c for parts in groups.values() for _, m in parts for c in m.mapped.values()}
    return set(wanted) if set(wanted) <= known else None


def _out_of_window(ds: Dataset, table: str) -> int:
    """Same count as :meth:`Dataset.out_of_window` (accepted rows dated after the as-of date;
    none for generic data), without building the windowed copy of the table (~0.1 s at 1M
    rows)."""
    frame = ds.validated.get(table)
    col = WINDOW_DATE[table]
    if frame is None or ds.generic or col not in frame.columns:
        return 0
    dates = frame[col]
    return int((dates.notna() & (dates > ds.as_of)).sum())


def _group_parts(sources: Sources, report: ValidationReport) -> dict[str, list[tuple[RawTable, ColumnMapping]]]:
    groups: dict[str, list[tuple[RawTable, ColumnMapping]]] = {}
    unmatched = []
    for s in sources.items:
        if s.mapping is None or not s.mapping.mapped:
            unmatched.append(s.raw)
            continue
        groups.setdefault(s.mapping.table, []).append((s.raw, s.mapping))
    for raw in unmatched:
        headers = ", ".join(raw.headers[:12])
        if len(sources.items) == 1 or not groups:
            raise DataError(Note(Reason("table_not_identified", headers=headers)), file=raw.file,
                            sheet=raw.sheet)
        report.messages.append(Note(Reason("table_not_identified_skipped", headers=headers),
                                    raw.source))
    return groups


def _missing_columns(table: str, columns: object, generic: bool) -> Reason | None:
    """What ``table`` lacks to be validated (its required id column; for policies, an issue
    date or a duration), as the policies' error; None when nothing is missing."""
    have = set(columns)  # type: ignore[call-overload]
    spec = schema.TABLE_SPECS[table]
    if generic:
        return None
    if spec.id_column and spec.column(spec.id_column).required and spec.id_column not in have:
        synonyms = [s for s in spec.column(spec.id_column).synonyms if not s.isascii()][:2]
        return Reason("policies_lack_id", id_column=spec.id_column, synonyms=" / ".join(synonyms))
    if table == schema.POLICIES and not {"issue_date", "duration"} & have:
        return Reason("policies_lack_dates")
    return None


def _generic_part(sources: Sources, duration_col: str | None,
                  event_col: str | None) -> tuple[RawTable, ColumnMapping]:
    """Generic survival data: the one table holding both named columns, loaded as policies with
    ``duration`` and ``event``; a policy id column is used if recognised, every other column is
    kept under its own name."""
    if duration_col is None or event_col is None:
        raise DataError(Note(Reason("generic_needs_both")))
    wanted = (normalise_header(duration_col), normalise_header(event_col))
    for s in sources.items:
        norm = {normalise_header(h): h for h in s.raw.headers}
        if all(w in norm for w in wanted):
            dur, ev = norm[wanted[0]], norm[wanted[1]]
            auto = auto_map(s.raw.headers, schema.POLICIES)
            pid = auto.source_of("policy_id")
            columns = {h: ("duration" if h == dur else "event" if h == ev
                           else "policy_id" if h == pid else None) for h in s.raw.headers}
            return s.raw, ColumnMapping(schema.POLICIES, columns, header_signature(s.raw.headers))
    headers = "; ".join(f"{s.raw.source}: {', '.join(s.raw.headers[:12])}" for s in sources.items)
    raise DataError(Note(Reason("generic_no_table", duration=duration_col, event=event_col,
                                headers=headers)), file=", ".join(sources.paths))
