"""Who to call: lapse-risk scores of the in-force book at the as-of date, validated out of time.

Pipeline (:func:`run_scoring`), with t = the as-of date and h the horizon in months:

1. **Out-of-time validation.** Cut-off c = t - h. Both models (Cox, GBM challenger) and the
   naive baseline are fitted on the snapshots at c - h and c - 2h, whose label windows end by
   c, so nothing after c is seen; they are evaluated on the snapshot at c against what
   happened in (c, t] (:mod:`.validation`).
2. **Model choice** (``model="auto"``): the higher time-dependent AUC wins unless its ICI
   exceeds the tolerance max(``ICI_TOLERANCE_ABS``, ``ICI_TOLERANCE_REL`` x observed exit
   probability) while the other's does not. The result states why as a reason code:
   ``higher_auc``, ``better_calibrated`` (the higher-AUC model was outside the tolerance),
   ``higher_auc_both_outside_tolerance`` or ``requested`` (``--model cox|gbm``).
3. **Refit** of the chosen model on the snapshots at t - h and t - 2h (the latest fully
   observed windows) and **scoring** of the snapshot at t: probability of a voluntary exit
   within h, expected premium at risk = probability x annual premium (currency per year),
   risk decile (1 = the highest 10%), rank, top three reasons (:mod:`.reasons`).

Training rows are capped at ``max_train_rows`` (a uniform sample with a fixed seed) so a
million-policy book fits in seconds; validation and scoring use every policy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.scoring.baseline import NaiveScorer, fit_naive
from memberdesk.analysis.scoring.cox_model import CoxScorer, fit_cox_scorer
from memberdesk.analysis.scoring.encoder import Mismatch
from memberdesk.analysis.scoring.gbm_model import GbmScorer, _shape, fit_gbm_scorer
from memberdesk.analysis.scoring.reasons import Reasons
from memberdesk.analysis.scoring.snapshot import HORIZONS, BookArrays, Snapshot, prepare_book, take_snapshot
from memberdesk.analysis.scoring.validation import (
    DECILES,
    ModelMetrics,
    brier_grid,
    evaluate,
    km_exit_probability,
    risk_deciles,
)
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, SubProgress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

Scorer = CoxScorer | GbmScorer
MODELS: tuple[str, ...] = ("auto", "cox", "gbm")
ICI_TOLERANCE_ABS = 0.005
ICI_TOLERANCE_REL = 0.2
JSON_METRICS: tuple[str, ...] = ("c_index", "c_index_uno", "auc", "brier", "ibs", "ici",
                                 "top_decile_capture", "top_decile_lift")
LIST_COLUMNS: tuple[str, ...] = ("policy_id", "product", "channel", "payment_frequency",
                                 "duration_months", "annual_premium", "probability",
                                 "premium_at_risk", "decile", "rank")
SEGMENT_COLUMNS: tuple[str, ...] = ("channel", "product", "payment_frequency", "tier")


@dataclass(frozen=True, eq=False)
class Validation:
    """Out-of-time figures: ``metrics`` per model (``cox``, ``gbm``, ``baseline``)."""

    cutoff: pd.Timestamp
    horizon_months: int
    metrics: dict[str, ModelMetrics]
    chosen: str
    reason: str
    ici_tolerance: float
    observed: float           # KM probability of a voluntary exit within h in the window
    policies: int
    events: int

    def figures(self, model: str) -> dict[str, float]:
        m = self.metrics[model]
        return {k: float(getattr(m, k)) for k in JSON_METRICS}

    def to_json(self) -> dict[str, Any]:
        """docs/cli.md ``validation`` object (the chosen model's figures, ``baseline``), plus the
        reason code, the tolerance and every model's figures and calibration."""
        out: dict[str, Any] = {"cutoff": self.cutoff.date().isoformat()}
        out.update(self.figures(self.chosen))
        out["baseline"] = self.figures("baseline")
        out.update({"chosen_reason": self.reason, "ici_tolerance": self.ici_tolerance,
                    "observed_exit_probability": self.observed, "policies": self.policies,
                    "events": self.events,
                    "models": {k: m.to_json() for k, m in self.metrics.items()}})
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], chosen: str, horizon: int) -> Validation:
        return cls(cutoff=pd.Timestamp(data["cutoff"]), horizon_months=horizon,
                   metrics={k: ModelMetrics.from_json(v) for k, v in data["models"].items()},
                   chosen=chosen, reason=str(data["chosen_reason"]),
                   ici_tolerance=float(data["ici_tolerance"]),
                   observed=float(data["observed_exit_probability"]),
                   policies=int(data["policies"]), events=int(data["events"]))


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """Scores of the policies in force at ``as_of``.

    ``scores``: one row per policy, ranked (rank 1 = highest probability), columns
    :data:`LIST_COLUMNS` plus ``reason_1..3`` (reason codes); no personal data. ``personal``:
    the personal columns (member id, name, birth date) of the same rows, for a call list
    exported with the personal-data choice only. ``deciles``/``segments``: premium at risk
    by risk decile and by segment. ``notes``: reason codes (``new_levels``,
    ``not_better_than_baseline:<model>``)."""

    as_of: pd.Timestamp
    horizon_months: int
    model: str
    validation: Validation | None
    scores: pd.DataFrame
    deciles: pd.DataFrame
    segments: pd.DataFrame
    personal: pd.DataFrame
    scorer: Scorer
    reasons_method: str
    notes: tuple[str, ...] = ()
    mismatch: Mismatch = field(default_factory=Mismatch)

    @property
    def premium_at_risk(self) -> float:
        return float(self.scores["premium_at_risk"].sum())

    def call_list(self, top: int | None = None, *, include_personal: bool = False) -> pd.DataFrame:
        """The ranked call list (``top`` rows): policy id, product, channel, probability,
        premium at risk, reasons; personal columns only when asked."""
        frame = self.scores if top is None else self.scores.iloc[:top]
        cols = ["rank", "policy_id", "product", "channel", "probability", "premium_at_risk",
                "decile", "reason_1", "reason_2", "reason_3"]
        out = frame[[c for c in cols if c in frame.columns]].copy()
        if include_personal and not self.personal.empty:
            extra = self.personal.iloc[: len(out)].reset_index(drop=True)
            out = pd.concat([out.reset_index(drop=True), extra], axis=1)
        return out

    def to_json(self, top: int | None = None) -> dict[str, Any]:
        """docs/cli.md ``score --json`` object (``call_list`` added when ``top`` is given)."""
        out: dict[str, Any] = {
            "as_of": self.as_of.date().isoformat(), "horizon_months": self.horizon_months,
            "model": self.model,
            "validation": None if self.validation is None else self.validation.to_json(),
            "scored": int(len(self.scores)), "premium_at_risk": self.premium_at_risk,
            "deciles": self.deciles.to_dict(orient="records"),
            "reasons_method": self.reasons_method, "notes": list(self.notes)}
        if top is not None:
            rows = self.call_list(top)
            rows = rows.astype({c: object for c in ("reason_1", "reason_2", "reason_3")
                                if c in rows})
            out["call_list"] = rows.to_dict(orient="records")  # NaN: null in the JSON printer
        return out


def choose_model(metrics: dict[str, ModelMetrics], requested: str,
                 tolerance: float) -> tuple[str, str]:
    """(chosen model, reason code); see the module docstring. A tie in AUC goes to Cox (the
    transparent model)."""
    if requested in ("cox", "gbm"):
        return requested, "requested"
    ranked = sorted(("cox", "gbm"), key=lambda k: -np.nan_to_num(metrics[k].auc, nan=-1.0))
    best, other = ranked
    ok = {k: bool(metrics[k].ici <= tolerance) for k in ranked}
    if ok[best]:
        return best, "higher_auc"
    if ok[other]:
        return other, "better_calibrated"
    return best, "higher_auc_both_outside_tolerance"


def _months_before(t: pd.Timestamp, months: int) -> pd.Timestamp:
    return pd.Timestamp(t) - pd.DateOffset(months=months)


def _labelled(book: BookArrays, cutoffs: list[pd.Timestamp], h: int) -> list[Snapshot]:
    out = []
    for c in cutoffs:
        try:
            s = take_snapshot(book, c, h)
        except AnalysisError:
            continue  # no policy in force yet at that date
        if s.observed and s.event is not None and s.event.sum() > 0:
            out.append(s)
    return out


def _fit(kind: str, snaps: list[Snapshot], max_rows: int | None) -> Scorer:
    return fit_cox_scorer(snaps, max_rows=max_rows) if kind == "cox" else \
        fit_gbm_scorer(snaps, max_rows=max_rows)


def _curve(model: Scorer | NaiveScorer, features: pd.DataFrame, h: int) -> np.ndarray:
    grid = brier_grid(h)
    if isinstance(model, CoxScorer):
        return np.asarray(1.0 - np.exp(-model.cumulative_hazard(features, grid)), dtype=float)
    p = model.predict(features)
    fracs = np.interp(grid, model.shape[0], model.shape[1], left=0.0)
    return np.asarray(1.0 - (1.0 - p[:, None]) ** fracs[None, :], dtype=float)


def validate_models(book: BookArrays, as_of: pd.Timestamp, horizon: int, requested: str, *,
                    max_train_rows: int | None = 200_000, progress: Progress | None = None
                    ) -> tuple[Validation, list[Snapshot]]:
    """Step 1-2 of the module docstring. Returns the validation and the snapshots at
    t - h and t - 2h (the final model's training data)."""
    prog = ensure(progress)
    h = horizon
    cutoff = _months_before(as_of, h)
    prog.status("Building point-in-time snapshots")
    train = _labelled(book, [_months_before(cutoff, h), _months_before(cutoff, 2 * h)], h)
    test = _labelled(book, [cutoff], h)
    if not train or not test:
        raise AnalysisError(Reason("scoring_too_little_history", horizon=h, months=3 * h,
                                   first=str(_months_before(cutoff, h).date())))
    snap = test[0]
    assert snap.time is not None and snap.event is not None
    check_cancelled(progress)
    models: dict[str, Scorer | NaiveScorer] = {}
    for i, kind in enumerate(("cox", "gbm")):
        prog.status(f"Fitting the {kind} model for validation")
        models[kind] = _fit(kind, train, max_train_rows)
        prog.fraction(0.15 + 0.2 * i)
        check_cancelled(progress)
    time = np.concatenate([s.time for s in train if s.time is not None])
    event = np.concatenate([s.event for s in train if s.event is not None])
    models["baseline"] = fit_naive(train, _shape(time, event, h))
    prog.status("Validating out of time")
    metrics = {}
    for k, m in models.items():
        curve = _curve(m, snap.features, h)     # its last column is the probability within h
        metrics[k] = evaluate(snap.time, snap.event, curve[:, -1], curve, float(h))
    observed = km_exit_probability(snap.time, snap.event, float(h))
    tolerance = max(ICI_TOLERANCE_ABS, ICI_TOLERANCE_REL * observed)
    chosen, reason = choose_model(metrics, requested, tolerance)
    validation = Validation(cutoff=snap.cutoff, horizon_months=h, metrics=metrics, chosen=chosen,
                            reason=reason, ici_tolerance=tolerance, observed=observed,
                            policies=snap.n, events=int(snap.event.sum()))
    return validation, [snap, *[s for s in train if s.cutoff == _months_before(cutoff, h)]]


def run_scoring(ds: Dataset, horizon: int = 12, model: str = "auto", *,
                max_train_rows: int | None = 200_000, reason_rows: int = 100_000,
                progress: Progress | None = None) -> ScoringResult:
    """Validate, choose, refit and score (module docstring).

    Parameters
    ----------
    horizon
        Months ahead: 3, 6 or 12.
    model
        ``auto`` (validation decides), ``cox`` or ``gbm``.
    reason_rows
        The GBM's reasons are computed for this many highest-risk policies (Cox: all).
    """
    if horizon not in HORIZONS:
        raise AnalysisError(f"horizon must be one of {', '.join(map(str, HORIZONS))} months")
    if model not in MODELS:
        raise AnalysisError(f"model must be one of {', '.join(MODELS)}")
    with single_threaded():
        return _run_scoring(ds, horizon, model, max_train_rows, reason_rows, progress)


def single_threaded() -> Any:
    """BLAS and OpenMP limited to one thread: the Cox information matrix is built from small
    row blocks and the trees are small, where extra threads only contend (measured on the
    shared 2-core machine: a 150k-row Cox fit 22 s with 2 BLAS threads, 6 s with one)."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    return threadpool_limits(limits=1)


def _run_scoring(ds: Dataset, horizon: int, model: str, max_train_rows: int | None,
                 reason_rows: int, progress: Progress | None) -> ScoringResult:
    book = prepare_book(ds)
    as_of = ds.as_of.normalize()
    validation, final_train = validate_models(book, as_of, horizon, model,
                                              max_train_rows=max_train_rows,
                                              progress=SubProgress(progress, 0.0, 0.7))
    prog = ensure(progress)
    prog.status("Fitting the chosen model on the latest windows")
    scorer = _fit(validation.chosen, final_train, max_train_rows)
    check_cancelled(progress)
    prog.fraction(0.85)
    prog.status("Scoring the book")
    result = score_book(book, as_of, scorer, validation, allow_new_levels=True,
                        reason_rows=reason_rows)
    notes = list(result.notes) + [f"not_better_than_baseline:{k}" for k in ("cox", "gbm")
                                  if not _beats(validation, k)]
    prog.fraction(1.0)
    return ScoringResult(**{**result.__dict__, "notes": tuple(notes)})


def score_saved(ds: Dataset, scorer: Scorer, validation: Validation | None = None, *,
                reason_rows: int = 100_000) -> ScoringResult:
    """Score ``ds`` at its as-of date with a saved model: its columns and levels must match
    the model's (an :class:`AnalysisError` names those that do not)."""
    with single_threaded():
        return score_book(prepare_book(ds), ds.as_of.normalize(), scorer, validation,
                          allow_new_levels=False, reason_rows=reason_rows)


def _beats(v: Validation, kind: str) -> bool:
    m, b = v.metrics[kind], v.metrics["baseline"]
    return bool(m.auc > b.auc and m.c_index > b.c_index)


def score_book(book: BookArrays, as_of: pd.Timestamp, scorer: Scorer,
               validation: Validation | None, *, allow_new_levels: bool,
               reason_rows: int = 100_000) -> ScoringResult:
    """Score the policies in force at ``as_of`` with a fitted (or loaded) model. Columns and
    levels are checked against the model's encoder: a missing column always fails; an unseen
    level fails unless ``allow_new_levels`` (then scored as the reference level, noted)."""
    snap = take_snapshot(book, as_of, scorer.horizon_months, labels=False)
    mismatch = scorer.encoder.require(snap.features, allow_new_levels=allow_new_levels)
    if isinstance(scorer, GbmScorer):
        prob = scorer.predict(snap.features)
        order = np.argsort(-prob, kind="stable")
        reasons = scorer.reasons(snap.features, order[:reason_rows])
    else:
        prob, reasons = scorer.predict_with_reasons(snap.features)
        order = np.argsort(-prob, kind="stable")
    scores = _score_frame(snap, prob, reasons, order)
    personal = pd.DataFrame({c: v[snap.rows[order]] for c, v in book.personal.items()})
    return ScoringResult(
        as_of=as_of, horizon_months=scorer.horizon_months, model=scorer.kind,
        validation=validation, scores=scores, deciles=_decile_table(scores),
        segments=_segment_table(scores, snap.features, order),
        personal=personal, scorer=scorer, reasons_method=reasons.method,
        notes=("new_levels",) if not mismatch.ok else (), mismatch=mismatch)


def _score_frame(snap: Snapshot, prob: np.ndarray, reasons: Reasons,
                 order: np.ndarray) -> pd.DataFrame:
    f = snap.features
    dec = risk_deciles(prob)
    cols: dict[str, Any] = {"policy_id": snap.policy_id[order]}
    for c in ("product", "channel", "payment_frequency"):
        if c in f.columns:
            cols[c] = f[c].to_numpy()[order]
    cols["duration_months"] = f["duration_months"].to_numpy()[order]
    cols["annual_premium"] = snap.premium[order]
    cols["probability"] = prob[order]
    cols["premium_at_risk"] = prob[order] * snap.premium[order]
    cols["decile"] = dec[order]
    cols["rank"] = np.arange(1, order.size + 1)
    ordered = reasons.take(order)
    for k in range(3):
        cols[f"reason_{k + 1}"] = ordered.labels(k)
    return pd.DataFrame(cols)


def _decile_table(scores: pd.DataFrame) -> pd.DataFrame:
    g = scores.groupby("decile", sort=True)
    out = pd.DataFrame({
        "decile": np.arange(1, DECILES + 1)})
    agg = pd.DataFrame({"policies": g.size(), "mean_probability": g["probability"].mean(),
                        "expected_lapses": g["probability"].sum(),
                        "premium": g["annual_premium"].sum(),
                        "premium_at_risk": g["premium_at_risk"].sum()})
    out = out.merge(agg, left_on="decile", right_index=True, how="left").fillna(0.0)
    out["policies"] = out["policies"].astype(int)
    return out


def _segment_table(scores: pd.DataFrame, features: pd.DataFrame,
                   order: np.ndarray) -> pd.DataFrame:
    """Premium at risk by each segment column (``features`` in snapshot order, ``order`` its
    rows in the ranked order of ``scores``)."""
    rows = []
    for col in SEGMENT_COLUMNS:
        if col not in features.columns:
            continue
        key = features[col].to_numpy()[order]
        g = pd.DataFrame({"level": key, "p": scores["probability"].to_numpy(),
                          "prem": scores["annual_premium"].to_numpy(),
                          "par": scores["premium_at_risk"].to_numpy()}).groupby("level")
        part = pd.DataFrame({"policies": g.size(), "mean_probability": g["p"].mean(),
                             "premium": g["prem"].sum(), "premium_at_risk": g["par"].sum()})
        part = part.sort_values("premium_at_risk", ascending=False).reset_index()
        part.insert(0, "segment", col)
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["segment", "level", "policies", "mean_probability",
                                     "premium", "premium_at_risk"])
    return pd.concat(rows, ignore_index=True)
