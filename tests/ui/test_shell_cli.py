"""`memberdesk gui --screenshot` and its usage errors (in-process, settings isolated)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from memberdesk.cli import main


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
