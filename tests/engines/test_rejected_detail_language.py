"""An engine book's rejected sample says what is wrong with each cell in the reader's language,
in the file path's words for that check (it said only what the reason means, and before that in
English only). Truth: the words written out here (tests/engines/test_engine_row_details.py holds
them equal to the file path's on a hostile book)."""
from __future__ import annotations

from pathlib import Path

from memberdesk.core.engine.book import open_book
from memberdesk.core.validation_report import rejected_for_people

from .conftest import write_duckdb
from .test_rejected_export import TODAY, _table

MEANINGS = {
    "missing_id": ("policy_id is empty", "保单号为空"),
    "unknown_status": (None, "不属于以下取值之一：in_force, lapsed, surrendered, death, matured, "
                             "other, waived"),
    "negative_amount": ("annual_premium must be zero or more", "年化保费（元）应为零或正数"),
    "future_date": (f"after today ({TODAY.isoformat()})", f"晚于今天（{TODAY.isoformat()}）"),
}


def test_engine_rejected_details_follow_the_language(tmp_path: Path) -> None:
    table, _ = _table()
    url = write_duckdb(tmp_path / "book.duckdb", {"policies": table})
    ds = open_book(url, today=TODAY)
    try:
        frame = ds.report.rejected
        zh = rejected_for_people(frame, "zh_CN").set_index("reason")["detail"]
        en = rejected_for_people(frame, "en").set_index("reason")["detail"]
        for code, (english, chinese) in MEANINGS.items():
            assert zh[code] == chinese
            assert en[code] and en[code] != chinese  # English words, not blank
            if english is not None:
                assert en[code].rstrip(".").lower() == english.rstrip(".").lower()
    finally:
        assert ds.book is not None
        ds.book.close()

