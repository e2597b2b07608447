"""Sums of exposure records for experience studies: per period and segment, optionally
amount-weighted (Σ w·exposure, Σ w·actual, n_actual, Σw, Σw², n), for plain and split
exposures. Used by :func:`memberdesk.analysis.experience.experience_study`."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.experience_exposure import ExposureRecords
from memberdesk.analysis.segment_codes import encode_segments


def aggregate(records: ExposureRecords, keys: Sequence[str],
               weight: str | None = None) -> pd.DataFrame:
    """Sum exposure and actual (weighted when ``weight`` names a policy column) per
    (period, *keys) with one bincount; also n_actual and, weighted, Σw, Σw², n."""
    pol = records.policies
    segments = encode_segments(pol, keys)
    seg_code, n_seg = segments.codes, segments.n_segments
    p_min = int(records.period.min()) if len(records.period) else 0
    key = (records.period - p_min) * n_seg + seg_code[records.row]
    n_key = int(key.max()) + 1 if len(key) else 0
    w = np.ones(len(key)) if weight is None else \
        pd.to_numeric(pol[weight]).to_numpy(dtype=float)[records.row]
    exposure = np.bincount(key, weights=records.exposure * w, minlength=n_key)
    actual = np.bincount(key, weights=records.actual * w, minlength=n_key)
    n_actual = np.bincount(key, weights=records.actual, minlength=n_key)
    count = np.bincount(key, minlength=n_key)
    present = np.flatnonzero(count)
    out: dict[str, Any] = {records.basis: present // n_seg + p_min}
    out.update(segments.decode(present % n_seg, keys))
    out["exposure"] = exposure[present]
    out["actual"] = actual[present] if weight is not None else \
        actual[present].round().astype(np.int64)
    out["n_actual"] = n_actual[present].round().astype(np.int64)
    if weight is not None:
        out["weight"] = np.bincount(key, weights=w, minlength=n_key)[present]
        out["weight_sq"] = np.bincount(key, weights=w * w, minlength=n_key)[present]
        out["weight_n"] = count[present].astype(np.int64)
    return pd.DataFrame(out)


def aggregate_split(srec: Any, keys: Sequence[str], weight: str | None,
                     which: str) -> pd.DataFrame:
    """Sum split pieces per (calendar period, policy year, *keys); ``exposure`` is the
    ``which`` ("policy"/"calendar") exposure, both kept as ``exposure_pol``/``exposure_cal``."""
    pol = srec.policies
    w = np.ones(len(srec.row)) if weight is None else \
        pd.to_numeric(pol[weight]).to_numpy(dtype=float)[srec.row]
    expo = srec.exposure_pol if which == "policy" else srec.exposure_cal
    data: dict[str, Any] = {srec.basis: srec.period, "policy_year": srec.policy_year}
    for col in keys:
        data[col] = pol[col].to_numpy(dtype=object)[srec.row]
    data.update({"exposure": expo * w, "actual": srec.actual * w,
                 "n_actual": srec.actual.astype(np.int64),
                 "exposure_cal": srec.exposure_cal * w, "exposure_pol": srec.exposure_pol * w})
    if weight is not None:
        data.update({"weight": w, "weight_sq": w * w, "weight_n": np.ones(len(w), np.int64)})
    frame = pd.DataFrame(data)
    out = frame.groupby([srec.basis, "policy_year", *keys], sort=True, dropna=False).sum()
    out = out.reset_index()
    if weight is None:
        out["actual"] = out["actual"].round().astype(np.int64)
    return out
