"""`memberdesk km` names the confidence level it used (the assumptions' ``ci_level``), never a
fixed "95% CI" (issue 17 C.17: the level flows into every analysis and its labels)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from memberdesk.cli import main

DURATIONS = np.array([5, 8, 12, 12, 15, 20, 24, 30, 36, 40, 45, 50, 60, 65, 70], dtype=float)
EVENTS = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0])


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], level: float | None) -> str:
    data = tmp_path / "surv.csv"
    data.write_text("t,e\n" + "".join(f"{d:g},{e}\n" for d, e in zip(DURATIONS, EVENTS)))
    argv = ["km", str(data), "--duration", "t", "--event-col", "e"]
    if level is not None:
        toml = tmp_path / "assumptions.toml"
        toml.write_text(f"schema_version = 1\nci_level = {level}\n")
        argv += ["--assumptions", str(toml)]
    assert main(argv) == 0
    return capsys.readouterr().out


def test_ci_level_090_is_named_and_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(tmp_path, capsys, 0.90)
    assert "95%" not in out
    header = next(line for line in out.splitlines() if line.startswith("group"))
    assert header.rstrip().endswith("90% CI")
    assert "(survival [90% CI], at risk)" in out
    # the printed interval at 24 is lifelines' log-log interval at alpha = 0.10
    kmf = KaplanMeierFitter(alpha=0.10).fit(DURATIONS, EVENTS)
    s = float(kmf.survival_function_at_times(24).iloc[0])
    ci = kmf.confidence_interval_.loc[:24].iloc[-1]
    assert f"{s:.1%} [{ci.iloc[0]:.1%}, {ci.iloc[1]:.1%}]" in out


def test_default_level_reads_95(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(tmp_path, capsys, None)
    assert "(survival [95% CI], at risk)" in out and "90%" not in out
    kmf = KaplanMeierFitter(alpha=0.05).fit(DURATIONS, EVENTS)
    ci = kmf.confidence_interval_.loc[:24].iloc[-1]
    assert f"[{ci.iloc[0]:.1%}, {ci.iloc[1]:.1%}]" in out


def test_ci_label_formats_any_level() -> None:
    from memberdesk.commands.km import ci_label

    assert [ci_label(a) for a in (0.05, 0.10, 0.025, 0.01)] == [
        "95% CI", "90% CI", "97.5% CI", "99% CI"]
