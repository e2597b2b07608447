"""Claims (理赔) analytics: time to settlement by Kaplan-Meier and paid ratios, by product.

Conventions
-----------
* Settlement time = ``settled_at − reported_at`` in days (same-day settlement = 0 days).
  A claim is settled when it has a ``settled_at`` on or before as-of (paid or declined: the
  decision closes it). Open claims are right-censored (删失) at as-of, i.e. at
  ``as_of − reported_at`` days; the Dataset already treats a settlement after as-of as open.
* Share settled within d days = 1 − S(d), S the KM curve of "still open". Unlike the share of
  settled claims that took ≤ d days, this counts open claims honestly: an open claim reported
  3 days ago says nothing about 5 days, one open for 40 days counts as not settled within 30.
* Paid ratio (amount) = Σ amount_paid ÷ Σ amount_claimed over settled claims with both
  amounts; paid ratio (count) = settled claims with status ``paid`` ÷ settled claims.
* Product comes from the claim's policy (``claims.policy_id`` → ``policies.product``).
  Claims with no reported date, or settled before reported (inconsistent), are excluded and
  counted in ``excluded``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.km import KMCurve
from memberdesk.analysis.step import step_value
from memberdesk.core import labels
from memberdesk.core.dataset import Dataset
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

THRESHOLDS_DAYS: tuple[int, ...] = (5, 10, 30)


def settlement_durations(claims: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """``days`` to settlement (or to as-of when open) and ``settled`` (0/1) per usable claim,
    indexed like ``claims``; unusable claims (no report date, settled before reported) are
    dropped."""
    reported = claims["reported_at"]
    settled_at = claims["settled_at"] if "settled_at" in claims.columns else pd.Series(
        pd.NaT, index=claims.index, dtype="datetime64[ns]")
    settled = settled_at.notna() & (settled_at <= as_of)
    end = settled_at.where(settled, as_of)
    days = (end - reported).dt.days.astype(float)
    ok = reported.notna() & (days >= 0)
    return pd.DataFrame({"days": days[ok], "settled": settled[ok].astype(np.int8)})


def survival_at(curve: Any, t: float) -> float:
    """S(t) of a step curve with ``timeline``/``survival`` arrays (right-continuous)."""
    return step_value(curve.timeline, curve.survival, t, before=1.0)


@dataclass(frozen=True)
class ClaimSettlement:
    """Settlement curves and summary.

    Attributes
    ----------
    curves
        Segment name ("all", then each product) -> KM curve of "claim still open" against days
        since report (生存曲线; open claims censored at as-of).
    summary
        One row per segment: ``segment``, ``claims``, ``settled``, ``open``, ``median_days``
        (KM median, NaN if not reached), ``within_<d>_days`` (KM share settled within d days),
        ``paid_ratio_amount``, ``paid_ratio_count``.
    excluded
        Claims left out (no report date, or settled before reported).
    """

    curves: dict[str, KMCurve]
    summary: pd.DataFrame
    excluded: int = 0
    reason: Reason | None = None
    thresholds: tuple[int, ...] = field(default=THRESHOLDS_DAYS)

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    def to_json(self) -> dict[str, Any]:
        """``{"thresholds_days", "excluded", "reason", "segments": [<summary row>...]}``
        (docs/cli.md); times in days."""
        return {"thresholds_days": list(self.thresholds), "excluded": int(self.excluded),
                "reason": None if self.reason is None else str(self.reason),
                "segments": self.summary.to_dict(orient="records")}


def _paid_ratios(claims: pd.DataFrame, settled: pd.Series) -> tuple[float, float]:
    s = claims[settled.astype(bool)]
    if len(s) == 0:
        return float("nan"), float("nan")
    amount = float("nan")
    if {"amount_paid", "amount_claimed"} <= set(s.columns):
        both = s["amount_paid"].notna() & s["amount_claimed"].notna()
        claimed = float(s.loc[both, "amount_claimed"].sum())
        amount = float(s.loc[both, "amount_paid"].sum()) / claimed if claimed > 0 else float("nan")
    count = float((s["status"] == "paid").mean()) if "status" in s.columns else float("nan")
    return amount, count


def claim_settlement(ds: Dataset, *, by: str | None = "product",
                     thresholds: tuple[int, ...] = THRESHOLDS_DAYS,
                     alpha: float | None = None,
                     progress: Progress | None = None) -> ClaimSettlement:
    """Time to settlement (KM, days) and paid ratios, overall and per ``by`` (a policy column,
    default ``product``; None = overall only). ``alpha``: 1 − confidence level of the curves'
    exponential-Greenwood bands (None: ``ds.assumptions.alpha``, 0.05 by default).

    On an engine book the claims are counted in the engine
    (:func:`memberdesk.core.engine.kpi_counts.claim_settlement_counts`: ``GROUP BY`` segment ×
    days to settlement or to as-of × settled, with the paid count and the amount sums); no
    claim or policy row leaves it. The curves are Kaplan-Meier with the counts as frequency
    weights (the same estimate as the rows'), the paid ratios sums of the groups' sums: the
    result is the file path's (counts exact, amount ratios to rounding of the sums' order)."""
    from memberdesk.analysis.survival import kaplan_meier

    alpha = ds.assumptions.alpha if alpha is None else alpha
    prog = ensure(progress)
    cols = _columns(thresholds)
    if getattr(ds, "book", None) is not None:
        return _engine_settlement(ds, by, thresholds, alpha, prog, progress)
    claims = ds.claims
    if claims is None or len(claims) == 0 or "reported_at" not in claims.columns:
        reason = (Reason("no_table", table="claims") if claims is None
                  else Reason("no_rows_to_as_of", table="claims") if len(claims) == 0
                  else Reason("missing_column", table="claims", column="reported_at"))
        return ClaimSettlement({}, pd.DataFrame(columns=cols), 0, reason, thresholds)
    dur = settlement_durations(claims, ds.as_of)
    excluded = len(claims) - len(dur)
    claims = claims.loc[dur.index]
    segments: list[tuple[str, pd.Series]] = [("all", pd.Series(True, index=claims.index))]
    p = ds.policies
    if by and p is not None and by in p.columns and "policy_id" in claims.columns:
        seg = claims["policy_id"].map(p.drop_duplicates("policy_id").set_index("policy_id")[by])
        for level in labels.ordered_values(seg.dropna().astype(str).unique()):
            segments.append((level, seg.astype(str) == level))
    curves: dict[str, KMCurve] = {}
    rows: list[dict[str, object]] = []
    for i, (name, mask) in enumerate(segments):
        check_cancelled(progress)
        d = dur[mask]
        row: dict[str, object] = {"segment": name, "claims": len(d),
                                  "settled": int(d["settled"].sum()),
                                  "open": int(len(d) - d["settled"].sum())}
        if len(d):
            curve = kaplan_meier(d["days"].to_numpy(), d["settled"].to_numpy(), name=name,
                                 alpha=alpha)
            curves[name] = curve
            median = float(curve.median)  # inf when S(t) never falls to 0.5
            row["median_days"] = median if np.isfinite(median) else float("nan")
            for t in thresholds:
                row[f"within_{t}_days"] = 1.0 - survival_at(curve, t)
        row["paid_ratio_amount"], row["paid_ratio_count"] = _paid_ratios(claims[mask], d["settled"])
        rows.append(row)
        prog.fraction((i + 1) / len(segments))
    return ClaimSettlement(curves, pd.DataFrame(rows, columns=cols), excluded, None, thresholds)


def _columns(thresholds: tuple[int, ...]) -> list[str]:
    return ["segment", "claims", "settled", "open", "median_days",
            *[f"within_{d}_days" for d in thresholds], "paid_ratio_amount", "paid_ratio_count"]


def _engine_settlement(ds: Dataset, by: str | None, thresholds: tuple[int, ...], alpha: float,
                       prog: Any, progress: Progress | None) -> ClaimSettlement:
    """:func:`claim_settlement` on an engine book from the claims' group counts."""
    from memberdesk.analysis.survival import kaplan_meier
    from memberdesk.core import schema
    from memberdesk.core.engine import kpi_counts

    book = ds.book  # type: ignore[attr-defined]
    cols = _columns(thresholds)
    columns = kpi_counts.columns(book, ds, schema.CLAIMS)
    if columns is None:
        return ClaimSettlement({}, pd.DataFrame(columns=cols), 0,
                               Reason("no_table", table="claims"), thresholds)
    policy_cols = kpi_counts.columns(book, ds, schema.POLICIES) or []
    seg_by = by if by and by in policy_cols and "policy_id" in columns else None
    prog.status("Claims: counting settlement days")
    frame = kpi_counts.claim_settlement_counts(book, ds, seg_by)
    assert frame is not None
    check_cancelled(progress)
    total = int(frame["n"].sum())
    if total == 0 or "reported_at" not in columns:
        reason = (Reason("no_rows_to_as_of", table="claims") if total == 0
                  else Reason("missing_column", table="claims", column="reported_at"))
        return ClaimSettlement({}, pd.DataFrame(columns=cols), 0, reason, thresholds)
    days = frame["days"].to_numpy(dtype=float)
    ok = ~np.isnan(days) & (np.nan_to_num(days, nan=-1.0) >= 0)
    use = frame[ok].reset_index(drop=True)
    excluded = total - int(use["n"].sum())
    segments: list[tuple[str, np.ndarray]] = [("all", np.ones(len(use), dtype=bool))]
    if seg_by is not None:
        seg = use["_seg"]
        text = seg.astype(str)
        known = seg.notna().to_numpy()
        for level in labels.ordered_values(seg.dropna().astype(str).unique()):
            segments.append((level, known & (text == level).to_numpy()))
    settled = use["settled"].to_numpy(dtype=np.int64)
    n = use["n"].to_numpy(dtype=np.int64)
    curves: dict[str, KMCurve] = {}
    rows: list[dict[str, object]] = []
    for i, (name, mask) in enumerate(segments):
        check_cancelled(progress)
        w, e = n[mask], settled[mask]
        claims, closed = int(w.sum()), int((w * e).sum())
        row: dict[str, object] = {"segment": name, "claims": claims, "settled": closed,
                                  "open": claims - closed}
        if claims:
            curve = kaplan_meier(use["days"].to_numpy(dtype=float)[mask], e, weights=w,
                                 name=name, alpha=alpha)
            curves[name] = curve
            median = float(curve.median)  # inf when S(t) never falls to 0.5
            row["median_days"] = median if np.isfinite(median) else float("nan")
            for t in thresholds:
                row[f"within_{t}_days"] = 1.0 - survival_at(curve, t)
        row["paid_ratio_amount"], row["paid_ratio_count"] = _paid_ratios_counts(
            use[mask & (settled == 1)], columns)
        rows.append(row)
        prog.fraction((i + 1) / len(segments))
    return ClaimSettlement(curves, pd.DataFrame(rows, columns=cols), excluded, None, thresholds)


def _paid_ratios_counts(settled: pd.DataFrame, columns: list[str]) -> tuple[float, float]:
    """:func:`_paid_ratios` from the settled claims' groups (``n``, ``paid``, ``claimed``,
    ``paid_amount``: sums over the claims with both amounts)."""
    n = int(settled["n"].sum())
    if n == 0:
        return float("nan"), float("nan")
    amount = float("nan")
    if {"amount_paid", "amount_claimed"} <= set(columns):
        claimed = float(settled["claimed"].sum())
        amount = float(settled["paid_amount"].sum()) / claimed if claimed > 0 else float("nan")
    count = int(settled["paid"].sum()) / n if "status" in columns else float("nan")
    return amount, count


def km_median_binned(days: np.ndarray, events: np.ndarray) -> float:
    """Kaplan-Meier median of integer-day durations (smallest t with S(t) ≤ 0.5, as lifelines'
    ``median_survival_time_``; NaN when S stays above 0.5). O(n + max day): used by the
    cockpit to evaluate the median at many cut-off dates cheaply."""
    d = np.asarray(days, dtype=np.int64)
    if d.size == 0:
        return float("nan")
    size = int(d.max()) + 1
    removed = np.bincount(d, minlength=size)
    deaths = np.bincount(d, weights=np.asarray(events, dtype=float), minlength=size)
    at_risk = d.size - np.concatenate(([0], np.cumsum(removed)[:-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / np.where(at_risk > 0, at_risk, 1), 1.0)
    surv = np.cumprod(factor)
    hit = np.flatnonzero(surv <= 0.5)
    return float(hit[0]) if hit.size else float("nan")
