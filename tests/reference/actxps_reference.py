"""Reference values from actxps (the Python port of the R package) for the experience-study
tests (tests/actuarial/test_actxps_reference.py).

Run in a separate environment that has actxps (CI does not need it):

    python3 -m venv /tmp/actxps-venv
    /tmp/actxps-venv/bin/pip install actxps "polars==0.20.31"
    /tmp/actxps-venv/bin/python tests/reference/actxps_reference.py

(actxps 1.1.0 ships its data sets as pickled polars 0.20 frames: newer polars cannot read them.)

It writes a small extract of actxps' bundled ``census_dat`` (the first 400 policies) and of its
``withdrawals`` (those policies' transactions) as CSV under tests/reference/data/, then runs
actxps on that extract and writes tests/reference/actxps_reference.json:

* policy quarter and month exposures, and calendar quarter, month and week exposures, with a
  study window 2016-04-01 .. 2019-12-31, summed per period (exposure, surrenders);
* split exposures (``expose_split`` of calendar years and quarters: periods split at policy
  anniversaries) summed per calendar period and policy year, both exposure bases;
* ``exp_stats`` by policy year, premium-weighted, with an expected rate column, credibility
  and confidence intervals, and the same unweighted;
* ``trx_stats`` of the withdrawals by policy year (all exposures, not only full ones).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import actxps as xp
import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
START, END = "2016-04-01", "2019-12-31"
N_POLICIES = 400


def extract() -> tuple[pl.DataFrame, pl.DataFrame]:
    census = xp.load_census_dat().filter(pl.col("pol_num") <= N_POLICIES)
    wd = xp.load_withdrawals().filter(pl.col("pol_num") <= N_POLICIES)
    DATA.mkdir(exist_ok=True)
    census.with_columns(pl.col(pl.Categorical).cast(str)).write_csv(DATA / "actxps_census.csv")
    wd.with_columns(pl.col(pl.Categorical).cast(str)).write_csv(DATA / "actxps_withdrawals.csv")
    return census, wd


def by_period(expo: xp.ExposedDF, col: str, exposure: str = "exposure") -> list[dict]:
    frame = (expo.data.group_by(col)
             .agg(pl.col(exposure).sum().alias("exposure"),
                  (pl.col("status") == "Surrender").sum().alias("actual"))
             .filter(pl.col("exposure") > 0).sort(col))
    return [{"period": str(r[col]), "exposure": r["exposure"], "actual": r["actual"]}
            for r in frame.iter_rows(named=True)]


def expected_rate(pol_yr: pl.Expr) -> pl.Expr:
    """The illustrative expected surrender rate of the A/E study: 2% + 1% per policy year,
    capped at 8% (written out in the test too)."""
    return pl.min_horizontal(pl.lit(0.02) + 0.01 * pol_yr, pl.lit(0.08))


def main() -> None:
    census, wd = extract()
    out: dict[str, object] = {"start_date": START, "end_date": END, "target": "Surrender",
                              "policies": N_POLICIES, "actxps": xp.version.__version__
                              if hasattr(xp, "version") and hasattr(xp.version, "__version__")
                              else "1.1.0"}
    # dates as date objects: actxps 1.1.0 with polars 0.20 panics on calendar exposures when
    # start_date is given as text
    kw = dict(end_date=date.fromisoformat(END), start_date=date.fromisoformat(START),
              target_status="Surrender")
    for name, ctor, col in (("policy_quarter", xp.ExposedDF.expose_pq, "pol_qtr"),
                            ("policy_month", xp.ExposedDF.expose_pm, "pol_mth"),
                            ("calendar_quarter", xp.ExposedDF.expose_cq, "cal_qtr"),
                            ("calendar_month", xp.ExposedDF.expose_cm, "cal_mth"),
                            ("calendar_week", xp.ExposedDF.expose_cw, "cal_wk")):
        out[name] = by_period(ctor(census, **kw), col)

    for length, ctor in (("year", xp.ExposedDF.expose_cy), ("quarter", xp.ExposedDF.expose_cq)):
        split = xp.SplitExposedDF(ctor(census, **kw)).data
        # a piece's calendar column holds its own first day (the anniversary for the pieces
        # after one): group by the calendar period holding it
        col = "cal_yr" if length == "year" else "cal_qtr"
        trunc = "1y" if length == "year" else "1q"
        frame = (split.with_columns(pl.col(col).dt.truncate(trunc).alias("period"))
                 .group_by("period", "pol_yr")
                 .agg(pl.col("exposure_cal").sum(), pl.col("exposure_pol").sum(),
                      (pl.col("status") == "Surrender").sum().alias("actual"))
                 .sort("period", "pol_yr"))
        out[f"split_{length}"] = [{"period": str(r["period"]), "policy_year": r["pol_yr"],
                                   "exposure_cal": r["exposure_cal"],
                                   "exposure_pol": r["exposure_pol"], "actual": r["actual"]}
                                  for r in frame.iter_rows(named=True)]

    py = xp.ExposedDF.expose_py(census, **kw)
    py.data = py.data.with_columns(expected=expected_rate(pl.col("pol_yr")))
    for key, wt in (("exp_stats_weighted", "premium"), ("exp_stats", None)):
        stats = py.group_by("pol_yr").exp_stats(wt=wt, expected="expected", credibility=True,
                                                conf_int=True)
        out[key] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                     for k, v in r.items()} for r in stats.data.iter_rows(named=True)]
        py.ungroup()

    trx = xp.ExposedDF.expose_py(census, **kw)
    trx.add_transactions(wd)
    stats = trx.group_by("pol_yr").trx_stats(full_exposures_only=False)
    out["trx_stats"] = [dict(r) for r in stats.data.iter_rows(named=True)]
    (HERE / "actxps_reference.json").write_text(json.dumps(out, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
