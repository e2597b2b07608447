"""`memberdesk projection --by COL` (DESIGN §5 Extensions): the four parametric models fitted to
each level of a segment column, on files and on engine books.

Truths, none of them the code's own output copied back:
* a group's result is the command run on the book restricted to that group's rows, the restricted
  book written here from the sample's CSV lines (csv module, not the loader) and loaded as files;
* the groups' policies and events add up to the whole book's, and the groups come in the order of
  the levels (text sorted; the tiers' natural order; no value: a last "(missing)" group);
* the exponential model's scale is the hand MLE total time / events (S(t) = exp(-t / lambda),
  lifelines' parametrisation) for a hand-made generic table;
* a DuckDB book (and a generic table in DuckDB) gives the files' JSON: floats within 1e-9
  relative, counts and names exactly, from the engine's counts (no accepted-rows table read);
* without --by the output is the whole book's: the same fields, and the text starts the same.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from memberdesk.core.schema import DAYS_PER_MONTH
from tests.engines.test_every_command import _close  # floats 1e-9 relative, the rest exactly
from tests.engines.test_every_command import _invoke as _invoke_list

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-06-30"  # the sample's as-of date: a restricted book keeps the whole book's
HORIZON = "24"
MODELS = ["exponential", "weibull", "lognormal", "loglogistic"]


def _invoke(*argv: str) -> tuple[int, str, str]:
    return _invoke_list(list(argv))


def _projection(data: str, *extra: str) -> dict[str, Any]:
    code, out, err = _invoke("projection", data, "--horizon", HORIZON, *extra, "--json")
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's policies and members (the tables the survival durations and the member
    columns come from)."""
    folder = tmp_path_factory.mktemp("whole")
    for name in ("policies", "members"):
        shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
    return folder


@pytest.fixture(scope="module")
def duckdb_book(book: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("db") / "book.duckdb"
    code, _, err = _invoke("import", str(book), "-o", str(db))
    assert code == 0, err
    return f"duckdb:///{db}"


def _restricted(book: Path, folder: Path, table: str, column: str, level: str) -> Path:
    """``book`` with only the rows of ``table`` whose ``column`` is ``level``; for a members
    column, the policies of those members too (a policy of a member not in the file would be
    rejected as referring to an unknown member)."""
    folder.mkdir()
    header, rows = _read(book / f"{table}.csv")
    kept = [r for r in rows if r[header.index(column)] == level]
    _write(folder / f"{table}.csv", header, kept)
    other = "members" if table == "policies" else "policies"
    o_header, o_rows = _read(book / f"{other}.csv")
    if table == "members":
        members = {r[header.index("member_id")] for r in kept}
        o_rows = [r for r in o_rows if r[o_header.index("member_id")] in members]
    _write(folder / f"{other}.csv", o_header, o_rows)
    return folder


@pytest.mark.parametrize(("table", "column", "levels"), [
    ("policies", "channel", ["agency", "bancassurance", "broker", "online", "partner platform"]),
    ("members", "tier", ["standard", "silver", "gold", "platinum"]),  # the tiers' natural order
], ids=["policy-column", "member-column"])
def test_each_group_is_the_book_restricted_to_its_rows(book: Path, tmp_path: Path, table: str,
                                                       column: str, levels: list[str]) -> None:
    whole = _projection(str(book), "--as-of", AS_OF)
    got = _projection(str(book), "--as-of", AS_OF, "--by", column)
    assert got["by"] == column
    assert [g["name"] for g in got["groups"]] == levels
    groups = got.pop("groups")
    del got["by"]
    _close(got, whole)  # the top level is the whole book, as without --by
    assert sum(g["n"] for g in groups) == whole["n"]
    assert sum(g["events"] for g in groups) == whole["events"]
    for group in groups:
        alone = _projection(str(_restricted(book, tmp_path / group["name"], table, column,
                                            group["name"])), "--as-of", AS_OF)
        assert group.pop("name") in levels
        _close(group, alone)  # every field of the top level, as_of included


def test_engine_book_gives_the_files_json(book: Path, duckdb_book: str) -> None:
    for column in ("channel", "tier"):
        want = _projection(str(book), "--by", column)
        got = _projection(duckdb_book, "--by", column)
        _close(got, want)


def test_engine_book_fits_from_counts_by_segment(book: Path, duckdb_book: str) -> None:
    """The analysis on an engine book reads the counts by segment x duration x event, not the
    accepted rows, and equals the in-memory book's result."""
    from memberdesk.analysis.parametric import fit_parametric
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.loader import load_dataset

    truth = load_dataset([str(book)])
    ds = open_book([duckdb_book], as_of=truth.as_of)
    try:
        got = fit_parametric(ds, horizon_months=12, by="channel")
        assert ds.book is not None and not ds.book._frames, "an accepted-rows table was read"
    finally:
        assert ds.book is not None
        ds.book.close()
    _close(got.to_json(), fit_parametric(truth, horizon_months=12, by="channel").to_json())


# a generic table (days): a group without events, a group of one row, rows with no channel
GENERIC = """time,died,channel
30,1,agent
60,1,agent
90,0,agent
45,1,agent
120,1,agent
10,0,bank
20,0,bank
33,1,web
15,1,
40,0,
70,1,
"""


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import duckdb

    folder = tmp_path_factory.mktemp("generic")
    path = folder / "surv.csv"
    path.write_text(GENERIC, encoding="utf-8")
    db = folder / "surv.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE surv AS SELECT * FROM read_csv(?, types = {'time': 'VARCHAR', "
                "'died': 'VARCHAR', 'channel': 'VARCHAR'})", [str(path)])
    con.close()
    return {"csv": str(path), "duckdb": f"duckdb:///{db}"}


def test_generic_table_small_groups_and_missing_level(generic: dict[str, str]) -> None:
    got = _projection(generic["csv"], "--duration", "time", "--event-col", "died",
                      "--by", "channel")
    names = [g["name"] for g in got["groups"]]
    assert names == ["agent", "bank", "web", "(missing)"]
    sizes = {g["name"]: (g["n"], g["events"]) for g in got["groups"]}
    assert sizes == {"agent": (5, 4), "bank": (2, 0), "web": (1, 1), "(missing)": (3, 2)}
    assert (got["n"], got["events"]) == (11, 7)
    bank, web = got["groups"][1], got["groups"][2]
    for small in (bank, web):  # too small to fit: every model failed, with the reason
        assert small["models"] == [] and small["best_model"] is None
        assert list(small["failed"]) == MODELS
    assert all("no events" in why for why in bank["failed"].values())
    assert all("same duration and event" in why for why in web["failed"].values())
    agent = got["groups"][0]
    fits = {m["model"]: m for m in agent["models"]}
    assert set(fits) | set(agent["failed"]) == set(MODELS)
    # exponential MLE: total time / events = (30 + 60 + 90 + 45 + 120) days / 4, in months
    assert fits["exponential"]["parameters"]["lambda_"] == pytest.approx(
        345 / DAYS_PER_MONTH / 4, rel=1e-6)
    assert agent["best_model"] == min(fits.values(), key=lambda m: m["aic"])["model"]
    assert [m["model"] for m in agent["models"] if m["best"]] == [agent["best_model"]]


def test_generic_table_in_duckdb_gives_the_files_json(generic: dict[str, str]) -> None:
    argv = ("--duration", "time", "--event-col", "died", "--by", "channel")
    _close(_projection(generic["duckdb"], *argv), _projection(generic["csv"], *argv))


def test_text_output_names_each_group_and_its_failures(generic: dict[str, str]) -> None:
    code, out, err = _invoke("projection", generic["csv"], "--duration", "time", "--event-col",
                             "died", "--by", "channel", "--horizon", HORIZON)
    assert code == 0, err
    assert "channel = agent: 5 policies, 4 events; best by AIC:" in out
    assert "channel = bank: 2 policies, 0 events; no model fitted" in out
    assert "not fitted: weibull: no events: there is nothing to fit a retention model to" in out
    assert "channel = (missing): 3 policies, 2 events" in out


def test_without_by_the_output_is_the_whole_books(book: Path) -> None:
    plain = _projection(str(book))
    assert "by" not in plain and "groups" not in plain
    with_by = _projection(str(book), "--by", "channel")
    assert {k: v for k, v in with_by.items() if k not in ("by", "groups")} == plain
    code, text, err = _invoke("projection", str(book), "--horizon", HORIZON)
    assert code == 0, err
    code, text_by, err = _invoke("projection", str(book), "--horizon", HORIZON, "--by", "channel")
    assert code == 0, err
    assert text_by.startswith(text) and "channel = agency:" not in text
    assert "channel = agency: 1,786 policies" in text_by  # 1,786 agency rows in policies.csv


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_unknown_column_exits_3_naming_it_and_the_columns(kind: str, book: Path,
                                                          duckdb_book: str) -> None:
    data = str(book) if kind == "files" else duckdb_book
    code, out, err = _invoke("projection", data, "--by", "no_such_column", "--json")
    assert code == 3 and out == ""
    assert "'no_such_column'" in err
    assert "available:" in err and "channel" in err and "tier" in err


def test_too_many_levels_exits_3_as_km(book: Path) -> None:
    """A column with more levels than km compares (one per policy here) is refused as km
    refuses it: exit 3 naming the column."""
    from memberdesk.analysis.survival import MAX_SEGMENTS

    code, _, km_err = _invoke("km", str(book), "--by", "policy_id")
    assert code == 3 and "'policy_id'" in km_err and f"at most {MAX_SEGMENTS}" in km_err
    code, out, err = _invoke("projection", str(book), "--by", "policy_id")
    assert code == 3 and out == ""
    assert err == km_err  # km's reason, word for word


def test_dataframe_input_by_column() -> None:
    """The analysis on a plain DataFrame: groups equal fits of the group's rows alone."""
    import pandas as pd

    from memberdesk.analysis.parametric import fit_parametric

    frame = pd.read_csv(io.StringIO(GENERIC)).rename(columns={"time": "duration",
                                                              "died": "event"})
    got = fit_parametric(frame, horizon_months=12, by="channel")
    agent = got.groups[0]
    assert agent.name == "agent" and agent.result is not None
    alone = fit_parametric(frame[frame["channel"] == "agent"], horizon_months=12)
    _close(agent.result.to_json(), alone.to_json())
    assert got.groups[-1].name == "(missing)" and got.groups[-1].n == 3


def test_a_book_of_one_duration_and_event_says_why_it_cannot_be_fitted() -> None:
    """The check that keeps a one-observation group from crashing also names the cause for a
    whole book (lifelines failed with 'TypeError: len() of unsized object' for each model)."""
    import pandas as pd

    from memberdesk.analysis.parametric import fit_parametric
    from memberdesk.core.errors import AnalysisError

    with pytest.raises(AnalysisError, match="every policy has the same duration and event"):
        fit_parametric(pd.DataFrame({"duration": [5.0, 5.0, 5.0], "event": [1, 1, 1]}))


class _Progress:
    """A progress stub: records fractions; asks to stop after ``stop_after`` statuses."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.fractions: list[float] = []
        self.statuses: list[str] = []
        self.stop_after = stop_after

    def fraction(self, x: float) -> None:
        self.fractions.append(x)

    def status(self, text: str) -> None:
        self.statuses.append(text)

    def cancelled(self) -> bool:
        return self.stop_after is not None and len(self.statuses) >= self.stop_after


def test_progress_runs_once_to_the_end_and_cancel_stops_between_groups() -> None:
    import pandas as pd

    from memberdesk.analysis.parametric import fit_parametric
    from memberdesk.core.progress import Cancelled

    frame = pd.read_csv(io.StringIO(GENERIC)).rename(columns={"time": "duration",
                                                              "died": "event"})
    seen = _Progress()
    fit_parametric(frame, horizon_months=12, by="channel", progress=seen)
    assert seen.fractions == sorted(seen.fractions) and seen.fractions[-1] == 1.0
    assert 0 < seen.fractions[0] < 1
    # whole book: 4 models, then the agent group's 4: stop when the agent group has begun
    with pytest.raises(Cancelled):
        fit_parametric(frame, horizon_months=12, by="channel", progress=_Progress(stop_after=5))
