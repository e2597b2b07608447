"""Drivers (Cox), Projection (parametric) and Decrements (competing risks) sheets.

Drivers presents :func:`memberdesk.analysis.cox.fit_cox`; Projection presents
:func:`memberdesk.analysis.parametric.fit_parametric`; Decrements presents
:func:`memberdesk.analysis.competing.cumulative_incidence`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from memberdesk.report import charts, styles
from memberdesk.report.context import (KEY_TIMES_MONTHS, ReportContext, analysis_function,
                                       frame_of)
from memberdesk.report.layout import CHART_ROWS, SheetWriter
from memberdesk.report.safety import is_personal

# Covariates the Drivers sheet tries, in order, when the policies carry them.
DRIVER_CANDIDATES: tuple[str, ...] = ("channel", "product", "age_band", "gender", "premium_band",
                                      "payment_frequency", "region", "tier")
MAX_DRIVERS = 5
PH_ALPHA = 0.05


# ---- Drivers --------------------------------------------------------------------------------

def driver_covariates(ctx: ReportContext) -> list[str]:
    """Categorical policy columns to model: the report segment first, then the usual ones."""
    usable = set(ctx.ds.segment_columns())
    ordered = dict.fromkeys([ctx.segment, *DRIVER_CANDIDATES])
    return [c for c in ordered if c in usable and not is_personal(c)][:MAX_DRIVERS]


def build_drivers(ctx: ReportContext, w: SheetWriter) -> None:
    """Hazard ratios with 95% CIs and p-values, and the proportional-hazards verdicts."""
    fit_cox = analysis_function("cox", "fit_cox")
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    covariates = driver_covariates(ctx)
    if not covariates:
        w.note(ctx.t("no_covariates"))
        return
    result = fit_cox(ctx.ds, covariates)
    w.section(ctx.t("sec_hr"))
    table = result.to_frame()
    ph_p = table["ph_p_value"] if "ph_p_value" in table.columns else pd.Series(np.nan, index=table.index)
    frame = pd.DataFrame({
        "covariate": table["covariate"], "hazard_ratio": table["hazard_ratio"],
        "ci_lower": table["ci_lower"], "ci_upper": table["ci_upper"],
        "p_value": table["p_value"], "ph_p_value": ph_p,
        "ph_verdict": [None if pd.isna(p) else ctx.t("ph_ok" if p >= PH_ALPHA else "ph_violated")
                       for p in ph_p],
    })
    ref = w.table(frame, main=True, labels={"ci_lower": ctx.t("hr_ci_lower"),
                                            "ci_upper": ctx.t("hr_ci_upper")},
                  formats={"hazard_ratio": "dec3", "ci_lower": "dec3", "ci_upper": "dec3",
                           "p_value": "p", "ph_p_value": "p", "ph_verdict": "text"})
    for i, p in enumerate(ph_p):  # flag effects that change over time
        if pd.notna(p) and p < PH_ALPHA:
            w.ws.cell(ref.first_row + i, ref.col("ph_verdict")).fill = styles.WARN_FILL
    refs = "; ".join(f"{ctx.label(col)} = {level}" for col, level in result.reference_levels.items())
    w.pairs([
        (ctx.t("cox_n"), result.n), (ctx.t("cox_events"), result.events),
        (ctx.t("cox_concordance"), result.concordance),
        (ctx.t("cox_reference"), refs or "—"),
    ], formats=["int", "int", "dec3", "text"])
    for note in result.notes:
        w.note(note)
    w.note(ctx.t("cox_reading"))


# ---- Projection -----------------------------------------------------------------------------

PROJECTION_HORIZON_MONTHS = 120


def build_projection(ctx: ReportContext, w: SheetWriter) -> None:
    """Parametric fits compared by AIC/BIC (best marked) and their projected retention."""
    fit_parametric = analysis_function("parametric", "fit_parametric")
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = fit_parametric(ctx.ds, horizon_months=PROJECTION_HORIZON_MONTHS)
    comparison = _first_frame(result, ("comparison", "fits", "summary"))
    if comparison is None:
        w.note(ctx.t("no_rows"))
        return
    w.section(ctx.t("sec_fits"))
    ref = w.table(comparison, main=True, formats={"aic": "num", "bic": "num",
                                                  "log_likelihood": "num", "n_params": "int"})
    best = getattr(result, "best", None)
    if best is not None and "model" in comparison.columns:
        for i, model in enumerate(comparison["model"]):
            if str(model) == str(best):
                for j in range(len(ref.columns)):
                    w.ws.cell(ref.first_row + i, ref.first_col + j).fill = styles.BEST_FILL
    projected = _first_frame(result, ("projection", "projected", "curves"))
    if projected is not None and len(projected):
        _projection_chart(ctx, w, projected)


def _projection_chart(ctx: ReportContext, w: SheetWriter, projected: pd.DataFrame) -> None:
    x = next((c for c in ("time_months", "months", "time") if c in projected.columns), None)
    if x is None:
        w.section(ctx.t("sec_projected"))
        w.table(projected)
        return
    series = [c for c in projected.columns if c != x and pd.api.types.is_numeric_dtype(projected[c])]
    chart_at = w.row
    w.row += CHART_ROWS + 1
    w.section(ctx.t("sec_projected"))
    ref = w.table(projected, labels={c: str(c) for c in series},
                  formats={**{c: "pct" for c in series}, x: "int"})
    end = w.row
    w.row = chart_at
    w.chart(charts.curve_chart(ref, x, series, title=ctx.t("chart_projection"),
                               x_title=ctx.t("axis_months"), y_title=ctx.t("axis_survival"),
                               y_max=1.0))
    w.row = end


def _first_frame(result: Any, names: tuple[str, ...]) -> pd.DataFrame | None:
    for name in names:
        frame = frame_of(result, name)
        if frame is not None:
            return frame
    return None


# ---- Decrements -----------------------------------------------------------------------------

def build_decrements(ctx: ReportContext, w: SheetWriter) -> None:
    """Cumulative incidence of each exit cause at 12/24/36/60 months, with a chart."""
    cumulative_incidence = analysis_function("competing", "cumulative_incidence")
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = cumulative_incidence(ctx.ds, None)
    at = _first_frame(result, ("at_times", "incidence_at_times", "summary"))
    if at is not None:
        w.section(ctx.t("sec_cif"))
        w.table(at, main=True)
    curves = _first_frame(result, ("grid", "curves"))
    if curves is not None and len(curves):
        w.section(ctx.t("sec_cif_grid"))
        w.table(curves)
    _ = KEY_TIMES_MONTHS
