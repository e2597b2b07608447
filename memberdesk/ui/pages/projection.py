"""Projection: parametric survival models (exponential, Weibull, log-normal, …) fitted to the
retention data, compared by AIC/BIC, drawn against Kaplan-Meier and extended beyond the data.

Reads :class:`memberdesk.analysis.parametric.ProjectionResult`: ``fits`` (AIC/BIC table, best
model flagged), ``projections`` (tidy model/time/survival/CI frame) and ``km``."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.projection import FittedCurve, ProjectionChart
from memberdesk.ui.i18n import value_label
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, split_content


def compute_projection(ds: Any, horizon_months: int, progress: Any = None) -> Any:
    from memberdesk.analysis.parametric import fit_parametric

    return fit_parametric(ds, horizon_months=horizon_months, progress=progress)


def _first(obj: Any, *names: str) -> Any:
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return None


# lifelines' attribute names (lambda_, rho_, …) as the symbols of the textbooks
PARAMETER_SYMBOLS = {"lambda_": "λ", "rho_": "ρ", "mu_": "μ", "sigma_": "σ", "alpha_": "α",
                     "beta_": "β"}


def parameter_text(text: Any) -> str:
    """``"lambda_ = 184.1, rho_ = 0.807"`` → ``"λ = 184.1, ρ = 0.807"``: no library attribute
    names (trailing underscore) in front of the user; unknown names lose only the underscore."""
    parts = []
    for part in str(text).split(", "):
        name, sep, value = part.partition(" = ")
        name = name.strip()
        parts.append(PARAMETER_SYMBOLS.get(name, name.rstrip("_")) + sep + value if sep else part)
    return ", ".join(parts)


def fitted_curves(res: Any) -> list[FittedCurve]:
    curves = _first(res, "projections", "curves", "projected")
    out: list[FittedCurve] = []
    if isinstance(curves, pd.DataFrame):
        key = "model" if "model" in curves.columns else curves.columns[0]
        tcol = "time" if "time" in curves.columns else "timeline"
        for name, g in curves.groupby(key, sort=False):
            out.append(FittedCurve(str(name), g[tcol].to_numpy(float), g["survival"].to_numpy(float),
                                   g["ci_lower"].to_numpy(float) if "ci_lower" in g else np.zeros(0),
                                   g["ci_upper"].to_numpy(float) if "ci_upper" in g else np.zeros(0)))
    elif isinstance(curves, dict):
        for name, c in curves.items():
            t = np.asarray(_first(c, "time", "timeline"), float)
            lower, upper = _first(c, "ci_lower"), _first(c, "ci_upper")
            out.append(FittedCurve(str(name), t, np.asarray(c.survival, float),
                                   np.asarray(lower if lower is not None else [], float),
                                   np.asarray(upper if upper is not None else [], float)))
    return out


class ProjectionPage(AnalysisPage):
    page_id = "projection"
    debounce_ms = 300

    def title(self) -> str:
        return self.tr("Projection (parametric models)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Smooth models fitted to the observed retention; the lowest AIC fits best (★). Beyond "
            "the end of the data (dashed) the curves are extrapolations — read them as scenarios."))
        self.horizon = QSpinBox()
        self.horizon.setRange(12, 600)
        self.horizon.setSingleStep(12)
        self.horizon.setValue(120)
        self.horizon.setSuffix(self.tr(" months"))
        self.horizon.valueChanged.connect(lambda _v: self.request_refresh())
        self.add_control(self.tr("Project to:"), self.horizon)
        self.persist("horizon_months", self.horizon)
        self.chart = ProjectionChart()
        self.panel = self.register_panel(ChartPanel(self.chart, self.tr("Fitted models vs Kaplan-Meier")))
        self.table, self.model = make_table()
        split_content(content, Qt.Orientation.Vertical, self.panel, self.table, sizes=(560, 220))

    def task(self, ds: Any) -> Task:
        return compute_projection, (ds, int(self.horizon.value())), {}

    def show_result(self, res: Any) -> None:
        best = res.best_model
        table = res.to_frame()
        table["best"] = np.where(table["best"].astype(bool), "★", "")
        names: dict[str, str] = {}
        if "model" in table and "label" in table:  # one name column: the label repeats the model
            names = dict(zip(table["model"].astype(str), table["label"].astype(str)))
            table = table.drop(columns="label")

        def model_name(model: Any) -> str:  # translated name, else the analysis' English label
            shown = value_label(model)
            return shown if shown != str(model) else names.get(str(model), str(model))

        # the cell's data stays the model id (weibull …)
        fill_table(self.table, self.model, table,
                   formats={"model": model_name, "parameters": parameter_text})
        km = res.km
        km_t = np.asarray(km.timeline, float)
        last = float(km_t.max()) if km_t.size else 0.0
        self.chart.set_projection(km_t, np.asarray(km.survival, float), fitted_curves(res),
                                  last_observed=last, highlight=best, label=model_name)
        failed = "; ".join(f"{model_name(m)}: {why}" for m, why in res.failed.items())
        title = self.tr("Fitted models vs Kaplan-Meier — best by AIC: {m}").format(m=model_name(best))
        self.panel.set_title(title + (self.tr(" (not fitted: {f})").format(f=failed) if failed else ""))
