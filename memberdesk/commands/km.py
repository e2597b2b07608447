"""`memberdesk km DATA... [--by COL] [--duration COL --event-col COL] [--unit days|months]
[--test logrank|wilcoxon|tarone|peto|fh:P,Q] [--entry COL | --study-start DATE]
[--keep-missing] [--json]` (docs/cli.md): Kaplan-Meier retention per segment with a test
between the segments.

Default unit: months for insurer data, days (= the table's own unit) for a generic
``--duration/--event-col`` table. Rows with no value in ``--by`` are left out, as R does, and
counted on stderr and in the JSON's ``excluded`` (``--keep-missing`` shows them as a
"(missing)" group). Delayed entry: ``--entry COL`` (generic tables: entry durations; rows with
exit <= entry are rejected with a reason) or ``--study-start DATE`` (insurer tables: policies
issued before it enter at their duration on that date; those ended on or before it are out of
window).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from memberdesk.analysis.frames import default_unit
from memberdesk.analysis.survival import KMResult, km_by_segment
from memberdesk.analysis.weighted_logrank import parse_test
from memberdesk.commands.common import (
    add_data_args,
    close_book,
    display_width,
    explain_empty_window,
    load_from_args,
    pad,
    parse_date_option,
    print_json,
    report_rejected_rows,
    resolve_column_names,
)
from memberdesk.core import labels
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("km", help="Kaplan-Meier retention curves by segment",
                       description="Kaplan-Meier retention (event: lapse or surrender; other "
                                   "exits and policies in force are censored) per segment, "
                                   "with log-log confidence intervals (95% unless the "
                                   "--assumptions file sets ci_level) and a log-rank test.")
    add_data_args(p, generic=True)
    p.add_argument("--by", metavar="COL", help="segment column (e.g. channel, product)")
    p.add_argument("--unit", choices=("days", "months"),
                   help="time unit (default: months; for a generic --duration table the default is "
                        "its own unit, and months assumes its durations are days)")
    p.add_argument("--test", default="logrank", metavar="TEST",
                   help="test between segments: logrank (default), wilcoxon, tarone, peto or "
                        "fh:P,Q (Fleming-Harrington; fh:1,0 = R survdiff rho = 1)")
    add_entry_args(p)
    p.add_argument("--keep-missing", dest="keep_missing", action="store_true",
                   help="show rows with no --by value as a '(missing)' group (default: left "
                        "out and counted, as R)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def add_entry_args(p: argparse.ArgumentParser) -> None:
    """``--entry COL`` / ``--study-start DATE`` (delayed entry), shared with ``decrements``."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--entry", metavar="COL",
                       help="generic tables: column of entry durations (delayed entry; the "
                            "record is at risk after it)")
    group.add_argument("--study-start", dest="study_start", metavar="YYYY-MM-DD",
                       help="insurer tables: start of the study window (policies issued before "
                            "it enter at their duration on that date)")


def apply_entry_args(args: argparse.Namespace, ds: Dataset) -> Dataset:
    """The Dataset with the study start of ``--study-start`` (exit 2 on a bad date)."""
    start = parse_date_option("--study-start", getattr(args, "study_start", None))
    if start is None:
        return ds
    return ds.with_study_start(start)


def usage_error(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return 2


def report_excluded(excluded: dict[str, int], by: str | None) -> None:
    """Say on stderr which records the analysis left out and why (never silently)."""
    words = {"missing_group": f"with no {by} value (left out, as R does; --keep-missing shows them)",
             "out_of_window": "ended on or before the study start (out of window)",
             "entry_missing": "rejected: entry time missing",
             "entry_negative": "rejected: entry time negative",
             "exit_not_after_entry": "rejected: exit not after entry (no time at risk)"}
    for reason, n in excluded.items():
        if n:
            print(f"memberdesk: note: {n:,} rows {words.get(reason, reason)}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    resolve_column_names(args)
    # only the --by/--entry columns are needed among the unmapped ones: the others are not parsed
    extra = tuple(c for c in (args.by, args.entry) if c is not None)
    try:
        spec = parse_test(args.test)
    except AnalysisError as exc:
        raise SystemExit(usage_error(str(exc))) from None
    generic = _generic_engine(args)  # (load_from_args reports the rows it rejected)
    loaded = generic or load_from_args(args, extra_columns=extra)
    try:
        ds = apply_entry_args(args, loaded)
        if generic is not None:
            report_rejected_policies(ds)
        unit = args.unit or default_unit(ds)
        with explain_empty_window(args):
            result = km_by_segment(ds, args.by, unit=unit, test=spec, entry=args.entry,
                                   missing="group" if args.keep_missing else "drop")
    finally:
        close_book(loaded)  # a database session ends with the command
    report_excluded(result.excluded, args.by)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result))
    return 0


def _generic_engine(args: argparse.Namespace) -> Dataset | None:
    """A generic ``--duration/--event-col`` table in an engine book (DuckDB, Parquet, ...):
    validated and counted by GROUP BY in the engine (:mod:`memberdesk.core.engine.generic`);
    None for files or insurer tables. Shared by ``cox`` and ``projection``."""
    from memberdesk.core.engine.urls import looks_like_engine

    if getattr(args, "duration", None) is None or getattr(args, "event_col", None) is None \
            or not any(looks_like_engine(d) for d in args.data):
        return None
    from memberdesk.commands.common import check_source_options, password_prompt, table_options
    from memberdesk.core.engine.connection import open_with_password
    from memberdesk.core.engine.generic import GenericUnsupported, open_generic

    check_source_options(args)
    columns = generic_columns(args)
    table = table_options(args).get("policies")
    try:
        ds = open_with_password(
            lambda password: open_generic(args.data, args.duration, args.event_col,
                                          getattr(args, "by", None), columns=columns,
                                          table=table, password=password),
            password_prompt())
    except GenericUnsupported as exc:
        raise SystemExit(usage_error(str(exc))) from None
    return ds


def generic_columns(args: argparse.Namespace) -> list[str]:
    """The columns of a generic engine table a command uses besides duration and event."""
    names = [getattr(args, "by", None), getattr(args, "entry", None),
             getattr(args, "cluster", None)]
    for option in ("covariates", "strata"):
        names += [c.strip() for c in (getattr(args, option, None) or "").split(",")]
    return [c for c in dict.fromkeys(names) if c]


def report_rejected_policies(ds: Dataset) -> None:
    """:func:`memberdesk.commands.common.report_rejected_rows` (the generic engine routes, which
    do not pass through ``load_from_args``)."""
    report_rejected_rows(ds)


TEST_NAMES = {"logrank": "Log-rank", "wilcoxon": "Wilcoxon (Gehan-Breslow)",
              "tarone": "Tarone-Ware", "peto": "Peto-Peto"}


def _time(x: float) -> str:
    return "not reached" if not np.isfinite(x) else f"{x:,.1f}"


def ci_label(alpha: float) -> str:
    """``"95% CI"`` for ``alpha`` = 0.05, ``"90% CI"`` for 0.10, ``"97.5% CI"`` for 0.025: the
    level the intervals were computed at (the assumptions' ``ci_level``)."""
    return f"{labels.ci_level_text(1 - alpha)} CI"


def format_result(result: KMResult) -> str:
    """Readable summary: per group n, events, median (with its CI at the level used), survival
    at key times."""
    title = f"Kaplan-Meier retention{' by ' + result.by if result.by else ''} (time in {result.unit})"
    lines = [title, ""]
    ci = ci_label(result.curves[0].alpha if result.curves else 0.05)
    width = max(12, *(display_width(c.name) + 2 for c in result.curves))
    header = f"{'group':<{width}}{'n':>10}{'events':>10}{'median':>14}  {ci}"
    lines += [header, "-" * (len(header) + 24)]
    for c in result.curves:
        interval = f"{_time(c.median_ci_lower)} – {_time(c.median_ci_upper)}"
        lines.append(f"{pad(c.name, width)}{c.n:>10,.0f}{c.events:>10,.0f}{_time(c.median):>14}  "
                     f"{interval}")
    table = result.survival_at_times
    if len(table):
        lines += ["", f"Retention at {', '.join(f'{t:g}' for t in table['time'].unique())} {result.unit} "
                      f"(survival [{ci}], at risk):"]
        for name, part in table.groupby("group", sort=False):
            cells = [f"beyond follow-up (last time observed {r.last_time:g})"
                     if getattr(r, "beyond_follow_up", False) else
                     f"{r.survival:.1%} [{r.ci_lower:.1%}, {r.ci_upper:.1%}] n={r.at_risk:,.0f}"
                     for r in part.itertuples()]
            lines.append(f"  {pad(str(name), width)}" + "; ".join(cells))
    if result.logrank is not None:
        lr = result.logrank
        p = "< 0.001" if lr.p_value < 0.001 else f"= {lr.p_value:.3f}"
        name = TEST_NAMES.get(lr.test, f"Fleming-Harrington {lr.test[3:]}")
        lines += ["", f"{name} test: chi2 = {lr.test_statistic:.2f}, df = {lr.degrees_of_freedom}, p {p}"]
    return "\n".join(lines)
