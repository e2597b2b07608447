"""The model file: versioned JSON (never a pickle); a reloaded model scores identically; new
data must match its columns and levels, and the error says which do not."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.scoring.model_file import (
    FORMAT,
    VERSION,
    load_model,
    save_model,
    snapshot_definition,
)
from memberdesk.analysis.scoring.score import ScoringResult, run_scoring, score_saved
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError, DataError


def _roundtrip(result: ScoringResult, tmp_path: Path, dataset: Dataset) -> ScoringResult:
    path = save_model(result, tmp_path / "model.json")
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)                      # plain JSON, not a pickle
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert data["kind"] == result.model and data["horizon_months"] == result.horizon_months
    saved = load_model(path)
    return score_saved(dataset, saved.scorer, saved.validation)


def test_saved_cox_model_scores_identically(scored: ScoringResult, dataset: Dataset,
                                            tmp_path: Path) -> None:
    assert scored.model == "cox"
    again = _roundtrip(scored, tmp_path, dataset)
    np.testing.assert_array_equal(again.scores["policy_id"], scored.scores["policy_id"])
    np.testing.assert_allclose(again.scores["probability"], scored.scores["probability"],
                               rtol=1e-12, atol=0)
    for k in (1, 2, 3):
        assert again.scores[f"reason_{k}"].astype(object).equals(
            scored.scores[f"reason_{k}"].astype(object))
    assert again.validation is not None and scored.validation is not None
    assert again.validation.figures("cox") == pytest.approx(scored.validation.figures("cox"))
    data = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    enc = data["model"]["encoder"]
    assert "channel" in enc["categorical"] and enc["reference"]["channel"] == "agency"
    assert data["model"]["baseline"]                     # Breslow baseline per stratum


def test_saved_gbm_model_scores_identically(dataset: Dataset, tmp_path: Path) -> None:
    gbm = run_scoring(dataset, 6, "gbm", reason_rows=500)
    assert gbm.model == "gbm" and gbm.validation is not None
    assert gbm.validation.reason == "requested"
    again = _roundtrip(gbm, tmp_path, dataset)
    np.testing.assert_allclose(again.scores["probability"], gbm.scores["probability"],
                               rtol=1e-12, atol=0)
    # the challenger's reasons (reference substitution) exist for the top rows only
    assert gbm.scores["reason_1"].iloc[:500].notna().mean() > 0.9
    assert gbm.scores["reason_1"].iloc[500:].isna().all()
    assert gbm.reasons_method == "gbm_reference_substitution_log_odds"


def test_new_data_must_match_columns_and_levels(scored: ScoringResult, book: dict[str, pd.DataFrame],
                                                tmp_path: Path) -> None:
    path = save_model(scored, tmp_path / "model.json")
    saved = load_model(path)
    policies = book["policies"].copy()
    policies.loc[policies.index[:3], "channel"] = "telesales"
    other = Dataset(validated={**book, "policies": policies}, as_of=pd.Timestamp("2026-06-30"))
    with pytest.raises(AnalysisError, match="column 'channel' has values the model never saw: "
                                            "'telesales'"):
        score_saved(other, saved.scorer)
    members = book["members"].drop(columns=["tier"])
    no_tier = Dataset(validated={**book, "members": members}, as_of=pd.Timestamp("2026-06-30"))
    with pytest.raises(AnalysisError, match="missing columns: tier"):
        score_saved(no_tier, saved.scorer)


def test_bad_model_files_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"format": FORMAT, "version": VERSION + 1}), encoding="utf-8")
    with pytest.raises(DataError, match="version 2 is not supported"):
        load_model(p)
    p.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(DataError, match="not a MemberDesk lapse-model file"):
        load_model(p)
    p.write_bytes(b"\x80\x04pickle")
    with pytest.raises(DataError):
        load_model(p)
    p.write_text(json.dumps({"format": FORMAT, "version": 1, "kind": "cox", "model": {}}),
                 encoding="utf-8")
    with pytest.raises(DataError, match="incomplete or damaged"):
        load_model(p)
    other_bands = snapshot_definition()
    other_bands["duration_bands_months"][0][0] = 6
    p.write_text(json.dumps({"format": FORMAT, "version": 1, "kind": "cox", "model": {},
                             "snapshot": other_bands}), encoding="utf-8")
    with pytest.raises(DataError, match="banded differently"):
        load_model(p)
