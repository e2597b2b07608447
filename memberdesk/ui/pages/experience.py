"""Experience study: actual terminations against exposure by policy year or calendar year (and
segment), A/E against an expected-rate table with confidence intervals and limited-fluctuation
credibility.

The expected table is matched on the period column of the chosen basis
(:func:`memberdesk.analysis.experience.experience_study`): a table by ``policy_year`` gives A/E
on the policy-year basis; on the calendar-year basis it would need a ``calendar_year`` column,
so a policy-year table is then left out (rates only) and the page says so. The same holds for
quarters, months and weeks (``policy_quarter``, ``calendar_month``, …).

The rate and A/E confidence intervals, the weighted measures (``--weight``) and the control
rates come with the analysis result; the page only draws them."""
from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from memberdesk.ui.analysis_text import kpi_reason
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import ci_headers, ci_text, format_number, format_percent, value_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    checked_ids,
    fill_column_checklist,
    fill_table,
    make_table,
    reset_combo,
    tick_ids,
)

STATUSES = ("lapsed", "surrendered", "death", "matured", "other")
BASES = ("policy_year", "calendar_year")
PERIODS = ("year", "quarter", "month", "week")
WEIGHTS = ("annual_premium", "sum_assured")
# the table's first column on the calendar-year basis (policy_year is listed in ui.i18n)
_COLUMN_LABELS = (QT_TRANSLATE_NOOP("Column", "calendar_year"),)


def compute_experience(ds: Any, by: list[str], target: list[str], expected_path: str,
                       basis: str = "policy_year", period: str = "year",
                       weight: str | None = None, progress: Any = None) -> Any:
    """The experience study for the page. On a basis other than policy years an expected table
    without that basis' period column (one by policy year) cannot be matched: it is left out
    and the result has no A/E (``has_expected`` False); the page tells the user."""
    from memberdesk.analysis.experience import experience_study, read_expected_table
    from memberdesk.core.errors import DataError

    full = f"{basis.partition('_')[0]}_{period}"
    expected = None
    if expected_path:
        try:
            expected = read_expected_table(expected_path, basis=full)
        except DataError as exc:
            if full == "policy_year" or exc.column != full:
                raise
    return experience_study(ds, by=by, target=target, basis=full, expected=expected,
                            weight=weight, progress=progress)


def chart_x(frame: pd.DataFrame, basis: str) -> tuple[pd.DataFrame, str]:
    """The chart's x column: the period itself, or for calendar quarters, months and weeks
    the period's first day as a decimal year (2024.25 = April 2024)."""
    from memberdesk.analysis.experience_exposure import calendar_bounds, split_basis

    kind, length = split_basis(basis)
    if kind == "policy" or length == "year":
        return frame, basis
    first, _ = calendar_bounds(frame[basis].to_numpy(dtype="int64"), length)
    days = pd.DatetimeIndex(first.astype("datetime64[ns]"))
    out = frame.copy()
    out["_x"] = days.year + (days.dayofyear - 1) / 365.25
    return out, "_x"


EXPOSURE_DECIMALS = 2  # policy-years, on every row (not "5,860" on one row, "696.53" on the next)
RATE_DECIMALS = 2  # termination rates and their CI as percentages: 8.02%


def table_formats() -> dict[str, Any]:
    """Cell formats of the experience table: one format per column, whatever the size."""
    rate = lambda v: format_percent(v, RATE_DECIMALS)  # noqa: E731
    # A/E under its catalogue header "A/E (%)": 0.923 reads 92.3%, not a bare 0.923 under "%"
    ratio = lambda v: format_percent(v, 1)  # noqa: E731
    return {"exposure": lambda v: format_number(v, EXPOSURE_DECIMALS),
            "rate": rate, "rate_lower": rate, "rate_upper": rate, "expected": rate,
            "expected_rate": rate,
            "expected_claims": lambda v: format_number(v, 2),
            "ae": ratio, "ae_lower": ratio, "ae_upper": ratio,
            "actual": lambda v: format_number(v, 0 if float(v).is_integer() else 2),
            "weight": lambda v: format_number(v, 2), "weight_sq": lambda v: format_number(v, 0),
            "credibility": lambda v: format_percent(v, 1),
            "calendar_year": _year}


def _year(value: Any) -> str:
    """A calendar year as a year (2024, not "2,024")."""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return "" if value is None else str(value)


class ExperiencePage(AnalysisPage):
    page_id = "experience"
    debounce_ms = 300

    def title(self) -> str:
        return self.tr("Experience study (A/E)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Termination rate = actual ÷ exposure (policy-years) per policy year or calendar year. "
            "With an expected table, A/E = actual ÷ expected; credibility Z = min(1, √(actual ÷ "
            "1,537·(1−rate)))."))
        self.by = QListWidget()
        self.target = QListWidget()
        for lw in (self.by, self.target):
            lw.setMaximumWidth(200)
            lw.itemChanged.connect(lambda _i: self.request_refresh())
        for status in STATUSES:
            item = QListWidgetItem(value_label(status))  # shown translated; the code is the data
            item.setData(Qt.ItemDataRole.UserRole, status)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = status in ("lapsed", "surrendered")
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.target.addItem(item)
        self.expected = QLineEdit()
        self.expected.setPlaceholderText(self.tr("no expected table (rates only)"))
        self.expected.setReadOnly(True)
        self.expected.setMinimumWidth(260)
        browse = QPushButton(self.tr("Expected table…"))
        browse.clicked.connect(self.choose_expected)
        clear = QPushButton(self.tr("Clear"))
        clear.clicked.connect(lambda: self.set_expected_path(""))
        self.basis = self.combo(self.tr("Basis:"), [(self.tr("Policy year"), "policy_year"),
                                                     (self.tr("Calendar year"), "calendar_year")])
        self.period = self.combo(self.tr("Period:"), [(self.tr("year"), "year"),
                                                       (self.tr("quarter"), "quarter"),
                                                       (self.tr("month"), "month"),
                                                       (self.tr("week"), "week")])
        self.weight = self.combo(self.tr("Weighted by:"), [(self.tr("policy count"), None)])
        self.add_control("", browse)
        self.add_control("", self.expected)
        self.add_control("", clear)
        for key, widget in (("basis", self.basis), ("period", self.period),
                            ("weight", self.weight), ("by", self.by), ("target", self.target),
                            ("expected", self.expected)):
            self.persist(key, widget)  # workspace state
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel(self.tr("Split by:")))
        ll.addWidget(self.by, 1)
        ll.addWidget(QLabel(self.tr("Terminations studied:")))
        ll.addWidget(self.target)
        self.chart = TrendChart()
        self.panel = self.register_panel(ChartPanel(self.chart, self.tr("Experience")))
        self.table, self.model = make_table()
        self.totals = QLabel("")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.panel)
        host = QWidget()
        hl = QVBoxLayout(host)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.totals)
        hl.addWidget(self.note)
        hl.addWidget(self.table)
        right.addWidget(host)
        right.setSizes([480, 300])
        layout = QHBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(left)
        layout.addWidget(right, 1)

    def on_dataset(self, ds: Any) -> None:
        chosen = set(self.checked(self.by))
        cols = ds.segment_columns() if ds is not None and ds.has("policies") else []
        fill_column_checklist(self.by, cols, chosen)
        have = set(ds.policy_columns()) if ds is not None and ds.has("policies") \
            and not ds.generic else set()
        names = {"annual_premium": self.tr("annual premium"),
                 "sum_assured": self.tr("sum assured")}
        items: list[tuple[str, Any]] = [(self.tr("policy count"), None)]
        items += [(names[c], c) for c in WEIGHTS if c in have]
        reset_combo(self.weight, items, keep=self.weight.currentData())

    def current_basis(self) -> str:
        return str(self.basis.currentData())

    def set_basis(self, basis: str) -> None:
        """Choose ``"policy_year"`` or ``"calendar_year"`` (recomputes like the combo)."""
        if basis not in BASES:
            raise ValueError(f"unknown basis {basis!r}")
        self.basis.setCurrentIndex(self.basis.findData(basis))

    @staticmethod
    def checked(lw: QListWidget) -> list[str]:
        """Ids (column ids, status codes) of the ticked items."""
        return checked_ids(lw)

    def set_checked(self, lw: QListWidget, names: list[str]) -> None:
        tick_ids(lw, names)
        self.request_refresh()

    def choose_expected(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Expected-rate table"), "",
                                              self.tr("Tables (*.csv *.txt *.xlsx)"))
        if path:
            self.set_expected_path(path)

    def set_expected_path(self, path: str) -> None:
        self.expected.setText(path)
        self.request_refresh()

    def task(self, ds: Any) -> Task | None:
        target = self.checked(self.target)
        if not target:
            self.show_message(self.tr("Tick at least one termination status to study."))
            return None
        return compute_experience, (ds, self.checked(self.by), target, self.expected.text(),
                                    self.current_basis(), str(self.period.currentData()),
                                    self.weight.currentData()), {}

    def show_result(self, res: Any) -> None:
        # the title and headers name the level of the result's intervals (Assumptions dialog)
        level = float(getattr(res, "conf_level", 0.95))
        self._show_result(res, level)
        self.panel.set_title(ci_text(self.panel.title(), level))

    def _show_result(self, res: Any, level: float) -> None:
        rows = res.rows
        period = res.basis
        series = None
        frame = rows.copy()
        if res.by:
            frame["segment"] = frame[list(res.by)].astype(str).agg(" · ".join, axis=1)
            series = "segment"
        calendar = period.startswith("calendar")
        x_label = {"policy_year": self.tr("Policy year"), "calendar_year": self.tr("Calendar year"),
                   "policy_quarter": self.tr("Policy quarter"),
                   "policy_month": self.tr("Policy month"),
                   "policy_week": self.tr("Policy week")}.get(period, self.tr("Calendar date"))
        frame, x = chart_x(frame, period)
        if res.has_expected:
            # the A/E interval is the analysis' (rate CI ÷ expected), not recomputed here
            self.chart.set_data(frame, x=x, y="ae", series=series, lower="ae_lower", upper="ae_upper",
                                reference=1.0, x_label=x_label, y_label=self.tr("A/E"))
            self.panel.set_title(self.tr("Actual ÷ expected by calendar year (95% CI)") if calendar
                                 else self.tr("Actual ÷ expected by policy year (95% CI)"))
        unmatched = calendar and not res.has_expected and bool(self.expected.text())
        if not res.has_expected:
            self.chart.set_data(frame, x=x, y="rate", series=series, lower="rate_lower",
                                upper="rate_upper", percent=True, x_label=x_label,
                                y_label=self.tr("Termination rate"))
            if unmatched:  # a table is loaded but cannot be matched: the note says why
                self.panel.set_title(self.tr("Termination rate by calendar year (95% CI)"))
            elif calendar:
                self.panel.set_title(
                    self.tr("Termination rate by calendar year (95% CI) — load an expected table for A/E"))
            else:
                self.panel.set_title(
                    self.tr("Termination rate by policy year (95% CI) — load an expected table for A/E"))
        if period not in BASES:
            what = self.tr("A/E") if res.has_expected else self.tr("Termination rate")
            self.panel.set_title(self.tr("{what} by {period} (95% CI)").format(
                what=what, period=x_label.lower()))
        lines = [self.tr(
            "The expected table has no calendar_year column, so its rates cannot be matched to "
            "calendar years: A/E needs the policy-year basis (or a table by calendar_year). "
            "Showing rates only.")] if unmatched else []
        # an engine book's study that read rows says so (issue #13), in the UI language
        lines += [kpi_reason(n) for n in res.notes]
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))
        t = res.totals.iloc[0]
        ae = t.get("ae")
        ae_text = "" if ae is None or pd.isna(ae) else self.tr(", A/E {v:.3f}").format(v=float(ae))
        if res.weight:
            self.totals.setText(self.tr(
                "Total weighted by {w}: exposure {e:,.2f}, actual {a:,.2f} ({n:,} terminations), "
                "rate {r:.2%}{ae}").format(w=self.weight.currentText(), e=float(t["exposure"]),
                                           a=float(t["actual"]), n=int(t["n_actual"]),
                                           r=float(t["rate"]), ae=ae_text))
        elif period in BASES:
            text = self.tr("Total: exposure {e:,.2f} policy-years, actual {a:,.0f}, rate {r:.2%}{ae}")
            self.totals.setText(text.format(e=float(t["exposure"]), a=float(t["actual"]),
                                            r=float(t["rate"]), ae=ae_text))
        else:
            self.totals.setText(self.tr(
                "Total: exposure {e:,.2f} periods, actual {a:,.0f}, rate per period {r:.2%}{ae}").format(
                e=float(t["exposure"]), a=float(t["actual"]), r=float(t["rate"]), ae=ae_text))
        shown = res.to_frame()
        if not res.weight and "n_actual" in shown and "actual" in shown:
            # unweighted, the count of terminations is the actual itself: two identical
            # "Actual (number)" columns side by side read as a mistake
            shown = shown.drop(columns="n_actual")
        # the result's "expected" is the expected RATE (formatted as one); under the catalogue's
        # "expected" header it read "Expected (number)" beside expected_claims' real number
        shown = shown.rename(columns={"expected": "expected_rate"})
        if calendar and period != "calendar_year":
            from memberdesk.analysis.experience_exposure import period_labels

            shown[period] = period_labels(shown[period].to_numpy(), period)
        fill_table(self.table, self.model, shown, formats=table_formats(),
                   headers=ci_headers(shown.columns, level))
