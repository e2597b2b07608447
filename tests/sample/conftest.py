"""Shared sample books for the sample-generator tests (small, fixed seeds, built once)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from memberdesk.sample import generate_book

END = date(2026, 6, 30)


@pytest.fixture(scope="session")
def book_3000() -> dict[str, pd.DataFrame]:
    """A 3,000-member book, seed 0, default end: large enough for rates within tolerance."""
    return generate_book(members=3_000, seed=0, end=END)
