"""The data page's validation view shows the loader's file messages in the UI language
(issue #12: file messages as reason codes; they were English sentences under 简体中文)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from memberdesk.core.loader import load_dataset

TODAY = __import__("datetime").date(2026, 1, 1)


def test_validation_view_shows_file_messages_in_chinese(qtbot: Any, tmp_path: Path) -> None:
    from memberdesk.ui import i18n
    from memberdesk.ui.shell.validation_view import ValidationView

    (tmp_path / "policies.csv").write_text("policy_id,issue_date\nP1,2021-03-01\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    report = load_dataset([tmp_path], today=TODAY).report
    i18n.set_ui_language("zh_CN")
    try:
        view = ValidationView()
        qtbot.addWidget(view)
        view.set_report(report)
        text = view.messages.text()
        assert f"{tmp_path / 'notes.csv'}：未识别出任何字段（表头：foo, bar）" in text
        assert "no recognisable columns" not in text
    finally:
        i18n.set_ui_language("en")
    view.set_report(report)
    assert "no recognisable columns (headers: foo, bar)" in view.messages.text()
