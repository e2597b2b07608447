"""Workspaces: a saved analysis session as a small JSON file (``.mdesk``), Qt-free.

A workspace remembers *how* to rebuild what the user was looking at, never the data itself:
the source files, the column mappings chosen for them, the global filters, the as-of date,
the page on screen and each page's choices (segments, covariates...).

Paths are stored both absolute and relative to the workspace file, so a project folder that
is moved or shared as a whole still opens; when neither exists the UI asks where the files are
and calls :meth:`Workspace.remap_sources`.

Format history (``schema_version``)
-----------------------------------
1. ``{"files": [...], "filters": {...}, "as_of": str|null, "page": str|null}`` — the first
   format (no mappings, no per-page state, absolute paths only).
2. The current format: ``sources`` as ``[{"path", "relative"}]``, ``mappings``,
   ``page_state``, ``schema_version``. Version-1 files are upgraded on load.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from memberdesk.core.dataset import Filters
from memberdesk.core.errors import DataError

SCHEMA_VERSION = 2
SUFFIX = ".mdesk"

# Page ids of the desktop app, in navigation order (DESIGN §5 `--page`).
PAGE_IDS: tuple[str, ...] = ("cockpit", "data", "retention", "persistency", "drivers",
                             "projection", "decrements", "experience", "benefits", "service",
                             "claims", "dictionary")


@dataclass
class Workspace:
    """Everything needed to reopen an analysis session.

    Attributes
    ----------
    sources
        Data files and folders, absolute paths, in the order they were opened.
    mappings
        Column mappings the user confirmed, as ``ColumnMapping.to_json()`` dicts (keyed inside
        by header signature, so they apply to any file with the same headers).
    filters
        The global filters.
    as_of
        The chosen as-of date, or None for "latest date in the data".
    page
        The page on screen (one of :data:`PAGE_IDS`), or None.
    page_state
        Per-page choices, ``{page_id: {key: JSON value}}`` (chosen segments, covariates...).
    """

    sources: list[str] = field(default_factory=list)
    mappings: list[dict[str, Any]] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    as_of: pd.Timestamp | None = None
    page: str | None = None
    page_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    # ---- saving ---------------------------------------------------------------------------

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        """The JSON object of this workspace; ``base`` is the folder paths are made relative
        to (the workspace file's folder)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "app": "MemberDesk",
            "sources": [{"path": str(Path(p).resolve()), "relative": _relative(p, base)}
                        for p in self.sources],
            "mappings": list(self.mappings),
            "filters": self.filters.to_json(),
            "as_of": None if self.as_of is None else pd.Timestamp(self.as_of).date().isoformat(),
            "page": self.page,
            "page_state": self.page_state,
        }

    def save(self, path: str | Path) -> Path:
        """Write the workspace to ``path`` (``.mdesk`` added when missing), atomically."""
        path = Path(path)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        text = json.dumps(self.to_json(path.resolve().parent), ensure_ascii=False, indent=1)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    # ---- loading --------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Mapping[str, Any], base: Path | None = None) -> Workspace:
        """Build a workspace from its JSON object, upgrading older formats.

        Raises
        ------
        DataError
            When the object is not a workspace or comes from a newer MemberDesk.
        """
        if not isinstance(data, Mapping):
            raise DataError("this is not a MemberDesk workspace (expected a JSON object)")
        version = data.get("schema_version", 1)
        if not isinstance(version, int) or version < 1:
            raise DataError(f"unknown workspace version {version!r}")
        if version > SCHEMA_VERSION:
            raise DataError(f"this workspace was saved by a newer MemberDesk (format {version}; "
                            f"this version reads up to {SCHEMA_VERSION})")
        if version == 1:
            sources = [str(p) for p in data.get("files", [])]
        else:
            sources = [_locate(entry, base) for entry in data.get("sources", [])]
        as_of = data.get("as_of")
        page = data.get("page")
        page_state = data.get("page_state", {}) if version >= 2 else {}
        return cls(
            sources=sources,
            mappings=[dict(m) for m in data.get("mappings", [])] if version >= 2 else [],
            filters=Filters.from_json(data.get("filters") or {}),
            as_of=None if as_of in (None, "") else pd.Timestamp(str(as_of)),
            page=page if page in PAGE_IDS else None,
            page_state={str(k): dict(v) for k, v in page_state.items() if isinstance(v, Mapping)},
        )

    @classmethod
    def load(cls, path: str | Path) -> Workspace:
        """Read a ``.mdesk`` file. Raises :class:`DataError` naming the file when it cannot
        be read."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataError(f"cannot read the workspace: {exc.strerror or exc}", file=str(path))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"this file is not a MemberDesk workspace ({exc})", file=str(path))
        try:
            return cls.from_json(data, path.resolve().parent)
        except DataError as exc:
            raise DataError(exc.message, file=str(path)) from None
        except (TypeError, ValueError, KeyError) as exc:
            raise DataError(f"the workspace is damaged: {exc}", file=str(path)) from None

    # ---- moved files ----------------------------------------------------------------------

    def missing_sources(self) -> list[str]:
        """Sources that do not exist on this computer."""
        return [p for p in self.sources if not Path(p).exists()]

    def remap_sources(self, old: str | Path, new: str | Path) -> int:
        """Replace the folder ``old`` by ``new`` in every source under it (the user pointed to
        where moved files now are). Returns how many sources changed."""
        old_p, new_p = Path(old), Path(new)
        changed = 0
        out = []
        for src in self.sources:
            p = Path(src)
            try:
                rest = p.relative_to(old_p)
            except ValueError:
                out.append(src)
                continue
            out.append(str(new_p / rest))
            changed += 1
        self.sources = out
        return changed

    def locate_missing(self, found: str | Path) -> int:
        """The user showed where one missing source now is: move every missing source that
        shares its old folder to the new folder. Returns how many sources changed."""
        found = Path(found)
        missing = self.missing_sources()
        for src in missing:
            if Path(src).name == found.name:
                return self.remap_sources(Path(src).parent, found.parent)
        if len(missing) == 1:  # renamed file: take the user's word for it
            self.sources = [str(found) if s == missing[0] else s for s in self.sources]
            return 1
        return 0


def _relative(path: str | Path, base: Path | None) -> str | None:
    if base is None:
        return None
    try:
        return os.path.relpath(Path(path).resolve(), base)
    except ValueError:  # another drive on Windows
        return None


def _locate(entry: Any, base: Path | None) -> str:
    """The absolute path of a saved source: as saved if it exists, else relative to the
    workspace's folder if that exists, else as saved (reported missing later)."""
    if isinstance(entry, str):
        return entry
    path = str(entry.get("path", ""))
    rel = entry.get("relative")
    if Path(path).exists() or base is None or not rel:
        return path
    candidate = (base / rel).resolve()
    return str(candidate) if candidate.exists() else path
