"""Drivers of lapse: a Cox model on the chosen covariates (optionally stratified, with robust
SE clustered by member) — forest plot of hazard ratios, coefficient table and the
proportional-hazards check (R's cox.zph exact test, its time transform named) in plain words."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from memberdesk.ui.analysis_text import covariate_label, cox_note, ph_verdict
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.forest import ForestChart
from memberdesk.ui.i18n import ci_headers, ci_text, column_label, dataset_ci_level, value_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    checked_ids,
    fill_column_checklist,
    fill_table,
    make_table,
    reset_combo,
    segment_items,
    tick_ids,
)

DEFAULT_COVARIATES = ("channel", "product_type", "age_band", "premium_band", "gender")
NUMERIC_CANDIDATES = ("annual_premium", "sum_assured", "age_at_issue")


CLUSTER_CANDIDATES = ("member_id",)


def compute_drivers(ds: Any, covariates: list[str], progress: Any = None, *,
                    strata: str | None = None, cluster: str | None = None,
                    ph_transform: str = "km") -> Any:
    from memberdesk.analysis.cox import fit_cox

    return fit_cox(ds, covariates, strata=strata, cluster=cluster, ph_transform=ph_transform,
                   progress=progress)



def level_label(name: Any, columns: Any) -> str:
    """``channel=bancassurance`` -> "Channel: bancassurance" ("渠道: 银保" under zh_CN): the
    column's label and the level through the value catalogue, as the other pages name the
    same level (the forest's ticks and the table read "渠道: bancassurance" before)."""
    text = covariate_label(name, columns)
    head, sep, value = text.partition(": ")
    return f"{head}: {value_label(value)}" if sep else text

class DriversPage(AnalysisPage):
    page_id = "drivers"
    debounce_ms = 400

    def title(self) -> str:
        return self.tr("Drivers of lapse (Cox model)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle_text = self.tr(
            "Hazard ratio > 1: that level lapses faster than the reference level (the most frequent "
            "one); < 1: it stays longer. Whiskers are 95% confidence intervals.")
        self.subtitle.setText(self.subtitle_text)
        self.covariates = QListWidget()
        self.covariates.setMaximumWidth(220)
        self.covariates.itemChanged.connect(lambda _i: self._covariates_ticked())
        # the user's choice, including columns the loaded data lack: a small file shows fewer
        # columns but neither forgets the others nor saves the shortened list in workspaces
        self.wanted_covariates: list[str] | None = None
        self.persist("covariates", self.covariates)
        self.strata = self.combo(self.tr("Strata:"), [(self.tr("None"), None)])
        self.strata.setToolTip(self.tr("Each level gets its own baseline hazard (R strata())"))
        self.cluster = self.combo(self.tr("Robust SE by:"), [(self.tr("None"), None)])
        self.cluster.setToolTip(self.tr("Policies of one member are not independent: robust "
                                        "(sandwich) standard errors, used for CIs and p-values"))
        self.ph_transform = self.combo(self.tr("PH test time:"), [
            (self.tr("Kaplan-Meier (R default)"), "km"), (self.tr("rank"), "rank"),
            (self.tr("identity"), "identity"), (self.tr("log"), "log")])
        for key, box in (("strata", self.strata), ("cluster", self.cluster),
                         ("ph_transform", self.ph_transform)):
            self.persist(key, box)
        self.fit_label = QLabel("")
        self.fit_label.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel(self.tr("Covariates:")))
        ll.addWidget(self.covariates, 1)
        ll.addWidget(self.fit_label)
        # from why members lapse to who is likely to lapse next (issue 15)
        self.retention_list_button = QPushButton(self.tr("Who to call: Retention list →"))
        self.retention_list_button.setToolTip(self.tr("Lapse-risk scores of every in-force policy"))
        self.retention_list_button.clicked.connect(self.open_retention_list)
        ll.addWidget(self.retention_list_button)
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

    def _covariates_ticked(self) -> None:
        shown = {self.covariates.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.covariates.count())}
        kept = [c for c in self.wanted_covariates or [] if c not in shown]
        self.wanted_covariates = [*self.selected_covariates(), *kept]
        self.request_refresh()

    def missing_covariates(self) -> list[str]:
        """Chosen covariates the loaded data do not have (kept for the next load)."""
        shown = {self.covariates.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.covariates.count())}
        return [c for c in self.wanted_covariates or [] if c not in shown]

    def state(self) -> dict[str, Any]:
        out = super().state()
        if self.wanted_covariates is not None and "covariates" not in self._pending_state:
            out["covariates"] = list(self.wanted_covariates)
        return out

    def restore_state(self, state: Any) -> None:
        if isinstance(state, dict) and isinstance(state.get("covariates"), list):
            self.wanted_covariates = [str(c) for c in state["covariates"]]
        super().restore_state(state)

    def on_dataset(self, ds: Any) -> None:
        if self.wanted_covariates is None:
            self.wanted_covariates = self.selected_covariates() or list(DEFAULT_COVARIATES)
        chosen = set(self.wanted_covariates)
        cols = ds.segment_columns() if ds is not None and ds.has("policies") else []
        # the view's column names only (an engine book answers without reading its rows)
        have = set(ds.policy_columns()) if ds is not None and ds.has("policies") else set()
        numeric = [c for c in NUMERIC_CANDIDATES if c in have]
        fill_column_checklist(self.covariates, [*cols, *numeric], chosen)
        reset_combo(self.strata, segment_items(ds, none_label=self.tr("None")),
                    keep=self.strata.currentData())
        clusters = [c for c in CLUSTER_CANDIDATES if c in have]
        reset_combo(self.cluster, [(self.tr("None"), None),
                                   *((column_label(c), c) for c in clusters)],
                    keep=self.cluster.currentData())

    def open_retention_list(self) -> None:
        show_page = getattr(self.window(), "show_page", None)
        if callable(show_page):
            show_page("retention_list")

    def selected_covariates(self) -> list[str]:
        """Column ids of the ticked covariates."""
        return checked_ids(self.covariates)

    def set_covariates(self, names: list[str]) -> None:
        self.wanted_covariates = list(names)
        tick_ids(self.covariates, names)
        self.request_refresh()

    def task(self, ds: Any) -> Task | None:
        chosen = self.selected_covariates()
        if not chosen:
            self.show_message(self.tr("Tick at least one covariate to fit the model."))
            return None
        strata = self.strata.currentData()
        if strata in chosen:
            self.show_message(self.tr("A column cannot be both a covariate and the strata."))
            return None
        return compute_drivers, (ds, chosen), {"strata": strata,
                                               "cluster": self.cluster.currentData(),
                                               "ph_transform": self.ph_transform.currentData()}

    def show_result(self, res: Any) -> None:
        frame = res.to_frame()
        frame["ph_violation"] = frame["ph_p_value"] < 0.05 if "ph_p_value" in frame else False
        if "ph_p_value" in frame:  # the analysis' English verdict, rebuilt in the UI language
            frame["verdict"] = [ph_verdict(p) for p in frame["ph_p_value"]]
        columns = list(self.selected_covariates()) + list(res.reference_levels)
        label = lambda name: level_label(name, columns)  # noqa: E731
        self.forest.set_ratios(frame, violation="ph_violation", tick_text=label)
        self.fit_label.setText(self._fit_text(res))
        # the verdict before coef/se: sized to its text, the technical columns scroll instead
        robust = getattr(res, "cluster", None) is not None
        cols = [c for c in ("covariate", "hazard_ratio", "ci_lower", "ci_upper", "p_value", "verdict",
                            "ph_p_value", "coef", "se", "robust_se" if robust else "")
                if c in frame.columns]
        # the covariate cell shows "<column label>: <level>"; Qt.UserRole keeps the id
        level = dataset_ci_level(self.dataset)  # the Cox CIs' level (Assumptions dialog)
        fill_table(self.table, self.model, frame[cols], formats={"covariate": label},
                   headers=ci_headers(cols, level))
        self.subtitle.setText(ci_text(self.subtitle_text, level))

    def _fit_text(self, res: Any) -> str:
        """Sample, fit quality, strata, clustering and the PH test's method and transform."""
        stat, dof, p = res.likelihood_ratio_test
        refs = ", ".join(f"{column_label(k)} = {value_label(v)}" for k, v in res.reference_levels.items())
        lines = [self.tr("{n:,} policies, {e:,} lapses. Concordance {c:.3f}. Likelihood-ratio "
                         "test p = {p:.3g}.").format(n=res.n, e=res.events, c=res.concordance, p=p),
                 self.tr("Reference levels: {refs}").format(refs=refs or "–")]
        if res.strata:
            lines.append(self.tr("Strata: {s} (concordance within strata)").format(
                s=", ".join(column_label(c) for c in res.strata)))
        if res.cluster is not None:
            lines.append(self.tr("Robust SE clustered by {c}: CIs and p-values use it").format(
                c=column_label(res.cluster)))
        ph = res.ph_global
        if ph is not None:
            lines.append(self.tr("Proportional hazards: R cox.zph exact test, {t} time transform; "
                                 "global p = {p:.3g}").format(t=res.ph_transform, p=ph[2]))
        missing = self.missing_covariates()
        if missing:
            lines.append(self.tr("Not in these data (kept for other files): {0}").format(
                ", ".join(column_label(c) for c in missing)))
        return "\n".join(lines + [cox_note(n) for n in res.reasons])
