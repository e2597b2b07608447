"""Recognise and parse ``DATA`` arguments that name an engine rather than files.

Accepted forms (docs/cli.md Extensions; the same spellings ``ibis.connect`` reads):

* ``duckdb://book.duckdb`` (relative), ``duckdb:///data/book.duckdb`` (absolute), or a path
  ending in ``.duckdb`` / ``.ddb``;
* a ``.parquet`` file, or a folder holding only Parquet files (queried in place by DuckDB);
* ``postgresql://USER@HOST:PORT/DB`` or ``postgres://…`` — a password in the URL is refused
  (it would end up in workspaces and logs): use ``PGPASSWORD`` or ``~/.pgpass``;
* ``spark:local[N]`` (a local Spark session) or ``sc://HOST:PORT`` (Spark Connect).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Note, Reason

EngineKind = Literal["duckdb", "parquet", "postgres", "spark"]
_SPARK_LOCAL = re.compile(r"^spark:(local(\[(\d+|\*)\])?)$")


@dataclass(frozen=True)
class EngineURL:
    """A parsed engine location.

    Attributes
    ----------
    kind
        ``duckdb`` (a database file), ``parquet`` (files queried in place through an in-memory
        DuckDB), ``postgres`` or ``spark``.
    target
        The file/folder path (duckdb, parquet), the libpq connection URL without password
        (postgres), or the Spark master / Spark Connect URL (spark).
    paths
        The Parquet files (kind ``parquet``), else empty.
    """

    kind: EngineKind
    target: str
    paths: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """The location as shown to users and written to workspaces (never a password)."""
        if self.kind == "duckdb":
            return f"duckdb://{self.target}"
        if self.kind == "parquet":
            return self.target
        return self.target


def is_url(data: str) -> bool:
    """True when ``data`` is a database URL (``duckdb://``, ``postgresql://``, ``sc://``,
    ``spark:``), not a path (a DuckDB file or a Parquet folder may be given as either)."""
    text = str(data)
    return bool(re.match(r"^(duckdb|postgres|postgresql|sc)://", text)) or text.startswith("spark:")


def looks_like_engine(data: str) -> bool:
    """True when ``data`` is an engine URL, a DuckDB file or Parquet data (see module doc)."""
    text = str(data)
    if is_url(text):
        return True
    p = Path(text)
    if p.suffix.lower() in (".duckdb", ".ddb"):
        return True
    if p.suffix.lower() == ".parquet" and p.is_file():
        return True
    if p.is_dir():
        files = [f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")]
        return bool(files) and all(f.suffix.lower() == ".parquet" for f in files)
    return False


def parse(data: Sequence[str] | str) -> EngineURL:
    """Parse one engine location (several Parquet files/folders may be given together).

    Raises
    ------
    DataError
        Unknown scheme, a password inside a URL, or a mix of engines.
    """
    items = [data] if isinstance(data, str) else list(data)
    if not items:
        raise DataError(Note(Reason("engine_no_data")))
    if all(_is_parquet(i) for i in items):
        files: list[str] = []
        for i in items:
            p = Path(i)
            files += sorted(str(f) for f in p.glob("*.parquet")) if p.is_dir() else [str(p)]
        return EngineURL("parquet", ", ".join(items), tuple(files))
    if len(items) > 1:
        raise DataError(Note(Reason("engine_url_alone")), file=", ".join(items))
    text = items[0]
    if text.startswith("duckdb://"):
        rest = text[len("duckdb://"):]
        if not rest or rest == ":memory:":
            raise DataError(Note(Reason("engine_duckdb_needs_file")), file=text)
        return EngineURL("duckdb", unquote(rest))
    if Path(text).suffix.lower() in (".duckdb", ".ddb"):
        return EngineURL("duckdb", text)
    if re.match(r"^postgres(ql)?://", text):
        return EngineURL("postgres", _postgres_url(text))
    if _SPARK_LOCAL.match(text):
        return EngineURL("spark", text[len("spark:"):])
    if text.startswith("sc://"):
        return EngineURL("spark", text)
    raise DataError(Note(Reason("engine_not_a_url")), file=text)


def _is_parquet(text: str) -> bool:
    p = Path(text)
    if "://" in text or text.startswith("spark:"):
        return False
    if p.suffix.lower() == ".parquet":
        return True
    return p.is_dir() and looks_like_engine(text)


def _postgres_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.password is not None:
        raise DataError(Note(Reason("engine_password_in_url")), file=redact(text))
    if not parts.hostname:
        raise DataError(Note(Reason("engine_postgres_needs_host")), file=text)
    return "postgresql://" + text.split("://", 1)[1]


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages)."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
