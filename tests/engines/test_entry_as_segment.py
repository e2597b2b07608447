"""`km --by COL --entry COL` (the segment is the entry column itself) ran into a KeyError, "an
unexpected error (this is a bug)", on files and on engine books alike (found in review by
helper R2). Now each entry value is a segment. Truth: Kaplan-Meier by hand on six records."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main

ROWS = [(5, 1, 0), (8, 0, 1), (3, 1, 0), (9, 1, 2), (4, 0, 1), (7, 1, 0)]  # (T, E, t0)


def _run(capsys: pytest.CaptureFixture[str], data: str) -> dict[str, object]:
    assert main(["km", data, "--duration", "T", "--event-col", "E", "--by", "t0",
                 "--entry", "t0", "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_the_entry_column_as_the_segment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "e.csv"
    csv.write_text("T,E,t0\n" + "".join(f"{t},{e},{s}\n" for t, e, s in ROWS), encoding="utf-8")
    db = tmp_path / "e.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (T DOUBLE, E INTEGER, t0 DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", ROWS)
    con.close()
    for data in (str(csv), f"duckdb:///{db}"):
        got = _run(capsys, data)
        groups = {str(g["name"]).removesuffix(".0"): g for g in got["groups"]}  # type: ignore[union-attr]
        assert sorted(groups) == ["0", "1", "2"]
        # entry 0: exits at 3, 5, 7 (all events), at risk 3, 2, 1 -> S = 2/3, 1/3, 0
        zero = groups["0"]
        s = dict(zip(zero["timeline"], zero["survival"]))
        assert s[3.0] == pytest.approx(2 / 3) and s[5.0] == pytest.approx(1 / 3) and s[7.0] == 0.0
        assert groups["1"]["events"] == 0 and groups["2"]["events"] == 1
