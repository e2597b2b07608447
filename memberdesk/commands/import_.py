"""`memberdesk import DATA... -o BOOK.duckdb` (issue #13): validate files with the same rules
and reasons as every other command, then write the accepted rows of each table and a
``rejected`` table (table, file, sheet, row, column, reason, value, detail) into a DuckDB
database. The book is then analysed in place: ``memberdesk km duckdb://BOOK.duckdb --by channel``.

The database is written to a temporary file beside the target and renamed when complete, so
an interrupted import never leaves half a book. (The module is ``import_`` because ``import``
is a Python keyword; the sub-command is ``import``.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from memberdesk.commands.common import add_data_args, close_book, load_from_args, report_rejected_rows
from memberdesk.core.book_writer import save_book, write_book, write_engine_book

__all__ = ["NAME", "add_parser", "refuse_out", "run", "write_book", "write_engine_book"]

NAME = "import"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="validate files and write the book into a DuckDB database",
                       description="Read and validate DATA (same rules and rejection reasons as "
                                   "`memberdesk validate`) and write the accepted rows of each "
                                   "table plus a `rejected` table into BOOK.duckdb.")
    add_data_args(p, as_of=False, assumptions=False)
    p.add_argument("-o", "--out", required=True, metavar="BOOK.duckdb",
                   help="the DuckDB database to write (replaced if it exists and is a DuckDB "
                        "database; any other file is refused, never overwritten)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    refused = refuse_out(Path(args.out))
    if refused:  # checked before the (long) validation: nothing read, nothing written
        print(f"memberdesk: error: {refused}", file=sys.stderr)
        return 2
    today = dt.date.today()  # before validating: the day the future-date rule is checked at most
    ds = load_from_args(args)
    out = Path(args.out)
    try:
        # a book of no policy opens nowhere (not even in validate): nothing is written
        report_rejected_rows(ds, notes=False)
        save_book(ds, out, today=today)
    finally:
        close_book(ds)
    for t in ds.report.tables:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(t.reasons.items()))
        print(f"{t.table}: {t.accepted:,} of {t.read:,} rows written"
              + (f"; {t.rejected:,} rejected ({reasons})" if t.rejected else ""), file=sys.stderr)
    print(f"memberdesk: wrote {out}; analyse it with `memberdesk km duckdb://{out.resolve()}`",
          file=sys.stderr)
    return 0




# A DuckDB database file carries "DUCK" at bytes 8-11 of its first block.
_DUCKDB_MAGIC = (8, b"DUCK")


def refuse_out(out: Path) -> str:
    """A usage message when ``-o`` names a folder or an existing file that is not a DuckDB
    database (a CSV, a workbook, a report: replacing it would destroy it); "" when the book may
    be written there (a new path, an empty file or an earlier DuckDB book)."""
    if out.is_dir():
        return f"-o {out} is a folder: give the DuckDB file to write (e.g. {out / 'book.duckdb'})"
    try:
        with out.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"-o {out}: cannot check the existing file ({exc.strerror or exc})"
    start, magic = _DUCKDB_MAGIC
    if not head or head[start:start + len(magic)] == magic:
        return ""
    return (f"-o {out} exists and is not a DuckDB database; `import` replaces only an earlier "
            "book, never another file: choose another file name")
