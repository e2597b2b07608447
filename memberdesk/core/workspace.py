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
   ``page_state``, ``schema_version``. Version-1 files are upgraded on load. Optional
   ``assumptions`` (:meth:`memberdesk.core.assumptions.Assumptions.to_dict`, issue 17 C.17):
   files without it load with the default assumptions.
3. Adds ``compare`` (issue 17 C.18): the pages whose "Compare with…" is on and each one's
   reference, ``{"version": 1, "pages": {page_id: {"mode": "as_of", "reference_as_of":
   "YYYY-MM-DD"} | {"mode": "filters", "reference_filters": {filters}}}}``. The current side
   of every comparison is the workspace's own ``as_of`` and ``filters``. The field has its own
   ``version`` (:data:`COMPARE_VERSION`) so it can grow without another file format; files of
   format 1 and 2 load with no comparison. The file format went to 3 so that an older
   MemberDesk says the file is newer instead of opening it without its comparison.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from memberdesk.core import schema
from memberdesk.core.assumptions import Assumptions, AssumptionsError
from memberdesk.core.atomic_write import atomic_write_text
from memberdesk.core.dataset import Filters
from memberdesk.core.errors import DataError

SCHEMA_VERSION = 3
SUFFIX = ".mdesk"

# Page ids of the desktop app, in navigation order (docs/cli.md, `--page`). Core sits below
# memberdesk/page_registry.py, which owns the pages; tests/test_page_registry.py checks that
# this copy equals the registry's PAGE_IDS.
PAGE_IDS: tuple[str, ...] = ("cockpit", "alerts", "data", "retention", "persistency", "drivers",
                             "retention_list", "projection", "decrements", "experience", "benefits", "service",
                             "claims", "dictionary")

# Compare with… (issue 17 C.18): the pages that have it, the kinds of reference, the version
# of the ``compare`` field.
COMPARE_VERSION = 1
COMPARE_PAGES: tuple[str, ...] = ("cockpit", "retention", "persistency")
COMPARE_AS_OF = "as_of"
COMPARE_FILTERS = "filters"
COMPARE_MODES: tuple[str, ...] = (COMPARE_AS_OF, COMPARE_FILTERS)


@dataclass(frozen=True)
class CompareView:
    """One page's "Compare with…" reference (the current side is the workspace's view).

    Attributes
    ----------
    mode
        ``"as_of"`` (the same data at ``reference_as_of``) or ``"filters"`` (the same as-of
        under ``reference_filters``, the pinned filter set).
    reference_as_of
        The reference as-of date (mode ``as_of``; kept, if set, in mode ``filters`` too so the
        date shows again when the user switches back).
    reference_filters
        The pinned filters (mode ``filters``), or None when none were pinned yet.
    """

    mode: str = COMPARE_AS_OF
    reference_as_of: pd.Timestamp | None = None
    reference_filters: Filters | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.reference_as_of is not None:
            out["reference_as_of"] = pd.Timestamp(self.reference_as_of).date().isoformat()
        if self.reference_filters is not None:
            out["reference_filters"] = self.reference_filters.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompareView:
        as_of = data.get("reference_as_of")
        filters = data.get("reference_filters")
        return cls(mode=str(data.get("mode", COMPARE_AS_OF)),
                   reference_as_of=None if as_of in (None, "") else pd.Timestamp(str(as_of)),
                   reference_filters=None if filters is None else Filters.from_json(filters))


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
    assumptions
        The analysis assumptions (free-look and grace days, credibility, CI level, bands,
        reference levels).
    compare
        ``{page_id: CompareView}`` of the pages (:data:`COMPARE_PAGES`) whose "Compare with…"
        is on; empty when no comparison is shown.
    """

    sources: list[str] = field(default_factory=list)
    mappings: list[dict[str, Any]] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    as_of: pd.Timestamp | None = None
    page: str | None = None
    page_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    assumptions: Assumptions = field(default_factory=Assumptions)
    compare: dict[str, CompareView] = field(default_factory=dict)

    # ---- saving ---------------------------------------------------------------------------

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        """The JSON object of this workspace; ``base`` is the folder paths are made relative
        to (the workspace file's folder)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "app": "MemberDesk",
            "sources": [_source_entry(p, base) for p in self.sources],
            "mappings": list(self.mappings),
            "filters": self.filters.to_json(),
            "as_of": None if self.as_of is None else pd.Timestamp(self.as_of).date().isoformat(),
            "page": self.page,
            "page_state": self.page_state,
            "assumptions": self.assumptions.to_dict(),
            "compare": {"version": COMPARE_VERSION,
                        "pages": {pid: view.to_json() for pid, view in self.compare.items()}},
        }

    def save(self, path: str | Path) -> Path:
        """Write the workspace to ``path`` (``.mdesk`` added when missing), atomically."""
        path = Path(path)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        text = json.dumps(self.to_json(path.resolve().parent), ensure_ascii=False, indent=1)
        return atomic_write_text(path, text + "\n", what="the workspace")

    # ---- loading --------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Mapping[str, Any], base: Path | None = None) -> Workspace:
        """Build a workspace from its JSON object, upgrading older formats.

        Raises
        ------
        DataError
            When the object is not a workspace or comes from a newer MemberDesk.
        """
        check_workspace_json(data)
        version = data.get("schema_version", 1)
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
            assumptions=Assumptions.from_dict(data.get("assumptions") or {}),
            compare=_compare_views(data.get("compare")) if version >= 3 else {},
        )

    @classmethod
    def load(cls, path: str | Path) -> Workspace:
        """Read a ``.mdesk`` file. Raises :class:`DataError` naming the file when it cannot
        be read."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read the workspace: {exc.strerror or exc}",
                            file=str(path)) from None
        data = _parse_workspace_bytes(raw, str(path))
        try:
            return cls.from_json(data, path.resolve().parent)
        except DataError as exc:
            raise DataError(exc.message, file=str(path), column=exc.column) from None
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
            raise DataError(f"the workspace is damaged: {exc}", file=str(path)) from None

    # ---- moved files ----------------------------------------------------------------------

    def missing_sources(self) -> list[str]:
        """Sources that do not exist on this computer (a database URL is not a file: connecting
        says whether it is there)."""
        return [p for p in self.sources if not _is_url(p) and not Path(p).exists()]

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


def _compare_views(data: Any) -> dict[str, CompareView]:
    """The ``compare`` field (checked by :func:`check_workspace_json`) as views by page;
    pages without a Compare panel in this version are left out."""
    if not isinstance(data, Mapping):
        return {}
    pages = data.get("pages") or {}
    return {str(pid): CompareView.from_json(view) for pid, view in pages.items()
            if pid in COMPARE_PAGES and isinstance(view, Mapping)}


def _source_entry(source: str | Path, base: Path | None) -> dict[str, str | None]:
    """A source as saved: a file or folder by its absolute path and its path relative to the
    workspace (a DuckDB file or Parquet folder given as a path too); a database URL
    (``duckdb:///book.duckdb``, ``postgresql://…``, ``spark:…``) as written."""
    text = str(source)
    if _is_url(text):
        return {"path": text, "relative": None}
    return {"path": str(Path(source).resolve()), "relative": _relative(source, base)}


def _is_url(source: str | Path) -> bool:
    """A database URL (``duckdb:///book.duckdb``, ``postgresql://…``, ``spark:…``), not a path."""
    from memberdesk.core.engine.urls import is_url

    return is_url(str(source))


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


# ---- the workspace schema -----------------------------------------------------------------

MAX_WORKSPACE_BYTES = 16 << 20  # a workspace holds paths and choices, never data
MAX_NESTING = 16  # the deepest a valid workspace goes is 5 (page_state values may nest a little)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_workspace_bytes(raw: bytes, file: str) -> Any:
    """The JSON value of a workspace file, or one :class:`DataError` saying why not."""
    def damaged(why: str) -> DataError:
        return DataError(f"this file is not a MemberDesk workspace ({why})", file=file)

    if not raw.strip():
        raise damaged("the file is empty")
    if len(raw) > MAX_WORKSPACE_BYTES:
        raise damaged(f"{len(raw):,} bytes; a workspace is a small text file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:64]:
        raise damaged("UTF-16 or binary content; workspaces are UTF-8 JSON text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise damaged(f"not UTF-8 text: byte {exc.start}") from None
    depth = _bracket_depth(text)
    if depth > MAX_NESTING:
        raise damaged(f"nested {depth} levels deep; a workspace nests at most {MAX_NESTING}")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise damaged(f"truncated or invalid JSON: {exc}") from None


def _bracket_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside strings (checked before parsing, so a hostile
    file cannot exhaust the recursion limit of the JSON parser or of the checks)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _bad(field_name: str, why: str) -> DataError:
    return DataError(f"the workspace is damaged: field {field_name!r} {why}", column=field_name)


def _expect(value: Any, kinds: tuple[type, ...], field_name: str, what: str) -> None:
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise _bad(field_name, f"must be {what}, not {type(value).__name__} {_short(value)}")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_date(value: Any, field_name: str) -> None:
    if value in (None, ""):
        return
    _expect(value, (str,), field_name, "a date YYYY-MM-DD or null")
    if not _DATE.match(value) or not _date_ok(value):
        raise _bad(field_name, f"must be a date YYYY-MM-DD between {schema.MIN_DATE} and "
                               f"{schema.MAX_DATE}, not {_short(value)}")


def _date_ok(text: str) -> bool:
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return False
    return schema.MIN_DATE <= text <= schema.MAX_DATE and not pd.isna(stamp)


def check_workspace_json(data: Any) -> None:
    """Check a workspace's JSON value against the workspace schema (version, types, values).

    Raises
    ------
    DataError
        Naming the first field at fault (``column`` is the field's JSON path).
    """
    if not isinstance(data, Mapping):
        raise DataError("this is not a MemberDesk workspace (expected a JSON object, found "
                        f"{type(data).__name__})")
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _bad("schema_version", f"must be a whole number from 1 to {SCHEMA_VERSION}, "
                                     f"not {_short(version)}")
    if version > SCHEMA_VERSION:
        raise DataError(f"this workspace was saved by a newer MemberDesk (format {version}; "
                        f"this version reads up to {SCHEMA_VERSION})", column="schema_version")
    if version == 1:
        files = data.get("files", [])
        _expect(files, (list,), "files", "a list of paths")
        for i, f in enumerate(files):
            _expect(f, (str,), f"files[{i}]", "a path")
    else:
        _check_sources(data.get("sources", []))
        _check_mappings(data.get("mappings", []))
    filters = data.get("filters")
    if filters is not None:
        _check_filters(filters, "filters")
    _check_date(data.get("as_of"), "as_of")
    page = data.get("page")
    if page is not None:
        _expect(page, (str,), "page", "a page name or null")
    state = data.get("page_state", {})
    if state is not None:
        _expect(state, (dict,), "page_state", "an object of pages")
        for key, value in state.items():
            _expect(value, (dict,), f"page_state.{key}", "an object")
    assumptions = data.get("assumptions")
    if assumptions is not None:
        _expect(assumptions, (dict,), "assumptions", "an object of assumption values")
        try:
            Assumptions.from_dict(assumptions)
        except AssumptionsError as exc:
            raise _bad("assumptions", str(exc)) from exc
    compare = data.get("compare")
    if compare is not None and version >= 3:
        _check_compare(compare)


def _check_filters(filters: Any, where: str) -> None:
    _expect(filters, (dict,), where, "an object")
    for key in ("issue_from", "issue_to", "study_start"):
        _check_date(filters.get(key), f"{where}.{key}")
    for key in Filters.VALUE_FIELDS:
        values = filters.get(key, [])
        _expect(values, (list,), f"{where}.{key}", "a list of values")
        for i, v in enumerate(values):
            _expect(v, (str, int, float), f"{where}.{key}[{i}]", "a value")


def _check_compare(compare: Any) -> None:
    """The ``compare`` field (format 3): its version, and each page's mode and reference."""
    _expect(compare, (dict,), "compare", "an object")
    version = compare.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _bad("compare.version", f"must be a whole number from 1 to {COMPARE_VERSION}, "
                                      f"not {_short(version)}")
    if version > COMPARE_VERSION:
        raise DataError("this workspace's comparison was saved by a newer MemberDesk (compare "
                        f"format {version}; this version reads up to {COMPARE_VERSION})",
                        column="compare.version")
    pages = compare.get("pages", {})
    _expect(pages, (dict,), "compare.pages", "an object of pages")
    for pid, view in pages.items():
        where = f"compare.pages.{pid}"
        _expect(view, (dict,), where, "an object")
        mode = view.get("mode")
        if mode not in COMPARE_MODES:
            raise _bad(f"{where}.mode", f"must be one of {', '.join(COMPARE_MODES)}, "
                                        f"not {_short(mode)}")
        _check_date(view.get("reference_as_of"), f"{where}.reference_as_of")
        if mode == COMPARE_AS_OF and view.get("reference_as_of") in (None, ""):
            raise _bad(f"{where}.reference_as_of", "is needed to compare with another as-of date")
        if view.get("reference_filters") is not None:
            _check_filters(view["reference_filters"], f"{where}.reference_filters")


def _check_sources(sources: Any) -> None:
    _expect(sources, (list,), "sources", "a list")
    for i, entry in enumerate(sources):
        where = f"sources[{i}]"
        _expect(entry, (str, dict), where, "a path or {path, relative}")
        if isinstance(entry, dict):
            _expect(entry.get("path"), (str,), f"{where}.path", "a path")
            rel = entry.get("relative")
            if rel is not None:
                _expect(rel, (str,), f"{where}.relative", "a path or null")


def _check_mappings(mappings: Any) -> None:
    _expect(mappings, (list,), "mappings", "a list")
    for i, m in enumerate(mappings):
        where = f"mappings[{i}]"
        _expect(m, (dict,), where, "an object")
        table = m.get("table")
        if table not in schema.TABLE_SPECS:
            raise _bad(f"{where}.table", f"must be one of {', '.join(schema.TABLE_SPECS)}, "
                                         f"not {_short(table)}")
        columns = m.get("columns", [])
        pairs = list(columns.items()) if isinstance(columns, dict) else columns
        _expect(pairs, (list,), f"{where}.columns", "a list of [source, column] pairs")
        known = set(schema.TABLE_SPECS[table].column_names)
        for j, pair in enumerate(pairs):
            at = f"{where}.columns[{j}]"
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 \
                    or not isinstance(pair[0], str):
                raise _bad(at, f"must be a [source header, column] pair, not {_short(pair)}")
            if pair[1] is not None and pair[1] not in known:
                raise _bad(at, f"maps {pair[0]!r} to {_short(pair[1])}, which is not a column "
                               f"of the {table} table")
