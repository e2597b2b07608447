"""The assumptions of the synthetic sample book: products, channels, regions and hazard tables.

This module is data, not logic; :mod:`memberdesk.sample.simulation` reads it. Every
multiplier below is a *true* effect of the simulation, so an analysis of the generated book
should recover it (e.g. a Cox model on channel dummies finds online lapsing ~2.3x agency).

Units: rates per calendar month unless stated otherwise; amounts in yuan (CNY).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Product:
    """One product of the catalogue.

    ``term_years`` is the policy term (the policy matures at issue + term years), None when the
    product does not mature (whole life, critical illness, renewable medical). ``premium_median``
    is the median annual premium at age 40 (yuan); ``sum_assured_multiple`` turns a premium into
    a sum assured. ``single_share`` is the share of policies paid by a single premium (趸交).
    ``cash_value`` products can be surrendered; without cash value a voluntary exit is a lapse.
    """

    name: str
    product_type: str
    weight: float
    term_years: int | None
    premium_median: float
    premium_age_slope: float
    sum_assured_multiple: float
    single_share: float
    monthly_share: float
    cash_value: bool
    lapse_multiplier: float


PRODUCTS: tuple[Product, ...] = (
    Product("Term Life 20", "term life", 0.11, 20, 1_300, 0.045, 400, 0.0, 0.30, False, 1.05),
    Product("Term Life 5", "term life", 0.08, 5, 650, 0.045, 450, 0.0, 0.30, False, 1.05),
    Product("Whole Life Plus", "whole life", 0.12, None, 9_000, 0.035, 25, 0.20, 0.10, True, 0.85),
    Product("重疾险", "critical illness", 0.22, None, 5_500, 0.040, 60, 0.0, 0.25, True, 0.95),
    Product("百万医疗", "medical", 0.25, None, 900, 0.030, 2_200, 0.0, 0.55, False, 1.20),
    Product("Annuity 6", "annuity", 0.12, 6, 12_000, 0.010, 6.0, 0.40, 0.05, True, 0.85),
    Product("养老年金", "annuity", 0.10, None, 15_000, 0.010, 10.0, 0.25, 0.10, True, 0.85),
)

CHANNELS: tuple[str, ...] = ("online", "partner platform", "bancassurance", "agency", "broker")
CHANNEL_LAPSE_MULTIPLIER: dict[str, float] = {
    "online": 1.60, "partner platform": 1.35, "bancassurance": 0.80, "agency": 0.70,
    "broker": 1.10,
}
# How likely each product is sold through each channel (rows follow PRODUCTS, columns CHANNELS).
CHANNEL_AFFINITY: np.ndarray = np.array([
    [3.0, 2.0, 0.5, 2.0, 1.5],   # Term Life 20
    [3.0, 3.0, 0.5, 1.0, 1.0],   # Term Life 5
    [0.3, 0.3, 3.0, 3.0, 1.0],   # Whole Life Plus
    [1.5, 1.0, 1.0, 4.0, 2.0],   # 重疾险
    [5.0, 4.0, 0.5, 1.0, 1.0],   # 百万医疗
    [0.3, 0.5, 4.0, 2.0, 1.0],   # Annuity 6
    [0.3, 0.3, 2.0, 2.0, 1.0],   # 养老年金
])
# Online buyers pay monthly more often (multiplies a product's monthly share, capped).
CHANNEL_MONTHLY_FACTOR: dict[str, float] = {
    "online": 1.6, "partner platform": 1.5, "bancassurance": 0.5, "agency": 0.7, "broker": 1.0,
}
# Free-look cancellation (犹豫期撤单, within 15 days of issue) probability at issue.
FREE_LOOK_PROBABILITY: dict[str, float] = {
    "online": 0.025, "partner platform": 0.020, "bancassurance": 0.008, "agency": 0.006,
    "broker": 0.012,
}
FREE_LOOK_DAYS = 15

REGIONS: tuple[str, ...] = ("广东", "浙江", "上海", "北京", "江苏", "四川", "山东", "湖北", "福建",
                            "河南", "湖南", "重庆")
REGION_WEIGHTS: tuple[float, ...] = (0.16, 0.12, 0.10, 0.09, 0.11, 0.08, 0.08, 0.06, 0.06,
                                     0.06, 0.04, 0.04)

TIERS: tuple[str, ...] = ("standard", "silver", "gold", "platinum")
# Tier follows the member's total annual premium: cumulative shares of members by premium rank.
TIER_SHARES: tuple[float, ...] = (0.55, 0.25, 0.15, 0.05)
TIER_LAPSE_MULTIPLIER: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7)
TIER_BENEFIT_RATE: tuple[float, ...] = (0.025, 0.045, 0.075, 0.12)   # uses per member-month

# --- lapse and surrender hazards (per policy-month, before multipliers) ------------------------

# Monthly payers: hazard by completed policy months since issue (index = months, capped).
MONTHLY_PAYER_LAPSE: np.ndarray = np.concatenate([
    np.full(13, 0.0115), np.full(12, 0.0095), np.full(12, 0.0050), np.full(1, 0.0035),
])
MONTHLY_PAYER_LAPSE[0] = 0.0   # no lapse within the issue month (free look handled apart)
# Annual payers lapse at a premium due date: probability at the k-th anniversary (k = 1, 2, ...).
ANNUAL_PAYER_ANNIVERSARY_LAPSE: tuple[float, ...] = (0.115, 0.105, 0.070, 0.050)
ANNUAL_PAYER_OTHER_MONTH_LAPSE = 0.0008
# Single-premium policies only surrender (hazard per month).
SINGLE_SURRENDER = 0.0018
# Regular-premium cash-value policies after two policy years: share of voluntary exits that are
# surrenders (the rest are lapses for non-payment).
SURRENDER_SHARE_AFTER_TWO_YEARS = 0.6

AGE_LAPSE_SLOPE = -0.02            # log-hazard per year of age at issue above 40
PREMIUM_LAPSE_ELASTICITY = 0.35    # log-hazard per log(premium / product median)
RECENT_BENEFIT_MONTHS = 6          # a benefit used in the prior 6 months ...
RECENT_BENEFIT_MULTIPLIER = 0.55   # ... lowers the hazard
BAD_SERVICE_MONTHS = 3             # an unresolved contact or rating <= 2 in the prior 3 months ...
BAD_SERVICE_MULTIPLIER = 2.5       # ... raises the hazard

# --- mortality (Gompertz, per year): mu(x) = exp(a + b x) ---------------------------------------
GOMPERTZ_A = -10.0
GOMPERTZ_B = 0.09

# --- claims --------------------------------------------------------------------------------------
MEDICAL_CLAIM_RATE = 0.015         # claims per in-force medical policy-month at age 40
CRITICAL_ILLNESS_RATE_40 = 0.0025  # diagnoses per policy-year at age 40, x exp(0.08 (age-40))

# --- service contacts ------------------------------------------------------------------------------
CONTACT_RATE = 0.130               # contacts per active member-month (before the anonymous share)
ANONYMOUS_SHARE = 0.05
CONTACT_CHANNELS: tuple[str, ...] = ("app", "web", "phone", "WeChat")
CONTACT_CHANNEL_WEIGHTS: tuple[float, ...] = (0.40, 0.15, 0.28, 0.17)
BOT_PROBABILITY: tuple[float, ...] = (0.97, 0.95, 0.80, 0.96)     # per contact channel
TOPICS: tuple[str, ...] = ("policy inquiry", "premium payment", "claims", "benefits",
                           "change of details", "surrender", "complaint")
TOPIC_WEIGHTS: tuple[float, ...] = (0.28, 0.20, 0.14, 0.16, 0.12, 0.05, 0.05)
TOPIC_TRANSFER_FACTOR: tuple[float, ...] = (0.7, 0.6, 1.6, 0.7, 0.8, 2.0, 3.0)
TARGET_BOT_REPLACEMENT = 0.83      # the metric dictionary, docs/lineage.md: bot contacts not transferred / all contacts
TARGET_HUMAN_CONNECTION = 0.987    # metric dictionary (docs/lineage.md): human-queue contacts connected / human-queue
# Hour of the day a contact starts (weights for 0..23) and how busy the human queue is then.
HOUR_WEIGHTS: tuple[float, ...] = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 4.5, 4.0,
                                   3.0, 3.0, 4.0, 4.2, 3.8, 3.0, 2.5, 2.8, 3.2, 2.8, 1.6, 0.8)
HOUR_BUSY_FACTOR: tuple[float, ...] = (0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.8, 1.2, 1.8, 2.0,
                                       1.6, 1.0, 1.0, 1.5, 1.7, 1.4, 1.0, 0.9, 1.1, 1.3, 1.1,
                                       0.8, 0.6)

BENEFITS: tuple[str, ...] = ("online consultation", "health check-up", "hospital appointment",
                             "dental care", "second opinion")
BENEFIT_WEIGHTS: tuple[float, ...] = (0.45, 0.25, 0.15, 0.10, 0.05)
BENEFIT_COST_MEDIAN: tuple[float, ...] = (35.0, 480.0, 180.0, 260.0, 2_600.0)
