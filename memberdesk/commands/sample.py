"""`memberdesk sample -o DIR [--members N] [--seed S] [--end YYYY-MM-DD] [--excel | --no-excel]
[--quiet] [--lang en|zh_CN]`.

Writes the six tables as CSV in DIR, the same book as ``DIR/excel/memberdesk_sample.xlsx`` and
the policies with Chinese headers in GB18030 as ``DIR/gb18030/policies_zh.csv`` (see
:mod:`memberdesk.sample`), then lists the files written on stdout. The workbook is written by
default up to 50,000 members (``EXCEL_MAX_MEMBERS``); above that only with ``--excel`` (it is
most of the time of a large book); ``--no-excel`` skips it at any size. Progress (what is
being written and the share done) goes to stderr unless ``--quiet``, in English or, with
``--lang zh_CN``, in 简体中文 through the progress-line table the desktop uses
(:mod:`memberdesk.core.status_lines`; no Qt is imported). Exit 0; bad arguments (or an output
path that is not a folder) exit 2.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from memberdesk.core import schema, status_lines
from memberdesk.sample import book as sample_book

MAX_MEMBERS = 2_000_000
# openpyxl writing the workbook, CPU seconds per member (benchmarks/bench_sample.py at 300,000
# members: ~510 s of the command's 550 s)
EXCEL_CPU_SECONDS_PER_MEMBER = 0.0017


EXCEL_NOTE = {
    "en": "the Excel copy is not written above {limit:,} members (it would take about "
          "{minutes:.0f} more minutes at this size); add --excel to write it",
    "zh_CN": "会员数超过 {limit:,} 时不写 Excel 副本（按此规模约需再用 {minutes:.0f} 分钟）；"
             "如需写入，请加 --excel",
}


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


# the earliest --end: the book's birth dates reach some 90 years before it, and MemberDesk reads
# dates from 1900 (schema.MIN_DATE)
EARLIEST_END = date(1990, 1, 1)


def _end(text: str) -> date:
    """``--end``: a date from :data:`EARLIEST_END` to today. Later, the book's last dates would
    be rejected as future dates by every command reading it; far later (2300) or earlier
    (1800), its dates overflowed or fell outside what MemberDesk reads."""
    try:
        end = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    today = date.today()
    if not EARLIEST_END <= end <= today:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the book must end between {EARLIEST_END.isoformat()} and today "
            f"({today.isoformat()}); its dates after today would be rejected as future dates")
    return end


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
    excel = p.add_mutually_exclusive_group()
    excel.add_argument("--excel", dest="excel", action="store_true", default=None,
                       help="also write the Excel copy above "
                            f"{sample_book.EXCEL_MAX_MEMBERS:,} members (slow: ~1.7 s of CPU "
                            "per 1,000 members)")
    excel.add_argument("--no-excel", dest="excel", action="store_false",
                       help="skip the Excel copy at any size")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress on stderr")
    p.add_argument("--lang", choices=status_lines.LANGS, default="en",
                   help="language of the progress lines on stderr (default en)")
    p.set_defaults(run=run)


class StderrProgress:
    """Progress of a long ``sample`` run on stderr (:class:`memberdesk.core.progress.Progress`):
    each new step on its own line, and the share done every 10% (on a terminal, one line
    rewritten in place every 1%), in ``lang`` (:func:`memberdesk.core.status_lines.status_text`)."""

    def __init__(self, stream: TextIO | None = None, lang: str = "en") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.lang = lang
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.step = 10 if not self.tty else 1
        self.last_bucket = -1
        self.text = ""

    def status(self, text: str) -> None:
        text = status_lines.status_text(text, self.lang)
        if text != self.text:
            self.text = text
            self._write(f"sample: {text}")

    def fraction(self, x: float) -> None:
        pct = int(min(max(x, 0.0), 1.0) * 100)
        if pct // self.step > self.last_bucket:
            self.last_bucket = pct // self.step
            self._write(f"sample: {pct:3d}% ({self.text})")

    def cancelled(self) -> bool:
        return False

    def _write(self, line: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def foreign_files(out: Path) -> list[Path]:
    """The table files (``members.csv``, ``policies.csv``, …) in ``out`` that the sample book
    would replace and that an earlier ``sample`` did not write: their first line is not the
    sample's header. Writing a sample again into its own folder stays allowed."""
    if not out.is_dir():
        return []
    tiny = sample_book.generate_book(10, sample_book.DEFAULT_SEED, sample_book.DEFAULT_END)
    foreign = []
    for name in schema.TABLES:
        path = out / f"{name}.csv"
        if not path.exists():
            continue
        try:
            with path.open("rb") as f:
                first = f.readline().decode("utf-8-sig").strip()
        except (OSError, UnicodeDecodeError):
            first = None
        if first != ",".join(map(str, tiny[name].columns)):
            foreign.append(path)
    return foreign


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"memberdesk: error: -o {out} exists and is not a folder", file=sys.stderr)
        return 2
    foreign = foreign_files(out)
    if foreign:  # e.g. the user's own policies.csv: never replaced by a synthetic book
        print(f"memberdesk: error: -o {out} holds {', '.join(p.name for p in foreign)} that "
              "`sample` did not write (another header); the sample book would replace "
              f"{'it' if len(foreign) == 1 else 'them'}: choose another folder", file=sys.stderr)
        return 2
    progress = None if args.quiet else StderrProgress(lang=getattr(args, "lang", "en"))
    try:
        paths = sample_book.write_book(out, members=args.members, seed=args.seed, end=args.end,
                                       excel=args.excel, progress=progress)
    except OSError as exc:
        print(f"memberdesk: error: cannot write to {out}: {exc}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.close()
    if args.excel is None and not sample_book.excel_by_default(args.members):
        note = EXCEL_NOTE["zh_CN" if getattr(args, "lang", "en") == "zh_CN" else "en"]
        print("memberdesk: note: " + note.format(
            limit=sample_book.EXCEL_MAX_MEMBERS,
            minutes=args.members * EXCEL_CPU_SECONDS_PER_MEMBER / 60), file=sys.stderr)
    print(f"Sample book: {args.members:,} members, seed {args.seed}, "
          f"ending {args.end.isoformat()}")
    for path in paths:
        print(f"  {path}  ({path.stat().st_size:,} bytes)")
    return 0
