"""Assumptions (issue 17 C.17): validation, dict/TOML round trips, and the values flowing into the
analyses through ``Dataset.assumptions`` (explicit arguments still win), checked against hand
calculations, lifelines and the closed-form credibility standard; workspaces keep them and old
workspace files (fixtures under tests/fixtures/workspaces/) still load with the defaults."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats

from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.experience import experience_study
from memberdesk.analysis.persistency import persistency
from memberdesk.analysis.survival import km_by_segment
from memberdesk.core.assumptions import Assumptions, AssumptionsError, read_assumptions
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import DataError
from memberdesk.core.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "workspaces"
AS_OF = pd.Timestamp("2025-01-31")


def six_policies() -> pd.DataFrame:
    """The actuarial six-policy book (tests/actuarial/conftest.py): C surrendered 10 days after
    issue (2023-01-05 -> 2023-01-15), premium 1500."""
    return pd.DataFrame({
        "policy_id": ["A", "B", "C", "D", "E", "F"],
        "issue_date": pd.to_datetime(["2020-02-29", "2023-01-10", "2023-01-05", "2023-03-20",
                                      "2023-02-14", "2023-06-30"]),
        "end_date": pd.to_datetime(["2022-03-10", None, "2023-01-15", None, "2023-12-01",
                                    "2024-05-15"]),
        "status": ["lapsed", "in_force", "surrendered", "in_force", "death", "lapsed"],
        "annual_premium": [1000.0, 2000.0, 1500.0, 5000.0, 1200.0, 800.0],
        "payment_frequency": ["annual", "annual", "annual", "趸交", "monthly", "annual"],
        "channel": ["agency", "bank", "agency", "agency", "bank", "agency"],
    })


def random_book(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lo = pd.Timestamp("2016-01-01")
    issue = lo + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    life = pd.to_timedelta(rng.exponential(1200, n).astype(int), unit="D")
    end = pd.Series(issue + life).where(rng.random(n) < 0.8)
    status = np.where(end.isna(), "in_force", rng.choice(["lapsed", "surrendered", "death"], n))
    return pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "issue_date": pd.DatetimeIndex(issue).normalize(),
        "end_date": end.to_numpy(), "status": status,
        "annual_premium": rng.gamma(2.0, 2000.0, n).round(2),
        "payment_frequency": "annual", "channel": rng.choice(["agency", "bank", "online"], n,
                                                             p=[0.5, 0.3, 0.2]),
    })


# ---- the object ------------------------------------------------------------------------------

def test_defaults_are_todays_values() -> None:
    a = Assumptions()
    assert (a.free_look_days, a.grace_days, a.credibility_p, a.credibility_r, a.ci_level) == (
        15, 60, 0.95, 0.05, 0.95)
    assert [b[2] for b in a.premium_bands] == ["<1k", "1k-3k", "3k-10k", "10k-30k", "30k+"]
    assert [b[2] for b in a.age_bands] == ["0-17", "18-29", "30-39", "40-49", "50-59", "60+"]
    assert a.premium_bands[1][:2] == (1000.0, 3000.0) and math.isinf(a.premium_bands[-1][1])


@pytest.mark.parametrize("changes", [
    {"free_look_days": -1}, {"grace_days": 1.5}, {"ci_level": 1.0}, {"ci_level": 0.3},
    {"credibility_r": 0}, {"age_cuts": (30, 20)}, {"premium_cuts": ()},
    {"duration_cuts": (12, float("inf"))}, {"reference_levels": (("channel", ""),)},
])
def test_out_of_range_values_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(AssumptionsError):
        Assumptions().replace(**changes)


def test_dict_and_toml_round_trip(tmp_path: Path) -> None:
    a = Assumptions(free_look_days=10, ci_level=0.9, premium_cuts=(500, 2500.5),
                    reference_levels=(("channel", "bank"), ("product", "A \"quoted\"")))
    assert Assumptions.from_dict(a.to_dict()) == a
    path = tmp_path / "a.toml"
    path.write_text(a.to_toml(), encoding="utf-8")
    assert read_assumptions(str(path)) == a
    # a hand-written file: missing keys take their defaults
    path.write_text('free_look_days = 30\n[reference_levels]\nchannel = "online"\n', encoding="utf-8")
    assert read_assumptions(str(path)) == Assumptions(free_look_days=30,
                                                      reference_levels=(("channel", "online"),))
    with pytest.raises(AssumptionsError, match="unknown"):
        Assumptions.from_dict({"free_look": 30})
    with pytest.raises(AssumptionsError, match="TOML"):
        Assumptions.from_toml("free_look_days = ")


# ---- flowing into the analyses ---------------------------------------------------------------

def test_free_look_days_change_the_persistency_cohort_by_hand() -> None:
    """Month 2024-01's cohort (13th premium due in January 2024) is B (issued 2023-01-10, in
    force) and C (2023-01-05, surrendered after 10 days). With 15 free-look days C is a free-look
    cancellation, excluded: ratio 1/1. With 5 days C stays in the cohort and did not persist:
    count 1/2, premium 2000/(2000+1500) = 0.571429. Year 2024 likewise: B, F (+ C)."""
    ds = Dataset({"policies": six_policies()}, as_of=AS_OF)
    month = persistency(ds, period="month").frame.set_index("period").loc["2024-01"]
    assert (month["cohort_count"], month["ratio_count"], month["excluded_free_look"]) == (1, 1.0, 1)

    short = ds.with_assumptions(Assumptions(free_look_days=5))
    frame = persistency(short, period="month").frame.set_index("period")
    m = frame.loc["2024-01"]
    assert (m["cohort_count"], m["persisting_count"], m["excluded_free_look"]) == (2, 1, 0)
    assert m["ratio_premium"] == pytest.approx(2000 / 3500)
    year = persistency(short, period="year").frame.set_index("period").loc["2024"]
    assert (year["cohort_count"], year["persisting_count"]) == (3, 1)  # B, C, F; B persists
    assert year["ratio_premium"] == pytest.approx(2000 / (2000 + 1500 + 800))
    # an explicit argument still wins over the dataset's assumptions
    explicit = persistency(short, period="month", free_look_days=15).frame.set_index("period")
    assert explicit.loc["2024-01", "ratio_count"] == 1.0
    assert persistency(short, period="month").free_look_days == 5


def test_ci_level_090_gives_lifelines_alpha_010_bands() -> None:
    ds = Dataset({"policies": random_book()}, as_of=AS_OF)
    ds90 = ds.with_assumptions(Assumptions(ci_level=0.90))
    curve = km_by_segment(ds90, None, unit="months").curves[0]
    pol = ds.policies
    kmf = KaplanMeierFitter(alpha=0.10).fit(pol["duration_months"], pol["event"])
    np.testing.assert_allclose(curve.timeline, kmf.timeline, rtol=0, atol=1e-12)
    ci = kmf.confidence_interval_.to_numpy()
    defined = curve.survival > 0
    np.testing.assert_allclose(curve.ci_lower[defined], ci[defined, 0], atol=1e-9)
    np.testing.assert_allclose(curve.ci_upper[defined], ci[defined, 1], atol=1e-9)
    # and the default 95 % bands are wider (so the level really changed)
    wide = km_by_segment(ds, None, unit="months").curves[0]
    assert (wide.ci_lower[defined] <= curve.ci_lower[defined] + 1e-15).all()
    assert (wide.ci_lower[defined] < curve.ci_lower[defined]).any()


def test_credibility_and_ci_level_reach_the_experience_study() -> None:
    """Full-credibility standard y = (Φ⁻¹((1+p)/2)/r)²; Z = min(1, √(A/(y(1−q)))) for the total."""
    ds = Dataset({"policies": random_book()}, as_of=AS_OF)
    a = Assumptions(credibility_p=0.90, credibility_r=0.10)
    res = experience_study(ds.with_assumptions(a))
    total = res.totals.iloc[0]
    y = (stats.norm.ppf(0.95) / 0.10) ** 2
    z = min(1.0, math.sqrt(total["actual"] / (y * (1 - total["rate"]))))
    assert total["credibility"] == pytest.approx(z, rel=1e-9)
    assert (res.credibility_p, res.credibility_r) == (0.90, 0.10)
    explicit = experience_study(ds.with_assumptions(a), credibility_p=0.95, credibility_r=0.05)
    assert (explicit.credibility_p, explicit.credibility_r) == (0.95, 0.05)


def test_cox_reference_level_from_the_assumptions() -> None:
    ds = Dataset({"policies": random_book()}, as_of=AS_OF)
    default = fit_cox(ds, ["channel"], diagnostics=False)
    assert default.reference_levels["channel"] == "agency"  # the most frequent
    chosen = fit_cox(ds.with_assumptions(Assumptions(reference_levels=(("channel", "online"),))),
                     ["channel"], diagnostics=False)
    assert chosen.reference_levels["channel"] == "online"
    # same model, other parametrisation: log HR(bank vs online) = β(bank) − β(online) vs agency
    b = default.coefficients.set_index("covariate")["coef"]
    c = chosen.coefficients.set_index("covariate")["coef"]
    assert c["channel=bank"] == pytest.approx(b["channel=bank"] - b["channel=online"], abs=1e-6)
    assert c["channel=agency"] == pytest.approx(-b["channel=online"], abs=1e-6)
    # a level absent from the data falls back to the most frequent
    absent = fit_cox(ds.with_assumptions(Assumptions(reference_levels=(("channel", "post"),))),
                     ["channel"], diagnostics=False)
    assert absent.reference_levels["channel"] == "agency"


def test_band_cut_offs_relabel_premium_bands() -> None:
    ds = Dataset({"policies": six_policies()}, as_of=AS_OF)
    banded = ds.with_assumptions(Assumptions(premium_cuts=(1200, 2000)))
    got = dict(zip(banded.policies["policy_id"], banded.policies["premium_band"].astype(str)))
    # 1000 <1.2k? no: 1200 is not a multiple of 1000 -> labelled as a number
    assert got == {"A": "<1200", "B": "2k+", "C": "1200-2k", "D": "2k+", "E": "1200-2k",
                   "F": "<1200"}


# ---- workspaces ------------------------------------------------------------------------------

def test_workspace_saves_and_restores_the_assumptions(tmp_path: Path) -> None:
    a = Assumptions(grace_days=30, ci_level=0.99, age_cuts=(25, 50))
    path = Workspace(sources=[], assumptions=a).save(tmp_path / "w.mdesk")
    assert Workspace.load(path).assumptions == a


@pytest.mark.parametrize("name", ["v1_no_assumptions.mdesk", "v2_no_assumptions.mdesk"])
def test_old_workspaces_load_with_default_assumptions(name: str) -> None:
    ws = Workspace.load(FIXTURES / name)
    assert ws.assumptions == Assumptions()
    assert ws.filters.channel == ("agency",)


def test_damaged_assumptions_in_a_workspace_are_named(tmp_path: Path) -> None:
    text = (FIXTURES / "v2_no_assumptions.mdesk").read_text(encoding="utf-8").rstrip()
    bad = text[:-1] + ', "assumptions": {"ci_level": 2}}'
    path = tmp_path / "bad.mdesk"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError, match="assumptions"):
        Workspace.load(path)


# ---- the CLI ---------------------------------------------------------------------------------

def _book_csv(tmp_path: Path) -> Path:
    frame = six_policies()
    for col in ("issue_date", "end_date"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    path = tmp_path / "policies.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def test_cli_assumptions_file_reaches_the_analysis(tmp_path: Path, capsys) -> None:
    """Same hand calculation as above, through ``--assumptions``; an explicit option wins."""
    import json

    from memberdesk.cli import main

    book = _book_csv(tmp_path)
    toml = tmp_path / "a.toml"
    toml.write_text("free_look_days = 5\n", encoding="utf-8")

    def month_2024_01(*extra: str) -> dict[str, object]:
        capsys.readouterr()
        assert main(["persistency", str(book), "--as-of", "2025-01-31", "--period", "month",
                     "--json", *extra]) == 0
        rows = json.loads(capsys.readouterr().out)["rows"]
        return next(r for r in rows if r["period"] == "2024-01")

    assert month_2024_01()["cohort_policies"] == 1
    assert month_2024_01("--assumptions", str(toml))["cohort_policies"] == 2
    assert month_2024_01("--assumptions", str(toml), "--free-look-days", "15")[
        "cohort_policies"] == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("ci_level = 2\n", encoding="utf-8")
    assert main(["km", str(book), "--assumptions", str(bad)]) == 3
    assert "ci_level" in capsys.readouterr().err
    assert main(["km", str(book), "--assumptions", str(tmp_path / "missing.toml")]) == 3


# ---- lineage settings nodes ------------------------------------------------------------------

def test_lineage_settings_nodes_carry_the_assumptions() -> None:
    from memberdesk.analysis import lineage

    a = Assumptions(grace_days=45, credibility_p=0.9, reference_levels=(("channel", "bank"),))
    pers = lineage.with_settings(lineage.forward("persistency_13"), a).nodes.set_index("id")
    assert pers.loc["param:grace_days", "value"] == "45"
    assert pers.loc["param:free_look_days", "value"] == "15"
    cred = lineage.with_settings(lineage.forward("credibility"), a).nodes.set_index("id")
    assert cred.loc["param:credibility_standard", "value"] == "p = 0.9, r = 0.05"
    hr = lineage.reverse("param:reference_levels")
    assert "hazard_ratio" in hr.metrics and "sheet:drivers" in hr.consumers
    assert lineage.label_of("param:ci_level", "zh_CN") == "置信水平"


def test_ci_level_reaches_decrements_and_projection() -> None:
    """The dataset's CI level is what an explicit alpha = 1 − level gives (the analyses' tested
    path), and differs from the default 95 % result."""
    import json

    from memberdesk.analysis.competing import cumulative_incidence
    from memberdesk.analysis.parametric import fit_parametric

    ds = Dataset({"policies": random_book()}, as_of=AS_OF)
    ds90 = ds.with_assumptions(Assumptions(ci_level=0.90))

    def js(result: object) -> str:
        return json.dumps(result.to_json(), sort_keys=True, default=str)  # type: ignore[attr-defined]

    cif = cumulative_incidence(ds90, by="channel")
    assert js(cif) == js(cumulative_incidence(ds, by="channel", alpha=0.10))
    assert js(cif) != js(cumulative_incidence(ds, by="channel"))
    proj = fit_parametric(ds90, models=("weibull",))
    assert js(proj) == js(fit_parametric(ds, models=("weibull",), alpha=0.10))
    assert js(proj) != js(fit_parametric(ds, models=("weibull",)))
