"""Command-line entry point (docs/cli.md). ``memberdesk`` and ``python main.py`` both land here.

Each sub-command lives in :mod:`memberdesk.commands` as a module with ``add_parser(subparsers)``
and ``run(args) -> int``; this module only dispatches and maps errors to exit codes:
0 success, 2 usage error, 3 data error (message on stderr names the file, row and column).
"""
from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from memberdesk.core.errors import AnalysisError, Cancelled, DataError
from memberdesk.core.reasons import error_text
from memberdesk.page_registry import page_commands

COMMANDS: tuple[str, ...] = ("gui", "sample", "validate", "km", "cox", "report", "experience",
                             "kpis", "persistency")
COMMANDS += ("alerts", "lineage", "impact")  # issue 14
COMMANDS += ("score",)  # issue 15
COMMANDS += ("decrements",)  # issue 16 (competing exits, Gray's test)
COMMANDS += ("import",)  # issue 13 (module commands/import_.py: `import` is a keyword)
_MODULES = {"import": "import_"}
# every page's sub-commands come from the page registry (memberdesk/page_registry.py)
COMMANDS = tuple(dict.fromkeys(COMMANDS + page_commands()))
EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep its text short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"memberdesk: error: {message}\n")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser of ``memberdesk``, with the sub-commands ``commands`` (default: all of them;
    :func:`main` asks for just the one on its command line, so that a run imports that
    command's modules and not every other one's)."""
    parser = _Parser(prog="memberdesk",
                     description="Member-lifecycle analytics: retention, persistency, drivers, "
                                 "experience studies, service and benefits.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"memberdesk.commands.{_MODULES.get(name, name)}").add_parser(sub)
    return parser


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace:
    """``parser.parse_args(args)``, but an argument the sub-command does not know is reported
    by the sub-command's parser (its usage line, ``memberdesk km: error: ...``), not by the
    top-level one, whose usage line (``memberdesk [-h] COMMAND ...``) does not help."""
    namespace, extras = parser.parse_known_args(args)
    if extras:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        command = sub.choices.get(getattr(namespace, "command", None) or "", parser)
        command.error(f"unrecognized arguments: {' '.join(extras)}")
    return namespace


# A command-line run allocates many small objects while it imports pandas and reads a file; the
# collector's default first threshold (700) makes it walk them over and over. A higher one keeps
# collections (so cyclic garbage is still freed) at a fraction of the cost. Not for the window,
# which runs for hours: it keeps Python's defaults.
_PROCESS_GC_THRESHOLDS = (50_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``memberdesk ARGS`` (``argv``; None = this process's command line) and return its exit
    status. Called as the process's entry point (``argv`` None) by a file-only command, it ends
    the process itself once its output is flushed (:func:`_end_process`)."""
    process = argv is None
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `memberdesk [DATA...]` with no sub-command opens the GUI.
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "gui")
    if process and args_list[0] != "gui":  # (the window is long-lived: default collection)
        gc.set_threshold(*_PROCESS_GC_THRESHOLDS)
    if process and args_list[0] in _READS_ITS_DATA:
        _start_reading(args_list[1:])
    parser = build_parser(COMMANDS if args_list[0] in ("-h", "--help") else args_list[:1])
    if not process:
        return _run(_parse(parser, args_list))
    try:
        status = _run(_parse(parser, args_list))
    except SystemExit as exc:  # a usage error (argparse or a command's own check), or --help
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    if args_list[0] != "gui":
        _end_process(status)
    return status


# The commands whose first arguments are DATA files they read whole (every page's commands, the
# report, import): a command-line run starts reading those files while the modules load.
_READS_ITS_DATA = (*page_commands(), "report", "import")


def _start_reading(args: Sequence[str]) -> None:
    """Begin reading the DATA paths that lead ``args`` (up to the first option) in the
    background (:mod:`memberdesk.core.early_read`), with the ``--encoding`` given. The loader
    takes the result when it reads the same paths with the same options; otherwise it is not
    used."""
    paths = list(itertools.takewhile(lambda a: not a.startswith("-"), args))
    encoding = None
    for i, a in enumerate(args):
        if a == "--encoding" and i + 1 < len(args):
            encoding = args[i + 1]
        elif a.startswith("--encoding="):
            encoding = a.partition("=")[2]
    from memberdesk.core import early_read

    early_read.start(paths, encoding)


# modules whose presence means the run may hold a database session, a DuckDB file or a JVM
_ENGINE_MODULES = ("memberdesk.core.engine.connection", "duckdb", "pyspark")


def _end_process(status: int) -> None:
    """End a command-line run of a file-only command at once: flush stdout and stderr, then
    ``os._exit``. The interpreter's own teardown (freeing every module of pandas, pyarrow and
    numpy and the data still referenced) takes ~50 ms that change nothing a user sees. Skipped
    (returning to the normal exit) when the run used an engine or wrote a DuckDB book: a
    database session, its spill folder or a Spark JVM are ended by their own ``close`` and
    atexit handlers."""
    if any(m in sys.modules for m in _ENGINE_MODULES):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that went away, or a closed stream
            pass
    os._exit(status)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args) or 0)
    except DataError as exc:
        print(f"memberdesk: data error: {error_text(exc, getattr(args, 'lang', None) or 'en')}",
              file=sys.stderr)
        return EXIT_DATA
    except AnalysisError as exc:
        print(f"memberdesk: cannot analyse: {error_text(exc, getattr(args, 'lang', None) or 'en')}",
              file=sys.stderr)
        return EXIT_DATA
    except Cancelled:
        print("memberdesk: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head` that closed early: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly; the traceback only when asked for
        print(f"memberdesk: unexpected error (this is a bug, please report it): "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("MEMBERDESK_DEBUG"):
            import traceback

            traceback.print_exc()
        else:
            print("memberdesk: set MEMBERDESK_DEBUG=1 to see the details", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
