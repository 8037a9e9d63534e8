"""Engines and sessions: SQLite (WAL, IMMEDIATE writes) and PostgreSQL alike."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

SUPPORTED_SCHEMES = ("sqlite", "postgresql")


class DatabaseURLError(ValueError):
    """The database URL names a backend Walkabout does not support."""


def normalise_url(url: str) -> str:
    """Check the scheme and pick psycopg 3 for plain postgresql:// URLs."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"database URL {url!r} is not a valid URL") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_SCHEMES:
        raise DatabaseURLError(
            f"database URL scheme {parsed.drivername!r} is not supported "
            "(use sqlite:///path or postgresql+psycopg://...)"
        )
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself, so that it can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred read-then-write transaction fails at once with "database is locked"
        # under concurrency; taking the write lock up front makes writers queue instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=16)
def get_engine(url: str, *, immediate: bool = True) -> Engine:
    """One engine per database URL for the life of the process.

    `immediate=False` gives SQLite sessions deferred transactions: only for a reader that
    must not hold the write lock while others write (test assertions, for instance).
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine, immediate=immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


READ_METHODS = ("GET", "HEAD", "OPTIONS")
# Requests that may use the database at once in one process, per engine. Below the engine's
# pool and far below the thread pool's 40 tokens: a request waits for its turn in the event
# loop (holding no thread and no connection), never in a thread for a pooled connection that
# a request waiting for a thread holds (that deadlocked until the pool's timeout).
DB_SLOTS = 4


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards.

    Reads (GET) take SQLite's deferred transactions so that they run side by side; requests
    that change things take the write lock up front (BEGIN IMMEDIATE) and queue for it.
    Waiting for a turn happens in the event loop; only the database work takes a thread.
    """
    state = request.app.state
    reading = request.method in READ_METHODS
    engine: Engine = state.read_engine if reading else state.engine
    turns = _turns(engine)
    async with AsyncExitStack() as stack:
        if not reading and turns.writer is not None:
            await stack.enter_async_context(turns.writer)
        await stack.enter_async_context(turns.slots)
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
        finally:
            if engine.dialect.name == "sqlite":
                # Ending a transaction on a local file never waits on the network.
                session.close()
            else:
                await run_in_threadpool(session.close)


@dataclass
class _Turns:
    slots: asyncio.Semaphore
    writer: asyncio.Lock | None


_TURNS: "WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Turns]]" = WeakKeyDictionary()


def _turns(engine: Engine) -> _Turns:
    """This event loop's turns for this engine.

    On SQLite a process's writing requests also take turns on a lock of their own before they
    ask SQLite for its write lock: a writer waiting in SQLite's busy handler sleeps in steps
    of up to 100 ms and wakes late; one waiting here starts the moment the last one ends
    (measured with 32 clients posting walks: p99 from seconds to a few hundred ms). Other
    processes on the same file still queue in SQLite's busy handler, as before."""
    by_engine = _TURNS.setdefault(asyncio.get_running_loop(), {})
    turns = by_engine.get(id(engine))
    if turns is None:
        writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        turns = by_engine[id(engine)] = _Turns(asyncio.Semaphore(DB_SLOTS), writer)
    return turns
