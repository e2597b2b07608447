"""On a DuckDB book the issue-month policy metrics are counted by the engine (GROUP BY) and
give exactly the rows' funnels, monthly CUSUM rows and book — here on an overdispersed book
with an extra segment column (branch), risk-adjusted by product."""
from __future__ import annotations

import pandas as pd

from memberdesk.cli import main

from .conftest import make_book

PUSHED = ("free_look_cancellation_rate", "early_lapse_rate_3m", "early_lapse_rate_6m",
          "first_year_surrender_rate")


def test_engine_counts_equal_the_rows_with_an_extra_column(tmp_path, capsys) -> None:
    from memberdesk.analysis.alerts import compute_alerts
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.loader import load_dataset

    book = tmp_path / "policies.csv"
    make_book(branches=12, per_cell=60, seed=4).to_csv(book, index=False)
    db = tmp_path / "book.duckdb"
    assert main(["import", str(book), "-o", str(db)]) == 0
    capsys.readouterr()
    engine = compute_alerts(open_book([f"duckdb://{db}"], tables={}, as_of=None))
    rows = compute_alerts(load_dataset([str(book)]))
    assert engine.pushed_down[:4] == PUSHED and rows.pushed_down == ()
    # the persistency metrics (the other metrics this policies-only book can monitor) are
    # counted in the engine too (issue #13 point 1); their frames are compared below as well
    from memberdesk.analysis.alerts.monitored import MONITORED_IDS

    assert set(engine.pushed_down) == set(MONITORED_IDS) - set(engine.unavailable)
    assert "branch" in engine.columns and engine.columns == rows.columns
    for name, key in (("funnel", ["metric", "column", "segment"]),
                      ("monthly", ["metric", "column", "segment", "month"])):
        a, b = getattr(engine, name), getattr(rows, name)
        a = a.sort_values(key).reset_index(drop=True)
        b = b.sort_values(key).reset_index(drop=True)
        assert len(a) and set(a["column"]) >= {"channel", "product", "branch"}
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pd.testing.assert_frame_equal(engine.book, rows.book, check_dtype=False)
    assert [x.to_json() for x in engine.alerts] == [x.to_json() for x in rows.alerts]
    assert any(x.metric in PUSHED and x.column == "branch" for x in rows.alerts)
