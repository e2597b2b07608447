"""A segment of more than MAX_SEGMENTS levels is refused with the file path's words and count;
an engine book refuses it before fetching counts by every level (a --by policy_id would bring
back a row per policy), and decrements refuses it as km does."""
from __future__ import annotations

from pathlib import Path

import pytest

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.analysis.parametric import fit_parametric
from memberdesk.analysis.survival import MAX_SEGMENTS, km_by_segment
from memberdesk.cli import main
from memberdesk.core.engine.book import open_book
from memberdesk.core.errors import AnalysisError
from memberdesk.core.loader import load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
N_POLICIES = 6824  # the sample's policies, every one its own policy_id


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> str:
    book = tmp_path_factory.mktemp("limit") / "book.duckdb"
    assert main(["import", str(SAMPLE), "-o", str(book)]) == 0
    return f"duckdb:///{book}"


ANALYSES = {"km": lambda ds: km_by_segment(ds, by="policy_id"),
            "km_group": lambda ds: km_by_segment(ds, by="policy_id", missing="group"),
            "decrements": lambda ds: cumulative_incidence(ds, by="policy_id"),
            "projection": lambda ds: fit_parametric(ds, by="policy_id")}


def _refusal(ds: object, name: str) -> AnalysisError:
    with pytest.raises(AnalysisError) as caught:
        ANALYSES[name](ds)
    return caught.value


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_the_engine_refuses_before_counting_with_the_files_words(duck: str, name: str) -> None:
    files = _refusal(load_dataset([SAMPLE]), name)
    assert files.reason is not None and files.reason.code == "segment_too_many"
    assert dict(files.reason.params)["n"] == N_POLICIES > MAX_SEGMENTS
    ds = open_book(duck)
    book = ds.book
    answers: list[int] = []  # the rows each query brought back
    run = book.run

    def recording(expr):  # type: ignore[no-untyped-def]  # the real query, its size recorded
        table = run(expr)
        answers.append(table.num_rows)
        return table

    book.run = recording  # type: ignore[method-assign]
    try:
        engine = _refusal(ds, name)
    finally:
        book.run = run  # type: ignore[method-assign]
        book.close()
    assert engine.reason == files.reason and str(engine) == str(files)
    # no answer of a row per policy (the counts by level x duration x event): a few small ones
    assert answers and max(answers) <= MAX_SEGMENTS, answers
