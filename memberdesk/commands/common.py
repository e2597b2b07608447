"""Arguments and loading shared by the sub-commands that read DATA."""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import re
import shlex
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason


def add_data_args(parser: argparse.ArgumentParser, *, generic: bool = False,
                  as_of: bool = True, assumptions: bool = True) -> None:
    """DATA and the options of reading it; ``assumptions=False`` for the commands that only
    read and check (validate, import), which no analysis assumption changes."""
    parser.add_argument("data", nargs="+", metavar="DATA",
                        help="data files (.csv .tsv .txt .xlsx .parquet) or folders of them, or a "
                             "database: duckdb://PATH, postgresql://USER@HOST:PORT/DB, spark:local[N], "
                             "sc://HOST:PORT (docs/engines.md)")
    parser.add_argument("--table", action="append", default=[], metavar="NAME=SCHEMA.TABLE",
                        help="with a database: the table holding NAME (policies, members, claims, "
                             "benefit_usage, service_contacts, premium_payments); repeatable")
    if as_of:
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                            help="observation cut-off (default: latest date in the data)")
    parser.add_argument("--encoding", metavar="NAME",
                        help="text encoding of CSV/TSV/TXT files (e.g. utf-8, gb18030, cp1252, "
                             "latin-1; default: detected over the whole file)")
    if assumptions:
        parser.add_argument("--assumptions", metavar="FILE.toml",
                            help="analysis assumptions (free-look/grace days, credibility, CI level, "
                                 "band cut-offs, Cox reference levels; docs/conventions.md)")
    if generic:
        parser.add_argument("--duration", metavar="COL",
                            help="read one generic survival table: COL holds durations")
        parser.add_argument("--event-col", dest="event_col", metavar="COL",
                            help="with --duration: COL holds 0/1 (or true/false) events")


def load_from_args(args: argparse.Namespace, *, extra_columns: Collection[str] | None = None,
                   lean: bool = False) -> Dataset:
    """Load DATA per the common arguments; raises DataError (exit 3) on unusable input.
    ``extra_columns``: the unmapped columns the command uses (None = keep all; see
    :func:`memberdesk.core.loader.load_dataset`); ``lean``: only the validation report is
    wanted (frames of ids and dates only)."""
    from memberdesk.core.loader import load_dataset

    quiet_library_warnings()
    duration = getattr(args, "duration", None)
    event_col = getattr(args, "event_col", None)
    if (duration is None) != (event_col is None):
        raise SystemExit(_usage("--duration and --event-col go together"))
    check_source_options(args)
    as_of = parse_date_option("--as-of", getattr(args, "as_of", None))
    encoding = encoding_option(args)
    assumptions = assumptions_option(args)
    from memberdesk.core.engine.urls import looks_like_engine
    if any(looks_like_engine(d) for d in args.data):  # analysed in the engine (issue #13)
        from memberdesk.core.engine.book import open_book
        from memberdesk.core.engine.connection import open_with_password
        if duration is not None:
            raise SystemExit(_usage("--duration/--event-col read files only, not a database"))
        tables = table_options(args)
        started = time.monotonic()
        book = open_with_password(
            lambda password: open_book(args.data, tables=tables, as_of=as_of, password=password),
            password_prompt())
        if getattr(args, "command", None) != "import":
            say_import_hint(book, time.monotonic() - started, args.data)
            if not lean:  # (validate lists the rejections itself)
                report_rejected_rows(book)
        return book if assumptions is None else book.with_assumptions(assumptions)
    ds = load_dataset(args.data, as_of=as_of, duration_col=duration, event_col=event_col,
                      extra_columns=extra_columns, encoding=encoding, lean=lean)
    if not lean and getattr(args, "command", None) != "import":  # (both list the rejections)
        report_rejected_rows(ds)
    ds = cap_as_of(ds, as_of)
    return ds if assumptions is None else ds.with_assumptions(assumptions)


# options that name policy (or member) columns, comma-separated lists included
_COLUMN_OPTIONS = ("by", "covariates", "strata", "cluster", "weight", "control", "experience_by",
                   "persistency_by")


_CANONICAL_SPELLING = re.compile(r"[a-z0-9_]+")


def resolve_column_names(args: argparse.Namespace) -> None:
    """Column options (``--by``, ``--covariates``, …) read through the header synonyms the
    readers map, as a note on stderr: ``--by 渠道`` or ``--by Channel`` names the canonical
    column ``channel`` that the 渠道 (Channel) header of the data became; it was "unknown column
    '渠道'". Left as given: names in canonical spelling (lower-case snake_case, as every canonical
    and derived column: ``exit_date`` is not the ``end_date`` its synonym would give), names no
    synonym matches (an extra column of the data), and the columns of a generic ``--duration``
    table, whose headers are not mapped."""
    from memberdesk.core.mapping import match_column

    if getattr(args, "duration", None) is not None:
        return
    for attr in _COLUMN_OPTIONS:
        value = getattr(args, attr, None)
        if not isinstance(value, str) or not value.strip():
            continue
        names = [n.strip() for n in value.split(",")]
        canonical = [n if not n or _CANONICAL_SPELLING.fullmatch(n) else
                     (match_column(n, "policies") or match_column(n, "members") or n)
                     for n in names]
        for given, name in zip(names, canonical):
            if name != given:
                print(f"memberdesk: note: --{attr.replace('_', '-')} {given} is read as "
                      f"{name}, the column that header becomes", file=sys.stderr)
        setattr(args, attr, ",".join(canonical))


def check_source_options(args: argparse.Namespace) -> None:
    """Options that the kind of DATA would silently ignore are usage errors (exit 2):
    ``--table`` with files only (their tables are found by name and headers), ``--encoding``
    with a database or Parquet files (their texts are stored decoded), ``--as-of`` with a generic
    ``--duration/--event-col`` table (it has no dates to cut off)."""
    from memberdesk.core.engine.urls import looks_like_engine

    engine = any(looks_like_engine(d) for d in args.data)
    if getattr(args, "table", None) and not engine:
        raise SystemExit(_usage(
            f"--table {args.table[0]}: --table maps the tables of a database (duckdb://, "
            "postgresql://, spark:); the tables of files are found by their names and headers"))
    if getattr(args, "encoding", None) and engine:
        raise SystemExit(_usage(f"--encoding {args.encoding}: the encoding of CSV/TSV/TXT files; "
                                "a database or a Parquet file stores its texts decoded"))
    if getattr(args, "as_of", None) is not None and getattr(args, "duration", None) is not None:
        raise SystemExit(_usage("--as-of cuts off dates; a generic table (--duration) "
                                "has none (its durations are analysed as given)"))


def table_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--table NAME=[SCHEMA.]TABLE`` options as canonical table -> table reference. A
    malformed option, or one table mapped twice (the last one won), is a usage error (exit 2)
    naming the option."""
    from memberdesk.core.engine.book import parse_table_options
    from memberdesk.core.errors import DataError

    items = list(getattr(args, "table", None) or [])
    try:
        tables = parse_table_options(items)
    except DataError as exc:
        raise SystemExit(_usage(exc.message)) from None
    names = [item.partition("=")[0].strip() for item in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SystemExit(_usage(f"--table maps {', '.join(twice)} more than once; give one "
                                "table for each"))
    return tables


@contextlib.contextmanager
def explain_empty_window(args: argparse.Namespace) -> Iterator[None]:
    """Around an analysis of policies: with ``--as-of``, "no policies to analyse" also names
    the other cause, every policy issued after that date (the analyses cannot tell an empty
    table from an empty window; the user reading "empty or missing" looked for a wrong file)."""
    try:
        yield
    except AnalysisError as exc:
        as_of = getattr(args, "as_of", None)
        if as_of is None or exc.reason is None or exc.reason.code != "no_policies":
            raise
        raise AnalysisError(Reason("no_policies_as_of", as_of=as_of)) from None


def report_rejected_rows(ds: Dataset, *, notes: bool = True) -> None:
    """Say on stderr, one line per table, how many rows validation rejected and left out of the
    analyses, with the first bad cell (docs/data-contract.md: nothing is dropped silently);
    when every policy row was rejected, raise a DataError naming the first bad cell (figures
    computed on no policy are not figures). ``notes=False``: only that check and the
    placeholder-dates notes (``import`` prints its own counts)."""
    from memberdesk.core.errors import DataError, location_text
    from memberdesk.core.validation_report import detail_text

    rejected = ds.report.rejected
    for table in ds.report.tables:
        if table.rejected == 0:
            continue
        reasons = ", ".join(f"{k}: {v:,}" for k, v in table.reasons.items())
        first = rejected[rejected["table"] == table.table].head(1).to_dict("records")
        where: dict[str, Any] = {}
        example = ""
        if first:
            r = first[0]
            sheet = r.get("sheet")
            where = {"file": r.get("file") or None,
                     "sheet": sheet if isinstance(sheet, str) and sheet else None,
                     "row": None if r.get("row") is None else int(r["row"]),
                     "column": r.get("column") or None}
            why = str(detail_text(r.get("detail")) or r.get("reason")).rstrip(".")
            example = f"{r.get('value')!r}: {why}"  # (an engine's detail is a whole sentence)
        if table.table == "policies" and table.accepted == 0:
            raise DataError(f"every policy row was rejected ({reasons}); first: {example}",
                            **where)
        if not notes:
            continue
        loc = location_text(**where)
        first_at = f"; first at {loc}: {example}" if first else ""  # an engine: counts only
        rows = "policy rows" if table.table == "policies" else f"{table.table} rows"
        print(f"memberdesk: note: {table.rejected:,} of {table.read:,} {rows} rejected and left "
              f"out ({reasons}){first_at}. `memberdesk validate` lists them.", file=sys.stderr)
    # kept rows the figures depend on, said by import too: dates that look like placeholders
    for message in ds.report.messages:
        reason = getattr(message, "reason", None)
        if reason is not None and reason.code == "dates_placeholder":
            print(f"memberdesk: note: {message}", file=sys.stderr)


def say_import_hint(ds: Dataset, seconds: float, data: Sequence[str]) -> None:
    """After a long validation scan of an engine book that `memberdesk import` did not write,
    say on stderr how to pay it once: an imported book stores its validation and opens
    without the scan (docs/engines.md "Trusted books")."""
    from memberdesk.core.book_writer import worth_saving

    if not worth_saving(ds, seconds):
        return
    source = " ".join(shlex.quote(d) for d in data)
    print(f"memberdesk: note: checking the book's rows took {seconds:,.0f} s; "
          f"`memberdesk import {source} -o BOOK.duckdb` checks them once, and "
          "`duckdb:///BOOK.duckdb` then opens without this scan", file=sys.stderr)


def close_book(ds: Dataset) -> None:
    """End the database session of an engine book (nothing for files)."""
    book = getattr(ds, "book", None)
    if book is not None:
        book.close()


def password_prompt() -> Callable[[str], str | None] | None:
    """How a command asks for a database password the server wants and neither ``PGPASSWORD``
    nor ``~/.pgpass`` gives: ``getpass`` (no echo, on the terminal, asked once) when stdin is a
    terminal; None otherwise (a scheduled run then exits 3 with a message naming both). The
    answer goes to the connection only: never printed, logged or written anywhere."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None

    def ask(where: str) -> str | None:
        import getpass

        try:
            return getpass.getpass(f"Password for {where}: ")
        except EOFError:  # Ctrl-D: no password (Ctrl-C stops the command, exit 130)
            return None

    return ask


def cap_as_of(ds: Dataset, as_of: Any) -> Dataset:
    """An ``--as-of`` after the last date in the data is capped there with a warning on
    stderr (issue 17 C.11: figures computed past the data are artefacts — the months without
    data look like persistency, the missing issues like a fall in new business)."""
    if as_of is None or ds.generic:
        return ds
    latest = Dataset.latest_date(ds.validated)
    asked = pd.Timestamp(as_of)
    if latest is None or asked <= latest:
        return ds
    print(f"memberdesk: warning: --as-of {asked.date().isoformat()} is after the last date in "
          f"the data ({latest.date().isoformat()}); the figures are as of "
          f"{latest.date().isoformat()}", file=sys.stderr)
    return ds.with_as_of(None)


def assumptions_option(args: argparse.Namespace) -> Any:
    """``--assumptions FILE.toml`` read and checked (None without the option); a file that
    cannot be read or holds a bad value is a data error naming it (exit 3)."""
    from memberdesk.core.assumptions import AssumptionsError, read_assumptions
    from memberdesk.core.errors import DataError

    path = getattr(args, "assumptions", None)
    if path is None:
        return None
    try:
        return read_assumptions(path)
    except OSError as exc:
        raise DataError(f"cannot read the assumptions file ({exc.strerror or exc})",
                        file=str(path)) from None
    except AssumptionsError as exc:
        raise DataError(f"the assumptions file is not valid: {exc}", file=str(path)) from None


def quiet_library_warnings() -> None:
    """No library warning (numpy's RuntimeWarning with its source path, pandas' FutureWarning)
    reaches the user of a command: warnings go to the ``memberdesk.warnings`` log at debug
    level, and to stderr only with ``MEMBERDESK_DEBUG=1``. Filters are untouched, so a test
    suite that turns warnings into errors still sees every one."""
    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        if os.environ.get("MEMBERDESK_DEBUG"):
            sys.stderr.write(text)
        else:
            logging.getLogger("memberdesk.warnings").debug(text.rstrip())

    warnings.showwarning = show


def parse_date_option(option: str, text: str | None) -> pd.Timestamp | None:
    """A date option (``--as-of``, ``--study-start``) as a Timestamp; a usage error (exit 2)
    when it is not one whole day between :data:`schema.MIN_DATE` and :data:`schema.MAX_DATE`:
    a month or a year alone (``2025-06`` would silently be 1 June, where a cut-off is usually
    the month's end) and a time of day are refused."""
    from memberdesk.core import schema

    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, OverflowError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise SystemExit(_usage(f"{option} {text!r} is not a date (YYYY-MM-DD)"))
    if _PARTIAL_DATE.fullmatch(str(text).strip()):
        raise SystemExit(_usage(f"{option} {text!r} is not a whole date: give the day too "
                                f"(YYYY-MM-DD, e.g. {stamp.date().isoformat()} or the month's "
                                f"last day {(stamp + pd.offsets.MonthEnd(0)).date().isoformat()})"))
    if stamp != stamp.normalize() or stamp.tzinfo is not None:
        raise SystemExit(_usage(f"{option} {text!r}: give a date (YYYY-MM-DD), not a time"))
    if not pd.Timestamp(schema.MIN_DATE) <= stamp <= pd.Timestamp(schema.MAX_DATE):
        raise SystemExit(_usage(f"{option} {text!r} is outside the dates MemberDesk handles "
                                f"({schema.MIN_DATE} to {schema.MAX_DATE})"))
    return stamp


# a year, or a year and month, without a day: 2025, 2025-06, 2025/6, 202506
_PARTIAL_DATE = re.compile(r"\d{4}([-/.]\d{1,2})?|\d{6}")


def encoding_option(args: argparse.Namespace) -> str | None:
    """``--encoding`` checked against Python's codecs (a usage error when unknown)."""
    from memberdesk.core.text_encoding import canonical_encoding

    name = getattr(args, "encoding", None)
    if name is None:
        return None
    try:
        canonical_encoding(name)
    except ValueError as exc:
        raise SystemExit(_usage(f"--encoding: {exc}")) from None
    return str(name)


def read_expected(path: str, basis: str = "policy_year") -> Any:
    """The expected-rate table of ``--expected`` (analysis.experience.read_expected_table);
    an empty file is a data error naming it (exit 3)."""
    from pathlib import Path

    from memberdesk.analysis.experience import read_expected_table
    from memberdesk.core.errors import DataError

    try:
        empty = not Path(path).read_bytes().strip()
    except OSError as exc:
        raise DataError(f"cannot read the expected-rate table ({exc.strerror or exc})",
                        file=str(path)) from None
    if empty:
        raise DataError("the expected-rate table is empty (it needs a header policy_year[, "
                        "segment columns], rate and one row per period)", file=str(path))
    return read_expected_table(path, basis=basis)


def _usage(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return 2


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to JSON-friendly Python values
    (NaN/NaT/inf -> None)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # Fast path for the long lists of plain Python numbers/texts (KM curves): checked by
        # type and finiteness in C loops instead of one recursive call per element.
        kinds = set(map(type, value))
        if kinds <= _PLAIN:
            if float not in kinds or _all_finite(value):
                return list(value)
            # plain values with some NaN/inf (a CI limit at a curve's end): those become null
            # in one comprehension, not a call per element
            isfinite = math.isfinite
            return [None if type(v) is float and not isfinite(v) else v for v in value]
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if not np.isfinite(f) else f
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    return value


_PLAIN = {str, int, bool, type(None), float}
_NUMBERS_OR_NULL = {float, int, type(None)}


def _all_finite(values: list[Any] | tuple[Any, ...]) -> bool:
    """No float in ``values`` is NaN or infinite (other values are not looked at)."""
    try:  # a list of numbers only (the usual case) in one C loop
        return all(map(math.isfinite, values))
    except (TypeError, OverflowError):  # None, a text or an int too big for a float among them
        return all(map(math.isfinite, (v for v in values if type(v) is float)))


def print_json(obj: Any) -> None:
    sys.stdout.write(dumps_indented(to_jsonable(obj)))
    sys.stdout.write("\n")


def dumps_indented(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=1)``, text for text, several times faster
    on long lists of numbers (the standard encoder formats them one Python call each when it
    indents; here a list of plain numbers is formatted by one ``map``)."""
    parts: list[str] = []
    _encode(obj, 0, parts)
    return "".join(parts)


def _encode(obj: Any, depth: int, out: list[str]) -> None:
    if isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        inner = "\n" + " " * (depth + 1)
        out.append("{")
        first = True
        for key, value in obj.items():
            out.append(inner if first else "," + inner)
            first = False
            out.append(json.dumps(key, ensure_ascii=False) if isinstance(key, str)
                       else json.dumps({key: None}, ensure_ascii=False)[1:-len(": null}")])
            out.append(": ")
            _encode(value, depth + 1, out)
        out.append("\n" + " " * depth + "}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
            return
        inner = "\n" + " " * (depth + 1)
        kinds = set(map(type, obj))
        if kinds <= _NUMBERS_OR_NULL and _all_finite(obj):
            # float.__repr__/int.__repr__ are what the json encoder writes for them; a missing
            # value (a CI limit at the start of a curve) is repr'd 'None', which no number's
            # text contains, and becomes 'null' in one replace over the joined text
            text = ("," + inner).join(map(repr, obj))
            if type(None) in kinds:
                text = text.replace("None", "null")
            out.append("[" + inner + text + "\n" + " " * depth + "]")
            return
        out.append("[")
        for i, value in enumerate(obj):
            out.append(inner if i == 0 else "," + inner)
            _encode(value, depth + 1, out)
        out.append("\n" + " " * depth + "]")
    else:
        out.append(json.dumps(obj, ensure_ascii=False))


def _number_text(value: float) -> str:
    """A float for a text table: four significant digits, whole numbers with thousands
    separators from 10,000 up (a cost of 650,600 read '6.506e+05')."""
    if value != value:
        return ""
    return f"{value:,.0f}" if abs(value) >= 1e4 and math.isfinite(value) else f"{value:,.4g}"


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal cells (right-aligned if asked): the
    columns of a text table stay aligned under Chinese segment names (``str.ljust`` counts a
    character as one cell)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def print_table(frame: pd.DataFrame, *, percent: Collection[str] = ()) -> None:
    """A result frame as aligned text for people (``percent`` columns as percentages)."""
    if frame.empty:
        print("(no rows)")
        return
    shown = frame.copy()
    for col in shown.columns:
        if col in percent:
            shown[col] = [("" if v is None or v != v else f"{float(v):.1%}") for v in shown[col]]
        elif pd.api.types.is_float_dtype(shown[col]):
            shown[col] = [_number_text(v) for v in shown[col]]
        elif pd.api.types.is_integer_dtype(shown[col]) and "year" not in str(col):
            shown[col] = [f"{v:,}" for v in shown[col]]  # counts: 3,974 (a year stays 2024)
    with pd.option_context("display.unicode.east_asian_width", True):  # 百万医疗 takes 8 cells
        print(shown.to_string(index=False))
