"""`memberdesk kpis DATA... [--as-of YYYY-MM-DD] [--json]` — the cockpit KPIs (docs/cli.md).

With ``--json`` prints ``{"as_of", "kpis": [{"id", "name", "value", "unit", "previous"}]}``;
otherwise a readable table: KPI, value, previous (12 months earlier), change, and why a value
is missing.
"""
from __future__ import annotations

import argparse
import math

from memberdesk.commands.common import add_data_args, load_from_args, print_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("kpis", help="management cockpit KPIs at the as-of date",
                       description="Cockpit KPIs at the as-of date with the value 12 months "
                                   "earlier (flows: the previous 12 months).")
    add_data_args(p)
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.kpis import compute_kpis

    result = compute_kpis(load_from_args(args))
    if args.json:
        print_json(result.to_json())
    else:
        print(format_table(result))
    return 0


def format_number(value: float | None, unit: str) -> str:
    """A KPI value for people: ratios as percentages, money and counts with separators."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit in ("count", "CNY"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_table(result: object) -> str:
    rows = [("KPI", "value", "previous", "change", "unit", "note")]
    for k in result.kpis:  # type: ignore[attr-defined]
        if k.change is None:
            change = ""
        elif k.unit == "ratio":
            change = f"{k.change * 100:+.1f} pp"
        else:
            change = f"{k.change:+,.1f}" if k.unit not in ("count", "CNY") else f"{k.change:+,.0f}"
        rows.append((k.name, format_number(k.value, k.unit), format_number(k.previous, k.unit),
                     change, k.unit, "" if k.reason is None else str(k.reason)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [f"KPIs as of {result.as_of.date().isoformat()} "  # type: ignore[attr-defined]
             f"(previous: {result.previous_as_of.date().isoformat()})"]  # type: ignore[attr-defined]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 4)]
        lines.append("  ".join([*cells, r[4].ljust(widths[4]), r[5]]).rstrip())
    return "\n".join(lines)
