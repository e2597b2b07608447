"""The naive baseline every model must beat: the historical lapse rate of the policy's
channel x product x duration band (policy year at the snapshot).

Rate of a cell = voluntary exits within h months / policies in force at the training snapshots
(competing exits count in the denominator: the crude share). A cell with fewer than
``MIN_CELL`` training policies falls back to channel x duration band, then duration band, then
the whole book. Over (0, h] the probability is spread like the GBM's (:mod:`.gbm_model`):
p(u) = 1 - (1 - p(h))^(Λ(u)/Λ(h)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.analysis.scoring.cox_model import joined_labels
from memberdesk.analysis.scoring.snapshot import Snapshot

LEVELS: tuple[tuple[str, ...], ...] = (("channel", "product", "duration_band"),
                                       ("channel", "duration_band"), ("duration_band",), ())
MIN_CELL = 50


@dataclass(frozen=True, eq=False)
class NaiveScorer:
    horizon_months: int
    rates: tuple[dict[tuple[str, ...], float], ...]   # one table per entry of ``levels``
    levels: tuple[tuple[str, ...], ...]
    shape: tuple[np.ndarray, np.ndarray]

    kind = "baseline"

    def predict(self, features: pd.DataFrame, at: float | None = None) -> np.ndarray:
        p = np.full(len(features), np.nan)
        for cols, table in zip(self.levels, self.rates):
            todo = np.isnan(p)
            if not todo.any():
                break
            if not cols:
                p[todo] = table[()]
                continue
            keys = _keys(features, cols)
            lookup = pd.Series({"\x1f".join(k): v for k, v in table.items()}, dtype=float)
            p[todo] = lookup.reindex(keys[todo]).to_numpy()
        if at is None or at >= self.horizon_months:
            return p
        frac = float(np.interp(at, self.shape[0], self.shape[1], left=0.0))
        return 1.0 - (1.0 - p) ** frac


def _keys(features: pd.DataFrame, cols: tuple[str, ...]) -> np.ndarray:
    return joined_labels(features, cols, "\x1f")


def fit_naive(snaps: list[Snapshot], shape: tuple[np.ndarray, np.ndarray]) -> NaiveScorer:
    frame = pd.concat([s.features for s in snaps], ignore_index=True)
    event = np.concatenate([s.event for s in snaps if s.event is not None]).astype(float)
    levels = tuple(tuple(c for c in cols if c in frame.columns) for cols in LEVELS)
    rates: list[dict[tuple[str, ...], float]] = []
    for cols in levels:
        if not cols:
            rates.append({(): float(event.mean())})
            continue
        keys = _keys(frame, cols)
        g = pd.DataFrame({"k": keys, "e": event}).groupby("k")["e"].agg(["sum", "count"])
        g = g[g["count"] >= MIN_CELL]
        rates.append({tuple(str(k).split("\x1f")): float(s / c)
                      for k, s, c in zip(g.index, g["sum"], g["count"])})
    return NaiveScorer(snaps[0].horizon_months, tuple(rates), levels, shape)
