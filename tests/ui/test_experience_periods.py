"""Experience page: the Period and Weighted-by combos drive the study (issue 16.4); the A/E
band is the analysis result's interval (no statistics in the page)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.experience import experience_study

from .test_experience_basis import book


def wait(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)


def test_period_and_weight_drive_the_study(qtbot, show_page) -> None:
    ds = book()
    page = show_page("experience", ds)
    assert [page.weight.itemData(i) for i in range(page.weight.count())] == [None,
                                                                             "annual_premium"]
    page.set_basis("calendar_year")
    page.period.setCurrentIndex(page.period.findData("quarter"))
    wait(qtbot, page)
    res = page.result
    assert res.basis == "calendar_quarter"
    direct = experience_study(ds, basis="calendar", period="quarter")
    np.testing.assert_allclose(res.rows["rate"], direct.rows["rate"])
    assert page.model.frame()["calendar_quarter"].iloc[0] == "2019Q1"
    assert page.panel.title().startswith("Termination rate by calendar date")

    page.weight.setCurrentIndex(page.weight.findData("annual_premium"))
    wait(qtbot, page)
    assert page.result.weight == "annual_premium"
    # every premium is 1000: weighted exposure and actual are 1000 × the counts
    np.testing.assert_allclose(page.result.rows["exposure"], 1000 * direct.rows["exposure"])
    np.testing.assert_allclose(page.result.rows["rate"], direct.rows["rate"])
    assert page.state()["period"] == "quarter" and page.state()["weight"] == "annual_premium"


def test_ae_band_comes_from_the_result(qtbot, show_page, tmp_path) -> None:
    ds = book()
    table = tmp_path / "rates.csv"
    table.write_text("policy_year,rate\n" + "".join(f"{y},0.1\n" for y in range(1, 8)),
                     encoding="utf-8")
    page = show_page("experience", ds)
    page.set_expected_path(str(table))
    wait(qtbot, page)
    rows = page.result.rows
    assert page.result.has_expected
    np.testing.assert_allclose(rows["ae_lower"], rows["rate_lower"] / 0.1)
    np.testing.assert_allclose(rows["ae_upper"], rows["rate_upper"] / 0.1)
    assert not hasattr(__import__("memberdesk.ui.pages.experience",
                                  fromlist=["x"]), "ae_interval")
    assert pd.notna(rows["ae_lower"]).all() and rows["ae_lower"].le(rows["ae"]).all()
    assert pytest.approx(list(rows["ae"])) == list(rows["rate"] / 0.1)
