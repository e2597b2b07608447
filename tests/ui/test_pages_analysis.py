"""Every page builds, computes in the worker and shows the figures the analysis returns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from memberdesk.core.dataset import Dataset
from memberdesk.ui.pages import PAGE_IDS, PAGES, page_factory

AS_OF = pd.Timestamp("2024-12-31")


def small_dataset(with_extras: bool = True) -> Dataset:
    """400 policies over 4 years, two channels with different lapse speed, plus members."""
    rng = np.random.default_rng(0)
    n = 400
    issue = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    channel = np.where(rng.random(n) < 0.5, "agency", "online")
    life = rng.exponential(np.where(channel == "agency", 1500, 600)).astype(int)
    end = issue + pd.to_timedelta(life, unit="D")
    ended = end <= AS_OF
    status = np.where(ended, np.where(rng.random(n) < 0.8, "lapsed", "death"), "in_force")
    members = pd.DataFrame({"member_id": [f"M{i}" for i in range(n)],
                            "gender": np.where(rng.random(n) < 0.5, "F", "M"),
                            "birth_date": pd.Timestamp("1960-01-01")
                            + pd.to_timedelta(rng.integers(0, 15000, n), unit="D")})
    policies = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "member_id": members["member_id"],
        "product": np.where(rng.random(n) < 0.5, "term", "whole"),
        "product_type": np.where(rng.random(n) < 0.5, "protection", "savings"),
        "channel": channel, "issue_date": issue, "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": status, "annual_premium": rng.uniform(500, 5000, n).round(),
        "payment_frequency": "annual"})
    tables = {"policies": policies, "members": members}
    if with_extras:
        m = 600
        tables["service_contacts"] = pd.DataFrame({
            "contact_id": [f"C{i}" for i in range(m)], "member_id": rng.choice(members["member_id"], m),
            "started_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, m), unit="D"),
            "channel": rng.choice(["app", "phone"], m), "handled_by": rng.choice(["bot", "human"], m),
            "transferred_to_human": pd.array(rng.random(m) < 0.2, dtype="boolean"),
            "connected": pd.array(rng.random(m) < 0.95, dtype="boolean"),
            "wait_seconds": rng.uniform(0, 120, m), "resolved": pd.array(rng.random(m) < 0.8, dtype="boolean"),
            "satisfaction": rng.integers(1, 6, m).astype(float), "topic": rng.choice(["billing", "claims"], m)})
    return Dataset(validated=tables, as_of=AS_OF)


def test_registry_lists_the_eleven_pages_in_order() -> None:
    assert PAGE_IDS == ("cockpit", "alerts", "retention", "persistency", "drivers", "retention_list",
                        "projection",
                        "decrements", "experience", "benefits", "service", "claims", "dictionary")
    assert all(callable(f) for _, f in PAGES)
    with pytest.raises(KeyError):
        page_factory("no_such_page")


def test_retention_page_draws_the_km_result_and_follows_the_segment(qtbot, show_page) -> None:
    from memberdesk.analysis.survival import km_by_segment

    ds = small_dataset()
    page = show_page("retention", ds)
    assert page.message_text() == ""
    assert page.segment.currentData() == "channel"          # sensible default segment
    expected = km_by_segment(ds, "channel", unit="months")
    drawn = page.chart.curves
    assert [c.name for c in drawn] == ["agency", "online"]
    for got, want in zip(page.chart._items, expected.curves):
        np.testing.assert_allclose(got.line.getOriginalDataset()[1], want.survival)
    assert f"{expected.logrank.p_value:.4f}" in page.chart.plot.titleLabel.text \
        or "&lt; 0.0001" in page.chart.plot.titleLabel.text
    # survival-at table: 1/2/3/5 years for each channel, as the analysis computes them
    table = page.at_model.frame()
    assert len(table) == 2 * 4
    # change the segment: the chart now shows one curve per product
    page.segment.setCurrentIndex(page.segment.findData("product"))
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert [c.name for c in page.chart.curves] == ["term", "whole"]
    assert page.pair_model.rowCount() == 1                   # one pair of products
    # a filter (a new Dataset) changes the curves too
    from memberdesk.core.dataset import Filters
    page.set_dataset(ds.with_filters(Filters(channel=("online",))))
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    online = km_by_segment(ds.with_filters(Filters(channel=("online",))), "product", unit="months")
    np.testing.assert_allclose(page.chart._items[0].line.getOriginalDataset()[1], online.curves[0].survival)
    assert page.charts() and page.charts()[0].chart is page.chart


def test_pages_show_an_empty_state_without_their_table(qtbot, show_page) -> None:
    ds = small_dataset(with_extras=False)
    for page_id, words in (("service", "No service contacts loaded"), ("claims", "No claims loaded"),
                           ("benefits", "No benefit usage loaded")):
        page = show_page(page_id, ds)
        assert words in page.message_text()
    page = page_factory("retention")(None)
    qtbot.addWidget(page)
    page.set_dataset(None)
    page.refresh()
    assert "No data loaded" in page.message_text()


def test_drivers_page_forest_is_the_cox_result(qtbot, show_page) -> None:
    from memberdesk.analysis.cox import fit_cox

    ds = small_dataset()
    page = show_page("drivers", ds)
    page.set_covariates(["channel", "gender"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    res = fit_cox(ds, ["channel", "gender"])
    np.testing.assert_allclose(page.forest.hazard_ratios(), res.coefficients["hazard_ratio"], rtol=1e-9)
    page.set_covariates([])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert "at least one covariate" in page.message_text()


def test_analysis_error_is_shown_as_a_message(qtbot, show_page) -> None:
    ds = small_dataset()
    page = show_page("drivers", ds)
    page.set_covariates(["product"])
    # a covariate that does not exist in this data: the analysis raises AnalysisError
    page.covariates.item(0).setData(Qt.ItemDataRole.UserRole, "no_such_column")  # the id is the data
    page.set_covariates(["no_such_column"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert "cannot be computed" in page.message_text()


def test_service_page_shows_the_service_summary(show_page) -> None:
    from memberdesk.analysis.service import service_summary

    ds = small_dataset()
    page = show_page("service", ds)
    assert page.message_text() == ""
    want = service_summary(ds).window.iloc[0]
    assert f"{want['bot_replacement_rate']:.1%}" in page.window_label.text()
    assert len(page.charts()) == 4


def test_dictionary_search_and_lineage(show_page) -> None:
    from memberdesk.analysis.metrics import dictionary_frame

    page = show_page("dictionary", None)
    assert page.model.rowCount() == len(dictionary_frame("en"))
    page.search.setText("connection rate")
    assert 1 <= page.model.rowCount() < len(dictionary_frame("en"))
    ids = {page.model.raw(r, 0) for r in range(page.model.rowCount())}
    assert "human_connection_rate" in ids
    row = [page.model.raw(r, 0) for r in range(page.model.rowCount())].index("human_connection_rate")
    page.table.selectRow(row)
    assert page.details.metric_id == "human_connection_rate"
    assert any("service_contacts." in label for label in page.details.lineage_labels())


def test_cockpit_tiles_match_compute_kpis_and_open_definitions(show_page) -> None:
    from memberdesk.analysis.kpis import compute_kpis

    ds = small_dataset()
    page = show_page("cockpit", ds)
    res = compute_kpis(ds)
    assert set(page.tiles) == {k.id for k in res.kpis}
    tile = page.tiles["in_force_policies"]
    assert tile.value_label.text() == f"{res['in_force_policies'].value:,.0f}"
    tile.clicked.emit("in_force_policies")
    assert page.details.metric_id == "in_force_policies"


@pytest.mark.parametrize("page_id", [p for p in PAGE_IDS])
def test_every_page_builds_on_sample_data(show_page, sample_data, page_id, tmp_path) -> None:
    from memberdesk.core.loader import load_dataset

    ds = load_dataset([sample_data])
    page = show_page(page_id, ds)
    text = page.message_text()
    assert text == "", text  # no page hides a failure behind a message (#12 point 5)
    assert page.title()
    page.grab().save(str(tmp_path / f"{page_id}.png"))


def test_projection_page_marks_the_best_model_and_dashes_the_extrapolation(show_page) -> None:
    from memberdesk.analysis.parametric import fit_parametric

    ds = small_dataset()
    page = show_page("projection", ds)
    assert page.message_text() == ""
    res = fit_parametric(ds, horizon_months=120)
    table = page.model.frame()
    assert table.loc[table["best"] == "★", "model"].tolist() == [res.best_model]
    chart = page.chart
    last = chart.last_observed
    assert last == pytest.approx(float(res.km.timeline.max()))
    for model in res.fits["model"]:
        x_obs, _ = chart.observed_items[model].getOriginalDataset()
        x_proj, y_proj = chart.projected_items[model].getOriginalDataset()
        assert x_obs.max() <= last < x_proj.max()
        assert chart.projected_items[model].opts["pen"].style() == Qt.PenStyle.DashLine
        want = res.projection(model)
        np.testing.assert_allclose(y_proj[-1], want["survival"].iloc[-1])


def test_every_registered_page_has_a_qt_factory() -> None:
    """The navigation's pages are exactly the registry's (memberdesk/page_registry.py)."""
    from memberdesk import page_registry
    from memberdesk.ui.pages import PAGE_FACTORIES, page_titles

    assert tuple(PAGE_FACTORIES) == page_registry.PAGE_IDS
    assert page_titles("zh_CN")["retention"] == "留存"
    assert page_titles("en")["persistency"] == "Persistency & Cohorts"
