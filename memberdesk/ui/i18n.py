"""Language choice and locale-aware formatting for the user interface (English / 简体中文).

* :func:`system_language` and :func:`choose_language` decide the UI language: ``--lang`` on
  the command line, else the one picked in View ▸ Language, else the system locale (any
  Chinese locale -> ``zh_CN``, everything else -> ``en``).
* ``format_*`` turn numbers, percentages and dates into text with :class:`QLocale` of the
  UI language (thousands separators, decimal mark, month names), for tables, chart axes,
  tooltips and KPI tiles. :func:`set_ui_language` (called at start-up) sets that locale as the
  default, so the helpers need no argument; pass ``locale`` to override.
* :func:`column_label` and :func:`value_label` translate the column ids of result tables and
  the few coded values (policy status, cause of exit, bot/human) shown as legends. Both return
  the id unchanged when no translation is installed, so English shows what the data call it.

Data values themselves (product names, regions …) are never translated: they are shown as
they are in the files, Chinese or not.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale

from memberdesk.core import labels, status_lines

LANGUAGES: tuple[str, ...] = ("en", "zh_CN")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}


# ---- which language ---------------------------------------------------------------------

def system_language(locale: QLocale | None = None) -> str:
    """``"zh_CN"`` when the (system) locale is any Chinese one, else ``"en"``."""
    locale = QLocale.system() if locale is None else locale
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def choose_language(cli: str | None = None, saved: str | None = None,
                    locale: QLocale | None = None) -> str:
    """The UI language: ``cli`` (``--lang``), else ``saved`` (View ▸ Language), else the
    system locale's. Unknown codes are skipped."""
    for lang in (cli, saved):
        if lang in LANGUAGES:
            return str(lang)
    return system_language(locale)


def locale_for(lang: str) -> QLocale:
    """The QLocale used to format numbers and dates in ``lang``."""
    if lang == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


_CURRENT = {"lang": "en"}


def set_ui_language(lang: str) -> QLocale:
    """Make ``lang``'s locale the default (what ``QLocale()`` and these helpers use)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    locale = locale_for(lang)
    QLocale.setDefault(locale)
    _CURRENT["lang"] = lang
    return locale


def ui_language() -> str:
    """The language set by :func:`set_ui_language` (``"en"`` before)."""
    return _CURRENT["lang"]


# ---- numbers and dates ------------------------------------------------------------------

def _loc(locale: QLocale | None) -> QLocale:
    return QLocale() if locale is None else locale


def _finite(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def format_int(value: Any, locale: QLocale | None = None) -> str:
    """A whole number with the locale's thousands separator (``12,345``); "" if missing."""
    v = _finite(value)
    return "" if v is None else _loc(locale).toString(int(round(v)))


def format_number(value: Any, decimals: int = 1, locale: QLocale | None = None) -> str:
    """A number with ``decimals`` decimals and thousands separators; "" if missing."""
    v = _finite(value)
    if v is None:
        return ""
    return _loc(locale).toString(v, "f", decimals)


def format_percent(value: Any, decimals: int = 1, locale: QLocale | None = None,
                   signed: bool = False) -> str:
    """A fraction (0.913) as a percentage (``91.3%``) in the locale's notation."""
    v = _finite(value)
    if v is None:
        return ""
    loc = _loc(locale)
    text = loc.toString(abs(v) * 100, "f", decimals)
    sign = "+" if signed and v > 0 else ("−" if v < 0 else "")
    return f"{sign}{text}{loc.percent()}"


def _qdate(value: Any) -> QDate | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
            return None
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return QDate(ts.year, ts.month, ts.day)


def format_date(value: Any, locale: QLocale | None = None) -> str:
    """A date in the locale's short form: ``2024-12-31`` in both languages (ISO, unambiguous
    for actuaries); "" if missing."""
    d = _qdate(value)
    return "" if d is None else d.toString("yyyy-MM-dd")


def format_long_date(value: Any, locale: QLocale | None = None) -> str:
    """A date spelled out: ``31 December 2024`` / ``2024年12月31日``."""
    d = _qdate(value)
    if d is None:
        return ""
    loc = _loc(locale)
    fmt = "yyyy年M月d日" if loc.language() == QLocale.Language.Chinese else "d MMMM yyyy"
    return loc.toString(d, fmt)


def format_month(value: Any, locale: QLocale | None = None) -> str:
    """A month: ``Dec 2024`` / ``2024年12月``."""
    d = _qdate(value)
    if d is None:
        return ""
    loc = _loc(locale)
    fmt = "yyyy年M月" if loc.language() == QLocale.Language.Chinese else "MMM yyyy"
    return loc.toString(d, fmt)


def to_date(value: Any) -> dt.date | None:
    """``value`` as a ``datetime.date`` (None if missing)."""
    d = _qdate(value)
    return None if d is None else dt.date(d.year(), d.month(), d.day())


# ---- column ids and coded values --------------------------------------------------------

# Column ids of the result tables the pages and chart table views show. Marked for
# pyside6-lupdate (context "Column"); the translation is the display header.
_COLUMN_IDS = (
    QT_TRANSLATE_NOOP("Column", "member_id"), QT_TRANSLATE_NOOP("Column", "policy_id"),
    QT_TRANSLATE_NOOP("Column", "claim_id"), QT_TRANSLATE_NOOP("Column", "contact_id"),
    QT_TRANSLATE_NOOP("Column", "birth_date"), QT_TRANSLATE_NOOP("Column", "age"),
    QT_TRANSLATE_NOOP("Column", "gender"), QT_TRANSLATE_NOOP("Column", "region"),
    QT_TRANSLATE_NOOP("Column", "join_date"), QT_TRANSLATE_NOOP("Column", "tier"),
    QT_TRANSLATE_NOOP("Column", "product"), QT_TRANSLATE_NOOP("Column", "product_type"),
    QT_TRANSLATE_NOOP("Column", "channel"), QT_TRANSLATE_NOOP("Column", "issue_date"),
    QT_TRANSLATE_NOOP("Column", "end_date"), QT_TRANSLATE_NOOP("Column", "status"),
    QT_TRANSLATE_NOOP("Column", "annual_premium"), QT_TRANSLATE_NOOP("Column", "sum_assured"),
    QT_TRANSLATE_NOOP("Column", "payment_frequency"), QT_TRANSLATE_NOOP("Column", "duration"),
    QT_TRANSLATE_NOOP("Column", "event"), QT_TRANSLATE_NOOP("Column", "benefit"),
    QT_TRANSLATE_NOOP("Column", "used_at"), QT_TRANSLATE_NOOP("Column", "cost"),
    QT_TRANSLATE_NOOP("Column", "started_at"), QT_TRANSLATE_NOOP("Column", "handled_by"),
    QT_TRANSLATE_NOOP("Column", "transferred_to_human"), QT_TRANSLATE_NOOP("Column", "connected"),
    QT_TRANSLATE_NOOP("Column", "wait_seconds"), QT_TRANSLATE_NOOP("Column", "resolved"),
    QT_TRANSLATE_NOOP("Column", "satisfaction"), QT_TRANSLATE_NOOP("Column", "topic"),
    QT_TRANSLATE_NOOP("Column", "reported_at"), QT_TRANSLATE_NOOP("Column", "settled_at"),
    QT_TRANSLATE_NOOP("Column", "amount_claimed"), QT_TRANSLATE_NOOP("Column", "amount_paid"),
    QT_TRANSLATE_NOOP("Column", "age_band"), QT_TRANSLATE_NOOP("Column", "exit_status"),
    QT_TRANSLATE_NOOP("Column", "issue_year"), QT_TRANSLATE_NOOP("Column", "premium_band"),
    QT_TRANSLATE_NOOP("Column", "age_at_issue"),
    QT_TRANSLATE_NOOP("Column", "segment"), QT_TRANSLATE_NOOP("Column", "group"),
    QT_TRANSLATE_NOOP("Column", "time"), QT_TRANSLATE_NOOP("Column", "survival"),
    QT_TRANSLATE_NOOP("Column", "ci_lower"), QT_TRANSLATE_NOOP("Column", "ci_upper"),
    QT_TRANSLATE_NOOP("Column", "at_risk"), QT_TRANSLATE_NOOP("Column", "events"),
    QT_TRANSLATE_NOOP("Column", "censored"), QT_TRANSLATE_NOOP("Column", "n"),
    QT_TRANSLATE_NOOP("Column", "median"), QT_TRANSLATE_NOOP("Column", "median_ci_lower"),
    QT_TRANSLATE_NOOP("Column", "median_ci_upper"), QT_TRANSLATE_NOOP("Column", "median_days"),
    QT_TRANSLATE_NOOP("Column", "rmst"), QT_TRANSLATE_NOOP("Column", "se"),
    QT_TRANSLATE_NOOP("Column", "difference"), QT_TRANSLATE_NOOP("Column", "difference_se"),
    QT_TRANSLATE_NOOP("Column", "difference_ci_lower"),
    QT_TRANSLATE_NOOP("Column", "difference_ci_upper"), QT_TRANSLATE_NOOP("Column", "p_value"),
    QT_TRANSLATE_NOOP("Column", "p_value_holm"), QT_TRANSLATE_NOOP("Column", "test_statistic"),
    QT_TRANSLATE_NOOP("Column", "group_a"), QT_TRANSLATE_NOOP("Column", "group_b"),
    QT_TRANSLATE_NOOP("Column", "years"), QT_TRANSLATE_NOOP("Column", "count"),
    QT_TRANSLATE_NOOP("Column", "covariate"), QT_TRANSLATE_NOOP("Column", "coef"),
    QT_TRANSLATE_NOOP("Column", "hazard_ratio"), QT_TRANSLATE_NOOP("Column", "hr_ci_lower"),
    QT_TRANSLATE_NOOP("Column", "hr_ci_upper"), QT_TRANSLATE_NOOP("Column", "verdict"),
    QT_TRANSLATE_NOOP("Column", "label"), QT_TRANSLATE_NOOP("Column", "model"),
    QT_TRANSLATE_NOOP("Column", "parameters"), QT_TRANSLATE_NOOP("Column", "aic"),
    QT_TRANSLATE_NOOP("Column", "bic"), QT_TRANSLATE_NOOP("Column", "log_likelihood"),
    QT_TRANSLATE_NOOP("Column", "best"), QT_TRANSLATE_NOOP("Column", "all_causes"),
    QT_TRANSLATE_NOOP("Column", "lapsed"), QT_TRANSLATE_NOOP("Column", "surrendered"),
    QT_TRANSLATE_NOOP("Column", "death"), QT_TRANSLATE_NOOP("Column", "matured"),
    QT_TRANSLATE_NOOP("Column", "in_force"), QT_TRANSLATE_NOOP("Column", "other"),
    QT_TRANSLATE_NOOP("Column", "policy_year"), QT_TRANSLATE_NOOP("Column", "exposure"),
    QT_TRANSLATE_NOOP("Column", "actual"), QT_TRANSLATE_NOOP("Column", "expected"),
    QT_TRANSLATE_NOOP("Column", "ae"), QT_TRANSLATE_NOOP("Column", "rate"),
    QT_TRANSLATE_NOOP("Column", "rate_lower"), QT_TRANSLATE_NOOP("Column", "rate_upper"),
    QT_TRANSLATE_NOOP("Column", "credibility"), QT_TRANSLATE_NOOP("Column", "expected_claims"),
    QT_TRANSLATE_NOOP("Column", "period"), QT_TRANSLATE_NOOP("Column", "period_end"),
    QT_TRANSLATE_NOOP("Column", "cohort_count"), QT_TRANSLATE_NOOP("Column", "cohort_premium"),
    QT_TRANSLATE_NOOP("Column", "persisting_count"),
    QT_TRANSLATE_NOOP("Column", "persisting_premium"), QT_TRANSLATE_NOOP("Column", "ratio_count"),
    QT_TRANSLATE_NOOP("Column", "ratio_premium"),
    QT_TRANSLATE_NOOP("Column", "excluded_single_premium"),
    QT_TRANSLATE_NOOP("Column", "excluded_free_look"),
    QT_TRANSLATE_NOOP("Column", "excluded_death"), QT_TRANSLATE_NOOP("Column", "excluded_claim"),
    QT_TRANSLATE_NOOP("Column", "out_of_window"), QT_TRANSLATE_NOOP("Column", "users"),
    QT_TRANSLATE_NOOP("Column", "non_users"), QT_TRANSLATE_NOOP("Column", "events_users"),
    QT_TRANSLATE_NOOP("Column", "events_non_users"),
    QT_TRANSLATE_NOOP("Column", "survival_users"),
    QT_TRANSLATE_NOOP("Column", "survival_non_users"),
    QT_TRANSLATE_NOOP("Column", "survival_difference"), QT_TRANSLATE_NOOP("Column", "analysis"),
    QT_TRANSLATE_NOOP("Column", "origin"), QT_TRANSLATE_NOOP("Column", "claims"),
    QT_TRANSLATE_NOOP("Column", "open"), QT_TRANSLATE_NOOP("Column", "settled"),
    QT_TRANSLATE_NOOP("Column", "paid_ratio_amount"),
    QT_TRANSLATE_NOOP("Column", "paid_ratio_count"), QT_TRANSLATE_NOOP("Column", "within_5_days"),
    QT_TRANSLATE_NOOP("Column", "within_10_days"), QT_TRANSLATE_NOOP("Column", "within_30_days"),
    QT_TRANSLATE_NOOP("Column", "value"), QT_TRANSLATE_NOOP("Column", "index"),
    QT_TRANSLATE_NOOP("Column", "file"), QT_TRANSLATE_NOOP("Column", "files"),
    QT_TRANSLATE_NOOP("Column", "sheet"), QT_TRANSLATE_NOOP("Column", "table"),
    QT_TRANSLATE_NOOP("Column", "read"), QT_TRANSLATE_NOOP("Column", "accepted"),
    QT_TRANSLATE_NOOP("Column", "rejected"), QT_TRANSLATE_NOOP("Column", "rows"),
    QT_TRANSLATE_NOOP("Column", "row"), QT_TRANSLATE_NOOP("Column", "column"),
    QT_TRANSLATE_NOOP("Column", "reason"), QT_TRANSLATE_NOOP("Column", "detail"),
    QT_TRANSLATE_NOOP("Column", "meaning"),
)


# English display headers where "capitalise and drop underscores" reads badly.
_ENGLISH_HEADERS: dict[str, str] = {
    "ci_lower": "95% CI lower", "ci_upper": "95% CI upper", "at_risk": "At risk",
    "n": "Policies", "se": "Std. error", "coef": "Coefficient", "p_value": "p-value",
    "p_value_holm": "p-value (Holm)", "hr_ci_lower": "HR 95% CI lower",
    "hr_ci_upper": "HR 95% CI upper", "median_ci_lower": "Median 95% CI lower",
    "median_ci_upper": "Median 95% CI upper", "rmst": "RMST", "aic": "AIC", "bic": "BIC",
    "ae": "A/E", "rate_lower": "Rate 95% CI lower", "rate_upper": "Rate 95% CI upper",
    "difference_ci_lower": "Difference 95% CI lower",
    "difference_ci_upper": "Difference 95% CI upper", "difference_se": "Difference std. error",
    "csat": "CSAT", "within_5_days": "Within 5 days", "within_10_days": "Within 10 days",
    "within_30_days": "Within 30 days", "test_statistic": "Test statistic",
    "group_a": "Group A", "group_b": "Group B", "paid_ratio_amount": "Paid ratio (amount)",
    "paid_ratio_count": "Paid ratio (count)", "exit_status": "Status at as-of",
    "member_id": "Member ID", "policy_id": "Policy ID", "claim_id": "Claim ID",
    "contact_id": "Contact ID",
}


def column_label(column: str, ci_level: float | None = None) -> str:
    """Display header of a result column id in the UI language: the one label catalogue
    shared with the report (:mod:`memberdesk.core.labels`, units included) first; columns it
    does not know read as the translation file says, else as the readable form of the id
    (``hr_ci_lower`` -> "HR 95% CI lower"). With ``ci_level`` (0.9), a header naming the
    default level names that one instead ("HR 90% CI lower")."""
    return labels.with_ci_level(_column_label(str(column)), ci_level)


def ci_headers(columns: Iterable[Any], ci_level: float | None) -> dict[str, str]:
    """Headers of ``columns`` (for :func:`memberdesk.ui.pages.base.fill_table`) naming the CI
    level of the result shown: only the columns whose header names a level."""
    out = {}
    for column in map(str, columns):
        plain = _column_label(column)
        if labels.DEFAULT_CI_TEXT in plain:
            out[column] = labels.with_ci_level(plain, ci_level)
    return out


def ci_text(text: str, ci_level: float | None) -> str:
    """A translated text naming the default 95% level, naming ``ci_level`` instead."""
    return labels.with_ci_level(text, ci_level)


def dataset_ci_level(ds: Any) -> float:
    """The CI level a dataset's analyses use (its assumptions; 0.95 without any)."""
    level = getattr(getattr(ds, "assumptions", None), "ci_level", None)
    return 0.95 if level is None else float(level)


def _column_label(column: str) -> str:
    if labels.has_column_label(column):
        return labels.column_label(column, ui_language())
    text = QCoreApplication.translate("Column", column)
    if text != column:
        return text
    if column in _ENGLISH_HEADERS:
        return _ENGLISH_HEADERS[column]
    if column.islower() and column.replace("_", "").isalnum():
        return column.replace("_", " ").capitalize()
    return column


_VALUE_CODES = (
    QT_TRANSLATE_NOOP("Value", "in_force"), QT_TRANSLATE_NOOP("Value", "lapsed"),
    QT_TRANSLATE_NOOP("Value", "surrendered"), QT_TRANSLATE_NOOP("Value", "death"),
    QT_TRANSLATE_NOOP("Value", "matured"), QT_TRANSLATE_NOOP("Value", "other"),
    QT_TRANSLATE_NOOP("Value", "paid"), QT_TRANSLATE_NOOP("Value", "declined"),
    QT_TRANSLATE_NOOP("Value", "open"), QT_TRANSLATE_NOOP("Value", "bot"),
    QT_TRANSLATE_NOOP("Value", "human"), QT_TRANSLATE_NOOP("Value", "all"),
    QT_TRANSLATE_NOOP("Value", "All"), QT_TRANSLATE_NOOP("Value", "exponential"),
    QT_TRANSLATE_NOOP("Value", "weibull"), QT_TRANSLATE_NOOP("Value", "lognormal"),
    QT_TRANSLATE_NOOP("Value", "loglogistic"), QT_TRANSLATE_NOOP("Value", "bot_replacement_rate"),
    QT_TRANSLATE_NOOP("Value", "human_connection_rate"), QT_TRANSLATE_NOOP("Value", "csat"),
    QT_TRANSLATE_NOOP("Value", "resolution_rate"),
    QT_TRANSLATE_NOOP("Value", "wait_mean_seconds"),
    QT_TRANSLATE_NOOP("Value", "wait_p90_seconds"),
    QT_TRANSLATE_NOOP("Value", "paid_ratio_amount"),
    QT_TRANSLATE_NOOP("Value", "paid_ratio_count"), QT_TRANSLATE_NOOP("Value", "naive"),
    QT_TRANSLATE_NOOP("Value", "landmark"),
)


_TABLE_NAMES = (
    QT_TRANSLATE_NOOP("Table", "policies"), QT_TRANSLATE_NOOP("Table", "members"),
    QT_TRANSLATE_NOOP("Table", "benefit_usage"), QT_TRANSLATE_NOOP("Table", "service_contacts"),
    QT_TRANSLATE_NOOP("Table", "claims"),
)


def table_label(table: str) -> str:
    """Display name of a canonical table (``policies`` -> 保单 in Chinese; ``benefit_usage``
    -> "benefit usage" in English)."""
    return labels.table_label(str(table), ui_language())


def dataset_summary(ds: Any) -> str:
    """The status-bar line of a Dataset: row counts per table and the as-of date, in the UI
    language (``policies 6,824 · … · as of 2024-12-31`` / ``保单 6,824 · … · 评估日 2024-12-31``)."""
    book = getattr(ds, "book", None)  # a book in a database: its engine and counted rows
    counts = book.row_counts() if book is not None else \
        {name: len(frame) for name, frame in ds.validated.items()}
    parts = [f"{table_label(name)} {format_int(n)}" for name, n in counts.items()]
    if book is not None:
        parts.insert(0, str(book.engine))
    as_of = QCoreApplication.translate("Table", "as of {0}").format(format_date(ds.as_of))
    return " · ".join([*parts, as_of])


def value_label(value: Any) -> str:
    """Display text of a coded value (status, cause, handled_by …): the value catalogue shared
    with the report (:data:`memberdesk.core.labels.VALUES`) first, then the translation file;
    other values unchanged."""
    text = str(value)
    if ui_language() != "en" and text in labels.VALUES:
        return str(labels.value_label(text, ui_language()))
    return QCoreApplication.translate("Value", text)


__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "choose_language", "ci_headers", "ci_text",
           "column_label", "dataset_ci_level", "dataset_summary",
           "format_date",
           "format_int", "format_long_date", "format_month", "format_number", "format_percent",
           "locale_for", "set_ui_language", "system_language", "to_date", "ui_language",
           "table_label", "value_label"]


# ---- progress lines ----------------------------------------------------------------------------
# The core, the analyses and the report say what a long task is doing in English progress lines
# (``Progress.status``, like log lines: they cross the worker thread as plain text). The desktop
# shows them in its language through the one Qt-free table the commands use too
# (:mod:`memberdesk.core.status_lines`): fixed lines translated whole, lines with a name in them
# by their template (a table name translated).
STATUS_TEMPLATES: tuple[str, ...] = status_lines.STATUS_TEMPLATES


# the analyses' progress lines that name a metric by its id ("Alerts: persistency_13")
_METRIC_LINE = re.compile(r"^(KPIs|Alerts): (\S+)( by segment)?$")


def status_text(text: str) -> str:
    """A progress line in the UI language (English lines unknown here are shown as they are);
    a metric named by its id is named as the Cockpit and the Dictionary name it."""
    lang = ui_language()
    m = _METRIC_LINE.match(text)
    if m:
        from memberdesk.analysis.metric_definitions import METRICS

        metric = METRICS.get(m.group(2))
        if metric is not None:
            name = metric.name_zh if lang == "zh_CN" else metric.name_en
            text = f"{m.group(1)}: {name}{m.group(3) or ''}"
    return status_lines.status_text(text, lang)
