"""An analysis with nothing to run on says so by a reason code, not by a sentence a caller must
match: the command line adds the --as-of cause by the code, and a reader of Chinese reads it in
Chinese (the words are the catalogue's)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main
from memberdesk.core.engine.book import open_book
from memberdesk.core.errors import AnalysisError
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import CATALOGUE, Reason

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_an_analysis_error_from_a_reason_carries_the_code_and_both_languages() -> None:
    exc = AnalysisError(Reason("no_policies"), column="channel")
    assert exc.reason == Reason("no_policies")
    assert exc.message == CATALOGUE["no_policies"]["en"]
    assert exc.text("zh_CN") == CATALOGUE["no_policies"]["zh_CN"] != exc.message
    assert str(exc) == f"{exc.message} (column 'channel')"  # English text and the column, as before
    plain = AnalysisError("too few events")
    assert plain.reason is None and plain.text("zh_CN") == "too few events"


@pytest.mark.parametrize("engine", [False, True])
def test_an_empty_window_is_the_no_policies_code(engine: bool, tmp_path: Path) -> None:
    as_of = pd.Timestamp("2000-01-01")  # before every issue date of the sample book
    if engine:
        from memberdesk.cli import main as cli
        book = tmp_path / "book.duckdb"
        assert cli(["import", str(SAMPLE), "-o", str(book)]) == 0
        ds = open_book(f"duckdb:///{book}", as_of=as_of)
    else:
        ds = load_dataset([SAMPLE], as_of=as_of)
    with pytest.raises(AnalysisError) as caught:
        km_by_segment(ds, by="channel")
    assert caught.value.reason is not None and caught.value.reason.code == "no_policies"


def test_the_command_line_names_the_as_of_in_the_readers_language(
        capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["km", str(SAMPLE), "--as-of", "2000-01-01"])
    err = capsys.readouterr().err
    assert rc == 3
    expected = CATALOGUE["no_policies_as_of"]["en"].format(as_of="2000-01-01")
    assert f"memberdesk: cannot analyse: {expected}" in err


def test_a_reason_and_its_error_pickle_and_copy() -> None:
    # a worker process or a deep copy of a result must not fail with "Reason is immutable"
    import copy
    import pickle

    reason = Reason("frame_unknown_column", column="渠道", columns="channel, product")
    assert pickle.loads(pickle.dumps(reason)) == reason
    assert copy.deepcopy(reason) == reason and copy.copy(reason) == reason
    exc = pickle.loads(pickle.dumps(AnalysisError(reason, column="渠道")))
    assert exc.reason == reason


def test_an_unknown_column_of_a_book_is_a_reason() -> None:
    from memberdesk.core.book import MemoryBook

    ds = load_dataset([SAMPLE])
    with pytest.raises(AnalysisError) as caught:
        MemoryBook(ds).cells(ds, ["no_such_column"])
    assert caught.value.reason is not None and caught.value.reason.code == "frame_unknown_column"
    assert caught.value.message.startswith("unknown column 'no_such_column'; available: ")
