"""The Dataset: validated tables + as-of date + derived policy durations and events (docs/conventions.md).

Every analysis receives a :class:`Dataset`. It is immutable: changing the as-of date, the event
definition or the filters returns a new Dataset (cheap: derived frames are computed lazily and
cached per instance).

Conventions
-----------
* Everything is censored at ``as_of``. Rows that start after it (policies issued, contacts
  started, benefits used, claims reported, members joined after ``as_of``) are left out of the
  analysis tables and counted as out of window.
* A termination dated after ``as_of`` counts as in force at ``as_of``.
* ``duration_days`` runs from ``issue_date`` to ``exit_date`` (termination on or before
  ``as_of``) or to ``as_of`` for policies in force; ``duration_months`` = days / (365.25/12).
* ``event`` is 1 when ``exit_status`` is one of ``event_statuses`` (default: lapsed,
  surrendered); death, maturity and other exits are censored in the retention view.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import ClassVar

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.assumptions import Assumptions
from memberdesk.core.policy_rules import derive_exits
from memberdesk.core.validation_report import ValidationReport

AGE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 18, "0-17"), (18, 30, "18-29"), (30, 40, "30-39"), (40, 50, "40-49"),
    (50, 60, "50-59"), (60, 200, "60+"),
)
PREMIUM_BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 1_000, "<1k"), (1_000, 3_000, "1k-3k"), (3_000, 10_000, "3k-10k"),
    (10_000, 30_000, "10k-30k"), (30_000, float("inf"), "30k+"),
)

# Date column that places a row of each table in time (for the as-of window).
WINDOW_DATE: dict[str, str] = {
    schema.MEMBERS: "join_date",
    schema.POLICIES: "issue_date",
    schema.BENEFIT_USAGE: "used_at",
    schema.SERVICE_CONTACTS: "started_at",
    schema.CLAIMS: "reported_at",
    schema.PREMIUM_PAYMENTS: "due_date",
}


@dataclass(frozen=True)
class Filters:
    """Global filters (the UI's filter bar). Empty tuple / None = no restriction.

    Product and channel restrict policies; region and tier restrict members (and so their
    policies). Member-level tables (benefits, service) keep the members that pass the member
    filters and, when a policy filter is active, hold at least one policy that passes.
    """

    issue_from: pd.Timestamp | None = None
    issue_to: pd.Timestamp | None = None
    product: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    study_start: pd.Timestamp | None = None  # delayed entry for survival statistics (filter bar)

    # the filters that keep rows whose column holds one of the chosen values (each a field
    # named after its column)
    VALUE_FIELDS: ClassVar[tuple[str, ...]] = ("product", "channel", "region", "tier")

    @property
    def active(self) -> bool:
        return bool(self.describe())

    def describe_items(self) -> list[tuple[str, str]]:
        """The active filters as ``(field, values)`` pairs, e.g. ``[("channel", "agency, broker")]``.

        ``field`` is a column name (``issue_date`` for the date range, shown as ``from – to``
        with an open end left blank), so callers can translate it; :meth:`describe` and the
        report's filter lines both build on this.
        """
        out = []
        if self.issue_from is not None or self.issue_to is not None:
            lo = "" if self.issue_from is None else pd.Timestamp(self.issue_from).date().isoformat()
            hi = "" if self.issue_to is None else pd.Timestamp(self.issue_to).date().isoformat()
            out.append(("issue_date", f"{lo} – {hi}"))
        for name in self.VALUE_FIELDS:
            values = getattr(self, name)
            if values:
                out.append((name, ", ".join(map(str, values))))
        if self.study_start is not None:
            out.append(("study_start", pd.Timestamp(self.study_start).date().isoformat()))
        return out

    def describe(self) -> list[str]:
        """Human-readable list of the active filters, e.g. ``["channel: agency, broker"]``."""
        return [f"{field.replace('_', ' ')}: {values}" for field, values in self.describe_items()]

    def to_json(self) -> dict[str, object]:
        return {
            "issue_from": None if self.issue_from is None else str(pd.Timestamp(self.issue_from).date()),
            "issue_to": None if self.issue_to is None else str(pd.Timestamp(self.issue_to).date()),
            "product": list(self.product), "channel": list(self.channel),
            "region": list(self.region), "tier": list(self.tier),
            "study_start": None if self.study_start is None else str(pd.Timestamp(self.study_start).date()),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Filters:
        def ts(v: object) -> pd.Timestamp | None:
            return None if v in (None, "") else pd.Timestamp(str(v))

        def tup(v: object) -> tuple[str, ...]:
            return tuple(str(x) for x in v) if isinstance(v, (list, tuple)) else ()

        return cls(ts(data.get("issue_from")), ts(data.get("issue_to")), tup(data.get("product")),
                   tup(data.get("channel")), tup(data.get("region")), tup(data.get("tier")),
                   ts(data.get("study_start")))


# policy columns never offered as segments: ids, dates, durations, amounts, ages, the status
# and the outcome itself (exit_status: never a segment or covariate)
SEGMENT_SKIP: frozenset[str] = frozenset({
    "policy_id", "member_id", "issue_date", "end_date", "exit_date", "birth_date", "join_date",
    "duration", "duration_days", "duration_months", "event", "annual_premium", "sum_assured",
    "age", "age_at_issue", "status", "exit_status", "issue_month"})

# the columns :attr:`Dataset.policies` adds after the policies' own, in the order it adds them
# (derived exits and durations, then the members' attributes, then ages and bands): an engine
# book lists its view's columns in this order too, so both offer segments and covariates alike
DERIVED_POLICY_COLUMNS: tuple[str, ...] = (
    "exit_date", "exit_status", "issue_year", "issue_month", "duration_days", "event",
    "duration_months", "gender", "region", "tier", "birth_date", "join_date", "age_at_issue",
    "age_band", "premium_band")


def in_policies_order(columns: list[str]) -> list[str]:
    """``columns`` ordered as :attr:`Dataset.policies` holds them: the policies' own columns
    as given, then :data:`DERIVED_POLICY_COLUMNS` in their order."""
    rank = {c: i for i, c in enumerate(DERIVED_POLICY_COLUMNS)}
    return sorted(columns, key=lambda c: (c in rank, rank.get(c, 0)))


@dataclass(frozen=True)
class Dataset:
    """Validated tables (canonical columns + extra source columns) and the analysis window.

    Attributes
    ----------
    validated
        Accepted rows of every loaded table, before as-of windowing and filters.
    as_of
        Observation cut-off (midnight of that day; events on that day are observed).
    report
        The validation report of the load.
    event_statuses
        Exit statuses that count as the event in retention analyses.
    filters
        Global filters applied to the analysis tables.
    generic
        True when the policies table is a generic survival table (``duration`` + ``event``
        columns, no dates): ``duration_days`` is then the given duration in its own unit.
    sources
        The files the data came from (for workspaces and report scope lines).
    study_start
        Start of the study window for survival statistics with delayed entry (None = from
        issue). Policies issued before it enter at their duration on that date; those that
        ended on or before it are out of the window. Read by
        :func:`memberdesk.analysis.frames.survival_frame` (the ``entry`` column); the
        ``policies`` view itself is unchanged (cohorts, persistency, experience keep their own
        windows).
    assumptions
        The analysis assumptions (:mod:`memberdesk.core.assumptions`): free-look and grace
        days, credibility, CI level, band cut-offs (``age_band``/``premium_band`` below),
        Cox reference levels. The analyses read them when not given explicitly.
    """

    validated: Mapping[str, pd.DataFrame]
    as_of: pd.Timestamp
    report: ValidationReport = field(default_factory=ValidationReport)
    event_statuses: tuple[str, ...] = schema.VOLUNTARY_EXIT_STATUSES
    filters: Filters = field(default_factory=Filters)
    generic: bool = False
    sources: tuple[str, ...] = ()
    study_start: pd.Timestamp | None = None
    assumptions: Assumptions = field(default_factory=Assumptions)

    # ---- construction helpers -------------------------------------------------------------

    @staticmethod
    def latest_date(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
        """The latest date in any date column of any table (the default as-of date)."""
        latest: pd.Timestamp | None = None
        for name, frame in tables.items():
            spec = schema.TABLE_SPECS.get(name)
            if spec is None:
                continue
            for col in spec.columns:
                if col.kind == "date" and col.name in frame.columns and col.name != "birth_date":
                    m = frame[col.name].max()
                    if pd.notna(m) and (latest is None or m > latest):
                        latest = pd.Timestamp(m)
        return None if latest is None else latest.normalize()

    def with_as_of(self, as_of: pd.Timestamp | str | None) -> Dataset:
        """A copy with another as-of date (None = latest date in the data)."""
        ts = Dataset.latest_date(self.validated) if as_of is None else pd.Timestamp(as_of)
        return replace(self, as_of=self.as_of if ts is None else ts.normalize())

    @property
    def window_start(self) -> pd.Timestamp | None:
        """The study start in force: :attr:`study_start`, else the filters' (filter bar)."""
        return self.study_start if self.study_start is not None else self.filters.study_start

    def with_study_start(self, start: pd.Timestamp | str | None) -> Dataset:
        """A copy with another study start (None = no delayed entry)."""
        return replace(self, study_start=None if start is None else pd.Timestamp(start).normalize())

    def with_events(self, statuses: Iterable[str]) -> Dataset:
        return replace(self, event_statuses=tuple(statuses))

    def with_filters(self, filters: Filters) -> Dataset:
        return replace(self, filters=filters)

    def with_assumptions(self, assumptions: Assumptions) -> Dataset:
        return replace(self, assumptions=assumptions)

    # ---- tables ---------------------------------------------------------------------------

    def has(self, table: str) -> bool:
        return table in self.validated and len(self.validated[table]) > 0

    def latest(self) -> pd.Timestamp | None:
        """The latest date in the data (:meth:`latest_date` of the tables): the default as-of
        date and the date range the filter bar offers."""
        return Dataset.latest_date(self.validated)

    def policy_columns(self) -> list[str]:
        """The columns of the policies view (:attr:`policies`), without needing its rows where
        the data live in an engine."""
        p = self.policies
        return [] if p is None else [str(c) for c in p.columns]

    def _in_window(self, table: str) -> pd.DataFrame | None:
        frame = self.validated.get(table)
        if frame is None:
            return None
        col = WINDOW_DATE[table]
        if self.generic or col not in frame.columns:
            return frame
        dates = frame[col]
        keep = dates.isna() | (dates <= self.as_of)
        # The usual case (as-of = latest date) keeps every row: no copy then.
        return frame if bool(keep.all()) else frame[keep]

    def out_of_window(self, table: str) -> int:
        """Accepted rows of ``table`` that start after the as-of date."""
        frame = self.validated.get(table)
        kept = self._in_window(table)
        return 0 if frame is None or kept is None else len(frame) - len(kept)

    @cached_property
    def members(self) -> pd.DataFrame | None:
        """In-window members passing the region/tier filters, with ``age`` (years at as-of)
        derived from ``birth_date`` when the table has no age column."""
        frame = self._in_window(schema.MEMBERS)
        if frame is None:
            return None
        frame = frame.copy()
        if "birth_date" in frame.columns:
            derived = (self.as_of - frame["birth_date"]).dt.days / schema.DAYS_PER_YEAR
            frame["age"] = np.floor(derived) if "age" not in frame.columns else frame["age"].fillna(np.floor(derived))
        f = self.filters
        if f.region and "region" in frame.columns:
            frame = frame[frame["region"].astype(str).isin(f.region)]
        if f.tier and "tier" in frame.columns:
            frame = frame[frame["tier"].astype(str).isin(f.tier)]
        return frame

    @property
    def policies_view_built(self) -> bool:
        """True once :attr:`policies` has been computed (and cached) for this Dataset."""
        return "policies" in self.__dict__

    @cached_property
    def policies(self) -> pd.DataFrame | None:
        """In-window, filtered policies with derived columns:

        ``exit_date`` (termination on or before as-of, else NaT), ``exit_status`` (status at
        as-of: ``in_force`` or the termination status), ``duration_days``, ``duration_months``,
        ``event`` (0/1), ``issue_year``, ``issue_month`` (``YYYY-MM``), and member attributes
        ``gender``, ``region``, ``tier``, ``age_at_issue``, ``age_band``; ``premium_band``.
        """
        frame = self._in_window(schema.POLICIES)
        if frame is None:
            return None
        if self.generic:
            return self._filter_policies(self._generic_policies(frame))
        # Derived columns are built as arrays and assembled once: at 1M rows, per-column
        # inserts, merges and strftime dominate otherwise.
        exits = derive_exits(
            frame["issue_date"].to_numpy(),
            frame["end_date"].to_numpy() if "end_date" in frame.columns else None,
            frame["status"].to_numpy(dtype=object) if "status" in frame.columns else None,
            self.as_of.to_datetime64(), self.event_statuses)
        dates = frame["issue_date"]
        derived: dict[str, object] = {
            "exit_date": exits.exit_date,
            "exit_status": exits.exit_status,
            "issue_year": dates.dt.year.astype("Int64").array,
            "issue_month": _year_month_labels(dates),
            "duration_days": exits.duration_days,
            "event": exits.event,
        }
        return self._filter_policies(self._assemble_policies(frame, derived))

    def _generic_policies(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The policies view of a generic survival table: the source columns (``event`` stays
        the source's nullable boolean) plus ``exit_status`` (``lapsed`` for an event, else
        ``in_force``), ``duration_days`` (the table's own duration unit) and the columns every
        policies view gets (:meth:`_assemble_policies`)."""
        duration = frame["duration"].to_numpy(dtype=float)
        event = frame["event"].fillna(False).to_numpy(dtype=bool)
        derived: dict[str, object] = {
            # two shared Python strings instead of a million new ones
            "exit_status": np.array(["in_force", "lapsed"], dtype=object)[event.astype(np.intp)],
            "duration_days": duration,
            "event": event.astype(np.int8),
        }
        return self._assemble_policies(frame, derived)

    def _assemble_policies(self, frame: pd.DataFrame, derived: dict[str, object]) -> pd.DataFrame:
        """Add the columns every policies view has to ``derived`` (``duration_months``, member
        attributes with age at issue and age band, ``premium_band``) and put them beside the
        source columns. Source columns keep their blocks (no copy, no consolidation)."""
        derived["duration_months"] = np.asarray(derived["duration_days"]) / schema.DAYS_PER_MONTH
        self._join_members(frame, derived)
        if "annual_premium" in frame.columns:
            derived["premium_band"] = _band(frame["annual_premium"], self.assumptions.premium_bands).array
        columns: dict[str, object] = {c: frame[c] for c in frame.columns}
        columns.update({k: pd.Series(v, index=frame.index) for k, v in derived.items()
                        if k not in frame.columns})
        return pd.DataFrame(columns, copy=False)

    def _join_members(self, frame: pd.DataFrame, derived: dict[str, object]) -> None:
        """Add member attributes (and age at issue, age band) to ``derived`` in place; a
        column the policies table has itself is not joined."""
        members = self.validated.get(schema.MEMBERS)
        if members is None or "member_id" not in frame.columns:
            return

        def column(name: str) -> np.ndarray | None:
            if name in derived:
                return np.asarray(derived[name])
            return frame[name].to_numpy() if name in frame.columns else None

        attrs = [c for c in ("gender", "region", "tier", "birth_date", "age", "join_date")
                 if c in members.columns and c not in frame.columns and c not in derived]
        if attrs:
            # Index lookup instead of a merge: several times faster at 1M rows, and keeps order.
            pos = pd.Index(members["member_id"]).get_indexer(pd.Index(frame["member_id"]))
            found = pos >= 0
            for c in attrs:
                values = members[c].to_numpy()
                taken = values[np.where(found, pos, 0)] if len(values) else np.empty(len(pos), values.dtype)
                if np.issubdtype(taken.dtype, np.datetime64):
                    taken = np.where(found, taken, np.datetime64("NaT"))
                elif taken.dtype.kind == "f":
                    taken = np.where(found, taken, np.nan)
                else:
                    taken = taken.astype(object)
                    taken[~found] = None
                derived[c] = taken
        birth, issue, age = column("birth_date"), column("issue_date"), column("age")
        if birth is not None and issue is not None:
            days = (issue - birth).astype("timedelta64[D]").astype(float)
            derived["age_at_issue"] = np.floor(days / schema.DAYS_PER_YEAR)
        elif age is not None:
            derived["age_at_issue"] = pd.to_numeric(pd.Series(age), errors="coerce").to_numpy()
        if "age_at_issue" in derived:
            derived["age_band"] = _band(pd.Series(derived["age_at_issue"]), self.assumptions.age_bands).array

    def _filter_policies(self, p: pd.DataFrame) -> pd.DataFrame:
        f = self.filters
        if not f.active:
            return p
        keep = pd.Series(True, index=p.index)
        if f.issue_from is not None and "issue_date" in p:
            keep &= p["issue_date"] >= f.issue_from
        if f.issue_to is not None and "issue_date" in p:
            keep &= p["issue_date"] <= f.issue_to
        for name in Filters.VALUE_FIELDS:
            values = getattr(f, name)
            if values and name in p.columns:
                keep &= p[name].astype(str).isin(values)
        return p[keep].reset_index(drop=True)

    def _member_scope(self) -> pd.Index | None:
        """Member ids that pass the filters, or None when no filter restricts members."""
        f = self.filters
        if not (f.region or f.tier or f.product or f.channel or f.issue_from or f.issue_to):
            return None
        ids = None
        if (f.region or f.tier) and self.members is not None:
            ids = pd.Index(self.members["member_id"].unique())
        if (f.product or f.channel or f.issue_from is not None or f.issue_to is not None or ids is None) \
                and self.policies is not None and "member_id" in self.policies:
            pol_ids = pd.Index(self.policies["member_id"].dropna().unique())
            ids = pol_ids if ids is None else ids.intersection(pol_ids)
        return ids

    def _member_table(self, table: str) -> pd.DataFrame | None:
        frame = self._in_window(table)
        if frame is None:
            return None
        scope = self._member_scope()
        if scope is not None and "member_id" in frame.columns:
            frame = frame[frame["member_id"].isin(scope)]
        return frame.reset_index(drop=True)

    @cached_property
    def benefit_usage(self) -> pd.DataFrame | None:
        return self._member_table(schema.BENEFIT_USAGE)

    @cached_property
    def service_contacts(self) -> pd.DataFrame | None:
        """In-window contacts; anonymous contacts (no member id) are kept unless a filter
        restricts members."""
        return self._member_table(schema.SERVICE_CONTACTS)

    @cached_property
    def claims(self) -> pd.DataFrame | None:
        """In-window claims; ``settled_at`` after as-of is blanked (the claim is open then)."""
        frame = self._member_table(schema.CLAIMS)
        if frame is None:
            return None
        if "settled_at" in frame.columns:
            frame = frame.copy()
            late = frame["settled_at"] > self.as_of
            frame.loc[late, "settled_at"] = pd.NaT
            if "status" in frame.columns:
                frame.loc[late, "status"] = "open"
        if self.filters.active and self.policies is not None and "policy_id" in frame.columns:
            frame = frame[frame["policy_id"].isna() | frame["policy_id"].isin(self.policies["policy_id"])]
        return frame.reset_index(drop=True)

    @cached_property
    def premium_payments(self) -> pd.DataFrame | None:
        """In-window instalments (due on or before as-of) of the in-scope policies;
        ``paid_date`` after as-of is blanked (unpaid at as-of)."""
        frame = self._in_window(schema.PREMIUM_PAYMENTS)
        if frame is None:
            return None
        if "paid_date" in frame.columns and bool((frame["paid_date"] > self.as_of).any()):
            frame = frame.copy()
            frame.loc[frame["paid_date"] > self.as_of, "paid_date"] = pd.NaT
        if self.filters.active and self.policies is not None and "policy_id" in frame.columns:
            frame = frame[frame["policy_id"].isin(self.policies["policy_id"])]
        return frame.reset_index(drop=True)

    def table(self, name: str) -> pd.DataFrame | None:
        """The analysis view (windowed, filtered, derived) of a canonical table; ``KeyError``
        when ``name`` is not one (so ``table("as_of")`` cannot return some other attribute)."""
        if name not in schema.TABLES:
            raise KeyError(f"unknown table {name!r}; tables: {', '.join(schema.TABLES)}")
        frame: pd.DataFrame | None = getattr(self, name)
        return frame

    # ---- segments -------------------------------------------------------------------------

    def segment_columns(self, max_levels: int = 30) -> list[str]:
        """Policy columns usable as KM segments: categorical columns (canonical, derived or
        extra) with 2..``max_levels`` distinct values."""
        p = self.policies
        if p is None:
            return []
        out = []
        for col in p.columns:
            if col in SEGMENT_SKIP or pd.api.types.is_datetime64_any_dtype(p[col]):
                continue
            if pd.api.types.is_float_dtype(p[col]):
                continue
            n = p[col].nunique(dropna=True)
            if 2 <= n <= max_levels:
                out.append(col)
        return out

    def summary(self) -> str:
        """One line for a status bar: table row counts and the as-of date."""
        parts = [f"{name} {len(frame):,}" for name, frame in self.validated.items()]
        return f"{' · '.join(parts)} · as of {self.as_of.date().isoformat()}"


def _band(values: pd.Series, bands: tuple[tuple[float, float, str], ...]) -> pd.Series:
    """Label each value with the band [lo, hi) it falls in; NaN stays missing."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    out = np.full(v.shape, None, dtype=object)
    for lo, hi, label in bands:
        out[(v >= lo) & (v < hi)] = label
    cat = pd.Categorical(out, categories=[b[2] for b in bands], ordered=True)
    return pd.Series(cat, index=values.index)


def _year_month_labels(dates: pd.Series) -> np.ndarray:
    """``YYYY-MM`` labels, formatted once per distinct month (strftime on 1M rows takes ~6 s)."""
    values = dates.to_numpy()
    months = values.astype("datetime64[M]")
    uniq, inverse = np.unique(months, return_inverse=True)
    labels = np.array([None if np.isnat(u) else str(u) for u in uniq], dtype=object)
    return labels[inverse.reshape(-1)]
