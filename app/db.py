"""Engines and sessions: SQLite (WAL, IMMEDIATE writes) and PostgreSQL alike.

A route says whether it reads or writes by the session it takes: `ReadSession` (a read-only
transaction, never committed) or `WriteSession` (committed once when the route's work ends,
rolled back on any error). `unit_of_work` is the one place that commits; the command line
uses it too. Services flush, never commit.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache, wraps
from pathlib import Path
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

SUPPORTED_SCHEMES = ("sqlite", "postgresql")
_MADE: list[Engine] = []  # what get_engine's cache holds, for dispose_engines


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


class DatabaseBusy(Exception):
    """A writer could not get its turn within the wait the settings allow."""


def _configure_sqlite(engine: Engine, *, immediate: bool, read_only: bool, wait_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself, so that it can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred read-then-write transaction fails at once with "database is locked"
        # under concurrency; taking the write lock up front makes writers queue instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=32)
def get_engine(
    url: str, *, immediate: bool = True, read_only: bool = False, wait_seconds: float = 30.0
) -> Engine:
    """One engine per database URL and kind for the life of the process.

    `immediate=False` gives SQLite sessions deferred transactions: for readers, which must
    not hold the write lock while others write. `read_only` makes the database refuse any
    write through the engine. A writer waits at most `wait_seconds` for a lock.
    """
    url = normalise_url(url)
    wait_ms = int(wait_seconds * 1000)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": wait_seconds}
        )
        _configure_sqlite(
            engine, immediate=immediate and not read_only, read_only=read_only, wait_ms=wait_ms
        )
        _MADE.append(engine)
        return engine
    options = f"-c lock_timeout={wait_ms}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"options": options},
    )
    _MADE.append(engine)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection of every engine made so far and forget the engines (a
    database removed or remade under the process, as between tests)."""
    for engine in _MADE:
        engine.dispose()
    _MADE.clear()
    get_engine.cache_clear()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


P = ParamSpec("P")
R = TypeVar("R")


def all_or_nothing(
    service: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Session, P], R]:
    """A service whose writes are undone together when it raises (a savepoint), whatever the
    caller then does with the error: a form that shows a refused file still commits nothing
    of it."""

    @wraps(service)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        with session.begin_nested():
            return service(session, *args, **kwargs)

    return wrapper


def is_busy(exc: OperationalError) -> bool:
    """True when the database refused for want of a lock in time (SQLite busy, PostgreSQL's
    lock_timeout), not for a broken query."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "55P03":  # lock_not_available
        return True
    return "database is locked" in str(orig) or "database table is locked" in str(orig)


@asynccontextmanager
async def _turn(request: Request, limiter: anyio.CapacityLimiter) -> AsyncIterator[None]:
    """One of the limiter's tokens for this request, or DatabaseBusy after the settings'
    wait; released when the block ends."""
    turn = object()
    with anyio.move_on_after(request.app.state.settings.write_wait_seconds):
        await limiter.acquire_on_behalf_of(turn)
    if turn not in limiter.statistics().borrowers:
        raise DatabaseBusy
    try:
        yield
    finally:
        limiter.release_on_behalf_of(turn)


async def read_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session for one route; its transaction is never committed.

    Requests holding a session are limited per process (anyio's limiter, fewer than the
    engine's pooled connections): a request waits for its turn in the event loop, holding
    no thread and no connection, so no thread ever waits for a connection that a request
    waiting for a thread holds.
    """
    async with _turn(request, request.app.state.session_limiter):
        session = Session(request.app.state.read_engine, expire_on_commit=False)
        try:
            yield session
        finally:
            # In the event loop: the connection goes back at once, needing no thread.
            session.close()


async def write_session(request: Request, _reads: "ReadSession") -> AsyncIterator[Session]:
    """A session whose work is committed once, when the route's work ends.

    It takes the request's read turn first (the caller is looked up with it), then the
    writer's: writers of one process take turns on the app's write limiter, and one that
    cannot get its turn within `write_wait_seconds` gets 503 with Retry-After, not a hang.
    """
    async with _turn(request, request.app.state.write_limiter):
        session = Session(request.app.state.engine, expire_on_commit=False)
        try:
            yield session
            await anyio.to_thread.run_sync(session.commit)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


# scope="function": the session ends (and the writer's turn is released) when the route
# function returns, before the response is sent.
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
