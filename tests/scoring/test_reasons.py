"""Reasons: the largest positive contributions per policy, as reason codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.scoring.cox_model import reason_labels
from memberdesk.analysis.scoring.encoder import FeatureEncoder
from memberdesk.analysis.scoring.reasons import top_reasons
from memberdesk.analysis.scoring.score import ScoringResult


def test_top_reasons_by_hand() -> None:
    enc = FeatureEncoder(numeric={"age": 40.0, "uses_3m": 0.0},
                         categorical={"channel": ("agency", "online")},
                         reference={"channel": "agency"})
    features = pd.DataFrame({"channel": ["online", "agency", "online"], "age": [30.0, 25.0, 50.0],
                             "uses_3m": [0.0, 1.0, 2.0]})
    labels = reason_labels(enc, features)
    assert labels.vocabulary == ("channel=agency", "channel=online", "age", "uses_3m")
    # features in encoder order: channel, age, uses_3m
    contrib = np.array([[0.4, 0.1, 0.25],    # online raises most, then uses_3m, then age
                        [0.0, 0.3, -0.5],    # reference channel: 0 is not a reason
                        [0.2, 0.2, -0.1]])   # a tie: the earlier feature first
    r = top_reasons(contrib, labels, "test")
    names = [[r.vocabulary[c] if c >= 0 else None for c in row] for row in r.codes]
    assert names == [["channel=online", "uses_3m", "age"], ["age", None, None],
                     ["channel=online", "age", None]]
    np.testing.assert_allclose(r.values[0], [0.4, 0.25, 0.1], rtol=1e-6)
    assert r.labels(0).tolist() == ["channel=online", "age", "channel=online"]


def test_cox_reason_values_are_the_coefficients(scored: ScoringResult) -> None:
    """A categorical reason's contribution is the level's coefficient (vs the reference)."""
    s = scored.scores.head(200)
    beta = scored.scorer.beta            # type: ignore[union-attr]
    hits = 0
    for _, row in s.iterrows():
        reason = row["reason_1"]
        if isinstance(reason, str) and "=" in reason:
            assert beta[reason] > 0       # a reason raises the risk
            hits += 1
    assert hits > 50
    # the channel of a policy whose first reason names it is the policy's own channel
    first = s[s["reason_1"].astype(str).str.startswith("channel=")]
    assert (first["reason_1"].astype(str) == "channel=" + first["channel"]).all()
    with pytest.raises(KeyError):
        beta["channel=agency"]           # the reference level has no coefficient


def test_reason_codes_in_words() -> None:
    from memberdesk.analysis.scoring.reasons import describe_reason

    assert describe_reason("channel=online") == "Channel: online"
    # the level is translated too (catalogue: online -> 互联网), the column as before
    assert describe_reason("channel=online", "zh_CN") == "渠道: 互联网"
    assert describe_reason("channel=bancassurance", "zh_CN") == "渠道: 银保"
    # a level the catalogue does not know (the user's own product name) stays as written
    assert describe_reason("product=Acme Plus", "zh_CN") == "产品: Acme Plus"
    assert describe_reason("unresolved_90d") == "Unresolved contacts, last 90 days"
    assert describe_reason(None) == "" and describe_reason(float("nan")) == ""
