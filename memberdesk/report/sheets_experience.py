"""Experience sheet: exposure, actual, expected, A/E and credibility by policy year.

Presents :func:`memberdesk.analysis.experience.experience_study` (policy-year basis, the
default target statuses lapsed + surrendered), overall with a total row and by the report
segment, and charts A/E (or, without an expected table, the observed rate) by policy year;
with benefit uses loaded, the benefit utilisation study by policy year
(:func:`memberdesk.analysis.utilisation.benefit_utilisation`).
The rate and A/E 95% confidence intervals (``rate_lower``/``rate_upper``, ``ae_lower``/
``ae_upper``) are the analysis result's, as on the page and in ``experience --json``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from openpyxl.comments import Comment

from memberdesk.core.reasons import reason_text
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter, TableRef

EXACT_NOTE = {"en": "No events: exact (Clopper-Pearson) interval, from 0 to this upper bound.",
              "zh_CN": "无事件：精确（Clopper-Pearson）区间，从0到此上限。"}


AE_TITLE = ("A/E by {period} — expected: {table}; bars: {level} CI",
            "按{period}的实际/预期 — 预期表：{table}；误差线：{level}置信区间")
AE_REFERENCE = ("100 % = as expected", "100% = 符合预期")
RATE_TITLE = ("Termination rate by {period}", "按{period}的实际发生率")  # the registry's name


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh_CN" else pair[0]


def ae_title(ctx: ReportContext, period: str, level: float) -> str:
    """The A/E chart's title names its basis (issue 17 B.8): the period, the expected table
    and the interval's level."""
    from pathlib import Path

    table = Path(str(ctx.options.expected)).name if ctx.options.expected else "—"
    return _pick(AE_TITLE, ctx.lang).format(period=period, table=table, level=f"{level:.0%}")


def with_exact_bounds(result: Any, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """``frame`` with the exact interval of its zero-event rows (issue 17 B.7:
    :meth:`ExperienceResult.zero_event_bounds`), and those rows' positions."""
    bounds = result.zero_event_bounds(frame)
    if not len(bounds):
        return frame, []
    out = frame.copy()
    for col in bounds.columns:
        if col in out.columns:
            out[col] = out[col].astype(object)
            out.loc[bounds.index, col] = bounds[col].astype(object)
    return out, [int(i) for i in np.flatnonzero(out.index.isin(bounds.index))]


def note_exact(w: SheetWriter, ref: TableRef, rows: list[int]) -> None:
    """A comment on each exact upper bound saying what it is."""
    if "rate_upper" not in ref.columns:
        return
    for i in rows:
        cell = w.ws.cell(ref.first_row + i, ref.col("rate_upper"))
        if cell.comment is None:
            cell.comment = Comment(EXACT_NOTE.get(w.lang, EXACT_NOTE["en"]), "MemberDesk",
                                   width=220, height=50)

FORMATS: dict[str, str] = {
    "policy_year": "int", "calendar_year": "int", "exposure": "num", "actual": "int",
    "rate": "pct", "rate_lower": "pct", "rate_upper": "pct", "expected": "pct",
    "expected_claims": "num", "ae": "pct", "ae_lower": "pct", "ae_upper": "pct",
    "n_actual": "int", "credibility": "dec3",
    "uses": "int", "users": "int", "amount": "money", "avg_per_user": "money",
    "avg_per_exposure": "money", "uses_per_user": "dec3", "utilisation": "pct",
    "utilisation_lower": "pct", "utilisation_upper": "pct", "trx_type": "text",
}


AE_COLUMNS = ("expected_rate", "expected", "expected_claims", "ae", "ae_lower", "ae_upper")


def without_blank_ae(frame: pd.DataFrame, has_expected: bool) -> pd.DataFrame:
    """Without an expected-rate table the five expected/A-E columns are blank throughout (the
    sheet's note says so): left out, so the table prints one page wide at a readable size
    instead of at 85 % over two pages with half its columns empty."""
    if has_expected:
        return frame
    blank = [c for c in AE_COLUMNS if c in frame.columns and frame[c].isna().all()]
    return frame.drop(columns=blank)


def build_experience(ctx: ReportContext, w: SheetWriter) -> None:
    from memberdesk.analysis.experience import experience_study
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    opts = ctx.options  # the Experience page's basis, period, targets, weight and table
    study: dict[str, Any] = {"target": opts.experience_target,
                             "basis": opts.experience_full_basis, "weight": opts.experience_weight}
    result = experience_study(ctx.ds, expected=ctx.expected, **study)
    w.ci_level = result.conf_level  # headers name the level of the result's intervals
    labels = {"expected": ctx.label("expected_rate")}
    if not result.has_expected:
        w.note(ctx.t("no_expected"))
    for note in result.notes:  # an engine book's study that read rows says so (issue #13)
        w.note(reason_text(note, ctx.lang))
    table = result.to_frame(with_total=True)
    first = table.columns[0]
    table[first] = [terms.word(v, ctx.lang) for v in table[first]]  # "Total" row
    if not result.weight:  # unweighted, the count of exits is the actual: shown once
        table = table.drop(columns=["n_actual"], errors="ignore")
    table, exact_rows = with_exact_bounds(result, table)
    table = without_blank_ae(table, result.has_expected)
    # the chart first, under the title, its table below: chart and table after it did not
    # share a page, so the table's page was half empty and the chart stood alone
    chart_at = w.reserve_chart() if len(table) > 1 else None
    w.section(ctx.t("sec_ae_by_year"))
    ref = w.table(table, main=True, labels=labels, formats=FORMATS)
    note_exact(w, ref, exact_rows)
    if chart_at is not None and ref.n_rows > 1:
        by_year = ref.__class__(ref.ws, ref.header_row, ref.first_row, ref.last_row - 1,
                                ref.first_col, ref.columns)  # the chart leaves the total out
        period = ctx.label(result.period_column)
        if result.has_expected:
            chart = charts.ae_chart(by_year, result.period_column,
                                    title=ae_title(ctx, period, result.conf_level), x_title=period,
                                    y_title=ctx.t("axis_ae"),
                                    reference_name=_pick(AE_REFERENCE, ctx.lang))
        else:
            chart = charts.category_bar_chart(
                by_year, result.period_column, ["rate"],
                title=_pick(RATE_TITLE, ctx.lang).format(period=period), x_title=period,
                y_title=ctx.t("axis_rate"), y_format="0%")
        w.chart(chart, at=chart_at)
    # the split and the benefit utilisation each on a sheet of its own (issue 17 B.5): both
    # are long tables, and print titles repeat one header per sheet
    columns = ctx.ds.policy_columns()  # (an engine book answers without reading its rows)
    split = [c for c in opts.experience_columns if c in columns]
    utilisation = ctx.ds.has("benefit_usage") and "member_id" in columns
    if not split and not utilisation:
        return
    segment = " × ".join(ctx.label(c) for c in split)
    sheets = DETAIL_SHEETS.get(ctx.lang, DETAIL_SHEETS["en"])
    if split:
        detail = w.continued_sheet(*sheets["split"])
        by_segment = experience_study(ctx.ds, by=split, expected=ctx.expected, **study)
        detail.section(ctx.t("sec_by_segment", segment=segment))
        frame = by_segment.to_frame()
        if len(frame):
            if not by_segment.weight:
                frame = frame.drop(columns=["n_actual"], errors="ignore")
            frame, exact_rows = with_exact_bounds(by_segment, frame)
            frame = without_blank_ae(frame, by_segment.has_expected)
            note_exact(detail, detail.table(frame, main=True, labels=labels, formats=FORMATS),
                       exact_rows)
        else:
            detail.note(ctx.t("no_rows"))
    if utilisation:
        from memberdesk.analysis.utilisation import benefit_utilisation

        util = benefit_utilisation(ctx.ds)
        sheet = w.continued_sheet(*sheets["utilisation"])
        sheet.section(ctx.t("sec_utilisation"))
        frame = util.rows
        if len(frame):
            sheet.table(frame, main=True, formats=FORMATS)
        else:
            sheet.note(ctx.t("no_rows"))


# the continued sheets of the Experience sheet: name, subject
DETAIL_SHEETS = {
    "en": {"split": ("Experience by segment", "Experience study by segment: actual vs expected"),
           "utilisation": ("Benefit utilisation", "Benefit utilisation by policy year")},
    "zh_CN": {"split": ("经验分析（分群）", "经验分析：按分群的实际/预期"),
              "utilisation": ("权益使用经验", "按保单年度的权益使用")}}

