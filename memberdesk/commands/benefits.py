"""`memberdesk benefits DATA... [--by COL] [--as-of DATE] [--json]`.

Benefit usage of in-force members over the 12 months to the as-of date, per segment and per
benefit, as on the Benefits page and its sheet (docs/cli.md). ``--json`` prints
:meth:`memberdesk.analysis.benefits.BenefitUsage.to_json`; a missing table is not an error: the
result says why (``reason``). On an engine book the tables are counted in the engine (no row
read: :func:`memberdesk.analysis.benefits.benefit_usage`).
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import add_data_args, load_from_args, print_json, print_table, resolve_column_names


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("benefits", help="benefit usage per member segment and per benefit",
                       description="Benefit usage of in-force members over the 12 months to the "
                                   "as-of date (docs/conventions.md).")
    add_data_args(p)
    p.add_argument("--by", metavar="COL", help="segment column (a policy or member column)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.benefits import benefit_usage

    resolve_column_names(args)
    ds = load_from_args(args)
    result = benefit_usage(ds, by=args.by)
    if args.json:
        print_json({"as_of": ds.as_of.date().isoformat(), **result.to_json()})
        return 0
    print(f"Benefit usage, 12 months to {ds.as_of.date().isoformat()}")
    if result.reason is not None:
        print(f"note: {result.reason}")
    print_table(result.segments, percent=["usage_rate"])
    if len(result.by_benefit):
        print()
        print_table(result.by_benefit)
    return 0
