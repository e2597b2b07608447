"""MemberDesk: member-lifecycle analytics for insurers and membership businesses."""
from __future__ import annotations

import os
from pathlib import Path

# One OpenBLAS thread unless the user says otherwise. MemberDesk's matrix work is small
# (p x p with p ~ 10; the n-row work is element-wise numpy), where OpenBLAS's extra threads only
# spin: on a 1M-row Cox fit they cost ~1 s of CPU for the same wall time, and numpy's import
# takes half as long. Set before numpy is first imported (the package is imported first).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"


def resource_dir() -> Path:
    """The bundled resources folder: ``memberdesk/resources`` in a wheel, the top-level
    ``resources/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "resources"
    return packaged if packaged.is_dir() else here.parent / "resources"
