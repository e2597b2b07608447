"""Missing-value tokens in every column type, mostly-numeric extra columns (#10 point 5)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from memberdesk.cli import main
from memberdesk.core import normalize
from memberdesk.core.loader import load_dataset

TOKENS = ["NA", "N/A", "NaN", "null", "NULL", "None", "-", "—", "#N/A", "", "   "]


@pytest.mark.parametrize("token", TOKENS)
def test_every_token_is_missing_in_every_column_type(token: str) -> None:
    cells = pa.array([token, " " + token + " "])
    assert normalize.is_empty(normalize.as_string_array(cells)).all()
    nums, bad = normalize.parse_numbers(cells)
    assert np.isnan(nums).all() and not bad.any()
    dates, bad = normalize.parse_dates(cells)
    assert dates.isna().all() and not bad.any()
    flags, bad = normalize.parse_bools(cells)
    assert flags.isna().all() and not bad.any()
    assert list(normalize.clean_text(cells)) == [None, None]


def test_the_token_list_is_configurable() -> None:
    try:
        normalize.set_missing_tokens(["?"])
        assert normalize.is_empty(pa.array(["?", "NA"])).tolist() == [True, False]
    finally:
        normalize.set_missing_tokens()
    assert normalize.is_empty(pa.array(["?", "NA"])).tolist() == [False, True]


def test_r_write_csv_na_keeps_the_column_numeric(tmp_path: Path) -> None:
    # R's write.csv writes NA for a missing ph.ecog: the column stays numeric, 1 missing.
    rows = ["policy_id,duration,event,ph_ecog"] + [f"P{i},{i + 1},{i % 2},{i % 3}" for i in range(9)]
    rows.append('P9,10,1,NA')
    f = tmp_path / "lung.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ds = load_dataset([f], duration_col="duration", event_col="event")
    col = ds.validated["policies"]["ph_ecog"]
    assert col.dtype == float and int(col.isna().sum()) == 1


def test_mostly_numeric_extra_column_is_numeric_and_reported(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # 19 numbers and one stray word: numeric, the word's cell missing, and said so.
    rows = ["policy_id,issue_date,score"] + [f"P{i},2021-01-{i + 1:02d},{i}" for i in range(19)]
    rows.append("P19,2021-01-20,unknown")
    f = tmp_path / "policies.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ds = load_dataset([f])
    score = ds.validated["policies"]["score"]
    assert score.dtype == float and int(score.isna().sum()) == 1
    (message,) = [m for m in ds.report.messages if "'score'" in m]
    assert "1 cell(s) that are not numbers" in message and "row 21" in message
    assert "unknown" in message
    assert main(["validate", str(f), "--json"]) == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    assert any("'score'" in m for m in table["messages"])


def test_a_text_column_stays_text(tmp_path: Path) -> None:
    rows = ["policy_id,issue_date,note"] + [f"P{i},2021-01-{i + 1:02d},{w}"
                                            for i, w in enumerate(["a", "b", "1", "c"] * 3)]
    f = tmp_path / "policies.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load_dataset([f]).validated["policies"]["note"].dtype == object
