"""MEMBERDESK_DUCKDB_MEMORY caps DuckDB's buffer memory (spilling to a private temporary folder
removed on close); unset, DuckDB keeps its own default. docs/engines.md, Speed and memory."""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from memberdesk.core.engine.connection import MEMORY_ENV, DuckDBConnection
from memberdesk.core.engine.urls import parse
from memberdesk.core.errors import DataError

from .conftest import write_duckdb


def _book(tmp_path: Path) -> str:
    return write_duckdb(tmp_path / "book.duckdb", {"policies": pa.table({"policy_id": ["P1"]})})


def test_limit_and_spill_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "64MB")
    con = DuckDBConnection(parse(_book(tmp_path)))
    try:
        limit = con.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None and limit[0] in ("61.0 MiB", "64.0 MB", "61.0MiB")
        spill = con.con.execute("SELECT current_setting('temp_directory')").fetchone()
        assert spill is not None and os.path.isdir(spill[0])
    finally:
        con.close()
    assert not os.path.exists(spill[0])  # the private spill folder goes with the connection


def test_bad_size_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "lots; DROP TABLE policies")
    with pytest.raises(DataError, match=MEMORY_ENV):
        DuckDBConnection(parse(_book(tmp_path)))


def test_unset_keeps_duckdbs_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    con = DuckDBConnection(parse(_book(tmp_path)))
    try:
        assert getattr(con, "_spill", None) is None
    finally:
        con.close()
