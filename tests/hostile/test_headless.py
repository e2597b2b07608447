"""Headless runs never wait on a modal dialog (#11 points 11, 12)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memberdesk.cli import main


def _status(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_screenshot_into_a_missing_folder_is_a_usage_error(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nope" / "x.png"
    assert _status(["gui", "--screenshot", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b'{"schema_version": 2, "sources": [1]}', b"", b"[1]"])
def test_damaged_workspace_fails_headless_with_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    ws = tmp_path / "w.mdesk"
    ws.write_bytes(content)
    assert _status(["gui", str(ws), "--screenshot", str(tmp_path / "x.png")]) == 3
    err = capsys.readouterr().err
    assert str(ws) in err and not (tmp_path / "x.png").exists()


def test_workspace_with_missing_sources_fails_headless_instead_of_asking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "w.mdesk"
    ws.write_text(json.dumps({"schema_version": 2, "sources": [{"path": "/gone/policies.csv",
                                                                "relative": None}]}))
    assert _status(["gui", str(ws), "--screenshot", str(tmp_path / "x.png")]) == 3
    assert "/gone/policies.csv" in capsys.readouterr().err
