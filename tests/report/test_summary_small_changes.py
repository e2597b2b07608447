"""Summary sheet (issue 17 B.4): a share's small change is written in percentage points, not
zeroed. The sample's bot replacement rate moved from 83.19% to 82.92%: the Summary read "0.0 pp"
(the change, -0.0026, was rounded to 0 at 2 decimals before being turned into pp) while the
Dashboard and the Cockpit read -0.3 pp."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook

from memberdesk.analysis import kpis as kpis_module
from memberdesk.report.workbook import write_report


@pytest.mark.parametrize("previous, change_pp", [
    (0.8318656563587958, -0.2625696),  # the sample's bot replacement rate: -0.26 pp
    (0.8282399601725855, +0.1),        # +0.1 pp: 0.001 as a share
    (0.8292899601725855, 0.0),         # -0.005 pp shows 0.0 pp: written as 0, never "-0.0"
])
def test_small_share_change_is_kept_in_pp(tmp_path: Path, small_dataset, rh, monkeypatch,  # type: ignore[no-untyped-def]
                                          previous: float, change_pp: float) -> None:
    original = kpis_module.compute_kpis

    def with_set_rate(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        kpis = tuple(dataclasses.replace(k, value=0.8292399601725855, previous=previous)
                     if k.id == "bot_replacement_rate" else k for k in result.kpis)
        return dataclasses.replace(result, kpis=kpis)

    monkeypatch.setattr(kpis_module, "compute_kpis", with_set_rate)
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx"))["Summary"]
    headers, rows = rh.find_table(ws, "Key figure")
    row = next(r for r in rows if r[0] == "Bot replacement rate")
    change = row[headers.index("Change")]
    # hand: (0.8292399601725855 - previous) * 100 percentage points
    assert change == pytest.approx(change_pp, abs=1e-6)
    if change_pp == 0.0:
        assert str(change) in ("0", "0.0")  # not -0.0 (shows "-0.0 pp")
