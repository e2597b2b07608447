"""The detail of a rejected row is a reason code with parameters, rendered in the reader's
language by every presenter (issue 17 point 16): `validate --lang zh_CN`, its
``--rejected-out`` file, and the validation view (tests/ui/test_validation_view_details.py)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.cli import main
from memberdesk.core import reasons
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import Reason
from memberdesk.core.validation_report import detail_text

HAN = re.compile(r"[\u4e00-\u9fff]")
VALIDATION = Path(__file__).resolve().parents[2] / "memberdesk" / "core" / "validation.py"


@pytest.mark.parametrize("code", sorted(reasons.ROW_DETAILS))
def test_every_detail_code_has_chinese_with_the_same_fields(code: str) -> None:
    entry = reasons.CATALOGUE[code]
    assert entry.get("en") and HAN.search(entry.get("zh_CN", "")), code
    assert reasons.placeholders(entry["en"]) == reasons.placeholders(entry["zh_CN"]), code


def test_every_detail_validation_gives_is_in_the_catalogue() -> None:
    used = set(re.findall(r'Reason\("(row_\w+)"', VALIDATION.read_text(encoding="utf-8")))
    assert used and used <= set(reasons.ROW_DETAILS), used - set(reasons.ROW_DETAILS)
    assert not re.search(r'rej\.flag\([^)]*f"', VALIDATION.read_text(encoding="utf-8"))


def _write(folder: Path) -> Path:
    """One bad value of each kind, one per row; the policies file's row numbers are those of
    the expected table below (the header is row 1)."""
    folder.mkdir()
    (folder / "policies.csv").write_text(
        "policy_id,member_id,issue_date,end_date,status,annual_premium\n"
        "P0,M1,2020-01-01,,in force,100\n"          # 2 accepted
        ",M1,2020-01-01,,in force,100\n"            # 3 no id
        "P0,M1,2020-02-01,,in force,1\n"            # 4 duplicate of row 2
        "P2,M1,2020-13-01,,in force,100\n"          # 5 month 13
        "P3,M1,2020-01-01,,in force,lots\n"         # 6 not a number
        "P4,M1,2020-01-01,,zombie,100\n"            # 7 unknown status
        "P5,M1,,,in force,100\n"                    # 8 no issue date
        "P6,M1,2020-01-01,,lapsed,100\n"            # 9 lapsed without end date
        "P7,M1,2020-01-01,2019-12-31,lapsed,100\n"  # 10 ends before issue
        "P8,M1,2020-01-01,,in force,-5\n"           # 11 negative premium
        "P9,M1,2099-01-01,,in force,100\n"          # 12 after today
        "P10,M404,2020-01-01,,in force,100\n",      # 13 unknown member
        encoding="utf-8")
    (folder / "members.csv").write_text("member_id,gender\nM1,F\n", encoding="utf-8")
    (folder / "claims.csv").write_text(
        "claim_id,policy_id,reported_at,settled_at,status\nC1,P0,2021-05-01,2021-04-01,paid\n",
        encoding="utf-8")
    (folder / "benefit_usage.csv").write_text(
        "member_id,used_at,benefit\nM1,2021-01-01,dental care\nM1,,dental care\n", encoding="utf-8")
    (folder / "service_contacts.csv").write_text(
        "member_id,started_at,handled_by,transferred_to_human\nM1,2021-01-01,bot,maybe\n",
        encoding="utf-8")
    return folder


def _expected(folder: Path) -> dict[tuple[str, int], str]:
    """What a Chinese reader should read for each rejected row (written out by hand)."""
    today = pd.Timestamp.today().date().isoformat()
    return {
        ("policies", 3): "保单号为空",
        ("policies", 4): f"保单号P0已出现在{folder / 'policies.csv'}第2行",
        ("policies", 5): "不是可接受格式的日期（2021-03-01、2021/3/1、20210301、2021年3月1日、Excel日期序号）",
        ("policies", 6): "不是数字",
        ("policies", 7): "不属于以下取值之一：in_force, lapsed, surrendered, death, matured, other, waived",
        ("policies", 8): "生效日期为空（且未给出持续时间）",
        ("policies", 9): "已终止保单（失效/退保/身故/满期）须有终止日期",
        ("policies", 10): "终止日期早于生效日期",
        ("policies", 11): "年化保费（元）应为零或正数",
        ("policies", 12): f"晚于今天（{today}）",
        ("policies", 13): "已加载的会员数据中无此会员号",
        ("claims", 2): "结案日期早于报案日期",
        ("benefit_usage", 3): "使用时间为空：无法确定该行发生的时间",
        ("service_contacts", 2): "不是是/否取值",
    }


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_validate_in_chinese_gives_chinese_details(tmp_path: Path, suffix: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = _write(tmp_path / "data")
    out = tmp_path / f"rejected{suffix}"
    assert main(["validate", str(folder), "--lang", "zh_CN", "--rejected-out", str(out)]) == 0
    text = capsys.readouterr().out
    frame = (pd.read_excel(out, dtype={"detail": str}) if suffix == ".xlsx"
             else pd.read_csv(out, encoding="utf-8-sig", dtype={"detail": str}))
    got = {(t, int(r)): d for t, r, d in zip(frame["table"], frame["row"], frame["detail"])}
    assert got == _expected(folder)
    # the codes stay codes (a program or a corrected file reads them in any language)
    assert set(frame["reason"]) >= {"duplicate_id", "unparseable_date", "unknown_member"}
    # the listing: reasons, their meanings and the first rows' details in Chinese
    assert "统计截止日：" in text and "编号重复" in text and "该编号已在前面的行出现" in text
    assert "第3行" in text and "保单号为空" in text
    assert "policy_id is empty" not in text and "not a date" not in text


def test_english_stays_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _write(tmp_path / "data")
    out = tmp_path / "rejected.csv"
    assert main(["validate", str(folder), "--rejected-out", str(out)]) == 0
    text = capsys.readouterr().out
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"detail": str})
    got = dict(zip(zip(frame["table"], frame["row"]), frame["detail"]))
    assert got[("policies", 4)] == f"policy_id P0 already on {folder / 'policies.csv'} row 2"
    assert got[("policies", 13)] == "no such member_id in the members table"
    assert got[("service_contacts", 2)] == "not a yes/no value"
    assert "As of " in text and "row 3, column 'policy_id': missing_id (value None) policy_id is empty" in text


def test_generic_table_details_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "surv.csv"
    path.write_text("id,t,e\n1,5,1\n2,,1\n3,4,\n", encoding="utf-8")
    ds = load_dataset([path], duration_col="t", event_col="e")
    rej = ds.report.rejected
    assert [detail_text(d, "zh_CN") for d in rej["detail"]] == ["持续时间为空", "事件为空"]


def test_rows_of_one_check_share_one_detail(tmp_path: Path) -> None:
    """Memory for millions of rows: a code with parameters per check, not a text per row."""
    n = 5_000
    path = tmp_path / "policies.csv"
    lines = [f"P{i},notadate,in force" for i in range(n)]
    path.write_text("policy_id,issue_date,status\nP,2020-01-01,in force\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")
    rej = load_dataset([path]).report.rejected
    assert len(rej) == n
    details = rej["detail"].to_numpy()
    assert len({id(d) for d in details}) == 1 and isinstance(details[0], Reason)
    assert details[0] == Reason("row_not_a_date")
    assert np.all(rej["reason"].to_numpy() == "unparseable_date")


def test_a_duplicate_keeps_its_own_parameters_in_a_small_object(tmp_path: Path) -> None:
    from memberdesk.core.validation_report import IdSeenBefore

    path = tmp_path / "policies.csv"
    path.write_text("policy_id,issue_date,status\nP1,2020-01-01,in force\nP1,2020-02-01,in force\n"
                    "P1,2020-03-01,in force\n", encoding="utf-8")
    details = load_dataset([path]).report.rejected["detail"].tolist()
    assert details == [IdSeenBefore("policy_id", "P1", str(path), 2)] * 2
    assert not hasattr(details[0], "__dict__")  # slots: no per-row dictionary
    assert [detail_text(d, "zh_CN") for d in details] == [f"保单号P1已出现在{path}第2行"] * 2


def test_table_messages_read_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What validation says about a whole table is a Note: its English text as before, its
    Chinese words in `validate --lang zh_CN`."""
    (tmp_path / "policies.csv").write_text("policy_id,issue_date,end_date\nP1,2020-01-01,\n"
                                           "P2,2020-01-01,2021-01-01\n", encoding="utf-8")
    (tmp_path / "claims.csv").write_text("claim_id,policy_id,reported_at,settled_at,amount_paid\n"
                                         "C1,P1,2021-01-01,,0\n", encoding="utf-8")
    ds = load_dataset([tmp_path])
    assert ("policies: the policies have no status column: status set to in_force when there "
            "is no end date, else lapsed") in ds.report.messages
    assert main(["validate", str(tmp_path), "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert "policies：保单数据无状态字段：无终止日期的保单状态设为有效（in_force），否则设为失效（lapsed）" in out
    assert "claims：1件理赔无状态：未结案的设为未结案（open）" in out
    assert "status set to" not in out
