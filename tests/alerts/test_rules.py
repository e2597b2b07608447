"""Alert rules: the shipped TOML defaults, overrides, and clear errors."""
from __future__ import annotations

import tomllib

import pytest

from memberdesk.analysis.alerts.monitored import MONITORED_IDS
from memberdesk.analysis.alerts.rules import AlertRules, MetricRule, default_rules_path, load_rules, rules_from_mapping
from memberdesk.core.errors import DataError


def test_shipped_defaults_are_documented_and_complete() -> None:
    path = default_rules_path()
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    # every rule key is set in the file (so the file documents them all) ...
    assert set(data["defaults"]) == set(MetricRule.__dataclass_fields__) - {"enabled"} | \
        {"segments", "extra_columns", "max_levels"}
    # ... and explained: each key's line follows a comment, or a comment names the key
    lines = text.splitlines()
    comments = " ".join(line for line in lines if line.startswith("#"))
    for key in data["defaults"]:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        assert lines[at - 1].startswith("#") or f"`{key}`" in comments, key
    rules = load_rules()
    assert rules.defaults.alert_level == 0.95 and rules.defaults.alarm_level == 0.998
    assert set(rules.overrides) <= set(MONITORED_IDS)
    assert rules.for_metric("free_look_cancellation_rate").min_denominator == 50
    assert rules.for_metric("csat").min_denominator == 30


def test_user_file_overrides_key_by_key(tmp_path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text("[defaults]\nmin_denominator = 80\nsegments = ['channel', 'branch']\n"
                 "[metrics.csat]\nalarm_level = 0.999\n")
    rules = load_rules(f)
    assert rules.defaults.min_denominator == 80 and rules.segments == ("channel", "branch")
    assert rules.for_metric("csat").alarm_level == 0.999
    assert rules.for_metric("csat").min_denominator == 80
    # a shipped override keeps its own value
    assert rules.for_metric("free_look_cancellation_rate").min_denominator == 50


@pytest.mark.parametrize("text, words", [
    ("[defaults]\nalarm_levl = 0.99\n", "unknown key"),
    ("[defaults]\nalert_level = 0.999\n", "alert_level < alarm_level"),
    ("[defaults]\nwindow_months = 'three'\n", "must be a int"),
    ("version = 2\n", "version"),
    ("[nonsense]\n", "unknown section"),
    ("[defaults\n", "not a valid TOML"),
])
def test_bad_files_name_the_file_and_the_problem(tmp_path, text: str, words: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(DataError) as info:
        load_rules(f)
    assert "bad.toml" in str(info.value) and words in str(info.value)


def test_with_segments_turns_off_extra_columns() -> None:
    rules = rules_from_mapping({}, base=AlertRules()).with_segments(("branch",))
    assert rules.segments == ("branch",) and rules.extra_columns is False
