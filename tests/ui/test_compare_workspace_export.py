"""Compare with… is kept in workspaces and reaches the exported report (issue 17 C.18).

* Save → reopen: a second window opening the workspace shows the same comparisons (the Cockpit
  against another as-of date, Retention against a pinned filter set) and computes them.
* File ▸ Export report with the Cockpit comparing against 2025-06-30: the Summary's comparison
  columns equal :func:`memberdesk.analysis.compare.compare_as_of` computed here on the window's
  dataset for the same two dates (an independent path: the report builder recomputes from the
  options); without Compare the columns are not there. ``report --workspace`` on the saved
  workspace writes the same comparison column.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_as_of
from memberdesk.core.dataset import Filters
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow

REFERENCE = "2025-06-30"
AT = f"Compared: as of {REFERENCE}"
CHANGE = f"Change vs {REFERENCE}"


def _window(qtbot: Any) -> MainWindow:
    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def window(qtbot: Any, sample_data: Path) -> MainWindow:
    w = _window(qtbot)
    with qtbot.waitSignal(w.loaded, timeout=60_000):
        w.open_paths([str(sample_data)], user_action=False)
    return w


def _computed(qtbot: Any, panel: Any, ok: Any = lambda c: True) -> Any:
    qtbot.waitUntil(lambda: not panel.is_busy and panel.comparison is not None
                    and ok(panel.comparison), timeout=120_000)
    return panel.comparison


def _summary(path: Path) -> tuple[list[Any], list[tuple[Any, ...]]]:
    rows = list(openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Key figure")
    body = []
    for r in rows[at + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return list(rows[at]), body


def test_saved_workspace_reopens_with_its_comparisons(qtbot: Any, window: MainWindow,
                                                      tmp_path: Path) -> None:
    cockpit = window.show_page("cockpit")
    cockpit.compare.set_reference_as_of(REFERENCE)
    cockpit.compare.toggle.setChecked(True)
    retention = window.show_page("retention")
    retention.compare.toggle.setChecked(True)
    retention.compare.pin_filters()                      # the whole book is the reference
    agency = Filters(channel=("agency",))
    window.filter_bar.set_state(agency, None)
    window._apply(agency, None)
    _computed(qtbot, retention.compare, lambda c: c.current.filters == agency)
    path = window.save_workspace(tmp_path / "compare.mdesk")

    other = _window(qtbot)
    with qtbot.waitSignal(other.loaded, timeout=60_000):
        assert other.open_workspace(path)
    ck = other.pages["cockpit"].compare
    assert ck.enabled and ck.mode.currentData() == "as_of"
    assert ck.reference_as_of() == pd.Timestamp(REFERENCE)
    rt = other.pages["retention"].compare
    assert rt.enabled and rt.mode.currentData() == "filters" and rt.pinned == Filters()
    assert "persistency" not in other.workspace().compare          # it was never on there
    # each restored panel computes its comparison on the reopened data
    other.show_page("retention")
    comp = _computed(qtbot, rt, lambda c: c.current.filters == agency)
    assert comp.reference.filters == Filters()
    assert comp.reference.as_of == comp.current.as_of == other.dataset.as_of
    other.show_page("cockpit")
    comp = _computed(qtbot, ck)
    assert comp.reference.as_of == pd.Timestamp(REFERENCE)
    assert comp.current.filters == agency
    # turning Compare off is saved too
    ck.toggle.setChecked(False)
    assert set(other.workspace().compare) == {"retention"}


def test_export_report_carries_the_comparison(qtbot: Any, window: MainWindow,
                                              tmp_path: Path) -> None:
    from memberdesk.cli import main

    page = window.show_page("cockpit")
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=120_000)
    plain = tmp_path / "plain.xlsx"
    window.actions_.export_report_to(str(plain))
    qtbot.waitUntil(lambda: not window._exporter.is_busy and plain.is_file(), timeout=240_000)
    header, _ = _summary(plain)
    assert AT not in header and CHANGE not in header       # no comparison without Compare

    page.compare.set_reference_as_of(REFERENCE)
    page.compare.toggle.setChecked(True)
    out = tmp_path / "compared.xlsx"
    window.actions_.export_report_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy and out.is_file(), timeout=240_000)
    header, body = _summary(out)
    at, change, value = header.index(AT), header.index(CHANGE), header.index("Value")
    truth = compare_as_of(window.dataset, REFERENCE, sections=("kpis",)).kpis
    assert truth is not None and len(body) == len(truth) > 0
    differs = 0
    for row, kpi in zip(body, truth.itertuples(index=False), strict=True):
        if pd.isna(kpi.reference):
            assert row[at] is None
            continue
        assert row[at] == pytest.approx(kpi.reference, rel=1e-12)
        differs += row[at] != pytest.approx(row[value], rel=1e-9)
        if not pd.isna(kpi.change):
            scale = 100.0 if kpi.unit == "ratio" else 1.0    # shares: percentage points
            expected = kpi.change * scale
            if scale == 100.0 and round(expected, 1) == 0:   # shown as 0.0 pp: written as 0
                expected = 0.0                              # (the Summary's "never -0.0")
            assert row[change] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert differs >= 3         # the reference date's figures are not the current ones

    # the command line reproduces the comparison saved in the workspace
    ws = window.save_workspace(tmp_path / "w.mdesk")
    cli = tmp_path / "cli.xlsx"
    assert main(["report", "--workspace", str(ws), "-o", str(cli)]) == 0
    cli_header, cli_body = _summary(cli)
    assert [r[cli_header.index(AT)] for r in cli_body] == [r[at] for r in body]
    assert [r[cli_header.index(CHANGE)] for r in cli_body] == [r[change] for r in body]
