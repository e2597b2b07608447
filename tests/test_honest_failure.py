"""Process-wide hazards and quiet failures are gone (#12 point 5): the umask is never set to read
it, Dataset.table checks the name, the worker no longer patches True/False, and nothing under
memberdesk/ looks analysis code up by string."""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.core.atomic_write import atomic_write_bytes
from memberdesk.core.dataset import Dataset

PACKAGE = Path(__file__).resolve().parents[1] / "memberdesk"


def test_new_file_gets_the_usual_mode_without_touching_the_umask(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.umask
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or real(mask))
    reference = tmp_path / "reference"
    reference.write_bytes(b"")  # created by open(): 0666 & ~umask, the expected mode
    target = tmp_path / "new.bin"
    atomic_write_bytes(target, b"data")
    assert calls == []
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.bin", "reference"]  # no probe left


def test_writing_from_worker_threads_keeps_the_process_umask(tmp_path: Path) -> None:
    before = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    threads = [threading.Thread(target=atomic_write_bytes, args=(tmp_path / f"f{i}", b"x")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = Path("/proc/self/status").read_text() if before else ""
    umask_line = [line for line in after.splitlines() if line.startswith("Umask")]
    assert umask_line == [line for line in before.splitlines() if line.startswith("Umask")]
    assert len(list(tmp_path.iterdir())) == 8


def test_dataset_table_checks_the_name_against_the_schema() -> None:
    ds = Dataset(validated={"policies": pd.DataFrame({"policy_id": ["P1"]})}, as_of=pd.Timestamp("2024-01-01"))
    assert ds.table("claims") is None
    with pytest.raises(KeyError, match="unknown table 'as_of'"):
        ds.table("as_of")
    with pytest.raises(KeyError):
        ds.table("polices")


def test_no_true_false_refcount_patch_and_no_string_lookups_of_analysis_code() -> None:
    worker = (PACKAGE / "ui" / "worker.py").read_text(encoding="utf-8")
    assert "ctypes" not in worker
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.parent.name in ("report", "ui", "pages") and "importlib" in p.read_text(encoding="utf-8")]
    assert offenders == []
