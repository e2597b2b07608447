"""Small hand-built Datasets for the report tests (fixed seed, all five tables)."""
from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from memberdesk.core.dataset import Dataset
from memberdesk.report.charts import references
from tests.report.printed import PrintedReport, print_sample

AS_OF = pd.Timestamp("2024-12-31")


def make_dataset(n_policies: int = 400, seed: int = 0, *, products: tuple[str, ...] | None = None,
                 as_of: pd.Timestamp = AS_OF) -> Dataset:
    """A coherent five-table Dataset with canonical dtypes (BRIEF rule 6)."""
    rng = np.random.default_rng(seed)
    n_members = max(n_policies // 2, 1)
    member_ids = np.array([f"M{i:05d}" for i in range(n_members)], dtype=object)
    members = pd.DataFrame({
        "member_id": member_ids,
        "birth_date": pd.to_datetime("1950-01-01") + pd.to_timedelta(
            rng.integers(0, 365 * 50, n_members), unit="D"),
        "gender": rng.choice(np.array(["F", "M"], dtype=object), n_members),
        "region": rng.choice(np.array(["North", "South", "East"], dtype=object), n_members),
        "tier": rng.choice(np.array(["gold", "silver"], dtype=object), n_members),
        "join_date": pd.to_datetime("2017-01-01") + pd.to_timedelta(
            rng.integers(0, 365 * 3, n_members), unit="D"),
    })
    issue = pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 365 * 6, n_policies),
                                                           unit="D")
    life_days = rng.exponential(900, n_policies).round()
    end = issue + pd.to_timedelta(life_days, unit="D")
    ended = end <= as_of
    status = np.where(ended, rng.choice(np.array(["lapsed", "surrendered", "death"], dtype=object),
                                        n_policies, p=[0.6, 0.3, 0.1]), "in_force").astype(object)
    product_names = products or ("Term Life", "Whole Life", "Critical Illness")
    policies = pd.DataFrame({
        "policy_id": np.array([f"P{i:06d}" for i in range(n_policies)], dtype=object),
        "member_id": rng.choice(member_ids, n_policies),
        "product": rng.choice(np.array(product_names, dtype=object), n_policies),
        "channel": rng.choice(np.array(["agency", "bank", "online"], dtype=object), n_policies),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(dtype="datetime64[ns]"),
        "status": status,
        "annual_premium": rng.uniform(500, 8000, n_policies).round(2),
        "payment_frequency": rng.choice(np.array(["annual", "monthly"], dtype=object), n_policies),
    })
    n_use = n_policies * 2
    usage = pd.DataFrame({
        "member_id": rng.choice(member_ids, n_use),
        "benefit": rng.choice(np.array(["health check-up", "online consultation",
                                        "second opinion"], dtype=object), n_use),
        "used_at": as_of - pd.to_timedelta(rng.integers(0, 900, n_use), unit="D"),
        "cost": rng.uniform(20, 300, n_use).round(2),
    })
    n_contacts = n_policies * 3
    handled = rng.choice(np.array(["bot", "human"], dtype=object), n_contacts, p=[0.8, 0.2])
    contacts = pd.DataFrame({
        "contact_id": np.array([f"C{i:07d}" for i in range(n_contacts)], dtype=object),
        "member_id": rng.choice(member_ids, n_contacts),
        "started_at": as_of - pd.to_timedelta(rng.integers(0, 700, n_contacts), unit="D"),
        "channel": rng.choice(np.array(["app", "phone", "WeChat"], dtype=object), n_contacts),
        "handled_by": handled,
        "transferred_to_human": pd.array((handled == "bot") & (rng.random(n_contacts) < 0.17),
                                         dtype="boolean"),
        "connected": pd.array(rng.random(n_contacts) < 0.987, dtype="boolean"),
        "wait_seconds": rng.exponential(30, n_contacts).round(),
        "resolved": pd.array(rng.random(n_contacts) < 0.8, dtype="boolean"),
        "satisfaction": rng.integers(1, 6, n_contacts).astype(float),
        "topic": rng.choice(np.array(["billing", "claims", "benefits"], dtype=object), n_contacts),
    })
    n_claims = max(n_policies // 5, 1)
    claim_policies = policies.sample(n_claims, random_state=seed)
    reported = as_of - pd.to_timedelta(rng.integers(1, 700, n_claims), unit="D")
    settle = reported + pd.to_timedelta(rng.integers(0, 40, n_claims), unit="D")
    open_ = rng.random(n_claims) < 0.1
    claims = pd.DataFrame({
        "claim_id": np.array([f"K{i:06d}" for i in range(n_claims)], dtype=object),
        "policy_id": claim_policies["policy_id"].to_numpy(),
        "member_id": claim_policies["member_id"].to_numpy(),
        "reported_at": reported,
        "settled_at": pd.Series(settle).where(~open_).to_numpy(dtype="datetime64[ns]"),
        "status": np.where(open_, "open", rng.choice(np.array(["paid", "declined"], dtype=object),
                                                     n_claims, p=[0.85, 0.15])).astype(object),
        "amount_claimed": rng.uniform(1000, 50000, n_claims).round(2),
    })
    claims["amount_paid"] = np.where(claims["status"] == "paid",
                                     claims["amount_claimed"] * 0.9, 0.0)
    return Dataset(validated={"members": members, "policies": policies, "benefit_usage": usage,
                              "service_contacts": contacts, "claims": claims},
                   as_of=as_of, sources=("members.csv", "policies.csv"))


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    return make_dataset()


# ---- reading back what the report wrote ------------------------------------------------------


def find_table(ws: Worksheet, first_header: str, *, after_row: int = 1) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the table whose first header cell (column A) is ``first_header``;
    rows run until the first empty cell in column A."""
    for row in range(after_row, ws.max_row + 1):
        if ws.cell(row, 1).value == first_header and ws.cell(row, 1).font.bold \
                and ws.cell(row, 1).fill.fgColor.rgb not in (None, "00000000"):
            headers = []
            col = 1
            while ws.cell(row, col).value is not None:
                headers.append(ws.cell(row, col).value)
                col += 1
            rows = []
            r = row + 1
            while ws.cell(r, 1).value is not None:
                rows.append([ws.cell(r, c).value for c in range(1, len(headers) + 1)])
                r += 1
            return headers, rows
    raise AssertionError(f"no table headed {first_header!r} on sheet {ws.title!r}")


def column(headers: list[str], rows: list[list[Any]], header: str) -> list[Any]:
    i = headers.index(header)
    return [r[i] for r in rows]


def chart_ranges(ws: Worksheet) -> list[list[str]]:
    """Cell-range formulas of every chart on ``ws`` (one list per chart)."""
    return [references(chart) for chart in ws._charts]


def all_text(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture(scope="session")
def rh() -> ModuleType:
    """These helpers (find_table, column, chart_ranges, all_text, make_dataset) for tests."""
    return sys.modules[__name__]


@pytest.fixture(scope="session", params=["en", "zh_CN"])
def printed_sample(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> PrintedReport:
    """The sample's report in each language, printed to PDF once for every test that reads the
    printout back (tests/report/printed.py)."""
    return print_sample(tmp_path_factory.mktemp(f"printed_{request.param}"), request.param)
