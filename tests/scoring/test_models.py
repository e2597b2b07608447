"""The models on the sample book, whose true lapse hazard is known (the generator's):
Cox recovers the true ordering, is calibrated, and both models beat the naive baseline out
of time."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from memberdesk.analysis.scoring.cox_model import fit_cox_scorer
from memberdesk.analysis.scoring.score import ScoringResult, choose_model
from memberdesk.analysis.scoring.snapshot import prepare_book, take_snapshot
from memberdesk.analysis.scoring.validation import ModelMetrics
from memberdesk.core.dataset import Dataset
from memberdesk.sample import catalog as cat


def _true_static_log_hazard(book: dict[str, pd.DataFrame], policy_ids: np.ndarray) -> np.ndarray:
    """log of the generator's static lapse multiplier (memberdesk.sample.simulation
    ``_static_lapse_multiplier``): channel x product x exp(-0.02 (age at issue - 40)) x
    (annual premium / product median)^0.35 x tier, from the catalogue's true effects."""
    pol = book["policies"].set_index("policy_id").loc[policy_ids]
    mem = book["members"].set_index("member_id").loc[pol["member_id"]]
    product = {p.name: p for p in cat.PRODUCTS}
    channel = pol["channel"].map(cat.CHANNEL_LAPSE_MULTIPLIER).to_numpy()
    prod = pol["product"].map(lambda x: product[x].lapse_multiplier).to_numpy()
    median = pol["product"].map(lambda x: product[x].premium_median).to_numpy()
    age = ((pol["issue_date"].to_numpy() - mem["birth_date"].to_numpy())
           / np.timedelta64(1, "D") / 365.25)
    # single-premium policies carry 6 x the annual premium (memberdesk.sample.simulation)
    annual = np.where(pol["payment_frequency"] == "single", pol["annual_premium"] / 6.0,
                      pol["annual_premium"])
    tier = mem["tier"].map(dict(zip(cat.TIERS, cat.TIER_LAPSE_MULTIPLIER))).to_numpy()
    return (np.log(channel * prod * tier) + cat.AGE_LAPSE_SLOPE * (age - 40.0)
            + cat.PREMIUM_LAPSE_ELASTICITY * np.log(annual / median))


def test_cox_recovers_the_true_ordering(book: dict[str, pd.DataFrame], dataset: Dataset) -> None:
    bk = prepare_book(dataset)
    train = [take_snapshot(bk, pd.Timestamp("2025-06-30"), 12),
             take_snapshot(bk, pd.Timestamp("2024-06-30"), 12)]
    model = fit_cox_scorer(train)
    now = take_snapshot(bk, pd.Timestamp("2026-06-30"), 12, labels=False)
    lp, _ = model.linear_predictor(now.features)
    rho = spearmanr(lp, _true_static_log_hazard(book, now.policy_id)).statistic
    assert rho > 0.8
    # and the true effects' directions: online lapses more than agency, platinum less
    assert model.beta["channel=online"] > 0.3          # true log(1.6 / 0.7) = 0.83
    assert model.beta["tier=platinum"] < -0.2         # true log(0.7) = -0.36
    assert model.beta["unresolved_90d"] > 0           # bad service raises the hazard (x2.5)
    assert model.beta["uses_3m"] < 0                  # recent benefit use lowers it (x0.55)


def test_both_models_beat_the_naive_baseline_out_of_time(scored: ScoringResult) -> None:
    v = scored.validation
    assert v is not None
    base = v.metrics["baseline"]
    for kind in ("cox", "gbm"):
        m = v.metrics[kind]
        assert m.auc > base.auc + 0.01, kind
        assert m.c_index > base.c_index + 0.01, kind
        assert m.c_index_uno > base.c_index_uno + 0.01, kind
        assert m.ibs <= base.ibs, kind
    assert not [n for n in scored.notes if n.startswith("not_better_than_baseline")]


def test_cox_calibrated_within_tolerance(scored: ScoringResult) -> None:
    v = scored.validation
    assert v is not None
    cox = v.metrics["cox"]
    assert cox.ici <= v.ici_tolerance
    cal = cox.calibration
    # the book-wide expected exit probability within 10% of the observed one
    expected = float((cal["predicted"] * cal["policies"]).sum() / cal["policies"].sum())
    assert expected == pytest.approx(v.observed, rel=0.10)
    # risk deciles ordered: the top decile lapses most, the bottom least
    assert cal["observed"].iloc[0] > 2 * cal["observed"].iloc[-1]


def test_validation_cutoff_and_result_shape(scored: ScoringResult, dataset: Dataset) -> None:
    v = scored.validation
    assert v is not None
    assert v.cutoff == pd.Timestamp("2025-06-30")          # as-of minus 12 months
    assert scored.model == v.chosen and v.reason in ("higher_auc", "better_calibrated",
                                                     "higher_auc_both_outside_tolerance")
    s = scored.scores
    in_force = dataset.policies["exit_status"].eq("in_force").sum()
    assert len(s) == in_force
    assert s["probability"].is_monotonic_decreasing and s["rank"].tolist()[:3] == [1, 2, 3]
    assert s["probability"].between(0, 1).all()
    np.testing.assert_allclose(s["premium_at_risk"], s["probability"] * s["annual_premium"])
    assert (s["decile"].value_counts().max() - s["decile"].value_counts().min()) <= 1
    assert s.loc[s["decile"] == 1, "probability"].min() >= s.loc[s["decile"] == 2, "probability"].max()
    assert scored.premium_at_risk == pytest.approx(scored.deciles["premium_at_risk"].sum())
    seg = scored.segments[scored.segments["segment"] == "channel"]
    assert seg["premium_at_risk"].sum() == pytest.approx(scored.premium_at_risk)
    # every Cox reason raises the risk; codes name a feature (and level)
    assert s["reason_1"].notna().mean() > 0.95
    assert set(s["reason_1"].dropna().unique()) <= set(s["reason_1"].cat.categories)


def _metrics(auc: float, ici: float) -> ModelMetrics:
    empty = pd.DataFrame()
    return ModelMetrics(0.7, 0.7, auc, 0.1, 0.1, ici, ici, 0.2, 2.0, empty, empty)


@pytest.mark.parametrize(("cox", "gbm", "chosen", "reason"), [
    ((0.70, 0.004), (0.72, 0.004), "gbm", "higher_auc"),
    ((0.70, 0.004), (0.72, 0.030), "cox", "better_calibrated"),
    ((0.70, 0.030), (0.72, 0.030), "gbm", "higher_auc_both_outside_tolerance"),
    ((0.72, 0.004), (0.72, 0.004), "cox", "higher_auc"),   # a tie goes to the transparent model
])
def test_model_choice_rule(cox: tuple[float, float], gbm: tuple[float, float], chosen: str,
                           reason: str) -> None:
    metrics = {"cox": _metrics(*cox), "gbm": _metrics(*gbm)}
    assert choose_model(metrics, "auto", 0.01) == (chosen, reason)
    assert choose_model(metrics, "gbm", 0.01) == ("gbm", "requested")


def test_scores_at_a_past_as_of_ignore_everything_after_it(book: dict[str, pd.DataFrame],
                                                           known_at: Any) -> None:
    """End to end: scoring the full book as of 2025-12-31 gives exactly the scores of the book
    as it was loaded on that day (rows after it deleted, later endings undone)."""
    from memberdesk.analysis.scoring.score import run_scoring

    as_of = pd.Timestamp("2025-12-31")
    full = run_scoring(Dataset(validated=book, as_of=as_of), 6, "cox")
    past = run_scoring(Dataset(validated=known_at(book, as_of), as_of=as_of), 6, "cox")
    pd.testing.assert_frame_equal(full.scores, past.scores)
    assert full.validation is not None and past.validation is not None
    assert full.validation.figures("cox") == past.validation.figures("cox")
