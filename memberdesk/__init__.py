"""MemberDesk: member-lifecycle analytics for insurers and membership businesses."""
from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def resource_dir() -> Path:
    """The bundled resources folder: ``memberdesk/resources`` in a wheel, the top-level
    ``resources/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "resources"
    return packaged if packaged.is_dir() else here.parent / "resources"
