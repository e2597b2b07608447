"""`memberdesk impact --before DATA... --after DATA... [--as-of DATE] [--json]` — what a change
of the data model does to the metrics (docs/cli.md Extensions, issue 14).

Each side is DATA (files or folders) or one workspace file (.mdesk: its data files read with its
saved column mappings, so two workspaces on the same files compare two mappings). Both sides
are evaluated at one as-of date
(``--as-of``, default: the before load's). ``--json`` prints ``{"as_of", "columns": [{"table",
"change", "column", "detail"}], "vocabulary": [{"table", "column", "added", "removed"}],
"tables": [{"table", "before", "after"}], "metrics": [{"metric", "name", "status", "before",
"after", "change", "path", "reason"}]}``; statuses: changed, unchanged, disabled (with a reason
code), enabled, untracked (moved although its lineage touches no change), not_evaluated.
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import parse_date_option, print_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("impact", help="compare two loads: columns, vocabularies, rejections "
                                      "and the metrics they touch",
                       description="Data-model change impact through the metric lineage.")
    side = ("data files/folders, one workspace (.mdesk), or a database: duckdb://PATH, "
            "postgresql://USER@HOST:PORT/DB, spark:local[N], sc://HOST:PORT (docs/engines.md)")
    p.add_argument("--before", nargs="+", required=True, metavar="DATA", help=side)
    p.add_argument("--after", nargs="+", required=True, metavar="DATA", help=side)
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                   help="evaluate both at this date (default: the before load's as-of date)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def _load(paths: list[str]) -> object:
    """One side: DATA files/folders, or one workspace (.mdesk) whose data files are read with
    the column mappings it saved (so two workspaces on the same files compare mappings)."""
    from memberdesk.analysis.lineage_impact import Load
    from memberdesk.core.engine.urls import looks_like_engine
    from memberdesk.core.loader import load_from_sources, read_sources
    from memberdesk.core.mapping import ColumnMapping

    if any(looks_like_engine(p) for p in paths):  # a database book (issue #13): its mappings
        from memberdesk.commands.common import password_prompt
        from memberdesk.core.engine.book import open_book
        from memberdesk.core.engine.connection import open_with_password

        ds = open_with_password(lambda password: open_book(paths, password=password),
                                password_prompt())
        engine = ds.book
        assert engine is not None  # open_book's dataset always carries its book
        engine_used = {name: dict(t.mapping.columns) for name, t in engine.tables.items()}
        return Load(ds, engine_used, engine.url.display)
    mappings: dict[str, ColumnMapping] = {}
    if len(paths) == 1 and paths[0].lower().endswith(".mdesk"):
        from memberdesk.core.workspace import Workspace

        ws = Workspace.load(paths[0])      # DataError (exit 3) when unreadable
        for data in ws.mappings:
            m = ColumnMapping.from_json(data)
            mappings[m.signature or m.table] = m
        paths = list(ws.sources)
    sources = read_sources(paths, mappings=mappings or None)
    used = {s.mapping.table: dict(s.mapping.columns) for s in sources.items
            if s.mapping is not None}
    return Load(load_from_sources(sources), used, " ".join(paths))


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.lineage_impact import compare_loads

    try:
        as_of = parse_date_option("--as-of", args.as_of)
    except SystemExit as exc:  # (the message is printed; returned as this command's status)
        return int(exc.code or 2)
    result = compare_loads(_load(args.before), _load(args.after), as_of=as_of)  # type: ignore[arg-type]
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result))
    return 0


def _num(v: float | None) -> str:
    """A metric's value: four significant digits; from 10,000 up whole, with separators (an
    in-force premium read 7.679e+07)."""
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:,.4g}"


def format_result(result: object) -> str:
    r = result
    lines = [f"Impact at as-of {r.as_of.date().isoformat()}"]  # type: ignore[attr-defined]
    # a table the after load lacks is one line, not one 'column removed' line per column
    gone = {t.table: t for t in r.tables  # type: ignore[attr-defined]
            if t.before.get("read") and not t.after.get("read")}
    for c in r.columns:  # type: ignore[attr-defined]
        if c.change == "removed" and c.table in gone:
            continue
        lines.append(f"column {c.change}: {c.table}.{c.column}" + (f" -> {c.detail}" if c.detail else ""))
    for v in r.vocabulary:  # type: ignore[attr-defined]
        lines.append(f"vocabulary {v.table}.{v.column}: +{list(v.added)} -{list(v.removed)}")
    for t in r.tables:  # type: ignore[attr-defined]
        if t.table in gone:
            lines.append(f"table {t.table}: not in the after load ({t.before['read']:,} rows "
                         "before)")
            continue
        reasons = ", ".join(f"{k}: {n:,}" for k, n in sorted(t.after["reasons"].items()))
        lines.append(f"table {t.table}: read {t.before['read']:,} -> {t.after['read']:,}, rejected "
                     f"{t.before['rejected']:,} -> {t.after['rejected']:,}"
                     + (f" ({reasons})" if reasons else ""))
    for m in r.metrics:  # type: ignore[attr-defined]
        if m.status == "unchanged":
            continue
        why = f" [{m.reason.code}: {m.reason.text()}]" if m.reason else ""
        path = " -> ".join(m.path)
        lines.append(f"{m.status:<13} {m.metric}: {_num(m.before)} -> {_num(m.after)}{why}"
                     + (f"   via {path}" if path else ""))
    return "\n".join(lines)
