"""Drivers of lapse: a Cox model on the chosen covariates — forest plot of hazard ratios,
coefficient table and the proportional-hazards check in plain words."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QSplitter, QVBoxLayout, QWidget

from memberdesk.ui.analysis_text import covariate_label, cox_note, ph_verdict
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.forest import ForestChart
from memberdesk.ui.i18n import column_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    checked_ids,
    fill_column_checklist,
    fill_table,
    make_table,
    tick_ids,
)

DEFAULT_COVARIATES = ("channel", "product_type", "age_band", "premium_band", "gender")
NUMERIC_CANDIDATES = ("annual_premium", "sum_assured", "age_at_issue")


def compute_drivers(ds: Any, covariates: list[str], progress: Any = None) -> Any:
    from memberdesk.analysis.cox import fit_cox

    return fit_cox(ds, covariates, progress=progress)


class DriversPage(AnalysisPage):
    page_id = "drivers"
    debounce_ms = 400

    def title(self) -> str:
        return self.tr("Drivers of lapse (Cox model)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Hazard ratio > 1: that level lapses faster than the reference level (the most frequent "
            "one); < 1: it stays longer. Whiskers are 95% confidence intervals."))
        self.covariates = QListWidget()
        self.covariates.setMaximumWidth(220)
        self.covariates.itemChanged.connect(lambda _i: self.request_refresh())
        self.persist("covariates", self.covariates)
        self.fit_label = QLabel("")
        self.fit_label.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel(self.tr("Covariates:")))
        ll.addWidget(self.covariates, 1)
        ll.addWidget(self.fit_label)
        self.forest = ForestChart()
        self.panel = self.register_panel(ChartPanel(self.forest, self.tr("Hazard ratios")))
        self.table, self.model = make_table()
        self.table.setWordWrap(False)  # a wrapped verdict was cut off at the row height
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.panel)
        right.addWidget(self.table)
        right.setSizes([520, 260])
        layout = QHBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(left)
        layout.addWidget(right, 1)

    def on_dataset(self, ds: Any) -> None:
        chosen = set(self.selected_covariates()) or set(DEFAULT_COVARIATES)
        cols = ds.segment_columns() if ds is not None and ds.has("policies") else []
        p = ds.policies if ds is not None and ds.has("policies") else None
        numeric = [c for c in NUMERIC_CANDIDATES if p is not None and c in p.columns]
        fill_column_checklist(self.covariates, [*cols, *numeric], chosen)

    def selected_covariates(self) -> list[str]:
        """Column ids of the ticked covariates."""
        return checked_ids(self.covariates)

    def set_covariates(self, names: list[str]) -> None:
        tick_ids(self.covariates, names)
        self.request_refresh()

    def task(self, ds: Any) -> Task | None:
        chosen = self.selected_covariates()
        if not chosen:
            self.show_message(self.tr("Tick at least one covariate to fit the model."))
            return None
        return compute_drivers, (ds, chosen), {}

    def show_result(self, res: Any) -> None:
        frame = res.to_frame()
        frame["ph_violation"] = frame["ph_p_value"] < 0.05 if "ph_p_value" in frame else False
        if "ph_p_value" in frame:  # the analysis' English verdict, rebuilt in the UI language
            frame["verdict"] = [ph_verdict(p) for p in frame["ph_p_value"]]
        columns = list(self.selected_covariates()) + list(res.reference_levels)
        label = lambda name: covariate_label(name, columns)  # noqa: E731
        self.forest.set_ratios(frame, violation="ph_violation", tick_text=label)
        stat, dof, p = res.likelihood_ratio_test
        refs = ", ".join(f"{column_label(k)} = {v}" for k, v in res.reference_levels.items())
        self.fit_label.setText(self.tr(
            "{n:,} policies, {e:,} lapses. Concordance {c:.3f}. Likelihood-ratio test p = {p:.3g}.\n"
            "Reference levels: {refs}").format(n=res.n, e=res.events, c=res.concordance, p=p,
                                               refs=refs or "–")
            + ("\n" + "\n".join(cox_note(n) for n in res.notes) if res.notes else ""))
        # the verdict before coef/se: sized to its text, the technical columns scroll instead
        cols = [c for c in ("covariate", "hazard_ratio", "ci_lower", "ci_upper", "p_value", "verdict",
                            "coef", "se") if c in frame.columns]
        # the covariate cell shows "<column label>: <level>"; Qt.UserRole keeps the id
        fill_table(self.table, self.model, frame[cols], formats={"covariate": label})
