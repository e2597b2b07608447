"""Separation (issue 10.1): detected from the data before the fit, flagged after it, never an
overflow or a silent nonsense hazard ratio.

Truth: the monotone-likelihood property of the Cox partial likelihood (a covariate that is the
largest in every event's risk set makes every term non-decreasing in its coefficient, so the
maximum is at infinity: Bryson & Johnson 1981; R's coxph warns "coefficient may be infinite"),
worked out by hand on the small frames below.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.cox_checks import possibly_infinite
from memberdesk.core.errors import AnalysisError


def _frame(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"duration": rng.exponential(10, n).round(1),
                         "event": rng.integers(0, 2, n), "age": rng.normal(40, 8, n),
                         "channel": rng.choice(["a", "b", "c"], n)})


def test_level_without_events_is_refused_before_the_fit():
    df = _frame()
    df.loc[df["channel"] == "c", "event"] = 0  # nobody in channel c lapses: HR(c) = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        with pytest.raises(AnalysisError, match="nobody with channel=c has the event") as info:
            fit_cox(df, ["channel", "age"])
    assert info.value.column == "channel" and "did not converge" in str(info.value)


def test_reference_level_without_events_is_refused():
    df = _frame()
    ref = df["channel"].value_counts().index[0]
    df.loc[df["channel"] == ref, "event"] = 0  # every other level's HR would be infinite
    with pytest.raises(AnalysisError, match=f"nobody with channel={ref} has the event"):
        fit_cox(df, ["channel", "age"])


def test_numeric_flag_highest_at_every_event_is_refused():
    # a 0/1 numeric column: every event has flag = 1, the largest value in every risk set,
    # and some risk sets hold a 0: the likelihood grows without bound along its coefficient
    df = _frame()
    df["flag"] = (np.arange(len(df)) % 2).astype(float)
    df.loc[df["flag"] == 0, "event"] = 0
    with pytest.raises(AnalysisError, match="'flag' is at its highest") as info:
        fit_cox(df, ["flag", "age"])
    assert info.value.column == "flag"


def test_continuous_covariate_ordering_the_events_is_refused():
    # x decreasing with time and every row an event: the row that fails at each time has the
    # largest x of those still at risk (monotone likelihood)
    n = 40
    df = pd.DataFrame({"duration": np.arange(1, n + 1, dtype=float), "event": 1,
                       "x": np.linspace(10, 0, n), "z": np.tile([0.0, 1.0], n // 2)})
    with pytest.raises(AnalysisError, match="'x' is at its highest"):
        fit_cox(df, ["x", "z"])


def test_near_separation_is_a_note_not_an_error():
    # events all at x ~ 5 (tiny spread), censored rows spread out: lifelines' low-variance
    # check fires; the estimate exists (not monotone), so the fit is returned with a note
    rng = np.random.default_rng(1)
    n = 400
    event = (np.arange(n) % 3 == 0).astype(int)
    x = np.where(event == 1, 5 + rng.normal(0, 1e-4, n), rng.uniform(0, 10, n))
    df = pd.DataFrame({"duration": rng.exponential(10, n), "event": event, "x": x,
                       "age": rng.normal(40, 8, n)})
    res = fit_cox(df, ["x", "age"])
    codes = [r.code for r in res.reasons]
    assert "low_variance" in codes
    assert any("x" in dict(r.params)["columns"] for r in res.reasons if r.code == "low_variance")
    assert np.isfinite(res.coefficients["coef"]).all()


def test_r_infinite_rule_flags_the_fresh_clone_fit():
    # the fit a fresh clone produced before (issue 10.1): beta 36.6, se 5e6 on a 0/1 column
    # (standardised scale: x 0.5, i.e. beta 18.3, se 2.5e6) -> "coefficient may be infinite";
    # an ordinary fit (beta 0.3, se 0.1, converged) is not flagged
    flags = possibly_infinite(np.array([18.3, 0.3]), np.array([2.5e6, 0.1]),
                              np.array([0.0, 1e-12]))
    assert flags.tolist() == [True, False]
    # R's rule on the Newton step still left: 1e-3 left on a coefficient of 2 is not converged
    assert possibly_infinite(np.array([2.0]), np.array([0.5]), np.array([1e-3])).tolist() == [True]


def test_ordinary_fits_carry_no_separation_note():
    res = fit_cox(_frame(), ["channel", "age"])
    assert not {"low_variance", "coefficient_may_be_infinite"} & {r.code for r in res.reasons}


def test_hazard_ratios_never_overflow():
    from memberdesk.analysis.cox import _safe_exp

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _safe_exp(np.array([800.0, -800.0, 1.0]))
    assert np.isinf(out[0]) and out[1] == 0.0 and out[2] == pytest.approx(np.e)


def test_side_work_in_a_second_thread_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A big fit computes the concordance beside the PH test, its levels on two threads: the
    result, notes in their order included, is the one the same fit gives with everything in
    turn."""
    from memberdesk.analysis import cox, cox_concordance

    rng = np.random.default_rng(3)
    n = 3_000
    event = (np.arange(n) % 3 == 0).astype(int)
    x = np.where(event == 1, 5 + rng.normal(0, 1e-4, n), rng.uniform(0, 10, n))
    age = rng.normal(40, 8, n)
    age[:7] = np.nan  # a note before the low-variance one
    df = pd.DataFrame({"duration": rng.integers(1, 200, n).astype(float), "event": event,
                       "x": x, "age": age, "g": rng.choice(["a", "b", "c"], n)})
    monkeypatch.setattr(cox, "PARALLEL_ROWS", 10**12)
    monkeypatch.setattr(cox_concordance, "PARALLEL_SUBJECTS", 10**12)
    in_turn = fit_cox(df, ["x", "age", "g"])
    monkeypatch.setattr(cox, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(cox_concordance, "PARALLEL_SUBJECTS", 1)
    threaded = fit_cox(df, ["x", "age", "g"])
    assert [r.code for r in in_turn.reasons][:2] == ["missing_rows_left_out", "low_variance"]
    assert threaded.reasons == in_turn.reasons
    pd.testing.assert_frame_equal(threaded.coefficients, in_turn.coefficients, rtol=0, atol=0)
    pd.testing.assert_frame_equal(threaded.ph_test, in_turn.ph_test, rtol=0, atol=0)
    assert threaded.concordance == in_turn.concordance


@pytest.mark.parametrize("seed, last_point_is_the_answer", [(1, True), (0, False)])
def test_ph_test_reuses_the_fits_last_pieces_only_at_its_beta(
        seed: int, last_point_is_the_answer: bool) -> None:
    """The exact PH test takes the fit's pieces at the final coefficients when the fit's last
    evaluation was there (none after a last step taken without one); the table equals the one
    computed afresh."""
    from memberdesk.analysis import cox_engine
    from memberdesk.analysis.cox_zph import exact_ph_test

    rng = np.random.default_rng(seed)
    n = 2_000
    x = rng.normal(size=(n, 2))
    t = np.ceil(rng.exponential(20 * np.exp(-0.4 * x[:, 0]))).clip(1, 60)
    e = (rng.random(n) < 0.7).astype(float)
    s = cox_engine._prepare(x, t, e, np.ones(n))
    fit = cox_engine.fit_efron([s], 2)
    assert bool(fit.pieces) == last_point_is_the_answer
    if fit.pieces:
        np.testing.assert_array_equal(fit.pieces[0].score, cox_engine._pieces(s, fit.beta).score)
    times = np.asarray(s.times, dtype=float)

    def ttime(v: np.ndarray) -> np.ndarray:
        return np.searchsorted(times, v).astype(float)

    reused = exact_ph_test([s], fit.beta, ttime, 3.0, [("a", [0]), ("b", [1])], fit.pieces)
    fresh = exact_ph_test([s], fit.beta, ttime, 3.0, [("a", [0]), ("b", [1])])
    pd.testing.assert_frame_equal(reused, fresh, rtol=0, atol=0)
