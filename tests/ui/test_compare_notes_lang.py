"""The Compare panel says why a side has no figures in the window's language (issue 17 C.18 /
C.16): the comparison's notes are reason codes (analysis.compare.CompareNote), shown through the
reason catalogue, not the English sentence analysis.compare used to build.

Truth from the data: the sample's first issue date is read from policies.csv here; the day
before it no policy exists, so the reference side of Retention has nothing to analyse."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_retention_compare_note_in_the_window_language(qtbot, sample_data: Path, lang: str,
                                                       request: pytest.FixtureRequest) -> None:
    if lang == "zh_CN":
        request.getfixturevalue("zh_cn")
    first = pd.Timestamp(pd.read_csv(sample_data / "policies.csv", usecols=["issue_date"])
                         ["issue_date"].min())
    before = (first - pd.Timedelta(days=1)).date().isoformat()
    w = MainWindow(AppSettings(), lang)
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=60_000):
        w.open_paths([str(sample_data)], user_action=False)
    page = w.show_page("retention")
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=60_000)
    panel = page.compare
    panel.set_reference_as_of(before)
    panel.toggle.setChecked(True)
    qtbot.waitUntil(lambda: panel.comparison is not None and not panel.is_busy
                    and str(panel.comparison.reference.as_of.date()) == before, timeout=60_000)
    assert [n.reason.code for n in panel.comparison.notes] == ["compare_no_policies"]
    heading = panel.heading.text()
    if lang == "en":
        assert (f"reference: retention: no policies to analyse (none issued by its as-of date "
                f"{before} under its filters)") in heading
    else:
        assert f"对比基准·留存：无可分析的保单（截至其统计日{before}、在其筛选条件下无已生效保单）" in heading
        assert "reference" not in heading and "no policies" not in heading
