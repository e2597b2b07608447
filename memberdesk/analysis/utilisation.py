"""Utilisation studies (transaction statistics), after actxps' ``add_transactions`` + ``trx_stats``.

Transactions (benefit uses, withdrawals, claims) are attached to the exposure record whose period
holds their date (both ends inclusive; actxps joins on policy and date in the same way): a
transaction dated in a period that is not studied (before the study start, after the as-of
date, after the policy ended) is counted in ``unattached`` and not used.

Per row (period × ``by`` segment × transaction type), summing over exposure records:

* ``uses`` (actxps ``trx_n``) — number of transactions;
* ``users`` (``trx_flag``) — exposure records with at least one transaction of the type;
* ``amount`` (``trx_amt``) — Σ transaction amounts;
* ``exposure`` — Σ exposure of all the row's records (with or without a transaction), or of the
  records with a full period of exposure only when ``full_exposures_only`` (actxps' default);
* ``avg_per_user`` = amount ÷ users (``avg_trx``); ``avg_per_exposure`` = amount ÷ exposure
  (``avg_all``); ``uses_per_user`` = uses ÷ users (``trx_freq``); ``utilisation`` = users ÷
  exposure (``trx_util``), with the binomial interval of :mod:`memberdesk.analysis.experience`
  (Binomial(round(exposure), utilisation) quantiles ÷ exposure).

Benefit uses (:func:`benefit_utilisation`) belong to members, not policies: each use is attached
to the member's policy in force on the day of use that was issued first (ties: the lower
policy id), so a use is counted once however many policies the member holds; uses of members
with no policy in force that day are unattached.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.experience_exposure import ExposureRecords, expose, period_labels
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

STAT_COLUMNS: tuple[str, ...] = ("uses", "users", "amount", "exposure", "avg_per_user",
                                 "avg_per_exposure", "uses_per_user", "utilisation",
                                 "utilisation_lower", "utilisation_upper")
_FULL = float(np.finfo(float).eps ** 0.5)   # actxps: |exposure - 1| <= sqrt(eps) is "full"


@dataclass(frozen=True)
class UtilisationResult:
    """Rows: the period column (named after the basis), the ``by`` columns, ``trx_type``, then
    :data:`STAT_COLUMNS`; sorted by period, segment, type. ``unattached``: transactions not
    placed in a studied period."""

    rows: pd.DataFrame
    basis: str
    by: tuple[str, ...]
    as_of: pd.Timestamp
    full_exposures_only: bool
    unattached: int
    conf_level: float

    def to_json(self) -> dict[str, Any]:
        rows = []
        labels = period_labels(self.rows[self.basis].to_numpy(), self.basis)
        for label, rec in zip(labels, self.rows.to_dict("records")):
            item: dict[str, Any] = {self.basis: label}
            item.update({c: rec[c] for c in self.by})
            item["trx_type"] = rec["trx_type"]
            for col in STAT_COLUMNS:
                value = float(rec[col])
                item[col] = (int(value) if col in ("uses", "users") else value) \
                    if np.isfinite(value) else None
            rows.append(item)
        return {"as_of": self.as_of.date().isoformat(), "basis": self.basis,
                "full_exposures_only": self.full_exposures_only,
                "unattached": self.unattached, "rows": rows}


def transaction_stats(records: ExposureRecords, trx: pd.DataFrame, *, by: Sequence[str] = (),
                      full_exposures_only: bool = False,
                      conf_level: float = 0.95) -> UtilisationResult:
    """Attach ``trx`` to ``records`` and summarise (see the module docstring).

    Parameters
    ----------
    records
        Exposure records (:func:`memberdesk.analysis.experience_exposure.expose`).
    trx
        Transactions: ``row`` (position of the policy in ``records.policies``), ``date``,
        ``trx_type`` and ``amount`` (missing = 0).
    by
        Policy columns to split by.
    full_exposures_only
        Use only records with a full period of exposure (actxps' default is True; ours False).
    """
    by = tuple(by)
    for col in by:
        if col not in records.policies.columns:
            raise AnalysisError(Reason("split_unknown_column"), column=col)
    idx, attached = _attach(records, trx["row"].to_numpy(dtype=np.int64),
                            cal.to_days(trx["date"]))
    types = trx["trx_type"].astype(str).to_numpy(dtype=object)
    amount = pd.to_numeric(trx["amount"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    keep = np.ones(len(records.row), bool)
    if full_exposures_only:
        keep = np.abs(records.exposure - 1.0) <= _FULL
    levels = sorted(set(types))
    frames = []
    for t in levels:
        sel = attached & (types == t)
        uses = np.bincount(idx[sel], minlength=len(keep)).astype(float)
        amt = np.bincount(idx[sel], weights=amount[sel], minlength=len(keep))
        frame = pd.DataFrame({records.basis: records.period, "trx_type": t,
                              "uses": uses, "users": (uses > 0).astype(float), "amount": amt,
                              "exposure": records.exposure})
        for col in by:
            frame[col] = records.policies[col].to_numpy()[records.row]
        frames.append(frame[keep])
    keys = [records.basis, *by, "trx_type"]
    if not frames:
        empty = pd.DataFrame(columns=[*keys, *STAT_COLUMNS])
        return UtilisationResult(empty, records.basis, by, records.as_of, full_exposures_only,
                                 int((~attached).sum()), conf_level)
    allrec = pd.concat(frames, ignore_index=True)
    out = allrec.groupby(keys, sort=True, dropna=False)[["uses", "users", "amount",
                                                          "exposure"]].sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["avg_per_user"] = out["amount"] / out["users"]
        out["avg_per_exposure"] = out["amount"] / out["exposure"]
        out["uses_per_user"] = out["uses"] / out["users"]
        out["utilisation"] = out["users"] / out["exposure"]
        lower, upper = _binomial(out["exposure"].to_numpy(float),
                                 out["utilisation"].to_numpy(float), conf_level)
    out["utilisation_lower"] = lower
    out["utilisation_upper"] = upper
    return UtilisationResult(out[[*keys, *STAT_COLUMNS]], records.basis, by, records.as_of,
                             full_exposures_only, int((~attached).sum()), conf_level)


def benefit_utilisation(ds: Dataset, *, by: Sequence[str] = (), basis: str = "policy_year",
                        period: str | None = None, study_start: pd.Timestamp | str | None = None,
                        target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                        full_exposures_only: bool = False) -> UtilisationResult:
    """Benefit utilisation by policy year (or another basis) and segment: uses, users, cost
    (amount) and utilisation = policy periods with a use ÷ exposure, per benefit."""
    usage = ds.benefit_usage
    pol = ds.policies
    if usage is None or pol is None or "member_id" not in pol.columns:
        raise AnalysisError(Reason("utilisation_needs_usage"), column="benefit_usage")
    records = expose(ds, target=target, basis=basis, period=period, study_start=study_start)
    row = _policy_of_use(pol, usage)
    trx = pd.DataFrame({"row": row, "date": usage["used_at"],
                        "trx_type": usage["benefit"] if "benefit" in usage.columns else "use",
                        "amount": usage["cost"] if "cost" in usage.columns else 0.0})
    return transaction_stats(records, trx, by=by, full_exposures_only=full_exposures_only)


def _policy_of_use(pol: pd.DataFrame, usage: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Per use, the row of the member's first-issued policy in force that day (-1: none)."""
    issue = cal.to_days(pol["issue_date"])
    exit_ = cal.to_days(pol["exit_date"]) if "exit_date" in pol.columns else \
        np.full(len(pol), np.datetime64("NaT"), "datetime64[D]")
    order = np.lexsort((pol["policy_id"].astype(str).to_numpy(), issue,
                        pol["member_id"].astype(str).to_numpy()))
    members = pol["member_id"].astype(str).to_numpy()[order]
    used = cal.to_days(usage["used_at"])
    who = usage["member_id"].astype(str).to_numpy()
    out = np.full(len(usage), -1, dtype=np.int64)
    first = np.searchsorted(members, who, side="left")
    last = np.searchsorted(members, who, side="right")
    for i in np.flatnonzero(last > first):          # few policies per member: short loops
        for j in order[first[i]:last[i]]:
            if issue[j] <= used[i] and (np.isnat(exit_[j]) or used[i] <= exit_[j]):
                out[i] = j
                break
    return out


def _attach(records: ExposureRecords, row: npt.NDArray[np.int64],
            day: npt.NDArray[np.datetime64]
            ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Index of the record holding each (policy row, day), and whether there is one."""
    start, end = records.period_bounds()
    span = np.int64(1 << 20)                       # > any day number in range
    base = start.astype(np.int64)
    keys = records.row * span + (base - base.min() if len(base) else base)
    lo = base.min() if len(base) else 0
    valid = (row >= 0) & ~np.isnat(day)
    want = row * span + (day.astype("datetime64[D]").astype(np.int64) - lo)
    idx = np.searchsorted(keys, want, side="right") - 1
    ok = valid & (idx >= 0)
    idx = np.where(ok, idx, 0)
    ok &= (records.row[idx] == row) & (day <= end[idx]) & (day >= start[idx])
    return idx, ok


def _binomial(exposure: npt.NDArray[np.float64], p: npt.NDArray[np.float64],
              conf_level: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    from scipy.stats import binom

    n = np.round(exposure)
    q = np.clip(np.nan_to_num(p), 0.0, 1.0)
    valid = np.isfinite(p) & (p <= 1.0)
    a = (1 - conf_level) / 2
    return (np.where(valid, binom.ppf(a, n, q) / exposure, np.nan),
            np.where(valid, binom.ppf(1 - a, n, q) / exposure, np.nan))
