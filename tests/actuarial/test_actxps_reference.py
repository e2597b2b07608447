"""Experience studies against actxps on an extract of its bundled census_dat (400 policies).

The truth is tests/reference/actxps_reference.json, written by tests/reference/actxps_reference.py
with actxps 1.1.0 (study window 2016-04-01 .. 2019-12-31, target status Surrender). The input is
the committed extract tests/reference/data/actxps_census.csv; actxps' statuses map to ours
(Active -> in_force, Surrender -> surrendered, Death -> death).

Deliberate differences (see memberdesk.analysis.experience_exposure): calendar weeks starting on
a Sunday (actxps adds a zero-exposure week before; zero-exposure rows are left out of the
reference) and policy periods of policies issued on the 29th-31st whose termination falls on a
clipped monthiversary. The extract has none of the latter on a period boundary, so every
period total must agree to 1e-6.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.experience import experience_study
from memberdesk.analysis.experience_exposure import expose, period_labels
from memberdesk.core.dataset import Dataset

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "actxps_reference.json").read_text())
STATUS = {"Active": "in_force", "Surrender": "surrendered", "Death": "death"}


def census_book() -> Dataset:
    raw = pd.read_csv(REF_DIR / "data" / "actxps_census.csv", dtype={"pol_num": str})
    policies = pd.DataFrame({
        "policy_id": raw["pol_num"],
        "issue_date": pd.to_datetime(raw["issue_date"]),
        "end_date": pd.to_datetime(raw["term_date"]),
        "status": raw["status"].map(STATUS),
        "annual_premium": raw["premium"].astype(float),
        "product": raw["product"].astype(str),
    })
    return Dataset(validated={"policies": policies}, as_of=pd.Timestamp(REF["end_date"]))


@pytest.fixture(scope="module")
def census() -> Dataset:
    return census_book()




@pytest.mark.parametrize("basis", ["policy_quarter", "policy_month", "calendar_quarter",
                                   "calendar_month", "calendar_week"])
def test_period_exposures_match_actxps(census: Dataset, basis: str) -> None:
    rec = expose(census, target=["surrendered"], basis=basis, study_start=REF["start_date"])
    frame = pd.DataFrame({"period": rec.period, "exposure": rec.exposure, "actual": rec.actual})
    got = frame.groupby("period").sum()
    if basis.startswith("calendar"):
        starts = rec.period_bounds()[0]
        first_day = pd.Series(starts.astype("datetime64[D]").astype(str), index=rec.period)
        got.index = [first_day[p].iloc[0] if isinstance(first_day[p], pd.Series)
                     else first_day[p] for p in got.index]
    else:
        got.index = [str(p) for p in got.index]
    ref = pd.DataFrame(REF[basis]).set_index("period")
    got = got[got["exposure"] > 0]
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got["exposure"].to_numpy(), ref["exposure"].to_numpy(),
                               rtol=0, atol=1e-6)
    np.testing.assert_array_equal(got["actual"].to_numpy(), ref["actual"].to_numpy())


def test_period_labels_are_readable() -> None:
    # 2023-04 is month index (2023-1970)*12 + 3 = 639, quarter 213; week 0 = 1970-01-04.
    assert period_labels([639], "calendar_month") == ["2023-04"]
    assert period_labels([213], "calendar_quarter") == ["2023Q2"]
    assert period_labels([0], "calendar_week") == ["1970-01-04"]
    assert period_labels([3], "policy_quarter") == [3]


def _study(census: Dataset, weight: str | None) -> pd.DataFrame:
    # the expected rate of the reference: min(2% + 1% x policy year, 8%)
    years = np.arange(1, 30)
    table = pd.DataFrame({"policy_year": years, "rate": np.minimum(0.02 + 0.01 * years, 0.08)})
    res = experience_study(census, target=["surrendered"], expected=table, weight=weight,
                           study_start=REF["start_date"])
    return res.rows.set_index("policy_year")


@pytest.mark.parametrize("weighted", [False, True])
def test_exp_stats_match_actxps(census: Dataset, weighted: bool) -> None:
    ref = pd.DataFrame(REF["exp_stats_weighted" if weighted else "exp_stats"]).set_index("pol_yr")
    got = _study(census, "annual_premium" if weighted else None)
    assert list(got.index) == list(ref.index)
    pairs = {"exposure": "exposure", "actual": "claims", "rate": "q_obs",
             "rate_lower": "q_obs_lower", "rate_upper": "q_obs_upper", "expected": "expected",
             "ae": "ae_expected", "ae_lower": "ae_expected_lower",
             "ae_upper": "ae_expected_upper", "credibility": "credibility"}
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(got[ours].to_numpy(dtype=float),
                                   ref[theirs].to_numpy(dtype=float), rtol=1e-9, atol=1e-6,
                                   err_msg=ours)
    np.testing.assert_array_equal(got["n_actual"].to_numpy(), ref["n_claims"].to_numpy())
    if weighted:
        for ours, theirs in (("weight", "weight"), ("weight_sq", "weight_sq"),
                             ("weight_n", "weight_n")):
            np.testing.assert_allclose(got[ours].to_numpy(dtype=float),
                                       ref[theirs].to_numpy(dtype=float), rtol=1e-12)


def test_trx_stats_match_actxps(census: Dataset) -> None:
    from memberdesk.analysis.utilisation import transaction_stats

    wd = pd.read_csv(REF_DIR / "data" / "actxps_withdrawals.csv", dtype={"pol_num": str})
    pol = census.policies
    assert pol is not None
    trx = pd.DataFrame({"row": pd.Index(pol["policy_id"]).get_indexer(wd["pol_num"]),
                        "date": pd.to_datetime(wd["trx_date"]), "trx_type": wd["trx_type"],
                        "amount": wd["trx_amt"]})
    rec = expose(census, target=["surrendered"], basis="policy_year",
                 study_start=REF["start_date"])
    got = transaction_stats(rec, trx).rows.set_index(["policy_year", "trx_type"])
    ref = pd.DataFrame(REF["trx_stats"]).set_index(["pol_yr", "trx_type"])
    assert list(got.index) == list(ref.index)
    pairs = {"uses": "trx_n", "users": "trx_flag", "amount": "trx_amt", "exposure": "exposure",
             "avg_per_user": "avg_trx", "avg_per_exposure": "avg_all",
             "uses_per_user": "trx_freq", "utilisation": "trx_util"}
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(got[ours].to_numpy(dtype=float),
                                   ref[theirs].to_numpy(dtype=float), rtol=1e-9, atol=1e-6,
                                   err_msg=ours)


@pytest.mark.parametrize("length", ["year", "quarter"])
def test_split_exposures_match_actxps(census: Dataset, length: str) -> None:
    from memberdesk.analysis.experience_exposure import calendar_bounds
    from memberdesk.analysis.experience_split import expose_split

    pol = census.policies
    assert pol is not None
    rec = expose_split(pol, census.as_of, target=["surrendered"], period=length,
                       study_start=REF["start_date"])
    first, _ = calendar_bounds(rec.period, length)
    frame = pd.DataFrame({"period": first.astype("datetime64[D]").astype(str),
                          "policy_year": rec.policy_year, "exposure_cal": rec.exposure_cal,
                          "exposure_pol": rec.exposure_pol, "actual": rec.actual})
    got = frame.groupby(["period", "policy_year"]).sum()
    ref = pd.DataFrame(REF[f"split_{length}"]).set_index(["period", "policy_year"])
    assert list(got.index) == list(ref.index)
    for col in ("exposure_cal", "exposure_pol"):
        np.testing.assert_allclose(got[col].to_numpy(), ref[col].to_numpy(), rtol=0,
                                   atol=1e-6, err_msg=col)
    np.testing.assert_array_equal(got["actual"].to_numpy(), ref["actual"].to_numpy())


def test_split_study_rows(census: Dataset) -> None:
    res = experience_study(census, basis="split", target=["surrendered"],
                           study_start=REF["start_date"])
    assert res.by == ("policy_year",) and res.basis == "calendar_year"
    got = res.rows.set_index(["calendar_year", "policy_year"])
    ref = pd.DataFrame(REF["split_year"])
    ref.index = pd.MultiIndex.from_arrays([ref["period"].str[:4].astype(int),
                                           ref["policy_year"]])
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got["exposure"], ref["exposure_pol"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["exposure_cal"], ref["exposure_cal"], atol=1e-6, rtol=0)
    np.testing.assert_array_equal(got["actual"], ref["actual"])
    cal = experience_study(census, basis="split", target=["surrendered"],
                           study_start=REF["start_date"], split_exposure="calendar")
    np.testing.assert_allclose(cal.rows["exposure"], ref["exposure_cal"], atol=1e-6, rtol=0)
