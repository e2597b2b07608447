"""Time the KM chart redraw when the segment changes (1M policies; the drawing only, the
km_by_segment computation is timed separately). Run: python benchmarks/ui_km_redraw.py"""
from __future__ import annotations

import os
import resource
import time

import numpy as np
import pandas as pd

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(n: int = 1_000_000) -> None:
    from PySide6.QtWidgets import QApplication

    from memberdesk.analysis.survival import km_by_segment
    from memberdesk.ui.charts.base import ChartPanel
    from memberdesk.ui.charts.km import KMChart

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "duration": np.round(np.minimum(rng.exponential(900, n), rng.uniform(0, 3650, n))),
        "event": rng.integers(0, 2, n),
        "channel": rng.choice(["agency", "bank", "broker", "online", "partner"], n),
        "product": rng.choice([f"p{i}" for i in range(12)], n),
    })
    chart = KMChart()
    panel = ChartPanel(chart, "bench")
    panel.resize(1400, 800)
    panel.show()
    for by in ("channel", "product", "channel"):
        t0 = time.perf_counter()
        res = km_by_segment(frame, by, unit="days")
        t1 = time.perf_counter()
        updates = getattr(chart, "risk_updates", 0)
        chart.set_curves(res.curves, unit="days", p_value=res.logrank.p_value)
        ts = time.perf_counter()
        app.processEvents()
        panel.grab()
        t2 = time.perf_counter()
        points = sum(len(c.timeline) for c in res.curves)
        print(f"by={by:8s} curves={len(res.curves):2d} points={points:6d} "
              f"compute={t1 - t0:.3f}s set_curves={ts - t1:.3f}s draw+paint={t2 - t1:.3f}s "
              f"at-risk updates={getattr(chart, 'risk_updates', 0) - updates}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
