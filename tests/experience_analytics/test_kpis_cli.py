"""`memberdesk kpis` in-process, and the KPIs of the bundled sample book against the sample
generator's targets (bot replacement ≈ 0.83, human connection ≈ 0.987)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memberdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
needs_sample = pytest.mark.skipif(not (SAMPLE / "policies.csv").exists(),
                                  reason="sample_data/ not generated")


@pytest.fixture(scope="module")
def sample_json() -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["kpis", str(SAMPLE), "--json"]) == 0
    return json.loads(out.getvalue())


@needs_sample
def test_json_contract(sample_json: dict) -> None:
    from memberdesk.analysis.kpis import KPI_IDS

    assert set(sample_json) == {"as_of", "kpis"}
    assert [k["id"] for k in sample_json["kpis"]] == list(KPI_IDS)
    for k in sample_json["kpis"]:
        assert set(k) == {"id", "name", "value", "unit", "previous"}


@needs_sample
def test_sample_rates_near_generator_targets(sample_json: dict) -> None:
    kpis = {k["id"]: k for k in sample_json["kpis"]}
    assert kpis["bot_replacement_rate"]["value"] == pytest.approx(0.83, abs=0.02)
    assert kpis["human_connection_rate"]["value"] == pytest.approx(0.987, abs=0.007)
    assert 0 < kpis["csat"]["value"] < 1
    assert kpis["in_force_policies"]["value"] > 0


@needs_sample
def test_readable_table_and_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpis", str(SAMPLE), "--as-of", "2025-12-31"]) == 0
    out = capsys.readouterr().out
    assert "KPIs as of 2025-12-31 (previous: 2024-12-31)" in out
    assert "Bot replacement rate" in out and "%" in out


def test_bad_as_of_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policies.csv").write_text("policy_id,issue_date\nP1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["kpis", str(tmp_path), "--as-of", "not-a-date"])
    assert info.value.code == 2


def test_minimal_policies_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policies.csv").write_text(
        "policy_id,issue_date,end_date,status\nP1,2024-01-01,,in_force\n"
        "P2,2023-01-01,2024-06-30,lapsed\n", encoding="utf-8")
    assert main(["kpis", str(tmp_path), "--as-of", "2024-12-31", "--json"]) == 0
    kpis = {k["id"]: k for k in json.loads(capsys.readouterr().out)["kpis"]}
    assert kpis["in_force_policies"]["value"] == 1.0   # P1; P2 lapsed 2024-06-30
    assert kpis["in_force_policies"]["previous"] == 1.0  # P2 at 2023-12-31
    assert kpis["csat"]["value"] is None  # no contacts: null, not an error
