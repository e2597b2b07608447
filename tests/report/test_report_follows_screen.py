"""File ▸ Export report writes what the user is looking at (issue 17 A.1, A.2).

The window loads the sample book; each page's choice is changed as a user would (Retention
segment, Drivers covariates/strata, Experience expected table and split, Persistency month,
period, segment and measure); the page computes; the report is exported through the File menu's
action; every affected sheet is then compared with the page's own result object (the truth on
screen — an independent computation path from the report's builder, which refits from the
options). The command line gets the same choices from a saved workspace and gives the same
figures. Options naming columns the data lack exit 2 listing the valid ones.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
EXPECTED = SAMPLE / "expected" / "expected_lapse_rates.csv"


def _table(ws: Any, header: list[str]) -> list[dict[str, Any]]:
    """Rows of the first table whose header row starts with ``header`` (as dicts by label)."""
    rows = list(ws.iter_rows(values_only=True))
    for i, row in enumerate(rows):
        cells = [c for c in row if c is not None]
        if [str(c) for c in cells[:len(header)]] == header:
            labels = [str(c) for c in row]
            out = []
            for body in rows[i + 1:]:
                if all(c is None for c in body):
                    break
                out.append(dict(zip(labels, body)))
            return out
    raise AssertionError(f"no table with header {header} on {ws.title}")


def _wait(qtbot: Any, page: Any, ok: Any) -> None:
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None and ok(page.result),
                    timeout=120_000)


@pytest.fixture
def window(qtbot: Any) -> Any:
    if not (SAMPLE / "policies.csv").is_file():
        pytest.skip("sample_data/ is not there")
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=60_000):
        w.open_paths([str(SAMPLE)], user_action=False)
    return w


def test_export_follows_every_page_choice(qtbot: Any, window: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    w = window
    # Retention: Region instead of the default Channel
    w.show_page("retention")
    ret = w.pages["retention"]
    ret.segment.setCurrentIndex(ret.segment.findData("region"))
    _wait(qtbot, ret, lambda r: r.km.by == "region")
    # Drivers: two covariates and a strata column, not the report's default three
    w.show_page("drivers")
    drv = w.pages["drivers"]
    drv.strata.setCurrentIndex(drv.strata.findData("gender"))
    drv.set_covariates(["channel", "region"])
    _wait(qtbot, drv, lambda r: sorted(r.strata) == ["gender"]
          and set(r.coefficients["term"]) == {"channel", "region"})
    # Experience: an expected table and a split by channel
    w.show_page("experience")
    exp = w.pages["experience"]
    exp.set_expected_path(str(EXPECTED))
    from memberdesk.ui.pages.base import tick_ids

    tick_ids(exp.by, ["channel"])
    _wait(qtbot, exp, lambda r: r.has_expected and tuple(r.by) == ("channel",))
    # Persistency: 25th month, quarters, by region
    w.show_page("persistency")
    per = w.pages["persistency"]
    per.month.setCurrentIndex(per.month.findData(25))
    per.period.setCurrentIndex(per.period.findData("quarter"))
    per.segment.setCurrentIndex(per.segment.findData("region"))
    per.measure.setCurrentIndex(per.measure.findData("count"))
    _wait(qtbot, per, lambda v: v.persistency.month == 25 and v.persistency.period == "quarter"
          and v.persistency.by == "region")

    out = tmp_path / "screen.xlsx"
    w.actions_.export_report_to(str(out))
    qtbot.waitUntil(lambda: not w._exporter.is_busy and out.is_file(), timeout=240_000)
    wb = load_workbook(out, read_only=False)

    # Retention: the region curves, survival at 12..60 months exactly as on screen
    at = ret.result.km.survival_at_times
    sheet = _table(wb["Retention"], ["Group", "Months since issue", "Survival (%)"])
    assert {r["Group"] for r in sheet} == {str(g) for g in at["group"]}
    got = {(str(r["Group"]), int(r["Months since issue"])): r["Survival (%)"] for r in sheet}
    for g, t, s in zip(at["group"], at["time"], at["survival"]):
        if round(float(t)) in (12, 24, 36, 60) and s == s:
            assert got[(str(g), round(float(t)))] == pytest.approx(float(s), abs=1e-12)
    assert "by Region" in str(wb["Retention"]["A2"].value)

    # Drivers: the same model (same covariates, strata) -> the same hazard ratios
    cox = drv.result.to_frame()
    rows = _table(wb["Drivers"], ["Covariate", "Hazard ratio"])
    assert len(rows) == len(cox)
    assert sorted(r["Hazard ratio"] for r in rows) == pytest.approx(
        sorted(cox["hazard_ratio"].astype(float)), abs=1e-9)
    assert "Gender" in " ".join(str(c) for row in wb["Drivers"].iter_rows(values_only=True)
                                for c in row if c is not None)

    # Experience: A/E with the page's expected table, split by channel like the page
    res = exp.result
    text = " ".join(str(c) for row in wb["Experience"].iter_rows(values_only=True)
                    for c in row if c is not None)
    assert "No expected-rate table was given" not in text
    split = _table(wb["Experience by segment"], ["Policy year", "Channel"])  # its own sheet
    page_rows = res.rows
    assert len(split) == len(page_rows)
    sheet_ae = sorted(float(r["A/E (%)"]) for r in split if r["A/E (%)"] is not None)
    page_ae = sorted(float(v) for v in page_rows["ae"] if v == v)
    assert sheet_ae == pytest.approx(page_ae, abs=1e-12)

    # Persistency: 25th month by quarter and region, policy-count ratios as on screen
    frame = per.result.persistency.frame
    rows = _table(wb["Persistency"], ["Period", "Segment"])
    assert len(rows) == len(frame)
    sheet_ratio = sorted(float(r["Persistency, policy count (%)"]) for r in rows
                         if r["Persistency, policy count (%)"] is not None)
    page_ratio = sorted(float(v) for v in frame["ratio_count"] if v == v)
    assert sheet_ratio == pytest.approx(page_ratio, abs=1e-12)
    assert not any("13th" in str(c) for row in wb["Persistency"].iter_rows(min_row=4, values_only=True)
                   for c in row if c is not None)

    # the command line reproduces the saved view from the workspace
    ws_path = w.save_workspace(tmp_path / "view.mdesk")
    from memberdesk.cli import main

    cli_out = tmp_path / "cli.xlsx"
    assert main(["report", "--workspace", str(ws_path), "-o", str(cli_out)]) == 0
    cli = load_workbook(cli_out)
    for name, header, col in (("Drivers", ["Covariate", "Hazard ratio"], "Hazard ratio"),
                              ("Retention", ["Group", "Months since issue"], "Survival (%)"),
                              ("Persistency", ["Period", "Segment"], "Persistency, policy count (%)")):
        a = [r[col] for r in _table(wb[name], header)]
        b = [r[col] for r in _table(cli[name], header)]
        assert a == pytest.approx(b, abs=1e-12), name


def test_cli_options_are_checked_up_front(tmp_path: Path, capsys: Any) -> None:
    from memberdesk.cli import main

    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(out), "--by", "NONEXISTENT"]) == 2
    err = capsys.readouterr().err
    assert "'NONEXISTENT' is not a column" in err and "channel" in err and "region" in err
    assert not out.exists()
    assert main(["report", str(SAMPLE), "-o", str(out), "--covariates", "channel,nope"]) == 2
    assert "'nope'" in capsys.readouterr().err


def test_nested_covariate_is_dropped_with_a_note(tmp_path: Path) -> None:
    """--by product_type: product (nested in product type) would make the Cox design singular;
    the Drivers sheet leaves it out, says so, and fits the rest."""
    from openpyxl import load_workbook

    from memberdesk.cli import main

    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(out), "--by", "product_type",
                 "--covariates", "product_type,product,channel"]) == 0
    ws = load_workbook(out)["Drivers"]
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("Product is nested in Product type" in c for c in cells)
    rows = _table(ws, ["Covariate", "Hazard ratio"])
    names = {str(r["Covariate"]).split(" = ")[0] for r in rows}
    assert names == {"Product type", "Channel"}


def test_nested_covariates_by_hand() -> None:
    import pandas as pd

    from memberdesk.report.report_options import nested_covariates

    frame = pd.DataFrame({"type": ["a", "a", "b", "b"], "product": ["a1", "a2", "b1", "b1"],
                          "channel": ["x", "y", "x", "y"]})
    assert nested_covariates(frame, ["type", "channel", "product"]) == {"product": "type"}
    assert nested_covariates(frame, ["channel"], anchors=["type"]) == {}


def test_failed_section_is_a_box_and_exit_3_unless_allowed(tmp_path: Path, monkeypatch: Any,
                                                            capsys: Any) -> None:
    from openpyxl import load_workbook

    from memberdesk.cli import main
    from memberdesk.core.errors import AnalysisError
    from memberdesk.report import workbook

    def broken(ctx: Any, w: Any) -> None:
        raise AnalysisError("the model did not converge")

    monkeypatch.setitem(workbook.BUILDERS, "drivers", (broken, "what_cox"))
    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(out)]) == 3
    assert "'drivers' could not be computed" in capsys.readouterr().err
    ws = load_workbook(out)["Drivers"]
    box = ws["A5"]
    assert "could not be computed: the model did not converge" in str(box.value)
    assert box.border.left.style == "medium" and any("A5" in str(r) for r in ws.merged_cells.ranges)
    assert main(["report", str(SAMPLE), "-o", str(out), "--allow-partial"]) == 0


def test_as_of_after_the_data_is_capped_with_a_warning(tmp_path: Path, capsys: Any) -> None:
    """The sample's last date is 2026-06-30 (its README); --as-of 2027-03-31 is capped there."""
    from openpyxl import load_workbook

    from memberdesk.cli import main

    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE / "policies.csv"), "-o", str(out),
                 "--as-of", "2027-03-31"]) == 0
    err = capsys.readouterr().err
    assert "after the last date in the data (2026-06-30)" in err
    assert "2026-06-30" in str(load_workbook(out).worksheets[0]["A3"].value)
