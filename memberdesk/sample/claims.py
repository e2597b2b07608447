"""Claims of the synthetic sample book, drawn from the simulated policy histories.

* medical (百万医疗): hospital claims at ``MEDICAL_CLAIM_RATE`` per in-force policy-month (higher
  with age), amount lognormal around 4,000 yuan capped at the sum assured, 86% paid at 55-100%
  of the amount claimed, the rest declined;
* critical illness (重疾险): at most one diagnosis per policy at an age-rising incidence, claimed
  amount = sum assured;
* death: each policy ended by death on a term life, whole life or critical illness product gives
  a claim for the sum assured.

Claims are reported 0-60 days after the event (claims not yet reported by ``end`` are left out).
Settlement takes mostly 1-30 days (lognormal, median 6 days for paid, 12 for declined); a claim
not settled by ``end`` is ``open`` with empty ``settled_at`` and ``amount_paid``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from memberdesk.sample import catalog as cat
from memberdesk.sample.simulation import DEATH, NO_DAY, PENDING, Book

LIFE_TYPES = ("term life", "whole life", "critical illness")


def _uniform_day(rng: np.random.Generator, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """A day drawn uniformly in [start, stop] (both inclusive) for each pair."""
    return np.asarray(start + np.floor(rng.random(len(start)) * (stop - start + 1)).astype(np.int64))


def draw_claims(rng: np.random.Generator, book: Book) -> pd.DataFrame:
    """The claims table with day numbers (``reported_day``, ``settled_day`` = NO_DAY when open),
    ``policy`` (row index into the book's policies) and ``member`` (member index)."""
    end = book.calendar.end_day
    issued = book.pol_status != PENDING
    stop = np.where(book.pol_end != NO_DAY, book.pol_end, end)
    ptype = np.array([p.product_type for p in cat.PRODUCTS])[book.pol_product]
    age = (book.pol_issue - book.member_birth[book.pol_member]) / 365.25
    months = np.maximum(stop - book.pol_issue, 0) / (365.25 / 12)

    parts = []
    # medical claims: several per policy possible, event days uniform over the in-force period
    med = np.flatnonzero(issued & (ptype == "medical"))
    rate = cat.MEDICAL_CLAIM_RATE * np.exp(0.03 * (age[med] - 40.0)) * months[med]
    count = rng.poisson(rate)
    pol = np.repeat(med, count)
    event = _uniform_day(rng, book.pol_issue[pol], stop[pol])
    claimed = np.minimum(np.round(4_000.0 * rng.lognormal(0.0, 0.9, len(pol)), 2),
                         book.pol_sum_assured[pol])
    parts.append((pol, event, claimed, 0.86, rng.uniform(0.55, 1.0, len(pol))))

    # critical illness: one diagnosis at most
    ci = np.flatnonzero(issued & (ptype == "critical illness") & (book.pol_status != DEATH))
    incidence = cat.CRITICAL_ILLNESS_RATE_40 * np.exp(0.08 * (age[ci] - 40.0))   # per year
    p_diag = 1.0 - np.exp(-incidence * months[ci] / 12)
    pol = ci[rng.random(len(ci)) < p_diag]
    event = _uniform_day(rng, book.pol_issue[pol], stop[pol])
    parts.append((pol, event, book.pol_sum_assured[pol], 0.90, np.ones(len(pol))))

    # death claims on life cover
    pol = np.flatnonzero((book.pol_status == DEATH) & np.isin(ptype, LIFE_TYPES))
    parts.append((pol, book.pol_end[pol], book.pol_sum_assured[pol], 0.96, np.ones(len(pol))))

    policy = np.concatenate([p[0] for p in parts])
    event = np.concatenate([p[1] for p in parts])
    claimed = np.concatenate([p[2] for p in parts]).astype(float)
    p_paid = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    share = np.concatenate([p[4] for p in parts])

    reported = event + np.minimum(rng.geometric(0.12, len(policy)) - 1, 60)
    paid = rng.random(len(policy)) < p_paid
    median = np.where(paid, 6.0, 12.0)
    delay = np.clip(np.round(median * rng.lognormal(0.0, 0.75, len(policy))), 1, 180).astype(np.int64)
    settled = reported + delay
    is_open = settled > end
    status = np.where(is_open, "open", np.where(paid, "paid", "declined"))
    amount_paid = np.where(is_open, np.nan, np.where(paid, np.round(claimed * share, 2), 0.0))
    frame = pd.DataFrame({
        "policy": policy, "member": book.pol_member[policy], "reported_day": reported,
        "settled_day": np.where(is_open, NO_DAY, settled), "status": status,
        "amount_claimed": claimed, "amount_paid": amount_paid,
    })
    frame = frame[frame["reported_day"] <= end]
    return frame.sort_values(["reported_day", "policy"], kind="stable").reset_index(drop=True)
