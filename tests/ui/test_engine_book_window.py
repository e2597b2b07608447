"""The desktop on an engine book never reads a table's accepted rows to set itself up (issue
#13: a 100M-policy book in the window): loading, the filter bar's values and date range, the
Data page's counts and first rows, and the pages' segment, covariate and weight choices come
from the validation's counts, the view's schema and DISTINCT/LIMIT queries. Before, the Data
page, the filter bar and the Drivers/Experience controls each pulled every row into pandas on
the window's thread. Truth: the same window on the same CSV files (the file path)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from memberdesk.ui.pages import page_factory
from memberdesk.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("policies", "members", "claims", "service_contacts", "benefit_usage", "premium_payments")


def _book(tmp_path: Path) -> str:
    path = tmp_path / "book.duckdb"
    con = duckdb.connect(str(path))
    for name in TABLES:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM "
                    f"read_csv('{ROOT / 'sample_data' / (name + '.csv')}')")
    con.close()
    return f"duckdb://{path}"


def _controls(qtbot, window: MainWindow) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data = window.page("data")
    qtbot.waitUntil(lambda: all(m.rowCount() > 0 for m in data.previews.values()), timeout=30_000)
    out: dict[str, object] = {
        "tabs": [data.tables_tabs.tabText(i) for i in range(data.tables_tabs.count())],
        "first rows": {n: m.rowCount() for n, m in data.previews.items()},
        "filters": {n: sel.choices() for n, sel in window.filter_bar.selects.items()},
        "latest": window.filter_bar._latest,
    }
    for pid, combo in (("retention", "segment"), ("decrements", "segment"),
                       ("experience", "weight"), ("drivers", "cluster")):
        page = page_factory(pid)(None)
        qtbot.addWidget(page)
        page.on_dataset(window.dataset)
        box = getattr(page, combo)
        items = [box.itemData(i) for i in range(box.count())]
        # the preferred segments first, in order; the others in the view's column order, which
        # differs between the engine's view and the file path's frame: compared as a set
        out[f"{pid}.{combo}"] = (items[:4], sorted(map(str, items)))
    drivers = page_factory("drivers")(None)
    qtbot.addWidget(drivers)
    drivers.on_dataset(window.dataset)
    out["drivers.covariates"] = sorted(drivers.covariates.item(i).data(256)
                                       for i in range(drivers.covariates.count()))
    return out


def test_the_window_sets_itself_up_on_an_engine_book_without_reading_rows(open_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_window(_book(tmp_path))
    book = window.base.book
    try:
        got = _controls(qtbot, window)
        assert not book._frames, f"accepted rows read: {sorted(book._frames)}"
    finally:
        window.dirty = False
        book.close()
    files = open_window(str(ROOT / "sample_data"))
    want = _controls(qtbot, files)
    files.dirty = False
    assert got == want


def test_a_filter_on_one_channel_takes_channel_out_of_the_segments(tmp_path: Path) -> None:
    """Found in review (helper R1): the engine's segment columns ignored the filters, so under
    one channel `channel` was still offered (one level) where the file path leaves it out, and
    the report's Drivers sheet fitted a Cox model on a single-valued covariate."""
    from memberdesk.core.dataset import Filters
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.loader import load_dataset

    ds = open_book(_book(tmp_path))
    files = load_dataset([ROOT / "sample_data"])
    try:
        one = Filters(channel=("agency",))
        assert "channel" in ds.segment_columns() and "channel" in files.segment_columns()
        assert "channel" not in ds.with_filters(one).segment_columns()
        assert "channel" not in files.with_filters(one).segment_columns()
        two = Filters(channel=("agency", "broker"))
        assert "channel" in ds.with_filters(two).segment_columns()
    finally:
        assert ds.book is not None
        ds.book.close()
