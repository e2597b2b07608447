"""`memberdesk alerts DATA... [--as-of DATE] [--by COL,...] [--rules FILE] [--history FILE]
[--json] [--fail-on alert|alarm]` — early warning by segment (docs/cli.md Extensions, issue 14).

With ``--json`` prints ``{"as_of", "alerts": [{"metric", "segment": {col: value}, "level",
"method", "value", "expected", "lower", "upper", "n", "since", "status"}]}``; otherwise a table
sorted by severity. ``--history FILE`` reads the previous run's alert history (if the file
exists), marks alerts new / ongoing / resolved and writes the updated history back; without it
every alert is new and nothing is written. ``--acknowledge KEY --note TEXT`` records a note on
an active alert of the history (KEY as the table prints it) and exits. ``--fail-on alarm``
exits 4 when an active (new or ongoing) alarm exists, ``--fail-on alert`` when any active alert
or alarm exists — for scheduled runs.
"""
from __future__ import annotations

import argparse
import sys

from memberdesk.commands.common import (
    add_data_args,
    display_width,
    load_from_args,
    pad,
    print_json,
    resolve_column_names,
)

EXIT_ALERTS = 4


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("alerts", help="early warning: funnel and CUSUM alerts by segment",
                       description="Monitored metrics by segment (channel, product, region, "
                                   "tier, extra columns) against funnel limits (95 % alert, "
                                   "99.8 % alarm, overdispersion-adjusted when needed) and a "
                                   "risk-adjusted CUSUM over monthly cohorts.")
    add_data_args(p)
    p.add_argument("--by", metavar="COL,...",
                   help="segment columns to monitor (default: the rules' list plus extra "
                        "categorical policy columns)")
    p.add_argument("--rules", metavar="FILE", help="TOML rules file (docs/alerts.md)")
    p.add_argument("--history", metavar="FILE",
                   help="alert-history JSON file: read if present, updated after the run")
    p.add_argument("--fail-on", dest="fail_on", choices=("alert", "alarm"),
                   help=f"exit {EXIT_ALERTS} when an active alert of that level (or higher) exists")
    p.add_argument("--acknowledge", metavar="KEY",
                   help="with --history and --note: acknowledge the active alert KEY and exit")
    p.add_argument("--note", help="the acknowledgement note")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def _usage(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.alerts import (
        acknowledge,
        apply_history,
        compute_alerts,
        load_history,
        load_rules,
        save_history,
    )

    if args.acknowledge is not None:
        if args.history is None or not args.note:
            return _usage("--acknowledge needs --history FILE and --note TEXT")
        try:
            acknowledged = acknowledge(load_history(args.history), args.acknowledge, args.note)
        except KeyError as exc:
            return _usage(str(exc.args[0]))
        save_history(acknowledged, args.history)
        print(f"acknowledged {args.acknowledge}")
        return 0
    resolve_column_names(args)
    rules = load_rules(args.rules)
    history = load_history(args.history) if args.history else None  # bad files fail before loading data
    if args.by is not None:
        columns = tuple(c.strip() for c in args.by.split(",") if c.strip())
        if not columns:
            return _usage("--by needs at least one column name")
        rules = rules.with_segments(columns)
    ds = load_from_args(args)
    if args.by is not None:
        missing = [c for c in rules.segments if not _reachable(ds, c)]
        if missing:
            return _usage(f"--by: no column {', '.join(map(repr, missing))} in the data")
    result = compute_alerts(ds, rules)
    if history is not None:
        result, updated = apply_history(result, history)
        save_history(updated, args.history)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_table(result))
    if args.fail_on is not None:
        levels = {"alarm"} if args.fail_on == "alarm" else {"alert", "alarm"}
        if any(a.level in levels for a in result.active()):
            return EXIT_ALERTS
    return 0


def _reachable(ds: object, column: str) -> bool:
    from memberdesk.analysis.alerts import counts, pushdown

    engine = pushdown.engine_book(ds)
    if engine is not None:  # the tables' columns, no row read
        return counts.reachable(engine, ds, column)
    for name in ("policies", "members", "service_contacts", "claims", "benefit_usage"):
        frame = getattr(ds, name, None)
        if frame is not None and column in frame.columns:
            return True
    return False


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def format_table(result: object) -> str:
    from memberdesk.analysis.metrics import get_metric

    r = result
    lines = [f"Alerts as of {r.as_of.date().isoformat()}: "  # type: ignore[attr-defined]
             f"{sum(a.level == 'alarm' for a in r.active())} alarm(s), "  # type: ignore[attr-defined]
             f"{sum(a.level == 'alert' for a in r.active())} alert(s) active"]  # type: ignore[attr-defined]
    rows = [("level", "status", "metric", "segment", "value", "expected", "limits", "n", "since",
             "method", "key")]
    for a in r.alerts:  # type: ignore[attr-defined]
        limits = "" if a.lower is None else f"{_pct(a.lower)}–{_pct(a.upper)}"
        rows.append((a.level, a.status, get_metric(a.metric).name_en,
                     f"{a.column}={a.segment_value}", _pct(a.value), _pct(a.expected), limits,
                     f"{a.n:,}", a.since, a.method, a.key))
        if a.acknowledged:
            rows.append(("", "", f"  acknowledged: {a.acknowledged}", "", "", "", "", "", "", "", ""))
    if len(rows) > 1:
        # (in terminal cells: product=百万医疗 takes 16)
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines += ["  ".join(pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    for mid, why in r.unavailable.items():  # type: ignore[attr-defined]
        lines.append(f"not monitored: {get_metric(mid).name_en} — {why.text()}")
    return "\n".join(lines)
