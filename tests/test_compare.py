"""Compare (issue 17 C.18): on the sample book, the comparison of two as-of dates (or two filter
sets) equals the two single-view computations subtracted — KPIs from compute_kpis, retention from
km_by_segment, persistency from persistency() — for several date pairs (a property), with groups
present on one side only kept with a NaN change."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_as_of, compare_datasets, compare_filters
from memberdesk.analysis.kpis import compute_kpis
from memberdesk.analysis.persistency import persistency
from memberdesk.analysis.survival import km_by_segment
from memberdesk.core.dataset import Dataset, Filters

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def book() -> Dataset:
    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there")
    from memberdesk.core.loader import load_dataset

    return load_dataset([str(SAMPLE)])


def _same(a: float, b: float) -> bool:
    if (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return bool(np.isnan(a) and np.isnan(b))
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


def _single_kpis(ds: Dataset) -> dict[str, float]:
    return {k.id: np.nan if k.value is None else k.value for k in compute_kpis(ds).kpis}


def _single_km(ds: Dataset, by: str) -> dict[tuple[str, str], float]:
    km = km_by_segment(ds, by, unit="months", times=(12, 24, 36, 60))
    out: dict[tuple[str, str], float] = {}
    for c in km.curves:
        out[(c.name, "n")] = c.n
        out[(c.name, "events")] = c.events
        out[(c.name, "median")] = c.median
    for r in km.survival_at_times.itertuples():
        out[(r.group, f"survival_{int(r.time)}")] = r.survival
    return out


def _single_persistency(ds: Dataset, by: str) -> dict[tuple[str, str], tuple[float, str]]:
    frame = persistency(ds, month=13, period="rolling12", by=by).frame
    out = {}
    for seg in frame["segment"].unique():
        last = frame[frame["segment"] == seg].iloc[-1]
        for m in ("ratio_premium", "ratio_count", "cohort_count"):
            out[(str(seg), m)] = (float(last[m]), str(last["period"]))
    return out


@pytest.mark.parametrize("current, reference", [
    ("2026-06-30", "2025-06-30"), ("2024-03-15", "2026-01-31"), ("2025-12-31", "2025-11-30"),
])
def test_two_as_of_dates_equal_two_single_views_subtracted(book: Dataset, current: str,
                                                           reference: str) -> None:
    cur, ref = book.with_as_of(current), book.with_as_of(reference)
    comp = compare_as_of(cur, reference, by="channel")
    assert comp.current.as_of == pd.Timestamp(current) and comp.reference.as_of == pd.Timestamp(reference)

    a, b = _single_kpis(cur), _single_kpis(ref)
    assert list(comp.kpis["id"]) == list(a)
    for row in comp.kpis.itertuples():
        assert _same(row.current, a[row.id]) and _same(row.reference, b[row.id])
        assert _same(row.change, a[row.id] - b[row.id])

    ka, kb = _single_km(cur, "channel"), _single_km(ref, "channel")
    got = {(r.group, r.measure): r for r in comp.retention.itertuples()}
    assert set(got) == set(ka) | set(kb)
    for key, row in got.items():
        x, y = ka.get(key, np.nan), kb.get(key, np.nan)
        assert _same(row.current, x) and _same(row.reference, y)
        expected = x - y if np.isfinite(x) and np.isfinite(y) else np.nan
        if np.isfinite(expected):
            assert row.change == pytest.approx(expected, abs=1e-12)
        else:
            assert not np.isfinite(row.change)  # not reached / beyond follow-up: no number

    pa, pb = _single_persistency(cur, "channel"), _single_persistency(ref, "channel")
    got_p = {(r.segment, r.measure): r for r in comp.persistency.itertuples()}
    assert set(got_p) == set(pa) | set(pb)
    for key, row in got_p.items():
        assert _same(row.current, pa[key][0]) and _same(row.reference, pb[key][0])
        assert row.current_period == pa[key][1] and row.reference_period == pb[key][1]
        assert _same(row.change, pa[key][0] - pb[key][0])


def test_same_view_on_both_sides_changes_nothing(book: Dataset) -> None:
    comp = compare_datasets(book, book, by="channel", sections=("kpis", "persistency"))
    finite = comp.kpis["current"].notna()
    assert (comp.kpis.loc[finite, "change"] == 0).all()
    assert comp.retention is None
    assert comp.current.label == "current" and comp.reference.label == "reference"


def test_two_filter_sets_and_one_sided_groups(book: Dataset) -> None:
    agency = Filters(channel=("agency",))
    comp = compare_filters(book, agency, by="channel", sections=("kpis", "retention"))
    a, b = _single_kpis(book), _single_kpis(book.with_filters(agency))
    for row in comp.kpis.itertuples():
        assert _same(row.change, a[row.id] - b[row.id])
    in_force = comp.kpis.set_index("id").loc["in_force_policies"]
    assert in_force["change"] > 0  # the whole book holds more policies than agency alone
    ret = comp.retention.set_index(["group", "measure"])
    assert ret.loc[("agency", "n"), "change"] == 0          # the same policies on both sides
    online = ret.loc[("online", "n")]
    assert online["current"] > 0 and np.isnan(online["reference"]) and np.isnan(online["change"])
    assert comp.to_json()["retention"][0]["group"] == comp.retention["group"].iloc[0]


def test_unknown_section_is_refused(book: Dataset) -> None:
    with pytest.raises(ValueError, match="section"):
        compare_datasets(book, book, sections=("nope",))


def test_a_side_without_policies_is_nan_with_a_note(book: Dataset) -> None:
    """Before the first issue date there is nothing to analyse: the reference column is NaN,
    the current side is kept, and the note says why (never zeros)."""
    comp = compare_as_of(book, "2010-01-01", by="channel", sections=("retention",))
    ret = comp.retention
    assert ret["reference"].isna().all() and ret["change"].isna().all()
    assert (ret[ret["measure"] == "n"]["current"] > 0).all()
    assert comp.notes and comp.notes[0].startswith("reference: retention:")
    assert comp.to_json()["notes"] == list(comp.notes)
