"""`memberdesk claims DATA... [--by COL] [--as-of DATE] [--json]`.

Claim settlement: Kaplan-Meier time from report to settlement (open claims censored at the
as-of date; median and the share settled within 5/10/30 days) and paid ratios, overall and per
segment, as on the Claims page and its sheet (docs/cli.md). ``--json`` prints
:meth:`memberdesk.analysis.claims.ClaimSettlement.to_json`. On an engine book the claims are
counted by segment, settlement days and status in the engine: no claim row is read.
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import add_data_args, load_from_args, print_json, print_table, resolve_column_names
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("claims", help="claim settlement times and paid ratios",
                       description="Time from report to settlement (Kaplan-Meier, days) and paid "
                                   "ratios, overall and per segment.")
    add_data_args(p)
    p.add_argument("--by", metavar="COL", default=None,
                   help="policy column to break down by (default: product when the policies "
                        "have it; 'none' for overall only)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.claims import claim_settlement

    resolve_column_names(args)
    ds = load_from_args(args)
    by = _segment_column(ds, args.by)
    result = claim_settlement(ds, by=by)
    if args.json:
        print_json({"as_of": ds.as_of.date().isoformat(), "by": by, **result.to_json()})
        return 0
    print(f"Claim settlement as of {ds.as_of.date().isoformat()}")
    if result.reason is not None:
        print(f"note: {result.reason}")
    shares = [c for c in result.summary.columns if c.startswith(("within_", "paid_ratio"))]
    print_table(result.summary, percent=shares)
    if result.excluded:
        print(f"note: {result.excluded:,} claims left out (no report date, or settled before reported)")
    return 0


def _segment_column(ds: Dataset, by: str | None) -> str | None:
    """The policy column of ``--by`` (None: overall only). Without the option: product when
    the policies have it. A column the policies lack is an error naming it (the analysis would
    leave it out and print the overall row only)."""
    columns = ds.policy_columns()
    if by is None:
        return "product" if "product" in columns else None
    if by.lower() == "none":
        return None
    if by not in columns:
        raise AnalysisError(f"unknown column {by!r} for --by; available: "
                            f"{', '.join(sorted(columns)) or '(no policies table)'}", column=by)
    return by
