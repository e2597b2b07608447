"""The "what changed" tables of the Retention and Persistency sheets (issue 17 C.18).

The Retention and Persistency pages each have their own "Compare with…" (another as-of date or
a pinned filter set; :attr:`ReportOptions.retention_compare`,
:attr:`ReportOptions.persistency_compare`). Each sheet shows its page's comparison as the page
shows it: :func:`memberdesk.analysis.compare.compare_as_of` /
:func:`~memberdesk.analysis.compare.compare_filters` called with the page's own choices (the
Retention segment; the Persistency segment, month, period and basis), one row per group and
figure with the current value, the reference value and the change (current − reference).

Units: rates (survival at 1/2/3/5 years, persistency ratios) are fractions shown as %; their
change is written in percentage points (0.012 -> 1.2 "pp", as the Summary's change); counts are
policies; the median is in months (an infinite median — not reached — is a blank cell with the
words in a comment). A side without figures is blank and the comparison's note says why.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from memberdesk.core.reasons import reason_text
from memberdesk.report import styles
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.report_options import CompareRef

_EN, _ZH = "en", "zh_CN"
TEXT: dict[str, dict[str, str]] = {
    "heading_as_of": {_EN: "What changed: as of {current} compared with as of {reference}",
                      _ZH: "变化：截至 {current} 与截至 {reference} 对比"},
    "heading_filters": {_EN: "What changed: current filters compared with pinned filters "
                             "({filters})",
                        _ZH: "变化：当前筛选与固定筛选（{filters}）对比"},
    "heading_month": {_EN: "{month}th month", _ZH: "第{month}个月"},
    "explain": {_EN: "Change = current − reference; rates in percentage points. The same "
                     "comparison as the page's “Compare with…”.",
                _ZH: "变化 = 当前 − 对比基准；比率以百分点计。与页面“对比…”的结果相同。"},
    "figure": {_EN: "Figure", _ZH: "指标"},
    "group": {_EN: "Group", _ZH: "分组"},
    "segment": {_EN: "Segment", _ZH: "细分"},
    "current_as_of": {_EN: "Current (as of {date})", _ZH: "当前（截至 {date}）"},
    "current_filters": {_EN: "Current filters", _ZH: "当前筛选"},
    "current_period": {_EN: "Period (current)", _ZH: "期间（当前）"},
    "reference_period": {_EN: "Period (reference)", _ZH: "期间（对比基准）"},
    "not_reached": {_EN: "not reached", _ZH: "未达到"},
}
MEASURES: dict[str, dict[str, str]] = {
    "n": {_EN: "Policies", _ZH: "保单数（件）"},
    "events": {_EN: "Lapses and surrenders", _ZH: "失效及退保（件）"},
    "median": {_EN: "Median lifetime (months)", _ZH: "中位存续期（月）"},
    "survival_12": {_EN: "Retention at 1 year", _ZH: "1年留存率"},
    "survival_24": {_EN: "Retention at 2 years", _ZH: "2年留存率"},
    "survival_36": {_EN: "Retention at 3 years", _ZH: "3年留存率"},
    "survival_60": {_EN: "Retention at 5 years", _ZH: "5年留存率"},
    "ratio_premium": {_EN: "Persistency (premium)", _ZH: "继续率（保费）"},
    "ratio_count": {_EN: "Persistency (count)", _ZH: "继续率（件数）"},
    "cohort_count": {_EN: "Cohort (policies)", _ZH: "考察保单数（件）"},
}


def _t(key: str, lang: str, **fields: object) -> str:
    entry = TEXT[key]
    return entry.get(lang, entry[_EN]).format(**fields)


def is_rate(measure: str) -> bool:
    """Survival and persistency ratios are fractions (shown as %, changes in pp)."""
    return measure.startswith(("survival_", "ratio_"))


def comparison_of(ctx: ReportContext, ref: CompareRef, section: str,
                  **options: Any) -> Any:
    """The :class:`~memberdesk.analysis.compare.Comparison` of ``section`` against ``ref``
    on the report's dataset (its as-of and filters are the current side), computed as the
    page's Compare panel computes it (:func:`~memberdesk.analysis.compare.compare_datasets`
    on the dataset and the reference view)."""
    from memberdesk.analysis.compare import compare_datasets

    if ref.filters is not None:
        reference = ctx.ds.with_filters(ref.filters)
    else:
        reference = ctx.ds.with_as_of(pd.Timestamp(str(ref.as_of)))
    return compare_datasets(ctx.ds, reference, sections=(section,), **options)


def _heading(ctx: ReportContext, ref: CompareRef) -> tuple[str, str, str, str]:
    """The section heading and the current / reference column headers (the reference and
    change headers are the Summary's, so every sheet names a comparison the same way)."""
    from memberdesk.report.sheets_overview import comparison_heads

    lang = ctx.lang if ctx.lang in (_EN, _ZH) else _EN
    text, ref_head, change_head = comparison_heads(ctx, ref)
    if ref.filters is not None:
        return (_t("heading_filters", lang, filters=text), _t("current_filters", lang),
                ref_head, change_head)
    return (_t("heading_as_of", lang, current=ctx.as_of_iso, reference=text),
            _t("current_as_of", lang, date=ctx.as_of_iso), ref_head, change_head)


def write_comparison(ctx: ReportContext, w: SheetWriter, ref: CompareRef | None,
                     section: str, *, month: int | None = None, **options: Any) -> None:
    """Write ``section``'s comparison (``retention`` or ``persistency``) against ``ref``:
    a heading, one row per group and figure (current, reference, change; persistency also
    the period each side reports), and the comparison's notes. Nothing without ``ref``.

    ``options`` are the page's choices passed to the comparison (``by``; for persistency
    ``month``, ``period``, ``basis``)."""
    if ref is None:
        return
    lang = ctx.lang if ctx.lang in (_EN, _ZH) else _EN
    if month is not None:
        options["month"] = month
    comparison = comparison_of(ctx, ref, section, **options)
    frame = comparison.section(section)
    heading, cur_head, ref_head, change_head = _heading(ctx, ref)
    if month is not None:
        heading += " · " + _t("heading_month", lang, month=month)
    w.section(heading)
    w.note(_t("explain", lang), gap=0)
    for note in comparison.notes:  # reason codes, in the report's language
        w.note(reason_text(note, lang), gap=0)
    key = "group" if section == "retention" else "segment"
    table = pd.DataFrame({
        key: list(frame[key]),
        "measure": [MEASURES.get(str(m), {}).get(lang, str(m)) for m in frame["measure"]],
        "current": [_cell(v, lang) for v in frame["current"]],
        "reference": [_cell(v, lang) for v in frame["reference"]],
        "change": [_change(v, str(m)) for v, m in zip(frame["change"], frame["measure"])],
    })
    labels = {key: _t(key, lang), "measure": _t("figure", lang), "current": cur_head,
              "reference": ref_head, "change": change_head}
    formats = {key: "text", "measure": "text", "current": "num", "reference": "num",
               "change": "num"}
    if section == "persistency":
        table["current_period"] = list(frame["current_period"])
        table["reference_period"] = list(frame["reference_period"])
        labels.update(current_period=_t("current_period", lang),
                      reference_period=_t("reference_period", lang))
        formats.update(current_period="text", reference_period="text")
    w.row += 1
    ref_table = w.table(table, labels=labels, formats=formats)
    _number_formats(w, ref_table, [str(m) for m in frame["measure"]], ctx.t("pp"))


def _cell(value: Any, lang: str) -> Any:
    """A side's value: NaN blank, an infinite median as words (a blank cell + comment)."""
    if value is None or pd.isna(value):
        return None
    v = float(value)
    if v == float("inf"):
        return _t("not_reached", lang)
    return v


def _change(value: Any, measure: str) -> float | None:
    """current − reference; a rate's change in percentage points (never "−0.0")."""
    if value is None or pd.isna(value) or not abs(float(value)) < float("inf"):
        return None
    v = float(value) * (100.0 if is_rate(measure) else 1.0)
    return 0.0 if is_rate(measure) and round(v, 1) == 0 else v


def _number_formats(w: SheetWriter, ref: Any, measures: list[str], pp: str) -> None:
    """Each row's cells in its figure's format: rates 0.0 %, changes in pp, counts whole,
    the median in months to one decimal."""
    for i, measure in enumerate(measures):
        r = ref.first_row + i
        kind = "pct" if is_rate(measure) else "dec1" if measure == "median" else "int"
        for col in ("current", "reference"):
            w.ws.cell(r, ref.col(col)).number_format = styles.FORMATS[kind]
        if is_rate(measure):
            change = f'+0.0"{pp}";-0.0"{pp}";0.0"{pp}"'
        else:
            fmt = styles.FORMATS[kind]
            change = f"+{fmt};-{fmt};{fmt}"
        w.ws.cell(r, ref.col("change")).number_format = change


__all__ = ["MEASURES", "comparison_of", "is_rate", "write_comparison"]
