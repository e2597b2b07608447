"""The Drivers page presents the Cox result with strata, robust SE and the PH test's transform
(issues 10.3, 10.4, 16.2): what it shows is fit_cox's result for the chosen options."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cox import fit_cox
from memberdesk.core.dataset import Dataset

from .conftest import make_policies

pytest.importorskip("pytestqt")


@pytest.fixture
def book() -> Dataset:
    p = make_policies(n=600, seed=4)
    p["member_id"] = [f"M{i // 2:05d}" for i in range(len(p))]  # two policies per member
    return Dataset(validated={"policies": p}, as_of=pd.Timestamp("2024-12-31"))


def _choose(box, value) -> None:  # type: ignore[no-untyped-def]
    box.setCurrentIndex(box.findData(value))


def test_drivers_page_strata_cluster_and_transform(qtbot, book):  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    page = page_factory("drivers")(None)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.set_dataset(book)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert page.strata.findData("product") >= 0 and page.cluster.findData("member_id") >= 0
    _choose(page.strata, "product")
    _choose(page.cluster, "member_id")
    _choose(page.ph_transform, "rank")
    page.set_covariates(["channel"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    res = fit_cox(book, ["channel"], strata="product", cluster="member_id", ph_transform="rank")
    np.testing.assert_allclose(page.forest.hazard_ratios(), res.coefficients["hazard_ratio"],
                               rtol=1e-9)
    shown = page.model.frame()
    np.testing.assert_allclose(shown["robust_se"], res.coefficients["robust_se"], rtol=1e-9)
    np.testing.assert_allclose(shown["se"], res.coefficients["se"], rtol=1e-9)
    text = page.fit_label.text()
    assert "cox.zph exact test, rank time transform" in text
    assert "Robust SE clustered by" in text and "Strata:" in text
    # a stratified model's concordance is R's within-strata one
    assert f"Concordance {res.concordance:.3f}" in text


def test_drivers_page_refuses_a_covariate_that_is_also_the_strata(qtbot, book):  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    page = page_factory("drivers")(None)
    qtbot.addWidget(page)
    page.set_dataset(book)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    _choose(page.strata, "channel")
    page.set_covariates(["channel"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert "both a covariate and the strata" in page.message_text()
