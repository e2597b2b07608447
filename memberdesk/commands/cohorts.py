"""`memberdesk cohorts DATA... [--by COL] [--cohort month|quarter] [--weight count|premium]
[--as-of DATE] [--json]`.

The cohort retention triangle of the Persistency & Cohorts page (docs/cli.md): rows are issue
cohorts, columns months since issue, a cell the share of the cohort still in force at the end of
that month (blank/null while not fully observed at the as-of date). The same
:class:`memberdesk.analysis.cohorts.CohortMatrix` feeds the page, the Cohorts sheet and this
output; ``--json`` prints :meth:`CohortMatrix.to_json`. ``--by COL`` adds one triangle per level
of a policy (or member) column after the whole book's, on the whole book's months axis
(``"by"`` and ``"groups"`` in the JSON); policies with no value form a ``(missing)`` group.
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import (
    add_data_args,
    close_book,
    load_from_args,
    print_json,
    print_table,
    resolve_column_names,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cohorts", help="cohort retention triangle (issue month x months since issue)",
                       description="Share of each issue cohort still in force at the end of each "
                                   "month since issue (docs/conventions.md, cohort retention).")
    add_data_args(p)
    p.add_argument("--by", metavar="COL", default=None,
                   help="also one triangle per level of this policy or member column "
                        "(e.g. channel, product, region)")
    p.add_argument("--cohort", choices=("month", "quarter"), default="month",
                   help="cohort period of issue (default: month)")
    p.add_argument("--weight", choices=("count", "premium"), default="count",
                   help="share of policies or of annual premium (default: count)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.cohorts import cohort_retention

    resolve_column_names(args)
    ds = load_from_args(args)
    try:
        result = cohort_retention(ds, cohort=args.cohort, weight=args.weight, by=args.by)
    finally:
        close_book(ds)  # a database session ends with the command
    if args.json:
        print_json(result.to_json())
        return 0
    print(f"Cohort retention ({args.weight}) as of {result.as_of.date().isoformat()}")
    print_table(result.to_frame().reset_index(), percent=[c for c in result.to_frame().columns
                                                         if c.startswith("m")])
    for name, group in result.groups:
        print()
        print(f"{result.by} = {name}: {int(group.sizes.sum()):,} policies")
        print_table(group.to_frame().reset_index(),
                    percent=[c for c in group.to_frame().columns if c.startswith("m")])
    return 0
