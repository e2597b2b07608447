"""`memberdesk sample -o DIR [--members N] [--seed S] [--end YYYY-MM-DD] [--no-excel]`.

Writes the five tables as CSV in DIR, the same book as ``DIR/excel/memberdesk_sample.xlsx`` and
the policies with Chinese headers in GB18030 as ``DIR/gb18030/policies_zh.csv`` (see
:mod:`memberdesk.sample`), then lists the files written. ``--no-excel`` skips the
workbook. Exit 0; bad arguments (or an output path that is not a folder) exit 2.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from memberdesk.sample import book as sample_book

MAX_MEMBERS = 2_000_000


def _members(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_MEMBERS:,}, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _end(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sample", help="write a synthetic sample book (CSV, Excel and GB18030 variants)",
        description="Write a deterministic synthetic book of a mutual life insurer: members, "
                    "policies, benefit usage, service contacts and claims.")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--members", type=_members, default=sample_book.DEFAULT_MEMBERS, metavar="N",
                   help=f"number of members (default {sample_book.DEFAULT_MEMBERS})")
    p.add_argument("--seed", type=_seed, default=sample_book.DEFAULT_SEED, metavar="S",
                   help=f"random seed (default {sample_book.DEFAULT_SEED})")
    p.add_argument("--end", type=_end, default=sample_book.DEFAULT_END, metavar="YYYY-MM-DD",
                   help=f"last day of the book (default {sample_book.DEFAULT_END.isoformat()})")
    p.add_argument("--no-excel", dest="excel", action="store_false",
                   help="skip the Excel workbook (slow for large books: ~1 s per 1,000 members)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"memberdesk: error: -o {out} exists and is not a folder", file=sys.stderr)
        return 2
    try:
        paths = sample_book.write_book(out, members=args.members, seed=args.seed, end=args.end,
                                         excel=args.excel)
    except OSError as exc:
        print(f"memberdesk: error: cannot write to {out}: {exc}", file=sys.stderr)
        return 2
    print(f"Sample book: {args.members:,} members, seed {args.seed}, "
          f"ending {args.end.isoformat()}")
    for path in paths:
        print(f"  {path}  ({path.stat().st_size:,} bytes)")
    return 0
