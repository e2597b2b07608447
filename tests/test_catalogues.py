"""The one reason catalogue (memberdesk/core/reasons.py) and the one label catalogue
(memberdesk/core/labels.py): every entry speaks both languages, and the UI, the report and
the command line read the same words."""
from __future__ import annotations

import re

import pytest

from memberdesk.core import labels, reasons
from memberdesk.core.reasons import Reason

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("code", sorted(reasons.CATALOGUE))
def test_every_reason_code_has_english_and_chinese_with_the_same_fields(code: str) -> None:
    entry = reasons.CATALOGUE[code]
    assert set(entry) == set(reasons.LANGS), code
    assert entry["en"] and HAN.search(entry["zh_CN"]), code
    assert reasons.placeholders(entry["en"]) == reasons.placeholders(entry["zh_CN"]), code


@pytest.mark.parametrize("column", sorted(labels.COLUMNS))
def test_every_label_has_english_and_chinese(column: str) -> None:
    entry = labels.COLUMNS[column]
    assert entry.get("en") and entry.get("zh_CN"), column
    assert HAN.search(entry["zh_CN"]) or entry["zh_CN"] in ("A/E", "AIC", "BIC", "RMST"), column


@pytest.mark.parametrize("table", sorted(labels.TABLE_NAMES))
def test_every_table_has_english_and_chinese(table: str) -> None:
    assert labels.TABLE_NAMES[table]["en"] and HAN.search(labels.TABLE_NAMES[table]["zh_CN"])


def test_every_canonical_column_has_a_label() -> None:
    from memberdesk.core import schema

    missing = [c.name for spec in schema.TABLE_SPECS.values() for c in spec.columns
               if not labels.has_column_label(c.name)]
    assert missing == []


def test_the_issue_example_reads_in_both_languages() -> None:
    reason = Reason("missing_column", table="claims", column="reported_at")
    assert reason.text("en") == "claims have no reported_at column"
    zh = reason.text("zh_CN")
    # table and column through the label catalogue; no English left in the Chinese text
    assert zh == "理赔数据无报案日期字段" and not re.search(r"[A-Za-z]", zh)
    assert reason.to_json() == {"code": "missing_column", "table": "claims", "column": "reported_at",
                                "message": "claims have no reported_at column"}
    assert dict(reason.params) == {"table": "claims", "column": "reported_at"}


def test_several_columns_are_each_labelled() -> None:
    reason = Reason("missing_column", table="service_contacts", column="handled_by, transferred_to_human")
    assert reason.text("zh_CN") == "服务记录数据无处理方、转人工字段"


def test_an_unknown_code_fails_at_construction() -> None:
    with pytest.raises(KeyError):
        Reason("no_such_code")


def test_reasons_are_values() -> None:
    a, b = Reason("no_persistency_cohort", month=13), Reason("no_persistency_cohort", month=13)
    assert a == b and hash(a) == hash(b) and a != Reason("no_persistency_cohort", month=25)
    with pytest.raises(AttributeError):
        a.code = "x"  # type: ignore[misc]
    assert a.text("zh_CN") == "统计截止日前12个月内无保单届满第13个保单月"


def test_the_analyses_reasons_are_catalogue_reasons() -> None:
    """Every reason a KPI can give is a Reason (not a sentence) and reads in Chinese."""
    import pandas as pd

    from memberdesk.analysis.kpis import EMPTY_REASONS
    from memberdesk.analysis.service import missing_columns_reason

    found = [*EMPTY_REASONS.values(), missing_columns_reason(None, "csat"),
             missing_columns_reason(pd.DataFrame(), "csat"),
             missing_columns_reason(pd.DataFrame({"x": [1]}), "human_connection_rate")]
    for reason in found:
        assert isinstance(reason, Reason)
        assert not re.search(r"[a-z]{4,}", reason.text("zh_CN")), reason
