"""Real engine servers for the tests: a PostgreSQL cluster (initdb into a temp dir, run as a
non-root user, random free port on 127.0.0.1) and a local Spark session.

PostgreSQL binaries are found on PATH, then under ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package); Java for Spark from ``JAVA_HOME`` or PATH (Debian's
``default-jre-headless``). When one is missing the tests that need it are skipped with the
reason (``.ci/run`` installs both).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_USER = "memberdesk"
PG_PASSWORD = "md-test-secret"
OS_USER = "mdpgtest"  # the server never runs as root


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    pg_ctl: str
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/memberdesk"

    def stop(self) -> None:
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.datadir), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)


def _runner(tmp: Path) -> list[str]:
    """The command prefix that runs a program as a non-root user (created when needed)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        OS_USER], check=True, capture_output=True)
    info = pwd.getpwnam(OS_USER)
    os.chown(tmp, info.pw_uid, info.pw_gid)
    return ["setpriv", f"--reuid={info.pw_uid}", f"--regid={info.pw_gid}", "--clear-groups"]


def start_postgres(tmp: Path) -> PostgresServer:
    """initdb + pg_ctl start on a free port; password authentication over TCP."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    assert initdb and pg_ctl
    tmp.mkdir(parents=True, exist_ok=True)
    run_as = _runner(tmp)
    datadir, pwfile = tmp / "data", tmp / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if run_as:
        info = pwd.getpwnam(OS_USER)
        os.chown(pwfile, info.pw_uid, info.pw_gid)
    subprocess.run([*run_as, initdb, "-D", str(datadir), "-U", PG_USER, f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True, timeout=120)
    port = free_port()
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*run_as, pg_ctl, "-D", str(datadir), "-o", opts, "-l", str(tmp / "log"),
                    "-w", "-t", "60", "start"], check=True, capture_output=True, timeout=90)
    server = PostgresServer(datadir, port, pg_ctl, run_as)
    import psycopg

    for _ in range(50):
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=PG_USER, password=PG_PASSWORD,
                                 dbname="postgres", autocommit=True) as con:
                con.execute("CREATE DATABASE memberdesk")
            break
        except psycopg.OperationalError:
            time.sleep(0.2)
    return server


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


# ---- books --------------------------------------------------------------------------------------

import datetime as dt  # noqa: E402
import io  # noqa: E402

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402
import pytest  # noqa: E402

from memberdesk.core.engine.connection import TableRef  # noqa: E402
from memberdesk.core.loader import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TABLES = ("members", "policies", "claims", "benefit_usage", "service_contacts")
TODAY = dt.date(2026, 12, 5)


def read_csv_tables(folder: Path, names: tuple[str, ...]) -> dict[str, pa.Table]:
    """The CSV files as typed Arrow tables (DuckDB's type detection: dates, numbers, yes/no)."""
    con = duckdb.connect()
    out = {}
    for name in names:
        path = folder / f"{name}.csv"
        if path.exists():
            out[name] = con.sql(f"SELECT * FROM read_csv('{path}', header=true)").to_arrow_table()
    return out


def big_book(folder: Path, policies: int = 200_000, seed: int = 7) -> Path:
    """A generated book: ``policies`` policies of ~``policies/2`` members, written as CSV, with a
    handful of rows the validation must reject (one of each reason the typed engines can see)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_members = policies // 2
    member_ids = np.array([f"M{i:07d}" for i in range(n_members)], dtype=object)
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 50, n_members).astype("timedelta64[D]")
    members = {"member_id": member_ids, "birth_date": birth.astype(str),
               "gender": rng.choice(["F", "M"], n_members),
               "region": rng.choice(["north", "south", "east", "west", "central"], n_members),
               "tier": rng.choice(["basic", "silver", "gold"], n_members, p=[0.6, 0.3, 0.1])}
    issue = np.datetime64("2015-01-01") + rng.integers(0, 365 * 11, policies).astype("timedelta64[D]")
    life = rng.exponential(365 * 6, policies).astype(int).astype("timedelta64[D]")
    end = issue + life
    ended = end <= np.datetime64("2026-06-30")
    status = np.where(ended, rng.choice(["lapsed", "surrendered", "death", "matured", "失效"], policies,
                                        p=[0.5, 0.2, 0.1, 0.1, 0.1]), "in_force")
    pol = {"policy_id": np.array([f"P{i:08d}" for i in range(policies)], dtype=object),
           "member_id": member_ids[rng.integers(0, n_members, policies)],
           "channel": rng.choice(["agency", "broker", "online", "bancassurance"], policies),
           "product": rng.choice(["term", "whole life", "annuity", "health"], policies),
           "issue_date": issue.astype(str),
           "end_date": np.where(ended, end.astype(str), ""),
           "status": status,
           "annual_premium": np.round(rng.lognormal(8, 1, policies), 2),
           "payment_frequency": rng.choice(["annual", "monthly", "single"], policies)}
    # rows to reject: missing id, duplicate id (a later row), end before issue, negative
    # premium, unknown status, future date, unknown member
    pol["policy_id"][10] = ""
    pol["policy_id"][20] = pol["policy_id"][19]
    pol["member_id"][20] = "M9999998"  # sorts after row 19's member: the first row is kept
    pol["end_date"][30], pol["issue_date"][30], pol["status"][30] = "2016-01-01", "2017-01-01", "lapsed"
    pol["annual_premium"][40] = -5.0
    pol["status"][50] = "bogus"
    pol["issue_date"][60] = "2099-01-01"
    pol["member_id"][70] = "M9999999"
    write = lambda name, cols: _write_csv(folder / f"{name}.csv", cols)  # noqa: E731
    write("members", members)
    write("policies", pol)
    return folder


def _write_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    import pandas as pd

    pd.DataFrame(columns).to_csv(path, index=False)


@pytest.fixture(scope="session")
def engine_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engines")


@pytest.fixture(scope="session")
def sample_book() -> tuple[list[str], dict[str, pa.Table]]:
    files = [str(ROOT / "sample_data" / f"{t}.csv") for t in SAMPLE_TABLES]
    return files, read_csv_tables(ROOT / "sample_data", SAMPLE_TABLES)


@pytest.fixture(scope="session")
def generated_book(engine_tmp: Path) -> tuple[list[str], dict[str, pa.Table]]:
    folder = big_book(engine_tmp / "big")
    files = [str(folder / "members.csv"), str(folder / "policies.csv")]
    return files, read_csv_tables(folder, ("members", "policies"))


def write_duckdb(path: Path, tables: dict[str, pa.Table]) -> str:
    con = duckdb.connect(str(path))
    for name, table in tables.items():
        con.register("src", table)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM src')
        con.unregister("src")
    con.close()
    return f"duckdb://{path}"


_PG_TYPES = {"string": "text", "large_string": "text", "date32[day]": "date", "double": "double precision",
             "int64": "bigint", "bool": "boolean", "timestamp[us]": "timestamp"}


def write_postgres(server: PostgresServer, schema_name: str, tables: dict[str, pa.Table]) -> str:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=server.port, user=PG_USER, password=PG_PASSWORD,
                         dbname="memberdesk", autocommit=True) as con:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
        for name, table in tables.items():
            cols = ", ".join(f'"{f.name}" {_PG_TYPES[str(f.type)]}' for f in table.schema)
            con.execute(f'DROP TABLE IF EXISTS "{schema_name}"."{name}"')
            con.execute(f'CREATE TABLE "{schema_name}"."{name}" ({cols})')
            buf = io.BytesIO()
            pa_csv.write_csv(table, buf)  # ISO dates; nulls as empty fields (NULL in CSV COPY)
            with con.cursor() as cur, cur.copy(f'COPY "{schema_name}"."{name}" FROM STDIN '
                                               "WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(buf.getvalue())
    return server.url


@pytest.fixture(scope="session")
def postgres():  # type: ignore[no-untyped-def]
    if pg_bin("initdb") is None or pg_bin("pg_ctl") is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    import tempfile

    # a directory of its own under /tmp (pytest's base directory is private to root)
    server = start_postgres(Path(tempfile.mkdtemp(prefix="memberdesk-pg-")))
    old = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = PG_PASSWORD  # as a user would: never in the URL
    yield server
    if old is None:
        os.environ.pop("PGPASSWORD", None)
    else:
        os.environ["PGPASSWORD"] = old
    server.stop()
    shutil.rmtree(server.datadir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def spark(engine_tmp: Path):  # type: ignore[no-untyped-def]
    if not java_available():
        pytest.skip("no Java runtime for Spark: apt-get install default-jre-headless")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("memberdesk-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.warehouse.dir", str(engine_tmp / "spark-warehouse"))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={engine_tmp / 'derby'}")
               .getOrCreate())
    yield session
    session.stop()


def write_spark(session, database: str, tables: dict[str, pa.Table]) -> str:  # type: ignore[no-untyped-def]
    """Managed tables ``database.name`` (Parquet under the session's warehouse directory)."""
    session.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    for name, table in tables.items():
        frame = session.createDataFrame(table.to_pandas(date_as_object=True))
        frame.write.mode("overwrite").saveAsTable(f"`{database}`.`{name}`")
    return "spark:local[2]"


@pytest.fixture(scope="session")
def engine_books(request: pytest.FixtureRequest, engine_tmp: Path, sample_book, generated_book):  # type: ignore[no-untyped-def]
    """(engine, book) -> (DATA, tables mapping); servers are started on first use only."""
    cache: dict[tuple[str, str], tuple[str, dict[str, TableRef]]] = {}

    def get(engine: str, which: str) -> tuple[str, dict[str, TableRef]]:
        if (engine, which) not in cache:
            tables = (sample_book if which == "sample" else generated_book)[1]
            refs: dict[str, TableRef] = {}
            if engine == "duckdb":
                url = write_duckdb(engine_tmp / f"{which}.duckdb", tables)
            elif engine == "postgres":
                url = write_postgres(request.getfixturevalue("postgres"), which, tables)
                refs = {name: TableRef(name, which) for name in tables}
            else:
                url = write_spark(request.getfixturevalue("spark"), which, tables)
                refs = {name: TableRef(name, which) for name in tables}
            cache[(engine, which)] = (url, refs)
        return cache[(engine, which)]

    return get


@pytest.fixture(scope="session")
def memory_books(sample_book, generated_book):  # type: ignore[no-untyped-def]
    return {"sample": load_dataset(sample_book[0], today=TODAY),
            "generated": load_dataset(generated_book[0], today=TODAY)}


@pytest.fixture
def duckdb_sql(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL text MemberDesk sends to DuckDB during the test, in order (the real
    connection runs each one: this only records it)."""
    from memberdesk.core.engine import connection

    sent: list[str] = []
    original = connection.DuckDBConnection.arrow

    def spy(self: connection.DuckDBConnection, sql: str) -> pa.Table:
        sent.append(sql)
        return original(self, sql)

    monkeypatch.setattr(connection.DuckDBConnection, "arrow", spy)
    return sent


def write_csv_book(folder: Path, tables: dict[str, str]) -> tuple[list[Path], Path]:
    """Each table's CSV text written as ``folder/NAME.csv``, and a DuckDB book of the same
    cells as text tables (``folder/book.duckdb``): the file path's and the engine's input."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, text in tables.items():
        files.append(folder / f"{name}.csv")
        files[-1].write_text(text, encoding="utf-8")
    book = folder / "book.duckdb"
    con = duckdb.connect(str(book))
    for f in files:
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv('{f}', all_varchar=true, "
                    "header=true)")
    con.close()
    return files, book


# ---- Spark and PostgreSQL: every analysis, but each deep route's variants sampled ---------------------------------
# test_every_command.py and test_equivalence.py run every command and KPI on Spark. The modules
# below check one engine route each under many variants (as-of dates, filters, --by columns)
# on DuckDB and PostgreSQL; on Spark (a JVM, ~1 s per query on 2 cores) they run the first
# case of each test only: the same Ibis expressions compile for every backend, so one case per
# test shows the route runs and agrees there, and the suite stays within its time budget.
SPARK_SAMPLED = frozenset({"test_alerts_counts.py", "test_benefits_counts.py",
                           "test_benefits_counts_random.py", "test_collected_counts.py",
                           "test_service_claims_counts.py"})


# ... and on PostgreSQL their first three cases (a server's own SQL: NULL sums, casts), the
# full matrix running on DuckDB
SAMPLED_CASES = {"spark": 1, "postgres": 3}


def _sampled_engine(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    parts = [] if callspec is None else callspec.id.split("-")
    return next((e for e in SAMPLED_CASES if e in parts), None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    keep, drop = [], []
    for item in items:
        engine = _sampled_engine(item) if Path(str(item.fspath)).name in SPARK_SAMPLED else None
        if engine is not None:
            key = (str(item.fspath), getattr(item, "originalname", item.name), engine)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > SAMPLED_CASES[engine]:
                drop.append(item)
                continue
        keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
