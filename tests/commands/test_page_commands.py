"""`memberdesk cohorts|projection|benefits|service|claims --json` on a book small enough to work
out by hand (the arithmetic is in the comments): the CLI prints the same result object the page
and the sheet show, in the shape docs/cli.md gives, with the contract's exit codes."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from memberdesk import page_registry
from memberdesk.cli import main
from memberdesk.core.schema import DAYS_PER_MONTH

AS_OF = "2024-06-30"

POLICIES = """policy_id,member_id,product,channel,issue_date,end_date,status,annual_premium
P1,M1,Term,agency,2024-01-10,,in_force,1000
P2,M2,Term,agency,2024-01-20,2024-03-15,lapsed,2000
P3,M3,Health,bank,2024-02-05,,in_force,3000
P4,M4,Health,bank,2024-02-10,2024-02-20,surrendered,4000
"""
CLAIMS = """claim_id,policy_id,member_id,reported_at,settled_at,status,amount_claimed,amount_paid
C1,P1,M1,2024-03-01,2024-03-04,paid,100,100
C2,P1,M1,2024-04-01,2024-04-11,paid,200,50
C3,P3,M3,2024-05-01,,open,300,
"""
CONTACTS = ("contact_id,member_id,started_at,channel,handled_by,transferred_to_human,connected,"
            "wait_seconds,resolved,satisfaction,topic\n") + """S1,M1,2024-06-01,app,bot,false,,,true,5,billing
S2,M1,2024-06-02,app,bot,true,true,30,true,3,claims
S3,M3,2024-05-10,phone,human,false,false,100,false,,claims
S4,M3,2023-01-05,app,bot,false,,,true,4,billing
"""
# the members table only places the data's last date on the as-of date (M4 joined that day), so
# --as-of 2024-06-30 is not after the data (commands cap such an --as-of at the last date)
MEMBERS = """member_id,join_date
M1,2020-01-01
M2,2020-01-01
M3,2020-01-01
M4,2024-06-30
"""
USAGE = """member_id,benefit,used_at,cost
M1,health check-up,2024-05-01,100
M2,dental care,2024-02-01,80
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("book")
    for name, text in (("policies", POLICIES), ("claims", CLAIMS), ("service_contacts", CONTACTS),
                       ("benefit_usage", USAGE), ("members", MEMBERS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def run_json(*args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--json"]) == 0
    return json.loads(out.getvalue())


def test_every_page_command_is_registered() -> None:
    commands = set(page_registry.page_commands())
    assert {"cohorts", "projection", "benefits", "service", "claims"} <= commands


def test_cohorts(book: Path) -> None:
    res = run_json("cohorts", str(book), "--as-of", AS_OF)
    assert res["as_of"] == AS_OF and res["cohort"] == "month" and res["weight"] == "count"
    # January cohort (P1, P2): in force at the end of Jan, Feb; P2 lapsed 15 March -> 1/2 from
    # the end of March; observed to the end of June (months 0..5).
    # February cohort (P3, P4): P4 surrendered 20 Feb -> 1/2 from month 0; month 5 is the end of
    # July, after the as-of date: not observed (null).
    assert res["months"] == [0, 1, 2, 3, 4, 5]
    jan, feb = res["rows"]
    assert (jan["cohort"], jan["policies"], jan["premium"]) == ("2024-01", 2, 3000.0)
    assert jan["shares"] == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    assert (feb["cohort"], feb["policies"]) == ("2024-02", 2)
    assert feb["shares"] == [0.5, 0.5, 0.5, 0.5, 0.5, None]


def test_claims(book: Path) -> None:
    res = run_json("claims", str(book), "--as-of", AS_OF, "--by", "none")
    (overall,) = res["segments"]
    # settlement days: C1 3, C2 10, C3 open 60 days (censored at 30 June).
    # KM of "still open": S(3) = 2/3, S(10) = 2/3 * 1/2 = 1/3 -> median 10 days;
    # within 5 days = 1 - S(5) = 1/3; within 10 and 30 days = 1 - 1/3 = 2/3.
    assert (overall["segment"], overall["claims"], overall["settled"], overall["open"]) == ("all", 3, 2, 1)
    assert overall["median_days"] == 10
    assert overall["within_5_days"] == pytest.approx(1 / 3)
    assert overall["within_10_days"] == pytest.approx(2 / 3)
    assert overall["within_30_days"] == pytest.approx(2 / 3)
    # paid ratios over settled claims: (100 + 50) / (100 + 200); both settled claims paid.
    assert overall["paid_ratio_amount"] == pytest.approx(0.5)
    assert overall["paid_ratio_count"] == pytest.approx(1.0)
    assert res["reason"] is None and res["thresholds_days"] == [5, 10, 30]


def test_service(book: Path) -> None:
    res = run_json("service", str(book), "--as-of", AS_OF)
    w = res["window"]
    # 12 months to 30 June 2024: S1, S2, S3 (S4 is January 2023).
    # bot replacement = bot contacts not transferred / all = 1/3 (S1);
    # human connection = connected / human queue (S2 transferred, S3 human) = 1/2;
    # CSAT = rated with satisfaction >= 4 / rated = 1/2 (S1 5, S2 3).
    assert w["contacts"] == 3
    assert w["bot_replacement_rate"] == pytest.approx(1 / 3)
    assert w["human_connection_rate"] == pytest.approx(1 / 2)
    assert w["csat"] == pytest.approx(1 / 2)
    # top topics over the last 12 months: claims 2 (S2, S3), billing 1 (S1; S4 too old)
    assert res["top_topics"] == [{"topic": "claims", "contacts": 2.0}, {"topic": "billing", "contacts": 1.0}]
    assert res["reasons"] == {}


def test_benefits(book: Path) -> None:
    res = run_json("benefits", str(book), "--as-of", AS_OF)
    (overall,) = res["segments"]
    # in-force members at 30 June: M1 (P1), M3 (P3); users among them: M1 -> 1/2;
    # uses by in-force members per 100: 1 / 2 * 100 (M2's use counts for no in-force member)
    assert (overall["in_force_members"], overall["users"]) == (2, 1)
    assert overall["usage_rate"] == pytest.approx(0.5)
    assert overall["uses_per_100_members"] == pytest.approx(50.0)


def test_projection_exponential_is_the_hand_mle(book: Path) -> None:
    res = run_json("projection", str(book), "--as-of", AS_OF, "--horizon", "24")
    # exponential MLE scale (lifelines' lambda_) = total time / events:
    # 172 + 55 + 146 + 10 days, 2 events (P2 lapse, P4 surrender), in months of 365.25/12 days
    expected = (172 + 55 + 146 + 10) / 2 / DAYS_PER_MONTH
    (exp,) = [m for m in res["models"] if m["model"] == "exponential"]
    assert exp["parameters"]["lambda_"] == pytest.approx(expected, rel=1e-4)
    assert res["n"] == 4 and res["events"] == 2 and res["horizon"] == 24.0
    assert res["as_of"] == AS_OF


@pytest.mark.parametrize("command", ["cohorts", "projection", "benefits", "service", "claims"])
def test_missing_data_is_exit_3_and_bad_option_exit_2(command: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, str(tmp_path / "nope.csv")]) == 3
    assert "nope.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([command, str(tmp_path), "--no-such-option"])
    assert info.value.code == 2


def test_readable_output_without_json(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", str(book), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "Claim settlement as of 2024-06-30" in out and "66.7%" in out
