"""The report's Drivers sheet presents fit_cox with strata, robust SE beside the naive SE and
the PH test's method and transform (issues 10.3, 10.4, 16.2)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from openpyxl import Workbook

from memberdesk.analysis.cox import fit_cox
from memberdesk.core.dataset import Dataset
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.sheets_models import build_drivers, driver_covariates

from .conftest import make_policies


def _sheet(ctx: ReportContext) -> list[list[object]]:
    ws = Workbook().active
    build_drivers(ctx, SheetWriter(ws=ws, lang=ctx.lang, report_title="t", as_of_text="a"))
    return [[c.value for c in row] for row in ws.iter_rows()]


def _table(cells: list[list[object]], first: str) -> tuple[list[object], list[list[object]]]:
    start = next(i for i, r in enumerate(cells) if r[0] == first)
    headers = [h for h in cells[start] if h is not None]
    rows = []
    for r in cells[start + 1:]:
        if r[0] is None:
            break
        rows.append(r[:len(headers)])
    return headers, rows


def _pairs(cells: list[list[object]]) -> dict[object, object]:
    return {r[0]: r[1] for r in cells if r[0] is not None and len(r) > 1}


def test_drivers_sheet_with_strata_and_cluster():
    p = make_policies(n=600, seed=5)
    p["member_id"] = [f"M{i // 3:05d}" for i in range(len(p))]
    ds = Dataset(validated={"policies": p}, as_of=pd.Timestamp("2024-12-31"))
    from memberdesk.report.report_options import ReportOptions

    ctx = ReportContext(ds=ds, lang="en", segment="channel", include_personal=False,
                        generated_at=dt.datetime(2025, 1, 1),  # report --strata --cluster
                        options=ReportOptions(strata="product", cluster="member_id"))
    covariates = [c for c in driver_covariates(ctx) if c != "product"]
    res = fit_cox(ds, covariates, strata=["product"], cluster="member_id")
    cells = _sheet(ctx)
    headers, rows = _table(cells, "Covariate")
    assert "SE (naive)" in headers and "Robust SE" in headers
    col = {h: i for i, h in enumerate(headers)}
    np.testing.assert_allclose([r[col["Robust SE"]] for r in rows], res.coefficients["robust_se"])
    np.testing.assert_allclose([r[col["SE (naive)"]] for r in rows], res.coefficients["se"])
    pairs = _pairs(cells)
    assert pairs["Proportional-hazards test"] == "R cox.zph exact score test, km time transform"
    assert pairs["PH test, global p-value"] == res.ph_global[2]
    assert pairs["Concordance"] == res.concordance
    assert "Product" in str(pairs["Strata (own baseline hazard)"])


def test_drivers_sheet_default_has_no_strata_and_no_robust_column():
    ds = Dataset(validated={"policies": make_policies(n=500, seed=6)},
                 as_of=pd.Timestamp("2024-12-31"))
    ctx = ReportContext(ds=ds, lang="zh_CN", segment="channel", include_personal=False,
                        generated_at=dt.datetime(2025, 1, 1))
    cells = _sheet(ctx)
    flat = [v for r in cells for v in r if isinstance(v, str)]
    assert "稳健标准误" not in flat and "标准误（普通）" in flat
    assert "R cox.zph 精确得分检验，时间变换：km" in flat
