"""The synthetic sample book of a member-centric mutual life insurer (``memberdesk sample``).

:func:`generate_book` returns the five canonical tables (docs/data-contract.md) as DataFrames with the
canonical dtypes of a validated Dataset (ids/text -> ``str`` objects, dates -> ``datetime64[ns]``,
numbers -> ``float64``, flags -> nullable ``boolean``), so they can be analysed directly.
:func:`write_book` writes them as UTF-8 CSV files, plus the same book as one Excel workbook
(``excel/memberdesk_sample.xlsx``; by default only up to :data:`EXCEL_MAX_MEMBERS` members,
because openpyxl needs about 1.7 s of CPU per 1,000 members) and the policies with Chinese headers,
Chinese status words and ``2021/3/1`` dates in GB18030 (``gb18030/policies_zh.csv``).

The book is deterministic: the same ``members``, ``seed`` and ``end`` give byte-identical files
on any day (nothing depends on today's date). Every date is on or before ``end``; service
contacts start before ``end`` (they carry a time of day, which the loader normalises away
like every date, docs/data-contract.md). The model (hazards, rates) is
described in :mod:`memberdesk.sample.simulation`, :mod:`memberdesk.sample.service`
and :mod:`memberdesk.sample.claims`; its assumptions are in
:mod:`memberdesk.sample.catalog`.

Service contacts: ``connected`` is filled only on *human-queue* rows, i.e. rows with
``handled_by == "human"`` OR ``transferred_to_human``; it is empty on contacts the bot closed
alone. About 5% of contacts are anonymous (empty ``member_id``) and ~40% are not rated (empty
``satisfaction``). Single-premium policies (``payment_frequency == "single"``) carry the single
premium paid in ``annual_premium``.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.progress import Progress, SubProgress, ensure
from memberdesk.sample import catalog as cat
from memberdesk.sample.claims import draw_claims
from memberdesk.sample.payments import premium_payments, quarterly_payers
from memberdesk.sample.simulation import FREQUENCIES, NO_DAY, PENDING, STATUS_NAMES, Book, simulate
from memberdesk.sample.writers import write_csv, write_gb18030_policies, write_workbook

DEFAULT_MEMBERS = 5_000
DEFAULT_SEED = 0
DEFAULT_END = date(2026, 6, 30)
EXCEL_FILE = Path("excel") / "memberdesk_sample.xlsx"
# Above this many members the Excel copy is written only when asked for (write_book(excel=True),
# `memberdesk sample --excel`): it is most of the time of a large book (about 510 of 550 s of
# CPU at 300,000 members, benchmarks/bench_sample.py), and the CSV files hold the same book.
EXCEL_MAX_MEMBERS = 50_000
GB18030_FILE = Path("gb18030") / "policies_zh.csv"


def generate_book(members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED,
                  end: date = DEFAULT_END) -> dict[str, pd.DataFrame]:
    """Generate the sample book.

    Parameters
    ----------
    members
        Number of members (each holds 1-3 policies; ~1.4 on average).
    seed
        Seed of ``np.random.default_rng``; the only source of randomness.
    end
        Last day of the book (the natural as-of date); the book covers the 96 calendar months
        up to and including the month of ``end``.

    Returns
    -------
    dict
        ``{table name: DataFrame}`` for the six tables of :data:`schema.TABLES`, with exactly
        the canonical columns of docs/data-contract.md in a fixed order.
    """
    if members < 1:
        raise ValueError(f"members must be at least 1, got {members}")
    if isinstance(end, pd.Timestamp):
        end = end.date()
    rng = np.random.default_rng(seed)
    book = simulate(rng, members, end)
    claims = draw_claims(rng, book)
    policies, policy_ids = _policies(book)
    policies = quarterly_payers(policies, seed)
    return {
        schema.MEMBERS: _members(book),
        schema.POLICIES: policies,
        schema.BENEFIT_USAGE: _benefit_usage(rng, book),
        schema.SERVICE_CONTACTS: _service_contacts(book),
        schema.CLAIMS: _claims(claims, book, policy_ids),
        schema.PREMIUM_PAYMENTS: premium_payments(policies, seed, end),
    }


def excel_by_default(members: int) -> bool:
    """Whether :func:`write_book` writes the Excel copy when not told (up to
    :data:`EXCEL_MAX_MEMBERS` members)."""
    return members <= EXCEL_MAX_MEMBERS


def write_book(out_dir: str | Path, members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED,
               end: date = DEFAULT_END, *, excel: bool | None = None,
               progress: Progress | None = None) -> list[Path]:
    """Generate the book and write it under ``out_dir`` (created if needed).

    Writes ``<table>.csv`` for the six tables (UTF-8, canonical headers, ISO dates, booleans
    as ``true``/``false``, missing values empty), ``excel/memberdesk_sample.xlsx`` (one sheet
    per table, sheet name = table name) and ``gb18030/policies_zh.csv``. Returns the paths
    written, in that order.

    Parameters
    ----------
    excel
        Write the Excel copy: None (default) = only up to :data:`EXCEL_MAX_MEMBERS` members
        (:func:`excel_by_default`); openpyxl needs about 1.7 s of CPU per 1,000 members.
    progress
        Told what is being written (``status``) and the share done (``fraction``: generation,
        then each file by rows written); ``cancelled()`` stops between chunks
        (:class:`memberdesk.core.errors.Cancelled`), leaving the files written so far.
    """
    out = Path(out_dir)
    if excel is None:
        excel = excel_by_default(members)
    prog = ensure(progress)
    # rough shares of the run's time at 300,000 members (benchmarks/bench_sample.py: ~40 s
    # of CPU without the workbook, ~550 s with it)
    gen_end, csv_end = (0.03, 0.07) if excel else (0.35, 0.95)
    prog.status(f"generating the book ({members:,} members)")
    book = generate_book(members, seed, end)
    prog.fraction(gen_end)
    total = max(1, sum(len(book[name]) for name in schema.TABLES))
    done = 0
    paths = []
    for name in schema.TABLES:
        path = out / f"{name}.csv"
        rows = len(book[name])
        prog.status(f"writing {path.name} ({rows:,} rows)")
        share = SubProgress(progress, gen_end + (csv_end - gen_end) * done / total,
                            gen_end + (csv_end - gen_end) * (done + rows) / total)
        write_csv(book[name], path, share)
        done += rows
        paths.append(path)
    if excel:
        paths.append(write_workbook(book, out / EXCEL_FILE, SubProgress(progress, csv_end, 0.97)))
    prog.status(f"writing {GB18030_FILE.as_posix()}")
    paths.append(write_gb18030_policies(book[schema.POLICIES], out / GB18030_FILE,
                                        SubProgress(progress, 0.97 if excel else csv_end, 1.0)))
    prog.fraction(1.0)
    return paths


# ---- tables ---------------------------------------------------------------------------------


def _dates(days: np.ndarray) -> pd.Series:
    """Day numbers (``NO_DAY`` = missing) -> datetime64[ns] with NaT."""
    d = np.asarray(days, dtype=np.int64)
    present = d != NO_DAY
    values = np.where(present, d, 0).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(np.where(present, values, np.datetime64("NaT", "ns")), dtype="datetime64[ns]")


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    return pd.Series([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _text(values: np.ndarray | list[str]) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _member_ids(book: Book) -> np.ndarray:
    return _ids("M", len(book.member_birth), 6).to_numpy()


def _members(book: Book) -> pd.DataFrame:
    return pd.DataFrame({
        "member_id": _ids("M", len(book.member_birth), 6),
        "birth_date": _dates(book.member_birth),
        "gender": _text(book.member_gender),
        "region": _text(np.asarray(cat.REGIONS, dtype=object)[book.member_region]),
        "join_date": _dates(book.member_join),
        "tier": _text(np.asarray(cat.TIERS, dtype=object)[book.member_tier]),
    })


def _policies(book: Book) -> tuple[pd.DataFrame, np.ndarray]:
    """The policies table (issue order) and, per book policy row, its id (None if never issued)."""
    issued = np.flatnonzero(book.pol_status != PENDING)
    order = issued[np.lexsort((issued, book.pol_issue[issued]))]
    ids = _ids("P", len(order), 7)
    policy_ids = np.full(len(book.pol_status), None, dtype=object)
    policy_ids[order] = ids.to_numpy()
    products = cat.PRODUCTS
    prod = book.pol_product[order]
    status_names = np.array([STATUS_NAMES[s] for s in range(1, 6)], dtype=object)
    frame = pd.DataFrame({
        "policy_id": ids,
        "member_id": _text(_member_ids(book)[book.pol_member[order]]),
        "product": _text(np.array([p.name for p in products], dtype=object)[prod]),
        "product_type": _text(np.array([p.product_type for p in products], dtype=object)[prod]),
        "channel": _text(np.asarray(cat.CHANNELS, dtype=object)[book.pol_channel[order]]),
        "issue_date": _dates(book.pol_issue[order]),
        "end_date": _dates(book.pol_end[order]),
        "status": _text(status_names[book.pol_status[order] - 1]),
        "annual_premium": book.pol_premium[order].astype(float),
        "sum_assured": book.pol_sum_assured[order].astype(float),
        "payment_frequency": _text(np.asarray(FREQUENCIES, dtype=object)[book.pol_frequency[order]]),
    })
    return frame, policy_ids


def _benefit_usage(rng: np.random.Generator, book: Book) -> pd.DataFrame:
    kind = book.benefit_kind
    cost = np.round(np.asarray(cat.BENEFIT_COST_MEDIAN)[kind] * rng.lognormal(0.0, 0.35, len(kind)), 2)
    order = np.lexsort((np.arange(len(kind)), book.benefit_member, book.benefit_day))
    return pd.DataFrame({
        "member_id": _text(_member_ids(book)[book.benefit_member[order]]),
        "benefit": _text(np.asarray(cat.BENEFITS, dtype=object)[kind[order]]),
        "used_at": _dates(book.benefit_day[order]),
        "cost": cost[order].astype(float),
    })


def _service_contacts(book: Book) -> pd.DataFrame:
    c = book.contacts
    order = np.lexsort((np.arange(len(book.contact_second)), book.contact_second))
    member = book.contact_member[order]
    member_ids = np.asarray(np.where(member >= 0, _member_ids(book)[np.maximum(member, 0)], None))
    started = book.contact_second[order].astype("datetime64[s]").astype("datetime64[ns]")
    connected = c.connected[order]
    connected_flags = (connected == 1.0).astype(object)
    connected_flags[np.isnan(connected)] = None
    return pd.DataFrame({
        "contact_id": _ids("S", len(order), 7),
        "member_id": _text(member_ids),
        "started_at": pd.Series(started, dtype="datetime64[ns]"),
        "channel": _text(np.asarray(cat.CONTACT_CHANNELS, dtype=object)[c.channel[order]]),
        "handled_by": _text(np.where(c.bot[order], "bot", "human")),
        "transferred_to_human": pd.array(c.transferred[order], dtype="boolean"),
        "connected": pd.array(connected_flags, dtype="boolean"),
        "wait_seconds": c.wait_seconds[order].astype(float),
        "resolved": pd.array(c.resolved[order], dtype="boolean"),
        "satisfaction": c.satisfaction[order].astype(float),
        "topic": _text(np.asarray(cat.TOPICS, dtype=object)[c.topic[order]]),
    })


def _claims(claims: pd.DataFrame, book: Book, policy_ids: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": _ids("C", len(claims), 6),
        "policy_id": _text(policy_ids[claims["policy"].to_numpy()]),
        "member_id": _text(_member_ids(book)[claims["member"].to_numpy()]),
        "reported_at": _dates(claims["reported_day"].to_numpy()),
        "settled_at": _dates(claims["settled_day"].to_numpy()),
        "status": _text(claims["status"].to_numpy()),
        "amount_claimed": claims["amount_claimed"].to_numpy(dtype=float),
        "amount_paid": claims["amount_paid"].to_numpy(dtype=float),
    })
