"""Segments as one integer code: the key columns of a frame factorised (missing values a level
of their own, in order of appearance) and combined in mixed radix, and decoded back. Used to
sum experience-study records and engine counts per segment with bincount / add.at."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class SegmentCodes:
    """``codes[i]`` is row i's segment in ``0 .. n_segments - 1``; ``levels[j]`` the values of
    key column j (``sizes[j]`` of them, at least 1 so an empty frame still has one segment)."""

    codes: np.ndarray
    levels: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]

    @property
    def n_segments(self) -> int:
        return int(np.prod(self.sizes)) if self.sizes else 1

    def decode(self, segment: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The key columns' values of the segment codes ``segment`` (None for an empty column)."""
        rest = np.asarray(segment, dtype=np.int64)
        decoded = []
        for lv, size in zip(reversed(self.levels), reversed(self.sizes)):
            decoded.append(lv[rest % size] if len(lv) else np.full(len(rest), None, object))
            rest = rest // size
        return dict(zip(keys, reversed(decoded)))


def encode_segments(frame: pd.DataFrame, keys: Sequence[str]) -> SegmentCodes:
    """The segment code of every row of ``frame`` over the columns ``keys``."""
    codes = np.zeros(len(frame), dtype=np.int64)
    levels: list[np.ndarray] = []
    sizes: list[int] = []
    for col in keys:
        values = frame[col].astype(object).where(frame[col].notna(), np.nan)
        col_codes, uniques = pd.factorize(values, use_na_sentinel=False)
        levels.append(np.asarray(uniques, dtype=object))
        sizes.append(max(len(uniques), 1))
        codes = codes * sizes[-1] + col_codes
    return SegmentCodes(codes, tuple(levels), tuple(sizes))
