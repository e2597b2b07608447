"""fit_cox with a column of frequency weights is the fit of the repeated rows (the likelihood,
its derivatives, the PH test and the concordance count a row of weight w as w records), so an
engine's counts need not be repeated on the client (the Benefits page's users-vs-non-users HR)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cox import fit_cox


def _counts(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    frame = pd.DataFrame({"duration": rng.integers(1, 15, n).astype(float),
                          "event": rng.integers(0, 2, n).astype(np.int8),
                          "user": rng.integers(0, 2, n).astype(np.int8),
                          "channel": rng.choice(["agency", "bank", "online"], n)})
    counted = frame.groupby(list(frame.columns)).size().rename("count").reset_index()
    counted.loc[0, "count"] = 0  # a group that stands for nothing
    return counted


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("seed", [1, 2])
def test_weighted_counts_fit_as_the_repeated_rows(ties: str, seed: int) -> None:
    counted = _counts(seed)
    repeated = counted.loc[counted.index.repeat(counted["count"])].drop(columns="count")
    covariates = ["user", "channel"]
    a = fit_cox(counted, covariates, ties=ties, frequency_weights="count")
    b = fit_cox(repeated.reset_index(drop=True), covariates, ties=ties)
    assert a.n == b.n == int(counted["count"].sum())
    assert a.events == b.events
    cols = ["coef", "se", "hazard_ratio", "ci_lower", "ci_upper", "p_value"]
    np.testing.assert_allclose(a.coefficients[cols].to_numpy(), b.coefficients[cols].to_numpy(),
                               rtol=1e-9, atol=1e-12)
    assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-10)
    assert a.concordance == pytest.approx(b.concordance, rel=1e-10)
    np.testing.assert_allclose(a.ph_test["test_statistic"].to_numpy(), b.ph_test["test_statistic"].to_numpy(),
                               rtol=1e-8)


@pytest.mark.parametrize("bad", [-1.0, 1.5, np.nan])
def test_weights_are_whole_numbers(bad: float) -> None:
    counted = _counts(1).astype({"count": float})
    counted.loc[1, "count"] = bad
    with pytest.raises(ValueError):
        fit_cox(counted, ["user"], frequency_weights="count")
