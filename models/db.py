"""Where the register lives and how to open it.

Every function takes the register's URL from its caller (the entry points read it from
`CHIDAO_DB` or `--db` through flows/settings.py); this module reads no environment.  SQLite
runs in WAL mode with foreign keys on and a busy timeout, so a watcher and a clerk's CLI can
share one file; PostgreSQL is used through `postgresql+psycopg://`.  Opening a register
upgrades its schema to the newest Alembic revision (`init_db`), so an older province register
survives an upgrade.
"""
from __future__ import annotations

import ast
import fcntl
import hashlib
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

# SQLAlchemy and Alembic are imported inside the functions that need them: importing them costs
# ~0.3 s each, and `chidao search` / `owes` on a current SQLite register read through sqlite3
# (light_session) without either.
if TYPE_CHECKING:
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000
SQLITE_MMAP_BYTES = 4 << 30      # at most 4 GiB of the register file mapped (each connection)

_engines: dict[str, Engine] = {}
_ready: set[str] = set()
_lock = threading.Lock()


class RegisterError(ValueError):
    """Bad input to the register (unknown id, invalid status, bad date, empty unit...).

    Its message is one line meant for the user; nothing has been written when it is raised."""


def database_url(url: str) -> str:
    """URL with the driver we ship named.  A missing URL is a defect of the caller: falling back
    to a file in the working directory would split a province's register silently."""
    if not url:
        raise TypeError("no register URL given: pass the one from the settings (flows.settings, CHIDAO_DB)")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url_or_engine) -> bool:
    if hasattr(url_or_engine, "dialect"):
        return url_or_engine.dialect.name == "sqlite"
    return str(url_or_engine).split(":", 1)[0].split("+", 1)[0] == "sqlite"


def execute(session, sql: str, params: Optional[dict] = None):
    """Run one SQL text with :named parameters on a SQLAlchemy session or connection, or on a
    LightSession: the register's read queries are written once and run on either."""
    if isinstance(session, LightSession):
        return session.execute(sql, params)
    from sqlalchemy import text

    return session.execute(text(sql), params or {})


def dict_rows(result) -> list[dict]:
    """Every row of an execute() result as a dict (column name -> value): one zip per row, where
    dict(RowMapping) looks each column up (a unit's 13,000 tasks at 1,000,000 obligations)."""
    if isinstance(result, _LightResult):
        return result.mappings().all()
    keys = list(result.keys())
    return [dict(zip(keys, r)) for r in result]


class _Dialect:
    name = "sqlite"


class _LightResult:
    """The part of SQLAlchemy's Result the read queries use (rows are tuples)."""

    def __init__(self, cursor):
        self._cur = cursor

    def __iter__(self):
        return iter(self._cur)

    def all(self) -> list:
        return self._cur.fetchall()

    def first(self):
        return self._cur.fetchone()

    def one(self):
        rows = self._cur.fetchall()
        if len(rows) != 1:
            raise ValueError(f"expected one row, got {len(rows)}")
        return rows[0]

    def scalar_one(self):
        return self.one()[0]

    def scalar(self):
        row = self._cur.fetchone()
        return None if row is None else row[0]

    def mappings(self) -> "_LightMappings":
        return _LightMappings(self._cur)


class _LightMappings:
    def __init__(self, cursor):
        self._cur = cursor
        self._cols = [d[0] for d in cursor.description or ()]

    def __iter__(self):
        cols = self._cols
        return (dict(zip(cols, r)) for r in self._cur)

    def all(self) -> list[dict]:
        return list(self)


class LightSession:
    """A read-only session on a SQLite register through the standard sqlite3 module, with the
    same pragmas as the engine's connections: `chidao search` / `owes` answer without importing
    SQLAlchemy.  The queries are the same SQL texts (models.db.execute runs them on either)."""

    def __init__(self, url: str, conn):
        self.url = url
        self.dialect = _Dialect()
        self._conn = conn

    def get_bind(self) -> "LightSession":
        return self

    def execute(self, sql: str, params: Optional[dict] = None) -> _LightResult:
        return _LightResult(self._conn.execute(sql, params or {}))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "LightSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def light_session(url: str) -> Optional[LightSession]:
    """A LightSession on the register at URL when it is a SQLite file already at the newest
    schema; None otherwise (PostgreSQL, a new or older register: open it with init_db)."""
    url = database_url(url)
    if not is_sqlite(url):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:" or not Path(path).expanduser().is_file():
        return None
    conn = sqlite3.connect(str(Path(path).expanduser()), timeout=SQLITE_BUSY_MS / 1000, check_same_thread=False)
    try:
        _sqlite_pragmas(conn, None)
        current = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        current = set()
    if not current or current != _heads():
        conn.close()
        return None
    return LightSession(url, conn)


def _set_wal(cur, tries: int = 50) -> None:
    """Switch a register to WAL.  The switch takes an exclusive lock, and SQLite answers "database
    is locked" at once, without waiting out busy_timeout, when another process holds one (two
    workers opening a fresh register together): try again, a moment later."""
    import sqlite3
    import time

    for attempt in range(tries):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == tries - 1:
                raise
            time.sleep(0.05 * (1 + attempt % 5))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    _set_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a power cut loses at most the last commit
    # reads through a memory map instead of a read() per page: a unit's ten thousand tasks are as
    # many pages of a national register (1,000,000 obligations, 1.4 GB), 20-30 % of such a query
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cur.close()


def get_engine(url: str) -> "Engine":
    """One engine per URL per process (engines hold the connection pool)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    url = database_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if is_sqlite(url):
                path = make_url(url).database
                if path and path != ":memory:":
                    Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                # JIT off: the register's queries are short, and a planner over-estimate (a
                # correlated recursive check, a misjudged tsquery) can cost a second of compiling
                engine = create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})
            _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    url = database_url(url)
    with _lock:
        engine = _engines.pop(url, None)
        _ready.discard(url)
    if engine is not None:
        engine.dispose()


def alembic_config(url: Optional[str] = None):
    """Alembic's configuration; without a URL it only finds the migration scripts."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return cfg


_REV_RE = None


def _heads(cfg=None) -> set[str]:
    """Head revisions, read from the migration files without importing Alembic (it costs
    ~0.3 s, and quick commands open the register on every run).  Falls back to Alembic."""
    global _REV_RE
    _REV_RE = _REV_RE or re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.M)
    revs: set[str] = set()
    downs: set[str] = set()
    try:
        for f in (MIGRATIONS / "versions").glob("*.py"):
            found = dict(_REV_RE.findall(f.read_text(encoding="utf-8")))
            if "revision" not in found:
                continue
            revs.add(ast.literal_eval(found["revision"].strip()))
            down = ast.literal_eval(found.get("down_revision", "None").strip())
            downs.update([down] if isinstance(down, str) else list(down or ()))
        heads = revs - downs
        if heads:
            return heads
    except (ValueError, SyntaxError, OSError):
        pass
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(cfg or alembic_config()).get_heads())


def _current(conn) -> set[str]:
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _hold_lock_file(lock_path: Path):
    """Open and lock LOCK_PATH, again if another holder removed it while we waited."""
    import os

    while True:
        fh = open(lock_path, "a+")
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            on_disk = os.stat(lock_path)
        except FileNotFoundError:
            on_disk = None
        held = os.fstat(fh.fileno())
        if on_disk is not None and (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino):
            return fh
        fh.close()


@contextmanager
def _migration_lock(engine: "Engine", url: str) -> Iterator[None]:
    """Several workers may open a fresh register at once: only one migrates."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    if is_sqlite(engine):
        path = make_url(url).database
        if not path or path == ":memory:":
            yield
            return

        import tempfile     # only when a register is created or upgraded (~3 ms otherwise paid by every command)

        # In the temp dir, not beside the register: no clutter in the user's folder.
        digest = hashlib.sha1(str(Path(path).expanduser().resolve()).encode()).hexdigest()[:16]
        lock_path = Path(tempfile.gettempdir()) / f"chidao-migrate-{digest}.lock"
        fh = _hold_lock_file(lock_path)
        try:
            yield
        finally:
            # The holder removes the file (a test run would otherwise leave thousands);
            # a waiter that locked the removed file sees it and locks the new one.
            lock_path.unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
    else:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7316240501)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7316240501)"))
                conn.commit()


def init_db(url: str) -> "Engine":
    """Open the register at URL, creating it or upgrading its schema to the newest revision."""
    url = database_url(url)
    engine = get_engine(url)
    if url in _ready:
        return engine
    heads = _heads()
    with engine.connect() as conn:
        current = _current(conn)
    if current != heads:
        from alembic import command

        cfg = alembic_config(url)
        with _migration_lock(engine, url):
            with engine.begin() as conn:
                if _current(conn) != heads:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "heads")
    _ready.add(url)
    return engine
