"""Alert rules (预警规则): thresholds, minimum denominators and segments, read from TOML.

The defaults live in one documented file, ``resources/alert_rules.default.toml`` (read with the
standard library's :mod:`tomllib`); a user's rules file is laid over it key by key, so a file
that names only ``[metrics.csat] min_denominator = 100`` changes only that. Unknown keys,
wrong types and out-of-range values are a :class:`~memberdesk.core.errors.DataError` naming the
file and the key (exit status 3 on the command line), never silently ignored.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from memberdesk import resource_dir
from memberdesk.core.errors import DataError

RULES_VERSION = 1
DEFAULT_RULES_FILE = "alert_rules.default.toml"
Overdispersion = Literal["additive", "multiplicative", "none"]


@dataclass(frozen=True)
class MetricRule:
    """The thresholds of one monitored metric (levels are two-sided coverage probabilities,
    e.g. 0.998 = limits at the 0.1 % and 99.9 % quantiles; windows in calendar months;
    ``min_denominator`` in units of the metric's denominator: policies, members, contacts,
    claims)."""

    enabled: bool = True
    alert_level: float = 0.95
    alarm_level: float = 0.998
    window_months: int = 3
    history_months: int = 12
    min_denominator: int = 30
    overdispersion: Overdispersion = "additive"
    overdispersion_test_level: float = 0.95
    overdispersion_min_segments: int = 5
    winsorize: float = 0.10
    cusum_odds_ratio: float = 2.0
    cusum_alert_h: float = 3.0
    cusum_alarm_h: float = 5.0
    risk_adjust_by: str = "product"
    free_look_days: int = 15


@dataclass(frozen=True)
class AlertRules:
    """All rules: the defaults, per-metric overrides and the segment columns."""

    defaults: MetricRule = field(default_factory=MetricRule)
    overrides: dict[str, MetricRule] = field(default_factory=dict)
    segments: tuple[str, ...] = ("channel", "product", "region", "tier")
    extra_columns: bool = True
    max_levels: int = 500
    source: str = DEFAULT_RULES_FILE

    def for_metric(self, metric_id: str) -> MetricRule:
        """The rule of ``metric_id`` (its override, else the defaults)."""
        return self.overrides.get(metric_id, self.defaults)

    def with_segments(self, segments: tuple[str, ...]) -> AlertRules:
        """These rules monitoring exactly ``segments`` (no extra columns): ``--by``."""
        return replace(self, segments=segments, extra_columns=False)


_SEGMENT_KEYS = {"segments": list, "extra_columns": bool, "max_levels": int}
_RULE_TYPES: dict[str, type] = {f.name: type(getattr(MetricRule(), f.name)) for f in fields(MetricRule)}


def _rule(base: MetricRule, table: dict[str, Any], where: str, path: str) -> MetricRule:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SEGMENT_KEYS and where == "defaults":
            continue
        want = _RULE_TYPES.get(key)
        if want is None:
            raise DataError(f"unknown key {key!r} in [{where}] (known: "
                            f"{', '.join(sorted(_RULE_TYPES))})", file=path)
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            raise DataError(f"[{where}] {key} must be a {want.__name__}, not {value!r}", file=path)
        values[key] = value
    rule = replace(base, **values)
    _check(rule, where, path)
    return rule


def _check(rule: MetricRule, where: str, path: str) -> None:
    problems = []
    if not 0.5 < rule.alert_level < rule.alarm_level < 1:
        problems.append("need 0.5 < alert_level < alarm_level < 1")
    if rule.window_months < 1 or rule.history_months < 1:
        problems.append("window_months and history_months must be at least 1")
    if rule.min_denominator < 1:
        problems.append("min_denominator must be at least 1")
    if rule.overdispersion not in ("additive", "multiplicative", "none"):
        problems.append("overdispersion is additive, multiplicative or none")
    if not 0 <= rule.winsorize < 0.5:
        problems.append("winsorize must be in [0, 0.5)")
    if not 0 < rule.overdispersion_test_level < 1 or rule.overdispersion_min_segments < 2:
        problems.append("overdispersion_test_level in (0, 1), overdispersion_min_segments >= 2")
    if rule.cusum_odds_ratio <= 1 or not 0 < rule.cusum_alert_h <= rule.cusum_alarm_h:
        problems.append("need cusum_odds_ratio > 1 and 0 < cusum_alert_h <= cusum_alarm_h")
    if rule.free_look_days < 0:
        problems.append("free_look_days must not be negative")
    if problems:
        raise DataError(f"[{where}]: {'; '.join(problems)}", file=path)


def rules_from_mapping(data: dict[str, Any], *, base: AlertRules | None = None,
                       path: str = "<rules>") -> AlertRules:
    """Rules from a parsed TOML document laid over ``base`` (None = built-in empty defaults)."""
    base = base or AlertRules()
    version = data.get("version", RULES_VERSION)
    if version != RULES_VERSION:
        raise DataError(f"rules version {version!r} is not supported (this MemberDesk reads "
                        f"version {RULES_VERSION})", file=path)
    unknown = set(data) - {"version", "defaults", "metrics"}
    if unknown:
        raise DataError(f"unknown section(s) {', '.join(sorted(unknown))} (known: defaults, "
                        "metrics)", file=path)
    table = data.get("defaults", {})
    defaults = _rule(base.defaults, table, "defaults", path)
    segments = table.get("segments", list(base.segments))
    if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
        raise DataError("[defaults] segments must be a list of column names", file=path)
    extra = table.get("extra_columns", base.extra_columns)
    max_levels = table.get("max_levels", base.max_levels)
    if not isinstance(extra, bool) or not isinstance(max_levels, int) or max_levels < 2:
        raise DataError("[defaults] extra_columns is true/false, max_levels an integer >= 2",
                        file=path)
    overrides = {}
    for mid, over in base.overrides.items():  # base overrides follow the new defaults' changes
        changed = {f.name: getattr(over, f.name) for f in fields(MetricRule)
                   if getattr(over, f.name) != getattr(base.defaults, f.name)}
        overrides[mid] = replace(defaults, **changed)
    for mid, over in data.get("metrics", {}).items():
        if not isinstance(over, dict):
            raise DataError(f"[metrics.{mid}] must be a table", file=path)
        overrides[mid] = _rule(overrides.get(mid, defaults), over, f"metrics.{mid}", path)
    return AlertRules(defaults, overrides, tuple(segments), extra, max_levels, source=path)


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise DataError(f"cannot read the rules file: {exc.strerror or exc}", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not a valid TOML rules file: {exc}", file=str(path)) from None


def default_rules_path() -> Path:
    """The shipped, documented defaults file."""
    return resource_dir() / DEFAULT_RULES_FILE


def load_rules(path: str | Path | None = None) -> AlertRules:
    """The default rules, with the file at ``path`` (if any) laid over them. Metric ids in
    ``[metrics.*]`` must be monitored metrics (checked by the caller that knows them)."""
    default_path = default_rules_path()
    rules = rules_from_mapping(_read(default_path), path=str(default_path))
    if path is None:
        return rules
    return rules_from_mapping(_read(Path(path)), base=rules, path=str(path))
