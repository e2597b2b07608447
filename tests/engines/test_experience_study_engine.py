"""The experience study on an engine book (issue #13): by policy year without a weight or a
study start, ``experience_study`` takes its exposures and actual terminations from the engine's
``GROUP BY`` (``policy_year_table``) and reads no accepted rows; every other study reads the rows
and says so in a ``rows_read_*`` note (never silently).

Truth: the in-memory book's study (readers -> validation -> Dataset -> exposure records), which
tests/experience_analytics checks against actxps. Rows, totals and JSON equal: period, segments
and counts exact, exposures, rates, expected rates, A/E, intervals and credibility within 1e-9
relative.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.experience import ExperienceResult, experience_study, read_expected_table
from memberdesk.core.engine.book import open_book
from memberdesk.core.reasons import Reason

TODAY = dt.date(2026, 12, 5)
CASES = [pytest.param(e, w, id=f"{e}-{w}") for e in ("duckdb", "postgres")
         for w in ("sample", "generated")]
COUNTS = ("actual", "n_actual")


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], label: str) -> None:
    assert list(got.columns) == list(want.columns), label
    assert len(got) == len(want) > 0, label
    for c in got.columns:
        g, w = got[c].reset_index(drop=True), want[c].reset_index(drop=True)
        if c in keys or c in COUNTS:
            gl = [None if pd.isna(x) else str(x) for x in g.astype(object)]
            wl = [None if pd.isna(x) else str(x) for x in w.astype(object)]
            assert gl == wl, f"{label}: {c}"
        else:
            np.testing.assert_allclose(g.to_numpy(float), w.to_numpy(float), rtol=1e-9,
                                       atol=1e-12, equal_nan=True, err_msg=f"{label}: {c}")


def assert_same_json(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            assert_same_json(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_json(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, f"{path}: {a} vs {b}"
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def assert_same_study(got: ExperienceResult, want: ExperienceResult, label: str) -> None:
    keys = [got.basis, *got.by]
    assert_same_frame(got.rows, want.rows, keys, label)
    assert_same_frame(got.totals, want.totals, [], label + " totals")
    assert_same_json(got.to_json(), want.to_json(), label)


def expected_table(folder: Path, channels: list[str]) -> pd.DataFrame:
    """A hand-written expected-rate table by policy year × channel (rates 2 % + 0.5 % a year,
    one channel 1 % higher), read as the CLI reads it; policy years above 25 have no rate."""
    lines = ["policy_year,channel,rate"]
    for year in range(1, 26):
        for i, ch in enumerate(channels):
            lines.append(f"{year},{ch},{0.02 + 0.005 * year + (0.01 if i == 0 else 0.0):.4f}")
    path = folder / "expected.csv"
    path.write_text("\n".join(lines) + "\n")
    return read_expected_table(path)


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_policy_year_study_from_engine_counts_equals_rows(
        engine: str, which: str, engine_books: Any, memory_books: Any, tmp_path: Path) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    channels = sorted(str(c) for c in mem.policies["channel"].dropna().unique())
    expected = expected_table(tmp_path, channels)
    try:
        cases: list[tuple[str, dict[str, Any]]] = [
            ("whole book", {}),
            ("by channel", {"by": ["channel"]}),
            ("by channel, premium band, lapses, distribution",
             {"by": ["channel", "premium_band"], "target": ["lapsed"], "method": "distribution"}),
            ("expected by policy year x channel", {"expected": expected}),
            ("by product, expected, control channel",
             {"by": ["product"], "expected": expected, "control": ["channel"]}),
        ]
        for label, options in cases:
            got = experience_study(eng, **options)
            want = experience_study(mem, **options)
            assert got.notes == ()
            assert_same_study(got, want, f"{engine}-{which}: {label}")
            if "expected" in options:   # the table's rates reached the study
                assert got.has_expected and got.totals["ae"].notna().all()
        assert not eng.book._frames  # aggregates only: no accepted-rows table was read
    finally:
        eng.book.close()


def test_row_route_on_engine_book_is_said(engine_books: Any, memory_books: Any) -> None:
    """A weighted study, a study start or another basis read the accepted rows: the result says
    so with a reason code and still equals the in-memory study (which has no note)."""
    url, refs = engine_books("duckdb", "sample")
    mem = memory_books["sample"]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        cases: list[tuple[str, dict[str, Any]]] = [
            ("rows_read_weight", {"weight": "annual_premium", "by": ["channel"]}),
            ("rows_read_study_start", {"study_start": "2021-01-01"}),
            ("rows_read_basis", {"basis": "calendar_year"}),
            ("rows_read_basis", {"basis": "policy", "period": "quarter"}),
        ]
        for code, options in cases:
            got = experience_study(eng, **options)
            want = experience_study(mem, **options)
            assert want.notes == ()
            assert [n.code for n in got.notes] == [code]
            assert isinstance(got.notes[0], Reason)   # a catalogue code, not an English sentence
            assert "duckdb" in got.notes[0].text("en")
            zh = got.notes[0].text("zh_CN")           # Chinese words, the engine's name kept
            assert "duckdb" in zh and "引擎" in zh
            assert not re.search(r"[A-Za-z]{4,}", zh.replace("duckdb", "")), zh
            js = got.to_json()
            assert [n["code"] for n in js.pop("notes")] == [code]
            assert_same_json(js, want.to_json(), code)
            assert_same_frame(got.rows, want.rows, [got.basis, *got.by], code)
        assert "policies" in eng.book._frames   # it did read the rows
    finally:
        eng.book.close()


def test_weighted_study_note_in_both_languages(engine_books: Any) -> None:
    """The weighted study's note: the code and parameters in JSON with the English sentence (as
    docs/engines.md promises), and the same reason in Chinese with the column's Chinese label."""
    from memberdesk.core.labels import column_label

    url, refs = engine_books("duckdb", "sample")
    eng = open_book(url, tables=refs, today=TODAY)
    try:
        got = experience_study(eng, weight="annual_premium")
    finally:
        eng.book.close()
    assert got.notes == (Reason("rows_read_weight", columns="annual_premium", engine="duckdb"),)
    assert got.to_json()["notes"] == [{
        "code": "rows_read_weight", "columns": "annual_premium", "engine": "duckdb",
        "message": "a study weighted by annual_premium needs each policy's weight: the study "
                   "read the accepted rows from the duckdb engine"}]
    label = column_label("annual_premium", "zh_CN")
    assert label != "annual_premium" and not re.search(r"[A-Za-z]", label)
    assert got.notes[0].text("zh_CN") == (f"按{label}加权的研究需要每件保单的权重："
                                          "本次研究从duckdb引擎读取了接受的行")
