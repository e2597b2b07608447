"""Audit of the experience study (issue 3): exposures against a plain per-policy loop written
from DESIGN §4 (actxps conventions), A/E with an expected CSV, the credibility formula and the
`memberdesk experience --json` shape."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from memberdesk.analysis.experience import experience_study
from memberdesk.analysis.experience_exposure import expose
from memberdesk.cli import main
from memberdesk.core.dataset import Dataset

from .conftest import random_policies

AS_OF = pd.Timestamp("2024-12-31")
TARGET = ("lapsed", "surrendered")


def loop_exposures(pol: pd.DataFrame, as_of: pd.Timestamp, target=TARGET,
                   basis: str = "policy_year") -> pd.DataFrame:
    """One row per policy and period, by a straightforward loop over each policy's periods."""
    rows = []
    for r in pol.itertuples():
        issue = r.issue_date
        if issue >= as_of:
            continue                                      # issued on/after as-of: left out
        ended = pd.notna(r.end_date) and r.end_date <= as_of
        last = r.end_date if ended else as_of           # observed through this day (inclusive)
        studied = ended and r.status in target
        n = 1
        while True:
            if basis == "policy_year":
                start = issue + pd.DateOffset(years=n - 1)
                end = issue + pd.DateOffset(years=n) - pd.Timedelta(days=1)
                label = n
            else:
                year = issue.year + n - 1
                start, end, label = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31), year
            if start > last:
                break
            first_day = max(start, issue)
            days = (min(end, last) - first_day).days + 1
            is_last = end >= last
            exposure = 1.0 if (is_last and studied) else days / ((end - start).days + 1)
            rows.append((r.policy_id, label, exposure, int(is_last and studied), r.channel))
            n += 1
    return pd.DataFrame(rows, columns=["policy_id", basis, "exposure", "actual", "channel"])


@pytest.fixture(scope="module")
def small_book() -> pd.DataFrame:
    frame = random_policies(300, seed=7, start="2015-01-01", end="2025-03-31")
    # no date after mid-2025 (the loader rejects future dates); exits in 2025 stay, after as-of
    late = frame["end_date"] > pd.Timestamp("2025-06-30")
    frame.loc[late, ["end_date", "status"]] = [pd.NaT, "in_force"]
    assert ((frame["end_date"] > AS_OF) & (frame["status"] == "lapsed")).any()
    # awkward dates: 29 February issues, an issue on the as-of date, an exit on an anniversary
    frame.loc[0, ["issue_date", "end_date", "status"]] = [pd.Timestamp("2016-02-29"), pd.NaT, "in_force"]
    frame.loc[1, ["issue_date", "end_date", "status"]] = [pd.Timestamp("2020-02-29"),
                                                          pd.Timestamp("2023-03-01"), "lapsed"]
    frame.loc[2, ["issue_date", "end_date", "status"]] = [AS_OF, pd.NaT, "in_force"]
    frame.loc[3, ["issue_date", "end_date", "status"]] = [pd.Timestamp("2019-05-10"),
                                                          pd.Timestamp("2022-05-10"), "surrendered"]
    frame.loc[4, ["issue_date", "end_date", "status"]] = [pd.Timestamp("2019-05-10"),
                                                          pd.Timestamp("2022-05-09"), "death"]
    return frame


@pytest.mark.parametrize("basis", ["policy_year", "calendar_year"])
def test_exposures_match_a_plain_loop(small_book, basis):
    ds = Dataset(validated={"policies": small_book}, as_of=AS_OF)
    rec = expose(ds, basis=basis).to_frame(columns=("policy_id", "channel"))
    ours = rec[["policy_id", basis, "exposure", "actual"]].sort_values(["policy_id", basis])
    ref = loop_exposures(small_book, AS_OF, basis=basis).sort_values(["policy_id", basis])
    assert len(ours) == len(ref)
    np.testing.assert_array_equal(ours["policy_id"], ref["policy_id"])
    np.testing.assert_array_equal(ours[basis], ref[basis])
    np.testing.assert_allclose(ours["exposure"], ref["exposure"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours["actual"], ref["actual"])
    assert "P2" not in set(ours["policy_id"])           # issued on the as-of date


def test_study_by_channel_with_expected_csv_ae_and_credibility(small_book, tmp_path):
    ds = Dataset(validated={"policies": small_book}, as_of=AS_OF)
    table = pd.DataFrame({"policy_year": range(1, 12), "rate": np.linspace(0.12, 0.02, 11)})
    res = experience_study(ds, by=["channel"], expected=table)
    ref = loop_exposures(small_book, AS_OF)
    ref = ref.merge(table, on="policy_year", how="left")
    grouped = ref.assign(claims=ref["exposure"] * ref["rate"]).groupby(["policy_year", "channel"])
    expect = grouped.agg(exposure=("exposure", "sum"), actual=("actual", "sum"),
                         claims=("claims", "sum")).reset_index()
    y = (norm.ppf(0.975) / 0.05) ** 2
    assert y == pytest.approx(1536.58, abs=0.01)
    rows = res.rows.merge(expect, on=["policy_year", "channel"], suffixes=("", "_ref"))
    assert len(rows) == len(expect) == len(res.rows)
    np.testing.assert_allclose(rows["exposure"], rows["exposure_ref"], atol=1e-9)
    np.testing.assert_array_equal(rows["actual"], rows["actual_ref"])
    rate = rows["actual_ref"] / rows["exposure_ref"]
    np.testing.assert_allclose(rows["rate"], rate, rtol=1e-12)
    np.testing.assert_allclose(rows["expected"], rows["claims"] / rows["exposure_ref"], rtol=1e-12)
    np.testing.assert_allclose(rows["ae"], rows["actual_ref"] / rows["claims"], rtol=1e-12)
    z = np.minimum(1.0, np.sqrt(rows["actual_ref"] / (y * (1 - rate))))
    np.testing.assert_allclose(rows["credibility"], z, rtol=1e-12)


@pytest.fixture
def book_csv(tmp_path, small_book) -> Path:
    path = tmp_path / "policies.csv"
    frame = small_book.copy()
    frame["issue_date"] = frame["issue_date"].dt.strftime("%Y-%m-%d")
    frame["end_date"] = pd.to_datetime(frame["end_date"]).dt.strftime("%Y-%m-%d")
    frame.to_csv(path, index=False)
    return path


def test_cli_json_shape_default_target_and_expected(capsys, tmp_path, book_csv, small_book):
    expected = tmp_path / "expected.csv"
    expected.write_text("policy_year,rate\n" + "".join(f"{n},0.05\n" for n in range(1, 11)))
    assert main(["experience", str(book_csv), "--by", "channel", "--as-of", "2024-12-31",
                 "--expected", str(expected), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "target", "rows"}
    assert out["as_of"] == "2024-12-31" and out["target"] == ["lapsed", "surrendered"]
    keys = ["policy_year", "channel", "exposure", "actual", "rate", "expected", "ae", "credibility"]
    ref = loop_exposures(small_book, AS_OF).groupby(["policy_year", "channel"]).agg(
        exposure=("exposure", "sum"), actual=("actual", "sum"))
    for row in out["rows"]:
        assert list(row) == keys
        assert isinstance(row["policy_year"], int) and isinstance(row["actual"], int)
        r = ref.loc[(row["policy_year"], row["channel"])]
        assert row["exposure"] == pytest.approx(r["exposure"], abs=1e-9)
        assert row["actual"] == r["actual"]
        if row["policy_year"] <= 10:
            assert row["expected"] == pytest.approx(0.05)
            assert row["ae"] == pytest.approx(row["rate"] / 0.05)
        else:
            assert row["expected"] is None and row["ae"] is None
    assert len(out["rows"]) == len(ref)


def test_cli_target_changes_the_actuals(capsys, book_csv, small_book):
    assert main(["experience", str(book_csv), "--target", "death", "--as-of", "2024-12-31",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"] == ["death"]
    ref = loop_exposures(small_book, AS_OF, target=("death",))
    assert sum(r["actual"] for r in out["rows"]) == ref["actual"].sum() > 0
    assert "channel" not in out["rows"][0]


def test_expected_table_segment_column_matches_numeric_policy_column(small_book, tmp_path):
    """A segment column of the expected CSV is read as text; it must still match a numeric
    policy column such as issue_year (it silently matched nothing: expected was blank)."""
    from memberdesk.analysis.experience import read_expected_table

    book = small_book.assign(issue_year=small_book["issue_date"].dt.year.astype("Int64"))
    ds = Dataset(validated={"policies": book}, as_of=AS_OF)
    path = tmp_path / "expected.csv"
    years = sorted(book["issue_date"].dt.year.unique())
    path.write_text("policy_year,issue_year,rate\n"
                    + "".join(f"{n},{y},{0.01 * n}\n" for n in range(1, 12) for y in years))
    res = experience_study(ds, by=["issue_year"], expected=read_expected_table(path))
    assert res.rows["expected"].notna().all()
    np.testing.assert_allclose(res.rows["expected"], 0.01 * res.rows["policy_year"], rtol=1e-12)
