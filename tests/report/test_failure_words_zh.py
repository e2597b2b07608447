"""A part of the Chinese workbook that cannot be computed says why in Chinese when the analysis
gave a reason code (it printed the English sentence), and the English workbook keeps its words."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import CATALOGUE
from memberdesk.report.workbook import write_report

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _texts(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [v for ws in wb for row in ws.iter_rows(values_only=True) for v in row
            if isinstance(v, str)]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_why_benefit_retention_is_missing(lang: str, tmp_path: Path) -> None:
    # policies issued by then, no benefit used yet: the users-vs-non-users panel cannot run
    ds = load_dataset([SAMPLE], as_of=pd.Timestamp("2018-08-10"))
    path = tmp_path / f"r_{lang}.xlsx"
    write_report(ds, path, lang=lang)
    texts = _texts(path)
    words = CATALOGUE["benefits_no_usage"][lang]
    assert any(words in t for t in texts)
    if lang == "zh_CN":
        assert not any(CATALOGUE["benefits_no_usage"]["en"] in t for t in texts)
