"""A page that cannot compute its analysis on the data says why in the reader's language when
the analysis gave a reason code (AnalysisError(Reason)), as the error dialog does."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from memberdesk.core.errors import AnalysisError
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import CATALOGUE, Reason


def test_error_dialog_words_are_chinese(zh_cn: list[str]) -> None:
    from memberdesk.ui.shell.dialogs import describe_error

    _title, message, where = describe_error(AnalysisError(Reason("no_policies"), column="channel"))
    assert message == CATALOGUE["no_policies"]["zh_CN"]
    assert "channel" in where


def test_a_page_on_an_empty_window_says_it_in_chinese(zh_cn: list[str], sample_data: Path,
                                                      show_page) -> None:  # type: ignore[no-untyped-def]
    ds = load_dataset([sample_data], as_of=pd.Timestamp("2000-01-01"))  # before every issue
    page = show_page("retention", ds)
    shown = page.message.text()
    assert CATALOGUE["no_policies"]["zh_CN"] in shown, shown
    assert CATALOGUE["no_policies"]["en"] not in shown


def test_the_benefits_page_says_why_retention_is_missing_in_chinese(
        zh_cn: list[str], sample_data: Path, show_page) -> None:  # type: ignore[no-untyped-def]
    # policies issued by then, but no benefit used yet: the retention comparison cannot run
    ds = load_dataset([sample_data], as_of=pd.Timestamp("2018-08-10"))
    assert ds.benefit_usage is None or len(ds.benefit_usage) == 0
    page = show_page("benefits", ds)
    shown = page.explain.text()
    assert CATALOGUE["benefits_no_usage"]["zh_CN"] in shown, shown
    assert CATALOGUE["benefits_no_usage"]["en"] not in shown
