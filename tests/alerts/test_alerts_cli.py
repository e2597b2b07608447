"""`memberdesk alerts`: JSON contract (DESIGN §5), exit statuses 0/2/3/4, history, rules."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memberdesk.cli import main

from .conftest import make_book

ALERT_KEYS = {"metric", "segment", "level", "method", "value", "expected", "lower", "upper", "n",
              "since", "status"}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("books")
    jump, flat = d / "jump" / "policies.csv", d / "flat" / "policies.csv"
    for path, j in ((jump, True), (flat, False)):
        path.parent.mkdir()
        make_book(jump=j).to_csv(path, index=False)
    return jump, flat


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_contract_and_fail_on(books, capsys) -> None:
    jump, flat = books
    code, out, _ = _run(capsys, "alerts", str(jump), "--json", "--fail-on", "alarm")
    assert code == 4
    data = json.loads(out)
    assert set(data) == {"as_of", "alerts"} and data["as_of"] == "2026-11-30"
    assert data["alerts"] and all(set(a) == ALERT_KEYS for a in data["alerts"])
    alarms = [a for a in data["alerts"] if a["level"] == "alarm"]
    assert {(a["metric"], json.dumps(a["segment"])) for a in alarms} == \
        {("free_look_cancellation_rate", '{"channel": "broker"}')}
    assert all(a["status"] == "new" for a in data["alerts"])
    assert _run(capsys, "alerts", str(flat), "--json", "--fail-on", "alarm")[0] == 0
    assert _run(capsys, "alerts", str(jump), "--json")[0] == 0          # no --fail-on: 0


def test_history_across_runs_and_acknowledge(books, capsys, tmp_path) -> None:
    jump, flat = books
    hist = tmp_path / "history.json"
    _run(capsys, "alerts", str(jump), "--history", str(hist), "--json")
    code, out, _ = _run(capsys, "alerts", str(jump), "--history", str(hist), "--json")
    assert {a["status"] for a in json.loads(out)["alerts"]} == {"ongoing"}
    key = "free_look_cancellation_rate|funnel|channel=broker"
    assert _run(capsys, "alerts", str(jump), "--history", str(hist), "--acknowledge", key,
                "--note", "checked with the broker")[0] == 0
    code, out, _ = _run(capsys, "alerts", str(jump), "--history", str(hist))
    assert "acknowledged: checked with the broker" in out
    code, out, _ = _run(capsys, "alerts", str(flat), "--history", str(hist), "--json",
                        "--fail-on", "alert")
    assert code == 0 and {a["status"] for a in json.loads(out)["alerts"]} == {"resolved"}


def test_usage_and_data_errors(books, capsys, tmp_path) -> None:
    jump, _ = books
    assert _run(capsys, "alerts", str(jump), "--by", "no_such_column")[0] == 2
    with pytest.raises(SystemExit) as info:
        main(["alerts", str(jump), "--fail-on", "panic"])
    assert info.value.code == 2
    bad = tmp_path / "rules.toml"
    bad.write_text("[defaults]\nalarm_level = 'high'\n")
    code, _, err = _run(capsys, "alerts", str(jump), "--rules", str(bad))
    assert code == 3 and "rules.toml" in err and "alarm_level" in err
    broken = tmp_path / "history.json"
    broken.write_text("not json")
    code, _, err = _run(capsys, "alerts", str(jump), "--history", str(broken))
    assert code == 3 and "history.json" in err
    assert broken.read_text() == "not json"          # never overwritten


def test_by_and_rules_file(books, capsys, tmp_path) -> None:
    jump, _ = books
    code, out, _ = _run(capsys, "alerts", str(jump), "--by", "product", "--json")
    assert code == 0
    assert all(set(a["segment"]) == {"product"} for a in json.loads(out)["alerts"])
    strict = tmp_path / "strict.toml"
    strict.write_text("version = 1\n[metrics.free_look_cancellation_rate]\nenabled = false\n")
    code, out, _ = _run(capsys, "alerts", str(jump), "--rules", str(strict), "--json",
                        "--fail-on", "alarm")
    assert code == 0
    assert all(a["metric"] != "free_look_cancellation_rate" for a in json.loads(out)["alerts"])


def test_a_duckdb_book_gives_the_same_alerts(books, capsys, tmp_path) -> None:
    """On a warehouse book the alerts read the accepted rows (the engine fallback): the same
    JSON as the files."""
    jump, _ = books
    db = tmp_path / "book.duckdb"
    assert main(["import", str(jump), "-o", str(db)]) == 0
    capsys.readouterr()
    _, from_db, _ = _run(capsys, "alerts", f"duckdb://{db}", "--json")
    _, from_file, _ = _run(capsys, "alerts", str(jump), "--json")
    assert json.loads(from_db) == json.loads(from_file)


def test_issue_month_metrics_are_counted_in_the_engine(books, tmp_path) -> None:
    """The free-look, early-lapse and first-year-surrender counts come from GROUP BY queries
    in DuckDB and give the funnel of the rows, point for point."""
    import pandas as pd

    from memberdesk.analysis.alerts import compute_alerts
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.loader import load_dataset

    jump, _ = books
    db = tmp_path / "book.duckdb"
    assert main(["import", str(jump), "-o", str(db)]) == 0
    engine = compute_alerts(open_book([f"duckdb://{db}"], tables={}, as_of=None))
    rows = compute_alerts(load_dataset([str(jump)]))
    assert engine.pushed_down[:4] == ("free_look_cancellation_rate", "early_lapse_rate_3m",
                                      "early_lapse_rate_6m", "first_year_surrender_rate")
    # every other metric the book can monitor is counted in the engine too (issue #13 point 1)
    from memberdesk.analysis.alerts.monitored import MONITORED_IDS

    assert set(engine.pushed_down) == set(MONITORED_IDS) - set(engine.unavailable)
    assert rows.pushed_down == ()
    key = ["metric", "column", "segment"]
    pd.testing.assert_frame_equal(engine.funnel.sort_values(key).reset_index(drop=True),
                                  rows.funnel.sort_values(key).reset_index(drop=True),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(engine.book, rows.book, check_dtype=False)
    assert [a.to_json() for a in engine.alerts] == [a.to_json() for a in rows.alerts]
