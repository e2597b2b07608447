"""Projection: parametric survival models (exponential, Weibull, log-normal, …) fitted to the
retention data, compared by AIC/BIC, drawn against Kaplan-Meier and extended beyond the data.

The adapter below reads :class:`memberdesk.analysis.parametric.ProjectionResult` by field name
and tolerates the variants (table of models under ``models``/``table``/``aic_table``; curves as
a tidy frame or a mapping)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox, QSplitter, QVBoxLayout, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.projection import FittedCurve, ProjectionChart
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table


def compute_projection(ds: Any, horizon_months: int, progress: Any = None) -> Any:
    from memberdesk.analysis.parametric import fit_parametric

    return fit_parametric(ds, horizon_months=horizon_months, progress=progress)


def _first(obj: Any, *names: str) -> Any:
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return None


def model_table(res: Any) -> pd.DataFrame:
    table = _first(res, "models", "table", "aic_table", "comparison")
    if callable(table):
        table = table()
    return pd.DataFrame(table) if table is not None else pd.DataFrame()


def fitted_curves(res: Any) -> list[FittedCurve]:
    curves = _first(res, "curves", "projected", "projections")
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
            out.append(FittedCurve(str(name), t, np.asarray(c.survival, float),
                                   np.asarray(_first(c, "ci_lower") if _first(c, "ci_lower") is not None else [], float),
                                   np.asarray(_first(c, "ci_upper") if _first(c, "ci_upper") is not None else [], float)))
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
        self.chart = ProjectionChart()
        self.panel = self.register_panel(ChartPanel(self.chart, self.tr("Fitted models vs Kaplan-Meier")))
        self.table, self.model = make_table()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.panel)
        splitter.addWidget(self.table)
        splitter.setSizes([560, 220])
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def task(self, ds: Any) -> Task:
        return compute_projection, (ds, int(self.horizon.value())), {}

    def show_result(self, res: Any) -> None:
        table = model_table(res)
        best = _first(res, "best", "best_model")
        if best is None and "aic" in table.columns and not table.empty:
            best = str(table.loc[table["aic"].astype(float).idxmin(), table.columns[0]])
        if not table.empty:
            table = table.copy()
            table.insert(0, "best", ["★" if str(v) == str(best) else "" for v in table.iloc[:, 0]])
        fill_table(self.table, self.model, table)
        km = _first(res, "km", "kaplan_meier")
        km_t = np.asarray(_first(km, "timeline", "time"), float) if km is not None else np.zeros(0)
        km_s = np.asarray(km.survival, float) if km is not None else np.zeros(0)
        last = float(_first(res, "last_observed", "max_time") or (km_t.max() if km_t.size else 0.0))
        self.chart.set_projection(km_t, km_s, fitted_curves(res), last_observed=last,
                                  highlight=None if best is None else str(best))
