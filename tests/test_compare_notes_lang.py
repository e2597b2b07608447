"""Compare notes are reason codes, read in the reader's language (issue 17 C.18 / B.10).

Why one side of a comparison has no figures used to be an English sentence built in
analysis.compare ("reference: retention: no policies to analyse …") that reached the Chinese
workbook and UI unchanged. Now each note is a :class:`CompareNote` (side, section, a reason code
with parameters) whose English text is what it was, and the report's "what changed" table writes
it in the report's language.

Truth from the data, not the code: the sample book's first issue date is read from
policies.csv here; at an as-of date before it no policy exists (retention has nothing to
analyse), and at an as-of date less than 13 months after it no policy can have reached its 13th
month (persistency has no cohort).
"""
from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import CompareNote, compare_as_of, compare_filters
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.reasons import Reason, reason_text

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def book() -> Dataset:
    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.csv"))):
        pytest.skip("sample_data/ is not there")
    from memberdesk.core.loader import load_dataset

    return load_dataset([str(SAMPLE)])


@pytest.fixture(scope="module")
def first_issue() -> pd.Timestamp:
    return pd.Timestamp(pd.read_csv(SAMPLE / "policies.csv", usecols=["issue_date"])
                        ["issue_date"].min())


def test_a_side_before_the_first_issue_says_no_policies_in_both_languages(
        book: Dataset, first_issue: pd.Timestamp) -> None:
    before = (first_issue - pd.Timedelta(days=1)).date().isoformat()
    comp = compare_as_of(book, before, by="channel", sections=("retention", "persistency"))
    by_section = {n.section: n for n in comp.notes}
    assert set(by_section) == {"retention", "persistency"}
    ret = by_section["retention"]
    assert isinstance(ret, CompareNote) and ret.side == "reference"
    assert ret.reason == Reason("compare_no_policies", as_of=before)
    assert by_section["persistency"].reason == Reason("compare_no_persistency_cohort", month=13,
                                                      as_of=before)
    # English: the same sentence shape as before (str, logs and JSON read it)
    assert ret == ret.text("en") == (f"reference: retention: no policies to analyse (none issued "
                                     f"by its as-of date {before} under its filters)")
    # Chinese: every word translated (only the date's digits and separators are not Han)
    zh = reason_text(ret, "zh_CN")
    assert zh == ("对比基准·留存：无可分析的保单（截至其统计日" + before
                  + "、在其筛选条件下无已生效保单）")
    assert not LATIN.search(zh)
    assert by_section["persistency"].text("zh_CN") == (
        f"对比基准·继续率：截至其统计日{before}无保单届满第13个保单月")
    # JSON keeps the English notes and adds their codes; a note pickles as itself
    payload = json.loads(json.dumps(comp.to_json()))
    assert payload["notes"] == [str(n) for n in comp.notes]
    assert [r["reason"]["code"] for r in payload["note_reasons"]] == [
        "compare_no_policies", "compare_no_persistency_cohort"]
    assert pickle.loads(pickle.dumps(ret)).text("zh_CN") == zh


def test_persistency_without_a_13th_month_cohort_says_so(book: Dataset,
                                                         first_issue: pd.Timestamp) -> None:
    # 6 months after the first issue: policies exist (retention has figures), none is 13 months old
    early = (first_issue + pd.DateOffset(months=6)).date().isoformat()
    comp = compare_as_of(book, early, by="channel", sections=("retention", "persistency"))
    assert [(n.side, n.section, n.reason.code) for n in comp.notes] == [
        ("reference", "persistency", "compare_no_persistency_cohort")]
    assert comp.persistency is not None and comp.persistency["reference"].isna().all()


def test_a_filter_set_matching_nothing_says_no_policies(book: Dataset) -> None:
    comp = compare_filters(book, Filters(channel=("no such channel",)), sections=("retention",))
    assert [(n.side, n.reason.code) for n in comp.notes] == [("reference", "compare_no_policies")]
    assert comp.notes[0].text("zh_CN").startswith("对比基准·留存：")


def test_the_current_side_is_named_current() -> None:
    note = CompareNote("current", "kpis", Reason("compare_failed", error="boom"))
    assert note == "current: KPIs: could not be computed: boom"
    assert note.text("zh_CN") == "当前·关键指标：无法计算：boom"
    with pytest.raises(ValueError):
        CompareNote("left", "kpis", Reason("compare_failed", error="x"))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_report_writes_the_notes_in_its_language(book: Dataset, first_issue: pd.Timestamp,
                                                     lang: str, tmp_path: Path) -> None:
    import datetime as dt

    from memberdesk.report.compare_sections import write_comparison
    from memberdesk.report.context import ReportContext
    from memberdesk.report.layout import SheetWriter
    from memberdesk.report.report_options import CompareRef

    before = (first_issue - pd.Timedelta(days=1)).date().isoformat()
    ctx = ReportContext(ds=book, lang=lang, segment="channel", include_personal=False,
                        generated_at=dt.datetime(2026, 12, 5))
    wb = openpyxl.Workbook()
    w = SheetWriter(wb.active, lang, "T", "As of")
    write_comparison(ctx, w, CompareRef(as_of=before), "retention", by="channel")
    wb.save(tmp_path / "c.xlsx")
    cells = [c for r in openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows(
        values_only=True) for c in r if isinstance(c, str)]
    english = f"reference: retention: no policies to analyse (none issued by its as-of date {before}"
    if lang == "en":
        assert any(c.startswith(english) for c in cells)
    else:
        assert "对比基准·留存：无可分析的保单（截至其统计日" + before + "、在其筛选条件下无已生效保单）" in cells
        assert not any("reference:" in c or "no policies" in c for c in cells)


def test_a_failed_side_gives_its_errors_reason_in_the_language() -> None:
    # a side whose analysis raised a reason-coded error: the note reads that reason in Chinese,
    # not the English sentence (compare_failed wrapped str(exc) before)
    from memberdesk.analysis.compare import why_no_figures
    from memberdesk.core.errors import AnalysisError
    from memberdesk.core.loader import load_dataset
    from memberdesk.core.reasons import CATALOGUE

    ds = load_dataset([SAMPLE])
    why = why_no_figures(ds, AnalysisError(Reason("persistency_no_issue_dates")))
    assert why.code == "compare_failed"
    assert CATALOGUE["persistency_no_issue_dates"]["zh_CN"] in why.text("zh_CN")
    assert why.text("en") == "could not be computed: " + CATALOGUE["persistency_no_issue_dates"]["en"]
    note = CompareNote("current", "kpis", why)
    assert pickle.loads(pickle.dumps(note)) == note
