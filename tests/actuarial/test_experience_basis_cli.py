"""`memberdesk experience --basis calendar_year`: JSON rows keyed by calendar year with the
six-policy book's exposures worked by hand, equal to experience_study called directly; text
header; expected tables matched on the basis' period column; the default stays policy years."""
from __future__ import annotations

import json

import numpy as np
import pytest

from memberdesk.analysis.experience import experience_study
from memberdesk.cli import main

# Calendar-year exposures of the six-policy book (conftest), as of 2025-01-31, annual method
# (lapsed/surrendered get a full year in their last period; others are days ÷ days in the year,
# both ends inclusive):
#   A 2020-02-29 → lapsed 2022-03-10: 2020 Feb 29–Dec 31 = 307/366; 2021 1; 2022 1 (lapse)
#   B 2023-01-10 in force: 2023 Jan 10–Dec 31 = 356/365; 2024 1; 2025 Jan 1–31 = 31/365
#   C 2023-01-05 → surrendered 2023-01-15: 2023 1 (surrender)
#   D 2023-03-20 in force: 2023 Mar 20–Dec 31 = 287/365; 2024 1; 2025 31/365
#   E 2023-02-14 → death 2023-12-01 (not studied): 2023 Feb 14–Dec 1 = 291/365
#   F 2023-06-30 → lapsed 2024-05-15: 2023 Jun 30–Dec 31 = 185/365; 2024 1 (lapse)
CY = {2020: (307 / 366, 0), 2021: (1.0, 0), 2022: (1.0, 1),
      2023: (1 + (356 + 287 + 291 + 185) / 365, 1), 2024: (3.0, 1), 2025: (62 / 365, 0)}


def run_json(capsys, *args: str) -> dict:
    code = main(["experience", *args, "--as-of", "2025-01-31", "--json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_calendar_basis_json_rows(book_csv, six_book, extract_day, capsys) -> None:
    out = run_json(capsys, str(book_csv), str(extract_day(book_csv.parent, "2025-01-31")), "--basis", "calendar_year")
    rows = out["rows"]
    assert all(set(r) == {"calendar_year", "exposure", "actual", "rate", "expected", "ae",
                          "credibility"} for r in rows)
    assert [r["calendar_year"] for r in rows] == sorted(CY)
    assert [r["exposure"] for r in rows] == pytest.approx([CY[y][0] for y in sorted(CY)])
    assert [r["actual"] for r in rows] == [CY[y][1] for y in sorted(CY)]
    direct = experience_study(six_book, basis="calendar_year")
    assert [r["exposure"] for r in rows] == pytest.approx(list(direct.rows["exposure"]))
    assert [r["rate"] for r in rows] == pytest.approx(list(direct.rows["rate"]))


def test_default_basis_stays_policy_year(book_csv, capsys) -> None:
    default = run_json(capsys, str(book_csv))
    explicit = run_json(capsys, str(book_csv), "--basis", "policy_year")
    assert default == explicit
    assert all("policy_year" in r and "calendar_year" not in r for r in default["rows"])


def test_calendar_basis_by_channel(book_csv, capsys) -> None:
    rows = run_json(capsys, str(book_csv), "--basis", "calendar_year", "--by", "channel")["rows"]
    bank_2023 = [r for r in rows if r["calendar_year"] == 2023 and r["channel"] == "bank"]
    assert bank_2023[0]["exposure"] == pytest.approx((356 + 291) / 365)  # B + E
    assert bank_2023[0]["actual"] == 0


def test_calendar_expected_table_and_policy_year_table(book_csv, tmp_path, extract_day,
                                                       capsys) -> None:
    by_calendar = tmp_path / "cy.csv"
    by_calendar.write_text("calendar_year,rate\n2022,0.5\n2023,0.25\n2024,0.2\n",
                           encoding="utf-8")
    rows = run_json(capsys, str(book_csv), str(extract_day(book_csv.parent, "2025-01-31")),
                    "--basis", "calendar_year", "--expected", str(by_calendar))["rows"]
    row = {r["calendar_year"]: r for r in rows}
    assert row[2023]["expected"] == pytest.approx(0.25)
    assert row[2023]["ae"] == pytest.approx((1 / CY[2023][0]) / 0.25)
    assert row[2024]["ae"] == pytest.approx((1 / 3) / 0.2)
    assert row[2020]["expected"] is None and row[2020]["ae"] is None  # no rate for 2020

    by_policy = tmp_path / "py.csv"
    by_policy.write_text("policy_year,rate\n1,0.1\n", encoding="utf-8")
    code = main(["experience", str(book_csv), "--as-of", "2025-01-31", "--basis",
                 "calendar_year", "--expected", str(by_policy)])
    assert code == 3
    assert "calendar_year" in capsys.readouterr().err


def test_text_header_follows_the_basis(book_csv, capsys) -> None:
    assert main(["experience", str(book_csv), "--as-of", "2025-01-31", "--basis",
                 "calendar_year"]) == 0
    text = capsys.readouterr().out
    assert "by calendar year" in text.splitlines()[0]
    assert text.splitlines()[1].startswith("calendar year")
    assert "2020" in text and "Total" in text


def test_unknown_basis_is_a_usage_error(book_csv, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["experience", str(book_csv), "--basis", "fiscal_year"])
    assert exc.value.code == 2


def test_total_exposure_is_the_same_on_both_bases_under_distribution(random_book) -> None:
    """Distribution method: each policy's exposures add up to observed days ÷ period days on
    either basis; summed over the book the two totals agree to within the leap-day difference
    (a calendar year and a policy year can have 365 or 366 days)."""
    py = experience_study(random_book, method="distribution")
    cy = experience_study(random_book, basis="calendar_year", method="distribution")
    assert py.totals["actual"].iloc[0] == cy.totals["actual"].iloc[0]
    total_py, total_cy = py.totals["exposure"].iloc[0], cy.totals["exposure"].iloc[0]
    assert total_cy == pytest.approx(total_py, rel=5e-4)  # (the annual method: ~3e-3 apart)
    assert np.isclose(py.rows["exposure"].sum(), total_py)
