"""A sheet as a vertical flow: title block, then sections of notes, tables and charts.

:class:`SheetWriter` keeps a row cursor, so a sheet builder says *what* comes next and the
writer decides *where*: tables and charts never overlap, every data cell goes through
:func:`memberdesk.report.safety.write_cell`, and column widths follow the widest content.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import Reference
from openpyxl.chart._chart import ChartBase
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from memberdesk.core import labels as core_labels
from memberdesk.report import analysis_terms as terms
from memberdesk.report import report_strings as rs
from memberdesk.report import styles
from memberdesk.report.safety import write_cell

MAX_FREEZE_ROW = 16  # a main table lower than this would freeze half the screen: freeze the title
CHART_ROWS = 20
CM_PER_CHAR = 7 / 96 * 2.54  # one unit of Excel column width: a 7 px digit of Calibri 11
COLUMN_PAD_CM = 5 / 96 * 2.54  # and 5 px of padding per column (Excel's and LibreOffice's)


def column_cm(width: float) -> float:
    """Printed width (cm, at 100 %) of a column ``width`` Excel units wide: 7 px per digit
    plus 5 px padding at 96 dpi (a flat 0.19 cm per unit left out the padding, so sheets of
    many narrow columns printed at 82 % where the model said 85 %)."""
    return width * CM_PER_CHAR + COLUMN_PAD_CM
PAGE_BREAK_AFTER_ROW = 8  # rows reserved for a chart (height 9.5 cm at the default 15 pt row height)
PRINT_TITLES_AFTER = 20  # a main table longer than this repeats its header row on every page
MIN_PRINT_SCALE = 85  # % (issue 17 B.5): a wider sheet prints over more pages, never smaller
PRINTABLE_CM = 29.7 - 2 * 0.5 * 2.54  # A4 landscape less the 0.5 in side margins
KEEP_WHOLE_ROWS = 25  # a table this short is never split over two pages (24 months + total)
KEEP_WITH_HEADING = 3  # a heading stays on the page of its table's header and first 2 rows
# a table printed over several pages carries at least this many of its data rows on each: its
# start moves to the next page with fewer below its header, and a page break leaving fewer
# on its last page moves up (no page of one or two rows under a repeated header)
MIN_ROWS_PER_PAGE = 5
DEFAULT_ROW_PT = 12.8  # an auto-height row of the 9-10 pt body font as LibreOffice prints it
BODY_PT = 10.0  # font size of an empty row's line
# points of row height per point of font size: a Calibri line (Excel: 10 pt -> 13.5); a CJK
# font's line is taller (等线, Noto Sans CJK)
ROW_PT_PER_FONT_PT = {"en": 1.3, "zh_CN": 1.35}
CHART_MARGIN = 0.03  # share of a page a chart keeps free below it when placed after rows
CHART_TOP_PX = 4  # a chart starts this far below the top of its first row
# LibreOffice's printed width of one Excel column-width unit, in points at 100 % (measured on
# its PDF: a column 10 units wide prints 54.4 pt; Excel's 7 px + 5 px padding would be 56.25),
# taken a little low so the model never assumes a smaller scale than LibreOffice prints at
LO_PT_PER_UNIT = 5.4
CHART_ROW_PT = 15.0  # rows under a chart: 20 of them hold its 9.5 cm
PAGE_HEIGHT_PT = (21.0 - 2 * 0.75 * 2.54) / 2.54 * 72  # A4 landscape less top/bottom margins
# a header's column moves at most this many quarter units to wrap the header between words
WORD_WIDEN_STEPS = 12
# ... or wider, up to this many, where the sheet's print scale drops by at most
# WORD_FREE_SCALE points (a column 5 units wider for "Previous (as of 2025-06-30)")
WORD_FREE_STEPS = 40
WORD_FREE_SCALE = 5.0
NARROW_TO = 20.0  # a too-wide sheet's text columns wrap down to this width, not below
# Number-format kinds whose cells hold numbers (never text: a note goes into a cell comment)
NUMERIC_KINDS: frozenset[str] = frozenset({"pct", "pct0", "int", "money", "num", "dec1", "dec3",
                                           "dec4", "p"})
# decimals each kind shows: a value that rounds to zero there is written as 0 (never "−0.0")
_SHOWN_DECIMALS = {"pct": 3, "pct0": 2, "int": 0, "money": 0, "num": 2, "dec1": 1, "dec3": 3,
                   "dec4": 4}
RIGHT_ALIGN = Alignment(horizontal="right")
LEFT_ALIGN = Alignment(horizontal="left")
INDENT_CHARS = 0  # an indent of one level takes about a character: within the columns' padding
_YEAR = re.compile(r"^(19|20)\d{2}$")
_MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
PLACEHOLDERS = frozenset({"—", "-", "–"})
# row labels that may sit in a number column (the experience table's "Total" row): kept
TOTAL_LABELS = frozenset({"Total", "合计", "All", "全部"})
SMALL_N = 30  # observations below which a row is greyed (issue 17 B.7)
LOW_CREDIBILITY = 0.3
SMALL_N_COLUMNS = ("n", "n_actual", "cohort_count", "cohort_policies")
CONFIDENTIAL = {"en": "Confidential — internal use only", "zh_CN": "机密 — 仅限内部使用"}


def cell_value_for(value: Any, kind: str) -> tuple[Any, str | None]:
    """The value a cell of ``kind`` gets, and a note for a cell comment: text in a number
    column (\"not reached\", \"best\") becomes a blank cell with the text as its comment
    (issue 17 B.6; a placeholder dash stays), a value that rounds to zero at the shown
    decimals becomes 0 (no "−0.0")."""
    if kind in NUMERIC_KINDS and isinstance(value, str):
        text = value.strip()
        if text and text not in PLACEHOLDERS and text not in TOTAL_LABELS:
            return None, text
        return value, None
    if isinstance(value, float) and kind in _SHOWN_DECIMALS and value < 0 \
            and round(value, _SHOWN_DECIMALS[kind]) == 0:
        return 0.0, None
    return value, None


def period_values(values: Sequence[Any]) -> tuple[list[Any], str] | None:
    """A text column that holds only years ("2019") or only months ("2024-06") as numbers /
    real dates with their format (issue 17 B.9), else None."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
    if not present or not all(isinstance(v, str) for v in present):
        return None
    if all(_YEAR.match(v) for v in present):
        return [int(v) if isinstance(v, str) else v for v in values], "0"
    if all(_MONTH.match(v) for v in present):
        return [dt.datetime(int(v[:4]), int(v[5:7]), 1) if isinstance(v, str) else v
                for v in values], "yyyy-mm"
    return None


@dataclass(frozen=True)
class TableRef:
    """Where a written table sits: header row, data rows and column positions (1-based)."""

    ws: Worksheet
    header_row: int
    first_row: int
    last_row: int
    first_col: int
    columns: tuple[str, ...]

    @property
    def n_rows(self) -> int:
        return self.last_row - self.first_row + 1

    def col(self, name: str) -> int:
        return self.first_col + self.columns.index(name)

    def ref(self, name: str, *, with_header: bool = False) -> Reference:
        """A chart Reference to the data cells of column ``name`` (optionally with header)."""
        c = self.col(name)
        top = self.header_row if with_header else self.first_row
        return Reference(self.ws, min_col=c, max_col=c, min_row=top, max_row=self.last_row)

    @property
    def range(self) -> str:
        last_col = self.first_col + len(self.columns) - 1
        return (f"{get_column_letter(self.first_col)}{self.header_row}:"
                f"{get_column_letter(last_col)}{max(self.last_row, self.header_row)}")


@dataclass
class SheetWriter:
    """Writes one sheet top to bottom. Call :meth:`finish` once at the end."""

    ws: Worksheet
    lang: str
    report_title: str
    as_of_text: str
    row: int = 1
    widths: dict[int, float] = field(default_factory=dict)
    main_table: TableRef | None = None
    print_last_row: int | None = None  # rows below are chart data: kept, not printed
    fixed_widths: dict[int, float] = field(default_factory=dict)  # exact Excel widths
    _headers: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    _chart_widths_cm: list[float] = field(default_factory=list)
    filter_main: bool = True  # the main table's own filter (off for short lists: the KPIs)
    excel_tables: bool = True  # every data block an Excel Table (named, its own filter)
    _tables: list[TableRef] = field(default_factory=list)
    _keep: list[tuple[int, int]] = field(default_factory=list)  # row blocks kept on one page
    page_breaks: bool = True  # computed page breaks (off for the fixed one-page Dashboard)
    _chart_rows: set[int] = field(default_factory=set)
    page_starts: tuple[int, ...] = ()  # first row of each printed page (after finish)
    _notes: list[int] = field(default_factory=list)  # rows of notes (one line of text)
    _legends: set[int] = field(default_factory=set)  # header rows of tables with a grey legend
    _content: dict[int, float] = field(default_factory=dict)  # widths of the cells but headers
    # two-sided level of the sheet's confidence intervals: headings and headers naming the
    # default "95%" name this level instead (None: a sheet without CIs, e.g. the Alerts'
    # fixed 95 % / 99.8 % control limits, keeps its words)
    ci_level: float | None = None
    _meta: str = ""  # the title block's as-of/scope line (repeated on continued sheets)
    _continued: list[SheetWriter] = field(default_factory=list)

    def title_block(self, subject: str, meta: str) -> None:
        """Report title, sheet subject and an as-of/scope line, then one blank row."""
        self._meta = meta
        for text, font in ((self.report_title, styles.TITLE_FONT), (subject, styles.SUBJECT_FONT),
                           (meta, styles.META_FONT)):
            write_cell(self.ws, self.row, 1, text).font = font
            self.row += 1
        self.row += 1

    def continued_sheet(self, title: str, subject: str) -> SheetWriter:
        """A sheet of its own right after this one (after the ones continued before it), with
        the same title block, for a second long table: print titles are one row range per
        sheet, so a sheet prints the header on every page of one long table only (issue 17
        B.5). Finished with this sheet; the Contents sheet lists it with its subject."""
        wb = self.ws.parent
        index = wb.worksheets.index(self.ws) + 1 + len(self._continued)
        ws = wb.create_sheet(title[:31], index=index)
        w = SheetWriter(ws, self.lang, self.report_title, self.as_of_text,
                        ci_level=self.ci_level)
        w.title_block(subject, self._meta)
        self._continued.append(w)
        return w

    def section(self, heading: str) -> None:
        heading = core_labels.with_ci_level(heading, self.ci_level)
        write_cell(self.ws, self.row, 1, heading).font = styles.SECTION_FONT
        self._keep.append((self.row, self.row + KEEP_WITH_HEADING))
        self.row += 1

    def keep_together(self, first: int, last: int) -> None:
        """Rows ``first``..``last`` print on one page (when they fit on one): a section
        whose parts belong together (a heading, label/value lines and a table)."""
        self._keep.append((first, last))

    def note(self, text: str, *, gap: int = 1) -> None:
        """A line of italic text, then ``gap`` blank rows (0 for a list of lines)."""
        write_cell(self.ws, self.row, 1, text).font = styles.NOTE_FONT
        self._notes.append(self.row)
        self.row += 1 + gap

    def failure_box(self, text: str, *, columns: int = 8) -> None:
        """A section that could not be computed: a bordered, tinted box with the reason in
        plain words (never a traceback, never a bare error in a data cell)."""
        cell = write_cell(self.ws, self.row, 1, text)
        cell.font = styles.FAILURE_FONT
        cell.fill = styles.WARN_FILL
        cell.alignment = styles.WRAP_ALIGN
        cell.border = styles.BOX_BORDER
        lines = max(1, math.ceil(styles.display_width(text) / (columns * 11)))
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row,
                            end_column=columns)
        self.ws.row_dimensions[self.row].height = 14.0 * lines + 6
        self.row += 2

    def pairs(self, items: Sequence[tuple[str, Any]], *, formats: Sequence[str] | None = None) -> None:
        """Label/value lines (two columns), e.g. the data scope on the Summary sheet."""
        for i, (label, value) in enumerate(items):
            cell = write_cell(self.ws, self.row, 1, label)
            cell.font = styles.LABEL_FONT
            self._grow(1, styles.display_width(label))
            fmt = formats[i] if formats else "text"
            v = write_cell(self.ws, self.row, 2, value)
            v.font = styles.BODY_FONT
            v.number_format = styles.FORMATS.get(fmt, "General")
            # one edge for the list's values: a date or number right-aligned in the wide value
            # column sat far off from the words under it ("As-of date ... 2026-06-30")
            v.alignment = LEFT_ALIGN
            self._grow(2, min(styles.value_width(v.value, fmt), 14))  # long text may overflow
            self.row += 1
        self.row += 1

    def table(
        self,
        frame: pd.DataFrame,
        *,
        labels: Mapping[str, str] | None = None,
        formats: Mapping[str, str] | None = None,
        main: bool = False,
        first_col: int = 1,
        gap: int = 1,
    ) -> TableRef:
        """Write ``frame`` (header + rows). Headers come from ``labels`` or the translated
        column names; number formats from ``formats`` or :func:`styles.infer_format`."""
        columns = [str(c) for c in frame.columns]
        names = dict(labels or {})
        formats = dict(formats or {})
        header_row = self.row
        for j, col in enumerate(columns):
            label = str(terms.word(names.get(col, rs.column_label(col, self.lang)), self.lang))
            label = core_labels.with_ci_level(label, self.ci_level)
            cell = write_cell(self.ws, header_row, first_col + j, label)
            cell.font = styles.HEADER_FONT
            cell.fill = styles.HEADER_FILL
            cell.alignment = styles.HEADER_ALIGN
            label_width = styles.display_width(label)
            self._grow(first_col + j, min(label_width, styles.HEADER_MAX), header=True)
            self._headers.setdefault(header_row, []).append((first_col + j, label_width))
        kinds = [formats.get(c) or styles.infer_format(c, frame[c]) for c in columns]
        number_formats = [styles.FORMATS.get(k, "General") for k in kinds]
        values = frame.to_numpy(dtype=object)
        for j, kind in enumerate(kinds):  # years as numbers, months as real dates
            if kind in ("text", "General") or frame[columns[j]].dtype == object:
                converted = period_values(list(values[:, j])) if len(values) else None
                if converted is not None:
                    values[:, j] = np.array(converted[0], dtype=object)
                    number_formats[j] = converted[1]
                    kinds[j] = "date" if converted[1] == "yyyy-mm" else "int"
        _dash_zero_event_intervals(frame, columns, values)
        if self.lang != "en":  # coded values and rolling periods in the report's language
            values = np.vectorize(lambda v: terms.word(v, self.lang), otypes=[object])(values)
        ws = self.ws
        numeric_cols = [j for j, k in enumerate(kinds) if k in NUMERIC_KINDS and j > 0]
        for i, row_values in enumerate(values):
            r = header_row + 1 + i
            lines = 1
            # a row of words across number columns (a transposed table's text row) is a
            # label row, not notes inside numbers
            words = [row_values[j] for j in numeric_cols if row_values[j] is not None]
            label_row = len(words) >= 2 and all(isinstance(v, str) for v in words)
            for j, value in enumerate(row_values):
                value, note = (value, None) if label_row else cell_value_for(value, kinds[j])
                cell = write_cell(ws, r, first_col + j, value)
                cell.font = styles.BODY_FONT
                cell.number_format = number_formats[j]
                if note is not None:
                    cell.comment = Comment(note, "MemberDesk", width=160, height=40)
                if kinds[j] in NUMERIC_KINDS:
                    cell.alignment = RIGHT_ALIGN
                width = styles.value_width(cell.value, kinds[j])
                if width > styles.WRAP_WIDTH:
                    cell.alignment = styles.WRAP_ALIGN
                    lines = max(lines, math.ceil(width / styles.WRAP_WIDTH * 1.1))
                    width = styles.WRAP_WIDTH
                elif j and isinstance(cell.value, str) and kinds[j] not in NUMERIC_KINDS \
                        and ws.cell(r, first_col + j - 1).alignment.horizontal == "right":
                    # text after a right-aligned number, indented: side by side they printed
                    # as one string ("<0.0001 log-rank", "132.5 best (lowest AIC)")
                    cell.alignment = styles.INDENT_ALIGN
                    width += INDENT_CHARS
                self._grow(first_col + j, width)
            if lines > 1:  # spreadsheet programs do not grow rows for wrapped text on open
                ws.row_dimensions[r].height = 13.0 * lines + 2
                for j in range(len(columns)):
                    cell = ws.cell(r, first_col + j)
                    if not cell.alignment.wrap_text:
                        cell.alignment = styles.TOP_ALIGN
        last_row = header_row + len(values)
        ref = TableRef(ws, header_row, header_row + 1, last_row, first_col, tuple(columns))
        # a short table stays whole on one page; a long one keeps its header with 2 rows (and
        # no page carries only a few of its rows: :meth:`_start_clear_of_widows`)
        whole = len(values) <= KEEP_WHOLE_ROWS
        self._keep.append((header_row, last_row if whole else min(last_row, header_row + 2)))
        if main and self.main_table is None:
            self.main_table = ref
        self._tables.append(ref)
        self.row = last_row + 1 + gap
        self._grey_small_samples(frame, ref)
        return ref

    def _grey_small_samples(self, frame: pd.DataFrame, ref: TableRef) -> None:
        """Rows resting on few observations (issue 17 B.7: n < 30, or credibility < 0.3) in
        grey, with a comment on their first cell saying why, and a legend line under the table
        (:meth:`_small_sample_legend`: a comment does not print). Called right after the table
        is written, before anything below it."""
        checks: list[tuple[str, float]] = [(c, float(SMALL_N)) for c in SMALL_N_COLUMNS
                                           if c in frame.columns]
        if "credibility" in frame.columns:
            checks.append(("credibility", LOW_CREDIBILITY))
        if not checks:
            return
        text = rs.text("small_sample_note", self.lang, n=SMALL_N, z=LOW_CREDIBILITY)
        greyed = False
        for i in range(len(frame)):
            small = False
            for col, limit in checks:
                v = frame[col].iloc[i]
                if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v) \
                        and float(v) < limit:
                    small = True
            if not small:
                continue
            r = ref.first_row + i
            for c in range(ref.first_col, ref.first_col + len(ref.columns)):
                cell = self.ws.cell(r, c)
                cell.font = styles.SMALL_SAMPLE_FONT
            first = self.ws.cell(r, ref.first_col)
            if first.comment is None:
                first.comment = Comment(text, "MemberDesk", width=200, height=50)
            greyed = True
        if greyed:
            self._small_sample_legend(ref)

    def _small_sample_legend(self, ref: TableRef) -> None:
        """A line under the table ``ref`` saying what its grey rows mean, in the sheet's
        language: a printed page explains its grey (the cell comments do not print). One blank
        row between (the table's rows end at its first empty row), the gap the table had after
        it kept below; printed with the table's last rows. Once per table."""
        if ref.header_row in self._legends:
            return
        self._legends.add(ref.header_row)
        gap = max(0, self.row - ref.last_row - 1)
        row = ref.last_row + 2
        text = rs.text("small_sample_legend", self.lang, n=SMALL_N, z=LOW_CREDIBILITY)
        write_cell(self.ws, row, ref.first_col, text).font = styles.NOTE_FONT
        self._notes.append(row)
        self._keep.append((max(ref.first_row, ref.last_row - MIN_ROWS_PER_PAGE + 1), row))
        self.row = row + 1 + gap

    def _add_excel_tables(self) -> bool:
        """Each written block with data rows and unique header texts becomes an Excel Table
        (its own name and filter, so a user can sort and filter it without touching the
        rest); True when the main table is one (then no sheet autofilter: the two clash)."""
        wb = self.ws.parent
        main_done = False
        for ref in self._tables:
            if ref.n_rows < 1 or (ref is self.main_table and not self.filter_main):
                continue  # a short list (the KPIs) stays without filter buttons
            headers = [self.ws.cell(ref.header_row, c).value
                       for c in range(ref.first_col, ref.first_col + len(ref.columns))]
            if not all(isinstance(h, str) and h.strip() for h in headers):
                continue
            if len({str(h).strip().lower() for h in headers}) != len(headers):
                continue
            last = ref.last_row
            if self.ws.cell(last, ref.first_col).value in TOTAL_LABELS and ref.n_rows > 1:
                last -= 1  # the Total row stays outside the Table: sorting never moves it
            count = getattr(wb, "_memberdesk_tables", 0) + 1
            wb._memberdesk_tables = count
            span = (f"{get_column_letter(ref.first_col)}{ref.header_row}:"
                    f"{get_column_letter(ref.first_col + len(ref.columns) - 1)}{last}")
            table = Table(displayName=f"T{count:03d}_{_ascii_name(self.ws.title)}", ref=span)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
            self.ws.add_table(table)
            if ref is self.main_table:
                main_done = True
        return main_done

    def end_print_area(self) -> None:
        """What follows (the long monthly grids behind the charts) stays in the workbook for
        the charts and for anyone who wants the numbers, but is left out of the printout, so
        a manager's printout is the summary and the charts."""
        self.print_last_row = self.row - 1

    def reserve_chart(self) -> int:
        """Keep the rows of a chart drawn later (:meth:`chart` with ``at``), above what is
        written next; returns their first row."""
        at = self.row
        self.row += CHART_ROWS + 1
        return at

    def chart(self, chart: ChartBase, *, rows: int = CHART_ROWS, at: int | None = None) -> None:
        """Anchor ``chart`` at column A of the current row and reserve ``rows`` rows for it;
        with ``at``, in the rows :meth:`reserve_chart` kept there (the current row stays)."""
        if at is not None:
            end, self.row = self.row, at
            self.chart(chart, rows=rows)
            self.row = end
            return
        chart.width = 20.0
        chart.height = rows * 0.5 - 0.5
        self._keep.append((self.row, self.row + rows - 1))  # a printed chart is never cut
        self._chart_rows.add(self.row)
        for r in range(self.row, self.row + rows):  # rows as tall as the chart assumes (a
            if self.ws.row_dimensions.get(r) is None or not self.ws.row_dimensions[r].height:
                self.ws.row_dimensions[r].height = CHART_ROW_PT  # renderer's auto rows are lower)
        self.ws.add_chart(chart, f"A{self.row}")
        self._chart_widths_cm.append(chart.width)
        self.row += rows + 1

    def chart_over_table(
        self,
        heading: str,
        frame: pd.DataFrame,
        make_chart: Callable[[TableRef], ChartBase],
        *,
        labels: Mapping[str, str] | None = None,
        formats: Mapping[str, str] | None = None,
        main: bool = False,
        printed: bool = False,
    ) -> TableRef:
        """A chart with its data just below it: rows for the chart are reserved, the table is
        written under ``heading`` (the chart refers to where it lands), then the chart made by
        ``make_chart(table_ref)`` is anchored in the reserved rows. Unless ``printed``, the
        table is chart data and starts below the print area (:meth:`end_print_area`)."""
        chart_at = self.reserve_chart()
        if not printed:
            self.end_print_area()
        self.section(heading)
        ref = self.table(frame, labels=labels, formats=formats, main=main)
        self.chart(make_chart(ref), at=chart_at)
        return ref

    def _grow(self, col: int, chars: float, *, header: bool = False) -> None:
        if chars > self.widths.get(col, 0.0):
            self.widths[col] = chars
        if not header and chars > self._content.get(col, 0.0):  # what a narrower column
            self._content[col] = chars  # would cut (a header wraps instead)

    def finish(self, *, page_text: str) -> None:
        """Column widths, frozen header, autofilter on the main table, print setup."""
        for col, chars in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = styles.column_width(chars)
        for col, width in self.fixed_widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        self._keep_brackets_with_their_text()
        for row, labels in self._headers.items():  # room for wrapped header labels
            lines = max(math.ceil(width / max(styles.column_width(self.widths.get(col, 0)) - 2, 1))
                        for col, width in labels)
            if lines > 1:
                self.ws.row_dimensions[row].height = 13.5 * min(lines, 4) + 2
        main = self.main_table
        if main is not None and main.header_row <= MAX_FREEZE_ROW:
            self.ws.freeze_panes = f"A{main.first_row}"
        else:
            self.ws.freeze_panes = "A4"
        tables = self._add_excel_tables() if self.excel_tables else False
        if main is not None and main.n_rows > 0 and self.filter_main and not tables:
            self.ws.auto_filter.ref = main.range
        styles.setup_print(self.ws, title=self.report_title, as_of_text=self.as_of_text,
                           page_text=page_text)
        self.ws.sheet_view.showGridLines = False
        self.ws.oddHeader.center.text = CONFIDENTIAL.get(self.lang, CONFIDENTIAL["en"])
        self.ws.oddHeader.center.size = 9
        if self.print_last_row is not None:
            self.ws.print_area = f"A1:{get_column_letter(self._print_columns())}{self.print_last_row}"
        elif self.ws.max_column >= _helper_column():  # a chart's helper values: not printed
            self.ws.print_area = f"A1:{get_column_letter(self._print_columns())}{self.ws.max_row}"
        self._keep_print_scale()
        self._keep_brackets_with_their_text()  # (a column narrowed to fit the page)
        self._keep_header_words_whole()
        self._widen_charts()
        self._wrap_long_notes()
        self._keep_closing_marks_off_line_starts()
        self._fit_wrapped_rows()
        self._fix_row_heights()
        self._top_align_tall_rows()
        self._place_page_breaks()
        self._anchor_charts()
        for other in self._continued:
            other.finish(page_text=page_text)

    def _keep_brackets_with_their_text(self) -> None:
        """No wrapped table header breaks next to a bracket: LibreOffice breaks a Chinese
        header between any two characters, before a closing bracket too, so a column a hair
        too narrow for "期初保单数（件）" printed "期初保单数（件" over a lone "）" (52 lines on
        the sample's Chinese printout; an English header breaks at spaces only). The header
        texts stay as they are (readers and tests match them): the column of such a header
        takes the nearest width, a little wider or, where its other cells still fit, a little
        narrower, at which no header in it breaks at a bracket in either program
        (:meth:`_bracket_safe`). Columns with no wrapped header are left alone."""
        ws = self.ws
        for c, cells in sorted(self._header_cells_by_column().items()):
            dim = ws.column_dimensions[get_column_letter(c)]
            width = float(dim.width or styles.column_width(0.0))
            if all(self._bracket_safe(cell, width) for cell in cells):
                continue
            floor = width  # narrower only where the column's other cells still fit
            if c in self._content and c not in self.fixed_widths:
                floor = min(width, styles.column_width(self._content[c]))
            steps = [width + d / 4 for d in range(1, 25)] + [width - d / 4 for d in range(1, 17)]
            for new in sorted(steps, key=lambda x: (abs(x - width), -x)):
                if new >= floor and all(self._bracket_safe(cell, new) for cell in cells):
                    dim.width = new
                    break

    def _bracket_safe(self, cell: Any, width: float) -> bool:
        """Whether the header ``cell`` wraps clear of its brackets in a column ``width`` Excel
        units wide, at every room for text from the narrower program's (less the cell's
        padding) to the wider's (LibreOffice prints a column of 13 units 70.7 pt wide and fits
        "期初保单数（件", 70 pt, in it: its padding is under a point)."""
        size, bold = float(cell.font.sz or 11.0), bool(cell.font.b)
        programs = (width * styles.LO_COLUMN_PT_PER_UNIT, (width * 7 + 5) * 0.75)
        low, high = min(programs) - styles.CELL_PAD_PT, max(programs)
        room = low
        while room <= high + 0.01:
            lines = styles.wrapped_lines(str(cell.value), room, size, bold=bold, lang=self.lang)
            if styles.breaks_at_a_bracket(lines):
                return False
            room += 0.5
        return True

    def _header_cells_by_column(self) -> dict[int, list[Any]]:
        """The wrapped table header cells (text in the header fill), by column."""
        by_col: dict[int, list[Any]] = {}
        for (_, c), cell in self.ws._cells.items():
            if isinstance(cell.value, str) and cell.has_style and cell.alignment.wrap_text \
                    and _is_table_header(cell):
                by_col.setdefault(c, []).append(cell)
        return by_col

    def _keep_header_words_whole(self) -> None:
        """No wrapped table header breaks inside a word: LibreOffice breaks English after a
        hyphen ("Naive: ever-" over "users vs never-" over "users") and Chinese between any
        two characters ("变动（百" over "分点）", "理赔结案时效中位" over "数"), so a header
        splits where its column's width happens to end. As for the brackets
        (:meth:`_keep_brackets_with_their_text`), the header texts stay as they are: the
        column of such a header takes the nearest width, a little wider or, where its other
        cells still fit, a little narrower, at which every header in it breaks only between
        words (:func:`styles.splits_a_word`) and still clear of its brackets, in LibreOffice
        and in Excel (:func:`styles.printed_rooms`); where the page has room, a wider one
        (:meth:`_header_column_width`). Which Chinese characters form a word is the report's
        one word list, :mod:`memberdesk.report.zh_words` ("继续" over "率" splits one; "年化失效"
        over "退保率" does not). A column with no such width, and the Dashboard's (its tiles fix
        the widths), gets a smaller font for the headers that still split, on the Dashboard
        a line break between two words (:meth:`_shrink_split_headers`)."""
        ws = self.ws
        merged = {(r, c) for rng in ws.merged_cells.ranges
                  for r in range(rng.min_row, rng.max_row + 1)
                  for c in range(rng.min_col, rng.max_col + 1)}
        if not self.page_breaks:  # the Dashboard's tiles fix its widths: a smaller font
            self._shrink_fixed_headers()
            return
        for c, cells in sorted(self._header_cells_by_column().items()):
            cells = [x for x in cells if (x.row, x.column) not in merged]
            dim = ws.column_dimensions[get_column_letter(c)]
            width = float(dim.width or styles.column_width(0.0))
            if all(self._header_whole(cell, width) for cell in cells):
                continue
            floor = width
            if c in self._content and c not in self.fixed_widths:
                floor = min(width, styles.column_width(self._content[c]))
            if not self._header_column_width(c, cells, width, floor):
                self._shrink_split_headers(cells, width)

    def _header_column_width(self, c: int, cells: list[Any], width: float,
                             floor: float) -> bool:
        """Set column ``c`` (``width`` units, at least ``floor``) to the nearest width within
        :data:`WORD_WIDEN_STEPS` quarter units at which every header ``cells`` of it wraps
        between words, else to the nearest wider one within :data:`WORD_FREE_STEPS` at which
        the sheet prints at most :data:`WORD_FREE_SCALE` points smaller than it did (than
        100 % if it had room to spare) and never below :data:`MIN_PRINT_SCALE`; False, the
        width unchanged, when there is none."""
        dim = self.ws.column_dimensions[get_column_letter(c)]
        scale = PRINTABLE_CM / max(self.printed_width_cm(), 1.0) * 100
        near = [width + d / 4 for d in range(1, WORD_WIDEN_STEPS + 1)] \
            + [width - d / 4 for d in range(1, WORD_WIDEN_STEPS + 1)]
        far = [width + d / 4 for d in range(WORD_WIDEN_STEPS + 1, WORD_FREE_STEPS + 1)]
        free = max(MIN_PRINT_SCALE, min(scale, 100.0) - WORD_FREE_SCALE)
        for steps, least in ((sorted(near, key=lambda x: (abs(x - width), -x)),
                              min(scale, MIN_PRINT_SCALE)), (far, free)):
            for new in steps:
                if new < floor or not all(self._header_whole(cell, new)
                                          and self._bracket_safe(cell, new) for cell in cells):
                    continue
                dim.width = new  # no sheet printed one page wide drops below the least scale
                if PRINTABLE_CM / max(self.printed_width_cm(), 1.0) * 100 >= least - 1e-9:
                    return True
                dim.width = width
        return False

    def _shrink_fixed_headers(self) -> None:
        """Each header of a sheet of fixed widths (the Dashboard's movers table, merged over
        its tile columns) that breaks inside a word in its (merged) columns gets a smaller
        font (:meth:`_shrink_split_headers`)."""
        spans, covered = _merged_spans(self.ws)
        for c, cells in sorted(self._header_cells_by_column().items()):
            for cell in cells:
                if (cell.row, cell.column) in covered:
                    continue
                width = sum(self._column_widths(c, spans.get((cell.row, c), c)))
                self._shrink_split_headers([cell], width)

    def _shrink_split_headers(self, cells: list[Any], width: float) -> None:
        """The headers of a column no width suits (a sheet already at its least scale, the
        Dashboard's fixed columns) that still break inside a word get a font half a point to
        two points smaller, the least at which they wrap between words (and clear of their
        brackets). On the Dashboard a header outside an Excel Table may instead get a line
        break of its own between two words (:meth:`_break_between_words`: "变动（百分点）"
        wraps "变动（百" over "分点）" at every width its line is too short for, since a
        program fills a line before it breaks); elsewhere header texts stay as they are
        (readers and tests match them). A header neither suits is left as it is. (Tried at
        each size from the header's own: the smaller font, then the line break.)"""
        tables = [CellRange(t.ref) for t in self.ws.tables.values()]
        for cell in cells:
            if self._header_whole(cell, width):
                continue
            own_line = not self.page_breaks and not any(cell.coordinate in rng for rng in tables)
            size = float(cell.font.sz or 11.0)
            before = copy.copy(cell.font)
            for smaller in (size, size - 0.5, size - 1.0, size - 1.5, size - 2.0):
                font = copy.copy(before)
                font.sz = smaller
                cell.font = font
                if smaller < size and self._header_whole(cell, width) \
                        and self._bracket_safe(cell, width):
                    break
                if own_line and self._break_between_words(cell, width):
                    break
            else:
                cell.font = before

    def _break_between_words(self, cell: Any, width: float) -> bool:
        """Give the header ``cell`` one line break of its own where two words meet (a space,
        or a break :func:`styles.splits_a_word` allows) so that it wraps between words only in
        a column ``width`` units wide: of the breaks that do, the one whose lines are nearest
        in width. False, the text unchanged, when none does."""
        text, size, bold = str(cell.value), float(cell.font.sz or 11.0), bool(cell.font.b)
        best: tuple[float, str] | None = None
        for b in range(1, len(text)):
            if text[b - 1] == "\n" or text[b] == "\n" or styles.splits_a_word(text, [b]) \
                    or styles.closing_mark_at_line_start(text, [b]):
                continue
            new = text[:b].rstrip() + "\n" + text[b:].lstrip()
            cell.value = new
            if self._header_whole(cell, width) and self._bracket_safe(cell, width):
                first, _, second = new.partition("\n")
                gap = abs(styles.text_width_pt(first, size, bold=bold, lang=self.lang)
                          - styles.text_width_pt(second, size, bold=bold, lang=self.lang))
                if best is None or gap < best[0]:
                    best = (gap, new)
            cell.value = text
        if best is None:
            return False
        cell.value = best[1]
        return True

    def _header_whole(self, cell: Any, width: float) -> bool:
        """Whether the header ``cell`` wraps between words (and clear of its closing marks)
        in a column ``width`` units wide, as LibreOffice and as Excel print it."""
        text, size, bold = str(cell.value), float(cell.font.sz or 11.0), bool(cell.font.b)
        for program, rooms in styles.printed_rooms(width).items():
            for room in rooms:
                breaks = styles.printed_breaks(text, room, size, bold=bold, lang=self.lang,
                                               program=program)
                if styles.splits_a_word(text, breaks) \
                        or styles.closing_mark_at_line_start(text, breaks):
                    return False
        return True

    def _keep_closing_marks_off_line_starts(self) -> None:
        """No wrapped line of a cell's text starts with a closing mark ("）", "，", "。", "、"
        ...) nor ends with an opening one: Chinese typesetting never does (kinsoku), and
        LibreOffice, breaking between any two Chinese characters, printed "（赔付或拒赔）" over
        a lone "。" and "…V为方差" over "），自由度 …" on the Definitions sheet. A column
        cannot be fitted to every row's text (the Definitions' 58 definitions, formulas and
        lineages have no common width within six units that wraps them all clean), and the
        texts stay as they are (readers and tests match them; a word joiner before the mark
        does not hold LibreOffice's line together), so such a cell's text is set half a point
        (or one point) smaller or larger, the least change at which it wraps clean in LibreOffice (over a few
        points of its room: the widths are a model) and in Excel; LibreOffice alone if no
        size suits both. Headers are the column widths' (:meth:`_keep_header_words_whole`);
        the one-page Dashboard (automatic row heights) is left as it is."""
        if not self.page_breaks:
            return
        ws = self.ws
        spans, covered = _merged_spans(ws)
        widths: dict[int, float] = {}
        for (r, c), cell in list(ws._cells.items()):
            if not isinstance(cell.value, str) or (r, c) in covered or not cell.has_style \
                    or not cell.alignment.wrap_text or _is_table_header(cell):
                continue
            width = sum(self._column_widths(c, spans.get((r, c), c), widths))
            size = float(cell.font.sz or 11.0)
            if self._lines_clean(cell, width, size, excel=True):
                continue
            for excel in (True, False):
                sizes = [x for x in (size - 0.5, size + 0.5, size - 1.0, size + 1.0) if x >= 8.0]
                fit = next((x for x in sizes if self._lines_clean(cell, width, x, excel=excel)),
                           None)
                if fit is not None:
                    font = copy.copy(cell.font)
                    font.sz = fit
                    cell.font = font
                    break
            else:  # no size: a column of its own moves a little if its other texts stay clean
                if (r, c) not in spans:
                    self._nudge_column(cell, size)
                    widths.pop(c, None)

    def _nudge_column(self, cell: Any, size: float) -> None:
        """The nearest width within a unit at which ``cell`` wraps clean and every other
        wrapped text of its column still does (headers: whole words, :meth:`_header_whole`)."""
        dim = self.ws.column_dimensions[get_column_letter(cell.column)]
        width = float(dim.width or styles.column_width(0.0))
        others = [x for (_, c), x in self.ws._cells.items()
                  if c == cell.column and x is not cell and isinstance(x.value, str)
                  and x.has_style and x.alignment.wrap_text]
        headers = [x for x in others if _is_table_header(x)]
        body = [x for x in others if x not in headers]
        for new in sorted((width + d / 4 for d in range(-4, 5) if d),
                          key=lambda x: (abs(x - width), -x)):
            if self._lines_clean(cell, new, size, excel=False) \
                    and all(self._header_whole(x, new) for x in headers) \
                    and all(self._lines_clean(x, new, float(x.font.sz or 11.0), excel=False)
                            for x in body):
                dim.width = new
                return

    def _lines_clean(self, cell: Any, width: float, size: float, *, excel: bool) -> bool:
        """Whether no wrapped line of ``cell`` starts with a closing mark at ``size`` pt in
        (merged) columns ``width`` units wide: in LibreOffice at its room less 0.5 to 3.5 pt
        (the model's glyph widths are LibreOffice's fonts, its padding measured), and in Excel
        at its room when ``excel``."""
        text, bold = str(cell.value), bool(cell.font.b)
        rooms = styles.printed_rooms(width)
        lo = max(rooms["libreoffice"]) + styles.LO_TEXT_PAD_PT[0]
        checks = [("libreoffice", lo - pad) for pad in (0.5, 1.5, 2.5, 3.5)]
        if excel:
            checks += [("excel", room) for room in rooms["excel"]]
        return not any(styles.closing_mark_at_line_start(text, styles.printed_breaks(
            text, room, size, bold=bold, lang=self.lang, program=program, open_holds=holds))
            for program, room in checks for holds in (True, False))

    def _anchor_charts(self) -> None:
        """Each chart a few points below the top of its first row: anchored exactly on a row
        that starts a page, its frame's top edge printed as a stray line at the foot of the
        page before."""
        from openpyxl.drawing.spreadsheet_drawing import OneCellAnchor
        from openpyxl.utils.cell import coordinate_to_tuple
        from openpyxl.utils.units import cm_to_EMU, pixels_to_EMU

        for chart in self.ws._charts:
            if not isinstance(chart.anchor, str):
                continue
            row, col = coordinate_to_tuple(chart.anchor)
            anchor = OneCellAnchor()
            anchor._from.row, anchor._from.col = row - 1, col - 1
            anchor._from.rowOff = pixels_to_EMU(CHART_TOP_PX)
            anchor.ext.width, anchor.ext.height = cm_to_EMU(chart.width), cm_to_EMU(chart.height)
            chart.anchor = anchor

    def _wrap_long_notes(self) -> None:
        """A note longer than the printed columns wraps inside them (merged over the printed
        width, its row as tall as its lines): left to overflow, its end was cut off at the
        print area's edge (the Retention list's note on the scores)."""
        last = self._last_shown_column()
        merged = {rng.min_row for rng in self.ws.merged_cells.ranges}
        for r in self._notes:
            cell = self.ws.cell(r, 1)
            lines = self._wrapped_lines(cell, last)
            if lines <= 1 or r in merged or last < 2 or any(
                    self.ws.cell(r, c).value is not None for c in range(2, last + 1)):
                continue
            self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            line = ROW_PT_PER_FONT_PT.get(self.lang, ROW_PT_PER_FONT_PT["en"]) * BODY_PT
            self.ws.row_dimensions[r].height = line * lines + 2

    def _fit_wrapped_rows(self) -> None:
        """A row holding wrapped text is as tall as its longest cell's lines, counted with the
        font's real character widths in the cell's printed width (the narrower of Excel's and
        LibreOffice's, merged cells over all their columns; :func:`styles.wrapped_line_count`)
        and the font's line height: the builders' estimates (0.85 of a digit a letter, 13 pt a
        line) left the Definitions' lineage rows a third taller than their text, so a page held
        two metrics and a tall row moved to the next page leaving half a page empty. The
        one-page Dashboard (automatic heights) is left as it is."""
        if not self.page_breaks:
            return
        ws = self.ws
        line_em = styles.LINE_EM.get(self.lang, styles.LINE_EM["en"])
        factor = ROW_PT_PER_FONT_PT.get(self.lang, ROW_PT_PER_FONT_PT["en"])
        spans, covered = _merged_spans(ws)
        widths: dict[int, float] = {}
        needed: dict[int, float] = {}
        for (r, c), cell in ws._cells.items():
            if cell.value is None or (r, c) in covered or not cell.has_style \
                    or not cell.alignment.wrap_text:
                continue
            lines = self._wrapped_lines(cell, spans.get((r, c), c), widths)
            size = float(cell.font.sz or 11.0)
            needed[r] = max(needed.get(r, 0.0), lines * line_em * size + 3.0 if lines > 1
                            else round(size * factor + 0.5, 1))  # one line: as any row
        for (r, _), cell in ws._cells.items():  # a larger font's line elsewhere in the row
            if r in needed and cell.value is not None and cell.has_style:
                needed[r] = max(needed[r], round(float(cell.font.sz or 11.0) * factor + 0.5, 1))
        for r, height in needed.items():
            ws.row_dimensions[r].height = round(height + 0.05, 1)

    def _wrapped_lines(self, cell: Any, last: int, widths: dict[int, float] | None = None) -> int:
        """Lines the text of ``cell`` takes wrapped over its columns up to ``last`` (a merged
        cell), at the columns' printed widths in the narrower program and the cell's font,
        measured with the font's glyph widths (:func:`styles.wrapped_line_count`); the one
        count behind the long notes, the narrowed columns and every wrapped row's height.
        ``widths``: a cache of column widths (Excel units) shared over one pass."""
        room = styles.cell_text_pt(self._column_widths(cell.column, last, widths))
        return styles.wrapped_line_count(str(cell.value or ""), room, float(cell.font.sz or 11.0),
                                         bold=bool(cell.font.b), lang=self.lang)

    def _column_widths(self, first: int, last: int, cache: dict[int, float] | None = None
                       ) -> list[float]:
        """The widths (Excel units) of columns ``first`` to ``last``, the default width where
        none is set; ``cache``: widths already looked up in one pass (filled in place)."""
        cache = {} if cache is None else cache
        for col in range(first, last + 1):
            if col not in cache:
                dim = self.ws.column_dimensions.get(get_column_letter(col))
                cache[col] = float(dim.width if dim is not None and dim.width
                                   else styles.column_width(0.0))
        return [cache[x] for x in range(first, last + 1)]

    def _fix_row_heights(self) -> None:
        """Every row gets an explicit height (its largest font's line, or what a wrapped row
        was given). A row left to the spreadsheet program's automatic height is measured only
        when the sheet is shown: LibreOffice paginated the sheets it had not measured with
        one height and drew them with another (a blank last page, a table's last rows pushed
        onto a near-empty page). With explicit heights the printout is what
        :meth:`_place_page_breaks` computes. The one-page Dashboard (no computed breaks)
        keeps automatic heights: its tiles' wrapped change lines grow their rows."""
        if not self.page_breaks:
            return
        factor = ROW_PT_PER_FONT_PT.get(self.lang, ROW_PT_PER_FONT_PT["en"])
        sizes: dict[int, float] = {}
        for (r, _), cell in self.ws._cells.items():
            if cell.value is not None:
                size = float(cell.font.sz or 11.0) if cell.has_style else 11.0
                sizes[r] = max(sizes.get(r, 0.0), size)
        last = max([self.ws.max_row, *(b for _, b in self._keep)])
        for r in range(1, last + 1):
            dim = self.ws.row_dimensions[r]
            if not dim.height:
                dim.height = round(sizes.get(r, BODY_PT) * factor + 0.5, 1)

    def _top_align_tall_rows(self) -> None:
        """In a row made taller for wrapped text, every cell reads from the top: a label or a
        value left at the bottom sat a line below its wrapped neighbour, so the text seemed to
        belong to the row above (the Service sheet's Resolution-rate formula)."""
        factor = ROW_PT_PER_FONT_PT.get(self.lang, ROW_PT_PER_FONT_PT["en"])
        single = 12.0 * factor + 1.0  # a line of the largest body font and a little slack
        headers = set(self._headers)
        for r, dim in list(self.ws.row_dimensions.items()):
            if r in headers or not dim.height or dim.height <= single:
                continue
            for cell in self.ws[r]:
                if cell.value is None or cell.alignment.vertical not in (None, "bottom"):
                    continue
                a = cell.alignment
                cell.alignment = Alignment(horizontal=a.horizontal, vertical="top",
                                           wrap_text=a.wrap_text, indent=a.indent)

    def _place_page_breaks(self) -> None:
        """Page breaks only where needed (issue 17 B.5), and the main table's header repeated
        on the pages it continues on. The header is repeated only when every later page
        continues that table: print titles are one setting for the whole sheet, so on a page
        holding another table or a chart the main table's header would print above content
        that is not its own (the Persistency chart page, the Service channel table)."""
        ws = self.ws
        main = self.main_table
        if main is not None and main.n_rows > PRINT_TITLES_AFTER:  # header on every page
            ws.print_title_rows = f"{main.header_row}:{main.header_row}"
        if not self.page_breaks:
            return
        starts = self._paginate()
        if main is not None and ws.print_title_rows and any(
                s > main.header_row and not main.first_row < s <= main.last_row
                for s in starts[1:]):
            ws._print_rows = None  # (the public setter ignores None)
            ws.row_breaks = RowBreak()
            starts = self._paginate()
        self.page_starts = tuple(starts)

    def _paginate(self) -> list[int]:
        """Walk the printed rows with the page's height at the sheet's print scale: a block
        that must stay on one page (a chart; a heading with its table's header and first
        rows; a short table whole) and would cross the page's end starts a new page; nothing
        else forces one, so no near-empty pages. Returns the first row of every page."""
        ws = self.ws
        last = self.print_last_row or max([ws.max_row, *(b for _, b in self._keep)])
        page = PAGE_HEIGHT_PT / self.largest_print_scale()
        # a sheet printed over pages across (at a fixed 85 %) keeps the renderer's own breaks
        # where a page is full: a forced break there printed an empty page across in
        # LibreOffice (the Chinese Cohorts matrix's last columns have no rows below a point)
        one_wide = bool(ws.sheet_properties.pageSetUpPr.fitToPage)
        repeat = 0.0
        if ws.print_title_rows:
            first = int(str(ws.print_title_rows).split(":")[0].lstrip("$"))
            repeat = self._row_height(first)
        # a table without a repeated header (all but a titled main table) that fits on a page
        # is kept on one: split, its second page's rows had no header above them
        titled = self.main_table if ws.print_title_rows else None
        whole = [(t.header_row, t.last_row) for t in self._tables if t is not titled]
        blocks = _chained_blocks([(a, b) for a, b in [*self._keep, *whole] if a <= last])
        used, r = 0.0, 1
        starts = [1]
        while r <= last:
            for end in blocks.get(r, ()) if r > 1 else ():  # the longest chain that fits
                block = sum(self._row_height(x) for x in range(r, min(end, last) + 1))
                if any(r <= c <= end for c in self._chart_rows):  # the model's page ends are
                    block += page * CHART_MARGIN  # guesses: a chart keeps a margin
                if block > page - repeat:
                    continue  # longer than a page: a shorter chain, or let it break
                if used + block > page:
                    ws.row_breaks.append(Break(id=r - 1))
                    starts.append(r)
                    used = repeat
                break
            h = self._row_height(r)
            if used + h > page and r > starts[-1]:  # the page is full: a break of our own
                start = self._start_clear_of_widows(r, starts[-1])
                # (the renderer would break a little later, and the breaks after would drift;
                # one moved up for a table's last rows is placed on a sheet printed across too)
                if one_wide or start < r:
                    ws.row_breaks.append(Break(id=start - 1))
                starts.append(start)
                used = repeat + sum(self._row_height(x) for x in range(start, r))
            used += h
            r += 1
        return starts

    def _start_clear_of_widows(self, r: int, page_start: int) -> int:
        """The first row of the page that would start at row ``r`` (the page from
        ``page_start`` is full there), moved up so that no page carries only a few rows of a
        table printed over several (:meth:`_few_rows`): a break leaving a few rows of a table
        for the next page moves up to leave :data:`MIN_ROWS_PER_PAGE`, if the page it ends
        still keeps more than a few; else, and when the table started on this page with only
        a few rows above the break, the table starts on the next page with its heading (if
        anything is left above it). ``r`` when no table is split there or nothing helps."""
        for t in self._tables:
            if not t.first_row < r <= t.last_row:
                continue
            head = max(t.first_row, page_start)
            if self._few_rows(r, t.last_row):
                moved = t.last_row - MIN_ROWS_PER_PAGE + 1
                if moved > head and not self._few_rows(head, moved - 1):
                    return moved
            elif not (t.first_row >= page_start and self._few_rows(t.first_row, r - 1)):
                return r
            top = self._block_top(t.header_row)
            return top if page_start < top else r
        return r

    def _few_rows(self, first: int, last: int) -> bool:
        """Whether rows ``first``..``last`` of a table are too few for a page of their own:
        fewer than :data:`MIN_ROWS_PER_PAGE`, and lower than as many ordinary rows (two tall
        rows of the Definitions' lineages are a page's worth, not a widow)."""
        n = last - first + 1
        height = sum(self._row_height(x) for x in range(first, last + 1))
        return n < MIN_ROWS_PER_PAGE and height < MIN_ROWS_PER_PAGE * DEFAULT_ROW_PT * 1.25

    def _block_top(self, row: int) -> int:
        """The first row of the blocks kept on one page with ``row`` (a table's header: its
        heading, and the lines kept with the heading), or ``row``."""
        top = row
        while True:
            above = min((a for a, b in self._keep if a < top <= b), default=top)
            if above == top:
                return top
            top = above

    def _row_height(self, row: int) -> float:
        dim = self.ws.row_dimensions.get(row)
        return float(dim.height if dim is not None and dim.height else DEFAULT_ROW_PT)

    def largest_print_scale(self) -> float:
        """The largest scale (1 = 100 %) either program prints the sheet at: the page model
        fills a page only up to what fits at this scale, so its page ends come before the
        program's own in Excel and in LibreOffice, and the break the model places at each
        page end is where the page really ends (no program break a little before it leaves a
        near-empty page, none after it lets later breaks drift). Fit to one page wide, Excel
        shrinks to :meth:`printed_width_cm` (7 px a width unit plus 5 px padding), LibreOffice
        to its own width of the columns (:data:`LO_PT_PER_UNIT` a unit, no padding: a sheet
        of many narrow columns, the Cohorts matrix, prints larger there and fewer rows fit);
        a fixed scale is the scale in both."""
        ws = self.ws
        if not ws.sheet_properties.pageSetUpPr.fitToPage:
            return (ws.page_setup.scale or 100) / 100
        excel = min(1.0, PRINTABLE_CM / max(self.printed_width_cm(), 1.0))
        last = self._print_columns() if self.print_last_row is not None \
            else self._last_shown_column()
        units = sum(ws.column_dimensions[get_column_letter(c)].width or styles.column_width(0.0)
                    for c in range(1, last + 1))
        libreoffice = min(1.0, PRINTABLE_CM / 2.54 * 72 / max(units * LO_PT_PER_UNIT, 1.0))
        return max(excel, libreoffice)

    def printed_width_cm(self) -> float:
        """Width of the printed columns (the print area's, else every written one), in cm."""
        last = self._print_columns() if self.print_last_row is not None \
            else self._last_shown_column()
        total = 0.0
        for c in range(1, last + 1):
            width = self.ws.column_dimensions[get_column_letter(c)].width
            total += column_cm(width or styles.column_width(0.0))
        return total

    def _keep_print_scale(self) -> None:
        """No sheet prints below :data:`MIN_PRINT_SCALE` (issue 17 B.5): one page wide when
        that fits at 85 % or more; a wider sheet prints at 85 % over more pages across, its
        first (label) column repeated on each."""
        if PRINTABLE_CM / max(self.printed_width_cm(), 1.0) * 100 >= MIN_PRINT_SCALE:
            return
        self._narrow_text_columns()
        width = max(self.printed_width_cm(), 1.0)
        if PRINTABLE_CM / width * 100 >= MIN_PRINT_SCALE:
            return
        self.ws.sheet_properties.pageSetUpPr.fitToPage = False
        self.ws.page_setup.scale = MIN_PRINT_SCALE
        self.ws.print_title_cols = "A:A"

    def _last_shown_column(self) -> int:
        """The last written column of the printed rows that is neither hidden nor a chart's
        helper column (far to the right: it neither prints nor widens anything); the chart
        data below the print area may be wider (a KM grid with its confidence bounds)."""
        from memberdesk.report.charts import HELPER_COLUMN

        hidden = {k for k, d in self.ws.column_dimensions.items() if d.hidden}
        last_row = self.print_last_row or self.ws.max_row  # chart data below: not printed
        shown = [c for (r, c), cell in self.ws._cells.items()
                 if cell.value is not None and get_column_letter(c) not in hidden
                 and c < HELPER_COLUMN and r <= last_row]
        return max(shown, default=1)

    def _widen_charts(self) -> None:
        """Charts at the printable width (issue 17 B.5): a sheet wider than the chart is
        shrunk to the page, so a 20 cm chart on a 45 cm sheet printed at 12 cm; widen it to
        the sheet's width (at most 2.4 times its height, so it stays readable)."""
        last = self._last_shown_column()
        sheet_cm = sum(column_cm(styles.column_width(self.widths.get(c, 0.0))
                                 if c not in self.fixed_widths else self.fixed_widths[c])
                       for c in range(1, last + 1))
        page_cm = float("inf")  # a sheet printed over pages across: a chart stays on the first
        if not self.ws.sheet_properties.pageSetUpPr.fitToPage:
            page_cm = PRINTABLE_CM / ((self.ws.page_setup.scale or 100) / 100) * 0.9
        for chart in self.ws._charts:
            if chart.width >= 15:  # not the dashboard's sparklines
                chart.width = min(max(chart.width, min(sheet_cm * 0.95, chart.height * 2.4)),
                                  max(page_cm, 15.0))

    def _narrow_text_columns(self) -> None:
        """A sheet a little too wide for one page at 85 %: its wide text columns (a metric
        name, a method, a definition; over :data:`NARROW_TO` wide) wrap at a narrower width,
        widest first, until the printed columns fit; rows grow for the wrapped lines.
        Merged cells are left as they are."""
        ws = self.ws
        target_cm = PRINTABLE_CM / (MIN_PRINT_SCALE / 100) * 0.99  # just under: rounding
        merged = {(r, c) for rng in ws.merged_cells.ranges
                  for r in range(rng.min_row, rng.max_row + 1)
                  for c in range(rng.min_col, rng.max_col + 1)}
        text_cols = []
        for c in range(1, self._last_shown_column() + 1):
            letter = get_column_letter(c)
            width = ws.column_dimensions[letter].width or 0.0
            cells = [ws.cell(r, c) for r in range(1, ws.max_row + 1) if (r, c) not in merged]
            # table text only: headings and notes (bold / italic) overflow, never wrap
            texts = [x for x in cells if isinstance(x.value, str) and x.value and x.row > 3
                     and not x.font.b and not x.font.i]
            if width > NARROW_TO and texts:  # numbers there are short: they still fit
                text_cols.append((width, c, texts))
        for width, c, texts in sorted(text_cols, reverse=True):
            excess = self.printed_width_cm() - target_cm
            if excess <= 0:
                return
            new = self._clear_of_one_line_band(max(NARROW_TO, width - excess / CM_PER_CHAR),
                                               texts, c)
            ws.column_dimensions[get_column_letter(c)].width = new
            for cell in texts:  # words move whole to the next line, as the program wraps
                lines = self._wrapped_lines(cell, c)
                if lines <= 1:
                    continue
                cell.alignment = Alignment(wrap_text=True, vertical="top",
                                           horizontal=cell.alignment.horizontal)
                height = ws.row_dimensions[cell.row].height or 15.0
                ws.row_dimensions[cell.row].height = max(height, 13.0 * min(lines, 12) + 2)
                for other in ws[cell.row]:  # the row's values at the top, by their label
                    if other.value is not None and other is not cell:
                        other.alignment = Alignment(
                            horizontal=other.alignment.horizontal, vertical="top",
                            wrap_text=other.alignment.wrap_text)

    def _clear_of_one_line_band(self, width: float, texts: list[Any], col: int) -> float:
        """The narrowed ``width`` of column ``col``, or a little more or less, so that no text
        of the column is one line in one program and two in the other. Lines are counted in
        the narrower program (Excel's 7 px a unit, less the cells' padding), so a text that
        LibreOffice still prints on one line in its wider column got a row of two lines, its
        second line blank (the Collected 13th/25th month sheets' measure labels: "Collected
        premium persistency" is 125.9 pt; its column of 23.2 units had 121.7 pt of room by the
        count and LibreOffice printed it 126.4 pt wide). Widened until each such text fits in
        both programs while the sheet still prints one page wide at :data:`MIN_PRINT_SCALE`;
        else narrowed until each wraps in both (not below :data:`NARROW_TO`: then ``width``)."""
        letter = get_column_letter(col)
        dim = self.ws.column_dimensions[letter]
        for grow in (True, False):
            new = width
            for _ in range(len(texts) + 1):
                tight = self._one_line_in_one_program(new, texts)
                if not tight:
                    break
                if grow:  # the room by the count reaches the widest such text
                    pt = max(tight) + styles.CELL_PAD_PT
                    new = max(pt / styles.LO_COLUMN_PT_PER_UNIT, (pt / 0.75 - 5) / 7) + 0.01
                else:  # both programs' columns narrower than the narrowest such text
                    pt = min(tight)
                    new = min(pt / styles.LO_COLUMN_PT_PER_UNIT, (pt / 0.75 - 5) / 7) - 0.01
                    if new < NARROW_TO:
                        return width
            else:
                continue
            if not grow:
                return new
            dim.width = new
            fits = PRINTABLE_CM / max(self.printed_width_cm(), 1.0) * 100 >= MIN_PRINT_SCALE
            dim.width = width
            if fits:
                return new
        return width

    def _one_line_in_one_program(self, width: float, texts: list[Any]) -> list[float]:
        """One-line widths (pt) of the texts that fit on one line in a column ``width`` units
        wide in the wider program but not by the count's room (the narrower program's)."""
        room = styles.column_text_pt(width)
        wide = max(width * styles.LO_COLUMN_PT_PER_UNIT, (width * 7 + 5) * 0.75)
        out = []
        for cell in texts:
            size, bold, text = float(cell.font.sz or 11.0), bool(cell.font.b), str(cell.value)
            if "\n" in text:
                continue
            one = styles.text_width_pt(text.strip(), size, bold=bold, lang=self.lang)
            if styles.wrapped_line_count(text, wide, size, bold=bold, lang=self.lang) == 1 \
                    and styles.wrapped_line_count(text, room, size, bold=bold, lang=self.lang) > 1:
                out.append(one)
        return out

    def _print_columns(self) -> int:
        """Columns the print area needs: every written column, and enough for the charts."""
        last = self._last_shown_column()
        need_cm = max(self._chart_widths_cm, default=0.0) + 0.5
        widths = [styles.column_width(self.widths.get(c, 0.0)) for c in range(1, last + 1)]
        while sum(column_cm(w) for w in widths) < need_cm:
            widths.append(styles.column_width(0.0))
        return len(widths)


ZERO_EVENT_CI = ("rate_lower", "rate_upper", "ae_lower", "ae_upper")


def _dash_zero_event_intervals(frame: pd.DataFrame, columns: list[str], values: Any) -> None:
    """A rate observed on zero events has no informative symmetric interval (0.0–0.0 % reads
    as certainty): its interval cells show "—" (issue 17 B.7). In place on ``values``."""
    if "actual" not in frame.columns or not any(c in frame.columns for c in ZERO_EVENT_CI):
        return
    actual = pd.to_numeric(frame["actual"], errors="coerce").to_numpy(dtype=float)
    for low, high in (ZERO_EVENT_CI[:2], ZERO_EVENT_CI[2:]):
        upper = (pd.to_numeric(frame[high], errors="coerce").to_numpy(dtype=float)
                 if high in frame.columns else np.full(len(frame), np.nan))
        # an exact upper bound put there by the sheet (> 0) is informative: kept
        rows = np.flatnonzero((actual == 0) & ~(upper > 0))
        for name in (low, high):
            if name in columns and len(rows):
                values[rows, columns.index(name)] = "—"


def _chained_blocks(keep: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Row blocks kept on one page, chained where they overlap (a heading's block reaches into
    its table's): for each block start, the ends of the chains starting there, longest first
    (a chain longer than a page falls back to a shorter one)."""
    out: dict[int, list[int]] = {}
    ordered = sorted(keep)
    for i, (start, end) in enumerate(ordered):
        ends = [end]
        reach = end
        for a, b in ordered[i + 1:]:
            if a > reach:
                break
            if b > reach:
                reach = b
                ends.append(reach)
        out.setdefault(start, []).extend(ends)
    return {k: sorted(set(v), reverse=True) for k, v in out.items()}


def _helper_column() -> int:
    from memberdesk.report.charts import HELPER_COLUMN

    return HELPER_COLUMN


def _ascii_name(title: str) -> str:
    """A sheet title as the ASCII tail of an Excel Table name ("" for a Chinese title)."""
    return re.sub(r"[^A-Za-z0-9_]", "", title.replace(" ", "_"))[:20]


def _merged_spans(ws: Any) -> tuple[dict[tuple[int, int], int], set[tuple[int, int]]]:
    """The worksheet's merged cells as (spans, covered): ``spans[(row, first column)]`` = the
    last column of a merge within one row; ``covered``, the cells whose text is not their own
    (the other cells of a one-row merge, and every cell of a block over several rows, whose
    rows keep their heights)."""
    spans: dict[tuple[int, int], int] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        if rng.max_row > rng.min_row:
            covered.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                           for c in range(rng.min_col, rng.max_col + 1))
            continue
        spans[(rng.min_row, rng.min_col)] = rng.max_col
        covered.update((rng.min_row, c) for c in range(rng.min_col + 1, rng.max_col + 1))
    return spans, covered


def _is_table_header(cell: Any) -> bool:
    """A table header cell: one in the report's header fill."""
    return cell.fill is not None and cell.fill.fgColor.rgb == styles.HEADER_FILL.fgColor.rgb
