"""Shared fixtures for the survival tests: small synthetic policy data with fixed seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.core.dataset import Dataset


def make_policies(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Canonical policies with channel-dependent lapse hazards, deaths and maturities."""
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp("2024-12-31")
    issue = as_of - pd.to_timedelta(rng.integers(30, 3000, n), unit="D")
    channel = rng.choice(["agency", "bank", "online"], n, p=[0.5, 0.3, 0.2])
    scale = np.select([channel == "agency", channel == "bank"], [1500.0, 900.0], 600.0)
    life = rng.exponential(scale).round()
    end = issue + pd.to_timedelta(life, unit="D")
    ended = end <= as_of
    status = np.where(ended, rng.choice(["lapsed", "surrendered", "death", "matured"], n,
                                        p=[0.6, 0.25, 0.1, 0.05]), "in_force")
    return pd.DataFrame({
        "policy_id": [f"P{i:05d}" for i in range(n)],
        "channel": channel,
        "product": rng.choice(["term", "whole_life"], n),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": status,
        "annual_premium": rng.gamma(2.0, 1500.0, n).round(2),
    })


@pytest.fixture
def dataset() -> Dataset:
    return Dataset(validated={"policies": make_policies()}, as_of=pd.Timestamp("2024-12-31"))


@pytest.fixture
def generic_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 300
    group = rng.choice(["x", "y"], n)
    t = np.round(rng.exponential(np.where(group == "x", 10.0, 6.0)), 1)
    c = np.round(rng.uniform(0, 15, n), 1)
    return pd.DataFrame({"duration": np.minimum(t, c), "event": (t <= c).astype(int),
                         "group": group, "age": rng.normal(40, 10, n).round()})
