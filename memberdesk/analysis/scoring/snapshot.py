"""Point-in-time snapshots of the in-force book: the features a scoring model may use at a
cut-off date t, and the label of what happened in the following h months.

Leakage discipline (the KPI "as if loaded at that date" rule)
-------------------------------------------------------------
A snapshot at t is built only from what was known at t:

* a policy is in the snapshot when it was issued on or before t and had not ended on or before
  t (a termination dated after t counts as in force at t, whatever its final status);
* its own end date and final status are read **only** for the label, never for a feature;
* benefit uses, service contacts and claims count only when dated on or before t; a claim
  settled after t is open at t, and "declined" is known only from its settlement date;
* member attributes (gender, region, tier) are taken as loaded: the data hold no history of
  them. The member's other policies count (in force, past lapses) only by their own dates.

The global filters (issue range, product, channel, region, tier) restrict the policies
scored and the training data alike.

:func:`prepare_book` turns the validated tables into day numbers and integer codes once;
:func:`take_snapshot` is then a handful of vectorised masks per cut-off. The leakage test
(``tests/scoring/test_snapshot.py``) deletes every row dated after t and blanks every
termination after t and asserts the features at t do not change.

Label
-----
For the window (t, t+h] (h in months of 365.25/12 days): ``event`` = 1 when the policy ended
by a voluntary exit (lapsed, surrendered) in the window; deaths, maturities and other exits are
*competing* exits (``competing`` = 1, ``event`` = 0), not lapses. ``time`` is months from t to
the exit, or to the end of the observed part of the window (t+h, or the data's as-of date when
that comes first: ``observed`` = False then), measured on the window's own scale (days x h /
days in the window) so that the window's end is exactly h.

Units: durations, tenure and times in months (365.25/12 days); ages in years; premium in the
data's currency per year; "last 90 days" = the 90 days ending on t (t - 89 ... t).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.dataset import PREMIUM_BANDS, Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

HORIZONS: tuple[int, ...] = (3, 6, 12)
DAYS_PER_MONTH = schema.DAYS_PER_MONTH
NO_DAY = np.iinfo(np.int64).min   # a missing date
NEVER = np.iinfo(np.int64).max    # "not ended" as an end day
MISSING_LEVEL = "(missing)"
MONTHS_SINCE_USE_CAP = 24.0       # no use in the data (or longer ago) = 24 months
DURATION_BANDS: tuple[tuple[float, str], ...] = ((12, "0"), (24, "1"), (36, "2"), (48, "3"),
                                                 (float("inf"), "4+"))  # policy year at t

CATEGORICAL_FEATURES: tuple[str, ...] = ("product", "product_type", "channel",
                                         "payment_frequency", "gender", "region", "tier",
                                         "premium_band", "duration_band")
NUMERIC_FEATURES: tuple[str, ...] = (
    "log_premium", "log_sum_assured", "duration_months", "anniversary_in_horizon", "age",
    "tenure_months", "inforce_policies", "past_lapses", "uses_3m", "uses_12m",
    "months_since_use", "contacts_90d", "unresolved_90d", "low_ratings_90d", "transfers_90d",
    "open_claims", "declined_claims")
# Columns a call list may show that are personal data (docs/scoring.md: only on request).
PERSONAL_COLUMNS: tuple[str, ...] = ("member_id", "name", "birth_date")


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    """datetime64 values -> int64 day numbers since 1970-01-01 (NaT -> NO_DAY)."""
    arr = np.asarray(values, dtype="datetime64[ns]")
    out = arr.astype("datetime64[D]").astype(np.int64)
    out[np.isnat(arr)] = NO_DAY
    return out


def to_day(when: pd.Timestamp) -> int:
    return int(pd.Timestamp(when).normalize().value // 86_400_000_000_000)  # ns -> days


@dataclass(frozen=True, eq=False)
class BookArrays:
    """The validated tables as day numbers and integer codes (built once per Dataset)."""

    as_of_day: int
    policy_id: np.ndarray
    member: np.ndarray            # member code per policy (-1 = no member row / no id)
    issue: np.ndarray             # day numbers
    end: np.ndarray               # NEVER when not ended
    voluntary: np.ndarray         # bool: the termination (if any) is a voluntary exit
    text: dict[str, np.ndarray]   # policy categorical source columns (object arrays)
    premium: np.ndarray           # annual premium (NaN when missing)
    sum_assured: np.ndarray | None
    member_text: dict[str, np.ndarray]   # gender, region, tier per member code
    birth: np.ndarray | None      # per member code
    join: np.ndarray | None       # per member code
    personal: dict[str, np.ndarray]      # personal columns per policy (for --include-personal)
    benefit: tuple[np.ndarray, np.ndarray] | None          # (member code, day)
    contact: tuple[np.ndarray, ...] | None                 # member, day, unresolved, low, transfer
    claim: tuple[np.ndarray, ...] | None                   # policy row, reported, settled, declined


def prepare_book(ds: Dataset) -> BookArrays:
    """Turn ``ds.validated`` (rows before windowing) into :class:`BookArrays`.

    Raises
    ------
    AnalysisError
        When the data hold no dated policies (a generic duration/event table cannot be
        snapshotted: nothing says what was known when).
    """
    pol = ds.validated.get(schema.POLICIES)
    if pol is None or len(pol) == 0:
        raise AnalysisError(Reason("scoring_no_policies_table"))
    if ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError(Reason("scoring_needs_dates"), column="issue_date")
    pol = _filtered(ds, pol)
    if len(pol) == 0:
        raise AnalysisError(Reason("scoring_no_policy_in_filters"))
    n = len(pol)
    issue = _days(pol["issue_date"])
    end = _days(pol["end_date"]) if "end_date" in pol.columns else np.full(n, NO_DAY)
    end = np.where(end == NO_DAY, NEVER, end)
    status = pol["status"].to_numpy(dtype=object) if "status" in pol.columns else \
        np.full(n, "lapsed", dtype=object)
    voluntary = np.isin(status, np.array(ds.event_statuses, dtype=object))
    text = {c: _text(pol[c]) for c in ("product", "product_type", "channel", "payment_frequency")
            if c in pol.columns}
    premium = pd.to_numeric(pol["annual_premium"], errors="coerce").to_numpy(dtype=float) \
        if "annual_premium" in pol.columns else np.full(n, np.nan)
    sum_assured = pd.to_numeric(pol["sum_assured"], errors="coerce").to_numpy(dtype=float) \
        if "sum_assured" in pol.columns else None
    members = ds.validated.get(schema.MEMBERS)
    member_index = pd.Index(members["member_id"]) if members is not None else pd.Index([])
    code = _codes(member_index, pol["member_id"]) if "member_id" in pol.columns else np.full(n, -1)
    member_text: dict[str, np.ndarray] = {}
    birth = join = None
    personal: dict[str, np.ndarray] = {}
    if "member_id" in pol.columns:
        personal["member_id"] = pol["member_id"].to_numpy(dtype=object)
    if members is not None:
        member_text = {c: _text(members[c]) for c in ("gender", "region", "tier") if c in members.columns}
        birth = _days(members["birth_date"]) if "birth_date" in members.columns else None
        join = _days(members["join_date"]) if "join_date" in members.columns else None
        found = code >= 0
        for c in ("name", "birth_date"):
            if c in members.columns:
                values = members[c].to_numpy()   # datetime64 stays an array (no 1M objects)
                column = np.empty(n, dtype=values.dtype)
                column[found] = values[code[found]]
                if values.dtype.kind == "M":
                    column[~found] = np.datetime64("NaT")
                else:
                    column[~found] = None
                personal[c] = column
    return BookArrays(
        as_of_day=to_day(ds.as_of), policy_id=pol["policy_id"].to_numpy(dtype=object),
        member=code, issue=issue, end=end, voluntary=voluntary, text=text, premium=premium,
        sum_assured=sum_assured, member_text=member_text, birth=birth, join=join,
        personal=personal, benefit=_benefits(ds, member_index),
        contact=_contacts(ds, member_index), claim=_claims(ds, pol))


def _filtered(ds: Dataset, pol: pd.DataFrame) -> pd.DataFrame:
    """The policies passing the global filters (issue range, product, channel; region and tier
    through the member). The member's other policies then do not count in its features."""
    f = ds.filters
    if not (f.issue_from is not None or f.issue_to is not None or f.product or f.channel
            or f.region or f.tier):
        return pol
    keep = pd.Series(True, index=pol.index)
    if f.issue_from is not None:
        keep &= pol["issue_date"] >= f.issue_from
    if f.issue_to is not None:
        keep &= pol["issue_date"] <= f.issue_to
    for name in ("product", "channel"):
        values = getattr(f, name)
        if values and name in pol.columns:
            keep &= pol[name].astype(str).isin(values)
    members = ds.validated.get(schema.MEMBERS)
    for name in ("region", "tier"):
        values = getattr(f, name)
        if values and members is not None and name in members.columns and "member_id" in pol:
            ok = members.loc[members[name].astype(str).isin(values), "member_id"]
            keep &= pol["member_id"].isin(ok)
    return pol[keep.to_numpy()].reset_index(drop=True)


def _text(s: pd.Series) -> np.ndarray:
    """Values as text (missing: ``MISSING_LEVEL``), converted once per distinct value."""
    codes, uniques = pd.factorize(s)
    labels = np.array([str(u) for u in uniques] + [MISSING_LEVEL], dtype=object)
    return labels[codes]   # code -1 (missing) picks the last label


def _codes(index: pd.Index, ids: pd.Series) -> np.ndarray:
    """Position of each id in ``index`` (-1 = not there). Text ids are matched by Arrow's
    hash lookup (about 2x faster than pandas' object hashing on millions of contact rows)."""
    if len(index) == 0:
        return np.full(len(ids), -1, dtype=np.int64)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(ids.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        keys = pa.array(index.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):   # ids that are not text
        return np.asarray(index.get_indexer(pd.Index(ids)), dtype=np.int64)
    found = pc.index_in(values, value_set=keys)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _benefits(ds: Dataset, members: pd.Index) -> tuple[np.ndarray, np.ndarray] | None:
    b = ds.validated.get(schema.BENEFIT_USAGE)
    if b is None or "used_at" not in b.columns or "member_id" not in b.columns or len(members) == 0:
        return None
    code, day = _codes(members, b["member_id"]), _days(b["used_at"])
    keep = (code >= 0) & (day != NO_DAY)
    return code[keep], day[keep]


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _contacts(ds: Dataset, members: pd.Index) -> tuple[np.ndarray, ...] | None:
    c = ds.validated.get(schema.SERVICE_CONTACTS)
    if c is None or "started_at" not in c.columns or "member_id" not in c.columns or len(members) == 0:
        return None
    code, day = _codes(members, c["member_id"]), _days(c["started_at"])
    unresolved = ~_flag(c, "resolved") if "resolved" in c.columns else np.zeros(len(c), dtype=bool)
    if "resolved" in c.columns:
        unresolved &= c["resolved"].notna().to_numpy()   # unknown is not "unresolved"
    sat = pd.to_numeric(c["satisfaction"], errors="coerce").to_numpy(dtype=float) \
        if "satisfaction" in c.columns else np.full(len(c), np.nan)
    low = sat <= 2
    transfer = _flag(c, "transferred_to_human")
    keep = (code >= 0) & (day != NO_DAY)
    return code[keep], day[keep], unresolved[keep], low[keep], transfer[keep]


def _claims(ds: Dataset, pol: pd.DataFrame) -> tuple[np.ndarray, ...] | None:
    c = ds.validated.get(schema.CLAIMS)
    if c is None or "policy_id" not in c.columns or "reported_at" not in c.columns:
        return None
    row = _codes(pd.Index(pol["policy_id"]), c["policy_id"])
    reported = _days(c["reported_at"])
    settled = _days(c["settled_at"]) if "settled_at" in c.columns else np.full(len(c), NO_DAY)
    settled = np.where(settled == NO_DAY, NEVER, settled)
    declined = (c["status"].astype(object).to_numpy() == "declined") if "status" in c.columns \
        else np.zeros(len(c), dtype=bool)
    keep = (row >= 0) & (reported != NO_DAY)
    return row[keep], reported[keep], settled[keep], declined[keep]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The in-force policies at ``cutoff`` with their point-in-time features and label.

    ``rows`` index the policies table (``BookArrays`` order); ``features`` holds one row per
    policy with the columns of :data:`CATEGORICAL_FEATURES` (str) and
    :data:`NUMERIC_FEATURES` (float) the data allow. ``time``/``event``/``competing`` are
    None for a snapshot taken without labels (the as-of date: the future is unknown).
    """

    cutoff: pd.Timestamp
    horizon_months: int
    rows: np.ndarray
    policy_id: np.ndarray
    premium: np.ndarray
    features: pd.DataFrame
    time: np.ndarray | None = None
    event: np.ndarray | None = None
    competing: np.ndarray | None = None
    observed: bool = True

    @property
    def n(self) -> int:
        return int(self.rows.size)


def take_snapshot(book: BookArrays, cutoff: pd.Timestamp, horizon_months: int, *,
                  labels: bool = True) -> Snapshot:
    """Features of every policy in force at ``cutoff`` (see the module docstring), and the
    label of the window (cutoff, cutoff + horizon] observed up to the data's as-of date."""
    if horizon_months not in HORIZONS:
        raise AnalysisError(f"horizon must be one of {', '.join(map(str, HORIZONS))} months; "
                            f"got {horizon_months}")
    t = to_day(cutoff)
    rows = np.flatnonzero((book.issue <= t) & (book.end > t))
    if rows.size == 0:
        raise AnalysisError(Reason("scoring_none_in_force", date=str(pd.Timestamp(cutoff).date())))
    features = _policy_features(book, rows, t, horizon_months)
    features.update(_member_features(book, rows, t))
    features.update(_activity_features(book, rows, t))
    frame = pd.DataFrame(features, copy=False)
    premium = np.nan_to_num(book.premium[rows], nan=0.0)
    snap = Snapshot(cutoff=pd.Timestamp(cutoff).normalize(), horizon_months=horizon_months,
                    rows=rows, policy_id=book.policy_id[rows], premium=premium, features=frame)
    if not labels:
        return snap
    horizon_end = to_day(pd.Timestamp(cutoff) + pd.DateOffset(months=horizon_months))
    stop = min(horizon_end, book.as_of_day)
    end = book.end[rows]
    ended = end <= stop
    # months on the window's own scale: the window (t, t + h calendar months] is exactly h long
    time = (np.where(ended, end, stop) - t) * (horizon_months / (horizon_end - t))
    event = (ended & book.voluntary[rows]).astype(np.int8)
    competing = (ended & ~book.voluntary[rows]).astype(np.int8)
    return Snapshot(cutoff=snap.cutoff, horizon_months=horizon_months, rows=rows,
                    policy_id=snap.policy_id, premium=premium, features=frame, time=time,
                    event=event, competing=competing, observed=horizon_end <= book.as_of_day)


def _policy_features(book: BookArrays, rows: np.ndarray, t: int, h: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {c: v[rows] for c, v in book.text.items()}
    premium = book.premium[rows]
    out["log_premium"] = np.log1p(np.maximum(premium, 0.0))
    if book.sum_assured is not None:
        out["log_sum_assured"] = np.log1p(np.maximum(book.sum_assured[rows], 0.0))
    issue = book.issue[rows]
    months = (t - issue) / DAYS_PER_MONTH
    out["duration_months"] = months
    labels = np.array([label for _, label in DURATION_BANDS], dtype=object)
    edges = np.array([edge for edge, _ in DURATION_BANDS[:-1]])
    out["duration_band"] = labels[np.searchsorted(edges, months, side="right")]
    # the next policy anniversary falls within (t, t + h]: known at t from the issue date alone
    to_next = 12.0 - np.mod(months, 12.0)
    out["anniversary_in_horizon"] = (to_next <= h).astype(float)
    band_labels = np.array([b[2] for b in PREMIUM_BANDS] + [MISSING_LEVEL], dtype=object)
    band_edges = np.array([b[0] for b in PREMIUM_BANDS[1:]])
    band = np.searchsorted(band_edges, premium, side="right")
    out["premium_band"] = band_labels[np.where(np.isnan(premium), len(band_labels) - 1, band)]
    return out


def _member_features(book: BookArrays, rows: np.ndarray, t: int) -> dict[str, np.ndarray]:
    code = book.member[rows]
    found = code >= 0
    safe = np.where(found, code, 0)
    out: dict[str, np.ndarray] = {}
    for c, values in book.member_text.items():
        out[c] = np.where(found, values[safe], MISSING_LEVEL) if len(values) else \
            np.full(rows.size, MISSING_LEVEL, dtype=object)
    if book.birth is not None and len(book.birth):
        b = book.birth[safe]
        ok = found & (b != NO_DAY)
        out["age"] = np.where(ok, (t - np.where(ok, b, t)) / schema.DAYS_PER_YEAR, np.nan)
    if book.join is not None and len(book.join):
        j = book.join[safe]
        ok = found & (j != NO_DAY) & (j <= t)
        out["tenure_months"] = np.where(ok, (t - np.where(ok, j, t)) / DAYS_PER_MONTH, np.nan)
    if (book.member >= 0).any():
        m = max(int(book.member.max()) + 1, 1)
        pm = book.member
        has = pm >= 0
        inforce = has & (book.issue <= t) & (book.end > t)
        lapsed = has & (book.end <= t) & book.voluntary
        n_in = np.bincount(pm[inforce], minlength=m)
        n_lapsed = np.bincount(pm[lapsed], minlength=m)
        out["inforce_policies"] = np.where(found, n_in[safe], 1).astype(float)
        out["past_lapses"] = np.where(found, n_lapsed[safe], 0).astype(float)
    return out


def _count(member: np.ndarray, day: np.ndarray, lo: int, hi: int, m: int,
           mask: np.ndarray | None = None) -> np.ndarray:
    sel = (day > lo) & (day <= hi)
    if mask is not None:
        sel &= mask
    return np.bincount(member[sel], minlength=m)


def _activity_features(book: BookArrays, rows: np.ndarray, t: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    code = book.member[rows]
    found = code >= 0
    safe = np.where(found, code, 0)
    m = max(int(book.member.max()) + 1, 1) if book.member.size else 1
    if book.benefit is not None:
        member, day = book.benefit
        m2 = max(m, int(member.max()) + 1 if member.size else 1)
        u3 = _count(member, day, t - 91, t, m2)
        u12 = _count(member, day, t - 365, t, m2)
        last = np.full(m2, NO_DAY)
        known = day <= t
        np.maximum.at(last, member[known], day[known])
        lm = last[safe]
        since = np.where(found & (lm != NO_DAY), (t - np.where(lm == NO_DAY, t, lm)) / DAYS_PER_MONTH,
                         MONTHS_SINCE_USE_CAP)
        out["uses_3m"] = np.where(found, u3[safe], 0).astype(float)
        out["uses_12m"] = np.where(found, u12[safe], 0).astype(float)
        out["months_since_use"] = np.minimum(since, MONTHS_SINCE_USE_CAP)
    if book.contact is not None:
        member, day, unresolved, low, transfer = book.contact
        m2 = max(m, int(member.max()) + 1 if member.size else 1)
        lo = t - 90
        for name, mask in (("contacts_90d", None), ("unresolved_90d", unresolved),
                           ("low_ratings_90d", low), ("transfers_90d", transfer)):
            counts = _count(member, day, lo, t, m2, mask)
            out[name] = np.where(found, counts[safe], 0).astype(float)
    if book.claim is not None:
        prow, reported, settled, declined = book.claim
        n = book.issue.size
        known = reported <= t
        open_at_t = np.bincount(prow[known & (settled > t)], minlength=n)
        declined_by_t = np.bincount(prow[known & declined & (settled <= t)], minlength=n)
        out["open_claims"] = open_at_t[rows].astype(float)
        out["declined_claims"] = declined_by_t[rows].astype(float)
    return out
