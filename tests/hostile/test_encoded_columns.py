"""Repetitive text columns are dictionary-encoded by the CSV reader (memory of big files): the
validated frame and the report are exactly those of the plain text columns."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.core import readers
from memberdesk.core.identify import read_file
from memberdesk.core.loader import load_dataset


def _book(path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 3000
    statuses = np.array(["in force", " lapsed ", "有效", "退保", "NA", "weird", ""])
    dates = np.array(["2021-01-05", "2021/2/3", " 2021-03-01", "2021-02-30", "NA", "", "20210405"])
    premiums = np.array(["100", " 1,234.5", "NA", "-5", "abc", "", "12%"])
    lines = ["policy_id,issue_date,end_date,status,channel,annual_premium,segment"]
    for i in range(n):
        lines.append(",".join([f"P{i % 2900}", rng.choice(dates), rng.choice(dates),
                               rng.choice(statuses), rng.choice(["agency", " bank", "—", ""]),
                               '"' + rng.choice(premiums) + '"', rng.choice(["a", "b", "7", "NA"])]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_encoded_and_plain_columns_validate_identically(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "policies.csv")
    (raw,) = read_file(path).tables
    assert pa.types.is_dictionary(raw.data.column("status").type)  # encoded (tiny codes)
    encoded = load_dataset([path])
    monkeypatch.setattr(readers.columns, "ENCODE_REPETITIVE", False)
    (raw,) = read_file(path).tables
    assert pa.types.is_string(raw.data.column("status").type)
    plain = load_dataset([path])
    pd.testing.assert_frame_equal(encoded.validated["policies"], plain.validated["policies"])
    pd.testing.assert_frame_equal(encoded.report.rejected, plain.report.rejected)
    assert [t.to_json() for t in encoded.report.tables] == [t.to_json() for t in plain.report.tables]
    assert encoded.report.tables[0].rejected > 0


def test_lean_validation_reports_exactly_what_the_full_one_does(tmp_path: Path) -> None:
    # `memberdesk validate` keeps only ids and dates (memory); the report must not change.
    path = _book(tmp_path / "policies.csv")
    members = tmp_path / "members.csv"
    members.write_text("member_id,gender\n" + "".join(f"M{i},F\n" for i in range(5)), encoding="utf-8")
    full = load_dataset([path, members])
    lean = load_dataset([path, members], lean=True)
    pd.testing.assert_frame_equal(full.report.rejected, lean.report.rejected)
    assert [t.to_json() for t in full.report.tables] == [t.to_json() for t in lean.report.tables]
    assert full.report.messages == lean.report.messages and full.as_of == lean.as_of
    assert set(lean.validated["policies"].columns) == {"policy_id", "issue_date", "end_date"}
