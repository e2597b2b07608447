"""`memberdesk gui --screenshot` and its usage errors (in-process, settings isolated)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from memberdesk.cli import main
from memberdesk.core.workspace import PAGE_IDS


def test_screenshot_of_the_data_page_is_written(sample_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "data.png"
    assert main(["gui", str(sample_data), "--screenshot", str(out), "--page", "data"]) == 0
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1400, 900)
    # not a blank image: many distinct colours (text, table, icons)
    colours = {image.pixel(x, y) for x in range(0, 1400, 7) for y in range(0, 900, 7)}
    assert len(colours) > 20


def test_unknown_page_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["gui", "--screenshot", str(tmp_path / "x.png"), "--page", "nope"]) == 2
    assert "unknown page" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_unreadable_data_exits_3_with_the_file_named(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("colour,shape\nred,round\n", encoding="utf-8")
    assert main(["gui", str(bad), "--screenshot", str(tmp_path / "x.png")]) == 3
    assert "bad.csv" in capsys.readouterr().err


@pytest.mark.parametrize("page", PAGE_IDS)
def test_screenshot_of_every_page_is_a_full_window_picture(sample_data: Path, tmp_path: Path,
                                                           page: str) -> None:
    out = tmp_path / f"{page}.png"
    assert main(["gui", str(sample_data), "--screenshot", str(out), "--page", page]) == 0
    image = QImage(str(out))
    assert not image.isNull() and out.stat().st_size > 20_000
    assert (image.width(), image.height()) == (1400, 900)  # no page widens the window
    # the page area (right of the navigation, below the filter bar) is not blank
    colours = {image.pixel(x, y) for x in range(260, 1400, 9) for y in range(150, 860, 9)}
    assert len(colours) > 20, f"{page}: the page area is nearly blank"


def test_a_screenshot_run_that_fails_prints_one_line(tmp_path: Path) -> None:
    """A screenshot run is a command: on a missing file its stderr is the one error line, not
    a log line of the worker before it (seen by helper U: "INFO memberdesk.ui.worker: Loading
    data failed (handled by caller): ...")."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "main.py"), "gui", str(tmp_path / "nope.csv"),
                           "--screenshot", str(tmp_path / "x.png")], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        f"memberdesk: data error: {tmp_path / 'nope.csv'}: no such file or folder"]
