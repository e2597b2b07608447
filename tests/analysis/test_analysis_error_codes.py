"""Why an analysis cannot be computed is a reason code (``AnalysisError(Reason)``), so a reader of
the Chinese desktop or workbook reads it in Chinese, while the English stays the sentence the
analysis raised before it had a code (logs, JSON, the command line and users' scripts match it).

Each case provokes the error through a public analysis function on a small hand-built book and
checks: the code; the English, written out here as it was raised before (the truth, not the
catalogue read back); and that the Chinese is Chinese: it holds CJK and no English word but the
data's own names and values (and the few method names the UI also keeps: Cox, Gray, km, rank).
One case per analysis module that raises such an error.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

AS_OF = pd.Timestamp("2024-12-31")
HAN = re.compile(r"[\u4e00-\u9fff]")
# method names the Chinese UI keeps in Latin letters (resources/translations: "Gray 检验")
KEPT = ("Cox", "Gray", "Kaplan-Meier", "km", "rank")


def policies(n: int = 12, events: int = 3, *, channels: tuple[str, ...] = ("agency", "bank"),
             lapsed_channels: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``n`` policies, policy i issued 400 + 30·i days before the as-of date, channels in
    turn; the first ``events`` policies (of ``lapsed_channels``, if given) lapsed 100 days after
    issue, the others in force. Events (lapse, surrender) are therefore exactly ``events``."""
    issue = [AS_OF - pd.Timedelta(days=400 + 30 * i) for i in range(n)]
    channel = [channels[i % len(channels)] for i in range(n)]
    eligible = [i for i in range(n) if lapsed_channels is None or channel[i] in lapsed_channels]
    lapsed = set(eligible[:events])
    return pd.DataFrame({
        "policy_id": [f"P{i:03d}" for i in range(n)],
        "channel": channel,
        "product": ["term"] * n,
        "issue_date": issue,
        "end_date": [d + pd.Timedelta(days=100) if i in lapsed else pd.NaT
                     for i, d in enumerate(issue)],
        "status": ["lapsed" if i in lapsed else "in_force" for i in range(n)],
        "annual_premium": [1000.0 + 10 * i for i in range(n)],
    })


def book(p: pd.DataFrame | None = None, **tables: pd.DataFrame) -> Dataset:
    return Dataset(validated={"policies": policies() if p is None else p, **tables}, as_of=AS_OF)


def check(call: Callable[[], object], code: str, english: str, *, column: str | None = None,
          zh_has: Iterable[str] = (), kept: Iterable[str] = ()) -> str:
    """Run ``call``; assert its AnalysisError's code, its English (and the column named beside
    it, as before), and Chinese words with no English but ``kept``; return the Chinese."""
    with pytest.raises(AnalysisError) as caught:
        call()
    exc = caught.value
    assert exc.reason is not None, f"still a sentence: {exc}"
    assert exc.reason.code == code
    assert exc.message == english
    assert str(exc) == (english if column is None else f"{english} (column {column!r})")
    assert exc.column == column
    zh = exc.text("zh_CN")
    assert HAN.search(zh), zh
    for word in zh_has:
        assert word in zh, zh
    rest = zh
    for word in sorted((*kept, *KEPT), key=len, reverse=True):
        rest = rest.replace(word, "")
    assert not re.search(r"[A-Za-z]{2,}", rest), zh
    return zh


# ---- survival frames, KM, log-rank, Gray, life table, pooling, delayed entry --------------------

def test_frames_unknown_column_lists_the_available_ones_by_their_labels() -> None:
    from memberdesk.analysis.survival import km_by_segment

    table = pd.DataFrame({"duration": [1.0, 2.0, 3.0], "event": [1, 0, 1],
                          "channel": ["a", "b", "a"]})
    zh = check(lambda: km_by_segment(table, by="nosuch"), "frame_unknown_column",
               "unknown column 'nosuch'; available: channel", column="nosuch",
               kept=("nosuch",))
    assert zh == "未知字段“nosuch”；可用字段：渠道"  # channel by its label (core.labels)


def test_frames_table_without_an_event_column() -> None:
    from memberdesk.analysis.survival import km_by_segment

    table = pd.DataFrame({"duration": [1.0, 2.0]})
    check(lambda: km_by_segment(table), "frame_needs_column",
          "the table needs a event column", column="event", zh_has=("事件",))


def test_survival_segment_with_every_value_missing() -> None:
    # every channel empty: said by the code (it was an IndexError inside segment_labels)
    from memberdesk.analysis.survival import km_by_segment

    check(lambda: km_by_segment(book(policies().assign(channel=None)), by="channel"),
          "segment_all_missing", "every row has a missing 'channel'", column="channel",
          zh_has=("渠道",))


def test_competing_segment_with_every_value_missing() -> None:
    from memberdesk.analysis.competing import cumulative_incidence

    check(lambda: cumulative_incidence(book(policies().assign(channel=None)), by="channel"),
          "segment_all_missing", "every row has a missing 'channel'", column="channel")


def test_km_negative_durations() -> None:
    from memberdesk.analysis.km import kaplan_meier

    check(lambda: kaplan_meier(np.array([1.0, -2.0, -3.0]), np.array([1, 0, 1])),
          "km_durations_negative", "2 durations are negative", zh_has=("2",))


def test_logrank_with_one_group_and_with_no_events() -> None:
    from memberdesk.analysis.logrank import logrank_test

    check(lambda: logrank_test([1, 2, 3], [1, 0, 1], ["a", "a", "a"]), "logrank_groups_found",
          "the log-rank test needs at least two groups; found 1", zh_has=("对数秩检验",))
    check(lambda: logrank_test([1, 2, 3], [0, 0, 0], ["a", "b", "a"]), "logrank_no_events",
          "no events: the groups cannot be compared")


def test_gray_test_with_one_group() -> None:
    from memberdesk.analysis.gray_test import gray_test

    check(lambda: gray_test(np.array([1.0, 2.0]), np.array([1, 0]), np.array([0, 0]),
                            ("lapsed",), 1),
          "gray_one_group", "Gray's test needs at least two groups")


def test_life_table_negative_break() -> None:
    from memberdesk.analysis.lifetable import life_table

    check(lambda: life_table([1, 2], [1, 0], [-1, 5]), "lifetable_bad_breaks",
          "life-table breaks must be finite numbers >= 0", zh_has=("生命表",))


def test_pooling_nothing() -> None:
    from memberdesk.analysis.segment_pooling import pooled_curve

    check(lambda: pooled_curve([]), "pooling_no_curves", "no curves to pool")


def test_entry_study_start_after_the_as_of_date() -> None:
    from memberdesk.analysis.survival import km_by_segment

    zh = check(lambda: km_by_segment(book().with_study_start("2025-06-01")),
               "entry_study_start_after_as_of",
               "the study start 2025-06-01 must be before the as-of date 2024-12-31")
    assert zh == "研究起始日2025-06-01须早于统计日2024-12-31"


# ---- the Cox model (Drivers page) ---------------------------------------------------------------

def test_cox_too_few_events() -> None:
    from memberdesk.analysis.cox import fit_cox

    # 3 lapses, one coefficient (bank against agency); the fit needs 10 events and 2 per
    # coefficient
    zh = check(lambda: fit_cox(book(), ["channel"]), "cox_too_few_events",
               "too few events to fit a Cox model: 3 events for 1 coefficients (need at least 10 "
               "and 2 per coefficient)")
    assert "事件过少" in zh and "3个事件" in zh


def test_cox_covariate_also_a_stratum() -> None:
    from memberdesk.analysis.cox import fit_cox

    check(lambda: fit_cox(book(), ["channel"], strata="channel"), "cox_covariate_and_stratum",
          "'channel' is both a covariate and a stratum: choose one", column="channel",
          zh_has=("渠道", "协变量", "分层"))


def test_cox_design_single_level_covariate() -> None:
    from memberdesk.analysis.cox import fit_cox

    check(lambda: fit_cox(book(policies(40, 20)), ["product"]), "cox_covariate_single_value",
          "covariate 'product' has a single value ('term'): it cannot explain differences",
          column="product", zh_has=("产品", "协变量"), kept=("term",))


def _cox_table(n: int = 40) -> pd.DataFrame:
    """n rows, durations 1..n, every other row an event; ``flag`` 1 on the events, 0 on the
    others; ``const`` 1.0 everywhere; ``empty`` a text column with no value."""
    event = (np.arange(n) % 2 == 0).astype(int)
    return pd.DataFrame({"duration": np.arange(1, n + 1, dtype=float), "event": event,
                         "flag": event.astype(float), "const": 1.0,
                         "empty": pd.Series([None] * n, dtype=object),
                         "z": np.tile([0.0, 1.0, 1.0, 0.0], n // 4)})


@pytest.mark.parametrize("covariates, code, english, column", [
    (["const", "z"], "cox_covariate_constant",
     "covariate 'const' has the same value in every row: it cannot explain differences", "const"),
    (["empty"], "cox_covariate_no_value",
     "covariate 'empty' has a single value: it cannot explain differences", "empty"),
    # every event has flag 1, the highest of those at risk (-flag: the lowest)
    (["flag", "z"], "cox_separation_highest",
     "the Cox model did not converge: every event happens where 'flag' is at its highest among "
     "the rows still at risk, so its hazard ratio is infinite (complete separation); merge "
     "levels or leave the column out", "flag"),
    (["neg", "z"], "cox_separation_lowest",
     "the Cox model did not converge: every event happens where 'neg' is at its lowest among "
     "the rows still at risk, so its hazard ratio is infinite (complete separation); merge "
     "levels or leave the column out", "neg"),
])
def test_cox_refusals_with_two_wordings(covariates: list[str], code: str, english: str,
                                        column: str) -> None:
    from memberdesk.analysis.cox import fit_cox

    table = _cox_table().assign(neg=lambda t: -t["flag"])
    check(lambda: fit_cox(table, covariates), code, english, column=column,
          kept=(column,))


def test_cox_checks_level_without_events() -> None:
    from memberdesk.analysis.cox import fit_cox

    p = policies(60, 25, channels=("agency", "bank", "online"), lapsed_channels=("agency", "bank"))
    check(lambda: fit_cox(book(p), ["channel"]), "cox_level_without_events",
          "the Cox model did not converge: nobody with channel=online has the event, so its "
          "hazard ratio would be 0 (complete separation); merge that level with another or leave "
          "the column out", column="channel", zh_has=("渠道", "完全分离"), kept=("online",))


def test_cox_engine_singular_information_matrix() -> None:
    from memberdesk.analysis.cox import fit_cox

    # events where x1 - x2 = 1, the highest in every risk set, while neither column alone is
    # always at its extreme: the likelihood has no maximum and its curvature vanishes
    rows = [(1, 0, 1), (0, -1, 1), (0, 0, 0), (1, 1, 0), (-1, 0, 0)]
    table = pd.DataFrame([(float(i + 1), rows[i % 5][2], rows[i % 5][0], rows[i % 5][1])
                          for i in range(60)], columns=["duration", "event", "x1", "x2"])
    check(lambda: fit_cox(table, ["x1", "x2"]), "cox_singular",
          "the Cox model cannot be fitted: the information matrix is singular (collinear or "
          "constant covariates?)")


def test_cox_zph_log_transform_of_a_zero_duration() -> None:
    from memberdesk.analysis.cox import fit_cox

    p = policies(60, 30)
    p.loc[0, "end_date"] = p.loc[0, "issue_date"]  # lapsed on the day of issue: duration 0
    check(lambda: fit_cox(book(p), ["channel"], ph_transform="log"),
          "cox_log_transform_nonpositive",
          "the log time transform needs positive durations; use transform 'km' or 'rank'")


# ---- experience, persistency, benefits, utilisation ---------------------------------------------

def test_experience_unknown_column_to_split_by() -> None:
    from memberdesk.analysis.experience import experience_study

    check(lambda: experience_study(book(), by=["nosuch"]), "split_unknown_column",
          "unknown column to split by", column="nosuch")


def test_experience_exposure_with_no_target_status() -> None:
    from memberdesk.analysis.experience_exposure import expose

    check(lambda: expose(book(), target=[]), "experience_no_target",
          "choose at least one termination status to study")


def test_persistency_month_below_two() -> None:
    from memberdesk.analysis.persistency import persistency

    check(lambda: persistency(book(), month=1), "persistency_month_too_small",
          "the persistency month must be 2 or more (13 and 25 are usual)", zh_has=("继续率",))


def test_collected_persistency_without_premium_payments() -> None:
    from memberdesk.analysis.persistency import persistency

    check(lambda: persistency(book(), basis="collected"), "persistency_no_payments",
          "persistency on the collected basis needs a premium_payments table (缴费记录: "
          "policy_id, due_date, paid_date, amount)", column="premium_payments",
          zh_has=("缴费记录",),
          kept=("premium_payments", "policy_id", "due_date", "paid_date", "amount"))


def test_benefits_without_usage() -> None:
    from memberdesk.analysis.benefits import time_to_first_use

    check(lambda: time_to_first_use(book()), "benefits_no_usage", "no benefit usage loaded",
          zh_has=("权益",))


def test_utilisation_without_usage() -> None:
    from memberdesk.analysis.utilisation import benefit_utilisation

    check(lambda: benefit_utilisation(book()), "utilisation_needs_usage",
          "a utilisation study needs benefit uses and policies with member ids",
          column="benefit_usage")


# ---- scoring and alert rules --------------------------------------------------------------------

def test_scoring_without_history() -> None:
    from memberdesk.analysis.scoring.score import run_scoring

    # every policy issued in the last 200 days: no 36 months of history to validate on
    young = policies(40, 0).assign(issue_date=[AS_OF - pd.Timedelta(days=10 + 5 * i)
                                               for i in range(40)])
    check(lambda: run_scoring(book(young)), "scoring_too_little_history",
          "scoring at 12 months needs 36 months of history before the as-of date with lapses in "
          "it (the first validation snapshot is 2022-12-31)")


def test_scoring_models_without_snapshots() -> None:
    from memberdesk.analysis.scoring.cox_model import fit_cox_scorer
    from memberdesk.analysis.scoring.gbm_model import fit_gbm_scorer

    check(lambda: fit_cox_scorer([]), "scoring_cox_no_snapshots",
          "the Cox scoring model needs labelled snapshots")
    check(lambda: fit_gbm_scorer([]), "scoring_gbm_no_snapshots",
          "the challenger model needs labelled snapshots")


def test_scoring_snapshot_before_any_issue() -> None:
    from memberdesk.analysis.scoring.snapshot import prepare_book, take_snapshot

    check(lambda: take_snapshot(prepare_book(book()), pd.Timestamp("2010-01-01"), 12),
          "scoring_none_in_force", "no policy was in force on 2010-01-01")


def test_scoring_encoder_missing_column_and_unseen_levels() -> None:
    from memberdesk.analysis.scoring.encoder import fit_encoder

    enc = fit_encoder(pd.DataFrame({"channel": ["agency", "bank"]}), ["channel"], [])
    zh = check(lambda: enc.require(pd.DataFrame({"x": [1]}), allow_new_levels=False),
               "scoring_model_missing_columns",
               "the data do not match the model: missing columns: channel", column="channel")
    assert zh == "数据与模型不匹配：缺少字段渠道"
    new = pd.DataFrame({"channel": ["agency", "online", "broker"]})
    check(lambda: enc.require(new, allow_new_levels=False), "scoring_model_unknown_levels",
          "the data do not match the model: column 'channel' has values the model never saw: "
          "'broker', 'online'", column="channel", zh_has=("渠道",), kept=("broker", "online"))


def test_alert_rules_naming_an_unknown_metric() -> None:
    from memberdesk.analysis.alerts.engine import compute_alerts
    from memberdesk.analysis.alerts.rules import AlertRules, MetricRule

    check(lambda: compute_alerts(book(), AlertRules(overrides={"nosuch_metric": MetricRule()})),
          "alerts_unknown_metrics", "the rules name unknown monitored metrics: nosuch_metric",
          kept=("nosuch_metric",))


# ---- a generic table in a database (core.engine.generic) ----------------------------------------

def test_generic_engine_unknown_column(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    from memberdesk.core.engine.generic import open_generic

    db = tmp_path / "surv.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE surv AS SELECT * FROM (VALUES (5, 1, 'agent'), (8, 0, 'bank'), "
                "(3, 1, 'bank')) AS t(time, died, channel)")
    con.close()
    ds = open_generic(f"duckdb:///{db}", "time", "died", None)
    try:
        available = sorted(c for c in ds.book.columns() if c not in ("duration_days", "event"))
        assert available == ["channel"]  # the table's one column besides duration and event
        zh = check(lambda: ds.book.cells(ds, ["nosuch"]), "frame_unknown_column",
                   "unknown column 'nosuch'; available: channel", column="nosuch",
                   kept=("nosuch",))
        assert "渠道" in zh
    finally:
        ds.book.close()
