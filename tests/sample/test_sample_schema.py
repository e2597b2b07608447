"""The generated book follows DESIGN §2 (columns, dtypes, vocabularies) and §3 (every row valid)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from memberdesk.core import schema
from memberdesk.sample import generate_book

# Canonical columns per DESIGN §2, written out here (not read from the code under test).
EXPECTED_COLUMNS = {
    "members": ["member_id", "birth_date", "gender", "region", "join_date", "tier"],
    "policies": ["policy_id", "member_id", "product", "product_type", "channel", "issue_date",
                 "end_date", "status", "annual_premium", "sum_assured", "payment_frequency"],
    "benefit_usage": ["member_id", "benefit", "used_at", "cost"],
    "service_contacts": ["contact_id", "member_id", "started_at", "channel", "handled_by",
                         "transferred_to_human", "connected", "wait_seconds", "resolved",
                         "satisfaction", "topic"],
    "claims": ["claim_id", "policy_id", "member_id", "reported_at", "settled_at", "status",
               "amount_claimed", "amount_paid"],
    "premium_payments": ["policy_id", "due_date", "paid_date", "amount"],
}
DATE_COLUMNS = {"birth_date", "join_date", "issue_date", "end_date", "used_at", "started_at",
                "reported_at", "settled_at", "due_date", "paid_date"}
NUMBER_COLUMNS = {"annual_premium", "sum_assured", "cost", "wait_seconds", "satisfaction",
                  "amount_claimed", "amount_paid", "amount"}
BOOL_COLUMNS = {"transferred_to_human", "connected", "resolved"}
END = pd.Timestamp("2026-06-30")


def test_tables_and_columns_are_canonical(book_3000: dict[str, pd.DataFrame]) -> None:
    assert set(book_3000) == set(schema.TABLES)
    for table, columns in EXPECTED_COLUMNS.items():
        assert list(book_3000[table].columns) == columns, table
        assert set(columns) <= set(schema.TABLE_SPECS[table].column_names)


def test_dtypes_are_the_validated_dataset_dtypes(book_3000: dict[str, pd.DataFrame]) -> None:
    for table, frame in book_3000.items():
        for col in frame.columns:
            dtype = frame[col].dtype
            if col in DATE_COLUMNS:
                assert dtype == np.dtype("datetime64[ns]"), (table, col)
            elif col in NUMBER_COLUMNS:
                assert dtype == np.float64, (table, col)
            elif col in BOOL_COLUMNS:
                assert str(dtype) == "boolean", (table, col)
            else:
                assert dtype == np.dtype(object), (table, col)
                assert frame[col].dropna().map(type).eq(str).all(), (table, col)


def test_vocabularies(book_3000: dict[str, pd.DataFrame]) -> None:
    p, m = book_3000["policies"], book_3000["members"]
    s, c = book_3000["service_contacts"], book_3000["claims"]
    assert set(p["status"]) == {"in_force", "lapsed", "surrendered", "death", "matured"}
    assert set(p["channel"]) == {"online", "partner platform", "bancassurance", "agency", "broker"}
    assert set(p["product_type"]) == {"term life", "whole life", "critical illness", "medical",
                                      "annuity"}
    assert set(p["payment_frequency"]) == {"annual", "quarterly", "monthly", "single"}
    single_types = set(p.loc[p["payment_frequency"] == "single", "product_type"])
    assert single_types == {"annuity", "whole life"}
    assert set(m["gender"]) == {"F", "M"}
    assert {"广东", "浙江", "上海", "北京"} <= set(m["region"])
    assert set(m["tier"]) == {"standard", "silver", "gold", "platinum"}
    assert set(s["handled_by"]) == {"bot", "human"}
    assert set(s["channel"]) == {"app", "web", "phone", "WeChat"}
    assert set(c["status"]) == set(schema.CLAIM_STATUSES)
    rated = s["satisfaction"].dropna()
    assert set(rated) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.35 <= s["satisfaction"].isna().mean() <= 0.45


def test_ids_unique_and_references_resolve(book_3000: dict[str, pd.DataFrame]) -> None:
    m, p = book_3000["members"], book_3000["policies"]
    b, s, c = book_3000["benefit_usage"], book_3000["service_contacts"], book_3000["claims"]
    for frame, col in ((m, "member_id"), (p, "policy_id"), (s, "contact_id"), (c, "claim_id")):
        assert frame[col].notna().all() and frame[col].is_unique, col
    members = set(m["member_id"])
    assert set(p["member_id"]) == members          # every member holds at least one policy
    assert set(b["member_id"]) <= members
    assert set(s["member_id"].dropna()) <= members
    assert 0.03 <= s["member_id"].isna().mean() <= 0.07   # ~5% anonymous contacts
    assert set(c["policy_id"]) <= set(p["policy_id"])
    owner = p.set_index("policy_id")["member_id"]
    assert (c["member_id"].to_numpy() == owner.loc[c["policy_id"]].to_numpy()).all()


def test_every_row_is_valid(book_3000: dict[str, pd.DataFrame]) -> None:
    m, p = book_3000["members"], book_3000["policies"]
    b, s, c = book_3000["benefit_usage"], book_3000["service_contacts"], book_3000["claims"]
    for table, frame in book_3000.items():
        for col in frame.columns:
            if col in DATE_COLUMNS:
                assert (frame[col].dropna() <= END).all(), (table, col)
            if col in NUMBER_COLUMNS:
                assert (frame[col].dropna() >= 0).all(), (table, col)
    # policies: end only when terminated, never before issue
    assert (p["end_date"].isna() == (p["status"] == "in_force")).all()
    assert (p["end_date"].dropna() >= p.loc[p["end_date"].notna(), "issue_date"]).all()
    assert (p["annual_premium"] > 0).all() and (p["sum_assured"] > 0).all()
    # members join on or before their first policy, born well before
    first_issue = p.groupby("member_id")["issue_date"].min()
    joined = m.set_index("member_id")["join_date"]
    assert (joined <= first_issue.loc[joined.index]).all()
    age = (joined - m.set_index("member_id")["birth_date"]).dt.days / 365.25
    assert age.between(17, 66).all()
    # benefits used while a member
    assert (b["used_at"].to_numpy() >= joined.loc[b["member_id"]].to_numpy()).all()
    # contacts start before the end day (they carry a time of day)
    assert (s["started_at"] < END).all()
    # claims: settled after reported, open claims unsettled and unpaid, declined pay nothing
    settled = c["settled_at"].notna()
    assert (c.loc[settled, "settled_at"] >= c.loc[settled, "reported_at"]).all()
    assert (c["status"].eq("open") == ~settled).all()
    assert c.loc[~settled, "amount_paid"].isna().all()
    assert (c.loc[c["status"] == "declined", "amount_paid"] == 0).all()
    paid = c[c["status"] == "paid"]
    assert (paid["amount_paid"] <= paid["amount_claimed"] + 0.005).all()


def test_death_ends_every_policy_of_the_member_on_one_day(book_3000: dict[str, pd.DataFrame]) -> None:
    p = book_3000["policies"]
    dead = p[p["status"] == "death"]
    assert len(dead) > 0
    for member, rows in dead.groupby("member_id"):
        assert rows["end_date"].nunique() == 1
        later = p[(p["member_id"] == member) & (p["status"] != "death")]
        # no policy of a dead member is in force or issued after the death
        assert not (later["end_date"].isna() | (later["issue_date"] > rows["end_date"].iloc[0])).any()


def test_maturities_fall_on_the_term_anniversary(book_3000: dict[str, pd.DataFrame]) -> None:
    p = book_3000["policies"]
    matured = p[p["status"] == "matured"]
    assert len(matured) > 0
    assert set(matured["product"]) <= {"Term Life 5", "Annuity 6"}
    years = matured["product"].map({"Term Life 5": 5, "Annuity 6": 6})
    expected = [d + pd.DateOffset(years=int(y)) for d, y in zip(matured["issue_date"], years)]
    assert (matured["end_date"].to_numpy() == pd.to_datetime(expected).to_numpy()).all()


def test_counts_scale_with_members(book_3000: dict[str, pd.DataFrame]) -> None:
    n = 3_000
    assert len(book_3000["members"]) == n
    assert 1.2 * n <= len(book_3000["policies"]) <= 1.6 * n
    assert 4 * n <= len(book_3000["service_contacts"]) <= 6 * n
    assert len(book_3000["benefit_usage"]) > n and len(book_3000["claims"]) > 0


def test_other_end_date_moves_the_whole_book() -> None:
    book = generate_book(members=300, seed=3, end=date(2023, 1, 1))
    assert book["policies"]["issue_date"].max() <= pd.Timestamp("2023-01-01")
    assert book["policies"]["issue_date"].min() >= pd.Timestamp("2015-02-01")
    assert (book["service_contacts"]["started_at"] < pd.Timestamp("2023-01-01")).all()
    for frame in book.values():
        for col in frame.columns:
            if col in DATE_COLUMNS:
                assert (frame[col].dropna() <= pd.Timestamp("2023-01-01")).all()


@pytest.mark.parametrize("members", [0, -5])
def test_rejects_no_members(members: int) -> None:
    with pytest.raises(ValueError, match="members"):
        generate_book(members=members)


def test_nothing_happens_to_a_member_after_death(book_3000: dict[str, pd.DataFrame]) -> None:
    p = book_3000["policies"]
    died = p[p["status"] == "death"].groupby("member_id")["end_date"].first()
    assert len(died) > 0
    for table, col in (("benefit_usage", "used_at"), ("service_contacts", "started_at")):
        frame = book_3000[table].dropna(subset=["member_id"])
        frame = frame[frame["member_id"].isin(died.index)]
        assert (frame[col].dt.normalize().to_numpy() <= died.loc[frame["member_id"]].to_numpy()).all(), table
