"""The Alerts page: inbox sorted by severity, funnel of the selected alert, the segment's CUSUM,
acknowledgement into the history beside the workspace."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .conftest import dataset, make_book  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield folder
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000)


def _page(qtbot, ds):  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    page = page_factory("alerts")(None)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.set_dataset(ds)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
    return page


def test_inbox_funnel_and_cusum(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.analysis.alerts import compute_alerts

    ds = dataset(make_book(jump=True))
    want = compute_alerts(ds)
    page = _page(qtbot, ds)
    assert page.model.rowCount() == len(want.alerts) == 2
    assert [a.key for a in page.shown] == [a.key for a in want.alerts]
    # the first alert is selected: the channel funnel with four segments, broker in red
    frame = page.funnel.data_frame()
    assert sorted(frame["segment"]) == ["agency", "bank", "broker", "online"]
    assert frame.set_index("segment").loc["broker", "level"] == "alarm"
    assert set(page.funnel.curves) == {"target", "lower_alert", "upper_alert", "lower_alarm",
                                       "upper_alarm"}
    # the limit curve at broker's denominator is the alert's upper limit
    import numpy as np
    alarm = next(a for a in want.alerts if a.method.startswith("funnel"))
    x, y = page.funnel.curves["upper_alarm"].getData()
    assert np.interp(alarm.n, x, y) == pytest.approx(alarm.upper, abs=0.003)
    # the CUSUM of broker crosses the alarm threshold in the jump months
    cusum = page.cusum.data_frame()
    assert cusum["cusum"].iloc[-1] >= 5.0 and len(cusum) == 12
    # the policies behind broker's alarm: issued in the three flagged months, no member ids
    behind = page.behind_model.frame()
    book = ds.validated["policies"]
    want_n = int(((book["channel"] == "broker")
                  & book["issue_date"].dt.strftime("%Y-%m").isin(["2026-08", "2026-09", "2026-10"])).sum())
    assert len(behind) == want_n and "member_id" not in behind.columns
    page.select_segment("agency")
    assert page.cusum.data_frame()["cusum"].iloc[-1] < 3.0
    assert not page.ack_button.isEnabled()            # no workspace: no history to keep notes
    # filters: by metric; the metrics the data cannot feed are named with their reason
    page.metric_box.setCurrentIndex(page.metric_box.findData("csat"))
    assert page.metric_box.findData("csat") == -1 and page.model.rowCount() == 2
    assert "service contacts" in page.not_monitored.text()
    page.level_box.setCurrentIndex(page.level_box.findData("alarm"))
    assert page.model.rowCount() == 2


def test_acknowledge_writes_the_history_beside_the_workspace(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.analysis.alerts import load_history

    page = _page(qtbot, dataset(make_book(jump=True)))
    workspace = tmp_path / "book.mdesk"
    page.history_path = lambda: str(workspace.with_suffix(".alerts.json"))  # type: ignore[method-assign]
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
    assert {a.status for a in page.result.alerts} == {"new"}
    page.acknowledge(page.shown[0], "looked at it")
    history = load_history(workspace.with_suffix(".alerts.json"))
    assert history.get(page.shown[0].key).note == "looked at it"
    assert page.model.rowCount() == 2


def test_cockpit_tiles_carry_an_alarm_badge(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    for jump, expected in ((True, True), (False, False)):
        page = page_factory("cockpit")(None)
        qtbot.addWidget(page)
        page.set_dataset(dataset(make_book(jump=jump)))
        page.refresh()
        qtbot.waitUntil(lambda p=page: not p.is_busy, timeout=60_000)
        # the free-look alarm sits behind the lapse-rate tile; nothing else is alarmed
        assert bool(page.tiles["lapse_rate_annualised"].property("alarm")) is expected
        assert not page.tiles["persistency_13"].property("alarm")
        assert hasattr(page.tiles["lapse_rate_annualised"], "alarm_badge") is expected
