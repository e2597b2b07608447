"""Every rejection reason, with its file, row and column (validation.py via the loader)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.core import schema
from memberdesk.core.loader import load_dataset
from memberdesk.core.validation_report import detail_text

TODAY = dt.date(2024, 12, 31)
POLICY_HEADER = "policy_id,member_id,issue_date,end_date,status,annual_premium\n"
GOOD_POLICY = "P0,M1,2020-01-01,,in force,100\n"


def _load(tmp_path: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_dataset([tmp_path / n for n in files], today=TODAY)


def _only_rejection(ds, table: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    rej = ds.report.rejected
    rows = rej[rej["table"] == table]
    assert len(rows) == 1, rej
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize(("line", "reason", "column", "value"), [
    (",M1,2020-01-01,,in force,100", "missing_id", "policy_id", None),
    ("P1,M1,2020-13-01,,in force,100", "unparseable_date", "issue_date", "2020-13-01"),
    ("P1,M1,2020-01-01,someday,lapsed,100", "unparseable_date", "end_date", "someday"),
    ("P1,M1,,,in force,100", "missing_date", "issue_date", None),
    ("P1,M1,2020-01-01,,lapsed,100", "missing_date", "end_date", None),
    ("P1,M1,2020-01-01,,surrendered,100", "missing_date", "end_date", None),
    ("P1,M1,2020-01-01,2019-12-31,lapsed,100", "end_before_issue", "end_date", "2019-12-31"),
    ("P1,M1,2020-01-01,,in force,-5", "negative_amount", "annual_premium", "-5"),
    ("P1,M1,2020-01-01,,in force,lots", "unparseable_number", "annual_premium", "lots"),
    ("P1,M1,2020-01-01,,zombie,100", "unknown_status", "status", "zombie"),
    ("P1,M1,2099-01-01,,in force,100", "future_date", "issue_date", "2099-01-01"),
    ("P1,M404,2020-01-01,,in force,100", "unknown_member", "member_id", "M404"),
])
def test_policy_rejections(tmp_path: Path, line: str, reason: str, column: str, value: object) -> None:
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY + line + "\n",
                          "members.csv": "member_id,gender\nM1,F\n"})
    r = _only_rejection(ds, "policies")
    assert (r["reason"], r["column"], r["row"]) == (reason, column, 3)
    assert r["file"] == str(tmp_path / "policies.csv") and pd.isna(r["sheet"])
    assert (r["value"] if isinstance(r["value"], str) else None) == value
    t = ds.report.table("policies")
    assert (t.read, t.accepted, t.rejected, t.reasons) == (2, 1, 1, {reason: 1})
    assert ds.validated["policies"]["policy_id"].tolist() == ["P0"]


def test_duplicate_ids_first_kept_also_across_files(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies_a.csv": POLICY_HEADER + GOOD_POLICY
                          + "P1,M1,2020-01-01,,有效,1\nP1,M1,2020-02-01,,有效,2\n",
                          "policies_b.csv": POLICY_HEADER + "P0,M1,2021-01-01,,有效,3\nP9,,2021-01-01,,有效,3\n"})
    rej = ds.report.rejected
    assert rej[["file", "row", "reason", "column"]].values.tolist() == [
        [str(tmp_path / "policies_a.csv"), 4, "duplicate_id", "policy_id"],
        [str(tmp_path / "policies_b.csv"), 2, "duplicate_id", "policy_id"],
    ]
    # the detail is a reason code with parameters, in words when shown (docs/data-contract.md)
    assert "policies_a.csv row 2" in detail_text(rej["detail"].iloc[1], "en")
    assert ds.validated["policies"]["annual_premium"].tolist() == [100.0, 1.0, 3.0]
    t = ds.report.table("policies")
    assert t.files == [str(tmp_path / "policies_a.csv"), str(tmp_path / "policies_b.csv")]
    assert (t.read, t.accepted, t.rejected) == (5, 3, 2)


def test_first_reason_wins_and_each_row_counted_once(tmp_path: Path) -> None:
    # Unparseable issue date AND negative premium AND unknown member: reported once, as the date.
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY + "P1,M404,bad,,in force,-1\n",
                          "members.csv": "member_id\nM1\n"})
    r = _only_rejection(ds, "policies")
    assert r["reason"] == "unparseable_date"
    assert ds.report.table("policies").reasons == {"unparseable_date": 1}


def test_unknown_member_only_checked_when_members_loaded(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + "P1,M404,2020-01-01,,in force,100\n"})
    assert ds.report.total_rejected == 0


def test_member_rejections_birth_date_in_future_and_missing_id(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY,
                          "members.csv": "会员号,出生日期,年龄\nM1,1980-01-01,44\nM2,2030-01-01,\n"
                                          ",1980-01-01,\nM3,1980-01-01,-1\n"})
    rej = ds.report.rejected.sort_values("row")
    assert rej[["row", "reason", "column"]].values.tolist() == [
        [3, "future_date", "出生日期"], [4, "missing_id", "会员号"], [5, "negative_amount", "年龄"]]


def test_service_contacts_bools_handled_by_and_anonymous(tmp_path: Path) -> None:
    contacts = ("contact_id,member_id,started_at,handled_by,transferred_to_human,connected,wait_seconds\n"
                "S1,M1,2024-01-01 10:00:00,机器人,否,,0\n"
                "S2,,2024-01-02 11:00,人工,,是,30\n"          # anonymous: fine
                "S3,M1,2024-01-03,bot,perhaps,,0\n"            # row 4 unparseable_bool
                "S4,M1,2024-01-04,alien,no,,0\n"               # row 5 unknown handler
                "S5,M9,2024-01-05,bot,no,,0\n"                 # row 6 unknown member
                "S6,M1,2024-01-06,human,,yes,1O\n")            # row 7 unparseable number
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY, "members.csv": "member_id\nM1\n",
                          "service_contacts.csv": contacts})
    rej = ds.report.rejected
    got = rej[rej["table"] == "service_contacts"][["row", "reason", "column", "value"]].values.tolist()
    assert got == [[4, "unparseable_bool", "transferred_to_human", "perhaps"],
                   [5, "unknown_status", "handled_by", "alien"],
                   [6, "unknown_member", "member_id", "M9"],
                   [7, "unparseable_number", "wait_seconds", "1O"]]
    sc = ds.validated["service_contacts"]
    assert sc["handled_by"].tolist() == ["bot", "human"]
    assert str(sc["connected"].dtype) == "boolean"
    assert sc["transferred_to_human"].tolist()[0] == False  # noqa: E712
    assert sc["member_id"].isna().tolist() == [False, True]


def test_claims_unknown_policy_and_settled_before_reported(tmp_path: Path) -> None:
    claims = ("claim_id,policy_id,member_id,reported_at,settled_at,status,amount_paid\n"
              "C1,P0,M1,2024-01-01,2024-02-01,已赔付,100\n"
              "C2,P404,M1,2024-01-01,,未结案,\n"
              "C3,P0,M1,2024-01-01,2023-12-01,拒赔,0\n"
              "C4,P0,M1,2024-01-01,,,\n")
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY, "claims.csv": claims})
    rej = ds.report.rejected
    assert rej[["row", "reason", "column"]].values.tolist() == [
        [3, "unknown_policy", "policy_id"], [4, "end_before_issue", "settled_at"]]
    assert ds.validated["claims"]["status"].tolist() == ["paid", "open"]


def test_policies_without_status_column_inferred_with_message(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies.csv": "policy_id,issue_date,end_date\nP1,2020-01-01,\nP2,2020-01-01,2021-01-01\n"})
    assert ds.validated["policies"]["status"].tolist() == ["in_force", "lapsed"]
    assert any("status" in m for m in ds.report.messages)


def test_canonical_dtypes_and_extras(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies.csv": "保单号,生效日期,终止日期,保单状态,年化保费,代理人,Score\n"
                                          "007,2021/3/1,,有效,\"¥1,000\",张三,1.5\n"
                                          "008,20210302,2022年1月1日,退保,2000,李四,2\n"})
    p = ds.validated["policies"]
    assert p["policy_id"].tolist() == ["007", "008"]
    assert p["issue_date"].dtype == "datetime64[ns]" and p["end_date"].iloc[1] == pd.Timestamp("2022-01-01")
    assert p["status"].tolist() == ["in_force", "surrendered"]
    assert p["annual_premium"].tolist() == [1000.0, 2000.0]
    assert p["代理人"].tolist() == ["张三", "李四"] and p["Score"].tolist() == [1.5, 2.0]
    assert ds.as_of == pd.Timestamp("2022-01-01")


def test_out_of_window_counted_after_as_of(tmp_path: Path) -> None:
    (tmp_path / "policies.csv").write_text(POLICY_HEADER + GOOD_POLICY + "P1,M1,2024-06-01,,in force,1\n")
    ds = load_dataset([tmp_path / "policies.csv"], as_of=pd.Timestamp("2023-12-31"), today=TODAY)
    t = ds.report.table("policies")
    assert (t.accepted, t.out_of_window) == (2, 1)


def test_reason_codes_are_the_schema_codes() -> None:
    from memberdesk.core.validation import _REASON_ORDER

    codes = {v for k, v in vars(schema).items() if k.startswith("REASON_") and isinstance(v, str)}
    assert set(_REASON_ORDER) == codes


def test_nan_status_everywhere_is_inferred_not_rejected(tmp_path: Path) -> None:
    # A pandas export writes NaN for empty cells: every row used to be rejected as
    # unknown_status. Now NaN is an empty status, inferred from the end date, with a message.
    ds = _load(tmp_path, {"policies.csv": "policy_id,issue_date,end_date,status\n"
                                          "P1,2021-01-01,,NaN\nP2,2021-01-01,2022-01-01,nan\n"
                                          "P3,2021-01-01,NULL,NaN\n"})
    assert ds.report.total_rejected == 0
    p = ds.validated["policies"]
    assert p["status"].tolist() == ["in_force", "lapsed", "in_force"]
    assert any("3 policies have an empty status" in m for m in ds.report.messages)


def test_null_token_id_is_a_missing_id(tmp_path: Path) -> None:
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY + "NULL,M1,2020-01-01,,in force,1\n"})
    r = _only_rejection(ds, "policies")
    assert (r["reason"], r["row"]) == ("missing_id", 3)
    assert ds.validated["policies"]["policy_id"].tolist() == ["P0"]


@pytest.mark.parametrize(("name", "text", "column"), [
    ("benefit_usage.csv", "member_id,benefit,used_at,cost\nM1,checkup,2024-03-01,10\nM1,checkup,,10\n",
     "used_at"),
    ("service_contacts.csv", "contact_id,member_id,started_at,handled_by\nS1,M1,2024-03-01,bot\n"
     "S2,M1,,bot\n", "started_at"),
    ("claims.csv", "claim_id,policy_id,reported_at,settled_at,status\nK1,P0,2024-03-01,,open\n"
     "K2,P0,,2024-03-05,paid\n", "reported_at"),
])
def test_event_rows_without_their_date_are_rejected(tmp_path: Path, name: str, text: str, column: str) -> None:
    # Every analysis windows these rows on their date: an undated row used to be accepted and
    # then silently left out of every figure.
    ds = _load(tmp_path, {"policies.csv": POLICY_HEADER + GOOD_POLICY, "members.csv": "member_id\nM1\n",
                          name: text})
    table = name.removesuffix(".csv")
    r = _only_rejection(ds, table)
    assert (r["reason"], r["column"], r["row"]) == ("missing_date", column, 3)
    t = ds.report.table(table)
    assert (t.read, t.accepted, t.rejected) == (2, 1, 1)
