"""Look of the report: fonts, fills, number formats, column widths, print setup.

Kept apart from the sheet content so that every sheet looks the same and a change of house
style touches one file.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

# ---- palette and fonts ---------------------------------------------------------------------------
NAVY = "1F3864"
BLUE = "2E75B6"
GREY = "595959"
LIGHT = "DDEBF7"
BEST = "E2EFDA"
WARN = "FCE4D6"

FONT_NAME = "Calibri"
# The Chinese edition's font (Office's default for Simplified Chinese since 2016; Latin glyphs
# included), set in the workbook theme and on every cell by :func:`use_language_font`.
EAST_ASIAN_FONT = "等线"
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color=NAVY)
SUBJECT_FONT = Font(name=FONT_NAME, size=12, bold=True, color=BLUE)
META_FONT = Font(name=FONT_NAME, size=9, italic=True, color=GREY)
SECTION_FONT = Font(name=FONT_NAME, size=11, bold=True, color=NAVY)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True, color="FFFFFF")
BODY_FONT = Font(name=FONT_NAME, size=10)
NOTE_FONT = Font(name=FONT_NAME, size=10, italic=True, color=GREY)
LABEL_FONT = Font(name=FONT_NAME, size=10, bold=True)

HEADER_FILL = PatternFill("solid", fgColor=NAVY)
BEST_FILL = PatternFill("solid", fgColor=BEST)
WARN_FILL = PatternFill("solid", fgColor=WARN)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_ALIGN = Alignment(vertical="top", wrap_text=True)
TOP_ALIGN = Alignment(vertical="top")
INDENT_ALIGN = Alignment(horizontal="left", indent=1)
WRAP_WIDTH = 40  # longer text wraps inside a column this wide
THIN = Side(style="thin", color="BFBFBF")
HEADER_BORDER = Border(bottom=THIN)
BOX_SIDE = Side(style="medium", color="C55A11")
BOX_BORDER = Border(left=BOX_SIDE, right=BOX_SIDE, top=BOX_SIDE, bottom=BOX_SIDE)
SMALL_SAMPLE_FONT = Font(name=FONT_NAME, size=10, color="A6A6A6")  # rows on few observations
FAILURE_FONT = Font(name=FONT_NAME, size=10, bold=True, color="833C0B")

# ---- number formats -----------------------------------------------------------------------------
FORMATS: dict[str, str] = {
    "pct": "0.0%",
    "pct0": "0%",
    "int": "#,##0",
    "money": "#,##0",
    "num": "#,##0.00",
    "dec1": "0.0",
    "dec3": "0.000",
    "p": '[<0.0001]"<0.0001";0.0000',
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "General",
}

# Analysis columns whose values are shares (shown as 0.0%).
PCT_COLUMNS: frozenset[str] = frozenset({
    "survival", "incidence", "cif", "rate", "expected_rate", "ae", "ratio_premium", "ratio_count",
    "persistency", "bot_replacement_rate", "human_connection_rate", "csat", "resolution_rate",
    "payout_ratio", "decline_rate", "lapsed", "surrendered", "death", "matured", "other",
    "retention", "share", "usage_rate",
})
_PCT_SUFFIX = re.compile(r"(_rate|_ratio|_share|_pct|survival|retention|persistency)$")
_INT_COLUMNS: frozenset[str] = frozenset({
    "n", "events", "censored", "at_risk", "count", "actual", "uses", "users", "members",
    "contacts", "claims", "paid", "declined", "open", "read", "accepted", "rejected",
    "out_of_window", "row", "size", "policy_year", "calendar_year", "cohort_policies",
    "persisting_policies", "n_params", "degrees_of_freedom", "issue_year",
})
_MONEY_COLUMNS: frozenset[str] = frozenset({
    "cost", "amount_claimed", "amount_paid", "cohort_premium", "persisting_premium",
    "annual_premium", "premium", "sum_assured",
})


def infer_format(column: str, values: pd.Series) -> str:
    """Number-format kind for a column, from its name first and its dtype second."""
    name = str(column).lower()
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_bool_dtype(values):
        return "text"
    if not pd.api.types.is_numeric_dtype(values):
        return "text"
    if name in PCT_COLUMNS or _PCT_SUFFIX.search(name):
        return "pct"
    if name in _MONEY_COLUMNS or name.startswith("amount"):
        return "money"
    if name in _INT_COLUMNS or name.endswith(("_count", "_n", "_number")):
        return "int"
    if name in ("p_value", "ph_p_value") or name.endswith("p_value"):
        return "p"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = arr[np.isfinite(arr)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() >= 10:
        return "int"
    return "num"


# ---- widths -------------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Characters a string takes in a fixed-width view: CJK and full-width count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def value_width(value: Any, fmt: str) -> int:
    """Approximate width of ``value`` shown with the number-format kind ``fmt``."""
    if value is None:
        return 0
    if isinstance(value, str):
        return display_width(value)
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.datetime, dt.date)):
        return 16 if fmt == "datetime" else 10
    if isinstance(value, (int, float)):
        v = float(value)
        if fmt == "pct":
            return len(f"{v * 100:.1f}%")
        if fmt == "pct0":
            return len(f"{v * 100:.0f}%")
        if fmt in ("int", "money"):
            return len(f"{v:,.0f}")
        if fmt == "dec1":
            return len(f"{v:.1f}")
        if fmt == "dec3":
            return len(f"{v:.3f}")
        if fmt == "p":
            return len(f"{v:.4f}")
        return len(f"{v:,.2f}")
    return display_width(str(value))


MIN_WIDTH, MAX_WIDTH, HEADER_MAX = 8.0, 60.0, 9  # longer headers wrap (narrow printouts)


def column_width(chars: float) -> float:
    """Excel column width for content ``chars`` wide (a little padding for filter buttons)."""
    return float(min(MAX_WIDTH, max(MIN_WIDTH, chars + 3)))


# ---- print setup --------------------------------------------------------------------------------
def setup_print(ws: Worksheet, *, title: str, as_of_text: str, page_text: str) -> None:
    """Landscape A4, one page wide (as many pages tall as needed), repeated header/footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = title
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = as_of_text
    ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = page_text
    ws.oddFooter.center.size = 9
    ws.oddFooter.right.text = "&A"
    ws.oddFooter.right.size = 9


def use_language_font(wb: Any, lang: str) -> None:
    """The Chinese edition in an East-Asian font: the theme's East-Asian (ea/Hans) font and
    every cell's font become :data:`EAST_ASIAN_FONT` (a Calibri cell falls back to a random CJK
    font, often a serif one, in Excel and LibreOffice). English is left as it is."""
    if lang != "zh_CN":
        return
    from openpyxl.writer.theme import theme_xml

    theme = theme_xml if wb.loaded_theme is None else wb.loaded_theme
    if isinstance(theme, bytes):
        theme = theme.decode("utf-8")
    theme = re.sub(r'<a:ea typeface="[^"]*"/>', f'<a:ea typeface="{EAST_ASIAN_FONT}"/>', theme)
    theme = re.sub(r'<a:font script="Hans" typeface="[^"]*"/>',
                   f'<a:font script="Hans" typeface="{EAST_ASIAN_FONT}"/>', theme)
    wb.loaded_theme = theme.encode("utf-8")
    fonts: dict[Any, Font] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                key = copy.copy(cell.font)  # a Font (hashable), not the cell's proxy
                font = fonts.get(key)
                if font is None:
                    font = fonts[key] = copy.copy(key)
                    font.name, font.charset = EAST_ASIAN_FONT, 134  # 134: GB2312
                cell.font = font
