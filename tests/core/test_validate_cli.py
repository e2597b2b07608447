"""`memberdesk validate`: exit codes, JSON shape (DESIGN §5), rejected-rows export."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _files(tmp_path: Path) -> Path:
    (tmp_path / "policies.csv").write_text(
        "policy_id,issue_date,status\nP1,2021-03-01,in force\nP1,2021-03-02,in force\nP3,2021-13-01,lapsed\n")
    return tmp_path


def test_json_shape_and_exit_zero_with_rejections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(_files(tmp_path)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "tables", "messages"}
    assert out["as_of"] == "2021-03-01"  # latest date among accepted rows
    (t,) = out["tables"]
    assert set(t) == {"table", "files", "read", "accepted", "rejected", "reasons", "messages"}
    assert (t["table"], t["read"], t["accepted"], t["rejected"]) == ("policies", 3, 1, 2)
    assert t["reasons"] == {"duplicate_id": 1, "unparseable_date": 1}
    assert t["files"] == [str(tmp_path / "policies.csv")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejected_out(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    out = tmp_path / f"rejected{suffix}"
    assert main(["validate", str(_files(tmp_path) / "policies.csv"), "--rejected-out", str(out),
                 "--as-of", "2021-03-01"]) == 0
    text = capsys.readouterr().out
    assert "duplicate_id" in text and "As of 2021-03-01" in text
    frame = pd.read_excel(out) if suffix == ".xlsx" else pd.read_csv(out, encoding="utf-8-sig")
    assert frame["reason"].tolist() == ["duplicate_id", "unparseable_date"]
    assert frame["row"].tolist() == [3, 4]


def test_unreadable_data_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policies.csv").write_bytes(b"\x00\x01binary")
    assert main(["validate", str(tmp_path / "policies.csv")]) == 3
    assert "policies.csv" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.csv")]) == 3


def test_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", str(_files(tmp_path)), "--as-of", "soon"])
    assert info.value.code == 2


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample_data not generated yet")
def test_sample_data_is_accepted_entirely(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SAMPLE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    tables = {t["table"]: t for t in report["tables"]}
    assert set(tables) == {"members", "policies", "benefit_usage", "service_contacts", "claims",
                           "premium_payments"}
    for t in tables.values():
        assert t["rejected"] == 0 and t["accepted"] == t["read"] > 0, t
    for variant in sorted((SAMPLE / "excel").glob("*.xlsx")) + sorted((SAMPLE / "gb18030").glob("*.csv")):
        assert main(["validate", str(variant), "--json"]) == 0
        other = json.loads(capsys.readouterr().out)
        for t in other["tables"]:
            assert t["rejected"] == 0, (variant, t)
            assert t["read"] == tables[t["table"]]["read"], (variant, t)


def test_rejected_out_xlsx_keeps_untrusted_values_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A control character used to crash openpyxl (IllegalCharacterError traceback) and a
    # value starting with "=" became a live formula in the exported workbook.
    import openpyxl

    (tmp_path / "policies.csv").write_text(
        'policy_id,issue_date,status\nP1,2021-03-01,a\x01b\nP2,2021-03-01,"=HYPERLINK(""http://x"")"\n'
        "P3,2021-03-01,in force\n", encoding="utf-8")
    out = tmp_path / "rejected.xlsx"
    assert main(["validate", str(tmp_path / "policies.csv"), "--rejected-out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    # location, reason and value first, then the rejected row's own cells (issue 17 C.16)
    assert rows[0] == ("table", "file", "sheet", "row", "column", "reason", "value", "detail",
                       "policy_id", "issue_date", "status")
    assert [(r[3], r[5], r[6]) for r in rows[1:]] == [
        (2, "unknown_status", "ab"), (3, "unknown_status", '=HYPERLINK("http://x")')]
    assert [r[8:] for r in rows[1:]] == [("P1", "2021-03-01", "ab"),
                                         ("P2", "2021-03-01", '=HYPERLINK("http://x")')]
    assert ws["G3"].data_type == "s" and ws["K3"].data_type == "s"  # text, not a formula


@pytest.mark.parametrize("target", ["missing_folder/rejected.csv", "."])
def test_rejected_out_to_an_impossible_path_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str) -> None:
    # Used to end in an OSError / IsADirectoryError traceback after loading everything.
    assert main(["validate", str(_files(tmp_path)), "--rejected-out", str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    assert "--rejected-out" in err and "Traceback" not in err
