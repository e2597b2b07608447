"""A generic survival table's row sample on an engine book (the book interface's "row samples
on explicit request"): it crashed with a duplicate duration column. Truth: the table written
here by hand (5 accepted rows, 1 rejected for a negative duration)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from memberdesk.core.engine.generic import open_generic


def test_generic_sample_draws_accepted_records(tmp_path: Path) -> None:
    path = tmp_path / "g.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE policies (t DOUBLE, e INTEGER, channel VARCHAR)")
    con.execute("INSERT INTO policies VALUES (5, 1, 'a'), (7, 0, 'b'), (7, 1, 'a'), "
                "(9, 1, 'b'), (12, 0, 'a'), (-1, 1, 'a')")
    con.close()
    ds = open_generic(f"duckdb://{path}", "t", "e", "channel")
    try:
        book = ds.book
        assert book is not None
        got = book.sample(ds, "policies", 10)
        assert len(got) == 5  # all accepted records, the negative duration left out
        rows = sorted(zip(got["duration"], got["event"].astype(bool), got["channel"]))
        assert rows == [(5.0, True, "a"), (7.0, False, "b"), (7.0, True, "a"), (9.0, True, "b"),
                        (12.0, False, "a")]
        assert len(book.sample(ds, "policies", 2, seed=1)) == 2
    finally:
        ds.book.close()
