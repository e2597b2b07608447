"""Retention (Kaplan-Meier), Persistency and Cohorts sheets.

Retention presents :func:`memberdesk.analysis.survival.km_by_segment`; Persistency presents
:func:`memberdesk.analysis.persistency.persistency`; Cohorts presents
:func:`memberdesk.analysis.cohorts.cohort_retention`.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from memberdesk.core import labels
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts, styles
from memberdesk.report.compare_sections import write_comparison
from memberdesk.report.context import KEY_TIMES_MONTHS, ReportContext
from memberdesk.report.layout import SheetWriter

AT_RISK_TIMES: tuple[float, ...] = (0.0, 12.0, 24.0, 36.0, 48.0, 60.0)
GRID_MAX_MONTHS = 120
NOT_REACHED = {"en": "not reached", "zh_CN": "未达到"}
# the median table's footnote: a printout shows no cell comments, and a blank median read as
# missing data (survival never fell to one half: more than half the policies still in force).
# Under the table, not in a column of it: a column of these words widened the life table's
# column below it and pushed the Chinese sheet onto two pages across
MEDIAN_FOOTNOTE = {
    "median": {"en": "Blank median: not reached, more than half the policies are still in force "
                     "at every duration ({groups}).",
               "zh_CN": "中位数空白：未达到，各时长仍有过半保单有效（{groups}）。"},
    "limit": {"en": "Blank confidence limit: not reached ({groups}).",
              "zh_CN": "置信限空白：该置信限未达到（{groups}）。"},
}
NOTE_LABEL = {"en": "Note", "zh_CN": "说明"}
BEYOND = {"en": "beyond follow-up (last time observed: {t:.1f} months)",
          "zh_CN": "超出随访期（最后观察时间：第{t:.1f}个月）"}
LIFE_TABLE_MONTHS: tuple[float, ...] = (0.0, 12.0, 24.0, 36.0, 48.0, 60.0)
# strings of the life-table section (kept here beside their one use)
LIFE_TABLE_TEXT = {
    "title": {"en": "Life table (actuarial method, yearly intervals)",
              "zh_CN": "寿命表（精算法，按年分段）"},
    "entry": {"en": "The life-table method has no delayed entry: not shown with a study start.",
              "zh_CN": "寿命表法不支持延迟进入：设定了研究起始日时不显示。"},
}
LIFE_TABLE_LABELS = {
    "en": {"from_month": "From month", "to_month": "To month", "entering": "Entering",
           "effective": "Effective number at risk", "conditional_failure": "Conditional exit probability",
           "survival_se": "Survival std. error", "hazard": "Hazard (per month)",
           "density": "Density (per month)"},
    "zh_CN": {"from_month": "起始月", "to_month": "截止月", "entering": "期初保单数（件）",
              "effective": "有效风险保单数（件）", "conditional_failure": "条件退出概率",
              "survival_se": "留存率标准误", "hazard": "风险率（每月）", "density": "密度（每月）"},
}


# ---- Retention ------------------------------------------------------------------------------

def build_retention(ctx: ReportContext, w: SheetWriter) -> None:
    """Survival at 12/24/36/60 months with CIs, medians, log-rank, at-risk, curve chart."""
    from memberdesk.analysis.survival import km_by_segment
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = km_by_segment(ctx.ds, ctx.segment, unit="months", times=KEY_TIMES_MONTHS,
                           progress=None, test=ctx.options.retention_test)
    ctx.cache["km"] = result
    w.ci_level = ci_level(result.curves)  # headers and headings name the level used
    drawn = chart_curves(ctx, result)
    names = [str(c.name) for c in drawn]
    level = ci_level(drawn)
    grid = curve_grid(drawn, ci_names=band_names(names, ctx.lang, level))
    # the curves first, under the title; the life table (the one long table) prints last, its
    # header repeated on its pages; the chart's grid below the print area (issue 17 B.5)
    chart_at = w.reserve_chart() if len(names) and len(grid) > 1 else None
    w.section(ctx.t("sec_survival_at"))
    at = result.survival_at_times.rename(columns={"time": "time_months"})
    if "beyond_follow_up" in at.columns:  # blank, with the note in its own column (17 C.11)
        word = BEYOND[ctx.lang if ctx.lang in BEYOND else "en"]
        at["note"] = [word.format(t=last) if beyond else None
                      for beyond, last in zip(at["beyond_follow_up"], at["last_time"])]
        at = at.drop(columns=["beyond_follow_up", "last_time"])
        at = at.astype({c: object for c in ("survival", "ci_lower", "ci_upper")})
        at[at.isna()] = None
    w.table(at, labels={"note": NOTE_LABEL.get(ctx.lang, NOTE_LABEL["en"])},
            formats={"time_months": "int", "survival": "pct", "ci_lower": "pct",
                     "ci_upper": "pct", "at_risk": "int", "events": "int", "note": "text"})
    medians_at = w.row
    w.section(ctx.t("sec_medians"))
    summary = result.summary_frame()
    w.table(_median_frame(summary, ctx.lang),
            formats={"median": "dec1", "median_ci_lower": "dec1", "median_ci_upper": "dec1",
                     "n": "int", "events": "int"})
    notes = median_footnotes(summary, ctx.lang)
    for i, line in enumerate(notes):  # one block: no blank row between the two
        w.note(line, gap=1 if i == len(notes) - 1 else 0)
    if notes:  # printed with the table they explain (they went to the next page's top)
        w.keep_together(medians_at, w.row - 2)
    w.section(ctx.t("sec_logrank"))
    if result.logrank is None:
        w.note(ctx.t("logrank_na"))
    else:
        lr = result.logrank.to_json()  # the test by its name, not its code ("logrank")
        lr["test"] = labels.value_text(lr["test"], ctx.lang)
        w.table(pd.DataFrame([lr]), formats={"test_statistic": "num", "p_value": "p"})
    write_comparison(ctx, w, ctx.options.sheet_compare("retention"), "retention",  # C.18
                     by=ctx.segment)
    w.section(ctx.t("sec_at_risk"))
    at_risk = _at_risk_frame(result.curves, ctx.lang)
    w.table(at_risk, formats={c: "int" for c in at_risk.columns if c != "group"})
    _life_table(ctx, w)
    if chart_at is None:
        return
    bands = band_names(names, ctx.lang, level)
    title = ctx.t("chart_km", segment=ctx.label(ctx.segment))
    title += BAND_NOTE[ctx.lang if ctx.lang in BAND_NOTE else "en"].format(
        level=labels.ci_level_text(level))
    w.end_print_area()  # the grid is chart data: not printed
    w.section(ctx.t("sec_curve_grid"))
    ref = w.table(grid, labels={c: c for c in grid.columns if c != "time_months"},
                  formats={**{c: "pct" for c in grid.columns}, "time_months": "int"})
    w.chart(charts.curve_chart(ref, "time_months", names, title=title,
                               x_title=ctx.t("axis_months"), y_title=ctx.t("axis_survival"),
                               y_min=None, y_max=1.0, bands=bands), at=chart_at)


BAND_NOTE = {"en": " (dashed: {level} CI)", "zh_CN": "（虚线：{level}置信区间）"}


def ci_level(curves: Any) -> float:
    """The two-sided confidence level the curves' intervals were computed at (1 − alpha)."""
    alphas = {float(c.alpha) for c in curves}
    return 1.0 - (alphas.pop() if len(alphas) == 1 else 0.05)


def band_names(names: list[str], lang: str, level: float) -> dict[str, tuple[str, str]]:
    """Headers of each curve's lower and upper bound columns in the chart grid, naming the
    level actually used ("agency 90% CI lower"), the group named in the report's language as the
    curve's own header is (个险代理人 95%置信下限, not "agency 95%置信下限")."""
    low, high = (labels.with_ci_level(labels.column_label(c, lang), level)
                 for c in ("ci_lower", "ci_upper"))
    return {n: (f"{terms.word(n, lang)} {low}", f"{terms.word(n, lang)} {high}") for n in names}


MAX_CHART_CURVES = 6  # the chart shows the largest groups and one pooled "Other" curve
OTHER = {"en": "Other", "zh_CN": "其他"}


def chart_curves(ctx: ReportContext, result: Any) -> list[Any]:
    """The curves the chart draws (issue 17 B.8): all when there are at most six; else the six
    largest groups and the Kaplan-Meier curve of the others pooled (fitted on their records,
    not averaged) — :func:`memberdesk.analysis.segment_pooling.pool_top_segments`, the same
    pooling as the Retention page's. The tables above keep every group."""
    from memberdesk.analysis.segment_pooling import pool_top_segments

    if ctx.segment is None:
        return list(result.curves)
    pooled = pool_top_segments(result, ctx.ds, top=MAX_CHART_CURVES,
                               other_name=OTHER.get(ctx.lang, OTHER["en"]))
    return list(pooled.curves)


def _life_table(ctx: ReportContext, w: SheetWriter) -> None:
    """SAS METHOD=LT life table on yearly intervals, per segment (issue 16.3)."""
    from memberdesk.analysis.lifetable import life_table_by_segment

    lang = ctx.lang if ctx.lang in ("en", "zh_CN") else "en"
    w.section(LIFE_TABLE_TEXT["title"][lang])
    if ctx.ds.window_start is not None:
        w.note(LIFE_TABLE_TEXT["entry"][lang])
        return
    table = life_table_by_segment(ctx.ds, ctx.segment, breaks=LIFE_TABLE_MONTHS, unit="months").table
    table = table.rename(columns={"from": "from_month", "to": "to_month"}).astype(
        {"to_month": object})
    table["to_month"] = [None if not np.isfinite(v) else v for v in table["to_month"]]
    table = table.astype(object)
    table[table.isna()] = None  # blank cells for undefined values (e.g. the open interval's hazard)
    w.table(table, main=True, labels=LIFE_TABLE_LABELS[lang],
            formats={"from_month": "int", "to_month": "int", "entering": "int",
                     "events": "int", "censored": "int", "effective": "dec1",
                     "conditional_failure": "pct", "survival": "pct", "survival_se": "pct",
                     "hazard": "dec4", "density": "dec4"})  # ~0.002 a month: 4 decimals


def _median_frame(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Medians as months, ``inf`` (not reached) spelled out."""
    out = summary.copy().astype({c: object for c in MEDIAN_COLUMNS if c in summary.columns})
    for col in MEDIAN_COLUMNS:
        if col in out.columns:
            out[col] = [NOT_REACHED[lang] if _unreached(v) else v for v in out[col]]
    return out


MEDIAN_COLUMNS = ("median", "median_ci_lower", "median_ci_upper")


def _unreached(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) and bool(np.isinf(v))


def median_footnotes(summary: pd.DataFrame, lang: str) -> list[str]:
    """What the median table's blank cells mean, with the groups they are in: a median not
    reached, then a confidence limit not reached where the median is."""
    words = {k: v.get(lang, v["en"]) for k, v in MEDIAN_FOOTNOTE.items()}
    sep = "、" if lang == "zh_CN" else ", "
    medians, limits = [], []
    for _, row in summary.iterrows():
        name = str(labels.value_label(row["group"], lang))
        if _unreached(row.get("median")):
            medians.append(name)
        elif any(_unreached(row.get(c)) for c in MEDIAN_COLUMNS[1:]):
            limits.append(name)
    return [words[key].format(groups=sep.join(names))
            for key, names in (("median", medians), ("limit", limits)) if names]


def _at_risk_frame(curves: Any, lang: str) -> pd.DataFrame:
    """Number at risk at 0, 12, ... 60 months: one row per group (from each curve)."""
    # "第12个月" (the 12th month), not "12月" (which reads as December)
    header = "第{t:g}个月" if lang == "zh_CN" else "{t:g} m"
    rows = []
    for c in curves:
        counts = c.at_risk_at(np.asarray(AT_RISK_TIMES))
        row: dict[str, Any] = {"group": c.name}
        row.update({header.format(t=t): float(n) for t, n in zip(AT_RISK_TIMES, counts)})
        rows.append(row)
    return pd.DataFrame(rows)


def curve_grid(curves: Any, max_months: float = GRID_MAX_MONTHS,
               ci_names: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Each curve's S(t) on whole months 0..min(longest follow-up, ``max_months``) — a
    downsampled copy of the step curve (value of the last event time <= t) to chart from.
    With ``ci_names`` (curve name -> lower, upper column names) the curve's confidence bounds
    follow the curves, by the same step rule (blank where undefined: S = 0 or beyond the
    curve's follow-up)."""
    longest = max((float(c.timeline[-1]) for c in curves if len(c.timeline)), default=0.0)
    top = int(min(np.floor(longest), max_months))
    grid = np.arange(0, top + 1, dtype=float)
    data: dict[str, Any] = {"time_months": grid}
    bounds: dict[str, Any] = {}
    for c in curves:
        values = c.survival_at(grid).astype(float)
        lower, upper = (np.asarray(v, dtype=float).copy() for v in c.ci_at(grid))
        # beyond a curve's own follow-up the estimate is undefined: leave it blank
        if len(c.timeline):
            for arr in (values, lower, upper):
                arr[grid > float(c.timeline[-1])] = np.nan
        data[str(c.name)] = values
        if ci_names and str(c.name) in ci_names:
            low, high = ci_names[str(c.name)]
            bounds[low], bounds[high] = lower, upper
    data.update(bounds)
    return pd.DataFrame(data)


# ---- Persistency ----------------------------------------------------------------------------

PERSISTENCY_MONTHS: tuple[int, ...] = (13, 25)
PERSISTENCY_COLUMNS: tuple[str, ...] = (
    "period", "segment", "cohort_count", "ratio_count", "cohort_premium", "ratio_premium",
    "excluded_single_premium", "excluded_free_look",
    "excluded_death", "excluded_claim", "excluded_waived", "excluded_no_first_instalment")
PERSISTENCY_FORMATS: dict[str, str] = {
    "cohort_count": "int", "persisting_count": "int", "ratio_count": "pct",
    "cohort_premium": "money", "persisting_premium": "money", "ratio_premium": "pct",
    "excluded_single_premium": "int", "excluded_free_look": "int", "excluded_death": "int",
    "excluded_claim": "int", "excluded_waived": "int", "excluded_no_first_instalment": "int",
    "period": "text", "value": "pct", "policies": "int", "premium": "money"}


# Continued sheets of the Persistency sheet (issue 17 B.5): each long table on a sheet of its
# own, so its header prints on every page (print titles are one per sheet): sheet name, subject
CONTINUED_SHEETS = {
    "en": {"status": ("Persistency {nth} month", "Persistency ratios: {nth} month"),
           "collected": ("Collected {nth} month",
                         "Collected-premium persistency: {nth} month, reconciled")},
    "zh_CN": {"status": ("第{month}个月继续率", "继续率：第{month}个月"),
              "collected": ("实收继续率（第{month}个月）", "实收保费继续率：第{month}个月（含核对）")},
}


def ordinal(n: int) -> str:
    """13 -> "13th", 21 -> "21st", 22 -> "22nd" (English month names of the sheets)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def continued_sheet(ctx: ReportContext, w: SheetWriter, kind: str, month: int) -> SheetWriter:
    name, subject = CONTINUED_SHEETS.get(ctx.lang, CONTINUED_SHEETS["en"])[kind]
    words = {"nth": ordinal(month), "month": month}
    return w.continued_sheet(name.format(**words), subject.format(**words))


def build_persistency(ctx: ReportContext, w: SheetWriter) -> None:
    """13th/25th-month persistency per calendar year by segment, and the rolling trend chart.

    The trend chart prints first, above the first month's table; every further month's table
    and each month's collected-premium section go on sheets of their own (continued sheets),
    so every long table prints its header on each of its pages."""
    from memberdesk.analysis.persistency import persistency_for_periods as for_periods
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    opts = ctx.options  # the Persistency page's month, period, segment and measure
    by = opts.persistency_segment if opts.persistency_segment in ctx.ds.policies.columns else None
    months = opts.persistency_months
    periods = tuple(dict.fromkeys((opts.persistency_period, "rolling12")))
    # one pass per month: the table by segment for the chosen period and the rolling trend
    results = {month: for_periods(ctx.ds, month=month, periods=periods, by=by)
               for month in months}
    trend = {}
    for month in months:
        rolling = results[month]["rolling12"].segment(None)
        if len(rolling):
            trend[month] = rolling.set_index("period")[f"ratio_{opts.persistency_measure}"]
    # the chart under the title; its grid below the print area
    chart_at = w.reserve_chart() if trend else None
    w.note(ctx.t("persistency_basis_status"))
    sheets = {month: w if i == 0 else continued_sheet(ctx, w, "status", month)
              for i, month in enumerate(months)}
    for month in months:
        sheet = sheets[month]
        # the Persistency page's "Compare with…" (issue 17 C.18), above the month's table
        write_comparison(ctx, sheet, opts.sheet_compare("persistency"), "persistency",
                         month=month, by=by, period=opts.persistency_period,
                         basis=opts.persistency_basis)
        result = results[month][opts.persistency_period]
        frame = result.to_frame()
        sheet.section(ctx.t("sec_persistency_month", month=month))
        if frame.empty:
            sheet.note(ctx.t("no_rows"))
            continue
        frame = frame[[c for c in PERSISTENCY_COLUMNS if c in frame.columns]]
        if "segment" in frame.columns:  # the whole-book row ("All")
            frame = frame.assign(segment=[terms.word(v, ctx.lang) for v in frame["segment"]])
        sheet.table(frame, main=True, formats=PERSISTENCY_FORMATS)
    if ctx.ds.has("premium_payments"):
        for month in months:
            _collected_persistency(ctx, continued_sheet(ctx, w, "collected", month), by, month)
    if chart_at is None:
        return
    wide = pd.DataFrame({ctx.t("persistency_series", month=m): v for m, v in trend.items()})
    wide = wide.sort_index().rename_axis("period").reset_index()
    series = [c for c in wide.columns if c != "period"]
    w.end_print_area()  # the grid is chart data: not printed
    w.section(ctx.t("sec_persistency_trend"))
    grid = w.table(wide, labels={c: c for c in series},
                   formats={**{c: "pct" for c in series}, "period": "text"})
    w.chart(charts.category_line_chart(grid, "period", series, title=ctx.t("chart_persistency"),
                                       x_title=ctx.t("axis_period"),
                                       y_title=ctx.t("axis_ratio")), at=chart_at)


def _collected_persistency(ctx: ReportContext, w: SheetWriter, by: str | None,
                           month: int) -> None:
    """Collected-premium persistency (实收保费) per calendar year, the reconciliation of its
    latest year with the status basis, KM and the experience study, and that year's exclusion
    waterfall (:mod:`memberdesk.analysis.collected_persistency`): the two short blocks first,
    the long table by year last (its header repeated on its pages)."""
    from memberdesk.analysis.collected_persistency import reconcile
    from memberdesk.analysis.persistency import persistency
    result = persistency(ctx.ds, month=month, period="year", by=by, basis="collected")
    frame = result.to_frame()
    if frame.empty:
        w.section(ctx.t("sec_persistency_collected", month=month, grace=result.grace_days))
        w.note(ctx.t("no_rows"))
        return
    rec = reconcile(ctx.ds, month=month, period="year")
    start = w.row
    w.section(ctx.t("sec_persistency_reconciliation", month=month, period=rec.period))
    # the policies behind the difference of the two bases, under a heading of their own (a
    # second table under the first read as more measures of it), in the row that separated
    # them: the section keeps its length, so its pages break as before
    w.table(_named_measures(rec.table, ctx.lang), formats=PERSISTENCY_FORMATS, gap=0)
    w.section(BASES_DIFFER.get(ctx.lang, BASES_DIFFER["en"]).format(period=rec.period))
    w.table(_named_measures(rec.explanations.rename(columns={"reason": "measure"}),
                            ctx.lang), formats=PERSISTENCY_FORMATS)
    w.keep_together(start, w.row - 2)  # the reconciliation and its explanation: one page
    ex = result.exclusions()
    w.section(ctx.t("sec_persistency_exclusions", month=month, period=rec.period))
    w.table(pd.DataFrame({"measure": [str(measure_name(k, ctx.lang)) for k in ex],
                          "policies": [v["policies"] for v in ex.values()],
                          "premium": [v["premium"] for v in ex.values()]}),
            formats=PERSISTENCY_FORMATS)
    w.section(ctx.t("sec_persistency_collected", month=month, grace=result.grace_days))
    frame = frame[[c for c in PERSISTENCY_COLUMNS if c in frame.columns]]
    frame = frame.assign(segment=[terms.word(v, ctx.lang) for v in frame["segment"]])
    w.table(frame, main=True, formats=PERSISTENCY_FORMATS)


# heading of the reconciliation's explanations (kept here beside its one use)
BASES_DIFFER = {"en": "Where the collected and status bases differ: policies of the {period} cohort",
                "zh_CN": "实收口径与状态口径的差异：{period}队列的保单"}


def measure_name(code: object, lang: str) -> object:
    """A reconciliation measure or exclusion code in words (the value catalogue's, as on the
    Persistency page): ``experience_persistency`` -> "Experience-study persistency"."""
    from memberdesk.core import labels

    entry = labels.VALUES.get(code) if isinstance(code, str) else None
    if entry is None:
        return code
    text = entry.get(lang, entry["en"])
    return text[:1].upper() + text[1:] if lang == "en" else text


def _named_measures(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    if "measure" not in frame.columns:
        return frame
    return frame.assign(measure=[str(measure_name(v, lang)) for v in frame["measure"]])


# ---- Cohorts --------------------------------------------------------------------------------

COHORT_CELL_WIDTH = 5.7  # "100%" in a 10 pt font, with room
COHORT_MIN_WIDTH = 4.6  # "100%" in a 10 pt font, just (7 px a unit: 37 px for a 28 px text)
COHORT_LABEL_CM = 5.0  # the issue-month and cohort-size columns


def cohort_cell_width(n_columns: int, lang: str = "en") -> float:
    """Width of the matrix's month columns: :data:`COHORT_CELL_WIDTH`, narrowed (not below
    :data:`COHORT_MIN_WIDTH`) so the matrix prints one page wide at 85 % — at 5.7 the sample's
    26 month columns ran two columns over and printed three extra pages of blank cells. The
    The Chinese edition's digits are wider ("100%" became "###" at 10 pt): its cells take a
    smaller font instead (:func:`cohort_font_size`), so both editions print one page wide."""
    from memberdesk.report.layout import (
        CM_PER_CHAR,
        COLUMN_PAD_CM,
        MIN_PRINT_SCALE,
        PRINTABLE_CM,
    )

    room = PRINTABLE_CM / (MIN_PRINT_SCALE / 100) * 0.98 - COHORT_LABEL_CM
    fit = (room / max(n_columns, 1) - COLUMN_PAD_CM) / CM_PER_CHAR
    return round(min(COHORT_CELL_WIDTH, max(COHORT_MIN_WIDTH, fit)), 2)


COHORT_FONT_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0)


def cohort_font_size(width: float, lang: str = "en") -> float:
    """The month cells' font size: the largest at which "100%" fits a column ``width`` units
    wide in LibreOffice and in Excel, in the edition's fonts (the Chinese edition's Latin
    digits are DejaVu Sans in LibreOffice, a third wider than Calibri's; at 5.7 units and
    10 pt the Chinese matrix ran two month columns onto a page of their own)."""
    rooms = styles.printed_rooms(width)
    for size in COHORT_FONT_SIZES:
        if all(styles.text_fits("100%", room, size, lang=lang, program=program)
               for program, widths in rooms.items() for room in widths):
            return size
    return COHORT_FONT_SIZES[-1]


def cohort_columns(n_months: int) -> list[int]:
    """Months since issue shown in the matrix: every month of the first year, then every
    6th month (a full 0..N grid of a long book would not fit a page)."""
    months = list(range(0, min(n_months, 13)))
    months += list(range(18, n_months, 6))
    return months


def build_cohorts(ctx: ReportContext, w: SheetWriter) -> None:
    """Issue-month cohorts × months since issue; unobserved cells blank; colour scale."""
    from memberdesk.analysis.cohorts import cohort_retention
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = cohort_retention(ctx.ds)
    shares = result.shares
    if shares.empty:
        w.note(ctx.t("no_rows"))
        return
    months = cohort_columns(shares.shape[1])
    frame = shares[months].copy()
    frame.columns = [f"m{k}" for k in months]
    frame.insert(0, "size", result.sizes)
    frame = frame.rename_axis("cohort").reset_index()
    month_cols = [f"m{k}" for k in months]
    w.note(ctx.t("cohort_note"))
    ref = w.table(frame, main=True, labels={f"m{k}": str(k) for k in months},
                  formats={**{c: "pct0" for c in month_cols}, "size": "int", "cohort": "text"})
    if ref.n_rows:
        first = get_column_letter(ref.col(month_cols[0]))
        last = get_column_letter(ref.col(month_cols[-1]))
        w.ws.conditional_formatting.add(
            f"{first}{ref.first_row}:{last}{ref.last_row}",
            ColorScaleRule(start_type="min", start_color="F8696B", mid_type="percentile",
                           mid_value=50, mid_color="FFEB84", end_type="max", end_color="63BE7B"))
        width = cohort_cell_width(len(month_cols), ctx.lang)
        for c in month_cols:  # narrow month columns (whole percent): a heat map that prints
            w.fixed_widths[ref.col(c)] = width  # legibly one page wide
        size = cohort_font_size(width, ctx.lang)
        if size != styles.BODY_FONT.sz:  # the whole row, so its height follows the font
            for r in range(ref.first_row, ref.last_row + 1):
                for col in range(ref.col("cohort"), ref.col(month_cols[-1]) + 1):
                    cell = w.ws.cell(r, col)
                    font = copy.copy(cell.font)
                    font.sz = size
                    cell.font = font
