"""The premium_payments table (缴费记录) through the loader: Chinese headers mapped, rows
checked (missing due date, unknown policy, negative amount rejected with their reason), paid
dates after the as-of date read as unpaid, and the waived status (免缴) read."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from memberdesk.core.loader import load_dataset


def test_payments_load_with_chinese_headers(tmp_path) -> None:
    (tmp_path / "policies.csv").write_text(
        "保单号,生效日期,终止日期,保单状态,年化保费,缴费方式\n"
        "P1,2023-01-10,,有效,1200,年交\n"
        "P2,2023-02-01,,免缴,800,年交\n", encoding="utf-8")
    (tmp_path / "缴费记录.csv").write_text(
        "保单号,应缴日期,实缴日期,缴费金额\n"
        "P1,2023-01-10,2023-01-10,1200\n"     # row 2: fine
        "P1,2024-01-10,2024-02-20,1200\n"     # row 3: paid after the as-of date below
        "P1,,2024-01-01,100\n"                # row 4: no due date
        "P9,2023-01-10,2023-01-10,100\n"      # row 5: unknown policy
        "P2,2023-02-01,2023-02-01,-5\n",      # row 6: negative amount
        encoding="utf-8")
    ds = load_dataset([tmp_path], as_of=pd.Timestamp("2024-02-01"), today=dt.date(2026, 12, 5))
    report = {t.table: t for t in ds.report.tables}["premium_payments"]
    assert (report.read, report.accepted, report.rejected) == (5, 2, 3)
    assert report.reasons == {"missing_date": 1, "unknown_policy": 1, "negative_amount": 1}
    pay = ds.premium_payments
    assert list(pay["policy_id"]) == ["P1", "P1"]
    assert pd.isna(pay["paid_date"].iloc[1])          # paid 2024-02-20 > as-of: unpaid then
    assert ds.validated["policies"].set_index("policy_id").loc["P2", "status"] == "waived"
    assert ds.policies.set_index("policy_id").loc["P2", "exit_status"] == "in_force"
