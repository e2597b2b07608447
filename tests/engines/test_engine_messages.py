"""The engine's messages about a table are the file path's: the same reason, naming the table,
in either language (issue 13: the same rules and reasons as files).

Truth: the file path's messages on the same cells (``load_dataset`` on the CSV files), and the
catalogue's Chinese words written out here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.errors import DataError
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import reason_text

from .conftest import write_csv_book

TODAY = dt.date(2026, 12, 5)
MEMBERS = "member_id,birth_date\nM1,1980-01-01\nM2,1975-05-05\n"


def _status_messages(messages: list[str]) -> list[str]:
    return [m for m in messages if "status" in m]


def test_no_status_column_is_said_as_on_files(tmp_path: Path) -> None:
    files, book = write_csv_book(tmp_path, {
        "members": MEMBERS,
        "policies": "policy_id,member_id,issue_date,end_date,annual_premium\n"
                    "P1,M1,2020-01-01,,100\nP2,M2,2021-03-01,2022-01-01,200\n"})
    on_files = _status_messages(load_dataset(files, today=TODAY).report.messages)
    ds = open_book(f"duckdb://{book}", today=TODAY)
    assert ds.book is not None
    ds.book.close()
    on_book = _status_messages(ds.report.messages)
    assert on_book == on_files == ["policies: the policies have no status column: status set to "
                                   "in_force when there is no end date, else lapsed"]
    assert reason_text(on_book[0], "zh_CN") == (
        "policies：保单数据无状态字段：无终止日期的保单状态设为有效（in_force），否则设为失效（lapsed）")


def test_a_status_column_under_a_chinese_header_is_not_missing(tmp_path: Path) -> None:
    """保单状态 maps to status: the engine said "the policies have no status column" because it
    looked for a source column literally named status."""
    _, book = write_csv_book(tmp_path, {
        "members": MEMBERS,
        "policies": "保单号,会员号,生效日期,终止日期,年化保费,保单状态\n"
                    "P1,M1,2020-01-01,,100,有效\nP2,M2,2021-03-01,2022-01-01,200,失效\n"})
    ds = open_book(f"duckdb://{book}", today=TODAY)
    assert ds.book is not None
    ds.book.close()
    assert [t.accepted for t in ds.report.tables] == [2, 2]
    assert not any("no status column" in m for m in ds.report.messages), ds.report.messages


def _inferred(messages: list[str]) -> list[str]:
    return [m for m in messages if "status" in m and ("empty status" in m or "no status" in m)]


def test_empty_statuses_are_counted_as_on_files(tmp_path: Path) -> None:
    """Three policies with an empty status, one of them rejected before the status rule (its
    issue date unreadable), one rejected after it (end before issue): the file path counts the
    two not rejected before (hand count: P2 and P4), and so must the engine."""
    files, book = write_csv_book(tmp_path, {
        "members": MEMBERS,
        "policies": "policy_id,member_id,issue_date,end_date,annual_premium,status\n"
                    "P1,M1,2020-01-01,,100,in_force\n"
                    "P2,M1,2020-02-01,,100,\n"
                    "P3,M2,not a date,,100,\n"
                    "P4,M2,2021-03-01,2020-01-01,200,\n"})
    on_files = _inferred(load_dataset(files, today=TODAY).report.messages)
    ds = open_book(f"duckdb://{book}", today=TODAY)
    assert ds.book is not None
    ds.book.close()
    assert _inferred(ds.report.messages) == on_files == [
        "policies: 2 policies have an empty status: status set to in_force when there is no end "
        "date, else lapsed"]


def test_claims_without_status_are_counted_as_on_files(tmp_path: Path) -> None:
    """Claims with a status column holding two empty cells, and claims without one (every
    claim's status inferred: hand counts 2 and 3)."""
    policies = "policy_id,member_id,issue_date,end_date,annual_premium,status\n" \
               "P1,M1,2020-01-01,,100,in_force\nP2,M2,2020-02-01,,100,in_force\n"
    for claims, n in (("claim_id,policy_id,reported_at,settled_at,amount_paid,status\n"
                       "C1,P1,2021-01-01,2021-01-05,100,paid\nC2,P1,2021-02-01,,0,\n"
                       "C3,P2,2021-03-01,2021-03-09,0,\n", 2),
                      ("claim_id,policy_id,reported_at,settled_at,amount_paid\n"
                       "C1,P1,2021-01-01,2021-01-05,100\nC2,P1,2021-02-01,,0\n"
                       "C3,P2,2021-03-01,2021-03-09,0\n", 3)):
        folder = tmp_path / str(n)
        files, book = write_csv_book(folder, {"members": MEMBERS, "policies": policies,
                                              "claims": claims})
        on_files = _inferred(load_dataset(files, today=TODAY).report.messages)
        ds = open_book(f"duckdb://{book}", today=TODAY)
        assert ds.book is not None
        ds.book.close()
        assert _inferred(ds.report.messages) == on_files
        assert on_files == [f"claims: {n} claims have no status: set to open when not settled, "
                            "else paid when an amount was paid, else declined"]


def test_a_policies_table_mapped_elsewhere_is_named(tmp_path: Path) -> None:
    """--table members=policies takes the policies table away: the error says so instead of
    listing a table named policies beside "no policies table found" (seen by helper U)."""
    _, book = write_csv_book(tmp_path, {
        "members": MEMBERS,
        "policies": "policy_id,member_id,issue_date,end_date,annual_premium,status\n"
                    "P1,M1,2020-01-01,,100,in_force\n"})
    with pytest.raises(DataError) as caught:
        open_book(f"duckdb://{book}", tables={"members": TableRef("policies")}, today=TODAY)
    assert "policies is mapped to members by --table" in str(caught.value)
