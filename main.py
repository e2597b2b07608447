"""Thin launcher: ``python main.py ARGS`` is the same as ``memberdesk ARGS``."""
import sys

from memberdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
