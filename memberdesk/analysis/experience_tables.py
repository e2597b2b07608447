"""Expected-rate tables of experience studies: reading and checking the CSV (period column of
the study's basis, optional segment columns, ``rate``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.core.errors import DataError


def read_expected_table(path: str | Path, basis: str = "policy_year") -> pd.DataFrame:
    """Read an expected-rate table: CSV with the period column (``policy_year``, or
    ``calendar_year`` for that basis), optional segment columns, and ``rate``.

    Headers are matched case-insensitively (spaces/hyphens read as underscores). Periods must
    be whole numbers, rates numbers ≥ 0, and each period × segment combination must appear once.
    Segment values are read as text. Raises :class:`DataError` naming the file, row and column.
    """
    path = Path(path)
    name = str(path)
    frame = _read_csv_text(path)
    frame.columns = [str(c).strip().lower().replace(" ", "_").replace("-", "_")
                     for c in frame.columns]
    for col in (basis, "rate"):
        if col not in frame.columns:
            raise DataError(f"the expected-rate table needs a {col!r} column "
                            f"(found: {', '.join(frame.columns) or 'none'})", file=name, column=col)
    if frame.empty:
        raise DataError("the expected-rate table has no rows", file=name)
    out = frame.copy()
    for col, integer in ((basis, True), ("rate", False)):
        values = pd.to_numeric(out[col].str.strip(), errors="coerce")
        bad = values.isna() | (values < 0) | ((values % 1 != 0) if integer else False)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            what = "a whole number ≥ 0" if integer else "a number ≥ 0"
            raise DataError(f"{frame[col].iloc[i]!r} is not {what}", file=name, row=i + 2,
                            column=col)
        out[col] = values.astype(np.int64) if integer else values.astype(float)
    segments = [c for c in out.columns if c not in (basis, "rate")]
    for col in segments:
        out[col] = out[col].str.strip()
    dup = out.duplicated([basis, *segments])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError("this period and segment already have a rate on an earlier row",
                        file=name, row=i + 2, column=basis)
    return out[[basis, *segments, "rate"]]


# ---- internals ------------------------------------------------------------------------------

def _read_csv_text(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError("the expected-rate table does not exist", file=str(path))
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, sep=None, engine="python",
                               keep_default_na=False)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise DataError(f"cannot read the expected-rate table as CSV: {exc}", file=str(path)) from exc
    raise DataError(f"cannot decode the expected-rate table: {last}", file=str(path))
