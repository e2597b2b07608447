"""Funnel limits against hand calculations (binomial quantiles by math.comb, Spiegelhalter's
overdispersion formulas written out)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from memberdesk.analysis.alerts.funnel import binomial_limit, dispersion, funnel_limits


def _pmf(k: int, n: int, p: float) -> float:
    """C(n, k) p^k (1 - p)^(n - k), in logs so that n = 5000 does not overflow."""
    return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(p) + (n - k) * math.log(1 - p))


def _cdf(r: int, n: int, p: float) -> float:
    return sum(_pmf(k, n, p) for k in range(r + 1)) if r >= 0 else 0.0


def _hand_limit(p0: float, n: int, q: float) -> float:
    """Spiegelhalter (2005) appendix A.1.1: r = min{r: F(r) >= q}, alpha = (F(r) - q) /
    (F(r) - F(r - 1)), limit = (r - alpha) / n."""
    r, f_below, f_r = 0, 0.0, _pmf(0, n, p0)
    while f_r < q:
        r += 1
        f_below, f_r = f_r, f_r + _pmf(r, n, p0)
    return max(0.0, (r - (f_r - q) / (f_r - f_below)) / n)


def test_upper_limit_worked_example() -> None:
    # Bin(20, 0.1): F(4) = 0.956826, F(5) = 0.988747, so r = 5 for q = 0.975 and
    # alpha = (0.988747 - 0.975) / (0.988747 - 0.956826) = 0.43066: limit = (5 - 0.43066)/20
    assert _cdf(4, 20, 0.1) == pytest.approx(0.956826, abs=1e-6)
    assert _cdf(5, 20, 0.1) == pytest.approx(0.988747, abs=1e-6)
    assert binomial_limit(0.1, 20, 0.975)[0] == pytest.approx((5 - 0.43066) / 20, abs=1e-5)


@pytest.mark.parametrize("p0", [0.03, 0.1, 0.5, 0.85])
@pytest.mark.parametrize("n", [10, 57, 200, 450])
@pytest.mark.parametrize("q", [0.001, 0.025, 0.975, 0.999])
def test_limits_match_hand_binomial_quantiles(p0: float, n: int, q: float) -> None:
    assert binomial_limit(p0, n, q)[0] == pytest.approx(_hand_limit(p0, n, q), abs=1e-9)


def test_levels_map_to_two_sided_quantiles_and_funnel_narrows() -> None:
    n = np.array([50, 200, 1000, 5000])
    lo95, hi95 = funnel_limits(0.05, n, 0.95)
    lo998, hi998 = funnel_limits(0.05, n, 0.998)
    for i, nn in enumerate(n):
        assert lo95[i] == pytest.approx(_hand_limit(0.05, int(nn), 0.025), abs=1e-9)
        assert hi998[i] == pytest.approx(_hand_limit(0.05, int(nn), 0.999), abs=1e-9)
    assert np.all(lo998 <= lo95) and np.all(hi998 >= hi95)
    assert np.all(np.diff(hi95) < 0) and np.all(np.diff(lo95[1:]) > 0)
    # large n: the exact limits approach the normal ones p0 +- 1.96 * sd
    sd = math.sqrt(0.05 * 0.95 / 5000)
    assert hi95[-1] == pytest.approx(0.05 + 1.959964 * sd, abs=0.0005)


UNITS_X = np.array([12.0, 30.0, 9.0, 60.0, 25.0, 41.0])
UNITS_N = np.array([400.0, 500.0, 300.0, 600.0, 450.0, 520.0])


def test_overdispersion_by_hand() -> None:
    p0 = UNITS_X.sum() / UNITS_N.sum()
    # z_i = (y_i - p0) / sqrt(p0 (1 - p0) / n_i); phi = mean z^2 (no winsorising here)
    z = [(x / n - p0) / math.sqrt(p0 * (1 - p0) / n) for x, n in zip(UNITS_X, UNITS_N)]
    phi = sum(v * v for v in z) / 6
    w = [n / (p0 * (1 - p0)) for n in UNITS_N]
    tau2 = (6 * phi - 5) / (sum(w) - sum(v * v for v in w) / sum(w))
    d = dispersion(UNITS_X, UNITS_N, p0, winsorize=0.0, min_units=5, mode="additive")
    assert d.phi == pytest.approx(phi) and d.tau2 == pytest.approx(tau2)
    assert d.threshold == pytest.approx(11.0705, abs=1e-4)  # chi-square 95 % quantile, 5 df
    assert 6 * phi > 11.0705 and d.method == "overdispersed_additive"
    lo, hi = funnel_limits(p0, [400.0], 0.95, d)
    half = 1.959964 * math.sqrt(p0 * (1 - p0) / 400 + tau2)
    assert (lo[0], hi[0]) == (pytest.approx(p0 - half, abs=1e-6), pytest.approx(p0 + half, abs=1e-6))
    m = dispersion(UNITS_X, UNITS_N, p0, winsorize=0.0, mode="multiplicative")
    lo, hi = funnel_limits(p0, [400.0], 0.95, m)
    assert hi[0] == pytest.approx(p0 + 1.959964 * math.sqrt(phi * p0 * (1 - p0) / 400), abs=1e-6)


def test_overdispersion_needs_enough_units_and_can_be_switched_off() -> None:
    p0 = UNITS_X.sum() / UNITS_N.sum()
    assert dispersion(UNITS_X, UNITS_N, p0, winsorize=0.0, min_units=7).method == "binomial"
    assert dispersion(UNITS_X, UNITS_N, p0, winsorize=0.0, mode="none").method == "binomial"
    # units drawn at one rate: not overdispersed
    n = np.full(8, 500.0)
    x = np.array([25.0, 22, 28, 24, 27, 26, 23, 25])
    assert dispersion(x, n, x.sum() / n.sum()).method == "binomial"


def test_winsorising_clips_z_at_the_percentiles() -> None:
    p0 = UNITS_X.sum() / UNITS_N.sum()
    z = (UNITS_X / UNITS_N - p0) / np.sqrt(p0 * (1 - p0) / UNITS_N)
    lo, hi = np.quantile(z, [0.1, 0.9])
    want = float(np.mean(np.clip(z, lo, hi) ** 2))
    assert dispersion(UNITS_X, UNITS_N, p0, winsorize=0.1).phi == pytest.approx(want)
