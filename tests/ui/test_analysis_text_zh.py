"""Analysis-layer English rebuilt in the UI language: Cox verdicts, KPI reasons, covariate
labels; checkable lists show column labels but hand column ids to the analyses; the
experience table prints every row in one format."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from memberdesk.core import labels
from memberdesk.core.dataset import Dataset
from memberdesk.core.reasons import Reason
from memberdesk.ui import analysis_text
from memberdesk.ui.i18n import column_label

HAN = re.compile(r"[\u4e00-\u9fff]")
AS_OF = pd.Timestamp("2024-12-31")


def dataset(n: int = 300) -> Dataset:
    """``n`` policies; online lapses ~2.5x faster than agency (exponential lives)."""
    rng = np.random.default_rng(0)
    issue = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    channel = np.where(rng.random(n) < 0.5, "agency", "online")
    life = rng.exponential(np.where(channel == "agency", 1500, 600)).astype(int)
    end = issue + pd.to_timedelta(life, unit="D")
    ended = end <= AS_OF
    policies = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "member_id": [f"M{i}" for i in range(n)],
        "product": np.where(rng.random(n) < 0.5, "term", "whole"),
        "product_type": np.where(rng.random(n) < 0.5, "protection", "savings"),
        "channel": channel, "issue_date": issue, "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": np.where(ended, "lapsed", "in_force"),
        "annual_premium": rng.uniform(500, 5000, n).round(), "payment_frequency": "annual"})
    return Dataset(validated={"policies": policies}, as_of=AS_OF)


# ---- Cox verdict ------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0001, 0.009, 0.01, 0.03, 0.049, 0.05, 0.051, 0.41, 1.0])
def test_english_verdict_is_the_analysis_verdict(p: float) -> None:
    from memberdesk.analysis.cox import ph_verdict

    assert analysis_text.ph_verdict(p) == ph_verdict(p)  # same words and same 0.05 threshold


def test_chinese_verdict_follows_the_p_value(zh_cn) -> None:
    ok = analysis_text.ph_verdict(0.41)
    bad = analysis_text.ph_verdict(0.003)
    assert "比例风险假设成立" in ok and "p = 0.41" in ok
    assert "随时间变化" in bad and "p < 0.01" in bad
    assert analysis_text.ph_verdict(0.05) == analysis_text.ph_verdict(0.9).replace("0.90", "0.05")
    assert analysis_text.ph_verdict(float("nan")) == ""


# ---- KPI reasons ------------------------------------------------------------------------

def test_every_kpi_reason_of_the_analysis_has_chinese(zh_cn) -> None:
    from memberdesk.analysis import kpis
    from memberdesk.analysis.service import missing_columns_reason

    reasons = list(kpis.EMPTY_REASONS.values()) + [
        Reason("no_data_at_as_of"), Reason("no_table", table="policies"),
        Reason("no_table", table="benefit_usage"), Reason("no_table", table="claims"),
        missing_columns_reason(None, "csat"),
        missing_columns_reason(pd.DataFrame(), "csat"),
        missing_columns_reason(pd.DataFrame({"x": [1]}), "human_connection_rate")]
    for reason in reasons:
        text = analysis_text.kpi_reason(reason)
        assert HAN.search(text) and not re.search(r"[a-z]{4,}", text), (reason, text)
    missing = analysis_text.kpi_reason(missing_columns_reason(pd.DataFrame({"x": [1]}), "csat"))
    assert column_label("satisfaction") in missing
    # a plain message (an exception's text) is shown as it is
    assert analysis_text.kpi_reason("some new reason") == "some new reason"


def test_cockpit_tile_shows_the_reason_in_chinese(show_page, zh_cn) -> None:
    page = show_page("cockpit", dataset())  # no service contacts, no claims
    text = page.tiles["bot_replacement_rate"].change_label.text()
    assert text == "未加载服务记录数据", text  # Reason("no_table", ...) through core/reasons.py
    assert page.tiles["median_claim_settlement_days"].change_label.text() == "未加载理赔数据"


# ---- covariates -------------------------------------------------------------------------

def test_covariate_labels(zh_cn) -> None:
    cols = ["product_type", "product", "annual_premium"]
    assert analysis_text.covariate_label("product_type=annuity", cols) == "产品类型: annuity"
    assert analysis_text.covariate_label("product=a=b", cols) == f"{column_label('product')}: a=b"
    assert analysis_text.covariate_label("annual_premium", cols) == column_label("annual_premium")
    assert HAN.search(column_label("annual_premium"))


def test_drivers_page_lists_labels_and_fits_on_ids(qtbot, show_page, zh_cn) -> None:
    from memberdesk.analysis.cox import fit_cox

    ds = dataset()
    page = show_page("drivers", ds)
    items = [page.covariates.item(i) for i in range(page.covariates.count())]
    ids = [it.data(Qt.ItemDataRole.UserRole) for it in items]
    assert "product_type" in ids and "channel" in ids
    for item, col in zip(items, ids):
        assert item.text() == column_label(col)
    assert page.covariates.item(ids.index("product_type")).text() == "产品类型"
    page.set_covariates(["channel", "product_type"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert page.message_text() == ""
    chosen = page.selected_covariates()
    assert sorted(chosen) == ["channel", "product_type"]
    res = fit_cox(ds, chosen)
    np.testing.assert_allclose(page.forest.hazard_ratios(), res.coefficients["hazard_ratio"],
                               rtol=1e-9)
    # forest rows and table cells: "<label>: <level>", the level through the value catalogue
    # (渠道: 银保, not 渠道: bancassurance); the table's data keeps the id
    def shown_as(raw: str) -> str:
        col, _, level = raw.partition("=")
        return f"{column_label(col)}: {labels.value_label(level, 'zh_CN')}"

    assert page.forest.labels == [shown_as(c) for c in res.coefficients["covariate"]]
    assert any(s.startswith("渠道: ") for s in page.forest.labels), page.forest.labels
    model = page.model
    cov = model.frame().columns.get_loc("covariate")
    verdict = model.frame().columns.get_loc("verdict")
    for r in range(model.rowCount()):
        shown = model.data(model.index(r, cov))
        raw = model.data(model.index(r, cov), Qt.ItemDataRole.UserRole)
        assert "=" in raw and shown == shown_as(raw)
        text = model.data(model.index(r, verdict))
        # the PH test is per term (R cox.zph): the row's column, not its level (issue 10)
        p = float(res.ph_test.set_index("covariate").loc[raw.split("=")[0], "p_value"])
        assert ("比例风险假设成立" in text) == (p >= 0.05), (text, p)
        assert "proportional" not in text and "effect" not in text


def test_experience_lists_labels_and_studies_ids(qtbot, show_page, zh_cn) -> None:
    page = show_page("experience", dataset())
    by = {page.by.item(i).data(Qt.ItemDataRole.UserRole): page.by.item(i)
          for i in range(page.by.count())}
    assert by["product_type"].text() == "产品类型"
    target = {page.target.item(i).data(Qt.ItemDataRole.UserRole): page.target.item(i).text()
              for i in range(page.target.count())}
    assert set(target) == {"lapsed", "surrendered", "death", "matured", "other"}
    assert all(HAN.search(t) for t in target.values()), target
    page.set_checked(page.by, ["channel"])
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert page.message_text() == ""
    assert page.result.by == ("channel",)
    assert page.checked(page.target) == ["lapsed", "surrendered"]


# ---- experience table formats -----------------------------------------------------------

def test_experience_table_uses_one_format_per_column(show_page) -> None:
    page = show_page("experience", dataset(3000))
    model = page.model
    columns = list(model.frame().columns)
    exposure = [model.data(model.index(r, columns.index("exposure"))) for r in range(model.rowCount())]
    raw = [model.data(model.index(r, columns.index("exposure")), Qt.ItemDataRole.UserRole)
           for r in range(model.rowCount())]
    assert any(v >= 1000 for v in raw) and any(v < 1000 for v in raw), raw  # both sizes present
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", s) for s in exposure), exposure
    for col in ("rate", "rate_lower", "rate_upper"):
        cells = [model.data(model.index(r, columns.index(col))) for r in range(model.rowCount())]
        assert all(re.fullmatch(r"\d+\.\d{2}%", s) for s in cells), (col, cells)
        values = [model.data(model.index(r, columns.index(col)), Qt.ItemDataRole.UserRole)
                  for r in range(model.rowCount())]
        assert cells[0] == f"{values[0] * 100:.2f}%"
