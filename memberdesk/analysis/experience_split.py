"""Split exposures, after actxps' ``expose_split``: calendar periods split at policy
anniversaries, each piece carrying a calendar and a policy-year exposure.

A calendar record (:func:`memberdesk.analysis.experience_exposure.expose`, calendar basis, any
period length) whose period holds a policy anniversary becomes two pieces: before the
anniversary (policy year y) and from it (policy year y + 1); other records stay one piece with
the policy year in force at the piece's first day. With, for the calendar period [B, E] of D
days, the piece's first and last observed days b0 and e0 (study start, issue date, as-of date),
b = (b0 − B) ÷ D, h = (anniversary − B) ÷ D (0 when not split), v = (termination or e0 − B + 1)
÷ D:

* ``exposure_cal`` — the piece's share of its calendar period: before the anniversary
  min(h, v) − b, after it v − max(h, b); a studied termination gets the rest of the calendar
  period from the piece's first day (1 − (h − b)), or 1 when the piece is the first of the
  period, starts at issue or at the study start (actxps' rule, kept as is).
* ``exposure_pol`` — the piece's share of its policy year: (last observed day − first day + 1)
  ÷ days in the policy year; a studied termination gets the rest of the policy year from the
  piece's first day.

These are actxps' formulas (actxps 1.1.0 ``SplitExposedDF``), checked against it to 1e-6.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.experience_exposure import (
    ExposureRecords,
    calendar_bounds,
    expose_policies,
)
from memberdesk.core import schema

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SplitRecords:
    """Split exposure pieces (parallel arrays, a policy's pieces consecutive and in order)."""

    policies: pd.DataFrame
    row: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]          # calendar period index (see experience_exposure)
    policy_year: npt.NDArray[np.int64]
    exposure_cal: FloatArray
    exposure_pol: FloatArray
    actual: npt.NDArray[np.int8]
    basis: str                             # calendar_year, calendar_quarter, …
    target: tuple[str, ...]
    as_of: pd.Timestamp


def expose_split(pol: pd.DataFrame, as_of: pd.Timestamp, *,
                 target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                 period: str = "year",
                 study_start: pd.Timestamp | str | None = None) -> SplitRecords:
    """Split the calendar exposures of ``pol`` at policy anniversaries (module docstring)."""
    rec = expose_policies(pol, as_of, target=target, basis="calendar", period=period,
                          study_start=study_start, method="annual")
    return split_records(rec, None if study_start is None else cal.day(study_start))


def split_records(rec: ExposureRecords, start: np.datetime64 | None) -> SplitRecords:
    """The pieces of calendar exposure records ``rec`` (annual method)."""
    pol = rec.policies
    end = cal.day(rec.as_of)
    lo = np.datetime64("1900-01-01", "D") if start is None else start
    hold_b, hold_e = calendar_bounds(rec.period, rec.length)
    issue = cal.to_days(pol["issue_date"])[rec.row]
    last = np.r_[rec.row[1:] != rec.row[:-1], True] if len(rec.row) else np.zeros(0, bool)
    exit_ = cal.to_days(pol["exit_date"])[rec.row] if "exit_date" in pol.columns else \
        np.full(len(rec.row), np.datetime64("NaT"), "datetime64[D]")
    term = np.where(last, exit_, np.datetime64("NaT"))
    claim_status = last & pol["exit_status"].isin(rec.target).to_numpy()[rec.row]

    iy, im, iday = cal.civil(issue)
    py0 = cal.years_of(hold_b) - iy
    anniv = cal.add_months_civil(iy, im, iday, 12 * py0)
    split = (anniv >= hold_b) & (anniv <= hold_e)
    cal_b = np.maximum(np.maximum(issue, hold_b), lo)
    cal_e = np.minimum(hold_e, end)
    days = _days(hold_b, hold_e).astype(float)
    b = (cal_b - hold_b).astype(np.int64) / days
    h = np.where(split, (anniv - hold_b).astype(np.int64) / days, 0.0)
    v = _days(hold_b, np.where(np.isnat(term), cal_e, term)) / days

    # piece 1 (before the anniversary) exists only where split
    one = np.flatnonzero(split)
    p1 = _Piece(one, cal_b[one], np.minimum(end, anniv[one] - cal.ONE_DAY), py0[one],
                np.minimum(h[one], v[one]) - b[one], anniv[one], 1)
    b2 = np.where(split, np.maximum(anniv, lo), cal_b)
    py2 = py0 + (b2 >= anniv)
    p2 = _Piece(np.arange(len(rec.row)), b2, cal_e, py2, v - np.maximum(h, b),
                cal.add_months_civil(iy, im, iday, 12 * py2), 2)
    pieces = [p.select(term, start) for p in (p1, p2)]
    src = np.concatenate([p.src for p in pieces])
    b_p = np.concatenate([p.first for p in pieces])
    e_p = np.concatenate([p.last for p in pieces])
    py_p = np.concatenate([p.policy_year for p in pieces])
    expo_p = np.concatenate([p.exposure for p in pieces])
    next_anniv = np.concatenate([p.next_anniv for p in pieces])
    piece_no = np.concatenate([np.full(len(p.src), p.number) for p in pieces])
    order = np.lexsort((piece_no, b_p, src))
    src, b_p, e_p, py_p, expo_p, next_anniv, piece_no = (
        a[order] for a in (src, b_p, e_p, py_p, expo_p, next_anniv, piece_no))

    t = term[src]
    t_in = ~np.isnat(t) & (t >= b_p) & (t <= e_p)
    claims = t_in & claim_status[src]
    yy, mm, dd = iy[src], im[src], iday[src]
    anniv_p = cal.add_months_civil(yy, mm, dd, 12 * (py_p - 1))
    first_piece = (piece_no == 1) | (b_p == issue[src])
    if start is not None:
        first_piece |= b_p == start
    hb = np.where(split[src], h[src], 0.0)
    expo_cal = np.where(
        claims, np.where(first_piece, 1.0, 1.0 - (hb - b[src])),
        np.where(~t_in, expo_p,
                 np.where(piece_no == 1, v[src] - b[src], v[src] - np.maximum(hb, b[src]))))
    year_days = (next_anniv - anniv_p).astype(np.int64).astype(float)
    stop = np.where(t_in, t, e_p)
    expo_pol = np.where(claims, 1.0 - (b_p - anniv_p).astype(np.int64) / year_days,
                        _days(b_p, stop) / year_days)
    return SplitRecords(pol, rec.row[src], rec.period[src], py_p, expo_cal, expo_pol,
                        claims.astype(np.int8), rec.basis, rec.target, rec.as_of)


@dataclass(frozen=True)
class _Piece:
    src: npt.NDArray[np.int64]             # calendar record it comes from
    first: npt.NDArray[np.datetime64]
    last: npt.NDArray[np.datetime64]
    policy_year: npt.NDArray[np.int64]
    exposure: FloatArray
    next_anniv: npt.NDArray[np.datetime64]
    number: int

    def select(self, term: npt.NDArray[np.datetime64], start: np.datetime64 | None) -> _Piece:
        """Pieces with days to observe, not starting after their policy's termination."""
        t = term[self.src]
        keep = (self.first <= self.last) & (np.isnat(t) | (t >= self.first))
        return _Piece(self.src[keep], self.first[keep], self.last[keep],
                      self.policy_year[keep], self.exposure[keep], self.next_anniv[keep],
                      self.number)


def _days(first: npt.NDArray[np.datetime64], last: npt.NDArray[np.datetime64]
          ) -> npt.NDArray[np.int64]:
    return (last - first).astype(np.int64) + 1
