"""Dashboard sheet (issue 17 B.3): the one page a board reads first.

Presents :func:`memberdesk.analysis.kpis.compute_kpis` as KPI tiles (value, change against the
previous value — percentage points for ratios, per cent otherwise — an arrow ▲/▼ coloured by the
metric's good direction from the metrics registry, and the KPI result's own 12-point trend as a
small native line chart), the top movers of 13th-month persistency by the report segment
(:func:`memberdesk.analysis.persistency.persistency_for_periods`, rolling 12 months: the latest
window against the one 12 months earlier), three generated sentences of commentary in the
report's language, the active alarms of the early-warning analysis
(:func:`memberdesk.analysis.alerts.engine.compute_alerts`, shared with the Alerts sheet) and,
with ``--targets FILE``, each tile's target and a status icon.

Targets file: CSV with columns ``metric`` (a KPI id), ``target``, ``amber``, ``red`` (values in
the KPI's unit: ratios as fractions, 0.9 = 90%). A tile is green (●) at or better than
``target``, red (■) at or worse than ``red`` and amber (▲) in between; "better" is higher for
a KPI whose good direction is up, lower for one whose good direction is down. ``amber`` is
read for the reader's file format (metric, target, amber, red) but the status needs only the
two ends.

Nothing is recomputed here: changes are differences of the result's own value and previous.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from memberdesk.core.changes import shows_zero
from memberdesk.core.errors import DataError
from memberdesk.report import analysis_terms as terms
from memberdesk.report import styles
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.safety import write_cell

# KPIs on the tiles, in reading order (ids of the metrics registry); those the data cannot
# feed (value None) are skipped, at most MAX_TILES are shown.
TILE_KPIS: tuple[str, ...] = (
    "in_force_policies", "in_force_premium", "new_business_policies", "new_business_premium",
    "persistency_13", "persistency_25", "lapse_rate_annualised", "benefit_usage_rate", "csat",
    "median_claim_settlement_days", "in_force_members", "human_connection_rate",
    "bot_replacement_rate", "median_policy_lifetime_months")
MAX_TILES = 10
TILES_PER_ROW = 5
TILE_COLS = 3  # columns per tile, then one spacer column
TILE_COL_WIDTH = 4.2
SPACER_WIDTH = 0.8
CHART_ROWS = 3
MOVERS = 4
MAX_ALARMS = 2
FULL_COLS = TILES_PER_ROW * (TILE_COLS + 1) - 1  # the printed width in columns
SMALL_COHORT = 30  # cohorts smaller than this are not called movers (noise)

GOOD = "1E7B34"
BAD = "C00000"
NEUTRAL = "595959"
AMBER = "C65911"
TILE_FILL = PatternFill("solid", fgColor="F2F6FC")
TILE_SIDE = Side(style="thin", color="BDD7EE")
NAME_FONT = Font(name=styles.FONT_NAME, size=8, bold=True, color=styles.GREY)
VALUE_FONT = Font(name=styles.FONT_NAME, size=16, bold=True, color=styles.NAVY)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# a tile's value on one line, shrunk to the tile when too wide: wrapped in its fixed-height
# row, the Chinese "76.8百万" printed as "76.8百" over a cut-off "万"
VALUE_ALIGN = Alignment(horizontal="center", vertical="center", shrink_to_fit=True)
# the change under it likewise: wrapped, "▲ +1.5个百分点" printed "▲ +1.5个百分" over "点"
CHANGE_ALIGN = VALUE_ALIGN

TEXT: dict[str, dict[str, str]] = {
    "tiles": {"en": "Key figures (change against {previous})",
              "zh_CN": "关键指标（与{previous}相比）"},
    "commentary": {"en": "Commentary", "zh_CN": "要点"},
    "filters": {"en": "Filtered: {filters}", "zh_CN": "已筛选：{filters}"},
    "movers": {"en": "Top movers: 13th-month persistency by {segment} (rolling 12 months to {to}, "
                     "against 12 months earlier)",
               "zh_CN": "变动最大：按{segment}的13个月继续率（滚动12个月至{to}，与12个月前相比）"},
    "no_movers": {"en": "No segment has two comparable rolling windows of at least {n} policies.",
                  "zh_CN": "没有分组具备两个可比的滚动窗口（每个至少{n}件保单）。"},
    "alarms": {"en": "Alarms (early warning)", "zh_CN": "预警（报警）"},
    "no_alarms": {"en": "No alarm is active.", "zh_CN": "当前没有报警。"},
    "more_alarms": {"en": "… and {n} more on the Alerts sheet.",
                    "zh_CN": "……另有{n}条，见“预警”表。"},
    "target": {"en": "target {target}", "zh_CN": "目标 {target}"},
    "unknown_targets": {"en": "Targets file: no KPI named {ids} (ignored).",
                        "zh_CN": "目标文件：没有名为 {ids} 的指标（已忽略）。"},
    "up": {"en": "rose", "zh_CN": "上升"},
    "stock_up": {"en": "up", "zh_CN": "增长"},
    "stock_down": {"en": "down", "zh_CN": "减少"},
    "down": {"en": "fell", "zh_CN": "下降"},
    "flat": {"en": "was unchanged", "zh_CN": "持平"},
    "s_stock": {"en": "{name} stood at {value}, {move} {change} on a year earlier.",
                "zh_CN": "{name}为{value}，较上年{move}{change}。"},
    "s_worst": {"en": "{name} {move} {change} to {value} against a year earlier.",
                "zh_CN": "{name}较上年{move}{change}，至{value}。"},
    "s_mover": {"en": "13th-month persistency in {segment} {move} {change} against a year earlier "
                      "(to {value}).",
                "zh_CN": "{segment}的13个月继续率较上年{move}{change}（至{value}）。"},
    "pp": {"en": "{x:.1f} pp", "zh_CN": "{x:.1f}个百分点"},
    "segment": {"en": "Segment", "zh_CN": "分组"},
    "current": {"en": "Latest (%)", "zh_CN": "最新（%）"},
    "previous": {"en": "12 months earlier (%)", "zh_CN": "12个月前（%）"},
    "change": {"en": "Change (pp)", "zh_CN": "变动（百分点）"},
    "cohort": {"en": "Cohort policies (number)", "zh_CN": "队列保单数（件）"},
    "trend_data": {"en": "KPI trends, 12 month-ends (tile chart data, not printed)",
                   "zh_CN": "指标趋势，12个月末（图块图表数据，不打印）"},
}


def t(key: str, lang: str, **fields: object) -> str:
    entry = TEXT[key]
    value = entry.get(lang) or entry["en"]
    return value.format(**fields) if fields else value


@dataclass(frozen=True)
class Tile:
    """What one tile shows (all from the KPI result and the registry)."""

    id: str
    name: str
    value: float
    previous: float | None
    unit: str
    good: str  # up / down / neutral
    trend: pd.Series

    @property
    def change(self) -> float | None:
        """pp for ratios (0.012 = 1.2 pp, kept as a fraction), relative change otherwise."""
        if self.previous is None:
            return None
        if self.unit == "ratio":
            return self.value - self.previous
        return None if self.previous == 0 else self.value / self.previous - 1.0

    def colour(self) -> str:
        c = self.change
        if c is None or shows_zero(c) or self.good == "neutral":
            return NEUTRAL
        return GOOD if (c > 0) == (self.good == "up") else BAD


# the unit a tile's duration prints after its number (a bare "7.0" said nothing of days)
DURATION_WORDS: dict[str, dict[str, str]] = {"days": {"en": " days", "zh_CN": "天"},
                                             "months": {"en": " months", "zh_CN": "个月"}}


def value_format(unit: str, lang: str = "en") -> str:
    """Money in millions (a tile is narrow; the exact figure is on the Summary sheet);
    durations with their unit ("7.0 days", "7.0天")."""
    if unit == "CNY":
        return '#,##0.0,,"百万"' if lang == "zh_CN" else '#,##0.0,," m"'
    if unit in DURATION_WORDS:
        words = DURATION_WORDS[unit]
        return f'0.0"{words.get(lang, words["en"])}"'
    return {"ratio": "0.0%"}.get(unit, "#,##0")


def format_value(value: float, unit: str, lang: str) -> str:
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "CNY":
        return f"{value / 1e6:,.1f}百万" if lang == "zh_CN" else f"{value / 1e6:,.1f} m"
    if unit in DURATION_WORDS:
        words = DURATION_WORDS[unit]
        return f"{value:.1f}{words.get(lang, words['en'])}"
    return f"{value:,.0f}"


def format_change(tile: Tile, lang: str) -> str:
    c = tile.change
    if c is None:
        return "—"
    if tile.unit == "ratio":
        return t("pp", lang, x=abs(c) * 100)
    return f"{abs(c):.1%}"


def arrow_text(tile: Tile, lang: str) -> str:
    c = tile.change
    if c is None:
        return "—"
    if shows_zero(c):
        return f"■ {format_change(tile, lang)}"
    arrow = "▲" if c > 0 else "▼"
    sign = "+" if c > 0 else "−"
    return f"{arrow} {sign}{format_change(tile, lang)}"


def tiles_of(result: Any, lang: str) -> list[Tile]:
    from memberdesk.analysis.metrics import get_metric

    by_id = {k.id: k for k in result.kpis}
    out = []
    for kid in TILE_KPIS:
        k = by_id.get(kid)
        if k is None or k.value is None:
            continue
        try:
            metric = get_metric(kid)
            name, good = metric.name(lang), metric.good_direction
        except KeyError:
            name, good = k.name, "neutral"
        out.append(Tile(kid, name, float(k.value), None if k.previous is None else float(k.previous),
                        k.unit, good, k.trend))
        if len(out) == MAX_TILES:
            break
    return out


def read_targets(path: str) -> pd.DataFrame:
    """The targets CSV (metric, target, amber, red); DataError naming the file when unusable."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the targets file ({exc})", file=str(path)) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("metric", "target", "amber", "red") if c not in frame.columns]
    if missing:
        raise DataError(f"the targets file needs the columns metric, target, amber, red "
                        f"(missing: {', '.join(missing)})", file=str(path))
    for col in ("target", "amber", "red"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    if frame[["target", "red"]].isna().any().any():
        raise DataError("the targets file has a target or red value that is not a number",
                        file=str(path))
    frame["metric"] = frame["metric"].astype(str).str.strip()
    return frame.set_index("metric")


def target_status(tile: Tile, target: float, red: float) -> str:
    """green (at or better than target), red (at or worse than red), amber between."""
    better = (lambda a, b: a >= b) if tile.good != "down" else (lambda a, b: a <= b)
    if better(tile.value, target):
        return "green"
    if better(red, tile.value):
        return "red"
    return "amber"


STATUS_ICON = {"green": ("●", GOOD), "amber": ("◆", AMBER), "red": ("■", BAD)}


# ---- the sheet ------------------------------------------------------------------------------

def build_dashboard(ctx: ReportContext, w: SheetWriter) -> None:
    """KPI tiles, commentary, top movers and alarms on one printed page at 100 %."""
    from memberdesk.analysis.kpis import compute_kpis

    lang = ctx.lang
    w.page_breaks = False  # one fixed portrait page: no breaks computed for landscape
    result = ctx.cache.get("kpis") or compute_kpis(ctx.ds)
    ctx.cache["kpis"] = result
    tiles = tiles_of(result, lang)
    ws = w.ws
    for i in range(TILES_PER_ROW * (TILE_COLS + 1)):
        w.fixed_widths[i + 1] = SPACER_WIDTH if (i + 1) % (TILE_COLS + 1) == 0 else TILE_COL_WIDTH
    targets = read_targets(ctx.options.targets) if ctx.options.targets else None
    from memberdesk.report.sheets_overview import filter_lines

    filters = filter_lines(ctx.ds.filters, ctx)
    if filters:  # a filtered book says so on its first page
        write_cell(ws, w.row, 1, t("filters", lang, filters="; ".join(filters))).font = \
            Font(name=styles.FONT_NAME, size=9, bold=True, color=AMBER)
        w.row += 1
    previous = pd.Timestamp(result.previous_as_of).date().isoformat()
    w.section(t("tiles", lang, previous=previous))
    tile_rows = 4 + CHART_ROWS  # name, value, change, target/status, chart
    first = w.row
    positions = []
    for i, tile in enumerate(tiles):
        r = first + (i // TILES_PER_ROW) * (tile_rows + 1)
        c = 1 + (i % TILES_PER_ROW) * (TILE_COLS + 1)
        positions.append((r, c))
        _tile(ws, tile, r, c, lang, targets)
    n_rows = -(-len(tiles) // TILES_PER_ROW)
    w.row = first + n_rows * (tile_rows + 1)
    if targets is not None:
        unknown = sorted(set(targets.index) - {tl.id for tl in tiles})
        if unknown:
            w.note(t("unknown_targets", lang, ids=", ".join(unknown)))
    movers = _movers(ctx)
    w.section(t("commentary", lang))
    for sentence in commentary(tiles, movers, ctx):
        _line(ws, w.row, "• " + sentence, styles.BODY_FONT)
        w.row += 1
    w.row += 1
    _alarms(ctx, w)
    _movers_table(ctx, w, movers)
    w.end_print_area()
    # the trends the tile charts draw: to the right of the printed page, in their own columns
    # (the tiles' narrow columns would show them as #####)
    end = w.row
    w.row = first
    data_col = FULL_COLS + 3
    write_cell(ws, w.row, data_col, t("trend_data", lang)).font = styles.SECTION_FONT
    w.row += 1
    trend = _trend_frame(tiles)
    ref = w.table(trend, labels={tl.id: tl.name for tl in tiles}, first_col=data_col,
                  formats={"month": "date", **{tl.id: "num" for tl in tiles}})
    w.row = end
    for tile, (r, c) in zip(tiles, positions):
        _spark(ws, ref, tile, r + 4, c)
    _defined_names(ws, tiles, positions)
    ws.sheet_view.showGridLines = False


def _tile(ws: Any, tile: Tile, r: int, c: int, lang: str, targets: pd.DataFrame | None) -> None:
    last = c + TILE_COLS - 1
    for rr in range(r, r + 4 + CHART_ROWS):
        for cc in range(c, last + 1):
            cell = ws.cell(rr, cc)
            cell.fill = TILE_FILL
            cell.border = Border(left=TILE_SIDE if cc == c else None,
                                 right=TILE_SIDE if cc == last else None,
                                 top=TILE_SIDE if rr == r else None,
                                 bottom=TILE_SIDE if rr == r + 3 + CHART_ROWS else None)
    for offset in range(4):
        ws.merge_cells(start_row=r + offset, start_column=c, end_row=r + offset, end_column=last)
    name = write_cell(ws, r, c, tile.name)
    name.font, name.alignment = name_font(tile.name, lang), CENTER
    ws.row_dimensions[r].height = 26
    value = write_cell(ws, r + 1, c, tile.value)
    value.number_format = value_format(tile.unit, lang)
    value.font, value.alignment = VALUE_FONT, VALUE_ALIGN
    ws.row_dimensions[r + 1].height = 26
    change = write_cell(ws, r + 2, c, arrow_text(tile, lang))
    change.font = Font(name=styles.FONT_NAME, size=10, bold=True, color=tile.colour())
    change.alignment = CHANGE_ALIGN
    if targets is not None and tile.id in targets.index:
        row = targets.loc[tile.id]
        status = target_status(tile, float(row["target"]), float(row["red"]))
        icon, colour = STATUS_ICON[status]
        text = f"{icon} " + t("target", lang, target=format_value(float(row["target"]), tile.unit, lang))
        cell = write_cell(ws, r + 3, c, text)
        cell.font = Font(name=styles.FONT_NAME, size=9, bold=True, color=colour)
        cell.alignment = CENTER


NAME_SIZES = (8.0, 7.5, 7.0)  # a tile name's font, largest first


def name_breaks_whole(text: str, size: float, lang: str) -> bool:
    """Whether a tile name wraps between words (or not at all) at ``size`` pt in the tile's
    width, as LibreOffice and as Excel print it."""
    rooms = styles.printed_rooms(TILE_COL_WIDTH * TILE_COLS)
    return not any(styles.splits_a_word(text, styles.printed_breaks(
        text, room, size, bold=True, lang=lang, program=program))
        for program, widths in rooms.items() for room in widths)


def name_font(text: str, lang: str) -> Font:
    """The tile name's font: the largest size at which the name breaks between words, not
    inside one ("理赔结案时效中位" over a lone "数" at 8 pt fits one line at 7 pt)."""
    size = next((x for x in NAME_SIZES if name_breaks_whole(text, x, lang)), NAME_SIZES[-1])
    return NAME_FONT if size == NAME_FONT.sz else Font(name=styles.FONT_NAME, size=size,
                                                       bold=True, color=styles.GREY)


def _trend_frame(tiles: list[Tile]) -> pd.DataFrame:
    index = None
    for tile in tiles:
        if len(tile.trend):
            index = pd.DatetimeIndex(tile.trend.index)
            break
    frame = pd.DataFrame({"month": [] if index is None else list(index)})
    for tile in tiles:
        values = tile.trend.reindex(index) if index is not None else pd.Series(dtype=float)
        frame[tile.id] = [None if pd.isna(v) else float(v) for v in values]
    return frame


def _spark(ws: Any, ref: Any, tile: Tile, row: int, col: int) -> None:
    """A small line chart of the tile's trend, no axes or legend, inside the tile."""
    if ref.n_rows < 2 or all(ws.cell(r, ref.col(tile.id)).value is None
                             for r in range(ref.first_row, ref.last_row + 1)):
        return
    chart = LineChart()
    data = Reference(ws, min_col=ref.col(tile.id), max_col=ref.col(tile.id),
                     min_row=ref.first_row, max_row=ref.last_row)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=ref.col("month"), max_col=ref.col("month"),
                                   min_row=ref.first_row, max_row=ref.last_row))
    series = chart.series[0]
    series.marker.symbol = "none"
    series.smooth = False
    series.graphicalProperties.line.solidFill = tile.colour() if tile.colour() != NEUTRAL else styles.BLUE
    series.graphicalProperties.line.width = 19000
    chart.legend = None
    chart.x_axis.delete = True
    chart.y_axis.delete = True
    chart.y_axis.majorGridlines = None
    chart.width = TILE_COLS * TILE_COL_WIDTH * 0.19
    chart.height = CHART_ROWS * 0.53
    chart.graphical_properties = None
    ws.add_chart(chart, f"{get_column_letter(col)}{row}")


def _defined_names(ws: Any, tiles: list[Tile], positions: list[tuple[int, int]]) -> None:
    """KPI_<id> names the tile's value cell, so a board pack can link to it."""
    wb = ws.parent
    for tile, (r, c) in zip(tiles, positions):
        name = f"KPI_{tile.id}"
        ref = f"'{ws.title}'!${get_column_letter(c)}${r + 1}"
        if name in wb.defined_names:
            del wb.defined_names[name]
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


# ---- movers, commentary, alarms ---------------------------------------------------------------

@dataclass(frozen=True)
class Mover:
    segment: str
    current: float
    previous: float
    cohort: int

    @property
    def change(self) -> float:
        return self.current - self.previous


def _movers(ctx: ReportContext) -> tuple[list[Mover], str]:
    """Segments of the report segment with the largest change of the rolling-12-month
    13th-month persistency (premium) between the latest window and the one 12 months before."""
    from memberdesk.analysis.persistency import persistency_for_periods

    seg = ctx.segment
    p = ctx.ds.policies
    if seg is None or p is None or seg not in p.columns:
        return [], ""
    frame = persistency_for_periods(ctx.ds, month=13, periods=("rolling12",), by=seg)["rolling12"].frame
    if frame.empty:
        return [], ""
    ends = pd.to_datetime(frame["period_end"])
    latest = ends.max()
    year_before = latest - pd.DateOffset(months=12)
    cur = frame[ends == latest].set_index("segment")
    prev = frame[(ends.dt.year == year_before.year) & (ends.dt.month == year_before.month)]
    prev = prev.set_index("segment")
    out = []
    for s in cur.index:
        if s == "All" or s not in prev.index:
            continue
        a, b = cur.loc[s], prev.loc[s]
        if min(int(a["cohort_count"]), int(b["cohort_count"])) < SMALL_COHORT:
            continue
        if pd.isna(a["ratio_premium"]) or pd.isna(b["ratio_premium"]):
            continue
        out.append(Mover(str(s), float(a["ratio_premium"]), float(b["ratio_premium"]),
                         int(a["cohort_count"])))
    out.sort(key=lambda m: -abs(m.change))
    return out[:MOVERS], latest.strftime("%Y-%m")


def commentary(tiles: list[Tile], movers: tuple[list[Mover], str], ctx: ReportContext) -> list[str]:
    """Three sentences: the book's size, the ratio KPI that moved most against its good
    direction (else the one that moved most), and the segment that moved most."""
    lang = ctx.lang
    out = []

    def move(c: float | None) -> str:
        return t("flat", lang) if c is None or shows_zero(c) else t("up" if c > 0 else "down", lang)

    stock = next((tl for tl in tiles if tl.id == "in_force_policies"), tiles[0] if tiles else None)
    if stock is not None:
        c = stock.change
        out.append(t("s_stock", lang, name=stock.name, value=format_value(stock.value, stock.unit, lang)
                     + ("件" if lang == "zh_CN" and stock.unit == "count" else ""),
                     move=t("flat", lang) if c is None or shows_zero(c)
                     else t("stock_up" if c > 0 else "stock_down", lang),
                     change=format_change(stock, lang)))
    ratios = [tl for tl in tiles if tl.unit == "ratio" and tl.change is not None]
    if ratios:
        def badness(tl: Tile) -> float:
            c = tl.change or 0.0
            return -c if tl.good == "up" else c if tl.good == "down" else 0.0
        worst = max(ratios, key=lambda tl: (badness(tl), abs(tl.change or 0.0)))
        out.append(t("s_worst", lang, name=worst.name, move=move(worst.change),
                     change=format_change(worst, lang), value=format_value(worst.value, "ratio", lang)))
    found, _ = movers
    if found:
        m = found[0]
        out.append(t("s_mover", lang, segment=terms.word(m.segment, lang), move=move(m.change),
                     change=t("pp", lang, x=abs(m.change) * 100), value=f"{m.current:.1%}"))
    return out[:3]


def _alarms(ctx: ReportContext, w: SheetWriter) -> None:
    """Active alarms of the early-warning analysis (the Alerts sheet has the details)."""
    from memberdesk.report.sheets_alerts import summary_lines

    lines = summary_lines(ctx)
    w.section(t("alarms", ctx.lang))
    if not lines:
        w.note(t("no_alarms", ctx.lang))
        return
    for line in lines[:MAX_ALARMS]:
        _line(w.ws, w.row, "■ " + line, Font(name=styles.FONT_NAME, size=10, bold=True, color=BAD))
        w.row += 1
    if len(lines) > MAX_ALARMS:
        w.note(t("more_alarms", ctx.lang, n=len(lines) - MAX_ALARMS))
    else:
        w.row += 1


def _line(ws: Any, row: int, text: str, font: Font) -> None:
    """A line of text across the printed width (merged, wrapped when long)."""
    cell = write_cell(ws, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=FULL_COLS)
    per_line = FULL_COLS * TILE_COL_WIDTH * 1.05
    lines = max(1, -(-int(styles.display_width(text)) // int(per_line)))
    if lines > 1:
        ws.row_dimensions[row].height = 13.5 * lines + 1


def _movers_table(ctx: ReportContext, w: SheetWriter, movers: tuple[list[Mover], str]) -> None:
    """The movers as a compact block: every field three tile columns wide (the tile grid's
    narrow columns would cut the segment names)."""
    found, to = movers
    lang = ctx.lang
    if ctx.segment is None:
        return
    _line(w.ws, w.row, t("movers", lang, segment=ctx.label(ctx.segment), to=to or "—"),
          styles.SECTION_FONT)
    w.row += 1
    if not found:
        w.note(t("no_movers", lang, n=SMALL_COHORT))
        return
    ws = w.ws
    keys = ("segment", "current", "previous", "change", "cohort")
    formats = ("General", "0.0%", "0.0%", '+0.0;−0.0;0.0', "#,##0")
    for j, key in enumerate(keys):
        c = 1 + j * TILE_COLS
        cell = write_cell(ws, w.row, c, t(key, lang))
        cell.font, cell.fill, cell.alignment = styles.HEADER_FONT, styles.HEADER_FILL, CENTER
        ws.merge_cells(start_row=w.row, start_column=c, end_row=w.row, end_column=c + TILE_COLS - 1)
    ws.row_dimensions[w.row].height = 27
    w.row += 1
    for m in found:
        change = 0.0 if shows_zero(m.change) else m.change * 100  # never "−0.0"
        values = (terms.word(m.segment, lang), m.current, m.previous, change, m.cohort)
        for j, value in enumerate(values):
            c = 1 + j * TILE_COLS
            cell = write_cell(ws, w.row, c, value)
            cell.number_format = formats[j]
            colour = None
            if keys[j] == "change" and value:
                colour = GOOD if value > 0 else BAD
            cell.font = Font(name=styles.FONT_NAME, size=10, color=colour)
            cell.alignment = Alignment(horizontal="left" if j == 0 else "right")
            ws.merge_cells(start_row=w.row, start_column=c, end_row=w.row,
                           end_column=c + TILE_COLS - 1)
        w.row += 1
    w.row += 1
