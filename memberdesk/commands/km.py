"""`memberdesk km DATA... [--by COL] [--duration COL --event-col COL] [--unit days|months]
[--json]` (DESIGN §5): Kaplan-Meier retention per segment with a log-rank test.

Default unit: months for insurer data, days (= the table's own unit) for a generic
``--duration/--event-col`` table.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from memberdesk.analysis.frames import default_unit
from memberdesk.analysis.survival import KMResult, km_by_segment
from memberdesk.commands.common import add_data_args, load_from_args, print_json
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import DataError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("km", help="Kaplan-Meier retention curves by segment",
                       description="Kaplan-Meier retention (event: lapse or surrender; other "
                                   "exits and policies in force are censored) per segment, "
                                   "with 95%% confidence intervals and a log-rank test.")
    add_data_args(p, generic=True)
    p.add_argument("--by", metavar="COL", help="segment column (e.g. channel, product)")
    p.add_argument("--unit", choices=("days", "months"),
                   help="time unit (default: months; for a generic --duration table the default is "
                        "its own unit, and months assumes its durations are days)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # only the --by column is needed among the unmapped ones: the others are not parsed
    ds = load_from_args(args, extra_columns=() if args.by is None else (args.by,))
    report_rejected_policies(ds)
    unit = args.unit or default_unit(ds)
    result = km_by_segment(ds, args.by, unit=unit)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result))
    return 0


def report_rejected_policies(ds: Dataset) -> None:
    """Say on stderr how many policy rows validation rejected (DESIGN §3: nothing is dropped
    silently); when every row was rejected, raise a DataError naming the first bad cell."""
    table = next((t for t in ds.report.tables if t.table == "policies"), None)
    if table is None or table.rejected == 0:
        return
    reasons = ", ".join(f"{k}: {v:,}" for k, v in table.reasons.items())
    rejected = ds.report.rejected
    first = rejected[rejected["table"] == "policies"].head(1).to_dict("records")
    where: dict[str, Any] = {}
    example = ""
    if first:
        r = first[0]
        where = {"file": r.get("file") or None, "row": None if r.get("row") is None else int(r["row"]),
                 "column": r.get("column") or None}
        example = f"{r.get('value')!r}: {r.get('detail') or r.get('reason')}"
    if table.accepted == 0:
        raise DataError(f"every policy row was rejected ({reasons}); first: {example}", **where)
    loc = DataError("", **where).location()
    print(f"memberdesk: note: {table.rejected:,} of {table.read:,} policy rows rejected and left "
          f"out ({reasons}); first at {loc}: {example}. `memberdesk validate` lists them.",
          file=sys.stderr)


def _time(x: float) -> str:
    return "not reached" if not np.isfinite(x) else f"{x:,.1f}"


def format_result(result: KMResult) -> str:
    """Readable summary: per group n, events, median (95% CI), survival at key times."""
    title = f"Kaplan-Meier retention{' by ' + result.by if result.by else ''} (time in {result.unit})"
    lines = [title, ""]
    width = max(12, *(len(c.name) + 2 for c in result.curves))
    header = f"{'group':<{width}}{'n':>10}{'events':>10}{'median':>14}  95% CI"
    lines += [header, "-" * (len(header) + 24)]
    for c in result.curves:
        ci = f"{_time(c.median_ci_lower)} – {_time(c.median_ci_upper)}"
        lines.append(f"{c.name:<{width}}{c.n:>10,.0f}{c.events:>10,.0f}{_time(c.median):>14}  {ci}")
    table = result.survival_at_times
    if len(table):
        lines += ["", f"Retention at {', '.join(f'{t:g}' for t in table['time'].unique())} {result.unit} "
                      "(survival [95% CI], at risk):"]
        for name, part in table.groupby("group", sort=False):
            cells = [f"{r.survival:.1%} [{r.ci_lower:.1%}, {r.ci_upper:.1%}] n={r.at_risk:,.0f}"
                     for r in part.itertuples()]
            lines.append(f"  {name:<{width}}" + "; ".join(cells))
    if result.logrank is not None:
        lr = result.logrank
        p = "< 0.001" if lr.p_value < 0.001 else f"= {lr.p_value:.3f}"
        lines += ["", f"Log-rank test: chi2 = {lr.test_statistic:.2f}, df = {lr.degrees_of_freedom}, p {p}"]
    return "\n".join(lines)
