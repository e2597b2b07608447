"""Look of the report: fonts, fills, number formats, column widths, print setup.

Kept apart from the sheet content so that every sheet looks the same and a change of house
style touches one file.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from memberdesk.report import zh_words

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
    "dec4": "0.0000",  # small rates per month (a life table's hazard ~0.002 read "0.00")
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
    return sum(2 if _cjk(ch) else 1 for ch in text)


def _cjk(ch: str) -> bool:
    """A CJK or full-width character (a full em wide, two columns in a fixed-width view)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


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
        if fmt == "dec4":
            return len(f"{v:.4f}")
        if fmt == "p":
            return len(f"{v:.4f}")
        return len(f"{v:,.2f}")
    return display_width(str(value))


# Advance widths (thousandths of an em) of the printable ASCII characters ' '..'~' in Calibri,
# regular and bold: the font's published metrics, which Carlito (LibreOffice's stand-in for
# Calibri) shares glyph for glyph, so a line of text is as wide in Excel as in LibreOffice.
_CALIBRI = (
    "226 326 401 498 507 715 682 221 303 303 498 498 250 306 252 386 507 507 507 507 507 507 "
    "507 507 507 507 268 268 498 498 498 463 894 579 544 533 615 488 459 631 623 252 319 520 "
    "420 855 646 662 517 673 543 459 487 642 567 890 519 487 468 307 386 307 498 498 291 479 "
    "525 423 525 498 305 471 525 229 239 455 229 799 525 527 525 525 349 391 335 525 452 715 "
    "433 453 395 314 460 314 498")
_CALIBRI_BOLD = (
    "226 326 438 498 507 729 705 233 312 312 498 498 258 306 267 430 507 507 507 507 507 507 "
    "507 507 507 507 276 276 498 498 498 463 898 606 561 529 630 488 459 637 631 267 331 547 "
    "423 874 659 676 532 686 563 473 495 653 591 906 551 520 478 325 430 325 498 498 300 494 "
    "537 418 537 503 316 474 537 246 255 480 246 813 537 538 537 537 355 399 347 537 473 745 "
    "459 474 397 344 475 344 498")
ASCII_EM = {False: tuple(int(x) / 1000 for x in _CALIBRI.split()),
            True: tuple(int(x) / 1000 for x in _CALIBRI_BOLD.split())}
OTHER_EM = 0.84  # a symbol outside ASCII (arrows, ≥, −): the widest a fallback font draws it
# The Chinese edition's Latin text: 等线 in Excel (about 1.08 times Calibri's width); where it
# is missing, LibreOffice draws DejaVu Sans, 1.27 times Calibri's width: the wider is assumed
LATIN_EM_FACTOR = {"en": 1.0, "zh_CN": 1.3}
# height of one line of wrapped text per point of font size: Calibri 1.22 em in LibreOffice,
# 17 px for 10 pt in Excel (1.275); 等线 1.3 em in Excel (its 11 pt rows are 14.25 pt), and
# LibreOffice's stand-ins for it (DejaVu Sans with Noto Sans CJK) measured at 1.25
LINE_EM = {"en": 1.275, "zh_CN": 1.35}
CELL_PAD_PT = 4.0  # a cell's text starts and ends about 2 pt inside its borders
# a column's printed width per Excel width unit: LibreOffice 5.44 pt (measured on its PDF),
# Excel 7 px + 5 px padding at 96 dpi; text wraps inside the narrower
LO_COLUMN_PT_PER_UNIT = 5.44


def text_width_pt(text: str, size: float, *, bold: bool = False, lang: str = "en") -> float:
    """Printed width (pt) of one line of ``text`` in the report's font at ``size`` pt: Calibri's
    advance widths for ASCII (times :data:`LATIN_EM_FACTOR` in the Chinese edition), a full em
    for CJK and full-width characters, :data:`OTHER_EM` for any other symbol."""
    return _em_width(text, ASCII_EM[bold], LATIN_EM_FACTOR.get(lang, 1.0), OTHER_EM) * size


def _em_width(text: str, ascii_em: Sequence[float], latin: float, other: float,
              symbols: Mapping[str, float] | None = None) -> float:
    """Width of ``text`` in ems: ``ascii_em`` per printable ASCII character (times
    ``latin``), a full em for CJK and full-width characters, ``symbols`` for the characters it
    lists and ``other`` for any other."""
    em = 0.0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            em += ascii_em[code - 32] * latin
        elif _cjk(ch):
            em += 1.0
        elif symbols is not None and ch in symbols:
            em += symbols[ch]
        else:
            em += other
    return em


def column_text_pt(width: float) -> float:
    """Room (pt) for text in a column ``width`` Excel units wide, in the narrower program."""
    return min(width * LO_COLUMN_PT_PER_UNIT, (width * 7 + 5) * 0.75) - CELL_PAD_PT


def cell_text_pt(widths: Iterable[float]) -> float:
    """Room (pt) for text in a cell over columns ``widths`` Excel units wide (a merged cell:
    all its columns, the cell's padding once)."""
    return sum(column_text_pt(w) + CELL_PAD_PT for w in widths) - CELL_PAD_PT


_BREAKS = re.compile(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef]+\s*|\s+")


def wrapped_line_count(text: str, room_pt: float, size: float, *, bold: bool = False,
                       lang: str = "en") -> int:
    """Lines ``text`` takes wrapped in ``room_pt`` of width: a Latin word (with the spaces
    after it) moves whole to the next line, a word wider than the room is cut, CJK characters
    break anywhere; a line break in the text starts a line. Spreadsheet programs also break
    after a hyphen or a comma: breaking only at spaces counts at most a line more."""
    room = max(room_pt, 1.0)
    total = 0
    for line in str(text).split("\n"):
        lines, used = 1, 0.0
        for token in _BREAKS.findall(line):
            word = token.rstrip()
            tail = text_width_pt(token[len(word):], size, bold=bold, lang=lang)
            width = text_width_pt(word, size, bold=bold, lang=lang)
            if word and used + width > room and used > 0:
                lines, used = lines + 1, 0.0
            while width > room:  # a word wider than the column is cut
                lines, width = lines + 1, width - room
            used += width + tail
        total += lines
    return total


def wrapped_lines(text: str, room_pt: float, size: float, *, bold: bool = False,
                  lang: str = "en") -> list[str]:
    """The lines of ``text`` wrapped in ``room_pt`` of width, by the rule of
    :func:`wrapped_line_count` (a Latin word moves whole to the next line, CJK characters break
    anywhere: before a closing bracket too, as LibreOffice breaks a cell's text); a word wider
    than the room stays on a line of its own. For where a header breaks, not how many lines."""
    room = max(room_pt, 1.0)
    out: list[str] = []
    for line in str(text).split("\n"):
        current, used = "", 0.0
        for token in _BREAKS.findall(line):
            word = token.rstrip()
            width = text_width_pt(word, size, bold=bold, lang=lang)
            if word and used + width > room and current.strip():
                out.append(current.rstrip())
                current, used = "", 0.0
            current += token
            used += width + text_width_pt(token[len(word):], size, bold=bold, lang=lang)
        out.append(current.rstrip())
    return out


# a line of a wrapped header may not start with one of these (a bracket's or a sentence's
# closing mark alone: "期初保单数（件" over "）") nor end with an opening bracket
CLOSING_MARKS = ")]}）】」』〕，。、：；！？%"
OPENING_MARKS = "([{（【「『〔"
SHORT_BRACKET = 4  # characters inside a bracket ("（每月）", "(%)") kept on one line
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")


def breaks_at_a_bracket(lines: list[str]) -> bool:
    """Whether wrapped ``lines`` part a bracket from its text: a line after the first that
    starts with a closing mark, one before the last that ends with an opening bracket, a
    short bracketed unit split over two lines ("风险率（每" over "月）"), or a last line of a
    single Chinese character ("剔除：豁免保" over "费")."""
    shown = [x.strip() for x in lines if x.strip()]
    if any(x[0] in CLOSING_MARKS for x in shown[1:]) or any(
            x[-1] in OPENING_MARKS for x in shown[:-1]):
        return True
    if len(shown) > 1 and len(shown[-1]) == 1 and display_width(shown[-1]) == 2:
        return True
    return any("\n" in m.group(1) and len(m.group(1).replace("\n", "")) <= SHORT_BRACKET
               for m in _BRACKETED.finditer("\n".join(shown)))


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


# ---- where a printed line breaks: closing marks and words kept whole -------------------------
# Advance widths (thousandths of an em) of ' '..'~' in DejaVu Sans, regular and bold: the font
# LibreOffice draws the Chinese edition's Latin text in where 等线 is missing (its PDF embeds
# it); the font's hmtx table over its 2048 units an em.
_DEJAVU = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 "
    "636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 "
    "557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 "
    "635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 "
    "592 592 525 636 337 636 838")
_DEJAVU_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 "
    "696 696 696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 "
    "637 995 837 850 733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 "
    "716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 "
    "645 652 582 712 365 712 838")
DEJAVU_EM = {False: tuple(int(x) / 1000 for x in _DEJAVU.split()),
             True: tuple(int(x) / 1000 for x in _DEJAVU_BOLD.split())}
# and of the symbols the workbook's texts use (regular; bold within a few per cent)
DEJAVU_SYMBOL_EM = {ch: int(w) / 1000 for ch, w in (
    x.split(":") for x in (
        "¬:838 ²:401 ·:318 ¹:401 ×:838 ÷:838 Π:752 Σ:632 Φ:787 α:659 β:638 λ:592 μ:636 "
        "ρ:635 σ:634 χ:578 ᵢ:179 •:590 ⁻:528 ₋:528 ₖ:426 ←:838 ↳:838 ∈:871 −:838 √:637 "
        "∧:732 ∨:732 ≤:838 ≥:838 ■:945 ▲:769 ▼:769").split())}
# LibreOffice prints a column 5.55 pt a width unit at 100 % (measured on its PDF: 10 units
# 55.5 pt, 41 units 227.5 pt) and wraps a cell's text in the column less 1.0 to 2.1 pt (a
# column of 20 units, 111 pt, holds ten 10 pt CJK characters a line, one of 13 units seven)
LO_PRINTED_PT_PER_UNIT = 5.55
LO_TEXT_PAD_PT = (1.0, 2.1)
# Excel's 等线 Latin letters are about 1.08 times Calibri's (LATIN_EM_FACTOR takes the wider
# DejaVu for the line count)
EXCEL_LATIN_FACTOR = {"en": 1.0, "zh_CN": 1.08}
# break opportunities as LibreOffice wraps a cell: at spaces, after a hyphen, and between any
# two CJK or full-width characters (before a closing mark too: it applies no kinsoku rule)
_PRINTED_BREAKS = re.compile(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef-]+-?|-|\s+")
# in Latin text a space is no break opportunity before these (Unicode line breaking, which
# LibreOffice follows outside CJK text): ".tsv .txt" and "a )" stay on one line; nor is the
# place after an opening bracket before Latin text ("（.csv"; before Chinese it is: "（" | "件）")
_NO_BREAK_BEFORE = ".,;:!?/)]}"
# a printed line may not start with one of these (kinsoku): the closing marks of a bracket, a
# clause or a sentence, a unit sign
LINE_START_FORBIDDEN = CLOSING_MARKS + "》〉’”"
LINE_END_FORBIDDEN = OPENING_MARKS + "《〈‘“"


def _printed_width_pt(text: str, size: float, bold: bool, lang: str, program: str) -> float:
    if program == "excel":
        return _em_width(text, ASCII_EM[bold], EXCEL_LATIN_FACTOR.get(lang, 1.0), OTHER_EM) * size
    if lang == "zh_CN":  # LibreOffice: DejaVu Sans for the Latin text, DejaVu's symbols
        return _em_width(text, DEJAVU_EM[bold], 1.0, 0.838, DEJAVU_SYMBOL_EM) * size
    return _em_width(text, ASCII_EM[bold], 1.0, OTHER_EM) * size  # LibreOffice: Carlito


def text_fits(text: str, room_pt: float, size: float, *, bold: bool = False,
              lang: str = "en", program: str = "libreoffice") -> bool:
    """Whether one line of ``text`` at ``size`` pt fits ``room_pt`` as ``program`` prints it
    (a number that does not fit its column prints as "###")."""
    return _printed_width_pt(text, size, bold, lang, program) <= room_pt


def printed_breaks(text: str, room_pt: float, size: float, *, bold: bool = False,
                   lang: str = "en", program: str = "libreoffice",
                   open_holds: bool = True) -> list[int]:
    """Where the wrapped ``text`` starts a new line in ``room_pt`` of width: the offsets into
    ``text`` of every wrapped line's first character (lines the text itself starts after a
    "\\n" are not breaks). A greedy fill as ``program`` ("libreoffice" or "excel") wraps a
    cell, with that program's fonts: a line ends at the last break opportunity (a space, after
    a hyphen, between two CJK characters) that fits; a word wider than the room is cut.
    ``open_holds``: no break between an opening bracket and Latin text after it (LibreOffice
    kept "（.csv" together in one printout and broke it in another: check both)."""
    room = max(room_pt, 1.0)
    out: list[int] = []
    start = 0
    for line in text.split("\n"):
        units: list[str] = []  # text between two break opportunities, its spaces after it
        for token in _PRINTED_BREAKS.findall(line):
            if units and (token.isspace() or (token[0] in _NO_BREAK_BEFORE
                                              and units[-1][-1:].isspace())
                          or (open_holds and units[-1][-1] in OPENING_MARKS
                              and not _cjk(token[0]))):
                units[-1] += token
            else:
                units.append(token)
        used, pos = 0.0, start
        for unit in units:
            word = unit.rstrip()
            width = _printed_width_pt(word, size, bold, lang, program)
            if pos > start and word and used + width > room:
                out.append(pos)
                used = 0.0
            cut = pos
            while width > room:  # a unit wider than the line is cut where the line is full
                fit, taken = 0, 0.0
                while fit < len(word) - 1:
                    char = _printed_width_pt(word[fit], size, bold, lang, program)
                    if taken + char > room:
                        break
                    taken += char
                    fit += 1
                fit = max(fit, 1)
                cut += fit
                out.append(cut)
                word = word[fit:]
                width = _printed_width_pt(word, size, bold, lang, program)
            used += width + _printed_width_pt(unit[len(unit.rstrip()):], size, bold, lang,
                                              program)
            pos += len(unit)
        start += len(line) + 1
    return out


def printed_rooms(width: float) -> dict[str, tuple[float, ...]]:
    """Room (pt) for a cell's text in a column ``width`` Excel units wide, per program:
    LibreOffice's over its measured padding, Excel's 7 px a unit plus 5 px less 2 px a side."""
    lo = width * LO_PRINTED_PT_PER_UNIT
    return {"libreoffice": (lo - LO_TEXT_PAD_PT[1], lo - sum(LO_TEXT_PAD_PT) / 2,
                            lo - LO_TEXT_PAD_PT[0]),
            "excel": ((width * 7 + 5) * 0.75 - CELL_PAD_PT,)}


def closing_mark_at_line_start(text: str, breaks: Iterable[int]) -> bool:
    """Whether a wrapped line of ``text`` (broken at ``breaks``) starts with a closing mark
    ("）", "，", "。" ...) or the line before it ends with an opening one (kinsoku)."""
    for b in breaks:
        before = text[:b].rstrip()
        if text[b] in LINE_START_FORBIDDEN or (before and before[-1] in LINE_END_FORBIDDEN):
            return True
    return False


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalpha() or ch == "%")


def splits_a_word(text: str, breaks: Iterable[int]) -> bool:
    """Whether a wrapped header breaks inside a word or a term: a break is whole-word only at
    a space, after a closing mark or a separator ("）", "、", "：", "/", "×"), before an opening
    bracket, where Latin letters meet Chinese ("Kaplan-Meier" | "生存率"), before a number
    after Chinese ("中位数" | "95%置信下限", not "第" | "13个月": :data:`zh_words.NUMBER_PREFIXES`),
    or between two Chinese words of the report's word list (:mod:`memberdesk.report.zh_words`:
    "年化失效" | "退保率"). A break after a hyphen ("ever-" over "users", "2025-" over
    "06-30"), a cut word, one between a number and its unit ("13" | "个月") or inside a Chinese
    word ("继续" over "率", "95%置" over "信下限", "中位" over "数") splits one."""
    words = zh_words.cjk_word_breaks(text)
    for b in breaks:
        before, after = text[b - 1], text[b]
        if before.isspace() or after.isspace() or before in CLOSING_MARKS + "、/／·×" \
                or after in OPENING_MARKS or b in words:
            continue
        if _cjk(before) != _cjk(after) and (_latin(before) or _latin(after)):
            continue
        if _cjk(before) and after.isdigit() and before not in zh_words.NUMBER_PREFIXES:
            continue
        return True
    return False
