"""Hand-built books for the early-warning tests.

A book of policies issued every month from 2024-01 to 2026-11 through four channels
(agency, bank, broker, online) and two products, 150 policies per channel and month, as of
2026-11-30. Every policy draws, with a fixed seed:

* a free-look cancellation (surrendered 1-15 days after issue) with probability
  ``free_look`` (3 %), else
* a monthly lapse hazard of 1.5 % (lapsed, 80 %; surrendered, 20 %) from day 16 on, censored
  at the as-of date.

``jump=True`` raises broker's free-look probability to 15 % for the policies issued in the
three latest complete free-look cohort months (2026-08, 2026-09, 2026-10: a cohort month is
complete when its last day + 15 days is on or before the as-of date). ``branches`` adds a
``branch`` column with that many branches whose free-look probabilities are spread from 1 %
to 15 % (an overdispersed book).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-11-30")
CHANNELS = ("agency", "bank", "broker", "online")
JUMP_MONTHS = ("2026-08", "2026-09", "2026-10")


def make_book(*, jump: bool = False, per_cell: int = 150, seed: int = 0, branches: int = 0,
              base_free_look: float = 0.03) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.period_range("2024-01", "2026-11", freq="M")
    rows = []
    for m in months:
        for ch in CHANNELS:
            n = per_cell
            days = rng.integers(0, m.days_in_month, n)
            issue = m.to_timestamp() + pd.to_timedelta(days, unit="D")
            p_fl = np.full(n, base_free_look)
            if jump and ch == "broker" and str(m) in JUMP_MONTHS:
                p_fl[:] = 0.15
            branch = None
            if branches:
                branch = rng.integers(0, branches, n)
                p_fl = 0.01 + 0.14 * branch / max(branches - 1, 1)
            fl = rng.random(n) < p_fl
            fl_days = rng.integers(1, 16, n)
            lapse_months = rng.geometric(0.015, n)
            lapse_days = 16 + (lapse_months - 1) * 30 + rng.integers(0, 30, n)
            end = np.where(fl, issue + pd.to_timedelta(fl_days, unit="D"),
                           issue + pd.to_timedelta(lapse_days, unit="D"))
            end = pd.DatetimeIndex(end)
            status = np.where(fl, "surrendered", np.where(rng.random(n) < 0.8, "lapsed", "surrendered"))
            ended = end <= AS_OF
            frame = pd.DataFrame({
                "product": rng.choice(["term", "health"], n),
                "channel": ch,
                "issue_date": issue,
                "end_date": pd.Series(end).where(ended, pd.NaT).to_numpy(),
                "status": np.where(ended, status, "in_force"),
                "annual_premium": rng.choice([1200.0, 3600.0], n),
                "payment_frequency": "annual",
            })
            if branches:
                frame["branch"] = [f"B{b:02d}" for b in branch]
            rows.append(frame)
    book = pd.concat(rows, ignore_index=True)
    book = book[book["issue_date"] <= AS_OF].reset_index(drop=True)
    book.insert(0, "policy_id", [f"P{i:07d}" for i in range(len(book))])
    book.insert(1, "member_id", [f"M{i:07d}" for i in range(len(book))])
    book["status"] = book["status"].astype(object)
    return book


def dataset(policies: pd.DataFrame, **tables: pd.DataFrame):
    from memberdesk.core.dataset import Dataset

    return Dataset(validated={"policies": policies, **tables}, as_of=AS_OF)
