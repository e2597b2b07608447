"""Result tables show readable headers, not column ids: the one label catalogue
(memberdesk/core/labels.py) shared with the report, units included."""
from __future__ import annotations

import pandas as pd

from memberdesk.ui.i18n import column_label
from memberdesk.ui.table_model import DataFrameModel


def test_english_headers_are_readable(qapp: object) -> None:
    assert column_label("ci_lower") == "95% CI lower"
    assert column_label("hazard_ratio") == "Hazard ratio"
    assert column_label("cohort_count") == "Cohort policies (number)"  # as in the workbook
    assert column_label("ae") == "A/E (%)"
    # a source column from the user's file is shown as it was written
    assert column_label("保单号") == "保单号"
    assert column_label("Policy Year") == "Policy Year"


def test_table_model_uses_the_labels(qapp: object) -> None:
    from PySide6.QtCore import Qt

    model = DataFrameModel(pd.DataFrame({"p_value": [0.01], "at_risk": [3]}))
    headers = [model.headerData(i, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
               for i in range(2)]
    assert headers == ["p-value", "At risk (number)"]
