"""MEMBERDESK_DUCKDB_MEMORY caps DuckDB's buffer memory (spilling to a private temporary folder
removed on close); unset, the cap is 1.5 GB (or half the RAM when less); ``default`` keeps
DuckDB's own (80% of RAM). docs/engines.md, Speed and memory."""
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


def test_unset_caps_at_1536mb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    con = DuckDBConnection(parse(_book(tmp_path)))
    try:
        limit = con.con.execute("SELECT current_setting('memory_limit')").fetchone()
        # 1536 MB (DuckDB's MB: 10^6 bytes) = 1464.8 MiB, shown rounded; half the RAM if less
        expected = "1.4 GiB" if ram_mb / 2 >= 1536 else None
        assert limit is not None and (expected is None or limit[0] in (expected, "1.4GiB"))
        assert os.path.isdir(con._spill)
    finally:
        con.close()


def test_default_keeps_duckdbs_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "default")
    con = DuckDBConnection(parse(_book(tmp_path)))
    try:
        assert getattr(con, "_spill", None) is None
    finally:
        con.close()


def test_a_failed_open_leaves_no_spill_folder(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A session that fails while being set up is closed and its spill folder removed (the
    folder was left behind, the session open, when a SET failed after the folder was made)."""
    from memberdesk.core.engine import connection

    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setattr(connection.tempfile, "tempdir", str(spills))
    monkeypatch.setattr(connection, "memory_limit", lambda: "not a size")  # DuckDB refuses it
    with pytest.raises(DataError, match="cannot open"):
        DuckDBConnection(parse(_book(tmp_path)))
    assert list(spills.iterdir()) == []
