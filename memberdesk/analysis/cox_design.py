"""Covariates of a Cox model: checking and encoding the columns, the design matrix, and the
collapse of identical rows into frequency-weighted ones (see :mod:`memberdesk.analysis.cox`).

Numeric (and true/false) columns are used as they are; text/category columns are
categorical, one-hot encoded against their most frequent level (ties: first in sorted order),
named ``column=level``. A missing value (NaN, None) leaves the row out (R's na.omit).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.analysis.cox_engine import GRAM_BLOCK_ROWS
from memberdesk.core import labels as labels_
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

MAX_LEVELS = 50


@dataclass(frozen=True)
class _Encoded:
    """The covariates of the rows: per source column either float values (numeric) or
    integer level codes (categorical, ``levels`` sorted, ``ref`` the reference level; -1 for
    a missing value)."""

    columns: list[tuple[str, np.ndarray, list[str] | None, int]]  # (column, values|codes, levels, ref)
    names: list[str]
    sources: list[str]
    refs: dict[str, str]
    keep: np.ndarray  # rows without a missing covariate


def _categorical_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into the sorted text labels of ``s`` (bands and tiers in their own order); -1 for
    a missing value."""
    codes, uniques = pd.factorize(s)
    labels = [str(u) for u in uniques]
    codes = np.asarray(codes, dtype=np.int64)
    if not labels:
        return codes, []
    levels, remap = np.unique(np.array(labels, dtype=object), return_inverse=True)
    # bands and tiers in their natural order (core.labels.VALUE_ORDERS), else sorted as text
    ordered = [str(v) for v in labels_.ordered_values([str(v) for v in levels])]
    rank = np.array([ordered.index(str(v)) for v in levels], dtype=np.int64)
    return np.where(codes < 0, -1, rank[remap.ravel()[np.maximum(codes, 0)]]), ordered


def _encode(frame: pd.DataFrame, covariates: Sequence[str],
            references: Mapping[str, str] | None = None,
            weights: np.ndarray | None = None) -> _Encoded:
    """Check and encode the covariates; rows with a missing value are not kept. A categorical
    column's reference level is ``references[col]`` when present in the rows, else the most
    frequent level (``weights``: frequency weights of the rows, e.g. the counts of covariate
    cells; None: one each)."""
    columns: list[tuple[str, np.ndarray, list[str] | None, int]] = []
    names: list[str] = []
    sources: list[str] = []
    refs: dict[str, str] = {}
    keep = np.ones(len(frame), dtype=bool)
    for col in covariates:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
            raise AnalysisError(Reason("cox_covariate_date", column=col), column=col)
        if pd.api.types.is_bool_dtype(s.dtype) or (pd.api.types.is_numeric_dtype(s.dtype)
                                                   and not isinstance(s.dtype, pd.CategoricalDtype)):
            v = pd.to_numeric(s.astype("Float64") if pd.api.types.is_bool_dtype(s.dtype) else s,
                              errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            keep &= ~np.isnan(v)
            columns.append((col, v, None, -1))
            names.append(col)
            sources.append(col)
            continue
        if not (s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(s.dtype)):
            raise AnalysisError(Reason("cox_covariate_type", column=col, dtype=str(s.dtype)),
                                column=col)
        codes, levels = _categorical_codes(s)
        keep &= codes >= 0
        if len(levels) <= 1:
            raise AnalysisError(Reason("cox_covariate_single_value", column=col, value=levels[0])
                                if levels else Reason("cox_covariate_no_value", column=col),
                                column=col)
        if len(levels) > MAX_LEVELS:
            raise AnalysisError(Reason("cox_covariate_too_many_levels", column=col, n=len(levels),
                                       limit=MAX_LEVELS), column=col)
        present = codes >= 0
        counts = np.bincount(codes[present], minlength=len(levels),
                             weights=None if weights is None else weights[present])
        ref = int(np.argmax(counts))  # most frequent; ties -> first in sorted order
        chosen = (references or {}).get(col)
        if chosen is not None and chosen in levels and counts[levels.index(chosen)] > 0:
            ref = levels.index(chosen)  # the assumptions' reference level
        refs[col] = str(levels[ref])
        columns.append((col, codes, levels, ref))
        for k, level in enumerate(levels):
            if k != ref:
                names.append(f"{col}={level}")
                sources.append(col)
    return _Encoded(columns, names, sources, refs, keep)


def _design_matrix_t(enc: _Encoded, rows: np.ndarray | None) -> np.ndarray:
    """The transposed design matrix (columns x rows, C order) of ``rows`` (all rows when
    None): each column is written contiguously, several times faster than the columns of an
    n x p matrix; ``np.ascontiguousarray(xt.T)`` is then the n x p design matrix (a numeric
    covariate's values, one 0/1 column per non-reference level of a categorical one)."""
    n = len(enc.keep) if rows is None else rows.size
    xt = np.empty((len(enc.names), n))
    j = 0
    for _, data, levels, ref in enc.columns:
        data = data if rows is None else data[rows]
        if levels is None:
            xt[j] = data
            j += 1
            continue
        for k in range(len(levels)):
            if k != ref:
                np.equal(data, k, out=xt[j], casting="unsafe")
                j += 1
    return xt


DESIGN_BLOCK_ROWS = 65536  # rows per block when the design matrix is built in sorted order


def _design_matrix_sorted(enc: _Encoded, rows: np.ndarray, seg_starts: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The design matrix of ``rows`` (C order, rows x columns) and, for each segment
    of consecutive rows starting at ``seg_starts`` (which starts at 0), the columns' maximum and
    minimum over the segment (segments x columns). Built in blocks of whole segments: each
    block's columns are written contiguously (:func:`_design_matrix_t`), reduced per segment
    along memory and transposed into place in cache, so no second n x p array is made."""
    n, p = rows.size, len(enc.names)
    x = np.empty((n, p))
    seg_max = np.empty((seg_starts.size, p))
    seg_min = np.empty((seg_starts.size, p))
    cuts = np.unique(seg_starts[np.searchsorted(seg_starts, np.arange(0, n, DESIGN_BLOCK_ROWS),
                                                side="right") - 1])
    bounds = np.append(cuts, n)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        xt = _design_matrix_t(enc, rows[a:b])
        x[a:b] = xt.T
        k0, k1 = np.searchsorted(seg_starts, [a, b])
        local = seg_starts[k0:k1] - a
        seg_max[k0:k1] = np.maximum.reduceat(xt, local, axis=1).T
        seg_min[k0:k1] = np.minimum.reduceat(xt, local, axis=1).T
    return x, seg_max, seg_min


AGGREGATE_MIN_RATIO = 2  # collapse identical rows when that shrinks the data at least this much
_SAMPLE = 20_000


def _identical_row_groups(keys: list[np.ndarray]) -> tuple[np.ndarray, int] | None:
    """Group index of every row by identical ``keys`` (integer codes or floats), or None when
    grouping would not shrink the rows by ``AGGREGATE_MIN_RATIO``."""
    n = keys[0].size
    limit = n // AGGREGATE_MIN_RATIO
    if n < 2 * AGGREGATE_MIN_RATIO:
        return None
    # cheap early exit for near-continuous columns (each distinct value would be its own row)
    for k in keys:
        head = k[:_SAMPLE]
        if np.unique(head).size > head.size // AGGREGATE_MIN_RATIO:
            return None
    combined = np.zeros(n, dtype=np.int64)
    size = 1
    for k in keys:
        codes = k if k.dtype.kind in "iub" else pd.factorize(k)[0]
        card = int(codes.max()) + 1
        if size * card >= 2**62:
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
            if size > limit:
                return None
        combined = combined * card + codes
        size *= card
    group, uniques = pd.factorize(combined)
    if len(uniques) > limit:
        return None
    return np.asarray(group, dtype=np.int64), len(uniques)


def _check_design(x: np.ndarray, w: np.ndarray, names: list[str], sources: list[str]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Refuse constant and collinear columns; return column means and scales (``w``:
    frequency weights, so the same as on the rows they stand for)."""
    total = float(w.sum())
    mean = (w @ x) / total
    gram_c = np.zeros((x.shape[1], x.shape[1]))  # centred weighted Gram, in row blocks
    for a in range(0, x.shape[0], GRAM_BLOCK_ROWS):
        xb = x[a:a + GRAM_BLOCK_ROWS] - mean
        gram_c += xb.T @ (xb * w[a:a + GRAM_BLOCK_ROWS, None])
    scale = np.sqrt(np.maximum(np.diag(gram_c), 0.0) / total)
    for j, name in enumerate(names):
        if not scale[j] > 1e-12 * max(1.0, abs(mean[j])):
            raise AnalysisError(Reason("cox_covariate_constant", column=name)
                                if names[j] == sources[j] else
                                Reason("cox_level_constant", name=name), column=sources[j])
    gram = gram_c / np.outer(scale, scale) / total
    if np.linalg.matrix_rank(gram, tol=1e-9) < len(names):
        # name the first column that is a combination of the columns before it
        for j in range(1, len(names)):
            if np.linalg.matrix_rank(gram[: j + 1, : j + 1], tol=1e-9) <= j:
                sub = gram[:j, :j]
                coef = np.linalg.lstsq(sub, gram[:j, j], rcond=None)[0]
                partners = [names[i] for i in np.flatnonzero(np.abs(coef) > 1e-6)]
                raise AnalysisError(Reason("cox_collinear", name=names[j],
                                           partners=", ".join(repr(p) for p in partners)),
                                    column=sources[j])
    return mean, scale


def check_within_strata(x: np.ndarray, w: np.ndarray, strata: np.ndarray, scale: np.ndarray,
                        names: list[str], sources: list[str]) -> None:
    """Refuse a column that does not vary within any stratum (its effect is absorbed by the
    strata's own baseline hazards: R gives it no coefficient)."""
    k = int(strata.max()) + 1
    if k == 1:
        return
    sw = np.bincount(strata, weights=w, minlength=k)
    for j, name in enumerate(names):
        col = x[:, j] / scale[j]
        m = np.bincount(strata, weights=w * col, minlength=k) / np.maximum(sw, 1e-300)
        within = float(w @ (col - m[strata]) ** 2) / float(w.sum())
        if not within > 1e-12:
            raise AnalysisError(Reason("cox_constant_within_strata", name=name),
                                column=sources[j])
