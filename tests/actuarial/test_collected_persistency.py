"""Persistency on collected premium (实收保费 继续率), worked by hand on a ten-policy payments book.

As of 2025-06-30, 13th month, calendar-year periods, grace 60 days. The 13th policy month of a
policy issued in 2023 starts in 2024, so the 2024 cohort is the policies issued in 2023. The
collected basis waits for the grace period: as-of − 60 days = 2025-05-01, by which every policy
issued up to 2024-03 is measured (2024-03-31 + 13 months − 1 day = 2025-04-30), so 2024 is the
only complete calendar year (2025 would need policies issued up to 2024-12).

====  ==========  =========  ============  ===========  ====================================
id    issue       frequency  annual prem.  status, end  instalments (due → paid, amount)
====  ==========  =========  ============  ===========  ====================================
P1    2023-01-10  annual     1200          in force     2023-01-10 → 01-10 1200; 2024-01-10 →
                                                        2024-01-08 1200 (2 days early)
P2    2023-02-15  monthly    1200          in force     2023-02-15 → 02-15 100; 2023-03-15 →
                                                        03-15 100 (month 2: not used);
                                                        2024-02-15 → 2024-03-20 100 (34 days
                                                        late: a grace-period cure)
P3    2023-03-01  annual     2400          lapsed       2023-03-01 → 03-01 2400; 2024-03-01
                                           2024-05-10   unpaid
P4    2023-04-20  annual     1000          in force     2023-04-20 → 04-20 1000; 2024-04-20 →
                                                        2024-07-01 1000 (72 days: too late)
P5    2023-05-05  quarterly  2000          in force     2023-05-05 → 05-05 500; 2024-05-05 →
                                                        05-05 250 and 2024-05-05 unpaid 250
P6    2023-06-01  趸交        10000         in force     2023-06-01 → 06-01 10000
P7    2023-07-01  annual     1500          surrendered  2023-07-01 → 07-01 1500 (free look:
                                           2023-07-10   ended 9 days after issue)
P8    2023-08-15  annual     3000          death        2023-08-15 → 08-15 3000
                                           2024-02-01
P9    2023-09-01  annual     800           waived (免缴)  2023-09-01 → 09-01 800
P10   2023-10-31  annual     1800          in force     no row due in policy month 1; 2024-10-31
                                                        → 2024-10-31 1800
====  ==========  =========  ============  ===========  ====================================

Exclusions, first reason that applies: P6 single premium (month-1 amount due 10000), P7 free
look (1500), P8 death (ended 2024-02-01 ≤ end of its month 13, 2024-09-14; 3000), P9 waived
(800), P10 no instalment due in month 1 (0). Cohort: P1-P5.

Collected basis
  denominator = month-1 amounts due = 1200 + 100 + 2400 + 1000 + 500 = 5200
  numerator   = month-13 amounts paid within 60 days = 1200 (P1) + 100 (P2, 34 days)
                + 0 (P3 unpaid) + 0 (P4, 72 days) + 250 (P5, half) = 1550
  premium ratio = 1550 / 5200 = 0.2980769230769231; count ratio = 2 (P1, P2) / 5 = 0.4
Status basis (its own cohort has no month-1 exclusion, so P10 is in: P1-P5, P10)
  every one is in force at the end of its 13th policy month (P3 lapsed 2024-05-10, after
  2024-03-31): premium 1200+1200+2400+1000+2000+1800 = 9600 / 9600 = 1; count 6 / 6 = 1.
Reconciliation (cohort P1-P5): status 7800/7800 = 1 and 5/5 = 1; KM S(13 months) = 1 (P3's lapse
at 436 days = 14.3 months is later); experience year-1 lapse rate 0 → 1. Differences: in force
but month 13 not collected in grace: P3, P4, P5 (3 policies, 2400+1000+2000 = 5400 annual);
cured in grace: P2; paid after grace: P4; partial: P5; collected but not in force: none.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.collected_persistency import reconcile
from memberdesk.analysis.persistency import persistency
from memberdesk.cli import main
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

AS_OF = pd.Timestamp("2025-06-30")


def ten_policies() -> pd.DataFrame:
    return pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(1, 11)],
        "issue_date": pd.to_datetime(["2023-01-10", "2023-02-15", "2023-03-01", "2023-04-20",
                                      "2023-05-05", "2023-06-01", "2023-07-01", "2023-08-15",
                                      "2023-09-01", "2023-10-31"]),
        "end_date": pd.to_datetime([None, None, "2024-05-10", None, None, None, "2023-07-10",
                                    "2024-02-01", None, None]),
        "status": ["in_force", "in_force", "lapsed", "in_force", "in_force", "in_force",
                   "surrendered", "death", "waived", "in_force"],
        "annual_premium": [1200.0, 1200.0, 2400.0, 1000.0, 2000.0, 10000.0, 1500.0, 3000.0,
                           800.0, 1800.0],
        "payment_frequency": ["annual", "monthly", "annual", "annual", "quarterly", "趸交",
                              "annual", "annual", "annual", "annual"],
        "channel": ["agency", "bank", "agency", "bank", "agency", "bank", "agency", "bank",
                    "agency", "bank"],
    })


def ten_payments() -> pd.DataFrame:
    rows = [
        ("P1", "2023-01-10", "2023-01-10", 1200.0), ("P1", "2024-01-10", "2024-01-08", 1200.0),
        ("P2", "2023-02-15", "2023-02-15", 100.0), ("P2", "2023-03-15", "2023-03-15", 100.0),
        ("P2", "2024-02-15", "2024-03-20", 100.0),
        ("P3", "2023-03-01", "2023-03-01", 2400.0), ("P3", "2024-03-01", None, 2400.0),
        ("P4", "2023-04-20", "2023-04-20", 1000.0), ("P4", "2024-04-20", "2024-07-01", 1000.0),
        ("P5", "2023-05-05", "2023-05-05", 500.0), ("P5", "2024-05-05", "2024-05-05", 250.0),
        ("P5", "2024-05-05", None, 250.0),
        ("P6", "2023-06-01", "2023-06-01", 10000.0),
        ("P7", "2023-07-01", "2023-07-01", 1500.0),
        ("P8", "2023-08-15", "2023-08-15", 3000.0),
        ("P9", "2023-09-01", "2023-09-01", 800.0),
        ("P10", "2024-10-31", "2024-10-31", 1800.0),
    ]
    frame = pd.DataFrame(rows, columns=["policy_id", "due_date", "paid_date", "amount"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    frame["paid_date"] = pd.to_datetime(frame["paid_date"])
    return frame


@pytest.fixture
def ten_book() -> Dataset:
    return Dataset(validated={"policies": ten_policies(), "premium_payments": ten_payments()},
                   as_of=AS_OF)


def test_collected_ratio_by_hand(ten_book: Dataset) -> None:
    res = persistency(ten_book, month=13, period="year", basis="collected", grace_days=60)
    rows = res.segment(None)
    assert list(rows["period"]) == ["2024"]        # 2025 waits for the grace period
    row = rows.iloc[0]
    assert row["cohort_count"] == 5
    assert row["cohort_premium"] == pytest.approx(5200.0)
    assert row["persisting_premium"] == pytest.approx(1550.0)
    assert row["ratio_premium"] == pytest.approx(1550 / 5200, abs=1e-12)
    assert row["ratio_count"] == pytest.approx(0.4, abs=1e-12)
    assert row["due_premium"] == pytest.approx(1200 + 100 + 2400 + 1000 + 500)


def test_exclusion_waterfall_by_hand(ten_book: Dataset) -> None:
    res = persistency(ten_book, month=13, period="year", basis="collected")
    assert res.exclusions() == {
        "single_premium": {"policies": 1, "premium": 10000.0},
        "free_look": {"policies": 1, "premium": 1500.0},
        "death": {"policies": 1, "premium": 3000.0},
        "claim": {"policies": 0, "premium": 0.0},
        "waived": {"policies": 1, "premium": 800.0},
        "no_first_instalment": {"policies": 1, "premium": 0.0},
    }
    row = res.segment(None).iloc[0]                # every 2023 issue is counted once
    excluded = sum(int(row[f"excluded_{r}"]) for r in res.reasons)
    assert excluded + row["cohort_count"] == 10


def test_status_basis_on_the_same_book(ten_book: Dataset) -> None:
    res = persistency(ten_book, month=13, period="year", basis="status")
    row = res.segment(None).set_index("period").loc["2024"]
    assert row["cohort_count"] == 6                # P10 stays in: no instalment test
    assert row["cohort_premium"] == pytest.approx(9600.0)
    assert row["ratio_premium"] == pytest.approx(1.0)
    assert row["ratio_count"] == pytest.approx(1.0)
    assert row["excluded_waived"] == 1 and row["excluded_waived_premium"] == pytest.approx(800.0)


def test_grace_days_move_the_cure_and_the_late_payer(ten_book: Dataset) -> None:
    # 30 days: P2's 34-day payment no longer counts -> 1200 + 250 = 1450; P1 alone persists.
    # 80 days: P4's 72-day payment counts -> 1550 + 1000 = 2550; P1, P2, P4 persist.
    # (as-of − 80 days = 2025-04-11 still measures every 2023 issue: 2024-12-31 + 13 months.)
    short = persistency(ten_book, period="year", basis="collected", grace_days=30)
    long_ = persistency(ten_book, period="year", basis="collected", grace_days=80)
    r30 = short.segment(None).set_index("period").loc["2024"]
    r80 = long_.segment(None).set_index("period").loc["2024"]
    assert r30["persisting_premium"] == pytest.approx(1450.0)
    assert r30["ratio_count"] == pytest.approx(1 / 5)
    assert r80["persisting_premium"] == pytest.approx(2550.0)
    assert r80["ratio_count"] == pytest.approx(3 / 5)


def test_reconciliation_by_hand(ten_book: Dataset) -> None:
    rec = reconcile(ten_book, month=13, period="year", grace_days=60)
    assert rec.period == "2024" and rec.cohort_policies == 5
    measures = dict(zip(rec.table["measure"], rec.table["value"]))
    assert measures["collected_premium"] == pytest.approx(1550 / 5200)
    assert measures["collected_count"] == pytest.approx(0.4)
    assert measures["status_premium"] == pytest.approx(1.0)
    assert measures["status_count"] == pytest.approx(1.0)
    assert measures["km_survival"] == pytest.approx(1.0)
    assert measures["experience_persistency"] == pytest.approx(1.0)
    explained = rec.explanations.set_index("reason")
    assert explained.loc["in_force_unpaid", "policies"] == 3
    assert explained.loc["in_force_unpaid", "premium"] == pytest.approx(5400.0)
    assert explained.loc["cured_in_grace", "policies"] == 1
    assert explained.loc["paid_late", "policies"] == 1
    assert explained.loc["partial", "policies"] == 1
    assert explained.loc["collected_not_in_force", "policies"] == 0


def test_segments_split_the_cohort(ten_book: Dataset) -> None:
    # agency: P1, P3, P5 -> (1200 + 0 + 250) / (1200 + 2400 + 500) = 1450 / 4100
    # bank:   P2, P4     -> (100 + 0) / (100 + 1000) = 100 / 1100
    res = persistency(ten_book, period="year", basis="collected", by="channel")
    rows = res.frame.set_index("segment")
    assert rows.loc["agency", "ratio_premium"] == pytest.approx(1450 / 4100)
    assert rows.loc["bank", "ratio_premium"] == pytest.approx(100 / 1100)
    assert rows.loc["All", "ratio_premium"] == pytest.approx(1550 / 5200)


def test_a_period_waits_for_its_grace_periods(ten_book: Dataset) -> None:
    # As of 2025-03-15, 2024 needs every 2023 issue measured by as-of − 60 = 2025-01-14: those
    # issued in December 2023 are measured on 2025-01-30, so 2024 is not yet reported.
    early = ten_book.with_as_of("2025-03-15")
    res = persistency(early, period="year", basis="collected")
    assert "2024" not in set(res.segment(None)["period"])


def test_collected_basis_needs_the_payments_table() -> None:
    ds = Dataset(validated={"policies": ten_policies()}, as_of=AS_OF)
    with pytest.raises(AnalysisError, match="premium_payments"):
        persistency(ds, basis="collected")


def test_cli_json_shape(tmp_path, extract_day, capsys) -> None:
    policies = ten_policies()
    extract_day(tmp_path, "2025-06-30")
    policies.to_csv(tmp_path / "policies.csv", index=False, date_format="%Y-%m-%d")
    ten_payments().to_csv(tmp_path / "premium_payments.csv", index=False,
                          date_format="%Y-%m-%d")
    code = main(["persistency", str(tmp_path), "--basis", "collected", "--period", "year",
                 "--as-of", "2025-06-30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["basis"] == "collected" and out["month"] == 13 and out["as_of"] == "2025-06-30"
    (row,) = out["rows"]
    assert row["period"] == "2024" and row["cohort_policies"] == 5
    assert row["cohort_premium"] == pytest.approx(5200.0)
    assert row["persistency_premium"] == pytest.approx(1550 / 5200)
    assert row["persistency_count"] == pytest.approx(0.4)
    assert out["exclusions"]["single_premium"] == {"policies": 1, "premium": 10000.0}
    assert out["reconciliation"]["measures"]["status_count"] == pytest.approx(1.0)
    code = main(["persistency", str(tmp_path), "--basis", "collected", "--period", "year",
                 "--as-of", "2025-06-30", "--by", "channel", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert {r["channel"] for r in out["rows"]} == {"agency", "bank"}
    assert np.isclose(sum(r["cohort_premium"] for r in out["rows"]), 5200.0)


def test_cli_usage_errors(tmp_path, capsys) -> None:
    ten_policies().to_csv(tmp_path / "policies.csv", index=False, date_format="%Y-%m-%d")
    assert main(["persistency", str(tmp_path), "--month", "1"]) == 2
    assert main(["persistency", str(tmp_path), "--exclude-status", "bogus"]) == 2
    # collected basis without payments: a data error naming the missing table
    assert main(["persistency", str(tmp_path), "--basis", "collected"]) == 3
    assert "premium_payments" in capsys.readouterr().err
