"""Zero-event rates (issue 17 B.7): an exact upper bound instead of a blank or 0.0–0.0 %."""
from __future__ import annotations

import math

import pytest

from memberdesk.analysis.exact_bounds import clopper_pearson_upper, poisson_exact_upper
from memberdesk.analysis.experience import experience_study


def test_clopper_pearson_hand_values() -> None:
    # x = 0: 1 - (α/2)^(1/n); n = 100 at 95 %: 1 - 0.025 ** 0.01 = 0.036217...
    assert clopper_pearson_upper([0], [100])[0] == pytest.approx(1 - 0.025 ** (1 / 100))
    assert clopper_pearson_upper([0], [100])[0] == pytest.approx(0.03621669, abs=1e-7)
    # the published exact interval for 3 of 10 (Clopper & Pearson tables): upper 0.6525
    assert clopper_pearson_upper([3], [10])[0] == pytest.approx(0.6525, abs=1e-4)
    assert clopper_pearson_upper([10], [10])[0] == 1.0
    assert math.isnan(clopper_pearson_upper([0], [0])[0])


def test_poisson_exact_hand_values() -> None:
    # x = 0: -ln(0.025) / exposure = 3.68888 / exposure; x = 2: chi2(0.975; 6) / 2 = 7.2247
    assert poisson_exact_upper([0], [10.0])[0] == pytest.approx(-math.log(0.025) / 10)
    assert poisson_exact_upper([2], [1.0])[0] == pytest.approx(7.2247, abs=1e-4)


def test_zero_event_rows_carry_the_exact_bound(small_dataset, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a study on a status nobody has (death among very few) gives zero-event rows
    result = experience_study(small_dataset, target=("death",), by=("channel",))
    frame = result.to_frame()
    bounds = result.zero_event_bounds(frame)
    zero = frame[frame["actual"] == 0]
    assert len(zero) and list(bounds.index) == list(zero.index)
    expected = 1 - (0.025) ** (1 / zero["exposure"].to_numpy(dtype=float))
    assert bounds["rate_upper"].to_numpy() == pytest.approx(expected)
    assert (bounds["rate_lower"] == 0).all()
    nonzero = frame[frame["actual"] > 0]
    assert not set(nonzero.index) & set(bounds.index)


def test_sheet_shows_the_exact_bound(small_dataset) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    from memberdesk.report.layout import SheetWriter
    from memberdesk.report.sheets_experience import FORMATS, note_exact, with_exact_bounds

    result = experience_study(small_dataset, target=("death",), by=("channel",))
    frame, rows = with_exact_bounds(result, result.to_frame())
    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    ref = w.table(frame, formats=FORMATS)
    note_exact(w, ref, rows)
    raw = result.to_frame()
    assert rows and len(rows) == int((raw["actual"] == 0).sum())
    for i in range(len(raw)):
        upper = w.ws.cell(ref.first_row + i, ref.col("rate_upper"))
        lower = w.ws.cell(ref.first_row + i, ref.col("rate_lower"))
        if raw["actual"].iloc[i] == 0:  # never a dash, never 0.0-0.0: [0, exact upper]
            assert upper.value == pytest.approx(1 - 0.025 ** (1 / raw["exposure"].iloc[i]))
            assert lower.value == 0 and "Clopper-Pearson" in upper.comment.text
        else:  # rows with events keep the analysis' interval
            assert upper.value == pytest.approx(raw["rate_upper"].iloc[i])
