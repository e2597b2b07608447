"""Top groups + a pooled "Other" Kaplan-Meier curve (memberdesk.analysis.segment_pooling).

Truth: lifelines' KaplanMeierFitter fitted directly on the union of the pooled groups' records
(the same log-log CI and, for medians, lifelines' "first" rule), and a hand-worked book.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.segment_pooling import pool_top_segments, pooled_curve
from memberdesk.analysis.survival import km_by_segment
from memberdesk.core.errors import AnalysisError

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _book(seed: int = 0, groups: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(20, 200, size=groups)
    rows = []
    for g, n in enumerate(sizes):
        d = np.round(rng.exponential(30 + 4 * g, size=n), 1)
        c = rng.uniform(0, 80, size=n)
        rows.append(pd.DataFrame({"duration": np.minimum(d, np.round(c, 1)),
                                  "event": (d <= c).astype(int), "seg": f"g{g:02d}"}))
    return pd.concat(rows, ignore_index=True)


def test_other_is_the_km_of_the_union_of_the_pooled_groups_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    frame = _book()
    result = km_by_segment(frame, "seg", unit="days", times=())
    pooled = pool_top_segments(result, top=6)
    sizes = frame["seg"].value_counts()
    largest = set(sizes.sort_values(ascending=False, kind="stable").index[:6])
    assert set(pooled.kept) == largest
    assert len(pooled.curves) == 7 and pooled.curves[-1].name == "Other"
    assert list(pooled.kept) == sorted(pooled.kept)  # segment order kept
    rest = frame[~frame["seg"].isin(largest)]
    other = pooled.other
    assert other is not None and other.n == len(rest)
    kmf = KaplanMeierFitter().fit(rest["duration"], rest["event"])
    grid = np.linspace(0, float(rest["duration"].max()), 97)
    np.testing.assert_allclose(other.survival_at(grid),
                               kmf.survival_function_at_times(grid).to_numpy(), rtol=1e-12)
    ci = kmf.confidence_interval_survival_function_  # log-log, 95%
    lo, hi = other.ci_at(ci.index.to_numpy())
    np.testing.assert_allclose(lo, ci.iloc[:, 0].to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hi, ci.iloc[:, 1].to_numpy(), rtol=1e-9, atol=1e-12)
    # and not the average of the pooled curves (that would be the bug this guards against)
    mean = np.mean([c.survival_at([40.0])[0] for c in result.curves if c.name not in largest])
    assert abs(other.survival_at([40.0])[0] - mean) > 1e-6


def test_hand_worked_pool() -> None:
    # group a (kept, 5 records), b: (2, event) (4, censored); c: (2, event) (3, event)
    # Other = b ∪ c: t=2: 2 events of 4 at risk -> S = 1/2; t=3: 1 of 2 -> 1/4;
    # t=4: censored, S stays 1/4.
    frame = pd.DataFrame({"duration": [1, 2, 3, 4, 5, 2, 4, 2, 3],
                          "event": [1, 1, 1, 1, 1, 1, 0, 1, 1],
                          "seg": ["a"] * 5 + ["b"] * 2 + ["c"] * 2})
    result = km_by_segment(frame, "seg", unit="days", times=())
    pooled = pool_top_segments(result, top=1, other_name="其他")
    assert pooled.kept == ("a",) and pooled.pooled == ("b", "c")
    other = pooled.curves[-1]
    assert other.name == "其他" and other.n == 4 and other.events == 3
    assert other.survival_at([1.0, 2.0, 3.0, 4.0]).tolist() == [1.0, 0.5, 0.25, 0.25]
    assert other.at_risk_at([2.0, 3.0, 4.0]).tolist() == [4, 2, 1]


def test_ci_level_follows_the_curves() -> None:
    from lifelines import KaplanMeierFitter

    frame = _book(seed=3)
    result = km_by_segment(frame, "seg", unit="days", times=(), alpha=0.10)
    other = pool_top_segments(result, top=6).other
    assert other is not None and other.alpha == pytest.approx(0.10)
    rest = frame[frame["seg"].isin(pool_top_segments(result, top=6).pooled)]
    ci = KaplanMeierFitter(alpha=0.10).fit(rest["duration"], rest["event"]) \
        .confidence_interval_survival_function_
    lo, _hi = other.ci_at(ci.index.to_numpy())
    np.testing.assert_allclose(lo, ci.iloc[:, 0].to_numpy(), rtol=1e-9, atol=1e-12)


def test_few_groups_or_no_segment_pool_nothing() -> None:
    frame = _book(groups=4)
    result = km_by_segment(frame, "seg", unit="days", times=())
    pooled = pool_top_segments(result, top=6)
    assert pooled.pooled == () and pooled.other is None
    assert pooled.curves == result.curves
    overall = pool_top_segments(km_by_segment(frame, None, unit="days", times=()), top=1)
    assert len(overall.curves) == 1 and overall.other is None
    with pytest.raises(AnalysisError):
        pool_top_segments(result, top=0)
    with pytest.raises(AnalysisError):
        pooled_curve([])


def test_delayed_entry_refits_from_records_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    frame = _book(seed=5)
    rng = np.random.default_rng(7)
    frame["entry"] = np.round(frame["duration"] * rng.uniform(0, 0.9, len(frame)), 1)
    frame = frame[frame["duration"] > frame["entry"]].reset_index(drop=True)
    result = km_by_segment(frame, "seg", unit="days", times=(), entry="entry")
    assert result.delayed_entry
    with pytest.raises(AnalysisError):
        pool_top_segments(result, top=6)
    pooled = pool_top_segments(result, frame, top=6, entry="entry")
    rest = frame[frame["seg"].isin(pooled.pooled)]
    kmf = KaplanMeierFitter().fit(rest["duration"], rest["event"], entry=rest["entry"])
    grid = np.linspace(0, float(rest["duration"].max()), 61)
    assert pooled.other is not None
    np.testing.assert_allclose(pooled.other.survival_at(grid),
                               kmf.survival_function_at_times(grid).to_numpy(), rtol=1e-10)


def test_sample_region_other_is_the_pooled_records() -> None:
    """Region has 12 levels in the sample book."""
    from lifelines import KaplanMeierFitter

    from memberdesk.analysis.frames import survival_frame
    from memberdesk.core.loader import load_dataset

    ds = load_dataset([str(SAMPLE / "policies.csv"), str(SAMPLE / "members.csv")])
    result = km_by_segment(ds, "region", unit="months")
    assert len(result.curves) >= 12
    pooled = pool_top_segments(result, ds)
    assert len(pooled.curves) == 7
    frame = survival_frame(ds, unit="months", columns=("region",))
    rest = frame[frame["region"].astype(str).isin(pooled.pooled)]
    assert pooled.other is not None and pooled.other.n == len(rest)
    kmf = KaplanMeierFitter().fit(rest["duration"], rest["event"])
    grid = np.arange(0.0, 120.0, 3.0)
    np.testing.assert_allclose(pooled.other.survival_at(grid),
                               kmf.survival_function_at_times(grid).to_numpy(), rtol=1e-10)
