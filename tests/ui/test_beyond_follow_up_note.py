"""Retention page: a year beyond follow-up is blank with the last time observed *and its unit*
(issue 17 C.11). The note read "last time observed: 35.9" beside a Years column, a number that
could be read as years; it now says months (or days), in both languages."""
from __future__ import annotations

import re

import pandas as pd

from memberdesk.core.dataset import Filters
from tests.report.conftest import make_dataset


def _notes(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.at_model
    frame = model.frame()
    return [str(v) for v in frame["note"] if str(v)]


def test_beyond_follow_up_note_names_its_unit(show_page) -> None:  # type: ignore[no-untyped-def]
    # policies issued from 2022-01-01 seen to 2024-12-31: under 36 months of follow-up, so the
    # 3- and 5-year rows are beyond it
    ds = make_dataset(400).with_filters(Filters(issue_from=pd.Timestamp("2022-01-01")))
    page = show_page("retention", ds)
    notes = _notes(page)
    assert notes, "no row beyond follow-up"
    for note in notes:
        m = re.fullmatch(r"beyond follow-up \(last time observed: (\d+\.\d) months\)", note)
        assert m is not None, note
        assert float(m.group(1)) < 36.0  # issued 2022-01-01 or later, seen to 2024-12-31


def test_beyond_follow_up_note_in_chinese(show_page, zh_cn) -> None:  # type: ignore[no-untyped-def]
    ds = make_dataset(400).with_filters(Filters(issue_from=pd.Timestamp("2022-01-01")))
    page = show_page("retention", ds)
    notes = _notes(page)
    assert notes and all(re.fullmatch(r"超出随访期（最后观察时间：\d+\.\d 个月）", n) for n in notes), notes
