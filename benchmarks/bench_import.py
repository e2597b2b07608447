"""Time the data import (read + map + validate) on generated data.

    python benchmarks/bench_import.py [--rows 1000000] [--xlsx-rows 100000]

Targets (2-core machine): 1M-policy CSV (UTF-8, and GB18030 with Chinese headers) < 3 s;
100k-row workbook < 5 s. Data is generated into a temporary folder and deleted afterwards.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.core.loader import load_dataset

ZH_HEADERS = {"policy_id": "保单号", "member_id": "客户号", "product": "险种名称", "channel": "销售渠道",
              "issue_date": "生效日期", "end_date": "终止日期", "status": "保单状态",
              "annual_premium": "年化保费", "sum_assured": "基本保额", "payment_frequency": "缴费方式"}
ZH_STATUS = {"in_force": "有效", "lapsed": "失效", "surrendered": "退保", "death": "身故"}


def make_policies(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    issue = np.datetime64("2015-01-01") + rng.integers(0, 3000, n)
    ended = rng.random(n) < 0.4
    end = np.where(ended, issue + rng.integers(10, 600, n), np.datetime64("NaT"))
    return pd.DataFrame({
        "policy_id": np.char.add("P", np.char.zfill(np.arange(n).astype(str), 8)),
        "member_id": np.char.add("M", np.char.zfill(rng.integers(0, n, n).astype(str), 8)),
        "product": rng.choice(["Term Life", "Whole Life", "Critical Illness", "Annuity"], n),
        "channel": rng.choice(["agency", "bancassurance", "online", "broker"], n),
        "issue_date": pd.Series(issue).dt.strftime("%Y-%m-%d"),
        "end_date": pd.Series(end).dt.strftime("%Y-%m-%d"),
        "status": np.where(ended, rng.choice(["lapsed", "surrendered", "death"], n), "in_force"),
        "annual_premium": rng.gamma(2.0, 2000.0, n).round(2),
        "sum_assured": rng.integers(10, 100, n) * 10_000,
        "payment_frequency": rng.choice(["annual", "monthly", "single"], n),
    })


def timed_load(path: Path) -> tuple[float, int, float]:
    """(seconds, accepted rows, peak traced MB) of one load_dataset call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    ds = load_dataset([path], today=dt.date(2030, 1, 1))
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, len(ds.validated["policies"]), peak


def timed_load_untraced(path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process incl. pyarrow threads) of one load."""
    t0, c0 = time.perf_counter(), time.process_time()
    load_dataset([path], today=dt.date(2030, 1, 1))
    return time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        frame = make_policies(args.rows)
        utf8 = d / "policies.csv"
        frame.to_csv(utf8, index=False)
        zh = frame.rename(columns=ZH_HEADERS)
        zh["保单状态"] = zh["保单状态"].map(ZH_STATUS)
        gb = d / "保单.csv"
        zh.to_csv(gb, index=False, encoding="gb18030")
        xlsx = d / "policies.xlsx"
        small = frame.head(args.xlsx_rows).copy()
        for col in ("issue_date", "end_date"):
            small[col] = pd.to_datetime(small[col])
        small.to_excel(xlsx, index=False, sheet_name="policies")
        print(f"{'case':<32}{'rows':>10}{'wall s':>10}{'CPU s':>10}{'traced peak MB':>16}")
        for label, path in (("CSV UTF-8", utf8), ("CSV GB18030, Chinese headers", gb),
                            ("XLSX (calamine)", xlsx)):
            wall, cpu = timed_load_untraced(path)
            _, rows, peak = timed_load(path)
            print(f"{label:<32}{rows:>10,}{wall:>10.2f}{cpu:>10.2f}{peak:>16.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB (includes data generation)")
    print("(wall time depends on other load on the machine; CPU time is the steadier figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
