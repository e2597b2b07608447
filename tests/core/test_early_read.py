"""The command line's early read (memberdesk/core/early_read.py): the loader takes it only when it
is the read it would do itself, and otherwise reads as before."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memberdesk.core import early_read
from memberdesk.core.errors import DataError
from memberdesk.core.identify import read_files

ROOT = Path(__file__).resolve().parents[2]


def _csv(path: Path, rows: int = 50, channel: str = "agency") -> Path:
    lines = ["policy_id,issue_date,channel"]
    lines += [f"P{i},2020-01-{1 + i % 28:02d},{channel}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_leftovers() -> None:
    yield
    early_read._reads.clear()


def test_the_same_read_is_taken_once(tmp_path: Path) -> None:
    f = _csv(tmp_path / "p.csv")
    early_read.start([f])
    first = read_files([f])
    assert early_read.pending() == 0
    second = read_files([f])  # nothing left to take: read again
    assert first is not second
    assert first.tables[0].data.equals(second.tables[0].data)
    assert first.tables[0].data.column("channel").to_pylist() == ["agency"] * 50


def test_other_options_or_paths_are_read_as_usual(tmp_path: Path) -> None:
    f, g = _csv(tmp_path / "p.csv"), _csv(tmp_path / "q.csv", channel="broker")
    early_read.start([f], encoding="gb18030")
    assert early_read.take([f]) is None  # another encoding
    assert early_read.take([g], "gb18030") is None  # another file
    early_read.start([f])
    assert early_read.take([f], include_hidden=True) is None


def test_a_file_changed_after_the_early_read_began_is_read_again(tmp_path: Path) -> None:
    f = _csv(tmp_path / "p.csv")
    early_read.start([f])
    early_read._reads[early_read._key([f], None, False)].done.wait()
    _csv(f, rows=60, channel="online")  # another size (and time)
    os.utime(f, ns=(1, 1))
    result = read_files([f])
    assert result.tables[0].data.num_rows == 60
    assert set(result.tables[0].data.column("channel").to_pylist()) == {"online"}


def test_a_failed_early_read_leaves_the_error_to_the_usual_read(tmp_path: Path) -> None:
    f = tmp_path / "empty.csv"
    f.write_text("", encoding="utf-8")
    early_read.start([f])
    with pytest.raises(DataError) as info:
        read_files([f])
    assert info.value.file and "empty.csv" in info.value.file


def test_missing_paths_start_nothing(tmp_path: Path) -> None:
    early_read.start([tmp_path / "nope.csv"])
    early_read.start([])
    assert early_read.pending() == 0


def test_reading_a_file_does_not_wait_for_pandas() -> None:
    """The early read overlaps pandas' import only if the readers' modules load without it."""
    code = ("import sys\nimport memberdesk.core.identify, memberdesk.core.early_read\n"
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "False"


def test_newline_count_is_bytes_count() -> None:
    """The scan's LF count (numpy, GIL released) is what bytes.count gives, on random bytes with
    CR, LF and non-ASCII bytes, empty and odd-sized buffers."""
    import numpy as np

    from memberdesk.core.readers.text import _count_newlines

    rng = np.random.default_rng(5)
    for size in (0, 1, 15, 16, 17, 4097, 100_003):
        data = bytes(rng.choice([10, 13, 44, 97, 200], size).astype(np.uint8))
        assert _count_newlines(data) == data.count(b"\n")
        assert _count_newlines(bytearray(data)) == data.count(b"\n")
