"""Spark Connect (issue 13: ``DATA`` can be ``sc://HOST:PORT``) against a real server.

The fixture starts a Spark Connect server (``spark_connect_server.py``: a local Spark session
with the Connect plugin on a free port of 127.0.0.1, warehouse in a temporary folder) holding the
sample book, and stops it at the end. MemberDesk runs as a separate process, as a user's would
(a Connect client, not the server's session). Truth: the same commands on the sample's CSV files
(the file path), floats within 1e-9 relative, counts exactly.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from .conftest import ROOT, SAMPLE_TABLES, free_port, java_available, read_csv_tables
from .test_every_command import _close, _invoke

pytestmark = pytest.mark.slow
TABLES = [f"--table={t}=book.{t}" for t in SAMPLE_TABLES]
AS_OF = ["--as-of", "2026-06-30"]


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not java_available():
        pytest.skip("no Java runtime for Spark: apt-get install default-jre-headless")
    pytest.importorskip("grpc", reason="Spark Connect needs pyspark[connect] (grpcio)")
    work = tmp_path_factory.mktemp("spark-connect")
    files = []
    for name, table in read_csv_tables(ROOT / "sample_data", SAMPLE_TABLES).items():
        files.append(str(work / f"{name}.parquet"))
        pq.write_table(table, files[-1])
    port = free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("spark_connect_server.py")),
                               str(port), str(work), *files],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 300
        line = ""
        while time.monotonic() < deadline and "READY" not in line:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
        if "READY" not in line:
            pytest.fail("the Spark Connect server did not start: "
                        + (work / "server.log").read_text()[-2000:])
        yield f"sc://127.0.0.1:{port}"
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()
        log.close()


def _run(args: list[str], timeout: float = 600) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("command", [
    ["km", "--by", "channel"],
    ["persistency", "--month", "13"],
    ["kpis"],
])
def test_spark_connect_equals_the_files(connect_url: str, command: list[str]) -> None:
    code, out, err = _run([*command, connect_url, *TABLES, *AS_OF, "--json"])
    assert code == 0, err[-3000:]
    files = [str(ROOT / "sample_data" / f"{t}.csv") for t in SAMPLE_TABLES]
    want_code, want, want_err = _invoke([*command, *files, *AS_OF, "--json"])
    assert want_code == 0, want_err
    got: dict[str, Any] = json.loads(out)
    expected: dict[str, Any] = json.loads(want)
    _close(got, expected)


def test_unreachable_connect_server_is_a_clear_error() -> None:
    """Nothing listens on the port: exit 3 and a one-line message naming the URL, within a
    minute (pyspark's Connect client alone retries for ten minutes or more)."""
    port = free_port()
    code, out, err = _run(["km", f"sc://127.0.0.1:{port}", "--by", "channel", "--json"],
                          timeout=60)
    assert code == 3 and out == ""
    assert f"cannot reach the Spark Connect server at 127.0.0.1:{port}" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
