"""Month-by-month simulation of the synthetic sample book (members, policies, benefits, contacts).

The book covers the 96 calendar months up to and including the month of ``end``. Members join
at the issue of their first policy (some registered up to 90 days earlier) with a growing
volume of new business; some buy a second or third policy later. Each calendar month, for all
policies at once (vectorised):

1. new policies are issued (a free-look cancellation 犹豫期撤单 ends a few of them within
   15 days, status ``surrendered``);
2. members holding an in-force policy use benefits and contact the service centre;
3. members die at a Gompertz rate (all their policies end with status ``death``);
4. term products mature on the anniversary ending their term (``matured``);
5. the other in-force policies lapse or surrender with a hazard = duration baseline
   × channel × product × age × premium × tier multipliers × 0.55 if the member used a benefit in
   the prior 6 months × 2.5 if the member had an unresolved or badly rated (≤ 2) contact in the
   prior 3 months. Annual payers lapse at a premium due date (within 31 days after an
   anniversary); monthly payers any month; single-premium policies only surrender.

Dates are whole days held as ``int64`` days since 1970-01-01 until the tables are built.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from memberdesk.core import calendar as core_calendar
from memberdesk.sample import catalog as cat
from memberdesk.sample.service import ContactOutcomes, concat_outcomes, draw_contact_outcomes

MONTHS = 96
GROWTH_PER_MONTH = np.log(1.15) / 12      # new business grows 15% a year

NO_DAY = np.iinfo(np.int64).min   # day number of a missing date
PENDING, IN_FORCE, LAPSED, SURRENDERED, DEATH, MATURED = range(6)
STATUS_NAMES = {IN_FORCE: "in_force", LAPSED: "lapsed", SURRENDERED: "surrendered",
                DEATH: "death", MATURED: "matured"}


def to_days(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Calendar month arithmetic on day numbers (days since 1970-01-01, int64):
    :func:`memberdesk.core.calendar.add_months`, 2021-01-31 + 1 month = 2021-02-28."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.asarray(core_calendar.add_months(dates, months).astype(np.int64))


@dataclass
class Calendar:
    """The simulated calendar months: first day and number of usable days of each."""

    end_day: int
    first: np.ndarray      # day number of the 1st of each month
    length: np.ndarray     # days of the month on or before ``end`` (last month is cut at end)

    @classmethod
    def ending(cls, end: date, months: int = MONTHS) -> Calendar:
        last = np.datetime64(end, "M")
        month = last - np.arange(months - 1, -1, -1)
        first = month.astype("datetime64[D]").astype(np.int64)
        nxt = (month + 1).astype("datetime64[D]").astype(np.int64)
        end_day = to_days(end)
        length = np.minimum(nxt, end_day + 1) - first
        return cls(end_day, first, length)

    def month_of(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.first, days, side="right") - 1


@dataclass
class Book:
    """Raw simulated columns (arrays, day numbers) before they become tables."""

    calendar: Calendar
    member_birth: np.ndarray
    member_gender: np.ndarray
    member_region: np.ndarray
    member_join: np.ndarray
    member_tier: np.ndarray
    pol_member: np.ndarray
    pol_issue: np.ndarray
    pol_product: np.ndarray
    pol_channel: np.ndarray
    pol_frequency: np.ndarray      # 0 annual, 1 monthly, 2 single
    pol_premium: np.ndarray
    pol_sum_assured: np.ndarray
    pol_status: np.ndarray
    pol_end: np.ndarray            # NO_DAY while in force
    benefit_member: np.ndarray
    benefit_kind: np.ndarray
    benefit_day: np.ndarray
    contact_member: np.ndarray     # -1 = anonymous
    contact_second: np.ndarray     # seconds since 1970-01-01
    contacts: ContactOutcomes


FREQUENCIES = ("annual", "monthly", "single")


def _draw_members(rng: np.random.Generator, n: int, cal: Calendar) -> dict[str, np.ndarray]:
    weights = np.exp(GROWTH_PER_MONTH * np.arange(MONTHS))
    join_month = np.sort(rng.choice(MONTHS, size=n, p=weights / weights.sum()))
    first_issue = cal.first[join_month] + rng.integers(0, cal.length[join_month])
    early = rng.random(n) < 0.3
    join = first_issue - np.where(early, rng.integers(1, 91, n), 0)
    age = np.clip(rng.normal(37.5, 10.0, n), 18.0, 65.0)
    birth = first_issue - np.ceil(age * 365.25).astype(np.int64)
    gender = np.where(rng.random(n) < 0.52, "F", "M")
    region = rng.choice(len(cat.REGIONS), size=n, p=np.asarray(cat.REGION_WEIGHTS) / sum(cat.REGION_WEIGHTS))
    engagement = rng.gamma(2.0, 0.5, n)
    return {"join_month": join_month, "first_issue": first_issue, "join": join, "birth": birth,
            "gender": gender, "region": region, "engagement": engagement}


def _draw_policies(rng: np.random.Generator, members: dict[str, np.ndarray],
                   cal: Calendar) -> dict[str, np.ndarray]:
    n = len(members["join"])
    count = rng.choice([1, 2, 3], size=n, p=[0.70, 0.22, 0.08])
    member = np.repeat(np.arange(n), count)
    first = np.r_[True, member[1:] != member[:-1]]
    jm = members["join_month"][member]
    later = jm + 1 + np.floor(rng.random(len(member)) * (MONTHS - 1 - jm)).astype(np.int64)
    keep = first | (jm < MONTHS - 1)
    member, first, later = member[keep], first[keep], later[keep]
    month = np.where(first, members["join_month"][member], later)
    issue = np.where(first, members["first_issue"][member],
                     cal.first[month] + np.floor(rng.random(len(member)) * cal.length[month]).astype(np.int64))
    k = len(member)
    product = rng.choice(len(cat.PRODUCTS), size=k, p=_weights([p.weight for p in cat.PRODUCTS]))
    affinity = cat.CHANNEL_AFFINITY[product]
    cum = np.cumsum(affinity / affinity.sum(axis=1, keepdims=True), axis=1)
    channel = np.minimum((rng.random(k)[:, None] > cum).sum(axis=1), len(cat.CHANNELS) - 1)

    single_share = np.array([p.single_share for p in cat.PRODUCTS])[product]
    monthly_factor = np.array([cat.CHANNEL_MONTHLY_FACTOR[c] for c in cat.CHANNELS])[channel]
    monthly_share = np.minimum(np.array([p.monthly_share for p in cat.PRODUCTS])[product] * monthly_factor, 0.9)
    u = rng.random(k)
    frequency = np.where(u < single_share, 2, np.where(rng.random(k) < monthly_share, 1, 0))

    age = (issue - members["birth"][member]) / 365.25
    median = np.array([p.premium_median for p in cat.PRODUCTS])[product]
    slope = np.array([p.premium_age_slope for p in cat.PRODUCTS])[product]
    annual = median * np.exp(slope * (age - 40.0)) * rng.lognormal(0.0, 0.45, k)
    premium = np.round(np.where(frequency == 2, annual * 6.0, annual), 2)
    multiple = np.array([p.sum_assured_multiple for p in cat.PRODUCTS])[product]
    sum_assured = np.maximum(np.round(annual * multiple * rng.lognormal(0.0, 0.2, k), -3), 1_000.0)
    return {"member": member, "month": month, "issue": issue, "product": product,
            "channel": channel, "frequency": frequency, "premium": premium, "annual": annual,
            "sum_assured": sum_assured, "age": age}


def _weights(values: list[float] | tuple[float, ...]) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return np.asarray(w / w.sum())


def _assign_tiers(members: dict[str, np.ndarray], pol: dict[str, np.ndarray],
                  rng: np.random.Generator) -> np.ndarray:
    """Tier by rank of the member's total annual premium (with noise), highest = platinum."""
    n = len(members["join"])
    total = np.bincount(pol["member"], weights=pol["annual"], minlength=n)
    score = np.log(total + 1.0) + rng.normal(0.0, 0.35, n)
    rank = np.argsort(np.argsort(score)) / max(n - 1, 1)
    edges = np.cumsum(cat.TIER_SHARES)[:-1]
    return np.searchsorted(edges, rank, side="right")


def _static_lapse_multiplier(pol: dict[str, np.ndarray], tier: np.ndarray) -> np.ndarray:
    channel = np.array([cat.CHANNEL_LAPSE_MULTIPLIER[c] for c in cat.CHANNELS])[pol["channel"]]
    product = np.array([p.lapse_multiplier for p in cat.PRODUCTS])[pol["product"]]
    median = np.array([p.premium_median for p in cat.PRODUCTS])[pol["product"]]
    age = np.exp(cat.AGE_LAPSE_SLOPE * (pol["age"] - 40.0))
    premium = np.exp(cat.PREMIUM_LAPSE_ELASTICITY * np.log(pol["annual"] / median))
    tier_mult = np.asarray(cat.TIER_LAPSE_MULTIPLIER)[tier[pol["member"]]]
    return np.asarray(channel * product * age * premium * tier_mult, dtype=float)


def simulate(rng: np.random.Generator, members: int, end: date) -> Book:
    """Run the simulation for ``members`` members up to ``end``; see the module docstring."""
    cal = Calendar.ending(end)
    mem = _draw_members(rng, members, cal)
    pol = _draw_policies(rng, mem, cal)
    tier = _assign_tiers(mem, pol, rng)
    n, k = members, len(pol["member"])
    p_member, p_month, p_issue = pol["member"], pol["month"], pol["issue"]
    static = _static_lapse_multiplier(pol, tier)
    term = np.array([p.term_years or 0 for p in cat.PRODUCTS])[pol["product"]]
    maturity = np.where(term > 0, add_months(p_issue, 12 * term), np.iinfo(np.int64).max)
    cash_value = np.array([p.cash_value for p in cat.PRODUCTS])[pol["product"]]
    free_look = np.array([cat.FREE_LOOK_PROBABILITY[c] for c in cat.CHANNELS])[pol["channel"]]
    benefit_rate = np.asarray(cat.TIER_BENEFIT_RATE)[tier] * mem["engagement"]

    status = np.full(k, PENDING)
    end_day = np.full(k, NO_DAY, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    died_on = np.full(n, np.iinfo(np.int64).max)
    last_benefit = np.full(n, -100)
    last_bad = np.full(n, -100)
    benefits: list[tuple[np.ndarray, np.ndarray]] = []
    contacts: list[tuple[np.ndarray, np.ndarray]] = []
    outcomes: list[ContactOutcomes] = []
    anonymous_ratio = cat.ANONYMOUS_SHARE / (1.0 - cat.ANONYMOUS_SHARE)

    for m in range(MONTHS):
        first, length = int(cal.first[m]), int(cal.length[m])
        # 1. issue, and free-look cancellations within 15 days
        new = np.flatnonzero((p_month == m) & alive[p_member])
        status[new] = IN_FORCE
        fl = new[rng.random(len(new)) < free_look[new]]
        fl_day = p_issue[fl] + rng.integers(1, cat.FREE_LOOK_DAYS + 1, len(fl))
        fl, fl_day = fl[fl_day <= cal.end_day], fl_day[fl_day <= cal.end_day]
        status[fl], end_day[fl] = SURRENDERED, fl_day

        # 2. benefits and contacts of the members holding an in-force policy
        active = np.flatnonzero(status == IN_FORCE)
        holders = np.unique(p_member[active])
        recent_benefit = (m - last_benefit) <= cat.RECENT_BENEFIT_MONTHS
        recent_bad = (m - last_bad) <= cat.BAD_SERVICE_MONTHS
        uses = rng.poisson(benefit_rate[holders])
        who = np.repeat(holders, uses)
        benefits.append((who, np.maximum(first + rng.integers(0, length, len(who)), mem["join"][who])))
        last_benefit[holders[uses > 0]] = m
        who = np.repeat(holders, rng.poisson(cat.CONTACT_RATE, len(holders)))
        who = np.r_[who, np.full(rng.poisson(len(who) * anonymous_ratio), -1)]
        day = first + rng.integers(0, length, len(who))
        day = np.where(who >= 0, np.maximum(day, mem["join"][who]), day)
        batch = draw_contact_outcomes(rng, len(who))
        seconds = day * 86_400 + batch.hour * 3_600 + rng.integers(0, 3_600, len(who))
        ok = day < cal.end_day          # every contact starts before `end` (midnight)
        contacts.append((who[ok], seconds[ok]))
        outcomes.append(_subset(batch, ok))
        last_bad[who[ok & batch.bad_experience & (who >= 0)]] = m

        # 3. deaths: every in-force policy of the member ends
        age = (first - mem["birth"][holders]) / 365.25
        q = 1.0 - np.exp(-np.exp(cat.GOMPERTZ_A + cat.GOMPERTZ_B * age) / 12.0)
        dead = holders[rng.random(len(holders)) < q]
        if len(dead):
            latest_issue = np.zeros(n, dtype=np.int64)
            np.maximum.at(latest_issue, p_member[active], p_issue[active])
            death_day = np.full(n, NO_DAY, dtype=np.int64)
            death_day[dead] = np.maximum(first + rng.integers(0, length, len(dead)), latest_issue[dead])
            alive[dead] = False
            died_on[dead] = death_day[dead]
            hit = active[~alive[p_member[active]]]
            status[hit], end_day[hit] = DEATH, death_day[p_member[hit]]

        # 4. maturities on the anniversary that ends the term
        last_day = first + length - 1
        mat = np.flatnonzero((status == IN_FORCE) & (maturity <= last_day))
        status[mat], end_day[mat] = MATURED, maturity[mat]

        # 5. lapses and surrenders of policies issued before this month
        cand = np.flatnonzero((status == IN_FORCE) & (p_month < m))
        mult = static[cand] * np.where(recent_benefit[p_member[cand]], cat.RECENT_BENEFIT_MULTIPLIER, 1.0) \
            * np.where(recent_bad[p_member[cand]], cat.BAD_SERVICE_MULTIPLIER, 1.0)
        _voluntary_exits(rng, cand, m, mult, pol, cash_value, cal, status, end_day)

    # nothing happens to a member after the day of death (events drawn earlier in that month)
    b_member = np.concatenate([b[0] for b in benefits])
    b_day = np.concatenate([b[1] for b in benefits])
    keep = b_day <= died_on[b_member]
    b_member, b_day = b_member[keep], b_day[keep]
    c_member = np.concatenate([c[0] for c in contacts])
    c_second = np.concatenate([c[1] for c in contacts])
    keep = (c_member < 0) | (c_second // 86_400 <= died_on[c_member])
    return Book(
        calendar=cal, member_birth=mem["birth"], member_gender=mem["gender"],
        member_region=mem["region"], member_join=mem["join"], member_tier=tier,
        pol_member=p_member, pol_issue=p_issue, pol_product=pol["product"],
        pol_channel=pol["channel"], pol_frequency=pol["frequency"], pol_premium=pol["premium"],
        pol_sum_assured=pol["sum_assured"], pol_status=status, pol_end=end_day,
        benefit_member=b_member,
        benefit_kind=rng.choice(len(cat.BENEFITS), size=len(b_member), p=_weights(cat.BENEFIT_WEIGHTS)),
        benefit_day=b_day,
        contact_member=c_member[keep],
        contact_second=c_second[keep],
        contacts=_subset(concat_outcomes(outcomes), keep),
    )


def _subset(batch: ContactOutcomes, keep: np.ndarray) -> ContactOutcomes:
    return ContactOutcomes(**{name: getattr(batch, name)[keep]
                              for name in ContactOutcomes.__dataclass_fields__})


def _voluntary_exits(rng: np.random.Generator, cand: np.ndarray, m: int, mult: np.ndarray,
                     pol: dict[str, np.ndarray], cash_value: np.ndarray, cal: Calendar,
                     status: np.ndarray, end_day: np.ndarray) -> None:
    """Draw this month's lapses/surrenders among ``cand`` (in-force policies) in place."""
    duration = m - pol["month"][cand]                      # completed calendar months
    frequency = pol["frequency"][cand]
    table = cat.MONTHLY_PAYER_LAPSE
    monthly = table[np.minimum(duration, len(table) - 1)]
    anniversary = (duration % 12 == 0)
    year = np.minimum(duration // 12, len(cat.ANNUAL_PAYER_ANNIVERSARY_LAPSE)) - 1
    annual = np.where(anniversary, np.asarray(cat.ANNUAL_PAYER_ANNIVERSARY_LAPSE)[np.maximum(year, 0)],
                      cat.ANNUAL_PAYER_OTHER_MONTH_LAPSE)
    base = np.select([frequency == 1, frequency == 2], [monthly, cat.SINGLE_SURRENDER], annual)
    p_exit = 1.0 - np.exp(-base * mult)
    exits = rng.random(len(cand)) < p_exit
    first, length = int(cal.first[m]), int(cal.length[m])
    issue = pol["issue"][cand]
    # annual payers at a due date: within 31 days after the anniversary; others: any day of the
    # month, but after the free-look period (an exit within it is a free-look cancellation)
    due = add_months(issue, duration) + rng.integers(0, 31, len(cand))
    anyday = np.maximum(first + rng.integers(0, length, len(cand)), issue + cat.FREE_LOOK_DAYS + 1)
    day = np.where((frequency == 0) & anniversary, due, anyday)
    surrender = (frequency == 2) | (cash_value[cand] & (duration >= 24)
                                    & (rng.random(len(cand)) < cat.SURRENDER_SHARE_AFTER_TWO_YEARS))
    hit = exits & (day <= cal.end_day)
    status[cand[hit]] = np.where(surrender[hit], SURRENDERED, LAPSED)
    end_day[cand[hit]] = day[hit]
