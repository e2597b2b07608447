"""`memberdesk service DATA... [--by COL] [--as-of DATE] [--json]`.

Service metrics (bot replacement, human connection, resolution, CSAT, waits) per month and over
the 12 months to the as-of date, the contact mix by channel and the top topics, as on the Service
page and its sheet (docs/cli.md; definitions in the metrics dictionary). ``--json`` prints
:meth:`memberdesk.analysis.service.ServiceSummary.to_json`. ``--by COL`` adds the same
figures per level of a service-contacts column or a member segment (``"by"``, ``"groups"``);
the whole book's output is unchanged by it. On an engine book every figure comes from
``GROUP BY`` queries: no contact row is read (docs/cli.md).
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import pandas as pd

from memberdesk.commands.common import (
    add_data_args,
    load_from_args,
    print_json,
    print_table,
    resolve_column_names,
)

if TYPE_CHECKING:
    from memberdesk.analysis.service import ServiceSummary

RATES = ["bot_replacement_rate", "human_connection_rate", "resolution_rate", "csat"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("service", help="service metrics per month and over the last 12 months",
                       description="Bot replacement, human connection, resolution and CSAT per "
                                   "month and over the 12 months to the as-of date.")
    add_data_args(p)
    p.add_argument("--by", metavar="COL",
                   help="also per level of a service-contacts column (channel, topic, "
                        "handled_by…) or a member segment (region, tier, gender)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.service import service_summary

    resolve_column_names(args)
    ds = load_from_args(args)
    result = service_summary(ds, by=args.by)
    as_of = ds.as_of.date().isoformat()
    if args.json:
        out = {"as_of": as_of, **result.to_json()}
        if "groups" in out:  # each group carries the top level's fields, as_of included
            out["groups"] = [{"name": g["name"], "as_of": as_of,
                              **{k: v for k, v in g.items() if k != "name"}} for g in out["groups"]]
        print_json(out)
        return 0
    print(f"Service, 12 months to {as_of}")
    for rate, reason in result.reasons.items():
        print(f"note: {rate}: {reason}")
    print_table(result.window, percent=RATES)
    if len(result.monthly):
        print()
        print_table(result.monthly[["month", "contacts", *RATES]], percent=RATES)
    top = result.top_topics()
    if len(top):
        print()
        print_table(top.head(10))
    if result.by is not None:
        _print_groups(result)
    return 0


def _print_groups(result: ServiceSummary) -> None:
    """The 12-month window of each ``--by`` level, one row per level, then the notes."""
    by = str(result.by)
    print()
    print(f"By {by}, 12 months to the as-of date")
    rows = [g.window.assign(**{by: name}) for name, g in result.groups if len(g.window)]
    if not rows:
        print("(no service contacts)")
        return
    table = pd.concat(rows, ignore_index=True)
    cols = [by, "contacts", *RATES, "wait_mean_seconds", "wait_p90_seconds"]
    print_table(table[cols], percent=RATES)
    for name, g in result.groups:
        for rate, reason in g.reasons.items():
            print(f"note: {by} {name}: {rate}: {reason}")
