"""The workbook names each sheet as the window names its page (issue 17: the report shows what
the screen shows), in both languages.

Truth: the page registry's titles, which the window's navigation shows. A sheet built from a page
carries that page's title (or one part of a two-part title, e.g. Persistency & Cohorts) in its
tab name or its subject line, so a manager reading the workbook finds the page an analyst
mentions. The dashboard is the exception by design: an overview of the cockpit page.
"""
from __future__ import annotations

import re

import pytest

from memberdesk.page_registry import PAGES
from memberdesk.report.report_strings import SHEETS, SUBJECTS

_OVERVIEWS = {"dashboard"}


def _parts(title: str) -> list[str]:
    return [p.strip().lower() for p in re.split(r"&|与| and ", title) if p.strip()]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_each_sheet_carries_its_pages_title(lang: str) -> None:
    for page in PAGES:
        title = page.title if lang == "en" else page.title_zh
        for sheet in page.sheets:
            if sheet in _OVERVIEWS:
                continue
            shown = (SHEETS[sheet][lang] + " " + SUBJECTS[sheet][lang]).lower()
            assert any(part in shown for part in _parts(title)), (sheet, lang, title, shown)


def test_chinese_sheet_names_use_full_width_brackets() -> None:
    """Chinese text in the workbook brackets with （）, as the window's titles do."""
    for sheet, names in SHEETS.items():
        assert "(" not in names["zh_CN"] and ")" not in names["zh_CN"], sheet
