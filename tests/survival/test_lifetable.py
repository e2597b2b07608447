"""Life-table (actuarial, SAS METHOD=LT) estimates: a hand-worked table, properties."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.lifetable import life_table, life_table_by_segment
from memberdesk.core.errors import AnalysisError


def test_hand_worked_life_table() -> None:
    # durations 2, 3, 3+, 5, 7+, 9, 12+, 14 (+ = censored); intervals [0,4) [4,8) [8,12) [12,inf)
    #  interval  entering  d  w  n' = n - w/2   q = d/n'        S at start
    #  [0, 4)       8      2  1     7.5         2/7.5           1
    #  [4, 8)       5      1  1     4.5         1/4.5           1 - 2/7.5        = 0.7333333
    #  [8, 12)      3      1  0     3           1/3             0.7333333 * 3.5/4.5 = 0.5703704
    #  [12, inf)    2      1  1     1.5         1/1.5           0.5703704 * 2/3  = 0.3802469
    # se(S) at [4,8): 0.7333333 * sqrt((2/7.5) / (7.5 * 5.5/7.5)) = 0.7333333 * sqrt(2/41.25)
    #               = 0.1614747
    # hazard [0,4): d / (h (n' - d/2)) = 2 / (4 * 6.5) = 0.0769231; density S q / h = 0.0666667
    t = life_table([2, 3, 3, 5, 7, 9, 12, 14], [1, 1, 0, 1, 0, 1, 0, 1], [0, 4, 8, 12])
    np.testing.assert_array_equal(t["from"], [0, 4, 8, 12])
    np.testing.assert_array_equal(t["to"], [4, 8, 12, np.inf])
    np.testing.assert_array_equal(t["entering"], [8, 5, 3, 2])
    np.testing.assert_array_equal(t["events"], [2, 1, 1, 1])
    np.testing.assert_array_equal(t["censored"], [1, 1, 0, 1])
    np.testing.assert_allclose(t["effective"], [7.5, 4.5, 3, 1.5])
    np.testing.assert_allclose(t["conditional_failure"], [2 / 7.5, 1 / 4.5, 1 / 3, 1 / 1.5])
    np.testing.assert_allclose(t["survival"], [1, 0.7333333, 0.5703704, 0.3802469], atol=1e-7)
    assert t["survival_se"][0] == 0.0
    assert t["survival_se"][1] == pytest.approx(0.1614747, abs=1e-7)
    assert t["hazard"][0] == pytest.approx(2 / 26)
    assert t["density"][0] == pytest.approx(2 / 7.5 / 4)
    assert np.isnan(t["hazard"].iloc[-1]) and np.isnan(t["density"].iloc[-1])


def test_event_on_a_break_belongs_to_the_next_interval_and_breaks_need_not_start_at_zero() -> None:
    t = life_table([4.0, 4.0, 1.0], [1, 1, 1], [4])
    np.testing.assert_array_equal(t["from"], [0, 4])
    np.testing.assert_array_equal(t["events"], [1, 2])


def test_without_censoring_survival_is_the_empirical_share_and_by_segment(generic_frame: pd.DataFrame) -> None:
    d = np.arange(1.0, 11.0)
    t = life_table(d, np.ones(10), [0, 2.5, 5, 7.5])
    # no withdrawals: S at the start of [5, 7.5) = share with duration >= 5 = 6/10
    assert t.loc[t["from"] == 5, "survival"].item() == pytest.approx(0.6)
    res = life_table_by_segment(generic_frame, "group", breaks=[0, 5, 10], unit="days")
    assert list(res.table["group"].unique()) == ["x", "y"]
    assert res.table.groupby("group")["entering"].first().sum() == len(generic_frame)
    with pytest.raises(AnalysisError, match="breaks"):
        life_table([1.0], [1], [-1, 2])
