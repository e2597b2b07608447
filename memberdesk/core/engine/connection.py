"""Read-only connections to the engines, one small class each, with the same five methods.

``tables()`` lists the tables and views, ``columns(ref)`` gives a table's columns with a coarse
type (the only distinction the rules need), ``unique_columns(ref)`` the columns a key
constraint keeps unique (their duplicate check is skipped), ``arrow(sql)`` runs one query and returns an Arrow
table, ``cancel()`` stops the running query from another thread, ``close()`` ends the session.

Safety (issue #13, point 7): DuckDB files are opened with ``read_only=True``; PostgreSQL
sessions run with ``default_transaction_read_only=on``; MemberDesk only ever sends the SELECT
statements Ibis compiles (identifiers quoted by the compiler) and, for Parquet data, creates
views in a private in-memory DuckDB database. Connection failures and time-outs raise
:class:`DataError` (exit status 3) with the password never shown.

Passwords (issue #13 point 3): libpq reads ``PGPASSWORD`` and ``~/.pgpass``. When the server
asks for one and neither gives it, :class:`PostgresConnection` raises :class:`PasswordRequired`;
:func:`open_with_password` then asks a prompt the caller supplies (the command line's
``getpass`` in a terminal, the desktop's masked dialog) once and connects again with the
answer, which lives only in memory: it is never part of a URL, a message, a log, a workspace
or the settings.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import pyarrow as pa

from memberdesk.core.engine.urls import EngineURL, redact
from memberdesk.core.errors import Cancelled, DataError
from memberdesk.core.reasons import Note, Reason

ColumnType = Literal["string", "date", "timestamp", "int64", "float64", "boolean"]
CONNECT_TIMEOUT_S = int(os.environ.get("MEMBERDESK_CONNECT_TIMEOUT", "10"))
# DuckDB's buffer memory cap (e.g. "1GB"), spilling to a private temp folder; unset: the
# default below; "default": DuckDB's own (80% of RAM)
MEMORY_ENV = "MEMBERDESK_DUCKDB_MEMORY"
# The default cap: 1.5 GB, or half the machine's memory when that is less. A book of 100M
# policies then runs within 2 GB peak RSS (the cap, the Python libraries and the results);
# DuckDB spills what does not fit (docs/engines.md, Speed and memory).
DEFAULT_MEMORY_MB = 1536
T = TypeVar("T")

# A prompt for a password: given where it is for (the URL without password), returns the
# password, or None / "" when the user gives none (cancelled).
PasswordPrompt = Callable[[str], "str | None"]
PASSWORD_HELP = ("the server asks for a password and none was given: set PGPASSWORD or add the "
                 "connection to ~/.pgpass (in a terminal, or in the desktop app, MemberDesk asks "
                 "for it)")


class PasswordRequired(DataError):
    """The server asks for a password and neither ``PGPASSWORD``, ``~/.pgpass`` nor the
    caller gave one (exit status 3 when nobody can be asked)."""


def open_with_password(open_: Callable[[str | None], T], prompt: PasswordPrompt | None) -> T:
    """``open_(None)`` (libpq's own sources: ``PGPASSWORD``, ``~/.pgpass``); when that raises
    :class:`PasswordRequired` and ``prompt`` is given, ask it once and ``open_(password)``.

    Raises
    ------
    PasswordRequired
        No prompt (not a terminal), or the prompt gave no password.
    DataError
        Any other connection failure, a wrong password included (it is asked once).
    """
    try:
        return open_(None)
    except PasswordRequired as exc:
        if prompt is None:
            raise
        password = prompt(exc.file or "the database")
        if not password:
            raise PasswordRequired("no password was given", file=exc.file) from None
    return open_(password)


@dataclass(frozen=True)
class TableRef:
    """A table in an engine: ``name`` in ``database`` (a schema; None = the default one)."""

    name: str
    database: str | None = None

    @property
    def display(self) -> str:
        return self.name if self.database is None else f"{self.database}.{self.name}"


def coarse_type(engine_type: str) -> ColumnType:
    """The rule-relevant type of an engine column type name (``VARCHAR``, ``timestamp with
    time zone``, ``DecimalType(10,2)``, ``bigint``…); unknown types are read as text."""
    t = engine_type.lower()
    if "timestamp" in t or t.startswith("datetime"):
        return "timestamp"
    if t.startswith("date"):
        return "date"
    if t.startswith("bool"):
        return "boolean"
    if any(k in t for k in ("char", "text", "string", "uuid", "enum")):
        return "string"
    if any(t.startswith(k) for k in ("double", "float", "real", "decimal", "numeric")):
        return "float64"
    if any(k in t for k in ("int", "long", "short", "byte")):
        return "int64"
    return "string"


class Connection(Protocol):
    engine: str   # "duckdb" | "postgres" | "spark" (shown in the status bar)
    dialect: str  # the Ibis/sqlglot dialect the SQL is compiled for

    def tables(self) -> list[TableRef]: ...

    def columns(self, ref: TableRef) -> dict[str, ColumnType]: ...

    def unique_columns(self, ref: TableRef) -> set[str]: ...

    def arrow(self, sql: str) -> pa.Table: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


# ---- DuckDB ------------------------------------------------------------------------------------

class DuckDBConnection:
    """A DuckDB database file opened read-only, or Parquet files as views of an in-memory
    database (the files are read in place, never copied)."""

    engine = "duckdb"
    dialect = "duckdb"

    def __init__(self, url: EngineURL) -> None:
        import duckdb

        self._duckdb = duckdb
        self._spill: str | None = None
        limit = memory_limit()  # a bad MEMBERDESK_DUCKDB_MEMORY fails before anything is opened
        if url.kind == "duckdb" and not Path(url.target).is_file():
            raise DataError(Note(Reason("engine_no_duckdb_file")), file=url.target)
        try:
            self.con = duckdb.connect(url.target, read_only=True) if url.kind == "duckdb" \
                else duckdb.connect()
        except duckdb.Error as exc:
            raise DataError(Note(Reason("engine_cannot_open", detail=str(exc))),
                            file=url.target) from exc
        try:
            if url.kind != "duckdb":
                for name, files in _parquet_views(url.paths).items():
                    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                    self.con.execute(f'CREATE VIEW "{name.replace(chr(34), chr(34) * 2)}" AS '
                                     f"SELECT * FROM read_parquet([{listing}], union_by_name=true)")
            self._limit_memory(limit)
        except BaseException as exc:  # nothing left open: the session and its spill folder
            self.close()
            if isinstance(exc, duckdb.Error):
                raise DataError(Note(Reason("engine_cannot_open", detail=str(exc))),
                                file=url.target) from exc
            raise

    def _limit_memory(self, limit: str | None) -> None:
        """DuckDB's buffer memory capped at ``limit`` (:func:`memory_limit`) with spilling to a
        private temporary folder removed on close: large books run in bounded memory."""
        if limit is None:
            return
        self._spill = tempfile.mkdtemp(prefix="memberdesk-duckdb-")
        self.con.execute(f"SET memory_limit = '{limit}'")
        self.con.execute(f"SET temp_directory = '{self._spill}'")

    def tables(self) -> list[TableRef]:
        rows = self.con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() ORDER BY 1, 2").fetchall()
        return [TableRef(name, None if schema == "main" else schema) for schema, name in rows]

    def columns(self, ref: TableRef) -> dict[str, ColumnType]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = ? AND table_catalog = current_database() ORDER BY ordinal_position",
            [ref.name, ref.database or "main"]).fetchall()
        return {name: coarse_type(kind) for name, kind in rows}

    def unique_columns(self, ref: TableRef) -> set[str]:
        """Columns a PRIMARY KEY or UNIQUE constraint holds unique on their own."""
        rows = self.con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
            "AND schema_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
            [ref.name, ref.database or "main"]).fetchall()
        return {cols[0] for (cols,) in rows if len(cols) == 1}

    def arrow(self, sql: str) -> pa.Table:
        try:
            return self.con.sql(sql).to_arrow_table()
        except self._duckdb.InterruptException as exc:
            raise Cancelled("the query was cancelled") from exc
        except self._duckdb.Error as exc:
            raise DataError(Note(Reason("engine_query_failed", engine="DuckDB",
                                        detail=str(exc)))) from exc

    def cancel(self) -> None:
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)


def memory_limit() -> str | None:
    """DuckDB's ``memory_limit`` for MemberDesk's sessions: ``MEMBERDESK_DUCKDB_MEMORY`` (a size
    such as ``1GB`` or ``1500MB``; ``default`` keeps DuckDB's own, 80% of RAM: None), else
    :data:`DEFAULT_MEMORY_MB` or half the physical memory when that is less.

    Raises
    ------
    DataError
        The variable holds something else than a size (exit status 3).
    """
    limit = os.environ.get(MEMORY_ENV, "").strip()
    if limit.lower() == "default":
        return None
    if limit:
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", limit, re.I):
            raise DataError(f"{MEMORY_ENV}={limit!r}: give a size such as 1GB or 1500MB, "
                            "or default")
        return limit
    mb = DEFAULT_MEMORY_MB
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        mb = min(mb, max(256, ram // (2 << 20)))
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): the fixed default
        pass
    return f"{mb}MB"


def _parquet_views(paths: tuple[str, ...]) -> dict[str, list[str]]:
    """View name per Parquet file (its stem); files named ``policies_2024``, ``policies-01``
    whose stems designate the same table are read together."""
    from memberdesk.core.mapping import table_from_name

    views: dict[str, list[str]] = {}
    for f in paths:
        stem = Path(f).stem
        views.setdefault(table_from_name(stem) or stem, []).append(str(Path(f).resolve()))
    return views


# ---- PostgreSQL --------------------------------------------------------------------------------

class PostgresConnection:
    """A PostgreSQL session in read-only mode. The password comes from ``PGPASSWORD``,
    ``~/.pgpass`` (read by libpq) or ``password`` (a prompt's answer, kept in memory only).
    ``work_mem`` is raised and nested loops are disabled for the session: the row estimates of
    the validation expressions are far too low, and with the unknown-member check written as a
    left join on the accepted member ids the planner otherwise picks a nested loop (the
    200k-policy test query ran over 6 min; 24 s for the whole test without)."""

    engine = "postgres"
    dialect = "postgres"

    def __init__(self, url: EngineURL, password: str | None = None) -> None:
        import psycopg

        self._psycopg = psycopg
        kwargs: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, "autocommit": True,
                                  "options": "-c default_transaction_read_only=on -c work_mem=256MB "
                                             "-c enable_nestloop=off"}
        if password is not None:
            kwargs["password"] = password
        try:
            self.con = psycopg.connect(url.target, **kwargs)
        except psycopg.OperationalError as exc:
            if password is None and _asks_for_password(exc):
                raise PasswordRequired(PASSWORD_HELP, file=redact(url.target)) from None
            raise DataError(Note(Reason("engine_cannot_connect", detail=_first_line(exc))),
                            file=redact(url.target)) from exc

    def tables(self) -> list[TableRef]:
        rows = self._query(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema "
            "NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2", ())
        return [TableRef(name, None if schema == "public" else schema) for schema, name in rows]

    def columns(self, ref: TableRef) -> dict[str, ColumnType]:
        rows = self._query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = %s ORDER BY ordinal_position", (ref.name, ref.database or "public"))
        return {name: coarse_type(kind) for name, kind in rows}

    def unique_columns(self, ref: TableRef) -> set[str]:
        """Columns a PRIMARY KEY or UNIQUE constraint holds unique on their own."""
        rows = self._query(
            "SELECT k.column_name, count(*) OVER (PARTITION BY c.constraint_name) FROM "
            "information_schema.table_constraints c JOIN information_schema.key_column_usage k "
            "ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema "
            "WHERE c.table_name = %s AND c.table_schema = %s "
            "AND c.constraint_type IN ('PRIMARY KEY', 'UNIQUE')", (ref.name, ref.database or "public"))
        return {name for name, n in rows if n == 1}

    def _query(self, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
        try:
            with self.con.cursor() as cur:
                cur.execute(sql, params or None)
                return list(cur.fetchall())
        except self._psycopg.errors.QueryCanceled as exc:
            raise Cancelled("the query was cancelled") from exc
        except self._psycopg.Error as exc:
            raise DataError(Note(Reason("engine_query_failed", engine="PostgreSQL",
                                        detail=_first_line(exc)))) from exc

    def arrow(self, sql: str) -> pa.Table:
        try:
            with self.con.cursor() as cur:
                cur.execute(sql.encode("utf-8"))
                names = [d.name for d in cur.description or ()]
                rows = cur.fetchall()
        except self._psycopg.errors.QueryCanceled as exc:
            raise Cancelled("the query was cancelled") from exc
        except self._psycopg.Error as exc:
            raise DataError(Note(Reason("engine_query_failed", engine="PostgreSQL",
                                        detail=_first_line(exc)))) from exc
        columns: list[list[Any]] = [list(c) for c in zip(*rows)] if rows else [[] for _ in names]
        return pa.table({n: pa.array(c) for n, c in zip(names, columns)}) if names else pa.table({})

    def cancel(self) -> None:
        self.con.cancel_safe()

    def close(self) -> None:
        self.con.close()


def _asks_for_password(exc: BaseException) -> bool:
    """libpq's "fe_sendauth: no password supplied": the server wants a password (md5, scram)
    and libpq found none (a wrong one reads "password authentication failed")."""
    return "no password supplied" in str(exc)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# ---- Spark -------------------------------------------------------------------------------------

SPARK_CONNECT_PORT = 15002  # Spark Connect's default port


def _reach(target: str) -> None:
    """Open and close a TCP connection to a Spark Connect server (``sc://HOST[:PORT][/…]``)
    within :data:`CONNECT_TIMEOUT_S`: the Connect client itself retries an unreachable server
    for ten minutes or more before it gives up."""
    import socket

    hostport = target[len("sc://"):].split("/", 1)[0].split(";", 1)[0]
    host, _, port = hostport.rpartition(":") if ":" in hostport.strip("[]") else (hostport, "", "")
    host, port = host.strip("[]") or "localhost", port or str(SPARK_CONNECT_PORT)
    if not port.isdigit():
        raise DataError(Note(Reason("engine_spark_port", port=port)), file=target)
    try:
        with socket.create_connection((host, int(port)), CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise DataError(Note(Reason("engine_spark_unreachable", host=host, port=port,
                                    detail=str(getattr(exc, "strerror", None) or exc))),
                        file=target) from exc


def _few_retries(spark: Any) -> None:
    """A Connect session that retries a lost server for seconds, not minutes (pyspark's default
    policy waits ten minutes or more): the user is told, with exit 3, and may try again."""
    try:
        from pyspark.sql.connect.client.retries import DefaultPolicy

        spark.client.set_retry_policies([DefaultPolicy(max_retries=5, max_backoff=5000)])
    except (ImportError, AttributeError):  # another pyspark: its own policy
        pass

class SparkConnection:
    """A Spark session: ``local[N]`` (started here, or the running one reused) or Spark Connect
    (``sc://HOST:PORT``). Queries run under a job group (local) or tag (Connect) so that
    :meth:`cancel` stops exactly them."""

    engine = "spark"
    dialect = "pyspark"

    def __init__(self, url: EngineURL) -> None:
        try:
            from pyspark.sql import SparkSession

            builder = SparkSession.builder.appName("memberdesk")
            if url.target.startswith("sc://"):
                _reach(url.target)
                self.spark = builder.remote(url.target).getOrCreate()
                self._connect = True
                _few_retries(self.spark)
            else:
                self.spark = (builder.master(url.target)
                              .config("spark.ui.enabled", "false")
                              .config("spark.sql.session.timeZone", "UTC")
                              .getOrCreate())
                self._connect = False
        except DataError:
            raise
        except Exception as exc:  # JVM missing, server unreachable: a data error, exit 3
            raise DataError(Note(Reason("engine_spark_cannot_start", detail=_first_line(exc))),
                            file=url.target) from exc
        import ibis
        from ibis.backends.pyspark import Backend

        if getattr(ibis.options, "pyspark", None) is None:  # the Spark compiler reads them
            Backend.register_options()
        self._tag = f"memberdesk-{uuid.uuid4().hex[:12]}"
        self._running = False
        self._query_no = 0

    def tables(self) -> list[TableRef]:
        out = []
        for t in self.spark.catalog.listTables():
            db = None if t.isTemporary or t.namespace in (None, [], ["default"]) else ".".join(t.namespace or [])
            out.append(TableRef(t.name, db))
        return out

    def columns(self, ref: TableRef) -> dict[str, ColumnType]:
        frame = self.spark.table(_spark_name(ref))
        return {f.name: coarse_type(f.dataType.simpleString()) for f in frame.schema.fields}

    def unique_columns(self, ref: TableRef) -> set[str]:
        """Spark tables declare no enforced keys."""
        return set()

    def arrow(self, sql: str) -> pa.Table:
        try:
            if self._connect:
                self.spark.addTag(self._tag)
            else:
                self.spark.sparkContext.setJobGroup(self._tag, "memberdesk query", True)
            # collect(), not toArrow(): the Arrow path runs the job on a JVM thread outside
            # the job group, so cancelJobGroup would not reach it
            self._query_no += 1
            self._running = True
            frame = self.spark.sql(sql)
            names = frame.columns
            rows = frame.collect()
            return pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)})
        except Exception as exc:
            if "cancel" in str(exc).lower() or "interrupt" in str(exc).lower():
                raise Cancelled("the query was cancelled") from exc
            raise DataError(Note(Reason("engine_query_failed", engine="Spark",
                                        detail=_first_line(exc)))) from exc
        finally:
            self._running = False

    def cancel(self) -> None:
        """Cancel the query's jobs, again every half second while it runs: a query still
        being planned has no job yet, and a cancel sent then would be lost."""
        target = self._query_no

        def repeat() -> None:
            for _ in range(120):
                if not self._running or self._query_no != target:
                    return  # that query has ended: never cancel the next one
                if self._connect:
                    self.spark.interruptTag(self._tag)
                else:
                    self.spark.sparkContext.cancelJobGroup(self._tag)
                time.sleep(0.5)

        threading.Thread(target=repeat, name="memberdesk-spark-cancel", daemon=True).start()

    def close(self) -> None:
        """Spark sessions are shared by the process (``getOrCreate``): left running."""


def _spark_name(ref: TableRef) -> str:
    def q(x: str) -> str:
        return "`" + x.replace("`", "``") + "`"
    return q(ref.name) if ref.database is None else f"{q(ref.database)}.{q(ref.name)}"


def connect(url: EngineURL, *, password: str | None = None) -> Connection:
    """Open ``url`` read-only (see the module doc)."""
    if url.kind in ("duckdb", "parquet"):
        return DuckDBConnection(url)
    if url.kind == "postgres":
        return PostgresConnection(url, password)
    return SparkConnection(url)
