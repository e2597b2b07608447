"""The Cox scorer's probabilities (Efron coefficients + Breslow baseline per stratum) agree with
lifelines' CoxPHFitter fitted with the same design and strata (lifelines also estimates the
baseline by Breslow's method)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.scoring.cox_model import (
    OTHER,
    fit_cox_scorer,
    stratum_labels,
    training_frame,
)
from memberdesk.analysis.scoring.snapshot import prepare_book, take_snapshot
from memberdesk.core.dataset import Dataset
from memberdesk.sample import generate_book


@pytest.fixture(scope="module")
def small() -> Dataset:
    book = generate_book(members=2_500, seed=4)
    return Dataset(validated=book, as_of=pd.Timestamp("2026-06-30"))


def _design(model, frame: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    enc = model.encoder
    out = {}
    for col, levels in enc.categorical.items():
        for level in levels:
            if level != enc.reference[col]:
                out[f"{col}={level}"] = (frame[col].astype(str) == level).astype(float).to_numpy()
    for col in enc.numeric:
        out[col] = enc.number(frame, col)
    labels = stratum_labels(frame, model.strata_columns)
    out["stratum"] = np.where(pd.Index(model.merged).get_indexer(pd.Index(labels)) >= 0,
                              OTHER, labels)
    return pd.DataFrame(out)


def test_probabilities_match_lifelines(small: Dataset) -> None:
    lifelines = pytest.importorskip("lifelines")
    bk = prepare_book(small)
    train = [take_snapshot(bk, pd.Timestamp("2025-06-30"), 12),
             take_snapshot(bk, pd.Timestamp("2024-06-30"), 12)]
    model = fit_cox_scorer(train, max_rows=None)
    frame, time, event = training_frame(train, None, 0)
    design = _design(model, frame)
    design["T"], design["E"] = time, event
    cph = lifelines.CoxPHFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # lifelines' convergence chatter on dummy columns
        cph.fit(design, duration_col="T", event_col="E", strata=["stratum"])
    # same coefficients (both Efron)
    for name, coef in cph.params_.items():
        assert model.beta[name] == pytest.approx(coef, abs=2e-4), name
    # same probability of a lapse within 12 months for the policies in force at the as-of
    now = take_snapshot(bk, pd.Timestamp("2026-06-30"), 12, labels=False)
    x = _design(model, now.features)
    known = x["stratum"].isin(cph.baseline_cumulative_hazard_.columns)
    x = x[known]
    # lifelines returns the strata's rows grouped by stratum: align by the row labels
    surv = cph.predict_survival_function(x, times=[12.0])[x.index].to_numpy().ravel()
    ours = model.predict(now.features[known.to_numpy()])
    np.testing.assert_allclose(ours, 1.0 - surv, rtol=2e-3, atol=2e-5)
