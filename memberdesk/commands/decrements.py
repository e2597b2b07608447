"""`memberdesk decrements DATA... [--by COL] [--as-of DATE] [--entry COL | --study-start DATE]
[--duration COL --cause-col COL [--cause-labels 1=lapsed,2=death]] [--unit days|months] [--json]`
(docs/cli.md Extensions): competing exits as Aalen-Johansen cumulative incidence per cause, and
Gray's test of each cause across the ``--by`` groups.

Insurer data: causes are the exit statuses (lapsed, surrendered, death, matured, other; in force
is censored). A generic table gives durations with ``--duration COL`` and causes with
``--cause-col COL``: 0 = censored, other codes = causes, named by ``--cause-labels`` (default:
the codes themselves). Rows whose duration is missing, not a number or negative, or whose cause
code is missing, not a whole number or negative, or has no label when labels are given, are
rejected with a reason, counted on stderr (never silently).

JSON: ``{"unit", "by", "causes", "groups": [{"name", "timeline", "survival", "causes": {cause:
{"cif", "ci_lower", "ci_upper"}}}], "gray_test": [{"cause", "statistic", "df", "p_value"}]}``;
``gray_test`` present when ``--by`` gives two or more groups (not with delayed entry, which
Gray's test does not support); ``excluded`` ({reason: rows}) when rows were left out.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.analysis.competing import CompetingRisksResult, cumulative_incidence
from memberdesk.commands.common import (
    add_data_args,
    check_source_options,
    display_width,
    encoding_option,
    explain_empty_window,
    load_from_args,
    pad,
    print_json,
    resolve_column_names,
)
from memberdesk.commands.km import add_entry_args, apply_entry_args, report_excluded, usage_error
from memberdesk.core.errors import DataError

CENSORED = "in_force"
SHOWN_MONTHS = (12, 24, 36, 60)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("decrements", help="competing exits: cumulative incidence per cause",
                       description="Cumulative incidence of each exit cause (Aalen-Johansen), "
                                   "overall or per segment, with Gray's test across segments.")
    add_data_args(p, generic=False)
    p.add_argument("--by", metavar="COL", help="segment column (e.g. channel)")
    p.add_argument("--duration", metavar="COL", help="generic table: column of durations")
    p.add_argument("--cause-col", dest="cause_col", metavar="COL",
                   help="generic table: column of cause codes (0 = censored)")
    p.add_argument("--cause-labels", dest="cause_labels", metavar="1=lapsed,2=death",
                   help="names of the cause codes")
    p.add_argument("--unit", choices=("days", "months"),
                   help="time unit (default: months for insurer data; a generic table's own unit)")
    add_entry_args(p)
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def parse_labels(text: str | None) -> dict[int, str]:
    """``1=lapsed,2=death`` to {1: "lapsed", 2: "death"} (exit 2 when malformed)."""
    if not text:
        return {}
    out: dict[int, str] = {}
    for part in text.split(","):
        code, sep, name = part.partition("=")
        try:
            key = int(code.strip())
        except ValueError:
            key = -1
        if not sep or key <= 0 or not name.strip() or name.strip() == CENSORED:
            raise SystemExit(usage_error(f"--cause-labels: {part!r} is not CODE=NAME with a code >= 1"))
        out[key] = name.strip()
    return out


def run(args: argparse.Namespace) -> int:
    resolve_column_names(args)
    if (args.duration is None) != (args.cause_col is None):
        raise SystemExit(usage_error("--duration and --cause-col go together"))
    if args.cause_labels and args.cause_col is None:
        raise SystemExit(usage_error("--cause-labels names the codes of a generic table's "
                                     "--cause-col; insurer tables name their exits by status"))
    if args.cause_col is not None:
        if args.study_start is not None:
            raise SystemExit(usage_error("--study-start needs insurer tables; use --entry COL"))
        check_source_options(args)
        frame, causes = generic_frame(args)
        result = cumulative_incidence(frame, by=args.by, causes=causes,
                                      unit=args.unit or "days", entry=args.entry)
    else:
        extra = tuple(c for c in (args.by, args.entry) if c is not None)
        ds = apply_entry_args(args, load_from_args(args, extra_columns=extra))
        with explain_empty_window(args):
            result = cumulative_incidence(ds, by=args.by, unit=args.unit, entry=args.entry)
    report_excluded(result.excluded, args.by)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result))
    return 0


def generic_frame(args: argparse.Namespace) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The generic table as duration / exit_status (/ by / entry) with causes named."""
    labels = parse_labels(args.cause_labels)
    from memberdesk.core.engine.urls import looks_like_engine

    if any(looks_like_engine(d) for d in args.data):
        return _engine_frame(args, labels)
    raw = _read_table(args.data, [c for c in (args.duration, args.cause_col, args.by, args.entry) if c],
                      encoding=encoding_option(args))
    duration = pd.to_numeric(raw[args.duration], errors="coerce").to_numpy(dtype=float)
    code = pd.to_numeric(raw[args.cause_col], errors="coerce").to_numpy(dtype=float)
    reason = np.full(len(raw), "", dtype=object)
    whole = np.isfinite(code) & (code == np.round(code))
    reason[whole & (code > 0) & bool(labels) & ~np.isin(code, list(labels))] = "cause_unlabelled"
    reason[~whole | (code < 0)] = "cause_invalid"
    reason[~np.isfinite(duration) | (duration < 0)] = "duration_invalid"
    bad = reason != ""
    for r in ("duration_invalid", "cause_invalid", "cause_unlabelled"):
        n = int((reason == r).sum())
        if n:
            first = int(np.flatnonzero(reason == r)[0]) + 2  # + header line, 1-based
            print(f"memberdesk: note: {n:,} rows rejected ({r}); first at row {first}",
                  file=sys.stderr)
    if bad.all():
        raise DataError(f"no usable row: every row has a bad {args.duration!r} or {args.cause_col!r}",
                        column=args.cause_col)
    extras = [(col, raw[col].to_numpy()[~bad]) for col in (args.by, args.entry) if col is not None]
    return _exit_frame(duration[~bad], code[~bad].astype(np.int64), extras, labels, args.entry)


def _engine_frame(args: argparse.Namespace, labels: dict[int, str]
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """:func:`generic_frame` for a table in an engine (DuckDB, Parquet, PostgreSQL, Spark):
    validated with the same rules and counted by duration x cause (x --by, --entry) there
    (:func:`memberdesk.core.engine.generic.decrement_records`); the rejected rows are counted
    by reason (no row number: a table has none)."""
    from memberdesk.commands.common import password_prompt, table_options
    from memberdesk.core.engine.connection import open_with_password
    from memberdesk.core.engine.generic import GenericUnsupported, decrement_records

    columns = [c for c in dict.fromkeys((args.by, args.entry)) if c]
    table = table_options(args).get("policies")
    try:
        got = open_with_password(
            lambda password: decrement_records(args.data, args.duration, args.cause_col, labels,
                                               columns, table=table, password=password),
            password_prompt())
    except GenericUnsupported as exc:
        raise SystemExit(usage_error(str(exc))) from None
    for reason, n in got.rejected.items():
        print(f"memberdesk: note: {n:,} rows rejected ({reason}) in {got.where}", file=sys.stderr)
    frame = got.frame
    if len(frame) == 0:
        raise DataError(f"no usable row: every row has a bad {args.duration!r} or {args.cause_col!r}",
                        column=args.cause_col)
    return _exit_frame(frame["duration"].to_numpy(dtype=float),
                       frame["code"].to_numpy(dtype=np.int64),
                       [(col, frame[col].to_numpy()) for col in columns], labels, args.entry)


def _exit_frame(duration: np.ndarray, codes: np.ndarray, extras: list[tuple[str, np.ndarray]],
                labels: dict[int, str], entry: str | None
                ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The accepted rows as duration / exit_status (cause code 0 = censored, else its label or
    the code as text) and ``extras`` (``entry`` read as numbers), with the causes named (the
    labels' order when given, else the codes seen)."""
    names = {c: labels.get(c, str(c)) for c in sorted(set(codes[codes > 0].tolist()))}
    status = np.array([CENSORED if c == 0 else names[c] for c in codes], dtype=object)
    out = pd.DataFrame({"duration": duration, "exit_status": status})
    for col, values in extras:
        out[col] = values
    if entry is not None:
        out[entry] = pd.to_numeric(out[entry], errors="coerce")
    causes = tuple(labels[c] for c in sorted(labels)) if labels else tuple(names.values())
    return out, causes


def _read_table(paths: list[str], columns: list[str], encoding: str | None = None
                ) -> pd.DataFrame:
    """The first table of DATA holding every one of ``columns`` (headers compared without
    case), as text; missing-value tokens become missing. ``encoding``: of text files (None =
    detected)."""
    from memberdesk.core.identify import read_files

    result = read_files([Path(p) for p in paths], encoding=encoding)
    wanted = [c.strip().lower() for c in columns]
    for table in result.tables:
        frame = table.data.to_pandas()
        lookup = {str(h).strip().lower(): h for h in frame.columns}
        if all(w in lookup for w in wanted):
            picked = frame[[lookup[w] for w in wanted]]
            picked.columns = columns
            return picked.astype(object).replace({"": None, "NA": None, "N/A": None, "NaN": None, "null": None,
                                   "NULL": None, "None": None, "-": None, "#N/A": None})
    raise DataError(f"no table of {', '.join(paths)} has the columns {', '.join(columns)}")


def format_result(result: CompetingRisksResult) -> str:
    """Cumulative incidence per cause at 1/2/3/5 years (or the unit's equivalents) and Gray's
    test per cause."""
    per_year = 12.0 if result.unit == "months" else 365.25
    times = [m / 12 * per_year for m in SHOWN_MONTHS]
    lines = [f"Cumulative incidence by cause{' by ' + result.by if result.by else ''} "
             f"(time in {result.unit})", ""]
    at = result.at_times(times)
    # the cause column as wide as its longest label, in terminal cells (--cause-labels 1=退保)
    width = max([14, *(display_width(str(c)) + 2 for c in at["cause"].unique()),
                 *(display_width(g.cause) + 2 for g in result.gray_test or ())])
    for group, part in at.groupby("group", sort=False):
        lines.append(f"{group}:")
        for cause, rows in part.groupby("cause", sort=False):
            cells = ", ".join(f"{t:g}: {v:.1%}" for t, v in zip(rows["time"], rows["cif"]))
            lines.append(f"  {pad(str(cause), width)}{cells}")
    if result.gray_test:
        lines += ["", "Gray's test (equal cumulative incidence across groups):"]
        for g in result.gray_test:
            if not np.isfinite(g.statistic):  # (e.g. a cause with events in one group only)
                lines.append(f"  {pad(g.cause, width)}not computed for this cause")
                continue
            p = "< 0.001" if g.p_value < 0.001 else f"= {g.p_value:.3f}"
            lines.append(f"  {pad(g.cause, width)}chi2 = {g.statistic:.2f}, "
                         f"df = {g.degrees_of_freedom}, p {p}")
    return "\n".join(lines)
