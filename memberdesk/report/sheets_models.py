"""Drivers (Cox), Projection (parametric) and Decrements (competing risks) sheets.

Drivers presents :func:`memberdesk.analysis.cox.fit_cox`; Projection presents
:func:`memberdesk.analysis.parametric.fit_parametric`; Decrements presents
:func:`memberdesk.analysis.competing.cumulative_incidence`.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.core import labels as core_labels
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts, styles
from memberdesk.report.context import KEY_TIMES_MONTHS, ReportContext, frame_of
from memberdesk.report.layout import SheetWriter
from memberdesk.report.safety import is_personal

# Covariates the Drivers sheet tries, in order, when the policies carry them.
DRIVER_CANDIDATES: tuple[str, ...] = ("channel", "product", "age_band", "gender", "premium_band",
                                      "payment_frequency", "region", "tier")
MAX_DRIVERS = 3  # each covariate costs seconds on a million policies
PH_ALPHA = 0.05


# ---- Drivers --------------------------------------------------------------------------------

def driver_covariates(ctx: ReportContext) -> list[str]:
    """Categorical policy columns to model: the report segment first, then the usual ones."""
    usable = set(ctx.ds.segment_columns())
    ordered = dict.fromkeys([ctx.segment, *DRIVER_CANDIDATES])
    return [c for c in ordered if c in usable and not is_personal(c)][:MAX_DRIVERS]


# Drivers-sheet wording not (yet) in report_strings' catalogue.
_DRIVER_TEXT: dict[str, dict[str, str]] = {
    "se": {"en": "SE (naive)", "zh_CN": "标准误（普通）"},
    "robust_se": {"en": "Robust SE", "zh_CN": "稳健标准误"},
    "strata": {"en": "Strata (own baseline hazard)", "zh_CN": "分层（各自基线风险）"},
    "cluster": {"en": "Robust SE clustered by (CIs and p-values use it)",
                "zh_CN": "稳健标准误聚类变量（置信区间与p值据此计算）"},
    "ph_method": {"en": "Proportional-hazards test", "zh_CN": "比例风险检验"},
    "ph_method_value": {"en": "R cox.zph exact score test, {transform} time transform",
                        "zh_CN": "R cox.zph 精确得分检验，时间变换：{transform}"},
    "ph_global": {"en": "PH test, global p-value", "zh_CN": "比例风险检验总体p值"},
}


def _driver_text(ctx: ReportContext, key: str, **fields: object) -> str:
    entry = _DRIVER_TEXT[key]
    return entry.get(ctx.lang, entry["en"]).format(**fields)


def driver_options(ctx: ReportContext) -> dict[str, Any]:
    """Strata and cluster of the Drivers model: the report's own choices when it carries them
    (``ctx.strata``, ``ctx.cluster``), else none (R's plain ``coxph``)."""
    strata = [c for c in getattr(ctx, "strata", None) or () if c]
    return {"strata": strata or None, "cluster": getattr(ctx, "cluster", None),
            "ph_transform": ctx.options.ph_transform}


def build_drivers(ctx: ReportContext, w: SheetWriter) -> None:
    """Hazard ratios with their CIs (at the assumptions' level) and p-values (robust when clustered, with the naive SE
    beside), the proportional-hazards verdicts of R's cox.zph exact test and its transform."""
    from memberdesk.analysis.cox import fit_cox
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    options = driver_options(ctx)
    chosen = ctx.options.covariates  # the Drivers page's ticks (None: the report's default)
    candidates = list(chosen) if chosen is not None else driver_covariates(ctx)
    covariates = [c for c in candidates if c not in (options["strata"] or ())]
    from memberdesk.report.report_options import nested_covariates

    nested = nested_covariates(ctx.ds.policies, covariates)
    for inner, outer in nested.items():  # a singular design otherwise: say so and go on
        w.note(ctx.t("cox_nested", inner=ctx.label(inner), outer=ctx.label(outer)))
    covariates = [c for c in covariates if c not in nested]
    if not covariates:
        w.note(ctx.t("no_covariates"))
        return
    result = fit_cox(ctx.ds, covariates, **options)
    w.section(ctx.t("sec_hr"))
    _driver_table(ctx, w, result)
    refs = "; ".join(f"{ctx.label(col)} = {terms.word(level, ctx.lang)}"
                     for col, level in result.reference_levels.items())
    pairs: list[tuple[str, Any]] = [
        (ctx.t("cox_n"), result.n), (ctx.t("cox_events"), result.events),
        (ctx.t("cox_concordance"), result.concordance),
        (ctx.t("cox_reference"), refs or "—"),
        (_driver_text(ctx, "strata"), ", ".join(ctx.label(c) for c in result.strata) or "—"),
    ]
    formats = ["int", "int", "dec3", "text", "text"]
    if result.cluster is not None:
        pairs.append((_driver_text(ctx, "cluster"), ctx.label(result.cluster)))
        formats.append("text")
    pairs.append((_driver_text(ctx, "ph_method"),
                  _driver_text(ctx, "ph_method_value", transform=result.ph_transform)))
    formats.append("text")
    if result.ph_global is not None:
        pairs.append((_driver_text(ctx, "ph_global"), result.ph_global[2]))
        formats.append("p")
    w.pairs(pairs, formats=formats)
    for note in result.reasons:  # remarks as codes: in the report's language
        w.note(terms.note(note, ctx.lang))
    w.note(ctx.t("cox_reading"))


def _driver_table(ctx: ReportContext, w: SheetWriter, result: Any) -> None:
    table = result.to_frame()
    ph_p = table["ph_p_value"] if "ph_p_value" in table.columns else pd.Series(np.nan, index=table.index)
    frame = pd.DataFrame({
        "covariate": [covariate_label(str(c), ctx) for c in table["covariate"]],
        "hazard_ratio": table["hazard_ratio"],
        "ci_lower": table["ci_lower"], "ci_upper": table["ci_upper"],
        "p_value": table["p_value"], "se": table["se"],
    })
    labels = {"ci_lower": ctx.t("hr_ci_lower"), "ci_upper": ctx.t("hr_ci_upper"),
              "se": _driver_text(ctx, "se")}
    if result.cluster is not None:
        frame["robust_se"] = table["robust_se"]
        labels["robust_se"] = _driver_text(ctx, "robust_se")
    frame["ph_p_value"] = ph_p
    frame["ph_verdict"] = [None if pd.isna(p) else ctx.t("ph_ok" if p >= PH_ALPHA else "ph_violated")
                           for p in ph_p]
    ref = w.table(frame, main=True, labels=labels,
                  formats={"hazard_ratio": "dec3", "ci_lower": "dec3", "ci_upper": "dec3",
                           "p_value": "p", "se": "dec3", "robust_se": "dec3", "ph_p_value": "p",
                           "ph_verdict": "text"})
    for i, p in enumerate(ph_p):  # flag effects that change over time
        if pd.notna(p) and p < PH_ALPHA:
            w.ws.cell(ref.first_row + i, ref.col("ph_verdict")).fill = styles.WARN_FILL
    if ref.n_rows:  # the forest plot beside the numbers (issue 17 B.8)
        pick = 1 if ctx.lang == "zh_CN" else 0
        title = core_labels.with_ci_level(FOREST_TITLE[pick], w.ci_level)
        w.chart(charts.forest_chart(ref, "covariate", title=title,
                                    x_title=FOREST_X[pick], y_title=FOREST_Y[pick],
                                    reference_name=FOREST_REFERENCE[pick]))


FOREST_TITLE = ("Hazard ratios with 95% CI (log scale)", "风险比及95%置信区间（对数刻度）")
FOREST_X = ("Covariate level (against its reference)", "协变量水平（相对参照水平）")
FOREST_Y = ("Hazard ratio (log scale)", "风险比（对数刻度）")
FOREST_REFERENCE = ("1 = no effect", "1 = 无影响")


def covariate_label(covariate: str, ctx: ReportContext) -> str:
    """``"age_band=40-49"`` as ``"Age band = 40-49"`` (the column in the report language)."""
    column, sep, level = covariate.partition("=")
    return f"{ctx.label(column)} = {terms.word(level, ctx.lang)}" if sep else ctx.label(covariate)


# ---- Projection -----------------------------------------------------------------------------

PROJECTION_HORIZON_MONTHS = 120
PROJECTION_TIMES: tuple[float, ...] = (*KEY_TIMES_MONTHS, 120.0)
NOT_REACHED = {"en": "beyond reach", "zh_CN": "未达到"}


def build_projection(ctx: ReportContext, w: SheetWriter) -> None:
    """Parametric fits compared by AIC/BIC (best marked) and their projected retention."""
    from memberdesk.analysis.parametric import fit_parametric
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = fit_parametric(ctx.ds, horizon_months=PROJECTION_HORIZON_MONTHS)
    w.section(ctx.t("sec_fits"))
    fits = result.to_frame()
    best = fits["best"].to_numpy(dtype=bool)
    table = pd.DataFrame({
        "model": [terms.model_name(str(m), str(lab), ctx.lang) for m, lab in
                  zip(fits["model"], fits["label"] if "label" in fits.columns else fits["model"])],
        "parameters": [parameter_text(p) for p in fits["parameters"]],
        "log_likelihood": fits["log_likelihood"], "aic": fits["aic"], "bic": fits["bic"],
        "median": [NOT_REACHED[ctx.lang] if isinstance(m, float) and np.isinf(m) else m
                   for m in fits["median"]],
        "best": [ctx.t("best_model") if b else "" for b in best],
    })
    ref = w.table(table, main=True, formats={"aic": "num", "bic": "num", "log_likelihood": "num",
                                             "median": "dec1", "parameters": "text",
                                             "best": "text"})
    for i in np.flatnonzero(best):
        for j in range(len(ref.columns)):
            w.ws.cell(ref.first_row + int(i), ref.first_col + j).fill = styles.BEST_FILL
    for model, reason in result.failed.items():
        w.note(f"{model}: {reason}")
    labels = dict(zip(fits["model"], table["model"]))
    proj = result.projections
    wide = proj.pivot_table(index="time", columns="model", values="survival", aggfunc="first")
    wide = wide[[m for m in fits["model"] if m in wide.columns]]
    km_values = result.km.survival_at(wide.index.to_numpy(dtype=float)).astype(float)
    km_values[wide.index.to_numpy(dtype=float) > float(result.km.timeline[-1])] = np.nan
    wide.insert(0, "km", km_values)
    km_label = ctx.t("km_observed")
    wide.columns = [km_label if c == "km" else labels.get(c, c) for c in wide.columns]
    wide = wide.rename_axis("time_months").reset_index()
    series = [c for c in wide.columns if c != "time_months"]
    at = wide[wide["time_months"].isin(PROJECTION_TIMES)]
    w.section(ctx.t("sec_projected"))
    w.table(at, labels={c: c for c in series},
            formats={**{c: "pct" for c in series}, "time_months": "int"})
    observed = float(result.km.timeline[-1])
    pick = 1 if ctx.lang == "zh_CN" else 0

    def projection_chart(grid: Any) -> Any:
        chart = charts.curve_chart(grid, "time_months", series,
                                   title=PROJECTION_TITLE[pick].format(
                                       title=ctx.t("chart_projection"), m=observed),
                                   x_title=ctx.t("axis_months"),
                                   y_title=ctx.t("axis_survival"), y_max=1.0)
        charts.vertical_marker(chart, grid, observed, PROJECTION_MARK[pick].format(m=observed))
        return chart

    w.chart_over_table(  # the grid is chart data: not printed
        ctx.t("sec_projection_grid"), wide, projection_chart,
        labels={c: c for c in series}, formats={**{c: "pct" for c in series}, "time_months": "int"})


# the projection region marked (issue 17 B.8): observed up to the last follow-up, then projected
PROJECTION_TITLE = ("{title} — observed to month {m:.0f}, projected beyond",
                    "{title} — 观察至第{m:.0f}个月，其后为预测")
PROJECTION_MARK = ("End of observed data (month {m:.0f})", "观察截止（第{m:.0f}个月）")
# lifelines' parameter names as the symbols the Projection page shows (λ = 184.1, ρ = 0.807)
PARAMETER_SYMBOLS = {"lambda_": "λ", "rho_": "ρ", "mu_": "μ", "sigma_": "σ", "alpha_": "α",
                     "beta_": "β"}


def parameter_text(text: object) -> object:
    """``lambda_ = 184.1, rho_ = 0.807`` -> ``λ = 184.1, ρ = 0.807`` (other text unchanged)."""
    if not isinstance(text, str):
        return text
    return re.sub(r"\b(lambda_|rho_|mu_|sigma_|alpha_|beta_)",
                  lambda m: PARAMETER_SYMBOLS[m.group(1)], text)


def _first_frame(result: Any, names: tuple[str, ...]) -> pd.DataFrame | None:
    for name in names:
        frame = frame_of(result, name)
        if frame is not None:
            return frame
    return None


# ---- Decrements -----------------------------------------------------------------------------

CAUSE_LABELS: dict[str, dict[str, str]] = {
    "lapsed": {"en": "Lapse", "zh_CN": "失效"}, "surrendered": {"en": "Surrender", "zh_CN": "退保"},
    "death": {"en": "Death", "zh_CN": "身故"}, "matured": {"en": "Maturity", "zh_CN": "满期"},
    "other": {"en": "Other", "zh_CN": "其他"},
}
DECREMENT_GRID_MONTHS = 120


def cause_label(cause: str, lang: str) -> str:
    entry = CAUSE_LABELS.get(cause)
    return cause if entry is None else entry[lang if lang in entry else "en"]


GRAY_TITLE = {"en": "Gray's test: cumulative incidence equal across {segment}?",
              "zh_CN": "Gray 检验：各{segment}累积发生率是否相同"}
GRAY_NONE = {"en": "Gray's test needs a segment with two or more groups and no study start.",
             "zh_CN": "Gray 检验需要至少两组的分组且未设定研究起始日。"}


def _gray_section(ctx: ReportContext, w: SheetWriter, cumulative_incidence: Any) -> None:
    """Gray's test of each cause across the report's segment (issue 16.3)."""
    lang = ctx.lang if ctx.lang in ("en", "zh_CN") else "en"
    w.section(GRAY_TITLE[lang].format(segment=ctx.label(ctx.segment) if ctx.segment else ""))
    result = cumulative_incidence(ctx.ds, by=ctx.segment) if ctx.segment else None
    if result is None or not result.gray_test:
        w.note(GRAY_NONE[lang])
        return
    gray = result.gray_frame()
    gray["cause"] = [cause_label(c, ctx.lang) for c in gray["cause"]]
    # headed as the log-rank table's (its "df" has no label: it printed as the code)
    gray = gray.rename(columns={"df": "degrees_of_freedom"})
    w.table(gray, formats={"statistic": "num", "degrees_of_freedom": "int", "p_value": "p"})


def build_decrements(ctx: ReportContext, w: SheetWriter) -> None:
    """Cumulative incidence of each exit cause at 12/24/36/60 months, with a chart."""
    from memberdesk.analysis.competing import cumulative_incidence
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    result = cumulative_incidence(ctx.ds)
    if len(result.incidence) == 0:
        w.note(ctx.t("no_rows"))
        return
    at = result.at_times(KEY_TIMES_MONTHS).rename(columns={"time": "time_months"})
    at["cause"] = [cause_label(c, ctx.lang) for c in at["cause"]]
    if at["group"].nunique() == 1:
        at = at.drop(columns="group")
    # no exit of that cause yet: a 0.0–0.0 % interval reads as certainty; "—" (issue 17 B.7)
    none_yet = (at["cif"] == 0) & ~(at["ci_upper"] > 0)
    at[["ci_lower", "ci_upper"]] = at[["ci_lower", "ci_upper"]].astype(object)
    at.loc[none_yet, ["ci_lower", "ci_upper"]] = "—"
    w.section(ctx.t("sec_cif"))
    w.table(at, main=True, formats={"time_months": "int", "cif": "pct", "ci_lower": "pct",
                                    "ci_upper": "pct"})
    _gray_section(ctx, w, cumulative_incidence)
    longest = float(result.incidence["time"].max())
    grid = np.arange(0, int(min(np.floor(longest), DECREMENT_GRID_MONTHS)) + 1, dtype=float)
    if len(grid) < 2:
        return
    long = result.at_times(grid.tolist())
    long = long[long["group"] == result.groups[0]]
    wide = long.pivot_table(index="time", columns="cause", values="cif", aggfunc="first")
    wide = wide[[c for c in result.causes if c in wide.columns]]
    wide.columns = [cause_label(c, ctx.lang) for c in wide.columns]
    wide = wide.rename_axis("time_months").reset_index()
    series = [c for c in wide.columns if c != "time_months"]
    w.chart_over_table(  # the grid is chart data: not printed
        ctx.t("sec_cif_grid"), wide,
        lambda ref: charts.curve_chart(ref, "time_months", series, title=ctx.t("chart_cif"),
                                       x_title=ctx.t("axis_months"),
                                       y_title=ctx.t("axis_incidence")),
        labels={c: c for c in series}, formats={**{c: "pct" for c in series}, "time_months": "int"})
