"""The common frame of every chart: a pyqtgraph chart widget inside a :class:`ChartPanel`
whose toolbar exports PNG/SVG, copies the chart's numbers as TSV and toggles a table view.

A chart is a :class:`Chart` (a QWidget) that knows three things: how to draw a result
(``set_*`` methods of each subclass), which numbers it shows (:meth:`Chart.data_frame`, the
same tidy frame the table view and "Copy data" use) and what to export
(:meth:`Chart.export_target`).
"""
from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from memberdesk.ui.charts import palette as pal
from memberdesk.ui.table_model import DataFrameModel, frame_to_tsv


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


def weak_method(method: Callable[..., Any], default: Any = "") -> Callable[..., Any]:
    """``method`` (bound to a chart) as a function that holds the chart weakly (``default``
    once the chart is gone).

    For callbacks stored on pyqtgraph items (``ScatterPlotItem(tip=...)``, an axis's
    ``tickStrings``): an item holding a bound method of its chart keeps the chart alive from
    inside its own scene, and when the garbage collector frees the two together the chart can
    die in the middle of that item's destruction; its scene then clears the half-destroyed item
    (a segfault, seen as "Garbage-collecting" in pyqtgraph's collector in the UI suite).
    tests/ui/test_chart_gc_teardown.py drops every chart unclosed and collects it.
    """
    ref = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = ref()
        return default if bound is None else bound(*args, **kwargs)

    return call


def style_plot(plot: pg.PlotItem, colours: pal.ChartPalette | None = None) -> None:
    """Theme a PlotItem: axis pens, light grid, no auto SI prefixes on the y axis."""
    colours = colours or pal.current()
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(colours.foreground))
        axis.setTextPen(pg.mkPen(colours.foreground))
    plot.showGrid(x=True, y=True, alpha=colours.grid_alpha)
    plot.getAxis("left").enableAutoSIPrefix(False)
    plot.getAxis("bottom").enableAutoSIPrefix(False)


def label_style(colours: pal.ChartPalette | None = None) -> dict[str, str]:
    colours = colours or pal.current()
    return {"color": colours.foreground, "font-size": "10pt"}


class TextLegend(pg.LegendItem):
    """A legend whose names are plain text. pyqtgraph draws a label as HTML, so a level such as
    the premium band ``<1k`` vanished as an unknown tag, leaving an empty legend entry."""

    def addItem(self, item: Any, name: str) -> None:  # noqa: N802 (pyqtgraph's name)
        super().addItem(item, html.escape(str(name), quote=False))


def layout_legend_band(chart: QWidget, legend: pg.LegendItem, host: pg.GraphicsWidget,
                       view: pg.GraphicsLayoutWidget, plot: pg.PlotItem,
                       fallback_width: int, *, fit_legend_box: bool = True) -> int:
    """Legend rows in the band ``host`` above ``plot``: as many columns as fit the view's width
    (``fallback_width`` px before the view is laid out); returns the number of rows.

    The band is as tall as the rows' text (0 without a legend) — and, with ``fit_legend_box``,
    at least the legend item's own height, its layout margins included (the trend and stacked
    charts). The KM chart passes False: its band is the rows' text only, the legend's bottom
    margin resting on the plot's title row, and it holds its minimum height itself after the
    band changes (:meth:`memberdesk.ui.charts.km.KMChart._hold_minimum_height`)."""
    labels = [html.unescape(label.text) for _sample, label in legend.items]
    if not labels:
        host.setFixedHeight(0)
        return 0
    width = view.width() if view.width() > 100 else fallback_width
    metrics = QFontMetrics(chart.font())
    item = max(metrics.horizontalAdvance(t) for t in labels) + 45  # sample + gaps
    cols = int(max(1, min(len(labels), (width - 80) // item)))
    if cols != legend.columnCount:
        # pyqtgraph's setColumnCount re-lays a filled legend into stale grid rows (the band
        # came out one row short): empty it, set the count, add the entries again
        entries = [(sample.item, label.text) for sample, label in legend.items]
        legend.clear()
        legend.setColumnCount(cols)
        for entry, text in entries:  # the texts are already as drawn (escaped)
            pg.LegendItem.addItem(legend, entry, text)
    rows = -(-len(labels) // cols)
    legend.updateSize()  # pyqtgraph's updateSize sets the geometry at (0, 0): place it after
    legend.setPos(plot.getAxis("left").width() + 4, 0)  # aligned with the plot's data area
    text_height = rows * max(metrics.height() + 4, 20) + 4
    # the legend's own height (rows plus its layout margins), at least the rows' text
    host.setFixedHeight(max(legend.boundingRect().height(), text_height) if fit_legend_box
                        else text_height)
    return int(rows)


def percent_tick_strings(values: Sequence[float], spacing: float, *, floor: float | None = None,
                         cap: float | None = None) -> list[str]:
    """Tick labels of ratios as percentages (0.85 → "85%"), with as many decimals as the tick
    spacing needs; ticks below ``floor`` or above ``cap`` get no label (a share cannot be
    below 0 % or above 100 %: no "−2%" or "110%" in the padding around the data)."""
    decimals = 0 if spacing * 100 >= 1 else 1 if spacing * 100 >= 0.1 else 2
    return ["" if (cap is not None and v > cap + 1e-9) or (floor is not None and v < floor - 1e-9)
            else f"{v * 100:.{decimals}f}%" for v in values]


class ValueAxis(pg.AxisItem):
    """A value axis that can label ratios as percentages and always shows its end labels.

    pyqtgraph drops a tick label that does not fit inside the axis' bounding rectangle, and
    with the grid on that rectangle ends exactly at the plot's edges — so a "0" tick at the
    bottom edge (or "100%" at the top) vanished. A vertical :class:`ValueAxis` reaches
    :meth:`edge_room` pixels (half a text line) beyond both ends, so labels sitting on an edge
    are drawn whole, over the empty corner next to the other axis.
    """

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.percent = False
        self.max_label: float | None = None  # ticks above this value get no label
        self.min_label: float | None = None  # ticks below this value get no label

    def edge_room(self) -> float:
        """Pixels a label may reach beyond either end of a vertical axis."""
        font = self.style.get("tickFont") or self.font()
        return QFontMetrics(font).height() / 2 + 2

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        rect = super().boundingRect()
        if self.orientation in ("left", "right"):
            m = self.edge_room()
            rect = rect.adjusted(0, -m, 0, m)
        return rect

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        if not self.percent:
            return super().tickStrings(values, scale, spacing)
        return percent_tick_strings(values, spacing, floor=self.min_label, cap=self.max_label)

    def set_percent(self, on: bool = True, *, floor: float | None = 0.0,
                    cap: float | None = 1.0) -> None:
        """Label ratios as percentages, no labels outside [floor, cap] (None: no limit)."""
        self.percent = on
        self.min_label, self.max_label = (floor, cap) if on else (None, None)
        self.picture = None
        self.update()


class Chart(QWidget):
    """Base of every chart widget. Subclasses fill :attr:`view` (a GraphicsLayoutWidget)."""

    data_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colours = pal.current()
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(self.colours.background)
        self.view.ci.setContentsMargins(6, 6, 10, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._frame = pd.DataFrame()

    def add_plot(self, row: int = 0, col: int = 0, **kwargs: Any) -> pg.PlotItem:
        """A themed plot whose left axis is a :class:`ValueAxis` unless ``axisItems`` says
        otherwise."""
        axes = dict(kwargs.pop("axisItems", None) or {})
        axes.setdefault("left", ValueAxis("left"))
        plot = self.view.addPlot(row=row, col=col, axisItems=axes, **kwargs)
        style_plot(plot, self.colours)
        return plot

    def restyle(self) -> None:
        """Follow a theme switch: the current palette, background and axes of every plot (the
        page then draws its result again, so series take the new colours)."""
        self.colours = pal.current()
        self.view.setBackground(self.colours.background)
        for item in self.view.ci.items:
            if isinstance(item, pg.PlotItem):
                style_plot(item, self.colours)

    def data_frame(self) -> pd.DataFrame:
        """The numbers the chart shows (tidy, one row per point/bar/cell)."""
        return self._frame

    def _set_frame(self, frame: pd.DataFrame) -> None:
        self._frame = frame.reset_index(drop=True)
        self.data_changed.emit()

    def export_target(self) -> Any:
        """What pyqtgraph's exporters should render (the whole scene by default)."""
        return self.view.scene()

    def reset_view(self) -> None:
        """Undo zoom/pan: auto-range every plot of the layout."""
        for item in self.view.ci.items:
            if isinstance(item, pg.PlotItem):
                item.enableAutoRange()


def export_chart(chart: Any, path: str | Path) -> Path:
    """Write a chart to ``path`` as PNG (any suffix but ``.svg``) or SVG (``.svg``): a
    :class:`Chart` or :class:`ChartPanel` through pyqtgraph's image exporter / its scene, any
    other widget (a page's chart that is not a :class:`Chart`) as a picture of the widget.

    The one export path of the app (the panels' PNG…/SVG… buttons and File ▸ Export chart…).
    The image is rendered in memory and written through the one atomic-write helper
    (:func:`memberdesk.core.atomic_write.atomic_write_bytes`): a failed export (nothing to draw,
    an encoder failing, a full disk, a read-only folder) raises one ``DataError`` naming the
    file and leaves a previous file as it was — never an empty file."""
    from memberdesk.core.atomic_write import atomic_write_bytes

    path = Path(path)
    target = chart.chart if isinstance(chart, ChartPanel) else chart
    svg = path.suffix.lower() == ".svg"
    if isinstance(target, Chart):
        data = _svg_bytes(target, path) if svg else _png_bytes(target, path)
    elif isinstance(target, QWidget):
        data = _widget_svg_bytes(target, path) if svg else encode_png(target.grab(), path)
    else:
        raise TypeError(f"cannot export a {type(chart).__name__} as a chart")
    return atomic_write_bytes(path, data, what="the chart")


def encode_png(image: QImage | QPixmap, path: Path) -> bytes:
    """``image`` as PNG bytes; a null image or a failed encoding raises ``DataError`` naming
    ``path`` (the file it was meant for)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from memberdesk.core.errors import DataError

    if isinstance(image, QPixmap):  # a widget's grab()
        image = image.toImage()
    if image.isNull():
        raise DataError("the chart has nothing to draw yet (no size): nothing was written",
                        file=str(path))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; takes str
    buffer.close()
    if not saved or data.isEmpty():
        raise DataError("the image could not be encoded as PNG: nothing was written",
                        file=str(path))
    return bytes(data.data())


def _png_bytes(chart: Chart, path: Path) -> bytes:
    import pyqtgraph.exporters as exporters

    exporter = exporters.ImageExporter(chart.export_target())
    width = max(int(chart.view.width()), 800)
    exporter.parameters()["width"] = width * 2 if width < 1200 else width
    return encode_png(exporter.export(toBytes=True), path)


def _svg_document(size: QSize, title: str, paint: Any, path: Path) -> bytes:
    """An SVG of ``size`` drawn by ``paint(painter)``; an empty drawing raises ``DataError``."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtSvg import QSvgGenerator

    from memberdesk.core.errors import DataError

    if size.width() <= 0 or size.height() <= 0:
        raise DataError("the chart has nothing to draw yet (no size): nothing was written",
                        file=str(path))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title or "MemberDesk chart")
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    buffer.close()
    out = bytes(data.data())
    if b"<svg" not in out:
        raise DataError("the drawing could not be written as SVG: nothing was written",
                        file=str(path))
    return out


def _svg_bytes(chart: Chart, path: Path) -> bytes:
    """Render the chart's scene through QSvgGenerator.

    pyqtgraph 0.14's SVGExporter cannot parse the path syntax Qt >= 6.8 writes (its
    ``correctCoordinates`` raises ValueError), so the scene is rendered by Qt directly.
    """
    scene = chart.view.scene()
    rect = QRectF(chart.view.viewRect() if hasattr(chart.view, "viewRect") else scene.sceneRect())
    return _svg_document(QSize(int(rect.width()), int(rect.height())), chart.windowTitle(),
                         lambda painter: scene.render(
                             painter, QRectF(0, 0, rect.width(), rect.height()), rect), path)


def _widget_svg_bytes(widget: QWidget, path: Path) -> bytes:
    """Any widget drawn into an SVG (its own paint code: text and lines stay vector)."""
    from PySide6.QtCore import QPoint

    return _svg_document(widget.size(), widget.windowTitle(),
                         lambda painter: widget.render(painter, QPoint(0, 0)), path)


EXPORT_KINDS: tuple[str, ...] = ("png", "svg")


def export_path(parent: QWidget | None, answer: str, chosen_filter: str = "",
                kinds: Sequence[str] = EXPORT_KINDS) -> Path | None:
    """The file a Save dialog's ``answer`` means, or None when nothing is to be written.

    A name typed without one of ``kinds``' suffixes gets the suffix of the chosen filter
    (``*.svg`` in ``chosen_filter``, else the first kind). The dialog asked about replacing
    the name as typed, not that one: when it exists the user is asked here first, and None
    (keep it) unless they agree."""
    if not answer:
        return None
    path = Path(answer)
    if path.suffix.lower().lstrip(".") in kinds:
        return path
    kind = next((k for k in kinds if f"*.{k}" in chosen_filter), kinds[0])
    path = path.with_name(f"{path.name}.{kind}")
    if path.exists():
        answer_button = QMessageBox.question(
            parent, tr("Export chart"), tr("{0} already exists. Replace it?").format(path.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer_button != QMessageBox.StandardButton.Yes:
            return None
    return path


class ElidedLabel(QLabel):
    """A one-line label that shrinks with its layout, ending in "…" (full text in the tooltip),
    so a long chart title never widens the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(min(super().minimumSizeHint().width(), 60), super().minimumSizeHint().height())

    def elided_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.elided_text())


class ChartPanel(QWidget):
    """A titled chart with its toolbar: Export PNG, Export SVG, Copy data, Table, Reset zoom.

    ``charts()`` of a page returns these panels; the main window's "Export chart…" calls
    :meth:`export`.
    """

    def __init__(self, chart: Chart, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self._title = ElidedLabel(title)
        font = QFont(self._title.font())
        font.setBold(True)
        self._title.setFont(font)

        self.reset_button = self._tool(tr("Reset zoom"), tr("Show all data again after zooming or panning"))
        self.reset_button.clicked.connect(chart.reset_view)
        self.png_button = self._tool(tr("PNG…"), tr("Export the chart as a PNG image"))
        self.png_button.clicked.connect(lambda: self._ask_export("png"))
        self.svg_button = self._tool(tr("SVG…"), tr("Export the chart as an SVG drawing"))
        self.svg_button.clicked.connect(lambda: self._ask_export("svg"))
        self.copy_button = self._tool(tr("Copy data"), tr("Copy the chart's numbers (tab-separated) to the clipboard"))
        self.copy_button.clicked.connect(self.copy_data)
        self.table_button = self._tool(tr("Table"), tr("Show the chart's numbers as a table"))
        self.table_button.setCheckable(True)
        self.table_button.toggled.connect(self.set_table_mode)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        bar.addWidget(self._title)
        for b in (self.reset_button, self.png_button, self.svg_button, self.copy_button,
                  self.table_button):
            bar.addWidget(b)

        self.model = DataFrameModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table: no Tab trap
        self.stack = QStackedWidget()
        self.stack.addWidget(chart)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        chart.data_changed.connect(self._refresh_table)

    def _tool(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        return b

    def title(self) -> str:
        return self._title.text()

    def set_title(self, text: str) -> None:
        self._title.setText(text)

    def data_frame(self) -> pd.DataFrame:
        return self.chart.data_frame()

    def copy_data(self) -> str:
        """Put the chart's numbers on the clipboard as TSV; returns the text."""
        text = frame_to_tsv(self.chart.data_frame())
        QGuiApplication.clipboard().setText(text)
        return text

    def set_table_mode(self, on: bool) -> None:
        if self.table_button.isChecked() != on:
            self.table_button.setChecked(on)  # re-enters via toggled
            return
        if on:
            self._refresh_table()
        self.stack.setCurrentIndex(1 if on else 0)

    def is_table_mode(self) -> bool:
        return self.stack.currentIndex() == 1

    def _refresh_table(self) -> None:
        if self.is_table_mode() or self.table_button.isChecked():
            self.model.set_frame(self.chart.data_frame())

    def export(self, path: str | Path) -> Path:
        """Export to PNG or SVG, chosen by the file suffix."""
        return export_chart(self.chart, path)

    def _ask_export(self, kind: str) -> None:
        name = (self.title() or "chart").replace("/", "-")
        filters = tr("PNG image (*.png)") if kind == "png" else tr("SVG drawing (*.svg)")
        answer, chosen = QFileDialog.getSaveFileName(self, tr("Export chart"), f"{name}.{kind}",
                                                     filters)
        path = export_path(self, answer, chosen, (kind,))
        if path is None:
            return
        from memberdesk.core.errors import DataError

        try:
            self.export(path)
        except DataError as exc:  # names the file; a previous file is unchanged
            QMessageBox.warning(self, tr("Export chart"), str(exc))
