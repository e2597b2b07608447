"""Decrements: competing exits (lapse, surrender, death, maturity…) as stacked cumulative
incidence (Aalen-Johansen), for the whole book or one segment, with Gray's test of each cause
across the segments (computed in :mod:`memberdesk.analysis.competing`)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.stacked import StackedIncidenceChart
from memberdesk.ui.i18n import format_percent, value_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    fill_table,
    make_table,
    reset_combo,
    segment_items,
    split_content,
)


def compute_decrements(ds: Any, by: str | None, progress: Any = None) -> Any:
    from memberdesk.analysis.competing import cumulative_incidence

    return cumulative_incidence(ds, by=by, progress=progress)


def incidence_by_group(res: Any) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    """{group: (time, {cause: cif})} from a CompetingRisksResult (tidy frame with group,
    cause, time, cif — or ``curves`` mapping)."""
    frame = None
    for name in ("frame", "cif", "incidence", "curves"):
        v = getattr(res, name, None)
        if isinstance(v, pd.DataFrame):
            frame = v
            break
    if frame is None and hasattr(res, "to_frame"):
        frame = res.to_frame()
    if frame is None:
        raise TypeError("unrecognised competing-risks result")
    value = next(c for c in ("cif", "cumulative_incidence", "incidence", "value") if c in frame.columns)
    gcol = next((c for c in ("group", "segment") if c in frame.columns), None)
    out = {}
    for g, part in (frame.groupby(gcol, sort=False) if gcol else [("all", frame)]):
        wide = (part.pivot_table(index="time", columns="cause", values=value, aggfunc="last")
                .sort_index().ffill().fillna(0.0))
        out[str(g)] = (wide.index.to_numpy(float), {str(c): wide[c].to_numpy(float) for c in wide.columns})
    return out


class DecrementsPage(AnalysisPage):
    page_id = "decrements"

    def title(self) -> str:
        return self.tr("Decrements (competing exits)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Probability of having left by each cause by each duration, with the other causes "
            "competing (not censored). The top edge is the probability of having left for any reason."))
        self.segment = self.combo(self.tr("Segment:"), [(self.tr("Whole book"), None)])
        self.group = self.combo(self.tr("Show:"), [])
        self.group.currentIndexChanged.disconnect()
        self.group.currentIndexChanged.connect(lambda _i: None if self.result is None else self._draw())
        self.persist("segment", self.segment)
        self.chart = StackedIncidenceChart()
        self.panel = self.register_panel(ChartPanel(self.chart, self.tr("Cumulative incidence by cause")))
        self.table, self.model = make_table()
        self.gray_view, self.gray_model = make_table()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, self.tr("Incidence at 1/2/3/5 years"))
        self.tabs.addTab(self.gray_view, self.tr("Gray's test"))
        split_content(content, Qt.Orientation.Vertical, self.panel, self.tabs, sizes=(600, 200))

    def on_dataset(self, ds: Any) -> None:
        reset_combo(self.segment, segment_items(ds, none_label=self.tr("Whole book"),
                                                prefer=("channel", "product_type")),
                    keep=self.segment.currentData())

    def task(self, ds: Any) -> Task:
        return compute_decrements, (ds, self.segment.currentData()), {}

    def show_result(self, res: Any) -> None:
        self.groups = incidence_by_group(res)
        reset_combo(self.group, [(value_label(g), g) for g in self.groups], keep=self.group.currentData())
        gray = res.gray_frame() if hasattr(res, "gray_frame") else pd.DataFrame()
        if len(gray) == 0:
            gray = pd.DataFrame({"note": [self.tr(
                "Choose a segment with two or more groups to compare their cumulative incidence "
                "(Gray's test; not available with a study start).")]})
        fill_table(self.gray_view, self.gray_model, gray)
        self._draw()

    def _draw(self) -> None:
        name = self.group.currentData() or next(iter(self.groups), None)
        if name is None:
            return
        time, cif = self.groups[name]
        self.chart.set_incidence(time, cif)
        self.panel.set_title(self.tr("Cumulative incidence by cause — {g}").format(g=value_label(name)))
        table = self.result.horizon_table(name) if self.result is not None else pd.DataFrame()
        percent = {c: (lambda v: format_percent(v, 2)) for c in table.columns if c not in ("years", "time")}
        whole = {"years": lambda v: f"{v:g}", "time": lambda v: f"{v:g}"}
        fill_table(self.table, self.model, table, formats={**percent, **whole},
                   headers={"years": self.tr("Years since issue"), "time": self.tr("Months since issue")})
