"""`memberdesk experience` in-process: the DESIGN §5 JSON contract on the six-policy book
(hand values from test_experience.py), the text table, and exit codes."""
from __future__ import annotations

import json

import pytest

from memberdesk.cli import main

PY1, PY2, PY3 = 5 + 291 / 365, 2 + 318 / 365, 1 + 22 / 365


@pytest.fixture
def expected_csv(tmp_path):
    path = tmp_path / "expected.csv"
    path.write_text("policy_year,rate\n1,0.10\n2,0.05\n3,0.20\n", encoding="utf-8")
    return path


def test_json_contract(book_csv, expected_csv, extract_day, capsys) -> None:
    code = main(["experience", str(book_csv), str(extract_day(book_csv.parent, "2025-01-31")),
                 "--as-of", "2025-01-31", "--expected",
                 str(expected_csv), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["as_of"] == "2025-01-31" and out["target"] == ["lapsed", "surrendered"]
    rows = out["rows"]
    assert [r["policy_year"] for r in rows] == [1, 2, 3]
    assert [r["exposure"] for r in rows] == pytest.approx([PY1, PY2, PY3])
    assert [r["actual"] for r in rows] == [2, 0, 1]
    assert rows[0]["ae"] == pytest.approx((2 / PY1) / 0.10)
    assert set(rows[0]) == {"policy_year", "exposure", "actual", "rate", "expected", "ae",
                            "credibility"}


def test_json_by_channel_and_target(book_csv, capsys) -> None:
    code = main(["experience", str(book_csv), "--as-of", "2025-01-31", "--by", "channel",
                 "--target", "death", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["target"] == ["death"]
    bank1 = [r for r in out["rows"] if r["policy_year"] == 1 and r["channel"] == "bank"]
    assert bank1[0]["actual"] == 1 and bank1[0]["exposure"] == pytest.approx(2.0)  # B 1 + E 1
    assert all(r["expected"] is None and r["ae"] is None for r in out["rows"])


def test_text_table(book_csv, expected_csv, capsys) -> None:
    assert main(["experience", str(book_csv), "--as-of", "2025-01-31", "--expected",
                 str(expected_csv)]) == 0
    text = capsys.readouterr().out
    assert "policy year" in text and "A/E" in text and "Total" in text
    assert "34.50%" in text                            # PY1 rate 2 / 5.797260


def test_unknown_target_is_a_usage_error(book_csv, capsys) -> None:
    assert main(["experience", str(book_csv), "--target", "lapse"]) == 2
    assert "unknown target status 'lapse'" in capsys.readouterr().err


def test_unknown_by_column_is_exit_3(book_csv, capsys) -> None:
    assert main(["experience", str(book_csv), "--by", "colour"]) == 3
    assert "colour" in capsys.readouterr().err


def test_bad_expected_table_names_the_file(book_csv, tmp_path, capsys) -> None:
    bad = tmp_path / "rates.csv"
    bad.write_text("year,q\n1,0.1\n", encoding="utf-8")
    assert main(["experience", str(book_csv), "--expected", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "rates.csv" in err and "policy_year" in err
