"""The Retention page's whole result: Kaplan-Meier curves by segment with the key-year table,
pairwise tests between the segments and the restricted mean survival time, computed together
so the page, the report and the JSON show one set of numbers.

Conventions: those of :mod:`memberdesk.analysis.km` and :mod:`memberdesk.analysis.logrank`
(docs/conventions.md, "Kaplan-Meier, medians and CIs" and "Tests between groups"). Time is in
``unit`` (months of 365.25/12 days, or days); the key years are 1, 2, 3 and 5 years since
issue; RMST is the area under the KM curve up to ``horizon_years``. Delayed entry (a study
start) reaches all three through the survival frame's ``entry`` column.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from memberdesk.analysis.logrank import pairwise_logrank, rmst_by_group
from memberdesk.analysis.survival import KMResult, km_by_segment
from memberdesk.core.dataset import Dataset
from memberdesk.core.progress import Progress
from memberdesk.core.schema import DAYS_PER_YEAR

KEY_YEARS: tuple[int, ...] = (1, 2, 3, 5)


@dataclass(frozen=True)
class RetentionStudy:
    """KM by segment, pairwise tests (None with fewer than two segments) and RMST per group.

    Attributes
    ----------
    km
        :class:`memberdesk.analysis.survival.KMResult`, with ``survival_at_times`` at the key
        years.
    pairwise
        One row per pair of segments (test statistic, p-value, Holm-adjusted p-value).
    rmst
        One row per group: RMST to ``horizon`` and its standard error.
    horizon
        The RMST horizon in ``km.unit``.
    """

    km: KMResult
    pairwise: pd.DataFrame | None
    rmst: pd.DataFrame | None
    horizon: float


def retention_study(ds: Dataset, by: str | None, unit: str = "months", horizon_years: float = 3.0,
                    test: str = "logrank", progress: Progress | None = None) -> RetentionStudy:
    """KM by ``by`` (None: all policies), pairwise ``test`` (logrank, wilcoxon, tarone, peto,
    fh:P,Q) between its segments and RMST to ``horizon_years``."""
    from memberdesk.analysis.frames import survival_frame

    per_year = 12.0 if unit == "months" else DAYS_PER_YEAR
    km = km_by_segment(ds, by, unit=unit, times=[y * per_year for y in KEY_YEARS], progress=progress,
                       test=test)
    horizon = horizon_years * per_year
    frame = survival_frame(ds, unit=unit, columns=(by,))
    groups = frame[by] if by else pd.Series("all", index=frame.index)
    entry = frame["entry"] if "entry" in frame.columns else None
    pairwise = None
    if by and len(km.curves) >= 2:
        pairwise = pairwise_logrank(frame["duration"], frame["event"], groups, entry=entry, test=test)
    rmst = rmst_by_group(frame["duration"], frame["event"], groups, horizon, entry=entry)
    return RetentionStudy(km, pairwise, rmst, horizon)
