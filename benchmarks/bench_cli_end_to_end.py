"""End to end: ``memberdesk km/cox FILE ... --json`` versus a plain pandas + lifelines script.

Issue 13's targets (1M-policy CSV, whole process): ``memberdesk km FILE --by COL --json`` takes
at most 0.3x the time of a plain script doing the same work (read the CSV with pandas' default
engine, KM per group, k-group log-rank); ``memberdesk cox`` (age, premium, channel, product) at most
0.5x. Both are run as fresh processes, best of ``REPEATS``, on a generic survival table
(duration, event, segment and covariate columns) and on an insurer policies table (dates ->
durations). Each row prints wall time and CPU time (user + system of the child process, from its
rusage) and peak RSS for both sides, both ratios, and the load average before and after, since
the machine is shared: on a loaded machine the CPU ratio is the steadier figure. The children may write
bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped from their environment) as an installed
package has them: otherwise every run would compile MemberDesk's modules (~0.3 s of CPU) while
the plain script's libraries come compiled.

The first rows give each side's imports alone (no data read): the part of the whole-process
time that does not depend on the data. MemberDesk's own share of the 0.3x budget is what remains.

Usage: ``python benchmarks/bench_cli_end_to_end.py [rows] [--data DIR]`` (default 1,000,000 rows;
``--data DIR`` reuses ``DIR/survival.csv`` and ``DIR/policies.csv``, generating them when missing).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPEATS = 3
ROOT = Path(__file__).resolve().parents[1]

BASELINE_KM_GENERIC = """
import sys, json, pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
df = pd.read_csv(sys.argv[1])
out = []
for name, g in df.groupby("channel"):
    kmf = KaplanMeierFitter().fit(g["T"], g["E"])
    out.append({"name": name, "survival": kmf.survival_function_.iloc[:, 0].tolist(),
                "median": float(kmf.median_survival_time_)})
lr = multivariate_logrank_test(df["T"], df["channel"], df["E"])
print(json.dumps({"groups": out, "p": float(lr.p_value)})[:100])
"""

BASELINE_KM_POLICIES = """
import sys, json, pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
df = pd.read_csv(sys.argv[1])
as_of = pd.Timestamp("2024-12-31")
issue = pd.to_datetime(df["issue_date"]); end = pd.to_datetime(df["end_date"])
ended = end.notna() & (end <= as_of)
df["T"] = ((end.where(ended, as_of) - issue).dt.days) / (365.25 / 12)
df["E"] = (ended & df["status"].isin(["lapsed", "surrendered"])).astype(int)
out = []
for name, g in df.groupby("channel"):
    kmf = KaplanMeierFitter().fit(g["T"], g["E"])
    out.append({"name": name, "survival": kmf.survival_function_.iloc[:, 0].tolist()})
lr = multivariate_logrank_test(df["T"], df["channel"], df["E"])
print(json.dumps({"groups": out, "p": float(lr.p_value)})[:100])
"""

BASELINE_COX = """
import sys, pandas as pd
from lifelines import CoxPHFitter
df = pd.read_csv(sys.argv[1])
X = pd.get_dummies(df[["T", "E", "age", "premium", "channel", "product"]],
                   columns=["channel", "product"], drop_first=True, dtype=float)
cph = CoxPHFitter().fit(X, "T", "E")
print(cph.params_.round(4).to_dict())
"""


# The imports each side needs before reading a row (the command line builds the parser of the
# command it runs, as `memberdesk km` does; the scripts import what they use).
FLOOR_MEMBERDESK = 'from memberdesk.cli import build_parser; build_parser(["km"])'
FLOOR_SCRIPT_KM = ("import pandas; from lifelines import KaplanMeierFitter; "
                   "from lifelines.statistics import multivariate_logrank_test")
FLOOR_SCRIPT_COX = "import pandas; from lifelines import CoxPHFitter"


def make_generic(n: int, path: Path) -> None:
    rng = np.random.default_rng(0)
    channel = rng.choice(["agency", "bancassurance", "broker", "online", "partner", "direct"], n)
    product = rng.choice(["term", "whole life", "critical illness", "medical", "annuity"], n)
    age = rng.integers(18, 70, n)
    premium = rng.gamma(2.0, 2000.0, n).round(2)
    hazard = 0.01 * np.exp(0.3 * (channel == "online") - 0.01 * (age - 40))
    t = np.ceil(rng.exponential(1 / hazard)).clip(1, 3000)
    c = rng.integers(1, 3000, n)
    pd.DataFrame({"T": np.minimum(t, c), "E": (t <= c).astype(int), "channel": channel,
                  "product": product, "age": age, "premium": premium}).to_csv(path, index=False)


def make_policies(n: int, path: Path) -> None:
    rng = np.random.default_rng(1)
    issue = pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 3200, n), unit="D")
    life = pd.to_timedelta(rng.exponential(1500, n).astype(int) + 1, unit="D")
    end = (issue + life).where(issue + life <= pd.Timestamp("2024-12-31"))
    status = np.where(end.isna(), "in_force", rng.choice(["lapsed", "surrendered", "death"], n,
                                                         p=[0.7, 0.25, 0.05]))
    pd.DataFrame({"policy_id": [f"P{i:07d}" for i in range(n)],
                  "channel": rng.choice(["agency", "bancassurance", "broker", "online"], n),
                  "issue_date": issue.strftime("%Y-%m-%d"),
                  "end_date": pd.Series(end).dt.strftime("%Y-%m-%d"),
                  "status": status,
                  "annual_premium": rng.gamma(2.0, 2000.0, n).round(2)}).to_csv(path, index=False)


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB (from the child's rusage)
    of one process."""
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(cmd: list[str]) -> tuple[float, float, float]:
    """Best wall and best CPU over ``REPEATS`` fresh processes (each minimum on its own), and
    the largest peak RSS."""
    runs = [run_once(cmd) for _ in range(REPEATS)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def main() -> None:
    args = sys.argv[1:]
    data_dir = None
    if "--data" in args:
        i = args.index("--data")
        data_dir = args[i + 1]
        del args[i:i + 2]
    n = int(args[0]) if args else 1_000_000
    py = sys.executable
    memberdesk = [py, str(ROOT / "main.py")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(data_dir or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        generic, policies = folder / "survival.csv", folder / "policies.csv"
        if data_dir is None or not generic.exists():
            make_generic(n, generic)
        if data_dir is None or not policies.exists():
            make_policies(n, policies)
        rows = [
            ("km generic", [py, "-c", BASELINE_KM_GENERIC, str(generic)],
             [*memberdesk, "km", str(generic), "--duration", "T", "--event-col", "E",
              "--by", "channel", "--json"], 0.3),
            ("km policies", [py, "-c", BASELINE_KM_POLICIES, str(policies)],
             [*memberdesk, "km", str(policies), "--by", "channel", "--as-of", "2024-12-31",
              "--json"], 0.3),
            ("cox generic", [py, "-c", BASELINE_COX, str(generic)],
             [*memberdesk, "cox", str(generic), "--duration", "T", "--event-col", "E",
              "--covariates", "age,premium,channel,product", "--json"], 0.5),
        ]
        print(f"{n:,} rows ({folder}), best of {REPEATS} fresh processes; load average "
              f"(1/5/15 min) {_load()}")
        # the fixed cost of each side before any row is read: its imports alone
        for name, cmd in (("memberdesk", [py, "-c", FLOOR_MEMBERDESK]),
                          ("plain script (km)", [py, "-c", FLOOR_SCRIPT_KM]),
                          ("plain script (cox)", [py, "-c", FLOOR_SCRIPT_COX])):
            w, c, m = best(cmd)
            print(f"imports only: {name:18s} {w:6.2f} s wall {c:6.2f} s CPU {m:5.0f} MB")
        for name, baseline, ours, target in rows:
            (bw, bc, bm), (ow, oc, om) = best(baseline), best(ours)
            verdict = "met" if ow <= target * bw else "NOT met"
            print(f"{name:12s} plain script {bw:6.2f} s wall {bc:6.2f} s CPU {bm:5.0f} MB   "
                  f"memberdesk {ow:6.2f} s wall {oc:6.2f} s CPU {om:5.0f} MB   "
                  f"ratio wall {ow / bw:4.2f} CPU {oc / bc:4.2f} (target <= {target}): "
                  f"{verdict} (wall), {'met' if oc <= target * bc else 'NOT met'} (CPU); "
                  f"load {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
