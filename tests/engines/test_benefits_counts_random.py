"""`benefits` on an engine book equals the file path on random books (a property test beside
tests/engines/test_benefits_counts.py, which holds the sample, the hand-counted book,
PostgreSQL and Spark).

Truth: the file path (CSV readers -> validation -> Dataset -> the row computations of
benefits.py) on the same files. Each book is drawn from a seeded generator with the cases
that break GROUP BY rewrites: members only in policies, policies and uses without member id,
uses of unknown members, undated uses, missing benefit names and costs, empty segment values
(member and policy columns), several policies per member in different products and
channels, lapsed and matured policies, non-ASCII levels. Compared: :func:`benefit_usage`'s
JSON for every ``by`` (counts, names and order exact; costs to 1e-9: the sums' order differs)
and :func:`benefit_retention`'s comparison table (to 1e-9), :func:`time_to_first_use`'s
counts and curves (to 1e-9), under as-of dates and member and
policy filters; ``EngineBook._frames`` stays empty (no accepted row read). DuckDB (two
seeds) and PostgreSQL (one).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.benefits import benefit_retention, benefit_usage, time_to_first_use
from memberdesk.commands.common import to_jsonable
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.errors import AnalysisError
from memberdesk.core.loader import load_dataset
from tests.engines.conftest import read_csv_tables, write_postgres
from tests.engines.test_benefits_counts import _equal
from tests.engines.test_every_command import _invoke

BY = [None, "channel", "product", "tier", "region", "gender", "issue_year", "premium_band"]
CASES = [(None, None), ("2021-06-30", Filters(region=("north",))),
         ("2023-02-15", Filters(channel=("agency",))),
         (None, Filters(tier=("gold", "silver"), issue_from=pd.Timestamp("2019-01-01"),
                        issue_to=pd.Timestamp("2022-12-31")))]


def _day(rng: random.Random) -> str:
    return (dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(2600))).isoformat()


def write_book(seed: int, folder: Path) -> None:
    """A random members / policies / benefit_usage book (see the module docstring)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    mids = [f"M{i:03d}" for i in range(rng.randrange(5, 40))]
    lines = ["member_id,region,tier,gender,join_date"]
    for m in mids:
        if rng.random() < 0.1:
            continue  # a member only in policies
        lines.append(f"{m},{rng.choice(['north', 'south', '东', ''])},"
                     f"{rng.choice(['gold', 'silver', 'standard', ''])},"
                     f"{rng.choice(['F', 'M', ''])},{_day(rng) if rng.random() < 0.8 else ''}")
    (folder / "members.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["policy_id,member_id,product,channel,issue_date,end_date,status,annual_premium"]
    for i in range(rng.randrange(5, 70)):
        member = rng.choice(mids) if rng.random() > 0.05 else ""
        issue = _day(rng)
        if rng.random() < 0.5:
            end, status = "", "in_force"
        else:
            end = (dt.date.fromisoformat(issue) + dt.timedelta(days=rng.randrange(1, 1500))).isoformat()
            status = rng.choice(["lapsed", "surrendered", "matured", "death"])
        premium = f"{rng.uniform(10, 1000):.2f}" if rng.random() < 0.9 else ""
        lines.append(f"P{i:04d},{member},{rng.choice(['A', 'B', 'Ç', ''])},"
                     f"{rng.choice(['agency', 'broker', ''])},{issue},{end},{status},{premium}")
    (folder / "policies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["member_id,benefit,used_at,cost"]
    for _ in range(rng.randrange(1, 200)):
        member = rng.choice([*mids, "X99"]) if rng.random() > 0.05 else ""
        cost = f"{rng.uniform(0, 100):.2f}" if rng.random() < 0.8 else ""
        used = _day(rng) if rng.random() > 0.03 else ""
        lines.append(f"{member},{rng.choice(['gym', 'dental', '体检', ''])},{used},{cost}")
    (folder / "benefit_usage.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", params=[(0, "duckdb"), (5, "duckdb"), (0, "postgres")],
                ids=["0-duckdb", "5-duckdb", "0-postgres"])
def books(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Dataset, Dataset]]:
    """(files, engine) of one random book: (seed, engine) is the parameter; DuckDB through
    ``memberdesk import``, PostgreSQL as typed tables (the session server of conftest.py)."""
    seed, kind = request.param
    folder = tmp_path_factory.mktemp(f"u2_random_{seed}_{kind}") / "book"
    write_book(seed, folder)
    if kind == "duckdb":
        db = folder.parent / "book.duckdb"
        code, _, err = _invoke(["import", str(folder), "-o", str(db)])
        assert code == 0, err
        engine = open_book(f"duckdb:///{db}")
    else:
        names = ("members", "policies", "benefit_usage")
        tables = read_csv_tables(folder, names)
        url = write_postgres(request.getfixturevalue("postgres"), f"u2_random_{seed}", tables)
        engine = open_book(url, tables={n: TableRef(n, f"u2_random_{seed}") for n in tables})
    yield load_dataset([str(folder)]), engine
    engine.book.close()  # type: ignore[union-attr]


def _both(ds: Dataset, as_of: str | None, filters: Filters | None) -> Dataset:
    if as_of is not None:
        ds = ds.with_as_of(pd.Timestamp(as_of))
    return ds if filters is None else ds.with_filters(filters)


def _usage(ds: Dataset, by: str | None) -> Any:
    try:
        return to_jsonable(benefit_usage(ds, by=by).to_json())
    except AnalysisError as exc:  # must be refused alike
        return ("refused", str(exc))


@pytest.mark.parametrize(("as_of", "filters"), CASES, ids=["as loaded", "north 2021-06-30",
                                                           "agency 2023-02-15", "tier+issue"])
def test_random_books_as_the_files(books: tuple[Dataset, Dataset], as_of: str | None,
                                   filters: Filters | None) -> None:
    files, engine = (_both(d, as_of, filters) for d in books)
    for by in BY:
        want, got = _usage(files, by), _usage(engine, by)
        if isinstance(want, tuple) or isinstance(got, tuple):
            assert got == want, by
        else:
            _equal(got, want, f"by={by}")
    for landmark in (12.0, 7.3):
        try:
            want_r = benefit_retention(files, landmark_months=landmark).comparison
        except AnalysisError as exc:
            with pytest.raises(AnalysisError, match=re.escape(str(exc))):
                benefit_retention(engine, landmark_months=landmark)
            continue
        got_r = benefit_retention(engine, landmark_months=landmark).comparison
        pd.testing.assert_frame_equal(got_r, want_r, rtol=1e-9, check_dtype=False)
    assert not engine.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]



def _first_use(ds: Dataset, by: str | None) -> Any:
    try:
        return time_to_first_use(ds, by=by)
    except AnalysisError as exc:  # must be refused alike
        return ("refused", str(exc))


@pytest.mark.parametrize(("as_of", "filters"), CASES[:3], ids=["as loaded", "north 2021-06-30",
                                                               "agency 2023-02-15"])
def test_random_books_first_use_as_the_files(books: tuple[Dataset, Dataset], as_of: str | None,
                                             filters: Filters | None) -> None:
    """:func:`time_to_first_use` (KM from joining, or the first issue, to the first use): the
    origin, member and user counts exact, the same segments, each curve's times and survival
    to 1e-9; members only in policies, members without a join date or segment value and
    uses of unknown members are in every random book."""
    files, engine = (_both(d, as_of, filters) for d in books)
    for by in (None, "tier", "region", "gender", "channel"):
        want, got = _first_use(files, by), _first_use(engine, by)
        if isinstance(want, tuple) or isinstance(got, tuple):
            assert got == want, by
            continue
        assert (got.origin, got.members, got.users, list(got.curves)) == \
            (want.origin, want.members, want.users, list(want.curves)), by
        for name, curve in want.curves.items():
            for attr in ("timeline", "survival"):
                np.testing.assert_allclose(np.asarray(getattr(got.curves[name], attr)),
                                           np.asarray(getattr(curve, attr)), rtol=1e-9,
                                           err_msg=f"{by} {name} {attr}")
    assert not engine.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]

# ---- the report's Benefits sheet ---------------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _sheet(ds: Dataset) -> list[list[Any]]:
    """The cell values of the report's Benefits sheet built from ``ds`` (English)."""
    from openpyxl import Workbook

    from memberdesk.report.context import ReportContext
    from memberdesk.report.layout import SheetWriter
    from memberdesk.report.sheets_operations import build_benefits

    ctx = ReportContext(ds=ds, lang="en", segment=None, include_personal=False,
                        generated_at=dt.datetime(2026, 12, 5))
    ws = Workbook().active
    assert ws is not None
    build_benefits(ctx, SheetWriter(ws, "en", "title", "as of"))
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("as_of", [None, "2022-03-15"])
def test_benefits_sheet_reads_no_rows(as_of: str | None, tmp_path: Path) -> None:
    """The report's Benefits sheet (segments, per benefit, users vs non-users, the monthly
    chart data) from a DuckDB import of the sample holds the same cells as from the files
    (numbers to 1e-9: cost sums in another order), and no accepted row is read to build it."""
    db = tmp_path / "book.duckdb"
    code, _, err = _invoke(["import", str(SAMPLE), "-o", str(db)])
    assert code == 0, err
    engine: Dataset = open_book(f"duckdb:///{db}")
    try:
        files = load_dataset([str(SAMPLE)])
        if as_of is not None:
            files, engine = (d.with_as_of(pd.Timestamp(as_of)) for d in (files, engine))
        want, got = _sheet(files), _sheet(engine)
        assert not engine.book._frames, "an accepted-rows table was read"  # type: ignore[attr-defined]
        assert len(got) == len(want) and sum(v is not None for r in want for v in r) > 50
        for i, (g, w) in enumerate(zip(got, want)):
            assert len(g) == len(w), i
            for x, y in zip(g, w):
                if isinstance(y, float) and isinstance(x, float):
                    assert x == pytest.approx(y, rel=1e-9, nan_ok=True), (i, x, y)
                else:
                    assert x == y, (i, x, y)
    finally:
        engine.book.close()  # type: ignore[attr-defined]
