"""Retention page's test choice and the filter bar's study start (issue 16): the page's pure
compute function against the analysis called directly, and the filter bar's state."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.analysis.logrank import pairwise_logrank
from memberdesk.analysis.survival import km_by_segment
from memberdesk.core.dataset import Filters
from memberdesk.core.loader import load_dataset


def test_compute_retention_uses_the_chosen_test_and_the_study_start(sample_data: Path) -> None:
    from memberdesk.analysis.frames import survival_frame
    from memberdesk.ui.pages.retention import compute_retention

    ds = load_dataset([sample_data]).with_filters(Filters(study_start=pd.Timestamp("2022-01-01")))
    view = compute_retention(ds, "channel", "months", 3.0, "wilcoxon")
    assert view.km.logrank is not None and view.km.logrank.test == "wilcoxon"
    assert view.km.delayed_entry and view.km.excluded["out_of_window"] > 0
    frame = survival_frame(ds, unit="months", columns=("channel",))
    assert "entry" in frame.columns and (frame["entry"] > 0).any()
    ref = pairwise_logrank(frame["duration"], frame["event"], frame["channel"],
                           entry=frame["entry"], test="wilcoxon")
    np.testing.assert_allclose(view.pairwise["test_statistic"], ref["test_statistic"])
    direct = km_by_segment(ds, "channel", unit="months", test="wilcoxon")
    assert view.km.logrank.test_statistic == direct.logrank.test_statistic


def test_filter_bar_carries_the_study_start(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.shell.filter_bar import FilterBar

    bar = FilterBar()
    qtbot.addWidget(bar)
    start = pd.Timestamp("2023-01-01")
    bar.set_state(Filters(study_start=start), None)
    assert bar.filters().study_start == start
    bar.set_state(Filters(), None)
    assert bar.filters().study_start is None
