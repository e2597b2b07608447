"""A page control's value as workspace JSON, and back.

Supported controls: :class:`QComboBox` (the current item's data, or its text when the combo's
items carry no data), :class:`QSpinBox`/:class:`QDoubleSpinBox` (value), checkable buttons
(:class:`QCheckBox`…: checked), :class:`QLineEdit` (text) and checkable lists built with
:func:`memberdesk.ui.pages.base.fill_column_checklist` (the ticked items' ids, in list order).

:func:`apply_value` sets a value without change signals and answers whether it could: a combo
item or list that does not exist yet (its items come with the data) cannot take it, the page
keeps the value and applies it when its data arrive.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QWidget,
)

JSON_SCALARS = (str, int, float, bool, type(None))


def supports(widget: QWidget) -> bool:
    """True for the controls whose value this module can read and set."""
    if isinstance(widget, QAbstractButton):
        return widget.isCheckable()
    return isinstance(widget, (QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit, QListWidget))


def control_value(widget: QWidget) -> Any:
    """The control's current value as a JSON value (see the module docstring)."""
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        if data is None and not _has_data(widget):
            return widget.currentText() if widget.currentIndex() >= 0 else None
        return data if isinstance(data, JSON_SCALARS) else widget.currentText()
    if isinstance(widget, QDoubleSpinBox):
        return float(widget.value())
    if isinstance(widget, QSpinBox):
        return int(widget.value())
    if isinstance(widget, QAbstractButton):
        return bool(widget.isChecked())
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QListWidget):
        return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
                if widget.item(i).checkState() == Qt.CheckState.Checked]
    raise TypeError(f"cannot keep the state of a {type(widget).__name__}")


def apply_value(widget: QWidget, value: Any) -> bool:
    """Show ``value`` in the control without change signals. False when it cannot be shown
    yet (no such combo item, an empty list) or is of the wrong kind for the control."""
    if isinstance(widget, QComboBox):
        index = combo_index(widget, value)
        if index < 0:
            return False
        _quietly(widget, lambda: widget.setCurrentIndex(index))
        return True
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if isinstance(widget, QDoubleSpinBox):
            _quietly(widget, lambda: widget.setValue(float(value)))
        else:
            _quietly(widget, lambda: widget.setValue(int(round(value))))
        return True
    if isinstance(widget, QAbstractButton):
        if not isinstance(value, bool):
            return False
        _quietly(widget, lambda: widget.setChecked(value))
        return True
    if isinstance(widget, QLineEdit):
        if not isinstance(value, str):
            return False
        _quietly(widget, lambda: widget.setText(value))
        return True
    if isinstance(widget, QListWidget):
        if not isinstance(value, list) or widget.count() == 0:
            return False
        wanted = set(str(v) for v in value)

        def tick() -> None:
            for i in range(widget.count()):
                item = widget.item(i)
                ticked = str(item.data(Qt.ItemDataRole.UserRole)) in wanted
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

        _quietly(widget, tick)
        return True
    return False


def combo_index(box: QComboBox, value: Any) -> int:
    """The index of the item whose data is ``value`` (None matches an item without data), else
    of the item whose text is ``value``; -1 when there is none."""
    for i in range(box.count()):
        if _same(box.itemData(i), value):
            return i
    if isinstance(value, str):
        return box.findText(value, Qt.MatchFlag.MatchExactly)
    return -1


def change_signal(widget: QWidget) -> SignalInstance:
    """The signal a control emits when the user changes its value."""
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QAbstractSpinBox):
        return widget.valueChanged  # type: ignore[attr-defined]
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QListWidget):
        return widget.itemChanged
    raise TypeError(f"cannot keep the state of a {type(widget).__name__}")


def _has_data(box: QComboBox) -> bool:
    return any(box.itemData(i) is not None for i in range(box.count()))


def _same(data: Any, value: Any) -> bool:
    if data is None or value is None:
        return data is None and value is None
    if isinstance(data, bool) != isinstance(value, bool):
        return False
    if isinstance(data, (int, float)) and isinstance(value, (int, float)):
        return float(data) == float(value)  # JSON keeps 12.0 as 12.0, 13 as 13
    return type(data) is type(value) and data == value


def _quietly(widget: QWidget, change: Any) -> None:
    blocked = widget.blockSignals(True)
    try:
        change()
    finally:
        widget.blockSignals(blocked)
