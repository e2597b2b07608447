"""Premium payments (缴费记录) of the sample book: one row per instalment of each regular-premium
policy, from its issue date to its end (or the book's end).

Model (assumptions, not data):
* the simulation has annual, monthly and single-premium payers; :func:`quarterly_payers` makes
  30% of the annual payers quarterly payers (their lapses stay at anniversaries, which are
  quarterly due dates too);
* annual payers owe the annual premium on each anniversary, quarterly payers a quarter of it
  every 3 months, monthly payers 1/12 of it on each monthiversary (``issue %m+% k`` months,
  clipped to the month's end); single-premium policies have no instalment rows (their one
  premium is on the policy);
* in force, surrendered, death and matured policies pay every instalment due up to their end:
  ~91% on or before the due date (0-10 days early or 0-5 days late), ~6.5% late within the
  60-day grace period (a cure), ~1.5% after the grace period, ~1% of instalments paid in two
  parts (half on time, half within the grace period) — written as two rows;
* a lapsed policy stops paying: its instalments due in the 60 days before its end date (at
  least the last one) are unpaid, earlier ones are paid as above;
* a payment dated after the book's end is not yet made (empty paid date).

The draws use their own generators (``default_rng([seed, 16])`` for payments, ``[seed, 17]``
for quarterly payers) so the other tables of a book do not change when this model does.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from memberdesk.core.calendar import add_months

GRACE_DAYS = 60
_STEP_MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}
QUARTERLY_SHARE = 0.3


def quarterly_payers(policies: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``policies`` with :data:`QUARTERLY_SHARE` of the annual payers paying quarterly."""
    rng = np.random.default_rng([seed, 17])
    freq = policies["payment_frequency"].to_numpy(dtype=object).copy()
    annual = freq == "annual"
    freq[annual & (rng.random(len(freq)) < QUARTERLY_SHARE)] = "quarterly"
    return policies.assign(payment_frequency=pd.Series(freq, index=policies.index, dtype=object))


def premium_payments(policies: pd.DataFrame, seed: int, end: date) -> pd.DataFrame:
    """The premium_payments table of a sample book's policies (canonical columns, due-date
    order within policy id order)."""
    rng = np.random.default_rng([seed, 16])
    end_day = np.datetime64(end, "D")
    freq = policies["payment_frequency"].to_numpy(dtype=object)
    regular = np.flatnonzero(np.isin(freq, list(_STEP_MONTHS)))
    issue = policies["issue_date"].to_numpy().astype("datetime64[D]")[regular]
    stop = policies["end_date"].to_numpy().astype("datetime64[D]")[regular]
    stop = np.where(np.isnat(stop), end_day, stop)
    step = np.array([_STEP_MONTHS[f] for f in freq[regular]], dtype=np.int64)
    months = _months_between(issue, stop)
    n_due = months // step + 1
    pol = np.repeat(np.arange(len(regular)), n_due)
    k = np.arange(len(pol)) - np.repeat(np.cumsum(n_due) - n_due, n_due)
    due = add_months(issue[pol], k * step[pol])
    inside = due <= stop[pol]
    pol, k, due = pol[inside], k[inside], due[inside]
    premium = policies["annual_premium"].to_numpy(dtype=float)[regular]
    amount = np.round(premium[pol] * step[pol] / 12.0, 2)
    status = policies["status"].to_numpy(dtype=object)[regular][pol]
    last_due = np.r_[pol[1:] != pol[:-1], True]
    lapse_unpaid = (status == "lapsed") & (last_due | (due > stop[pol] - GRACE_DAYS))

    u = rng.random(len(pol))
    lag = np.where(u < 0.91, rng.integers(-10, 6, len(pol)),
                   np.where(u < 0.975, rng.integers(6, GRACE_DAYS + 1, len(pol)),
                            rng.integers(GRACE_DAYS + 1, 121, len(pol))))
    paid = due + lag.astype("timedelta64[D]")
    paid = np.where(lapse_unpaid | (paid > end_day), np.datetime64("NaT"), paid)
    split = (rng.random(len(pol)) < 0.01) & ~lapse_unpaid
    cure = due + rng.integers(6, GRACE_DAYS + 1, len(pol)).astype("timedelta64[D]")
    cure = np.where(cure > end_day, np.datetime64("NaT"), cure)

    first_half = np.round(amount / 2.0, 2)
    rows_pol = np.r_[pol, pol[split]]
    rows_due = np.r_[due, due[split]]
    rows_paid = np.r_[np.where(split, due, paid), cure[split]]
    rows_amount = np.r_[np.where(split, first_half, amount), (amount - first_half)[split]]
    order = np.lexsort((np.r_[np.zeros(len(pol)), np.ones(int(split.sum()))], rows_due, rows_pol))
    ids = policies["policy_id"].to_numpy(dtype=object)[regular]
    return pd.DataFrame({
        "policy_id": pd.Series(ids[rows_pol[order]], dtype=object),
        "due_date": pd.Series(rows_due[order].astype("datetime64[ns]")),
        "paid_date": pd.Series(rows_paid[order].astype("datetime64[ns]")),
        "amount": rows_amount[order].astype(float),
    })


def _months_between(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``first``'s month to ``last``'s month (≥ 0)."""
    months = last.astype("datetime64[M]").astype(np.int64) - first.astype("datetime64[M]").astype(np.int64)
    return np.maximum(months, 0)
