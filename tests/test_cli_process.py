"""``memberdesk`` as a process (main.py): the early read and the quick exit of a file-only command
change nothing in what it prints or returns. Each run is compared with the same command run
inside this test process (``cli.main(argv)``: no early read, no quick exit)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from memberdesk import cli

ROOT = Path(__file__).resolve().parents[1]


def _process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def survival_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(7)
    n = 30_000
    path = tmp_path_factory.mktemp("process") / "survival.csv"
    channel = rng.choice(["agency", "broker", "online"], n)
    t = rng.integers(1, 400, n)
    e = rng.integers(0, 2, n)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("T,E,channel\n")
        fh.writelines(f"{a},{b},{c}\n" for a, b, c in zip(t, e, channel))
    return path


def test_km_json_is_the_same_as_in_process(survival_csv: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    args = ["km", str(survival_csv), "--duration", "T", "--event-col", "E", "--by", "channel",
            "--json"]
    done = _process(*args)
    assert done.returncode == 0, done.stderr
    assert cli.main(args) == 0
    inside = capsys.readouterr().out
    assert done.stdout == inside  # whole output flushed before the quick exit
    result = json.loads(done.stdout)
    assert [g["name"] for g in result["groups"]] == ["agency", "broker", "online"]
    assert sum(g["n"] for g in result["groups"]) == 30_000


def test_usage_and_data_errors_keep_their_exit_status(tmp_path: Path) -> None:
    missing = _process("km")
    assert missing.returncode == 2 and "required" in missing.stderr
    bad = _process("km", "--by", "channel", str(tmp_path / "nope.csv"))
    assert bad.returncode == 3 and "nope.csv" in bad.stderr
    wrong = _process("km", str(tmp_path / "nope.csv"), "--test", "nonsense")
    assert wrong.returncode == 2 and "nonsense" in wrong.stderr


def test_help_exits_0_and_lists_every_command() -> None:
    done = _process("--help")
    assert done.returncode == 0
    assert all(c in done.stdout for c in ("km", "cox", "report", "import", "decrements"))
    km = _process("km", "--help")
    assert km.returncode == 0 and "--by" in km.stdout


def test_an_engine_run_exits_the_usual_way(tmp_path: Path) -> None:
    """A run that opened DuckDB is not ended by os._exit: its atexit handlers run (seen here by
    one registered before the command, whose output must appear)."""
    book = tmp_path / "book.duckdb"
    done = _process("import", str(ROOT / "sample_data"), "-o", str(book))
    assert done.returncode == 0, done.stderr
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
            f"sys.argv = ['memberdesk', 'km', 'duckdb:///{book}', '--by', 'channel', '--json']\n"
            "from memberdesk.cli import main\nsys.exit(main())\n")
    engine = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert engine.returncode == 0 and "atexit ran" in engine.stderr
    assert json.loads(engine.stdout)["groups"]
    files = subprocess.run([sys.executable, "-c", code.replace(f"duckdb:///{book}",
                                                                str(ROOT / "sample_data"))],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert files.returncode == 0 and "atexit ran" not in files.stderr  # the quick exit
    assert json.loads(files.stdout)["groups"]


def test_the_window_keeps_the_default_garbage_collection() -> None:
    """Only a command-line run raises the collector's thresholds; the window (hours long)
    keeps Python's defaults. Seen in a process whose window is replaced by a stub."""
    code = ("import gc, sys\n"
            "from memberdesk.commands import gui\n"
            "gui.run = lambda args: print(gc.get_threshold()) or 0\n"
            "sys.argv = ['memberdesk', 'gui']\n"
            "from memberdesk import cli\n"
            "sys.exit(cli.main())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(gc_defaults())


def gc_defaults() -> tuple[int, int, int]:
    out = subprocess.run([sys.executable, "-c", "import gc; print(gc.get_threshold())"],
                         capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.strip("()\n").split(","))  # type: ignore[return-value]
