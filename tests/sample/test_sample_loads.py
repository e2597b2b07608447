"""The committed sample loads through the real readers with nothing rejected (DESIGN §3), in
all three forms (CSV folder, workbook, GB18030 Chinese-header file), and reads back as the
generated book."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.core import schema
from memberdesk.sample import generate_book

loader = pytest.importorskip("memberdesk.core.loader")

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
TODAY = dt.date(2026, 6, 30)   # fixed, so that no date can count as "in the future"


@pytest.fixture(scope="module")
def default_book() -> dict[str, pd.DataFrame]:
    book = generate_book()
    # the loader keeps dates normalised (DESIGN rule 6): contacts lose their time of day
    contacts = book[schema.SERVICE_CONTACTS].copy()
    contacts["started_at"] = contacts["started_at"].dt.normalize()
    return {**book, schema.SERVICE_CONTACTS: contacts}


@pytest.mark.parametrize("source, tables", [
    ("", schema.TABLES),
    ("excel/memberdesk_sample.xlsx", schema.TABLES),
    ("gb18030/policies_zh.csv", (schema.POLICIES,)),
])
def test_sample_loads_without_rejections(source: str, tables: tuple[str, ...],
                                         default_book: dict[str, pd.DataFrame]) -> None:
    ds = loader.load_dataset([SAMPLE_DATA / source], today=TODAY)
    assert sorted(ds.validated) == sorted(tables)
    for report in ds.report.tables:
        assert report.rejected == 0 and report.read == report.accepted, report
    assert ds.as_of == pd.Timestamp("2026-06-30")
    for table in tables:
        expected = default_book[table]
        # id columns are kept as Arrow-backed text (core/validation._read_ids)
        ids = {c.name: pd.ArrowDtype(pa.string()) for c in schema.TABLE_SPECS[table].columns
               if c.kind == "id" and c.name in expected.columns}
        expected = expected.astype(ids)
        loaded = ds.validated[table][list(expected.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(loaded, expected)
