"""Command-line entry point (docs/cli.md). ``memberdesk`` and ``python main.py`` both land here.

Each sub-command lives in :mod:`memberdesk.commands` as a module with ``add_parser(subparsers)``
and ``run(args) -> int``; this module only dispatches and maps errors to exit codes:
0 success, 2 usage error, 3 data error (message on stderr names the file, row and column).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="memberdesk",
                     description="Member-lifecycle analytics: retention, persistency, drivers, "
                                 "experience studies, service and benefits.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"memberdesk.commands.{_MODULES.get(name, name)}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `memberdesk [DATA...]` with no sub-command opens the GUI.
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "gui")
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return int(args.run(args) or 0)
    except DataError as exc:
        print(f"memberdesk: data error: {error_text(exc, getattr(args, 'lang', None) or 'en')}",
              file=sys.stderr)
        return EXIT_DATA
    except AnalysisError as exc:
        print(f"memberdesk: cannot analyse: {exc}", file=sys.stderr)
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
            traceback.print_exc()
        else:
            print("memberdesk: set MEMBERDESK_DEBUG=1 to see the details", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
