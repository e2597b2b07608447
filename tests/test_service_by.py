"""`memberdesk service --by COL` (DESIGN §5 Extensions: service takes ``--by`` as its siblings do).

Truths, each independent of the code under test:

* **Restricted book.** A group's figures are the service summary of the book that holds only
  that group's contacts. The restricted book is built here from the sample's CSV text with the
  ``csv`` module (a contact belongs to a channel by its ``channel`` cell; to a tier by the
  ``tier`` cell of the members.csv row of its ``member_id``; no member id, an id not in
  members.csv or an empty tier -> "(missing)"), written to a folder and run through
  ``memberdesk service`` without ``--by``.
* **Additivity.** Every contact is in exactly one group: the groups' contacts add up to the
  whole book's, per month and over the window (nothing dropped).
* **Engine book.** The sample imported into DuckDB gives the JSON of the CSV files (numbers
  1e-9 relative, counts and labels exact).
* **Contract.** Unknown column -> exit 3 naming it and the columns available; a column of more
  levels than km compares -> exit 3; without ``--by`` the output is the one the whole book had
  (the top-level fields with ``--by`` are byte for byte the output without it).
"""
from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from memberdesk.commands.common import to_jsonable
from tests.engines.test_every_command import _close, _invoke  # JSON at 1e-9; the CLI in-process

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
TABLES = ("members", "policies", "claims", "benefit_usage", "service_contacts", "premium_payments")
RATES = ("bot_replacement_rate", "human_connection_rate", "resolution_rate", "csat")


def _json(argv: list[str]) -> dict[str, Any]:
    code, out, err = _invoke(argv)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def _read(name: str) -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE / f"{name}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _level_of_contacts(by: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and each contact's group, from the CSV text alone."""
    header, rows = _read("service_contacts")
    if by in header:
        i = header.index(by)
        return header, rows, [r[i].strip() or "(missing)" for r in rows]
    m_header, members = _read("members")
    tier = {r[m_header.index("member_id")]: r[m_header.index(by)].strip() for r in members}
    mid = header.index("member_id")
    return header, rows, [tier.get(r[mid].strip(), "") or "(missing)" for r in rows]


@pytest.fixture(scope="module")
def whole_as_of() -> str:
    return str(_json(["service", str(SAMPLE), "--json"])["as_of"])


@pytest.fixture(scope="module")
def duckdb_book(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("service_by") / "book.duckdb"
    code, _, err = _invoke(["import", str(SAMPLE), "-o", str(db)])
    assert code == 0, err
    return f"duckdb:///{db}"


def _restricted_book(folder: Path, header: list[str], rows: list[list[str]]) -> Path:
    folder.mkdir()
    for name in TABLES:
        if name != "service_contacts":
            shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
    with open(folder / "service_contacts.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return folder


@pytest.mark.parametrize("by", ["channel", "tier"])
def test_group_equals_the_book_restricted_to_it(by: str, tmp_path: Path, whole_as_of: str) -> None:
    """channel: a service-contacts column; tier: a member segment reached by member_id, with
    anonymous contacts in "(missing)". Each group's JSON is the restricted book's (plus the
    reasons of rates left empty by the group, checked in the next test)."""
    got = _json(["service", str(SAMPLE), "--by", by, "--json"])
    header, rows, level = _level_of_contacts(by)
    counts = Counter(level)
    names = [g["name"] for g in got["groups"]]
    assert sorted(names) == sorted(counts)  # every level, the missing one included
    if by == "tier":  # natural tier order, "(missing)" last (as km orders its groups)
        assert names == ["standard", "silver", "gold", "platinum", "(missing)"]
        assert counts["(missing)"] > 0
    else:
        assert names == sorted(counts)
    for g in got["groups"]:
        sub = [r for r, lv in zip(rows, level) if lv == g["name"]]
        folder = _restricted_book(tmp_path / f"g{names.index(g['name'])}", header, sub)
        want = _json(["service", str(folder), "--as-of", whole_as_of, "--json"])
        group = {k: v for k, v in g.items() if k != "name"}
        extra = {k: group["reasons"].pop(k) for k in list(group["reasons"])
                 if k not in want["reasons"]}
        assert set(extra) <= {"bot_replacement_rate", "human_connection_rate", "csat"}
        _close(group, want, g["name"])
        assert sum(m["contacts"] for m in g["monthly"]) == counts[g["name"]]


def test_empty_kind_gives_null_with_reason() -> None:
    """satisfaction's "(missing)" group: no contact is rated, so CSAT is null with the reason
    the cockpit gives; the rated levels have a CSAT of 0 (1-3) or 1 (4-5) and no reason."""
    got = _json(["service", str(SAMPLE), "--by", "satisfaction", "--json"])
    groups = {g["name"]: g for g in got["groups"]}
    assert list(groups) == ["1", "2", "3", "4", "5", "(missing)"]  # numbers in numeric order
    missing = groups["(missing)"]
    assert missing["window"]["rated"] == 0 and missing["window"]["csat"] is None
    assert missing["reasons"] == {"csat": "no rated contacts in the 12 months to the as-of date"}
    for name in ("1", "2", "3", "4", "5"):
        assert groups[name]["window"]["csat"] == (1.0 if int(name) >= 4 else 0.0)
        assert groups[name]["reasons"] == {}
    for g in got["groups"]:  # a reason exactly where a window rate is null
        for rate in RATES:
            if rate != "resolution_rate":
                assert (g["window"][rate] is None) == (rate in g["reasons"]), (g["name"], rate)


@pytest.mark.parametrize("by", ["channel", "tier", "region"])
def test_groups_add_up_to_the_whole(by: str) -> None:
    got = _json(["service", str(SAMPLE), "--by", by, "--json"])
    sums = ("contacts", "bot_contacts", "bot_not_transferred", "human_queue", "connected",
            "resolved_known", "resolved", "rated", "satisfied")
    for col in sums:
        assert sum(g["window"][col] for g in got["groups"]) == got["window"][col], col
    per_month: Counter[str] = Counter()
    for g in got["groups"]:
        for m in g["monthly"]:
            per_month[m["month"]] += m["contacts"]
    assert per_month == Counter({m["month"]: m["contacts"] for m in got["monthly"]})
    _, rows = _read("service_contacts")
    assert sum(per_month.values()) == len(rows)  # the sample's every contact, none dropped


@pytest.mark.parametrize("by", ["channel", "tier"])
def test_engine_book_equals_files(by: str, duckdb_book: str) -> None:
    want = _json(["service", str(SAMPLE), "--by", by, "--json"])
    got = _json(["service", duckdb_book, "--by", by, "--json"])
    _close(got, want)


def test_without_by_unchanged() -> None:
    """The whole book's fields with --by are byte for byte the output without it, which has no
    "by" or "groups"; the text output without --by is the start of the one with it."""
    plain = _json(["service", str(SAMPLE), "--json"])
    assert "by" not in plain and "groups" not in plain
    with_by = _json(["service", str(SAMPLE), "--by", "channel", "--json"])
    assert with_by.pop("by") == "channel"
    groups = with_by.pop("groups")
    assert json.dumps(with_by) == json.dumps(plain)
    assert list(groups[0]) == ["name", *plain]  # each group: the top level's fields
    code, text, _ = _invoke(["service", str(SAMPLE)])
    assert code == 0
    code, text_by, _ = _invoke(["service", str(SAMPLE), "--by", "channel"])
    assert code == 0 and text_by.startswith(text) and "By channel" in text_by[len(text):]


def test_unknown_column_exit_3() -> None:
    code, out, err = _invoke(["service", str(SAMPLE), "--by", "colour", "--json"])
    assert code == 3 and out == ""
    assert "'colour'" in err
    available = err.split("available:")[1]
    for col in ("channel", "topic", "handled_by", "region", "tier", "gender"):
        assert col in available, col


def test_too_many_levels_exit_3() -> None:
    """contact_id has one level per contact: refused as km refuses more than 100 segments."""
    code, _, err = _invoke(["service", str(SAMPLE), "--by", "contact_id"])
    assert code == 3
    assert "contact_id" in err and "at most 100" in err


FILTERS = [
    ("no filter", None),
    ("region filter (members)", {"region": ("广东", "江苏")}),
    ("channel filter (policies)", {"channel": ("agency", "broker")}),
]


@pytest.mark.parametrize("by", ["channel", "tier", "satisfaction"])
@pytest.mark.parametrize(("label", "filters"), FILTERS, ids=[f[0] for f in FILTERS])
def test_engine_answers_by_aggregates(by: str, label: str, filters: dict[str, Any] | None,
                                      duckdb_book: str) -> None:
    """On an engine book the groups come from GROUP BY answers: no accepted-rows table is read
    (``EngineBook._frames``, the cache every row read goes through, stays empty) and the
    result equals the in-memory book's under the filter bar's member scope as well."""
    from memberdesk.analysis.service import service_summary
    from memberdesk.core.dataset import Filters
    from memberdesk.core.engine.book import open_book
    from memberdesk.core.loader import load_dataset

    raw = open_book(duckdb_book)
    book = raw.book
    assert book is not None
    eng, mem = raw, load_dataset([str(SAMPLE)])
    if filters is not None:
        eng, mem = eng.with_filters(Filters(**filters)), mem.with_filters(Filters(**filters))
    try:
        got = service_summary(eng, by=by).to_json()
        assert not book._frames, "an accepted-rows table was read"
    finally:
        book.close()
    want = service_summary(mem, by=by).to_json()
    _close(to_jsonable(got), to_jsonable(want))  # as the CLI prints them (NaN -> null)
    assert len(want["groups"]) >= 3  # not vacuous
    if filters is not None:  # the filter changed the contacts counted
        whole = service_summary(load_dataset([str(SAMPLE)])).to_json()
        assert want["window"]["contacts"] < whole["window"]["contacts"]


def test_no_contacts_table_is_not_an_error(tmp_path: Path) -> None:
    """A book without service contacts: the whole book's reasons say so and there is no group
    (benefits' rule for a missing table), whatever the column."""
    for name in ("members", "policies"):
        shutil.copy(SAMPLE / f"{name}.csv", tmp_path / f"{name}.csv")
    got = _json(["service", str(tmp_path), "--by", "channel", "--json"])
    assert got["by"] == "channel" and got["groups"] == [] and got["window"] is None
    assert got["reasons"]["csat"] == "no service contacts loaded"


HAND_BOOK = {
    "members.csv": "member_id,tier\nM1,gold\nM2,silver\nM3,\n",
    "policies.csv": "policy_id,member_id,issue_date,status\nP1,M1,2020-01-01,in_force\n"
                    "P2,M2,2021-03-01,in_force\nP3,M3,2024-06-30,in_force\n",
    "service_contacts.csv":
        "contact_id,member_id,started_at,channel,handled_by,transferred_to_human,connected,"
        "wait_seconds,resolved,satisfaction,topic\n"
        "C1,M1,2024-05-10,app,bot,false,,0,true,5,claims\n"
        "C2,M1,2024-06-01,phone,human,false,true,30,true,4,claims\n"
        "C3,M2,2024-06-15,app,bot,true,true,60,false,2,billing\n"
        "C4,M2,2024-06-20,app,bot,false,,0,true,,billing\n"
        "C5,,2024-06-25,web,bot,false,,0,true,3,claims\n"
        "C6,M3,2024-06-28,phone,human,false,false,90,false,1,complaint\n"
        "C7,M1,2023-01-15,app,bot,false,,0,true,4,claims\n",
}


@pytest.fixture(scope="module")
def hand_book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hand")
    for name, text in HAND_BOOK.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = folder.parent / "hand.duckdb"
    code, _, err = _invoke(["import", str(folder), "-o", str(db)])
    assert code == 0, err
    return {"files": str(folder), "duckdb": f"duckdb:///{db}"}


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_hand_counted_book(kind: str, hand_book: dict[str, str]) -> None:
    """Seven contacts counted by hand; as-of 2024-06-30, window (2023-06-30, 2024-06-30] (C7
    is before it). tier: gold = M1's C1, C2, C7; silver = M2's C3, C4; "(missing)" = C5
    (anonymous) and C6 (M3 has no tier). Human queue = handled by a human or transferred."""
    got = _json(["service", hand_book[kind], "--by", "tier", "--json"])
    assert got["as_of"] == "2024-06-30"
    groups = {g["name"]: g for g in got["groups"]}
    assert list(groups) == ["silver", "gold", "(missing)"]  # the tier order, missing last

    def window(name: str) -> dict[str, Any]:
        w = groups[name]["window"]
        return {k: w[k] for k in ("contacts", "bot_contacts", "bot_not_transferred", "human_queue",
                                  "connected", "resolved_known", "resolved", "rated", "satisfied",
                                  *RATES, "wait_mean_seconds", "wait_p90_seconds")}

    # gold: C1 bot kept, resolved, 5; C2 human, answered, 30 s, resolved, 4
    assert window("gold") == {"contacts": 2, "bot_contacts": 1, "bot_not_transferred": 1,
                              "human_queue": 1, "connected": 1, "resolved_known": 2, "resolved": 2,
                              "rated": 2, "satisfied": 2, "bot_replacement_rate": 0.5,
                              "human_connection_rate": 1.0, "resolution_rate": 1.0, "csat": 1.0,
                              "wait_mean_seconds": 30.0, "wait_p90_seconds": 30.0}
    # silver: C3 bot transferred (queue), answered, 60 s, unresolved, 2; C4 bot kept, unrated
    assert window("silver") == {"contacts": 2, "bot_contacts": 2, "bot_not_transferred": 1,
                                "human_queue": 1, "connected": 1, "resolved_known": 2, "resolved": 1,
                                "rated": 1, "satisfied": 0, "bot_replacement_rate": 0.5,
                                "human_connection_rate": 1.0, "resolution_rate": 0.5, "csat": 0.0,
                                "wait_mean_seconds": 60.0, "wait_p90_seconds": 60.0}
    # (missing): C5 bot kept, resolved, 3; C6 human, not answered, 90 s, unresolved, 1
    assert window("(missing)") == {"contacts": 2, "bot_contacts": 1, "bot_not_transferred": 1,
                                   "human_queue": 1, "connected": 0, "resolved_known": 2,
                                   "resolved": 1, "rated": 2, "satisfied": 0,
                                   "bot_replacement_rate": 0.5, "human_connection_rate": 0.0,
                                   "resolution_rate": 0.5, "csat": 0.0, "wait_mean_seconds": 90.0,
                                   "wait_p90_seconds": 90.0}
    assert [m["month"] for m in groups["gold"]["monthly"]] == ["2023-01", "2024-05", "2024-06"]
    assert groups["gold"]["top_topics"] == [{"topic": "claims", "contacts": 2}]  # C7: > 12 months
    # by channel: web holds C5 only, a bot contact: no human queue -> null, with its reason
    by_channel = _json(["service", hand_book[kind], "--by", "channel", "--json"])
    web = next(g for g in by_channel["groups"] if g["name"] == "web")
    assert web["window"]["human_connection_rate"] is None
    assert web["reasons"] == {"human_connection_rate":
                              "no human-queue contacts in the 12 months to the as-of date"}
    assert [g["name"] for g in by_channel["groups"]] == ["app", "phone", "web"]
