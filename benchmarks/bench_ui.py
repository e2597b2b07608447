"""Desktop-shell responsiveness: cold start and the event loop during a big import.

    python benchmarks/bench_ui.py [--rows 1000000] [--skip-import]

1. *Cold start to interactive* (target < 3 s): a fresh process (first run, empty settings)
   imports the app, shows the main window on ``sample_data/`` and waits until the data are
   loaded and the first page has computed. Timed from process start.
2. *Event-loop max block during a 1M-row import* (target < 100 ms): a 10 ms QTimer heartbeat
   records the longest gap between ticks while the window loads a generated 1M-row policies
   CSV in its worker, applies it to the filter bar and the pages, and settles.
Runs offscreen; data are generated in a temp folder; settings go to a temp folder.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]

COLD_START = r"""
import time, sys
t0 = time.perf_counter()
from memberdesk.ui.app import build_window, wait_until_idle
t_import = time.perf_counter()
w = build_window([sys.argv[1]])
w.ask_before_close = False
w.show()
t_shown = time.perf_counter()
ok = wait_until_idle(w, timeout_s=60, settle_ms=50)
t_idle = time.perf_counter()
print(f"{t_import - t0:.3f} {t_shown - t0:.3f} {t_idle - t0:.3f} {int(ok)} {w.current_page_id()}")
w.close()
from memberdesk.ui.worker import wait_for_pool; wait_for_pool()
"""


def cold_start(runs: int = 3) -> None:
    print("cold start to interactive (sample_data, first run):")
    best = None
    for i in range(runs):
        with tempfile.TemporaryDirectory() as cfg:
            env = dict(os.environ, XDG_CONFIG_HOME=cfg, HOME=cfg)
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", COLD_START, str(ROOT / "sample_data")],
                                 capture_output=True, text=True, env=env, cwd=ROOT)
            wall = time.perf_counter() - t0
        if out.returncode != 0:
            print(out.stderr[-2000:])
            raise SystemExit("cold start failed")
        imp, shown, idle, ok, page = out.stdout.split()[-5:]
        print(f"  run {i + 1}: imports {float(imp):.2f} s, window shown {float(shown):.2f} s, "
              f"data loaded and page '{page}' computed {float(idle):.2f} s "
              f"(process wall incl. interpreter start {wall:.2f} s){'' if ok == '1' else ' TIMEOUT'}")
        best = wall if best is None else min(best, wall)
    print(f"  best wall: {best:.2f} s (target < 3 s) -> {'OK' if best < 3 else 'SLOW'}")


def make_policies_csv(path: Path, n: int, seed: int = 0) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    issue = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
    ended = rng.random(n) < 0.3
    end = issue + pd.to_timedelta(rng.integers(30, 2000, n), unit="D")
    frame = pd.DataFrame({
        "policy_id": np.char.add("P", np.arange(n).astype(str)),
        "product": rng.choice(["term", "whole life", "annuity", "critical illness"], n),
        "channel": rng.choice(["agency", "bank", "broker", "online"], n),
        "issue_date": issue.strftime("%Y-%m-%d"),
        "end_date": np.where(ended, end.strftime("%Y-%m-%d"), ""),
        "status": np.where(ended, rng.choice(["lapsed", "surrendered", "death"], n), "in_force"),
        "annual_premium": rng.gamma(2.0, 1500.0, n).round(2),
    })
    frame.to_csv(path, index=False)


def import_block(rows: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from memberdesk.ui.app import create_app, wait_until_idle
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow
    from memberdesk.ui.worker import wait_for_pool

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "policies.csv"
        t0 = time.perf_counter()
        make_policies_csv(csv, rows)
        print(f"\nevent loop during a {rows:,}-row import "
              f"(file {csv.stat().st_size / 1e6:.0f} MB, generated in {time.perf_counter() - t0:.1f} s):")
        create_app()
        from PySide6.QtCore import QSettings

        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        window = MainWindow(AppSettings())
        window.ask_before_close = False
        window.resize(1400, 900)
        window.show()
        window.show_page("data")
        wait_until_idle(window, 30, 50)

        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        heart = QTimer()
        heart.setInterval(10)
        heart.timeout.connect(tick)
        heart.start()
        t0 = time.perf_counter()
        window.open_paths([str(csv)], user_action=False)
        ok = wait_until_idle(window, timeout_s=300, settle_ms=300)
        elapsed = time.perf_counter() - t0
        heart.stop()
        window.close()
        wait_for_pool()
        worst = max(gaps) if gaps else float("nan")
        table = window.base.report.table("policies") if window.base is not None else None
        loaded = table is not None and table.read == rows  # read = accepted + rejected
        print(f"  loaded {'all rows' if loaded else 'NOT all rows'} in {elapsed:.1f} s; "
              f"{len(gaps)} heartbeats, max gap {worst:.0f} ms (target < 100 ms) -> "
              f"{'OK' if worst < 100 else 'BLOCKED'}{'' if ok else ' (TIMEOUT)'}")
        slow = sorted(gaps)[-5:]
        print(f"  five longest gaps (ms): {', '.join(f'{g:.0f}' for g in slow)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (RSS): {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    cold_start(args.runs)
    if not args.skip_import:
        import_block(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
