"""Fixtures for the actuarial tests: a six-policy book worked by hand and a random book."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2025-01-31")


def six_policy_frame() -> pd.DataFrame:
    """Six policies, as of 2025-01-31.

    ====  ==========  ==========  ===========  =======  ======  =======
    id    issue       end         status       premium  freq    channel
    ====  ==========  ==========  ===========  =======  ======  =======
    A     2020-02-29  2022-03-10  lapsed       1000     annual  agency   (29 February issue)
    B     2023-01-10  —           in_force     2000     annual  bank
    C     2023-01-05  2023-01-15  surrendered  1500     annual  agency   (free-look: 10 days)
    D     2023-03-20  —           in_force     5000     趸交     agency   (single premium)
    E     2023-02-14  2023-12-01  death        1200     monthly bank     (death)
    F     2023-06-30  2024-05-15  lapsed        800     annual  agency
    ====  ==========  ==========  ===========  =======  ======  =======
    """
    return pd.DataFrame({
        "policy_id": ["A", "B", "C", "D", "E", "F"],
        "issue_date": pd.to_datetime(["2020-02-29", "2023-01-10", "2023-01-05", "2023-03-20",
                                      "2023-02-14", "2023-06-30"]),
        "end_date": pd.to_datetime(["2022-03-10", None, "2023-01-15", None, "2023-12-01",
                                    "2024-05-15"]),
        "status": ["lapsed", "in_force", "surrendered", "in_force", "death", "lapsed"],
        "annual_premium": [1000.0, 2000.0, 1500.0, 5000.0, 1200.0, 800.0],
        "payment_frequency": ["annual", "annual", "annual", "趸交", "monthly", "annual"],
        "channel": ["agency", "bank", "agency", "agency", "bank", "agency"],
    })


@pytest.fixture
def six_book() -> Dataset:
    return Dataset(validated={"policies": six_policy_frame()}, as_of=AS_OF)


def random_policies(n: int, seed: int = 0, *, equal_premium: bool = False,
                    start: str = "2015-01-01", end: str = "2024-12-31") -> pd.DataFrame:
    """A random book: uniform issue dates, exponential times to exit, mixed statuses."""
    rng = np.random.default_rng(seed)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    issue = lo + pd.to_timedelta(rng.integers(0, (hi - lo).days + 1, n), unit="D")
    life = pd.to_timedelta(rng.exponential(900, n).astype(int), unit="D")
    end_date = pd.Series(issue + life).where(rng.random(n) < 0.7)
    status = np.where(end_date.isna(), "in_force",
                      rng.choice(["lapsed", "surrendered", "death", "matured", "other"], n,
                                 p=[0.5, 0.25, 0.1, 0.1, 0.05]))
    premium = np.full(n, 1000.0) if equal_premium else rng.gamma(2.0, 1500.0, n).round(2)
    return pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)],
        "issue_date": pd.DatetimeIndex(issue).normalize(),
        "end_date": end_date.to_numpy(),
        "status": status,
        "annual_premium": premium,
        "payment_frequency": rng.choice(["annual", "monthly", "single"], n, p=[0.6, 0.3, 0.1]),
        "channel": rng.choice(["agency", "bank", "online"], n),
    })


@pytest.fixture
def random_book() -> Dataset:
    return Dataset(validated={"policies": random_policies(3000)},
                   as_of=pd.Timestamp("2024-12-31"))


@pytest.fixture
def six_frame() -> pd.DataFrame:
    """The six-policy table (a fresh copy per test)."""
    return six_policy_frame()


@pytest.fixture
def make_policies():
    """``random_policies`` as a fixture (test modules do not import the conftest)."""
    return random_policies


@pytest.fixture
def book_csv(tmp_path, six_frame):
    """The six-policy book written as a policies CSV (ISO dates), for in-process CLI tests."""
    path = tmp_path / "policies.csv"
    frame = six_frame.copy()
    for col in ("issue_date", "end_date"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def write_extract_day(folder, day: str):
    """A ``service_contacts.csv`` in ``folder`` with one anonymous contact on ``day``: the book
    a CLI test reads then reaches its ``--as-of`` (an ``--as-of`` after the data's last date is
    capped there, issue 17 C.11), as a book extracted on that day does. Service contacts feed no
    policy analysis, so the hand-worked figures stay as they are."""
    path = folder / "service_contacts.csv"
    path.write_text("contact_id,member_id,started_at,channel,handled_by\n"
                    f"X1,,{day},phone,human\n", encoding="utf-8")
    return path


@pytest.fixture
def extract_day():
    """``write_extract_day`` as a fixture (test modules do not import the conftest)."""
    return write_extract_day
