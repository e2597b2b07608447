"""The top reasons of a risk score: per policy, the features that raise its risk most against
the reference profile (reason codes, not sentences: a presenter translates them).

A reason code is ``column=level`` for a categorical feature (the policy's level, compared with
the reference level) and ``column`` for a numeric one (its value, compared with the training
median). Only contributions > 0 (raising the risk) are reasons; a policy with fewer than
``TOP_REASONS`` such features has empty slots (code -1).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TOP_REASONS = 3


@dataclass(frozen=True, eq=False)
class Reasons:
    """``codes`` (n x 3, index into ``vocabulary`` or -1) and ``values`` (n x 3: the
    contribution, on the model's log scale: log hazard for Cox, log-odds for the GBM)."""

    vocabulary: tuple[str, ...]
    codes: np.ndarray
    values: np.ndarray
    method: str

    def labels(self, k: int) -> pd.Categorical:
        """The k-th reason (0-based) of every policy as a categorical of reason codes."""
        codes: Any = self.codes[:, k]   # an int array is what from_codes reads fastest
        return pd.Categorical.from_codes(codes, categories=pd.Index(list(self.vocabulary)))

    def take(self, rows: np.ndarray) -> Reasons:
        return Reasons(self.vocabulary, self.codes[rows], self.values[rows], self.method)


def top_reasons(contrib: np.ndarray, label_codes: np.ndarray, vocabulary: tuple[str, ...],
                method: str) -> Reasons:
    """Pick the ``TOP_REASONS`` largest positive contributions per row.

    Parameters
    ----------
    contrib
        n x F contributions of the F features.
    label_codes
        n x F index into ``vocabulary`` of each row's feature label (the level differs by row
        for a categorical feature).
    """
    n, f = contrib.shape
    k = min(TOP_REASONS, f)
    codes = np.full((n, TOP_REASONS), -1, dtype=np.int32)
    values = np.zeros((n, TOP_REASONS), dtype=np.float32)
    if n == 0 or f == 0:
        return Reasons(vocabulary, codes, values, method)
    if f > k:   # the k largest per row, then ordered: no full sort of n x F
        part = np.argpartition(-contrib, k - 1, axis=1)[:, :k]
        within = np.argsort(-np.take_along_axis(contrib, part, axis=1), axis=1, kind="stable")
        order = np.take_along_axis(part, within, axis=1)
    else:
        order = np.argsort(-contrib, axis=1, kind="stable")
    top = np.take_along_axis(contrib, order, axis=1)
    lab = np.take_along_axis(label_codes, order, axis=1)
    positive = top > 1e-12
    codes[:, :k] = np.where(positive, lab, -1)
    values[:, :k] = np.where(positive, top, 0.0)
    return Reasons(vocabulary, codes, values, method)


def empty_reasons(n: int, vocabulary: tuple[str, ...], method: str) -> Reasons:
    return Reasons(vocabulary, np.full((n, TOP_REASONS), -1, dtype=np.int32),
                   np.zeros((n, TOP_REASONS), dtype=np.float32), method)
