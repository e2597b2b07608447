"""Saving and loading a fitted scoring model as versioned JSON — never a pickle (a pickle runs
code when loaded, and breaks with library versions).

File layout (``FORMAT``, ``VERSION`` 1)::

    {"format": "memberdesk-lapse-model", "version": 1, "kind": "cox"|"gbm",
     "horizon_months": int, "fitted_as_of": "YYYY-MM-DD",
     "snapshot": {duration bands, premium bands, months-since-use cap: must equal this
                  version's, else the file is refused},
     "model": {... CoxScorer.to_json() / GbmScorer.to_json(): coefficients or trees,
               baseline hazard or shape, the fitted encoder (columns, levels, references,
               fill values) ...},
     "validation": {... Validation.to_json() ...} | null}

A file of another format, or of a newer version, is refused with a :class:`DataError` naming
the file. Scoring new data with a loaded model checks columns and levels
(:meth:`FeatureEncoder.require`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.scoring.cox_model import CoxScorer
from memberdesk.analysis.scoring.gbm_model import GbmScorer
from memberdesk.analysis.scoring.score import Scorer, ScoringResult, Validation
from memberdesk.analysis.scoring.snapshot import DURATION_BANDS, MONTHS_SINCE_USE_CAP
from memberdesk.core.atomic_write import atomic_write
from memberdesk.core.dataset import PREMIUM_BANDS
from memberdesk.core.errors import DataError

FORMAT = "memberdesk-lapse-model"
VERSION = 1


@dataclass(frozen=True, eq=False)
class SavedModel:
    scorer: Scorer
    validation: Validation | None
    fitted_as_of: pd.Timestamp


def snapshot_definition() -> dict[str, Any]:
    """The bands and caps the snapshot features are built with: a model is only valid on
    features built the same way."""
    return {"duration_bands_months": [[None if math.isinf(e) else e, label]
                                      for e, label in DURATION_BANDS],
            "premium_bands": [[lo, None if math.isinf(hi) else hi, label]
                              for lo, hi, label in PREMIUM_BANDS],
            "months_since_use_cap": MONTHS_SINCE_USE_CAP}


def model_to_json(result: ScoringResult) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "kind": result.scorer.kind,
            "horizon_months": result.horizon_months,
            "fitted_as_of": result.as_of.date().isoformat(),
            "snapshot": snapshot_definition(),
            "model": result.scorer.to_json(),
            "validation": None if result.validation is None else result.validation.to_json()}


def save_model(result: ScoringResult, path: str | Path) -> Path:
    """Write the fitted model of ``result`` to ``path`` (atomically)."""
    text = json.dumps(_plain(model_to_json(result)), ensure_ascii=False, allow_nan=False)
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")), what="the model file")


def _plain(value: Any) -> Any:
    """NaN/inf -> None (JSON has no NaN); numpy scalars -> Python; Timestamps -> ISO dates."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def model_from_json(data: dict[str, Any], *, file: str | None = None) -> SavedModel:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError("not a MemberDesk lapse-model file", file=file)
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise DataError(f"model file version {version!r} is not supported (this MemberDesk "
                        f"reads version {VERSION})", file=file)
    kind = data.get("kind")
    if data.get("snapshot", snapshot_definition()) != snapshot_definition():
        raise DataError("the model was fitted on features banded differently (duration or premium "
                        "bands) from this MemberDesk's; refit it", file=file)
    try:
        if kind == "cox":
            scorer: Scorer = CoxScorer.from_json(data["model"])
        elif kind == "gbm":
            scorer = GbmScorer.from_json(data["model"])
        else:
            raise DataError(f"unknown model kind {kind!r}", file=file)
        validation = None if data.get("validation") is None else \
            Validation.from_json(data["validation"], kind, int(data["horizon_months"]))
        fitted = pd.Timestamp(data["fitted_as_of"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the model file is incomplete or damaged ({type(exc).__name__}: {exc})",
                        file=file) from None
    return SavedModel(scorer, validation, fitted)


def load_model(path: str | Path) -> SavedModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read the model file ({exc.strerror})", file=str(path)) from None
    except UnicodeDecodeError:
        raise DataError("the model file is not UTF-8 JSON (a binary file?)", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"the model file is not JSON ({exc.msg}, line {exc.lineno})",
                        file=str(path)) from None
    return model_from_json(data, file=str(path))
