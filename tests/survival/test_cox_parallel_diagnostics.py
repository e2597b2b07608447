"""On a big fit the concordance runs in a second thread beside the PH test
(``memberdesk.analysis.cox.PARALLEL_ROWS``). The threaded route must give lifelines'
concordance and the same PH test as the one-thread route, and an error (or Cancel) in the PH
test must reach the caller after the thread has finished, never hang or be lost."""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index

from memberdesk.analysis import cox as cox_module
from memberdesk.analysis.cox import fit_cox
from memberdesk.core.errors import Cancelled


def _frame(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channel = rng.choice(["agency", "bank", "online"], n, p=[0.5, 0.3, 0.2])
    age = rng.normal(45, 10, n)
    lin = 0.4 * (channel == "online") + 0.03 * (age - 45)
    t = rng.exponential(20 * np.exp(-lin))
    c = rng.uniform(1, 30, n)
    return pd.DataFrame({"duration": np.minimum(t, c), "event": (t <= c).astype(int),
                         "age": age, "channel": channel})


def test_threaded_concordance_is_lifelines_and_ph_test_unchanged(monkeypatch):
    df = _frame()
    monkeypatch.setattr(cox_module, "PARALLEL_ROWS", 10**12)
    alone = fit_cox(df, ["age", "channel"])
    seen: list[str] = []
    real = cox_module.concordance_index

    def spy(*args, **kwargs):  # records which thread computed it
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(cox_module, "concordance_index", spy)
    monkeypatch.setattr(cox_module, "PARALLEL_ROWS", 1)
    threaded = fit_cox(df, ["age", "channel"])
    assert seen and seen[0].startswith("concordance")  # it really ran in the second thread
    # the fit is lifelines' (coefficients), and the concordance lifelines'
    # concordance_index(T, -risk, E) of risk = x'beta (the independent truth)
    names = ["age", "channel=bank", "channel=online"]
    design = pd.get_dummies(df[["duration", "event", "age", "channel"]], columns=["channel"],
                            prefix_sep="=", dtype=float).drop(columns=["channel=agency"])
    cph = CoxPHFitter().fit(design, "duration", "event")
    coef = threaded.coefficients.set_index("covariate").loc[names, "coef"].to_numpy()
    np.testing.assert_allclose(coef, cph.params_[names].to_numpy(), rtol=1e-4)
    truth = concordance_index(df["duration"], -(design[names].to_numpy() @ coef), df["event"])
    assert threaded.concordance == pytest.approx(truth, abs=1e-9)
    assert threaded.concordance == alone.concordance
    pd.testing.assert_frame_equal(threaded.ph_test, alone.ph_test)


def test_an_error_in_the_ph_test_reaches_the_caller_after_the_thread(monkeypatch):
    monkeypatch.setattr(cox_module, "PARALLEL_ROWS", 1)
    finished = threading.Event()
    real = cox_module.concordance_index

    def slow(*args, **kwargs):
        out = real(*args, **kwargs)
        finished.set()
        return out

    def cancelled(*args, **kwargs):
        raise Cancelled()

    monkeypatch.setattr(cox_module, "concordance_index", slow)
    monkeypatch.setattr(cox_module, "_ph_table", cancelled)
    with pytest.raises(Cancelled):
        fit_cox(_frame(), ["age", "channel"])
    assert finished.is_set()  # the block waited for the thread before the error left it
