"""`memberdesk service DATA... [--as-of DATE] [--json]`.

Service metrics (bot replacement, human connection, resolution, CSAT, waits) per month and over
the 12 months to the as-of date, the contact mix by channel and the top topics, as on the Service
page and its sheet (docs/cli.md; definitions in the metrics dictionary). ``--json`` prints
:meth:`memberdesk.analysis.service.ServiceSummary.to_json`.
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import add_data_args, load_from_args, print_json, print_table

RATES = ["bot_replacement_rate", "human_connection_rate", "resolution_rate", "csat"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("service", help="service metrics per month and over the last 12 months",
                       description="Bot replacement, human connection, resolution and CSAT per "
                                   "month and over the 12 months to the as-of date.")
    add_data_args(p)
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.service import service_summary

    ds = load_from_args(args)
    result = service_summary(ds)
    if args.json:
        print_json({"as_of": ds.as_of.date().isoformat(), **result.to_json()})
        return 0
    print(f"Service, 12 months to {ds.as_of.date().isoformat()}")
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
    return 0
