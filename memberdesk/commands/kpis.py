"""`memberdesk kpis` (placeholder until its issue lands)."""
from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("kpis", help="(not yet available)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print("memberdesk kpis: not implemented yet", file=sys.stderr)
    return 2
