"""A Cox fit on an engine book with a study start reads the rows and says so (``rows_read_entry``
with ``columns`` = "study start"): in Chinese the note must be Chinese throughout, the study
start named in words (研究起始日), not the English placeholder; the English stays as it was.

Truth: the catalogue's Chinese sentence for delayed entry, written out here.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from memberdesk.analysis.cox import fit_cox
from memberdesk.core.engine.book import open_book
from memberdesk.core.reasons import Reason

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

TODAY = dt.date(2026, 12, 5)


def test_study_start_note_is_chinese(engine_books: Any) -> None:
    url, refs = engine_books("duckdb", "sample")
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        got = fit_cox(eng.with_study_start("2022-01-01"), ["channel"])
    finally:
        eng.book.close()
    notes = [r for r in got.reasons if r.code == "rows_read_entry"]
    assert len(notes) == 1
    params = dict(notes[0].params)
    assert params["columns"] == "study start"  # the JSON parameter is unchanged
    assert notes[0].text.startswith("delayed entry (study start) needs each row's entry time")
    zh = Reason(notes[0].code, **params).text("zh_CN")
    assert zh == "延迟进入（研究起始日）需要每行的进入时间：本次拟合从duckdb引擎读取了接受的行"
    # an entry column keeps its own name (a user's column, not our word)
    assert Reason("rows_read_entry", columns="start", engine="duckdb").text("zh_CN") \
        == "延迟进入（start）需要每行的进入时间：本次拟合从duckdb引擎读取了接受的行"
