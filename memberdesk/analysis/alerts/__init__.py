"""Early warning (预警): monitored metrics by segment, funnel plots with overdispersion,
risk-adjusted CUSUMs, alert history and TOML rules. See docs/alerts.md.

Modules: :mod:`.rules` (TOML rules), :mod:`.monitored` (the metrics' numerators and
denominators), :mod:`.funnel` and :mod:`.cusum` (the statistics), :mod:`.engine` (alerts),
:mod:`.history` (new / ongoing / resolved, acknowledgements).
"""
from __future__ import annotations

from memberdesk.analysis.alerts.engine import Alert, AlertsResult, compute_alerts, sort_alerts
from memberdesk.analysis.alerts.history import AlertHistory, acknowledge, apply_history, load_history, save_history
from memberdesk.analysis.alerts.monitored import MONITORED_IDS, Unavailable
from memberdesk.analysis.alerts.rules import AlertRules, MetricRule, load_rules

__all__ = ["Alert", "AlertHistory", "AlertRules", "AlertsResult", "MONITORED_IDS", "MetricRule",
           "Unavailable", "acknowledge", "apply_history", "compute_alerts", "load_history",
           "load_rules", "save_history", "sort_alerts"]
