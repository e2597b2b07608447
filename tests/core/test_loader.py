"""Loader: several files per table, workbooks with bad sheets, mappings, generic survival data,
unusable inputs (loader.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from memberdesk.core.errors import DataError
from memberdesk.core.loader import load_dataset, load_from_sources, read_sources
from memberdesk.core.mapping import ColumnMapping

TODAY = dt.date(2024, 12, 31)


def test_workbook_with_bad_sheets_loads_good_ones(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保单"
    ws.append(["保单号", "会员号", "生效日期", "终止日期", "保单状态"])
    ws.append(["P1", "M1", dt.datetime(2021, 3, 1), None, "有效"])
    ws.append(["P2", "M1", 44256, 44621, "失效"])  # Excel serials: 2021-03-01, 2022-03-01
    ws2 = wb.create_sheet("会员")
    ws2.append(["会员号", "性别"])
    ws2.append(["M1", "女"])
    wb.create_sheet("说明").append(["这是说明"])
    junk = wb.create_sheet("scratch")
    junk.append(["alpha", "beta"])
    junk.append([1, 2])
    wb.save(tmp_path / "book.xlsx")
    ds = load_dataset([tmp_path / "book.xlsx"], today=TODAY)
    assert set(ds.validated) == {"policies", "members"}
    p = ds.validated["policies"]
    assert p["issue_date"].tolist() == [pd.Timestamp("2021-03-01")] * 2
    assert p["end_date"].iloc[1] == pd.Timestamp("2022-03-01")
    msgs = " | ".join(ds.report.messages)
    assert "说明" in msgs and "scratch" in msgs
    assert ds.report.total_rejected == 0


def test_rejected_rows_carry_the_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "policies"
    ws.append(["policy_id", "issue_date"])
    ws.append(["P1", "2021-03-01"])
    ws.append(["P2", "not a date"])
    wb.save(tmp_path / "b.xlsx")
    ds = load_dataset([tmp_path / "b.xlsx"], today=TODAY)
    r = ds.report.rejected.iloc[0]
    assert (r["file"], r["sheet"], r["row"], r["column"], r["reason"]) == (
        str(tmp_path / "b.xlsx"), "policies", 3, "issue_date", "unparseable_date")


@pytest.mark.parametrize(("files", "words"), [
    ({"x.csv": "foo,bar\n1,2\n"}, "no recognisable columns"),
    ({"members.csv": "member_id,gender\nM1,F\n"}, "no policies table"),
    ({"policies.csv": "policy_id,product\nP1,a\n"}, "issue_date"),
    ({"policies.csv": "issue_date,product\n2021-01-01,a\n"}, "policy_id"),
])
def test_unusable_inputs_raise_one_clear_error(tmp_path: Path, files: dict[str, str], words: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(DataError, match=words) as info:
        load_dataset([tmp_path / n for n in files], today=TODAY)
    assert str(tmp_path) in str(info.value)


def test_user_mapping_by_signature_is_applied(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("编号,开始,结束,备注\nP1,2021-03-01,,x\nP2,2021-04-01,2022-01-01,y\n", encoding="utf-8")
    sources = read_sources([f])
    assert sources.items[0].mapping is None  # nothing recognised automatically
    with pytest.raises(DataError):
        load_from_sources(sources, today=TODAY)
    mapping = ColumnMapping("policies", {"编号": None, "开始": None, "结束": None, "备注": None},
                            sources.items[0].signature).with_overrides(
        {"编号": "policy_id", "开始": "issue_date", "结束": "end_date"})
    ds = load_dataset([f], mappings={mapping.signature: ColumnMapping.from_json(mapping.to_json())},
                      today=TODAY)
    p = ds.validated["policies"]
    assert p["policy_id"].tolist() == ["P1", "P2"] and p["备注"].tolist() == ["x", "y"]
    assert p["status"].tolist() == ["in_force", "lapsed"]


def test_preview_for_the_import_wizard(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_text("policy_id,issue_date\nP1,2021-03-01\nP2,2021-03-02\n")
    src = read_sources([f]).items[0]
    preview = src.raw.preview(1)
    assert preview.index.tolist() == [2] and preview["policy_id"].tolist() == ["P1"]
    assert src.mapping is not None and src.mapping.mapped == {"policy_id": "policy_id",
                                                              "issue_date": "issue_date"}


def test_generic_survival_table(tmp_path: Path) -> None:
    f = tmp_path / "lung.csv"
    f.write_text("T,E,group,age\n5,1,a,60\n8,0,b,55\n3,true,a,70\n,1,b,50\n4,maybe,a,40\n")
    ds = load_dataset([f], duration_col="T", event_col="E", today=TODAY)
    p = ds.validated["policies"]
    assert ds.generic
    assert p["duration"].tolist() == [5.0, 8.0, 3.0]
    assert p["event"].tolist() == [True, False, True]
    assert p["policy_id"].tolist() == ["2", "3", "4"]  # synthetic: source row numbers
    assert p["group"].tolist() == ["a", "b", "a"] and p["age"].tolist() == [60.0, 55.0, 70.0]
    assert ds.report.rejected[["row", "reason", "column"]].values.tolist() == [
        [5, "missing_date", "T"], [6, "unparseable_bool", "E"]]
    assert ds.policies["duration_days"].tolist() == [5.0, 8.0, 3.0]  # the Dataset accepts it
    with pytest.raises(DataError, match="both columns"):
        load_dataset([f], duration_col="time", event_col="E", today=TODAY)


def test_policies_with_duration_and_event_headers_are_generic(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_text("policy_id,duration,event,channel\nA,12,1,web\nB,30,0,agent\n")
    ds = load_dataset([f], today=TODAY)
    assert ds.generic
    assert ds.policies["event"].tolist() == [1, 0]
    assert ds.validated["policies"]["channel"].tolist() == ["web", "agent"]


def test_progress_reaches_one(tmp_path: Path) -> None:
    seen: list[float] = []

    class Rec:
        def fraction(self, x: float) -> None: seen.append(x)
        def status(self, text: str) -> None: ...
        def cancelled(self) -> bool: return False

    (tmp_path / "policies.csv").write_text("policy_id,issue_date\nP1,2021-03-01\n")
    load_dataset([tmp_path], progress=Rec(), today=TODAY)
    assert seen and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)


@pytest.mark.slow
def test_one_million_policies_load(tmp_path: Path) -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    issue = pd.Series(np.datetime64("2015-01-01") + rng.integers(0, 3000, n)).dt.strftime("%Y-%m-%d")
    frame = pd.DataFrame({"保单号": np.char.add("P", np.arange(n).astype(str)), "生效日期": issue,
                          "保单状态": rng.choice(["有效", "失效"], n), "年化保费": rng.integers(0, 9000, n)})
    frame.loc[frame["保单状态"] == "失效", "终止日期"] = "2024-01-01"
    frame.to_csv(tmp_path / "保单.csv", index=False, encoding="gb18030")
    ds = load_dataset([tmp_path / "保单.csv"], today=TODAY)
    t = ds.report.table("policies")
    assert t.read == n
    # Every row is valid: issued 2015-01-01..2023-03-20, lapsed ones ended 2024-01-01.
    assert t.accepted == n and len(ds.validated["policies"]) == n
