"""A headless render never changes the user's remembered state."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from memberdesk.cli import main
from memberdesk.ui.settings import AppSettings


def _point_settings_at(folder: Path) -> None:
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))


def test_screenshot_leaves_last_page_and_recent_files_alone(sample_data: Path, tmp_path: Path,
                                                             isolated_settings: Path) -> None:
    AppSettings().last_page = "retention"
    before = {k: QSettings().value(k) for k in QSettings().allKeys()}
    out = tmp_path / "service.png"
    assert main(["gui", str(sample_data), "--screenshot", str(out), "--page", "service"]) == 0
    assert out.exists()
    _point_settings_at(isolated_settings)
    after = {k: QSettings().value(k) for k in QSettings().allKeys()}
    assert after == before
    assert AppSettings().last_page == "retention"
