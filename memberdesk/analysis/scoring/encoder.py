"""The fitted feature encoder a scoring model carries: which snapshot columns it reads, the
levels of each categorical column (with the reference level), and the value that fills a
missing number. Stored in the model file so a saved model scores new data exactly as it
scored the data it was fitted on, and says which columns or levels do not match.

Conventions: a categorical value is compared as text; a missing categorical value is the level
``"(missing)"``; a missing number is replaced by the training median (``fill``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason


def _shown(levels: tuple[str, ...]) -> str:
    """The first five unseen levels as written in a message (``'a', 'b' ...``)."""
    return ", ".join(repr(v) for v in levels[:5]) + (" ..." if len(levels) > 5 else "")


@dataclass(frozen=True)
class Mismatch:
    """What in new data does not match a model: missing columns, and per categorical column
    the levels the model never saw (reason codes for presenters)."""

    missing_columns: tuple[str, ...] = ()
    unknown_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing_columns and not self.unknown_levels

    def describe(self) -> str:
        parts = []
        if self.missing_columns:
            parts.append("missing columns: " + ", ".join(self.missing_columns))
        for col, levels in self.unknown_levels:
            parts.append(f"column {col!r} has values the model never saw: {_shown(levels)}")
        return "; ".join(parts)

    def reason(self) -> Reason:
        """Why the data do not match, as a reason code; its English is "the data do not match
        the model: " and :meth:`describe`. Missing columns alone, or one column's unseen
        levels alone, have their own code (words in the reader's language); any other mix
        carries the English description."""
        if self.missing_columns and not self.unknown_levels:
            return Reason("scoring_model_missing_columns", columns=", ".join(self.missing_columns))
        if len(self.unknown_levels) == 1 and not self.missing_columns:
            col, levels = self.unknown_levels[0]
            return Reason("scoring_model_unknown_levels", column=col, values=_shown(levels))
        return Reason("scoring_model_mismatch", detail=self.describe())

    def to_json(self) -> dict[str, Any]:
        return {"missing_columns": list(self.missing_columns),
                "unknown_levels": {c: list(v) for c, v in self.unknown_levels}}


@dataclass(frozen=True)
class FeatureEncoder:
    """``numeric``: column -> fill value (training median); ``categorical``: column -> sorted
    levels; ``reference``: categorical column -> its reference level (most frequent)."""

    numeric: dict[str, float] = field(default_factory=dict)
    categorical: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reference: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [*self.categorical, *self.numeric]

    def check(self, frame: pd.DataFrame) -> Mismatch:
        """Columns of the model absent from ``frame`` and unseen categorical levels."""
        missing = tuple(c for c in self.columns if c not in frame.columns)
        unknown = []
        for col, levels in self.categorical.items():
            if col in frame.columns:
                seen = pd.unique(frame[col].astype(object).to_numpy())
                new = sorted(str(v) for v in seen if str(v) not in set(levels))
                if new:
                    unknown.append((col, tuple(new)))
        return Mismatch(missing, tuple(unknown))

    def require(self, frame: pd.DataFrame, *, allow_new_levels: bool) -> Mismatch:
        """:meth:`check`, raising :class:`AnalysisError` on a missing column (and on an unseen
        level unless ``allow_new_levels``: such rows are then scored as the reference level)."""
        mismatch = self.check(frame)
        if mismatch.missing_columns or (mismatch.unknown_levels and not allow_new_levels):
            raise AnalysisError(mismatch.reason(),
                                column=(mismatch.missing_columns or
                                        tuple(c for c, _ in mismatch.unknown_levels))[0])
        return mismatch

    def codes(self, frame: pd.DataFrame, col: str) -> np.ndarray:
        """Level index of each row in ``self.categorical[col]`` (-1 = unseen level)."""
        levels = self.categorical[col]
        values = frame[col]
        # factorize first: the text conversion and lookup then run on the few distinct values
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        lookup = pd.Index(levels).get_indexer(pd.Index([str(u) for u in uniques], dtype=object))
        return np.asarray(lookup, dtype=np.int64)[codes]

    def all_codes(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {col: self.codes(frame, col) for col in self.categorical}

    def number(self, frame: pd.DataFrame, col: str) -> np.ndarray:
        values = np.asarray(frame[col], dtype=float)
        return np.where(np.isnan(values), self.numeric[col], values)

    def to_json(self) -> dict[str, Any]:
        return {"numeric": dict(self.numeric),
                "categorical": {c: list(v) for c, v in self.categorical.items()},
                "reference": dict(self.reference)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureEncoder:
        return cls(numeric={str(k): float(v) for k, v in data["numeric"].items()},
                   categorical={str(k): tuple(map(str, v)) for k, v in data["categorical"].items()},
                   reference={str(k): str(v) for k, v in data["reference"].items()})


def fit_encoder(frame: pd.DataFrame, categorical: list[str], numeric: list[str]) -> FeatureEncoder:
    """Levels, references (most frequent level; ties -> first in sorted order) and medians
    of the columns of ``frame`` that vary; constant columns are left out (they cannot explain
    differences)."""
    num: dict[str, float] = {}
    for col in numeric:
        if col not in frame.columns:
            continue
        values = np.asarray(frame[col], dtype=float)
        finite = values[~np.isnan(values)]
        if finite.size and float(finite.min()) < float(finite.max()):
            num[col] = float(np.median(finite))
    cat: dict[str, tuple[str, ...]] = {}
    ref: dict[str, str] = {}
    for col in categorical:
        if col not in frame.columns:
            continue
        counts = frame[col].astype(object).value_counts(sort=False)
        counts.index = counts.index.map(str)
        counts = counts.groupby(level=0).sum().sort_index()   # sorted levels
        if len(counts) >= 2:
            cat[col] = tuple(str(v) for v in counts.index)
            ref[col] = str(counts.index[int(np.argmax(counts.to_numpy()))])
    return FeatureEncoder(num, cat, ref)
