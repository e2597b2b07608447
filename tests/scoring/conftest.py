"""Shared books for the scoring tests: the sample generator's book (its true lapse hazard is
known: :mod:`memberdesk.sample.simulation`), fixed seed, built and scored once per session."""
from __future__ import annotations

from datetime import date

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
