"""An engine book's rejected sample says what each reason means in the reader's language (the
file path renders its row details through the reason catalogue; the engine sample did so in
English only). Truth: the catalogue's meanings written out here."""
from __future__ import annotations

from pathlib import Path

from memberdesk.core.engine.book import open_book
from memberdesk.core.validation_report import rejected_for_people

from .conftest import write_duckdb
from .test_rejected_export import TODAY, _table

MEANINGS = {
    "missing_id": ("The row has no id in a required id column.", "必填的编号列为空。"),
    "unknown_status": (None, "状态不属于已知的状态取值。"),
    "negative_amount": (None, "应为零或正数的金额为负数。"),
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

