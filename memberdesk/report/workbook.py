"""The Excel report for managers: one workbook that stands on its own.

:func:`write_report` is the single entry point (File ▸ Export report in the app, ``memberdesk
report`` on the command line). It builds every sheet in memory from the analysis results, then
saves atomically: the workbook goes to a temporary file next to the target and is moved into
place with :func:`os.replace`, so a failure never leaves a half-written or clobbered report.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

import memberdesk
from memberdesk.core.atomic_write import atomic_write
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.validation_report import workbook_bytes
from memberdesk.report import report_strings as rs
from memberdesk.report import (
    sheets_alerts,
    sheets_dashboard,
    sheets_experience,
    sheets_models,
    sheets_operations,
    sheets_overview,
    sheets_retention,
    sheets_scoring,
    styles,
)
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.report_options import ReportOptions
from memberdesk.report.safety import is_personal

Builder = Callable[[ReportContext, SheetWriter], None]

# Sheet key -> (builder, the "what" text used in not-available / not-computed notes).
BUILDERS: dict[str, tuple[Builder, str]] = {
    "dashboard": (sheets_dashboard.build_dashboard, "what_dashboard"),
    "summary": (sheets_overview.build_summary, "what_kpis"),
    "alerts": (sheets_alerts.build_alerts, "what_alerts"),
    "retention": (sheets_retention.build_retention, "what_km"),
    "persistency": (sheets_retention.build_persistency, "what_persistency"),
    "cohorts": (sheets_retention.build_cohorts, "what_cohorts"),
    "drivers": (sheets_models.build_drivers, "what_cox"),
    "scoring": (sheets_scoring.build_scoring, "what_scoring"),
    "projection": (sheets_models.build_projection, "what_parametric"),
    "decrements": (sheets_models.build_decrements, "what_competing"),
    "experience": (sheets_experience.build_experience, "what_experience"),
    "benefits": (sheets_operations.build_benefits, "what_benefits"),
    "service": (sheets_operations.build_service, "what_service"),
    "claims": (sheets_operations.build_claims, "what_claims"),
    "data_quality": (sheets_overview.build_data_quality, "what_kpis"),
    "definitions": (sheets_overview.build_definitions, "what_dictionary"),
}
if set(BUILDERS) != set(rs.SHEET_ORDER):  # every registered sheet has exactly one builder
    raise ImportError(f"sheet builders {sorted(BUILDERS)} differ from the registry's {sorted(rs.SHEET_ORDER)}")


def write_report(
    ds: Dataset,
    path: str | Path,
    *,
    lang: str = "en",
    segment: str = "channel",
    include_personal: bool = False,
    progress: Progress | None = None,
    expected: pd.DataFrame | None = None,
    options: ReportOptions | None = None,
) -> Path:
    """Write the manager report for ``ds`` to ``path`` (.xlsx) and return the path.

    Parameters
    ----------
    ds
        The loaded dataset; every figure is as of ``ds.as_of`` under ``ds.filters``.
    path
        Target workbook. An existing file is replaced only once the new one is complete.
    lang
        ``"en"`` or ``"zh_CN"``: sheet names, headers, titles, chart titles, definitions.
    segment
        Policy column the retention and persistency sheets are broken down by.
    include_personal
        Allow member-level personal data (member ids, names, birth dates) in the report,
        e.g. in the sample of rejected rows. Off by default.
    expected
        Optional expected-rate table for the Experience sheet's A/E (as returned by
        :func:`memberdesk.analysis.experience.read_expected_table`); without it the table of
        ``options.expected`` is read, and without either A/E is blank.
    options
        The choices behind the sheets (:class:`ReportOptions`: the pages' choices when
        exported from the app, the command's options or a workspace's on the command line);
        its ``segment`` replaces ``segment``. Default: ``ReportOptions(segment=segment)``.

    Raises
    ------
    DataError
        The target folder does not exist or is not writable, the target is locked (open in
        Excel) or cannot be replaced; the old file is left intact.
    """
    return write_report_outcome(ds, path, lang=lang, segment=segment,
                                include_personal=include_personal, progress=progress,
                                expected=expected, options=options).path


@dataclass(frozen=True)
class ReportOutcome:
    """A written report: its path and the sections that could not be computed
    ``(sheet key, reason)`` (each shown in its sheet as a readable box)."""

    path: Path
    failures: tuple[tuple[str, str], ...] = ()


def write_report_outcome(
    ds: Dataset,
    path: str | Path,
    *,
    lang: str = "en",
    segment: str | None = "channel",
    include_personal: bool = False,
    progress: Progress | None = None,
    expected: pd.DataFrame | None = None,
    options: ReportOptions | None = None,
) -> ReportOutcome:
    """:func:`write_report`, also answering which sections failed (the ``report`` command
    exits non-zero on them unless ``options.allow_partial``)."""
    options = options if options is not None else ReportOptions(segment=segment)
    segment = options.segment
    if lang not in rs.LANGS:
        raise DataError(f"unknown report language {lang!r}; choose one of {', '.join(rs.LANGS)}")
    if segment is not None and is_personal(segment) and not include_personal:
        raise DataError(f"segment {segment!r} is member-level personal data; the report shows it "
                        "only with include_personal")
    target = Path(path)
    _check_target(target)
    prog = ensure(progress)
    if expected is None and options.expected:
        expected = read_expected_for(options.expected, options.experience_full_basis)
    ctx = ReportContext(ds=ds, lang=lang, segment=segment, include_personal=include_personal,
                        generated_at=dt.datetime.now().replace(microsecond=0), progress=progress,
                        expected=expected, options=options)
    wb = Workbook()
    wb.remove(wb.active)
    for i, key in enumerate(rs.SHEET_ORDER):
        check_cancelled(progress)
        prog.status(f"Report: {rs.sheet_name(key)}")
        ws = wb.create_sheet(rs.sheet_name(key, lang))
        w = SheetWriter(ws, lang, ctx.report_title, ctx.as_of_text)
        if key in CI_SHEETS:  # their intervals at the assumptions' level (a builder whose
            w.ci_level = ds.assumptions.ci_level  # result carries its own sets that one)
        subject = rs.subject(key, lang, segment=ctx.label(segment) if segment else
                             ALL_POLICIES.get(lang, ALL_POLICIES["en"]))
        w.title_block(subject, ctx.scope_line())
        builder, what = BUILDERS[key]
        try:
            builder(ctx, w)
        except (AnalysisError, DataError) as exc:  # a readable box, never a traceback
            w.failure_box(ctx.t("not_computed", what=ctx.t(what), reason=ctx.error(exc)))
            ctx.failures.append((key, str(exc)))
        w.finish(page_text=ctx.t("page_footer"))
        if key == "dashboard":  # one page at 100 %, never shrunk to fit
            ws.sheet_properties.pageSetUpPr.fitToPage = False
            ws.page_setup.scale = 100
            ws.page_setup.orientation = "portrait"
            ws.print_area = (f"A1:{get_column_letter(sheets_dashboard.FULL_COLS)}"
                             f"{w.print_last_row or ws.max_row}")
        prog.fraction((i + 1) / (len(rs.SHEET_ORDER) + 1))
    _long_sheet(wb, ctx)
    _contents(wb, ctx)
    from memberdesk.report.charts import write_caches

    write_caches(wb)  # previews (mail, phone) draw the charts without recomputing
    _set_properties(wb, ctx)
    styles.use_language_font(wb, lang)  # the Chinese edition in an East-Asian font
    check_cancelled(progress)
    prog.status("Report: saving")
    _save_atomic(wb, target)
    prog.fraction(1.0)
    return ReportOutcome(target, tuple(ctx.failures))


ALL_POLICIES = {"en": "all policies", "zh_CN": "全部保单"}
# sheets whose tables and headings show confidence intervals (labels name their level)
CI_SHEETS = frozenset({"retention", "drivers", "projection", "decrements", "experience",
                       "benefits", "claims"})
CONTENTS = {"en": ("Contents", "Contents: every sheet of the report", "← Contents", "Sheet",
                    "What it shows"),
            "zh_CN": ("目录", "目录：报告的所有工作表", "← 目录", "工作表", "内容")}


LINK_FONT = Font(name=styles.FONT_NAME, size=10, color="0563C1", underline="single")


def _long_sheet(wb: Workbook, ctx: ReportContext) -> None:
    """The tidy long sheet for pivots (issue 17 B.9), last: no page's sheet."""
    from memberdesk.report import sheet_long

    name, subject = sheet_long.NAMES.get(ctx.lang, sheet_long.NAMES["en"])
    ws = wb.create_sheet(name)
    w = SheetWriter(ws, ctx.lang, ctx.report_title, ctx.as_of_text)
    w.title_block(subject, ctx.scope_line())
    if ctx.ds.policies is not None:
        try:
            sheet_long.build_long(ctx, w)
        except (AnalysisError, DataError) as exc:  # a readable box, as for every sheet
            w.failure_box(ctx.t("not_computed", what=name, reason=ctx.error(exc)))
            ctx.failures.append(("long", str(exc)))
    w.finish(page_text=ctx.t("page_footer"))


def _contents(wb: Workbook, ctx: ReportContext) -> None:
    """A Contents sheet after the Dashboard (each sheet a hyperlink, with its subject), and a
    "← Contents" link in the blank row under every sheet's title block (issue 17 B.5)."""
    name, subject, back, col_sheet, col_what = CONTENTS.get(ctx.lang, CONTENTS["en"])
    sheets = list(wb.worksheets)
    ws = wb.create_sheet(name, index=1 if len(sheets) > 1 else 0)
    w = SheetWriter(ws, ctx.lang, ctx.report_title, ctx.as_of_text)
    w.title_block(subject, ctx.scope_line())
    w.excel_tables = False  # hyperlink cells: a plain list
    frame = pd.DataFrame({"sheet": [s.title for s in sheets],
                          "what": [s["A2"].value or "" for s in sheets]})
    ref = w.table(frame, labels={"sheet": col_sheet, "what": col_what},
                  formats={"sheet": "text", "what": "text"})
    for i, s in enumerate(sheets):
        cell = ws.cell(ref.first_row + i, ref.first_col)
        cell.hyperlink = f"#'{s.title}'!A1"
        cell.font = LINK_FONT
        link = s.cell(4, 1)
        if link.value is None:
            link.value = back
            link.hyperlink = f"#'{name}'!A1"
            link.font = LINK_FONT
    w.finish(page_text=ctx.t("page_footer"))


def read_expected_for(path: str, basis: str) -> pd.DataFrame | None:
    """The expected-rate table for the experience basis, as the Experience page reads it: a
    table without the basis' period column (one by policy year) cannot be matched on another
    basis and is left out (A/E blank, the sheet says so)."""
    from memberdesk.analysis.experience import read_expected_table

    try:
        return read_expected_table(path, basis=basis)
    except DataError as exc:
        if basis == "policy_year" or exc.column != basis:
            raise
        return None


def _set_properties(wb: Workbook, ctx: ReportContext) -> None:
    props = wb.properties
    props.title = ctx.report_title
    props.subject = f"{rs.subject('summary', ctx.lang)} · {ctx.as_of_text}"
    props.creator = "MemberDesk"
    props.lastModifiedBy = "MemberDesk"
    props.description = rs.text("generated_by", ctx.lang, version=memberdesk.__version__,
                                timestamp=ctx.generated_at.isoformat(sep=" "))
    props.keywords = f"MemberDesk; as-of {ctx.as_of_iso}; {ctx.lang}"
    props.created = ctx.generated_at
    props.modified = ctx.generated_at
    props.language = "zh-CN" if ctx.lang == "zh_CN" else "en"


# ---- safe saving ---------------------------------------------------------------------------

def _check_target(target: Path) -> None:
    """Fail early (before minutes of analysis) when the target cannot be written."""
    if target.suffix.lower() != ".xlsx":
        raise DataError("the report must be an .xlsx file", file=str(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DataError("the folder for the report does not exist", file=str(target))
    if target.is_dir():
        raise DataError("the report path is a folder, not a file", file=str(target))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError("the folder is not writable; choose another place for the report",
                        file=str(target))
    # the mode bits too: root (or an admin) may write anywhere, but a file marked read-only
    # is one the user asked to keep
    if target.exists() and (not os.access(target, os.W_OK)
                            or not target.stat().st_mode & stat.S_IWUSR):
        raise DataError("the existing report is read-only or locked; close it in Excel or "
                        "choose another name", file=str(target))
    owner_file = folder / f"~${target.name}"
    if owner_file.exists():
        raise DataError("the report is open in Excel; close it and export again",
                        file=str(target))


def _save_atomic(wb: Workbook, target: Path) -> None:
    """Save through the one atomic-write helper (temp file in the target folder, fsync,
    ``os.replace``); the workbook is serialised in memory first, so a full disk leaves no
    half-closed zip file behind."""
    atomic_write(target, lambda h: h.write(workbook_bytes(wb)), what="the report")
