"""A manager's sweep of the sample report (helper W): the workbook written from ``sample_data/``
in both languages, read the way it prints (LibreOffice PDF looked at page by page) and cell by
cell against the same report written from a DuckDB book of the sample.

Each test names what was wrong on the printout and checks it against a truth from outside the
workbook: the analysis result, the page registry, a hand count, or a property any reader
relies on (a share is at most 100 %).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tests.report.printed import SAMPLE

pytestmark = pytest.mark.skipif(not (SAMPLE / "policies.csv").is_file(), reason="no sample_data/")


@pytest.fixture(scope="module")
def sample_dataset() -> Any:
    from memberdesk.core.loader import load_dataset

    return load_dataset([str(SAMPLE)])


@pytest.fixture(scope="module")
def books(sample_dataset: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample's report in each language, written once for this module."""
    from memberdesk.report.workbook import write_report

    folder = tmp_path_factory.mktemp("sweep")
    out = {}
    for lang in ("en", "zh_CN"):
        path = write_report(sample_dataset, folder / f"{lang}.xlsx", lang=lang)
        out[lang] = openpyxl.load_workbook(Path(path))
    return out


@pytest.fixture(scope="module")
def book_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same report written from a DuckDB book of the sample (``memberdesk import``, then
    ``duckdb:///...``), in each language."""
    import subprocess
    import sys

    from memberdesk.core.engine.book import open_book
    from memberdesk.report.workbook import write_report

    folder = tmp_path_factory.mktemp("sweep_book")
    db = folder / "book.duckdb"
    subprocess.run([sys.executable, str(SAMPLE.parent / "main.py"), "import", str(SAMPLE),
                    "-o", str(db)], check=True, capture_output=True, timeout=300)
    book = open_book([f"duckdb://{db}"])
    return {lang: openpyxl.load_workbook(Path(write_report(book, folder / f"{lang}.xlsx",
                                                          lang=lang)))
            for lang in ("en", "zh_CN")}


def tile_cell(wb: Any, kpi_id: str) -> Any:
    """The Dashboard tile's value cell of ``kpi_id`` (its defined name KPI_<id>)."""
    dests = list(wb.defined_names[f"KPI_{kpi_id}"].destinations)
    sheet, ref = dests[0]
    return wb[sheet][ref.replace("$", "")]


# ---- Dashboard ---------------------------------------------------------------------------------

# the unit word a reader needs after a duration, written out here (not the report's table)
DURATION_WORD = {("days", "en"): "days", ("days", "zh_CN"): "天",
                 ("months", "en"): "months", ("months", "zh_CN"): "个月"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_duration_tiles_print_their_unit(books: dict[str, Any], sample_dataset: Any,
                                         lang: str) -> None:
    """The median claim settlement tile printed a bare "7.0" (days? hours?): every tile of a
    KPI measured in days or months (the KPI result's unit) shows the unit beside the number."""
    from memberdesk.analysis.kpis import compute_kpis

    wb = books[lang]
    durations = [k for k in compute_kpis(sample_dataset).kpis
                 if k.unit in ("days", "months") and f"KPI_{k.id}" in wb.defined_names]
    assert durations, "the sample's dashboard shows the median claim settlement time"
    for k in durations:
        fmt = tile_cell(wb, k.id).number_format
        assert DURATION_WORD[(k.unit, lang)] in fmt, (k.id, fmt)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_tile_change_stays_on_one_line(books: dict[str, Any], lang: str) -> None:
    """The change under a tile's value ("▲ +1.5个百分点", "▼ −2.5个百分点") wrapped in its fixed
    tile: the Chinese printout read "▲ +1.5个百分" over a lone "点" on three tiles. Every
    tile's change line (the row under its value, one per KPI tile named KPI_<id>) is one line,
    shrunk to the tile when it is too wide, never wrapped."""
    wb = books[lang]
    names = [n for n in wb.defined_names if n.startswith("KPI_")]
    assert len(names) >= 8  # the sample's dashboard has 10 tiles
    for name in names:
        value = tile_cell(wb, name.removeprefix("KPI_"))
        change = value.parent.cell(value.row + 1, value.column)
        assert isinstance(change.value, str) and change.value.strip(), name
        assert not change.alignment.wrap_text and change.alignment.shrink_to_fit, \
            (name, change.value)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_tile_names_break_between_words(books: dict[str, Any], lang: str) -> None:
    """The Chinese tile "理赔结案时效中位数" printed "理赔结案时效中位" over a lone "数". Each
    tile's name (the row above its value) breaks between words or not at all in the tile's
    three columns, as LibreOffice and Excel print its font (styles' measured glyph widths)."""
    from memberdesk.report import styles

    wb = books[lang]
    names = [n.removeprefix("KPI_") for n in wb.defined_names if n.startswith("KPI_")]
    for kid in names:
        value = tile_cell(wb, kid)
        cell = value.parent.cell(value.row - 1, value.column)
        width = sum(float(value.parent.column_dimensions[get_column_letter(c)].width)
                    for c in range(value.column, value.column + 3))
        text, size = str(cell.value), float(cell.font.sz)
        for program, rooms in styles.printed_rooms(width).items():
            for room in rooms:
                breaks = styles.printed_breaks(text, room, size, bold=bool(cell.font.b),
                                               lang=lang, program=program)
                assert not styles.splits_a_word(text, breaks), (kid, text, size, program)


# ---- Charts ------------------------------------------------------------------------------------

def chart_groups(ws: Any) -> list[Any]:
    """Every chart group on ``ws``, combined groups too."""
    return [sub for top in ws._charts for sub in top._charts]


def test_every_series_without_a_line_draws_coloured_markers(books: dict[str, Any]) -> None:
    """The Alerts funnel plot showed its limits but not one segment: the points series had its
    line hidden and markers with no colour of their own, which LibreOffice draws in the hidden
    line's colour, i.e. not at all. A series drawn without a line is visible only through its
    markers, so each such series (the funnel's segments, the forest plot's hazard ratios, CI
    bounds) has a marker symbol with a solid fill."""
    points = 0
    for lang, wb in books.items():
        for ws in wb.worksheets:
            for group in chart_groups(ws):
                for s in group.series:
                    gp = s.graphicalProperties
                    if gp is None or gp.line is None or not gp.line.noFill:
                        continue
                    points += 1
                    where = (lang, ws.title, s.tx.strRef.f if s.tx and s.tx.strRef else None)
                    assert s.marker is not None and s.marker.symbol not in (None, "none"), where
                    mp = s.marker.graphicalProperties
                    assert mp is not None and mp.solidFill is not None, where
    assert points >= 2 * 4  # per language: funnel segments, hazard ratios and their CI bounds


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_funnel_plot_draws_each_segment_of_the_alarm(books: dict[str, Any], sample_dataset: Any,
                                                      lang: str) -> None:
    """The funnel plot's segment series has one point per segment of the alarmed metric in the
    alerts result's funnel table (the analysis result, not the sheet)."""
    from openpyxl.chart import ScatterChart
    from openpyxl.utils.cell import range_boundaries

    from memberdesk.analysis.alerts import compute_alerts

    result = compute_alerts(sample_dataset)
    alarmed = list(dict.fromkeys((a.metric, a.column) for a in result.active()
                                 if a.level == "alarm" and a.method != "cusum"))
    assert len(alarmed) == 1, alarmed  # the sample: monthly benefit usage by tier
    metric, column = alarmed[0]
    f = result.funnel
    segments = int(((f["metric"] == metric) & (f["column"] == column)).sum())
    counts = []
    for ws in books[lang].worksheets:
        for group in chart_groups(ws):
            if not isinstance(group, ScatterChart):
                continue
            for s in group.series:
                if s.graphicalProperties is not None and s.graphicalProperties.line.noFill:
                    _, lo, _, hi = range_boundaries(s.yVal.numRef.f.split("!")[1])
                    counts.append(hi - lo + 1)
    assert counts == [segments]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_funnel_plot_rate_axis_fits_the_segments(books: dict[str, Any], sample_dataset: Any,
                                                 lang: str) -> None:
    """The funnel's limits reach 100 % at a denominator of one, so its automatic rate axis ran
    0-100 % and the tiers' rates (2.6-11 %) sat in the bottom tenth. The axis shows every
    segment of the alarm (compute_alerts' funnel table) and the highest uses at least a third
    of its height."""
    from openpyxl.chart import ScatterChart

    from memberdesk.analysis.alerts import compute_alerts

    result = compute_alerts(sample_dataset)
    (metric, column), = {(a.metric, a.column) for a in result.active()
                         if a.level == "alarm" and a.method != "cusum"}
    f = result.funnel
    rates = f[(f["metric"] == metric) & (f["column"] == column)]["value"].astype(float)
    tops = [g.y_axis.scaling.max for ws in books[lang].worksheets for g in chart_groups(ws)
            if isinstance(g, ScatterChart) and any(
                s.graphicalProperties is not None and s.graphicalProperties.line.noFill
                for s in g.series)]
    assert len(tops) == 1 and tops[0] is not None
    assert rates.max() <= tops[0] <= 3 * rates.max()


# the chart type's name in each language, written out here
FUNNEL_WORD = {"en": "funnel", "zh_CN": "漏斗图"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_funnel_plot_title_names_the_plot_once(books: dict[str, Any], lang: str) -> None:
    """"Funnel plot: Monthly benefit usage rate by Tier, 2026-06 (funnel, exact binomial
    limits)" ("漏斗图：…（漏斗图，精确二项控制限）") said funnel twice: the title names the plot
    once and keeps its limits."""
    from openpyxl.chart import ScatterChart

    titles = [title_text(g.title) for ws in books[lang].worksheets for g in chart_groups(ws)
              if isinstance(g, ScatterChart) and any(
                  s.graphicalProperties is not None and s.graphicalProperties.line.noFill
                  for s in g.series)]
    assert len(titles) == 1
    assert titles[0].lower().count(FUNNEL_WORD[lang]) == 1, titles[0]
    assert ("binomial" if lang == "en" else "二项") in titles[0]


def title_text(title: Any) -> str:
    """The plain text of a chart or axis title (openpyxl's rich text runs)."""
    if title is None or title.tx is None or title.tx.rich is None:
        return ""
    return "".join(r.t for p in title.tx.rich.p for r in (p.r or []))


def range_values(wb: Any, formula: str) -> list[Any]:
    from openpyxl.utils.cell import range_boundaries

    sheet, cells = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    c0, r0, c1, r1 = range_boundaries(cells.replace("$", ""))
    return [ws.cell(r, c).value for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def test_percent_x_axes_stop_at_100(books: dict[str, Any]) -> None:
    """"Lapses found when calling the highest-risk policies first" ran its x axis, "Policies
    contacted (%)", on to 120: a fifth of the plot for contacting more than every policy.
    Every scatter chart whose x axis is a percentage (its title ends in "(%)") of data within
    0-100 stops the axis at 100 at most."""
    from openpyxl.chart import ScatterChart

    checked = 0
    for lang, wb in books.items():
        for ws in wb.worksheets:
            for group in chart_groups(ws):
                axis = title_text(group.x_axis.title)
                if not isinstance(group, ScatterChart) or not axis.rstrip().endswith(("(%)", "（%）")):
                    continue
                xs = [v for s in group.series if s.xVal is not None and s.xVal.numRef is not None
                      for v in range_values(wb, s.xVal.numRef.f) if isinstance(v, (int, float))]
                if not xs or not all(0 <= v <= 100 for v in xs):
                    continue
                checked += 1
                top = group.x_axis.scaling.max
                assert top is not None and top <= 100, (lang, ws.title, axis, top)
    assert checked >= 2  # the gain chart, in each language


# ---- Retention ---------------------------------------------------------------------------------

# the test's name as a reader knows it, written out here
LOGRANK_NAME = {"en": "log-rank", "zh_CN": "对数秩检验"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_logrank_table_names_the_test(books: dict[str, Any], rh: Any, lang: str) -> None:
    """The English Retention sheet's log-rank table read "Test: logrank", the analysis's code
    (the Chinese one read 对数秩检验): the test is named in words in both languages."""
    from memberdesk.core.labels import column_label
    from memberdesk.page_registry import page

    wb = books[lang]
    spec = page("retention")
    sheet = next(ws for ws in wb.worksheets
                 if ws.title.startswith(spec.title if lang == "en" else spec.title_zh))
    headers, rows = rh.find_table(sheet, column_label("test_statistic", lang))
    assert rh.column(headers, rows, column_label("test", lang)) == [LOGRANK_NAME[lang]]


# ---- Decrements --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_gray_test_headers_are_words(books: dict[str, Any], rh: Any, sample_dataset: Any,
                                     lang: str) -> None:
    """Gray's test table was headed "Cause, Statistic, df, p-value" in both editions: "df" is
    the result frame's column name, printed untranslated in the Chinese one and unlike the
    log-rank table's "Degrees of freedom" (自由度) beside it. The table's degrees of freedom
    (one row per cause of the analysis result) sit under the catalogue's label."""
    from memberdesk.analysis.competing import cumulative_incidence
    from memberdesk.core.labels import column_label
    from memberdesk.page_registry import page

    gray = cumulative_incidence(sample_dataset, by="channel").gray_frame()
    spec = page("decrements")
    ws = next(s for s in books[lang].worksheets
              if s.title.startswith(spec.title if lang == "en" else spec.title_zh))
    headers, rows = rh.find_table(ws, column_label("cause", lang), after_row=20)
    assert "df" not in headers
    assert rh.column(headers, rows, column_label("degrees_of_freedom", lang)) \
        == [int(x) for x in gray["df"]]


def decimals_shown(number_format: str) -> int:
    """Decimals a plain number format ("0.00", "#,##0.0000") shows."""
    body = number_format.split(";")[0]
    return len(body.split(".", 1)[1]) if "." in body else 0


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_life_table_hazards_keep_their_figures(books: dict[str, Any], rh: Any,
                                               sample_dataset: Any, lang: str) -> None:
    """The life table's hazard and density per month (0.0016-0.0185 on the sample) printed
    with two decimals: "0.00" and "0.01" down the column, every difference between channels
    gone. Each printed hazard and density keeps the analysis result's value within 5 %."""
    from memberdesk.analysis.lifetable import life_table_by_segment
    from memberdesk.core.labels import column_label
    from memberdesk.page_registry import page
    from memberdesk.report.sheets_retention import LIFE_TABLE_LABELS, LIFE_TABLE_MONTHS

    truth = life_table_by_segment(sample_dataset, "channel", breaks=LIFE_TABLE_MONTHS,
                                  unit="months").table
    spec = page("retention")
    ws = next(s for s in books[lang].worksheets
              if s.title.startswith(spec.title if lang == "en" else spec.title_zh))
    labels = LIFE_TABLE_LABELS[lang]
    group = labels.get("group", column_label("group", lang))
    first = next(r for r in range(1, ws.max_row + 1)
                 if ws.cell(r, 2).value == labels.get("from_month", "")
                 and ws.cell(r, 1).value == group)
    headers, rows = rh.find_table(ws, group, after_row=first)
    checked = 0
    for name in ("hazard", "density"):
        col = headers.index(labels[name]) + 1
        expected = [float(v) for v in truth[name]]
        cells = [ws.cell(first + 1 + i, col) for i in range(len(rows))]
        assert len(cells) == len(expected)
        for cell, want in zip(cells, expected):
            if want != want or want == 0:  # the open interval: no hazard
                continue
            shown = round(float(cell.value), decimals_shown(cell.number_format))
            assert abs(shown - want) <= 0.05 * want, (name, cell.coordinate, cell.number_format)
            checked += 1
    assert checked >= 40


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_blank_medians_say_why_on_paper(books: dict[str, Any], rh: Any, sample_dataset: Any,
                                        lang: str) -> None:
    """The median table printed blank medians for agency, bancassurance and broker (and a
    blank upper limit for partner platform): "not reached" was only a cell comment, which a
    printout does not show, so a manager read missing data. The lines under the table name
    every group whose median or a limit is not reached in the KM result (infinite), and no
    other; the table keeps its columns (a note column there widened the life table's below
    and printed the Chinese sheet two pages across)."""
    import math

    from memberdesk.analysis.survival import km_by_segment
    from memberdesk.core.labels import column_label, value_label
    from memberdesk.page_registry import page

    summary = km_by_segment(sample_dataset, "channel", unit="months").summary_frame()
    unreached = {str(r["group"]) for _, r in summary.iterrows()
                 if any(math.isinf(float(r[c])) for c in ("median", "median_ci_lower",
                                                          "median_ci_upper"))}
    assert unreached == {"agency", "bancassurance", "broker", "partner platform"}
    spec = page("retention")
    ws = next(s for s in books[lang].worksheets
              if s.title.startswith(spec.title if lang == "en" else spec.title_zh))
    group, median = column_label("group", lang), column_label("median", lang)
    start = next(r for r in range(1, ws.max_row + 1)
                 if ws.cell(r, 1).value == group
                 and any(ws.cell(r, c).value == median for c in range(2, 8)))
    headers, rows = rh.find_table(ws, group, after_row=start)
    assert len(headers) == 6  # group, policies, exits, median and its two limits
    after = start + len(rows) + 1
    lines = [str(ws.cell(r, 1).value) for r in range(after, after + 4)
             if isinstance(ws.cell(r, 1).value, str)]
    named = {g for g in summary["group"].astype(str)
             if any(str(value_label(g, lang)) in line for line in lines)}
    assert named == unreached, lines
    # printed with the table they explain: no page break between its header and the last line
    # (they first printed at the top of the next page, under another heading's page)
    last = max(r for r in range(after, after + 4) if isinstance(ws.cell(r, 1).value, str))
    assert not [b.id for b in ws.row_breaks.brk if start - 1 <= b.id < last]
    sheet_pr = ws.sheet_properties.pageSetUpPr
    assert sheet_pr is not None and sheet_pr.fitToPage and ws.page_setup.fitToWidth == 1


# ---- Service -----------------------------------------------------------------------------------

def row_of(ws: Any, text: str, column: int = 1) -> int:
    """The first row whose cell in ``column`` reads ``text``."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == text)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_service_rates_have_the_summary_unit(books: dict[str, Any], lang: str) -> None:
    """The Service sheet listed "Bot replacement rate 82.9% share" (占比) where the Summary
    lists the same KPI as "82.9% %": one figure, two units. Each service rate on both sheets
    (found by the registry's metric name) has the same unit, and a percentage's is "%"."""
    from memberdesk.analysis.metrics import get_metric
    from memberdesk.page_registry import page
    from memberdesk.report.sheets_service import MEASURES, SERVICE_RATES

    wb = books[lang]
    words = {"en": ("Summary", "Service", "Unit"), "zh_CN": (page("cockpit").title_zh,
                                                             "客户服务", "单位")}[lang]
    summary, sheet = wb[words[0]], wb[words[1]]
    header = _header_row(summary)
    unit_col = next(c for c in range(1, summary.max_column + 1)
                    if summary.cell(header, c).value == words[2])
    for mid in SERVICE_RATES:
        r = row_of(summary, get_metric(mid).name(lang))
        s = row_of(sheet, MEASURES[mid][3 if lang == "zh_CN" else 2])
        assert "%" in sheet.cell(s, 2).number_format
        assert sheet.cell(s, 3).value == summary.cell(r, unit_col).value == "%", mid


def _header_row(ws: Any) -> int:
    """The Summary's KPI table header row (its "Unit" column's row)."""
    return next(r for r in range(1, ws.max_row + 1)
                if any(ws.cell(r, c).value in ("Unit", "单位") for c in range(1, 10)))


# ---- the same report from files and from a database book ---------------------------------------

DATA_QUALITY = {"en": "Data quality", "zh_CN": "数据质量"}
SOURCE_LABEL = {"en": "Data read from", "zh_CN": "数据来源"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_data_quality_names_where_the_data_was_read(books: dict[str, Any],
                                                    book_books: dict[str, Any],
                                                    lang: str) -> None:
    """A report written from a DuckDB book said nowhere that it came from a database: its
    Data quality sheet listed the CSV files the book had been imported from, as the files'
    report did. Each edition names its source by name (the sample's six data files in
    sample_data, counted by hand; the book's file name), never by a path."""
    def source(wb: Any) -> str:
        ws = wb[DATA_QUALITY[lang]]
        r = row_of(ws, SOURCE_LABEL[lang])
        return str(ws.cell(r, 2).value)

    from_files, from_book = source(books[lang]), source(book_books[lang])
    assert "sample_data" in from_files and "6" in from_files
    assert "book.duckdb" in from_book and "DuckDB" in from_book
    assert "/" not in from_files + from_book


def _differences(a: Any, b: Any, *, source_sheet: str, source_label: str) -> list[str]:
    """Cells that differ between workbooks ``a`` (from files) and ``b`` (from a book), the
    generation time aside and, on ``source_sheet``, the source line's value and the lines the
    book adds after the files' last row (its own note that the stored validation was read)."""
    out = []
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        x, y = a[name], b[name]
        source_row = row_of(x, source_label) if name == source_sheet else None
        for r in range(1, max(x.max_row, y.max_row) + 1):
            if name == source_sheet and r > x.max_row:
                continue
            for c in range(1, max(x.max_column, y.max_column) + 1):
                if (r, c) == (source_row, 2):
                    continue
                u, v = x.cell(r, c).value, y.cell(r, c).value
                if isinstance(u, float) and isinstance(v, float) and abs(u - v) <= 1e-9 * max(
                        1.0, abs(u)):
                    continue
                if u != v and not (isinstance(u, str) and u.startswith(("Generated by",
                                                                          "由 MemberDesk"))):
                    out.append(f"{name}!{x.cell(r, c).coordinate}: {u!r} | {v!r}")
                cu, cv = x.cell(r, c).comment, y.cell(r, c).comment
                if (cu and cu.text) != (cv and cv.text):
                    out.append(f"{name}!{x.cell(r, c).coordinate} comment")
    return out


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_file_and_book_reports_agree_cell_by_cell(books: dict[str, Any],
                                                  book_books: dict[str, Any], lang: str) -> None:
    """Every value, label and note of the report is the same from the files and from the
    DuckDB book of them, on every sheet (the generation time aside); on Data quality only the
    source line (checked above) and the book's note that its stored validation was read may
    differ."""
    diffs = _differences(books[lang], book_books[lang], source_sheet=DATA_QUALITY[lang],
                         source_label=SOURCE_LABEL[lang])
    assert diffs == []


def test_book_messages_read_in_chinese(books: dict[str, Any],
                                       book_books: dict[str, Any]) -> None:
    """The Chinese report from the book lists the import's messages in Chinese, as the files'
    report does (已跳过（是文件夹）, not "skipped (a folder)"): the book stores each message's
    reason code and parameters, not its English text."""
    def messages(wb: Any) -> list[str]:
        ws = wb[DATA_QUALITY["zh_CN"]]
        first = row_of(ws, "信息") + 1
        return [str(ws.cell(r, 1).value) for r in range(first, ws.max_row + 1)
                if ws.cell(r, 1).value]

    from_files = messages(books["zh_CN"])
    assert messages(book_books["zh_CN"])[:len(from_files)] == from_files


# ---- Cohorts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_cohort_matrix_prints_one_page_wide(books: dict[str, Any], lang: str) -> None:
    """The Chinese Cohorts sheet kept its month columns at 5.7 units for its wider digits and
    printed at 85 % two pages across: the months 84 and 90 alone on every fourth page, under a
    cut-off title. Both editions print the matrix one page wide, and "100%" in each month
    cell's font fits its column in LibreOffice and in Excel (no "###")."""
    from memberdesk.report import styles

    ws = books[lang]["队列留存" if lang == "zh_CN" else "Cohorts"]
    header = next(r for r in range(1, 20) if ws.cell(r, 3).value == "0")
    months = [c for c in range(3, ws.max_column + 1) if str(ws.cell(header, c).value).isdigit()]
    assert len(months) == 26  # months 0-12, then every 6th to 90: 13 + 13 (the sample's 96)
    pr = ws.sheet_properties.pageSetUpPr
    assert pr is not None and pr.fitToPage and ws.page_setup.fitToWidth == 1
    # and no stub of a last page: with the smaller font in 10 pt rows the Chinese matrix
    # printed its last five cohorts alone on a fourth page
    breaks = [b.id for b in ws.row_breaks.brk]
    if len(breaks) >= 2:
        full = min(b - a for a, b in zip(breaks, breaks[1:]))
        assert ws.max_row - breaks[-1] >= full / 3, (breaks, ws.max_row)
    for c in months:
        width = float(ws.column_dimensions[get_column_letter(c)].width)
        cell = ws.cell(header + 1, c)
        for program, rooms in styles.printed_rooms(width).items():
            assert all(styles.text_fits("100%", room, float(cell.font.sz), lang=lang,
                                        program=program) for room in rooms), (c, program)


# ---- Tables ------------------------------------------------------------------------------------

def test_text_after_a_number_is_not_glued_to_it(books: dict[str, Any]) -> None:
    """A right-aligned number followed by left-aligned text printed as one string: "<0.0001
    log-rank", "0.0014 violated (p < 0.05)", "132.5 best (lowest AIC)" (issue 17 B.6 asked for
    no text inside number columns; side by side they still read as one). Every text cell whose
    left neighbour is a right-aligned number starts indented (the Summary's unit column's
    rule), in both editions."""
    glued = []
    for lang, wb in books.items():
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_col=2):
                for cell in row:
                    if not isinstance(cell.value, str) or not cell.value.strip():
                        continue
                    left = ws.cell(cell.row, cell.column - 1)
                    if not isinstance(left.value, (int, float)) or isinstance(left.value, bool) \
                            or left.alignment.horizontal != "right":
                        continue
                    a = cell.alignment
                    if a.horizontal in (None, "general", "left") and not a.indent:
                        glued.append(f"{lang} {ws.title}!{cell.coordinate} {cell.value[:20]!r}")
    assert glued == []


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_label_value_lists_align_their_values(books: dict[str, Any], lang: str) -> None:
    """The Summary's data scope printed "As-of date" with its date right-aligned far across
    the wide value column while "Channel", "none (all data)" and the generation line under it
    started at its left edge (the Drivers' model figures likewise). Each of the data scope's
    four lines (as-of date, segment, filters, generated: counted by hand) has its value
    left-aligned."""
    ws = books[lang]["Summary" if lang == "en" else "经营管理驾驶舱"]
    label = {"en": "As-of date", "zh_CN": "截至日期"}[lang]
    first = row_of(ws, label)
    for r in range(first, first + 4):
        assert ws.cell(r, 2).value is not None
        assert ws.cell(r, 2).alignment.horizontal == "left", (r, ws.cell(r, 2).value)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_messages_name_files_not_paths(books: dict[str, Any], sample_dataset: Any,
                                       lang: str) -> None:
    """Data read from a folder given as an absolute path listed its messages with that path
    ("/home/…/sample_data/README.md: skipped"): the machine's folders in a report meant for a
    board (issue 17 B.4: file names only). Each of the load's messages (the validation
    report's) appears under its file or folder name, and no message holds a path."""
    from pathlib import PurePath

    ws = books[lang][DATA_QUALITY[lang]]
    header = {"en": "Message", "zh_CN": "信息"}[lang]
    first = row_of(ws, header) + 1
    shown = [str(ws.cell(r, 1).value) for r in range(first, ws.max_row + 1)
             if ws.cell(r, 1).value]
    places = [PurePath(m.where).name for m in sample_dataset.report.messages]
    assert places and len(shown) == len(places)
    assert str(SAMPLE) in str(sample_dataset.report.messages[0])  # loaded by absolute path
    for text, place in zip(shown, places):
        assert text.startswith(place) and "/" not in text.split(" (")[0], text
