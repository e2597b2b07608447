"""Experience page: the Basis combo (policy year / calendar year) drives the study, the chart's
x axis, the table, the result cache and the workspace state; a policy-year expected table on the
calendar-year basis is left out with a note (experience_study matches tables on the basis'
period column)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
from PySide6.QtCore import Qt

from memberdesk.analysis.experience import experience_study, read_expected_table
from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


def book(n: int = 500) -> Dataset:
    rng = np.random.default_rng(0)
    issue = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    life = pd.to_timedelta(rng.exponential(900, n).astype(int), unit="D")
    end = pd.Series(issue + life)
    ended = end <= AS_OF
    policies = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)],
        "issue_date": pd.DatetimeIndex(issue).normalize(),
        "end_date": end.where(ended).to_numpy(),
        "status": np.where(ended, rng.choice(["lapsed", "surrendered", "death"], n), "in_force"),
        "channel": rng.choice(["agency", "online"], n),
        "annual_premium": 1000.0, "payment_frequency": "annual"})
    return Dataset(validated={"policies": policies}, as_of=AS_OF)


def wait(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)


def x_axis_label(page) -> str:  # type: ignore[no-untyped-def]
    return page.chart.plot.getAxis("bottom").labelText


def test_basis_switches_the_study_axis_and_table(qtbot, show_page) -> None:
    ds = book()
    page = show_page("experience", ds)
    assert page.current_basis() == "policy_year" and page.result.basis == "policy_year"
    first = page.result
    assert x_axis_label(page) == "Policy year"
    assert page.panel.title().startswith("Termination rate by policy year")

    page.basis.setCurrentIndex(page.basis.findData("calendar_year"))  # as the user does
    wait(qtbot, page)
    assert page.message_text() == ""
    direct = experience_study(ds, basis="calendar_year")
    res = page.result
    assert res.basis == "calendar_year"
    frame = page.model.frame()
    assert frame.columns[0] == "calendar_year"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Calendar year"
    assert list(frame["calendar_year"]) == list(direct.rows["calendar_year"])
    assert list(frame["calendar_year"]) == list(range(2019, 2025))
    # the page shows the rows without the unweighted duplicate n_actual (= actual) and names
    # the expected rate expected_rate (tests/ui/test_look_review.py)
    assert (direct.rows["n_actual"] == direct.rows["actual"]).all()
    shown_rows = direct.rows.drop(columns="n_actual").rename(columns={"expected": "expected_rate"})
    pdt.assert_frame_equal(frame.reset_index(drop=True), shown_rows.reset_index(drop=True),
                           check_dtype=False)
    assert x_axis_label(page) == "Calendar year"
    assert page.model.data(page.model.index(0, 0)) == "2019"  # a year, not "2,019"
    assert page.panel.title().startswith("Termination rate by calendar year")

    # back to policy years: the cached first result (the cache is keyed by the basis too)
    page.set_basis("policy_year")
    wait(qtbot, page)
    assert page.result is first
    assert page.model.frame().columns[0] == "policy_year"
    assert x_axis_label(page) == "Policy year"


def test_expected_table_on_each_basis(qtbot, show_page, tmp_path) -> None:
    ds = book()
    by_policy = tmp_path / "by_policy_year.csv"
    by_policy.write_text("policy_year,rate\n1,0.10\n2,0.12\n3,0.09\n4,0.08\n5,0.07\n6,0.07\n",
                         encoding="utf-8")
    by_calendar = tmp_path / "by_calendar_year.csv"
    by_calendar.write_text("calendar_year,rate\n" + "".join(f"{y},0.1\n" for y in range(2019, 2025)),
                           encoding="utf-8")
    page = show_page("experience", ds)
    page.set_expected_path(str(by_policy))
    wait(qtbot, page)
    assert page.result.has_expected and page.note.isHidden()
    assert x_axis_label(page) == "Policy year"

    # a policy-year table cannot be matched to calendar years: rates only, and the page says so
    page.set_basis("calendar_year")
    wait(qtbot, page)
    assert page.message_text() == ""
    assert page.result.basis == "calendar_year" and not page.result.has_expected
    assert page.result.rows["expected"].isna().all()
    assert not page.note.isHidden() and "policy-year basis" in page.note.text()
    assert page.panel.title() == "Termination rate by calendar year (95% CI)"

    # a table by calendar year gives calendar-year A/E, as experience_study called directly
    page.set_expected_path(str(by_calendar))
    wait(qtbot, page)
    direct = experience_study(ds, basis="calendar_year",
                              expected=read_expected_table(by_calendar, basis="calendar_year"))
    assert page.result.has_expected and page.note.isHidden()
    assert page.panel.title() == "Actual ÷ expected by calendar year (95% CI)"
    np.testing.assert_allclose(page.result.rows["ae"], direct.rows["ae"])
    # A/E = rate ÷ 0.1 on every row (the table's single rate)
    np.testing.assert_allclose(page.result.rows["ae"], page.result.rows["rate"] / 0.1)

    # and that table on the policy-year basis is a data error naming the missing column
    page.set_basis("policy_year")
    wait(qtbot, page)
    assert "policy_year" in page.message_text()


def test_workspace_state_keeps_the_basis(qtbot, show_page) -> None:
    ds = book()
    page = show_page("experience", ds)
    page.set_basis("calendar_year")
    page.set_checked(page.by, ["channel"])
    wait(qtbot, page)
    state = page.state()
    assert state["basis"] == "calendar_year" and state["by"] == ["channel"]

    from memberdesk.ui.pages import page_factory

    other = page_factory("experience")(None)  # as a workspace opens: state first, then data
    qtbot.addWidget(other)
    other.restore_state(state)
    other.resize(1400, 900)
    other.set_dataset(ds)
    other.refresh()
    wait(qtbot, other)
    assert other.current_basis() == "calendar_year"
    assert other.checked(other.by) == ["channel"]
    assert other.result.basis == "calendar_year" and other.result.by == ("channel",)
    assert other.state() == state
