"""What the shell's modules share, so that they import one way only.

The shell (``main_window``, ``shell_actions``, ``data_page``, ``import_wizard``) used to import
itself in a circle: the data page took ``MainWindow`` and ``SAMPLE_DATA`` from the window, the
wizard took a helper from the data page, both took the file-dialog filter from the menus. Now
the window builds the menus and the data page, the data page opens the wizard, and all of them
take the shared pieces from here; ``tests/ui/test_shell_imports.py`` checks there is no cycle.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import memberdesk
from memberdesk.core.mapping import ColumnMapping

# The bundled sample book of a source checkout (the app opens it the first time).
SAMPLE_DATA = Path(memberdesk.__file__).resolve().parent.parent / "sample_data"

DATA_FILTER = "Data files (*.csv *.tsv *.txt *.xlsx *.xlsm *.parquet);;All files (*)"
WORKSPACE_FILTER = "MemberDesk workspace (*.mdesk)"


class ShellWindow(Protocol):
    """The main window as the data page sees it (``MainWindow`` implements it)."""

    sources: list[str]
    settings: Any

    def accept_dataset(self, ds: Any, paths: list[str], mappings: list[dict[str, Any]],
                       choices: dict[str, object] | None = None) -> None: ...


def mappings_by_signature(mappings: Sequence[Mapping[str, Any]]) -> dict[str, ColumnMapping]:
    """Workspace/settings mapping dicts -> ``{header signature: ColumnMapping}`` for the loader
    (unreadable entries are skipped)."""
    out: dict[str, ColumnMapping] = {}
    for data in mappings:
        try:
            m = ColumnMapping.from_json(data)
        except (KeyError, ValueError, TypeError):
            continue
        if m.signature:
            out[m.signature] = m
    return out
