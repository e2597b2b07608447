"""Benefits (权益), Service and Claims (理赔) sheets.

Present :func:`memberdesk.analysis.benefits.benefit_usage` and ``benefit_retention``,
:func:`memberdesk.analysis.service.service_summary` and
:func:`memberdesk.analysis.claims.claim_settlement`. Reshaping (pivoting a tidy monthly table
so a chart can draw one line per item) is the only transformation done here.
"""
from __future__ import annotations

import pandas as pd

from memberdesk.core import labels as core_labels
from memberdesk.core import schema
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts, sheets_service, styles
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter

MAX_CHART_LINES = 8


# ---- Benefits -------------------------------------------------------------------------------

def build_benefits(ctx: ReportContext, w: SheetWriter) -> None:
    from memberdesk.analysis.benefits import benefit_usage
    if not ctx.ds.has(schema.BENEFIT_USAGE):
        w.note(ctx.t("no_table", table=ctx.table_label("benefit_usage")))
        return
    usage = benefit_usage(ctx.ds)
    if usage.reason:
        w.note(terms.reason(usage.reason, ctx.lang))
    w.section(ctx.t("sec_benefit_segments"))
    segments = usage.segments.assign(  # the whole book as "All" (全部), as on Claims
        segment=[terms.word("All" if v == "all" else v, ctx.lang) for v in usage.segments["segment"]])
    w.table(segments, main=True, formats={"in_force_members": "int", "users": "int",
                                                "uses": "int", "usage_rate": "pct",
                                                "uses_per_100_members": "dec1",
                                                "cost": "money", "cost_per_member": "num"})
    w.section(ctx.t("sec_by_item"))
    w.table(usage.by_benefit, formats={"cost_per_use": "num"})
    _benefit_retention(ctx, w)
    monthly = usage.monthly
    if len(monthly):
        wide = monthly.pivot_table(index="month", columns="benefit", values="uses",
                                   aggfunc="first").sort_index()
        items = [str(c) for c in wide.columns][:MAX_CHART_LINES]
        wide.columns = [str(c) for c in wide.columns]
        wide = wide.reset_index()
        w.chart_over_table(  # the monthly grid is chart data: kept, not printed
            ctx.t("sec_trend") + " — " + ctx.label("uses") + ctx.t("chart_data_suffix"), wide,
            lambda ref: charts.category_line_chart(
                ref, "month", items, title=ctx.t("chart_benefits"), x_title=ctx.t("axis_month"),
                y_title=ctx.t("axis_count"), y_format="#,##0"),
            formats={c: "int" for c in wide.columns if c != "month"},
            labels={c: c for c in wide.columns if c != "month"})


def _benefit_retention(ctx: ReportContext, w: SheetWriter) -> None:
    """Do benefit users stay longer? The naive and landmark comparisons side by side."""
    from memberdesk.analysis.benefits import benefit_retention as retention
    try:
        comparison = retention(ctx.ds).comparison
    except Exception as exc:  # noqa: BLE001 - an optional panel: say why it is missing
        from memberdesk.core.errors import MemberDeskError
        if not isinstance(exc, MemberDeskError):
            raise
        w.note(ctx.t("not_computed", what=ctx.t("sec_benefit_retention"), reason=ctx.error(exc)))
        return
    w.section(ctx.t("sec_benefit_retention"))
    # the hazard ratio's interval is at the assumptions' level: its rows say so ("HR 90% CI lower")
    _write_transposed(ctx, w, comparison, RETENTION_FORMATS, ci_level=ctx.ds.assumptions.ci_level)


RETENTION_FORMATS: dict[str, str] = {
    "users": "int", "non_users": "int", "events_users": "int", "events_non_users": "int",
    "survival_users": "pct", "survival_non_users": "pct", "survival_difference": "pct",
    "hazard_ratio": "dec3", "hr_ci_lower": "dec3", "hr_ci_upper": "dec3", "p_value": "p",
}


def _write_transposed(ctx: ReportContext, w: SheetWriter, frame: pd.DataFrame,
                      formats: dict[str, str], ci_level: float | None = None) -> None:
    """A wide few-row table written as measure rows × one column per original row (so it
    fits the page), each row keeping its own number format; measure labels naming the default
    95% level name ``ci_level`` (None: as they are)."""
    key = str(frame.columns[0])
    body = frame.set_index(key).T.map(lambda v: terms.word(v, ctx.lang))  # "issue"...
    labels = {str(c): ctx.label(str(c)) for c in body.columns}
    measures = [str(m) for m in body.index]
    body.insert(0, "measure", [core_labels.with_ci_level(
        ctx.label("users_") if m == "users" else ctx.label(m), ci_level) for m in measures])
    body = body.reset_index(drop=True)
    body.columns = [str(c) for c in body.columns]
    ref = w.table(body, labels={"measure": "", **labels},
                  formats={c: "text" if c == "measure" else "num" for c in body.columns})
    for i, measure in enumerate(measures):
        kind = formats.get(measure, "text")
        for col in labels:
            w.ws.cell(ref.first_row + i, ref.col(col)).number_format = styles.FORMATS[kind]


# ---- Service: see sheets_service (vertical trailing-12-month list) ---------------------------

build_service = sheets_service.build_service


# ---- Claims ---------------------------------------------------------------------------------

def build_claims(ctx: ReportContext, w: SheetWriter) -> None:
    from memberdesk.analysis.claims import claim_settlement
    if not ctx.ds.has(schema.CLAIMS):
        w.note(ctx.t("no_table", table=ctx.table_label("claims")))
        return
    result = claim_settlement(ctx.ds, by="product")
    if result.reason:
        w.note(terms.reason(result.reason, ctx.lang))
    w.section(ctx.t("sec_settlement"))
    within = [f"within_{d}_days" for d in result.thresholds]
    formats = {"claims": "int", "settled": "int", "open": "int", "median_days": "dec1",
               "paid_ratio_amount": "pct", "paid_ratio_count": "pct", **{c: "pct" for c in within}}
    # the "all" row last, as "All": the layout keeps a total row outside the Excel Table, so
    # sorting the products never moves it into the middle (issue 17 B.9)
    summary = result.summary
    is_all = (summary["segment"] == "all").to_numpy()
    summary = pd.concat([summary[~is_all], summary[is_all].assign(segment="All")], ignore_index=True)
    summary = summary.assign(segment=[terms.word(v, ctx.lang) for v in summary["segment"]])
    ref = w.table(summary, main=True, formats=formats)
    # shares of fewer than 30 claims in grey with the note, as the other sheets' small
    # samples (issue 17 B.7: a product with 2 claims read "100 % paid" like any other)
    w._grey_small_samples(summary.rename(columns={"claims": "n"}), ref)
    if ref.n_rows:
        w.chart(charts.category_bar_chart(ref, "segment", within, title=ctx.t("chart_settlement"),
                                          x_title=ctx.t("axis_product"),
                                          y_title=ctx.t("axis_rate"), y_format="0%"))
