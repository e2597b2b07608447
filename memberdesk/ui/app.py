"""Application start-up: QApplication, fonts, translations, theme, the main window, ``--screenshot``.

:func:`run` is what ``memberdesk gui`` calls. Start-up order: create the application (names
for QSettings), register the bundled CJK font as a fallback after the default family (Chinese
renders in charts and screenshots on machines without a CJK font), install translators and
the locale for the chosen language, apply the theme, build the window, then load the data in
a worker — paths from the command line, else the last session's files, else the bundled
sample data — so the window is interactive at once.

Language: ``--lang`` wins, else the choice made in View ▸ Language (QSettings), else the
system locale (any Chinese locale -> 简体中文, otherwise English); see
:func:`memberdesk.ui.i18n.choose_language`.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from memberdesk import resource_dir
from memberdesk.ui import i18n, theme
from memberdesk.ui import settings as app_settings
from memberdesk.ui.resources import translation_path

log = logging.getLogger(__name__)
LANGUAGES: tuple[str, ...] = i18n.LANGUAGES
CJK_FONT_FILE = "fonts/MemberDeskCJK-Regular.otf"
CJK_FAMILY = "MemberDesk CJK"


def create_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists), with organisation/application names set."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
    assert isinstance(app, QApplication)
    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(app_settings.ORGANISATION)
    if QCoreApplication.applicationName() in ("", "python", "python3", Path(sys.argv[0]).name):
        QCoreApplication.setApplicationName(app_settings.APPLICATION)
    app.setApplicationDisplayName("MemberDesk")
    install_cjk_fallback(app)
    return app


def register_cjk_font() -> str | None:
    """Register the bundled GB2312 subset of Noto Sans CJK SC (once); returns its family
    name, or None if the file is missing or Qt refuses it."""
    families = QFontDatabase.families()
    if CJK_FAMILY in families:
        return CJK_FAMILY
    path = resource_dir() / CJK_FONT_FILE
    if not path.is_file():
        log.warning("bundled CJK font missing: %s", path)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.warning("Qt could not load the bundled CJK font %s", path)
        return None
    loaded = QFontDatabase.applicationFontFamilies(font_id)
    return loaded[0] if loaded else None


def install_cjk_fallback(app: QApplication) -> list[str]:
    """Make the bundled CJK font a fallback after the application's default family, so
    Chinese text renders (no tofu boxes) even where the system has no CJK font: widgets,
    pyqtgraph axes, labels and text items all start from the application font. A system CJK
    font, when there is one, still comes first through the platform's own fallback.
    Returns the application font's families."""
    family = register_cjk_font()
    font = app.font()
    families = [f for f in font.families() or [font.family()] if f]
    if family is not None and family not in families:
        font.setFamilies([*families, family])
        app.setFont(font)
        QFont.insertSubstitution(families[0] if families else font.family(), family)
    return list(app.font().families())


_TRANSLATORS: list[QTranslator] = []


def install_translators(app: QCoreApplication, lang: str) -> list[str]:
    """Install MemberDesk's and Qt's own translations for ``lang`` when they exist
    (``resources/translations/memberdesk_<lang>.qm`` and PySide6's ``qtbase_<lang>.qm``, for
    the buttons of standard dialogs), and make ``lang``'s locale the default for number and
    date formatting. Returns the files loaded."""
    for old in _TRANSLATORS:
        app.removeTranslator(old)
    _TRANSLATORS.clear()
    loaded: list[str] = []
    i18n.set_ui_language(lang if lang in LANGUAGES else "en")
    if lang == "en":
        return loaded
    candidates = [translation_path(lang),
                  Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
                  / f"qtbase_{lang}.qm"]
    for path in candidates:
        if path.is_file():
            translator = QTranslator(app)
            if translator.load(str(path)):
                app.installTranslator(translator)
                _TRANSLATORS.append(translator)
                loaded.append(str(path))
    if not loaded:
        log.info("no translation found for %s; showing English", lang)
    return loaded


def startup_paths(paths: Sequence[str], settings: app_settings.AppSettings) -> list[str]:
    """What to load at start: the command line, else the last session, else the sample."""
    from memberdesk.ui.shell.common import SAMPLE_DATA

    if paths:
        return [str(p) for p in paths]
    last = settings.last_sources()
    if last and all(_still_there(p) for p in last):
        return last
    return [str(SAMPLE_DATA)] if SAMPLE_DATA.is_dir() else []


def _still_there(source: str) -> bool:
    """A last-session source worth opening again at start: a file or folder that exists, or a
    DuckDB/Parquet URL whose file does (a server is not connected to unasked)."""
    from memberdesk.core.engine.urls import looks_like_engine, parse
    from memberdesk.core.errors import DataError

    if not looks_like_engine(source):
        return Path(source).exists()
    try:
        url = parse(source)
    except DataError:
        return False
    return url.kind in ("duckdb", "parquet") and Path(url.target).exists()


def build_window(paths: Sequence[str] = (), lang: str | None = None) -> object:
    """Create the app, translators, theme and the main window, and start loading.
    ``lang=None``: the language chosen in View ▸ Language, else the system's."""
    app = create_app()
    settings = app_settings.AppSettings()
    lang = i18n.choose_language(lang, settings.language)
    install_translators(app, lang)
    theme.apply_theme(settings.theme if settings.theme in theme.THEMES else theme.LIGHT, app)
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow(settings, lang)
    to_load = startup_paths(paths, settings)
    settings.mark_opened()
    if len(to_load) == 1 and to_load[0].lower().endswith(".mdesk"):
        window.open_workspace(to_load[0])
    elif to_load:
        window.open_paths(to_load, user_action=False)
    return window


def wait_until_idle(window: object, timeout_s: float = 120.0, settle_ms: int = 300) -> bool:
    """Spin the event loop until the window (loading and pages) is not busy for ``settle_ms``.
    Returns False on timeout."""
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        busy = window.is_busy()  # type: ignore[attr-defined]
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif (now - quiet_since) * 1000 >= settle_ms:
            return True
        time.sleep(0.01)
    return False


def screenshot(window: object, out: str | Path, page: str, timeout_s: float = 120.0) -> int:
    """Render ``page`` on the loaded data and save the window as PNG (1400 x 900).

    Returns the exit status: 0 written, 3 the data could not be loaded or the file cannot be
    written, 1 timeout.
    """
    from memberdesk.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    failures: list[BaseException] = []
    window.load_failed.connect(failures.append)
    window.ask_before_close = False
    window.resize(1400, 900)
    window.show()
    if not wait_until_idle(window, timeout_s):
        print("memberdesk: timed out while loading the data", file=sys.stderr)
        return 1
    if failures:
        print(f"memberdesk: data error: {failures[0]}", file=sys.stderr)
        return 3
    window.show_page(page)
    if not wait_until_idle(window, timeout_s):
        print(f"memberdesk: timed out while computing the {page} page", file=sys.stderr)
        return 1
    if window.last_error_dialog is not None:  # what is on screen is the error: close it
        window.last_error_dialog.close()
        QCoreApplication.processEvents()
    pixmap = window.grab()
    if pixmap.isNull() or not pixmap.save(str(out), "PNG"):
        print(f"memberdesk: data error: {out}: cannot write the screenshot", file=sys.stderr)
        return 3
    return 0


_OFFSCREEN_NOISE = ("does not support propagateSizeHints", "does not support raise()")


def _quiet_offscreen_warnings() -> object:
    """The offscreen platform warns about window-manager features it lacks; drop those
    lines (and only those) so ``--screenshot`` output stays readable. Returns the previous
    handler, to be reinstalled."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode: object, context: object, message: str) -> None:
        if any(noise in message for noise in _OFFSCREEN_NOISE):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    return previous


def _use_throwaway_settings() -> None:
    """Point QSettings at a fresh temporary folder: a headless render neither reads nor
    changes the user's window state, last page, recent files or language choice."""
    import tempfile

    from PySide6.QtCore import QSettings

    folder = tempfile.mkdtemp(prefix="memberdesk-screenshot-")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, folder)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)


def headless_problem(paths: Sequence[str], out: str) -> tuple[str, int] | None:
    """Why a headless ``--screenshot`` run cannot go ahead, as (message, exit status), checked
    before any window exists: a headless run never opens a modal dialog, it fails with the
    message. An output folder that does not exist is a usage error (2); a damaged workspace or
    one whose source files are missing is a data error (3)."""
    folder = Path(out).expanduser().parent
    if not folder.is_dir():
        return f"error: --screenshot {out}: the folder {folder} does not exist", 2
    if len(paths) == 1 and str(paths[0]).lower().endswith(".mdesk"):
        from memberdesk.core.errors import DataError
        from memberdesk.core.workspace import Workspace

        try:
            ws = Workspace.load(paths[0])
        except DataError as exc:
            return f"data error: {exc}", 3
        missing = ws.missing_sources()
        if missing:
            return (f"data error: {paths[0]}: the workspace's data file(s) are missing: "
                    f"{', '.join(missing[:5])}", 3)
    return None


def run(paths: Sequence[str] = (), lang: str | None = None, screenshot_path: str | None = None,
        page: str | None = None) -> int:
    """Start the desktop app (or render one page with ``screenshot_path``); returns the
    exit status."""
    # the window logs what it does for a terminal it was started from; a screenshot run, like
    # any command, prints its result or one error line only
    logging.basicConfig(level=logging.WARNING if screenshot_path is not None else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if screenshot_path is not None:
        problem = headless_problem(paths, screenshot_path)
        if problem is not None:
            message, status = problem
            print(f"memberdesk: {message}", file=sys.stderr)
            return status
        _use_throwaway_settings()
    window = build_window(paths, lang)
    if screenshot_path is not None:
        from memberdesk.ui import worker

        previous_handler = _quiet_offscreen_warnings()

        errors: list[str] = []
        worker.error_hub().error.connect(lambda exc, tb, ctx: errors.append(f"{ctx}: {exc}"))
        status = screenshot(window, screenshot_path, page or "data")
        for message in errors:
            print(f"memberdesk: {message}", file=sys.stderr)
        shutdown(window)
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(previous_handler)  # type: ignore[arg-type]
        return status
    window.show()  # type: ignore[attr-defined]
    app = QApplication.instance()
    assert app is not None
    status = int(app.exec())
    shutdown(window)
    return status


def shutdown(window: object, timeout_ms: int = 30_000) -> None:
    """Tear the window down in the GUI thread while the QApplication still exists.

    Closes the window, waits for every background task to finish (their late results are
    discarded) and for the finished workers to release what they held, deletes the window,
    then stops the GUI-thread garbage-collection timer and collects once, here. Without this
    the window, its pages and charts (kept in reference cycles that automatic collection, off
    while workers run, never freed) and the timer were destroyed during interpreter shutdown,
    in whatever order the interpreter chose, after the QApplication was gone.
    """
    import shiboken6
    from PySide6.QtCore import QEvent

    from memberdesk.ui import worker

    if shiboken6.isValid(window) and window.isVisible():  # type: ignore[attr-defined]
        window.close()  # type: ignore[attr-defined]
    worker.wait_for_pool(timeout_ms)
    if shiboken6.isValid(window):
        window.deleteLater()  # type: ignore[attr-defined]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    worker.stop_collecting_on_timer()
