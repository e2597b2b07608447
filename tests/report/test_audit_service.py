"""Service sheet: the trailing-12-month figures are a vertical list (measure, value, unit,
formula) that prints at a readable size, with values counted independently here."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module")
def service_en(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("svc") / "r.xlsx"
    write_report(small_dataset, path)
    return load_workbook(path)["Service"]


def test_window_is_vertical_and_narrow(service_en, rh) -> None:  # type: ignore[no-untyped-def]
    headers, rows = rh.find_table(service_en, "Measure")
    assert headers == ["Measure", "Value", "Unit", "Formula (metric dictionary)"]
    assert len(rows) >= 12  # every figure of the window is its own row
    # the trend table below keeps a readable width: no more than ~10 columns on the sheet
    assert service_en.max_column <= 10


def test_window_values_equal_hand_counts(service_en, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    c = small_dataset.service_contacts
    as_of = small_dataset.as_of
    start = as_of - pd.DateOffset(months=12)
    inw = c[(c["started_at"] > start) & (c["started_at"] <= as_of)]
    bot = (inw["handled_by"] == "bot").to_numpy()
    transferred = inw["transferred_to_human"].to_numpy(dtype=bool, na_value=False)
    human_queue = (inw["handled_by"] == "human").to_numpy() | (bot & transferred)
    connected = inw["connected"].to_numpy(dtype=bool, na_value=False) & human_queue
    rated = inw["satisfaction"].notna().to_numpy()
    satisfied = (inw["satisfaction"] >= 4).to_numpy()
    _, rows = rh.find_table(service_en, "Measure")
    by = {r[0]: r for r in rows}
    assert by["All contacts"][1] == len(inw)
    assert by["Bot replacement rate"][1] == pytest.approx((bot & ~transferred).sum() / len(inw))
    assert by["Human connection rate"][1] == pytest.approx(connected.sum() / human_queue.sum())
    assert by["Customer satisfaction (CSAT)"][1] == pytest.approx(satisfied.sum() / rated.sum())
    # the formula text carries the the metric dictionary, docs/lineage.md words and the counts behind the rate
    assert by["Bot replacement rate"][3] == (
        "bot contacts not transferred to a human ÷ all contacts = "
        f"{(bot & ~transferred).sum():,} ÷ {len(inw):,}")
    assert by["Human connection rate"][2] == "%"  # as the Summary's unit of the same KPI


def test_zh_service_sheet_is_chinese(tmp_path: Path, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx", lang="zh_CN"))["客户服务"]
    headers, rows = rh.find_table(ws, "指标")
    assert headers[:3] == ["指标", "数值", "单位"]
    names = [r[0] for r in rows]
    assert "智能客服替代率" in names and "人工接通率" in names
    assert not any(ch.isascii() and ch.isalpha() for r in rows for ch in str(r[2]))
