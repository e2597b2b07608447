"""A small hand-worked book (as-of 2024-12-31) shared by the experience-analytics tests.

Every expected value in the tests is worked out by hand from the rows below; the comments in
each test show the arithmetic.
"""
from __future__ import annotations

import pandas as pd
import pytest

from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")
T = pd.Timestamp
NA = None


def _policies() -> pd.DataFrame:
    rows = [  # policy, member, product, issue, end, status, premium
        ("P1", "M1", "life", T("2022-01-15"), pd.NaT, "in_force", 1000.0),
        ("P2", "M1", "health", T("2023-03-01"), T("2024-06-30"), "lapsed", 2000.0),
        ("P3", "M2", "health", T("2024-02-01"), pd.NaT, "in_force", 500.0),
        ("P4", "M3", "life", T("2022-06-01"), T("2023-08-31"), "surrendered", 3000.0),
        ("P5", "M4", "life", T("2024-12-31"), pd.NaT, "in_force", 800.0),
        ("P6", "M5", "life", T("2021-01-01"), T("2024-03-31"), "death", 1500.0),
        ("P7", "M6", "life", T("2025-01-10"), pd.NaT, "in_force", 999.0),  # after as-of
    ]
    return pd.DataFrame(rows, columns=["policy_id", "member_id", "product", "issue_date",
                                       "end_date", "status", "annual_premium"])


def _members() -> pd.DataFrame:
    return pd.DataFrame({
        "member_id": ["M1", "M2", "M3", "M4", "M5", "M6", "M9"],
        "region": ["north", "south", "north", "south", "north", "south", "north"],
        "join_date": [T("2022-01-01"), T("2024-01-01"), T("2022-06-01"), T("2024-12-01"),
                      T("2021-01-01"), T("2025-01-10"), T("2020-01-01")],
    })


def _benefits() -> pd.DataFrame:
    rows = [
        ("M1", "checkup", T("2024-03-10"), 200.0),
        ("M1", "consult", T("2024-05-05"), 50.0),
        ("M2", "consult", T("2023-11-20"), 50.0),
        ("M5", "checkup", T("2024-01-15"), 200.0),
        ("M9", "consult", T("2024-07-01"), 50.0),  # no policy
    ]
    return pd.DataFrame(rows, columns=["member_id", "benefit", "used_at", "cost"])


def _contacts() -> pd.DataFrame:
    rows = [  # id, member, started, channel, handled_by, transferred, connected, wait, resolved, sat, topic
        ("C1", "M1", T("2024-01-05"), "app", "bot", False, NA, NA, True, 5.0, "billing"),
        ("C2", "M1", T("2024-02-05"), "app", "bot", True, True, 30.0, True, 4.0, "claims"),
        ("C3", NA, T("2024-03-05"), "web", "bot", False, NA, NA, False, 2.0, "billing"),
        ("C4", "M2", T("2024-04-05"), "phone", "human", False, False, 120.0, NA, NA, "claims"),
        ("C5", "M2", T("2024-05-05"), "phone", "human", NA, True, 60.0, True, 3.0, "claims"),
        ("C6", NA, T("2024-06-05"), "web", "bot", NA, NA, NA, True, NA, "billing"),
        ("C7", "M3", T("2023-06-01"), "app", "bot", False, NA, NA, True, 5.0, "billing"),
    ]
    frame = pd.DataFrame(rows, columns=["contact_id", "member_id", "started_at", "channel",
                                        "handled_by", "transferred_to_human", "connected",
                                        "wait_seconds", "resolved", "satisfaction", "topic"])
    for col in ("transferred_to_human", "connected", "resolved"):
        frame[col] = frame[col].astype("boolean")
    frame["wait_seconds"] = frame["wait_seconds"].astype(float)
    frame["satisfaction"] = frame["satisfaction"].astype(float)
    return frame


def _claims() -> pd.DataFrame:
    rows = [
        ("K1", "P1", "M1", T("2024-01-10"), T("2024-01-13"), "paid", 1000.0, 800.0),
        ("K2", "P3", "M2", T("2024-03-01"), T("2024-03-11"), "paid", 500.0, 500.0),
        ("K3", "P1", "M1", T("2024-06-01"), T("2024-07-01"), "declined", 2000.0, 0.0),
        ("K4", "P3", "M2", T("2024-12-01"), pd.NaT, "open", 300.0, float("nan")),
        ("K5", "P2", "M1", T("2023-05-01"), T("2023-05-21"), "paid", 400.0, 400.0),
    ]
    return pd.DataFrame(rows, columns=["claim_id", "policy_id", "member_id", "reported_at",
                                       "settled_at", "status", "amount_claimed", "amount_paid"])


def make_book(*tables: str) -> Dataset:
    builders = {"policies": _policies, "members": _members, "benefit_usage": _benefits,
                "service_contacts": _contacts, "claims": _claims}
    chosen = tables or tuple(builders)
    return Dataset(validated={t: builders[t]() for t in chosen}, as_of=AS_OF)


@pytest.fixture
def book() -> Dataset:
    return make_book()


@pytest.fixture(scope="session")
def books():
    """The factory: ``books("policies", "claims")`` builds a book with only those tables."""
    return make_book
