"""The risk-adjusted Bernoulli CUSUM against a worked example (Steiner et al. 2000)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from memberdesk.analysis.alerts.cusum import cusum_path, cusum_weights, signal_since


def test_worked_example() -> None:
    # R = 2, expected p = 0.1, 10 units a month with 1, 3, 0, 4 bad outcomes.
    # W = bad * ln 2 - 10 * ln(1 - 0.1 + 2 * 0.1) = bad * 0.693147 - 0.953102
    # month 1: 0.693147 - 0.953102 = -0.259955 -> S = 0
    # month 2: 2.079442 - 0.953102 =  1.126340 -> S = 1.126340
    # month 3:          - 0.953102             -> S = 0.173238
    # month 4: 2.772589 - 0.953102 =  1.819487 -> S = 1.992725
    w = cusum_weights([1, 3, 0, 4], 10, 0.1, 2.0)
    assert w == pytest.approx([-0.259955, 1.126340, -0.953102, 1.819487], abs=1e-6)
    assert cusum_path(w) == pytest.approx([0.0, 1.126340, 0.173238, 1.992725], abs=1e-6)


def test_aggregated_cells_equal_the_sum_of_unit_weights() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.02, 0.3, 500)            # each unit its own expected risk
    y = rng.random(500) < p
    unit = sum(yi * math.log(1.5) - math.log(1 - pi + 1.5 * pi) for yi, pi in zip(y, p))
    assert cusum_weights(y.astype(float), np.ones(500), p, 1.5).sum() == pytest.approx(unit)


def test_signal_since_is_the_start_of_the_current_run() -> None:
    path = np.array([0.0, 3.5, 2.0, 3.1, 4.0, 6.0])
    assert signal_since(path, 3.0) == 3
    assert signal_since(path, 5.0) == 5
    assert signal_since(np.array([4.0, 5.0]), 3.0) == 0
    assert signal_since(np.array([4.0, 1.0]), 3.0) is None


def test_empty_months_weigh_nothing() -> None:
    assert cusum_weights([0, 0], [0, 5], [0.2, 0.2], 2.0)[0] == 0.0
