"""The policy derivation rules, stated once: exit date, exit status, duration and event at the
as-of date (docs/conventions.md, "As-of date", "Durations", "Events").

Both the policies view (:attr:`memberdesk.core.dataset.Dataset.policies`) and the survival
frame's fast path (:func:`memberdesk.analysis.frames.survival_frame`, which skips building the
whole view) call :func:`derive_exits`; the warehouse engine states the same rules as Ibis
expressions (``memberdesk/core/engine/rules.py``), held equal by ``tests/engines``.

Rules, for policies already inside the window (issued on or before as-of):

* a policy is **terminated** when its end date is on or before the as-of date; a later end date
  counts as in force at as-of (censored there);
* its **exit status** is its status when terminated (``other`` when the row says ``in_force``
  but has ended: a termination of unknown kind), else ``in_force``; without a status column a
  terminated policy is ``lapsed``;
* its **duration** runs from issue to the end date when terminated, else to as-of, in whole
  days (``timedelta64[D]``) as floats;
* its **event** is 1 when the exit status is one of the event statuses (default lapsed,
  surrendered; ``in_force`` among them makes every censored policy an event).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT")


@dataclass(frozen=True)
class PolicyExits:
    """The derived columns of :func:`derive_exits`, one entry per policy.

    ``terminated``: bool; ``exit_date``: datetime64[ns] (NaT when in force at as-of);
    ``exit_status``: object (canonical status or ``in_force``); ``duration_days``: float days;
    ``event``: int8 0/1.
    """

    terminated: np.ndarray
    exit_date: np.ndarray
    exit_status: np.ndarray
    duration_days: np.ndarray
    event: np.ndarray


def derive_exits(issue: np.ndarray, end: np.ndarray | None, status: np.ndarray | None,
                 as_of: np.datetime64, event_statuses: Sequence[str]) -> PolicyExits:
    """Exit date, exit status, duration (days) and event of in-window policies at ``as_of``.

    Parameters
    ----------
    issue, end
        Issue and end dates as ``datetime64[ns]`` arrays (``end`` None: no end-date column).
    status
        Canonical statuses (object array), or None when the table has no status column.
    as_of
        The observation cut-off.
    event_statuses
        Exit statuses that count as the event.
    """
    n = len(issue)
    as_of64 = np.asarray(as_of).astype("datetime64[ns]")
    if end is None:
        end = np.full(n, NAT, dtype="datetime64[ns]")
        terminated = np.zeros(n, dtype=bool)
    else:
        end = np.asarray(end, dtype="datetime64[ns]")
        terminated = ~np.isnat(end) & (end <= as_of64)
    if status is None:
        status = np.full(n, "lapsed", dtype=object)
    # a copy with the censored rows overwritten: np.where on object arrays is ~4x slower
    exit_status = np.array(status, dtype=object, copy=True)
    exit_status[~terminated] = "in_force"
    exit_status[terminated & (status == "in_force")] = "other"
    stop = np.where(terminated, end, as_of64)
    duration = (stop - np.asarray(issue, dtype="datetime64[ns]")).astype("timedelta64[D]")
    # pandas' hash-table isin: numpy's compares every row with every event status
    event = pd.Series(exit_status, copy=False).isin(list(event_statuses)).to_numpy().astype(np.int8)
    return PolicyExits(terminated=terminated,
                       exit_date=np.where(terminated, end, NAT).astype("datetime64[ns]"),
                       exit_status=exit_status, duration_days=duration.astype(float), event=event)
