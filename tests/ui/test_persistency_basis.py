"""Persistency page: the Basis combo (status / collected premium) drives the ratio, the
Reconciliation tab and the exclusion waterfall; without a payments table the collected basis
says what it needs instead of failing (issue 16.5)."""
from __future__ import annotations

import pandas as pd
import pytest

from memberdesk.analysis.persistency import persistency
from memberdesk.core.dataset import Dataset
from memberdesk.sample import generate_book


@pytest.fixture(scope="module")
def sample_book() -> Dataset:
    return Dataset(validated=generate_book(800, seed=3), as_of=pd.Timestamp("2026-06-30"))


def wait(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)


def test_collected_basis_on_the_page(qtbot, show_page, sample_book) -> None:
    page = show_page("persistency", sample_book)
    assert page.result.persistency.basis == "status"
    page.basis.setCurrentIndex(page.basis.findData("collected"))
    wait(qtbot, page)
    view = page.result
    assert view.persistency.basis == "collected" and view.reconciliation is not None
    direct = persistency(sample_book, period="rolling12", by=page.segment.currentData(),
                         basis="collected")
    pd.testing.assert_series_equal(view.persistency.frame["ratio_premium"],
                                   direct.frame["ratio_premium"])
    measures = list(page.rec_model.frame()["measure"])
    assert measures[:2] == ["collected_premium", "collected_count"]
    assert "in_force_unpaid" in measures
    assert list(page.waterfall_model.frame()["reason"])[-1] == "no_first_instalment"
    assert page.state()["basis"] == "collected"


def test_collected_basis_without_payments(qtbot, show_page, sample_book) -> None:
    tables = {k: v for k, v in sample_book.validated.items() if k != "premium_payments"}
    ds = Dataset(validated=tables, as_of=sample_book.as_of)
    page = show_page("persistency", ds)
    page.basis.setCurrentIndex(page.basis.findData("collected"))
    wait(qtbot, page)
    assert "premium payments" in page.message_text()
