"""The user's column mappings on an engine book (issue #13 points 3 and 6: "column mapping,
synonyms and vocabularies apply unchanged"; the desktop's Connect dialog has the same mapping
editor as files). A warehouse table whose names nothing recognises is read as the policies
table once the user maps it, keyed as files are (by table name or by header signature).

Truth: the file path reading the same rows from a CSV with the same mapping (``load_dataset``
with ``mappings``), and the automatic reading of the same rows under canonical names."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.commands.import_ import write_engine_book
from memberdesk.core.engine.book import open_book
from memberdesk.core.errors import DataError
from memberdesk.core.loader import load_dataset
from memberdesk.core.mapping import ColumnMapping, header_signature

from .conftest import write_duckdb

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 5)
ODD = {"policy_id": "k1", "member_id": "k2", "product": "c3", "product_type": "c4",
       "channel": "c5", "issue_date": "d1", "end_date": "d2", "status": "s1",
       "annual_premium": "a1", "sum_assured": "a2", "payment_frequency": "c6"}


def _odd_policies(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = pd.read_csv(ROOT / "sample_data" / "policies.csv", dtype=str).rename(columns=ODD)
    csv = tmp_path / "weird.csv"
    frame.to_csv(csv, index=False)
    return csv, frame


def _mapping(headers: list[str]) -> ColumnMapping:
    back = {v: k for k, v in ODD.items()}
    return ColumnMapping("policies", {h: back.get(h) for h in headers}, header_signature(headers))


def _counts(ds) -> dict[str, tuple[int, int, dict[str, int]]]:  # type: ignore[no-untyped-def]
    return {t.table: (t.read, t.accepted, dict(t.reasons)) for t in ds.report.tables}


@pytest.mark.parametrize("key", ["name", "signature"])
def test_an_unrecognised_table_is_read_with_the_users_mapping(tmp_path: Path, key: str) -> None:
    csv, frame = _odd_policies(tmp_path)
    source = write_duckdb(tmp_path / "w.duckdb", {"weird": pa.Table.from_pandas(frame)})
    with pytest.raises(DataError, match="no policies table found"):
        open_book(source, today=TODAY)  # nothing recognises k1, d1, s1 ...
    mapping = _mapping(list(frame.columns))
    keyed = {"name": "weird", "signature": mapping.signature}[key]
    book = open_book(source, today=TODAY, mappings={keyed: mapping})
    truth = load_dataset([csv], mappings={mapping.signature: mapping}, today=TODAY)
    try:
        assert _counts(book)["policies"] == _counts(truth)["policies"]
        got, want = km_by_segment(book, "channel").to_json(), km_by_segment(truth, "channel").to_json()
        assert [g["n"] for g in got["groups"]] == [g["n"] for g in want["groups"]]
        assert got["logrank"]["test_statistic"] == pytest.approx(
            want["logrank"]["test_statistic"], rel=1e-9)
    finally:
        assert book.book is not None
        book.book.close()


def test_a_mapping_other_than_the_imports_is_validated_again(tmp_path: Path) -> None:
    policies = pd.read_csv(ROOT / "sample_data" / "policies.csv", dtype=str)
    source = write_duckdb(tmp_path / "raw.duckdb", {"policies": pa.Table.from_pandas(policies)})
    raw = open_book(source, today=TODAY)
    out = tmp_path / "book.duckdb"
    assert raw.book is not None
    write_engine_book(raw.book, out, today=TODAY)
    raw.book.close()
    plain = open_book(f"duckdb://{out}", today=TODAY)
    assert plain.book is not None and plain.book.trusted
    headers = list(plain.book.tables["policies"].kinds)
    plain.book.close()
    # the user reads product_type as the product column (a mapping the import did not use)
    other = ColumnMapping("policies", {h: ("product" if h == "product_type" else
                                           None if h == "product" else h) for h in headers})
    remapped = open_book(f"duckdb://{out}", today=TODAY, mappings={"policies": other})
    try:
        assert remapped.book is not None and not remapped.book.trusted
        assert any("mapped otherwise" in str(m) for m in remapped.report.messages)
        shown = set(remapped.book.distinct(remapped, "policies", "product"))
        assert shown == set(policies["product_type"].dropna())
    finally:
        assert remapped.book is not None
        remapped.book.close()


def test_source_tables_list_columns_rows_and_mappings_for_the_editor(tmp_path: Path) -> None:
    from memberdesk.core.engine.tables import mappings_of, source_tables

    csv, frame = _odd_policies(tmp_path)
    members = pd.read_csv(ROOT / "sample_data" / "members.csv", dtype=str)
    typed = members.assign(birth_date=pd.to_datetime(members["birth_date"]).dt.date)  # a DATE
    source = write_duckdb(tmp_path / "w.duckdb", {"weird": pa.Table.from_pandas(frame),
                                                 "members": pa.Table.from_pandas(typed)})
    listed = {t.ref.name: t for t in source_tables(source)}
    assert set(listed) == {"weird", "members"}
    weird = listed["weird"]
    assert weird.mapping is None  # not recognised: not read until the user maps it
    assert list(weird.headers) == list(frame.columns)
    assert weird.preview.fillna("").values.tolist() == frame.head(5).fillna("").values.tolist()
    assert listed["members"].mapping is not None and listed["members"].mapping.table == "members"
    # a typed column (DuckDB read the dates as DATE) keeps its name, its values as text
    assert list(listed["members"].preview.columns) == list(members.columns)
    assert listed["members"].preview["birth_date"].tolist() == members["birth_date"].head(5).tolist()
    # the user maps the odd table and leaves members out ("Ignore this table")
    chosen = mappings_of({weird.ref: _mapping(list(weird.headers)), listed["members"].ref: None})
    book = open_book(source, today=TODAY, mappings=chosen)
    try:
        assert [t.table for t in book.report.tables] == ["policies"]
        truth = load_dataset([csv], mappings={chosen["weird"].signature: _mapping(list(frame.columns))},
                             today=TODAY)
        assert _counts(book)["policies"] == _counts(truth)["policies"]
    finally:
        assert book.book is not None
        book.book.close()
    # the editor shows what opening would use: the user's mapping for the odd table now
    again = {t.ref.name: t for t in source_tables(source, mappings=chosen)}
    assert again["weird"].mapping is not None and again["weird"].mapping.table == "policies"
    assert again["members"].mapping is None


def test_a_table_chosen_by_name_wins_over_a_mapping_remembered_by_its_columns(tmp_path: Path) -> None:
    """The Connect dialog passes the mappings remembered by header signature (files and tables
    mapped before) with the choices made in Columns… by table name. A table the user now
    chooses to ignore is left out, and a table mapped now reads with the new mapping, though
    a mapping with its columns' signature was remembered earlier."""
    from memberdesk.core.engine.tables import mappings_of, source_tables

    csv, frame = _odd_policies(tmp_path)
    members = pd.read_csv(ROOT / "sample_data" / "members.csv", dtype=str)
    source = write_duckdb(tmp_path / "w.duckdb", {"weird": pa.Table.from_pandas(frame),
                                                 "members": pa.Table.from_pandas(members)})
    headers = list(frame.columns)
    remembered = _mapping(headers)  # mapped in an earlier session, kept by signature
    wrong = ColumnMapping("policies", {**remembered.columns, "c3": "product_type",
                                       "c4": "product"}, remembered.signature)
    member_sig = header_signature(list(members.columns))
    listed = {t.ref.name: t for t in source_tables(source)}
    # now: weird mapped anew (product and product_type the right way round), members ignored
    chosen = mappings_of({listed["weird"].ref: remembered, listed["members"].ref: None})
    saved = {remembered.signature: wrong,
             member_sig: ColumnMapping("members", {h: h for h in members.columns}, member_sig)}
    book = open_book(source, today=TODAY, mappings={**saved, **chosen})
    try:
        assert [t.table for t in book.report.tables] == ["policies"]  # members left out
        truth = load_dataset([csv], mappings={remembered.signature: remembered}, today=TODAY)
        assert _counts(book)["policies"] == _counts(truth)["policies"]
        got = sorted(book.book.distinct(book, "policies", "product"))  # type: ignore[union-attr]
        assert got == sorted(truth.validated["policies"]["product"].dropna().unique())
    finally:
        assert book.book is not None
        book.book.close()
