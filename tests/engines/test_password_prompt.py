"""PostgreSQL passwords (issue #13 point 3): from ``PGPASSWORD``, ``~/.pgpass`` or a prompt,
never in a URL, a message, a log, a workspace or the settings. Against the real server of
``conftest.postgres`` (scram-sha-256 over TCP), with ``PGPASSWORD`` removed for each test."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from memberdesk.cli import main
from memberdesk.core.engine.connection import PasswordRequired, open_with_password

from .conftest import PG_PASSWORD, write_postgres

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "pwprompt"


@pytest.fixture(scope="module")
def pg_url(postgres) -> str:  # type: ignore[no-untyped-def]
    """Four policies (two lapsed) in a schema of their own on the test server."""
    policies = pa.table({
        "policy_id": ["P1", "P2", "P3", "P4"],
        "issue_date": pa.array([dt.date(2020, 1, 1)] * 4, pa.date32()),
        "end_date": pa.array([None, dt.date(2020, 7, 1), None, dt.date(2021, 1, 1)], pa.date32()),
        "status": ["in_force", "lapsed", "in_force", "lapsed"],
        "channel": ["agency", "agency", "online", "online"],
    })
    return str(write_postgres(postgres, SCHEMA, {"policies": policies}))


@pytest.fixture
def no_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither PGPASSWORD nor a ~/.pgpass entry: the server's demand goes unanswered."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


def _km_args(url: str) -> list[str]:
    return ["km", url, "--table", f"policies={SCHEMA}.policies", "--unit", "days", "--json"]


def test_no_password_and_no_terminal_exits_3_naming_the_sources(
        pg_url: str, no_password: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: nobody to ask
    assert main(_km_args(pg_url)) == 3
    err = capsys.readouterr().err
    assert "asks for a password" in err and "PGPASSWORD" in err and "~/.pgpass" in err
    assert pg_url in err  # which server (the URL never holds a password)


def test_prompted_password_connects_and_is_asked_once(
        pg_url: str, no_password: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from memberdesk.commands import common

    asked: list[str] = []

    def prompt(where: str) -> str:
        asked.append(where)
        return PG_PASSWORD

    monkeypatch.setattr(common, "password_prompt", lambda: prompt)
    caplog.set_level("DEBUG")
    assert main(_km_args(pg_url)) == 0
    out, err = capsys.readouterr()
    (group,) = json.loads(out)["groups"]
    assert (group["n"], group["events"]) == (4, 2)
    assert asked == [pg_url]
    assert PG_PASSWORD not in out + err + caplog.text


def test_wrong_prompted_password_is_exit_3_without_asking_again(
        pg_url: str, no_password: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from memberdesk.commands import common

    asked: list[str] = []
    monkeypatch.setattr(common, "password_prompt",
                        lambda: lambda where: asked.append(where) or "wrong-guess")
    assert main(_km_args(pg_url)) == 3
    err = capsys.readouterr().err
    assert len(asked) == 1 and "password authentication failed" in err
    assert "wrong-guess" not in err


def test_a_cancelled_prompt_is_a_clear_error() -> None:
    def open_(password: str | None) -> str:
        if password is None:
            raise PasswordRequired("the server asks for a password", file="postgresql://u@h/db")
        return password

    assert open_with_password(open_, lambda where: "pw") == "pw"
    with pytest.raises(PasswordRequired, match="no password was given"):
        open_with_password(open_, lambda where: None)
    with pytest.raises(PasswordRequired, match="asks for a password"):
        open_with_password(open_, None)


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while needle not in seen:
        left = end - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            return needle in seen
        if not chunk:
            return needle in seen
        seen.extend(chunk)
    return True


def test_cli_in_a_terminal_asks_without_echo(pg_url: str, tmp_path: Path) -> None:
    """The real command under a pseudo-terminal: getpass asks once, the typed password is not
    echoed back to the terminal, and the analysis runs."""
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env["PGPASSFILE"] = str(tmp_path / "no-pgpass")
    argv = [sys.executable, str(ROOT / "main.py"), *_km_args(pg_url)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the pseudo-terminal
        try:
            os.chdir(ROOT)
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    seen = bytearray()
    try:
        assert _read_until(fd, b"Password for ", seen, 120), bytes(seen)
        assert pg_url.encode() in seen
        os.write(fd, PG_PASSWORD.encode() + b"\n")
        _read_until(fd, b"\x00never", seen, 120)  # read everything until the child exits
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = bytes(seen).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert text.count("Password for ") == 1
    assert PG_PASSWORD not in text  # not echoed, not printed
    payload = text[text.index("{"):]
    (group,) = json.loads(payload)["groups"]
    assert (group["n"], group["events"]) == (4, 2)


def test_desktop_asks_in_the_dialog_and_saves_the_password_nowhere(
        pg_url: str, no_password: None, qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
        caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings

    # settings in tmp_path, as tests/ui/conftest.py does (never the real user profile)
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(settings_dir))
    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QCoreApplication.setApplicationName(f"memberdesk-pw-test-{os.getpid()}")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    try:
        _connect_twice_and_save(pg_url, qtbot, tmp_path, settings_dir, caplog)
    finally:
        QCoreApplication.setOrganizationName(names[0])
        QCoreApplication.setApplicationName(names[1])


def _connect_twice_and_save(pg_url: str, qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                            settings_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import QSettings

    from memberdesk.ui.shell import connect_dialog
    from memberdesk.ui.shell.connect_dialog import ConnectDialog
    from memberdesk.ui.shell.main_window import MainWindow
    from memberdesk.ui.worker import wait_for_pool

    caplog.set_level("DEBUG")
    connect_dialog._SESSION_PASSWORDS.clear()
    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    asked: list[str] = []

    def ask(where: str) -> str:
        asked.append(where)
        return PG_PASSWORD

    dialog = ConnectDialog(window, ask_password=ask)
    dialog.url.setCurrentText(pg_url)
    dialog.tables.setText(f"policies={SCHEMA}.policies")
    dialog.start()
    qtbot.waitUntil(lambda: dialog.dataset is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    assert asked == [pg_url] and dialog.dataset.book.engine == "postgres"
    qtbot.waitUntil(lambda: window.base is dialog.dataset, timeout=60_000)
    dialog.dataset.book.close()

    # the same session connects again without asking (the password kept in memory)
    again = ConnectDialog(window, ask_password=ask)
    again.url.setCurrentText(pg_url)
    again.tables.setText(f"policies={SCHEMA}.policies")
    again.start()
    qtbot.waitUntil(lambda: again.dataset is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not again.is_busy, timeout=60_000)
    assert len(asked) == 1
    again.dataset.book.close()

    workspace = window.save_workspace(tmp_path / "session.mdesk")
    window.settings._s.sync()
    QSettings().sync()
    written = [workspace, *sorted(p for p in settings_dir.rglob("*") if p.is_file())]
    assert any(p.suffix in (".ini", ".conf") for p in written), written
    assert any(pg_url in p.read_text(encoding="utf-8", errors="replace") for p in written)
    for path in written:
        assert PG_PASSWORD not in path.read_text(encoding="utf-8", errors="replace"), path
    assert PG_PASSWORD not in caplog.text
    window.dirty = False
    connect_dialog._SESSION_PASSWORDS.clear()
    assert wait_for_pool(20_000)
