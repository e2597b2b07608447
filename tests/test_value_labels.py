"""Coded values through the one label catalogue (issue 17 B.10/C.16): every value has English
and Chinese; bands and tiers keep their natural order in the analyses' groups and the filter
bar's choices, not the alphabet's."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from memberdesk.core import labels, schema
from memberdesk.core.dataset import AGE_BANDS, PREMIUM_BANDS

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("value", sorted(labels.VALUES))
def test_every_value_has_english_and_chinese(value: str) -> None:
    entry = labels.VALUES[value]
    assert entry["en"] and (HAN.search(entry["zh_CN"]) or entry["zh_CN"] == "App"), value


def test_schema_vocabularies_are_all_in_the_catalogue() -> None:
    words = {*schema.POLICY_STATUSES, *schema.CLAIM_STATUSES, *schema.HANDLED_BY_SYNONYMS}
    assert words - set(labels.VALUES) == set()


def test_values_in_chinese_and_unknown_values_unchanged() -> None:
    assert labels.value_label("bancassurance", "zh_CN") == "银保"
    assert labels.value_label("lapsed", "zh_CN") == "失效"
    assert labels.value_label("bancassurance", "en") == "bancassurance"
    assert labels.value_label("百万医疗", "zh_CN") == "百万医疗"
    assert labels.value_label(3.5, "zh_CN") == 3.5


def test_the_orders_are_the_datasets_bands() -> None:
    assert tuple(b[2] for b in PREMIUM_BANDS) in labels.VALUE_ORDERS
    assert tuple(b[2] for b in AGE_BANDS) in labels.VALUE_ORDERS


def test_tiers_and_bands_sorted_by_their_order_not_alphabetically() -> None:
    assert labels.ordered_values(["gold", "standard", "platinum", "silver"]) == [
        "standard", "silver", "gold", "platinum"]  # alphabetical: gold, platinum, silver, standard
    assert labels.ordered_values(["30k+", "<1k", "10k-30k", "1k-3k"]) == [
        "<1k", "1k-3k", "10k-30k", "30k+"]  # alphabetical: 10k-30k, 1k-3k, 30k+, <1k
    assert labels.ordered_values(["b", "a", "gold"]) == ["a", "b", "gold"]  # mixed: as text


def test_segment_groups_of_the_analyses_follow_the_order() -> None:
    from memberdesk.analysis.frames import segment_labels

    codes, names = segment_labels(pd.Series(["gold", "standard", None, "platinum", "silver"]))
    assert names == ("standard", "silver", "gold", "platinum", "(missing)")
    assert [names[c] for c in codes] == ["gold", "standard", "(missing)", "platinum", "silver"]
    from memberdesk.analysis.persistency import _segments

    seg_codes, uniques = _segments(pd.DataFrame({"tier": ["gold", "silver", "standard"]}), "tier")
    assert uniques == ["standard", "silver", "gold"]
    assert [uniques[c] for c in seg_codes] == ["gold", "silver", "standard"]


def test_cox_levels_of_a_band_in_their_order() -> None:
    from memberdesk.analysis.cox_design import _categorical_codes

    codes, levels = _categorical_codes(pd.Series(["30k+", "<1k", "3k-10k", None, "1k-3k"]))
    assert levels == ["<1k", "1k-3k", "3k-10k", "30k+"]  # sorted as text: 1k-3k, 30k+, 3k-10k, <1k
    assert [levels[c] if c >= 0 else None for c in codes] == ["30k+", "<1k", "3k-10k", None, "1k-3k"]


def test_result_rows_sorted_by_the_value_order() -> None:
    frame = pd.DataFrame({"policy_year": [1, 1, 1, 2, 2],
                          "tier": ["gold", "silver", "standard", "gold", "standard"],
                          "x": [1, 2, 3, 4, 5]})
    out = labels.sort_by_value_order(frame, ["policy_year", "tier"])
    assert list(zip(out["policy_year"], out["tier"])) == [
        (1, "standard"), (1, "silver"), (1, "gold"), (2, "standard"), (2, "gold")]
    plain = pd.DataFrame({"channel": ["b", "a"]})
    assert labels.sort_by_value_order(plain, ["channel"]) is plain  # nothing ordered: untouched
