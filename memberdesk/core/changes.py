"""How a change against an earlier period is shown: one rule for the desktop's KPI tiles
(:mod:`memberdesk.ui.charts.kpi_tile`) and the workbook's Dashboard
(:mod:`memberdesk.report.sheets_dashboard`).

A change is a fraction: a ratio's change in points (0.012 = 1.2 pp) or a relative change
(0.012 = +1.2 %). Both front ends show its hundredfold with one decimal. A change that shows as
0.0 has no arrow, no sign and no colour: never "▼ −0.0" (issue 17 B.4).
"""
from __future__ import annotations


def percent_shown(change: float) -> float:
    """``change`` (a fraction) in percent or points as shown, rounded to one decimal
    (Python's ``round``: half to even on the binary value); never ``-0.0``."""
    return round(change * 100, 1) + 0.0


def shows_zero(change: float | None) -> bool:
    """True when there is no change to show (``None``) or it shows as 0.0 at one decimal of
    its hundredfold: no arrow, no sign, no colour."""
    return change is None or percent_shown(change) == 0
