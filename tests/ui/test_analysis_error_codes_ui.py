"""The Drivers page in Chinese says why its Cox model cannot be fitted in Chinese: the analysis
raises a reason code (AnalysisError(Reason("cox_too_few_events", ...))), not an English sentence
the page would show as it is."""
from __future__ import annotations

import pandas as pd

from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


def _book() -> Dataset:
    """12 policies, agency and bank in turn; the first 3 lapsed 100 days after issue (3 events),
    the others in force: too few events for a Cox model on channel (10 needed)."""
    issue = [AS_OF - pd.Timedelta(days=400 + 30 * i) for i in range(12)]
    p = pd.DataFrame({
        "policy_id": [f"P{i:03d}" for i in range(12)],
        "channel": ["agency" if i % 2 == 0 else "bank" for i in range(12)],
        "issue_date": issue,
        "end_date": [d + pd.Timedelta(days=100) if i < 3 else pd.NaT for i, d in enumerate(issue)],
        "status": ["lapsed" if i < 3 else "in_force" for i in range(12)],
        "annual_premium": [1000.0] * 12,
    })
    return Dataset(validated={"policies": p}, as_of=AS_OF)


def test_drivers_page_shows_too_few_events_in_chinese(zh_cn: list[str],
                                                      show_page) -> None:  # type: ignore[no-untyped-def]
    page = show_page("drivers", _book())
    assert page.selected_covariates() == ["channel"]  # the one default covariate the book has
    shown = page.message.text()
    # written out by hand: 1 coefficient (bank against agency), 3 events, 10 and 2 needed
    assert "事件过少，无法拟合 Cox 模型：1个系数仅有3个事件（至少需要10个事件，且每个系数2个）" in shown, shown
    assert "too few events" not in shown and "coefficient" not in shown
