"""Suite-wide settings: headless Qt and no access to the real user profile."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc  # noqa: E402

import pytest  # noqa: E402

_TESTS_SINCE_COLLECT = [0]


@pytest.fixture(autouse=True)
def _collect_garbage_in_the_main_thread():  # type: ignore[no-untyped-def]
    """Once a UI worker has run, automatic garbage collection is off for the process (it runs
    on a Qt timer in the GUI thread: see memberdesk.ui.worker.collect_garbage_in_gui_thread).
    Tests that spin no event loop would then never collect; collect here, in the main thread,
    every 25 tests to keep the suite's memory bounded."""
    yield
    if not gc.isenabled():
        _TESTS_SINCE_COLLECT[0] += 1
        if _TESTS_SINCE_COLLECT[0] >= 25:
            _TESTS_SINCE_COLLECT[0] = 0
            gc.collect()
