"""Definitions sheet: legible on landscape A4 (few narrow wrapped columns), lineage as an
indented list with one step per line, every registered metric present."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from memberdesk.analysis.metrics import REGISTRY, get_metric, node_label
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def definitions(request, tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("defs") / "r.xlsx"
    wb = load_workbook(write_report(small_dataset, path, lang=request.param))
    from memberdesk.report import report_strings as rs

    return request.param, wb[rs.sheet_name("definitions", request.param)]  # not the long sheet


def test_definitions_fit_a_landscape_page(definitions) -> None:  # type: ignore[no-untyped-def]
    _, ws = definitions
    assert ws.max_column <= 7
    total = sum(ws.column_dimensions[chr(ord("A") + i)].width for i in range(ws.max_column))
    # A4 landscape holds ~140 characters at 100 %: at most ~25 % shrink keeps 10 pt text legible
    assert total <= 185
    assert ws.page_setup.orientation == "landscape"


def test_every_metric_with_its_lineage_steps_one_per_line(definitions, rh) -> None:  # type: ignore[no-untyped-def]
    lang, ws = definitions
    first = "Area" if lang == "en" else "主题"
    headers, rows = rh.find_table(ws, first)
    assert len(rows) == len(REGISTRY)
    names = rh.column(headers, rows, headers[1])
    # the catalogue's names, "KM" written in full for a manager (Kaplan-Meier in both languages)
    assert names == [get_metric(m).name(lang).replace("KM", "Kaplan-Meier") for m in REGISTRY]
    lineage = rows[names.index(get_metric("actual_to_expected").name(lang))][-1]
    lines = lineage.split("\n")
    steps = get_metric("actual_to_expected").lineage
    assert len(lines) == len(steps)
    assert lines[0].startswith(node_label(steps[0].node, lang) + " ← ")
    assert all(line.startswith("  ") for line in lines[1:])  # inputs indented under the metric
    # each row is tall enough for its lines (spreadsheet programs do not grow rows on open)
    r = next(i for i in range(1, ws.max_row + 1) if ws.cell(i, len(headers)).value == lineage)
    assert ws.row_dimensions[r].height >= 12 * len(lines)
