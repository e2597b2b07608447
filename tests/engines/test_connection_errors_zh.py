"""Connection errors read in the window's language (the Connect dialog and the status bar show
``error_text(exc, lang)``): each is a catalogue reason, so 简体中文 reads Chinese words around the
driver's own text, and English reads as before.

Truth: the catalogue's words, written out here; the driver's detail is passed through as given.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.urls import parse
from memberdesk.core.errors import DataError
from memberdesk.core.reasons import error_text

from .conftest import free_port


def _error(data: str | list[str]) -> DataError:
    with pytest.raises(DataError) as caught:
        if isinstance(data, list) or not data.startswith(("sc://", "duckdb://")):
            parse(data)
        else:
            open_book(data)
    return caught.value


@pytest.mark.parametrize("data,english,chinese", [
    ("mysql://u@h/db", "not a database URL", "不是数据库 URL"),
    ("duckdb://", "duckdb:// needs a database file", "需要指定数据库文件"),
    ("postgresql://u:secret@h:5432/db", "a password inside the URL is not accepted",
     "URL 中不能包含密码"),
    ("postgresql:///db", "the PostgreSQL URL needs a host", "PostgreSQL URL 需要主机名"),
    (["duckdb:///a.duckdb", "postgresql://u@h/db"], "a database URL is given alone",
     "数据库 URL 须单独给出"),
])
def test_url_errors_in_both_languages(data: str | list[str], english: str, chinese: str) -> None:
    exc = _error(data)
    assert english in error_text(exc, "en")
    assert chinese in error_text(exc, "zh_CN") and english not in error_text(exc, "zh_CN")
    assert "secret" not in error_text(exc, "en") + error_text(exc, "zh_CN")


def test_missing_duckdb_file_in_both_languages(tmp_path: Path) -> None:
    exc = _error(f"duckdb://{tmp_path / 'nope.duckdb'}")
    assert error_text(exc, "en").endswith("nope.duckdb: no such DuckDB database file")
    assert error_text(exc, "zh_CN").endswith("nope.duckdb：找不到该 DuckDB 数据库文件")


def test_unreachable_spark_connect_in_both_languages() -> None:
    port = free_port()
    exc = _error(f"sc://127.0.0.1:{port}")
    assert f"cannot reach the Spark Connect server at 127.0.0.1:{port}: " in error_text(exc, "en")
    assert f"无法连接 Spark Connect 服务器 127.0.0.1:{port}：" in error_text(exc, "zh_CN")
