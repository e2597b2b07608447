"""Byte-stable writers for the sample book: CSV (UTF-8), one XLSX workbook, GB18030 policies.

Formatting rules (the same on every run, so that the files are byte-identical):
dates ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` for a column holding times of day), booleans
``true``/``false``, numbers with 2 decimals (none when every value of the column is whole),
missing values empty, ``\\n`` line ends. The workbook's zip entries and document properties
carry a fixed timestamp instead of the time of writing.

Large books: a CSV is written :data:`CHUNK_ROWS` rows at a time, each chunk formatted with the
column-wide choices of its whole column (times of day, whole numbers: :func:`column_rule`), so
the file's bytes do not depend on the chunking, only one chunk's strings are held in memory,
and a ``progress`` (:class:`memberdesk.core.progress.Progress`) hears after every chunk. The workbook
reports every :data:`CHUNK_ROWS` rows too; it is the slow part (openpyxl needs about 1.7 s of
CPU per 1,000 members' rows), which is why :func:`memberdesk.sample.book.write_book` makes it
opt-in above a size.
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
from memberdesk.core.progress import Progress, check_cancelled, ensure

CHUNK_ROWS = 100_000  # rows written between two progress reports

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


def column_rule(values: pd.Series) -> str | bool | None:
    """The column-wide formatting choice of a column: for dates ``"s"`` when any value has a
    time of day, else ``"D"``; for numbers True when every value is whole; else None. A file
    written in chunks formats every chunk with the rule of its whole column."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "s" if _has_times(values) else "D"
    if pd.api.types.is_float_dtype(values) and not pd.api.types.is_bool_dtype(values):
        finite = np.where(values.isna().to_numpy(), 0.0, values.to_numpy(dtype=float))
        return bool(np.all(finite == np.round(finite)))
    return None


def format_column(values: pd.Series, rule: str | bool | None = None) -> pd.Series:
    """One column as the strings written to CSV (missing -> empty string); vectorised.
    ``rule`` is :func:`column_rule` of the whole column (computed from ``values`` if None)."""
    missing = values.isna().to_numpy()
    if rule is None:
        rule = column_rule(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        unit: Literal["s", "D"] = "s" if rule == "s" else "D"
        stamps: npt.NDArray[np.datetime64] = values.to_numpy(dtype="datetime64[ns]")
        text = np.datetime_as_string(stamps, unit=unit)
        text = np.char.replace(text, "T", " ") if unit == "s" else text
    elif pd.api.types.is_bool_dtype(values):
        flags = values.fillna(False).to_numpy(dtype=bool)
        text = np.where(flags, "true", "false")
    elif pd.api.types.is_float_dtype(values):
        text = _format_numbers(values.to_numpy(dtype=float), missing, bool(rule))
    else:
        return values.astype(object).where(~missing, "")
    return pd.Series(np.where(missing, "", text), index=values.index, dtype=object)


def _format_numbers(v: np.ndarray, missing: np.ndarray, whole: bool) -> np.ndarray:
    """Whole numbers without decimals when the whole column is whole (``whole``), else 2
    decimals."""
    finite = np.where(missing, 0.0, v)
    if whole:
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


def _write_frame(frame: pd.DataFrame, path: Path, encoding: str,
                 progress: Progress | None, chunk_rows: int | None) -> Path:
    """Write a table as CSV in chunks of ``chunk_rows`` rows (default :data:`CHUNK_ROWS`),
    each formatted with its whole column's rule, so the bytes equal :func:`csv_text` while at
    most one chunk's strings are held in memory; reports the share of rows written."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    path.parent.mkdir(parents=True, exist_ok=True)
    prog = ensure(progress)
    rules = {c: column_rule(frame[c]) for c in frame.columns}
    n = len(frame)
    with path.open("w", encoding=encoding, newline="") as fh:
        if n == 0:
            fh.write(csv_text(frame))
        for start in range(0, n, chunk_rows):
            check_cancelled(progress)
            part = frame.iloc[start:start + chunk_rows]
            text = pd.DataFrame({c: format_column(part[c], rules[c]) for c in frame.columns})
            text.to_csv(fh, index=False, header=start == 0, lineterminator="\n")
            prog.fraction(min(n, start + chunk_rows) / n)
    return path


def write_csv(frame: pd.DataFrame, path: Path, progress: Progress | None = None, *,
              chunk_rows: int | None = None) -> Path:
    """Write ``frame`` as UTF-8 CSV (bytes equal to ``csv_text(frame)``), in chunks."""
    return _write_frame(frame, path, "utf-8", progress, chunk_rows)


def gb18030_policies_text(policies: pd.DataFrame) -> str:
    """The policies table with Chinese headers, Chinese status words and ``2021/3/1`` dates."""
    return csv_text(_gb18030_frame(policies))


def _gb18030_frame(policies: pd.DataFrame) -> pd.DataFrame:
    frame = policies.copy()
    frame["status"] = frame["status"].map(ZH_POLICY_STATUS)
    for col in ("issue_date", "end_date"):
        d = frame[col]
        text = d.dt.year.astype("Int64").astype(str) + "/" + d.dt.month.astype("Int64").astype(str) \
            + "/" + d.dt.day.astype("Int64").astype(str)
        frame[col] = text.where(d.notna(), "").astype(object)
    return frame.rename(columns=ZH_POLICY_HEADERS)


def write_gb18030_policies(policies: pd.DataFrame, path: Path, progress: Progress | None = None,
                           *, chunk_rows: int | None = None) -> Path:
    """Write :func:`gb18030_policies_text` encoded in GB18030, in chunks."""
    return _write_frame(_gb18030_frame(policies), path, "gb18030", progress, chunk_rows)


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


def workbook_bytes(book: Mapping[str, pd.DataFrame], progress: Progress | None = None) -> bytes:
    """The book as one XLSX (sheet per table, in :data:`schema.TABLES` order), byte-stable.
    ``progress`` hears the share of rows written every :data:`CHUNK_ROWS` rows (saving and
    compressing take the last 5%)."""
    from openpyxl import Workbook

    prog = ensure(progress)
    total = max(1, sum(len(book[name]) for name in schema.TABLES))
    done = 0
    wb = Workbook(write_only=True)
    for name in schema.TABLES:
        frame = book[name]
        prog.status(f"writing the Excel copy: sheet {name} ({len(frame):,} rows)")
        ws = wb.create_sheet(title=name)
        ws.append(list(frame.columns))
        for i, row in enumerate(zip(*(_cell_values(frame[c]) for c in frame.columns)), 1):
            ws.append(row)
            if i % CHUNK_ROWS == 0:
                check_cancelled(progress)
                prog.fraction(0.95 * (done + i) / total)
        done += len(frame)
        prog.fraction(0.95 * done / total)
    prog.status("writing the Excel copy: saving")
    raw = io.BytesIO()
    wb.save(raw)
    data = _normalise_zip(raw.getvalue())
    prog.fraction(1.0)
    return data


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


def write_workbook(book: Mapping[str, pd.DataFrame], path: Path,
                   progress: Progress | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(book, progress))
    return path
