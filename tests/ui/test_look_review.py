"""What a user saw on the sample pages (screenshots in both languages, issue 17 'Look at it')
and what was wrong: each test inspects the widgets, not pixels."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_experience_basis import book


def headers(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(model.headerData(i, Qt.Orientation.Horizontal)) for i in range(model.columnCount())]


def test_experience_table_has_no_duplicate_actual_column_unweighted(qtbot, show_page) -> None:
    page = show_page("experience", book())
    shown = headers(page.model)
    assert len(shown) == len(set(shown)), shown  # was: "Actual (number)" twice
    assert shown.count("Actual (number)") == 1
    # the one kept is the count of terminations: it sums to the total the page states
    frame = page.model.frame()
    assert int(frame["actual"].sum()) == int(page.result.totals.iloc[0]["n_actual"])


def test_experience_expected_rate_and_ae_read_as_their_headers_say(qtbot, show_page, tmp_path) -> None:
    table = tmp_path / "expected.csv"
    table.write_text("policy_year,rate\n" + "".join(f"{y},0.1\n" for y in range(1, 9)))
    page = show_page("experience", book())
    page.set_expected_path(str(table))
    qtbot.waitUntil(lambda: not page.is_busy and page.result.has_expected, timeout=30_000)
    shown = headers(page.model)
    assert len(shown) == len(set(shown)), shown  # was: "Expected (number)" twice
    col = shown.index("Expected rate (%)")
    assert page.model.data(page.model.index(0, col)) == "10.00%"  # the table's 0.1
    ae_col = shown.index("A/E (%)")
    rate_col = shown.index("Rate (%)")
    rate = float(page.model.frame()["rate"].iloc[0])
    # A/E = rate / 0.1, shown as a percentage under the "%" header (hand: 0.0802 / 0.1 = 80.2%)
    assert page.model.data(page.model.index(0, ae_col)) == f"{rate / 0.1:.1%}"
    assert page.model.data(page.model.index(0, rate_col)).endswith("%")


def test_projection_names_models_and_parameters_as_a_reader_would(qtbot, show_page) -> None:
    page = show_page("projection", book())
    legend = [label.text for _sample, label in page.chart.legend.items]
    # the legend names the models as the table does (was: "weibull", "loglogistic")
    assert "Weibull" in legend and not any(t.split(" ")[0] in {"weibull", "lognormal",
                                                               "loglogistic", "exponential"}
                                           for t in legend)
    assert any(t.endswith("★") for t in legend)
    shown = headers(page.model)
    col = shown.index("Parameters")
    cells = [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]
    assert not any("_" in c for c in cells), cells  # no lifelines attribute names (lambda_)
    assert any(c.startswith("λ = ") and ", ρ = " in c for c in cells)  # the Weibull row
    # the legend sits in the lower-left corner, below every curve's first year
    vb = page.chart.plot.getViewBox()
    box = vb.mapSceneToView(page.chart.legend.mapRectToScene(page.chart.legend.boundingRect()))
    top_of_legend = box.boundingRect().bottom()  # view y grows upwards: bottom() is the top edge
    km = page.result.km
    assert top_of_legend < min(float(s) for s in km.survival[:1]) - 0.05


def test_parameter_text_hand_cases() -> None:
    from memberdesk.ui.pages.projection import parameter_text

    assert parameter_text("lambda_ = 184.1, rho_ = 0.807") == "λ = 184.1, ρ = 0.807"
    assert parameter_text("mu_ = 5.233, sigma_ = 2.312") == "μ = 5.233, σ = 2.312"
    assert parameter_text("theta_ = 1") == "theta = 1"


def test_retention_list_metrics_table_shows_every_model_row(qtbot, show_page, sample_data) -> None:
    from memberdesk.core.loader import load_dataset

    page = show_page("retention_list", load_dataset([sample_data]))
    page.resize(1180, 700)  # the page's share of a 1400×900 main window (list, bars, filters)
    page.show()
    qtbot.wait(50)
    t = page.metrics_table
    n = page.metrics_model.rowCount()
    assert n == 3  # Cox model, gradient boosting, naive baseline
    rows = sum(t.rowHeight(r) for r in range(n))
    # the viewport holds every row whole: the last model is not cut in half
    assert t.viewport().height() >= rows, (t.viewport().height(), rows)
    last = t.rowViewportPosition(n - 1) + t.rowHeight(n - 1)
    assert last <= t.viewport().height()


def _cells(model, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    col = headers(model).index(column)
    return [str(model.data(model.index(r, col))) for r in range(model.rowCount())]


def test_retention_tables_name_groups_as_the_legend_does_in_chinese(qtbot, show_page, zh_cn) -> None:
    page = show_page("retention", book())  # segment: channel (agency, online)
    legend = {label.text for _sample, label in page.chart.legend.items}
    assert legend == {"个险代理人", "互联网"}  # the catalogue's Chinese channel names
    groups = set(_cells(page.at_model, "分组"))
    assert groups == legend  # was: agency / online in the table under the Chinese legend
    assert set(_cells(page.median_model, "分组")) == legend
    assert page.at_model.frame()["group"].isin(["agency", "online"]).all()  # data keep the codes


def test_retention_pairwise_test_named_as_in_the_test_combo(qtbot, show_page) -> None:
    page = show_page("retention", book())
    frame = page.pair_model.frame()
    assert list(frame["test"].unique()) == ["logrank"]
    col = list(frame.columns).index("test")
    assert page.pair_model.data(page.pair_model.index(0, col)) == "Log-rank"  # not "logrank"


def test_drivers_levels_in_chinese(qtbot, show_page, zh_cn) -> None:
    page = show_page("drivers", book())
    page.set_covariates(["channel"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    cells = [str(page.model.data(page.model.index(r, 0))) for r in range(page.model.rowCount())]
    chinese = {"agency": "个险代理人", "online": "互联网"}  # the schema vocabulary's names
    ref = page.result.reference_levels["channel"]  # the most frequent level
    other = ({"agency", "online"} - {ref}).pop()
    assert cells == [f"渠道: {chinese[other]}"], cells  # was "渠道: agency"
    assert f"渠道 = {chinese[ref]}" in page.fit_label.text()
    assert page.forest.labels == cells


def test_retention_list_names_channels_in_chinese_and_shows_the_search_hint(
        qtbot, show_page, sample_data, zh_cn) -> None:
    from memberdesk.core.loader import load_dataset

    page = show_page("retention_list", load_dataset([sample_data]))
    model = page.list_model
    col = model.columns.index("channel")
    shown = {model.data(model.index(r, col)) for r in range(model.rowCount())}
    codes = {model.data(model.index(r, col), Qt.ItemDataRole.UserRole) for r in range(model.rowCount())}
    assert "online" in codes and "互联网" in shown and "online" not in shown
    combo = [page.channel_filter.itemText(i) for i in range(page.channel_filter.count())]
    assert "互联网" in combo and "online" not in combo
    # the filter still filters on the code behind the name
    page.channel_filter.setCurrentIndex(combo.index("互联网"))
    assert {model.data(model.index(r, col), Qt.ItemDataRole.UserRole)
            for r in range(model.rowCount())} == {"online"}
    hint = page.search.placeholderText()
    assert page.search.minimumWidth() > page.search.fontMetrics().horizontalAdvance(hint)


def test_service_topics_named_in_chinese(qtbot, show_page, sample_data, zh_cn) -> None:
    from memberdesk.core.loader import load_dataset

    page = show_page("service", load_dataset([sample_data]))
    labels = page.topic.x_labels or []
    assert "保单查询" in labels and "投诉" in labels, labels  # the catalogue: policy inquiry, complaint
    assert "policy inquiry" not in labels and "premium payment" not in labels


def test_decrements_legend_is_above_the_bands(qtbot) -> None:
    """Steep early incidence (half the book gone in the first months) reached the top-left
    corner where the legend sat; the legend now has its own band above the plot."""
    import numpy as np

    from memberdesk.ui.charts.stacked import StackedIncidenceChart

    chart = StackedIncidenceChart()
    qtbot.addWidget(chart)
    chart.resize(900, 450)
    chart.show()
    t = np.arange(0, 25, dtype=float)
    lapse = np.minimum(t / 4, 1.0) * 0.5  # 50 % by month 4, flat after
    chart.set_incidence(t, {"lapsed": lapse, "surrendered": lapse * 0.2, "death": lapse * 0.02,
                            "matured": np.zeros_like(t)})
    qtbot.wait(10)
    labels = [label.text for _sample, label in chart.legend.items]
    assert labels == ["lapsed", "surrendered", "death", "matured"]
    legend = chart.legend.mapRectToScene(chart.legend.boundingRect())
    area = chart.plot.getViewBox().sceneBoundingRect()
    assert legend.height() > 0 and legend.bottom() <= area.top()
    assert chart.stacked_top().max() == pytest.approx(0.61)  # 0.5 + 0.1 + 0.01 by hand
