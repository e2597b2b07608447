"""Persistency on collected premium (实收保费 继续率) and its reconciliation with the other views.

The ratio itself is computed by :func:`memberdesk.analysis.persistency.persistency` with
``basis="collected"`` (one engine for both bases: same cohorts, periods, segments and
exclusions). This module reads the instalments of the premium_payments table (缴费记录) and
reconciles the collected basis with the status basis, Kaplan-Meier and the experience study.

Conventions
-----------
* Policy month k runs from ``issue_date %m+% (k-1) months`` to ``issue_date %m+% k months``
  − 1 day (see :mod:`memberdesk.analysis.persistency`). An instalment *is due in* policy month k
  when its ``due_date`` falls in that month. Rows of one policy due in the same month add up
  (an instalment split over several rows, e.g. a partial payment and its unpaid rest).
* ``amount`` is the amount of the row; ``paid_date`` empty means unpaid. The dataset blanks a
  ``paid_date`` after the as-of date and leaves out rows due after it.
* Denominator: Σ amount of the rows due in policy month 1. Numerator: Σ amount of the rows due
  in policy month m whose ``paid_date`` ≤ ``due_date`` + ``grace_days`` (and ≤ as-of).
  A payment before its due date counts (prepaid). A policy *persists* (count version) when its
  month-m rows are all paid that way and amount to more than 0.
* Diagnostics per policy (month-m rows): ``paid_on_time`` (paid on or before the due date),
  ``cured_in_grace`` (paid after the due date, within the grace period), ``paid_late`` (paid
  after the grace period, by the as-of date), ``unpaid``.

Reconciliation (:func:`reconcile`), for the cohort of one evaluation period (the latest by
default), whole book, collected-basis cohort (so every figure describes the same policies):

* ``collected_premium`` / ``collected_count`` — the collected-basis ratios;
* ``status_premium`` / ``status_count`` — annual premium / policies still in force at the end of
  policy month m (the status basis) for the same policies;
* ``km_survival`` — Kaplan-Meier S(m months) of the same policies, voluntary exits
  (lapsed, surrendered) as events, others censored, months of 365.25/12 days (docs/conventions.md): it
  differs from the status count by terminations of other kinds (censored by KM, not persisting
  on the status basis) and by the month length (calendar policy months vs 30.44 days);
* ``experience_persistency`` — ∏ (1 − q_y) over the policy years ending by month m (m = 13:
  year 1; m = 25: years 1-2) of the experience study of the same policies (annual method,
  lapsed and surrendered);
* the differences explained as counts of policies by reason code: ``in_force_unpaid`` (in force
  on the status basis but month m not collected in the grace period: late payers and missed
  instalments not yet lapsed), ``cured_in_grace`` (paid after the due date, within the grace
  period: collected only thanks to it), ``paid_late`` (paid only after the grace period: the
  collected basis does not count them, the status basis may), ``partial`` (something but not
  all of month m collected), ``collected_not_in_force`` (month m collected but the policy ended
  by the end of month m, e.g. a surrender after paying).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

FloatArray = npt.NDArray[np.float64]
EXPLANATIONS: tuple[str, ...] = ("in_force_unpaid", "cured_in_grace", "paid_late", "partial",
                                 "collected_not_in_force")
_CENT = 0.005  # amounts equal within half a cent count as paid in full


@dataclass(frozen=True)
class Instalments:
    """Per policy (aligned on the policies frame): amounts from the premium_payments rows."""

    first_due: FloatArray          # Σ amount due in policy month 1
    first_rows: npt.NDArray[np.int64]  # rows due in policy month 1
    due: FloatArray                # Σ amount due in policy month m
    paid_in_grace: FloatArray      # Σ month-m amount paid by due + grace (and as-of)
    paid_on_time: FloatArray       # Σ month-m amount paid on or before the due date
    paid_late: FloatArray          # Σ month-m amount paid after the grace period (by as-of)

    @property
    def paid_in_full(self) -> npt.NDArray[np.bool_]:
        """Month-m instalments collected in full within the grace period (and due > 0)."""
        return (self.due > 0) & (self.paid_in_grace >= self.due - _CENT)


def instalments(ds: Dataset, pol: pd.DataFrame, issue: npt.NDArray[np.datetime64], month: int,
                grace_days: int) -> Instalments:
    """Sum the premium_payments rows of each policy of ``pol`` (see the module docstring).

    Raises :class:`AnalysisError` when the dataset has no premium_payments table.
    """
    pay = ds.premium_payments
    if pay is None or not {"policy_id", "due_date", "amount"} <= set(pay.columns):
        raise AnalysisError(Reason("persistency_no_payments"), column="premium_payments")
    n = len(pol)
    pos = pd.Index(pol["policy_id"]).get_indexer(pay["policy_id"])
    keep = pos >= 0                               # rows of policies out of scope are not used
    pos = pos[keep]
    due = cal.to_days(pay["due_date"])[keep]
    paid = cal.to_days(pay["paid_date"])[keep] if "paid_date" in pay.columns else \
        np.full(len(pos), np.datetime64("NaT"), "datetime64[D]")
    amount = pay["amount"].fillna(0.0).to_numpy(dtype=float)[keep]
    y, m, d = cal.civil(issue[pos]) if len(pos) else (np.zeros(0, np.int64),) * 3
    first_end = cal.add_months_civil(y, m, d, 1) - cal.ONE_DAY
    m_start = cal.add_months_civil(y, m, d, month - 1)
    m_end = cal.add_months_civil(y, m, d, month) - cal.ONE_DAY
    in_first = (due >= issue[pos]) & (due <= first_end)
    in_m = (due >= m_start) & (due <= m_end)
    as_of = cal.day(ds.as_of)
    is_paid = ~np.isnat(paid) & (paid <= as_of)
    lag = np.where(is_paid, (paid - due).astype(np.int64), 0)
    in_grace = in_m & is_paid & (lag <= grace_days)

    def total(mask: npt.NDArray[np.bool_]) -> FloatArray:
        return np.bincount(pos[mask], weights=amount[mask], minlength=n).astype(float)

    return Instalments(
        first_due=total(in_first),
        first_rows=np.bincount(pos[in_first], minlength=n).astype(np.int64),
        due=total(in_m), paid_in_grace=total(in_grace),
        paid_on_time=total(in_m & is_paid & (lag <= 0)),
        paid_late=total(in_m & is_paid & (lag > grace_days)))


@dataclass(frozen=True)
class Reconciliation:
    """The collected basis beside the other persistency views for one cohort.

    ``table``: one row per measure (``measure``, ``value``; ratios in [0, 1]);
    ``explanations``: ``reason`` (a code of :data:`EXPLANATIONS`), ``policies``, ``premium``
    (annual premium of those policies). ``period`` is the evaluation period described.
    """

    table: pd.DataFrame
    explanations: pd.DataFrame
    period: str | None
    month: int
    grace_days: int
    cohort_policies: int

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "month": self.month, "grace_days": self.grace_days,
                "cohort_policies": self.cohort_policies,
                "measures": {r["measure"]: _finite(r["value"])
                             for r in self.table.to_dict("records")},
                "explanations": {r["reason"]: {"policies": int(r["policies"]),
                                               "premium": float(r["premium"])}
                                 for r in self.explanations.to_dict("records")}}


def reconcile(ds: Dataset, *, month: int = 13, period: str = "rolling12",
              period_label: str | None = None, grace_days: int | None = None,
              free_look_days: int | None = None,
              exclude_statuses: Sequence[str] = ()) -> Reconciliation:
    """Reconcile the collected basis with the status basis, KM and the experience study for
    the whole-book cohort of one evaluation period (``period_label``; default the latest
    reported). See the module docstring for each measure."""
    from memberdesk.analysis import persistency as ps

    if free_look_days is None:  # None: the dataset's assumptions
        free_look_days = ds.assumptions.free_look_days
    if grace_days is None:
        grace_days = ds.assumptions.grace_days
    res = ps.persistency(ds, month=month, period=period, basis="collected",
                         grace_days=grace_days, free_look_days=free_look_days,
                         exclude_statuses=exclude_statuses)
    rows = res.segment(None)
    if period_label is not None:
        rows = rows[rows["period"] == period_label]
    if rows.empty:
        return Reconciliation(pd.DataFrame({"measure": [], "value": []}),
                              pd.DataFrame({"reason": [], "policies": [], "premium": []}),
                              period_label, month, grace_days, 0)
    row = rows.iloc[-1]
    pol = ds.policies
    assert pol is not None  # persistency() checked it
    pol = pol[pol["issue_date"].notna()]
    issue = cal.to_days(pol["issue_date"])
    lo, hi = cal.day(row["cohort_issued_from"]), cal.day(row["cohort_issued_to"])
    in_period = (issue >= lo) & (issue <= hi)
    reasons = ps.exclusion_reasons("collected", exclude_statuses)
    inst = instalments(ds, pol, issue, month, grace_days)
    code = ps.exclusion_codes(ds, pol, issue, month, free_look_days, reasons,
                              no_first_instalment=inst.first_rows == 0)
    cohort = in_period & (code < 0)
    measured = cal.add_months(issue, month) - cal.ONE_DAY
    exit_ = cal.to_days(pol["exit_date"])
    in_force = ~(~np.isnat(exit_) & (exit_ <= measured))
    annual = pol["annual_premium"].fillna(0.0).to_numpy(dtype=float) \
        if "annual_premium" in pol.columns else np.zeros(len(pol))
    c = np.flatnonzero(cohort)
    table = pd.DataFrame({"measure": [
        "collected_premium", "collected_count", "status_premium", "status_count",
        "km_survival", "experience_persistency"], "value": [
        _ratio(inst.paid_in_grace[c].sum(), inst.first_due[c].sum()),
        _ratio(inst.paid_in_full[c].sum(), len(c)),
        _ratio((annual * in_force)[c].sum(), annual[c].sum()),
        _ratio(in_force[c].sum(), len(c)),
        _km_at(pol.iloc[c], month),
        _experience_persistency(ds, pol.iloc[c], month)]})
    paid_some = inst.paid_in_grace > 0
    full = inst.paid_in_full
    late_only = (inst.paid_late > 0) & ~full
    explain = {
        "in_force_unpaid": in_force & ~full,
        "cured_in_grace": full & (inst.paid_on_time < inst.due - _CENT),
        "paid_late": late_only,
        "partial": paid_some & ~full,
        "collected_not_in_force": full & ~in_force,
    }
    explanations = pd.DataFrame({
        "reason": list(EXPLANATIONS),
        "policies": [int((mask & cohort).sum()) for mask in explain.values()],
        "premium": [float(annual[mask & cohort].sum()) for mask in explain.values()]})
    return Reconciliation(table, explanations, str(row["period"]), month, grace_days, len(c))


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


def _km_at(cohort: pd.DataFrame, month: int) -> float:
    from memberdesk.analysis.km import kaplan_meier

    if cohort.empty:
        return float("nan")
    months = cohort["duration_days"].to_numpy(dtype=float) / schema.DAYS_PER_MONTH
    events = cohort["exit_status"].isin(schema.VOLUNTARY_EXIT_STATUSES).to_numpy(dtype=int)
    curve = kaplan_meier(months, events, name="cohort")
    return float(curve.survival_at([float(month)])[0])


def _experience_persistency(ds: Dataset, cohort: pd.DataFrame, month: int) -> float:
    """∏ (1 − q_y) over the policy years ending by policy month ``month`` (at least year 1)."""
    from memberdesk.analysis.experience_exposure import expose_policies

    if cohort.empty:
        return float("nan")
    rec = expose_policies(cohort, ds.as_of, target=schema.VOLUNTARY_EXIT_STATUSES)
    out = 1.0
    for year in range(1, max(1, (month - 1) // 12) + 1):
        sel = rec.period == year
        exposure = float(rec.exposure[sel].sum())
        if exposure <= 0:
            return float("nan")
        out *= 1.0 - float(rec.actual[sel].sum()) / exposure
    return out


def _finite(value: Any) -> float | None:
    f = float(value)
    return f if np.isfinite(f) else None
