"""A chart freed by the garbage collector dies whole (the UI suite's segfault in pyqtgraph's
GarbageCollector, issue 17).

Found with gdb on the suite: the GUI-thread collection freed a FunnelChart together with its
plot items. A ScatterPlotItem held ``tip=self._tip`` — a bound method of the chart — so the
chart's last reference went away in the middle of that item's C++ destruction; the chart's
scene then cleared the half-destroyed item (``QGraphicsScene::clear`` via
``~QGraphicsScene``, from ``method_dealloc`` inside ``~QGraphicsItem``): a segfault, every time
an unclosed funnel chart was collected. The heatmap's colour-bar axis held
``tickStrings = self._colour_bar_ticks`` the same way. Such callbacks now hold the chart weakly
(``charts.base.weak_method``).

The crash kills the process, so the charts are dropped and collected in a child process.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, importlib, inspect, pkgutil
import numpy as np, pandas as pd
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
import memberdesk.ui.charts as charts
from memberdesk.ui.charts.funnel import FunnelChart
from memberdesk.ui.charts.heatmap import HeatmapChart
gc.disable()
collected = []
for info in pkgutil.iter_modules(charts.__path__):
    module = importlib.import_module("memberdesk.ui.charts." + info.name)
    for name, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__ or not issubclass(cls, QWidget):
            continue
        try:
            chart = cls()
        except TypeError:   # needs arguments (a panel around a chart)
            continue
        del chart           # never shown, never closed: only the collector frees it
        gc.collect()
        collected.append(name)
# the review's funnel: points, limit curves, a marked alarm, drawn twice
n = np.linspace(150.0, 1620.0, 50)
se = np.sqrt(0.02 * 0.98 / n)
curve = pd.DataFrame({"n": n, "lower_alarm": 0.02 - 3.09 * se, "lower_alert": 0.02 - 1.96 * se,
                      "target": 0.02, "upper_alert": 0.02 + 1.96 * se,
                      "upper_alarm": 0.02 + 3.09 * se})
points = pd.DataFrame({"segment": ["a", "b", "broker"], "n": [900.0, 1200.0, 950.0],
                       "value": [0.01, 0.021, 0.09], "level": [None, None, "alarm"]})
for _ in range(3):
    chart = FunnelChart()
    chart.set_funnel(points, curve)
    chart.mark_alert(343.0, 0.0904, "alarm", "alarm")
    chart.set_funnel(points, curve)
    del chart
    gc.collect()
    heat = HeatmapChart()
    heat.set_matrix(pd.DataFrame([[0.1, 0.2], [0.3, np.nan]], index=["x", "y"], columns=[1, 2]))
    del heat
    gc.collect()
print("collected", " ".join(collected), flush=True)
"""


def test_every_chart_dropped_unclosed_is_collected_without_a_crash() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = proc.stdout.split("collected", 1)[1].split()
    assert {"FunnelChart", "HeatmapChart", "KMChart", "TrendChart"} <= set(names)


def test_tooltips_and_ticks_still_reach_the_chart_and_let_it_go(qtbot) -> None:
    import gc

    import pandas as pd

    from memberdesk.ui.charts.funnel import FunnelChart
    from memberdesk.ui.charts.heatmap import HeatmapChart

    chart = FunnelChart()
    tip = chart.points.opts["tip"]
    assert tip(900.0, 0.021, ("b", "")) == "b\n2.1%\nn = 900"   # the chart's own words
    heat = HeatmapChart()
    heat.set_matrix(pd.DataFrame([[0.1, 0.2]], index=["x"], columns=[1, 2]))
    ticks = heat.colour_bar.axis.tickStrings
    assert ticks([0.1, 0.2], 1.0, 0.1) == heat._colour_bar_ticks([0.1, 0.2], 1.0, 0.1)
    chart.close()
    chart.deleteLater()
    heat.close()
    heat.deleteLater()
    del chart, heat
    qtbot.wait(10)
    gc.collect()
    assert tip(900.0, 0.021, ("b", "")) == ""      # held weakly: the chart is gone
    assert ticks([0.1], 1.0, 0.1) == []
