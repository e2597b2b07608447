"""One OpenBLAS thread by default (memberdesk/__init__.py), the user's setting kept. Truth: the
environment a fresh process sees after importing the package, and the thread count OpenBLAS
reports through numpy (when threadpoolctl is installed)."""
from __future__ import annotations

import os
import subprocess
import sys

PROBE = ("import memberdesk, os, numpy; print(os.environ['OPENBLAS_NUM_THREADS']);"
         "import importlib.util as u;"
         "print(__import__('threadpoolctl').threadpool_info()[0]['num_threads'] "
         "if u.find_spec('threadpoolctl') else os.environ['OPENBLAS_NUM_THREADS'])")


def _probe(env: dict[str, str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_one_blas_thread_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _probe(env) == ["1", "1"]


def test_the_users_setting_is_kept() -> None:
    assert _probe({**os.environ, "OPENBLAS_NUM_THREADS": "2"}) == ["2", "2"]
