"""The errors of the cohorts, projection and service analyses a page or report can reach are
reason codes too (their modules were being edited when the others were converted): the code,
the English as it was raised before (written out here), and Chinese words."""
from __future__ import annotations

import pandas as pd

from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.analysis.parametric import fit_parametric
from memberdesk.analysis.service import service_summary
from tests.analysis.test_analysis_error_codes import book, check, policies


def test_cohorts_premium_weight_without_premium() -> None:
    p = policies().drop(columns=["annual_premium"])
    check(lambda: cohort_retention(book(p), weight="premium"), "cohorts_premium_needs_column",
          "premium weights need an annual_premium column", column="annual_premium",
          zh_has=["保费"])


def test_projection_without_events() -> None:
    check(lambda: fit_parametric(book(policies(events=0))), "projection_no_events",
          "no events: there is nothing to fit a retention model to", zh_has=["无事件"])


def test_service_without_start_dates() -> None:
    contacts = pd.DataFrame({"contact_id": ["C1"], "member_id": ["M1"], "channel": ["bot"]})
    check(lambda: service_summary(book(service_contacts=contacts)), "service_needs_start_date",
          "service contacts need a start date", column="started_at", zh_has=["服务记录"])


def test_report_before_every_issue_names_the_as_of_in_the_reports_language(
        tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from memberdesk.cli import main

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    out = tmp_path / "r.xlsx"
    assert main(["report", str(sample), "-o", str(out), "--as-of", "2000-01-01"]) == 3
    assert ("no policies to report as of 2000-01-01: every policy was issued after --as-of "
            "2000-01-01") in capsys.readouterr().err
    assert main(["report", str(sample), "-o", str(out), "--as-of", "2000-01-01",
                 "--lang", "zh_CN"]) == 3
    assert "截至2000-01-01无可报告的保单" in capsys.readouterr().err
    assert not out.exists()
