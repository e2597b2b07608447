"""`memberdesk [gui] [DATA...] [--lang en|zh_CN] [--screenshot OUT.png [--page PAGE]]`.

Opens the desktop application on DATA (files or folders; default: the last session's files,
or the bundled sample data the first time). ``--screenshot`` renders PAGE offscreen on the
loaded data, writes the PNG and exits 0. Qt is imported only inside :func:`run`, so the other
commands start without it.
"""
from __future__ import annotations

import argparse
import os
import sys

from memberdesk.page_registry import PAGE_IDS

LANGUAGES = ("en", "zh_CN")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("gui", help="open the desktop application (default command)",
                       description="Open the MemberDesk desktop application.")
    p.add_argument("data", nargs="*", metavar="DATA",
                   help="data files (.csv .tsv .txt .xlsx .parquet), folders of them, a .mdesk "
                        "workspace, or a database: duckdb://PATH, postgresql://USER@HOST:PORT/DB, "
                        "spark:local[N], sc://HOST:PORT (docs/engines.md)")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="user-interface language (default: the last one chosen, else the system language)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render a page offscreen on the loaded data, write it as PNG and exit")
    p.add_argument("--page", metavar="PAGE", default="data",
                   help=f"page for --screenshot: {', '.join(PAGE_IDS)} (default: data)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.page not in PAGE_IDS:
        print(f"memberdesk: error: unknown page {args.page!r}; choose one of: "
              f"{', '.join(PAGE_IDS)}", file=sys.stderr)
        return 2
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from memberdesk.ui import app

    lang = args.lang
    if lang is None:
        app.create_app()
        from memberdesk.ui.settings import AppSettings

        saved = AppSettings().language
        lang = saved if saved in LANGUAGES else "en"
    return app.run(args.data, lang=lang, screenshot_path=args.screenshot, page=args.page)
