"""Survival at a time beyond follow-up is blank, with the last time observed (issue 17 C.11).

Hand truth: durations 5, 10, 20, 30 (events at 5 and 20, censored at 10 and 30). At t = 12
two are at risk and S = 3/4; at t = 40 nobody is at risk: the estimate is undefined (R's
summary(survfit, times = 40) drops the row), so survival/CI are NaN and the last time is 30."""
from __future__ import annotations

import math

import pandas as pd

from memberdesk.analysis.survival import km_by_segment


def test_beyond_follow_up_is_blank_with_last_time() -> None:
    frame = pd.DataFrame({"duration": [5.0, 10.0, 20.0, 30.0], "event": [1, 0, 1, 0]})
    table = km_by_segment(frame, unit="days", times=(12.0, 40.0)).survival_at_times
    at12, at40 = table.iloc[0], table.iloc[1]
    assert abs(at12["survival"] - 0.75) < 1e-12 and not at12["beyond_follow_up"]
    assert math.isnan(at40["survival"]) and math.isnan(at40["ci_lower"])
    assert bool(at40["beyond_follow_up"]) and at40["last_time"] == 30.0 and at40["at_risk"] == 0
