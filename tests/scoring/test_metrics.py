"""Validation metrics against hand calculations (written out below) and lifelines."""
from __future__ import annotations

import numpy as np
import pytest
from lifelines.utils import concordance_index as lifelines_c

from memberdesk.analysis.scoring import validation as v

H = 12.0
# A tiny validation window (h = 12 months): time, voluntary exit, score.
#   row  T   exit  risk
#   1    2   1     0.9
#   2    4   0     0.5   competing exit (death) at 4: censored
#   3    6   1     0.7
#   4    12  0     0.3   in force at 12
#   5    12  0     0.8   in force at 12
#   6    8   1     0.4
TIME = np.array([2.0, 4.0, 6.0, 12.0, 12.0, 8.0])
EVENT = np.array([1, 0, 1, 0, 0, 1])
RISK = np.array([0.9, 0.5, 0.7, 0.3, 0.8, 0.4])
# Censoring Kaplan-Meier: one censoring (row 2 at 4) with 5 at risk -> G = 1 before 4, 0.8 from 4.


def test_harrell_c_hand_and_lifelines() -> None:
    # comparable pairs (shorter time ended in an exit): row 1 vs 5 later rows (all lower:
    # 5 concordant), row 3 vs rows 4, 5, 6 (0.3 and 0.4 lower: 2), row 6 vs rows 4, 5 (1)
    assert v.evaluate(TIME, EVENT, RISK, np.tile(RISK[:, None], v.BRIER_POINTS), H).c_index \
        == pytest.approx(8 / 10)
    assert lifelines_c(TIME, -RISK, EVENT) == pytest.approx(8 / 10)


def test_uno_c_hand() -> None:
    # weights G(T_i-)^-2: row 1 -> 1, rows 3 and 6 -> 1 / 0.8^2 = 1.5625
    # numerator 1*5 + 1.5625*2 + 1.5625*1, denominator 1*5 + 1.5625*3 + 1.5625*2
    expected = (5 + 1.5625 * 3) / (5 + 1.5625 * 5)
    assert v.uno_c(TIME, EVENT, RISK, H) == pytest.approx(expected)
    # without censoring Uno's C is Harrell's C
    no_cens = EVENT.copy()
    t2 = TIME.copy()
    t2[1] = 12.0
    assert v.uno_c(t2, no_cens, RISK, H) == pytest.approx(lifelines_c(t2, -RISK, no_cens))


def test_time_dependent_auc_hand() -> None:
    # cases rows 1, 3, 6 weighted 1/G(T-) = 1, 1.25, 1.25; controls rows 4 (0.3), 5 (0.8)
    # row 1 beats both, row 3 beats 0.3, row 6 beats 0.3 -> (2 + 1.25 + 1.25) / (3.5 * 2)
    assert v.time_dependent_auc(TIME, EVENT, RISK, H) == pytest.approx(4.5 / 7)


def test_brier_hand() -> None:
    p = RISK
    # at 12: exits (1-p)^2/G(T-): 0.01/1 + 0.09/0.8 + 0.36/0.8; alive p^2/G(12): (0.09 + 0.64)/0.8
    assert v.brier(TIME, EVENT, p, 12.0, H) == pytest.approx(
        (0.01 + 0.09 / 0.8 + 0.36 / 0.8 + 0.73 / 0.8) / 6)
    # at 5: exit by 5 only row 1; alive after 5: rows 3, 4, 5, 6 over G(5) = 0.8; row 2 is 0
    assert v.brier(TIME, EVENT, p, 5.0, H) == pytest.approx(
        (0.01 + (0.49 + 0.09 + 0.64 + 0.16) / 0.8) / 6)


def test_integrated_brier_of_a_constant_curve_is_the_trapezoid() -> None:
    curve = np.tile(RISK[:, None], v.BRIER_POINTS)
    grid = v.brier_grid(H)
    bs = [v.brier(TIME, EVENT, RISK, float(u), H) for u in grid]
    expected = np.trapezoid(np.r_[0.0, bs], np.r_[0.0, grid]) / H
    assert v.integrated_brier(TIME, EVENT, curve, H) == pytest.approx(expected)


def test_later_counts_match_brute_force_with_ties() -> None:
    rng = np.random.default_rng(0)
    n = 400
    time = rng.integers(1, 30, n).astype(float)
    risk = rng.integers(0, 15, n).astype(float)
    query = np.flatnonzero(rng.random(n) < 0.3)
    later, lower, tied = v._later_counts(time, risk, query)
    for k, i in enumerate(query):
        after = time > time[i]
        assert later[k] == after.sum()
        assert lower[k] == (after & (risk < risk[i])).sum()
        assert tied[k] == (after & (risk == risk[i])).sum()


def _bernoulli_window(p: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    event = (rng.random(p.size) < p).astype(int)
    time = np.where(event == 1, rng.uniform(0.01, H, p.size), H)
    return time, event


def test_calibration_ici_small_when_calibrated_large_when_not() -> None:
    p = np.random.default_rng(1).uniform(0.01, 0.3, 200_000)
    time, event = _bernoulli_window(p, 2)
    cal = v.calibration_table(time, event, p, H)
    # observed (KM, no censoring = the share) within 1.5 points of the mean prediction
    assert np.abs(cal["observed"] - cal["predicted"]).max() < 0.015
    assert cal["decile"].tolist() == list(range(1, 11))
    assert cal["predicted"].is_monotonic_decreasing           # decile 1 = highest risk
    ici, e50 = v.ici_e50(p, cal)
    assert ici < 0.005 and e50 < 0.005
    ici_off, _ = v.ici_e50(p * 1.5, v.calibration_table(time, event, p * 1.5, H))
    # predictions 1.5x too high: |1.5p - p| = 0.5p, mean 0.5 * 0.155
    assert ici_off == pytest.approx(0.5 * 0.155, abs=0.01)


def test_capture_and_lift_hand() -> None:
    # 20 policies ranked by score; exits at ranks 1, 5 and 12; top decile = ranks 1-2
    p = np.linspace(0.9, 0.05, 20)
    event = np.zeros(20, dtype=int)
    event[[0, 4, 11]] = 1
    time = np.where(event == 1, 3.0, H)
    m = v.evaluate(time, event, p, np.tile(p[:, None], v.BRIER_POINTS), H)
    assert m.top_decile_capture == pytest.approx(1 / 3)
    assert m.top_decile_lift == pytest.approx((1 / 3) / 0.1)
    # gain curve: 25% contacted (5 policies) finds 2 of 3
    assert m.gain.set_index("percent").loc[25, "captured"] == pytest.approx(2 / 3)
