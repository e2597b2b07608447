"""Stratified Cox refusals and properties (issue 10.4); values against R are in
test_cox_r_reference.py (lung by sex, colon by rx and by rx x differ, colon by etype)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.cox_concordance import concordance_index
from memberdesk.core.errors import AnalysisError


def _frame(n: int = 500, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["N", "S"], n)
    age = rng.normal(40, 8, n)
    t = rng.exponential(np.where(region == "N", 5.0, 20.0) * np.exp(-0.03 * (age - 40)))
    c = rng.uniform(0, 30, n)
    return pd.DataFrame({"duration": np.minimum(t, c).round(2), "event": (t <= c).astype(int),
                         "age": age, "region": region,
                         "region_code": np.where(region == "N", 1.0, 0.0)})


def test_a_column_cannot_be_covariate_and_stratum():
    with pytest.raises(AnalysisError, match="'region' is both a covariate and a stratum") as info:
        fit_cox(_frame(), ["age", "region"], strata="region")
    assert info.value.column == "region"


def test_a_covariate_constant_within_every_stratum_is_refused():
    # region_code is region as a number: absorbed by the strata's baseline hazards (R: NA)
    with pytest.raises(AnalysisError, match="'region_code' does not vary within the strata"):
        fit_cox(_frame(), ["age", "region_code"], strata="region")


def test_stratified_concordance_counts_pairs_within_strata_only():
    # hand check of the definition on the data: the pooled counts of each stratum, summed
    df = _frame()
    res = fit_cox(df, ["age"], strata="region")
    lp = df["age"].to_numpy() * float(res.coefficients["coef"].iloc[0])
    from memberdesk.analysis.cox_concordance import concordance_counts

    parts = [concordance_counts(g["duration"].to_numpy(), lp[g.index], g["event"].to_numpy(),
                                np.ones(len(g))) for _, g in df.groupby("region")]
    correct, tied, pairs = (sum(p[i] for p in parts) for i in range(3))
    assert res.concordance == pytest.approx((correct + 0.5 * tied) / pairs, abs=1e-12)
    pooled = concordance_index(df["duration"].to_numpy(), lp, df["event"].to_numpy())
    assert res.concordance != pytest.approx(pooled, abs=1e-6)  # the strata matter here
