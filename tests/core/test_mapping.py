"""Header normalisation, automatic mapping, table guessing, mapping round-trip (mapping.py)."""
from __future__ import annotations

import json

import pytest

from memberdesk.core import schema
from memberdesk.core.mapping import (
    ColumnMapping,
    auto_map,
    guess_table,
    header_signature,
    match_column,
    normalise_header,
    table_from_name,
)


def test_normalise_header() -> None:
    assert normalise_header(" Policy_No. ") == "policyno"
    assert normalise_header("Issue-Date") == "issuedate"
    assert normalise_header("ＰＯＬＩＣＹ　ＩＤ") == "policyid"  # full-width letters and space
    assert normalise_header("保费（元）") == "保费元"
    assert normalise_header("[Status]") == "status"


@pytest.mark.parametrize(("header", "column"), [
    ("保单号", "policy_id"), ("Policy No.", "policy_id"), ("POLICY_NUMBER", "policy_id"),
    ("policy_id", "policy_id"), ("生效日期", "issue_date"), ("会员号", "member_id"),
    ("客户号", "member_id"), ("Annual Premium", "annual_premium"), ("保费(元)", "annual_premium"),
    ("年化保费（元）", "annual_premium"), ("保单状态", "status"), ("End-Date", "end_date"),
])
def test_policy_synonyms(header: str, column: str) -> None:
    assert match_column(header, schema.POLICIES) == column


def test_auto_map_keeps_unknown_and_second_duplicates_as_extras() -> None:
    m = auto_map(["保单号", "生效日期", "Agent Name", "policy no"], schema.POLICIES)
    assert m.mapped == {"保单号": "policy_id", "生效日期": "issue_date"}
    assert m.extras == ["Agent Name", "policy no"]
    assert m.signature == header_signature(["保单号", "生效日期", "Agent Name", "policy no"])
    assert m.missing_required() == []
    assert auto_map(["x"], schema.POLICIES).missing_required() == ["policy_id"]


def test_header_signature_ignores_spelling_but_not_order() -> None:
    assert header_signature(["Policy_ID", "Issue Date"]) == header_signature(["policy id", "issuedate"])
    assert header_signature(["a", "b"]) != header_signature(["b", "a"])


@pytest.mark.parametrize(("name", "table"), [
    ("policies", "policies"), ("保单", "policies"), ("2024_claims", "claims"), ("理赔记录", "claims"),
    ("members", "members"), ("会员信息", "members"), ("benefit_usage", "benefit_usage"),
    ("service_contacts", "service_contacts"), ("客服记录", "service_contacts"), ("notes", None),
])
def test_table_from_name(name: str, table: str | None) -> None:
    assert table_from_name(name) == table


def test_guess_table_by_headers() -> None:
    assert guess_table(["保单号", "客户号", "生效日期", "保单状态"])[0] == "policies"
    assert guess_table(["claim id", "policy no", "amount paid"])[0] == "claims"
    assert guess_table(["member_id", "gender", "birth_date"])[0] == "members"
    assert guess_table(["contact_id", "member_id", "handled_by", "connected"])[0] == "service_contacts"
    assert guess_table(["member_id", "benefit", "used_at", "cost"])[0] == "benefit_usage"
    assert guess_table(["foo", "bar"]) == (None, 0.0)


def test_name_hint_wins_when_headers_fit_it() -> None:
    # "member_id, status" alone would be ambiguous; the sheet name decides.
    assert guess_table(["member_id", "status"], "claims")[0] == "claims"
    # A name that designates a table whose columns are absent does not win.
    assert guess_table(["保单号", "生效日期"], "members")[0] == "policies"


def test_mapping_json_round_trip_and_override() -> None:
    m = auto_map(["保单号", "开始", "渠道"], schema.POLICIES)
    assert m.mapped == {"保单号": "policy_id", "渠道": "channel"}
    edited = m.with_overrides({"开始": "issue_date"})
    assert edited.mapped == {"保单号": "policy_id", "开始": "issue_date", "渠道": "channel"}
    text = edited.to_json_text()
    back = ColumnMapping.from_json(json.loads(text))
    assert back == edited
    assert ColumnMapping.from_json(text) == edited
    # Taking a canonical column away from another source column makes that one an extra.
    moved = edited.with_overrides({"渠道": "policy_id"})
    assert moved.mapped == {"开始": "issue_date", "渠道": "policy_id"}
    assert moved.extras == ["保单号"]


def test_override_rejects_unknown_names() -> None:
    m = auto_map(["保单号"], schema.POLICIES)
    with pytest.raises(ValueError):
        m.with_overrides({"保单号": "nonsense"})
    with pytest.raises(KeyError):
        m.with_overrides({"nope": "policy_id"})
    with pytest.raises(ValueError):
        ColumnMapping.from_json({"table": "bogus", "columns": []})


# Every synonym named in issue 2 §3, spelled as a user would type it.
ISSUE_SYNONYMS = [
    ("policy no", "policy_id"), ("pol_num", "policy_id"), ("policy_number", "policy_id"),
    ("保单号", "policy_id"), ("customer id", "member_id"), ("客户号", "member_id"),
    ("会员号", "member_id"), ("effective date", "issue_date"), ("生效日期", "issue_date"),
    ("承保日期", "issue_date"), ("termination date", "end_date"), ("term_date", "end_date"),
    ("终止日期", "end_date"), ("失效日期", "end_date"), ("保单状态", "status"),
    ("premium", "annual_premium"), ("年化保费", "annual_premium"), ("期交保费", "annual_premium"),
    ("产品", "product"), ("险种", "product"), ("渠道", "channel"),
    ("Policy No", "policy_id"), ("POL-NUM", "policy_id"), (" Effective  Date ", "issue_date"),
]


@pytest.mark.parametrize(("header", "column"), ISSUE_SYNONYMS)
def test_issue_synonyms_map_to_policy_columns(header: str, column: str) -> None:
    assert match_column(header, schema.POLICIES) == column


@pytest.mark.parametrize(("table", "header", "column"), [
    ("members", "客户号", "member_id"), ("members", "出生日期", "birth_date"),
    ("members", "省份", "region"), ("members", "会员等级", "tier"), ("members", "入会日期", "join_date"),
    ("benefit_usage", "会员号", "member_id"), ("benefit_usage", "权益名称", "benefit"),
    ("benefit_usage", "使用日期", "used_at"), ("benefit_usage", "cost", "cost"),
    ("service_contacts", "工单号", "contact_id"), ("service_contacts", "开始时间", "started_at"),
    ("service_contacts", "服务渠道", "channel"), ("service_contacts", "处理方", "handled_by"),
    ("service_contacts", "是否转人工", "transferred_to_human"), ("service_contacts", "是否接通", "connected"),
    ("service_contacts", "等待时长", "wait_seconds"), ("service_contacts", "是否解决", "resolved"),
    ("service_contacts", "满意度", "satisfaction"), ("service_contacts", "咨询类型", "topic"),
    ("claims", "赔案号", "claim_id"), ("claims", "保单号", "policy_id"), ("claims", "报案日期", "reported_at"),
    ("claims", "结案日期", "settled_at"), ("claims", "理赔状态", "status"),
    ("claims", "申请金额", "amount_claimed"), ("claims", "赔付金额", "amount_paid"),
])
def test_other_tables_synonyms(table: str, header: str, column: str) -> None:
    assert match_column(header, table) == column


def test_issue_synonym_headers_are_recognised_as_a_policies_file() -> None:
    assert guess_table(["pol_num", "customer id", "effective date", "term_date", "premium",
                        "险种", "渠道"])[0] == "policies"
    m = auto_map(["保单号", "会员号", "承保日期", "失效日期", "保单状态", "期交保费", "产品", "销售人员"],
                 schema.POLICIES)
    assert m.extras == ["销售人员"]  # unmapped: kept as an extra segment column
    assert set(m.mapped.values()) == {"policy_id", "member_id", "issue_date", "end_date", "status",
                                      "annual_premium", "product"}
