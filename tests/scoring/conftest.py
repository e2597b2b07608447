"""Shared books for the scoring tests: the sample generator's book (its true lapse hazard is
known: :mod:`memberdesk.sample.simulation`), fixed seed, built and scored once per session."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.scoring.score import ScoringResult, run_scoring
from memberdesk.core.dataset import Dataset
from memberdesk.sample import generate_book

END = date(2026, 6, 30)
MEMBERS = 20_000


@pytest.fixture(scope="session")
def book() -> dict[str, pd.DataFrame]:
    return generate_book(members=MEMBERS, seed=0, end=END)


@pytest.fixture(scope="session")
def dataset(book: dict[str, pd.DataFrame]) -> Dataset:
    return Dataset(validated=book, as_of=pd.Timestamp(END))


@pytest.fixture(scope="session")
def scored(dataset: Dataset) -> ScoringResult:
    """The whole pipeline, 12 months, auto model choice."""
    return run_scoring(dataset, 12, "auto")


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory,
               book: dict[str, pd.DataFrame]) -> str:
    """The book written as CSV files (for the CLI)."""
    folder = tmp_path_factory.mktemp("book")
    for name, frame in book.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return str(folder)


def as_known_at(book: dict[str, pd.DataFrame], t: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The book as it would have been loaded on ``t``: rows dated after t deleted, endings
    after t undone (in force), claims settled after t open again."""
    pol = book["policies"]
    pol = pol[pol["issue_date"] <= t].copy()
    later = pol["end_date"] > t
    pol.loc[later, "end_date"] = pd.NaT
    pol.loc[later, "status"] = "in_force"
    members = book["members"]
    members = members[members["member_id"].isin(pol["member_id"])]
    benefits = book["benefit_usage"][book["benefit_usage"]["used_at"] <= t]
    # dates are days (the loader drops the time of day): a contact on day t is known at t
    contacts = book["service_contacts"][book["service_contacts"]["started_at"].dt.normalize() <= t]
    claims = book["claims"][book["claims"]["reported_at"] <= t].copy()
    open_again = claims["settled_at"] > t
    claims.loc[open_again, "settled_at"] = pd.NaT
    claims.loc[open_again, "status"] = "open"
    claims.loc[open_again, "amount_paid"] = np.nan
    return {"policies": pol, "members": members, "benefit_usage": benefits,
            "service_contacts": contacts, "claims": claims}


@pytest.fixture(scope="session")
def known_at() -> Callable[[dict[str, pd.DataFrame], pd.Timestamp], dict[str, pd.DataFrame]]:
    """:func:`as_known_at`: the book as loaded on a past date."""
    return as_known_at
