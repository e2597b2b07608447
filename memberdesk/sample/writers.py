"""Byte-stable writers for the sample book: CSV (UTF-8), one XLSX workbook, GB18030 policies.

Formatting rules (the same on every run, so that the files are byte-identical):
dates ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` for a column holding times of day), booleans
``true``/``false``, numbers with 2 decimals (none when every value of the column is whole),
missing values empty, ``\\n`` line ends. The workbook's zip entries and document properties
carry a fixed timestamp instead of the time of writing.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.core import schema

# Chinese headers and status words of gb18030/policies_zh.csv
ZH_POLICY_HEADERS: dict[str, str] = {
    "policy_id": "保单号", "member_id": "客户号", "product": "产品", "product_type": "产品类型",
    "channel": "渠道", "issue_date": "生效日期", "end_date": "终止日期", "status": "保单状态",
    "annual_premium": "年化保费", "sum_assured": "保额", "payment_frequency": "缴费方式",
}
ZH_POLICY_STATUS: dict[str, str] = {
    "in_force": "有效", "lapsed": "失效", "surrendered": "退保", "death": "身故", "matured": "满期",
    "other": "其他",
}
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_PROPERTY_TIME = "2020-01-01T00:00:00Z"


def _has_times(values: pd.Series) -> bool:
    v = values.dropna()
    return bool(len(v)) and bool((v != v.dt.normalize()).any())


def format_column(values: pd.Series) -> pd.Series:
    """One column as the strings written to CSV (missing -> empty string); vectorised."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        unit: Literal["s", "D"] = "s" if _has_times(values) else "D"
        stamps: npt.NDArray[np.datetime64] = values.to_numpy(dtype="datetime64[ns]")
        text = np.datetime_as_string(stamps, unit=unit)
        text = np.char.replace(text, "T", " ") if unit == "s" else text
    elif pd.api.types.is_bool_dtype(values):
        flags = values.fillna(False).to_numpy(dtype=bool)
        text = np.where(flags, "true", "false")
    elif pd.api.types.is_float_dtype(values):
        text = _format_numbers(values.to_numpy(dtype=float), missing)
    else:
        return values.astype(object).where(~missing, "")
    return pd.Series(np.where(missing, "", text), index=values.index, dtype=object)


def _format_numbers(v: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Whole numbers without decimals when the whole column is whole, else 2 decimals."""
    finite = np.where(missing, 0.0, v)
    if np.all(finite == np.round(finite)):
        return finite.astype(np.int64).astype(str)
    cents = np.round(finite * 100.0).astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    units = (np.abs(cents) // 100).astype(str)
    frac = np.char.zfill((np.abs(cents) % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, units), "."), frac)


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV text of a table (header + rows) per the module's formatting rules."""
    text = pd.DataFrame({c: format_column(frame[c]) for c in frame.columns})
    return text.to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(frame).encode("utf-8"))
    return path


def gb18030_policies_text(policies: pd.DataFrame) -> str:
    """The policies table with Chinese headers, Chinese status words and ``2021/3/1`` dates."""
    frame = policies.copy()
    frame["status"] = frame["status"].map(ZH_POLICY_STATUS)
    for col in ("issue_date", "end_date"):
        d = frame[col]
        text = d.dt.year.astype("Int64").astype(str) + "/" + d.dt.month.astype("Int64").astype(str) \
            + "/" + d.dt.day.astype("Int64").astype(str)
        frame[col] = text.where(d.notna(), "").astype(object)
    return csv_text(frame.rename(columns=ZH_POLICY_HEADERS))


def write_gb18030_policies(policies: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gb18030_policies_text(policies).encode("gb18030"))
    return path


def _cell_values(values: pd.Series) -> list[Any]:
    """A column as Python values for openpyxl (None for missing)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if _has_times(values):
            return [None if pd.isna(x) else x.to_pydatetime() for x in values]
        return [None if pd.isna(x) else x.date() for x in values]
    if pd.api.types.is_bool_dtype(values):
        return [None if x is pd.NA else bool(x) for x in values]
    if pd.api.types.is_float_dtype(values):
        return [None if np.isnan(x) else float(x) for x in values.to_numpy(dtype=float)]
    return [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x for x in values]


def workbook_bytes(book: Mapping[str, pd.DataFrame]) -> bytes:
    """The book as one XLSX (sheet per table, in :data:`schema.TABLES` order), byte-stable."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name in schema.TABLES:
        frame = book[name]
        ws = wb.create_sheet(title=name)
        ws.append(list(frame.columns))
        for row in zip(*(_cell_values(frame[c]) for c in frame.columns)):
            ws.append(row)
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed entry timestamps and fixed document property dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + _FIXED_PROPERTY_TIME.encode() + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def write_workbook(book: Mapping[str, pd.DataFrame], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(book))
    return path
