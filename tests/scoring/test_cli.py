"""`memberdesk score`: the DESIGN §5 JSON, the call list files (personal data only when asked,
formula-like text kept as text), the model file round trip and exit codes 2/3."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from memberdesk.cli import main

DESIGN_VALIDATION_KEYS = {"cutoff", "c_index", "c_index_uno", "auc", "brier", "ibs", "ici",
                          "top_decile_capture", "top_decile_lift", "baseline"}
PERSONAL = {"member_id", "name", "birth_date"}
TRAP = "=HYPERLINK(\"http://x\",\"Term Life 5\")"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, book: dict[str, pd.DataFrame]) -> Path:
    """The sample book as CSV, with one product renamed to a formula (untrusted text)."""
    folder = tmp_path_factory.mktemp("score_cli")
    for name, frame in book.items():
        if name == "policies":
            frame = frame.assign(product=frame["product"].replace("Term Life 5", TRAP))
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_json_contract_and_call_lists(data_dir: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out_csv, out_xlsx, model = tmp_path / "list.csv", tmp_path / "list.xlsx", tmp_path / "m.json"
    assert main(["score", str(data_dir), "--json", "--top", "25", "-o", str(out_csv),
                 "--save-model", str(model)]) == 0
    doc = _json(capsys)
    assert {"as_of", "horizon_months", "model", "validation", "scored", "premium_at_risk",
            "deciles"} <= set(doc)
    assert doc["as_of"] == "2026-06-30" and doc["horizon_months"] == 12
    assert doc["model"] in ("cox", "gbm")
    assert DESIGN_VALIDATION_KEYS <= set(doc["validation"])
    assert DESIGN_VALIDATION_KEYS - {"cutoff", "baseline"} == set(doc["validation"]["baseline"])
    assert doc["validation"]["cutoff"] == "2025-06-30"
    assert doc["validation"]["chosen_reason"] in ("higher_auc", "better_calibrated",
                                                  "higher_auc_both_outside_tolerance")
    assert len(doc["deciles"]) == 10 and doc["deciles"][0]["decile"] == 1
    assert doc["premium_at_risk"] == pytest.approx(sum(d["premium_at_risk"] for d in doc["deciles"]))
    assert len(doc["call_list"]) == 25 and not PERSONAL & set(doc["call_list"][0])

    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 25
    assert {"policy_id", "product", "channel", "probability", "premium_at_risk",
            "reason_1", "reason_2", "reason_3"} <= set(rows[0])
    assert not PERSONAL & set(rows[0])
    assert [r["policy_id"] for r in rows] == [r["policy_id"] for r in doc["call_list"]]

    # the saved model scores the same data to the same figures, without refitting
    assert main(["score", str(data_dir), "--model-file", str(model), "--json", "-o",
                 str(out_xlsx), "--include-personal"]) == 0
    again = _json(capsys)
    assert again["scored"] == doc["scored"]
    assert again["premium_at_risk"] == pytest.approx(doc["premium_at_risk"], rel=1e-12)
    assert again["validation"]["auc"] == pytest.approx(doc["validation"]["auc"])

    ws = load_workbook(out_xlsx).active
    header = [c.value for c in ws[1]]
    assert PERSONAL & set(header) == {"member_id", "birth_date"}   # the book has no names
    assert ws.max_row - 1 == doc["scored"]
    products = {ws.cell(r, header.index("product") + 1) for r in range(2, ws.max_row + 1)}
    trapped = [c for c in products if c.value == TRAP]
    assert trapped and all(c.data_type == "s" and c.quotePrefix for c in trapped)


def test_csv_neutralises_formulas(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    assert main(["score", str(data_dir), "--horizon", "3", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'" + TRAP.replace('"', '""') in text
    assert "\n=" not in text and ",=" not in text


def test_usage_and_data_errors(data_dir: Path, tmp_path: Path, book: dict[str, pd.DataFrame],
                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["score", str(data_dir), "--horizon", "5"])
    assert exc.value.code == 2
    assert main(["score", str(data_dir), "-o", str(tmp_path / "list.txt")]) == 2
    generic = tmp_path / "generic.csv"
    pd.DataFrame({"policy_id": ["a", "b"], "tenure": [1.0, 2.0], "lapsed": [1, 0]}).to_csv(
        generic, index=False)
    with pytest.raises(SystemExit) as exc:   # a generic table cannot be snapshotted
        main(["score", str(generic), "--duration", "tenure", "--event-col", "lapsed"])
    assert exc.value.code == 2
    capsys.readouterr()
    assert main(["score", str(generic)]) == 3          # no issue dates: a data error
    assert "issue_date" in capsys.readouterr().err
    # a book too short for a validation window is a data error naming the need
    short = tmp_path / "short"
    short.mkdir()
    pol = book["policies"]
    pol[pol["issue_date"] >= "2025-01-01"].to_csv(short / "policies.csv", index=False)
    capsys.readouterr()
    assert main(["score", str(short)]) == 3
    assert "months of history" in capsys.readouterr().err
    bad_model = tmp_path / "bad.json"
    bad_model.write_text("{}", encoding="utf-8")
    assert main(["score", str(data_dir), "--model-file", str(bad_model)]) == 3
