"""Aalen-Johansen cumulative incidence: hand-worked ties, lifelines on tie-free data, CIF+S=1."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.core.errors import AnalysisError


def test_hand_worked_example_with_tied_causes():
    # t: 1 lapse, 2 death, 2 lapse, 3 in force, 4 lapse, 5 death (n = 6)
    #  t  n  d  S(t)            F_lapse                      F_death
    #  1  6  1  5/6             1 * 1/6 = 1/6                0
    #  2  5  2  5/6*3/5 = 1/2   1/6 + 5/6 * 1/5 = 1/3        5/6 * 1/5 = 1/6
    #  3  3  0  1/2             1/3                          1/6
    #  4  2  1  1/4             1/3 + 1/2 * 1/2 = 7/12       1/6
    #  5  1  1  0               7/12                         1/6 + 1/4 * 1 = 5/12
    df = pd.DataFrame({"duration": [1, 2, 2, 3, 4, 5],
                       "exit_status": ["lapsed", "death", "lapsed", "in_force", "lapsed", "death"]})
    res = cumulative_incidence(df, causes=("lapsed", "death"))
    lapse, death = res.cif("lapsed"), res.cif("death")
    np.testing.assert_allclose(lapse["time"], [0, 1, 2, 3, 4, 5])
    np.testing.assert_allclose(lapse["cif"], [0, 1 / 6, 1 / 3, 1 / 3, 7 / 12, 7 / 12])
    np.testing.assert_allclose(death["cif"], [0, 0, 1 / 6, 1 / 6, 1 / 6, 5 / 12])
    np.testing.assert_allclose(res.survival["survival"], [1, 5 / 6, 1 / 2, 1 / 2, 1 / 4, 0])
    # Collett variance at t = 1 for lapse: F(1) - F(1) = 0, so only S(0)^2 d_k (n - d_k)/n^3
    assert lapse.loc[1, "variance"] == pytest.approx(1 * 1 * 5 / 6**3)


@pytest.mark.parametrize("cause, code", [("lapsed", 1), ("surrendered", 2), ("death", 3)])
def test_matches_lifelines_on_tie_free_data(cause, code):
    rng = np.random.default_rng(0)
    n = 400
    d = rng.exponential(10, n)  # continuous: no ties, so lifelines does not jitter
    status = rng.choice(["in_force", "lapsed", "surrendered", "death"], n, p=[0.4, 0.3, 0.2, 0.1])
    codes = pd.Series(status).map({"in_force": 0, "lapsed": 1, "surrendered": 2, "death": 3})
    res = cumulative_incidence(pd.DataFrame({"duration": d, "exit_status": status}))
    ours = res.cif(cause)
    aj = AalenJohansenFitter(calculate_variance=True).fit(d, codes, event_of_interest=code)
    np.testing.assert_allclose(ours["time"], aj.cumulative_density_.index)
    np.testing.assert_allclose(ours["cif"], aj.cumulative_density_.iloc[:, 0], atol=1e-12)
    # lifelines' variance is NaN after the last risk set empties (inf * 0); ours sets such
    # terms to 0 (as Greenwood does) -- compare where lifelines is defined
    defined = np.isfinite(aj.variance_.to_numpy())
    assert defined[:-1].all()
    np.testing.assert_allclose(ours["variance"][defined], aj.variance_[defined], atol=1e-12)
    ci = aj.confidence_interval_.to_numpy()  # lifelines' columns: [lower value, upper value]
    ok = np.isfinite(ci[:, 0])
    np.testing.assert_allclose(ours["ci_lower"][ok], ci[ok, 0], atol=1e-10)
    np.testing.assert_allclose(ours["ci_upper"][ok], ci[ok, 1], atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12),
                          st.sampled_from(["in_force", "lapsed", "surrendered", "death",
                                           "matured", "other"])), min_size=1, max_size=50))
def test_total_incidence_plus_survival_is_one(rows):
    df = pd.DataFrame(rows, columns=["duration", "exit_status"]).astype({"duration": float})
    res = cumulative_incidence(df)
    total = res.incidence.groupby("time", sort=True)["cif"].sum().to_numpy()
    np.testing.assert_allclose(total + res.survival["survival"].to_numpy(), 1.0, atol=1e-12)
    assert ("other" in res.causes) == (df["exit_status"] == "other").any()
    assert (res.incidence["ci_lower"] <= res.incidence["cif"] + 1e-12).all()
    assert (res.incidence["cif"] <= res.incidence["ci_upper"] + 1e-12).all()


def test_by_segment_on_dataset(dataset):
    res = cumulative_incidence(dataset, by="channel")
    assert res.unit == "months" and res.groups == ("agency", "bank", "online")
    p = dataset.policies
    for g in res.groups:
        lapses = res.cif("lapsed", g)
        share = ((p["channel"] == g) & (p["exit_status"] == "lapsed")).sum()
        # with every policy followed to its end, F would be the plain share; censoring only adds
        assert lapses["cif"].iloc[-1] >= share / (p["channel"] == g).sum() - 1e-12
    at = res.at_times([-1, 12, 1e6])  # (t = 0 may hold same-day exits)
    assert (at[at.time == -1]["cif"] == 0).all()
    out = json.loads(json.dumps(res.to_json()))
    assert out["causes"] == ["lapsed", "surrendered", "death", "matured"]
    assert set(out["groups"][0]["causes"]["death"]) == {"cif", "ci_lower", "ci_upper"}


def test_unknown_segment_column():
    df = pd.DataFrame({"duration": [1.0, 2.0], "exit_status": ["lapsed", "in_force"]})
    with pytest.raises(AnalysisError, match="unknown column 'region'"):
        cumulative_incidence(df, by="region")
