"""Light and dark palettes, and the colour-blind-safe series colours every chart uses.

Charts (``memberdesk.ui.charts``) take their colours from here so the whole app reads the same
way in both themes:

* :data:`SERIES_COLOURS` — the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"),
  distinguishable with the common colour-vision deficiencies. Use :func:`series_colour` to
  cycle through it.
* :func:`chart_colours` — background, foreground (axes, text), grid and reference-line colours
  for the current theme.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

LIGHT, DARK = "light", "dark"
THEMES: tuple[str, ...] = (LIGHT, DARK)

# Okabe-Ito, ordered so the first colours are the most distinct; black is left out (it is the
# foreground colour of the light theme) and replaced by grey at the end.
SERIES_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#999999",  # grey
)


def series_colour(index: int) -> QColor:
    """The ``index``-th series colour (cycles after eight)."""
    return QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])


@dataclass(frozen=True)
class ChartColours:
    background: str
    foreground: str
    grid: str
    reference: str  # target lines, 100 % lines, A/E = 1
    good: str
    bad: str


_CHART = {
    LIGHT: ChartColours("#FFFFFF", "#222222", "#DDDDDD", "#666666", "#009E73", "#D55E00"),
    DARK: ChartColours("#1E1F22", "#E6E6E6", "#3A3C40", "#AAAAAA", "#33C49C", "#FF7F3F"),
}

_current = LIGHT


def current_theme() -> str:
    return _current


def chart_colours(theme: str | None = None) -> ChartColours:
    """Chart colours of ``theme`` (default: the current one)."""
    return _CHART[theme or _current]


def _palette(theme: str) -> QPalette:
    p = QPalette()
    R = QPalette.ColorRole
    if theme == DARK:
        colours = {
            R.Window: "#2B2D30", R.WindowText: "#E6E6E6", R.Base: "#1E1F22",
            R.AlternateBase: "#26282B", R.ToolTipBase: "#3C3F41", R.ToolTipText: "#E6E6E6",
            R.Text: "#E6E6E6", R.Button: "#35373B", R.ButtonText: "#E6E6E6",
            R.BrightText: "#FF7F3F", R.Highlight: "#2F65CA", R.HighlightedText: "#FFFFFF",
            R.Link: "#56B4E9", R.PlaceholderText: "#8C8C8C", R.Mid: "#4A4C50",
            R.Dark: "#1A1B1E", R.Light: "#45474B",
        }
    else:
        colours = {
            R.Window: "#F5F6F8", R.WindowText: "#222222", R.Base: "#FFFFFF",
            R.AlternateBase: "#F2F4F7", R.ToolTipBase: "#FFFFE1", R.ToolTipText: "#222222",
            R.Text: "#222222", R.Button: "#ECEEF1", R.ButtonText: "#222222",
            R.BrightText: "#D55E00", R.Highlight: "#0072B2", R.HighlightedText: "#FFFFFF",
            R.Link: "#0072B2", R.PlaceholderText: "#8C8C8C", R.Mid: "#C8CCD2",
            R.Dark: "#9EA3AA", R.Light: "#FFFFFF",
        }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    disabled = QColor("#7A7A7A" if theme == DARK else "#A0A0A0")
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(theme: str, app: QApplication | None = None) -> None:
    """Switch the application palette (Fusion style) to ``theme`` ("light" or "dark")."""
    global _current
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {THEMES}")
    app = app or QApplication.instance()  # type: ignore[assignment]
    _current = theme
    if app is None:
        return
    app.setStyle("Fusion")
    app.setPalette(_palette(theme))
