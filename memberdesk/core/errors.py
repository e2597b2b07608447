"""Exception types raised by the Qt-free core.

The UI maps them to dialogs, the CLI to exit code 3 (data) and stderr messages.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # reasons imports nothing from here; the type only
    from memberdesk.core.reasons import Reason


class MemberDeskError(Exception):
    """Base class of every error MemberDesk raises on purpose."""


def location_text(*, file: str | None = None, sheet: str | None = None, row: int | None = None,
                  column: str | None = None) -> str:
    """Where a cell is, as messages say it: ``file, sheet 'S', row 7, column 'C'`` (the parts
    known; "" when none is)."""
    parts = []
    if file:
        parts.append(str(file))
    if sheet:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


class DataError(MemberDeskError):
    """The input data cannot be used as given.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    file, sheet, row, column
        Where, when known. ``row`` is the 1-based row number as a spreadsheet shows it
        (the header is row 1, the first data row is row 2).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.__str__())

    def location(self) -> str:
        return location_text(file=self.file, sheet=self.sheet, row=self.row, column=self.column)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class AnalysisError(MemberDeskError):
    """An analysis cannot be computed on the given data/parameters (too few events,
    unknown column, constant covariate...). ``column`` names the culprit when known.

    ``message`` is a sentence, or a :class:`memberdesk.core.reasons.Reason` (a code a caller can
    test and a presenter shows in its language); ``reason`` is that Reason (None for a
    sentence) and ``message`` its English text."""

    def __init__(self, message: str | Reason, *, column: str | None = None) -> None:
        self.reason = message if not isinstance(message, str) else None
        self.message = message if isinstance(message, str) else message.text("en")
        self.column = column
        text = self.message
        super().__init__(text if column is None else f"{text} (column {column!r})")

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (a sentence stays as written)."""
        return self.message if self.reason is None else self.reason.text(lang)


class Cancelled(MemberDeskError):
    """Raised inside a computation when its progress object reports cancellation."""
