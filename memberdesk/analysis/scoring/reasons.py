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

from memberdesk.core import labels

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


@dataclass(frozen=True, eq=False)
class ReasonLabels:
    """Where each feature's reason codes sit in ``vocabulary``: feature j's first code is
    ``base[j]``; a categorical feature (the first ``levels.shape[1]`` features) adds the row's
    level index (``levels``, n x Fc), a numeric feature has one code."""

    vocabulary: tuple[str, ...]
    base: np.ndarray
    levels: np.ndarray

    def take(self, rows: np.ndarray) -> ReasonLabels:
        return ReasonLabels(self.vocabulary, self.base, self.levels[rows])

    def codes(self, feature: np.ndarray) -> np.ndarray:
        """Reason codes of the (row, ``feature[row, i]``) pairs (n x k feature indices)."""
        n, fc = self.levels.shape
        level = np.zeros(feature.shape, dtype=np.int64)
        if fc:
            is_cat = feature < fc
            rows = np.broadcast_to(np.arange(n)[:, None], feature.shape)
            level[is_cat] = self.levels[rows[is_cat], feature[is_cat]]
        return np.asarray(self.base[feature] + level, dtype=np.int64)


def top_reasons(contrib: np.ndarray, labels: ReasonLabels, method: str) -> Reasons:
    """Pick the ``TOP_REASONS`` largest positive contributions per row (ties: the earlier
    feature first).

    Parameters
    ----------
    contrib
        n x F contributions of the F features; **overwritten** (three argmax passes that
        blank the pick, cheaper than sorting n x F).
    labels
        The reason codes of the features (:class:`ReasonLabels`, n rows).
    """
    n, f = contrib.shape
    k = min(TOP_REASONS, f)
    codes = np.full((n, TOP_REASONS), -1, dtype=np.int32)
    values = np.zeros((n, TOP_REASONS), dtype=np.float32)
    if n == 0 or f == 0:
        return Reasons(labels.vocabulary, codes, values, method)
    rows = np.arange(n)
    feature = np.empty((n, k), dtype=np.int64)
    top = np.empty((n, k))
    for i in range(k):
        j = np.argmax(contrib, axis=1)
        feature[:, i] = j
        top[:, i] = contrib[rows, j]
        contrib[rows, j] = -np.inf
    positive = top > 1e-12
    codes[:, :k] = np.where(positive, labels.codes(feature), -1)
    values[:, :k] = np.where(positive, top, 0.0)
    return Reasons(labels.vocabulary, codes, values, method)


def describe_reason(code: object, lang: str = "en") -> str:
    """A reason code in words for people: ``channel=online`` -> "Channel: online" (渠道: 互联网
    in Chinese: the column through the label catalogue, the level through its value catalogue,
    :func:`memberdesk.core.labels.value_label`; a level not in it, e.g. the user's own product
    name, unchanged), ``unresolved_90d`` -> "Unresolved contacts, last 90 days"; empty for no
    reason. Files and JSON keep the codes; only presenters call this."""
    if not isinstance(code, str) or not code:
        return ""
    column, sep, level = code.partition("=")
    name = labels.column_label(column, lang)
    return f"{name}: {labels.value_label(level, lang)}" if sep else name


def empty_reasons(n: int, vocabulary: tuple[str, ...], method: str) -> Reasons:
    return Reasons(vocabulary, np.full((n, TOP_REASONS), -1, dtype=np.int32),
                   np.zeros((n, TOP_REASONS), dtype=np.float32), method)
