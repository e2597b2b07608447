"""The choices a report is made with: the same ones the pages show (issue 17, point A.1).

:class:`ReportOptions` is one frozen value holding every choice a page offers that changes a
report sheet: the Retention segment and test, the Drivers covariates, strata, cluster and PH
transform, the Experience expected table, basis, period, split and weight, the Persistency
month, period, segment, basis and measure, plus the targets file and ``allow_partial``.
It is built three ways, which give the same value for the same choices:

* :meth:`ReportOptions.from_page_states` — the pages' workspace state (``page.state()``), used
  by File ▸ Export report, so the workbook shows what is on screen;
* :meth:`ReportOptions.from_workspace` — a saved ``.mdesk`` file (``report --workspace``),
  so a scheduled run reproduces a saved view exactly (its filters and as-of come with it);
* :meth:`ReportOptions.from_args` — the ``report`` command's options (``--by``,
  ``--covariates``, ``--strata``, ``--expected``, ``--persistency-month`` …), which override
  a workspace's values when both are given.

:meth:`ReportOptions.problems` checks the choices against a dataset before any analysis runs
(the command exits 2 listing the valid columns); :func:`nested_covariates` finds covariates
nested in another chosen column (product inside product type), which the Drivers sheet drops
and names instead of failing on a singular model.
"""
from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from memberdesk.core.dataset import Dataset, Filters

DEFAULT_SEGMENT = "channel"
DEFAULT_TARGET: tuple[str, ...] = ("lapsed", "surrendered")
PERSISTENCY_MONTHS: tuple[int, ...] = (13, 25)
PERSISTENCY_PERIODS: tuple[str, ...] = ("rolling12", "month", "quarter", "year")
PERSISTENCY_BASES: tuple[str, ...] = ("status", "collected")
PERSISTENCY_MEASURES: tuple[str, ...] = ("premium", "count")
EXPERIENCE_BASES: tuple[str, ...] = ("policy_year", "calendar_year")
EXPERIENCE_PERIODS: tuple[str, ...] = ("year", "quarter", "month", "week")
PH_TRANSFORMS: tuple[str, ...] = ("km", "rank", "identity", "log")
TESTS_PREFIXES: tuple[str, ...] = ("logrank", "wilcoxon", "tarone", "peto", "fh:")


@dataclass(frozen=True)
class CompareRef:
    """A sheet's comparison reference (issue 17 C.18): another as-of date or a pinned filter
    set — exactly one of them is set.

    Attributes
    ----------
    as_of
        The reference as-of date (ISO ``YYYY-MM-DD``): the same data and filters at that date.
    filters
        The reference (pinned) filters: the same data and as-of under these filters.
    """

    as_of: str | None = None
    filters: Filters | None = None

    def __post_init__(self) -> None:
        if (self.as_of is None) == (self.filters is None):
            raise ValueError("a comparison has either a reference date or a filter set")

    @classmethod
    def of_view(cls, view: Any) -> CompareRef | None:
        """The reference of a page's ``CompareView`` (None when it has none yet: no date,
        or filter mode with nothing pinned)."""
        mode = getattr(view, "mode", None)
        if mode == "as_of" and getattr(view, "reference_as_of", None) is not None:
            return cls(as_of=pd.Timestamp(view.reference_as_of).date().isoformat())
        filters = getattr(view, "reference_filters", None)
        if mode == "filters" and isinstance(filters, Filters):
            return cls(filters=filters)
        return None


@dataclass(frozen=True)
class ReportOptions:
    """Every choice behind the report's sheets (defaults = the pages' defaults).

    Attributes
    ----------
    segment
        Retention (KM) and Experience breakdown column; None = all policies.
    second_segment
        Optional second dimension (``--by channel,product_type``) for the tidy long sheet.
    retention_test
        Log-rank family test of the Retention sheet (``logrank``, ``wilcoxon``, ``fh:P,Q`` …).
    covariates
        Drivers covariates; None = the report's default choice (segment first, then the
        usual columns, at most three).
    strata, cluster, ph_transform
        Drivers model options as on the Drivers page (R ``strata()``, ``cluster()``, cox.zph
        transform).
    expected
        Path of the expected-rate table for A/E, or None.
    experience_by
        Experience split columns; None = the report segment.
    experience_target
        Termination statuses studied.
    experience_basis, experience_period
        ``policy_year``/``calendar_year`` and ``year``/``quarter``/``month``/``week``; the
        analysis basis is ``<policy|calendar>_<period>``.
    experience_weight
        Weighting column of the experience study (None = policy count).
    persistency_month
        13 or 25; None = both months (the report's default).
    persistency_period, persistency_basis, persistency_measure
        Evaluation period, ``status``/``collected`` basis and ``premium``/``count`` measure.
    persistency_segment
        Persistency breakdown column; None = the whole book.
    targets
        Path of a targets CSV (metric id, target, amber, red) for the Dashboard, or None.
    allow_partial
        Write the workbook and exit 0 even when a section could not be computed.
    compare_as_of
        The Summary's comparison date (ISO): its KPIs also at that date with the change
        (analysis.compare, issue 17 C.18); None = no comparison column. From the Cockpit's
        "Compare with…" (:meth:`with_compare`) or ``--compare-as-of DATE``.
    compare_filters
        The Summary's reference filter set (the Cockpit's pinned filters, a workspace's
        ``{mode: "filters", reference_filters: ...}``): its KPIs also under these filters, at
        the same as-of, with the change (current filters − reference,
        analysis.compare.compare_filters); None = no such comparison. Only from a workspace
        or File ▸ Export report (the command line has no filter syntax); ``--compare-as-of``
        on the command line replaces it.
    retention_compare, persistency_compare
        The Retention and Persistency sheets' own comparisons (:class:`CompareRef`), from
        those pages' "Compare with…" (or ``--compare-as-of``): each sheet gets a "what
        changed" table equal to its page's comparison table; None = none.
    """

    segment: str | None = DEFAULT_SEGMENT
    second_segment: str | None = None
    retention_test: str = "logrank"
    covariates: tuple[str, ...] | None = None
    strata: str | None = None
    cluster: str | None = None
    ph_transform: str = "km"
    expected: str | None = None
    experience_by: tuple[str, ...] | None = None
    experience_target: tuple[str, ...] = DEFAULT_TARGET
    experience_basis: str = "policy_year"
    experience_period: str = "year"
    experience_weight: str | None = None
    persistency_month: int | None = None
    persistency_period: str = "year"
    persistency_basis: str = "status"
    persistency_measure: str = "premium"
    persistency_segment: str | None = DEFAULT_SEGMENT
    targets: str | None = None
    allow_partial: bool = False
    compare_as_of: str | None = None
    compare_filters: Filters | None = None
    retention_compare: CompareRef | None = None
    persistency_compare: CompareRef | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    # ---- derived ------------------------------------------------------------------------

    @property
    def experience_full_basis(self) -> str:
        """The analysis basis: ``policy_year``, ``calendar_quarter`` …"""
        return f"{self.experience_basis.partition('_')[0]}_{self.experience_period}"

    @property
    def experience_columns(self) -> tuple[str, ...]:
        """Experience split columns (the report segment when the page chose none)."""
        if self.experience_by is not None:
            return self.experience_by
        return () if self.segment is None else (self.segment,)

    @property
    def persistency_months(self) -> tuple[int, ...]:
        return PERSISTENCY_MONTHS if self.persistency_month is None else (self.persistency_month,)

    # ---- builders -----------------------------------------------------------------------

    @classmethod
    def from_page_states(cls, states: Mapping[str, Any], *, base: ReportOptions | None = None
                         ) -> ReportOptions:
        """The options the pages show: ``states`` is ``{page_id: page.state()}`` as kept in a
        workspace (values of the wrong kind are ignored, a page without state keeps ``base``'s
        values). The Persistency page's "Whole book" and the Retention page's "All policies"
        are None."""
        opts = base or cls()
        changes: dict[str, Any] = {}
        ret = _state(states, "retention")
        if "segment" in ret:
            changes["segment"] = _opt_str(ret["segment"])
        if isinstance(ret.get("test"), str):
            changes["retention_test"] = ret["test"]
        drv = _state(states, "drivers")
        if isinstance(drv.get("covariates"), list):
            changes["covariates"] = tuple(str(c) for c in drv["covariates"] if c)
        for key in ("strata", "cluster"):
            if key in drv:
                changes[key] = _opt_str(drv[key])
        if isinstance(drv.get("ph_transform"), str):
            changes["ph_transform"] = drv["ph_transform"]
        exp = _state(states, "experience")
        if "expected" in exp:
            changes["expected"] = _opt_str(exp["expected"])
        if isinstance(exp.get("by"), list):
            changes["experience_by"] = tuple(str(c) for c in exp["by"] if c)
        if isinstance(exp.get("target"), list) and exp["target"]:
            changes["experience_target"] = tuple(str(c) for c in exp["target"])
        for key, attr in (("basis", "experience_basis"), ("period", "experience_period")):
            if isinstance(exp.get(key), str):
                changes[attr] = exp[key]
        if "weight" in exp:
            changes["experience_weight"] = _opt_str(exp["weight"])
        per = _state(states, "persistency")
        if isinstance(per.get("month"), int) and not isinstance(per.get("month"), bool):
            changes["persistency_month"] = int(per["month"])
        for key, attr in (("period", "persistency_period"), ("basis", "persistency_basis"),
                          ("measure", "persistency_measure")):
            if isinstance(per.get(key), str):
                changes[attr] = per[key]
        if "segment" in per:
            changes["persistency_segment"] = _opt_str(per["segment"])
        return replace(opts, **changes)

    @classmethod
    def from_workspace(cls, workspace: Any, *, base: ReportOptions | None = None) -> ReportOptions:
        """The options of a saved workspace (:class:`memberdesk.core.workspace.Workspace`),
        including its comparison (:meth:`with_compare`)."""
        opts = cls.from_page_states(workspace.page_state, base=base)
        return opts.with_compare(getattr(workspace, "compare", None) or {})

    def with_compare(self, views: Mapping[str, Any]) -> ReportOptions:
        """These options with the pages' "Compare with…" (issue 17 C.18): ``views`` is
        ``{page_id: CompareView}`` of the pages where it is on (a workspace's ``compare``).

        Each page's comparison reaches its own sheet: the Cockpit's the Summary
        (:attr:`compare_as_of` or :attr:`compare_filters`), the Retention page's the Retention
        sheet (:attr:`retention_compare`), the Persistency page's the Persistency sheet
        (:attr:`persistency_compare`); pages may compare different ways (one a date, another
        filters). A page comparing with no reference yet (no date, or no filter set pinned)
        is named in :attr:`notes` instead of being dropped silently, and its sheet keeps the
        options' comparison. Pages not comparing leave their sheet's comparison as it is.
        """
        notes = list(self.notes)
        changes: dict[str, Any] = {}
        for page in ("cockpit", "retention", "persistency"):
            view = views.get(page)
            if view is None:
                continue
            ref = CompareRef.of_view(view)
            if ref is None:
                notes.append(f"the comparison on the {page} page has no reference (no date "
                             "or no pinned filters) and is not in the workbook")
            elif page == "cockpit":
                changes["compare_as_of"], changes["compare_filters"] = ref.as_of, ref.filters
            else:
                changes[f"{page}_compare"] = ref
        if notes != list(self.notes):
            changes["notes"] = tuple(notes)
        return replace(self, **changes) if changes else self

    def sheet_compare(self, sheet: str) -> CompareRef | None:
        """The comparison of report sheet ``sheet`` (``summary``, ``retention``,
        ``persistency``), or None."""
        if sheet == "summary":
            if self.compare_filters is not None:
                return CompareRef(filters=self.compare_filters)
            return CompareRef(as_of=self.compare_as_of) if self.compare_as_of else None
        if sheet in ("retention", "persistency"):
            ref: CompareRef | None = getattr(self, f"{sheet}_compare")
            return ref
        raise KeyError(f"sheet {sheet!r} has no comparison; choose summary, retention or "
                       "persistency")

    def with_args(self, args: argparse.Namespace) -> ReportOptions:
        """These options overridden by the ``report`` command's options that were given."""
        changes: dict[str, Any] = {}
        by = getattr(args, "by", None)
        if by is not None:
            cols = split_list(by)
            changes["segment"] = cols[0] if cols else None
            changes["second_segment"] = cols[1] if len(cols) > 1 else None
            if getattr(args, "persistency_by", None) is None:
                changes["persistency_segment"] = cols[0] if cols else None
        for name, attr in (("covariates", "covariates"), ("experience_by", "experience_by"),
                           ("target", "experience_target")):
            value = getattr(args, name, None)
            if value is not None:
                changes[attr] = tuple(split_list(value))
        for name, attr in (("strata", "strata"), ("cluster", "cluster"),
                           ("ph_transform", "ph_transform"), ("expected", "expected"),
                           ("basis", "experience_basis"), ("period", "experience_period"),
                           ("weight", "experience_weight"), ("test", "retention_test"),
                           ("persistency_period", "persistency_period"),
                           ("persistency_basis", "persistency_basis"),
                           ("persistency_measure", "persistency_measure"),
                           ("targets", "targets"), ("compare_as_of", "compare_as_of")):
            value = getattr(args, name, None)
            if value is not None:
                changes[attr] = value or None if attr in _NULLABLE else value
        pby = getattr(args, "persistency_by", None)
        if pby is not None:
            changes["persistency_segment"] = pby or None
        month = getattr(args, "persistency_month", None)
        if month is not None:
            changes["persistency_month"] = None if str(month) == "both" else int(month)
        if getattr(args, "allow_partial", False):
            changes["allow_partial"] = True
        if changes.get("compare_as_of"):  # the command line's date replaces every sheet's
            changes["compare_filters"] = None  # comparison (a workspace's, dates or filters)
            changes["retention_compare"] = changes["persistency_compare"] = CompareRef(
                as_of=changes["compare_as_of"])
        return replace(self, **changes)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ReportOptions:
        return cls().with_args(args)

    # ---- checks -------------------------------------------------------------------------

    def problems(self, ds: Dataset) -> list[str]:
        """What is wrong with these options for ``ds``, one sentence each, naming the valid
        choices (empty when all is well). Nothing is computed."""
        out: list[str] = []
        p = ds.policies
        columns = [] if p is None else [str(c) for c in p.columns]
        segments = ds.segment_columns() if p is not None else []
        valid_segments = ", ".join(segments) or "(none)"

        def need(option: str, col: str | None, pool: Sequence[str], listing: str) -> None:
            if col is not None and col not in pool:
                out.append(f"{option} {col!r} is not a column of the policies; choose one of: "
                           f"{listing}")

        need("--by", self.segment, segments, valid_segments)
        need("--by", self.second_segment, segments, valid_segments)
        if self.persistency_segment != self.segment:  # else already named under --by
            need("--persistency-by", self.persistency_segment, segments, valid_segments)
        need("--strata", self.strata, segments, valid_segments)
        need("--cluster", self.cluster, columns, ", ".join(columns))
        for col in self.covariates or ():
            need("--covariates", col, columns, ", ".join(columns))
        for col in self.experience_by or ():
            need("--experience-by", col, columns, ", ".join(columns))
        if self.experience_weight is not None:
            need("--weight", self.experience_weight, columns, ", ".join(columns))
        if self.covariates is not None and not self.covariates:
            out.append("--covariates is empty; name at least one column")
        if self.strata is not None and self.strata in (self.covariates or ()):
            out.append(f"--strata {self.strata!r} is also a covariate; a column cannot be both")
        for value, pool, option in (
                (self.persistency_period, PERSISTENCY_PERIODS, "--persistency-period"),
                (self.persistency_basis, PERSISTENCY_BASES, "--persistency-basis"),
                (self.persistency_measure, PERSISTENCY_MEASURES, "--persistency-measure"),
                (self.experience_basis, EXPERIENCE_BASES, "--basis"),
                (self.experience_period, EXPERIENCE_PERIODS, "--period"),
                (self.ph_transform, PH_TRANSFORMS, "--ph-transform")):
            if value not in pool:
                out.append(f"{option} {value!r}: choose one of {', '.join(pool)}")
        if self.persistency_month is not None and self.persistency_month not in PERSISTENCY_MONTHS:
            out.append(f"--persistency-month {self.persistency_month}: choose 13, 25 or both")
        if not self.retention_test.startswith(TESTS_PREFIXES):
            out.append(f"--test {self.retention_test!r}: choose logrank, wilcoxon, tarone, peto "
                       "or fh:P,Q")
        if self.persistency_basis == "collected" and not ds.has("premium_payments"):
            out.append("--persistency-basis collected needs a premium_payments table")
        return out


_NULLABLE = {"strata", "cluster", "expected", "experience_weight", "targets"}


def split_list(text: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in str(text).split(",") if part.strip()]


def nested_covariates(frame: pd.DataFrame, columns: Sequence[str],
                      anchors: Sequence[str] = ()) -> dict[str, str]:
    """Columns of ``columns`` nested in an earlier column or an anchor (each of their levels
    lies inside one level of the other, as product inside product type): ``{nested: outer}``.

    A nested column and its outer column together make the Cox design singular (the outer
    column's indicators are sums of the nested one's); the first of them in ``anchors`` then
    ``columns`` order is kept. Missing values count as a level of their own.
    """
    kept: list[str] = [c for c in anchors if c in frame.columns]
    out: dict[str, str] = {}
    for col in columns:
        if col not in frame.columns or col in kept:
            continue
        outer = next((k for k in kept if _nested(frame, col, k)), None)
        if outer is None:
            kept.append(col)
        else:
            out[col] = outer
    return out


def _nested(frame: pd.DataFrame, inner: str, outer: str) -> bool:
    """True when every level of ``inner`` sits in one level of ``outer`` or vice versa
    (then one column is a function of the other)."""
    pair = frame[[inner, outer]].astype("string").fillna("\x00missing")
    if pair[outer].nunique() < 2 or pair[inner].nunique() < 2:
        return False
    a = bool((pair.groupby(inner, observed=True)[outer].nunique() <= 1).all())
    b = bool((pair.groupby(outer, observed=True)[inner].nunique() <= 1).all())
    return a or b


def _state(states: Mapping[str, Any], page: str) -> dict[str, Any]:
    value = states.get(page) if isinstance(states, Mapping) else None
    return dict(value) if isinstance(value, Mapping) else {}


def _opt_str(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


__all__ = ["CompareRef", "ReportOptions", "nested_covariates", "split_list"]
