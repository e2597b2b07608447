"""Decrements sheet (issue 17 B.7): a cause with no exit yet by a duration has cumulative
incidence 0 and no informative interval — its CI cells read "—", not 0.0–0.0 %. Seen on the
sample: Maturity at 12/24/36 months."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from memberdesk.core.dataset import Dataset
from memberdesk.report.workbook import write_report


def test_no_exit_yet_has_no_interval(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    base = rh.make_dataset(600, seed=3)
    policies = base.validated["policies"].copy()
    life = (policies["end_date"] - policies["issue_date"]).dt.days
    # policies ending after 1,500 days (~49 months) mature: none before 36 months
    policies.loc[life > 1500, "status"] = "matured"
    assert (policies["status"] == "matured").sum() >= 5
    ds = Dataset(validated={**base.validated, "policies": policies}, as_of=base.as_of,
                 sources=base.sources)
    ws = load_workbook(write_report(ds, tmp_path / "r.xlsx"))["Decrements"]
    headers, rows = rh.find_table(ws, "Cause")
    cause, month = headers.index("Cause"), headers.index("Months since issue")
    low, high = headers.index("95% CI lower"), headers.index("95% CI upper")
    cif = headers.index("Cumulative incidence (%)")
    maturity = {r[month]: r for r in rows if r[cause] == "Maturity"}
    for m in (12, 24, 36):  # by hand: the first maturity is after 1,500 days
        assert maturity[m][cif] == 0 and maturity[m][low] == "—" and maturity[m][high] == "—"
    assert maturity[60][cif] > 0  # matured by 60 months: a real interval
    assert isinstance(maturity[60][low], float) and maturity[60][high] > maturity[60][cif]
    for r in rows:  # causes with exits keep numbers
        if r[cif] and r[cif] > 0:
            assert not isinstance(r[low], str) and np.isfinite(r[high])
    assert pd.notna(maturity[60][high])
