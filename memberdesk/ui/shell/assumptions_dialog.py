"""Analysis ▸ Assumptions… (issue 17 C.17): a form with every analysis assumption.

The dialog edits a :class:`memberdesk.core.assumptions.Assumptions` (free-look and grace days,
credibility standard, confidence level, age/premium/duration band cut-offs, Cox reference
levels). OK validates and returns the new object (:meth:`AssumptionsDialog.assumptions`);
invalid text keeps the dialog open with the reason under the form. Restore defaults fills the
form with the defaults. Every field has a mnemonic label (Alt+letter) and the tab order follows
the form, so the dialog works from the keyboard alone.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core.assumptions import Assumptions, AssumptionsError

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")

def _cuts_text(cuts: tuple[float, ...]) -> str:
    return ", ".join(f"{c:g}" for c in cuts)


def _parse_cuts(text: str, name: str) -> tuple[float, ...]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError as exc:
        raise AssumptionsError(f"{name}: numbers separated by commas") from exc
    return tuple(int(v) if v.is_integer() else v for v in values)


def _refs_text(refs: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{c} = {lv}" for c, lv in refs)


def _parse_refs(text: str) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        col, sep, level = part.partition("=")
        if not sep or not col.strip() or not level.strip():
            raise AssumptionsError("reference levels: column = level, separated by ';'")
        out[col.strip()] = level.strip()
    return tuple(sorted(out.items()))


class AssumptionsDialog(QDialog):
    """The Assumptions form (see the module docstring)."""

    def __init__(self, current: Assumptions | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assumptionsDialog")
        self.setWindowTitle(self.tr("Assumptions"))
        self.setMinimumWidth(540)  # the cut-off lists and reference levels readable in full
        self._result = current or Assumptions()
        form = QFormLayout()
        self.free_look = QSpinBox()
        self.free_look.setRange(0, 3660)
        self.free_look.setSuffix(self.tr(" days"))
        self.grace = QSpinBox()
        self.grace.setRange(0, 3660)
        self.grace.setSuffix(self.tr(" days"))
        self.cred_p = self._prob(0.5, 0.999)
        self.cred_r = self._prob(0.001, 0.999)
        self.ci_level = self._prob(0.5, 0.999)
        self.age_cuts = QLineEdit()
        self.premium_cuts = QLineEdit()
        self.duration_cuts = QLineEdit()
        self.references = QLineEdit()
        self.references.setPlaceholderText(self.tr("most frequent level (e.g. channel = agency)"))
        rows: list[tuple[str, QWidget]] = [
            (self.tr("&Free-look period:"), self.free_look),
            (self.tr("&Grace period:"), self.grace),
            (self.tr("Credibility &probability p:"), self.cred_p),
            (self.tr("Credibility &tolerance r:"), self.cred_r),
            (self.tr("&Confidence level:"), self.ci_level),
            (self.tr("&Age band cut-offs (years):"), self.age_cuts),
            (self.tr("Pre&mium band cut-offs:"), self.premium_cuts),
            (self.tr("&Duration band cut-offs (months):"), self.duration_cuts),
            (self.tr("Cox &reference levels:"), self.references),
        ]
        for text, widget in rows:
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setObjectName("assumptionsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText(
            self.tr("&Restore defaults"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        widgets = [w for _, w in rows]
        for a, b in zip(widgets, widgets[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.set_values(self._result)
        self.free_look.setFocus()

    @staticmethod
    def _prob(lo: float, hi: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(3)
        box.setRange(lo, hi)
        box.setSingleStep(0.01)
        return box

    def set_values(self, a: Assumptions) -> None:
        """Fill the form with ``a``."""
        self.free_look.setValue(a.free_look_days)
        self.grace.setValue(a.grace_days)
        self.cred_p.setValue(a.credibility_p)
        self.cred_r.setValue(a.credibility_r)
        self.ci_level.setValue(a.ci_level)
        self.age_cuts.setText(_cuts_text(a.age_cuts))
        self.premium_cuts.setText(_cuts_text(a.premium_cuts))
        self.duration_cuts.setText(_cuts_text(a.duration_cuts))
        self.references.setText(_refs_text(a.reference_levels))
        self.error.clear()

    def restore_defaults(self) -> None:
        self.set_values(Assumptions())

    def values(self) -> Assumptions:
        """The form's values as a validated :class:`Assumptions` (raises AssumptionsError)."""
        return Assumptions(
            free_look_days=self.free_look.value(), grace_days=self.grace.value(),
            credibility_p=round(self.cred_p.value(), 6), credibility_r=round(self.cred_r.value(), 6),
            ci_level=round(self.ci_level.value(), 6),
            age_cuts=_parse_cuts(self.age_cuts.text(), self.tr("age bands")),
            premium_cuts=_parse_cuts(self.premium_cuts.text(), self.tr("premium bands")),
            duration_cuts=_parse_cuts(self.duration_cuts.text(), self.tr("duration bands")),
            reference_levels=_parse_refs(self.references.text()))

    def accept(self) -> None:
        try:
            self._result = self.values()
        except AssumptionsError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    def assumptions(self) -> Assumptions:
        """The accepted assumptions (the initial ones until OK)."""
        return self._result



def changed_text(a: Assumptions) -> str:
    """Short text of the assumptions that differ from the defaults ('' when none), for the
    status bar: the labels that name a default ("95% CI") are then read against it."""
    base = Assumptions()
    parts: list[str] = []
    if a.ci_level != base.ci_level:
        parts.append(translate("AssumptionsDialog", "CI {0:g}%").format(a.ci_level * 100))
    if a.free_look_days != base.free_look_days:
        parts.append(translate("AssumptionsDialog", "free look {0} d").format(a.free_look_days))
    if a.grace_days != base.grace_days:
        parts.append(translate("AssumptionsDialog", "grace {0} d").format(a.grace_days))
    if (a.credibility_p, a.credibility_r) != (base.credibility_p, base.credibility_r):
        parts.append(translate("AssumptionsDialog", "credibility p={0:g}, r={1:g}").format(
            a.credibility_p, a.credibility_r))
    if (a.age_cuts, a.premium_cuts, a.duration_cuts) != (base.age_cuts, base.premium_cuts,
                                                          base.duration_cuts):
        parts.append(translate("AssumptionsDialog", "own bands"))
    if a.reference_levels:
        parts.append(translate("AssumptionsDialog", "reference levels {0}").format(
            ", ".join(f"{c}={lv}" for c, lv in a.reference_levels)))
    if not parts:
        return ""
    return translate("AssumptionsDialog", "Assumptions: {0}").format("; ".join(parts))


def update_status(window: Any) -> None:
    """Show the changed assumptions in the window's status bar (hidden when all are defaults)."""
    label = getattr(window, "assumptions_label", None)
    if label is None:
        return
    text = changed_text(getattr(window, "assumptions", Assumptions()))
    label.setText(text)
    label.setVisible(bool(text))


def install(window: Any) -> QMenu:
    """Add Analysis ▸ Assumptions… to ``window``'s menu bar (before Help). Choosing it opens the
    dialog on ``window.assumptions`` and, on OK, calls ``window.set_assumptions(new)``."""
    bar: QMenuBar = window.menuBar()
    menu = QMenu(translate("AssumptionsDialog", "&Analysis"), bar)
    menu.setObjectName("analysisMenu")
    existing = bar.actions()
    if existing:  # before the last menu (Help)
        bar.insertMenu(existing[-1], menu)
    else:
        bar.addMenu(menu)
    action = menu.addAction(translate("AssumptionsDialog", "A&ssumptions…"))
    action.setObjectName("assumptionsAction")

    def ask() -> None:
        dialog = AssumptionsDialog(getattr(window, "assumptions", None), window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            window.set_assumptions(dialog.assumptions())

    action.triggered.connect(ask)
    label = QLabel()
    label.setObjectName("assumptionsStatus")
    label.setVisible(False)
    window.statusBar().addPermanentWidget(label)
    window.assumptions_label = label
    return menu
