"""`memberdesk persistency`: 13th/25th-month persistency (继续率) on the status or collected basis
(docs/conventions.md, §5 Extensions).

    memberdesk persistency DATA... [--month 13|25] [--basis status|collected]
                           [--period month|quarter|year|rolling12] [--by COL] [--grace-days 60]
                           [--free-look-days 15] [--exclude-status STATUS,...] [--as-of DATE]
                           [--json]

The JSON object: ``{"as_of", "month", "basis", "period", "by", "grace_days", "rows": [{"period",
<--by column>, "cohort_policies", "cohort_premium", "persistency_premium", "persistency_count",
…}], "exclusions": {reason: {"policies", "premium"}}, "exclusions_period", "reconciliation"}``
— ``exclusions`` is the waterfall of the latest period; ``reconciliation`` (collected basis only)
sets the collected ratio beside the status basis, KM and the experience study for that cohort.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from memberdesk.analysis.collected_persistency import reconcile
from memberdesk.analysis.experience_exposure import TERMINATION_STATUSES
from memberdesk.analysis.persistency import BASES, PERIODS, PersistencyResult, persistency
from memberdesk.commands.common import (
    add_data_args,
    display_width,
    load_from_args,
    pad,
    print_json,
    resolve_column_names,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("persistency", help="13th/25th-month persistency (继续率) on the status "
                                           "or collected-premium basis")
    add_data_args(p)
    p.add_argument("--month", type=int, default=13, metavar="13|25",
                   help="policy month measured (default 13)")
    p.add_argument("--basis", choices=BASES, default="status",
                   help="status: annual premium in force; collected: premium collected "
                        "(needs a premium_payments table)")
    p.add_argument("--period", choices=PERIODS, default="rolling12",
                   help="evaluation periods (default rolling12)")
    p.add_argument("--by", metavar="COL", help="policy column to split by (e.g. channel)")
    p.add_argument("--grace-days", dest="grace_days", type=int, default=None, metavar="N",
                   help="collected basis: days after the due date a payment still counts "
                        "(default: --assumptions, else 60)")
    p.add_argument("--free-look-days", dest="free_look_days", type=int, default=None, metavar="N",
                   help="free-look (犹豫期) days: policies ended within them are excluded "
                        "(default: --assumptions, else 15)")
    p.add_argument("--exclude-status", dest="exclude_status", default="", metavar="STATUS,...",
                   help="further termination statuses excluded from the cohort (e.g. matured)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    resolve_column_names(args)
    if args.month < 2:
        return _usage("--month must be 2 or more (13 and 25 are usual)")
    if (args.grace_days or 0) < 0 or (args.free_look_days or 0) < 0:
        return _usage("--grace-days and --free-look-days cannot be negative")
    if args.grace_days is not None and args.basis != "collected":
        return _usage(f"--grace-days {args.grace_days}: grace days apply to the collected basis "
                      "(--basis collected); the status basis reads the policy status")
    exclude = [s.strip().lower() for s in args.exclude_status.split(",") if s.strip()]
    unknown = [s for s in exclude if s not in TERMINATION_STATUSES]
    if unknown:
        return _usage(f"--exclude-status: unknown status {', '.join(unknown)}; choose from "
                      f"{', '.join(TERMINATION_STATUSES)}")
    ds = load_from_args(args, extra_columns=[args.by] if args.by else [])
    options: dict[str, Any] = {"month": args.month, "free_look_days": args.free_look_days,
                               "grace_days": args.grace_days, "exclude_statuses": exclude}
    result = persistency(ds, period=args.period, by=args.by, basis=args.basis, **options)
    rec = reconcile(ds, period=args.period, **options) if args.basis == "collected" else None
    if args.json:
        out = result.to_json()
        out["reconciliation"] = None if rec is None else rec.to_json()
        print_json(out)
    else:
        print_table(result, sys.stdout)
        if rec is not None and rec.period is not None:
            sys.stdout.write(f"\nReconciliation, cohort of {rec.period} "
                             f"({rec.cohort_policies:,} policies)\n")
            for r in rec.table.to_dict("records"):
                sys.stdout.write(f"  {r['measure']:<24}{_pct(r['value']):>10}\n")
            for r in rec.explanations.to_dict("records"):
                sys.stdout.write(f"  {r['reason']:<24}{int(r['policies']):>10,}\n")
    return 0


def print_table(result: PersistencyResult, out: TextIO) -> None:
    """One line per period (and segment): cohort, premium and count ratios; then the
    exclusion waterfall of the latest period."""
    out.write(f"{result.month}-month persistency, {result.basis} basis, as of "
              f"{result.as_of.date().isoformat()}"
              + (f", grace {result.grace_days} days" if result.basis == "collected" else "")
              + "\n")
    frame = result.frame
    # the segment column as wide as its longest name (in terminal cells: 养老年金 takes 8), so a
    # long or Chinese name never runs into the cohort count
    seg = max([16, *(display_width(str(s)) + 2 for s in frame["segment"])])
    header = f"{'period':<18}{'segment':<{seg}}{'cohort':>9}{'premium':>16}{'by premium':>12}" \
             f"{'by count':>10}\n"
    out.write(header)
    for r in frame.to_dict("records"):
        out.write(f"{r['period']:<18}{pad(str(r['segment']), seg)}{int(r['cohort_count']):>9,}"
                  f"{r['cohort_premium']:>16,.2f}{_pct(r['ratio_premium']):>12}"
                  f"{_pct(r['ratio_count']):>10}\n")
    out.write("\nExclusions (latest period, whole book)\n")
    for reason, v in result.exclusions().items():
        out.write(f"  {reason:<24}{int(v['policies']):>9,}{v['premium']:>16,.2f}\n")


def _pct(value: Any) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if f != f else f"{100 * f:.2f}%"


def _usage(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return 2
