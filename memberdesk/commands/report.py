"""`memberdesk report`: the Excel report for managers (DESIGN §5).

    memberdesk report DATA... -o REPORT.xlsx [--as-of YYYY-MM-DD] [--lang en|zh_CN] [--by COL]
                      [--include-personal] [--expected FILE]

Exit status: 0 written; 2 usage error; 3 data error (unreadable data, or a report path that
cannot be written — the previous report is then left intact).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from memberdesk.commands.common import add_data_args, load_from_args, read_expected
from memberdesk.core.atomic_write import refuse_overwriting_inputs


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="write the Excel report for managers (.xlsx)")
    add_data_args(p)
    p.add_argument("-o", "--output", required=True, metavar="REPORT.xlsx",
                   help="the workbook to write (replaced only once complete)")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en",
                   help="language of sheet names, headers and definitions (default en)")
    p.add_argument("--by", metavar="COL", default="channel",
                   help="policy column the retention sheets are broken down by (default channel)")
    p.add_argument("--include-personal", dest="include_personal", action="store_true",
                   help="allow member-level personal data (ids, names, birth dates) in the report")
    p.add_argument("--expected", metavar="FILE",
                   help="expected-rate CSV (policy_year[, segment columns], rate) for A/E")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.report.workbook import write_report

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        print(f"memberdesk: error: -o {args.output!r}: the report must be an .xlsx file",
              file=sys.stderr)
        return 2
    clash = refuse_overwriting_inputs(output, [*args.data, *filter(None, [args.expected])], "-o")
    if clash:
        print(f"memberdesk: error: {clash}", file=sys.stderr)
        return 2
    expected = read_expected(args.expected) if args.expected else None
    ds = load_from_args(args)
    path = write_report(ds, output, lang=args.lang, segment=args.by,
                        include_personal=args.include_personal, expected=expected)
    print(f"report written: {path}", file=sys.stderr)
    return 0
