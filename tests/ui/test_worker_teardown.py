"""Qt objects die in the GUI thread, while the QApplication exists (the intermittent segfault
of `gui --screenshot` and of the UI suite).

Two paths handed Qt objects to the wrong thread or to interpreter shutdown:

* ``QThreadPool.start`` makes the pool own every Worker's Python wrapper (autoDelete is off), so
  no Worker was ever freed: each kept its function, arguments and its signals object — with the
  closures connected to it, holding the runner and the page's callbacks — until interpreter
  shutdown, after the QApplication was gone. Finished workers now drop all that in the GUI
  thread, and their signals object is deleted there.
* ``gui --screenshot`` returned with the window, its pages and charts held in reference cycles
  (automatic collection is off once workers run) and the GUI-thread collection timer still
  alive, all left to the interpreter's shutdown. ``app.shutdown`` now deletes the window, stops
  the timer and collects in the GUI thread first; a process running several screenshot cycles
  exits 0 with no fatal error.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

from PySide6.QtCore import Qt

from memberdesk.ui import worker as worker_module

ROOT = Path(__file__).resolve().parents[2]


class Payload:
    """Stands for what a task's arguments hold (a dataset, a page's bound method)."""


def test_finished_workers_release_their_payload_and_signals_in_the_gui_thread(qtbot) -> None:
    payloads: list[weakref.ref[Payload]] = []
    deleted_in: list[str] = []

    def record_deletion(*_args: object) -> None:  # runs in the thread deleting the QObject
        deleted_in.append(threading.current_thread().name)

    def task(payload: Payload, progress: object = None) -> int:
        return sum(range(1000))

    n = 40
    for _ in range(n):
        payload = Payload()
        payloads.append(weakref.ref(payload))
        w = worker_module.Worker(task, payload)
        w.signals.destroyed.connect(record_deletion, Qt.ConnectionType.DirectConnection)
        worker_module.start_worker(w)
        del payload, w
    assert worker_module.wait_for_pool(30_000)
    # No gc.collect(): plain reference counting frees them once the workers let go (before,
    # the pool kept every Worker, so every payload stayed alive for the whole session).
    assert sum(ref() is not None for ref in payloads) == 0
    assert deleted_in == [threading.main_thread().name] * n


def test_screenshot_cycles_in_one_process_exit_cleanly(tmp_path: Path, sample_data: Path) -> None:
    # Two start/screenshot/quit cycles in one process (two pages, both languages), then the
    # interpreter's own shutdown. After each cycle nothing of the window or the workers' signals
    # is left alive and automatic collection is back on.
    script = f"""
import gc, sys
import shiboken6
from PySide6.QtWidgets import QWidget
from memberdesk.ui import app, worker
from memberdesk.ui.shell.main_window import MainWindow
for i, (page, lang) in enumerate([("retention", "zh_CN"), ("cockpit", "en")]):
    status = app.run([{str(sample_data)!r}], lang=lang,
                     screenshot_path={str(tmp_path)!r} + f"/shot{{i}}.png", page=page)
    assert status == 0, status
    assert gc.isenabled() and worker._GC is None and not worker._LIVE and not worker._RETIRING
    alive = [o for o in gc.get_objects()
             if isinstance(o, (MainWindow, worker.WorkerSignals)) and shiboken6.isValid(o)]
    assert alive == [], alive
print("cycles done", flush=True)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"}
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "cycles done" in proc.stdout
    assert "Fatal Python error" not in proc.stderr
    assert (tmp_path / "shot0.png").stat().st_size > 0 and (tmp_path / "shot1.png").is_file()


def test_the_collection_timer_is_made_only_in_the_gui_thread(qapp) -> None:
    # Its QTimer would live in a pool thread without an event loop and never fire (automatic
    # collection off, nothing collecting).
    seen: list[bool] = []
    other = threading.Thread(target=lambda: seen.append(worker_module._in_gui_thread()))
    other.start()
    other.join()
    assert seen == [False] and worker_module._in_gui_thread()
