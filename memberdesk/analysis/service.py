"""Service analytics (服务): contact volumes, bot replacement, human connection, CSAT, and the
link between poor service and lapse.

Formulas (the metric dictionary, docs/lineage.md; one implementation shared by the Service page, the cockpit KPIs and
the report — see :func:`contact_flags` and :func:`rates_from_sums`):

* bot replacement rate (智能客服替代率) = bot contacts not transferred to a human ÷ all contacts.
  "All contacts" includes anonymous contacts (no member id) and contacts whose ``handled_by`` is
  missing. A missing ``transferred_to_human`` on a bot contact counts as *not* transferred.
* human queue = contacts with ``handled_by == "human"`` OR ``transferred_to_human``.
  Human connection rate (人工接通率) = human-queue contacts with ``connected`` true ÷ human-queue
  contacts (a missing ``connected`` counts as not connected). No human-queue contacts → None.
* resolution rate = contacts with ``resolved`` true ÷ contacts whose ``resolved`` is recorded.
* CSAT = rated contacts (``satisfaction`` not empty) with satisfaction ≥ 4 ÷ rated contacts.
* wait: mean and 90th percentile of ``wait_seconds`` over human-queue contacts (seconds).

A rate whose source column is absent is None with a reason naming the column; never an error.
Months are calendar months of ``started_at`` (``YYYY-MM``).

Groups (``service_summary(by=…)``, ``memberdesk service --by``): each level of a contacts column
or of the contact's member segment gets the summary of its own contacts — the same definitions,
as if the book held only those contacts; contacts without a value are the group "(missing)", so
the groups' counts add up to the whole book's. A group's window rate with no contact of the kind
it needs (no human-queue contact, no rating) is None with the cockpit's reason.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.frames import segment_labels
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

# Sums (per contact 0/1 flags) from which every service rate is computed.
SUM_COLUMNS: tuple[str, ...] = ("contacts", "bot_contacts", "bot_not_transferred", "human_queue",
                                "connected", "resolved_known", "resolved", "rated", "satisfied")
RATE_COLUMNS: tuple[str, ...] = ("bot_replacement_rate", "human_connection_rate",
                                 "resolution_rate", "csat")
# Rate -> (numerator, denominator, columns it needs).
RATE_FORMULAS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bot_replacement_rate": ("bot_not_transferred", "contacts",
                             ("handled_by", "transferred_to_human")),
    "human_connection_rate": ("connected", "human_queue",
                              ("handled_by", "transferred_to_human", "connected")),
    "resolution_rate": ("resolved", "resolved_known", ("resolved",)),
    "csat": ("satisfied", "rated", ("satisfaction",)),
}
CSAT_THRESHOLD = 4.0
LOW_RATING = 2.0


def _bool(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A nullable yes/no column as a plain bool array (missing -> False)."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].astype("boolean").to_numpy(dtype=bool, na_value=False)


def flag_arrays(contacts: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-contact bool flags named as :data:`SUM_COLUMNS` (see :func:`contact_flags`)."""
    n = len(contacts)
    if "handled_by" in contacts.columns:
        handled = contacts["handled_by"].to_numpy(dtype=object)
        is_bot, is_human = handled == "bot", handled == "human"
    else:
        is_bot = is_human = np.zeros(n, dtype=bool)
    transferred = _bool(contacts, "transferred_to_human")
    human_queue = is_human | transferred
    if "resolved" in contacts.columns:
        resolved_known = contacts["resolved"].notna().to_numpy()
    else:
        resolved_known = np.zeros(n, dtype=bool)
    if "satisfaction" in contacts.columns:
        sat = pd.to_numeric(contacts["satisfaction"], errors="coerce").to_numpy(dtype=float)
    else:
        sat = np.full(n, np.nan)
    rated = ~np.isnan(sat)
    return {
        "contacts": np.ones(n, dtype=bool),
        "bot_contacts": is_bot,
        "bot_not_transferred": is_bot & ~transferred,
        "human_queue": human_queue,
        "connected": human_queue & _bool(contacts, "connected"),
        "resolved_known": resolved_known,
        "resolved": resolved_known & _bool(contacts, "resolved"),
        "rated": rated,
        "satisfied": rated & (np.nan_to_num(sat, nan=-1.0) >= CSAT_THRESHOLD),
    }


def contact_flags(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per-contact 0/1 flags (float64) named as :data:`SUM_COLUMNS`; summing them over any
    group of contacts and passing the sums to :func:`rates_from_sums` gives the group's rates."""
    return pd.DataFrame({k: v.astype(np.float64) for k, v in flag_arrays(contacts).items()},
                        index=contacts.index)


def missing_columns_reason(contacts: pd.DataFrame | None, rate: str) -> Reason | None:
    """Why ``rate`` cannot be computed from ``contacts`` at all (None when it can)."""
    if contacts is None:
        return Reason("no_table", table="service_contacts")
    if len(contacts) == 0:
        return Reason("no_rows_to_as_of", table="service_contacts")
    missing = [c for c in RATE_FORMULAS[rate][2] if c not in contacts.columns]
    if missing:
        return Reason("missing_column", table="service_contacts", column=", ".join(missing))
    return None


def rates_from_sums(sums: pd.DataFrame | Mapping[str, object],
                    available: Mapping[str, bool] | None = None) -> dict[str, object]:
    """Rates from flag sums (scalars or aligned arrays). A zero denominator gives NaN (None in
    JSON); a rate marked unavailable in ``available`` is all-NaN."""
    out: dict[str, object] = {}
    for rate, (num, den, _) in RATE_FORMULAS.items():
        n = np.asarray(sums[num], dtype=float)
        d = np.asarray(sums[den], dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
        if available is not None and not available.get(rate, True):
            r = np.full_like(r, np.nan)
        out[rate] = r if r.ndim else float(r)
    return out


def rate_availability(contacts: pd.DataFrame | None) -> dict[str, bool]:
    return {rate: missing_columns_reason(contacts, rate) is None for rate in RATE_FORMULAS}


@dataclass(frozen=True)
class ServiceSummary:
    """Service metrics of a Dataset.

    Attributes
    ----------
    monthly
        One row per month of ``started_at``: the :data:`SUM_COLUMNS` counts, the
        :data:`RATE_COLUMNS` rates, ``wait_mean_seconds`` and ``wait_p90_seconds``
        (human-queue contacts).
    by_channel, by_topic
        ``month``, ``channel``/``topic``, ``contacts`` (missing values shown as "(missing)").
    window
        One row: the same columns over the trailing ``window_months`` months to as-of
        (``window_start`` exclusive, ``window_end`` inclusive).
    reasons
        Rate -> why it is None everywhere (missing table or column).
    by
        The column the contacts were split by (None: the whole book only).
    groups
        With ``by``: ``(level, summary)`` per level of ``by``, in the level order of
        :func:`memberdesk.analysis.frames.segment_labels` (tiers and bands in their natural
        order, other text sorted, numbers numerically), contacts without a value (or whose
        member is unknown, for a member column) last as ``"(missing)"``. Each summary is the
        one of the book restricted to the group's contacts; its ``reasons`` also name why a
        window rate is None when the group has no contact of the kind the rate needs
        (``no_contacts_12m``, ``no_human_queue_12m``, ``no_rated_12m``, as the cockpit KPIs).
    """

    monthly: pd.DataFrame
    by_channel: pd.DataFrame
    by_topic: pd.DataFrame
    window: pd.DataFrame
    reasons: dict[str, Reason] = field(default_factory=dict)
    by: str | None = None
    groups: tuple[tuple[str, ServiceSummary], ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.monthly

    def top_topics(self, months: int = 12) -> pd.DataFrame:
        """Contacts per topic over the last ``months`` calendar months to the window's end
        (the as-of month included), most contacted first: ``topic``, ``contacts``."""
        t = self.by_topic
        if t.empty:
            return pd.DataFrame({"topic": pd.Series(dtype=object), "contacts": pd.Series(dtype=float)})
        end = (pd.Timestamp(self.window["window_end"].iloc[0]) if len(self.window)
               else pd.Timestamp(str(t["month"].max())))
        first = (end.to_period("M") - (months - 1)).strftime("%Y-%m")
        recent = t[t["month"].astype(str) >= first]
        sums = recent.groupby("topic", sort=False)["contacts"].sum()
        top = pd.DataFrame({"topic": sums.index.astype(object), "contacts": sums.to_numpy(dtype=float)})
        return top.sort_values(["contacts", "topic"], ascending=[False, True], kind="stable",
                               ignore_index=True)

    def to_json(self) -> dict[str, Any]:
        """``{"window": {...}|null, "monthly": [...], "by_channel": [...], "top_topics":
        [{"topic", "contacts"}], "reasons": {rate: text}}`` (docs/cli.md); with ``by`` also
        ``"by": column, "groups": [{"name": level, <the same fields>}]``."""
        out: dict[str, Any] = {
            "window": self.window.to_dict(orient="records")[0] if len(self.window) else None,
            "monthly": self.monthly.to_dict(orient="records"),
            "by_channel": self.by_channel.to_dict(orient="records"),
            "top_topics": self.top_topics().to_dict(orient="records"),
            "reasons": {rate: str(r) for rate, r in self.reasons.items()}}
        if self.by is not None:  # --by: the whole book above, then one object per level
            out["by"] = self.by
            out["groups"] = [{"name": name, **g.to_json()} for name, g in self.groups]
        return out


def _aggregate(contacts: pd.DataFrame, flags: pd.DataFrame, keys: pd.Series | None,
               available: Mapping[str, bool]) -> pd.DataFrame:
    if keys is None:
        sums = flags.sum().to_frame().T
    else:
        sums = flags.groupby(keys.to_numpy(), sort=True).sum()
        sums.index.name = "month"
        sums = sums.reset_index()
    rates = rates_from_sums(sums, available)
    for rate in RATE_COLUMNS:
        sums[rate] = rates[rate]  # type: ignore[call-overload]  # scalar or aligned array
    hq = flags["human_queue"].to_numpy(dtype=bool)
    if "wait_seconds" in contacts.columns and hq.any():
        wait = pd.to_numeric(contacts["wait_seconds"], errors="coerce")[hq]
        if keys is None:
            sums["wait_mean_seconds"] = wait.mean()
            sums["wait_p90_seconds"] = wait.quantile(0.9)
        else:
            g = wait.groupby(keys.to_numpy()[hq])
            sums["wait_mean_seconds"] = sums["month"].map(g.mean()).astype(float)
            sums["wait_p90_seconds"] = sums["month"].map(g.quantile(0.9)).astype(float)
    else:
        sums["wait_mean_seconds"] = np.nan
        sums["wait_p90_seconds"] = np.nan
    return sums


def _month_keys(dates: pd.Series) -> pd.Series:
    """"YYYY-MM" of each date (NaN where missing): distinct months are formatted once."""
    months = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    codes, uniques = pd.factorize(months.view(np.int64))
    uniques = np.asarray(uniques, dtype=np.int64).view("datetime64[M]")
    labels = np.append(np.datetime_as_string(uniques.astype("datetime64[M]"), unit="M").astype(object), np.nan)
    labels[:-1][np.isnat(uniques)] = np.nan
    return pd.Series(labels[codes], index=dates.index, dtype=object)


def service_summary(ds: Dataset, *, window_months: int = 12,
                    progress: Progress | None = None, by: str | None = None) -> ServiceSummary:
    """Monthly service metrics, contact mix by channel and topic, and the trailing window.

    Parameters
    ----------
    ds
        The dataset; its ``service_contacts`` (windowed at as-of, filtered) are used.
    window_months
        Length of the trailing window summarised in ``window`` (months, ending at as-of).
    by
        Also summarise each level of this column (``groups``): a ``service_contacts`` column
        (channel, topic, handled_by…) or a member segment (:data:`member columns
        <memberdesk.analysis.benefits.MEMBER_SEGMENTS>` region, tier, gender, reached by the
        contact's ``member_id``). Contacts with no value — anonymous contacts and contacts of
        an unknown member too, for a member column — form the last group ``"(missing)"``;
        none is dropped, so the groups' contacts add up to the whole book's. An unknown column
        or one of more than :data:`memberdesk.analysis.survival.MAX_SEGMENTS` levels (as ``km``)
        raises :class:`AnalysisError` naming it.

    On an engine book the summary, with or without ``by``, is answered by aggregate queries
    (:func:`memberdesk.core.engine.kpi_counts.contact_segment_sums`: flag sums, wait values
    and channel/topic counts by month, and by level with ``by``): no contact row leaves the
    engine, and the figures are those of the rows (counts exact, the wait mean and 90th
    percentile from the waits' value counts).
    """
    prog = ensure(progress)
    if getattr(ds, "book", None) is not None:
        return _engine_summary(ds, by, window_months, prog, progress)
    contacts = ds.service_contacts
    whole = _summarise(contacts, ds.as_of, window_months, prog, progress)
    if by is None:
        return whole
    if contacts is None:  # no table: the whole book's reasons say so, and there is no group
        return replace(whole, by=by)
    values = contact_segment(ds, contacts, by)
    if len(contacts) == 0:
        return replace(whole, by=by)
    codes, names = _levels(values, by)
    groups = []
    for g, name in enumerate(names):
        check_cancelled(progress)
        part = _summarise(contacts[codes == g], ds.as_of, window_months, ensure(None), progress)
        groups.append((name, with_empty_window_reasons(part, window_months)))
    return replace(whole, by=by, groups=tuple(groups))


def _summarise(contacts: pd.DataFrame | None, as_of: pd.Timestamp, window_months: int,
               prog: Any, progress: Progress | None) -> ServiceSummary:
    """:func:`service_summary` of the contacts given (the whole book or one group's)."""
    reasons = {rate: r for rate in RATE_FORMULAS
               if (r := missing_columns_reason(contacts, rate)) is not None}
    if contacts is None or len(contacts) == 0:
        empty = pd.DataFrame(columns=["month", *SUM_COLUMNS, *RATE_COLUMNS])
        return ServiceSummary(empty, pd.DataFrame(columns=["month", "channel", "contacts"]),
                              pd.DataFrame(columns=["month", "topic", "contacts"]),
                              empty.drop(columns="month"), reasons)
    _check_start_date(contacts.columns)
    available = rate_availability(contacts)
    flags = contact_flags(contacts)
    dated = contacts["started_at"].notna()
    keys = _month_keys(contacts["started_at"].where(dated))
    prog.status("Service: monthly rates")
    monthly = _aggregate(contacts[dated], flags[dated], keys[dated], available)
    check_cancelled(progress)
    mixes = []
    for col in ("channel", "topic"):
        if col in contacts.columns:
            mix = (pd.DataFrame({"month": keys[dated], col: contacts.loc[dated, col].fillna("(missing)")})
                   .groupby(["month", col], sort=True).size().rename("contacts").reset_index())
        else:
            mix = pd.DataFrame(columns=["month", col, "contacts"])
        mixes.append(mix)
    start = as_of - pd.DateOffset(months=window_months)
    in_window = (dated & (contacts["started_at"] > start)).to_numpy()
    window = _aggregate(contacts[in_window], flags[in_window], None, available)
    window.insert(0, "window_start", start)
    window.insert(1, "window_end", as_of)
    prog.fraction(1.0)
    return ServiceSummary(monthly, mixes[0], mixes[1], window, reasons)


# ---- --by: the column, its levels, the reasons of a group's empty window -------------------------

def segment_source(ds: Dataset, columns: Sequence[str], by: str) -> str:
    """Where the ``--by`` column lives: ``"contacts"`` (a ``service_contacts`` column) or
    ``"members"`` (a member segment of :data:`memberdesk.analysis.benefits.MEMBER_SEGMENTS`,
    as benefits resolves it, when the members table has it and the contacts have member ids).
    ``columns``: the contacts' columns. Unknown: :class:`AnalysisError` naming the column and
    the columns available (:func:`memberdesk.core.book._check_columns`, as ``km --by``)."""
    from memberdesk.analysis.benefits import MEMBER_SEGMENTS
    from memberdesk.core.book import _check_columns

    if by in columns:
        return "contacts"
    member_cols = _member_columns(ds) if "member_id" in columns else []
    if by in MEMBER_SEGMENTS and by in member_cols:
        return "members"
    _check_columns([*columns, *(c for c in MEMBER_SEGMENTS if c in member_cols)], [by])
    raise AssertionError("unreachable")  # pragma: no cover (_check_columns raised)


def _member_columns(ds: Dataset) -> list[str]:
    book = getattr(ds, "book", None)
    if book is not None:
        from memberdesk.core.engine import kpi_counts

        return kpi_counts.columns(book, ds, "members") or []
    return [] if ds.members is None else [str(c) for c in ds.members.columns]


def contact_segment(ds: Dataset, contacts: pd.DataFrame, by: str) -> pd.Series:
    """The ``by`` value of each contact (missing where none; see :func:`segment_source`)."""
    source = segment_source(ds, [str(c) for c in contacts.columns], by)
    if source == "contacts":
        return contacts[by]
    assert ds.members is not None
    attr = ds.members.drop_duplicates("member_id").set_index("member_id")[by]
    return pd.Series(attr.reindex(contacts["member_id"].to_numpy()).to_numpy(), index=contacts.index,
                     name=by)


def _levels(values: pd.Series, by: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and names of the levels (:func:`segment_labels`: km's level order, "(missing)"
    last), checked by :func:`_check_levels`."""
    codes, names = segment_labels(values)
    _check_levels(by, len(names))
    return codes, names


def _check_levels(by: str, n: int) -> None:
    """More than km's :data:`~memberdesk.analysis.survival.MAX_SEGMENTS` levels (the missing
    one included) is refused as km refuses it (reason ``segment_too_many``)."""
    from memberdesk.analysis.survival import MAX_SEGMENTS

    if n > MAX_SEGMENTS:
        raise AnalysisError(Reason("segment_too_many", column=by, n=n, limit=MAX_SEGMENTS),
                            column=by)


def _check_start_date(columns: Sequence[str] | pd.Index) -> None:
    if "started_at" not in columns:
        raise AnalysisError(Reason("service_needs_start_date"), column="started_at")


def with_empty_window_reasons(summary: ServiceSummary, window_months: int) -> ServiceSummary:
    """``summary`` whose ``reasons`` also say why a window rate is None although its columns
    exist: no contact of the kind the rate needs in the window (the cockpit KPIs' reasons,
    :data:`memberdesk.analysis.kpis.EMPTY_REASONS`; only for the 12-month window they name)."""
    from memberdesk.analysis.kpis import EMPTY_REASONS

    if window_months != 12 or summary.window.empty:
        return summary
    row = summary.window.iloc[0]
    extra = {rate: EMPTY_REASONS[rate] for rate in RATE_COLUMNS
             if rate in EMPTY_REASONS and rate not in summary.reasons and pd.isna(row[rate])}
    return replace(summary, reasons={**summary.reasons, **extra}) if extra else summary


def _engine_summary(ds: Dataset, by: str | None, window_months: int, prog: Any,
                    progress: Progress | None) -> ServiceSummary:
    """:func:`service_summary` on an engine book, from aggregates only (``by`` None: the
    whole book's answers, without a level key)."""
    from memberdesk.core.engine import kpi_counts

    book = ds.book  # type: ignore[attr-defined]
    columns = kpi_counts.columns(book, ds, "service_contacts")
    if columns is None:  # no table: as the rows' route
        return replace(_summarise(None, ds.as_of, window_months, prog, progress), by=by)
    source = None if by is None else segment_source(ds, columns, by)
    _check_start_date(columns)
    if by is not None:
        _check_levels(by, kpi_counts.contact_levels(book, ds, by, source == "members"))
    prog.status("Service: monthly rates")
    start = ds.as_of - pd.DateOffset(months=window_months)
    cells = kpi_counts.contact_segment_sums(book, ds, CSAT_THRESHOLD, by, source == "members",
                                            start.date())
    assert cells is not None
    check_cancelled(progress)
    sums = cells["sums"]
    if float(sums["contacts"].sum()) == 0:  # the table, but no contact to as-of
        empty = pd.DataFrame(columns=columns)
        return replace(_summarise(empty, ds.as_of, window_months, prog, progress), by=by)
    reasons = {rate: Reason("missing_column", table="service_contacts", column=", ".join(missing))
               for rate, (_, _, need) in RATE_FORMULAS.items()
               if (missing := [c for c in need if c not in columns])}
    available = {rate: rate not in reasons for rate in RATE_FORMULAS}
    parts = {"as_of": ds.as_of, "start": start, "available": available}
    if by is None:
        whole = _from_cells(cells, {k: np.ones(len(v), dtype=bool) for k, v in cells.items()},
                            parts, reasons)
        prog.fraction(1.0)
        return whole
    _, names = segment_labels(sums["_seg"].drop_duplicates().reset_index(drop=True))
    code = _level_codes(sums["_seg"], names)
    codes = {name: (code(f["_seg"]) if name != "sums" else code(sums["_seg"]))
             for name, f in cells.items()}
    whole = _from_cells(cells, {k: np.ones(len(v), dtype=bool) for k, v in codes.items()},
                        parts, reasons)
    groups = []
    for g, name in enumerate(names):
        part = _from_cells(cells, {k: v == g for k, v in codes.items()}, parts, reasons)
        groups.append((name, with_empty_window_reasons(part, window_months)))
    prog.fraction(1.0)
    return replace(whole, by=by, groups=tuple(groups))


def _level_codes(values: pd.Series, names: tuple[str, ...]) -> Any:
    """A function giving each value's position in ``names`` (:func:`segment_labels`' names of
    ``values``' distinct values; a missing value -> the "(missing)" group)."""
    first, _ = segment_labels(values)
    distinct = values.to_numpy(dtype=object)
    lookup = {v: int(c) for v, c in zip(distinct, first) if not pd.isna(v)}
    missing = len(names) - 1

    def code(column: pd.Series) -> np.ndarray:
        return np.array([missing if pd.isna(v) else lookup[v] for v in column.to_numpy(dtype=object)],
                        dtype=np.int64)

    return code


def _month_labels(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([f"{int(y):04d}-{int(m):02d}" for y, m in zip(frame["_y"], frame["_m"])],
                     index=frame.index, dtype=object)


def _from_cells(cells: Mapping[str, pd.DataFrame], keep: Mapping[str, np.ndarray],
                parts: Mapping[str, Any], reasons: dict[str, Reason]) -> ServiceSummary:
    """One :class:`ServiceSummary` from the engine's answers (rows where ``keep``): the same
    frames, columns and dtypes as :func:`_summarise` gives from the rows."""
    available = parts["available"]
    sums = cells["sums"][keep["sums"]]
    sums = sums[sums["_y"].notna()]
    month = _month_labels(sums)
    monthly = sums[list(SUM_COLUMNS)].astype(np.float64).groupby(month.to_numpy(), sort=True).sum()
    monthly.index.name = "month"
    monthly = monthly.reset_index()
    window = sums.loc[sums["_w"].to_numpy(dtype=bool), list(SUM_COLUMNS)].astype(np.float64) \
        .sum().to_frame().T
    waits = cells.get("waits")
    if waits is not None:
        waits = waits[keep["waits"]]
        waits = waits[waits["_y"].notna()]
    for frame, keyed in ((monthly, True), (window, False)):
        rates = rates_from_sums(frame, available)
        for rate in RATE_COLUMNS:
            frame[rate] = rates[rate]  # type: ignore[call-overload]  # aligned array
        if waits is None or waits.empty:
            frame["wait_mean_seconds"] = np.nan
            frame["wait_p90_seconds"] = np.nan
        elif keyed:
            stats = {m: _wait_stats(w, grouped=True)
                     for m, w in waits.groupby(_month_labels(waits).to_numpy())}
            frame["wait_mean_seconds"] = frame["month"].map({m: v[0] for m, v in stats.items()}).astype(float)
            frame["wait_p90_seconds"] = frame["month"].map({m: v[1] for m, v in stats.items()}).astype(float)
        else:
            mean, p90 = _wait_stats(waits[waits["_w"].to_numpy(dtype=bool)])
            frame["wait_mean_seconds"] = mean
            frame["wait_p90_seconds"] = p90
    window.insert(0, "window_start", parts["start"])
    window.insert(1, "window_end", parts["as_of"])
    mixes = []
    for col in ("channel", "topic"):
        counts = cells.get(col)
        if counts is None:
            mixes.append(pd.DataFrame(columns=["month", col, "contacts"]))
            continue
        counts = counts[keep[col]]
        counts = counts[counts["_y"].notna()]
        level = counts[col].astype(object).where(counts[col].notna(), "(missing)")
        mix = (pd.DataFrame({"month": _month_labels(counts).to_numpy(), col: level.to_numpy(),
                             "contacts": counts["n"].to_numpy(dtype=np.int64)})
               .groupby(["month", col], sort=True)["contacts"].sum().reset_index())
        mixes.append(mix)
    return ServiceSummary(monthly, mixes[0], mixes[1], window, dict(reasons))


def _wait_stats(waits: pd.DataFrame, grouped: bool = False) -> tuple[float, float]:
    """Mean and 90th percentile of the waits given as value counts (``wait_seconds``, ``n``):
    the mean and the linearly interpolated quantile of the waits repeated ``n`` times; NaN
    when there is none. The interpolation is written as the row path's computes it, so both
    give the same floats: numpy's ``quantile`` (``Series.quantile``, the window) or, with
    ``grouped``, pandas' ``GroupBy.quantile`` (the months: ``a + (b − a)·frac``)."""
    counts = waits.groupby("wait_seconds", sort=True)["n"].sum()
    n = counts.to_numpy(dtype=np.int64)
    total = int(n.sum())
    if total == 0:
        return float("nan"), float("nan")
    values = counts.index.to_numpy(dtype=float)
    mean = float((values * n).sum() / total)
    q = 0.9
    virtual = (total - 1) * q  # numpy's virtual index for method "linear"
    lo = int(np.floor(virtual))
    gamma = virtual - lo
    ends = np.cumsum(n)  # sorted position i holds values[searchsorted(ends, i, "right")]
    a = values[np.searchsorted(ends, lo, side="right")]
    b = values[np.searchsorted(ends, min(lo + 1, total - 1), side="right")]
    if grouped:
        p90 = a if gamma == 0.0 else a + (b - a) * gamma
    else:
        p90 = b - (b - a) * (1 - gamma) if gamma >= 0.5 else a + (b - a) * gamma
    return mean, float(p90)


def window_rate_series(contacts: pd.DataFrame | None, starts: np.ndarray,
                       ends: np.ndarray) -> dict[str, np.ndarray]:
    """Service rates over many windows ``(starts[i], ends[i]]`` at once (days since epoch,
    float arrays). Used for the cockpit's previous period and trend; O(contacts + days)."""
    k = len(ends)
    if contacts is None or len(contacts) == 0 or "started_at" not in contacts.columns:
        return {rate: np.full(k, np.nan) for rate in RATE_COLUMNS} | {"contacts": np.zeros(k)}
    days = to_days(contacts["started_at"])
    ok = ~np.isnan(days)
    flags = flag_arrays(contacts)
    day = days[ok].astype(np.int64)
    lo = int(min(day.min(), np.nanmin(starts))) - 1
    idx = day - lo
    size = int(max(day.max(), np.nanmax(ends)) - lo) + 2
    s = np.clip((np.asarray(starts) - lo).astype(np.int64), 0, size - 1)
    e = np.clip((np.asarray(ends) - lo).astype(np.int64), 0, size - 1)
    sums = {}
    for col in SUM_COLUMNS:
        cum = np.cumsum(np.bincount(idx[flags[col][ok]], minlength=size))
        sums[col] = cum[e] - cum[s]
    out = dict(rates_from_sums(sums, rate_availability(contacts)))
    out["contacts"] = sums["contacts"]
    return out  # type: ignore[return-value]


def to_days(dates: pd.Series) -> np.ndarray:
    """Dates as float days since 1970-01-01 (NaN for missing); dates are normalised
    (midnight), so the values are whole numbers."""
    v = dates.to_numpy(dtype="datetime64[ns]")
    out = np.floor_divide(v.view(np.int64), 86_400_000_000_000).astype(np.float64)
    out[np.isnat(v)] = np.nan
    return out


# ---- service and retention -------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceLapseLink:
    """Lapse hazard of policies whose member had a bad service experience vs the others.

    ``hazard_ratio`` (风险比) compares the voluntary-exit hazard after a landmark of policies
    whose member had an unresolved contact or a rating ≤ ``low_rating`` in the ``lookback_days``
    before it with all other in-force policies. ``landmarks`` has one row per landmark date:
    policies at risk, exposed, events among exposed and unexposed.
    """

    hazard_ratio: float | None
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    n: int
    events: int
    exposed: int
    exposed_events: int
    landmarks: pd.DataFrame
    reason: Reason | None = None

    def to_json(self) -> dict[str, object]:
        return {"hazard_ratio": self.hazard_ratio, "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper, "p_value": self.p_value, "n": self.n,
                "events": self.events, "exposed": self.exposed,
                "exposed_events": self.exposed_events,
                "reason": None if self.reason is None else str(self.reason)}


def service_lapse_link(ds: Dataset, *, lookback_days: int = 90, step_months: int = 3,
                       n_landmarks: int = 4, low_rating: float = LOW_RATING,
                       progress: Progress | None = None) -> ServiceLapseLink:
    """Hazard ratio of voluntary exit for members with poor service in the prior
    ``lookback_days`` (stacked landmark Cox model).

    Why landmarks and not a time-varying Cox model: the exposure ("an unresolved or low-rated
    contact in the last 90 days") changes every day, so a time-varying fit needs one row per
    policy per interval (member-months: tens of millions of rows on a 1M-policy book, minutes
    in lifelines' CoxTimeVaryingFitter). Landmarking samples the covariate at fixed dates
    instead: landmark L_k = as-of − k·``step_months`` (k = 1..``n_landmarks``); at each L_k the
    policies in force are classed exposed/unexposed from contacts in (L_k − lookback, L_k] and
    followed to the next landmark L_{k−1} (L_0 = as-of). Follow-up windows of the
    same policy do not overlap, so the stack is a counting-process data set with a covariate
    updated at each landmark; a Cox model stratified by landmark (time = days since landmark)
    estimates the HR (:func:`memberdesk.analysis.cox.fit_cox`, vectorised: fast at 1M rows).

    Conventions: the event is a termination in ``ds.event_statuses`` (default lapsed,
    surrendered); other terminations are censored at their date. Anonymous contacts are
    ignored (they cannot be linked to a policy). The HR is None (with ``reason``) when there
    are no contacts, no exposed policies or no events in one of the groups.
    """
    prog = ensure(progress)
    p, c = ds.policies, ds.service_contacts
    empty = pd.DataFrame(columns=["landmark", "at_risk", "exposed", "events_exposed",
                                  "events_unexposed"])

    def none(reason: Reason, n: int = 0, ev: int = 0, ex: int = 0, exev: int = 0,
             frame: pd.DataFrame = empty) -> ServiceLapseLink:
        return ServiceLapseLink(None, None, None, None, n, ev, ex, exev, frame, reason)

    if c is None or len(c) == 0:
        return none(Reason("no_table", table="service_contacts"))
    if p is None or ds.generic or "member_id" not in p.columns or "member_id" not in c.columns:
        return none(Reason("member_ids_and_dates_needed"))
    bad = np.zeros(len(c), dtype=bool)
    if "resolved" in c.columns:
        bad |= (c["resolved"].astype("boolean") == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    if "satisfaction" in c.columns:
        bad |= (pd.to_numeric(c["satisfaction"], errors="coerce") <= low_rating).to_numpy(dtype=bool)
    bad &= c["member_id"].notna().to_numpy()
    bad_c = pd.DataFrame({"member_id": c["member_id"].to_numpy()[bad], "day": to_days(c["started_at"])[bad]})
    issue = to_days(p["issue_date"])
    exit_ = to_days(p["exit_date"]) if "exit_date" in p.columns else np.full(len(p), np.nan)
    event = p["event"].to_numpy(dtype=bool)
    member = p["member_id"].to_numpy()
    as_of = float(to_days(pd.Series([ds.as_of]))[0])
    rows, parts = [], []
    for k in range(n_landmarks, 0, -1):
        check_cancelled(progress)
        land_ts = ds.as_of - pd.DateOffset(months=k * step_months)
        land = float(to_days(pd.Series([land_ts]))[0])
        next_ts = ds.as_of - pd.DateOffset(months=(k - 1) * step_months)  # the next landmark
        stop = min(float(to_days(pd.Series([next_ts]))[0]), as_of)
        at_risk = (issue <= land) & ~(exit_ <= land)
        recent = bad_c[(bad_c["day"] > land - lookback_days) & (bad_c["day"] <= land)]
        exposed = np.isin(member, recent["member_id"].unique()) & at_risk
        end = np.fmin(exit_, stop)
        dur = (end - land)[at_risk]
        ev = (event & (exit_ <= stop))[at_risk]
        ex = exposed[at_risk]
        parts.append(pd.DataFrame({"landmark": land_ts.date().isoformat(), "duration": dur,
                                   "event": ev.astype(np.int8), "exposed": ex.astype(np.int8)}))
        rows.append({"landmark": land_ts, "at_risk": int(at_risk.sum()), "exposed": int(ex.sum()),
                     "events_exposed": int((ev & ex).sum()), "events_unexposed": int((ev & ~ex).sum())})
        prog.fraction(0.6 * (n_landmarks - k + 1) / n_landmarks)
    table = pd.DataFrame(rows)
    n, ex_n = int(table["at_risk"].sum()), int(table["exposed"].sum())
    ev_ex, ev_un = int(table["events_exposed"].sum()), int(table["events_unexposed"].sum())
    if ex_n == 0 or ex_n == n or ev_ex == 0 or ev_un == 0:
        return none(Reason("too_few_for_hazard_ratio"),
                    n, ev_ex + ev_un, ex_n, ev_ex, table)
    data = pd.concat(parts, ignore_index=True)
    data = data[data["duration"] > 0]
    prog.status("Service: fitting the landmark Cox model")
    try:
        hr = cox_hr(data, "exposed", strata="landmark" if n_landmarks > 1 else None)
    except AnalysisError as exc:
        return none(Reason("fit_failed", model="Cox", error=str(exc)), n, ev_ex + ev_un, ex_n, ev_ex, table)
    prog.fraction(1.0)
    return ServiceLapseLink(*hr, n, ev_ex + ev_un, ex_n, ev_ex, table)


def cox_hr(frame: pd.DataFrame, covariate: str, *, strata: str | None = None,
           alpha: float = 0.05, weights: str | None = None) -> tuple[float, float, float, float]:
    """HR, (1 − ``alpha``) CI (95% by default) and p of one 0/1 covariate; ``frame`` has
    ``duration`` and ``event`` columns (:func:`memberdesk.analysis.cox.fit_cox`, Efron ties as
    lifelines' CoxPHFitter; ``weights``: a column of frequency weights). Raises
    :class:`AnalysisError` when the model cannot be fitted (too few events, …)."""
    from memberdesk.analysis.cox import fit_cox

    res = fit_cox(frame, [covariate], strata=strata, diagnostics=False, alpha=alpha,
                  frequency_weights=weights)
    row = res.coefficients.set_index("covariate").loc[covariate]
    return (float(row["hazard_ratio"]), float(row["ci_lower"]), float(row["ci_upper"]),
            float(row["p_value"]))


__all__ = ["ServiceSummary", "ServiceLapseLink", "contact_flags", "rates_from_sums",
           "service_summary", "service_lapse_link", "window_rate_series", "cox_hr"]
