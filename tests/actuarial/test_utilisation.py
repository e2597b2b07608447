"""Benefit utilisation study (actxps trx_stats on benefit uses), worked by hand.

As of 2025-12-31, policy years, annual method (lapsed/surrendered studied):

====  ======  ==========  =====================  =======================================
pol   member  issue       end                    policy-year exposures
====  ======  ==========  =====================  =======================================
A     M1      2023-01-01  in force               py1 1, py2 1, py3 1
B     M1      2024-06-01  in force               py1 1, py2 2025-06-01..12-31 = 214/365
C     M2      2024-01-01  lapsed 2024-09-30      py1 1 (studied lapse: full year)
====  ======  ==========  =====================  =======================================

Uses go to the member's first-issued policy in force that day:
  M1 checkup 2023-03-01 (100) -> A py1;  M1 checkup 2024-07-01 (100) -> A py2 (A before B);
  M1 consult 2024-07-02 (20) and 2024-08-01 (20) -> A py2;  M2 checkup 2024-02-01 (150) -> C py1;
  M2 checkup 2024-10-15 -> C ended: unattached;  M3 consult 2024-01-01 -> no policy: unattached.
checkup py1: uses 2, users 2, amount 250, exposure 3, utilisation 2/3.
checkup py2: uses 1, users 1, amount 100, exposure 1 + 214/365.
consult py2: uses 2, users 1 (one policy year), amount 40, uses per user 2.
consult py1: no use: 0 users over exposure 3.
"""
from __future__ import annotations

import pandas as pd
import pytest

from memberdesk.analysis.utilisation import benefit_utilisation
from memberdesk.core.dataset import Dataset


@pytest.fixture
def book() -> Dataset:
    policies = pd.DataFrame({
        "policy_id": ["A", "B", "C"], "member_id": ["M1", "M1", "M2"],
        "issue_date": pd.to_datetime(["2023-01-01", "2024-06-01", "2024-01-01"]),
        "end_date": pd.to_datetime([None, None, "2024-09-30"]),
        "status": ["in_force", "in_force", "lapsed"],
        "annual_premium": [1000.0, 1000.0, 1000.0], "channel": ["agency", "bank", "agency"]})
    uses = pd.DataFrame({
        "member_id": ["M1", "M1", "M1", "M1", "M2", "M2", "M3"],
        "benefit": ["checkup", "checkup", "consult", "consult", "checkup", "checkup", "consult"],
        "used_at": pd.to_datetime(["2023-03-01", "2024-07-01", "2024-07-02", "2024-08-01",
                                   "2024-02-01", "2024-10-15", "2024-01-01"]),
        "cost": [100.0, 100.0, 20.0, 20.0, 150.0, 150.0, 30.0]})
    return Dataset(validated={"policies": policies, "benefit_usage": uses},
                   as_of=pd.Timestamp("2025-12-31"))


def test_utilisation_by_policy_year(book: Dataset) -> None:
    res = benefit_utilisation(book)
    rows = res.rows.set_index(["policy_year", "trx_type"])
    py2 = 1 + 214 / 365
    assert res.unattached == 2
    r = rows.loc[(1, "checkup")]
    assert (r["uses"], r["users"], r["amount"]) == (2, 2, 250)
    assert r["exposure"] == pytest.approx(3.0)
    assert r["utilisation"] == pytest.approx(2 / 3)
    assert r["avg_per_user"] == pytest.approx(125.0)
    r = rows.loc[(2, "checkup")]
    assert (r["uses"], r["users"], r["amount"]) == (1, 1, 100)
    assert r["exposure"] == pytest.approx(py2)
    assert r["utilisation"] == pytest.approx(1 / py2)
    r = rows.loc[(2, "consult")]
    assert (r["uses"], r["users"], r["amount"]) == (2, 1, 40)
    assert r["uses_per_user"] == pytest.approx(2.0)
    r = rows.loc[(1, "consult")]
    assert (r["uses"], r["users"], r["exposure"]) == (0, 0, pytest.approx(3.0))


def test_utilisation_by_segment(book: Dataset) -> None:
    res = benefit_utilisation(book, by=["channel"])
    rows = res.rows.set_index(["policy_year", "channel", "trx_type"])
    # py1 checkup: agency A (use) and C (use), exposure 2 -> 2/2; bank B no use, exposure 1
    assert rows.loc[(1, "agency", "checkup"), "utilisation"] == pytest.approx(1.0)
    assert rows.loc[(1, "bank", "checkup"), "utilisation"] == pytest.approx(0.0)
    assert res.to_json()["rows"][0]["policy_year"] == 1


def test_cli_utilisation_json(book: Dataset, tmp_path, extract_day, capsys) -> None:
    import json

    from memberdesk.cli import main

    for name, frame in book.validated.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    extract_day(tmp_path, "2025-12-31")
    code = main(["experience", str(tmp_path), "--utilisation", "--as-of", "2025-12-31",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["unattached"] == 2
    row = next(r for r in out["rows"] if r["policy_year"] == 1 and r["trx_type"] == "checkup")
    assert (row["uses"], row["users"], row["amount"]) == (2, 2, 250.0)
    assert row["utilisation"] == pytest.approx(2 / 3)
