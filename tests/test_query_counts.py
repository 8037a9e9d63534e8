"""The main pages ask the database a handful of times, however much data there is (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from tests.builders import GENERIC, load_sample


@contextmanager
def counting(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    engines = [app.state.engine, app.state.read_engine]

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize(
    "role,path,limit",
    [
        ("leader", "/visits", 8),  # 6 measured
        ("leader", "/visits/new", 9),  # 7
        # 9: the report comes from the cache, whose key reads the walks, the directory, the
        # ticket exports, their categories' themes and the rounds (a period's bounds)
        ("analyst", "/reports/S", 11),
        ("executive", "/dashboard", 20),  # 16, whatever the number of departments or walks
    ],
)
def test_main_pages_use_few_queries(
    app, session: Session, make_user, database_url: str, role: str, path: str, limit: int
) -> None:
    from tests.conftest import log_in

    load_sample(session, GENERIC, name="S")  # 90 walks, 370 conversations, 1,527 responses
    session.commit()
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, make_user(role))
        client.get(path)  # the first view may work out and cache the report
        with counting(app) as statements:
            assert client.get(path).status_code == 200
    assert len(statements) <= limit, "\n".join(statements)
