"""The unknown-member rule of an engine book gives the file path's answer, row for row, on
both of its routes (:class:`memberdesk.core.engine.rules.KnownIds`):

* the members' ids all of one shape (prefix + a fixed number of digits) and the members table
  large (:data:`rules.BITMAP_LOOKUP_FROM`, lowered here): each policy's member id is looked up
  in bitmaps of the accepted members' numbers, one per block of 65,536;
* a smaller table, or any member id of another shape: the anti join on the accepted ids, which
  the duplicate-id rule has made distinct (no ``DISTINCT`` before the join).

The truth is the file path (readers -> validation) on the same rows written as CSV, and a
hand count of the policies whose member id is not an accepted member's. The near misses are
the ids a loose reading of the number would take for known ones (``M+00007`` and ``M 00007``
are 7 to DuckDB's ``TRY_CAST``; so is ``M_00007``), ids one digit short or long, another
prefix or case, a member rejected by its own row, and numbers on each side of a block edge.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from memberdesk.core.engine import rules
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .conftest import write_csv_book

TODAY = dt.date(2026, 12, 5)
MEMBERS = "member_id,birth_date,gender,region,join_date,tier\n"
POLICIES = "policy_id,member_id,channel,product,issue_date,end_date,status,annual_premium\n"

# member numbers: a run from 0, then both sides of the first and second block edges
NUMBERS = [*range(300), 65_535, 65_536, 131_072]
REJECTED_MEMBER = "M000005"  # joins in the future: rejected, so its policies' member is unknown
KNOWN = ["M000000", "M000007", " M000008", "M000299", "M065535", "M065536", "M131072",
         "M000010"]  # M000010 is a member listed twice (kept once)
UNKNOWN = [REJECTED_MEMBER, "M000300", "M065534", "M065537", "M131071", "M131073", "M262144",
           "M00007", "M0000007", "M+00007", "M 00007", "M_00007", "m000007", "N000007",
           "M00000７", "MM000007"]


def _write(folder: Path, extra_member: str | None) -> tuple[list[Path], Path]:
    members = [f"M{n:06d},1980-01-0{1 + n % 9},F,江苏,2019-01-01,standard" for n in NUMBERS]
    members.append("M000010,1980-01-01,F,江苏,2019-01-01,standard")  # a repeated member id
    members[5] = f"{REJECTED_MEMBER},1980-01-01,F,江苏,2030-01-01,standard"
    if extra_member is not None:
        members.append(f"{extra_member},1980-01-01,F,江苏,2019-01-01,standard")
    policies = [f'P{i:05d},"{m}",agency,term,2020-01-01,,in_force,100'
                for i, m in enumerate(KNOWN + UNKNOWN)]
    return write_csv_book(folder, {"members": MEMBERS + "\n".join(members) + "\n",
                                   "policies": POLICIES + "\n".join(policies) + "\n"})


def _unknown(ds) -> list[str]:  # type: ignore[no-untyped-def]
    rej = ds.report.rejected
    rows = rej[(rej["table"] == "policies") & (rej["reason"] == "unknown_member")]
    return sorted(str(v) for v in rows["value"])


@pytest.mark.parametrize("route", ["bitmaps", "join", "join, ids of another shape"])
def test_unknown_members_equal_file_path(route: str, tmp_path: Path, duckdb_sql: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if route != "join":  # any members table is "large"
        monkeypatch.setattr(rules, "BITMAP_LOOKUP_FROM", 0)
    # one member id of another shape sends the rule to the anti join
    files, book = _write(tmp_path, "X-1" if "shape" in route else None)
    mem = load_dataset([str(f) for f in files], today=TODAY)
    sent = duckdb_sql
    eng = open_book(f"duckdb://{book}", today=TODAY)
    try:
        # hand count: every UNKNOWN id, as written (the file path trims nothing in the value)
        assert len(_unknown(mem)) == len(UNKNOWN)
        assert _unknown(eng) == _unknown(mem)
        for ds in (mem, eng):
            report = {t.table: t for t in ds.report.tables}
            assert report["policies"].reasons == {"unknown_member": len(UNKNOWN)}
            assert report["policies"].accepted == len(KNOWN)
            assert report["members"].reasons == {"future_date": 1, "duplicate_id": 1}
        scan = [s for s in sent if 'COUNT(*) AS "read"' in s and '"policies"' in s]
        assert scan  # the policies' validation scan
        assert all(("GET_BIT" in s.upper()) == (route == "bitmaps") for s in scan)
        if route != "bitmaps":
            assert not any("SELECT DISTINCT" in s.upper() for s in scan)
    finally:
        eng.book.close()
