"""Menus, toolbar and the file dialogs behind them, for :class:`~memberdesk.ui.shell.main_window.MainWindow`.

File: Open files…, Open folder…, Open recent, Open workspace…, Save workspace (as)…, Export
report…, Export chart…, Quit. View: the pages, light/dark theme, language. Help: User guide
(F1), About.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QToolBar

from memberdesk.core.engine.urls import is_url, redact
from memberdesk.ui import theme
from memberdesk.ui.resources import icon
from memberdesk.ui.shell.common import DATA_FILTER, WORKSPACE_FILTER
from memberdesk.ui.shell.dialogs import show_about

LANGUAGES = (("en", "English"), ("zh_CN", "简体中文"))


class ShellActions(QObject):
    """Builds the menus and toolbar of ``window`` and implements their actions."""

    def __init__(self, window: Any) -> None:  # the MainWindow that builds these actions
        super().__init__(window)
        self.w = window
        self.guide_window: Any = None
        w = window
        a = self._action

        self.open_files = a(self.tr("&Open files…"), self.ask_open_files, QKeySequence.StandardKey.Open, "open")
        self.open_folder = a(self.tr("Open &folder…"), self.ask_open_folder, None, "folder")
        self.open_ws = a(self.tr("Open &workspace…"), self.ask_open_workspace, None, "workspace")
        self.connect_db = a(self.tr("Connect to &database…"), self.ask_connect)  # issue 13
        self.save_ws = a(self.tr("&Save workspace"), self.save, QKeySequence.StandardKey.Save, "save")
        self.save_ws_as = a(self.tr("Save workspace &as…"), self.save_as,
                            QKeySequence.StandardKey.SaveAs)
        self.export_report = a(self.tr("&Export report…"), self.ask_export_report, "Ctrl+E", "export")
        self.export_chart = a(self.tr("Export &chart…"), self.ask_export_chart, None, "chart")
        self.save_book = a(self.tr("Save data as DuckDB &book…"), self.ask_save_book)  # issue 13
        self.quit = a(self.tr("&Quit"), w.close, "Ctrl+Q")
        self.guide = a(self.tr("&User guide"), self.open_guide, QKeySequence.StandardKey.HelpContents, "help")
        self.guide.setShortcut("F1")
        self.about = a(self.tr("&About MemberDesk"), lambda: show_about(w))

        self.export_chart.setEnabled(False)

        bar = w.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.open_files, self.open_folder, self.connect_db])
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        file_menu.addSeparator()
        file_menu.addActions([self.open_ws, self.save_ws, self.save_ws_as])
        file_menu.addSeparator()
        file_menu.addActions([self.export_report, self.export_chart, self.save_book])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)

        view = bar.addMenu(self.tr("&View"))
        self.page_actions: dict[str, QAction] = {}
        from memberdesk.page_registry import page as page_spec
        from memberdesk.ui.pages import page_titles

        for i, (pid, title) in enumerate(page_titles().items()):
            # "&" in a menu text marks the shortcut letter: double it to show it
            act = view.addAction(icon(page_spec(pid).icon), title.replace("&", "&&"))
            if i < 9:
                act.setShortcut(f"Ctrl+{i + 1}")
            act.triggered.connect(lambda _=False, pid=pid: w.show_page(pid))
            self.page_actions[pid] = act
        view.addSeparator()
        theme_menu = view.addMenu(self.tr("&Theme"))
        group = QActionGroup(self)
        for name, label in ((theme.LIGHT, self.tr("Light")), (theme.DARK, self.tr("Dark"))):
            act = theme_menu.addAction(label)
            act.setCheckable(True)
            act.setChecked(name == w.settings.theme)
            act.triggered.connect(lambda _=False, name=name: self.set_theme(name))
            group.addAction(act)
        lang_menu = view.addMenu(self.tr("&Language"))
        lang_group = QActionGroup(self)
        for code, label in LANGUAGES:
            act = lang_menu.addAction(label)
            act.setCheckable(True)
            act.setChecked(code == w.lang)
            act.triggered.connect(lambda _=False, code=code: self.set_language(code))
            lang_group.addAction(act)

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.guide, self.about])

        tools = QToolBar(self.tr("Main toolbar"), w)
        tools.setObjectName("mainToolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tools.setMovable(False)
        tools.addActions([self.open_files, self.open_folder, self.save_ws])
        tools.addSeparator()
        tools.addActions([self.export_report, self.export_chart])
        tools.addSeparator()
        tools.addAction(self.guide)
        w.addToolBar(tools)
        self.refresh_recent()

    def _action(self, text: str, slot: Any, shortcut: Any = None, icon_name: str | None = None) -> QAction:
        act = QAction(text, self.w)
        if icon_name:
            act.setIcon(icon(icon_name))
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(lambda _=False: slot())
        return act

    # ---- state ----------------------------------------------------------------------------

    def page_changed(self, page: Any) -> None:
        charts = getattr(page, "charts", None)
        self.export_chart.setEnabled(callable(charts))

    def refresh_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        data = self.w.settings.recent("data")
        workspaces = self.w.settings.recent("workspace")
        for path in workspaces:
            act = menu.addAction(icon("workspace"), Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.w.open_workspace(p))
        if workspaces and data:
            menu.addSeparator()
        for path in data:
            # a database by its URL (its last part is no file name), a file by its name; a
            # "&" in a name is shown, not taken for a shortcut letter
            act = menu.addAction((path if is_url(path) else Path(path).name).replace("&", "&&"))
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        menu.setEnabled(bool(data or workspaces))
        if data or workspaces:
            menu.addSeparator()
            clear = menu.addAction(self.tr("Clear list"))
            clear.triggered.connect(self._clear_recent)

    def _open_recent(self, path: str) -> None:
        """File ▸ Open recent ▸ data: asks before replacing a loaded book, as Open files does."""
        if self.confirm_replace():
            self.w.open_paths([path])

    def _clear_recent(self) -> None:
        self.w.settings.clear_recent("data")
        self.w.settings.clear_recent("workspace")
        self.refresh_recent()

    # ---- dialogs --------------------------------------------------------------------------

    def ask_open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self.w, self.tr("Open data files"), "", DATA_FILTER)
        if files and self.confirm_replace():
            self.w.open_paths(files)

    def ask_open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.w, self.tr("Open a folder of data files"))
        if folder and self.confirm_replace():
            self.w.open_paths([folder])

    def ask_connect(self) -> None:
        """File ▸ Connect to database… (memberdesk/ui/shell/connect_dialog.py)."""
        from memberdesk.ui.shell.connect_dialog import ConnectDialog

        if self.confirm_replace():  # the book connected replaces the loaded one, as files do
            ConnectDialog(self.w).open()

    def ask_open_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, self.tr("Open workspace"), "", WORKSPACE_FILTER)
        if path:
            self.w.open_workspace(path)

    def ask_where_file_is(self, missing: str) -> str | None:
        QMessageBox.information(self.w, self.tr("File moved"), self.tr(
            "The workspace uses {0}, which is no longer there. Please show where it is now; "
            "other files from the same folder are looked for next to it.").format(missing))
        path, _ = QFileDialog.getOpenFileName(self.w, self.tr("Where is {0}?").format(
            Path(missing).name), "", DATA_FILTER)
        return path or None

    def save(self) -> bool:
        if self.w.workspace_path is None:
            return self.save_as()
        self.w.save_workspace(self.w.workspace_path)
        return True

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.w, self.tr("Save workspace"), "", WORKSPACE_FILTER)
        if not path:
            return False
        self.w.save_workspace(path)
        return True

    def confirm_replace(self) -> bool:
        """Before opening other files over a loaded book: True when the user agrees that they
        replace it (with unsaved changes, the choice to save them first)."""
        if self.w.base is None:
            return True
        if self.w.dirty:
            buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                       | QMessageBox.StandardButton.Cancel)
            answer = QMessageBox.question(self.w, self.tr("Replace the loaded data?"), self.tr(
                "The data you open replace the data loaded now. Save the current data sources, "
                "filters and page as a workspace first?"), buttons, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Save:
                return self.save()
            return answer == QMessageBox.StandardButton.Discard
        # files by name; a database by its URL (its last part is no file name)
        names = [redact(p) if is_url(p) else Path(p).name for p in self.w.sources]
        answer = QMessageBox.question(self.w, self.tr("Replace the loaded data?"), self.tr(
            "The data you open replace the data loaded now ({0}).").format(
            ", ".join(names) or self.tr("loaded data")),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Ok)
        return answer == QMessageBox.StandardButton.Ok

    def confirm_discard(self) -> bool:
        """Ask what to do with unsaved changes; True when the window may close."""
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self.w, self.tr("Unsaved changes"), self.tr(
            "Save the current files, filters and page as a workspace before closing?"),
            buttons, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def ask_export_report(self) -> None:
        if self.w.dataset is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.w, self.tr("Export report"),
                                              "memberdesk_report.xlsx", "Excel workbook (*.xlsx)")
        if path:
            self.export_report_to(path)

    def export_report_to(self, path: str) -> None:
        """Write the Excel report of the shown (filtered) dataset in a worker; never over one
        of the data files (the user is told and nothing is written)."""
        from memberdesk.core.atomic_write import refuse_overwriting_inputs
        from memberdesk.core.errors import DataError
        from memberdesk.report.workbook import write_report

        clash = refuse_overwriting_inputs(path, self.w.sources, self.tr("The report"))
        if clash:
            self.w.show_error(DataError(clash, file=str(path)), "", self.tr("Export report"))
            return
        ds = self.w.dataset
        options = report_options_of(self.w)  # what the pages show, not fixed choices
        notes = "".join(" " + self.tr("Note: {0}.").format(n) for n in options.notes)
        self.w._exporter.run(write_report, ds, path, lang=self.w.lang, options=options,
                             on_result=lambda p: self.w.statusBar().showMessage(
                                 self.tr("Report written to {0}").format(p) + notes, 15000))

    def ask_save_book(self) -> None:
        if self.w.base is None:
            self.w.statusBar().showMessage(self.tr("Load data first"), 5000)
            return
        path, _ = QFileDialog.getSaveFileName(self.w, self.tr("Save data as DuckDB book"),
                                              "book.duckdb", self.tr("DuckDB book (*.duckdb)"))
        if not path:
            return
        if not path.lower().endswith(".duckdb"):
            path += ".duckdb"  # a name the dialog did not confirm: ask before replacing it
            if Path(path).exists() and QMessageBox.question(
                    self.w, self.tr("Replace the file?"),
                    self.tr("{0} already exists. Replace it?").format(path)) \
                    != QMessageBox.StandardButton.Yes:
                return
        self.save_book_to(path)

    def save_book_to(self, path: str) -> None:
        """Write the loaded data (all of it, not the filtered view) as a DuckDB book in a
        worker, as ``memberdesk import`` does: validated once, it then opens through File ▸
        Connect to database… without the validation scan. Never over the data's own files
        (:func:`memberdesk.core.book_writer.save_book` refuses; the error names the file)."""
        from memberdesk.core.book_writer import save_book

        def written(p: str) -> None:
            # the URL of an absolute path is duckdb:// + the path (duckdb:///{0} gave four slashes)
            self.w.statusBar().showMessage(self.tr(
                "Book written to {0}. Open it with File ▸ Connect to database… "
                "({1}): it opens without checking the rows again.").format(
                p, f"duckdb://{Path(p).resolve()}"), 20000)

        self.w._exporter.run(save_book, self.w.base, path, on_result=written)

    def ask_export_chart(self) -> None:
        page = self.w.current_page()
        charts = list(page.charts()) if hasattr(page, "charts") else []
        if not charts:
            self.w.statusBar().showMessage(self.tr("This page has no chart to export"), 5000)
            return
        chart = charts[0]
        if len(charts) > 1:
            names = [_chart_name(c, i) for i, c in enumerate(charts)]
            name, ok = QInputDialog.getItem(self.w, self.tr("Export chart"),
                                            self.tr("Chart:"), names, 0, False)
            if not ok:
                return
            chart = charts[names.index(name)]
        from memberdesk.ui.charts.base import export_path

        answer, chosen = QFileDialog.getSaveFileName(self.w, self.tr("Export chart"), "chart.png",
                                                     "PNG image (*.png);;SVG image (*.svg)")
        path = export_path(self.w, answer, chosen)  # asks before replacing a file it named
        if path is None:
            return
        from memberdesk.core.errors import DataError

        try:
            export_chart(chart, path)
        except DataError as exc:  # names the file; the previous file, if any, is unchanged
            self.w.show_error(exc, context=self.tr("Export chart"))

    # ---- view / help ----------------------------------------------------------------------

    def set_theme(self, name: str) -> None:
        theme.apply_theme(name)
        self.w.settings.theme = name
        restyle_charts(self.w)

    def set_language(self, code: str) -> None:
        self.w.settings.language = code
        if code != self.w.lang:
            QMessageBox.information(self.w, self.tr("Language"), self.tr(
                "The language changes the next time MemberDesk starts."))

    def open_guide(self) -> None:
        from memberdesk.ui.guide import GuideWindow

        if self.guide_window is None:
            self.guide_window = GuideWindow(self.w.lang, self.w)
        self.guide_window.show_section(self.w.current_page_id())
        self.guide_window.show()
        self.guide_window.raise_()


def restyle_charts(window: Any) -> None:
    """A theme switch takes effect without a restart: every chart takes the new palette and
    each page draws its current result again."""
    from memberdesk.ui.charts.base import Chart

    for chart in window.findChildren(Chart):
        chart.restyle()
    for page in getattr(window, "pages", {}).values():
        if getattr(page, "result", None) is not None and hasattr(page, "show_result"):
            page.show_result(page.result)


def report_options_of(window: Any) -> Any:
    """The report options the pages show (segment, covariates, strata, cluster, expected table,
    basis, period, persistency month/period/measure...): every page's workspace state, so the
    workbook follows the screen (issue 17 A.1), and the pages' "Compare with…" as the
    comparison columns (C.18: another as-of date or a pinned filter set); filters and as-of
    come with the dataset. The same value ``report --workspace`` builds from the saved workspace."""
    from memberdesk.report.report_options import ReportOptions

    return ReportOptions.from_workspace(window.workspace())


def _chart_name(chart: Any, index: int) -> str:
    for attr in ("title", "windowTitle", "objectName"):
        fn = getattr(chart, attr, None)
        text = fn() if callable(fn) else None
        if text:
            return str(text)
    return f"Chart {index + 1}"


def export_chart(chart: Any, path: str | Path) -> Path:
    """Save a page's chart (a panel, a chart or another widget) as PNG/SVG: the one exporter,
    :func:`memberdesk.ui.charts.base.export_chart` (imported here when used: pyqtgraph loads
    with the first chart, not at start-up)."""
    from memberdesk.ui.charts.base import export_chart as export

    return export(chart, path)


__all__ = ["ShellActions", "export_chart"]
