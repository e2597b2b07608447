"""Native Excel charts over cell ranges the sheet has written (openpyxl.chart).

Charts reference the workbook's own cells, so a manager who filters or edits the table sees
the chart follow, and nothing is pasted as a picture.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.data_source import NumData, NumVal, StrData, StrVal
from openpyxl.chart.legend import LegendEntry
from openpyxl.drawing.line import LineProperties
from openpyxl.utils.datetime import to_excel

from memberdesk.report import styles
from memberdesk.report.layout import TableRef

PALETTE: tuple[str, ...] = ("1F3864", "C00000", "2E75B6", "ED7D31", "70AD47", "7030A0",
                            "FFC000", "5B9BD5", "A5A5A5", "264478")


def _axes(chart: ScatterChart | LineChart | BarChart, *, title: str, x_title: str,
          y_title: str, y_format: str | None) -> None:
    chart.title = title
    chart.style = 2
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    # openpyxl >= 3.1 hides axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = ChartLines()
    if y_format:
        chart.y_axis.number_format = y_format
        chart.y_axis.numFmt.sourceLinked = False
    chart.legend.position = "b"


def curve_chart(table: TableRef, x_column: str, y_columns: Sequence[str], *, title: str,
                x_title: str, y_title: str, y_format: str | None = "0%",
                y_min: float | None = None, y_max: float | None = None,
                x_max: float | None = None,
                bands: Mapping[str, tuple[str, str]] | None = None) -> ScatterChart:
    """Scatter chart with straight lines, no markers: one series per ``y_columns`` entry,
    titled by its header cell, over ``x_column``. ``bands`` maps a y column to the columns of
    its lower and upper confidence bound: drawn as thin dashed lines in the curve's colour
    (after the curves, left out of the legend)."""
    chart = ScatterChart(scatterStyle="line")
    _axes(chart, title=title, x_title=x_title, y_title=y_title, y_format=y_format)
    x_ref = table.ref(x_column)
    for i, col in enumerate(y_columns):
        series = Series(table.ref(col, with_header=True), x_ref, title_from_data=True)
        series.marker.symbol = "none"
        series.smooth = False
        series.graphicalProperties.line.solidFill = PALETTE[i % len(PALETTE)]
        series.graphicalProperties.line.width = 22000  # EMU, ~1.75 pt
        chart.series.append(series)
    for i, col in enumerate(y_columns):  # each curve's confidence band: its bounds as thin
        for bound in (bands or {}).get(col, ()):  # dashed lines in the curve's colour
            series = Series(table.ref(bound, with_header=True), x_ref, title_from_data=True)
            series.marker.symbol = "none"
            series.smooth = False
            series.graphicalProperties.line.solidFill = PALETTE[i % len(PALETTE)]
            series.graphicalProperties.line.width = 9525  # 0.75 pt
            series.graphicalProperties.line.prstDash = "dash"
            chart.series.append(series)
    if bands:  # the legend names the curves; the chart's title says what the dashes are
        chart.legend.legendEntry = [LegendEntry(idx=k, delete=True)
                                    for k in range(len(y_columns), len(chart.series))]
    if y_min is not None:
        chart.y_axis.scaling.min = y_min
    if y_max is not None:
        chart.y_axis.scaling.max = y_max
    chart.x_axis.scaling.min = 0
    if x_max is not None:  # e.g. a share in percent: the automatic axis ran on to 120
        chart.x_axis.scaling.max = x_max
    _cap_shares(chart, table, y_columns, y_format)
    return chart


def category_line_chart(table: TableRef, category_column: str, y_columns: Sequence[str], *,
                        title: str, x_title: str, y_title: str,
                        y_format: str | None = "0%") -> LineChart:
    """Line chart over categories (periods, months): one line per ``y_columns`` entry."""
    chart = LineChart()
    _axes(chart, title=title, x_title=x_title, y_title=y_title, y_format=y_format)
    for i, col in enumerate(y_columns):
        chart.add_data(table.ref(col, with_header=True), titles_from_data=True)
        series = chart.series[-1]
        series.marker.symbol = "circle" if table.n_rows <= 24 else "none"
        series.smooth = False
        series.graphicalProperties.line.solidFill = PALETTE[i % len(PALETTE)]
        series.graphicalProperties.line.width = 22000
    chart.set_categories(table.ref(category_column))
    _cap_shares(chart, table, y_columns, y_format)
    return chart


def _cap_shares(chart: ScatterChart | LineChart | BarChart, table: TableRef,
                y_columns: Sequence[str], y_format: str | None) -> None:
    """A share axis stops at 100 % (issue 17 B.8): when the chart shows percentages, every
    plotted value lies in [0, 1] and the largest comes near the whole (over
    :data:`CAP_FROM`: the automatic axis of data near the whole runs to 120 %), the axis
    maximum is 1.
    Small shares (termination rates of 2-11 %) keep the automatic axis: on a fixed 0-100 %
    axis their bars were slivers."""
    if not y_format or "%" not in y_format or chart.y_axis.scaling.max is not None:
        return
    values = [table.ws.cell(r, table.col(c)).value for c in y_columns
              for r in range(table.first_row, table.last_row + 1)]
    numbers = [float(v) for v in values if isinstance(v, (int, float))]
    if numbers and all(0.0 <= v <= 1.0 for v in numbers) and max(numbers) > CAP_FROM:
        chart.y_axis.scaling.max = 1.0


CAP_FROM = 0.5  # a share axis is capped at 100 % once the data pass half of it


def category_bar_chart(table: TableRef, category_column: str, y_columns: Sequence[str], *,
                       title: str, x_title: str, y_title: str,
                       y_format: str | None = None) -> BarChart:
    """Clustered column chart over categories."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    _axes(chart, title=title, x_title=x_title, y_title=y_title, y_format=y_format)
    for i, col in enumerate(y_columns):
        chart.add_data(table.ref(col, with_header=True), titles_from_data=True)
        chart.series[-1].graphicalProperties.solidFill = PALETTE[i % len(PALETTE)]
    chart.set_categories(table.ref(category_column))
    _cap_shares(chart, table, y_columns, y_format)  # share columns stop at 100 % too
    return chart


HELPER_COLUMN = 60  # far column holding a chart's constant reference values (not printed)


def _numbers(table: TableRef, column: str) -> list[float | None]:
    out: list[float | None] = []
    for r in range(table.first_row, table.last_row + 1):
        v = table.ws.cell(r, table.col(column)).value
        out.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    return out


def reference_line(table: TableRef, level: float, name: str) -> LineChart:
    """A dashed horizontal line at ``level`` over the table's categories (the 100 % line of an
    A/E chart, 1 on a forest plot), to combine with a category chart. Its values sit in a
    helper column far to the right of the table's rows (outside the print area; not hidden:
    LibreOffice leaves hidden cells out of charts)."""
    ws, col = table.ws, HELPER_COLUMN
    ws.cell(table.header_row, col, name)
    for r in range(table.first_row, table.last_row + 1):
        ws.cell(r, col, level)
    ws.cell(table.header_row, col).font = styles.NOTE_FONT
    line = LineChart()
    line.add_data(Reference(ws, min_col=col, max_col=col, min_row=table.header_row,
                            max_row=table.last_row), titles_from_data=True)
    series = line.series[0]
    series.marker.symbol = "none"
    series.smooth = False
    series.graphicalProperties.line.solidFill = "7F7F7F"
    series.graphicalProperties.line.width = 15875
    series.graphicalProperties.line.prstDash = "dash"
    return line


def vertical_marker(chart: ScatterChart, table: TableRef, x: float, name: str) -> None:
    """A dashed vertical line at ``x`` from 0 to 100 % on a curve chart (issue 17 B.8: where
    the observed data end and the projection begins), named ``name`` in the legend. Its two
    points sit in the helper columns beside the table's first rows (not printed)."""
    ws, col = table.ws, HELPER_COLUMN + 1
    ws.cell(table.header_row, col + 1, name).font = styles.NOTE_FONT
    for i, y in enumerate((0.0, 1.0)):
        ws.cell(table.first_row + i, col, x)
        ws.cell(table.first_row + i, col + 1, y)
    ys = Reference(ws, min_col=col + 1, max_col=col + 1, min_row=table.header_row,
                   max_row=table.first_row + 1)
    xs = Reference(ws, min_col=col, max_col=col, min_row=table.first_row,
                   max_row=table.first_row + 1)
    series = Series(ys, xs, title_from_data=True)
    series.marker.symbol = "none"
    series.smooth = False
    series.graphicalProperties.line.solidFill = "7F7F7F"
    series.graphicalProperties.line.width = 15875
    series.graphicalProperties.line.prstDash = "dash"
    chart.series.append(series)


def interval_group(table: TableRef, lower: str, upper: str, *, joined: bool = True) -> LineChart:
    """A confidence interval as a vertical bar per category (issue 17 B.8): the lower and
    upper bounds as short dashes joined by high-low lines, to combine with a category chart
    of the estimate."""
    group = LineChart()
    for col in (lower, upper):
        group.add_data(table.ref(col, with_header=True), titles_from_data=True)
        series = group.series[-1]
        series.marker.symbol = "dash"
        series.marker.size = 7
        series.marker.graphicalProperties = _fill_props("404040")
        series.graphicalProperties.line.noFill = True
        series.smooth = False
    if joined:  # high-low lines span every series of the group: only bounds in it
        group.hiLowLines = ChartLines()
        group.hiLowLines.spPr = _line_props("404040", 12700)
    return group


def _line_props(colour: str, width: int) -> Any:
    from openpyxl.chart.shapes import GraphicalProperties

    return GraphicalProperties(ln=LineProperties(solidFill=colour, w=width))


def _fill_props(colour: str) -> Any:
    from openpyxl.chart.shapes import GraphicalProperties

    return GraphicalProperties(solidFill=colour, ln=LineProperties(solidFill=colour))


def points_only(series: Series, colour: str, *, symbol: str = "circle", size: int = 7) -> None:
    """Draw ``series`` as markers without a line, in ``colour``. The marker needs its own
    fill: LibreOffice draws a symbol in its series' line colour, so with the line hidden and
    no fill of its own the points were not drawn at all (the funnel plot's segments)."""
    series.marker.symbol = symbol
    series.marker.size = size
    series.marker.graphicalProperties = _fill_props(colour)
    series.graphicalProperties.line.noFill = True


def ae_chart(table: TableRef, category_column: str, *, title: str, x_title: str, y_title: str,
             reference_name: str) -> BarChart:
    """A/E by period (issue 17 B.8): columns, their confidence interval as a bar from the
    lower to the upper bound, and a dashed 100 % line (actual equal to expected)."""
    chart = category_bar_chart(table, category_column, ["ae"], title=title, x_title=x_title,
                               y_title=y_title, y_format="0%")
    group = (interval_group(table, "ae_lower", "ae_upper", joined=False)
             if "ae_lower" in table.columns and "ae_upper" in table.columns else LineChart())
    group.series.append(reference_line(table, 1.0, reference_name).series[0])
    chart += group  # one line group: a spreadsheet program may draw only one per chart
    chart.y_axis.scaling.min = 0
    return chart


def forest_chart(table: TableRef, label_column: str, *, title: str, x_title: str,
                 y_title: str, reference_name: str) -> LineChart:
    """A forest plot of hazard ratios (issue 17 B.8): one marker per covariate level, its
    confidence interval as a bar, a dashed line at 1 (no effect), on a log scale so a halving
    and a doubling are the same distance from 1."""
    chart = LineChart()
    _axes(chart, title=title, x_title=x_title, y_title=y_title, y_format="0.00")
    chart.add_data(table.ref("hazard_ratio", with_header=True), titles_from_data=True)
    series = chart.series[0]
    series.marker.symbol = "diamond"
    series.marker.size = 8
    series.marker.graphicalProperties = _fill_props(PALETTE[0])
    series.graphicalProperties.line.noFill = True
    chart.set_categories(table.ref(label_column))
    chart.series.append(reference_line(table, 1.0, reference_name).series[0])
    if "ci_lower" in table.columns and "ci_upper" in table.columns:
        chart += interval_group(table, "ci_lower", "ci_upper")
    # a log scale in base 10 (ticks 0.1, 1, 10): base 2 (0.25, 0.5, 1, 2, 4) read well in Excel
    # but LibreOffice draws log axes in base 10 from the minimum (ticks "0.13", "1.25")
    chart.y_axis.scaling.logBase = 10
    values = [v for c in ("ci_lower", "ci_upper", "hazard_ratio") if c in table.columns
              for v in _numbers(table, c) if v is not None and v > 0]
    if values:  # powers of ten around the data (a log axis otherwise starts far below)
        import math

        chart.y_axis.scaling.min = 10.0 ** min(-1, math.floor(math.log10(min(values))))
        chart.y_axis.scaling.max = 10.0 ** max(1, math.ceil(math.log10(max(values))))
    return chart


def references(chart: ScatterChart | LineChart | BarChart) -> list[str]:
    """Every cell-range formula a chart's series use (for tests and debugging)."""
    out = []
    for s in chart.series:
        for ref in (s.val, s.yVal, s.xVal, s.cat):
            if ref is None:
                continue
            num = getattr(ref, "numRef", None)
            if num is not None and num.f:
                out.append(num.f)
            st = getattr(ref, "strRef", None)
            if st is not None and st.f:
                out.append(st.f)
        if s.tx is not None and s.tx.strRef is not None:
            out.append(s.tx.strRef.f)
    return out


def _range_values(wb: Any, formula: str) -> list[Any] | None:
    """The cell values of a chart range formula ``'Sheet'!$B$5:$B$20`` (None if unreadable)."""
    from openpyxl.utils.cell import range_boundaries

    sheet, _, cells = formula.rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    if sheet not in wb.sheetnames:
        return None
    ws = wb[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [ws.cell(r, c).value for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)]


def write_caches(wb: Any) -> None:
    """Cached values in every chart's series (issue 17 B.8): Excel recomputes them on open,
    but e-mail and phone previews draw only what the file caches — openpyxl writes none, so
    they showed empty charts."""
    for ws in wb.worksheets:
        for chart in [sub for top in ws._charts for sub in top._charts]:  # combined groups too
            for s in chart.series:
                for src in (s.val, s.yVal, s.xVal, s.cat):
                    if src is None:
                        continue
                    num = getattr(src, "numRef", None)
                    if num is not None and num.f:
                        values = _range_values(wb, num.f)
                        if values is not None:  # dates as Excel serial numbers
                            values = [to_excel(v) if isinstance(v, (dt.datetime, dt.date)) else v
                                      for v in values]
                            pts = [NumVal(idx=i, v=float(v)) for i, v in enumerate(values)
                                   if isinstance(v, (int, float)) and not isinstance(v, bool)
                                   and v == v]
                            num.numCache = NumData(ptCount=len(values), pt=pts)
                    sref = getattr(src, "strRef", None)
                    if sref is not None and sref.f:
                        values = _range_values(wb, sref.f)
                        if values is not None:
                            sref.strCache = StrData(ptCount=len(values), pt=[
                                StrVal(idx=i, v=str(v)) for i, v in enumerate(values)
                                if v is not None])
                tx = getattr(s, "tx", None)
                if tx is not None and tx.strRef is not None and tx.strRef.f:
                    values = _range_values(wb, tx.strRef.f)
                    if values:
                        tx.strRef.strCache = StrData(ptCount=1, pt=[StrVal(idx=0, v=str(values[0]))])


__all__ = ["Reference", "category_bar_chart", "category_line_chart", "curve_chart", "points_only",
           "references", "write_caches"]
