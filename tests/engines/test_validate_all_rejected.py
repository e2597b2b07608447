"""`memberdesk validate` on a database book whose every policy is rejected reports the
rejections, as on the files (helper U's sweep: it exited 3 with "the policies table has no dates
to set the as-of date from", so the one command meant to say why could not).

Truth: the file path on the same cells (as-of today when no date is accepted; exit 0; the
rejected rows listed), and hand counts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from memberdesk.cli import main

from .conftest import write_csv_book

POLICIES = ("policy_id,member_id,issue_date,annual_premium,status\n"
            "P1,M1,notadate,100,in_force\nP2,M1,alsobad,100,in_force\n")
MEMBERS = "member_id,birth_date\nM1,1980-01-01\n"


def test_validate_a_book_of_rejected_policies(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    files, book = write_csv_book(tmp_path, {"policies": POLICIES, "members": MEMBERS})
    assert main(["validate", *map(str, files)]) == 0
    on_files = capsys.readouterr().out
    assert main(["validate", f"duckdb://{book}"]) == 0
    out = capsys.readouterr().out
    today = dt.date.today().isoformat()
    for text in (on_files, out):
        assert f"As of {today}" in text
        assert "policies                   2         0         2" in text
    listed = [line for line in out.splitlines() if "'issue_date': unparseable_date" in line]
    assert len(listed) == 2 and all("row None" not in line and " row " not in line
                                    for line in listed), listed
    assert main(["km", f"duckdb://{book}"]) == 3  # an analysis still refuses, naming why
    assert "every policy row was rejected" in capsys.readouterr().err
