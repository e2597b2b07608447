"""Compare two views of the book: "what changed" (issue 17 C.18).

A comparison puts two datasets side by side — the same data at two as-of dates
(:func:`compare_as_of`) or under two filter sets (:func:`compare_filters`), or any two datasets
(:func:`compare_datasets`) — and reports, for each figure, its value in the **current** view
(the one on screen), in the **reference** view (the "Compare with…" choice) and the **change**
= current − reference. Each side is computed exactly as a single view would be (the same
analysis functions on that side's dataset), so a change is the difference of two figures a user
could read on two screens.

Sections (each a tidy frame with ``current``, ``reference``, ``change``):

* ``kpis`` — the cockpit KPIs (:func:`memberdesk.analysis.kpis.compute_kpis`) at each side's
  as-of: ``id``, ``name``, ``unit``. Rates are fractions (a change of 0.012 = 1.2 pp).
* ``retention`` — Kaplan-Meier by segment (:func:`memberdesk.analysis.survival.km_by_segment`,
  months): per ``group`` and ``measure`` — ``n`` (policies), ``events``, ``median`` (months; inf =
  not reached), ``survival_12/24/36/60`` (survival at 1/2/3/5 years; NaN beyond follow-up).
* ``persistency`` — m-th month persistency (:func:`memberdesk.analysis.persistency.persistency`)
  of each side's **latest reported period** (its label in ``current_period`` /
  ``reference_period``): per ``segment`` and ``measure`` — ``ratio_premium``, ``ratio_count``
  (fractions), ``cohort_count`` (policies).

A group present on one side only has NaN on the other and a NaN change (never a silent 0).

Notes: when one side of a section has no figures its column is NaN and
:attr:`Comparison.notes` says why, as a :class:`CompareNote` — a reason code with parameters
(the side, the section and a cause from :mod:`memberdesk.core.reasons`: ``compare_no_policies``,
``compare_no_persistency_cohort``, ``no_table``, ``compare_failed``), never an English sentence
for the presenter to translate. A note *is* its English text
(``"reference: retention: no policies to analyse …"``) for logs and JSON; the report and the
Compare panel show :meth:`CompareNote.text` in the reader's language.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Note, Reason

SECTIONS: tuple[str, ...] = ("kpis", "retention", "persistency")
KEY_MONTHS: tuple[int, ...] = (12, 24, 36, 60)
PERSISTENCY_MEASURES: tuple[str, ...] = ("ratio_premium", "ratio_count", "cohort_count")


class CompareNote(Note):
    """Why one side of a comparison's section has no figures: ``side`` (``current`` or
    ``reference``), ``section`` (one of :data:`SECTIONS`) and ``reason`` (the cause, a
    :class:`~memberdesk.core.reasons.Reason`).

    Like :class:`~memberdesk.core.reasons.Note` it *is* its English text
    (``"reference: retention: no policies to analyse (…)"``), so ``str``, logs and JSON keep
    reading it; :meth:`text` gives it in a language (``"zh_CN"``:
    ``"对比基准·留存：无可分析的保单（…）"``), and :func:`memberdesk.core.reasons.reason_text`
    does the same for a presenter. Immutable; pickles as itself.
    """

    side: str
    section: str

    def __new__(cls, side: str, section: str, reason: Reason) -> CompareNote:
        if side not in ("current", "reference") or section not in SECTIONS:
            raise ValueError(f"unknown comparison side/section {side!r}/{section!r}")
        note = str.__new__(cls, _note_text(side, section, reason, "en"))
        note.reason = reason
        note.where = ""
        note.side = side
        note.section = section
        return note

    def text(self, lang: str = "en") -> str:
        """The note in ``lang`` (``"en"`` or ``"zh_CN"``; anything else reads English)."""
        return _note_text(self.side, self.section, self.reason, lang)

    def to_json(self) -> dict[str, Any]:
        """``{"side", "section", "reason": {"code", <params>, "message"}, "message"}``."""
        return {"side": self.side, "section": self.section, "reason": self.reason.to_json(),
                "message": self.text("en")}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_compare_note, (self.side, self.section, self.reason.code,
                                dict(self.reason.params)))


def _compare_note(side: str, section: str, code: str, params: dict[str, Any]) -> CompareNote:
    return CompareNote(side, section, Reason(code, **params))


def _note_text(side: str, section: str, reason: Reason, lang: str) -> str:
    return Reason(f"compare_note_{side}", section=Reason(f"compare_section_{section}").text(lang),
                  why=reason.text(lang)).text(lang)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its as-of date, filters and a short label."""

    label: str
    as_of: pd.Timestamp
    filters: Filters


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two views side by side (see the module docstring). Sections not asked for are None.

    Attributes
    ----------
    current, reference
        The two sides (current = on screen; change = current − reference).
    kpis
        ``id, name, unit, current, reference, change``.
    retention
        ``group, measure, current, reference, change`` (months for times).
    persistency
        ``segment, measure, current, reference, change, current_period, reference_period``.
    by, month, period
        The segment column of retention/persistency, the persistency month and period kind.
    notes
        Why a side of a section has no figures, as :class:`CompareNote` (reason codes; English
        text ``"reference: retention: no policies to analyse …"``): that side's column is NaN,
        the other side's figures are kept.
    """

    current: Side
    reference: Side
    kpis: pd.DataFrame | None
    retention: pd.DataFrame | None
    persistency: pd.DataFrame | None
    by: str | None = None
    month: int = 13
    period: str = "rolling12"
    notes: tuple[CompareNote, ...] = ()

    def section(self, name: str) -> pd.DataFrame | None:
        if name not in SECTIONS:
            raise KeyError(f"unknown comparison section {name!r}; choose from {', '.join(SECTIONS)}")
        frame: pd.DataFrame | None = getattr(self, name)
        return frame

    def to_json(self) -> dict[str, object]:
        def side(s: Side) -> dict[str, object]:
            return {"label": s.label, "as_of": s.as_of.date().isoformat(),
                    "filters": s.filters.to_json()}

        def rows(frame: pd.DataFrame | None) -> list[dict[str, object]] | None:
            if frame is None:
                return None
            return [{str(k): (None if isinstance(v, float) and not np.isfinite(v) else v)
                     for k, v in r.items()} for r in frame.to_dict("records")]

        return {"current": side(self.current), "reference": side(self.reference),
                "by": self.by, "month": self.month, "period": self.period,
                "kpis": rows(self.kpis), "retention": rows(self.retention),
                "persistency": rows(self.persistency), "notes": list(self.notes),
                "note_reasons": [n.to_json() for n in self.notes]}


# ---- one side --------------------------------------------------------------------------------

def kpi_values(ds: Dataset, progress: Progress | None = None) -> pd.DataFrame:
    """``id, name, unit, value`` of every cockpit KPI at ``ds.as_of`` (NaN when undefined)."""
    from memberdesk.analysis.kpis import compute_kpis

    result = compute_kpis(ds, progress=progress)
    return pd.DataFrame({"id": [k.id for k in result.kpis], "name": [k.name for k in result.kpis],
                         "unit": [k.unit for k in result.kpis],
                         "value": [np.nan if k.value is None else float(k.value)
                                   for k in result.kpis]})


def retention_values(ds: Dataset, by: str | None = None,
                     progress: Progress | None = None) -> pd.DataFrame:
    """``group, measure, value``: n, events, median and survival at :data:`KEY_MONTHS`."""
    from memberdesk.analysis.survival import km_by_segment

    km = km_by_segment(ds, by, unit="months", times=KEY_MONTHS, progress=progress)
    rows: list[tuple[str, str, float]] = []
    at = km.survival_at_times
    for c in km.curves:
        rows += [(c.name, "n", float(c.n)), (c.name, "events", float(c.events)),
                 (c.name, "median", float(c.median))]
        part = at[at["group"] == c.name]
        for t in KEY_MONTHS:
            hit = part[np.isclose(part["time"].to_numpy(dtype=float), t)]
            value = float(hit["survival"].iloc[0]) if len(hit) else np.nan
            rows.append((c.name, f"survival_{t}", value))
    return pd.DataFrame(rows, columns=["group", "measure", "value"])


def persistency_values(ds: Dataset, *, month: int = 13, period: str = "rolling12",
                       by: str | None = None, basis: str = "status") -> pd.DataFrame:
    """``segment, measure, value, period``: each segment's latest reported period."""
    from memberdesk.analysis.persistency import persistency

    frame = persistency(ds, month=month, period=period, by=by, basis=basis).frame
    rows: list[tuple[str, str, float, str]] = []
    for segment, part in frame.groupby("segment", sort=False):
        last = part.iloc[-1]
        for m in PERSISTENCY_MEASURES:
            rows.append((str(segment), m, float(last[m]), str(last["period"])))
    return pd.DataFrame(rows, columns=["segment", "measure", "value", "period"])


def why_no_figures(ds: Dataset, exc: AnalysisError) -> Reason:
    """The reason code of a side whose analysis raised ``exc``: no policies table loaded
    (``no_table``), none issued by the side's as-of date under its filters
    (``compare_no_policies``), else ``compare_failed`` with the error's own reason (or text)."""
    try:
        policies = ds.policies
    except Exception:  # noqa: BLE001 - only choosing the words; the error itself is kept
        policies = pd.DataFrame({"_": [0]})
    if not ds.has("policies"):
        return Reason("no_table", table="policies")
    if policies is None or len(policies) == 0:
        return Reason("compare_no_policies", as_of=ds.as_of.date().isoformat())
    # the error's own reason reads in the presenter's language (a sentence stays as written)
    return Reason("compare_failed", error=exc.reason if exc.reason is not None else str(exc))


# ---- two sides -------------------------------------------------------------------------------

_EMPTY = {
    "kpis": lambda: pd.DataFrame({"id": [], "name": [], "unit": [], "value": []}),
    "retention": lambda: pd.DataFrame({"group": [], "measure": [], "value": []}),
    "persistency": lambda: pd.DataFrame({"segment": [], "measure": [], "value": [],
                                         "period": []}),
}

def _side_by_side(cur: pd.DataFrame, ref: pd.DataFrame, keys: Sequence[str],
                  carry: Sequence[str] = ()) -> pd.DataFrame:
    left = cur.rename(columns={"value": "current"})
    right = ref.rename(columns={"value": "reference"})
    extra = [c for c in carry if c in right.columns]
    right = right[[*keys, "reference", *extra]]
    merged = left.merge(right, on=list(keys), how="outer", sort=False,
                        suffixes=("", "_reference"))
    # rows in the current side's order, then those only the reference side has
    order = {k: i for i, k in enumerate(
        dict.fromkeys([*map(tuple, cur[list(keys)].to_numpy().tolist()),
                       *map(tuple, ref[list(keys)].to_numpy().tolist())]))}
    rank = [order[tuple(k)] for k in merged[list(keys)].to_numpy().tolist()]
    merged = merged.iloc[np.argsort(rank, kind="stable")]
    merged["change"] = merged["current"] - merged["reference"]
    return merged.reset_index(drop=True)


def compare_datasets(current: Dataset, reference: Dataset, *, by: str | None = None,
                     month: int = 13, period: str = "rolling12", basis: str = "status",
                     sections: Sequence[str] = SECTIONS, labels: tuple[str, str] | None = None,
                     progress: Progress | None = None) -> Comparison:
    """Compare two datasets section by section (change = current − reference).

    Parameters
    ----------
    current, reference
        The two views (usually the same data at two as-of dates or under two filter sets).
    by
        Segment column of the retention and persistency sections (None: whole book).
    month, period
        Persistency month (13, 25) and period kind (``rolling12``, ``month``, ``quarter``,
        ``year``).
    basis
        Persistency basis: ``status`` (in force) or ``collected`` (premium_payments).
    sections
        Any of :data:`SECTIONS`.
    labels
        Short labels of the two sides (default: their as-of dates).
    """
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown comparison section {unknown[0]!r}; choose from "
                         f"{', '.join(SECTIONS)}")
    prog = ensure(progress)
    if labels is None:
        labels = ((current.as_of.date().isoformat(), reference.as_of.date().isoformat())
                  if current.as_of != reference.as_of else ("current", "reference"))
    out: dict[str, pd.DataFrame | None] = {s: None for s in SECTIONS}
    notes: list[CompareNote] = []
    steps = len(sections) * 2
    done = 0
    for name in sections:
        parts = []
        for side, ds in (("current", current), ("reference", reference)):
            check_cancelled(progress)
            prog.status(f"Comparing: {name}")
            try:
                if name == "kpis":
                    values = kpi_values(ds)
                elif name == "retention":
                    values = retention_values(ds, by)
                else:
                    values = persistency_values(ds, month=month, period=period, by=by,
                                                basis=basis)
                    if values.empty:  # no cohort reached the month: say so, not blank
                        notes.append(CompareNote(side, name, Reason(
                            "compare_no_persistency_cohort", month=month,
                            as_of=ds.as_of.date().isoformat())))
                parts.append(values)
            except AnalysisError as exc:  # e.g. no policies yet at an early as-of date
                notes.append(CompareNote(side, name, why_no_figures(ds, exc)))
                parts.append(_EMPTY[name]())
            done += 1
            prog.fraction(done / steps)
        if name == "kpis":
            frame = _side_by_side(parts[0], parts[1][["id", "value"]], ["id"])
            frame = frame[["id", "name", "unit", "current", "reference", "change"]]
        elif name == "retention":
            frame = _side_by_side(parts[0], parts[1], ["group", "measure"])
        else:
            frame = _side_by_side(parts[0], parts[1], ["segment", "measure"], carry=["period"])
            frame = frame.rename(columns={"period": "current_period",
                                          "period_reference": "reference_period"})
            frame = frame[["segment", "measure", "current", "reference", "change",
                           "current_period", "reference_period"]]
        out[name] = frame
    return Comparison(Side(labels[0], current.as_of, current.filters),
                      Side(labels[1], reference.as_of, reference.filters),
                      out["kpis"], out["retention"], out["persistency"], by, month, period,
                      tuple(notes))


def compare_as_of(ds: Dataset, reference_as_of: pd.Timestamp | str, *, by: str | None = None,
                  month: int = 13, period: str = "rolling12",
                  sections: Sequence[str] = SECTIONS,
                  progress: Progress | None = None) -> Comparison:
    """The same data at ``ds.as_of`` (current) and at ``reference_as_of`` (reference)."""
    other = ds.with_as_of(pd.Timestamp(reference_as_of))
    return compare_datasets(ds, other, by=by, month=month, period=period, sections=sections,
                            progress=progress)


def compare_filters(ds: Dataset, reference_filters: Filters, *, by: str | None = None,
                    month: int = 13, period: str = "rolling12",
                    sections: Sequence[str] = SECTIONS,
                    progress: Progress | None = None) -> Comparison:
    """The same data and as-of under ``ds.filters`` (current) and ``reference_filters``."""
    return compare_datasets(ds, ds.with_filters(reference_filters), by=by, month=month,
                            period=period, sections=sections, progress=progress)
