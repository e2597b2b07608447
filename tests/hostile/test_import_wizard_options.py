"""The import wizard lets the user choose the text encoding and the missing-value words
(#11 point 6, #10 point 5)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[None]:
    from PySide6.QtCore import QCoreApplication, QSettings

    from memberdesk.core.normalize import set_missing_tokens

    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QCoreApplication.setApplicationName(f"memberdesk-hostile-{os.getpid()}")
    yield
    set_missing_tokens()
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000)


def test_chosen_encoding_and_missing_words_are_used(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.core import schema
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.import_wizard import ImportWizard

    src = tmp_path / "policies.csv"
    # a refusing file: UTF-8 lines and one Windows-1252 line; chosen as cp1252 it reads
    src.write_bytes("policy_id,issue_date,channel,annual_premium\nP1,2021-01-05,Ãgence,?\n"
                    .encode() + "P2,2021-02-05,Générale,100\n".encode("cp1252"))
    wizard = ImportWizard([str(src)], AppSettings())
    qtbot.addWidget(wizard)
    wizard.show()
    files = wizard.files
    assert files.missing.text() == ", ".join(schema.MISSING_TOKENS)  # the list is shown
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.is_busy, timeout=10_000)
    assert not wizard.columns_page.isComplete()
    assert "mixes text encodings" in wizard.columns_page.status.text()
    wizard.back()
    files.encoding.setCurrentIndex(files.encoding.findData("cp1252"))
    files.missing.setText(files.missing.text() + ", ?")
    wizard.next()
    qtbot.waitUntil(wizard.columns_page.isComplete, timeout=10_000)
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=10_000)
    frame = check.dataset.validated["policies"]
    assert list(frame["channel"]) == ["Ãƒgence", "Générale"]  # UTF-8 "Ã" is C3 83 = "Ãƒ" in cp1252
    assert check.dataset.report.tables[0].rejected == 0  # "?" is a missing premium
