"""A raw engine table validated without a rejected row reads its id columns as stored when its
validation scan counted no cell that cleaning changes (no padding, no null token), and keeps
trimming them row by row otherwise (``rules.Canonical.cleaned_ids``, ``book._counts``).

Truth: the file path (readers -> validation -> compute_kpis and KM on the rows) on the same
rows written as CSV; the cockpit KPIs join policies to members on the member id, so a padded
member id read as stored would lose its member. The SQL shows which route ran.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .conftest import write_csv_book
from .test_kpi_counts import _kpis, assert_same

TODAY = dt.date(2026, 12, 5)
MEMBERS = "member_id,birth_date,gender,region,join_date,tier\n"
POLICIES = "policy_id,member_id,channel,product,issue_date,end_date,status,annual_premium\n"


def _write(folder: Path, padded: bool) -> tuple[list[Path], Path]:
    members = [f"M{n:04d},19{60 + n % 30}-0{1 + n % 9}-1{n % 9},{'FM'[n % 2]},"
               f"{['江苏', '浙江', '上海'][n % 3]},2018-0{1 + n % 9}-01,{['standard', 'silver'][n % 2]}"
               for n in range(60)]
    policies = []
    for i in range(240):
        member = f"M{i % 60:04d}"
        if padded and i == 7:
            member = f"  {member} "  # the same member once trimmed: known, not rejected
        lapsed = i % 3 == 0
        end = f"202{2 + i % 3}-0{1 + i % 9}-15" if lapsed else ""
        policies.append(f'P{i:05d},"{member}",{["agency", "broker", "online"][i % 3]},'
                        f'{["term", "health"][i % 2]},20{18 + i % 4}-0{1 + i % 9}-0{1 + i % 9},'
                        f'{end},{"lapsed" if lapsed else "in_force"},{100 + i}')
    return write_csv_book(folder, {"members": MEMBERS + "\n".join(members) + "\n",
                                   "policies": POLICIES + "\n".join(policies) + "\n"})


@pytest.mark.parametrize("padded", [False, True], ids=["tidy ids", "a padded member id"])
def test_clean_raw_ids_read_as_stored_only_when_cleaning_changes_nothing(
        padded: bool, tmp_path: Path, duckdb_sql: list[str]) -> None:
    files, book = _write(tmp_path, padded)
    mem = load_dataset([str(f) for f in files], today=TODAY)
    eng = open_book(f"duckdb://{book}", today=TODAY)
    try:
        for ds in (mem, eng):  # clean tables: nothing rejected, the padded id found its member
            assert all(t.rejected == 0 for t in ds.report.tables)
        opened = len(duckdb_sql)
        assert_same(_kpis(eng), _kpis(mem))
        a, b = km_by_segment(eng, "region").to_json(), km_by_segment(mem, "region").to_json()
        assert [g["n"] for g in a["groups"]] == [g["n"] for g in b["groups"]]
        analyses = duckdb_sql[opened:]
        trims = [q for q in analyses if 'ASCII("t0"."member_id")' in q or
                 'ASCII("t0"."policy_id")' in q]
        # tidy: both id columns read as stored; padded: member_id trimmed, policy_id not
        assert bool(trims) == padded
        assert not any('ASCII("t0"."policy_id")' in q for q in analyses)
    finally:
        assert eng.book is not None
        eng.book.close()
