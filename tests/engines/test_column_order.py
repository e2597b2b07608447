"""An engine book offers segments and covariates in the file path's order (the Retention
segment list, the Drivers and Experience covariates): the sample book's DuckDB copy listed
gender, region and tier before issue_year, and premium_band before age_band.

Truth: the file path's ``Dataset.policies`` and ``segment_columns`` on the sample's CSV files.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .conftest import TODAY, write_duckdb


def test_segments_and_columns_in_the_files_order(
        tmp_path: Path, sample_book: tuple[list[str], dict[str, pa.Table]]) -> None:
    files, tables = sample_book
    on_files = load_dataset(files, today=TODAY)
    ds = open_book(write_duckdb(tmp_path / "book.duckdb", tables), today=TODAY)
    assert ds.book is not None
    try:
        assert ds.segment_columns() == on_files.segment_columns()
        assert on_files.policies is not None
        engine_columns = ds.policy_columns()
        assert engine_columns == [c for c in on_files.policies.columns if c in engine_columns]
    finally:
        ds.book.close()
