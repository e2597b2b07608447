"""What every sheet builder receives.

A sheet builder is ``build(ctx: ReportContext, w: SheetWriter) -> None``. It imports its
analysis function with a plain import (a renamed function fails the type check and the report
tests, never quietly in a user's workbook), calls it once and presents the result. Statistics
are never recomputed here. A sheet whose analysis cannot run on the data (AnalysisError,
DataError) says why in a note; any other error is a bug and stops the report.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from memberdesk.core.dataset import Dataset
from memberdesk.core.progress import Progress
from memberdesk.core.reasons import error_text
from memberdesk.report import report_strings as rs
from memberdesk.report.report_options import ReportOptions

KEY_TIMES_MONTHS: tuple[float, ...] = (12.0, 24.0, 36.0, 60.0)


@dataclass
class ReportContext:
    """Inputs shared by all sheets of one report."""

    ds: Dataset
    lang: str
    segment: str | None
    include_personal: bool
    generated_at: dt.datetime
    progress: Progress | None = None
    # Expected-rate table for the experience study (see experience.read_expected_table).
    expected: pd.DataFrame | None = None
    # The choices the sheets are made with (the pages' choices when exported from the app).
    options: ReportOptions = field(default_factory=ReportOptions)
    # Sections that could not be computed: (sheet key, reason) — the report's exit status.
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def strata(self) -> tuple[str, ...]:
        """Drivers strata column(s) (read by sheets_models.driver_options)."""
        return () if self.options.strata is None else (self.options.strata,)

    @property
    def cluster(self) -> str | None:
        return self.options.cluster
    # Results computed once and shared between sheets (e.g. the KPI result).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of_iso(self) -> str:
        return self.ds.as_of.date().isoformat()

    @property
    def report_title(self) -> str:
        return rs.text("report_title", self.lang)

    @property
    def as_of_text(self) -> str:
        return rs.text("as_of", self.lang, date=self.as_of_iso)

    def t(self, key: str, **fields: object) -> str:
        return rs.text(key, self.lang, **fields)

    def error(self, exc: BaseException) -> str:
        """Why a part could not be computed, in the workbook's language (a reason code's words;
        an error without one as it is)."""
        return error_text(exc, self.lang)

    def label(self, column: str | None) -> str:
        """A column's header; None (no segment: the page's "All policies") as all policies."""
        if column is None:
            return "全部保单" if self.lang == "zh_CN" else "all policies"
        return rs.column_label(column, self.lang)

    def table_label(self, table: str) -> str:
        return rs.table_name(table, self.lang)

    def policies_in_scope(self) -> int:
        p = self.ds.policies
        return 0 if p is None else len(p)

    def scope_line(self) -> str:
        return rs.text("scope_line", self.lang, date=self.as_of_iso,
                       policies=f"{self.policies_in_scope():,}")


def frame_of(result: Any, attribute: str | None = None) -> pd.DataFrame | None:
    """``result.<attribute>`` (or ``result.to_frame()``) as a DataFrame, None when absent."""
    if result is None:
        return None
    if attribute is not None:
        value = getattr(result, attribute, None)
        if callable(value):
            value = value()
    else:
        to_frame = getattr(result, "to_frame", None)
        value = to_frame() if callable(to_frame) else None
    return value if isinstance(value, pd.DataFrame) else None
