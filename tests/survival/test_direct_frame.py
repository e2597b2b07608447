"""survival_frame's direct path (durations and events straight from the validated policies,
without the Dataset.policies view) gives exactly the frame the view gives. The view is the
independent reference: building ``ds.policies`` first makes survival_frame use it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.frames import survival_frame
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.errors import AnalysisError

AS_OF = pd.Timestamp("2024-12-31")


def _policies(with_end: bool = True, with_status: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    issue = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2900, n), unit="D")
    end = (issue + pd.to_timedelta(rng.integers(1, 2500, n), unit="D")).to_numpy()
    end[rng.random(n) < 0.3] = np.datetime64("NaT")
    status = rng.choice(["in_force", "lapsed", "surrendered", "death", "matured"], n)
    frame = pd.DataFrame({"policy_id": [f"P{i}" for i in range(n)],
                          "channel": rng.choice(["agency", "broker", None], n).astype(object),
                          "issue_date": issue, "premium": rng.gamma(2.0, 100.0, n)})
    if with_end:
        frame["end_date"] = end  # some after as-of (censored), some in force with an end (other)
    if with_status:
        frame["status"] = status.astype(object)
    return frame


def _both(ds: Dataset, unit: str, columns: tuple[str | None, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    direct = survival_frame(ds, unit=unit, columns=columns)
    again = Dataset(validated=ds.validated, as_of=ds.as_of, event_statuses=ds.event_statuses)
    assert again.policies is not None  # built first: survival_frame now reads the view
    return direct, survival_frame(again, unit=unit, columns=columns)


@pytest.mark.parametrize("unit", ["months", "days"])
@pytest.mark.parametrize("events", [("lapsed", "surrendered"), ("death",), ("in_force", "other")])
@pytest.mark.parametrize("shape", [(True, True), (False, True), (True, False)])
def test_direct_frame_equals_the_policies_view(unit: str, events: tuple[str, ...],
                                               shape: tuple[bool, bool]) -> None:
    ds = Dataset(validated={"policies": _policies(*shape)}, as_of=AS_OF, event_statuses=events)
    direct, view = _both(ds, unit, ("channel", None, "premium"))
    assert "policies" not in ds.__dict__  # the direct path did not build the view
    pd.testing.assert_frame_equal(direct, view)


def test_window_and_hand_values() -> None:
    frame = pd.DataFrame({
        "policy_id": ["a", "b", "c", "d"], "channel": ["x", "y", "x", "y"],
        "issue_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-03-01", "2024-12-01"]),
        "end_date": pd.to_datetime(["2024-01-31", None, None, "2024-12-11"]),
        "status": ["lapsed", "in_force", "in_force", "in_force"]})
    ds = Dataset(validated={"policies": frame}, as_of=AS_OF)
    out = survival_frame(ds, unit="days", columns=("channel",))
    # c is issued after as-of (out of the window); a lapsed after 30 days (event); b is
    # censored at as-of (213 days); d ended on 12-11 while marked in force: "other", no event
    assert out["duration"].tolist() == [30.0, 213.0, 10.0]
    assert out["event"].tolist() == [1, 0, 0]
    assert out["channel"].tolist() == ["x", "y", "y"]


def test_view_needed_falls_back() -> None:
    ds = Dataset(validated={"policies": _policies()}, as_of=AS_OF,
                 filters=Filters(channel=("agency",)))
    out = survival_frame(ds, unit="months", columns=("channel",))
    assert set(out["channel"]) == {"agency"}  # filtered: the view path
    plain = Dataset(validated={"policies": _policies()}, as_of=AS_OF)
    with pytest.raises(AnalysisError, match="unknown column 'nope'"):
        survival_frame(plain, columns=("nope",))
    derived = survival_frame(plain, columns=("issue_year",))  # only the view has it
    assert derived["issue_year"].notna().all() and "policies" in plain.__dict__
