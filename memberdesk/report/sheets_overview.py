"""Summary (cockpit), Data quality and Definitions sheets.

Summary presents :func:`memberdesk.analysis.kpis.compute_kpis`; Data quality presents the
load's :class:`~memberdesk.core.validation_report.ValidationReport`; Definitions presents the
metric dictionary of :mod:`memberdesk.analysis.metrics`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import memberdesk
from memberdesk.core import schema
from memberdesk.core.dataset import Filters
from memberdesk.core.reasons import reason_text
from memberdesk.core.validation_report import REJECTED_COLUMNS, rejected_for_people
from memberdesk.report import analysis_terms as terms
from memberdesk.report import report_strings as rs
from memberdesk.report import styles
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.report_options import CompareRef
from memberdesk.report.safety import is_personal

MAX_REJECTED_SAMPLE = 1000

# KPI unit -> number-format kind for its value, previous and change cells.
_UNIT_FORMATS: dict[str, str] = {
    "%": "pct", "ratio": "pct", "share": "pct", "percent": "pct", "rate": "pct",
    "count": "int", "number": "int", "policies": "int", "members": "int", "contacts": "int",
    "months": "dec1", "days": "dec1", "seconds": "dec1", "currency": "money", "CNY": "money",
    "yuan": "money", "元": "money", "score": "num",
}


# ---- Summary --------------------------------------------------------------------------------

def build_summary(ctx: ReportContext, w: SheetWriter) -> None:
    """Cockpit KPIs (value, previous period, change), then the data scope."""
    w.section(ctx.t("sec_kpis"))
    w.filter_main = False  # a short list: no filter buttons over the KPI names
    _kpi_table(ctx, w)
    _alarm_lines(ctx, w)
    _scope(ctx, w)


def _alarm_lines(ctx: ReportContext, w: SheetWriter) -> None:
    """One line per active alarm (the Alerts sheet has the details)."""
    from memberdesk.report.sheets_alerts import summary_lines

    lines = summary_lines(ctx)
    for i, line in enumerate(lines):  # one list: no blank rows between the alarms
        w.note(line, gap=1 if i == len(lines) - 1 else 0)


def _kpi_table(ctx: ReportContext, w: SheetWriter) -> None:
    from memberdesk.analysis.kpis import compute_kpis
    result = compute_kpis(ctx.ds)
    ctx.cache["kpis"] = result
    frame = kpi_frame(result, ctx.lang)
    if frame.empty:
        w.note(ctx.t("no_rows"))
        return
    kinds = [_UNIT_FORMATS.get(str(u), "num") for u in frame["unit"]]
    frame["unit"] = [_unit_label(u, ctx.lang, k.id) for u, k in zip(frame["unit"], result.kpis)]
    # the relative change beside the absolute one (issue 17 B.4)
    prev = frame["previous"].where(frame["previous"] != 0)
    frame.insert(list(frame.columns).index("change") + 1, "change_pct",
                 frame["value"] / prev - 1.0)
    previous_as_of = pd.Timestamp(result.previous_as_of).date().isoformat()
    labels = {"previous": PREVIOUS_AS_OF[ctx.lang if ctx.lang in PREVIOUS_AS_OF else "en"]
              .format(date=previous_as_of),
              "change_pct": CHANGE_PCT[ctx.lang if ctx.lang in CHANGE_PCT else "en"]}
    compared = _comparison_columns(ctx, result, frame, labels)  # report --compare-as-of (C.18)
    ref = w.table(frame, main=True, labels=labels,
                  # 3 decimals for the changes: a share's change (-0.0026) is not zeroed
                  # (as "num" rounds it at 2 decimals) before it is turned into percentage
                  # points below; the Summary read "0.0 pp" where the Dashboard read -0.3 pp
                  formats={"value": "num", "previous": "num", "change": "dec3",
                           "change_pct": "pct", "reason": "text",
                           **{c: "dec3" if c == "compare_change" else "num" for c in compared}})
    for i, kind in enumerate(kinds):
        unit = w.ws.cell(ref.first_row + i, ref.col("unit"))
        unit.alignment = styles.INDENT_ALIGN  # not glued to the right-aligned change
        for col in ("value", "previous", "change", *compared):
            cell = w.ws.cell(ref.first_row + i, ref.col(col))
            if col in ("change", "compare_change") and kind == "pct":
                # a change of shares reads best in percentage points
                pp = ctx.t("pp")
                cell.number_format = f'+0.0"{pp}";-0.0"{pp}";0.0"{pp}"'
                if isinstance(cell.value, float):
                    pp_value = cell.value * 100.0
                    cell.value = 0.0 if round(pp_value, 1) == 0 else pp_value  # never "-0.0"
            elif col in ("change", "compare_change"):
                cell.number_format = "+" + styles.FORMATS[kind] + ";-" + styles.FORMATS[kind] \
                    + ";" + styles.FORMATS[kind]
            else:
                cell.number_format = styles.FORMATS[kind]


COMPARE_AS_OF = {"en": "Compared: as of {date}", "zh_CN": "对比：截至 {date}"}
COMPARE_CHANGE = {"en": "Change vs {date}", "zh_CN": "较 {date} 变化"}


def _comparison_columns(ctx: ReportContext, result: Any, frame: pd.DataFrame,
                        labels: dict[str, str]) -> tuple[str, ...]:
    """With ``report --compare-as-of DATE`` (ReportOptions.compare_as_of): each KPI at DATE and
    the change (as-of value − value at DATE); with a pinned filter set
    (ReportOptions.compare_filters, from a workspace or the app): each KPI under those filters
    at the same as-of and the change (current filters − pinned filters). Beside the change
    column, from analysis.compare; the columns added (none without a comparison)."""
    from memberdesk.report.compare_sections import comparison_of

    compared = ctx.options.sheet_compare("summary")  # the pinned filters, else the date
    if compared is None:
        return ()
    kpis = comparison_of(ctx, compared, "kpis").kpis
    heads = comparison_heads(ctx, compared)[1:]
    assert kpis is not None
    by_id = kpis.set_index("id")
    ids = [k.id for k in result.kpis]
    pos = list(frame.columns).index("change_pct") + 1
    frame.insert(pos, "compare_value", by_id["reference"].reindex(ids).to_numpy())
    frame.insert(pos + 1, "compare_change", by_id["change"].reindex(ids).to_numpy())
    labels["compare_value"], labels["compare_change"] = heads
    return ("compare_value", "compare_change")


COMPARE_FILTERS = {"en": "Compared: pinned filters ({filters})",
                   "zh_CN": "对比：固定筛选（{filters}）"}
COMPARE_FILTERS_CHANGE = {"en": "Change vs pinned filters ({filters})",
                          "zh_CN": "较固定筛选（{filters}）变化"}


def comparison_heads(ctx: ReportContext, ref: CompareRef) -> tuple[str, str, str]:
    """``ref``'s reference in words (its pinned filters as the Summary lists them, else its
    date, ISO), its reference column's header and its change column's header, in the report's
    language: one wording for the Summary and the sheets' "what changed"."""
    lang = ctx.lang if ctx.lang in COMPARE_AS_OF else "en"
    if ref.filters is not None:
        lines = filter_lines(ref.filters, ctx)
        text = "; ".join(lines) if lines else ctx.t("filters_none")
        return (text, COMPARE_FILTERS[lang].format(filters=text),
                COMPARE_FILTERS_CHANGE[lang].format(filters=text))
    text = pd.Timestamp(str(ref.as_of)).date().isoformat()
    return text, COMPARE_AS_OF[lang].format(date=text), COMPARE_CHANGE[lang].format(date=text)


def kpi_frame(result: Any, lang: str) -> pd.DataFrame:
    """KPI rows straight from ``result.to_frame()``: name (in ``lang`` from the metrics
    registry), value, previous, change, unit id, and why a value is missing."""
    frame = result.to_frame()
    names = _registry_names(frame["id"], lang)
    out = pd.DataFrame({
        "kpi": [n or d for n, d in zip(names, frame["name"])],
        "value": pd.to_numeric(frame["value"], errors="coerce"),
        "previous": pd.to_numeric(frame["previous"], errors="coerce"),
        "change": pd.to_numeric(frame["change"], errors="coerce"),
        "unit": frame["unit"].astype(str),
        "reason": ([terms.reason(r, lang) for r in frame["reason"]]
                   if "reason" in frame.columns else None),
    })
    return out


PREVIOUS_AS_OF = {"en": "Previous (as of {date})", "zh_CN": "上期（截至 {date}）"}
CHANGE_PCT = {"en": "Change (%)", "zh_CN": "变化（%）"}


# what a "count" metric counts, in Chinese (issue 17 B.10: 人 for members, 件 for policies,
# consistently); a count not listed counts policies (in-force, new business, at risk, terminations)
COUNT_NOUNS_ZH: dict[str, str] = {"in_force_members": "人", "service_contacts": "次"}


def count_unit(metric_id: str, lang: str) -> str:
    """The unit of a count metric: its measure word in Chinese (人 members, 次 contacts, 件
    policies), "count" in English."""
    return COUNT_NOUNS_ZH.get(metric_id, "件") if lang == "zh_CN" else "count"


def _unit_label(unit: str, lang: str, metric_id: str = "") -> str:
    """A KPI's unit as the metric registry labels it (a share: "%", issue 17 B.4), a count
    by what it counts (:func:`count_unit`)."""
    if unit == "count":
        return count_unit(metric_id, lang)
    from memberdesk.analysis.metrics import UNIT_LABELS as labels

    pair = labels.get(unit) if isinstance(labels, dict) else None
    return unit if pair is None else str(pair[1 if lang == "zh_CN" else 0])


def _registry_names(ids: pd.Series, lang: str) -> list[str | None]:
    """Metric names in ``lang`` from the metrics registry (None where not registered)."""
    from memberdesk.analysis.metrics import get_metric

    out: list[str | None] = []
    for metric_id in ids:
        try:
            out.append(str(get_metric(str(metric_id)).name(lang)))
        except KeyError:
            out.append(None)
    return out


def _scope(ctx: ReportContext, w: SheetWriter) -> None:
    ds = ctx.ds
    start = w.row
    w.section(ctx.t("sec_scope"))
    filters = filter_lines(ds.filters, ctx)
    generated = rs.text("generated_by", ctx.lang, version=memberdesk.__version__,
                        timestamp=ctx.generated_at.isoformat(sep=" "))
    w.pairs([
        (ctx.t("as_of_label"), ds.as_of.to_pydatetime()),
        (ctx.t("segment"), ctx.label(ctx.segment)),
        (ctx.t("sec_filters"), "; ".join(filters) if filters else ctx.t("filters_none")),
        (ctx.t("generated"), generated),
    ], formats=["date", "text", "text", "text"])
    rows = []
    for table in schema.TABLES:
        frame = ds.validated.get(table)
        if frame is None:
            continue
        in_scope = ds.table(table)
        rows.append({  # the files are listed once, below (a wide column here widened the
            "table": rs.table_name(table, ctx.lang),  # KPI table's unit column above)
            "accepted": len(frame),
            "in_scope": 0 if in_scope is None else len(in_scope),
            "out_of_window": ds.out_of_window(table),
        })
    if rows:
        w.table(pd.DataFrame(rows), labels={"in_scope": ctx.t("rows_in_scope"),
                                            "accepted": ctx.t("rows_loaded")},
                formats={"in_scope": "int"})
    w.keep_together(start, w.row - 2)  # the scope prints as one block, never split
    # the files read are listed on the Data quality sheet (names only, issue 17 B.4)


def filter_lines(filters: Filters, ctx: ReportContext) -> list[str]:
    """The active filters, as ``Filters.describe()`` lists them, in the report language."""
    return [f"{ctx.label(field)}: {values}" for field, values in filters.describe_items()]


# ---- Data quality ---------------------------------------------------------------------------

def source_text(sources: tuple[str, ...] | list[str], lang: str) -> str:
    """Where the data was read from, by name: "6 files in sample_data", "DuckDB database
    book.duckdb", "PostgreSQL database HOST:PORT/DB" — never a folder path, a user or a
    password (issue 17 B.4: names only)."""
    from memberdesk.core.engine.urls import looks_like_engine, parse

    items = [str(s) for s in sources]
    if not items:
        return ""
    if any(looks_like_engine(s) for s in items):
        url = parse(items if len(items) > 1 else items[0])
        if url.kind == "duckdb":
            name = Path(url.target).name
        elif url.kind == "parquet":
            name = ", ".join(Path(p).name for p in url.paths) or Path(url.target).name
        elif url.kind == "postgres":
            from urllib.parse import urlsplit

            parts = urlsplit(url.target)
            port = f":{parts.port}" if parts.port else ""
            name = f"{parts.hostname}{port}{parts.path}"
        else:
            name = url.target
        return rs.text(f"source_{url.kind}", lang, name=name)
    folders = sorted({Path(s).parent.name or Path(s).resolve().parent.name for s in items})
    return rs.text("source_files" if len(items) > 1 else "source_file", lang, n=len(items),
                   folders=", ".join(folders))


def build_data_quality(ctx: ReportContext, w: SheetWriter) -> None:
    """Where the data was read from, counts per table, rejections per reason, messages, and a
    sample of rejected rows."""
    report = ctx.ds.report
    source = source_text(tuple(getattr(ctx.ds, "sources", ()) or ()), ctx.lang)
    if source:  # a report from a database said nowhere that it was one
        w.pairs([(ctx.t("data_source"), source)])
    w.section(ctx.t("sec_tables"))
    rows = [{"table": rs.table_name(t.table, ctx.lang),
             "files": ", ".join(Path(str(f)).name for f in t.files),  # names, not paths
             "read": t.read, "accepted": t.accepted, "rejected": t.rejected,
             "out_of_window": ctx.ds.out_of_window(t.table)} for t in report.tables]
    if not rows:  # a Dataset built in code: report what is loaded
        rows = [{"table": rs.table_name(name, ctx.lang), "files": "", "read": len(frame),
                 "accepted": len(frame), "rejected": 0,
                 "out_of_window": ctx.ds.out_of_window(name)}
                for name, frame in ctx.ds.validated.items()]
    w.table(pd.DataFrame(rows, columns=["table", "files", "read", "accepted", "rejected",
                                        "out_of_window"]), main=True)
    w.section(ctx.t("sec_reasons"))
    reasons = [{"table": rs.table_name(t.table, ctx.lang), "reason": rs.reason_label(code, ctx.lang),
                "description": rs.reason_meaning(code, ctx.lang), "count": n}
               for t in report.tables for code, n in sorted(t.reasons.items())]
    if reasons:
        frame = pd.DataFrame(reasons)
        w.table(frame)
    else:
        w.note(ctx.t("no_rows"))
    if report.messages:
        w.section(ctx.t("sec_messages"))
        w.table(pd.DataFrame({"message": [message_text(m, ctx.lang) for m in report.messages]}))
    rejected = report.rejected
    total = 0 if rejected is None else len(rejected)
    if total:
        sample = rejected_sample(rejected, include_personal=ctx.include_personal,
                                 hidden=ctx.t("hidden"))
        w.section(ctx.t("sec_rejected_sample", n=f"{len(sample):,}", total=f"{total:,}"))
        sample = rejected_for_people(sample, ctx.lang).assign(  # details in the report's language
            reason=sample["reason"].map(lambda c: rs.reason_label(str(c), ctx.lang)))
        w.table(sample, formats={"row": "int", "value": "text", "detail": "text"})


def message_text(message: Any, lang: str) -> str:
    """A load message in ``lang`` with its place by name, not by path (issue 17 B.4: the
    report names files, never folders of the machine it was written on): a folder given as
    an absolute path printed "/home/…/sample_data/README.md: skipped"."""
    from memberdesk.core.reasons import Note

    if isinstance(message, Note) and message.where:
        place = message.where.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        return f"{place}{'：' if lang == 'zh_CN' else ': '}{message.reason.text(lang)}"
    return reason_text(message, lang)


def rejected_sample(rejected: pd.DataFrame, *, include_personal: bool, hidden: str,
                    limit: int = MAX_REJECTED_SAMPLE) -> pd.DataFrame:
    """The first ``limit`` rejected rows; the offending value is hidden when its column holds
    personal data (member id, name, birth date...) unless ``include_personal``."""
    sample = rejected.reindex(columns=list(REJECTED_COLUMNS)).head(limit).copy()
    if not include_personal and len(sample):
        personal = sample["column"].map(lambda c: is_personal(c) if isinstance(c, str) else False)
        sample["value"] = sample["value"].astype(object).where(~personal, hidden)
        sample["detail"] = sample["detail"].astype(object).where(~personal, hidden)
    return sample


# ---- Definitions ----------------------------------------------------------------------------

# Column -> width (characters) on the Definitions sheet: narrow wrapped columns that fit a
# landscape A4 page at a legible size. The metric id and the source-column list are left out
# (the lineage ends in the same source columns).
DEFINITION_WIDTHS: dict[str, float] = {
    "category": 11, "name": 18, "definition": 38, "formula": 26, "unit": 8,
    "good_direction": 10, "lineage": 42,
}
LINE_HEIGHT_PT = 12.75


def build_definitions(ctx: ReportContext, w: SheetWriter) -> None:
    """The metric dictionary (数据指标字典): definitions, formulas, units, lineage (指标血缘)."""
    from memberdesk.analysis.metrics import dictionary_frame
    frame = dictionary_frame(ctx.lang).reset_index(drop=True)
    # the assumptions in force first: the context of every definition below, and a short block
    # that at the end of the long table was pushed onto a page of its own (issue 17 B.5)
    _assumptions_block(ctx, w)
    if len(frame) == 0:
        w.note(ctx.t("no_rows"))
        return
    from memberdesk.analysis.metrics import dictionary_headers

    labels: dict[str, str] = dict(dictionary_headers(ctx.lang))
    frame["lineage"] = [lineage_text(str(m), ctx.lang) for m in frame["id"]]
    if "unit" in frame.columns:  # a count's measure word: 人 members, 件 policies (B.10)
        from memberdesk.analysis.metrics import get_metric

        frame["unit"] = [count_unit(str(m), ctx.lang) if get_metric(str(m)).unit == "count"
                         else u for m, u in zip(frame["id"], frame["unit"])]
    labels["lineage"] = ctx.label("lineage")
    frame = frame[[c for c in DEFINITION_WIDTHS if c in frame.columns]]
    # the catalogue's abbreviations ("KM") in full for a manager (analysis_terms.spelled_out)
    frame = frame.map(lambda v: terms.spelled_out(v) if isinstance(v, str) else v)
    ref = w.table(frame, main=True, labels=labels, formats={str(c): "text" for c in frame.columns})
    for col, chars in DEFINITION_WIDTHS.items():
        if col in ref.columns:
            w.widths[ref.col(col)] = chars
    for i, row_values in enumerate(frame.itertuples(index=False)):
        r = ref.first_row + i
        lines = 1
        for col, value in zip(ref.columns, row_values):
            w.ws.cell(r, ref.col(col)).alignment = styles.WRAP_ALIGN
            lines = max(lines, wrapped_lines(str(value or ""), DEFINITION_WIDTHS[col], lang=ctx.lang))
        w.ws.row_dimensions[r].height = LINE_HEIGHT_PT * lines + 3


def _assumptions_block(ctx: ReportContext, w: SheetWriter) -> None:
    """The analysis assumptions in force (core.assumptions, #17 C.17): setting and value,
    wrapped in the Name and Definition columns; settings nodes of the lineage above."""
    from memberdesk.analysis.lineage import settings_values
    from memberdesk.analysis.metric_definitions import PARAMETERS
    from memberdesk.report.safety import write_cell

    zh = ctx.lang == "zh_CN"
    w.section("分析假设" if zh else "Assumptions")
    for node, value in settings_values(ctx.ds.assumptions).items():
        label = PARAMETERS[node.removeprefix("param:")][1 if zh else 0]
        if zh:
            value = _setting_zh(node, value, ctx.ds.assumptions)
        cells = ((2, label, "name"), (3, value, "definition"))
        for col, text, _ in cells:
            cell = write_cell(w.ws, w.row, col, text)
            cell.font = styles.LABEL_FONT if col == 2 else styles.BODY_FONT
            cell.alignment = styles.WRAP_ALIGN
        lines = max(wrapped_lines(t, DEFINITION_WIDTHS[k], bold=col == 2, lang=ctx.lang)
                    for col, t, k in cells)
        w.ws.row_dimensions[w.row].height = LINE_HEIGHT_PT * lines + 3
        w.row += 1
    w.row += 1


def _setting_zh(node: str, value: str, assumptions: Any) -> str:
    """A settings value in Chinese (issue 17 B.10): the band cut-offs read "age 18, 30…;
    premium 1000…; duration 12…" in the Chinese edition; the reference levels name their
    column and level in Chinese. Numbers and anything else as ``settings_values`` wrote it."""
    from memberdesk.core.labels import column_label, value_label

    a = assumptions
    if node == "param:band_cut_offs":
        def cuts(values: Any) -> str:
            return ", ".join(f"{c:g}" for c in values)
        return (f"年龄 {cuts(a.age_cuts)}；保费（元）{cuts(a.premium_cuts)}；"
                f"保单持续时间（月）{cuts(a.duration_cuts)}")
    if node == "param:reference_levels":
        if not a.reference_levels:
            return "最常见水平"
        return "，".join(f"{column_label(c, 'zh_CN')} = {value_label(lv, 'zh_CN')}"
                        for c, lv in a.reference_levels)
    return value


def wrapped_lines(text: str, chars: float, *, size: float = 10.0, bold: bool = False,
                  lang: str = "en") -> int:
    """Lines ``text`` takes in a wrapped column with room for ``chars`` digits of the report's
    font at ``size`` pt: :func:`styles.wrapped_line_count` (the font's glyph widths; Latin
    words move whole to the next line, a word longer than the column is cut, CJK characters
    break anywhere), for the builders that size a row before the sheet is finished. The
    finished sheet measures every wrapped row again at its columns' printed widths
    (:meth:`memberdesk.report.layout.SheetWriter.finish`)."""
    room = styles.text_width_pt("0", size, bold=bold) * max(chars, 1.0)
    return styles.wrapped_line_count(text, room, size, bold=bold, lang=lang)


def lineage_text(metric_id: str, lang: str) -> str:
    """The metric's lineage as an indented list, one step per line: "node ← input, input",
    each intermediate result indented under the step that uses it."""
    from memberdesk.analysis.metrics import get_metric, node_label
    steps = get_metric(metric_id).lineage
    depth: dict[str, int] = {}
    lines = []
    for s in steps:
        d = depth.setdefault(s.node, 0)
        for i in s.inputs:
            depth.setdefault(i, d + 1)
        prefix = "  " * d + ("↳ " if d else "")
        lines.append(f"{prefix}{node_label(s.node, lang)} ← "
                     f"{', '.join(node_label(i, lang) for i in s.inputs)}")
    return "\n".join(lines)
