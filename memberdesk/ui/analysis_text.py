"""UI-language text for words the analysis layer writes in English.

The analysis modules (no Qt) return plain English strings: the Cox proportional-hazards
verdict, the reason a cockpit KPI has no value, covariate names like ``product_type=annuity``.
The pages show them through these helpers, which rebuild the text with ``tr()`` so it follows
the UI language; an unknown string is shown as the analysis wrote it.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QT_TR_NOOP, QCoreApplication

from memberdesk.core.reasons import Reason, reason_text
from memberdesk.ui.i18n import column_label, format_number, ui_language

PH_ALPHA = 0.05  # memberdesk.analysis.cox.ph_verdict: p >= 0.05 reads "reasonable"


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


# ---- Cox proportional-hazards verdict ----------------------------------------------------

def ph_verdict(p_value: Any) -> str:
    """The plain-words reading of a proportional-hazards test p-value in the UI language, with
    the analysis' threshold (p ≥ 0.05: the hazard ratio can be read as constant)."""
    try:
        p = float(p_value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(p):
        return ""
    shown = "p < 0.01" if p < 0.01 else "p = " + format_number(p, 2)
    if p >= PH_ALPHA:
        return tr("proportional hazards look reasonable ({p})").format(p=shown)
    return tr("effect changes over time ({p}): read the hazard ratio as an average").format(p=shown)


def covariate_label(name: Any, columns: Iterable[str] = ()) -> str:
    """``product_type=annuity`` -> "<Product type label>: annuity"; a numeric covariate
    (``annual_premium``) -> its column label. ``columns`` are the model's covariate column
    ids: the longest one followed by ``=`` is the column (a value may contain ``=``)."""
    text = str(name)
    for col in sorted(columns, key=len, reverse=True):
        if text == col:
            return column_label(col)
        if text.startswith(col + "="):
            return f"{column_label(col)}: {text[len(col) + 1:]}"
    col, sep, value = text.partition("=")
    if sep:
        return f"{column_label(col)}: {value}"
    return column_label(text)


_COX_NOTES = (
    (re.compile(r"only (?P<k>[\d.]+) events per coefficient: estimates may be unstable "
                r"\(rule of thumb: (?P<r>\d+)\)"),
     QT_TR_NOOP("only {k} events per coefficient: estimates may be unstable (rule of thumb: {r})")),
    (re.compile(r"(?P<n>\d+) rows with a missing numeric covariate were left out"),
     QT_TR_NOOP("{n} rows with a missing numeric covariate were left out")),
)


def cox_note(note: str) -> str:
    """A note of :class:`memberdesk.analysis.cox.CoxResult` in the UI language."""
    return _match(note, _COX_NOTES)


# ---- reasons -----------------------------------------------------------------------------

def kpi_reason(reason: Reason | str | None) -> str:
    """Why a figure has no value, in the UI language, from the one reason catalogue
    (:mod:`memberdesk.core.reasons`); a plain string (an error message) unchanged."""
    return reason_text(reason, ui_language())


def _match(text: str, table: tuple[tuple[re.Pattern[str], object], ...]) -> str:
    for pattern, template in table:
        m = pattern.fullmatch(text)
        if m:
            return tr(str(template)).format(**m.groupdict())
    return text


__all__ = ["PH_ALPHA", "covariate_label", "cox_note", "kpi_reason", "ph_verdict"]
