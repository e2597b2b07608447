"""`memberdesk cox` names the confidence level its intervals were computed at (the assumptions'
``ci_level``), never a fixed "95% CI" (issue 17 C.17)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from memberdesk.cli import main


def _data(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    n = 300
    x = rng.integers(0, 2, n)
    t = np.ceil(rng.exponential(40 / np.exp(0.6 * x))).clip(1, 200)
    c = rng.integers(20, 200, n)
    path = tmp_path / "surv.csv"
    pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x": x}).to_csv(path,
                                                                                  index=False)
    return path


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], level: float | None) -> str:
    argv = ["cox", str(_data(tmp_path)), "--duration", "t", "--event-col", "e",
            "--covariates", "x"]
    if level is not None:
        toml = tmp_path / "assumptions.toml"
        toml.write_text(f"schema_version = 1\nci_level = {level}\n")
        argv += ["--assumptions", str(toml)]
    assert main(argv) == 0
    return capsys.readouterr().out


def test_cox_text_names_and_uses_90(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(tmp_path, capsys, 0.90)
    assert "95%" not in out and "90% CI" in out
    df = pd.read_csv(_data(tmp_path))
    cph = CoxPHFitter(alpha=0.10).fit(df, "t", "e")  # lifelines: Efron ties, as ours
    lo, hi = np.exp(cph.confidence_intervals_.loc["x"].to_numpy())
    line = next(row for row in out.splitlines() if row.startswith("x "))
    assert f"{lo:>6.3f} – {hi:<8.3f}".strip() in line


def test_cox_text_default_reads_95(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "95% CI" in _run(tmp_path, capsys, None)


def test_experience_text_names_the_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The experience table's interval column is headed by the level used (was a bare "CI")."""
    root = Path(__file__).resolve().parents[2]
    toml = tmp_path / "assumptions.toml"
    toml.write_text("schema_version = 1\nci_level = 0.9\n")
    assert main(["experience", str(root / "sample_data"), "--assumptions", str(toml)]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines()
                  if line.startswith("policy year"))
    assert "90% CI" in header
