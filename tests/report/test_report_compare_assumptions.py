"""The report with assumptions and a comparison column (issue 17 C.17, C.18): the Definitions
sheet lists the assumptions in force; ``--compare-as-of DATE`` adds to the Summary each KPI at
DATE (equal to compute_kpis on the data at DATE) and the change since (value − value at DATE);
a workspace's assumptions reach the report."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from memberdesk.analysis.kpis import compute_kpis
from memberdesk.cli import main
from memberdesk.core.assumptions import Assumptions
from memberdesk.core.loader import load_dataset
from memberdesk.core.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def sample() -> Path:
    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there")
    return SAMPLE


def _rows(ws):  # type: ignore[no-untyped-def]
    return [r for r in ws.iter_rows(values_only=True)]


def test_compare_column_and_assumptions_block(tmp_path: Path, sample: Path) -> None:
    toml = tmp_path / "a.toml"
    toml.write_text('free_look_days = 10\nci_level = 0.9\n[reference_levels]\nchannel = "online"\n',
                    encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["report", str(sample), "-o", str(out), "--compare-as-of", "2025-12-31",
                 "--assumptions", str(toml)]) == 0
    wb = openpyxl.load_workbook(out)
    rows = _rows(wb["Summary"])
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Key figure")
    header = list(rows[header_at])
    at, change = header.index("Compared: as of 2025-12-31"), header.index("Change vs 2025-12-31")
    ds = load_dataset([str(sample)]).with_assumptions(Assumptions(
        free_look_days=10, ci_level=0.9, reference_levels=(("channel", "online"),)))
    now, then = compute_kpis(ds), compute_kpis(ds.with_as_of("2025-12-31"))
    for k_now, k_then, row in zip(now.kpis, then.kpis, rows[header_at + 1:], strict=False):
        if k_then.value is None:
            assert row[at] is None
            continue
        assert row[at] == pytest.approx(k_then.value, rel=1e-9)
        if k_now.value is not None:
            diff = k_now.value - k_then.value
            scale = 100.0 if k_now.unit == "ratio" else 1.0   # shares: percentage points
            assert row[change] == pytest.approx(diff * scale, rel=1e-9, abs=0.051 * scale / 100)
    definitions = {r[1]: r[2] for r in _rows(wb["Definitions"]) if r[1] and r[2]}
    assert definitions["Free-look period (days)"] == "10"
    assert definitions["Confidence level"] == "0.9"
    assert definitions["Cox reference levels"] == "channel = online"


def test_bad_compare_date_is_a_usage_error(tmp_path: Path, sample: Path) -> None:
    with pytest.raises(SystemExit) as exit_:  # as --as-of: a usage error, exit 2
        main(["report", str(sample), "-o", str(tmp_path / "r.xlsx"), "--compare-as-of", "soon"])
    assert exit_.value.code == 2
    assert not (tmp_path / "r.xlsx").exists()


def test_workspace_assumptions_reach_the_report(tmp_path: Path, sample: Path) -> None:
    ws = Workspace(sources=[str(sample)], assumptions=Assumptions(grace_days=45))
    path = ws.save(tmp_path / "w.mdesk")
    out = tmp_path / "w.xlsx"
    assert main(["report", "--workspace", str(path), "-o", str(out), "--lang", "zh_CN"]) == 0
    wb = openpyxl.load_workbook(out)
    rows = [r for name in wb.sheetnames for r in _rows(wb[name]) if r[1] == "宽限期天数"]
    assert rows and rows[0][2] == "45"
