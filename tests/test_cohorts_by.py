"""`memberdesk cohorts --by COL` (DESIGN §5 Extensions): one retention triangle per level of a
policy or member column, beside the whole book's.

Truths, none of them the code's output copied back:
* a group's triangle is the triangle of the book restricted to that group's policies, the
  restricted book built independently: the level's rows of sample_data's policies.csv (for a
  member column, the policies of the members.csv rows with that level) written to a folder
  and loaded as any data (same as-of date, the whole book's months axis);
* the group sizes and premiums add up, cohort by cohort, to the whole book's;
* the whole-book part of the output is the same with and without ``--by`` (and, without it,
  holds exactly the fields docs/cli.md gives: nothing added);
* a DuckDB book imported from the same files gives the same JSON (numbers within 1e-9
  relative, counts and labels exact) from aggregates only;
* an unknown column exits 3 naming it and the columns available (DESIGN §5).

Matrices are compared as tests/engines/test_cohort_counts.py compares them, JSON as
tests/engines/test_experience_study_engine.py does (their helpers, imported).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.core.loader import load_dataset
from tests.engines.test_cohort_counts import assert_same_matrix
from tests.engines.test_every_command import _invoke
from tests.engines.test_experience_study_engine import assert_same_json

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
TOP_FIELDS = {"as_of", "cohort", "weight", "months", "rows"}  # docs/cli.md, memberdesk cohorts


def _json(*argv: str) -> dict[str, Any]:
    code, out, err = _invoke([*argv, "--json"])
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def _raw(name: str) -> pd.DataFrame:
    """A sample CSV as its text cells (nothing parsed, so a subset is written back as read)."""
    return pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def whole() -> Any:
    return load_dataset([str(SAMPLE / "policies.csv"), str(SAMPLE / "members.csv")])


def _restricted(folder: Path, policies: pd.DataFrame, as_of: pd.Timestamp) -> Any:
    """The book of ``policies`` only (with every member), loaded from files at ``as_of``."""
    folder.mkdir()
    policies.to_csv(folder / "policies.csv", index=False)
    _raw("members").to_csv(folder / "members.csv", index=False)
    return load_dataset([str(folder)], as_of=as_of)


OPTIONS = [{}, {"cohort": "quarter", "weight": "premium"}]


@pytest.mark.parametrize("options", OPTIONS, ids=["month-count", "quarter-premium"])
def test_channel_group_is_the_book_of_its_policies(whole: Any, tmp_path: Path,
                                                   options: dict[str, str]) -> None:
    res = cohort_retention(whole, by="channel", **options)
    raw = _raw("policies")
    levels = sorted(raw["channel"].unique())  # text levels: alphabetical, as km orders them
    assert [name for name, _ in res.groups] == levels and len(levels) == 5
    last = len(res.shares.columns) - 1
    for i, (name, group) in enumerate(res.groups):
        book = _restricted(tmp_path / f"g{i}", raw[raw["channel"] == name], whole.as_of)
        assert len(book.policies) == (raw["channel"] == name).sum()
        assert_same_matrix(group, cohort_retention(book, max_months=last, **options))
        assert list(group.shares.columns) == list(res.shares.columns)  # the whole book's axis


def test_member_column_group_is_the_book_of_its_members_policies(whole: Any,
                                                                 tmp_path: Path) -> None:
    """region is a member column: reached through the policy's member, as km --by does."""
    res = cohort_retention(whole, by="region", cohort="quarter")
    members, raw = _raw("members"), _raw("policies")
    assert sorted(name for name, _ in res.groups) == sorted(members["region"].unique())
    last = len(res.shares.columns) - 1
    for i, (name, group) in enumerate(res.groups):
        ids = set(members.loc[members["region"] == name, "member_id"])
        book = _restricted(tmp_path / f"g{i}", raw[raw["member_id"].isin(ids)], whole.as_of)
        assert_same_matrix(group, cohort_retention(book, cohort="quarter", max_months=last))


def test_later_groups_keep_the_whole_books_months(whole: Any, tmp_path: Path) -> None:
    """issue_year 2022's first cohort is 2022-01, 42 months after the book's first (2018-07):
    its triangle still has the book's months 0..95 (blank where not observed), so the
    triangles line up; and years are levels in numeric order."""
    res = cohort_retention(whole, by="issue_year")
    assert [name for name, _ in res.groups] == [str(y) for y in range(2018, 2027)]
    last = len(res.shares.columns) - 1
    assert last == 95  # 2018-07 .. 2026-06 (as-of 2026-06-30): months 0..95
    group = dict(res.groups)["2022"]
    assert group.shares.index[0] == "2022-01" and list(group.shares.columns) == list(range(96))
    # 2022-01 is observed to the end of 2026-06: months 0..53, blank after
    assert np.isfinite(group.shares.iloc[0, :54]).all() and np.isnan(group.shares.iloc[0, 54:]).all()
    raw = _raw("policies")
    book = _restricted(tmp_path / "y2022", raw[raw["issue_date"].str.startswith("2022")],
                       whole.as_of)
    assert_same_matrix(group, cohort_retention(book, max_months=last))


def test_missing_values_are_a_last_group_and_sizes_add_up(tmp_path: Path) -> None:
    """Policies with no channel are a last "(missing)" group (km's level for it), not dropped:
    every policy is in exactly one group."""
    raw = _raw("policies")
    blank = raw.index % 7 == 3  # one policy in 7 without a channel
    raw.loc[blank, "channel"] = ""
    full = _restricted(tmp_path / "full", raw, pd.Timestamp("2026-06-30"))
    res = cohort_retention(full, by="channel", weight="premium")
    names = [name for name, _ in res.groups]
    assert names == [*sorted(raw.loc[~blank, "channel"].unique()), "(missing)"]
    missing = dict(res.groups)["(missing)"]
    assert int(missing.sizes.sum()) == int(blank.sum())
    alone = _restricted(tmp_path / "missing", raw[blank], pd.Timestamp("2026-06-30"))
    assert_same_matrix(missing, cohort_retention(alone, weight="premium",
                                           max_months=len(res.shares.columns) - 1))
    # sizes and premiums add up cohort by cohort (a group's rows are a subset of the whole's)
    sizes = sum((g.sizes.reindex(res.sizes.index, fill_value=0) for _, g in res.groups),
                start=pd.Series(0, index=res.sizes.index))
    assert sizes.tolist() == res.sizes.tolist() and int(res.sizes.sum()) == len(raw)
    premium = sum((g.premium.reindex(res.premium.index, fill_value=0.0) for _, g in res.groups),
                  start=pd.Series(0.0, index=res.premium.index))
    np.testing.assert_allclose(premium.to_numpy(), res.premium.to_numpy(), rtol=1e-12)


def test_cli_json_keeps_the_whole_book_and_adds_groups() -> None:
    plain = _json("cohorts", str(SAMPLE))
    assert set(plain) == TOP_FIELDS  # without --by: exactly the documented fields
    by = _json("cohorts", str(SAMPLE), "--by", "channel")
    assert by["by"] == "channel"
    assert {k: v for k, v in by.items() if k not in ("by", "groups")} == plain
    names = [g["name"] for g in by["groups"]]
    assert names == sorted(_raw("policies")["channel"].unique())
    for g in by["groups"]:
        assert set(g) == TOP_FIELDS | {"name"}
        assert g["months"] == plain["months"] and g["as_of"] == plain["as_of"]
    total = sum(r["policies"] for g in by["groups"] for r in g["rows"])
    assert total == sum(r["policies"] for r in plain["rows"]) == len(_raw("policies"))


def test_cli_text_prints_the_whole_book_then_each_group() -> None:
    code, plain, _ = _invoke(["cohorts", str(SAMPLE), "--cohort", "quarter"])
    assert code == 0
    code, by, _ = _invoke(["cohorts", str(SAMPLE), "--cohort", "quarter", "--by", "channel"])
    assert code == 0
    assert by.startswith(plain)  # the whole book's part unchanged
    raw = _raw("policies")
    headers = [line for line in by[len(plain):].splitlines() if line.startswith("channel = ")]
    assert headers == [f"channel = {c}: {(raw['channel'] == c).sum():,} policies"
                       for c in sorted(raw["channel"].unique())]


@pytest.mark.parametrize("book", ["files", "duckdb"])
def test_unknown_column_exits_3_naming_it_and_the_columns(book: str, duckdb_book: str) -> None:
    data = str(SAMPLE) if book == "files" else duckdb_book
    code, out, err = _invoke(["cohorts", data, "--by", "no_such_column", "--json"])
    assert code == 3 and out == ""
    assert "'no_such_column'" in err
    listed = err.split("available:")[1]
    assert all(c in listed for c in ("channel", "product", "region", "tier"))


def test_too_many_levels_exits_3_as_km_does() -> None:
    code, _, err = _invoke(["cohorts", str(SAMPLE), "--by", "policy_id"])
    km_code, _, km_err = _invoke(["km", str(SAMPLE), "--by", "policy_id"])
    assert code == km_code == 3
    assert "6824 distinct values; at most 100 segments" in err
    assert err.split(": ", 1)[1] == km_err.split(": ", 1)[1]  # the same message as km


# ---- the engine book ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def duckdb_book(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cohorts_by") / "book.duckdb"
    code, _, err = _invoke(["import", str(SAMPLE), "-o", str(path)])
    assert code == 0, err
    return f"duckdb:///{path}"


@pytest.mark.parametrize("args", [
    ("--by", "channel"),
    ("--by", "region", "--cohort", "quarter", "--weight", "premium"),  # a member column
    ("--by", "premium_band", "--as-of", "2023-12-31"),  # a derived band, an earlier as-of
    ("--by", "age_band", "--weight", "premium"),  # derived from the member's birth date
    ("--by", "issue_year", "--cohort", "quarter"),  # a key of the cohort query itself
], ids=["channel", "region-quarter-premium", "premium_band-as_of", "age_band-premium",
        "issue_year-quarter"])
def test_duckdb_book_gives_the_files_json(duckdb_book: str, args: tuple[str, ...]) -> None:
    files = _json("cohorts", str(SAMPLE), *args)
    engine = _json("cohorts", duckdb_book, *args)
    assert files["groups"] and files["by"] == args[1]
    assert_same_json(engine, files)


def test_duckdb_book_missing_values_give_the_files_json(tmp_path: Path) -> None:
    """Empty channels (a policy column) and tiers (a member column): the engine's null group is
    the files' last "(missing)" group, with the same triangles."""
    folder = tmp_path / "blank"
    folder.mkdir()
    raw, members = _raw("policies"), _raw("members")
    raw.loc[raw.index % 7 == 3, "channel"] = ""
    members.loc[members.index % 5 == 1, "tier"] = ""
    raw.to_csv(folder / "policies.csv", index=False)
    members.to_csv(folder / "members.csv", index=False)
    db = tmp_path / "blank.duckdb"
    assert _invoke(["import", str(folder), "-o", str(db)])[0] == 0
    for by in ("channel", "tier"):
        files = _json("cohorts", str(folder), "--by", by, "--weight", "premium")
        assert files["groups"][-1]["name"] == "(missing)"
        assert_same_json(_json("cohorts", f"duckdb:///{db}", "--by", by, "--weight", "premium"),
                         files)


def test_duckdb_book_answers_from_aggregates_only(duckdb_book: str) -> None:
    from memberdesk.core.engine.book import open_book

    eng = open_book([duckdb_book])
    assert eng.book is not None
    try:
        res = cohort_retention(eng, by="region")
        assert len(res.groups) == 12
        assert not eng.book._frames  # no table's rows read to the client
    finally:
        eng.book.close()
