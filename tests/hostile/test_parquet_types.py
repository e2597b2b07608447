"""Typed Parquet columns are read natively (#11 point 7): numbers stay numbers, dates and
timestamps convert exactly, durations become days."""
from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from memberdesk.core.identify import read_file
from memberdesk.core.loader import load_dataset


def test_typed_columns_keep_their_meaning(tmp_path: Path) -> None:
    path = tmp_path / "policies.parquet"
    three_days = dt.timedelta(days=3)
    table = pa.table({
        "policy_id": pa.array(["P1", "P2", "P3"]).dictionary_encode(),
        # 23:30 on 28 Feb in Shanghai is 15:30 UTC: the policy's date is the 28th, not the 1st
        "issue_date": pa.array([dt.datetime(2021, 2, 28, 15, 30), dt.datetime(2021, 3, 1),
                                dt.datetime(2021, 3, 2)], pa.timestamp("us", tz="UTC"))
        .cast(pa.timestamp("us", tz="Asia/Shanghai")),
        "end_date": pa.array([dt.date(2022, 1, 1), None, None], pa.date32()),
        "status": pa.array(["lapsed", "in force", "in force"]).dictionary_encode(),
        "annual_premium": pa.array([decimal.Decimal("1234.56"), decimal.Decimal("0.10"), None],
                                   pa.decimal128(10, 2)),
        "waiting": pa.array([three_days, dt.timedelta(hours=12), None], pa.duration("us")),
        "score": pa.array([1, 2, 3], pa.int16()),
    })
    pq.write_table(table, path)
    (raw,) = read_file(path).tables
    assert pa.types.is_decimal(raw.data.column("annual_premium").type)  # not stringified
    ds = load_dataset([path])
    pol = ds.validated["policies"].set_index("policy_id")
    assert ds.report.tables[0].rejected == 0
    assert str(pol.loc["P1", "issue_date"].date()) == "2021-02-28"  # hand: 15:30 UTC + 8 h
    assert str(pol.loc["P1", "end_date"].date()) == "2022-01-01"
    np.testing.assert_allclose(pol["annual_premium"].to_numpy()[:2], [1234.56, 0.10])
    np.testing.assert_allclose(pol["waiting"].to_numpy()[:2], [3.0, 0.5])  # days, not µs
    assert pol["score"].tolist() == [1.0, 2.0, 3.0]


def test_out_of_range_typed_date_is_rejected_not_crashing(tmp_path: Path) -> None:
    path = tmp_path / "policies.parquet"
    pq.write_table(pa.table({"policy_id": ["P1", "P2"],
                             "issue_date": pa.array([dt.date(2021, 1, 1), dt.date(9999, 12, 31)])}),
                   path)
    ds = load_dataset([path])
    assert ds.report.tables[0].reasons == {"unparseable_date": 1}
    assert ds.report.rejected["row"].tolist() == [3]
