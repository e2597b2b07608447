"""The synthetic sample book (``memberdesk sample``), kept apart from ``core`` because it is a
data generator, not part of the load path: it stands on :mod:`memberdesk.core.schema` and nothing
in core, analysis or report imports it.

:func:`generate_book` and :func:`write_book` live in :mod:`memberdesk.sample.book`; the
simulation, the service and claims models, the assumptions and the file writers in the
sibling modules.
"""
from __future__ import annotations

from memberdesk.sample.book import generate_book, write_book

__all__ = ["generate_book", "write_book"]
