"""UI-language text for words the analysis layer writes in English.

The analysis modules (no Qt) return codes with parameters where a figure is missing or a result
deserves a remark (:class:`memberdesk.core.reasons.Reason`, the Cox result's ``reasons``), a
p-value for the proportional-hazards verdict, and covariate names like
``product_type=annuity``. The pages show them through these helpers, in the UI language: reasons
and remarks from the one reason catalogue, never by matching English sentences.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication

from memberdesk.core.reasons import CATALOGUE, Reason, reason_text
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


def cox_note(note: Any) -> str:
    """A remark of :class:`memberdesk.analysis.cox.CoxResult` (an item of ``reasons``: a code
    with parameters) in the UI language, through the one reason catalogue
    (:mod:`memberdesk.core.reasons`); a plain string unchanged."""
    code = getattr(note, "code", None)
    if isinstance(code, str) and code in CATALOGUE:
        return Reason(code, **dict(getattr(note, "params", ()))).text(ui_language())
    return str(getattr(note, "text", note))


# ---- reasons -----------------------------------------------------------------------------

def kpi_reason(reason: Reason | str | None) -> str:
    """Why a figure has no value, in the UI language, from the one reason catalogue
    (:mod:`memberdesk.core.reasons`); a plain string (an error message) unchanged."""
    return reason_text(reason, ui_language())


__all__ = ["PH_ALPHA", "covariate_label", "cox_note", "kpi_reason", "ph_verdict"]
