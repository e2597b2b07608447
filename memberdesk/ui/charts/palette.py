"""Colour-blind-safe chart colours (Okabe & Ito, "Color Universal Design", 2008).

Series take colours in :data:`SERIES_ORDER`; good/bad changes use bluish green / vermillion,
which stay distinguishable for the common colour-vision deficiencies. Dark themes swap black
for light grey and lead with sky blue (the dark blue is too dim on a dark background).
"""
from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class ChartPalette:
    """Colours for one theme (hex strings, usable by pyqtgraph ``mkPen``/``mkBrush``)."""

    series: tuple[str, ...]
    foreground: str
    background: str
    grid_alpha: float
    good: str
    bad: str
    neutral: str
    reference: str

    def colour(self, i: int) -> str:
        """The colour of series ``i`` (cycles after the eighth)."""
        return self.series[i % len(self.series)]


LIGHT = ChartPalette(
    series=tuple(OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                        "reddish_purple", "sky_blue", "black", "yellow")),
    foreground="#202020", background="#FFFFFF", grid_alpha=0.15,
    good=OKABE_ITO["bluish_green"], bad=OKABE_ITO["vermillion"], neutral="#6E6E6E",
    reference="#6E6E6E",
)
DARK = ChartPalette(
    series=tuple(OKABE_ITO[k] for k in ("sky_blue", "orange", "bluish_green", "vermillion",
                                        "reddish_purple", "yellow", "blue")) + ("#D0D0D0",),
    foreground="#E6E6E6", background="#1E1E1E", grid_alpha=0.25,
    good="#2EC4A0", bad="#FF7A33", neutral="#A0A0A0", reference="#A0A0A0",
)


def is_dark() -> bool:
    """True when the running application's window colour is dark."""
    from PySide6.QtGui import QGuiApplication, QPalette

    app = QGuiApplication.instance()
    if app is None:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5  # type: ignore[attr-defined]


def current() -> ChartPalette:
    """The palette matching the application's current light/dark theme."""
    return DARK if is_dark() else LIGHT
