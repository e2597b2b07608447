"""Column mapping: source headers -> canonical columns of one table (docs/data-contract.md).

Headers are compared after :func:`normalise_header` against each canonical column's name and
synonyms in :mod:`memberdesk.core.schema`. Source columns that match nothing are kept as *extra*
columns under their original header (usable as segments). A :class:`ColumnMapping` is a plain,
JSON-serialisable record so the UI can remember the user's choice for files with the same
headers (keyed by :func:`header_signature`).
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from memberdesk.core import schema

_DROP = re.compile(r"[\s_\-.·()\[\]{}<>【】（）《》「」:：/\\]+")
_BRACKETED = re.compile(r"[(\[{（【《<][^)\]}）】》>]*[)\]}）】》>]")
_ID_BONUS = 2.0  # a table's own id column is strong evidence the file holds that table


def normalise_header(s: object) -> str:
    """Comparable form of a header or name: full-width -> half-width (NFKC), lower case,
    spaces, underscores, hyphens, dots and brackets removed. ``" Policy_No.（保单号）"`` ->
    ``"policyno保单号"``."""
    text = unicodedata.normalize("NFKC", str(s)).strip().lower()
    return _DROP.sub("", text)


def _without_brackets(s: str) -> str:
    """``"保费(元)"`` -> ``"保费"``: the header without bracketed units or notes."""
    return normalise_header(_BRACKETED.sub("", unicodedata.normalize("NFKC", str(s))))


@cache
def _synonym_index(table: str) -> dict[str, str]:
    """Normalised synonym -> canonical column, for one table (canonical names included)."""
    index: dict[str, str] = {}
    for col in schema.TABLE_SPECS[table].columns:
        for word in (col.name, *col.synonyms):
            index.setdefault(normalise_header(word), col.name)
    return index


def match_column(header: str, table: str) -> str | None:
    """The canonical column of ``table`` that ``header`` names, or None."""
    index = _synonym_index(table)
    hit = index.get(normalise_header(header))
    if hit is None:
        stripped = _without_brackets(header)
        hit = index.get(stripped) if stripped else None
    return hit


def header_signature(headers: Iterable[object]) -> str:
    """A short stable key for a list of headers (order and normalised spelling), so a mapping
    chosen once is offered again for files with the same headers."""
    joined = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


@dataclass
class ColumnMapping:
    """Which canonical column each source column feeds, for one table.

    Attributes
    ----------
    table
        Canonical table name (one of :data:`schema.TABLES`).
    columns
        Source header -> canonical column, or None for a column kept as an extra column under
        its own header. Order follows the source.
    signature
        :func:`header_signature` of the source headers the mapping was made for.
    """

    table: str
    columns: dict[str, str | None] = field(default_factory=dict)
    signature: str = ""

    @property
    def mapped(self) -> dict[str, str]:
        """Source header -> canonical column, mapped columns only."""
        return {src: dst for src, dst in self.columns.items() if dst is not None}

    @property
    def extras(self) -> list[str]:
        """Source headers kept as extra columns."""
        return [src for src, dst in self.columns.items() if dst is None]

    def source_of(self, canonical: str) -> str | None:
        """The source header mapped to ``canonical``, if any."""
        for src, dst in self.columns.items():
            if dst == canonical:
                return src
        return None

    def missing_required(self) -> list[str]:
        """Required canonical columns no source column feeds."""
        have = set(self.mapped.values())
        return [c.name for c in schema.TABLE_SPECS[self.table].columns
                if c.required and c.name not in have]

    def with_overrides(self, overrides: Mapping[str, str | None]) -> ColumnMapping:
        """A copy where each ``source header -> canonical (or None)`` in ``overrides`` wins.

        A canonical column can be fed by one source column only: assigning it here takes it
        away from the column that had it (which becomes an extra column).
        """
        valid = set(schema.TABLE_SPECS[self.table].column_names)
        columns = dict(self.columns)
        for src, dst in overrides.items():
            if src not in columns:
                raise KeyError(f"no source column {src!r} in this mapping")
            if dst is not None and dst not in valid:
                raise ValueError(f"{dst!r} is not a column of table {self.table!r}")
            if dst is not None:
                for other, cur in columns.items():
                    if cur == dst and other != src:
                        columns[other] = None
            columns[src] = dst
        return ColumnMapping(self.table, columns, self.signature)

    def to_json(self) -> dict[str, object]:
        return {"table": self.table, "signature": self.signature,
                "columns": [[src, dst] for src, dst in self.columns.items()]}

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: Mapping[str, object] | str) -> ColumnMapping:
        obj = json.loads(data) if isinstance(data, str) else data
        table = str(obj["table"])
        if table not in schema.TABLE_SPECS:
            raise ValueError(f"unknown table {table!r} in column mapping")
        raw = obj.get("columns", [])
        pairs = raw.items() if isinstance(raw, Mapping) else raw
        columns = {str(src): (None if dst is None else str(dst)) for src, dst in pairs}  # type: ignore[union-attr]
        return cls(table, columns, str(obj.get("signature", "")))


def auto_map(headers: Sequence[str], table: str) -> ColumnMapping:
    """Map each header to the canonical column it names; the first header naming a column wins,
    later ones (and unknown headers) are kept as extra columns."""
    taken: set[str] = set()
    columns: dict[str, str | None] = {}
    for h in headers:
        hit = match_column(h, table)
        if hit is not None and hit not in taken:
            taken.add(hit)
            columns[h] = hit
        else:
            columns[h] = None
    return ColumnMapping(table, columns, header_signature(headers))


def table_from_name(name_hint: str | None) -> str | None:
    """The table a file or sheet name designates (``policies.csv``, ``保单``, ``2024_claims``)."""
    if not name_hint:
        return None
    norm = normalise_header(name_hint)
    tokens = {normalise_header(t) for t in re.split(r"[\W_\d]+", str(name_hint)) if t}
    best: tuple[int, str] | None = None
    for spec in schema.TABLE_SPECS.values():
        for word in (spec.name, *spec.sheet_names):
            w = normalise_header(word)
            ascii_word = w.isascii()
            hit = norm == w or w in tokens or (not ascii_word and w in norm)
            if hit and (best is None or len(w) > best[0]):
                best = (len(w), spec.name)
    return None if best is None else best[1]


def header_score(headers: Sequence[str], table: str) -> float:
    """How well ``headers`` fit ``table``: canonical columns named, plus a bonus when the
    table's own id column is among them."""
    mapping = auto_map(headers, table)
    hit = set(mapping.mapped.values())
    spec = schema.TABLE_SPECS[table]
    return len(hit) + (_ID_BONUS if spec.id_column in hit else 0.0)


def guess_table(headers: Sequence[str], name_hint: str | None = None) -> tuple[str | None, float]:
    """The table a file or sheet most likely holds, and a score (0 = no idea).

    A name that designates a table (see :func:`table_from_name`) wins when at least one header
    fits that table; otherwise the table whose columns the headers name best, provided at least
    two columns (or the id column) are recognised.
    """
    named = table_from_name(name_hint)
    if named is not None:
        score = header_score(headers, named)
        if score > 0:
            return named, score + 100.0
    scores = {t: header_score(headers, t) for t in schema.TABLES}
    best = max(schema.TABLES, key=lambda t: (scores[t], t == schema.POLICIES))
    if scores[best] < 2:
        return None, 0.0
    return best, scores[best]
