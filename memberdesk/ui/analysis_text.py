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

from memberdesk.ui.i18n import column_label, format_number

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


# ---- cockpit KPI reasons ------------------------------------------------------------------

# Every fixed reason memberdesk.analysis.kpis (and service.missing_columns_reason) can give.
_KPI_REASONS = {
    "no policies loaded": QT_TR_NOOP("no policies loaded"),
    "policies have no issue dates (generic survival table)":
        QT_TR_NOOP("policies have no issue dates (generic survival table)"),
    "policies have no annual_premium column": QT_TR_NOOP("policies have no annual premium column"),
    "annual_premium is empty on every policy": QT_TR_NOOP("annual premium is empty on every policy"),
    "policies have no member_id column": QT_TR_NOOP("policies have no member ID column"),
    "no benefit usage loaded": QT_TR_NOOP("no benefit usage loaded"),
    "member ids are needed on policies and benefit usage":
        QT_TR_NOOP("member IDs are needed on policies and benefit usage"),
    "no service contacts loaded": QT_TR_NOOP("no service contacts loaded"),
    "no service contacts up to the as-of date": QT_TR_NOOP("no service contacts up to the as-of date"),
    "no claims loaded": QT_TR_NOOP("no claims loaded"),
    "claims need reported_at and settled_at columns":
        QT_TR_NOOP("claims need report date and settlement date columns"),
    "not available": QT_TR_NOOP("not available in this version"),
    "no data at the as-of date": QT_TR_NOOP("no data at the as-of date"),
    # kpis.EMPTY_REASONS
    "no exposure in the 12 months to the as-of date":
        QT_TR_NOOP("no exposure in the 12 months to the as-of date"),
    "median not reached: more than half the policies are still in force at every duration":
        QT_TR_NOOP("median not reached: more than half the policies are still in force at every "
                   "duration"),
    "no in-force members at the as-of date": QT_TR_NOOP("no in-force members at the as-of date"),
    "no service contacts in the 12 months to the as-of date":
        QT_TR_NOOP("no service contacts in the 12 months to the as-of date"),
    "no human-queue contacts in the 12 months to the as-of date":
        QT_TR_NOOP("no human-queue contacts in the 12 months to the as-of date"),
    "no rated contacts in the 12 months to the as-of date":
        QT_TR_NOOP("no rated contacts in the 12 months to the as-of date"),
    "no claims reported in the 12 months to the as-of date, or fewer than half settled":
        QT_TR_NOOP("no claims reported in the 12 months to the as-of date, or fewer than half "
                   "settled"),
    "no policy reached its 13th month in the 12 months to the as-of date":
        QT_TR_NOOP("no policy reached its 13th month in the 12 months to the as-of date"),
    "no policy reached its 25th month in the 12 months to the as-of date":
        QT_TR_NOOP("no policy reached its 25th month in the 12 months to the as-of date"),
}

_MISSING_SERVICE_COLUMNS = re.compile(r"service contacts have no (?P<cols>[\w, ]+) column")


def kpi_reason(reason: Any) -> str:
    """Why a KPI has no value, in the UI language (unknown reasons unchanged)."""
    if reason is None:
        return ""
    text = str(reason)
    if text in _KPI_REASONS:
        return tr(_KPI_REASONS[text])
    m = _MISSING_SERVICE_COLUMNS.fullmatch(text)
    if m:
        names = ", ".join(column_label(c.strip()) for c in m.group("cols").split(","))
        return tr("service contacts have no {columns} column").format(columns=names)
    return text


def _match(text: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for pattern, template in table:
        m = pattern.fullmatch(text)
        if m:
            return tr(template).format(**m.groupdict())
    return text


__all__ = ["PH_ALPHA", "covariate_label", "cox_note", "kpi_reason", "ph_verdict"]
