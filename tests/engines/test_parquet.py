"""A Parquet file (or folder) is queried in place by DuckDB: `km FILE.parquet --by channel
--json` gives the file path's curves (the CSV of the same rows read by the readers)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest

from memberdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_km_on_parquet_equals_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = ROOT / "sample_data" / "policies.csv"
    folder = tmp_path / "book"
    folder.mkdir()
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{folder / 'policies.parquet'}'")
    results = []
    for data in (str(csv), str(folder / "policies.parquet"), str(folder)):
        assert main(["km", data, "--by", "channel", "--json"]) == 0
        results.append(json.loads(capsys.readouterr().out))
    reference = results[0]
    for other in results[1:]:
        assert [g["name"] for g in other["groups"]] == [g["name"] for g in reference["groups"]]
        for g, r in zip(other["groups"], reference["groups"]):
            assert (g["n"], g["events"], g["at_risk"]) == (r["n"], r["events"], r["at_risk"])
            assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(g["survival"], r["survival"]))
        assert math.isclose(other["logrank"]["test_statistic"], reference["logrank"]["test_statistic"],
                            rel_tol=1e-9)
