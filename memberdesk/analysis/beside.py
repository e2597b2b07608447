"""Running one task in a second thread beside the caller's own work, when the machine has a
second core. numpy's sorts, searches and array arithmetic release the GIL, so two such tasks
overlap; the Cox fit uses it for the concordance beside the PH test and for the concordance's
levels (:mod:`memberdesk.analysis.cox`, :mod:`memberdesk.analysis.cox_concordance`)."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def beside(task: Callable[[], T], parallel: bool, name: str = "beside"
           ) -> Iterator[Callable[[], T]]:
    """``task`` started in a second thread (named ``name``) when ``parallel`` and the machine
    has a second core, else run when asked: yields the function returning its result. Leaving
    the block waits for the thread, also when the block raised (e.g. the user cancelled)."""
    if not parallel or (os.cpu_count() or 1) < 2:
        yield task
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as pool:
        future = pool.submit(task)
        yield future.result
