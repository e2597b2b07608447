"""Dashboard (issue 17 B.4: never "−0.0"): a change that shows as 0.0 — a tile's pp or % change,
a mover's pp change — has no arrow, sign or colour; the sample's 3k-10k mover (−0.001 pp) read
"−0.0" under the "+0.0;−0.0;0.0" format, and a tile down 0.04 pp read "▼ −0.0 pp"."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from memberdesk.report import sheets_dashboard as dash
from memberdesk.report.workbook import write_report


def _tile(value: float, previous: float, unit: str = "ratio") -> Any:
    return dash.Tile(id="csat", name="CSAT", value=value, previous=previous, unit=unit, good="up",
                     trend=pd.Series(dtype=float))


def test_tile_arrow_follows_the_shown_change() -> None:
    flat = _tile(0.3000, 0.3004)  # -0.04 pp: shown 0.0 pp
    assert dash.arrow_text(flat, "en") == "■ 0.0 pp" and flat.colour() == dash.NEUTRAL
    down = _tile(0.8292399601725855, 0.8318656563587958)  # -0.26 pp
    assert dash.arrow_text(down, "en") == "▼ −0.3 pp" and down.colour() == dash.BAD
    assert dash.arrow_text(_tile(1000.4, 1000.0, "count"), "en") == "■ 0.0%"  # +0.04 %
    assert dash.arrow_text(_tile(1010.0, 1000.0, "count"), "en") == "▲ +1.0%"


def test_mover_change_that_shows_zero_is_zero(tmp_path: Path, small_dataset: Any, monkeypatch: Any) -> None:
    movers = [dash.Mover("agency", 0.90, 0.88, 100), dash.Mover("bank", 0.9316319784666675,
                                                                  0.931641784146276, 120)]
    monkeypatch.setattr(dash, "_movers", lambda ctx: (movers, "2024-11"))
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx"))["Dashboard"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Segment")
    change_col = next(c for c in range(1, ws.max_column + 1)
                      if ws.cell(header, c).value == "Change (pp)")
    agency, bank = (ws.cell(rows[s], change_col) for s in ("agency", "bank"))
    assert abs(agency.value - 2.0) < 1e-9  # (0.90 - 0.88) x 100
    assert bank.value == 0 and str(bank.value) in ("0", "0.0")  # -0.001 pp: 0, not -0.001


def test_one_rule_for_the_tile_and_the_dashboard() -> None:
    """The desktop tile and the workbook's Dashboard read the same function (core.changes):
    hand values at the rounding edge of one decimal of the hundredfold."""
    from memberdesk.core import changes
    from memberdesk.ui.charts import kpi_tile

    assert dash.shows_zero is changes.shows_zero
    assert changes.shows_zero(None)
    assert changes.shows_zero(0.0004) and changes.shows_zero(-0.0004)    # 0.04: shows 0.0
    assert not changes.shows_zero(0.0006) and not changes.shows_zero(-0.0006)  # 0.06: 0.1
    assert changes.percent_shown(-0.0004) == 0.0 and str(changes.percent_shown(-0.0004)) == "0.0"
    assert changes.percent_shown(-0.0026) == -0.3                        # -0.26 pp: -0.3
    # the tile: a ratio's points, a count's relative change, the same rounding
    assert kpi_tile.shown_change(0.3000, 0.3004, "ratio") == 0.0
    assert kpi_tile.change_quality(0.3000, 0.3004, "up", "ratio") == "neutral"
    assert kpi_tile.shown_change(1000.4, 1000.0, "count") == 0.0         # +0.04 %
    assert kpi_tile.shown_change(1010.0, 1000.0, "count") == 1.0         # +1.0 %
    assert kpi_tile.change_quality(0.8292399601725855, 0.8318656563587958, "up", "ratio") == "bad"
