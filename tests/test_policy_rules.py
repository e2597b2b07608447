"""The policy derivation rules stated once (memberdesk.core.policy_rules), worked by hand, and
used by both the policies view and the survival frame's fast path."""
from __future__ import annotations

import inspect

import numpy as np

from memberdesk.analysis import frames
from memberdesk.core import dataset
from memberdesk.core.policy_rules import derive_exits


def _d(*texts: str | None) -> np.ndarray:
    return np.array([np.datetime64(t) if t else np.datetime64("NaT") for t in texts],
                    dtype="datetime64[ns]")


def test_rules_by_hand() -> None:
    as_of = np.datetime64("2024-12-31")
    issue = _d("2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01", "2024-06-30")
    end = _d("2024-03-01", "2025-02-01", None, "2024-12-31", "2024-07-10")
    status = np.array(["lapsed", "surrendered", "in_force", "in_force", "death"], dtype=object)
    got = derive_exits(issue, end, status, as_of, ("lapsed", "surrendered"))
    # 1: ended 2024-03-01 (before as-of) as lapsed: 60 days (Jan 31 + Feb 29 in 2024), event.
    # 2: ends after as-of: in force at as-of, censored at 2024-12-31: 365 days, no event.
    # 3: no end date: in force, 365 days.  4: ends on as-of but marked in force: 'other', 365.
    # 5: death on 2024-07-10: 10 days, censored (not a voluntary exit).
    assert got.exit_status.tolist() == ["lapsed", "in_force", "in_force", "other", "death"]
    assert got.duration_days.tolist() == [60.0, 365.0, 365.0, 365.0, 10.0]
    assert got.event.tolist() == [1, 0, 0, 0, 0]
    assert got.terminated.tolist() == [True, False, False, True, True]
    assert np.isnat(got.exit_date).tolist() == [False, True, True, False, False]


def test_no_status_column_means_lapsed_and_in_force_may_be_the_event() -> None:
    as_of = np.datetime64("2024-12-31")
    issue = _d("2024-01-01", "2024-01-01")
    end = _d("2024-01-11", None)
    got = derive_exits(issue, end, None, as_of, ("lapsed",))
    assert got.exit_status.tolist() == ["lapsed", "in_force"] and got.event.tolist() == [1, 0]
    got = derive_exits(issue, None, None, as_of, ("in_force",))
    assert got.event.tolist() == [1, 1] and got.duration_days.tolist() == [365.0, 365.0]


def test_both_paths_call_the_one_definition() -> None:
    assert "derive_exits(" in inspect.getsource(dataset.Dataset.policies.func)
    assert "derive_exits(" in inspect.getsource(frames._direct_policy_frame)
    assert "__dict__" not in inspect.getsource(frames)
