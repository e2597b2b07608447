"""Definition, formula and lineage (指标血缘) of one registered metric, drawn as an indented
tree: the metric at the top, each node's inputs below it, down to the source table.columns."""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QT_TR_NOOP, QCoreApplication
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from memberdesk.ui.table_model import ci_text

KIND_LABELS = {"metric": QT_TR_NOOP("metric"), "result": QT_TR_NOOP("intermediate result"),
               "derived": QT_TR_NOOP("derived column"), "column": QT_TR_NOOP("source column"),
               "parameter": QT_TR_NOOP("setting")}


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


def current_lang(widget: QWidget) -> str:
    """The UI language of the main window holding ``widget`` ("en" by default)."""
    lang = getattr(widget.window(), "lang", None)
    return lang if lang in ("en", "zh_CN") else "en"


class MetricDetails(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel(tr("Click a figure or a metric to see its definition and lineage."))
        self.text.setWordWrap(True)
        self.text.setOpenExternalLinks(False)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("Lineage: computed from"), tr("Kind")])
        self.tree.setColumnWidth(0, 320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.tree, 1)
        self.metric_id: str | None = None

    def show_metric(self, metric_id: str, lang: str = "en") -> bool:
        """Show ``metric_id``; False (and a message) if the registry does not know it."""
        try:
            from memberdesk.analysis.metrics import UNIT_LABELS, get_metric, node_kind, node_label
            metric = get_metric(metric_id)
        except (ImportError, KeyError):
            self.metric_id = None
            self.text.setText(tr("No definition is registered for “{id}”.").format(id=metric_id))
            self.tree.clear()
            return False
        self.metric_id = metric_id
        direction = {"up": tr("higher is better"), "down": tr("lower is better")}.get(
            metric.good_direction, tr("neither higher nor lower is better"))
        formula, unit, id_ = tr("Formula"), tr("Unit"), tr("Id")  # not inside f-strings: lupdate
        unit_text = UNIT_LABELS.get(metric.unit, (metric.unit, metric.unit))[1 if lang == "zh_CN" else 0]
        if metric.unit == "count":  # its measure word, as in the workbook: 人 members, 件 policies
            from memberdesk.report.sheets_overview import count_unit

            unit_text = count_unit(metric.id, lang)
        self.text.setText(
            f"<h3>{html.escape(metric.name(lang))}</h3>"
            f"<p>{html.escape(ci_text(metric.definition(lang)))}</p>"
            f"<p><b>{formula}:</b> <code>{html.escape(metric.formula_text(lang))}</code><br>"
            f"<b>{unit}:</b> {html.escape(unit_text)} · {direction}<br>"
            f"<b>{id_}:</b> <code>{html.escape(metric.id)}</code></p>")
        inputs = {step.node: step.inputs for step in metric.lineage}
        notes = {step.node: (step.note_zh if lang == "zh_CN" and step.note_zh else step.note_en)
                 for step in metric.lineage}
        self.tree.clear()

        def add(parent: Any, node: str, seen: tuple[str, ...]) -> None:
            kind = node_kind(node)
            label = node_label(node, lang)
            if label != node and kind in ("column", "derived"):
                label = f"{label}"
            item = QTreeWidgetItem([label, tr(str(KIND_LABELS.get(kind, kind)))])
            if notes.get(node):
                item.setToolTip(0, notes[node])
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            if node in seen:
                return
            for child in inputs.get(node, ()):
                add(item, child, seen + (node,))

        add(None, f"metric:{metric_id}", ())
        self.tree.expandAll()
        return True

    def lineage_labels(self) -> list[str]:
        """Every node label in the tree, depth first (for tests)."""
        out: list[str] = []

        def walk(item: QTreeWidgetItem | None) -> None:
            if item is None:
                return
            out.append(item.text(0))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return out
