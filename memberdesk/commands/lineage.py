"""`memberdesk lineage METRIC_ID|TABLE.COLUMN [--json] [--openlineage FILE]` (docs/cli.md
Extensions, issue 14).

A metric id prints its forward lineage: the intermediate results, derived columns, settings and
source columns it is computed from, and the pages, charts and report sheets that show it. Any
other node — ``table.column`` (``policies.end_date``), ``result:NAME``, ``param:NAME`` —
prints its reverse lineage: every node, metric, page, chart and sheet that depends on it.
``--json`` prints ``{"name", "direction", "metrics", "consumers", "segment_of", "nodes":
[{"id", "kind", "label", "depth"}], "edges": [{"source", "target"}]}``. ``--openlineage FILE``
writes the column lineage of the metrics involved (all metrics when NAME is omitted) as an
OpenLineage run event with the column-lineage facet.
"""
from __future__ import annotations

import argparse
import json
import sys

from memberdesk.commands.common import print_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lineage", help="metric lineage: what a metric is computed from, or what "
                                       "depends on a column",
                       description="Forward lineage of a metric id, reverse lineage of a "
                                   "table.column (or result:NAME, param:NAME).")
    p.add_argument("name", nargs="?", metavar="METRIC_ID|TABLE.COLUMN")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en", help="label language")
    p.add_argument("--openlineage", metavar="FILE",
                   help="write the OpenLineage column-lineage event to FILE")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.lineage import lineage, openlineage_event

    if args.name is None and args.openlineage is None:
        print("memberdesk: error: lineage needs METRIC_ID or TABLE.COLUMN (or --openlineage FILE)",
              file=sys.stderr)
        return 2
    view = None
    if args.name is not None:
        try:
            view = lineage(args.name, args.lang)
        except KeyError as exc:
            print(f"memberdesk: error: {exc.args[0]}", file=sys.stderr)
            return 2
    if args.openlineage is not None:
        from memberdesk.core.atomic_write import atomic_write

        metrics = None if view is None else list(view.metrics)
        text = json.dumps(openlineage_event(metrics), ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write(args.openlineage, lambda handle: handle.write(text), what="the lineage export")
    if view is None:
        return 0
    if args.json:
        print_json(view.to_json())
    else:
        print(format_view(view))
    return 0


def format_view(view: object) -> str:
    v = view
    nodes = v.nodes  # type: ignore[attr-defined]
    title = "computed from" if v.direction == "forward" else "used by"  # type: ignore[attr-defined]
    lines = [f"{v.name} — {title}:"]  # type: ignore[attr-defined]
    for r in nodes[nodes["depth"] > 0].itertuples():
        label = f" ({r.label})" if r.label != r.id else ""
        lines.append(f"{'  ' * int(r.depth)}{r.kind:<9} {r.id}{label}")
    shown = v.consumers  # type: ignore[attr-defined]
    if shown:
        lines.append("shown on: " + ", ".join(shown))
    if v.segment_of:  # type: ignore[attr-defined]
        lines.append("segment column of: " + ", ".join(v.segment_of))  # type: ignore[attr-defined]
    return "\n".join(lines)
