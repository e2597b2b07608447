"""The report's benefit-retention block at a CI level of 90% (issue 17 C.17): the hazard ratio's
interval is computed at 90% and its rows say so. Truth: the Wald interval exp(b ± z·se) at
z = Φ⁻¹(0.95), se read off the same fit's 95% interval."""
from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from memberdesk.analysis.benefits import benefit_retention
from memberdesk.cli import main
from memberdesk.core.loader import load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
Z_975, Z_95 = 1.959963984540054, 1.6448536269514722


def test_benefits_hazard_ratio_rows_at_90(tmp_path: Path) -> None:
    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there")
    toml = tmp_path / "a.toml"
    toml.write_text("ci_level = 0.9\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(out), "--assumptions", str(toml)]) == 0
    sheet = next(ws for ws in openpyxl.load_workbook(out) if ws.title.startswith("Benefits"))
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if isinstance(r[0], str)}
    assert "HR 90% CI lower" in rows and "HR 90% CI upper" in rows, list(rows)
    assert not any("95%" in label for label in rows)
    at95 = benefit_retention(load_dataset([str(SAMPLE)]), alpha=0.05).comparison
    for j, (_, row) in enumerate(at95.iterrows()):
        b = math.log(row["hazard_ratio"])
        se = (math.log(row["hr_ci_upper"]) - math.log(row["hr_ci_lower"])) / (2 * Z_975)
        lower = next(v for v in rows["HR 90% CI lower"][j:] if v is not None)
        upper = next(v for v in rows["HR 90% CI upper"][j:] if v is not None)
        assert lower == pytest.approx(math.exp(b - Z_95 * se), rel=1e-6)
        assert upper == pytest.approx(math.exp(b + Z_95 * se), rel=1e-6)
