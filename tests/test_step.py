"""The one step-function lookup (memberdesk/analysis/step.py): value at the last point <= t."""
from __future__ import annotations

import numpy as np

from memberdesk.analysis.step import step_index, step_value, step_values


def test_right_continuous_steps() -> None:
    timeline = [0.0, 2.0, 5.0]
    values = [1.0, 0.8, 0.5]
    # before the first point: `before`; at a point: that point's value (right-continuous);
    # between points: the earlier point's value; past the end: the last value
    np.testing.assert_array_equal(step_values(timeline, values, [-1, 0, 1.99, 2, 4.9, 5, 99], 1.0),
                                  [1.0, 1.0, 1.0, 0.8, 0.8, 0.5, 0.5])
    np.testing.assert_array_equal(step_index(timeline, [-1, 0, 2.5, 7]), [-1, 0, 1, 2])
    assert step_value([3.0], [0.25], 2.0, before=0.0) == 0.0
    assert step_values([], [], [1.0], before=1.0).tolist() == [1.0]
