"""The status-bar widget showing the running task: what it does, a progress bar, Cancel.

It follows every :class:`~memberdesk.ui.worker.TaskRunner` in the application (through
:func:`~memberdesk.ui.worker.watch_tasks`) and shows the most recently started one.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from memberdesk.ui import i18n, worker
from memberdesk.ui.resources import icon


class TaskStatus(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(icon("cancel"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the running task"))
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._running: list[worker.TaskRunner] = []
        self._connected: set[int] = set()
        self._unsubscribe = worker.watch_tasks(self._task_changed)
        self._refresh()

    @property
    def current(self) -> worker.TaskRunner | None:
        return self._running[-1] if self._running else None

    def cancel(self) -> None:
        """Cancel the task shown."""
        runner = self.current
        if runner is not None:
            runner.cancel()

    def detach(self) -> None:
        """Stop following tasks (the window is closing)."""
        self._unsubscribe()
        self._running.clear()

    def _task_changed(self, runner: worker.TaskRunner, busy: bool) -> None:
        if not shiboken6.isValid(self):
            return
        if runner in self._running:
            self._running.remove(runner)
        if busy:
            self._running.append(runner)
            if id(runner) not in self._connected:
                self._connected.add(id(runner))
                runner.progress.connect(lambda x, r=runner: self._progress(r, x))
                runner.status.connect(lambda t, r=runner: self._status(r, t))
            self.bar.setValue(0)
            self.label.setText(runner.task_context)
        self._running = [r for r in self._running if shiboken6.isValid(r)]
        self._refresh()

    def _progress(self, runner: worker.TaskRunner, x: float) -> None:
        if shiboken6.isValid(self) and runner is self.current:
            self.bar.setValue(int(round(x * 1000)))

    def _status(self, runner: worker.TaskRunner, text: str) -> None:
        if shiboken6.isValid(self) and runner is self.current:
            self.label.setText(i18n.status_text(text))  # the task's English line, translated

    def _refresh(self) -> None:
        running = bool(self._running)
        self.setVisible(running)
        if running:
            self.label.setText(self.label.text() or self.current.task_context)  # type: ignore[union-attr]
