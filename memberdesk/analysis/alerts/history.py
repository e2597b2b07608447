"""Alert history (预警记录): new / ongoing / resolved against the previous run, acknowledgements.

The history is a small JSON file (beside the workspace, or the path given with
``memberdesk alerts --history FILE``)::

    {"format": "memberdesk-alert-history", "version": 1, "as_of": "2026-11-30",
     "entries": [{"key": "free_look_cancellation_rate|funnel|channel=broker",
                  "metric": ..., "column": ..., "segment": ..., "method": ..., "level": ...,
                  "since": "2026-08", "first_seen": "2026-11-30", "last_seen": "2026-11-30",
                  "active": true, "acknowledged": {"note": "...", "at": "2026-12-01T09:00:00"}
                                                   | null}]}

Rules: an alert whose key is active in the history is **ongoing** (its ``since`` is kept from
the first run); any other alert is **new**; an active history entry with no alert in this run
is reported once as **resolved** (with the level and method it had) and kept inactive. An
acknowledgement stays with its key while the alert goes on and is cleared when it resolves.
A history file of an unknown format or a newer version is a DataError, never overwritten.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from memberdesk.analysis.alerts.engine import Alert, AlertsResult
from memberdesk.core.atomic_write import atomic_write
from memberdesk.core.errors import DataError

HISTORY_FORMAT = "memberdesk-alert-history"
HISTORY_VERSION = 1


@dataclass(frozen=True)
class HistoryEntry:
    key: str
    metric: str
    column: str
    segment: str
    method: str
    level: str
    since: str
    first_seen: str
    last_seen: str
    active: bool = True
    note: str | None = None
    acknowledged_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        ack = None if self.note is None else {"note": self.note, "at": self.acknowledged_at}
        return {"key": self.key, "metric": self.metric, "column": self.column,
                "segment": self.segment, "method": self.method, "level": self.level,
                "since": self.since, "first_seen": self.first_seen, "last_seen": self.last_seen,
                "active": self.active, "acknowledged": ack}


@dataclass(frozen=True)
class AlertHistory:
    as_of: str | None = None
    entries: tuple[HistoryEntry, ...] = ()

    def get(self, key: str) -> HistoryEntry | None:
        for e in self.entries:
            if e.key == key:
                return e
        return None

    def to_json(self) -> dict[str, Any]:
        return {"format": HISTORY_FORMAT, "version": HISTORY_VERSION, "as_of": self.as_of,
                "entries": [e.to_json() for e in self.entries]}


def _entry(raw: dict[str, Any], path: str) -> HistoryEntry:
    try:
        ack = raw.get("acknowledged") or {}
        return HistoryEntry(str(raw["key"]), str(raw["metric"]), str(raw["column"]),
                            str(raw["segment"]), str(raw["method"]), str(raw["level"]),
                            str(raw["since"]), str(raw["first_seen"]), str(raw["last_seen"]),
                            bool(raw.get("active", True)),
                            None if not ack else str(ack.get("note", "")),
                            None if not ack else ack.get("at"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"alert history entry is incomplete ({exc})", file=path) from None


def load_history(path: str | Path) -> AlertHistory:
    """The history at ``path``; an empty history when the file does not exist yet."""
    p = Path(path)
    if not p.exists():
        return AlertHistory()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the alert history: {exc}", file=str(p)) from None
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        raise DataError("not a MemberDesk alert-history file", file=str(p))
    version = data.get("version")
    if not isinstance(version, int) or version > HISTORY_VERSION:
        raise DataError(f"alert history version {version!r} is newer than this MemberDesk "
                        f"reads ({HISTORY_VERSION})", file=str(p))
    return AlertHistory(data.get("as_of"), tuple(_entry(e, str(p)) for e in data.get("entries", [])))


def save_history(history: AlertHistory, path: str | Path) -> Path:
    """Write ``history`` atomically (the previous file stays intact on failure)."""
    text = json.dumps(history.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    return atomic_write(path, lambda handle: handle.write(text), what="the alert history")


def apply_history(result: AlertsResult, history: AlertHistory) -> tuple[AlertsResult, AlertHistory]:
    """Statuses of ``result``'s alerts against ``history`` and the updated history (module
    docstring). The result gains one ``resolved`` alert per history entry that went away."""
    today = result.as_of.date().isoformat()
    out: list[Alert] = []
    entries: dict[str, HistoryEntry] = {e.key: e for e in history.entries}
    seen = set()
    for a in result.alerts:
        seen.add(a.key)
        old = entries.get(a.key)
        if old is not None and old.active:
            a = replace(a, status="ongoing", since=min(old.since, a.since), acknowledged=old.note)
            entries[a.key] = replace(old, method=a.method, level=a.level, since=a.since,
                                     last_seen=today)
        else:
            a = replace(a, status="new")
            entries[a.key] = HistoryEntry(a.key, a.metric, a.column, a.segment_value, a.method,
                                          a.level, a.since, today, today)
        out.append(a)
    for key, e in list(entries.items()):
        if key in seen or not e.active:
            continue
        out.append(_resolved(result, e))
        entries[key] = replace(e, active=False, last_seen=today, note=None, acknowledged_at=None)
    return result.with_alerts(tuple(out)), AlertHistory(today, tuple(entries.values()))


def _resolved(result: AlertsResult, e: HistoryEntry) -> Alert:
    """A resolved alert, with this run's funnel value of the segment when there is one."""
    value = expected = lower = upper = None
    n = 0
    f = result.funnel
    if len(f):
        row = f[(f["metric"] == e.metric) & (f["column"] == e.column) & (f["segment"] == e.segment)]
        if len(row):
            r = row.iloc[0]
            value, expected, n = _num(r["value"]), _num(r["target"]), int(r["n"])
            if e.method != "cusum":
                lower = _num(r["lower_alarm" if e.level == "alarm" else "lower_alert"])
                upper = _num(r["upper_alarm" if e.level == "alarm" else "upper_alert"])
    period = ""
    if len(f):
        rows = f.loc[f["metric"] == e.metric, "period"]
        period = str(rows.iloc[0]) if len(rows) else ""
    return Alert(e.metric, e.column, e.segment, "alarm" if e.level == "alarm" else "alert",
                 e.method, value, expected, lower, upper, n, e.since, period, status="resolved")


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def acknowledge(history: AlertHistory, key: str, note: str,
                when: datetime | None = None) -> AlertHistory:
    """The history with the active alert ``key`` acknowledged with ``note`` (KeyError when no
    active alert has that key)."""
    e = history.get(key)
    if e is None or not e.active:
        raise KeyError(f"no active alert {key!r} in the history")
    at = (when or datetime.now()).isoformat(timespec="seconds")
    updated = replace(e, note=note, acknowledged_at=at)
    return replace(history, entries=tuple(updated if x.key == key else x for x in history.entries))
