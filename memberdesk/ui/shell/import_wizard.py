"""The import wizard: pick files → check how their columns are read → validate → load.

1. *Files*: the files and folders to load, the text encoding (detected, or chosen when a
   file is refused), the cells that mean "no value", and whether hidden sheets are read.
2. *Columns*: each table found, its first rows, and the column mapping (automatic, editable;
   a mapping confirmed once is offered again for files with the same headers).
3. *Check*: the validation report of the mapped data (counts per reason, rejected rows).
Finish hands the validated Dataset to the main window. Reading and validating run in workers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from memberdesk.core.mapping import ColumnMapping
from memberdesk.core.reasons import error_text, reason_text
from memberdesk.ui.i18n import table_label, ui_language
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.mapping_editor import MappingEditor
from memberdesk.ui.shell.validation_view import ValidationView
from memberdesk.ui.table_model import DataFrameModel
from memberdesk.ui.worker import TaskRunner

PREVIEW_ROWS = 20
# (label, codec name) of the text encodings offered; None = detect (docs/data-contract.md)
# (marked for lupdate in FilesPage's context: the combo showed them in English under 简体中文)
ENCODINGS: tuple[tuple[str, str | None], ...] = (
    (str(QT_TRANSLATE_NOOP("FilesPage", "Detect automatically")), None), ("UTF-8", "utf-8"),
    (str(QT_TRANSLATE_NOOP("FilesPage", "Chinese (GB18030 / GBK)")), "gb18030"),
    (str(QT_TRANSLATE_NOOP("FilesPage", "Western European (Windows-1252)")), "cp1252"),
    (str(QT_TRANSLATE_NOOP("FilesPage", "Latin-1 (ISO-8859-1)")), "latin-1"),
    ("UTF-16", "utf-16"), (str(QT_TRANSLATE_NOOP("FilesPage", "Traditional Chinese (Big5)")), "big5"))


class FilesPage(QWizardPage):
    def __init__(self, paths: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Files"))
        self.setSubTitle(self.tr("Choose the files (CSV, Excel, Parquet) or folders to load. "
                                 "Only a policies file is required."))
        self.list = QListWidget(self)
        self.list.addItems(paths)
        add = QPushButton(self.tr("Add files…"), self)
        folder = QPushButton(self.tr("Add folder…"), self)
        remove = QPushButton(self.tr("Remove"), self)
        add.clicked.connect(self._add)
        folder.clicked.connect(self._add_folder)
        remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        for b in (add, folder, remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addLayout(self._reading_options())

    def _reading_options(self) -> QFormLayout:
        """How text files are decoded, which cells mean "no value", hidden sheets."""
        from memberdesk.core.normalize import missing_tokens

        form = QFormLayout()
        self.encoding = QComboBox(self)
        for label, name in ENCODINGS:
            self.encoding.addItem(self.tr(label), name)
        self.encoding.setToolTip(self.tr(
            "Text files are decoded over their whole length; when the detected encoding is "
            "wrong or a file is refused, choose its encoding here."))
        form.addRow(self.tr("Text encoding:"), self.encoding)
        self.missing = QLineEdit(", ".join(missing_tokens()), self)
        self.missing.setToolTip(self.tr(
            "Cells holding one of these words (any case), or nothing but spaces, are missing "
            "values in every column."))
        form.addRow(self.tr("Missing values:"), self.missing)
        self.hidden = QCheckBox(self.tr("Read hidden workbook sheets too"), self)
        form.addRow("", self.hidden)
        return form

    def chosen_encoding(self) -> str | None:
        """The encoding chosen for text files (None = detect)."""
        data = self.encoding.currentData()
        return str(data) if data else None

    def chosen_missing_tokens(self) -> list[str]:
        return [t.strip() for t in self.missing.text().split(",") if t.strip()]

    def paths(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def add_paths(self, paths: list[str]) -> None:
        have = set(self.paths())
        self.list.addItems([p for p in paths if p not in have])
        self.completeChanged.emit()

    def _add(self) -> None:
        from memberdesk.ui.shell.common import DATA_FILTER

        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add data files"), "", DATA_FILTER)
        self.add_paths(files)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder"))
        if folder:
            self.add_paths([folder])

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.list.count() > 0


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("Check which table each file holds and what each column "
                                 "means. Columns left as 'extra' stay available as segments."))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.editors: list[MappingEditor] = []
        self.sources: Any = None
        self._error = ""
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        from memberdesk.core.loader import read_sources

        self.tabs.clear()
        self.editors = []
        self.sources = None
        self._error = ""
        from memberdesk.core.normalize import set_missing_tokens

        self.status.setText(self.tr("Reading the files…"))
        self.status.setStyleSheet("")
        files = self.w.files
        set_missing_tokens(files.chosen_missing_tokens())
        self.w.runner.run(read_sources, files.paths(), mappings=self.w.remembered(),
                          encoding=files.chosen_encoding(), include_hidden=files.hidden.isChecked(),
                          on_result=self._read, on_error=self._failed)
        self.completeChanged.emit()

    def _read(self, sources: Any) -> None:
        self.sources = sources
        for item in sources.items:
            raw = item.raw
            preview = raw.preview(PREVIEW_ROWS)
            editor = MappingEditor(raw.headers, item.mapping, preview, self)
            view = QTableView(self)
            model = DataFrameModel(preview.reset_index(), parent=view)
            view.setModel(model)
            view.resizeColumnsToContents()
            split = QSplitter(Qt.Orientation.Vertical, self)
            split.addWidget(view)
            split.addWidget(editor)
            self.editors.append(editor)
            self.tabs.addTab(split, f"{Path(raw.file).name}" + (f" [{raw.sheet}]" if raw.sheet else ""))
        notes = "\n".join(reason_text(m, ui_language()) for m in sources.messages)
        self.status.setText(self.tr("{0} table(s) found.").format(len(sources.items))
                            + (f"\n{notes}" if notes else ""))
        self.completeChanged.emit()

    def _failed(self, exc: BaseException, tb: str) -> None:
        self._error = str(exc)
        self.status.setText(self.tr("These files cannot be read: {0}").format(error_text(exc, ui_language())))
        self.status.setStyleSheet("color: #D55E00;")
        self.completeChanged.emit()

    def mappings(self) -> list[ColumnMapping | None]:
        return [e.mapping() for e in self.editors]

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.sources is not None and not self._error


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Check"))
        self.setSubTitle(self.tr("What was accepted and what was rejected, and why. Rejected "
                                 "rows can be exported to correct them at the source."))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.view = ValidationView(self)
        self.dataset: Any = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        from memberdesk.core.loader import Source, Sources, load_from_sources

        columns = self.w.columns_page
        read = columns.sources
        items = [Source(s.raw, m) for s, m in zip(read.items, columns.mappings())]
        sources = Sources(read.paths, items, list(read.messages))
        self.dataset = None
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Checking the data…"))
        self.view.set_report(None)
        self.w.runner.run(load_from_sources, sources, on_result=self._done, on_error=self._failed)
        self.completeChanged.emit()

    def _done(self, ds: Any) -> None:
        self.dataset = ds
        rows = ", ".join(self.tr("{0}: {1:,} accepted, {2:,} rejected").format(
            table_label(t.table), t.accepted, t.rejected) for t in ds.report.tables)
        self.status.setText(rows)
        self.view.set_report(ds.report)
        self.completeChanged.emit()

    def _failed(self, exc: BaseException, tb: str) -> None:
        self.status.setText(self.tr("The data cannot be loaded: {0}").format(exc))
        self.status.setStyleSheet("color: #D55E00;")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.dataset is not None


class ImportWizard(QWizard):
    """Emits ``dataset_ready(dataset, paths, mapping_dicts)`` on Finish."""

    dataset_ready = Signal(object, list, list)

    def __init__(self, paths: list[str], settings: AppSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import data"))
        self.resize(1000, 700)
        self.settings = settings
        self.runner = TaskRunner(self, context=self.tr("Import"))
        self.files = FilesPage(paths, self)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        for page in (self.files, self.columns_page, self.check_page):
            self.addPage(page)
        self.rejected.connect(self.runner.cancel)

    @property
    def is_busy(self) -> bool:
        return self.runner.is_busy

    def remembered(self) -> dict[str, ColumnMapping] | None:
        """Mappings confirmed earlier, by header signature."""
        if self.settings is None:
            return None
        from memberdesk.ui.shell.common import mappings_by_signature

        return mappings_by_signature(self.settings.all_mappings()) or None

    def accept(self) -> None:
        ds = self.check_page.dataset
        chosen = [m for m in self.columns_page.mappings() if m is not None]
        dicts = [m.to_json() for m in chosen]
        if self.settings is not None:
            for m in chosen:
                self.settings.save_mapping(m.signature, m.to_json())
        super().accept()
        if ds is not None:
            self.dataset_ready.emit(ds, self.files.paths(), dicts)
