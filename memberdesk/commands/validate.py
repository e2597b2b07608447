"""`memberdesk validate DATA... [--json] [--rejected-out FILE] [--as-of] [--lang en|zh_CN]`
(docs/data-contract.md, §5).

Rejected rows are a report, not a failure: the exit status is 0 whenever the data could be read
(3 when it cannot, via the CLI's DataError handling). ``--lang`` is the language of the listing
and of the rejected rows' details in ``--rejected-out`` (reason codes and JSON stay the same).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from memberdesk.commands.common import add_data_args, display_width, load_from_args, pad, print_json
from memberdesk.core import labels
from memberdesk.core.atomic_write import refuse_overwriting_inputs
from memberdesk.core.reasons import Reason, reason_text, rejection_label, rejection_meaning
from memberdesk.core.validation_report import ValidationReport, detail_text


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="read and check data files; report rejected rows",
                       description="Read DATA, check every row and report what was read, "
                                   "accepted and rejected per table and reason.")
    add_data_args(p, generic=True, assumptions=False)
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--rejected-out", dest="rejected_out", metavar="FILE",
                   help="write the rejected rows with their reasons to FILE (.csv or .xlsx)")
    p.add_argument("--lang", choices=labels.LANGS, default="en",
                   help="language of the listing and of the rejected rows' details (default en)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.rejected_out:
        problem = output_problem(Path(args.rejected_out), args.data)
        if problem:
            print(f"memberdesk: error: --rejected-out {args.rejected_out}: {problem}", file=sys.stderr)
            return 2
    ds = load_from_args(args, lean=True)  # the report only: ids and dates are kept
    report = ds.report
    if args.rejected_out:
        # DataError (exit 3) when it cannot be written
        report.export_rejected(Path(args.rejected_out), lang=args.lang)
    if args.json:
        print_json(report.to_json(ds.as_of))
    else:
        print(format_report(report, ds.as_of.date().isoformat(), args.lang))
        if args.rejected_out:
            print("\n" + Reason("listing_written", path=args.rejected_out).text(args.lang))
    return 0


def format_report(report: ValidationReport, as_of: str, lang: str = "en") -> str:
    """A plain-text table of counts per table and reason, then the messages and the first
    rejected rows, in ``lang``: reasons and details through the reason catalogue, headings
    through the label catalogue (English keeps the codes, as before). Columns are padded by
    display width, so Chinese headings (two terminal cells a character) stay aligned."""
    def word(key: str, english: str) -> str:
        return english if lang == "en" else labels.column_label(key, lang)

    def table(name: str) -> str:
        return name if lang == "en" else labels.table_label(name, lang)

    lines = [Reason("listing_as_of", date=as_of).text(lang), ""]
    heads = [word("read", "read"), word("accepted", "accepted"), word("rejected", "rejected"),
             word("out_of_window", "out of window")]
    widths = [max(w, display_width(h) + 2) for w, h in zip((10, 10, 10, 15), heads)]
    header = pad(word("table", "table"), 18) + "".join(
        pad(h, w, right=True) for h, w in zip(heads, widths))
    lines += [header, "-" * display_width(header)]
    for t in report.tables:
        counts = (t.read, t.accepted, t.rejected, t.out_of_window)
        lines.append(pad(table(t.table), 18) + "".join(
            f"{n:>{w},}" for n, w in zip(counts, widths)))
        for reason, count in sorted(t.reasons.items(), key=lambda kv: -kv[1]):
            name = rejection_label(reason, lang)
            lines.append(f"    {pad(name, 24)}{count:>10,}  {rejection_meaning(reason, lang)}")
    for t in report.tables:
        lines.append(f"{table(t.table)}: {', '.join(t.files)}")
    if report.messages:
        lines += ["", Reason("listing_messages").text(lang)] + [f"  - {reason_text(m, lang)}" for m in report.messages]
    if len(report.rejected):
        lines += ["", Reason("listing_first_rejected").text(lang)]
        head = report.rejected.head(10)
        for r in head.to_dict("records"):
            sheet = r["sheet"]
            where = r["file"] if sheet is None or sheet != sheet else f"{r['file']} [{sheet}]"
            row = r["row"]
            numbered = row is not None and row == row  # a database row has no number
            line = Reason("listing_rejected_row" if numbered else "listing_rejected_cell",
                          place=where, column_name=r["column"],
                          reason=rejection_label(r["reason"], lang), value=r["value"],
                          detail=detail_text(r["detail"], lang), **({"row": row} if numbered else {}))
            lines.append(f"  {line.text(lang)}".rstrip())
    return "\n".join(lines)


def output_problem(path: Path, inputs: Sequence[str] = ()) -> str:
    """Why ``path`` cannot receive the rejected rows ("" when it can), checked before loading:
    a folder, a missing folder, or one of the input files (never overwritten)."""
    clash = refuse_overwriting_inputs(path, inputs, "")
    if clash:
        return clash.strip()
    if path.is_dir():
        return "is a folder; give a file name (.csv or .xlsx)"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    return ""
