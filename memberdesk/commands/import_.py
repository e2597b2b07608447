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
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from memberdesk.commands.common import add_data_args, load_from_args
from memberdesk.core.dataset import Dataset

NAME = "import"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="validate files and write the book into a DuckDB database",
                       description="Read and validate DATA (same rules and rejection reasons as "
                                   "`memberdesk validate`) and write the accepted rows of each "
                                   "table plus a `rejected` table into BOOK.duckdb.")
    add_data_args(p, as_of=False)
    p.add_argument("-o", "--out", required=True, metavar="BOOK.duckdb",
                   help="the DuckDB database to write (replaced if it exists)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    ds = load_from_args(args)
    out = Path(args.out)
    write_book(ds, out)
    for t in ds.report.tables:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(t.reasons.items()))
        print(f"{t.table}: {t.accepted:,} of {t.read:,} rows written"
              + (f"; {t.rejected:,} rejected ({reasons})" if t.rejected else ""), file=sys.stderr)
    print(f"memberdesk: wrote {out}; analyse it with `memberdesk km duckdb://{out.resolve()}`",
          file=sys.stderr)
    return 0


def write_book(ds: Dataset, out: Path) -> None:
    """Write the accepted rows of ``ds`` (canonical and extra columns, as validated) and its
    rejected rows into the DuckDB database ``out`` (replaced atomically)."""
    import duckdb

    from memberdesk.core.validation_report import rejected_for_people

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            for name, frame in ds.validated.items():
                _write(con, name, frame)
                _declare_key(con, name, frame)
            # the details as English words (a database column holds text, not reason objects)
            rejected = rejected_for_people(ds.report.rejected, "en")
            _write(con, "rejected", rejected.astype(
                {"row": "Int64"}) if len(rejected) else rejected.astype(str))
        finally:
            con.close()
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def _write(con: object, name: str, frame: pd.DataFrame) -> None:
    """CREATE TABLE name AS the frame (identifiers quoted; categoricals as text)."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
    quoted = '"' + name.replace('"', '""') + '"'
    con.register("_md_frame", frame)  # type: ignore[attr-defined]
    con.execute(f"CREATE TABLE {quoted} AS SELECT * FROM _md_frame")  # type: ignore[attr-defined]
    con.unregister("_md_frame")  # type: ignore[attr-defined]


def _declare_key(con: object, name: str, frame: pd.DataFrame) -> None:
    """A PRIMARY KEY on the table's id column (validated: unique, and here without nulls), so
    that engine books skip their duplicate-id scan on this table."""
    from memberdesk.core import schema

    spec = schema.TABLE_SPECS.get(name)
    key = None if spec is None else spec.id_column
    if key is None or key not in frame.columns or frame[key].isna().any():
        return
    q = '"' + name.replace('"', '""') + '"'
    con.execute(f'ALTER TABLE {q} ADD PRIMARY KEY ("{key}")')  # type: ignore[attr-defined]
