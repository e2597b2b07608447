"""`validate --json` and `kpis --json` match DESIGN §5 exactly: key names, key order-free sets
and value types, on a messy book (rejections, missing optional tables) and on sample_data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from memberdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _messy(tmp_path: Path) -> Path:
    (tmp_path / "保单.csv").write_bytes(
        ("保单号,客户号,生效日期,终止日期,保单状态,年化保费\n"
         "007,C1,2021年3月1日,,有效,\"¥1,234.50\"\n"
         "008,C2,2020/5/3,2022-01-01,退保,2000\n"
         "007,C3,2021-01-01,,有效,1\n"          # duplicate id
         "009,C4,2099-01-01,,有效,1\n"          # future date
         "010,C5,2021-01-01,2020-01-01,失效,1\n"  # end before issue
         "011,C6,2021-01-01,,whatever,1\n").encode("gb18030"))  # unknown status
    (tmp_path / "members.csv").write_text("会员号,性别\nC1,F\nC2,M\n", encoding="utf-8")
    return tmp_path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_validate_json(out: dict) -> None:
    # {"as_of": str, "tables": [{"table": str, "files": [str], "read": int, "accepted": int,
    #  "rejected": int, "reasons": {reason_code: int}, "messages": [str]}], "messages": [str]}
    # (per-table and top-level messages: issue #11 point 12)
    from memberdesk.core import schema

    assert set(out) == {"as_of", "tables", "messages"}
    assert all(isinstance(m, str) for m in out["messages"])
    assert isinstance(out["as_of"], str) and ISO_DATE.match(out["as_of"])
    assert isinstance(out["tables"], list) and out["tables"]
    for t in out["tables"]:
        assert set(t) == {"table", "files", "read", "accepted", "rejected", "reasons", "messages"}
        assert all(isinstance(m, str) and m in out["messages"] for m in t["messages"])
        assert t["table"] in schema.TABLES
        assert isinstance(t["files"], list) and all(isinstance(f, str) for f in t["files"])
        assert all(_is_int(t[k]) for k in ("read", "accepted", "rejected"))
        assert t["read"] == t["accepted"] + t["rejected"]
        assert isinstance(t["reasons"], dict)
        assert all(isinstance(k, str) and _is_int(v) for k, v in t["reasons"].items())
        assert sum(t["reasons"].values()) == t["rejected"]


def check_kpis_json(out: dict) -> None:
    # {"as_of": str, "kpis": [{"id": str, "name": str, "value": float|null, "unit": str,
    #  "previous": float|null}]} with ids from the metrics registry
    from memberdesk.analysis.kpis import KPI_IDS
    from memberdesk.analysis.metrics import get_metric

    assert set(out) == {"as_of", "kpis"}
    assert isinstance(out["as_of"], str) and ISO_DATE.match(out["as_of"])
    assert [k["id"] for k in out["kpis"]] == list(KPI_IDS)
    for k in out["kpis"]:
        assert set(k) == {"id", "name", "value", "unit", "previous"}
        assert isinstance(k["id"], str) and get_metric(k["id"]).id == k["id"]
        assert isinstance(k["name"], str) and k["name"]
        assert isinstance(k["unit"], str) and k["unit"]
        for key in ("value", "previous"):
            assert k[key] is None or isinstance(k[key], float), (k["id"], key, k[key])


def test_validate_json_contract_on_a_messy_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(["validate", str(_messy(tmp_path)), "--json"], capsys)
    check_validate_json(out)
    t = {x["table"]: x for x in out["tables"]}
    assert t["policies"]["reasons"] == {"duplicate_id": 1, "future_date": 1,
                                        "end_before_issue": 1, "unknown_status": 1}
    assert t["policies"]["accepted"] == 2 and t["members"]["accepted"] == 2


def test_kpis_json_contract_on_a_messy_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(["kpis", str(_messy(tmp_path)), "--as-of", "2022-06-30", "--json"], capsys)
    check_kpis_json(out)
    # the book's last usable date is 2022-01-01 (008's surrender; 2099 is rejected): an --as-of
    # after it is capped there (issue 17 C.11)
    assert out["as_of"] == "2022-01-01"
    kpis = {k["id"]: k for k in out["kpis"]}
    # in force at 2022-01-01: 007 only (008 surrendered that day) -> 1 policy, ¥1,234.50
    assert kpis["in_force_policies"]["value"] == 1.0
    assert kpis["in_force_premium"]["value"] == 1234.5
    assert kpis["csat"]["value"] is None  # no service table: null, not an error


@pytest.mark.skipif(not (SAMPLE / "policies.csv").exists(), reason="sample_data not generated")
def test_json_contracts_on_sample_data(capsys: pytest.CaptureFixture[str]) -> None:
    check_validate_json(_run(["validate", str(SAMPLE), "--json"], capsys))
    check_kpis_json(_run(["kpis", str(SAMPLE), "--json"], capsys))
