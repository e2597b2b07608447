"""The optimised counting paths of the alerts engine equal plain reference computations
(issue 14, Speed): in-force member months by interval union and per-segment counts."""
from __future__ import annotations

import numpy as np

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.alerts.monitored import _in_force_months

NAT = np.datetime64("NaT")


def _reference_in_force(member, n_members, issue, exit_, first, n_months):
    """Plain definition: at each month end e, a member is in force when one of its policies
    was issued on or before e and has not exited on or before e (NaT exit = still in force)."""
    out = np.zeros((n_members, n_months), dtype=bool)
    for t in range(n_months):
        e = cal.month_end(np.array([first + t]))[0]
        for m, i, x in zip(member, issue, exit_):
            if m < 0 or np.isnat(i) or i > e:
                continue
            if np.isnat(x) or x > e:
                out[m, t] = True
    return out


def test_in_force_months_hand_built_book() -> None:
    d = np.datetime64
    first = int(cal.month_index(np.array([d("2024-01-15", "D")]))[0])   # 2024-01
    # member 0: one policy issued 2024-01-31 (the month end itself), exited 2024-03-31
    #           -> in force at the ends of Jan and Feb only (exit on the March end = out).
    # member 1: two overlapping policies, union Feb..May; plus a policy with NaT issue (never).
    # member 2: issued before the window, never exited -> every month.
    # member 3: exit before issue (bad data) -> never; policy of an unknown member (-1) ignored.
    # member 4: issued and exited in the same month -> never; issued after the window -> never.
    member = np.array([0, 1, 1, 1, 2, 3, -1, 4, 4])
    issue = np.array([d("2024-01-31"), d("2024-02-10"), d("2024-04-01"), NAT, d("2020-06-01"),
                      d("2024-03-01"), d("2024-01-01"), d("2024-02-02"), d("2024-09-01")],
                     dtype="datetime64[D]")
    exit_ = np.array([d("2024-03-31"), d("2024-04-15"), d("2024-06-01"), NAT, NAT,
                      d("2024-02-01"), NAT, d("2024-02-20"), NAT], dtype="datetime64[D]")
    got = _in_force_months(member, 5, issue, exit_, first, 6)                # Jan..Jun 2024
    hand = np.array([[1, 1, 0, 0, 0, 0],
                     [0, 1, 1, 1, 1, 0],
                     [1, 1, 1, 1, 1, 1],
                     [0, 0, 0, 0, 0, 0],
                     [0, 0, 0, 0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(got, hand)
    np.testing.assert_array_equal(got, _reference_in_force(member, 5, issue, exit_, first, 6))


def test_in_force_months_random_book_equals_reference() -> None:
    rng = np.random.default_rng(7)
    n = 400
    base = np.datetime64("2022-01-01")
    issue = base + rng.integers(0, 900, n).astype("timedelta64[D]")
    exit_ = issue + rng.integers(-30, 500, n).astype("timedelta64[D]")
    exit_[rng.random(n) < 0.3] = NAT
    issue[rng.random(n) < 0.05] = NAT
    member = rng.integers(-1, 120, n)
    first = int(cal.month_index(np.array([np.datetime64("2022-07-01")]))[0])
    got = _in_force_months(member, 120, issue, exit_, first, 18)
    np.testing.assert_array_equal(got, _reference_in_force(member, 120, issue, exit_, first, 18))
    assert got.any() and not got.all()


def test_count_by_segment_risk_and_month_equals_plain_loops() -> None:
    """_count's single unweighted bincount (flag as the key's lowest digit, risk/month part
    cached across columns) equals counting unit by unit."""
    from memberdesk.analysis.alerts.engine import _count, _Units

    rng = np.random.default_rng(3)
    n_rows, n_months = 300, 5
    row = np.sort(rng.integers(0, n_rows, 900))                 # rows may repeat (members)
    month = rng.integers(0, n_months, 900)
    x = (rng.random(900) < 0.3).astype(float)
    units = _Units(row.astype(np.int64), month.astype(np.int64), x, 600, n_months)
    risk = (rng.integers(0, 3, n_rows).astype(np.int64), 3)
    tails: dict = {}
    for n_levels in (4, 7):                                      # two columns share the tails
        codes = rng.integers(0, n_levels, n_rows).astype(np.int64)
        for good in ("down", "up"):
            c = _count(units, codes, n_levels, risk, good, 2.0, tails)
            n_ref = np.zeros((n_levels, 3, n_months))
            x_ref = np.zeros((n_levels, 3, n_months))
            for r, m, flag in zip(row, month, x):
                n_ref[codes[r], risk[0][r], m] += 1
                x_ref[codes[r], risk[0][r], m] += flag
            bad_ref = x_ref if good == "down" else n_ref - x_ref
            p = bad_ref.sum(axis=0) / np.maximum(n_ref.sum(axis=0), 1)
            np.testing.assert_array_equal(c.n, n_ref.sum(axis=1))
            np.testing.assert_array_equal(c.x, x_ref.sum(axis=1))
            np.testing.assert_array_equal(c.bad, bad_ref.sum(axis=1))
            np.testing.assert_allclose(c.expected_bad, (n_ref * p[None]).sum(axis=1))
            np.testing.assert_array_equal(c.months, np.arange(600, 600 + n_months))
