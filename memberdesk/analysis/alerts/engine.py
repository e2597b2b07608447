"""Early warning (预警): funnel plots and CUSUMs of the monitored metrics by segment.

For each monitored metric (:mod:`.monitored`) and segment column, the units are counted per
segment, risk class and cohort month in one ``bincount``; everything after that works on those
small count arrays:

* **Funnel** (:mod:`.funnel`): for the window of the latest ``window_months`` complete cohort
  months, each segment's rate x/n against the book's pooled rate, with exact binomial limits at
  ``alert_level`` and ``alarm_level`` — or the overdispersion-adjusted limits when the segments
  are overdispersed (the alert's ``method`` says which: ``funnel_binomial``,
  ``funnel_overdispersed_additive`` or ``funnel_overdispersed_multiplicative``). Only the bad
  side flags (above the upper limit when lower is better, below the lower limit when higher is
  better; both sides for neutral metrics), and only segments with at least
  ``min_denominator`` units in the window. The same test on the windows ending in each of the
  ``history_months`` latest months gives ``since``: the last month of the first window of the
  current uninterrupted run of flagged windows.
* **CUSUM** (:mod:`.cusum`): the risk-adjusted Bernoulli CUSUM of the bad outcome (the
  numerator when lower is better, its complement otherwise) over the ``history_months`` latest
  cohort months; method ``cusum``, ``value`` and ``expected`` are the metric's observed and
  risk-adjusted expected rate over the months since the run began, ``lower``/``upper`` are
  None.

Months are calendar months labelled ``YYYY-MM`` (the cohort month of the metric: issue month,
13th-month due month, contact month …). Alerts are keyed by metric, method family (funnel or
cusum), column and segment value; their status against the previous run is set by
:mod:`.history`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.alerts import pushdown
from memberdesk.analysis.alerts.cusum import cusum_path, cusum_weights, signal_since
from memberdesk.analysis.alerts.funnel import dispersion, funnel_limits
from memberdesk.analysis.alerts.monitored import (
    MISSING_LEVEL,
    MONITORED,
    Entity,
    MetricRows,
    MonitoredMetric,
    SegmentSource,
    Unavailable,
    early_exit_last_month,
    extra_segment_columns,
    monitored_months,
    run_cache,
)
from memberdesk.analysis.alerts.rules import AlertRules, MetricRule, load_rules
from memberdesk.analysis.metrics import get_metric
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

Level = Literal["alert", "alarm"]
Status = Literal["new", "ongoing", "resolved"]
LEVEL_ORDER = {"alarm": 0, "alert": 1}
STATUS_ORDER = {"new": 0, "ongoing": 1, "resolved": 2}
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Alert:
    """One flagged segment of one metric.

    ``value``/``expected`` are proportions (the metric's own direction: persistency is the
    share persisting); ``lower``/``upper`` the limits of ``level`` (None for CUSUM); ``n`` the
    denominator over the flagged window; ``since`` and ``period`` are ``YYYY-MM`` months;
    ``statistic`` is the z-score (funnel, normal scale) or the CUSUM value, ``threshold`` the
    CUSUM limit h (None for funnels). ``acknowledged`` holds a user's note (from the history).
    """

    metric: str
    column: str
    segment_value: str
    level: Level
    method: str
    value: float | None
    expected: float | None
    lower: float | None
    upper: float | None
    n: int
    since: str
    period: str
    statistic: float | None = None
    threshold: float | None = None
    status: Status = "new"
    acknowledged: str | None = None

    @property
    def family(self) -> str:
        return "cusum" if self.method == "cusum" else "funnel"

    @property
    def key(self) -> str:
        """Identity across runs: metric, method family, column and segment value."""
        return f"{self.metric}|{self.family}|{self.column}={self.segment_value}"

    def to_json(self) -> dict[str, Any]:
        """Exactly docs/cli.md (``alerts --json`` items)."""
        return {"metric": self.metric, "segment": {self.column: self.segment_value},
                "level": self.level, "method": self.method, "value": self.value,
                "expected": self.expected, "lower": self.lower, "upper": self.upper,
                "n": self.n, "since": self.since, "status": self.status}


def sort_alerts(alerts: list[Alert]) -> tuple[Alert, ...]:
    """Severity first (alarm, alert), then new before ongoing before resolved, then metric
    order, column and segment."""
    order = {m.id: i for i, m in enumerate(MONITORED)}
    return tuple(sorted(alerts, key=lambda a: (LEVEL_ORDER[a.level], STATUS_ORDER[a.status],
                                                order.get(a.metric, 99), a.column,
                                                a.segment_value, a.family)))


@dataclass(frozen=True, eq=False)
class AlertsResult:
    """Alerts at ``as_of`` with what they were computed from.

    ``funnel``: one row per metric, column and segment for the latest window (``metric``,
    ``column``, ``segment``, ``period``, ``x``, ``n``, ``value``, ``target``, ``lower_alert``,
    ``upper_alert``, ``lower_alarm``, ``upper_alarm``, ``method``, ``phi``, ``tau2``,
    ``flaggable``, ``level``). ``monthly``: one row per metric, column, segment and month
    (``month``, ``x``, ``n``, ``value``, ``expected`` (risk-adjusted expected rate of the
    metric), ``cusum``). ``book``: the whole book per metric and month, all segments pooled
    (``metric``, ``month``, ``x``, ``n``). ``unavailable``: metric → why it cannot be computed.
    """

    as_of: pd.Timestamp
    alerts: tuple[Alert, ...]
    funnel: pd.DataFrame
    monthly: pd.DataFrame
    unavailable: dict[str, Unavailable]
    columns: tuple[str, ...]
    rules: AlertRules = field(repr=False, default_factory=AlertRules)
    book: pd.DataFrame = field(default_factory=pd.DataFrame)
    pushed_down: tuple[str, ...] = ()   # metrics counted by the warehouse engine (GROUP BY)

    def book_value(self, metric: str) -> float | None:
        """The whole book's rate over the metric's latest window (the funnel target)."""
        b = self.book
        if not len(b):
            return None
        rows = b[b["metric"] == metric].tail(self.rules.for_metric(metric).window_months)
        n = float(rows["n"].sum())
        return float(rows["x"].sum()) / n if n > 0 else None

    def to_json(self) -> dict[str, Any]:
        """Exactly docs/cli.md: ``{"as_of", "alerts": [...]}``."""
        return {"as_of": self.as_of.date().isoformat(),
                "alerts": [a.to_json() for a in self.alerts]}

    def active(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.status != "resolved")

    def alarmed_metrics(self) -> set[str]:
        """Metrics with an active alarm in any segment (the cockpit badges)."""
        return {a.metric for a in self.active() if a.level == "alarm"}

    def with_alerts(self, alerts: tuple[Alert, ...]) -> AlertsResult:
        return replace(self, alerts=sort_alerts(list(alerts)))


@dataclass(frozen=True, eq=False)
class _Counts:
    """Counts of one metric by one column: [segment, month] arrays over ``months``."""

    levels: list[Any]
    months: npt.NDArray[np.int64]
    x: FloatArray
    n: FloatArray
    bad: FloatArray
    weights: FloatArray           # CUSUM weights W[segment, month]
    expected_bad: FloatArray      # Σ n·p over risk classes


@dataclass(frozen=True, eq=False)
class _Units:
    """The counted units of one metric in the monitored months, prepared once for every
    segment column: entity row, month position (0 = first month) and numerator flag."""

    row: npt.NDArray[np.int64]
    month: npt.NDArray[np.int64]
    x: FloatArray
    first: int
    n_months: int
    weight: FloatArray | None = None   # units per row (aggregated cells); None = 1 each
    runs: npt.NDArray[np.int8] | None = None   # run encoding (MetricRows.runs); None = plain


def _units(rows: MetricRows, first: int, n_months: int) -> _Units:
    if rows.runs is not None:
        # numerator units outside the months are dropped; run bounds are clipped to
        # [first, first + n_months] (a run ending before the months then adds 0, one
        # starting after them adds nothing within them)
        take = (rows.runs != 0) | ((rows.month >= first) & (rows.month < first + n_months))
        idx = np.flatnonzero(take)
        row = idx if rows.row is None else rows.row[idx]
        return _Units(row.astype(np.int64),
                      (np.clip(rows.month[idx], first, first + n_months) - first).astype(np.int64),
                      rows.x[idx].astype(float), first, n_months, runs=rows.runs[idx])
    take = (rows.month >= first) & (rows.month < first + n_months)
    if rows.n is not None:
        take &= rows.n
    idx = np.flatnonzero(take)
    row = idx if rows.row is None else rows.row[idx]
    return _Units(row.astype(np.int64), (rows.month[idx] - first).astype(np.int64),
                  rows.x[idx].astype(float), first, n_months)


def _count(u: _Units, codes: npt.NDArray[np.int64], n_levels: int,
           risk: tuple[npt.NDArray[np.int64], int] | None, good: str, odds_ratio: float,
           tails: dict[bool, tuple[Any, npt.NDArray[np.int64]]] | None = None) -> _Counts:
    """Counts by segment (``codes``, one per entity row), risk class (``risk``: codes per
    entity row, number of classes) and month: :func:`_count_units` on the units' codes.

    The part of the key that does not depend on the segment column (risk class, month,
    flag) is computed once per metric and risk column and kept in ``tails``.
    """
    risk_rows = None if risk is None else risk[0]
    tail = None
    if u.weight is None:
        cached = None if tails is None else tails.get(risk is None)
        if cached is not None and cached[0] is risk_rows:
            tail = cached[1]
        else:
            tail = _tail(u, None if risk_rows is None else risk_rows[u.row])
            if tails is not None:
                tails[risk is None] = (risk_rows, tail)
    unit_risk = None if risk_rows is None or u.weight is None else risk_rows[u.row]
    return _count_units(u, codes[u.row], n_levels, 1 if risk is None else risk[1], unit_risk,
                        tail, good, odds_ratio)


def _tail(u: _Units, unit_risk: npt.NDArray[np.int64] | None) -> npt.NDArray[np.int64]:
    """The part of a unit-weight unit's key below the segment: (risk class, month, flag),
    or for the run encoding (risk class, month bound 0..n_months, unit kind)."""
    if u.runs is not None:
        tail = u.month * 3 + u.runs
        if unit_risk is not None:
            tail += unit_risk * ((u.n_months + 1) * 3)
        return tail
    tail = u.month * 2 + u.x.astype(np.int64)
    if unit_risk is not None:
        tail += unit_risk * (u.n_months * 2)
    return tail


def _count_units(u: _Units, key: npt.NDArray[np.int64], n_levels: int, n_risk: int,
                 unit_risk: npt.NDArray[np.int64] | None, tail: npt.NDArray[np.int64] | None,
                 good: str, odds_ratio: float) -> _Counts:
    """Counts by segment, risk class and month in one ``bincount``.

    ``key`` holds the segment code of each unit (a fresh array: it is scaled and shifted in
    place). Unit-weight units (one row = one unit, ``x`` 0 or 1) are counted without weights:
    ``tail`` (:func:`_tail`, shared by every segment column of a metric) carries the risk
    class, the month and the numerator flag as the key's lowest digit, so one unweighted
    ``bincount`` gives both n and x. Weighted units (aggregated cells, ``u.weight``) use
    ``unit_risk`` and two weighted ``bincount`` calls.
    """
    n_months = u.n_months
    size = n_levels * n_risk * n_months
    shape = (n_levels, n_risk, n_months)
    if u.runs is not None:
        # numerators and run bounds in one bincount; n = running sum of starts − stops
        assert tail is not None and u.weight is None
        key *= n_risk * (n_months + 1) * 3
        key += tail
        bounds = (n_levels, n_risk, n_months + 1, 3)
        cells = np.bincount(key, minlength=int(np.prod(bounds))).reshape(bounds)
        x3 = cells[:, :, :n_months, 0].astype(float)
        n3 = np.cumsum(cells[..., 1] - cells[..., 2], axis=2)[:, :, :n_months].astype(float)
    elif u.weight is None:
        assert tail is not None
        key *= n_risk * n_months * 2
        key += tail
        both = np.bincount(key, minlength=2 * size).reshape(size, 2)
        x3 = both[:, 1].astype(float).reshape(shape)
        n3 = (both[:, 0] + both[:, 1]).astype(float).reshape(shape)
    else:
        cell = key if unit_risk is None else key * n_risk + unit_risk
        key = cell * n_months + u.month
        n3 = np.bincount(key, u.weight, minlength=size).astype(float).reshape(shape)
        x3 = np.bincount(key, u.x, minlength=size).reshape(shape)
    bad3 = x3 if good != "up" else n3 - x3
    book_n, book_bad = n3.sum(axis=0), bad3.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(book_n > 0, book_bad / book_n, 0.0)
    weights = cusum_weights(bad3, n3, p[None], odds_ratio).sum(axis=1)
    return _Counts(levels=[], months=np.arange(u.first, u.first + n_months), x=x3.sum(axis=1),
                   n=n3.sum(axis=1), bad=bad3.sum(axis=1), weights=weights,
                   expected_bad=(n3 * p[None]).sum(axis=1))


def _level(value: FloatArray, lo: tuple[FloatArray, FloatArray], hi: tuple[FloatArray, FloatArray],
           good: str) -> npt.NDArray[np.int8]:
    """0 = in control, 1 = alert, 2 = alarm, on the bad side of the limits."""
    (lo_a, hi_a), (lo_b, hi_b) = lo, hi  # (alert limits), (alarm limits)
    out = np.zeros(len(value), np.int8)
    if good in ("down", "neutral"):
        out = np.where(value > hi_a, 1, out)
        out = np.where(value > hi_b, 2, out)
    if good in ("up", "neutral"):
        out = np.maximum(out, np.where(value < lo_b, 2, np.where(value < lo_a, 1, 0)))
    return out.astype(np.int8)


@dataclass(frozen=True)
class _Window:
    x: FloatArray
    n: FloatArray
    value: FloatArray
    target: float
    alert: tuple[FloatArray, FloatArray]
    alarm: tuple[FloatArray, FloatArray]
    method: str
    phi: float
    tau2: float
    flaggable: npt.NDArray[np.bool_]
    level: npt.NDArray[np.int8]


def _funnel_window(c: _Counts, end: int, rule: MetricRule, good: str,
                   only: npt.NDArray[np.int64] | None = None) -> _Window:
    """The funnel of the window ending at month position ``end``. The target and the
    dispersion use every segment; limits and levels are computed for the segments ``only``
    (all when None; the others get NaN limits and level 0)."""
    sl = slice(max(end - rule.window_months + 1, 0), end + 1)
    x, n = c.x[:, sl].sum(axis=1), c.n[:, sl].sum(axis=1)
    total = n.sum()
    p0 = float(x.sum() / total) if total > 0 else float("nan")
    flaggable = n >= rule.min_denominator
    disp = dispersion(x[flaggable], n[flaggable], p0, winsorize=rule.winsorize,
                      test_level=rule.overdispersion_test_level,
                      min_units=rule.overdispersion_min_segments, mode=rule.overdispersion)
    pick = np.arange(len(n)) if only is None else only
    alert = tuple(_spread(v, pick, len(n)) for v in funnel_limits(p0, n[pick], rule.alert_level, disp))
    alarm = tuple(_spread(v, pick, len(n)) for v in funnel_limits(p0, n[pick], rule.alarm_level, disp))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    level = np.where(flaggable, _level(value, alert, alarm, good), 0).astype(np.int8)  # type: ignore[arg-type]
    return _Window(x, n, value, p0, alert, alarm, f"funnel_{disp.method}", disp.phi,  # type: ignore[arg-type]
                   disp.tau2, flaggable, level)


def _spread(values: FloatArray, pick: npt.NDArray[np.int64], size: int) -> FloatArray:
    out = np.full(size, np.nan)
    out[pick] = values
    return out


def _label(month: int) -> str:
    return cal.month_label(int(month))


def _funnel_alerts(metric: str, column: str, c: _Counts, rule: MetricRule, good: str
                   ) -> tuple[list[Alert], pd.DataFrame]:
    last = len(c.months) - 1
    now = _funnel_window(c, last, rule, good)
    flagged = np.flatnonzero(now.level > 0)
    # since: walk back over earlier windows only while some flagged segment stays flagged
    start = {int(s): last for s in flagged}
    running = flagged
    end = last - 1
    while running.size and end >= max(last - rule.history_months + 1, 0):
        earlier = _funnel_window(c, end, rule, good, only=running)
        running = running[earlier.level[running] > 0]
        for s in running:
            start[int(s)] = end
        end -= 1
    alerts = []
    for s in flagged:
        level: Level = "alarm" if now.level[s] == 2 else "alert"
        lo, hi = now.alarm if level == "alarm" else now.alert
        se = np.sqrt(now.target * (1 - now.target) / now.n[s]) if now.n[s] > 0 else np.nan
        alerts.append(Alert(metric, column, str(c.levels[s]), level, now.method,
                            _f(now.value[s]), _f(now.target), _f(lo[s]), _f(hi[s]),
                            int(now.n[s]), _label(c.months[start[int(s)]]),
                            _label(c.months[last]), _f((now.value[s] - now.target) / se)))
    frame = pd.DataFrame({
        "metric": metric, "column": column, "segment": [str(v) for v in c.levels],
        "period": _label(c.months[last]), "x": now.x, "n": now.n, "value": now.value,
        "target": now.target, "lower_alert": now.alert[0], "upper_alert": now.alert[1],
        "lower_alarm": now.alarm[0], "upper_alarm": now.alarm[1], "method": now.method,
        "phi": now.phi, "tau2": now.tau2, "flaggable": now.flaggable,
        "level": pd.Series(now.level).map({0: None, 1: "alert", 2: "alarm"}).to_numpy(object),
    })
    return alerts, frame[now.n > 0].reset_index(drop=True)


def _cusum_alerts(metric: str, column: str, c: _Counts, rule: MetricRule, good: str
                  ) -> tuple[list[Alert], pd.DataFrame]:
    start = max(len(c.months) - rule.history_months, 0)
    months = c.months[start:]
    path = cusum_path(c.weights[:, start:])
    alerts = []
    for s in range(len(c.levels)):
        if c.n[s, start:].sum() < rule.min_denominator:
            path[s] = 0.0
            continue
        level: Level | None = "alarm" if path[s, -1] >= rule.cusum_alarm_h else \
            "alert" if path[s, -1] >= rule.cusum_alert_h else None
        if level is None:
            continue
        since = signal_since(path[s], rule.cusum_alert_h)
        assert since is not None
        # the rates over the run: from the month the statistic last left zero
        zero = np.flatnonzero(path[s, :since] <= 0)
        begin = int(zero[-1] + 1) if zero.size else 0
        sl = slice(start + begin, None)
        n = c.n[s, sl].sum()
        observed = c.x[s, sl].sum() / n if n > 0 else np.nan
        exp_bad = c.expected_bad[s, sl].sum() / n if n > 0 else np.nan
        expected = exp_bad if good != "up" else 1 - exp_bad
        alerts.append(Alert(metric, column, str(c.levels[s]), level, "cusum", _f(observed),
                            _f(expected), None, None, int(n), _label(months[since]),
                            _label(months[-1]), _f(path[s, -1]),
                            rule.cusum_alarm_h if level == "alarm" else rule.cusum_alert_h))
    n_seg, n_m = len(c.levels), len(months)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(c.n[:, start:] > 0, c.x[:, start:] / c.n[:, start:], np.nan)
        exp_bad = np.where(c.n[:, start:] > 0, c.expected_bad[:, start:] / c.n[:, start:], np.nan)
    frame = pd.DataFrame({
        "metric": metric, "column": column,
        "segment": np.repeat(np.array([str(v) for v in c.levels], dtype=object), n_m),
        "month": np.tile(np.array([_label(m) for m in months], dtype=object), n_seg),
        "x": c.x[:, start:].reshape(-1), "n": c.n[:, start:].reshape(-1),
        "value": value.reshape(-1),
        "expected": (exp_bad if good != "up" else 1 - exp_bad).reshape(-1),
        "cusum": path.reshape(-1),
    })
    seen = np.repeat(c.n[:, start:].sum(axis=1) > 0, n_m)
    return alerts, frame[seen].reset_index(drop=True)


def _f(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def segment_columns(ds: Dataset, rules: AlertRules,
                    source: SegmentSource | None = None) -> tuple[str, ...]:
    """The monitored segment columns: the rules' (or ``--by``) list, then extra categorical
    policy columns when the rules allow them (see :mod:`.rules`; ``source`` keeps the
    factorisation that counts their values for the coding)."""
    cols = list(dict.fromkeys(rules.segments))
    if rules.extra_columns:
        engine = pushdown.engine_book(ds)
        if engine is not None:  # counted in the engine: no policy row read
            from memberdesk.analysis.alerts.counts import extra_columns

            extra = extra_columns(engine, ds, rules.max_levels)
        else:
            extra = extra_segment_columns(ds, rules.max_levels, source)
        cols += [c for c in extra if c not in cols]
    return tuple(cols)


def compute_alerts(ds: Dataset, rules: AlertRules | None = None, *,
                   progress: Progress | None = None) -> AlertsResult:
    """Funnel and CUSUM alerts of every enabled monitored metric by every segment column at
    ``ds.as_of`` (module docstring). Statuses are all ``"new"``: apply
    :func:`memberdesk.analysis.alerts.history.apply_history` to compare with a previous run.
    A metric whose table or column is missing is listed in ``unavailable``, never an error.
    """
    rules = rules or load_rules()
    unknown = set(rules.overrides) - {m.id for m in MONITORED}
    if unknown:
        raise AnalysisError(Reason("alerts_unknown_metrics", metrics=", ".join(sorted(unknown))))
    source = SegmentSource(ds)
    columns = segment_columns(ds, rules, source)
    alerts: list[Alert] = []
    funnels: list[pd.DataFrame] = []
    monthly: list[pd.DataFrame] = []
    unavailable: dict[str, Unavailable] = {}
    books: list[pd.DataFrame] = []
    engine = pushdown.engine_book(ds)
    pushed: list[str] = []
    cells: dict[Any, Any] = {}
    with run_cache():
        _all_metrics(ds, rules, source, columns, engine, cells, progress,
                     alerts, funnels, monthly, unavailable, books, pushed)
    return AlertsResult(pd.Timestamp(ds.as_of).normalize(), sort_alerts(alerts),
                        _concat(funnels), _concat(monthly), unavailable, columns, rules,
                        _concat(books), tuple(pushed))


def _all_metrics(ds: Dataset, rules: AlertRules, source: SegmentSource, columns: tuple[str, ...],
                 engine: Any, cells: dict[Any, Any],
                 progress: Progress | None, alerts: list[Alert], funnels: list[pd.DataFrame],
                 monthly: list[pd.DataFrame], unavailable: dict[str, Unavailable],
                 books: list[pd.DataFrame], pushed: list[str]) -> None:
    """The loop of :func:`compute_alerts` over the monitored metrics (appends to the lists).

    Two passes: first every metric's counted units (and the whole book by month), then —
    once the rows each entity needs are known, so that only those are coded — the counts by
    segment column, funnels and CUSUMs. Results are appended in metric order.
    """
    prog = ensure(progress)
    steps = 2 * len(MONITORED)
    prepared: list[tuple[int, MonitoredMetric, MetricRule, _Units]] = []
    by_metric: dict[int, tuple[list[Alert], list[pd.DataFrame], list[pd.DataFrame]]] = {}
    for i, mm in enumerate(MONITORED):
        check_cancelled(progress)
        rule = rules.for_metric(mm.id)
        if not rule.enabled:
            continue
        prog.status(f"Alerts: {mm.id}")
        if engine is not None and mm.id in COUNTED_METRICS:
            counted = _counted_metric(ds, engine, mm, rule, columns, cells)
            if counted is not None:
                if isinstance(counted, Unavailable):
                    unavailable[mm.id] = counted
                else:
                    by_metric[i] = (counted[0], counted[1], counted[2])
                    books.append(counted[3])
                    pushed.append(mm.id)
                prog.fraction((i + 1) / steps)
                continue
        if engine is not None and mm.id in pushdown.PUSHED_METRICS:
            done = _pushed_metric(ds, engine, mm.id, rule, columns, cells)
            if isinstance(done, Unavailable):
                unavailable[mm.id] = done
            else:
                by_metric[i] = (done[0], done[1], done[2])
                books.append(done[3])
                pushed.append(mm.id)
            prog.fraction((i + 1) / steps)
            continue
        rows = mm.build(ds, rule)
        if isinstance(rows, Unavailable):
            unavailable[mm.id] = rows
            continue
        n_months = monitored_months(rule)
        first = rows.last_month - n_months + 1
        if not ((rows.month >= first) & (rows.month <= rows.last_month)).any():
            unavailable[mm.id] = Unavailable("no_complete_month")
            continue
        units = _units(rows, first, n_months)
        books.append(_book_months(mm.id, units))
        prepared.append((i, mm, rule, units))
        prog.fraction((i + 1) / steps)
    needed: dict[Entity, npt.NDArray[np.int64]] = {}
    for entity in {mm.entity for _, mm, _, _ in prepared}:
        rows_of = [u.row for _, mm, _, u in prepared if mm.entity == entity and len(u.row)]
        mask = np.zeros(max((int(r.max()) for r in rows_of), default=-1) + 1, bool)
        for r in rows_of:
            mask[r] = True
        needed[entity] = np.flatnonzero(mask).astype(np.int64)
    source.restrict(needed)
    for i, mm, rule, units in prepared:
        check_cancelled(progress)
        prog.status(f"Alerts: {mm.id} by segment")
        by_metric[i] = _by_segment(mm, rule, units, source, columns)
        prog.fraction((len(MONITORED) + i + 1) / steps)
    for i in sorted(by_metric):
        alerts += by_metric[i][0]
        funnels += by_metric[i][1]
        monthly += by_metric[i][2]


def _by_segment(mm: MonitoredMetric, rule: MetricRule, units: _Units, source: SegmentSource,
                columns: tuple[str, ...]
                ) -> tuple[list[Alert], list[pd.DataFrame], list[pd.DataFrame]]:
    """Funnels and CUSUMs of one metric's units by every reachable segment column."""
    good = get_metric(mm.id).good_direction
    coder = source.units(mm.entity, units.row)
    risk_by = rule.risk_adjust_by
    risk = coder.codes(risk_by) if risk_by else None
    tails: dict[bool, npt.NDArray[np.int64]] = {}
    alerts: list[Alert] = []
    funnels: list[pd.DataFrame] = []
    monthly: list[pd.DataFrame] = []
    for column in columns:
        coded = coder.codes(column)
        if coded is None:
            continue
        key, levels = coded
        use = risk if risk is not None and risk_by != column else None
        unit_risk = None if use is None else use[0]
        if (use is None) not in tails:
            tails[use is None] = _tail(units, unit_risk)
        counts = replace(_count_units(units, key, len(levels), 1 if use is None else len(use[1]),
                                      unit_risk, tails[use is None], good, rule.cusum_odds_ratio),
                         levels=levels)
        fa, ff = _funnel_alerts(mm.id, column, counts, rule, good)
        ca, cf = _cusum_alerts(mm.id, column, counts, rule, good)
        alerts += fa + ca
        funnels.append(ff)
        monthly.append(cf)
    return alerts, funnels, monthly


def _book_months(metric: str, u: _Units) -> pd.DataFrame:
    months = np.arange(u.first, u.first + u.n_months)
    if u.runs is None:
        x = np.bincount(u.month, u.x, minlength=u.n_months)
        n = np.bincount(u.month, minlength=u.n_months).astype(float)
    else:
        bound = u.n_months + 1
        x = np.bincount(u.month[u.runs == 0], minlength=bound)[:u.n_months].astype(float)
        n = np.cumsum(np.bincount(u.month[u.runs == 1], minlength=bound)
                      - np.bincount(u.month[u.runs == 2], minlength=bound))[:u.n_months].astype(float)
    return pd.DataFrame({"metric": metric, "month": [_label(int(m)) for m in months],
                         "x": x, "n": n})


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _levels(values: pd.Series) -> tuple[npt.NDArray[np.int64], list[Any]]:
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=True)
    levels = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(levels), codes)
        levels.append(MISSING_LEVEL)
    return codes.astype(np.int64), levels


_Pushed = tuple[list[Alert], list[pd.DataFrame], list[pd.DataFrame], pd.DataFrame]


def _pushed_metric(ds: Dataset, engine: Any, metric: str, rule: MetricRule,
                   columns: tuple[str, ...],
                   cache: dict[tuple[str | None, str | None, int], pd.DataFrame]) -> _Pushed | Reason:
    """One issue-month policy metric from engine cells (:mod:`.pushdown`), then the same
    funnels and CUSUMs as on rows."""
    view = set(pushdown.policy_columns(ds, engine))
    for col in ("end_date", "status"):
        if col not in view:
            return Reason("missing_column", table="policies", column=col)

    def cells(column: str | None, risk: str | None) -> pd.DataFrame:
        key = (column, risk, rule.free_look_days)
        if key not in cache:
            cache[key] = pushdown.issue_month_cells(ds, engine, column, risk, rule.free_look_days)
        return cache[key]

    last = early_exit_last_month(ds.as_of, pushdown.PUSHED_METRICS[metric], rule.free_look_days)
    n_months = monitored_months(rule)
    first = last - n_months + 1
    whole = cells(None, None)
    in_range = (whole["month"] >= first) & (whole["month"] <= last)
    if not in_range.any():
        return Reason("no_complete_month")
    by_month = whole[in_range].groupby("month")[["n", metric]].sum()
    months = np.arange(first, first + n_months)
    book = pd.DataFrame({"metric": metric, "month": [_label(int(m)) for m in months],
                         "x": by_month[metric].reindex(months, fill_value=0).to_numpy(float),
                         "n": by_month["n"].reindex(months, fill_value=0).to_numpy(float)})
    good = get_metric(metric).good_direction
    alerts: list[Alert] = []
    funnels: list[pd.DataFrame] = []
    monthly: list[pd.DataFrame] = []
    for column in columns:
        if column not in view:
            continue
        risk = rule.risk_adjust_by if rule.risk_adjust_by and rule.risk_adjust_by != column \
            and rule.risk_adjust_by in view else None
        c = cells(column, risk)
        codes, levels = _levels(c["segment"])
        r_codes, r_levels = _levels(c["risk"])
        take = np.flatnonzero(((c["month"] >= first) & (c["month"] <= last)).to_numpy())
        units = _Units(take.astype(np.int64), (c["month"].to_numpy()[take] - first).astype(np.int64),
                       c[metric].to_numpy(float)[take], first, n_months, c["n"].to_numpy(float)[take])
        counts = replace(_count(units, codes, len(levels),
                                None if risk is None else (r_codes, len(r_levels)), good,
                                rule.cusum_odds_ratio), levels=levels)
        fa, ff = _funnel_alerts(metric, column, counts, rule, good)
        ca, cf = _cusum_alerts(metric, column, counts, rule, good)
        alerts += fa + ca
        funnels.append(ff)
        monthly.append(cf)
    return alerts, funnels, monthly, book


# ---- the other monitored metrics on an engine book, from GROUP BY cells (alerts.counts) ----------

COUNTED_METRICS = ("persistency_13_count", "persistency_25_count",
                   "benefit_usage_rate_monthly", "bot_transfer_rate", "human_connection_rate",
                   "unresolved_contact_rate", "csat", "claims_settled_after_30_days")


def _counted_metric(ds: Dataset, engine: Any, mm: MonitoredMetric, rule: MetricRule,
                    columns: tuple[str, ...], cache: dict[Any, Any]) -> _Pushed | Reason | None:
    """One contact, claim or benefit-usage metric from engine cells (:mod:`.counts`), then the
    same funnels and CUSUMs as on rows (``cache``: answers shared by the metrics of one run).
    None: not answerable from counts (more monitored
    months than a mask holds): the caller reads the rows."""
    from memberdesk.analysis.alerts import counts
    from memberdesk.analysis.alerts.monitored import (
        _CONTACT_RATES,
        SETTLEMENT_DAYS,
        _month_end_plus,
    )
    from memberdesk.analysis.persistency import _last_measured_month
    from memberdesk.analysis.service import CSAT_THRESHOLD
    from memberdesk.core import schema

    metric = mm.id
    n_months = monitored_months(rule)
    as_of = cal.day(ds.as_of)
    entity = mm.entity
    if metric in _CONTACT_RATES:
        own = counts.table_columns(engine, ds, schema.SERVICE_CONTACTS)
        if own is None:
            return Reason("no_table", table="service_contacts")
        for col in ("started_at", *_CONTACT_RATES[metric][0]):
            if col not in own:
                return Reason("missing_column", table="service_contacts", column=col)
        last = cal.last_complete_month(ds.as_of)
        satisfied_at = float(CSAT_THRESHOLD)

        def cells(column: str | None, risk: str | None) -> pd.DataFrame | None:
            return counts.contact_cells(engine, ds, metric, satisfied_at, column, risk, cache)
    elif metric == "claims_settled_after_30_days":
        own = counts.table_columns(engine, ds, schema.CLAIMS)
        if own is None:
            return Reason("no_table", table="claims")
        for col in ("reported_at", "settled_at"):
            if col not in own:
                return Reason("missing_column", table="claims", column=col)
        limit = np.timedelta64(SETTLEMENT_DAYS, "D")
        last = _month_end_plus(as_of, lambda d: d + limit)

        def cells(column: str | None, risk: str | None) -> pd.DataFrame | None:
            return counts.claim_cells(engine, ds, ds.as_of.date(), SETTLEMENT_DAYS, column, risk)
    elif metric.startswith("persistency_"):
        own = counts.table_columns(engine, ds, schema.POLICIES)
        if own is None:
            return Reason("no_table", table="policies")
        if ds.generic or "issue_date" not in own:
            return Reason("generic_policies")
        for col in ("end_date", "status"):
            if col not in engine.accepted(schema.POLICIES).columns:
                return Reason("missing_column", table="policies", column=col)
        if counts.undated_policies(engine, ds):
            return Reason("missing_column", table="policies", column="issue_date")
        month_no = int(metric.split("_")[1])
        last = _last_measured_month(ds.as_of, month_no)
        view = own

        def cells(column: str | None, risk: str | None) -> pd.DataFrame | None:
            if column is not None and column not in view:
                return None
            return counts.persistency_cells(engine, ds, month_no, rule.free_look_days, column,
                                            risk, cache)
    else:
        policy_cols = counts.table_columns(engine, ds, schema.POLICIES)
        if policy_cols is None:
            return Reason("no_table", table="policies")
        view = policy_cols
        if ds.generic or "issue_date" not in view:
            return Reason("generic_policies")
        if "end_date" not in engine.accepted(schema.POLICIES).columns:
            return Reason("missing_column", table="policies", column="end_date")
        own = counts.table_columns(engine, ds, schema.BENEFIT_USAGE)
        if own is None:
            return Reason("no_table", table="benefit_usage")
        for table, cols in (("policies", view), ("benefit_usage", own)):
            if "member_id" not in cols:
                return Reason("missing_column", table=table, column="member_id")
        if "used_at" not in own:
            return Reason("missing_column", table="benefit_usage", column="used_at")
        if n_months > counts.MAX_MONTHS:
            return None
        last = cal.last_complete_month(ds.as_of)
        start = last - n_months + 1

        def cells(column: str | None, risk: str | None) -> pd.DataFrame | None:
            return counts.usage_cells(engine, ds, start, n_months, column, risk)
    first = last - n_months + 1
    whole = cells(None, None)
    assert whole is not None
    in_range = (whole["month"] >= first) & (whole["month"] <= last)
    if not (whole["rows"][in_range] > 0).any():
        return Reason("no_complete_month")
    by_month = whole[in_range].groupby("month")[["n", "x"]].sum()
    months = np.arange(first, first + n_months)
    book = pd.DataFrame({"metric": metric, "month": [_label(int(m)) for m in months],
                         "x": by_month["x"].reindex(months.astype(float), fill_value=0).to_numpy(float),
                         "n": by_month["n"].reindex(months.astype(float), fill_value=0).to_numpy(float)})
    good = get_metric(metric).good_direction
    alerts: list[Alert] = []
    funnels: list[pd.DataFrame] = []
    monthly: list[pd.DataFrame] = []
    risk_by = rule.risk_adjust_by
    risk_ok = bool(risk_by) and counts.segment_source(engine, ds, entity, own if entity != "members"
                                                      else [], risk_by) is not None
    for column in columns:
        risk = risk_by if risk_ok and risk_by != column else None
        c = cells(column, risk)
        if c is None:
            continue
        codes, levels = _levels(c["segment"])
        r_codes, r_levels = _levels(c["risk"])
        take = np.flatnonzero(((c["month"] >= first) & (c["month"] <= last)).to_numpy())
        units = _Units(take.astype(np.int64),
                       (c["month"].to_numpy()[take] - first).astype(np.int64),
                       c["x"].to_numpy(float)[take], first, n_months, c["n"].to_numpy(float)[take])
        counted = replace(_count(units, codes, len(levels),
                                 None if risk is None else (r_codes, len(r_levels)), good,
                                 rule.cusum_odds_ratio), levels=levels)
        fa, ff = _funnel_alerts(metric, column, counted, rule, good)
        ca, cf = _cusum_alerts(metric, column, counted, rule, good)
        alerts += fa + ca
        funnels.append(ff)
        monthly.append(cf)
    return alerts, funnels, monthly, book
