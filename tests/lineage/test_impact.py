"""`impact`: dropping end_date, renaming channel, adding a status value — each lists the right
columns, vocabulary, rejections and metrics with before/after values (checked by hand counts)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.cli import main

from .conftest import AS_OF, rich_book


def _write(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def book() -> dict[str, pd.DataFrame]:
    return rich_book(n_members=600, seed=11)


@pytest.fixture(scope="module")
def before(book, tmp_path_factory) -> Path:
    return _write(book, tmp_path_factory.mktemp("impact") / "before")


def _impact(capsys, before: Path, after: Path) -> dict:
    code = main(["impact", "--before", str(before), "--after", str(after), "--as-of",
                 AS_OF.date().isoformat(), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def _metrics(result: dict) -> dict[str, dict]:
    return {m["metric"]: m for m in result["metrics"]}


def test_dropping_end_date(book, before, tmp_path, capsys) -> None:
    tables = dict(book)
    tables["policies"] = book["policies"].drop(columns=["end_date"])
    result = _impact(capsys, before, _write(tables, tmp_path / "after"))
    assert {"table": "policies", "change": "removed", "column": "end_date", "detail": "",
            "segment_of": []} in result["columns"]
    # lapsed, surrendered, dead and matured policies without an end date are rejected
    # (validation: missing_date); 'other' exits are kept
    pol = next(t for t in result["tables"] if t["table"] == "policies")
    terminated = int(book["policies"]["status"].isin(["lapsed", "surrendered", "death", "matured"]).sum())
    assert pol["after"]["rejected"] - pol["before"]["rejected"] == terminated
    m = _metrics(result)
    for mid in ("free_look_cancellation_rate", "early_lapse_rate_3m", "persistency_13_count"):
        assert m[mid]["status"] == "disabled"
        assert m[mid]["reason"] == {"code": "missing_column",
                                    "params": {"table": "policies", "column": "end_date"}}
        assert m[mid]["before"] is not None and m[mid]["after"] is None
        assert m[mid]["path"][0] == "policies.end_date" and m[mid]["path"][-1] == f"metric:{mid}"
    # in force at the as-of date (hand count)
    p = book["policies"]
    in_force = int(((p["issue_date"] <= AS_OF) & (p["end_date"].isna() | (p["end_date"] > AS_OF))).sum())
    # after: the kept 'other' exits have no end date any more, so they count as in force
    other = int((p["status"] == "other").sum())
    assert m["in_force_policies"]["before"] == in_force
    assert m["in_force_policies"]["after"] == in_force + other
    # no voluntary exit can be seen any more
    assert m["lapse_rate_annualised"]["status"] == "changed" and m["lapse_rate_annualised"]["after"] == 0
    # service metrics do not read policies: not listed
    assert "bot_replacement_rate" not in m and "csat" not in m
    assert not [x for x in result["metrics"] if x["status"] == "untracked"]


def test_renaming_channel(book, before, tmp_path, capsys) -> None:
    tables = dict(book)
    tables["policies"] = book["policies"].rename(columns={"channel": "distributor"})
    result = _impact(capsys, before, _write(tables, tmp_path / "after"))
    change = next(c for c in result["columns"] if c["table"] == "policies")
    assert (change["change"], change["column"], change["detail"]) == ("renamed", "channel", "distributor")
    assert change["segment_of"] == ["page:alerts", "sheet:alerts", "chart:funnel", "chart:cusum"]
    assert result["tables"] == [] and result["vocabulary"] == []
    m = _metrics(result)
    # the Cox model splits by channel; no evaluated figure moves
    assert m["hazard_ratio"]["status"] == "not_evaluated"
    assert m["hazard_ratio"]["path"][0] == "policies.channel"
    assert {x["status"] for x in result["metrics"]} <= {"not_evaluated", "unchanged"}


def test_adding_a_status_value(book, before, tmp_path, capsys) -> None:
    tables = dict(book)
    p = book["policies"].copy()
    lapsed = p.index[p["status"] == "lapsed"][:40]
    p.loc[lapsed, "status"] = "cancelled_by_insurer"
    tables["policies"] = p
    result = _impact(capsys, before, _write(tables, tmp_path / "after"))
    vocab = next(v for v in result["vocabulary"] if v["column"] == "status" and v["table"] == "policies")
    assert vocab["added"] == ["cancelled_by_insurer"]
    pol = next(t for t in result["tables"] if t["table"] == "policies")
    assert pol["after"]["rejected"] - pol["before"]["rejected"] == 40
    m = _metrics(result)
    # 40 lapsed policies leave the book: new business over the 12 months to the as-of date
    # loses those issued in that window (hand count)
    gone = book["policies"].loc[lapsed]
    window = (gone["issue_date"] > AS_OF - pd.DateOffset(months=12)) & (gone["issue_date"] <= AS_OF)
    nb = m["new_business_policies"]
    assert nb["before"] - nb["after"] == int(window.sum()) > 0
    assert nb["path"][0].startswith("policies.")
    assert m["lapse_rate_annualised"]["status"] == "changed"
    assert not [x for x in result["metrics"] if x["status"] == "untracked"]
    # the text form names the change
    code = main(["impact", "--before", str(before), "--after", str(tmp_path / "after")])
    assert code == 0 and "cancelled_by_insurer" in capsys.readouterr().out


def test_two_workspaces_on_the_same_file_compare_their_mappings(book, tmp_path, capsys) -> None:
    """The same policies file, once with channel read from 'channel', once from 'sales_team'
    (a user remapping): the impact names the remapped column and keeps the values."""
    from memberdesk.core.mapping import ColumnMapping, auto_map, header_signature
    from memberdesk.core.workspace import Workspace

    folder = tmp_path / "data"
    policies = book["policies"].copy()
    policies["sales_team"] = policies["channel"].map({"agency": "T1", "bank": "T2",
                                                      "broker": "T3", "online": "T4"})
    tables = {"policies": policies, "members": book["members"]}
    _write(tables, folder)
    headers = list(policies.columns)
    auto = auto_map(headers, "policies")
    remapped = dict(auto.columns)
    remapped["channel"], remapped["sales_team"] = None, "channel"
    signature = header_signature(headers)
    files = [str(folder / "policies.csv"), str(folder / "members.csv")]
    for name, columns in (("a", dict(auto.columns)), ("b", remapped)):
        mapping = ColumnMapping("policies", columns, signature)
        Workspace(sources=files, mappings=[mapping.to_json()]).save(tmp_path / f"{name}.mdesk")
    result = _impact(capsys, tmp_path / "a.mdesk", tmp_path / "b.mdesk")
    kinds = {(c["change"], c["column"]) for c in result["columns"]}
    assert ("remapped", "channel") in kinds
    change = next(c for c in result["columns"] if c["change"] == "remapped")
    assert change["detail"] == "channel -> sales_team"
    vocab = next(v for v in result["vocabulary"] if v["column"] == "channel")
    assert vocab["added"] == ["T1", "T2", "T3", "T4"]
    assert _metrics(result)["hazard_ratio"]["path"][0] == "policies.channel"
